// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_diff.c - differential test: the BPF program against the reference
 * model (ctl/model.c), on random rule sets and random frames.
 *
 * Each rule set is written as rule-file text with every construct the
 * language has (ip/ip6, tcp/udp/icmp/icmpv6/proto N|NAME, saddr/daddr
 * prefixes of any length, sport/dport ports and ranges, name, log, the
 * three settings, comments), compiled by the real compiler, and written
 * into the loaded program's maps with fw_ruleset_write(). Frames are aimed
 * at the rules: addresses inside a rule's prefix, on its edges and just
 * outside; ports on a rule's range edges and one past them; plus VLAN tags,
 * IPv4 options and fragments, IPv6 extension header chains (longer than
 * the program walks, too), jumbo payload options, unknown protocols, non-IP
 * frames, bad versions and lengths (0 too), truncation at any point,
 * padding and random corruption. Super-packets, longer than
 * BPF_PROG_TEST_RUN takes, are tests/unit/test_parse.c's.
 *
 * A quarter of the sets have at most XDPFW_TINY_RULES rules, half of those
 * with no list or set: what the program matches from its constants
 * (xdp/tiny.h); the other small sets go to the classifier, so both are
 * compared.
 *
 * Every frame runs once through BPF_PROG_TEST_RUN; its verdict must be the
 * model's. The reason and rule must be too: per rule set the model tallies
 * packets and bytes per reason and per rule, and the program's per-CPU
 * counters must hold exactly that. A set whose counters differ is replayed
 * frame by frame to name the frames that disagree.
 *
 * Frames and rule sets come from one seed; set s and frame f of a run are
 * reproduced by the same seed alone. Environment:
 *   XDPFW_DIFF_SEED    the seed (default: from the clock; always printed)
 *   XDPFW_DIFF_SETS    rule sets (default 200)
 *   XDPFW_DIFF_FRAMES  frames per set (default 10000)
 *   XDPFW_DIFF_SET     run only this set index (to reproduce a failure;
 *                      0x100000 and up: a set of the large phase)
 *
 * The large phase (test_large) runs rule sets of 1,000 rules, with frames
 * aimed at the last rules too, and rule sets with address sets of 10,000
 * to 100,000 prefixes (IPv4 and IPv6, nested, of many lengths, inline and
 * from set files, used negated and in saddr and daddr), with frames whose
 * addresses are drawn from the sets' members, inside or just outside them;
 * it prints how often frames reached the last rules and the sets.
 * test_large_scaling checks that compiling and writing a big set grows
 * linearly, not quadratically. Environment:
 *   XDPFW_DIFF_LARGE_RULESETS    rule sets of many rules (default 4; 0: none)
 *   XDPFW_DIFF_LARGE_RULES       rules in each (default 1000)
 *   XDPFW_DIFF_LARGE_FRAMES      frames per such set (default 50000)
 *   XDPFW_DIFF_LARGE_ADDRSETS    rule sets with big address sets (default 4; 0: none)
 *   XDPFW_DIFF_LARGE_PREFIXES    prefixes of the biggest set (default 100000)
 *   XDPFW_DIFF_LARGE_ADDR_FRAMES frames per such set (default 10000)
 *
 * The ClassBench-like phase (test_classbench) runs 5-tuple rule sets made
 * in the image of ClassBench's acl, fw and ipc filter sets (their prefix
 * lengths, nesting, wildcards, port classes and protocols; rules that share
 * values and differ in one field; most specific first), of 10,000 rules and
 * XDPFW_MAX_RULES, with frames aimed as ClassBench traces are (a point
 * inside a random rule) and at rule corners, just outside an edge, inside
 * the last rules, fields of several rules, at random. Then the shared-field
 * sets (bench/classbench.py's `shared`): 100, 1,000 and XDPFW_MAX_RULES
 * rules on `udp dport 53` with their own source port, source address or
 * destination address; frames that match each rule in turn, the last rule,
 * none. Both print how deep in the set the deciding rules stood.
 * test_cb_detects_disagreement shows the comparison fails when the model's
 * copy of such a set differs in one deep rule. Set numbers CB_BASE + i and
 * SHARED_BASE + i (0x300000, 0x400000) for XDPFW_DIFF_SET. Environment:
 *   XDPFW_DIFF_CB_SETS        ClassBench-like sets: acl, fw, ipc in turn,
 *                             every fourth of XDPFW_MAX_RULES rules
 *                             (default 4; 0: none)
 *   XDPFW_DIFF_CB_RULES       rules in the others (default 10000)
 *   XDPFW_DIFF_CB_FRAMES      frames per such set (default 30000)
 *   XDPFW_DIFF_CB_V6          % of IPv6 rules in the sets of XDPFW_MAX_RULES
 *                             (default 25; the others are IPv4 as
 *                             ClassBench's)
 *   XDPFW_DIFF_SHARED_SETS    shared-field sets: the three fields at 100,
 *                             1,000, XDPFW_MAX_RULES rules in turn
 *                             (default 9; 0: none)
 *   XDPFW_DIFF_SHARED_MAX     at most this many rules in one (default 16384)
 *   XDPFW_DIFF_SHARED_FRAMES  frames per such set (default 10000)
 *
 * Needs root. Output is TAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frame.h"
#include "cls.h"
#include "harness.h"
#include "loader.h"
#include "model.h"
#include "ruleset.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

#define DEFAULT_SETS      200
#define DEFAULT_FRAMES    10000
#define MAX_RULES_PER_SET 40
#define REPORT_MAX        5    /* disagreements shown in full per set */
#define PINPOINT_SETS     3    /* sets replayed frame by frame to show them */
#define POOL_MAX          24   /* prefixes and ports a set reuses across rules */
#define POOL_MAX_LARGE    1024 /* the same in the 1,000-rule sets of the large phase */

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

static uint64_t seed;
static unsigned int pinpointed_sets;

/* ------------------------------------------------------------------------ */
/* Randomness: splitmix64, one stream per (seed, set, frame)                */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static int chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* The stream of set s (frame -1) or of frame f of set s: each stands on its
 * own, so one set or one frame can be regenerated without the others. */
static struct rng stream(uint32_t set, int64_t frame)
{
	struct rng r = {seed ^ ((uint64_t)set << 32) ^
	                (uint64_t)(frame + 1) * 0x2545f4914f6cdd1dull};

	rnd(&r);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Rule sets as text                                                         */

struct prefix {
	int family;       /* 4 or 6 */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	int len;
};

struct set_gen {
	char *text; /* grows; kept across sets (gen_reset) */
	size_t len, cap;
	struct prefix prefixes[POOL_MAX_LARGE];
	int nprefixes;
	struct {
		uint16_t lo, hi;
	} ports[POOL_MAX_LARGE];
	int nports;
	int pool_max;               /* POOL_MAX, or POOL_MAX_LARGE */
	int naddr_sets, nport_sets; /* named sets defined at the top: a0.., p0.. */
	/* Large phase: rules test narrow values (long prefixes, single ports,
	 * few negations), so a frame aimed at a late rule can still reach it. */
	bool specific;
	/* Addresses and ports as single values and ranges, no list or set:
	 * with few rules, what the program matches from its constants. */
	bool plain;
};

/* Empty text, empty pools; the text buffer stays for the next set. */
static void gen_reset(struct set_gen *g, int pool_max)
{
	char *text = g->text;
	size_t cap = g->cap;

	memset(g, 0, sizeof(*g));
	g->text = text;
	g->cap = cap;
	g->pool_max = pool_max;
	if (g->text)
		g->text[0] = '\0';
}

static void emit(struct set_gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct set_gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(g->text ? g->text + g->len : NULL, g->cap - g->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fail_msg("cannot format the rule text");
		if ((size_t)n < g->cap - g->len)
			break;
		g->cap = g->cap ? g->cap * 2 : 16384;
		g->text = realloc(g->text, g->cap);
		if (!g->text)
			fail_msg("out of memory for %zu bytes of rule text", g->cap);
	}
	g->len += (size_t)n;
}

static int addr_bytes(int family)
{
	return family == 6 ? 16 : 4;
}

/* Random bits after the first len. */
static void randomize_host(struct rng *r, uint8_t *a, int family, int len)
{
	for (int bit = len; bit < addr_bytes(family) * 8; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		a[bit / 8] = chance(r, 50) ? (a[bit / 8] | m) : (a[bit / 8] & ~m);
	}
}

/* A prefix length that is often "interesting": /0, full, byte and word edges. */
static int random_len(struct rng *r, int family)
{
	int full = family == 6 ? 128 : 32;

	switch (below(r, 6)) {
	case 0:
		return full;
	case 1:
		return below(r, 4) ? (int)below(r, full / 8 + 1) * 8 : 0;
	default:
		return (int)below(r, full + 1);
	}
}

static struct prefix *pool_prefix(struct rng *r, struct set_gen *g, int family)
{
	struct prefix *p;

	/* Mostly reuse one (rules that overlap), sometimes nest a new length
	 * inside an old one, else make a new one. */
	if (g->nprefixes && chance(r, g->specific ? 20 : 60)) {
		for (int t = 0; t < 4; t++) {
			p = &g->prefixes[below(r, g->nprefixes)];
			if (p->family == family)
				return p;
		}
	}
	if (g->nprefixes == g->pool_max)
		g->nprefixes = g->pool_max - 1 - below(r, 4);
	p = &g->prefixes[g->nprefixes];
	memset(p, 0, sizeof(*p));
	p->family = family;
	if (g->specific) /* /16-/32 or /48-/128 */
		p->len = family == 6 ? 48 + (int)below(r, 81) : 16 + (int)below(r, 17);
	else
		p->len = random_len(r, family);
	for (int i = 0; i < g->nprefixes; i++) {
		if (g->prefixes[i].family == family && chance(r, g->specific ? 1 : 40)) {
			memcpy(p->addr, g->prefixes[i].addr, 16);
			randomize_host(r, p->addr, family, g->prefixes[i].len);
			g->nprefixes++;
			return p;
		}
	}
	randomize_host(r, p->addr, family, 0);
	/* Documentation ranges at times, so frames' random addresses land
	 * in some of them too. */
	if (chance(r, 30)) {
		static const uint8_t v4[] = {198, 51, 100}, v6[] = {0x20, 0x01, 0x0d, 0xb8};

		if (family == 4)
			memcpy(p->addr, v4, sizeof(v4));
		else
			memcpy(p->addr, v6, sizeof(v6));
	}
	g->nprefixes++;
	return p;
}

static void emit_prefix(struct rng *r, struct set_gen *g, const char *word, const struct prefix *p)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];
	int full = p->family == 6 ? 128 : 32;

	memcpy(a, p->addr, 16);
	/* Host bits past the prefix are allowed and ignored. */
	if (chance(r, 30))
		randomize_host(r, a, p->family, p->len);
	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
	if (p->len == full && chance(r, 50))
		emit(g, " %s %s", word, text);
	else
		emit(g, " %s %s/%d", word, text, p->len);
}

static uint16_t random_port(struct rng *r)
{
	static const uint16_t common[] = {0, 1, 22, 53, 80, 443, 1023, 1024, 8080, 65534, 65535};

	return chance(r, 40) ? common[below(r, sizeof(common) / sizeof(common[0]))]
	                     : (uint16_t)below(r, 65536);
}

static void emit_ports(struct rng *r, struct set_gen *g, const char *word)
{
	uint16_t lo, hi;

	if (g->nports && chance(r, 50)) {
		int i = below(r, g->nports);

		lo = g->ports[i].lo;
		hi = g->ports[i].hi;
	} else {
		lo = random_port(r);
		hi = lo;
		if (chance(r, g->specific ? 20 : 50)) {
			hi = chance(r, 50) && !g->specific ? random_port(r)
			                                   : (uint16_t)(lo + below(r, 64));
			if (hi < lo) {
				uint16_t t = lo;

				lo = hi;
				hi = t;
			}
		}
		if (g->nports < g->pool_max) {
			g->ports[g->nports].lo = lo;
			g->ports[g->nports++].hi = hi;
		}
	}
	if (lo == hi && chance(r, 80))
		emit(g, " %s %u", word, lo);
	else
		emit(g, " %s %u-%u", word, lo, hi);
}

/* Protocols as rules spell them, and the family each needs (0: any). */
static const struct {
	const char *text;
	int proto;
	int family;
} rule_protos[] = {
    {"tcp", 6, 0},
    {"udp", 17, 0},
    {"icmp", 1, 4},
    {"icmpv6", 58, 6},
    {"proto tcp", 6, 0},
    {"proto 17", 17, 0},
    {"proto 6", 6, 0},
    {"proto udp", 17, 0},
    {"proto 1", 1, 4},
    {"proto 58", 58, 6},
    {"proto ipv6-icmp", 58, 6},
    {"proto gre", 47, 0},
    {"proto esp", 50, 0},
    {"proto ah", 51, 0},
    {"proto sctp", 132, 0},
    {"proto 253", 253, 0},
    {"proto 59", 59, 0},
    {"proto 0", 0, 0},
    {"proto 44", 44, 0},
    {"proto 255", 255, 0},
    {"proto udplite", 136, 0},
};
#define NPROTOS (sizeof(rule_protos) / sizeof(rule_protos[0]))

/* One rule: its matches in random order, each consistent with the others. */
/* A prefix as a list member: "a/len" (host bits may be set). */
static void emit_member(struct rng *r, struct set_gen *g, const struct prefix *p, const char *sep)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];

	memcpy(a, p->addr, 16);
	if (chance(r, 20))
		randomize_host(r, a, p->family, p->len);
	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
	emit(g, "%s%s/%d", sep, text, p->len);
}

/*
 * saddr/daddr: one prefix, an inline list of the rule's family, or a named
 * set (of both families, so it never clashes with the rule's family).
 */
static void emit_addr_match(struct rng *r, struct set_gen *g, const char *word,
                            const struct prefix *p, int family)
{
	int n;

	if (!g->plain && g->naddr_sets && chance(r, 20)) {
		emit(g, " %s @a%u", word, below(r, g->naddr_sets));
		return;
	}
	if (g->plain || !chance(r, 20)) {
		emit_prefix(r, g, word, p);
		return;
	}
	n = 1 + below(r, 4);
	emit(g, " %s {", word);
	emit_member(r, g, p, " ");
	for (int i = 1; i < n; i++)
		emit_member(r, g, pool_prefix(r, g, family), ", ");
	emit(g, " }");
}

static void emit_port_member(struct rng *r, struct set_gen *g, const char *sep)
{
	uint16_t lo = random_port(r), hi = lo;

	if (g->nports && chance(r, 60)) {
		int i = below(r, g->nports);

		lo = g->ports[i].lo;
		hi = g->ports[i].hi;
	} else if (g->nports < g->pool_max) {
		g->ports[g->nports].lo = lo;
		g->ports[g->nports++].hi = hi;
	}
	if (lo == hi)
		emit(g, "%s%u", sep, lo);
	else
		emit(g, "%s%u-%u", sep, lo, hi);
}

static void emit_port_match(struct rng *r, struct set_gen *g, const char *word)
{
	int n;

	if (!g->plain && g->nport_sets && chance(r, 20)) {
		emit(g, " %s @p%u", word, below(r, g->nport_sets));
		return;
	}
	if (g->plain || !chance(r, 20)) {
		emit_ports(r, g, word);
		return;
	}
	n = 1 + below(r, 4);
	emit(g, " %s {", word);
	for (int i = 0; i < n; i++)
		emit_port_member(r, g, i ? ", " : " ");
	emit(g, " }");
}

/* Named sets at the top of a rule set: addresses of both families (or
 * none, now and then: an empty set), and ports. */
static void emit_sets(struct rng *r, struct set_gen *g)
{
	g->naddr_sets = chance(r, 50) ? (int)below(r, 4) : 0;
	g->nport_sets = chance(r, 50) ? (int)below(r, 3) : 0;
	for (int i = 0; i < g->naddr_sets; i++) {
		int n = chance(r, 5) ? 0 : 2 + (int)below(r, 6);

		emit(g, "set a%d = {", i);
		for (int k = 0; k < n; k++)
			emit_member(r, g,
			            pool_prefix(r, g,
			                        k == 0          ? 4
			                        : k == 1        ? 6
			                        : chance(r, 50) ? 4
			                                        : 6),
			            k ? ", " : " ");
		emit(g, " }\n");
	}
	for (int i = 0; i < g->nport_sets; i++) {
		int n = 1 + (int)below(r, 5);

		emit(g, "set p%d = {", i);
		for (int k = 0; k < n; k++)
			emit_port_member(r, g, k ? ", " : " ");
		emit(g, " }\n");
	}
}

/* flags over a few bits: each set, clear, or free. */
static void emit_tcp_flags(struct rng *r, struct set_gen *g)
{
	static const char *const names[] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"};
	const char *sep = " flags ";
	uint32_t pick = 0;

	while (!pick)
		pick = chance(r, 70) ? (1u << 1 | 1u << 4) & rnd(r) : rnd(r) & 0xff;
	for (int i = 0; i < 8; i++) {
		if (!(pick & (1u << i)))
			continue;
		emit(g, "%s%s%s", sep, chance(r, 40) ? "!" : "", names[i]);
		sep = ",";
	}
}

/* A type by number, or by a name both ICMP versions know. */
static void emit_icmp_type(struct rng *r, struct set_gen *g)
{
	static const char *const names[] = {"echo-request", "echo-reply", "destination-unreachable",
	                                    "time-exceeded", "parameter-problem"};

	if (chance(r, 40))
		emit(g, " type %s", names[below(r, 5)]);
	else
		emit(g, " type %u", chance(r, 50) ? below(r, 4) : below(r, 256));
}

/* WORD N or WORD LO-HI, within 0-255 for ttl/hoplimit, 0-65535 for len. */
static void emit_range(struct rng *r, struct set_gen *g, const char *word, uint32_t lo,
                       uint32_t span)
{
	uint32_t max = word[0] == 'l' ? 65535 : 255, hi;

	lo = lo > max ? max : lo;
	hi = lo + below(r, span + 1);
	hi = hi > max ? max : hi;
	if (lo == hi || chance(r, 20))
		emit(g, " %s %u", word, lo);
	else
		emit(g, " %s %u-%u", word, lo, hi);
}

static void emit_rule(struct rng *r, struct set_gen *g, int idx)
{
	enum {
		W_FAMILY,
		W_PROTO,
		W_SADDR,
		W_DADDR,
		W_SPORT,
		W_DPORT,
		W_FLAGS,
		W_TYPE,
		W_VLAN,
		W_FRAG,
		W_LEN,
		W_TTL,
		W_MAX
	};
	int order[W_MAX], n = 0, family = 0, proto = -1;
	int has[W_MAX] = {0};
	struct prefix *src = NULL, *dst = NULL;

	/* The family first; everything after agrees with it. */
	if (chance(r, 55))
		family = chance(r, 50) ? 4 : 6;
	if (chance(r, 70)) {
		int i;

		do
			i = below(r, NPROTOS);
		while (family && rule_protos[i].family && rule_protos[i].family != family);
		proto = i;
		if (rule_protos[i].family)
			family = rule_protos[i].family;
		has[W_PROTO] = 1;
	}
	has[W_SADDR] = chance(r, 40);
	has[W_DADDR] = chance(r, 35);
	if ((has[W_SADDR] || has[W_DADDR]) && !family)
		family = chance(r, 50) ? 4 : 6;
	if (family && chance(r, 50))
		has[W_FAMILY] = 1;
	if (proto >= 0 &&
	    (rule_protos[proto].proto == PROTO_TCP || rule_protos[proto].proto == PROTO_UDP)) {
		has[W_SPORT] = chance(r, 40);
		has[W_DPORT] = chance(r, 55);
	}
	if (proto >= 0 && rule_protos[proto].proto == PROTO_TCP)
		has[W_FLAGS] = chance(r, 25);
	if (proto >= 0 &&
	    (rule_protos[proto].proto == PROTO_ICMP || rule_protos[proto].proto == PROTO_ICMPV6))
		has[W_TYPE] = chance(r, 50);
	has[W_VLAN] = chance(r, 8);
	has[W_FRAG] = chance(r, 8);
	has[W_LEN] = chance(r, 8);
	has[W_TTL] = chance(r, 10);
	if (g->specific) {
		/* Two narrow tests at least (an address, a port, a type): a
		 * frame aimed at rule 999 must get past rules 0-998. */
		int narrow =
		    has[W_SADDR] + has[W_DADDR] + has[W_SPORT] + has[W_DPORT] + has[W_TYPE];

		if (narrow < 2 && !has[W_DADDR])
			has[W_DADDR] = 1, narrow++;
		if (narrow < 2 && !has[W_SADDR])
			has[W_SADDR] = 1, narrow++;
		if (narrow < 2 && proto >= 0 && rule_protos[proto].proto == PROTO_UDP)
			has[W_DPORT] = 1;
	}
	if (has[W_TTL] && !family)
		family = chance(r, 50) ? 4 : 6;
	/* A rule without matches takes every IP packet and hides the rest of
	 * the set: keep it rare. */
	if (!has[W_PROTO] && !has[W_SADDR] && !has[W_DADDR] && chance(r, 90))
		has[W_DADDR] = 1;
	if ((has[W_SADDR] || has[W_DADDR]) && !family)
		family = chance(r, 50) ? 4 : 6;
	if (has[W_SADDR])
		src = pool_prefix(r, g, family);
	if (has[W_DADDR])
		dst = pool_prefix(r, g, family);

	for (int w = 0; w < W_MAX; w++)
		if (has[w])
			order[n++] = w;
	for (int i = n - 1; i > 0; i--) {
		int j = below(r, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}

	emit(g, "%s", chance(r, 50) ? "drop" : "pass");
	for (int i = 0; i < n; i++) {
		switch (order[i]) {
		case W_FAMILY:
			emit(g, " %s", family == 6 ? "ip6" : "ip");
			break;
		case W_PROTO:
			emit(g, " %s", rule_protos[proto].text);
			break;
		case W_SADDR:
			emit_addr_match(r, g,
			                chance(r, g->specific ? 2 : 15) ? "saddr !=" : "saddr", src,
			                family);
			break;
		case W_DADDR:
			emit_addr_match(r, g,
			                chance(r, g->specific ? 2 : 15) ? "daddr !=" : "daddr", dst,
			                family);
			break;
		case W_SPORT:
			emit_port_match(r, g,
			                chance(r, g->specific ? 2 : 15) ? "sport !=" : "sport");
			break;
		case W_DPORT:
			emit_port_match(r, g,
			                chance(r, g->specific ? 2 : 15) ? "dport !=" : "dport");
			break;
		case W_FLAGS:
			emit_tcp_flags(r, g);
			break;
		case W_TYPE:
			emit_icmp_type(r, g);
			break;
		case W_VLAN:
			emit(g, " vlan %u", chance(r, 50) ? below(r, 8) : below(r, 4096));
			break;
		case W_FRAG:
			emit(g, " fragment");
			break;
		case W_LEN:
			emit_range(r, g, "len", 20 + below(r, 120), 120);
			break;
		case W_TTL:
			emit_range(r, g, family == 6 ? "hoplimit" : "ttl", below(r, 256), 64);
			break;
		}
	}
	if (chance(r, 15))
		emit(g, " name \"rule-%d\"", idx);
	if (chance(r, 10))
		emit(g, " log");
	if (chance(r, 10))
		emit(g, "\t# why not");
	emit(g, "\n");
}

static void gen_set(uint32_t set, struct set_gen *g)
{
	static const char *const settings[] = {"policy", "nonip", "malformed"};
	struct rng r = stream(set, -1);
	/* A quarter of the sets have no more rules than the program matches
	 * from its constants (xdp/tiny.h), half of those no list or set. */
	int nrules = 1 + below(&r, set % 4 == 3 ? XDPFW_TINY_RULES : MAX_RULES_PER_SET);
	int at[3];

	gen_reset(g, POOL_MAX);
	g->plain = set % 8 == 7;
	/* Each setting at a random place, or left to its default. */
	for (int s = 0; s < 3; s++)
		at[s] = chance(&r, 75) ? (int)below(&r, nrules + 1) : -1;
	emit(g, "# differential test: seed 0x%016" PRIx64 ", set %u\n", seed, set);
	emit_sets(&r, g);
	for (int i = 0; i <= nrules; i++) {
		for (int s = 0; s < 3; s++)
			if (at[s] == i)
				emit(g, "%s %s\n", settings[s], chance(&r, 50) ? "drop" : "pass");
		if (chance(&r, 5))
			emit(g, chance(&r, 50) ? "\n" : "# a comment line\n");
		if (i < nrules)
			emit_rule(&r, g, i);
	}
}

/* ------------------------------------------------------------------------ */
/* The large phase's rule sets                                               */

/* Set numbers of the large phase: their own random streams, apart from the
 * regular sets 0, 1, ...; XDPFW_DIFF_SET takes them too. */
#define LARGE_RULES_BASE 0x100000u /* + i: a set of many rules */
#define LARGE_ADDRS_BASE 0x200000u /* + i: a set with big address sets */
#define BIG_SETS_MAX     3         /* big address sets in one rule set */
#define MEMBERS_PER_LINE 8

static const char *setting_words[] = {"policy", "nonip", "malformed"};

static void emit_settings(struct rng *r, struct set_gen *g)
{
	for (int s = 0; s < 3; s++)
		if (chance(r, 75))
			emit(g, "%s %s\n", setting_words[s], chance(r, 50) ? "drop" : "pass");
}

/*
 * nrules random rules of every construct, as the regular phase makes them
 * but narrower (set_gen.specific), so the last rules still decide frames,
 * with named sets and lists of the usual sizes.
 */
static void gen_large_rules(uint32_t set, struct set_gen *g, uint32_t nrules)
{
	struct rng r = stream(set, -1);

	gen_reset(g, POOL_MAX_LARGE);
	g->specific = true;
	emit(g, "# differential test, large phase: seed 0x%016" PRIx64 ", set 0x%x, %u rules\n",
	     seed, set, nrules);
	emit_settings(&r, g);
	emit_sets(&r, g);
	for (uint32_t i = 0; i < nrules; i++) {
		if (chance(&r, 1))
			emit(g, "# a comment line\n");
		emit_rule(&r, g, (int)i);
	}
}

/*
 * One big address set, IPv4 and IPv6 mixed, as a blocklist feed looks:
 * clusters (an IPv4 /8-/20, an IPv6 /20-/56) holding prefixes of many
 * lengths, /32s and /24s (/128s, /64s and /48s) most, some the cluster
 * itself: nested and overlapping prefixes. Inline as a list over many
 * lines, or (file) one per line in a set file.
 */
static void emit_big_set(struct rng *r, struct set_gen *g, unsigned int id, uint32_t n,
                         unsigned int v6_percent, const char *file)
{
	uint32_t nclusters = 1 + n / 64;
	struct prefix *cl = calloc(nclusters, sizeof(*cl));
	FILE *f = NULL;

	if (!cl)
		fail_msg("out of memory for %u clusters", nclusters);
	for (uint32_t c = 0; c < nclusters; c++) {
		cl[c].family = chance(r, v6_percent) ? 6 : 4;
		cl[c].len = cl[c].family == 6 ? 20 + (int)below(r, 37) : 8 + (int)below(r, 13);
		randomize_host(r, cl[c].addr, cl[c].family, 0);
	}
	if (file) {
		f = fopen(file, "w");
		if (!f)
			fail_msg("cannot write %s: %s", file, strerror(errno));
		fprintf(f, "# differential test, large phase: set a%u, %u prefixes\n", id, n);
		emit(g, "set a%u = file \"%s\"\n", id, file);
	} else {
		emit(g, "set a%u = {", id);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct prefix *c = &cl[below(r, nclusters)];
		int full = c->family == 6 ? 128 : 32, k = (int)below(r, 100), len;
		uint8_t a[16];
		char text[INET6_ADDRSTRLEN];

		if (c->family == 4)
			len = k < 40   ? 32
			      : k < 60 ? 24
			      : k < 95 ? c->len + (int)below(r, 33 - c->len)
			               : c->len;
		else
			len = k < 30   ? 128
			      : k < 55 ? 64
			      : k < 65 ? 48
			      : k < 95 ? c->len + (int)below(r, 129 - c->len)
			               : c->len;
		if (len < c->len)
			len = c->len;
		memcpy(a, c->addr, 16);
		randomize_host(r, a, c->family, c->len);
		/* Host bits cleared, but now and then in a list (allowed there). */
		if (file || !chance(r, 10))
			for (int bit = len; bit < full; bit++)
				a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
		inet_ntop(c->family == 6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
		if (f)
			fprintf(f, len == full && chance(r, 50) ? "%s\n" : "%s/%d\n", text, len);
		else
			emit(g, "%s%s/%d",
			     i == 0                 ? "\n\t"
			     : i % MEMBERS_PER_LINE ? ", "
			                            : ",\n\t",
			     text, len);
	}
	if (f && fclose(f))
		fail_msg("cannot write %s: %s", file, strerror(errno));
	if (!f)
		emit(g, "\n}\n");
	free(cl);
}

/* A rule on a big set: negated or not, on saddr, daddr or both, narrowed
 * by a protocol and port when negated (a bare `saddr != @big` early in
 * the set would decide nearly every frame). */
static void emit_big_rule(struct rng *r, struct set_gen *g, unsigned int nbig)
{
	unsigned int a = below(r, nbig), b = below(r, nbig);

	emit(g, "%s", chance(r, 50) ? "drop" : "pass");
	switch (below(r, 6)) {
	case 0:
		emit(g, " saddr @a%u", a);
		break;
	case 1:
		emit(g, " daddr @a%u", a);
		break;
	case 2:
		emit(g, " saddr @a%u daddr @a%u", a, b);
		break;
	case 3:
		emit(g, " %s saddr != @a%u dport %u", chance(r, 50) ? "udp" : "tcp", a,
		     1 + below(r, 1024));
		break;
	case 4:
		emit(g, " %s tcp daddr != @a%u sport %u", chance(r, 50) ? "ip" : "ip6", a,
		     random_port(r));
		break;
	default:
		emit(g, " saddr @a%u daddr != @a%u udp", a, b);
		break;
	}
	if (chance(r, 20))
		emit(g, " name \"big-%u\"", a);
	emit(g, "\n");
}

/*
 * Big address sets (a0 .. a(nbig-1)), the largest of `prefixes` (the first
 * such rule set) or a tenth to all of it, the others 10,000 to a third of
 * it; some inline, some from set files under dir. Then a few ordinary named
 * sets, and some 40 random rules with rules on the big sets among them.
 * Returns the number of big sets.
 */
static unsigned int gen_large_addrs(uint32_t set, uint32_t i, struct set_gen *g, uint32_t prefixes,
                                    const char *dir)
{
	struct rng r = stream(set, -1);
	unsigned int nbig = 2 + below(&r, BIG_SETS_MAX - 1);
	uint32_t nrules = 30 + below(&r, 30);
	char file[512];

	gen_reset(g, POOL_MAX);
	emit(g, "# differential test, large phase: seed 0x%016" PRIx64 ", set 0x%x\n", seed, set);
	emit_settings(&r, g);
	for (unsigned int k = 0; k < nbig; k++) {
		uint32_t n =
		    k == 0 ? (i == 0 ? prefixes
		                     : prefixes / 10 + below(&r, prefixes - prefixes / 10 + 1))
		           : 10000 + below(&r, prefixes / 3 > 10000 ? prefixes / 3 - 10000 : 1);

		if (n > prefixes)
			n = prefixes;
		snprintf(file, sizeof(file), "%s/set-%x-a%u.txt", dir, set, k);
		emit_big_set(&r, g, k, n, 10 + below(&r, 50), chance(&r, 50) ? file : NULL);
	}
	/* Small named sets after the big ones: a(nbig) ..., and port sets. */
	g->naddr_sets = (int)(nbig + below(&r, 3));
	g->nport_sets = (int)below(&r, 3);
	for (int k = (int)nbig; k < g->naddr_sets; k++) {
		int n = 2 + (int)below(&r, 6);

		emit(g, "set a%d = {", k);
		for (int m = 0; m < n; m++)
			emit_member(&r, g,
			            pool_prefix(&r, g,
			                        m == 0           ? 4
			                        : m == 1         ? 6
			                        : chance(&r, 50) ? 4
			                                         : 6),
			            m ? ", " : " ");
		emit(g, " }\n");
	}
	for (int k = 0; k < g->nport_sets; k++) {
		int n = 1 + (int)below(&r, 5);

		emit(g, "set p%d = {", k);
		for (int m = 0; m < n; m++)
			emit_port_member(&r, g, m ? ", " : " ");
		emit(g, " }\n");
	}
	for (uint32_t k = 0; k < nrules; k++) {
		if (chance(&r, 25))
			emit_big_rule(&r, g, nbig);
		else
			emit_rule(&r, g, (int)k);
	}
	return nbig;
}

/* ------------------------------------------------------------------------ */
/* The ClassBench-like phase's rule sets                                     */

/*
 * ClassBench (Taylor and Turner) made synthetic filter sets from real ones:
 * acl (router access lists), fw (firewalls) and ipc (IP chains). The
 * tables below are what acl1_10K, fw1_10K and ipc1_10K hold (their
 * published 10,000-rule sets): which addresses are wildcards, prefix
 * lengths of the others, the pair of port classes of tcp and udp rules,
 * protocols (weights: counts of rules there, or per mille; only the ratios
 * matter); how often a rule reuses an address another rule has, and how
 * often a new prefix lies inside a shorter one. Their rules run from the
 * most specific addresses to the least (the sum of both prefix lengths
 * falls through the file, in blocks), so a trace header aimed at rule i is
 * mostly decided by rule i: half of their trace is decided in the second
 * half of the set. The generator is ours; no rule of theirs is copied.
 */
#define CB_BASE     0x300000u /* + i: a ClassBench-like set */
#define SHARED_BASE 0x400000u /* + i: a shared-field set */
#define CB_ROOTS    256       /* /8-/15 parents an address field's prefixes sit under */
#define CB_EXACT    48        /* exact port values a set uses */
#define CB_RANGES   16        /* arbitrary port ranges a set uses */

enum cb_flavour { CB_ACL, CB_FW, CB_IPC, CB_FLAVOURS };
static const char *const cb_flavour_names[CB_FLAVOURS] = {"acl", "fw", "ipc"};

/* ClassBench's port classes: wildcard, 1024-65535, 0-1023, exact, arbitrary;
 * a rule's pair of them. */
enum cb_port_class { PC_WC, PC_HI, PC_LO, PC_EM, PC_AR };
#define PP(s, d) ((s)*8 + (d))
#define CB_ANY   (-1) /* protocol: any */

/* A value and its weight; a table ends with weight 0. */
struct cb_weight {
	int value;
	unsigned int weight;
};

/* Which addresses a rule tests. */
enum cb_wild { AW_BOTH, AW_DST_ONLY, AW_SRC_ONLY, AW_NEITHER };

struct cb_profile {
	struct cb_weight wild[5];    /* enum cb_wild */
	struct cb_weight len[2][24]; /* prefix lengths of saddr, daddr when tested */
	unsigned int reuse[2];       /* % a prefix is one an earlier rule has */
	unsigned int nest;           /* % a new prefix lies in an earlier, shorter one */
	unsigned int roots[2];       /* parents per field: few means clustered */
	struct cb_weight ports[12];  /* PP(sport class, dport class) of tcp and udp rules */
	struct cb_weight proto[8];   /* CB_ANY: no protocol; never with ports, as in ClassBench */
	unsigned int sibling;        /* % a rule copies a recent one and redraws one field */
};

static const struct cb_profile cb_profiles[CB_FLAVOURS] = {
    [CB_ACL] =
        {
            /* Hosts: 86% /32 sources under ~128 /23 nets; destinations
             * reused heavily (733 distinct in 9,603 rules). */
            .wild = {{AW_BOTH, 9572}, {AW_DST_ONLY, 5}, {AW_SRC_ONLY, 24}, {AW_NEITHER, 2}},
            .len = {{{32, 856}, {23, 81}, {31, 39}, {30, 22}, {8, 1}},
                    {{32, 829},
                     {22, 74},
                     {24, 37},
                     {16, 16},
                     {31, 16},
                     {30, 7},
                     {28, 3},
                     {26, 2},
                     {8, 2},
                     {4, 3},
                     {1, 2}}},
            .reuse = {35, 92},
            .nest = 95,
            .roots = {24, 96},
            /* Source ports always the wildcard; exact destination ports. */
            .ports = {{PP(PC_WC, PC_EM), 5664}, {PP(PC_WC, PC_WC), 1736}, {PP(PC_WC, PC_AR), 1104}},
            .proto = {{6, 873}, {CB_ANY, 85}, {1, 30}, {17, 12}},
            .sibling = 30,
        },
    [CB_FW] =
        {
            /* One address a wildcard most of the time (61% of sources,
             * 25% of destinations), the other a host; hardly any nesting
             * or reuse. */
            .wild = {{AW_BOTH, 1351}, {AW_DST_ONLY, 5599}, {AW_SRC_ONLY, 2288}, {AW_NEITHER, 73}},
            .len = {{{32, 261},
                     {30, 32},
                     {28, 29},
                     {27, 17},
                     {23, 16},
                     {21, 12},
                     {29, 8},
                     {26, 7},
                     {12, 5},
                     {16, 3},
                     {8, 3}},
                    {{32, 682}, {21, 25}, {28, 22}, {30, 13}, {27, 4}}},
            .reuse = {5, 2},
            .nest = 10,
            .roots = {CB_ROOTS, CB_ROOTS},
            .ports = {{PP(PC_WC, PC_EM), 5453},
                      {PP(PC_WC, PC_WC), 935},
                      {PP(PC_EM, PC_WC), 929},
                      {PP(PC_HI, PC_HI), 600},
                      {PP(PC_EM, PC_EM), 186},
                      {PP(PC_HI, PC_EM), 186},
                      {PP(PC_EM, PC_HI), 165},
                      {PP(PC_WC, PC_LO), 20}},
            .proto = {{6, 589}, {17, 319}, {47, 49}, {1, 33}, {CB_ANY, 10}},
            .sibling = 10,
        },
    [CB_IPC] =
        {
            /* Mixed: hosts, /24 and /16 nets nested under shared parents,
             * some wildcards; any protocol in 30% of the rules. */
            .wild = {{AW_BOTH, 8029}, {AW_DST_ONLY, 547}, {AW_SRC_ONLY, 452}, {AW_NEITHER, 9}},
            .len = {{{32, 380},
                     {24, 268},
                     {23, 98},
                     {26, 50},
                     {16, 48},
                     {22, 26},
                     {28, 21},
                     {25, 18},
                     {17, 15},
                     {30, 5},
                     {31, 5},
                     {15, 3}},
                    {{32, 462},
                     {24, 255},
                     {16, 75},
                     {26, 70},
                     {25, 26},
                     {28, 25},
                     {23, 17},
                     {22, 9},
                     {29, 3},
                     {30, 2},
                     {31, 2},
                     {17, 1}}},
            .reuse = {80, 70},
            .nest = 90,
            .roots = {40, 80},
            .ports = {{PP(PC_WC, PC_EM), 3454},
                      {PP(PC_EM, PC_WC), 1377},
                      {PP(PC_WC, PC_HI), 534},
                      {PP(PC_WC, PC_WC), 249},
                      {PP(PC_WC, PC_AR), 226},
                      {PP(PC_AR, PC_WC), 204},
                      {PP(PC_HI, PC_WC), 42},
                      {PP(PC_EM, PC_EM), 39},
                      {PP(PC_EM, PC_AR), 9},
                      {PP(PC_LO, PC_WC), 10}},
            .proto = {{17, 399}, {CB_ANY, 304}, {6, 280}, {1, 12}, {47, 4}, {50, 1}, {51, 1}},
            .sibling = 25,
        },
};

static int pick_weighted(struct rng *r, const struct cb_weight *w)
{
	unsigned int total = 0, x;
	int i;

	for (i = 0; w[i].weight; i++)
		total += w[i].weight;
	x = below(r, total);
	for (i = 0; x >= w[i].weight; i++)
		x -= w[i].weight;
	return w[i].value;
}

/* 0 .. n-1, the low ones far more often (about 1/(i+1)): a few values
 * popular, as ports and destinations are in real sets. */
static uint32_t skewed(struct rng *r, uint32_t n)
{
	return below(r, 1 + below(r, n));
}

/* One rule before it is text. */
struct cb_rule {
	int family;             /* 6: its prefixes mapped into 2001:db8::/32 (cb_emit_prefix) */
	struct prefix src, dst; /* IPv4; len 0: no test */
	uint16_t sport[2], dport[2];
	bool has_sport, has_dport;
	int proto;    /* CB_ANY: none */
	int key;      /* the order: more specific addresses first */
	uint32_t idx; /* as made: siblings stay together */
};

static int cb_order(const void *a, const void *b)
{
	const struct cb_rule *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* An address field's prefixes (every one rules test, for reuse and
 * nesting) and the parents they sit under. */
struct cb_field {
	struct prefix *p;
	uint32_t n;
	struct prefix roots[CB_ROOTS];
	unsigned int nroots;
};

struct cb_gen {
	const struct cb_profile *pf;
	unsigned int v6; /* % of the rules IPv6 */
	struct cb_field field[2];
	uint16_t exact[CB_EXACT];
	uint16_t ranges[CB_RANGES][2];
	struct cb_rule *rules;
};

static void clear_host(uint8_t *a, int family, int len)
{
	for (int bit = len; bit < addr_bytes(family) * 8; bit++)
		a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
}

/* A new prefix of length len: inside an earlier shorter one of the field
 * (nested), else under one of its parents. */
static void cb_new_prefix(struct rng *r, const struct cb_gen *cg, const struct cb_field *f, int len,
                          struct prefix *out)
{
	const struct prefix *parent = &f->roots[below(r, f->nroots)];

	if (f->n && chance(r, cg->pf->nest)) {
		for (int t = 0; t < 8; t++) {
			const struct prefix *q = &f->p[below(r, f->n)];

			if (q->len < len) {
				parent = q;
				break;
			}
		}
	}
	memset(out, 0, sizeof(*out));
	out->family = 4;
	out->len = len;
	memcpy(out->addr, parent->addr, 4);
	randomize_host(r, out->addr, 4, parent->len < len ? parent->len : len);
	clear_host(out->addr, 4, len);
}

/* The source (k 0) or destination (1) prefix of a rule that tests it. */
static void cb_prefix(struct rng *r, struct cb_gen *cg, int k, struct prefix *out)
{
	struct cb_field *f = &cg->field[k];
	int len = pick_weighted(r, cg->pf->len[k]);

	if (f->n && chance(r, cg->pf->reuse[k])) {
		*out = f->p[chance(r, 50) ? below(r, f->n) : skewed(r, f->n)];
		return;
	}
	cb_new_prefix(r, cg, f, len, out);
	f->p[f->n++] = *out;
}

/* A port range of class cls (enum cb_port_class). */
static void cb_ports(struct rng *r, const struct cb_gen *cg, int cls, uint16_t pr[2], bool *has)
{
	*has = true;
	switch (cls) {
	case PC_HI:
		pr[0] = 1024, pr[1] = 65535;
		break;
	case PC_LO:
		pr[0] = 0, pr[1] = 1023;
		break;
	case PC_EM:
		pr[0] = pr[1] = cg->exact[skewed(r, CB_EXACT)];
		break;
	case PC_AR: {
		uint32_t i = skewed(r, CB_RANGES);

		pr[0] = cg->ranges[i][0], pr[1] = cg->ranges[i][1];
		break;
	}
	default:
		*has = false;
		pr[0] = 0, pr[1] = 65535;
		break;
	}
}

static void cb_proto(struct rng *r, struct cb_gen *cg, struct cb_rule *c)
{
	c->proto = pick_weighted(r, cg->pf->proto);
	if (c->proto == 6 || c->proto == 17) {
		int pp = pick_weighted(r, cg->pf->ports);

		cb_ports(r, cg, pp / 8, c->sport, &c->has_sport);
		cb_ports(r, cg, pp % 8, c->dport, &c->has_dport);
	} else {
		c->has_sport = c->has_dport = false;
	}
}

/* The set's port values: well-known services in an order of its own (the
 * first the most popular), some high ports; ranges around services (20-23),
 * blocks (1600-1649) and open ends (5001-65535). */
static void cb_port_values(struct rng *r, struct cb_gen *cg)
{
	static const uint16_t wk[] = {20,  21,   22,   23,   25,   53,   67,   68,   69,   80,
	                              88,  110,  111,  119,  123,  135,  137,  138,  139,  143,
	                              161, 162,  179,  389,  443,  445,  500,  514,  544,  636,
	                              750, 1080, 1433, 1521, 1526, 1701, 1723, 1812, 2049, 3128};
	const uint32_t nwk = sizeof(wk) / sizeof(wk[0]);

	for (uint32_t i = 0; i < CB_EXACT; i++)
		cg->exact[i] = i < nwk ? wk[i] : (uint16_t)(1024 + below(r, 64512));
	for (uint32_t i = CB_EXACT - 1; i > 0; i--) {
		uint32_t j = below(r, i + 1);
		uint16_t t = cg->exact[i];

		cg->exact[i] = cg->exact[j];
		cg->exact[j] = t;
	}
	for (uint32_t i = 0; i < CB_RANGES; i++) {
		uint16_t lo;

		switch (below(r, 3)) {
		case 0:
			lo = wk[below(r, nwk)];
			cg->ranges[i][0] = lo, cg->ranges[i][1] = (uint16_t)(lo + 1 + below(r, 3));
			break;
		case 1: {
			static const uint16_t spans[] = {10, 50, 51, 100};

			lo = (uint16_t)(100 * (10 + below(r, 600)));
			cg->ranges[i][0] = lo;
			cg->ranges[i][1] = (uint16_t)(lo + spans[below(r, 4)] - 1);
			break;
		}
		default:
			cg->ranges[i][0] = (uint16_t)(1025 + below(r, 60000)),
			cg->ranges[i][1] = 65535;
			break;
		}
	}
}

/*
 * An IPv4 prefix, or in an IPv6 rule the same prefix 32 bits down in
 * 2001:db8::/32, a host (/32) a /128 whose last 64 bits repeat it: IPv6
 * rules keep the nesting and sharing of the IPv4 ones, and the same values
 * stand in rules of both families.
 */
static void cb_emit_prefix(struct rng *r, struct set_gen *g, const char *word,
                           const struct prefix *p, int family)
{
	uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
	char text[INET6_ADDRSTRLEN];
	int len = p->len, full = 32;

	if (family == 6) {
		memcpy(a6 + 4, p->addr, 4);
		if (len == 32) {
			memcpy(a6 + 8, p->addr, 4);
			memcpy(a6 + 12, p->addr, 4);
		}
		len = len == 32 ? 128 : 32 + len;
		full = 128;
	}
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, family == 6 ? a6 : p->addr, text, sizeof(text));
	if (len == full && chance(r, 50))
		emit(g, " %s %s", word, text);
	else
		emit(g, " %s %s/%d", word, text, len);
}

static void cb_emit_ports(struct set_gen *g, const char *word, const uint16_t pr[2])
{
	if (pr[0] == pr[1])
		emit(g, " %s %u", word, pr[0]);
	else
		emit(g, " %s %u-%u", word, pr[0], pr[1]);
}

static void cb_emit_rule(struct rng *r, struct set_gen *g, const struct cb_rule *c)
{
	static const char *const names[256] = {[1] = "icmp", [6] = "tcp", [17] = "udp"};

	emit(g, "%s", chance(r, 50) ? "drop" : "pass");
	/* No address: of its family only half the time (as
	 * bench/classbench.py writes `ip`), else of both. */
	if (!c->src.len && !c->dst.len && chance(r, 50))
		emit(g, c->family == 6 ? " ip6" : " ip");
	if (c->proto == PROTO_ICMP && c->family == 6)
		emit(g, " icmpv6");
	else if (c->proto != CB_ANY && names[c->proto])
		emit(g, " %s", names[c->proto]);
	else if (c->proto != CB_ANY)
		emit(g, " proto %d", c->proto);
	if (c->src.len)
		cb_emit_prefix(r, g, "saddr", &c->src, c->family);
	if (c->dst.len)
		cb_emit_prefix(r, g, "daddr", &c->dst, c->family);
	if (c->has_sport)
		cb_emit_ports(g, "sport", c->sport);
	if (c->has_dport)
		cb_emit_ports(g, "dport", c->dport);
	emit(g, "\n");
}

/* A rule anew: which addresses it tests, its prefixes, protocol, ports. */
static void cb_new_rule(struct rng *r, struct cb_gen *cg, struct cb_rule *c)
{
	int wild = pick_weighted(r, cg->pf->wild);

	memset(c, 0, sizeof(*c));
	c->family = chance(r, cg->v6) ? 6 : 4;
	c->src.family = c->dst.family = 4;
	if (wild == AW_BOTH || wild == AW_SRC_ONLY)
		cb_prefix(r, cg, 0, &c->src);
	if (wild == AW_BOTH || wild == AW_DST_ONLY)
		cb_prefix(r, cg, 1, &c->dst);
	cb_proto(r, cg, c);
}

/* A copy of rule c with one of the fields it tests drawn anew, or (in a
 * set of both families) its family turned. */
static void cb_sibling(struct rng *r, struct cb_gen *cg, struct cb_rule *c)
{
	int fields[5], n = 0;

	if (c->src.len)
		fields[n++] = 0;
	if (c->dst.len)
		fields[n++] = 1;
	if (c->proto == 6 || c->proto == 17)
		fields[n++] = 2;
	fields[n++] = 3;
	if (cg->v6)
		fields[n++] = 4;
	switch (fields[below(r, n)]) {
	case 0:
		cb_prefix(r, cg, 0, &c->src);
		break;
	case 1:
		cb_prefix(r, cg, 1, &c->dst);
		break;
	case 2: {
		int pp = pick_weighted(r, cg->pf->ports);

		/* Mostly the destination port. */
		if (chance(r, 70))
			cb_ports(r, cg, pp % 8, c->dport, &c->has_dport);
		else
			cb_ports(r, cg, pp / 8, c->sport, &c->has_sport);
		break;
	}
	case 3:
		cb_proto(r, cg, c);
		break;
	default:
		c->family = c->family == 6 ? 4 : 6;
		break;
	}
}

/*
 * nrules 5-tuple rules of a flavour. A share of them (the profile's
 * sibling) copy one of the last rules and draw one field anew: rules that
 * share addresses and ports and differ in one field, the hard case for a
 * classifier (ClassBench's acl1 has thousands: one destination and port,
 * many sources). Then ordered as ClassBench's are, most specific first,
 * with some rules out of place.
 */
static void gen_cb_rules(uint32_t set, enum cb_flavour fl, unsigned int v6, struct set_gen *g,
                         uint32_t nrules)
{
	struct rng r = stream(set, -1);
	struct cb_gen cg = {.pf = &cb_profiles[fl], .v6 = v6};

	cg.rules = calloc(nrules + 1, sizeof(*cg.rules));
	for (int k = 0; k < 2; k++) {
		cg.field[k].p = calloc(nrules + 1, sizeof(*cg.field[k].p));
		cg.field[k].nroots = cg.pf->roots[k];
		for (unsigned int i = 0; i < cg.field[k].nroots; i++) {
			struct prefix *q = &cg.field[k].roots[i];

			q->family = 4;
			q->len = 8 + (int)below(&r, 8);
			randomize_host(&r, q->addr, 4, 0);
			clear_host(q->addr, 4, q->len);
		}
	}
	if (!cg.rules || !cg.field[0].p || !cg.field[1].p)
		fail_msg("out of memory for %u rules", nrules);
	cb_port_values(&r, &cg);

	for (uint32_t i = 0; i < nrules; i++) {
		struct cb_rule *c = &cg.rules[i];

		if (i && chance(&r, cg.pf->sibling)) {
			*c = cg.rules[i - 1 - skewed(&r, i < 8 ? i : 8)];
			cb_sibling(&r, &cg, c);
		} else {
			cb_new_rule(&r, &cg, c);
		}
		/* No address and any protocol takes every packet (of a
		 * family) and hides the rest of the set: give it an address. */
		if (!c->src.len && !c->dst.len && c->proto == CB_ANY)
			cb_prefix(&r, &cg, 1, &c->dst);
		c->key = c->src.len + c->dst.len + (chance(&r, 15) ? (int)below(&r, 17) - 8 : 0);
		c->idx = i;
	}
	qsort(cg.rules, nrules, sizeof(*cg.rules), cb_order);

	gen_reset(g, POOL_MAX);
	emit(g,
	     "# differential test, ClassBench-like phase: seed 0x%016" PRIx64
	     ", set 0x%x, %s, %u rules, %u%% IPv6\n",
	     seed, set, cb_flavour_names[fl], nrules, v6);
	emit(g, "policy %s\n", chance(&r, 50) ? "drop" : "pass");
	for (uint32_t i = 0; i < nrules; i++)
		cb_emit_rule(&r, g, &cg.rules[i]);
	free(cg.rules);
	free(cg.field[0].p);
	free(cg.field[1].p);
}

/*
 * A shared-field set (bench/classbench.py's `shared`): n rules on
 * `udp dport 53`, each with its own source port (1024 + j), source or
 * destination address (198.18.64.0 + j), field 0, 1 or 2; j in rule order,
 * or shuffled (every other set). Verdicts at random, a random policy, so a
 * verdict alone tells rules apart more often.
 */
static void gen_shared(uint32_t set, int field, struct set_gen *g, uint32_t n)
{
	static const char *const words[] = {"sport", "saddr", "daddr"};
	struct rng r = stream(set, -1);
	uint32_t *perm = calloc(n + 1, sizeof(*perm));
	bool shuffled = chance(&r, 50);

	if (!perm)
		fail_msg("out of memory for %u rules", n);
	for (uint32_t j = 0; j < n; j++)
		perm[j] = j;
	for (uint32_t j = n - 1; shuffled && j > 0; j--) {
		uint32_t k = below(&r, j + 1), t = perm[j];

		perm[j] = perm[k];
		perm[k] = t;
	}
	gen_reset(g, POOL_MAX);
	emit(g,
	     "# differential test, shared-field phase: seed 0x%016" PRIx64
	     ", set 0x%x, %u rules on udp dport 53, each its own %s%s\n",
	     seed, set, n, words[field], shuffled ? ", shuffled" : "");
	emit(g, "policy %s\n", chance(&r, 50) ? "drop" : "pass");
	for (uint32_t j = 0; j < n; j++) {
		uint32_t v = perm[j];

		emit(g, "%s udp dport 53", chance(&r, 70) ? "drop" : "pass");
		if (field == 0)
			emit(g, " sport %u\n", 1024 + v);
		else
			emit(g, " %s 198.18.%u.%u\n", words[field], 64 + v / 256, v % 256);
	}
	free(perm);
}

/* ------------------------------------------------------------------------ */
/* Frames aimed at a compiled rule set                                       */

/*
 * A frame is aimed at one rule of the set (most of the time): each field
 * comes from that rule when it tests the field, sometimes from another rule,
 * else at random. Inside values give matches, edges and one-past values
 * test the boundaries; the order of the rules does the rest.
 */
/* FM_LATE: the frame being made is aimed at the last rule and made to match
 * it (values inside its tests, outside its negated ones; no malformation),
 * unless an earlier rule takes it. Never set in the regular phase. */
static bool precise;

struct aim {
	struct rng *r;
	const struct fw_ruleset *rs;
	const struct xdpfw_rule *rule; /* NULL: aimed at nothing */
};

/* A rule that tests field (an XDPFW_M_* bit) in family (0: any). */
static const struct xdpfw_rule *aim_rule(const struct aim *a, uint32_t field, int family)
{
	const struct fw_ruleset *rs = a->rs;

	if (a->rule && (a->rule->match & field) && (!family || a->rule->family == family) &&
	    (precise || chance(a->r, 85)))
		return a->rule;
	if (precise)
		return NULL;
	for (int t = 0; t < 4 && rs->config.rule_count; t++) {
		const struct xdpfw_rule *c = &rs->rules[below(a->r, rs->config.rule_count)];

		if ((c->match & field) && (!family || c->family == family))
			return c;
	}
	return NULL;
}

/*
 * The large phase's index of a compiled rule set's address sets, built once
 * per set (index_build): the members of each (set, family), to draw one in
 * O(1) where the plain scan below reads them all per frame, and a hash of
 * every (set, family, length, prefix), to tell whether an address lies in
 * a set without the model's scan (for the hit rates printed). The regular
 * phase keeps the scan, so its seeds give the frames they always gave.
 */
struct set_index {
	const struct fw_ruleset *rs; /* what is indexed; NULL: nothing */
	uint32_t nlists;             /* (set, family) lists: 2 per set id */
	uint32_t *start;             /* list k: by_list[start[k] .. start[k + 1]) */
	uint32_t *by_list;           /* entry numbers in rs->addrs */
	uint64_t (*lens)[3];         /* list k: bit l set when a /l is in it */
	uint32_t *table;             /* entry number + 1, 0: empty */
	uint32_t mask;               /* table size - 1 */
};
static struct set_index sx;

static uint32_t list_of(unsigned int set, int family)
{
	return set * 2 + (family == 6);
}

static void prefix_mask(int len, uint32_t mask[4])
{
	for (int w = 0; w < 4; w++) {
		int bits = len - 32 * w;

		mask[w] = bits <= 0    ? 0
		          : bits >= 32 ? 0xffffffffu
		                       : htonl(0xffffffffu << (32 - bits));
	}
}

static uint32_t entry_hash(unsigned int set, int family, int len, const uint32_t addr[4])
{
	struct rng h = {(uint64_t)set << 16 ^ (uint64_t)family << 8 ^ (uint64_t)len};

	for (int w = 0; w < 4; w++)
		h.s = rnd(&h) ^ addr[w];
	return (uint32_t)rnd(&h);
}

static void index_free(void)
{
	free(sx.start);
	free(sx.by_list);
	free(sx.lens);
	free(sx.table);
	memset(&sx, 0, sizeof(sx));
}

static void index_build(const struct fw_ruleset *rs)
{
	uint32_t size = 1, *fill;

	index_free();
	for (uint32_t i = 0; i < rs->naddrs; i++)
		if (list_of(rs->addrs[i].set, rs->addrs[i].family) + 1 > sx.nlists)
			sx.nlists = list_of(rs->addrs[i].set, rs->addrs[i].family) + 1;
	while (size < 2 * rs->naddrs + 2)
		size <<= 1;
	sx.start = calloc(sx.nlists + 1, sizeof(*sx.start));
	sx.by_list = calloc(rs->naddrs + 1, sizeof(*sx.by_list));
	sx.lens = calloc(sx.nlists + 1, sizeof(*sx.lens));
	sx.table = calloc(size, sizeof(*sx.table));
	fill = calloc(sx.nlists + 1, sizeof(*fill));
	if (!sx.start || !sx.by_list || !sx.lens || !sx.table || !fill)
		fail_msg("out of memory for the index of %u set members", rs->naddrs);
	sx.mask = size - 1;
	/* By (set, family): a counting sort. */
	for (uint32_t i = 0; i < rs->naddrs; i++)
		sx.start[list_of(rs->addrs[i].set, rs->addrs[i].family) + 1]++;
	for (uint32_t k = 0; k < sx.nlists; k++)
		sx.start[k + 1] += sx.start[k];
	for (uint32_t i = 0; i < rs->naddrs; i++) {
		uint32_t k = list_of(rs->addrs[i].set, rs->addrs[i].family);
		uint32_t h = entry_hash(rs->addrs[i].set, rs->addrs[i].family, rs->addrs[i].len,
		                        rs->addrs[i].addr);

		sx.by_list[sx.start[k] + fill[k]++] = i;
		sx.lens[k][rs->addrs[i].len / 64] |= 1ull << (rs->addrs[i].len % 64);
		while (sx.table[h & sx.mask])
			h++;
		sx.table[h & sx.mask] = i + 1;
	}
	free(fill);
	sx.rs = rs;
}

/* Whether addr (network order) lies in some prefix of address set `set`. */
static bool index_holds(unsigned int set, int family, const uint32_t addr[4])
{
	uint32_t k = list_of(set, family), mask[4], m[4];

	if (k >= sx.nlists)
		return false;
	for (int len = 0; len <= (family == 6 ? 128 : 32); len++) {
		if (!(sx.lens[k][len / 64] >> (len % 64) & 1))
			continue;
		prefix_mask(len, mask);
		for (int w = 0; w < 4; w++)
			m[w] = addr[w] & mask[w];
		for (uint32_t h = entry_hash(set, family, len, m);; h++) {
			uint32_t e = sx.table[h & sx.mask];
			const __typeof__(sx.rs->addrs[0]) *x = e ? &sx.rs->addrs[e - 1] : NULL;

			if (!x)
				break;
			if (x->set == set && x->family == family && x->len == len &&
			    !memcmp(x->addr, m, sizeof(m)))
				return true;
		}
	}
	return false;
}

/* How frames are aimed: as always, or (large phase) at late rules of a
 * 1,000-rule set, or at the rules that test the big address sets; or
 * (gen_cb_frame) as ClassBench traces, or at a shared-field set. */
enum frame_mode { FM_REGULAR, FM_LATE, FM_SETS, FM_CB, FM_SHARED };
static enum frame_mode frame_mode;
static uint32_t late_window = 1;        /* FM_LATE: the last this many rules */
static unsigned int nbig_sets;          /* FM_SETS: address sets 0 .. nbig_sets-1 are big */
static uint32_t *set_rules, nset_rules; /* FM_SETS: rules that test a big set */

/* What the frame being made drew: a set member (at all, or just outside). */
static struct {
	bool member, outside;
} drew;

static bool tests_big_set(const struct xdpfw_rule *r)
{
	return ((r->match & XDPFW_M_SADDR_SET) && r->saddr_set < nbig_sets) ||
	       ((r->match & XDPFW_M_DADDR_SET) && r->daddr_set < nbig_sets);
}

/* An address for a packet field: inside, on the edge of, or just outside a
 * rule's prefix, or anything at all. */
/* A member of address set `set` of family: picked at random, as a prefix. */
static int aim_set_member(const struct aim *a, unsigned int set, int family,
                          struct xdpfw_prefix *pfx, int *len)
{
	const __typeof__(a->rs->addrs[0]) *pick = NULL;
	uint32_t seen = 0;

	if (frame_mode != FM_REGULAR && sx.rs == a->rs) {
		uint32_t k = list_of(set, family);

		if (k < sx.nlists && sx.start[k + 1] > sx.start[k])
			pick =
			    &a->rs->addrs[sx.by_list[sx.start[k] +
			                             below(a->r, sx.start[k + 1] - sx.start[k])]];
	} else {
		for (uint32_t i = 0; i < a->rs->naddrs; i++) {
			const __typeof__(a->rs->addrs[0]) *e = &a->rs->addrs[i];

			if (e->set == set && e->family == family && below(a->r, ++seen) == 0)
				pick = e;
		}
	}
	if (!pick)
		return 0;
	memset(pfx, 0, sizeof(*pfx));
	memcpy(pfx->addr, pick->addr, sizeof(pfx->addr));
	for (int w = 0; w < 4; w++) {
		int bits = (int)pick->len - 32 * w;

		pfx->mask[w] = bits <= 0    ? 0
		               : bits >= 32 ? 0xffffffffu
		                            : htonl(0xffffffffu << (32 - bits));
	}
	*len = pick->len;
	return 1;
}

static void aim_addr(const struct aim *a, int family, int src, uint8_t *out)
{
	uint32_t set_bit = src ? XDPFW_M_SADDR_SET : XDPFW_M_DADDR_SET;
	const struct xdpfw_rule *rule = aim_rule(a, src ? XDPFW_M_SADDR : XDPFW_M_DADDR, family);
	const struct xdpfw_rule *srule = aim_rule(a, set_bit, 0);
	const struct xdpfw_prefix *pfx;
	struct xdpfw_prefix member;
	int nb = addr_bytes(family), len;
	struct rng *r = a->r;

	randomize_host(r, out, family, 0);
	/* Precise, a negated set: an address at random is in it rarely. */
	if (precise && srule && (srule->negate & set_bit))
		return;
	if (srule && (!rule || chance(r, 50)) &&
	    aim_set_member(a, src ? srule->saddr_set : srule->daddr_set, family, &member, &len)) {
		pfx = &member;
		drew.member = true;
	} else {
		if (!rule || (!precise && chance(r, 5)))
			return;
		pfx = src ? &rule->saddr : &rule->daddr;
		len = src ? rule->saddr_len : rule->daddr_len;
	}
	memcpy(out, pfx->addr, nb);

	switch (!precise ? below(r, 10)
	        : rule && pfx != &member && (rule->negate & (src ? XDPFW_M_SADDR : XDPFW_M_DADDR))
	            ? 4 /* outside the negated prefix */
	            : 5 /* inside */) {
	case 0: /* the first address */
		break;
	case 1: /* the last address */
		for (int i = 0; i < nb; i++)
			out[i] |= ~((const uint8_t *)pfx->mask)[i];
		break;
	case 2: /* one before the first */
		for (int i = nb - 1; i >= 0 && out[i]-- == 0; i--)
			;
		drew.outside |= pfx == &member;
		break;
	case 3: /* one past the last */
		for (int i = 0; i < nb; i++)
			out[i] |= ~((const uint8_t *)pfx->mask)[i];
		for (int i = nb - 1; i >= 0 && ++out[i] == 0; i--)
			;
		drew.outside |= pfx == &member;
		break;
	case 4: /* the last prefix bit flipped: just outside */
		if (len > 0)
			out[(len - 1) / 8] ^= 0x80 >> ((len - 1) % 8);
		randomize_host(r, out, family, len);
		drew.outside |= pfx == &member;
		break;
	default: /* anywhere inside */
		randomize_host(r, out, family, len);
		break;
	}
}

/* A member of port set `set`, or one next to it: the first member at or
 * after a random port. */
static int aim_port_member(const struct aim *a, unsigned int set, uint16_t *port)
{
	const struct xdpfw_port_entry *e;
	uint32_t start = below(a->r, 65536), n, k = 0;

	e = fw_ruleset_port_set(a->rs, set, &n);
	if (!n)
		return 0;
	/* The first range that reaches start (ascending), else the first. */
	while (k < n && e[k].hi < start)
		k++;
	if (k == n)
		k = 0;
	*port = (uint16_t)((start >= e[k].lo && start <= e[k].hi ? start : e[k].lo) +
	                   (!precise && chance(a->r, 20) ? (chance(a->r, 50) ? 1 : -1) : 0));
	return 1;
}

static uint16_t aim_port(const struct aim *a, int src)
{
	const struct xdpfw_rule *rule = aim_rule(a, src ? XDPFW_M_SPORT : XDPFW_M_DPORT, 0);
	const struct xdpfw_rule *srule =
	    aim_rule(a, src ? XDPFW_M_SPORT_SET : XDPFW_M_DPORT_SET, 0);
	struct rng *r = a->r;
	uint16_t lo, hi, member;

	if (precise && srule && (srule->negate & (src ? XDPFW_M_SPORT_SET : XDPFW_M_DPORT_SET)))
		return random_port(r);
	if (srule && (!rule || chance(r, 50)) &&
	    aim_port_member(a, src ? srule->sport_set : srule->dport_set, &member))
		return member;
	if (!rule || (!precise && chance(r, 5)))
		return random_port(r);
	lo = src ? rule->sport_lo : rule->dport_lo;
	hi = src ? rule->sport_hi : rule->dport_hi;
	switch (!precise                                                  ? below(r, 8)
	        : !(rule->negate & (src ? XDPFW_M_SPORT : XDPFW_M_DPORT)) ? 4
	        : lo > 0                                                  ? 2
	                                                                  : 3) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return (uint16_t)(lo - 1);
	case 3:
		return (uint16_t)(hi + 1);
	default:
		return (uint16_t)(lo + below(r, (uint32_t)(hi - lo) + 1));
	}
}

static uint8_t aim_proto(const struct aim *a)
{
	static const uint8_t common[] = {6, 17, 1, 58, 6, 17, 253, 59, 50, 47, 132, 0};
	const struct xdpfw_rule *rule = aim_rule(a, XDPFW_M_PROTO, 0);

	if (rule && (precise || chance(a->r, 90)))
		return rule->proto;
	if (chance(a->r, 10))
		return (uint8_t)below(a->r, 256);
	return common[below(a->r, sizeof(common))];
}

/* Flags that fit a rule's mask and value, or miss by one bit. */
static uint8_t aim_tcp_flags(const struct aim *a)
{
	const struct xdpfw_rule *rule = aim_rule(a, XDPFW_M_TCPFLAGS, 0);
	uint8_t f = (uint8_t)rnd(a->r);

	if (!rule || (!precise && chance(a->r, 10)))
		return f;
	f = (uint8_t)((f & ~rule->tcp_flags_mask) | rule->tcp_flags_value);
	if (!precise && chance(a->r, 30))
		f ^= rule->tcp_flags_mask & (uint8_t)(1u << below(a->r, 8));
	return f;
}

static uint8_t aim_icmp_type(const struct aim *a)
{
	const struct xdpfw_rule *rule = aim_rule(a, XDPFW_M_ICMPTYPE, 0);

	if (!rule || (!precise && chance(a->r, 20)))
		return (uint8_t)rnd(a->r);
	return (uint8_t)(rule->icmp_type + (!precise && chance(a->r, 20) ? 1 : 0));
}

/* A TTL or hop limit at the edges of a rule's range, or anything. */
static uint8_t aim_ttl(const struct aim *a)
{
	const struct xdpfw_rule *rule = aim_rule(a, XDPFW_M_TTL, 0);

	if (!rule || (!precise && chance(a->r, 20)))
		return (uint8_t)(1 + below(a->r, 255));
	switch (precise ? 4 : below(a->r, 5)) {
	case 0:
		return (uint8_t)(rule->ttl_lo - 1);
	case 1:
		return (uint8_t)(rule->ttl_hi + 1);
	case 2:
		return rule->ttl_lo;
	case 3:
		return rule->ttl_hi;
	default:
		return (uint8_t)(rule->ttl_lo +
		                 below(a->r, (uint32_t)(rule->ttl_hi - rule->ttl_lo) + 1));
	}
}

static void random_bytes(struct rng *r, uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)rnd(r);
}

static void payload(struct rng *r, struct pkt *p, size_t n)
{
	pkt_payload(p, n);
	random_bytes(r, p->data + p->len - n, n);
}

/* TCP, UDP, ICMP or just bytes, for the protocol in the open type field. */
static void gen_l4(const struct aim *a, struct pkt *p, int family, uint8_t proto)
{
	struct rng *r = a->r;

	if (proto == PROTO_TCP) {
		size_t t = p->len;
		uint8_t doff = precise         ? 5
		               : chance(r, 5)  ? (uint8_t)below(r, 16)
		               : chance(r, 15) ? 6 + below(r, 4)
		                               : 5;

		pkt_tcp(p, aim_port(a, 1), aim_port(a, 0), aim_tcp_flags(a), doff > 5 ? doff : 0);
		p->data[t + 12] = doff << 4; /* doff < 5 too: the builder would write 5 */
	} else if (proto == PROTO_UDP) {
		pkt_udp(p, aim_port(a, 1), aim_port(a, 0));
	} else if ((proto == PROTO_ICMP && family == 4) || (proto == PROTO_ICMPV6 && family == 6)) {
		pkt_icmp(p, aim_icmp_type(a), (uint8_t)rnd(r));
	} else {
		pkt_l4proto(p, proto);
	}
	payload(r, p, chance(r, 50) ? 0 : below(r, 64));
}

static void gen_ipv4(const struct aim *a, struct pkt *p)
{
	struct pkt_ipv4 o = {0};
	struct rng *r = a->r;
	uint8_t proto = aim_proto(a);
	size_t l3;

	if (chance(r, 15))
		o.opt_len = 4 * (1 + below(r, 10));
	if (precise) /* a first fragment when the rule wants a fragment */
		o.mf = a->rule && (a->rule->match & XDPFW_M_FRAGMENT);
	else if (chance(r, 10))
		o.mf = 1;
	if (!precise && chance(r, 8))
		o.frag_off = 1 + below(r, 0x1fff);
	o.ttl = aim_ttl(a);
	pkt_ipv4(p, &o);
	l3 = p->l3_off;
	aim_addr(a, 4, 1, p->data + l3 + 12);
	aim_addr(a, 4, 0, p->data + l3 + 16);
	/* Bad version or IHL, now and then. */
	if (!precise && chance(r, 2))
		p->data[l3] = (uint8_t)(below(r, 16) << 4 | (p->data[l3] & 0x0f));
	if (!precise && chance(r, 2))
		p->data[l3] = (p->data[l3] & 0xf0) | below(r, 16);

	if (o.frag_off) {
		pkt_l4proto(p, proto);
		payload(r, p, below(r, 64));
	} else {
		gen_l4(a, p, 4, proto);
	}
	/* A total length that disagrees with the frame, now and then. */
	if (!precise && chance(r, 3)) {
		uint16_t tot = (uint16_t)(p->len - l3);

		tot = chance(r, 50)   ? (uint16_t)(tot + (int)below(r, 41) - 20)
		      : chance(r, 20) ? 0 /* a super-packet's, in a frame too short for one */
		                      : (uint16_t)rnd(r);
		p->data[l3 + 2] = tot >> 8;
		p->data[l3 + 3] = tot & 0xff;
		p->fix_l3_len = 1;
	}
}

static void gen_ipv6(const struct aim *a, struct pkt *p)
{
	struct pkt_ipv6 o = {0};
	struct rng *r = a->r;
	uint8_t proto = aim_proto(a);
	size_t l3;
	int later = 0;

	o.hop_limit = aim_ttl(a);
	pkt_ipv6(p, &o);
	l3 = p->l3_off;
	aim_addr(a, 6, 1, p->data + l3 + 8);
	aim_addr(a, 6, 0, p->data + l3 + 24);
	if (!precise && chance(r, 2))
		p->data[l3] = (uint8_t)(below(r, 16) << 4 | (p->data[l3] & 0x0f));

	/* BIG TCP's hop-by-hop header, a jumbo option with payload length 0:
	 * never valid in frames this short, the length tells why. */
	if (!precise && chance(r, 3)) {
		static const uint32_t jumbos[] = {0, 65535, 65536, 0xffffffff};

		pkt_ipv6_jumbo(p, chance(r, 50) ? jumbos[below(r, 4)] : (uint32_t)rnd(r));
	}
	/* Precise: a first fragment when the rule wants a fragment, else none. */
	if (precise && a->rule && (a->rule->match & XDPFW_M_FRAGMENT))
		pkt_ipv6_frag(p, 0, 1);
	/* Extension headers: now and then a chain past the bound. */
	if (!precise && chance(r, 30)) {
		static const uint8_t kinds[] = {0, 43, 60, 51, 44};
		int n = chance(r, 20) ? XDPFW_MAX_IPV6_EXT - 1 + below(r, 4) : 1 + below(r, 4);

		for (int i = 0; i < n && !later; i++) {
			uint8_t k = kinds[below(r, sizeof(kinds))];

			if (k == 44) {
				later = chance(r, 40);
				pkt_ipv6_frag(p, later ? 1 + below(r, 0x1fff) : 0, chance(r, 70));
			} else if (k == 51) {
				pkt_ipv6_ext(p, k, 4 * (2 + below(r, 8)));
			} else {
				pkt_ipv6_ext(p, k, 8 * (1 + below(r, 4)));
			}
		}
	}
	if (later) {
		pkt_l4proto(p, proto);
		payload(r, p, below(r, 64));
	} else {
		gen_l4(a, p, 6, proto);
	}
	if (!precise && chance(r, 3)) {
		uint16_t plen = (uint16_t)(p->len - l3 - 40);

		plen = chance(r, 50)   ? (uint16_t)(plen + (int)below(r, 41) - 20)
		       : chance(r, 20) ? 0
		                       : (uint16_t)rnd(r);
		p->data[l3 + 4] = plen >> 8;
		p->data[l3 + 5] = plen & 0xff;
		p->fix_l3_len = 1;
	}
}

/* ------------------------------------------------------------------------ */
/* Frames of the ClassBench-like and shared-field phases                     */

/*
 * Clean headers (the regular phase has the malformed ones), aimed as
 * ClassBench's trace generator aims them: a point inside a random rule
 * (addresses inside both prefixes, ports inside both ranges, its
 * protocol); and here also a corner of a rule, a point just outside one of
 * its edges, a point inside one of the last rules (deep in the set), a
 * point made of fields of different rules, a random header.
 */
#define SHARED_SPORT 1024u       /* the first source port of a shared-field set */
#define SHARED_ADDR  0xc6124000u /* 198.18.64.0: its first address */
#define SHARED_OTHER 0xc6138000u /* 198.19.128.0: the untested address, per frame */

static uint32_t cb_nframes; /* FM_SHARED: the set's frames, spread over its rules */

enum cb_where { CW_INSIDE, CW_FIRST, CW_LAST, CW_OUTSIDE };
enum cb_field_id { CF_SADDR, CF_DADDR, CF_SPORT, CF_DPORT, CF_PROTO, CF_MAX };
static const uint32_t cb_field_bit[CF_MAX] = {XDPFW_M_SADDR, XDPFW_M_DADDR, XDPFW_M_SPORT,
                                              XDPFW_M_DPORT, XDPFW_M_PROTO};

struct cb_point {
	int family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint8_t proto;
};

/* An address of prefix p (len bits) of family as where says, network order. */
static void cb_aim_addr(struct rng *r, const struct xdpfw_prefix *p, int len, int family,
                        enum cb_where w, uint8_t *out)
{
	const uint8_t *mask = (const uint8_t *)p->mask;
	int nb = addr_bytes(family);

	memcpy(out, p->addr, nb);
	if (w == CW_OUTSIDE && !len) /* nothing lies outside /0 */
		w = CW_INSIDE;
	switch (w) {
	case CW_FIRST:
		break;
	case CW_LAST:
		for (int i = 0; i < nb; i++)
			out[i] |= (uint8_t)~mask[i];
		break;
	case CW_OUTSIDE:
		switch (below(r, 3)) {
		case 0: /* one before the first (wraps below the zero address) */
			for (int i = nb - 1; i >= 0 && out[i]-- == 0; i--)
				;
			break;
		case 1: /* one past the last */
			for (int i = 0; i < nb; i++)
				out[i] |= (uint8_t)~mask[i];
			for (int i = nb - 1; i >= 0 && ++out[i] == 0; i--)
				;
			break;
		default: /* the last prefix bit flipped */
			out[(len - 1) / 8] ^= (uint8_t)(0x80 >> ((len - 1) % 8));
			randomize_host(r, out, family, len);
			break;
		}
		break;
	default:
		randomize_host(r, out, family, len);
		break;
	}
}

static uint16_t cb_aim_port(struct rng *r, uint16_t lo, uint16_t hi, enum cb_where w)
{
	if (w == CW_OUTSIDE && lo == 0 && hi == 65535)
		w = CW_INSIDE;
	switch (w) {
	case CW_FIRST:
		return lo;
	case CW_LAST:
		return hi;
	case CW_OUTSIDE:
		return lo > 0 && (hi == 65535 || chance(r, 50)) ? (uint16_t)(lo - 1)
		                                                : (uint16_t)(hi + 1);
	default:
		return (uint16_t)(lo + below(r, (uint32_t)(hi - lo) + 1));
	}
}

/* Field f of pt from rule (NULL, or a rule that does not test it: at
 * random), at where. pt->family is set. */
static void cb_fill(struct rng *r, const struct xdpfw_rule *rule, int f, enum cb_where w,
                    struct cb_point *pt)
{
	static const uint8_t protos[] = {6, 17, 6, 17, 1, 47, 50};
	bool tests =
	    rule && (rule->match & cb_field_bit[f]) && (f > CF_DADDR || rule->family == pt->family);

	switch (f) {
	case CF_SADDR:
	case CF_DADDR: {
		uint8_t *out = f == CF_SADDR ? pt->saddr : pt->daddr;

		randomize_host(r, out, pt->family, 0);
		if (tests)
			cb_aim_addr(r, f == CF_SADDR ? &rule->saddr : &rule->daddr,
			            f == CF_SADDR ? rule->saddr_len : rule->daddr_len, pt->family,
			            w, out);
		break;
	}
	case CF_SPORT:
		pt->sport =
		    tests ? cb_aim_port(r, rule->sport_lo, rule->sport_hi, w) : random_port(r);
		break;
	case CF_DPORT:
		pt->dport =
		    tests ? cb_aim_port(r, rule->dport_lo, rule->dport_hi, w) : random_port(r);
		break;
	default:
		pt->proto = protos[below(r, sizeof(protos))];
		if (tests && w != CW_OUTSIDE)
			pt->proto = rule->proto;
		else if (tests && pt->proto == rule->proto)
			pt->proto = rule->proto == 6 ? 17 : 6;
		break;
	}
}

static void cb_build(struct rng *r, const struct cb_point *pt, struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p);
	if (pt->family == 4) {
		pkt_ipv4(p, &(struct pkt_ipv4){.ttl = (uint8_t)(1 + below(r, 255))});
		memcpy(p->data + p->l3_off + 12, pt->saddr, 4);
		memcpy(p->data + p->l3_off + 16, pt->daddr, 4);
	} else {
		pkt_ipv6(p, &(struct pkt_ipv6){.hop_limit = (uint8_t)(1 + below(r, 255))});
		memcpy(p->data + p->l3_off + 8, pt->saddr, 16);
		memcpy(p->data + p->l3_off + 24, pt->daddr, 16);
	}
	if (pt->proto == PROTO_TCP)
		pkt_tcp(p, pt->sport, pt->dport, (uint8_t)rnd(r), 0);
	else if (pt->proto == PROTO_UDP)
		pkt_udp(p, pt->sport, pt->dport);
	else if ((pt->proto == PROTO_ICMP && pt->family == 4) ||
	         (pt->proto == PROTO_ICMPV6 && pt->family == 6))
		pkt_icmp(p, (uint8_t)below(r, 256), (uint8_t)below(r, 16));
	else
		pkt_l4proto(p, pt->proto);
	payload(r, p, below(r, 32));
	pkt_finish(p);
}

/* A shared-field set's frame: UDP to port 53 with the value of a rule
 * spread over the set by frame number, or of the last rule, or a value of
 * no rule, or a rule's value on another port or protocol. */
static void gen_shared_frame(struct rng *r, uint32_t idx, const struct fw_ruleset *rs,
                             struct cb_point *pt)
{
	uint32_t n = rs->config.rule_count, k = below(r, 100), other = htonl(SHARED_OTHER + idx);
	int field = (rs->rules[0].match & XDPFW_M_SPORT)   ? 0
	            : (rs->rules[0].match & XDPFW_M_SADDR) ? 1
	                                                   : 2;
	const struct xdpfw_rule *rule = &rs->rules[n - 1];
	uint32_t v;

	if (k < 45)
		rule = &rs->rules[(uint64_t)idx * n / (cb_nframes ? cb_nframes : 1) % n];
	else if (k >= 70)
		rule = &rs->rules[below(r, n)];
	v = field == 0 ? rule->sport_lo
	               : ntohl(field == 1 ? rule->saddr.addr[0] : rule->daddr.addr[0]);
	if (k >= 80) /* a value of no rule: just below or past them, or anything */
		v = k < 85   ? (field ? SHARED_ADDR : SHARED_SPORT) - 1 - below(r, 256)
		    : k < 90 ? (field ? SHARED_ADDR : SHARED_SPORT) + n + below(r, 256)
		             : (uint32_t)rnd(r);
	pt->family = 4;
	pt->proto = PROTO_UDP;
	pt->dport = 53;
	pt->sport = field ? (uint16_t)(SHARED_SPORT + idx % 64000) : (uint16_t)v;
	memcpy(pt->saddr, &other, 4);
	memcpy(pt->daddr, &other, 4);
	if (field) {
		v = htonl(v);
		memcpy(field == 1 ? pt->saddr : pt->daddr, &v, 4);
	}
	if (k >= 70 && k < 80) { /* another port or protocol */
		if (chance(r, 50))
			pt->dport =
			    chance(r, 50) ? (uint16_t)(52 + 2 * below(r, 2)) : random_port(r);
		else
			pt->proto = PROTO_TCP;
	}
}

/* FM_CB and FM_SHARED: frame idx of set. */
static void gen_cb_frame(uint32_t set, uint32_t idx, const struct fw_ruleset *rs, struct pkt *p)
{
	struct rng r = stream(set, idx);
	uint32_t n = rs->config.rule_count, k = below(&r, 100);
	const struct xdpfw_rule *rule = n ? &rs->rules[below(&r, n)] : NULL, *fam;
	struct cb_point pt = {0};
	enum cb_where w[CF_MAX];
	bool anything = false;

	if (frame_mode == FM_SHARED && n) {
		gen_shared_frame(&r, idx, rs, &pt);
		cb_build(&r, &pt, p);
		return;
	}
	for (int f = 0; f < CF_MAX; f++)
		w[f] = CW_INSIDE;
	if (k < 50) {        /* inside a rule: a trace's header */
	} else if (k < 60) { /* a corner of a rule */
		for (int f = 0; f < CF_MAX; f++)
			w[f] = chance(&r, 50) ? CW_FIRST : CW_LAST;
	} else if (k < 72) { /* just outside one edge of a rule, inside the others */
		int tested[CF_MAX], nt = 0;

		for (int f = 0; rule && f < CF_MAX; f++)
			if (rule->match & cb_field_bit[f])
				tested[nt++] = f;
		if (nt)
			w[tested[below(&r, nt)]] = CW_OUTSIDE;
	} else if (k < 82 && n) { /* inside one of the last 1% of the rules */
		rule = &rs->rules[n - 1 - below(&r, n / 100 + 1)];
	} else if (k < 94) { /* each field from a rule of its own: rule = NULL */
		rule = NULL;
	} else { /* anything */
		rule = NULL;
		anything = true;
	}
	/* Fields of several rules: the family of one of them. */
	fam = !rule && !anything && n ? &rs->rules[below(&r, n)] : rule;
	pt.family = fam && (fam->match & XDPFW_M_FAMILY) ? fam->family : chance(&r, 20) ? 6 : 4;
	for (int f = 0; f < CF_MAX; f++) {
		const struct xdpfw_rule *from = rule;

		if (!rule && !anything && n) {
			/* A rule of the right family that tests the field, if
			 * a few tries find one. */
			for (int t = 0; t < 4; t++) {
				from = &rs->rules[below(&r, n)];
				if ((from->match & cb_field_bit[f]) &&
				    (!(from->match & XDPFW_M_FAMILY) || from->family == pt.family))
					break;
			}
		}
		cb_fill(&r, from, f, w[f], &pt);
	}
	cb_build(&r, &pt, p);
}

static void gen_frame(uint32_t set, uint32_t idx, const struct fw_ruleset *rs, struct pkt *p)
{
	struct rng r = stream(set, idx);
	struct aim a = {.r = &r, .rs = rs};
	uint32_t tags = below(&r, 100), kind = below(&r, 100);
	const struct xdpfw_rule *vrule;
	int family;

	drew.member = drew.outside = false;
	precise = false;
	if (frame_mode == FM_CB || frame_mode == FM_SHARED) {
		gen_cb_frame(set, idx, rs, p);
		return;
	}
	if (frame_mode == FM_REGULAR) {
		if (rs->config.rule_count && chance(&r, 85))
			a.rule = &rs->rules[below(&r, rs->config.rule_count)];
	} else if (rs->config.rule_count && chance(&r, 90)) {
		uint32_t n = rs->config.rule_count, k = below(&r, 100);

		/* FM_LATE: a tenth at the last rule and a fifth at the last
		 * late_window, made to match it (precise), a sixth more at the
		 * last late_window as usual; FM_SETS: half at rules that test
		 * a big set. */
		precise = frame_mode == FM_LATE && k < 30;
		if (frame_mode == FM_LATE && k < 10)
			a.rule = &rs->rules[n - 1];
		else if (frame_mode == FM_LATE && k < 45)
			a.rule = &rs->rules[n - 1 - below(&r, late_window < n ? late_window : n)];
		else if (frame_mode == FM_SETS && k < 50 && nset_rules)
			a.rule = &rs->rules[set_rules[below(&r, nset_rules)]];
		else
			a.rule = &rs->rules[below(&r, n)];
	}
	family = a.rule && (a.rule->match & XDPFW_M_FAMILY) && (precise || chance(&r, 90))
	             ? a.rule->family
	         : kind < 50 ? 4
	                     : 6;

	pkt_init(p);
	pkt_eth(p);
	tags = tags < 70 ? 0 : tags < 85 ? 1 : tags < 96 ? 2 : 3;
	vrule = aim_rule(&a, XDPFW_M_VLAN, 0);
	if (precise)
		tags = vrule != NULL; /* one tag, the rule's (60% below), or none */
	else if (vrule && !tags && chance(&r, 70))
		tags = 1;
	for (uint32_t i = 0; i < tags; i++)
		pkt_vlan(p, chance(&r, 50) ? PKT_TPID_8021Q : PKT_TPID_8021AD,
		         vrule && (precise || chance(&r, 60))
		             ? (uint16_t)(vrule->vlan + (i ? 1 : 0))
		             : (uint16_t)below(&r, 8 << (4 * below(&r, 3))));

	if (!precise && chance(&r, 4)) {
		static const uint16_t types[] = {0x0806, 0x88cc, 0x8035, 0x0842};

		pkt_ethertype(p, chance(&r, 80) ? types[below(&r, 4)] : (uint16_t)rnd(&r));
		payload(&r, p, below(&r, 64));
	} else if (family == 4) {
		gen_ipv4(&a, p);
	} else {
		gen_ipv6(&a, p);
	}
	pkt_finish(p);
	if (precise)
		return;

	if (chance(&r, 10))
		pkt_pad(p, 1 + below(&r, 40));
	/* Cut anywhere; the kernel runs no frame under an Ethernet header. */
	if (chance(&r, 10))
		pkt_truncate(p, 14 + below(&r, (uint32_t)p->len - 14 + 1));
	if (chance(&r, 3)) {
		int flips = 1 + below(&r, 3);

		for (int i = 0; i < flips; i++)
			p->data[below(&r, (uint32_t)p->len)] ^= (uint8_t)(1 + below(&r, 255));
	}
}

/* ------------------------------------------------------------------------ */
/* The program's side                                                        */

struct tally {
	struct xdpfw_counter reason[XDPFW_REASON_MAX];
	struct xdpfw_counter rule[XDPFW_MAX_RULES]; /* by rule index */
};

/* Where the program counts rule i: its counter slot (include/xdpfw.h). */
static uint32_t rule_slot(const struct fw_ruleset *rs, int i)
{
	return rs->rules[i].counter;
}

static uint32_t run_frame(const struct pkt *p)
{
	return harness_run(p->data, p->len, 1, NULL);
}

static void zero_counters(const struct fw_ruleset *rs)
{
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
		harness_zero(bpf_map__fd(skel->maps.fw_reason_stats), k);
	for (uint32_t i = 0; i < rs->config.rule_count; i++)
		harness_zero(bpf_map__fd(skel->maps.fw_rule_stats), rule_slot(rs, i));
}

/* The program's reason and rule for the one frame counted since the last
 * zero_counters(): the reason and rule whose counters moved. */
static void program_decision(const struct fw_ruleset *rs, unsigned int *reason, int *rule)
{
	*reason = XDPFW_REASON_MAX;
	*rule = -1;
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
		if (harness_counter(bpf_map__fd(skel->maps.fw_reason_stats), k).packets)
			*reason = k;
	for (uint32_t i = 0; i < rs->config.rule_count; i++)
		if (harness_counter(bpf_map__fd(skel->maps.fw_rule_stats), rule_slot(rs, i))
		        .packets)
			*rule = (int)i;
}

/* ------------------------------------------------------------------------ */
/* Comparing                                                                 */

static uint32_t xdp_of(enum xdpfw_action a)
{
	return a == XDPFW_ACT_DROP ? XDP_DROP : XDP_PASS;
}

/* The rule text; runs of more than 4 list lines (the large phase's sets
 * of 100,000 prefixes, a line of members each) shown as a count. */
static void print_text(const char *text)
{
	const char *s = text ? text : "", *nl;
	unsigned int run = 0;

	while (*s) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		run = *s == '\t' ? run + 1 : 0;
		if (run <= 4)
			printf("#     %.*s\n", (int)(nl - s), s);
		else if (*nl != '\n' || nl[1] != '\t')
			printf("#     \t... %u more lines of members\n", run - 4);
		s = *nl ? nl + 1 : nl;
	}
}

static void describe(const char *who, uint32_t verdict, unsigned int reason, int rule,
                     const struct fw_ruleset *rs)
{
	char text[512] = "";

	if (rule >= 0 && rule < (int)rs->config.rule_count)
		fw_rule_format(&rs->rules[rule], text, sizeof(text));
	printf("#   %-6s %s, reason %s, rule %d%s%s\n", who, fw_xdp_name(verdict),
	       reason < XDPFW_REASON_MAX ? fw_reason_name(reason) : "(none counted)", rule,
	       text[0] ? ": " : "", text);
}

static void report(uint32_t set, uint32_t frame, const struct set_gen *g,
                   const struct fw_ruleset *rs, const struct pkt *p, uint32_t got,
                   unsigned int got_reason, int got_rule, const struct fw_model_result *want,
                   int shown)
{
	printf("# DISAGREEMENT: seed 0x%016" PRIx64
	       " set %u frame %u (rerun: XDPFW_DIFF_SEED=0x%016" PRIx64 " XDPFW_DIFF_SET=%u)\n",
	       seed, set, frame, seed, set);
	if (!shown) {
		printf("#   rules of set %u:\n", set);
		print_text(g->text);
	}
	printf("#   frame  %zu bytes: ", p->len);
	for (size_t i = 0; i < p->len; i++)
		printf("%02x", p->data[i]);
	printf("\n");
	describe("bpf", got, got_reason, got_rule, rs);
	describe("model", xdp_of(want->action), want->reason, want->rule, rs);
}

/*
 * Replay a set one frame at a time, zeroing the counters before each, to
 * name the frames whose verdict, reason or rule differ. Slow, so only for a
 * set already known to disagree somewhere.
 */
static unsigned int pinpoint(uint32_t set, uint32_t nframes, const struct set_gen *g,
                             const struct fw_ruleset *rs)
{
	int shown = 0;
	static struct pkt p;
	struct fw_model_result want;
	unsigned int found = 0, reason;
	uint32_t got;
	int rule;

	for (uint32_t f = 0; f < nframes; f++) {
		gen_frame(set, f, rs, &p);
		fw_model_verdict(rs, p.data, p.len, &want);
		zero_counters(rs);
		got = run_frame(&p);
		program_decision(rs, &reason, &rule);
		if (got == xdp_of(want.action) && reason == want.reason && rule == want.rule)
			continue;
		report(set, f, g, rs, &p, got, reason, rule, &want, shown++);
		if (++found == REPORT_MAX)
			break;
	}
	return found;
}

struct run_stats {
	uint64_t frames, disagreements;
	uint64_t reasons[XDPFW_REASON_MAX];
	uint64_t rules_hit; /* distinct (set, rule) pairs that decided a frame */
	uint64_t rules;
	/* Large phase. */
	uint64_t by_rule;                   /* frames a rule decided */
	uint64_t late, last;                /* ... one of the last late_window / the last */
	uint64_t late_rules_hit;            /* distinct late rules that decided a frame */
	int max_rule;                       /* the highest rule that decided a frame */
	uint64_t drew_member, drew_outside; /* frames with an address drawn from a set */
	uint64_t in_big;                    /* frames whose saddr or daddr is in a big set */
	uint64_t big_rule;                  /* frames a rule testing a big set decided */
	double write_s;                     /* fw_ruleset_write() */
	uint64_t *by_index;                 /* NULL, or frames decided per rule index */
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Large phase, FM_SETS: is either address of the parsed packet in a big set? */
static bool in_big_set(const struct xdpfw_pkt *pkt)
{
	for (unsigned int set = 0; set < nbig_sets; set++)
		if (index_holds(set, pkt->family, pkt->saddr) ||
		    index_holds(set, pkt->family, pkt->daddr))
			return true;
	return false;
}

/*
 * One set: program rs_bpf in the kernel, rs_model in the model (the same
 * but for the self-test). Returns the disagreements found.
 */
static uint64_t compare_set(uint32_t set, uint32_t nframes, const struct set_gen *g,
                            const struct fw_ruleset *rs_bpf, const struct fw_ruleset *rs_model,
                            struct run_stats *st, bool quiet)
{
	static struct tally want;
	static struct pkt p;
	struct fw_model_result res;
	uint64_t bad = 0;
	bool counters_ok = true;
	uint32_t got;
	double t0 = now_s();

	if (fw_ruleset_write(skel, rs_bpf))
		fail_msg("cannot write the rules of set %u into the maps", set);
	if (st)
		st->write_s += now_s() - t0;
	zero_counters(rs_bpf);
	memset(&want, 0, sizeof(want));

	for (uint32_t f = 0; f < nframes; f++) {
		gen_frame(set, f, rs_model, &p);
		fw_model_verdict(rs_model, p.data, p.len, &res);
		want.reason[res.reason].packets++;
		want.reason[res.reason].bytes += p.len;
		if (res.rule >= 0) {
			want.rule[res.rule].packets++;
			want.rule[res.rule].bytes += p.len;
		}
		if (st) {
			uint32_t n = rs_model->config.rule_count;

			st->reasons[res.reason]++;
			st->drew_member += drew.member;
			st->drew_outside += drew.outside;
			if (res.rule >= 0 && st->by_index)
				st->by_index[res.rule]++;
			if (res.rule >= 0) {
				st->by_rule++;
				st->late += (uint32_t)res.rule + late_window >= n;
				st->last += (uint32_t)res.rule + 1 == n;
				if (res.rule > st->max_rule)
					st->max_rule = res.rule;
				st->big_rule +=
				    nbig_sets && tests_big_set(&rs_model->rules[res.rule]);
			}
			if (nbig_sets &&
			    (res.reason == XDPFW_REASON_RULE || res.reason == XDPFW_REASON_POLICY))
				st->in_big += in_big_set(&res.pkt);
		}
		got = run_frame(&p);
		bad += got != xdp_of(res.action);
	}

	/* Reasons and rules: the counters must hold the model's tally. */
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++) {
		struct xdpfw_counter c =
		    harness_counter(bpf_map__fd(skel->maps.fw_reason_stats), k);

		if (c.packets != want.reason[k].packets || c.bytes != want.reason[k].bytes) {
			if (!quiet && pinpointed_sets < PINPOINT_SETS)
				printf("# set %u: reason %s counted %" PRIu64 " packets/%" PRIu64
				       " bytes, the model says %" PRIu64 "/%" PRIu64 "\n",
				       set, fw_reason_name(k), (uint64_t)c.packets,
				       (uint64_t)c.bytes, (uint64_t)want.reason[k].packets,
				       (uint64_t)want.reason[k].bytes);
			counters_ok = false;
		}
	}
	for (uint32_t i = 0; i < rs_model->config.rule_count; i++) {
		struct xdpfw_counter c =
		    harness_counter(bpf_map__fd(skel->maps.fw_rule_stats), rule_slot(rs_model, i));

		if (c.packets != want.rule[i].packets || c.bytes != want.rule[i].bytes) {
			if (!quiet && pinpointed_sets < PINPOINT_SETS)
				printf("# set %u: rule %u counted %" PRIu64 " packets/%" PRIu64
				       " bytes, the model says %" PRIu64 "/%" PRIu64 "\n",
				       set, i, (uint64_t)c.packets, (uint64_t)c.bytes,
				       (uint64_t)want.rule[i].packets,
				       (uint64_t)want.rule[i].bytes);
			counters_ok = false;
		}
		if (st && want.rule[i].packets) {
			st->rules_hit++;
			st->late_rules_hit += i + late_window >= rs_model->config.rule_count;
		}
	}
	if (st) {
		st->frames += nframes;
		st->rules += rs_model->config.rule_count;
	}
	if (!quiet && (bad || !counters_ok))
		printf("# seed 0x%016" PRIx64 " set %u: %" PRIu64 " of %u verdicts differ%s\n",
		       seed, set, bad, nframes,
		       counters_ok ? "" : "; reasons or rules counted differ");
	if (!quiet && (bad || !counters_ok) && pinpointed_sets++ < PINPOINT_SETS) {
		/* Replay to name frames, their reasons and rules included. */
		uint64_t found = pinpoint(set, nframes, g, rs_model);

		return found > bad ? found : bad ? bad : 1;
	}
	return bad ? bad : !counters_ok;
}

static uint32_t env_u32(const char *name, uint32_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 0);
	if (*end)
		fail_msg("%s=%s: expected a number", name, s);
	return (uint32_t)v;
}

static void compile_set(uint32_t set, const struct set_gen *g, struct fw_ruleset **rsp)
{
	static struct fw_diag diag;
	char name[32];
	int err;

	snprintf(name, sizeof(name), "set-%u", set);
	/* The last set's arrays go first: large sets are megabytes. */
	fw_ruleset_free(*rsp);
	fw_diag_init(&diag, name, NULL);
	err = fw_ruleset_load_mem(name, g->text, g->len, rsp, &diag);
	/* Warnings (shadowed rules, say) are expected of random rules. */
	if (err) {
		printf("# seed 0x%016" PRIx64 " set %u does not compile (%s):\n", seed, set,
		       strerror(-err));
		print_text(g->text);
		for (uint32_t k = 0; k < diag.count; k++)
			printf("#   %s:%u:%u: %s\n", name, diag.entries[k].line,
			       diag.entries[k].col, diag.entries[k].msg);
		fail_msg("seed 0x%016" PRIx64 " set %u: the generated rules do not compile", seed,
		         set);
	}
	if (fw_model_unknown_match(*rsp) >= 0)
		fail_msg("set %u uses a match the model does not know: extend ctl/model.c", set);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */

static void test_differential(void **state)
{
	static struct set_gen g;
	static struct fw_ruleset *rs;
	struct run_stats st = {0};
	uint32_t sets = env_u32("XDPFW_DIFF_SETS", DEFAULT_SETS);
	uint32_t frames = env_u32("XDPFW_DIFF_FRAMES", DEFAULT_FRAMES);
	uint32_t only = env_u32("XDPFW_DIFF_SET", UINT32_MAX);
	uint32_t first = only == UINT32_MAX ? 0 : only, last = only == UINT32_MAX ? sets : only + 1;
	struct timespec t0, t1;
	uint32_t tiny_sets = 0, small_sets = 0;
	double secs;

	(void)state;
	if (only != UINT32_MAX && only >= LARGE_RULES_BASE)
		first = last = 0; /* a set of the large phase: test_large runs it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t s = first; s < last; s++) {
		gen_set(s, &g);
		compile_set(s, &g, &rs);
		if (fw_ruleset_tiny(rs))
			tiny_sets++;
		else if (rs->config.rule_count <= XDPFW_TINY_RULES)
			small_sets++;
		st.disagreements += compare_set(s, frames, &g, rs, rs, &st, false);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("# differential: seed 0x%016" PRIx64 ", %u rule sets x %u frames = %" PRIu64
	       " frames in %.1f s, %" PRIu64 " disagreements\n",
	       seed, last - first, frames, st.frames, secs, st.disagreements);
	printf("# rules that decided at least one frame: %" PRIu64 " of %" PRIu64 "\n",
	       st.rules_hit, st.rules);
	printf("# sets matched from the program's constants (tiny): %u; sets of at most %d rules "
	       "on the classifier: %u\n",
	       tiny_sets, XDPFW_TINY_RULES, small_sets);
	printf("# frames by reason (model):");
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
		printf(" %s %" PRIu64, fw_reason_name(k), st.reasons[k]);
	printf("\n");

	if (st.disagreements)
		fail_msg("seed 0x%016" PRIx64
		         ": the program and the model disagree on at least %" PRIu64 " frames",
		         seed, st.disagreements);
	/* 50 sets hold about 12 small ones: the tiny path must have had some. */
	if (last - first >= 50 && (!tiny_sets || !small_sets))
		fail_msg("seed 0x%016" PRIx64 ": %u sets on the tiny path, %u small sets on the "
		         "classifier: both should have some",
		         seed, tiny_sets, small_sets);
	/* The generator must keep reaching every outcome, or the comparison
	 * proves little: every reason, and most rules deciding something. */
	if (only == UINT32_MAX && st.frames >= 100000) {
		for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
			if (!st.reasons[k])
				fail_msg(
				    "seed 0x%016" PRIx64
				    ": no frame was counted under %s; the generator lost a case",
				    seed, fw_reason_name(k));
		if (st.rules_hit * 2 < st.rules)
			fail_msg("seed 0x%016" PRIx64 ": only %" PRIu64 " of %" PRIu64
			         " rules decided a frame; aim the frames better",
			         seed, st.rules_hit, st.rules);
	}
}

/* ------------------------------------------------------------------------ */
/* The large phase                                                           */

#define DEFAULT_LARGE_RULESETS    4
#define DEFAULT_LARGE_ADDRSETS    4
#define DEFAULT_LARGE_RULES       1000
#define DEFAULT_LARGE_PREFIXES    100000
#define DEFAULT_LARGE_FRAMES      50000
#define DEFAULT_LARGE_ADDR_FRAMES 10000

static char large_dir[] = "/tmp/xdpfw-diff.XXXXXX";
static bool large_dir_made;

static int large_teardown(void **state)
{
	char path[sizeof(large_dir) + 64];

	(void)state;
	if (large_dir_made) {
		for (uint32_t i = 0; i < 64; i++)
			for (unsigned int k = 0; k < BIG_SETS_MAX; k++) {
				snprintf(path, sizeof(path), "%s/set-%x-a%u.txt", large_dir,
				         LARGE_ADDRS_BASE + i, k);
				unlink(path);
			}
		rmdir(large_dir);
		large_dir_made = false;
	}
	index_free();
	free(set_rules);
	set_rules = NULL;
	nset_rules = 0;
	frame_mode = FM_REGULAR;
	nbig_sets = 0;
	late_window = 1;
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void add_stats(struct run_stats *to, const struct run_stats *st)
{
	to->frames += st->frames;
	to->rules += st->rules;
	to->rules_hit += st->rules_hit;
	to->by_rule += st->by_rule;
	to->late += st->late;
	to->last += st->last;
	to->late_rules_hit += st->late_rules_hit;
	to->drew_member += st->drew_member;
	to->drew_outside += st->drew_outside;
	to->in_big += st->in_big;
	to->big_rule += st->big_rule;
	to->write_s += st->write_s;
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
		to->reasons[k] += st->reasons[k];
	if (st->max_rule > to->max_rule)
		to->max_rule = st->max_rule;
}

/*
 * Rule sets of many rules (1,000: XDPFW_DIFF_LARGE_RULES) with frames aimed
 * at the last ones, and rule sets with big address sets (up to 100,000
 * prefixes: XDPFW_DIFF_LARGE_PREFIXES) with frames whose addresses are set
 * members, or just outside one, half the time. The same comparison as the
 * regular phase: verdicts, reasons and rules counted, 0 disagreements.
 */
static void test_large(void **state)
{
	static struct set_gen g;
	static struct fw_ruleset *rs;
	uint32_t nrs = env_u32("XDPFW_DIFF_LARGE_RULESETS", DEFAULT_LARGE_RULESETS);
	uint32_t nas = env_u32("XDPFW_DIFF_LARGE_ADDRSETS", DEFAULT_LARGE_ADDRSETS);
	uint32_t nrules = env_u32("XDPFW_DIFF_LARGE_RULES", DEFAULT_LARGE_RULES);
	uint32_t prefixes = env_u32("XDPFW_DIFF_LARGE_PREFIXES", DEFAULT_LARGE_PREFIXES);
	uint32_t rframes = env_u32("XDPFW_DIFF_LARGE_FRAMES", DEFAULT_LARGE_FRAMES);
	uint32_t aframes = env_u32("XDPFW_DIFF_LARGE_ADDR_FRAMES", DEFAULT_LARGE_ADDR_FRAMES);
	uint32_t only = env_u32("XDPFW_DIFF_SET", UINT32_MAX);
	struct run_stats tr = {.max_rule = -1}, ta = {.max_rule = -1};
	uint64_t bad = 0;
	double t_start = now_s(), compile_s = 0;

	(void)state;
	if (nrules < 1 || nrules > XDPFW_MAX_RULES)
		fail_msg("XDPFW_DIFF_LARGE_RULES=%u: 1 to %u", nrules, XDPFW_MAX_RULES);
	if (prefixes < 10000)
		fail_msg("XDPFW_DIFF_LARGE_PREFIXES=%u: at least 10000", prefixes);
	if (only != UINT32_MAX && only < LARGE_RULES_BASE) {
		printf("# large phase: not run (XDPFW_DIFF_SET=%u is a regular set)\n", only);
		return;
	}
	if (!mkdtemp(large_dir))
		fail_msg("cannot make a directory for set files: %s", strerror(errno));
	large_dir_made = true;

	for (uint32_t i = 0; i < nrs; i++) {
		uint32_t set = LARGE_RULES_BASE + i;
		struct run_stats st = {.max_rule = -1};
		double t0, t1;

		if (only != UINT32_MAX && only != set)
			continue;
		gen_large_rules(set, &g, nrules);
		t0 = now_s();
		compile_set(set, &g, &rs);
		t1 = now_s();
		compile_s += t1 - t0;
		index_build(rs);
		frame_mode = FM_LATE;
		late_window = nrules >= 20 ? nrules / 20 : 1;
		nbig_sets = 0;
		bad += compare_set(set, rframes, &g, rs, rs, &st, false);
		printf("# large set 0x%x: %u rules, %u list/set prefixes, %u frames in %.1f s "
		       "(compile %.0f ms, write %.0f ms); decided by a rule %.1f%%, by the last %u "
		       "rules %.1f%%, by the last rule %.1f%%, highest rule %d; rules deciding: "
		       "%" PRIu64 " of %u, %" PRIu64 " of the last %u\n",
		       set, rs->config.rule_count, rs->naddrs, rframes, now_s() - t1,
		       (t1 - t0) * 1e3, st.write_s * 1e3, pct(st.by_rule, st.frames), late_window,
		       pct(st.late, st.frames), pct(st.last, st.frames), st.max_rule, st.rules_hit,
		       rs->config.rule_count, st.late_rules_hit, late_window);
		add_stats(&tr, &st);
	}

	for (uint32_t i = 0; i < nas; i++) {
		uint32_t set = LARGE_ADDRS_BASE + i, big = 0;
		struct run_stats st = {.max_rule = -1};
		double t0, t1;

		if (only != UINT32_MAX && only != set)
			continue;
		nbig_sets = gen_large_addrs(set, i, &g, prefixes, large_dir);
		/* Odd sets: no DIR-24-8 groups, so that big IPv4 sets take the
		 * array with an LPM store behind it (cls.h). */
		fw_cls_dir_group_limit = i % 2 ? 0 : XDPFW_DIR_GROUPS;
		t0 = now_s();
		compile_set(set, &g, &rs);
		t1 = now_s();
		fw_cls_dir_group_limit = XDPFW_DIR_GROUPS;
		compile_s += t1 - t0;
		index_build(rs);
		for (uint32_t k = 0; k < rs->naddrs; k++)
			big += rs->addrs[k].set < nbig_sets;
		free(set_rules);
		set_rules = calloc(rs->config.rule_count + 1, sizeof(*set_rules));
		if (!set_rules)
			fail_msg("out of memory");
		nset_rules = 0;
		for (uint32_t k = 0; k < rs->config.rule_count; k++)
			if (tests_big_set(&rs->rules[k]))
				set_rules[nset_rules++] = k;
		frame_mode = FM_SETS;
		late_window = 1;
		bad += compare_set(set, aframes, &g, rs, rs, &st, false);
		printf(
		    "# large set 0x%x: %u rules, %u big sets of %u prefixes in all (%u in every "
		    "set and list), %u rules on them; %u frames in %.1f s (compile %.0f ms, write "
		    "%.0f ms); an address drawn from a set member %.1f%% (just outside it %.1f%%), "
		    "an address in a big set %.1f%%, decided by a rule on a big set %.1f%%, by "
		    "a rule %.1f%%\n",
		    set, rs->config.rule_count, nbig_sets, big, rs->naddrs, nset_rules, aframes,
		    now_s() - t1, (t1 - t0) * 1e3, st.write_s * 1e3, pct(st.drew_member, st.frames),
		    pct(st.drew_outside, st.frames), pct(st.in_big, st.frames),
		    pct(st.big_rule, st.frames), pct(st.by_rule, st.frames));
		add_stats(&ta, &st);
	}
	fw_ruleset_free(rs);
	rs = NULL;
	frame_mode = FM_REGULAR;
	nbig_sets = 0;
	late_window = 1;

	printf("# large phase: seed 0x%016" PRIx64 ", %" PRIu64 " frames in %.1f s (compiles "
	       "%.1f s, writes %.1f s), %" PRIu64 " disagreements\n",
	       seed, tr.frames + ta.frames, now_s() - t_start, compile_s, tr.write_s + ta.write_s,
	       bad);
	if (tr.frames)
		printf("# many rules: %" PRIu64 " frames; decided by one of the last rules %.1f%% "
		       "(the last %.1f%%); highest rule deciding %d; %" PRIu64 " of %" PRIu64
		       " rules decided a frame\n",
		       tr.frames, pct(tr.late, tr.frames), pct(tr.last, tr.frames), tr.max_rule,
		       tr.rules_hit, tr.rules);
	if (ta.frames)
		printf(
		    "# big sets: %" PRIu64 " frames; an address drawn from a set member %.1f%% "
		    "(just outside it %.1f%%); an address in a big set %.1f%%; decided by a rule "
		    "on a big set %.1f%%\n",
		    ta.frames, pct(ta.drew_member, ta.frames), pct(ta.drew_outside, ta.frames),
		    pct(ta.in_big, ta.frames), pct(ta.big_rule, ta.frames));
	if (bad)
		fail_msg("seed 0x%016" PRIx64
		         ": the program and the model disagree on at least %" PRIu64
		         " frames of the large phase",
		         seed, bad);
	/* The frames must reach what the phase is for, or it proves little. */
	if (only == UINT32_MAX && tr.frames >= 10000) {
		/* The very last rule of a random set may be shadowed by the
		 * ones before it; one of the last 1% must still decide. */
		if (tr.late * 100 < tr.frames * 2 ||
		    (int64_t)tr.max_rule + 1 + nrules / 100 < (int64_t)nrules)
			fail_msg("seed 0x%016" PRIx64
			         ": only %.1f%% of the frames were decided by the last rules (the "
			         "highest deciding rule is %d of %u); aim the frames better",
			         seed, pct(tr.late, tr.frames), tr.max_rule, nrules);
		if (tr.rules_hit * 4 < tr.rules)
			fail_msg("seed 0x%016" PRIx64 ": only %" PRIu64 " of %" PRIu64
			         " rules decided a frame; aim the frames better",
			         seed, tr.rules_hit, tr.rules);
	}
	if (only == UINT32_MAX && ta.frames >= 1000) {
		if (ta.in_big * 5 < ta.frames || ta.drew_outside * 20 < ta.frames ||
		    ta.big_rule * 20 < ta.frames)
			fail_msg("seed 0x%016" PRIx64
			         ": frames in a big set %.1f%%, drawn just outside one %.1f%%, "
			         "decided by a rule on one %.1f%%: aim the frames better",
			         seed, pct(ta.in_big, ta.frames), pct(ta.drew_outside, ta.frames),
			         pct(ta.big_rule, ta.frames));
	}
}

/* best of n: seconds to compile text, and to write the result into the maps. */
static void time_compile(const char *text, size_t len, int n, double *compile, double *write)
{
	static struct fw_ruleset *rs;
	static struct fw_diag diag;

	*compile = *write = 1e9;
	for (int k = 0; k < n; k++) {
		double t0, t1, t2;

		fw_ruleset_free(rs);
		rs = NULL;
		fw_diag_init(&diag, "scaling", NULL);
		t0 = now_s();
		if (fw_ruleset_load_mem("scaling", text, len, &rs, &diag))
			fail_msg("the scaling rule set does not compile: %s",
			         diag.count ? diag.entries[0].msg : "?");
		t1 = now_s();
		if (fw_ruleset_write(skel, rs))
			fail_msg("cannot write the scaling rule set into the maps");
		t2 = now_s();
		if (t1 - t0 < *compile)
			*compile = t1 - t0;
		if (t2 - t1 < *write)
			*write = t2 - t1;
	}
	fw_ruleset_free(rs);
	rs = NULL;
}

/*
 * Compiling (and writing) a big set must not be quadratic: one set of
 * XDPFW_DIFF_LARGE_PREFIXES prefixes against one of a quarter as many, best
 * of two each. Linear is 4x, quadratic 16x; more than 8x (and 50 ms) fails.
 */
static void test_large_scaling(void **state)
{
	static struct set_gen g;
	uint32_t prefixes = env_u32("XDPFW_DIFF_LARGE_PREFIXES", DEFAULT_LARGE_PREFIXES);
	double c[2], w[2];

	(void)state;
	if (env_u32("XDPFW_DIFF_LARGE_RULESETS", 1) + env_u32("XDPFW_DIFF_LARGE_ADDRSETS", 1) ==
	    0) {
		printf("# scaling: not run (no large phase)\n");
		return;
	}
	for (int k = 0; k < 2; k++) {
		struct rng r = stream(LARGE_ADDRS_BASE - 1, k);

		gen_reset(&g, POOL_MAX);
		emit_big_set(&r, &g, 0, k ? prefixes : prefixes / 4, 30, NULL);
		emit(&g, "drop saddr @a0\npass daddr != @a0 udp dport 53\n");
		time_compile(g.text, g.len, 2, &c[k], &w[k]);
	}
	printf("# scaling: a set of %u prefixes compiles in %.1f ms, of %u in %.1f ms (%.1fx); "
	       "writes in %.1f and %.1f ms (%.1fx); linear is 4x, quadratic 16x\n",
	       prefixes / 4, c[0] * 1e3, prefixes, c[1] * 1e3, c[1] / c[0], w[0] * 1e3, w[1] * 1e3,
	       w[1] / w[0]);
	if (c[1] > 8 * c[0] + 0.05 || w[1] > 8 * w[0] + 0.05)
		fail_msg(
		    "compiling or writing %u prefixes takes over 8x the time of %u: quadratic?",
		    prefixes, prefixes / 4);
	free(g.text);
	g.text = NULL;
	g.cap = 0;
}

/*
 * The comparison itself must be able to fail. Give the program and the
 * model different rule sets and expect it to notice: a different policy
 * (verdicts differ), and the same rules in another order (verdicts agree,
 * only the counted rule differs).
 */
static void test_detects_disagreement(void **state)
{
	struct fw_ruleset *a = NULL, *b = NULL;
	static struct fw_diag diag;
	static const char *const pairs[][2] = {
	    {"policy pass\nnonip pass\nmalformed drop\ndrop udp\n",
	     "policy drop\nnonip pass\nmalformed drop\ndrop udp\n"},
	    {"policy pass\ndrop udp\ndrop tcp\ndrop proto 253\n",
	     "policy pass\ndrop tcp\ndrop udp\ndrop proto 253\n"},
	};
	static struct set_gen none;

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		fw_ruleset_free(a);
		fw_ruleset_free(b);
		fw_diag_init(&diag, "a", NULL);
		assert_int_equal(
		    fw_ruleset_load_mem("a", pairs[i][0], strlen(pairs[i][0]), &a, &diag), 0);
		fw_diag_init(&diag, "b", NULL);
		assert_int_equal(
		    fw_ruleset_load_mem("b", pairs[i][1], strlen(pairs[i][1]), &b, &diag), 0);
		if (compare_set(0, 2000, &none, b, a, NULL, true) == 0)
			fail_msg("program and model ran different rule sets (pair %zu) and the "
			         "test saw no difference",
			         i);
	}
	fw_ruleset_free(a);
	fw_ruleset_free(b);
}

/* ------------------------------------------------------------------------ */
/* The ClassBench-like and shared-field phases                               */

#define DEFAULT_CB_SETS       4
#define DEFAULT_CB_RULES      10000
#define DEFAULT_CB_FRAMES     30000
#define DEFAULT_CB_V6         25
#define DEFAULT_SHARED_SETS   9
#define DEFAULT_SHARED_MAX    XDPFW_MAX_RULES
#define DEFAULT_SHARED_FRAMES 10000

/* Set i of the phase: acl, fw, ipc in turn, and every fourth of
 * XDPFW_MAX_RULES rules (an ipc one first). */
static enum cb_flavour cb_flavour_of(uint32_t i)
{
	return i % 4 == 3 ? (enum cb_flavour)((CB_IPC + i / 4) % CB_FLAVOURS)
	                  : (enum cb_flavour)(i % CB_FLAVOURS);
}

/* Where the deciding rules stood in a set of n rules. */
struct cb_depth {
	uint64_t frames, by_rule, from_1000, half, tenth, hundredth, last;
	int max_rule;
	uint64_t rules, rules_hit;
};

static void cb_depth_add(struct cb_depth *d, const uint64_t *by_index, uint32_t n, uint64_t frames)
{
	d->frames += frames;
	d->rules += n;
	for (uint32_t i = 0; i < n; i++) {
		if (!by_index[i])
			continue;
		d->rules_hit++;
		d->by_rule += by_index[i];
		d->from_1000 += i >= 1000 ? by_index[i] : 0;
		d->half += i >= n / 2 ? by_index[i] : 0;
		d->tenth += i >= n - n / 10 ? by_index[i] : 0;
		d->hundredth += i >= n - n / 100 - 1 ? by_index[i] : 0;
		d->last += i == n - 1 ? by_index[i] : 0;
		d->max_rule = (int)i > d->max_rule ? (int)i : d->max_rule;
	}
}

static void cb_depth_print(const struct cb_depth *d)
{
	printf("decided by a rule %.1f%%, by rule 1000 or later %.1f%%, by the second half "
	       "%.1f%%, by the last tenth %.1f%%, by the last 1%% %.1f%%, by the last rule "
	       "%.1f%%; highest rule deciding %d; %" PRIu64 " of %" PRIu64 " rules decided a frame",
	       pct(d->by_rule, d->frames), pct(d->from_1000, d->frames), pct(d->half, d->frames),
	       pct(d->tenth, d->frames), pct(d->hundredth, d->frames), pct(d->last, d->frames),
	       d->max_rule, d->rules_hit, d->rules);
}

static int cb_teardown(void **state)
{
	(void)state;
	frame_mode = FM_REGULAR;
	late_window = 1;
	cb_nframes = 0;
	return 0;
}

/* One set of the phase: compile, compare, tally its depths. */
static uint64_t cb_run_set(uint32_t set, const char *what, struct set_gen *g,
                           struct fw_ruleset **rs, enum frame_mode mode, uint32_t frames,
                           struct cb_depth *d)
{
	static uint64_t by_index[XDPFW_MAX_RULES];
	struct run_stats st = {.max_rule = -1, .by_index = by_index};
	double t0 = now_s(), t1;
	uint64_t bad;

	compile_set(set, g, rs);
	t1 = now_s();
	memset(by_index, 0, sizeof(by_index));
	frame_mode = mode;
	cb_nframes = frames;
	late_window = (*rs)->config.rule_count / 10 + 1;
	bad = compare_set(set, frames, g, *rs, *rs, &st, false);
	memset(d, 0, sizeof(*d));
	d->max_rule = -1;
	cb_depth_add(d, by_index, (*rs)->config.rule_count, st.frames);
	printf("# %s set 0x%x: %s; %u frames in %.1f s (compile %.0f ms, write %.0f ms); ",
	       mode == FM_CB ? "cb" : "shared", set, what, frames, now_s() - t1 - st.write_s,
	       (t1 - t0) * 1e3, st.write_s * 1e3);
	cb_depth_print(d);
	printf("\n");
	return bad;
}

static void cb_depth_sum(struct cb_depth *to, const struct cb_depth *d)
{
	to->frames += d->frames;
	to->by_rule += d->by_rule;
	to->from_1000 += d->from_1000;
	to->half += d->half;
	to->tenth += d->tenth;
	to->hundredth += d->hundredth;
	to->last += d->last;
	to->rules += d->rules;
	to->rules_hit += d->rules_hit;
	to->max_rule = d->max_rule > to->max_rule ? d->max_rule : to->max_rule;
}

/*
 * ClassBench-like rule sets of XDPFW_DIFF_CB_RULES rules (every fourth of
 * XDPFW_MAX_RULES), acl, fw and ipc in turn, with frames aimed as
 * ClassBench traces are and at edges and deep rules; then the shared-field
 * sets: 100, 1,000 and XDPFW_DIFF_SHARED_MAX rules on udp dport 53 with
 * their own source port, source address or destination address. The same
 * comparison as the other phases: verdicts, reasons and rules counted.
 */
static void test_classbench(void **state)
{
	static struct set_gen g;
	static struct fw_ruleset *rs;
	uint32_t nsets = env_u32("XDPFW_DIFF_CB_SETS", DEFAULT_CB_SETS);
	uint32_t nrules = env_u32("XDPFW_DIFF_CB_RULES", DEFAULT_CB_RULES);
	uint32_t frames = env_u32("XDPFW_DIFF_CB_FRAMES", DEFAULT_CB_FRAMES);
	uint32_t v6 = env_u32("XDPFW_DIFF_CB_V6", DEFAULT_CB_V6);
	uint32_t nshared = env_u32("XDPFW_DIFF_SHARED_SETS", DEFAULT_SHARED_SETS);
	uint32_t shared_max = env_u32("XDPFW_DIFF_SHARED_MAX", DEFAULT_SHARED_MAX);
	uint32_t sframes = env_u32("XDPFW_DIFF_SHARED_FRAMES", DEFAULT_SHARED_FRAMES);
	uint32_t only = env_u32("XDPFW_DIFF_SET", UINT32_MAX);
	struct cb_depth cb = {.max_rule = -1}, sh = {.max_rule = -1}, d;
	uint64_t bad = 0;
	double t_start = now_s();
	char what[128];

	(void)state;
	if (nrules < 1 || nrules > XDPFW_MAX_RULES)
		fail_msg("XDPFW_DIFF_CB_RULES=%u: 1 to %u", nrules, XDPFW_MAX_RULES);
	if (v6 > 100)
		fail_msg("XDPFW_DIFF_CB_V6=%u: a percentage", v6);
	if (shared_max < 1 || shared_max > XDPFW_MAX_RULES)
		fail_msg("XDPFW_DIFF_SHARED_MAX=%u: 1 to %u", shared_max, XDPFW_MAX_RULES);
	if (only != UINT32_MAX && only < CB_BASE) {
		printf(
		    "# ClassBench-like phase: not run (XDPFW_DIFF_SET=0x%x is another phase's)\n",
		    only);
		return;
	}
	for (uint32_t i = 0; i < nsets; i++) {
		uint32_t set = CB_BASE + i, n = i % 4 == 3 ? XDPFW_MAX_RULES : nrules;
		enum cb_flavour fl = cb_flavour_of(i);

		if (only != UINT32_MAX && only != set)
			continue;
		gen_cb_rules(set, fl, i % 4 == 3 ? v6 : 0, &g, n);
		snprintf(what, sizeof(what), "%s, %u rules, %u%% IPv6", cb_flavour_names[fl], n,
		         i % 4 == 3 ? v6 : 0);
		bad += cb_run_set(set, what, &g, &rs, FM_CB, frames, &d);
		cb_depth_sum(&cb, &d);
	}
	for (uint32_t i = 0; i < nshared; i++) {
		static const char *const words[] = {"source port", "source address",
		                                    "destination address"};
		static const uint32_t sizes[] = {100, 1000, XDPFW_MAX_RULES};
		uint32_t set = SHARED_BASE + i, n = sizes[i / 3 % 3];

		if (only != UINT32_MAX && only != set)
			continue;
		n = n > shared_max ? shared_max : n;
		gen_shared(set, (int)(i % 3), &g, n);
		snprintf(what, sizeof(what), "%u rules on udp dport 53, each its own %s", n,
		         words[i % 3]);
		bad += cb_run_set(set, what, &g, &rs, FM_SHARED, sframes, &d);
		cb_depth_sum(&sh, &d);
	}
	fw_ruleset_free(rs);
	rs = NULL;
	cb_teardown(NULL);

	printf("# ClassBench-like and shared-field phases: seed 0x%016" PRIx64 ", %" PRIu64
	       " frames in %.1f s, %" PRIu64 " disagreements\n",
	       seed, cb.frames + sh.frames, now_s() - t_start, bad);
	if (cb.frames) {
		printf("# ClassBench-like: %" PRIu64 " frames; ", cb.frames);
		cb_depth_print(&cb);
		printf("\n");
	}
	if (sh.frames) {
		printf("# shared-field: %" PRIu64 " frames; ", sh.frames);
		cb_depth_print(&sh);
		printf("\n");
	}
	if (bad)
		fail_msg("seed 0x%016" PRIx64
		         ": the program and the model disagree on at least %" PRIu64
		         " frames of the ClassBench-like or shared-field phase",
		         seed, bad);
	/* The frames must reach deep into the sets, or the classifier's hard
	 * cases go untested: the policy alone would agree. */
	if (only == UINT32_MAX && cb.frames >= 10000 && nrules >= 2000 &&
	    (cb.half * 10 < cb.frames || cb.tenth * 50 < cb.frames || cb.by_rule * 2 < cb.frames))
		fail_msg("seed 0x%016" PRIx64
		         ": ClassBench-like frames decided by a rule %.1f%%, by "
		         "the second half %.1f%%, by the last tenth %.1f%%: aim the frames better",
		         seed, pct(cb.by_rule, cb.frames), pct(cb.half, cb.frames),
		         pct(cb.tenth, cb.frames));
	if (only == UINT32_MAX && sh.frames >= 10000 &&
	    (sh.last * 5 < sh.frames || sh.half * 4 < sh.frames))
		fail_msg("seed 0x%016" PRIx64 ": shared-field frames decided by the last rule "
		         "%.1f%%, by the second half %.1f%%: aim the frames better",
		         seed, pct(sh.last, sh.frames), pct(sh.half, sh.frames));
}

/*
 * The phase's comparison must be able to fail deep in a big set too: the
 * model gets the same rules with one changed, the deepest rule of a
 * ClassBench-like set that decides a frame (its verdict flipped), the last
 * rule of a shared-field set (its port moved off every frame's).
 */
static void test_cb_detects_disagreement(void **state)
{
	static struct set_gen g;
	static struct pkt p;
	struct fw_ruleset *bpf = NULL, *model = NULL;
	struct fw_model_result res;
	uint32_t nframes = 2000, n;
	int deep = -1;

	(void)state;
	gen_cb_rules(CB_BASE - 1, CB_IPC, 25, &g, 2000);
	compile_set(CB_BASE - 1, &g, &bpf);
	compile_set(CB_BASE - 1, &g, &model);
	frame_mode = FM_CB;
	n = model->config.rule_count;
	for (uint32_t f = 0; f < nframes; f++) {
		gen_frame(CB_BASE - 1, f, model, &p);
		fw_model_verdict(model, p.data, p.len, &res);
		deep = res.rule > deep ? res.rule : deep;
	}
	if (deep < (int)n / 2)
		fail_msg("seed 0x%016" PRIx64 ": no frame reached the second half of %u rules (the "
		         "deepest rule deciding is %d)",
		         seed, n, deep);
	model->rules[deep].action =
	    model->rules[deep].action == XDPFW_ACT_DROP ? XDPFW_ACT_PASS : XDPFW_ACT_DROP;
	if (compare_set(CB_BASE - 1, nframes, &g, bpf, model, NULL, true) == 0)
		fail_msg("the model's rule %d of %u had its verdict flipped and the test saw no "
		         "difference",
		         deep, n);

	gen_shared(SHARED_BASE - 1, 0, &g, 1000);
	compile_set(SHARED_BASE - 1, &g, &bpf);
	compile_set(SHARED_BASE - 1, &g, &model);
	frame_mode = FM_SHARED;
	cb_nframes = nframes;
	n = model->config.rule_count;
	model->rules[n - 1].sport_lo = model->rules[n - 1].sport_hi = 1;
	if (compare_set(SHARED_BASE - 1, nframes, &g, bpf, model, NULL, true) == 0)
		fail_msg("the model's last rule of %u had its port moved and the test saw no "
		         "difference",
		         n);
	fw_ruleset_free(bpf);
	fw_ruleset_free(model);
}

static int group_setup(void **state)
{
	const char *s = getenv("XDPFW_DIFF_SEED");

	seed = s && *s ? strtoull(s, NULL, 0)
	               : (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	printf("# seed 0x%016" PRIx64 " (set XDPFW_DIFF_SEED to repeat this run)\n", seed);
	return harness_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detects_disagreement),
	    cmocka_unit_test(test_differential),
	    cmocka_unit_test_teardown(test_large, large_teardown),
	    cmocka_unit_test(test_large_scaling),
	    cmocka_unit_test_teardown(test_cb_detects_disagreement, cb_teardown),
	    cmocka_unit_test_teardown(test_classbench, cb_teardown),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("test_diff", tests, group_setup, harness_teardown);
}
