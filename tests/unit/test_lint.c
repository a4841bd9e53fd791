// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_lint.c - the lints of `fwctl check` (ctl/lint.c), each with cases
 * that must warn, at the exact line and column, and cases that must not;
 * the shadow test held against the reference model on random rules and
 * packets (a false "can never match" is the one mistake it must not make);
 * and `fwctl show`'s printer (ctl/show.c), whose text must compile back to
 * the rules it was printed from. No kernel.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lint.h"
#include "model.h"
#include "ruleset.h"
#include "show.h"

static struct fw_ruleset *rs;
static struct fw_diag diag;

/* fw_ruleset_load_mem into *out, freeing what was there. */
static int load(struct fw_ruleset **out, const char *name, const char *text, struct fw_diag *d)
{
	fw_ruleset_free(*out);
	return fw_ruleset_load_mem(name, text, strlen(text), out, d);
}

/* Compile text, which must be free of errors, and lint it. */
static void lint(const char *text)
{
	fw_diag_init(&diag, "test.rules", NULL);
	assert_int_equal(load(&rs, "test.rules", text, &diag), 0);
	assert_int_equal(diag.warnings, 0); /* the compiler itself never warns */
	assert_int_equal(fw_lint(rs, &diag), 0);
}

static void print_warnings(void)
{
	for (unsigned int i = 0; i < diag.count; i++)
		fprintf(stderr, "# %u:%u: %s\n", diag.entries[i].line, diag.entries[i].col,
		        diag.entries[i].msg);
}

static void expect_count(unsigned int n)
{
	if (diag.warnings != n)
		print_warnings();
	assert_int_equal(diag.warnings, n);
	assert_int_equal(diag.errors, 0);
}

/* Warning i (in print order) is at line:col with exactly msg. */
static void expect_warning(unsigned int i, unsigned int line, unsigned int col, const char *msg)
{
	const struct fw_diag_entry *e = &diag.entries[i];

	assert_true(i < diag.count);
	assert_int_equal(e->kind, FW_DIAG_WARNING);
	assert_int_equal(e->line, line);
	assert_int_equal(e->col, col);
	assert_string_equal(e->msg, msg);
}

static void expect_none(const char *text)
{
	lint(text);
	expect_count(0);
}

/* One warning: rule at line:col is shadowed by the rule on line by. */
static void expect_shadow(const char *text, unsigned int line, unsigned int col, unsigned int by)
{
	char msg[FW_DIAG_MSG];

	lint(text);
	expect_count(1);
	snprintf(msg, sizeof(msg), "rule is shadowed by line %u (it can never match)", by);
	expect_warning(0, line, col, msg);
}

/* ---- shadowed rules -------------------------------------------------------- */

static void test_shadow_basic(void **state)
{
	(void)state;
	/* The brief's pair, both ways round. */
	expect_shadow("drop tcp dport 22\ndrop tcp dport 22 saddr 192.0.2.1\n", 2, 1, 1);
	expect_none("drop tcp dport 22 saddr 192.0.2.1\ndrop tcp dport 22\n");
	/* The verdict does not matter: either way the later rule never decides. */
	expect_shadow("pass udp\n\n# c\ndrop udp dport 53\n", 4, 1, 1);
	/* The column is the verb's, after indentation; the caret goes there. */
	expect_shadow("drop udp\n \tdrop udp dport 53 # x\n", 2, 3, 1);
	/* An identical rule. */
	expect_shadow("drop ip6 tcp\ndrop tcp ip6\n", 2, 1, 1);
}

static void test_shadow_catch_all(void **state)
{
	(void)state;
	/* A rule with no match covers everything after it, each reported once,
	 * against the first rule that covers it. */
	lint("pass udp dport 1-100\npass\ndrop udp dport 53\ndrop tcp\n");
	expect_count(2);
	expect_warning(0, 3, 1, "rule is shadowed by line 1 (it can never match)");
	expect_warning(1, 4, 1, "rule is shadowed by line 2 (it can never match)");
	/* The last rule is never shadowed by one after it. */
	expect_none("drop udp dport 53\npass\n");
}

static void test_shadow_addresses(void **state)
{
	(void)state;
	expect_shadow("drop saddr 192.0.2.0/24\npass tcp saddr 192.0.2.128/25 dport 80\n", 2, 1, 1);
	expect_none("drop saddr 192.0.2.0/25\ndrop saddr 192.0.2.0/24\n");
	expect_none("drop saddr 192.0.2.0/24\ndrop daddr 192.0.2.1\n");
	expect_shadow("drop daddr 2001:db8::/32\ndrop udp daddr 2001:db8:1::/48 dport 53\n", 2, 1,
	              1);
	/* 0.0.0.0/0 is every IPv4 address and no IPv6 one. */
	expect_shadow("drop saddr 0.0.0.0/0\ndrop icmp\n", 2, 1, 1);
	expect_none("drop saddr 0.0.0.0/0\ndrop icmpv6\n");
	/* An IPv4 prefix sits in word 0 of an IPv6-sized key: 10.0.0.0/8 has
	 * the bits of a00::/16, but not its family. */
	expect_none("drop saddr 10.0.0.0/8\ndrop saddr a00::/16\n");
	expect_none("drop saddr a00::/8\ndrop saddr 10.0.0.0/8\n");
}

static void test_shadow_negation(void **state)
{
	(void)state;
	/* A negated earlier rule does not falsely shadow: 192.0.2.7 is the
	 * one place saddr != 192.0.2.0/24 does not match. */
	expect_none("drop tcp saddr != 192.0.2.0/24\ndrop tcp saddr 192.0.2.7\n");
	expect_none("drop udp dport != 53\ndrop udp dport 53\n");
	expect_none("drop udp dport != 1-100\ndrop udp dport != 53\n");
	expect_none("drop udp dport 53\ndrop udp dport != 53\n");
	/* Covered in truth (the address is outside the negated prefix) but
	 * not reported: negation is taken only when both sides say the same. */
	expect_none("drop tcp saddr != 192.0.2.0/24\ndrop tcp saddr 198.51.100.7\n");
	/* The same negation on both sides. */
	expect_shadow("drop tcp dport != 22\npass tcp dport != 22 saddr 192.0.2.1\n", 2, 1, 1);
	expect_shadow("drop daddr != 2001:db8::/32\ndrop udp daddr != 2001:db8::/32\n", 2, 1, 1);
	expect_none("drop daddr != 2001:db8::/32\ndrop udp daddr != 2001:db8::/48\n");
}

static void test_shadow_protocols_and_ports(void **state)
{
	(void)state;
	expect_shadow("drop proto 6\ndrop tcp dport 1\n", 2, 1, 1);
	expect_none("drop tcp\ndrop udp dport 53\n");
	expect_shadow("drop udp dport 1-1000\ndrop udp dport 53\n", 2, 1, 1);
	expect_shadow("drop udp sport 53\ndrop udp sport 53 dport 1024-65535\n", 2, 1, 1);
	expect_none("drop udp dport 53\ndrop udp dport 50-60\n");
	expect_none("drop udp dport 53\ndrop tcp dport 53\n");
	expect_none("drop udp sport 53\ndrop udp dport 53\n");
	/* A later fragment has no ports: dport 0-65535 is not all of udp. */
	expect_none("drop udp dport 0-65535\ndrop udp\n");
	/* icmp implies ip; tcp is both families. */
	expect_shadow("drop ip\ndrop icmp type echo-request\n", 2, 1, 1);
	expect_none("drop ip6\ndrop icmp\n");
	expect_none("drop ip\ndrop tcp\n");
	expect_shadow("drop tcp\ndrop ip6 tcp dport 22\n", 2, 1, 1);
}

static void test_shadow_scalar_matches(void **state)
{
	(void)state;
	/* TCP flags: the earlier rule's bits must be pinned the same way. */
	expect_shadow("drop tcp flags syn\ndrop tcp flags syn,!ack\n", 2, 1, 1);
	expect_none("drop tcp flags syn,!ack\ndrop tcp flags syn\n");
	expect_none("drop tcp flags !ack\ndrop tcp flags ack\n");
	expect_none("drop tcp flags syn\ndrop tcp\n");
	/* ICMP type */
	expect_shadow("pass icmp\ndrop icmp type echo-reply\n", 2, 1, 1);
	expect_shadow("pass icmp type echo-request\ndrop icmp type echo-request len 100-200\n", 2,
	              1, 1);
	expect_none("pass icmp type echo-request\ndrop icmp type echo-reply\n");
	expect_none("pass icmp type echo-request\ndrop icmpv6 type echo-request\n");
	/* vlan */
	expect_shadow("drop vlan 7\ndrop udp vlan 7\n", 2, 1, 1);
	expect_none("drop vlan 7\ndrop udp vlan 8\n");
	expect_none("drop vlan 7\ndrop udp\n");
	/* fragment */
	expect_shadow("drop fragment\ndrop udp fragment\n", 2, 1, 1);
	expect_shadow("drop udp\ndrop udp fragment\n", 2, 1, 1);
	expect_none("drop fragment\ndrop udp\n");
	/* len, ttl/hoplimit */
	expect_shadow("drop len 0-100\ndrop tcp len 20-40\n", 2, 1, 1);
	expect_none("drop len 20-40\ndrop len 0-100\n");
	expect_shadow("drop ttl 0-1\ndrop tcp ttl 1\n", 2, 1, 1);
	expect_none("drop ttl 1\ndrop hoplimit 1\n");
	expect_none("drop hoplimit 1-254\ndrop hoplimit 255\n");
}

/* Shadowing and the other lints are independent; the list comes out in
 * line order, not lint by lint. */
static void test_warnings_in_line_order(void **state)
{
	(void)state;
	lint("policy drop\n"
	     "drop ip6\n"
	     "pass icmpv6 name \"icmp\"\n"
	     "pass tcp dport 22 name \"icmp\"\n"
	     "nonip drop\n");
	expect_count(5);
	expect_warning(
	    0, 2, 1,
	    "this rule drops IPv6 neighbour solicitations under policy drop, which cuts this host "
	    "off from IPv6; put pass icmpv6 type nd-neighbor-solicit before it");
	expect_warning(
	    1, 2, 1,
	    "this rule drops IPv6 neighbour advertisements under policy drop, which cuts this host "
	    "off from IPv6; put pass icmpv6 type nd-neighbor-advert before it");
	expect_warning(2, 3, 1, "rule is shadowed by line 2 (it can never match)");
	expect_warning(3, 4, 19, "name \"icmp\" already used on line 3");
	expect_warning(4, 5, 1,
	               "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; "
	               "use nonip pass");
}

/*
 * Soundness against the model: random rules from small pools of values (so
 * that they overlap), random packet keys from the same pools; whenever
 * fw_rule_covers(a, b), every packet b matches must be matched by a. The
 * seed is printed on failure.
 */
#define SOUND_RULES 400
#define SOUND_PKTS  20000

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64* (Vigna): small, seedable, good enough for test data. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

#define PICK(a) (a[rnd(sizeof(a) / sizeof(a[0]))])

static const char *const v4_prefixes[] = {"192.0.2.0/24",    "192.0.2.128/25", "192.0.2.1",
                                          "198.51.100.0/24", "0.0.0.0/0",      "10.0.0.0/8"};
static const char *const v6_prefixes[] = {"2001:db8::/32", "2001:db8:1::/48", "2001:db8::1",
                                          "fe80::/10",     "a00::/16",        "::/0"};
static const char *const port_values[] = {"22", "53", "1-1000", "0-65535", "50-60", "1024-65535"};
static const char *const flag_values[] = {"syn", "syn,!ack", "ack", "!ack", "fin,syn", "!syn"};
static const char *const len_values[] = {"0-100", "20-40", "28", "0-65535", "60-1500"};
static const char *const ttl_values[] = {"1", "0-1", "1-255", "64", "0-64", "0-255"};

static void random_rule(char *buf, size_t size)
{
	static const char *const protos[] = {"", "tcp", "udp", "icmp", "icmpv6", "proto 47"};
	const char *proto = PICK(protos);
	int v6 = strcmp(proto, "icmp") ? (strcmp(proto, "icmpv6") ? (int)rnd(2) : 1) : 0;
	int ports = !strcmp(proto, "tcp") || !strcmp(proto, "udp");
	size_t n = 0;

#define ADD(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	ADD("%s", rnd(2) ? "pass" : "drop");
	if (!rnd(4))
		ADD(" %s", v6 ? "ip6" : "ip");
	if (*proto)
		ADD(" %s", proto);
	if (!rnd(3))
		ADD(" saddr %s%s", rnd(4) ? "" : "!= ", v6 ? PICK(v6_prefixes) : PICK(v4_prefixes));
	if (!rnd(4))
		ADD(" daddr %s%s", rnd(4) ? "" : "!= ", v6 ? PICK(v6_prefixes) : PICK(v4_prefixes));
	if (ports && !rnd(2))
		ADD(" dport %s%s", rnd(4) ? "" : "!= ", PICK(port_values));
	if (ports && !rnd(4))
		ADD(" sport %s%s", rnd(4) ? "" : "!= ", PICK(port_values));
	if (!strcmp(proto, "tcp") && !rnd(3))
		ADD(" flags %s", PICK(flag_values));
	if (!strcmp(proto, "icmp") && !rnd(2))
		ADD(" type %s", rnd(2) ? "echo-request" : "echo-reply");
	if (!strcmp(proto, "icmpv6") && !rnd(2))
		ADD(" type %s", rnd(2) ? "echo-request" : "nd-neighbor-solicit");
	if (!rnd(6))
		ADD(" vlan %u", 7 + rnd(2));
	if (!rnd(6))
		ADD(" fragment");
	if (!rnd(5))
		ADD(" len %s", PICK(len_values));
	if (!rnd(5))
		ADD(" %s %s", v6 ? "hoplimit" : "ttl", PICK(ttl_values));
#undef ADD
}

static void random_addr(int v6, __u32 *addr)
{
	static const char *const v4[] = {"192.0.2.1", "192.0.2.130", "198.51.100.7", "10.1.2.3",
	                                 "203.0.113.9"};
	static const char *const v6s[] = {"2001:db8::1", "2001:db8:1::5", "fe80::1", "a00::1",
	                                  "2001:db8:2::1"};

	memset(addr, 0, 16);
	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PICK(v6s) : PICK(v4), addr), 1);
}

static void random_pkt(struct xdpfw_pkt *k)
{
	static const uint8_t protos[] = {6, 17, 1, 58, 47};
	static const uint16_t ports[] = {22, 53, 60, 999, 1000, 1024, 40000, 0, 65535};
	static const uint8_t types[] = {0, 8, 128, 135, 136, 3};
	static const uint16_t lens[] = {20, 28, 40, 60, 100, 1500, 9000};
	static const uint8_t ttls[] = {0, 1, 2, 64, 65, 255};
	int v6 = (int)rnd(2);

	memset(k, 0, sizeof(*k));
	k->family = v6 ? XDPFW_FAMILY_IPV6 : XDPFW_FAMILY_IPV4;
	k->proto = PICK(protos);
	random_addr(v6, k->saddr);
	random_addr(v6, k->daddr);
	if (!rnd(4))
		k->flags |= XDPFW_PKT_FRAGMENT | (rnd(2) ? XDPFW_PKT_LATER_FRAG : 0);
	if (v6 && (k->flags & XDPFW_PKT_LATER_FRAG) && !rnd(8))
		k->flags |= XDPFW_PKT_NO_PROTO;
	if ((k->proto == 6 || k->proto == 17) && !(k->flags & XDPFW_PKT_LATER_FRAG)) {
		k->flags |= XDPFW_PKT_PORTS;
		k->sport = PICK(ports);
		k->dport = PICK(ports);
		if (k->proto == 6)
			k->tcp_flags = (uint8_t)rnd(256);
	}
	if ((k->proto == 1 && !v6) || (k->proto == 58 && v6))
		k->icmp_type = PICK(types);
	if (rnd(2)) {
		k->vlan_count = 1;
		k->vlan[0] = (uint16_t)(6 + rnd(3));
	}
	k->ip_len = PICK(lens);
	k->ttl = PICK(ttls);
}

static void test_shadow_sound_against_model(void **state)
{
	static struct fw_ruleset *one[SOUND_RULES];
	static struct xdpfw_pkt pkts[SOUND_PKTS];
	static uint8_t hit[SOUND_RULES][SOUND_PKTS];
	static char texts[SOUND_RULES][256];
	uint64_t seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ 0x1234;
	unsigned int n = 0, covered = 0, checked = 0, tries = 0;

	(void)state;
	if (getenv("LINT_SEED"))
		seed = strtoull(getenv("LINT_SEED"), NULL, 0);
	rng_state = seed ? seed : 1;
	while (n < SOUND_RULES && tries++ < 100 * SOUND_RULES) {
		struct fw_diag quiet;

		random_rule(texts[n], sizeof(texts[n]));
		fw_diag_init(&quiet, "random", NULL);
		if (!load(&one[n], "random", texts[n], &quiet))
			n++;
	}
	assert_int_equal(n, SOUND_RULES);
	for (unsigned int k = 0; k < SOUND_PKTS; k++)
		random_pkt(&pkts[k]);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int k = 0; k < SOUND_PKTS; k++)
			hit[i][k] = fw_model_classify(one[i], &pkts[k]) == 0;

	for (unsigned int a = 0; a < n; a++) {
		for (unsigned int b = 0; b < n; b++) {
			if (a == b || !fw_rule_covers(&one[a]->rules[0], &one[b]->rules[0]))
				continue;
			covered++;
			for (unsigned int k = 0; k < SOUND_PKTS; k++) {
				if (!hit[b][k])
					continue;
				checked++;
				if (!hit[a][k]) {
					fprintf(stderr,
					        "# seed %#" PRIx64
					        " (LINT_SEED): '%s' said to cover '%s', but packet "
					        "%u matches only the latter\n",
					        seed, texts[a], texts[b], k);
					fail();
				}
			}
		}
	}
	/* Not vacuous: enough pairs were covered, and their packets tried. */
	if (covered < 200 || checked < 10000)
		fprintf(stderr, "# seed %#" PRIx64 ": %u covered pairs, %u packets checked\n", seed,
		        covered, checked);
	assert_true(covered >= 200);
	assert_true(checked >= 10000);
	for (unsigned int i = 0; i < n; i++) {
		fw_ruleset_free(one[i]);
		one[i] = NULL;
	}
}

/* ---- names ---------------------------------------------------------------- */

static void test_duplicate_names(void **state)
{
	(void)state;
	lint("pass tcp dport 22 name \"ssh\"\n"
	     "pass tcp dport 2222 name \"ssh\" log\n"
	     "pass udp dport 53 name \"dns\"\n"
	     "pass udp dport 5353 log name \"ssh\"\n");
	expect_count(2);
	expect_warning(0, 2, 21, "name \"ssh\" already used on line 1");
	/* A third use names the first. */
	expect_warning(1, 4, 25, "name \"ssh\" already used on line 1");
	expect_none("pass tcp dport 22 name \"ssh\"\npass tcp dport 23 name \"ssh2\"\npass\n");
	expect_none("pass tcp dport 22\npass tcp dport 23\n"); /* no name is no name */
	/* Case matters, as everywhere in names. */
	expect_none("pass tcp dport 22 name \"ssh\"\npass tcp dport 23 name \"SSH\"\n");
}

/* ---- settings that cut the host off ---------------------------------------- */

static void test_nonip_drop(void **state)
{
	(void)state;
	lint("policy drop\n  nonip drop   # ARP too\npass icmpv6\n");
	expect_count(1);
	expect_warning(0, 2, 3,
	               "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; "
	               "use nonip pass");
	/* Either setting alone, or pass: nothing. */
	expect_none("nonip drop\n");
	expect_none("policy pass\nnonip drop\n");
	expect_none("policy drop\nnonip pass\npass icmpv6\n");
	/* Settings after the rules count the same. */
	lint("pass icmpv6\nnonip drop\npolicy drop\n");
	expect_count(1);
	expect_warning(0, 2, 1,
	               "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; "
	               "use nonip pass");
}

#define ND_NS_POLICY                                                                               \
	"policy drop drops IPv6 neighbour solicitations, which cuts this host off from IPv6; add " \
	"pass icmpv6 type nd-neighbor-solicit"
#define ND_NA_POLICY                                                                               \
	"policy drop drops IPv6 neighbour advertisements, which cuts this host off from IPv6; "    \
	"add pass icmpv6 type nd-neighbor-advert"

static void test_neighbour_discovery(void **state)
{
	(void)state;
	lint("# a server\npolicy drop\npass tcp dport 22\n");
	expect_count(2);
	expect_warning(0, 2, 1, ND_NS_POLICY);
	expect_warning(1, 2, 1, ND_NA_POLICY);

	/* Passing solicitations silences that warning only. */
	lint("policy drop\npass icmpv6 type nd-neighbor-solicit\n");
	expect_count(1);
	expect_warning(0, 1, 1, ND_NA_POLICY);
	lint("policy drop\npass icmpv6 type nd-neighbor-advert\n");
	expect_count(1);
	expect_warning(0, 1, 1, ND_NS_POLICY);

	/* Any rule that passes the frames will do: the model decides. */
	expect_none("policy drop\npass icmpv6 type nd-neighbor-solicit\n"
	            "pass icmpv6 type nd-neighbor-advert\n");
	expect_none("policy drop\npass icmpv6 type nd-neighbor-solicit hoplimit 255\n"
	            "pass icmpv6 type nd-neighbor-advert hoplimit 255\n");
	expect_none("policy drop\npass icmpv6\n");
	expect_none("policy drop\npass ip6\n");
	expect_none("policy drop\npass daddr ff02::/16\npass daddr fe80::/10\n");
	/* ...and a rule that does not pass the real frame does not. */
	lint("policy drop\npass icmpv6 type nd-neighbor-solicit daddr 2001:db8::/32\n"
	     "pass icmpv6 type nd-neighbor-advert hoplimit 64\npass icmpv6 type echo-request\n");
	expect_count(2);
	expect_warning(0, 1, 1, ND_NS_POLICY);
	expect_warning(1, 1, 1, ND_NA_POLICY);

	/* Under policy pass nothing is said, even when a rule drops ND: that
	 * is not the forgotten rule this lint is about. */
	expect_none("drop icmpv6\n");
	expect_none("policy pass\ndrop ip6\n");
}

static void test_neighbour_discovery_dropped_by_rule(void **state)
{
	(void)state;
	lint("policy drop\npass icmpv6 type echo-request\n\tdrop icmpv6 hoplimit 255\npass "
	     "icmpv6\n");
	expect_count(2);
	expect_warning(
	    0, 3, 2,
	    "this rule drops IPv6 neighbour solicitations under policy drop, which cuts this host "
	    "off from IPv6; put pass icmpv6 type nd-neighbor-solicit before it");
	expect_warning(
	    1, 3, 2,
	    "this rule drops IPv6 neighbour advertisements under policy drop, which cuts this host "
	    "off from IPv6; put pass icmpv6 type nd-neighbor-advert before it");
}

/* ---- without the source ------------------------------------------------------ */

static void test_without_source(void **state)
{
	static const char text[] = "policy drop\nnonip drop\npass ip6\n\n  drop ip6 udp\n";

	(void)state;
	lint(text);
	expect_count(2);
	expect_warning(0, 2, 1,
	               "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; "
	               "use nonip pass");
	expect_warning(1, 5, 3, "rule is shadowed by line 3 (it can never match)");

	/* No source (a rule set read back from a kernel): rules at column 1
	 * of their line, settings unplaced (last). */
	free(rs->source);
	free(rs->rule_src);
	rs->source = NULL;
	rs->rule_src = NULL;
	memset(rs->setting_src, 0, sizeof(rs->setting_src));
	fw_diag_init(&diag, "test.rules", NULL);
	assert_int_equal(fw_lint(rs, &diag), 0);
	expect_count(2);
	expect_warning(0, 5, 1, "rule is shadowed by line 3 (it can never match)");
	expect_warning(1, 0, 0,
	               "nonip drop with policy drop drops ARP, which cuts this host off from IPv4; "
	               "use nonip pass");
}

/* As printed: FILE:LINE:COL: warning:, the line, the caret under the verb. */
static void test_printed_warning(void **state)
{
	static const char text[] = "drop udp\n\tdrop udp dport 53\n";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, "t.rules", f);
	assert_int_equal(load(&rs, "t.rules", text, &diag), 0);
	assert_int_equal(fw_lint(rs, &diag), 0);
	fclose(f);
	assert_string_equal(
	    out, "t.rules:2:2: warning: rule is shadowed by line 1 (it can never match)\n"
	         "\tdrop udp dport 53\n"
	         "\t^\n");
	free(out);
}

/* ---- the examples ------------------------------------------------------------ */

/* rules/ of the source tree: next to this file, whether __FILE__ is
 * absolute, relative to the build directory, or to the source root. */
static void rules_dir(char *path, size_t size)
{
	char here[] = __FILE__;

	snprintf(path, size, "%s/../../rules", dirname(here));
	if (access(path, R_OK))
		snprintf(path, size, "rules");
}

/* Calls fn on every FILE.rules in rules/; returns how many. */
static unsigned int for_each_example(void (*fn)(const char *path))
{
	char dir[4096], path[8192];
	unsigned int n = 0;
	struct dirent *e;
	DIR *d;

	rules_dir(dir, sizeof(dir));
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 7 || strcmp(e->d_name + l - 6, ".rules"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fn(path);
		n++;
	}
	closedir(d);
	return n;
}

static void example_lints_clean(const char *path)
{
	fw_diag_init(&diag, path, stderr);
	fw_ruleset_free(rs);
	assert_int_equal(fw_ruleset_load_file(path, &rs, &diag), 0);
	assert_int_equal(fw_lint(rs, &diag), 0);
	expect_count(0);
}

/* What `fwctl check --strict` demands of every example. */
static void test_examples_lint_clean(void **state)
{
	(void)state;
	assert_true(for_each_example(example_lints_clean) >= 4);
}

/* ---- fwctl show: printed back, compiled again -------------------------------- */

static const struct fw_show_head head = {"veth0", 5, 42, "native"};

/* Print rs as fwctl show does (malloc'ed), with made-up counters. */
static char *show_text(const struct fw_ruleset *set, bool json)
{
	struct xdpfw_counter *counters = calloc(set->config.rule_count + 1, sizeof(*counters));
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(counters);
	for (unsigned int i = 0; i < set->config.rule_count; i++)
		counters[i] = (struct xdpfw_counter){.packets = i * 1000u, .bytes = i * 74000u};
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(fw_show_print(f, json, &head, set, counters), 0);
	fclose(f);
	free(counters);
	return out;
}

/* The compiled rules, but for their line and counter slot. */
static void expect_same_rules(const struct fw_ruleset *a, const struct fw_ruleset *b)
{
	assert_int_equal(a->config.rule_count, b->config.rule_count);
	assert_int_equal(a->config.policy, b->config.policy);
	assert_int_equal(a->config.nonip, b->config.nonip);
	assert_int_equal(a->config.malformed, b->config.malformed);
	for (unsigned int i = 0; i < a->config.rule_count; i++) {
		struct xdpfw_rule x = a->rules[i], y = b->rules[i];

		x.line = y.line = 0;
		x.counter = y.counter = 0;
		/* Set ids follow the order sets are printed in, not written. */
		x.saddr_set = y.saddr_set = x.daddr_set = y.daddr_set = 0;
		x.sport_set = y.sport_set = x.dport_set = y.dport_set = 0;
		assert_memory_equal(&x, &y, sizeof(x));
	}
	assert_int_equal(a->naddrs, b->naddrs);
	assert_int_equal(a->nport_sets, b->nport_sets);
}

/* What fw_show_print() can print back as a rule file: a match it did not
 * know would leave the round trip, and say so. */
#define SHOW_MATCHES                                                                               \
	(XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_SPORT |          \
	 XDPFW_M_DPORT | XDPFW_M_TCPFLAGS | XDPFW_M_ICMPTYPE | XDPFW_M_VLAN | XDPFW_M_FRAGMENT |   \
	 XDPFW_M_LEN | XDPFW_M_TTL | XDPFW_M_SADDR_SET | XDPFW_M_DADDR_SET | XDPFW_M_SPORT_SET |   \
	 XDPFW_M_DPORT_SET)

static void round_trip(const char *name, const struct fw_ruleset *orig)
{
	struct fw_ruleset *back = NULL;
	struct fw_diag d;
	char *text;

	for (unsigned int i = 0; i < orig->config.rule_count; i++) {
		if (orig->rules[i].match & ~(__u32)SHOW_MATCHES) {
			printf("# %s: line %u uses a match fwctl show cannot print back yet; "
			       "skipped\n",
			       name, orig->rules[i].line);
			return;
		}
	}
	text = show_text(orig, false);
	fw_diag_init(&d, name, stderr);
	if (fw_ruleset_load_mem(name, text, strlen(text), &back, &d))
		fprintf(stderr, "# fwctl show printed:\n%s", text);
	assert_int_equal(d.errors, 0);
	expect_same_rules(orig, back);
	fw_ruleset_free(back);
	free(text);
}

static void example_round_trip(const char *path)
{
	struct fw_ruleset *orig = NULL;
	struct fw_diag d;

	fw_diag_init(&d, path, stderr);
	assert_int_equal(fw_ruleset_load_file(path, &orig, &d), 0);
	round_trip(path, orig);
	fw_ruleset_free(orig);
}

static void test_show_round_trip(void **state)
{
	static const char every[] =
	    "malformed pass\nnonip drop\npolicy drop\n"
	    "pass icmpv6 type nd-neighbor-solicit hoplimit 255 name \"nd # ns\"\n"
	    "pass ip6 icmpv6 type 200\n"
	    "pass icmp type echo-request len 28-1500 log\n"
	    "drop tcp saddr != 192.0.2.0/24 daddr 203.0.113.0/24 sport != 1-1023\n"
	    "drop tcp saddr != 198.51.100.0/24 dport != 22 flags syn,!ack,!rst vlan 4095\n"
	    "drop proto 47 fragment ttl 0-1\n"
	    "drop ip6 proto 200\ndrop ip\ndrop ip6 udp len 0-65535 hoplimit 255\n"
	    "pass udp dport 0-65535 name \"a b\" log\n"
	    "pass\n";
	struct fw_ruleset *orig = NULL;
	struct fw_diag d;

	(void)state;
	fw_diag_init(&d, "every", stderr);
	assert_int_equal(fw_ruleset_load_mem("every", every, strlen(every), &orig, &d), 0);
	round_trip("every", orig);
	fw_ruleset_free(orig);
	assert_true(for_each_example(example_round_trip) >= 4);
}

static void expect_line(const char *out, const char *fmt, const char *rule)
{
	char line[256];

	line[0] = '\n';
	snprintf(line + 1, sizeof(line) - 2, fmt, rule);
	strcat(line, "\n");
	if (!strstr(out, line))
		fprintf(stderr, "# no line '%s' in:\n%s", line + 1, out);
	assert_non_null(strstr(out, line));
}

static void test_show_text(void **state)
{
	static const char text[] = "policy drop\npass icmpv6\n"
	                           "drop udp dport 53 name \"dns\"\n"
	                           "pass tcp dport 22 saddr 2001:db8:1::/48\n";
	char *out;

	(void)state;
	lint(text);
	out = show_text(rs, false);
	/* Counters: rule i was given i * 1000 packets. */
	assert_non_null(
	    strstr(out, "# xdpfw on veth0 (ifindex 5): program 42, native mode, 3 rules, digest "));
	assert_non_null(strstr(out, "\npolicy drop\nnonip pass\nmalformed drop\n\n"));
	/* Comments line up after the longest rule (39 bytes). */
	expect_line(out, "%-39s   # 0 packets, 0 bytes", "pass icmpv6");
	expect_line(out, "%-39s   # 1000 packets, 74000 bytes", "drop udp dport 53 name \"dns\"");
	expect_line(out, "%-39s   # 2000 packets, 148000 bytes",
	            "pass tcp saddr 2001:db8:1::/48 dport 22");
	free(out);

	out = show_text(rs, true);
	assert_non_null(strstr(out, "\"interface\":\"veth0\",\"ifindex\":5,\"program_id\":42,"
	                            "\"mode\":\"native\",\"rule_count\":3,"));
	assert_non_null(strstr(out, "\"policy\":\"drop\",\"nonip\":\"pass\",\"malformed\":\"drop\","
	                            "\"sets\":[],\"rules\":["));
	assert_non_null(strstr(out, "{\"index\":1,\"line\":3,\"text\":\"drop udp dport 53 name "
	                            "\\\"dns\\\"\",\"name\":\"dns\",\"action\":\"drop\","
	                            "\"packets\":1000,\"bytes\":74000}"));
	assert_null(strstr(out, "#"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shadow_basic),
	    cmocka_unit_test(test_shadow_catch_all),
	    cmocka_unit_test(test_shadow_addresses),
	    cmocka_unit_test(test_shadow_negation),
	    cmocka_unit_test(test_shadow_protocols_and_ports),
	    cmocka_unit_test(test_shadow_scalar_matches),
	    cmocka_unit_test(test_shadow_sound_against_model),
	    cmocka_unit_test(test_warnings_in_line_order),
	    cmocka_unit_test(test_duplicate_names),
	    cmocka_unit_test(test_nonip_drop),
	    cmocka_unit_test(test_neighbour_discovery),
	    cmocka_unit_test(test_neighbour_discovery_dropped_by_rule),
	    cmocka_unit_test(test_without_source),
	    cmocka_unit_test(test_printed_warning),
	    cmocka_unit_test(test_examples_lint_clean),
	    cmocka_unit_test(test_show_round_trip),
	    cmocka_unit_test(test_show_text),
	};

	return cmocka_run_group_tests_name("test_lint", tests, NULL, NULL);
}
