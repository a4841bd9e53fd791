// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cls.c - the classifier's tables (ctl/cls.c) without the kernel: the
 * store picked for address fields of each shape (an LPM store, or the array
 * with groups or an LPM store for its long prefixes), the limit on distinct
 * vectors, and fw_cls_lookup() (what the program computes from the tables)
 * against the reference model on random rule sets and packet keys.
 * tests/bpf/test_diff.c then holds the program itself to the model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cls.h"
#include "model.h"
#include "ruleset.h"

static struct fw_ruleset *rs;
static struct fw_diag diag;

static int load(const char *text)
{
	fw_diag_init(&diag, "t.rules", NULL);
	fw_ruleset_free(rs);
	return fw_ruleset_load_mem("t.rules", text, strlen(text), &rs, &diag);
}

static void load_ok(const char *text)
{
	if (load(text))
		fail_msg("rules rejected: %s", diag.count ? diag.entries[0].msg : "?");
	assert_non_null(rs->cls);
}

/* A growing rule text. */
struct text {
	char *s;
	size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
		va_end(ap);
		if (t->s && t->n + (size_t)k < t->cap)
			break;
		t->cap = t->cap ? t->cap * 2 : 1 << 16;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->n += (size_t)k;
}

/* The D16 store of saddr, filled, looked up as the program does, against
 * the longest-prefix walk over the same prefixes (fw_cls_addr_class) for
 * `step`-spaced addresses from `lo` to `hi`. */
static void d16_against_model(__u32 lo, __u32 hi, __u32 step)
{
	struct xdpfw_dir_block *b = calloc(XDPFW_D16_MAP_BLOCKS, sizeof(*b));
	const __u16 *l1 = (const __u16 *)b, *g = (const __u16 *)&b[XDPFW_D16_L1_BLOCKS];

	assert_non_null(b);
	assert_true(fw_cls_d16_fill(rs->cls, 0, b) <= XDPFW_D16_MAP_BLOCKS);
	for (__u32 ip = lo; ip <= hi && ip >= lo; ip += step) {
		struct xdpfw_pkt k = {.family = XDPFW_FAMILY_IPV4, .proto = 17};
		__u32 e = l1[ip >> 16];
		int want, got;

		if (e & XDPFW_DIR_LONGER)
			e = g[(e & XDPFW_DIR_ID_MASK) * 256 + ((ip >> 8) & 0xff)];
		if (e & XDPFW_DIR_LONGER)
			e = g[(e & XDPFW_DIR_ID_MASK) * 256 + (ip & 0xff)];
		k.saddr[0] = htonl(ip);
		want = (int)fw_cls_addr_class(rs->cls, 0, &k, k.saddr);
		got = (int)e;
		if (want != got)
			fail_msg("%08x: small array says class %d, the prefix walk %d", ip, got,
			         want);
	}
	free(b);
}

static void test_small_ipv4_set_is_d16(void **state)
{
	const struct xdpfw_addr_shape *sh;

	(void)state;
	load_ok("set s = { 192.0.2.1, 192.0.2.7, 198.51.100.9 }\ndrop saddr @s\n");
	sh = &rs->cls->shape[0][0];
	assert_int_equal(sh->store, XDPFW_STORE_D16);
	assert_int_equal(rs->cls->shape[1][0].store, XDPFW_STORE_NONE);
	assert_int_equal(rs->cls->nprefixes[0][0], 3);
	d16_against_model(0xc0000000, 0xc00003ff, 1);
	/* Nested prefixes of every depth, different rules. */
	load_ok("pass saddr 198.18.0.0/15\ndrop saddr 198.18.128.0/17\npass saddr 198.18.130.0/23\n"
	        "drop saddr 198.18.130.64/26\npass saddr 198.18.130.77\ndrop saddr 198.19.0.0/16\n"
	        "pass saddr 198.19.255.254/31\ndrop saddr { 192.0.2.0/24, 203.0.113.128/25 }\n");
	assert_int_equal(rs->cls->shape[0][0].store, XDPFW_STORE_D16);
	d16_against_model(0xc6120000, 0xc613ffff, 3);
	d16_against_model(0xc6128200, 0xc61282ff, 1);
	d16_against_model(0xc0000000, 0xc00003ff, 1);
	d16_against_model(0xcb007100, 0xcb0071ff, 1);
}

/* The DIR store of saddr, filled, looked up as the program does, against
 * the longest-prefix walk (fw_cls_addr_class) for addresses in 198.18/15. */
static void dir_against_model(void)
{
	struct xdpfw_dir_block *dir = malloc((size_t)XDPFW_DIR_BLOCKS * sizeof(*dir));
	struct xdpfw_dir_group *groups = calloc(rs->cls->dir[0].ngroups + 1, sizeof(*groups));

	assert_non_null(dir);
	assert_non_null(groups);
	fw_cls_dir_fill(rs->cls, 0, dir, groups);
	for (__u32 ip = 0xc6120000; ip < 0xc6140000; ip += 7) {
		struct xdpfw_pkt k = {.family = XDPFW_FAMILY_IPV4, .proto = 17};
		__u16 e = ((const __u16 *)dir)[ip >> 8]; /* one array of 2^24 */
		__u32 got = e, want;

		if (e & XDPFW_DIR_LONGER) {
			got = e & XDPFW_DIR_ID_MASK;
			if (!(e & XDPFW_DIR_HASHED)) {
				got = groups[got].id[ip & 0xff];
			} else {
				got = fw_cls_rec24_lookup(rs->cls, 0, ip, got);
			}
		}
		k.saddr[0] = htonl(ip);
		want = fw_cls_addr_class(rs->cls, 0, &k, k.saddr);
		if (want != got)
			fail_msg("%08x: array class %u, the prefix walk %u", ip, got, want);
	}
	free(dir);
	free(groups);
}

static void test_large_ipv4_set_is_an_array(void **state)
{
	struct text t = {0};
	const struct xdpfw_addr_shape *sh;

	(void)state;
	add(&t, "set big = {\n");
	for (int i = 0; i < 2000; i++) /* hosts */
		add(&t, "198.18.%d.%d,\n", i / 256 + 2, i % 256);
	for (int i = 0; i < 500; i++) /* /30s elsewhere, and some /29s */
		add(&t, "198.19.%d.%d/30,\n", i / 64, i % 64 * 4);
	for (int i = 0; i < 100; i++)
		add(&t, "198.19.%d.%d/29,\n", 100 + i / 32, i % 32 * 8);
	add(&t, "198.19.128.0/20 }\ndrop saddr @big\n");
	load_ok(t.s);
	sh = &rs->cls->shape[0][0];
	assert_int_equal(sh->store, XDPFW_STORE_DIR);
	/* Hosts in 8 /24s, /30s in 8, /29s in 4: a group each. */
	assert_int_equal(rs->cls->dir[0].ngroups, 8 + 8 + 4);
	assert_int_equal(rs->cls->dir[0].nhashed, 0);
	assert_int_equal(sh->npages, 0);
	dir_against_model();
	/* One group short: the /24 where longer prefixes hold the fewest
	 * addresses (198.19.103.0, 4 /29s) gets a record instead. */
	fw_cls_dir_group_limit = 19;
	load_ok(t.s);
	sh = &rs->cls->shape[0][0]; /* the rule set is a new one */
	assert_int_equal(rs->cls->dir[0].ngroups, 19);
	assert_int_equal(rs->cls->dir[0].nhashed, 1);
	assert_int_equal(rs->cls->dir[0].nspilled, 0);
	assert_true(sh->nrec >= 1);
	assert_int_equal(sh->npages, 0);
	dir_against_model();
	/* No groups: the /24s of more than XDPFW_REC24_MAX longer prefixes
	 * (8 of hosts, 8 of /30s, 3 of 32 /29s) spill into the LPM store, the
	 * last /24 of /29s keeps its record. */
	fw_cls_dir_group_limit = 0;
	load_ok(t.s);
	sh = &rs->cls->shape[0][0];
	assert_int_equal(rs->cls->dir[0].ngroups, 0);
	assert_int_equal(rs->cls->dir[0].nhashed, 20);
	assert_int_equal(rs->cls->dir[0].nspilled, 19);
	assert_int_equal(sh->nlens, 3); /* /29, /30, /32 */
	dir_against_model();
	fw_cls_dir_group_limit = XDPFW_DIR_GROUPS;
	free(t.s);
}

/* The LPM store of saddr, IPv6, looked up as the program does, against the
 * longest-prefix walk, at n addresses around each prefix. */
static void lpm6_against_model(void)
{
	const struct fw_cls *c = rs->cls;

	for (__u32 i = 0; i < c->nprefixes[0][1]; i++) {
		for (int d = -2; d <= 2; d++) {
			struct xdpfw_pkt k = {.family = XDPFW_FAMILY_IPV6, .proto = 17};
			__u32 h[4], got, want;

			memcpy(k.saddr, c->prefixes[0][1][i].addr, 16);
			/* inside, just past its end, just before it, and beyond */
			h[3] = ntohl(k.saddr[3]) + (__u32)d * 0x01010101u;
			k.saddr[3] = htonl(h[3]);
			for (int w = 0; w < 4; w++)
				h[w] = ntohl(k.saddr[w]);
			got = fw_cls_lpm_lookup(c, 0, 1, h, c->shape[0][1].miss);
			want = fw_cls_addr_class(c, 0, &k, k.saddr);
			if (got != want)
				fail_msg("prefix %u%+d: LPM store class %u, the prefix walk %u", i,
				         d, got, want);
		}
	}
}

static void test_ipv6_is_an_lpm_store(void **state)
{
	struct text t = {0};
	const struct xdpfw_addr_shape *sh;
	unsigned int seed = 7;

	(void)state;
	/* Nested prefixes of different rules: each its own class. */
	load_ok(
	    "drop saddr 2001:db8::/32\npass saddr 2001:db8:1::/48\ndrop saddr 2001:db8:1:2::/56\n"
	    "pass saddr 2001:db8:1:3::/64\ndrop saddr 2001:db8:1:3::/96\n"
	    "pass saddr 2001:db8:1:3::1/128\n");
	sh = &rs->cls->shape[0][1];
	assert_int_equal(sh->store, XDPFW_STORE_LPM);
	assert_int_equal(rs->cls->nprefixes[0][1], 6);
	assert_int_equal(sh->nlens, 6);
	lpm6_against_model();
	/* Random prefixes of every length from /48 on, in a set and in rules
	 * of their own, nested by chance and on purpose. */
	add(&t, "set s = {\n");
	for (int i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		add(&t, "2001:db8:%x:%x:%x:%x:%x:%x/%u,\n", seed >> 16, seed & 0xffff,
		    seed >> 8 & 0xffff, (seed * 7) & 0xffff, (seed * 13) >> 16,
		    (seed * 31) & 0xffff, 48 + (seed >> 20) % 81);
	}
	add(&t, "}\ndrop saddr @s\n");
	for (int i = 0; i < 40; i++) {
		seed = seed * 1103515245u + 12345u;
		add(&t, "%s saddr 2001:db8:%x::/%u\n", i % 2 ? "pass" : "drop", seed >> 24,
		    40 + (seed >> 8) % 80);
	}
	add(&t, "pass saddr 2001:db8::/33\n"); /* around them all */
	load_ok(t.s);
	sh = &rs->cls->shape[0][1];
	assert_int_equal(sh->store, XDPFW_STORE_LPM);
	assert_true(sh->nlens > 64);
	assert_true(rs->cls->nlpm_keys[0][1] >= rs->cls->nprefixes[0][1]);
	lpm6_against_model();
	free(t.s);
}

/* Prefixes that answer as the prefix holding them are not stored. */
static void test_redundant_prefixes_dropped(void **state)
{
	(void)state;
	load_ok("drop saddr { 192.0.2.0/24, 192.0.2.128/25, 192.0.2.7 }\n");
	assert_int_equal(rs->cls->nprefixes[0][0], 1);
	load_ok("drop saddr { 192.0.2.0/24, 192.0.2.7 }\npass saddr 192.0.2.7\n");
	assert_int_equal(rs->cls->nprefixes[0][0], 2);
}

/*
 * A rule set no table of first rules holds within its budget: every rule
 * with ranges of its own in four fields, overlapping. It is not refused:
 * the planner cuts it into partitions and leaves the rest to the vectors,
 * and every key still gets the model's rule.
 */
static void test_no_refusal(void **state)
{
	struct text t = {0};
	__u64 seed = 42;

	(void)state;
	for (int i = 0; i < 4096; i++)
		add(&t, "drop udp saddr 198.18.%d.%d dport %d-%d len %d-%d sport %d-%d ttl %d-%d\n",
		    i / 256, i % 256, i + 1, i + 2, i + 100, i + 102, i + 1, i + 4, i % 200,
		    i % 200 + 50);
	load_ok(t.s);
	assert_false(rs->cls->small);
	assert_true(rs->cls->plan.nparts >= 1);
	for (int k = 0; k < 20000; k++) {
		struct xdpfw_pkt p = {
		    .family = XDPFW_FAMILY_IPV4, .proto = 17, .flags = XDPFW_PKT_PORTS};
		int i;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		i = (int)((seed >> 33) % 4096);
		p.saddr[0] = htonl(0xc6120000u | (__u32)i);
		p.dport = (__u16)(i + 1 + (seed >> 20) % 3);
		p.sport = (__u16)(i + 1 + (seed >> 24) % 5);
		p.ip_len = (__u16)(i + 100 + (seed >> 28) % 4);
		p.ttl = (__u8)(i % 200 + (seed >> 12) % 60);
		assert_int_equal(fw_cls_lookup(rs->cls, &p, rs->config.rule_count),
		                 fw_model_classify(rs, &p));
	}
	free(t.s);
}

/* Up to XDPFW_SMALL_RULES rules without limits, classes are rule bitmaps. */
static void test_small_sets_use_bitmaps(void **state)
{
	struct text t = {0};

	(void)state;
	for (int i = 0; i < XDPFW_SMALL_RULES; i++)
		add(&t, "drop udp dport %d\n", 100 + i);
	load_ok(t.s);
	assert_true(rs->cls->small);
	assert_int_equal(rs->config.cls_flags, XDPFW_CLS_SMALL);
	/* dport 105 is rule 5's class: bit 5 alone. */
	assert_int_equal(rs->cls->blocks[XDPFW_CLS_BASE_DPORT].id[105], 1u << 5);
	add(&t, "drop udp dport 1\n");
	load_ok(t.s);
	assert_false(rs->cls->small);
	assert_int_equal(rs->config.cls_flags, 0);
	load_ok("drop udp dport 53 limit over 10/s\n");
	assert_false(rs->cls->small);
	free(t.s);
}

/* ---- random rule sets against the model -------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const v4net[] = {"192.0.2.", "198.51.100.", "203.0.113."};

static void rand_v4(struct text *t)
{
	int len = (int[]){8, 16, 24, 25, 28, 31, 32}[rnd(7)];

	add(t, "%s%u/%d", v4net[rnd(3)], rnd(256), len);
}

static void rand_v6(struct text *t)
{
	int len = (int[]){32, 48, 64, 100, 127, 128}[rnd(6)];

	add(t, "2001:db8:%x::%x/%d", rnd(4), rnd(256), len);
}

static void rand_rule(struct text *t)
{
	static const char *const proto[] = {"", "tcp ", "udp ", "icmp ", "icmpv6 ", "proto 47 "};
	int v6 = rnd(3) == 0, p = (int)rnd(6);

	if (p == 3 || p == 4) /* icmp, icmpv6: their family */
		v6 = p == 4;

	add(t, "%s ", rnd(2) ? "drop" : "pass");
	if (rnd(3) == 0)
		add(t, v6 ? "ip6 " : "ip ");
	add(t, "%s", proto[p]);
	if (rnd(3) == 0) {
		add(t, "saddr %s", rnd(4) == 0 ? "!= " : "");
		if (rnd(2)) {
			add(t, "@s%u ", rnd(3));
		} else {
			v6 ? rand_v6(t) : rand_v4(t);
			add(t, " ");
		}
	}
	if (rnd(4) == 0) {
		add(t, "daddr %s", rnd(4) == 0 ? "!= " : "");
		v6 ? rand_v6(t) : rand_v4(t);
		add(t, " ");
	}
	if (p == 1 || p == 2) {
		unsigned int lo = rnd(100);

		if (rnd(2))
			add(t, "dport %s%u-%u ", rnd(4) == 0 ? "!= " : "", lo, lo + rnd(100));
		if (rnd(3) == 0)
			add(t, "sport { 1, 53, %u } ", 60 + rnd(40));
		if (p == 1 && rnd(3) == 0)
			add(t, "flags syn,!ack ");
	}
	if (p == 3 && rnd(2))
		add(t, "type echo-request ");
	if (rnd(5) == 0)
		add(t, "len %u-%u ", 40 + rnd(60), 100 + rnd(60));
	if (rnd(5) == 0)
		add(t, "%s %u-%u ", v6 ? "hoplimit" : "ttl", rnd(64), 64 + rnd(192));
	if (rnd(6) == 0)
		add(t, "vlan %u ", rnd(3));
	if (rnd(8) == 0)
		add(t, "fragment ");
	add(t, "\n");
}

static void rand_addr(struct xdpfw_pkt *k, __u32 *a)
{
	if (k->family == XDPFW_FAMILY_IPV4) {
		a[0] = htonl((rnd(3) == 0 ? 0xc0000200u
		              : rnd(2)    ? 0xc6336400u
		                          : 0xcb007100u) |
		             rnd(256));
		return;
	}
	a[0] = htonl(0x20010db8);
	a[1] = htonl(rnd(4) << 16);
	a[2] = 0;
	a[3] = htonl(rnd(300));
}

static void rand_pkt(struct xdpfw_pkt *k)
{
	static const __u8 protos[] = {6, 17, 1, 58, 47};

	memset(k, 0, sizeof(*k));
	k->family = rnd(2) ? XDPFW_FAMILY_IPV4 : XDPFW_FAMILY_IPV6;
	k->proto = protos[rnd(5)];
	rand_addr(k, k->saddr);
	rand_addr(k, k->daddr);
	if ((k->proto == 6 || k->proto == 17) && rnd(8)) {
		k->flags |= XDPFW_PKT_PORTS;
		k->sport = (__u16)(rnd(4) == 0 ? 53 : rnd(120));
		k->dport = (__u16)rnd(160);
	}
	if (rnd(6) == 0) {
		k->flags |= XDPFW_PKT_FRAGMENT;
		if (rnd(2)) {
			k->flags |= XDPFW_PKT_LATER_FRAG;
			k->flags &= ~XDPFW_PKT_PORTS;
		}
	}
	k->tcp_flags = k->proto == 6 ? (__u8)rnd(64) : 0;
	k->icmp_type = (__u8)(rnd(2) ? 8 : rnd(256));
	k->ip_len = (__u16)(40 + rnd(140));
	k->ttl = (__u8)rnd(256);
	k->vlan_count = (__u8)rnd(2);
	k->vlan[0] = (__u16)rnd(4);
}

static void test_random_against_model(void **state)
{
	unsigned int sets = 300, keys = 3000, decided = 0;

	(void)state;
	for (unsigned int s = 0; s < sets; s++) {
		struct text t = {0};
		unsigned int n = 1 + rnd(s % 10 == 0 ? 400 : 40);

		for (int i = 0; i < 3; i++) {
			add(&t, "set s%d = { ", i);
			for (unsigned int j = rnd(6); j > 0; j--) {
				rnd(2) ? rand_v4(&t) : rand_v6(&t);
				add(&t, ", ");
			}
			add(&t, "192.0.2.%u, 2001:db8::%x }\n", rnd(256), rnd(256));
		}
		for (unsigned int i = 0; i < n; i++)
			rand_rule(&t);
		if (load(t.s))
			fail_msg("generated rules rejected: %s\n%s",
			         diag.count ? diag.entries[0].msg : "?", t.s);
		for (unsigned int i = 0; i < keys; i++) {
			struct xdpfw_pkt k;
			int want, got;

			rand_pkt(&k);
			want = fw_model_classify(rs, &k);
			got = fw_cls_lookup(rs->cls, &k, rs->config.rule_count);
			if (want != got)
				fail_msg("rule set %u, key %u: model says rule %d, tables %d\n%s",
				         s, i, want, got, t.s);
			decided += want >= 0;
		}
		free(t.s);
	}
	print_message("# %u rule sets x %u keys, %u decided by a rule\n", sets, keys, decided);
	assert_true(decided > sets * keys / 4);
}

/* ---- keyed lists ---------------------------------------------------------- */

static void agree(const struct xdpfw_pkt *p)
{
	int want = fw_model_classify(rs, p), got = fw_cls_lookup(rs->cls, p, rs->config.rule_count);

	if (want != got)
		fail_msg("model says rule %d, tables %d (sport %u dport %u proto %u)", want, got,
		         p->sport, p->dport, p->proto);
}

static struct xdpfw_pkt tcp4(__u32 s, __u32 d, __u16 sport, __u16 dport)
{
	struct xdpfw_pkt p = {.family = XDPFW_FAMILY_IPV4, .proto = 6, .flags = XDPFW_PKT_PORTS};

	p.saddr[0] = htonl(s);
	p.daddr[0] = htonl(d);
	p.sport = sport;
	p.dport = dport;
	return p;
}

/* Rules of narrow address pairs go to PAIR lists, none to the partitions;
 * a pair shared by more rules than a list holds keeps the first
 * XDPFW_LIST_MAX of them, the others find their place elsewhere, and
 * every packet still gets the model's rule. */
static void test_lists_pairs_and_overflow(void **state)
{
	struct text t = {0};

	(void)state;
	add(&t, "policy pass\n");
	for (int i = 0; i < 100; i++)
		add(&t, "drop tcp saddr 192.0.2.%d daddr 198.51.100.%d dport %d\n", i, i, 1000 + i);
	load_ok(t.s);
	assert_int_equal(rs->cls->nlisted[XDPFW_LIST_PAIR], 100);
	assert_int_equal(rs->cls->plan.nparts, 0);
	for (int i = 0; i < 100; i++) {
		struct xdpfw_pkt p = tcp4(0xc0000200u | (__u32)i, 0xc6336400u | (__u32)i, 7,
		                          (__u16)(999 + i % 3 + i));

		agree(&p);
	}
	free(t.s);

	t = (struct text){0};
	add(&t, "policy pass\n");
	for (int i = 0; i < 20; i++)
		add(&t, "drop tcp saddr 192.0.2.1 daddr 198.51.100.1 dport %d\n", 10 + i);
	load_ok(t.s);
	assert_int_equal(rs->cls->nlisted[XDPFW_LIST_PAIR], XDPFW_LIST_MAX);
	assert_int_equal(rs->cls->plan.lists.maxlen[XDPFW_LIST_PAIR], XDPFW_LIST_MAX);
	for (int port = 0; port < 40; port++) {
		struct xdpfw_pkt p = tcp4(0xc0000201u, 0xc6336401u, 5, (__u16)port);

		agree(&p);
		p.proto = 17;
		agree(&p);
	}
	free(t.s);
}

/* Thousands of pairs: some buckets of the hash overflow into a second one,
 * and the keys there are found too. */
static void test_lists_pair_hash_overflow(void **state)
{
	struct text t = {0};
	bool overflowed = false;

	(void)state;
	add(&t, "policy pass\n");
	for (int i = 0; i < 6000; i++)
		add(&t, "drop udp saddr 198.18.%d.%d daddr 198.19.%d.%d\n", i / 256, i % 256,
		    (i * 7) / 256 % 256, (i * 7) % 256);
	load_ok(t.s);
	assert_int_equal(rs->cls->nlisted[XDPFW_LIST_PAIR], 6000);
	for (__u32 b = 0; b < (1u << rs->cls->plan.lists.pair_bits); b++)
		overflowed |= rs->cls->pairs[b].next != 0;
	assert_true(overflowed);
	for (int i = 0; i < 6000; i++) {
		struct xdpfw_pkt p =
		    tcp4(0xc6120000u | (__u32)i, 0xc6130000u | (__u32)((i * 7) & 0xffff), 1, 2);

		p.proto = 17;
		assert_int_equal(fw_cls_lookup(rs->cls, &p, rs->config.rule_count), i);
		p.daddr[0] = htonl(0xc6130000u | (__u32)((i * 7 + 1) & 0xffff));
		agree(&p);
	}
	free(t.s);
}

/* A rule whose destination holds too many classes to cross with its
 * source is keyed by its source, its destination tested by the record:
 * IPv6 prefixes of every length against addresses inside and just outside. */
static void test_lists_source_keyed_ipv6(void **state)
{
	struct text t = {0};

	(void)state;
	add(&t, "policy pass\n");
	for (int len = 17; len <= 128; len += 37)
		add(&t, "drop ip6 saddr 2001:db8::%x daddr 2001:db8:100::/%d\n", len, len);
	for (int i = 0; i < 80; i++)
		add(&t, "pass ip6 saddr 2001:db8:ffff::%x daddr 2001:db8:100::%x\n", i, i);
	load_ok(t.s);
	assert_true(rs->cls->nlisted[XDPFW_LIST_SRC] >= 3);
	for (int len = 17; len <= 128; len += 37) {
		for (int bit = 0; bit < 128; bit++) {
			struct xdpfw_pkt p = {.family = XDPFW_FAMILY_IPV6, .proto = 17};
			__u32 d[4] = {0x20010db8, 0x01000000, 0, 0};

			d[bit / 32] ^= 1u << (31 - bit % 32);
			p.saddr[0] = htonl(0x20010db8);
			p.saddr[3] = htonl((__u32)len);
			for (int w = 0; w < 4; w++)
				p.daddr[w] = htonl(d[w]);
			agree(&p);
		}
	}
	free(t.s);
}

static int teardown(void **state)
{
	(void)state;
	fw_ruleset_free(rs);
	rs = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_ipv4_set_is_d16),
	    cmocka_unit_test(test_large_ipv4_set_is_an_array),
	    cmocka_unit_test(test_ipv6_is_an_lpm_store),
	    cmocka_unit_test(test_redundant_prefixes_dropped),
	    cmocka_unit_test(test_no_refusal),
	    cmocka_unit_test(test_small_sets_use_bitmaps),
	    cmocka_unit_test(test_random_against_model),
	    cmocka_unit_test(test_lists_pairs_and_overflow),
	    cmocka_unit_test(test_lists_pair_hash_overflow),
	    cmocka_unit_test(test_lists_source_keyed_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
