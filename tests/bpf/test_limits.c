// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_limits.c - rate-limited rules in the real program, BPF_PROG_TEST_RUN.
 *
 * Limits slow enough (1/h) that the clock adds nothing during a test: a
 * bucket holds its burst, then every packet is over. Each frame's verdict
 * and the counters (per rule, per reason, within/over per slot) are
 * checked, and the reference model, told over or within by the program's
 * own count, must reach the same verdict and rule.
 *
 * Needs root. Output is TAP. XDPFW_TEST_BENCH_REPEAT=N sets the repeat count
 * of the timing test (default 100000).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfw.h"
#include "loader.h"
#include "model.h"
#include "ruleset.h"
#include "xdpfw.skel.h"
#include "frame.h"
#include "harness.h"

static struct fw_ruleset *ruleset;
static struct pkt frame;

/* Per-slot limit counters, summed over CPUs. */
static struct xdpfw_limit_counter limit_counter(uint32_t slot)
{
	struct xdpfw_limit_counter v[ncpus], sum = {0};

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_limit_stats), &slot, v))
		fail_msg("cannot read limit counter %u: %s", slot, strerror(errno));
	for (int i = 0; i < ncpus; i++) {
		sum.within += v[i].within;
		sum.over += v[i].over;
		sum.nostate += v[i].nostate;
	}
	return sum;
}

static uint64_t inserted(void)
{
	struct xdpfw_limit_totals v[ncpus];
	uint64_t n = 0;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_limit_totals), &zero, v))
		fail_msg("cannot read the insert count: %s", strerror(errno));
	for (int i = 0; i < ncpus; i++)
		n += v[i].inserted;
	return n;
}

/* Entries in the per-source hash now. */
static uint64_t present(void)
{
	struct xdpfw_limit_key k, next;
	uint32_t zero = 0, id;
	uint64_t n = 0;
	void *prev = NULL;
	int fd;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_limit_src), &zero, &id))
		return 0;
	fd = bpf_map_get_fd_by_id(id);
	assert_true(fd >= 0);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		n++;
	}
	close(fd);
	return n;
}

static void zero_all(void)
{
	struct xdpfw_limit_counter lz[ncpus];
	struct xdpfw_limit_totals tz[ncpus];
	struct xdpfw_limit_bucket b = {0};
	uint32_t zero = 0;

	memset(lz, 0, sizeof(lz));
	memset(tz, 0, sizeof(tz));
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++)
		harness_zero(bpf_map__fd(skel->maps.fw_reason_stats), k);
	for (uint32_t k = 0; k < 8; k++) {
		harness_zero(bpf_map__fd(skel->maps.fw_rule_stats), k);
		assert_int_equal(
		    bpf_map_update_elem(bpf_map__fd(skel->maps.fw_limit_stats), &k, lz, BPF_ANY),
		    0);
		assert_int_equal(
		    bpf_map_update_elem(bpf_map__fd(skel->maps.fw_limit_rule), &k, &b, BPF_ANY), 0);
	}
	assert_int_equal(
	    bpf_map_update_elem(bpf_map__fd(skel->maps.fw_limit_totals), &zero, tz, BPF_ANY), 0);
}

/* Compile and write rules. fresh: drop all bucket state first (the
 * per-source hash too, which the loader then creates anew). */
static void load(const char *text, bool fresh)
{
	static struct fw_diag diag;
	uint32_t zero = 0;
	int err;

	fw_ruleset_free(ruleset);
	fw_diag_init(&diag, "limits", NULL);
	err = fw_ruleset_load_mem("limits", text, strlen(text), &ruleset, &diag);
	if (err) {
		for (uint32_t k = 0; k < diag.count; k++)
			print_error("%u:%u: %s\n", diag.entries[k].line, diag.entries[k].col,
			            diag.entries[k].msg);
		fail_msg("rules do not compile: %s", strerror(-err));
	}
	if (fresh) {
		bpf_map_delete_elem(bpf_map__fd(skel->maps.fw_limit_src), &zero);
		zero_all();
	}
	assert_int_equal(fw_ruleset_write(skel, ruleset), 0);
}

static void udp_from(const char *saddr, size_t payload)
{
	pkt_init(&frame);
	pkt_eth(&frame);
	pkt_ipv4(&frame, &(struct pkt_ipv4){.saddr = saddr});
	pkt_udp(&frame, 1234, 53);
	pkt_payload(&frame, payload);
	pkt_finish(&frame);
}

/* A TCP SYN to port 80. */
static void syn_from(const char *saddr)
{
	pkt_init(&frame);
	pkt_eth(&frame);
	pkt_ipv4(&frame, &(struct pkt_ipv4){.saddr = saddr});
	pkt_tcp(&frame, 1234, 80, 0x02, 0);
	pkt_finish(&frame);
}

static void udp6_from(const char *saddr)
{
	pkt_init(&frame);
	pkt_eth(&frame);
	pkt_ipv6(&frame, &(struct pkt_ipv6){.saddr = saddr});
	pkt_udp(&frame, 1234, 53);
	pkt_payload(&frame, 18);
	pkt_finish(&frame);
}

/* The model's answer: over only for the rule in the slot expect() checks,
 * and only when that one was over. */
struct model_answer {
	uint32_t slot;
	bool over;
};

static bool model_over(const struct fw_ruleset *rs, int rule, const struct xdpfw_pkt *pkt,
                       void *arg)
{
	const struct model_answer *a = arg;

	(void)pkt;
	return a->over && rs->rules[rule].counter == a->slot;
}

/*
 * Run the frame once: the verdict must be want, and the limited rule in
 * slot `slot` must have counted the packet within (over = false) or over.
 * The model, told the same, must agree on verdict and deciding rule.
 */
static void expect(uint32_t want, uint32_t slot, bool over, int want_rule)
{
	struct xdpfw_limit_counter before = limit_counter(slot), after;
	struct xdpfw_counter rc_before = {0}, rc_after;
	struct fw_model_result res;
	uint32_t got;

	if (want_rule >= 0)
		rc_before = harness_counter(bpf_map__fd(skel->maps.fw_rule_stats),
		                            ruleset->rules[want_rule].counter);
	got = harness_run(frame.data, frame.len, 1, NULL);
	after = limit_counter(slot);
	if (got != want)
		fail_msg("verdict %u, want %u", got, want);
	if (after.within - before.within != !over || after.over - before.over != over)
		fail_msg("slot %u counted within +%llu over +%llu, want %s", slot,
		         (unsigned long long)(after.within - before.within),
		         (unsigned long long)(after.over - before.over), over ? "over" : "within");
	if (want_rule >= 0) {
		rc_after = harness_counter(bpf_map__fd(skel->maps.fw_rule_stats),
		                           ruleset->rules[want_rule].counter);
		assert_int_equal(rc_after.packets - rc_before.packets, 1);
	}
	fw_model_verdict_limits(ruleset, frame.data, frame.len, model_over,
	                        &(struct model_answer){.slot = slot, .over = over}, &res);
	assert_int_equal(res.rule, want_rule);
	assert_int_equal(res.action == XDPFW_ACT_DROP ? XDP_DROP : XDP_PASS, want);
}

#define SETTINGS "policy pass\nnonip pass\nmalformed drop\n"

/* Burst 5: five within (on to the next rule), then over (the rule). */
static void test_per_rule(void **state)
{
	(void)state;
	load(SETTINGS "drop udp dport 53 limit over 1/h burst 5 name \"dns\"\n"
	              "pass udp name \"rest\"\n",
	     true);
	udp_from("192.0.2.1", 18);
	for (int i = 0; i < 5; i++)
		expect(XDP_PASS, 0, false, 1);
	for (int i = 0; i < 3; i++)
		expect(XDP_DROP, 0, true, 0);
	/* Every source shares the one bucket. */
	udp_from("192.0.2.99", 18);
	expect(XDP_DROP, 0, true, 0);
}

/*
 * The rate: 4/s is one packet every 250 ms. After the burst, a pause of
 * 375 ms earns one packet and a half (one within, then over); a long idle
 * earns no more than the burst. The margins (125 ms each way) are for a
 * loaded machine's sleeps.
 */
static void test_refill(void **state)
{
	(void)state;
	load(SETTINGS "drop udp dport 53 limit over 4/s burst 3 name \"dns\"\n"
	              "pass udp name \"rest\"\n",
	     true);
	udp_from("192.0.2.1", 18);
	for (int i = 0; i < 3; i++)
		expect(XDP_PASS, 0, false, 1);
	expect(XDP_DROP, 0, true, 0);
	usleep(375 * 1000);
	expect(XDP_PASS, 0, false, 1);
	expect(XDP_DROP, 0, true, 0);
	usleep(1500 * 1000); /* six packets' worth: the burst caps it at three */
	for (int i = 0; i < 3; i++)
		expect(XDP_PASS, 0, false, 1);
	expect(XDP_DROP, 0, true, 0);
}

/* Within falls through to the policy when no later rule matches. */
static void test_per_rule_policy(void **state)
{
	(void)state;
	load("policy drop\ndrop udp dport 53 limit over 1/h burst 2\n", true);
	udp_from("192.0.2.1", 18);
	/* Within: no rule matches, the policy drops too; counted within. */
	expect(XDP_DROP, 0, false, -1);
	expect(XDP_DROP, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	load("policy pass\npass udp dport 53 limit over 1/h burst 1\ndrop udp\n", true);
	expect(XDP_DROP, 0, false, 1);
	expect(XDP_PASS, 0, true, 0);
}

/* A byte limit counts the IP length: burst / length packets, then over. */
static void test_bytes(void **state)
{
	uint32_t ip_len, n;

	(void)state;
	load(SETTINGS "drop udp limit over 1kbytes/h burst 500 bytes\n", true);
	udp_from("192.0.2.1", 72);
	ip_len = 20 + 8 + 72;
	n = 500 / ip_len; /* 5, and nothing left over */
	for (uint32_t i = 0; i < n; i++)
		expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	/* Nothing is left for even the smallest packet. */
	udp_from("192.0.2.1", 0);
	expect(XDP_DROP, 0, true, 0);
	/* A packet larger than the burst is over on a full bucket. */
	load(SETTINGS "drop udp limit over 1kbytes/h burst 50 bytes\n", true);
	udp_from("192.0.2.1", 72);
	expect(XDP_DROP, 0, true, 0);
	udp_from("192.0.2.1", 0);
	expect(XDP_PASS, 0, false, -1);
}

/* Every source its own bucket; a /24 one bucket for all of it. */
static void test_per_source(void **state)
{
	(void)state;
	load(SETTINGS "drop udp limit over 1/h burst 2 per saddr\n", true);
	udp_from("192.0.2.1", 18);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	udp_from("192.0.2.2", 18);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	assert_int_equal(inserted(), 2);
	assert_int_equal(present(), 2);

	load(SETTINGS "drop udp limit over 1/h burst 2 per saddr/24/64\n", true);
	udp_from("192.0.2.1", 18);
	expect(XDP_PASS, 0, false, -1);
	udp_from("192.0.2.200", 18);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	udp_from("192.0.3.1", 18);
	expect(XDP_PASS, 0, false, -1);
	udp6_from("2001:db8:1:2::1");
	expect(XDP_PASS, 0, false, -1);
	udp6_from("2001:db8:1:2:ffff::9");
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	assert_int_equal(inserted(), 3);
}

/* limit-sources 2: sources past the table's size evict the oldest, are
 * counted, and a new (or returning) source still gets one burst only. */
static void test_tiny_table(void **state)
{
	char addr[32];

	(void)state;
	load(SETTINGS "limit-sources 2\ndrop udp limit over 1/h burst 1 per saddr\n", true);
	for (int i = 1; i <= 10; i++) {
		snprintf(addr, sizeof(addr), "198.18.0.%d", i);
		udp_from(addr, 18);
		expect(XDP_PASS, 0, false, -1);
		expect(XDP_DROP, 0, true, 0);
	}
	assert_int_equal(inserted(), 10);
	assert_true(present() <= 2);
	printf("# limit-sources 2: 10 inserted, %llu present, %llu evicted\n",
	       (unsigned long long)present(), (unsigned long long)(inserted() - present()));
	/* The newest source is still in the table and over. */
	expect(XDP_DROP, 0, true, 0);

	load(SETTINGS "limit-sources 1\ndrop udp limit over 1/h burst 1 per saddr\n", false);
	assert_int_equal(inserted(), 0); /* a new table, a new count */
	udp_from("198.18.1.1", 18);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	udp_from("198.18.1.2", 18);
	expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	assert_true(present() <= 1);
}

/* No bucket to be had (here: no per-source table): limit-full decides. */
static void test_full(void **state)
{
	struct xdpfw_limit_counter c;
	uint32_t zero = 0;

	(void)state;
	load(SETTINGS "limit-full over\ndrop udp limit over 1/h burst 5 per saddr\n", true);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.fw_limit_src), &zero), 0);
	udp_from("192.0.2.1", 18);
	expect(XDP_DROP, 0, true, 0);
	c = limit_counter(0);
	assert_int_equal(c.nostate, 1);
	load(SETTINGS "limit-full within\ndrop udp limit over 1/h burst 5 per saddr\n", true);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.fw_limit_src), &zero), 0);
	expect(XDP_PASS, 0, false, -1);
	c = limit_counter(0);
	assert_int_equal(c.nostate, 1);
}

/* Writing the same rules again keeps the buckets (same slot and tag); a
 * changed limit starts afresh. Slots by name are ctl/loader.c's
 * assign_counters(); here the slots stay those of the compiler. */
static void test_reload(void **state)
{
	(void)state;
	load(SETTINGS "drop udp limit over 1/h burst 3 name \"a\"\n"
	              "drop tcp limit over 1/h burst 3 per saddr name \"b\"\n",
	     true);
	udp_from("192.0.2.1", 18);
	for (int i = 0; i < 3; i++)
		expect(XDP_PASS, 0, false, -1);
	syn_from("192.0.2.1");
	for (int i = 0; i < 3; i++)
		expect(XDP_PASS, 1, false, -1);

	load(SETTINGS "drop udp limit over 1/h burst 3 name \"a\"\n"
	              "drop tcp limit over 1/h burst 3 per saddr name \"b\"\n",
	     false);
	expect(XDP_DROP, 1, true, 1);
	udp_from("192.0.2.1", 18);
	expect(XDP_DROP, 0, true, 0);

	load(SETTINGS "drop udp limit over 1/h burst 4 name \"a\"\n"
	              "drop tcp limit over 2/h burst 3 per saddr name \"b\"\n",
	     false);
	for (int i = 0; i < 4; i++)
		expect(XDP_PASS, 0, false, -1);
	expect(XDP_DROP, 0, true, 0);
	syn_from("192.0.2.1");
	for (int i = 0; i < 3; i++)
		expect(XDP_PASS, 1, false, -1);
	expect(XDP_DROP, 1, true, 1);
}

/* Two limited rules in a row, both within: the search passes both. */
static void test_chain(void **state)
{
	(void)state;
	load(SETTINGS "drop udp limit over 1/h burst 1 per saddr\n"
	              "drop udp dport 53 limit over 1/h burst 2\n"
	              "pass udp\n",
	     true);
	udp_from("192.0.2.1", 18);
	expect(XDP_PASS, 0, false, 2); /* rule 0 within, rule 1 within */
	expect(XDP_DROP, 0, true, 0);
	udp_from("192.0.2.2", 18);
	expect(XDP_PASS, 1, false, 2);
	udp_from("192.0.2.3", 18);
	expect(XDP_DROP, 1, true, 1);
	assert_int_equal(limit_counter(0).within, 3);
	assert_int_equal(limit_counter(1).within, 2);
}

static uint32_t bench_repeat(void)
{
	const char *s = getenv("XDPFW_TEST_BENCH_REPEAT");
	long n = s ? strtol(s, NULL, 10) : 0;

	return n > 0 ? (uint32_t)n : 100000;
}

static void bench_one(const char *label, const char *text)
{
	uint32_t duration, repeat = bench_repeat();

	load(text, true);
	udp_from("192.0.2.1", 18);
	pkt_pad(&frame, 60 - frame.len);
	harness_run(frame.data, frame.len, repeat, &duration);
	printf("# %s: %u ns/packet (BPF_PROG_TEST_RUN, repeat %u)\n", label, duration, repeat);
}

/* Per-source, many sources: each frame once, the table warm. */
static void bench_sources(const char *label, const char *text, uint32_t n)
{
	uint64_t total = 0;
	uint32_t duration;
	char addr[32];

	load(text, true);
	for (int pass = 0; pass < 2; pass++) {
		total = 0;
		for (uint32_t i = 0; i < n; i++) {
			snprintf(addr, sizeof(addr), "10.%u.%u.%u", (i >> 16) & 0xff,
			         (i >> 8) & 0xff, i & 0xff);
			udp_from(addr, 18);
			pkt_pad(&frame, 60 - frame.len);
			harness_run(frame.data, frame.len, 1, &duration);
			total += duration;
		}
	}
	printf("# %s: %llu ns/packet (BPF_PROG_TEST_RUN, %u sources, each once)\n", label,
	       (unsigned long long)(total / n), n);
}

static void test_timing(void **state)
{
	(void)state;
	bench_one("no limit", "policy drop\npass udp dport 53\n");
	bench_one("per rule, within", "policy drop\ndrop udp limit over 64g/s burst 1000000000\n"
	                              "pass udp dport 53\n");
	bench_one("per rule, over", "policy drop\npass udp limit over 1/h\n");
	bench_one("per source, 1 source, within",
	          "policy drop\ndrop udp limit over 64g/s burst 1000000000 per saddr\n"
	          "pass udp dport 53\n");
	bench_one("per source, 1 source, over", "policy drop\npass udp limit over 1/h per saddr\n");
	bench_sources("per source, within",
	              "policy drop\ndrop udp limit over 1g/s per saddr\n"
	              "pass udp dport 53\n",
	              65536);
	bench_sources("no limit", "policy drop\npass udp dport 53\n", 65536);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_per_rule),
	    cmocka_unit_test(test_refill),
	    cmocka_unit_test(test_per_rule_policy),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_per_source),
	    cmocka_unit_test(test_tiny_table),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_reload),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_timing),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("test_limits", tests, harness_setup, harness_teardown);
}
