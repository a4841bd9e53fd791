// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lint.c - see lint.h. The lints read the compiled rule set only: its rules
 * (what the program will really do) and the positions it keeps of every
 * rule and setting.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "lint.h"
#include "model.h"
#include "parser.h"
#include "util.h"

/* ICMPv6 neighbour discovery (RFC 4861 4.3, 4.4). */
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT  136
/* RFC 4861 7.1.1: a receiver discards ND messages with another hop limit. */
#define ND_HOP_LIMIT 255
/* After the 8-byte ICMPv6 header: the 16-byte target address and an 8-byte
 * link-layer address option, as Linux sends them (IPv6 length 72), so that
 * rules with `len` see a real size. */
#define ND_BODY_LEN (16 + 8)

/* The match kinds fw_rule_covers() reasons about. A rule testing anything
 * else (sets, when they come) covers nothing until it is taught here. */
#define COVERS_KNOWN                                                                               \
	(XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_SPORT |          \
	 XDPFW_M_DPORT | XDPFW_M_TCPFLAGS | XDPFW_M_ICMPTYPE | XDPFW_M_VLAN | XDPFW_M_FRAGMENT |   \
	 XDPFW_M_LEN | XDPFW_M_TTL)

/* A place in the source; line 0 when it is not known. */
struct lint_at {
	unsigned int line, col;
	const char *src; /* the source line, for the caret; NULL: none */
	size_t src_len;
};

struct lint_warning {
	struct lint_at at;
	unsigned int seq; /* order found, to keep the sort stable */
	char msg[FW_DIAG_MSG];
};

struct lint {
	const struct fw_ruleset *rs;
	__u32 count;                   /* live rules */
	struct lint_warning *warnings; /* sorted by position before printing */
	size_t nwarnings, cap;
	int err; /* -ENOMEM while collecting */
};

/* A position the rule set keeps, with its source line. */
static struct lint_at at_of(const struct fw_ruleset *rs, const struct fw_src *src)
{
	struct lint_at at = {src->pos.line, src->pos.col, NULL, 0};

	at.src = fw_ruleset_src_line(rs, src, &at.src_len);
	return at;
}

/* Where setting s was written; line 0 when it keeps its default. */
static struct lint_at setting_at(const struct lint *l, enum fw_setting s)
{
	return at_of(l->rs, &l->rs->setting_src[s]);
}

/* Where rule i is: its verb, or its `name` keyword; without source, column
 * 1 of its line. */
static struct lint_at rule_at(const struct lint *l, __u32 i, bool name)
{
	if (l->rs->rule_src)
		return at_of(l->rs, name ? &l->rs->rule_src[i].name : &l->rs->rule_src[i].verb);
	return (struct lint_at){.line = l->rs->rules[i].line, .col = 1};
}

static void warn(struct lint *l, struct lint_at at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct lint *l, struct lint_at at, const char *fmt, ...)
{
	struct lint_warning *w;
	va_list ap;

	if (l->nwarnings == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		w = realloc(l->warnings, cap * sizeof(*w));
		if (!w) {
			l->err = -ENOMEM;
			return;
		}
		l->warnings = w;
		l->cap = cap;
	}
	w = &l->warnings[l->nwarnings];
	w->at = at;
	w->seq = (unsigned int)l->nwarnings++;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

/* ---- shadowed rules ------------------------------------------------------- */

static bool prefix_within(const struct xdpfw_prefix *outer, const struct xdpfw_prefix *inner)
{
	for (int i = 0; i < 4; i++) {
		/* inner must fix every bit outer fixes, to the same value */
		if (outer->mask[i] & ~inner->mask[i])
			return false;
		if ((inner->addr[i] & outer->mask[i]) != outer->addr[i])
			return false;
	}
	return true;
}

static bool prefix_same(const struct xdpfw_prefix *a, const struct xdpfw_prefix *b)
{
	return !memcmp(a->addr, b->addr, sizeof(a->addr)) &&
	       !memcmp(a->mask, b->mask, sizeof(a->mask));
}

static bool range_within(unsigned int olo, unsigned int ohi, unsigned int ilo, unsigned int ihi)
{
	return olo <= ilo && ihi <= ohi;
}

/*
 * One address or port test of a (bit), given that b tests it too: does a's
 * hold for every packet b's does? Without `!=`, when b's prefix or range
 * lies within a's. With `!=` on either side, only when both negate the very
 * same value: containment the other way round, or a plain value outside a
 * negated one, would be sound as well, but each is a place to get the
 * direction wrong, and a missed warning costs less than a false one.
 */
static bool value_covers(const struct xdpfw_rule *a, const struct xdpfw_rule *b, __u32 bit)
{
	bool neg = a->negate & bit;

	if (neg != !!(b->negate & bit))
		return false;
	switch (bit) {
	case XDPFW_M_SADDR:
		return neg ? prefix_same(&a->saddr, &b->saddr)
		           : prefix_within(&a->saddr, &b->saddr);
	case XDPFW_M_DADDR:
		return neg ? prefix_same(&a->daddr, &b->daddr)
		           : prefix_within(&a->daddr, &b->daddr);
	case XDPFW_M_SPORT:
		if (neg)
			return a->sport_lo == b->sport_lo && a->sport_hi == b->sport_hi;
		return range_within(a->sport_lo, a->sport_hi, b->sport_lo, b->sport_hi);
	case XDPFW_M_DPORT:
		if (neg)
			return a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi;
		return range_within(a->dport_lo, a->dport_hi, b->dport_lo, b->dport_hi);
	}
	return false;
}

static bool prefix_is_all(const struct xdpfw_prefix *p)
{
	static const __u32 zero[4];

	return !memcmp(p->mask, zero, sizeof(zero));
}

/*
 * Tests of a that hold for every packet of its family, whatever b says:
 * `saddr 0.0.0.0/0`, `len 0-65535`, `ttl 0-255`. Ports are not among them:
 * `dport 0-65535` still needs a TCP or UDP header.
 */
static __u32 always_true(const struct xdpfw_rule *a)
{
	__u32 t = 0;

	if (!(a->negate & XDPFW_M_SADDR) && prefix_is_all(&a->saddr))
		t |= XDPFW_M_SADDR;
	if (!(a->negate & XDPFW_M_DADDR) && prefix_is_all(&a->daddr))
		t |= XDPFW_M_DADDR;
	if (a->len_lo == 0 && a->len_hi == UINT16_MAX)
		t |= XDPFW_M_LEN;
	if (a->ttl_lo == 0 && a->ttl_hi == UINT8_MAX)
		t |= XDPFW_M_TTL;
	return t & a->match;
}

/*
 * a covers b when each test a makes is implied by a test b makes on the
 * same field (the tests themselves are model.c's rule_match()). A field a
 * does not test cannot stop a from matching; a field only b tests only
 * narrows b. So b must test every field a tests, with a narrower value,
 * but for the tests of a that always hold.
 */
bool fw_rule_covers(const struct xdpfw_rule *a, const struct xdpfw_rule *b)
{
	static const __u32 values[] = {XDPFW_M_SADDR, XDPFW_M_DADDR, XDPFW_M_SPORT, XDPFW_M_DPORT};
	__u32 m = a->match;

	if (m & ~(__u32)COVERS_KNOWN)
		return false;
	/* Within its budget a limited rule lets packets on to the next rules. */
	if (a->flags & XDPFW_RULE_LIMIT)
		return false;
	/* The family stays: 0.0.0.0/0 is every IPv4 packet, no IPv6 one. */
	m &= ~always_true(a);
	if ((b->match & m) != m)
		return false;
	/* An IPv4 prefix sits in word 0 of an IPv6-sized one: only the
	 * family keeps 10.0.0.0/8 from containing a00::/16. The compiler
	 * sets the family of every rule with an address; asked again here
	 * so that this does not depend on it. */
	if ((a->match & (XDPFW_M_FAMILY | XDPFW_M_SADDR | XDPFW_M_DADDR)) &&
	    (!(b->match & XDPFW_M_FAMILY) || a->family != b->family))
		return false;
	if ((m & XDPFW_M_PROTO) && a->proto != b->proto)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		if ((m & values[i]) && !value_covers(a, b, values[i]))
			return false;
	/* (flags & am) == av holds when b pins every bit of am to av. */
	if ((m & XDPFW_M_TCPFLAGS) &&
	    ((a->tcp_flags_mask & ~b->tcp_flags_mask) ||
	     (b->tcp_flags_value & a->tcp_flags_mask) != a->tcp_flags_value))
		return false;
	if ((m & XDPFW_M_ICMPTYPE) && a->icmp_type != b->icmp_type)
		return false;
	if ((m & XDPFW_M_VLAN) && a->vlan != b->vlan)
		return false;
	/* XDPFW_M_FRAGMENT has no value: b testing it is enough. */
	if ((m & XDPFW_M_LEN) && !range_within(a->len_lo, a->len_hi, b->len_lo, b->len_hi))
		return false;
	if ((m & XDPFW_M_TTL) && !range_within(a->ttl_lo, a->ttl_hi, b->ttl_lo, b->ttl_hi))
		return false;
	return true;
}

/*
 * What a coverer needs of a covered rule, packed for a quick first test:
 * rule sets of 10,000 rules ask fw_rule_covers() for 50 million pairs, and
 * nearly all of them differ in the first word of an address or in which
 * fields they test. A rule whose tests fw_rule_covers() does not know, or
 * a limited rule, covers nothing (need = all bits).
 */
struct cover_key {
	__u32 need;     /* fields b must test: a's, but for those always true */
	__u32 match;    /* the fields this rule tests, as b */
	__u32 s, smask; /* first word of a plain (not negated) source prefix */
	__u32 d, dmask;
};

static struct cover_key cover_key(const struct xdpfw_rule *r)
{
	struct cover_key k = {.match = r->match};

	if ((r->match & ~(__u32)COVERS_KNOWN) || (r->flags & XDPFW_RULE_LIMIT))
		k.need = UINT32_MAX;
	else
		k.need = r->match & ~always_true(r);
	if ((k.need & XDPFW_M_SADDR) && !(r->negate & XDPFW_M_SADDR)) {
		k.s = r->saddr.addr[0];
		k.smask = r->saddr.mask[0];
	}
	if ((k.need & XDPFW_M_DADDR) && !(r->negate & XDPFW_M_DADDR)) {
		k.d = r->daddr.addr[0];
		k.dmask = r->daddr.mask[0];
	}
	return k;
}

/* False only when a cannot cover b; true sends the pair on to
 * fw_rule_covers(). b's first word is tested whether b tests the field or
 * not: when it does not, need already failed. */
static bool may_cover(const struct cover_key *a, const struct xdpfw_rule *b,
                      const struct cover_key *bk)
{
	return (bk->match & a->need) == a->need && (b->saddr.addr[0] & a->smask) == a->s &&
	       (b->daddr.addr[0] & a->dmask) == a->d;
}

/* Whatever the actions: a shadowed rule never decides, so either it is
 * redundant or the author expected it to win and it does not. */
static void lint_shadowed(struct lint *l)
{
	const struct xdpfw_rule *r = l->rs->rules;
	struct cover_key *keys;

	if (l->count < 2)
		return;
	keys = calloc(l->count, sizeof(*keys));
	if (!keys) {
		l->err = -ENOMEM;
		return;
	}
	for (__u32 i = 0; i < l->count; i++)
		keys[i] = cover_key(&r[i]);
	for (__u32 i = 1; i < l->count; i++) {
		for (__u32 j = 0; j < i; j++) {
			if (may_cover(&keys[j], &r[i], &keys[i]) && fw_rule_covers(&r[j], &r[i])) {
				warn(l, rule_at(l, i, false),
				     "rule is shadowed by line %u (it can never match)", r[j].line);
				break;
			}
		}
	}
	free(keys);
}

/* ---- names ---------------------------------------------------------------- */

/* A name is the identity of a rule's counters across reloads; two rules
 * with one name would share, or fight over, one counter history. */
static void lint_names(struct lint *l)
{
	const struct xdpfw_rule *r = l->rs->rules;

	for (__u32 i = 1; i < l->count; i++) {
		if (!r[i].name[0])
			continue;
		for (__u32 j = 0; j < i; j++) {
			if (!strncmp(r[j].name, r[i].name, XDPFW_NAME_MAX)) {
				warn(l, rule_at(l, i, true),
				     "name \"%.*s\" already used on line %u", XDPFW_NAME_MAX - 1,
				     r[i].name, r[j].line);
				break;
			}
		}
	}
}

/* ---- settings that cut the host off ---------------------------------------- */

/* ARP is not IP, so `nonip` decides it; without ARP no IPv4 neighbour can
 * find this host, nor it them. */
static void lint_nonip(struct lint *l)
{
	const struct xdpfw_config *cfg = &l->rs->config;

	if (cfg->policy != XDPFW_ACT_DROP || cfg->nonip != XDPFW_ACT_DROP)
		return;
	warn(l, setting_at(l, FW_SETTING_NONIP),
	     "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; use nonip "
	     "pass");
}

static const struct nd_probe {
	uint8_t type;
	const char *saddr, *daddr;
	const char *what;      /* for the message */
	const char *type_name; /* the rule to suggest */
} nd_probes[] = {
    /* Address resolution: to the solicited-node multicast address of
     * the target (RFC 4291 2.7.1), from a link-local address. */
    {ND_NEIGHBOR_SOLICIT, "fe80::1", "ff02::1:ff00:1", "neighbour solicitations",
     "nd-neighbor-solicit"},
    /* The answer, unicast back to the soliciting node. */
    {ND_NEIGHBOR_ADVERT, "fe80::2", "fe80::1", "neighbour advertisements", "nd-neighbor-advert"},
};

/*
 * IPv6 has no ARP: neighbour discovery is ICMPv6, so under policy drop it
 * takes a rule to pass it. Rather than look for that rule, run a real NS and
 * NA through the reference model: whatever the rules say (`pass icmpv6`,
 * `pass ip6`, `... hoplimit 255`), the verdict is what the program does.
 * The Ethernet addresses are not multicast ones; nothing matches on them.
 */
static void lint_nd(struct lint *l)
{
	const struct fw_ruleset *rs = l->rs;
	struct fw_model_result res;
	struct pkt p;

	if (rs->config.policy != XDPFW_ACT_DROP)
		return;
	/* A match the model does not know would make its verdict a guess. */
	if (fw_model_unknown_match(rs) >= 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(nd_probes); i++) {
		const struct nd_probe *nd = &nd_probes[i];

		pkt_init(&p);
		pkt_eth(&p);
		pkt_ipv6(&p, &(struct pkt_ipv6){.saddr = nd->saddr,
		                                .daddr = nd->daddr,
		                                .hop_limit = ND_HOP_LIMIT});
		pkt_icmp(&p, nd->type, 0);
		pkt_payload(&p, ND_BODY_LEN);
		pkt_finish(&p);
		if (fw_model_verdict(rs, p.data, p.len, &res) != XDPFW_ACT_DROP)
			continue;
		if (res.reason == XDPFW_REASON_RULE)
			warn(l, rule_at(l, (__u32)res.rule, false),
			     "this rule drops IPv6 %s under policy drop, which cuts this host off "
			     "from IPv6; put pass icmpv6 type %s before it",
			     nd->what, nd->type_name);
		else if (res.reason == XDPFW_REASON_POLICY)
			warn(l, setting_at(l, FW_SETTING_POLICY),
			     "policy drop drops IPv6 %s, which cuts this host off from IPv6; add "
			     "pass icmpv6 type %s",
			     nd->what, nd->type_name);
	}
}

/*
 * The lints, in no particular order (warnings are sorted by position).
 *
 * An empty set or list is warned about by the compiler, where the set is
 * defined (compile.c). fw_rule_covers() does not know set matches and
 * answers false for any match kind outside COVERS_KNOWN: a rule using a set
 * is never reported as shadowed.
 */
static void (*const lints[])(struct lint *l) = {
    lint_shadowed,
    lint_names,
    lint_nonip,
    lint_nd,
};

/* By position; warnings without one (line 0) last. */
static int warning_cmp(const void *pa, const void *pb)
{
	const struct lint_warning *a = pa, *b = pb;
	unsigned long long ka = a->at.line ? a->at.line : ~0u, kb = b->at.line ? b->at.line : ~0u;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->at.col != b->at.col)
		return a->at.col < b->at.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int fw_lint(const struct fw_ruleset *rs, struct fw_diag *d)
{
	struct lint l = {.rs = rs, .count = rs->config.rule_count};
	int r = 0;

	for (size_t i = 0; !r && i < ARRAY_SIZE(lints); i++) {
		lints[i](&l);
		r = l.err;
	}
	if (r == -ENOMEM)
		fw_diag_fail(d, r, "out of memory checking the rules for warnings");
	if (!r && l.nwarnings) {
		/* NULL without warnings, and qsort() wants a valid pointer even
		 * for 0 elements (C11 7.1.4). */
		if (l.nwarnings > 1)
			qsort(l.warnings, l.nwarnings, sizeof(l.warnings[0]), warning_cmp);
		for (size_t i = 0; i < l.nwarnings; i++) {
			const struct lint_warning *w = &l.warnings[i];

			fw_diag_report(d, FW_DIAG_WARNING, w->at.line, w->at.col, w->at.src,
			               w->at.src_len, "%s", w->msg);
		}
	}
	free(l.warnings);
	return r;
}
