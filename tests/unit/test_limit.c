// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_limit.c - rate limits without the kernel: the token-bucket arithmetic
 * of include/xdpfw_limit.h (burst, refill, long idle, time going backwards,
 * the wrap of the scaled clock, the fastest and slowest rates, no update
 * lost between threads), then `limit over ...` and the limit settings
 * through parser and compiler (every form, every error at its line and
 * column), printed back, in the digest, in the reference model, the lints
 * and fwctl show.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>

#include "frame.h"
#include "lint.h"
#include "model.h"
#include "ruleset.h"
#include "show.h"
#include "xdpfw_limit.h"

#define NS 1000000000ull

static struct fw_ruleset *rs, *rs2;
static struct fw_diag diag;

/* ---- arithmetic ------------------------------------------------------------- */

/* A limit of rate per period, the default burst unless burst is given. */
static struct xdpfw_limit mk(__u64 rate, uint32_t period, bool bytes, __u64 burst)
{
	struct xdpfw_limit l;

	memset(&l, 0, sizeof(l));
	if (!burst)
		burst = xdpfw_limit_default_burst(rate, period, bytes);
	assert_int_equal(xdpfw_limit_params(&l, rate, period, bytes, burst), XDPFW_LIMIT_OK);
	return l;
}

/* One packet of IP length len at ns (unscaled) against *tat. */
static int step(const struct xdpfw_limit *l, __u64 *tat, __u64 ns, uint32_t len)
{
	__u64 next = 0;
	int r = xdpfw_limit_gcra(*tat, xdpfw_limit_clock(ns), xdpfw_limit_charge(l, len),
	                         l->tolerance, &next);

	if (r == XDPFW_LIMIT_WITHIN)
		*tat = next;
	return r;
}

/* n packets at one instant: how many are within. */
static unsigned int burst_at(const struct xdpfw_limit *l, __u64 *tat, __u64 ns, unsigned int n,
                             uint32_t len)
{
	unsigned int within = 0;

	for (unsigned int i = 0; i < n; i++)
		within += step(l, tat, ns, len) == XDPFW_LIMIT_WITHIN;
	return within;
}

static void test_params(void **state)
{
	struct xdpfw_limit l;

	(void)state;
	/* 1000/s: one packet every ms, exactly. */
	l = mk(1000, 1, false, 100);
	assert_true(l.cost == (NS / 1000) << XDPFW_LIMIT_SHIFT);
	assert_true(l.tolerance == 100 * l.cost);
	assert_true(l.rate == 1000 && l.burst == 100 && l.period == 1);
	assert_int_equal(l.flags, 0);
	/* 10 Mpps: 100 ns, exact. */
	assert_true(mk(10000000, 1, false, 0).cost == 100u << XDPFW_LIMIT_SHIFT);
	/* 10mbit/s = 1.25e6 bytes/s: 800 ns a byte. */
	l = mk(1250000, 1, true, 0);
	assert_true(l.cost == 800u << XDPFW_LIMIT_SHIFT);
	assert_int_equal(l.flags, XDPFW_LIMIT_BYTES);
	/* 100 Gbit/s: 0.08 ns a byte, 327.68 scaled, rounded to 328 (0.1%). */
	assert_true(mk(12500000000ull, 1, true, 0).cost == 328);
	/* Per minute, hour, day. */
	assert_true(mk(1, 60, false, 0).cost == (60 * NS) << XDPFW_LIMIT_SHIFT);
	assert_true(mk(1, 86400, false, 0).cost == (86400 * NS) << XDPFW_LIMIT_SHIFT);
	/* Flags other than BYTES are left alone. */
	l.flags = XDPFW_LIMIT_PER_SOURCE;
	assert_int_equal(xdpfw_limit_params(&l, 5, 1, false, 5), XDPFW_LIMIT_OK);
	assert_int_equal(l.flags, XDPFW_LIMIT_PER_SOURCE);
}

static void test_params_errors(void **state)
{
	struct xdpfw_limit l;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(xdpfw_limit_params(&l, 0, 1, false, 5), XDPFW_LIMIT_ERR_RATE);
	assert_int_equal(xdpfw_limit_params(&l, 5, 0, false, 5), XDPFW_LIMIT_ERR_RATE);
	assert_int_equal(xdpfw_limit_params(&l, 5, 7, false, 5), XDPFW_LIMIT_ERR_RATE);
	assert_int_equal(xdpfw_limit_params(&l, 5, 1, false, 0), XDPFW_LIMIT_ERR_BURST);
	/* The fastest rate: 64e9 a second (512 Gbit/s in bytes); one more is
	 * too fast, and so is anything up to 2^64 - 1 (no overflow). */
	assert_true(XDPFW_LIMIT_RATE_MAX == 64000000000ull);
	assert_int_equal(xdpfw_limit_params(&l, XDPFW_LIMIT_RATE_MAX, 1, true, 1u << 30),
	                 XDPFW_LIMIT_OK);
	assert_int_equal(l.cost, XDPFW_LIMIT_COST_MIN);
	assert_int_equal(xdpfw_limit_params(&l, XDPFW_LIMIT_RATE_MAX + 1, 1, true, 1u << 30),
	                 XDPFW_LIMIT_ERR_TOO_FAST);
	assert_int_equal(xdpfw_limit_params(&l, UINT64_MAX, 86400, false, 5),
	                 XDPFW_LIMIT_ERR_TOO_FAST);
	assert_int_equal(xdpfw_limit_params(&l, 60 * XDPFW_LIMIT_RATE_MAX, 60, false, 5),
	                 XDPFW_LIMIT_OK);
	/* The slowest: a 65535-byte packet must fit in 13 days. 1 byte/s
	 * does, 1 byte/m does not; 1 packet/d does. */
	assert_int_equal(xdpfw_limit_params(&l, 1, 1, true, 65535), XDPFW_LIMIT_OK);
	assert_int_equal(xdpfw_limit_params(&l, 1, 60, true, 65535), XDPFW_LIMIT_ERR_TOO_SLOW);
	assert_int_equal(xdpfw_limit_params(&l, 1, 86400, false, 5), XDPFW_LIMIT_OK);
	/* Burst and one packet within 13 days: 1/h takes 311, 1/d 12. */
	assert_int_equal(xdpfw_limit_params(&l, 1, 3600, false, 311), XDPFW_LIMIT_OK);
	assert_true(l.tolerance + l.cost <= XDPFW_LIMIT_SPAN_MAX);
	assert_int_equal(xdpfw_limit_params(&l, 1, 3600, false, 312), XDPFW_LIMIT_ERR_SPAN);
	assert_int_equal(xdpfw_limit_params(&l, 1, 86400, false, 12), XDPFW_LIMIT_OK);
	assert_int_equal(xdpfw_limit_params(&l, 1, 86400, false, 13), XDPFW_LIMIT_ERR_SPAN);
	assert_int_equal(xdpfw_limit_params(&l, 1, 1, false, UINT64_MAX), XDPFW_LIMIT_ERR_SPAN);
}

static void test_default_burst(void **state)
{
	(void)state;
	/* 100 ms of the rate, at least 5 packets or 65535 bytes. */
	assert_int_equal(xdpfw_limit_default_burst(1000, 1, false), 100);
	assert_int_equal(xdpfw_limit_default_burst(50000, 1, false), 5000);
	assert_int_equal(xdpfw_limit_default_burst(1001, 1, false), 101);
	assert_int_equal(xdpfw_limit_default_burst(10, 1, false), 5);
	assert_int_equal(xdpfw_limit_default_burst(1, 3600, false), 5);
	assert_int_equal(xdpfw_limit_default_burst(6000000, 60, false), 10000);
	assert_int_equal(xdpfw_limit_default_burst(1250000, 1, true), 125000);
	assert_int_equal(xdpfw_limit_default_burst(102400, 1, true), 65535);
	assert_true(xdpfw_limit_default_burst(UINT64_MAX, 1, false) == UINT64_MAX / 10 + 1);
}

/* A full bucket gives burst packets at once, then one per cost. */
static void test_burst_then_rate(void **state)
{
	struct xdpfw_limit l = mk(1000, 1, false, 10);
	__u64 tat = 0, t = 5 * NS;

	(void)state;
	assert_int_equal(burst_at(&l, &tat, t, 10, 0), 10);
	assert_int_equal(step(&l, &tat, t, 0), XDPFW_LIMIT_OVER);
	/* An excess packet costs nothing: half a cost later, still over... */
	assert_int_equal(step(&l, &tat, t + 500000, 0), XDPFW_LIMIT_OVER);
	/* ...a whole cost later, one more, and only one. */
	assert_int_equal(burst_at(&l, &tat, t + 1000000, 5, 0), 1);
	assert_int_equal(burst_at(&l, &tat, t + 3000000, 5, 0), 2);
	/* 10 ms later the bucket is full again: 10, not 11. */
	assert_int_equal(burst_at(&l, &tat, t + 13000000, 20, 0), 10);
}

/* Bytes: a packet is within when all its bytes fit in the bucket. */
static void test_bytes(void **state)
{
	struct xdpfw_limit l = mk(1000000, 1, true, 3000); /* 1 MB/s, 3000 bytes */
	__u64 tat = 0, t = NS;

	(void)state;
	assert_int_equal(burst_at(&l, &tat, t, 3, 1000), 3);
	assert_int_equal(step(&l, &tat, t, 1), XDPFW_LIMIT_OVER);
	/* 1500 bytes take 1.5 ms to earn. */
	assert_int_equal(step(&l, &tat, t + 1499000, 1500), XDPFW_LIMIT_OVER);
	assert_int_equal(step(&l, &tat, t + 1500000, 1500), XDPFW_LIMIT_WITHIN);
	/* Larger than the burst: never within, however long the wait. */
	assert_int_equal(step(&l, &tat, t + 3600 * NS, 3001), XDPFW_LIMIT_OVER);
	assert_int_equal(step(&l, &tat, t + 3600 * NS, 3000), XDPFW_LIMIT_WITHIN);
	/* A claimed length past 65535 is charged as 65535. */
	assert_true(xdpfw_limit_charge(&l, 100000) == 65535 * l.cost);
	assert_true(xdpfw_limit_charge(&l, 0) == 0);
	l.flags = 0;
	assert_true(xdpfw_limit_charge(&l, 1500) == l.cost);
}

/* However long a bucket sits idle, it holds one burst, no more. */
static void test_long_idle(void **state)
{
	struct xdpfw_limit l = mk(10, 1, false, 5);
	__u64 tat = 0;

	(void)state;
	assert_int_equal(burst_at(&l, &tat, NS, 100, 0), 5);
	assert_int_equal(burst_at(&l, &tat, NS + 3600 * NS, 100, 0), 5);
	assert_int_equal(burst_at(&l, &tat, NS + 20 * 86400 * NS, 100, 0), 5);
	/* A fresh bucket (state 0) early after boot is full too. */
	tat = 0;
	assert_int_equal(burst_at(&l, &tat, 1, 100, 0), 5);
}

/* Time going backwards: the bucket only looks emptier, never refills. */
static void test_time_backwards(void **state)
{
	struct xdpfw_limit l = mk(1000, 1, false, 10);
	__u64 tat = 0, t = 100 * NS, before;

	(void)state;
	assert_int_equal(burst_at(&l, &tat, t, 4, 0), 4);
	before = tat;
	/* 1 ms back: 6 left at t, so at most 6 (the bucket cannot hold more
	 * than it did); then 5 ms back: fewer. */
	assert_int_equal(burst_at(&l, &tat, t - 1000000, 100, 0), 5);
	assert_int_equal(burst_at(&l, &tat, t - 5000000, 100, 0), 0);
	/* Over decisions leave the state alone. */
	tat = before;
	assert_int_equal(step(&l, &tat, t - 900 * 1000000ull, 0), XDPFW_LIMIT_OVER);
	assert_true(tat == before);
	/* Back by half a second: over until the clock catches up. */
	assert_int_equal(burst_at(&l, &tat, t - NS / 2, 100, 0), 0);
	assert_int_equal(burst_at(&l, &tat, t, 100, 0), 6);
	/* Back by more than XDPFW_LIMIT_STALE (a second): the state cannot
	 * be real and is taken as a full bucket; one burst, not more. */
	tat = before;
	assert_int_equal(burst_at(&l, &tat, t - 2 * NS, 100, 0), 10);
	assert_int_equal(burst_at(&l, &tat, t - 2 * NS, 100, 0), 0);
}

/*
 * The same packets at the same gaps get the same answers wherever the
 * scaled clock starts, across its wrap too: only differences matter. The
 * times are scaled ns; base puts the wrap in the middle of the run.
 */
static void run_shifted(const struct xdpfw_limit *l, __u64 base, unsigned char *out, size_t n)
{
	__u64 now = base, tat = base - (1ull << 50), next = 0;
	unsigned int seed = 7;

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		now += (__u64)(seed >> 8) * 64; /* up to 2^30 scaled ns apart */
		out[i] = (unsigned char)xdpfw_limit_gcra(
		    tat, now, xdpfw_limit_charge(l, seed % 1500), l->tolerance, &next);
		if (out[i] == XDPFW_LIMIT_WITHIN)
			tat = next;
	}
}

static void test_clock_wrap(void **state)
{
	static unsigned char a[100000], b[100000], c[100000];
	struct xdpfw_limit l = mk(1000000, 1, true, 20000);
	unsigned int within = 0;

	(void)state;
	run_shifted(&l, 1ull << 40, a, sizeof(a));
	run_shifted(&l, UINT64_MAX - (1ull << 45), b, sizeof(b));
	run_shifted(&l, (__u64)INT64_MAX - (1ull << 45), c, sizeof(c));
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_equal(a, c, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		within += a[i] == XDPFW_LIMIT_WITHIN;
	assert_true(within > 1000 && within < sizeof(a) - 1000); /* both answers occur */

	/* The unscaled clock wraps the scaled one every 2^52 ns. */
	assert_true(xdpfw_limit_clock(1ull << 52) == 0);
	assert_true(xdpfw_limit_clock((1ull << 52) + 1) == 1u << XDPFW_LIMIT_SHIFT);
}

/* A bucket idle across half a wrap reads as far ahead: stale, so full. */
static void test_stale_after_wrap(void **state)
{
	struct xdpfw_limit l = mk(10, 1, false, 5);
	__u64 tat = 0, t0 = 1000 * NS, now;

	(void)state;
	assert_int_equal(burst_at(&l, &tat, t0, 100, 0), 5);
	/* 2^51 + 2^40 ns later (about 26 days): tat - now, signed, is near
	 * +2^63, far more than tolerance + XDPFW_LIMIT_STALE. */
	now = t0 + (1ull << 51) + (1ull << 40);
	assert_true((int64_t)(tat - xdpfw_limit_clock(now)) >
	            (int64_t)(l.tolerance + XDPFW_LIMIT_STALE));
	assert_int_equal(burst_at(&l, &tat, now, 100, 0), 5);
}

/* At twice the rate for a while, the budget holds within 1%. */
static void test_accuracy_high_rates(void **state)
{
	struct xdpfw_limit l;
	__u64 tat = 0, bytes = 0, pkts = 0, t, want;

	(void)state;
	/* 100 Gbit/s of 1500-byte packets offered at 200 Gbit/s for 10 ms,
	 * a burst of 10 packets (the default, 100 ms, would hide the rate). */
	l = mk(12500000000ull, 1, true, 15000);
	for (t = NS; t < NS + 10000000; t += 60) /* 1500 bytes every 60 ns */
		if (step(&l, &tat, t, 1500) == XDPFW_LIMIT_WITHIN)
			bytes += 1500;
	want = 125000000 + l.burst;
	assert_true(bytes > want - want / 100 && bytes < want + want / 100);

	/* 10 Mpps offered at 20 Mpps for 100 ms: the burst, then one packet
	 * per 100 ns, exactly; the 1e6th comes due as the window ends. */
	l = mk(10000000, 1, false, 64);
	tat = 0;
	for (t = NS; t < NS + 100000000; t += 50)
		pkts += step(&l, &tat, t, 64) == XDPFW_LIMIT_WITHIN;
	assert_true(pkts == 1000000 + l.burst - 1);

	/* 512 Gbit/s, the fastest, at 64-byte packets, for 1 ms: within 1%. */
	l = mk(XDPFW_LIMIT_RATE_MAX, 1, true, 1u << 20);
	tat = 0;
	bytes = 0;
	for (__u64 ts = xdpfw_limit_clock(NS); ts < xdpfw_limit_clock(NS + 1000000); ts += 2048) {
		__u64 next;

		if (xdpfw_limit_gcra(tat, ts, xdpfw_limit_charge(&l, 64), l.tolerance, &next) ==
		    XDPFW_LIMIT_WITHIN) {
			tat = next;
			bytes += 64;
		}
	}
	want = 64000000 + l.burst;
	assert_true(bytes > want - want / 100 && bytes < want + want / 100);
}

static void test_accuracy_low_rates(void **state)
{
	struct xdpfw_limit l;
	__u64 tat = 0, pkts = 0;

	(void)state;
	/* 1/h, burst 1: a packet every second for 10 hours gets 1 + 10. */
	l = mk(1, 3600, false, 1);
	for (__u64 s = 1; s <= 36001; s++)
		pkts += step(&l, &tat, s * NS, 0) == XDPFW_LIMIT_WITHIN;
	assert_int_equal(pkts, 11);
	/* 1/d at its largest burst, 12, over 13 days of a packet a minute. */
	l = mk(1, 86400, false, 12);
	tat = 0;
	pkts = 0;
	for (__u64 m = 1; m <= 13 * 1440; m++)
		pkts += step(&l, &tat, m * 60 * NS, 0) == XDPFW_LIMIT_WITHIN;
	assert_int_equal(pkts, 12 + 12);
	/* 1 byte/s: a 1500-byte packet every second passes once per 1500 s
	 * after the 65535-byte burst. */
	l = mk(1, 1, true, 0);
	tat = 0;
	pkts = 0;
	for (__u64 s = 1; s <= 15000; s++)
		pkts += step(&l, &tat, s * NS, 1500) == XDPFW_LIMIT_WITHIN;
	assert_int_equal(pkts, 43 + 10);
}

/* Threads sharing one bucket through xdpfw_limit_take(): no update lost. */
static pthread_barrier_t start;

struct taker {
	__u64 *state;
	const struct xdpfw_limit *l;
	unsigned int within, nostate;
};

static void *take_many(void *arg)
{
	struct taker *t = arg;

	pthread_barrier_wait(&start);
	for (unsigned int i = 0; i < 200000; i++) {
		int r =
		    xdpfw_limit_take(t->state, xdpfw_limit_clock(NS), t->l->cost, t->l->tolerance);

		t->within += r == XDPFW_LIMIT_WITHIN;
		t->nostate += r == XDPFW_LIMIT_NOSTATE;
	}
	return NULL;
}

static void test_cas_across_threads(void **state)
{
	struct xdpfw_limit l = mk(1000, 1, false, 400000);
	__u64 bucket = 0;
	struct taker t[4];
	pthread_t th[4];
	unsigned int within = 0, nostate = 0;

	(void)state;
	/* Released together, so that the four race for every token. */
	assert_int_equal(pthread_barrier_init(&start, NULL, 4), 0);
	for (int i = 0; i < 4; i++) {
		t[i] = (struct taker){.state = &bucket, .l = &l};
		assert_int_equal(pthread_create(&th[i], NULL, take_many, &t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		within += t[i].within;
		nostate += t[i].nostate;
	}
	/* The clock stands still: exactly the burst, whatever the races;
	 * a packet that gave up (NOSTATE) took nothing. */
	assert_int_equal(within, 400000);
	assert_true(bucket == xdpfw_limit_clock(NS) + l.tolerance);
	pthread_barrier_destroy(&start);
	printf("# 4 threads: %u within, %u gave up after %d lost races\n", within, nostate,
	       XDPFW_LIMIT_CAS_TRIES);
}

static void test_key(void **state)
{
	struct xdpfw_limit l = mk(10, 1, false, 5);
	struct xdpfw_limit_key k;
	uint32_t a4[4] = {0}, a6[4];

	(void)state;
	l.tag = 0xabcd;
	l.prefix4 = 24;
	l.prefix6 = 56;
	inet_pton(AF_INET, "192.0.2.77", a4);
	a4[1] = a4[2] = a4[3] = 0xffffffff; /* not IPv4's: must not reach the key */
	xdpfw_limit_key_init(&k, &l, 7, 4, a4);
	assert_int_equal(k.slot, 7);
	assert_int_equal(k.tag, 0xabcd);
	assert_int_equal(k.family, 4);
	assert_true(k.pad[0] == 0 && k.pad[1] == 0 && k.pad[2] == 0);
	assert_true(k.addr[0] == htonl(0xc0000200) && !k.addr[1] && !k.addr[2] && !k.addr[3]);
	inet_pton(AF_INET6, "2001:db8:1234:5678::1", a6);
	xdpfw_limit_key_init(&k, &l, 7, 6, a6);
	assert_true(k.addr[0] == htonl(0x20010db8) && k.addr[1] == htonl(0x12345600) &&
	            !k.addr[2] && !k.addr[3]);
	l.prefix6 = 128;
	xdpfw_limit_key_init(&k, &l, 7, 6, a6);
	assert_memory_equal(k.addr, a6, 16);
	l.prefix4 = 1;
	xdpfw_limit_key_init(&k, &l, 7, 4, a4);
	assert_true(k.addr[0] == htonl(0x80000000));
}

/* ---- the language ----------------------------------------------------------- */

static int load(struct fw_ruleset **out, const char *src)
{
	fw_ruleset_free(*out);
	fw_diag_init(&diag, "t.rules", NULL);
	return fw_ruleset_load_mem("t.rules", src, strlen(src), out, &diag);
}

static void load_ok(struct fw_ruleset **out, const char *src)
{
	if (load(out, src))
		fail_msg("'%s': first error %u:%u '%s'", src, diag.count ? diag.entries[0].line : 0,
		         diag.count ? diag.entries[0].col : 0,
		         diag.count ? diag.entries[0].msg : "");
}

/* The source must fail with exactly one error, at line:col, saying msg. */
static void expect_error(const char *src, unsigned int line, unsigned int col, const char *msg)
{
	assert_int_equal(load(&rs, src), -EINVAL);
	if (diag.errors != 1)
		fail_msg("'%s': %u errors, want 1 (first: '%s')", src, diag.errors,
		         diag.count ? diag.entries[0].msg : "");
	if (diag.entries[0].line != line || diag.entries[0].col != col ||
	    strcmp(diag.entries[0].msg, msg))
		fail_msg("'%s': got %u:%u '%s', want %u:%u '%s'", src, diag.entries[0].line,
		         diag.entries[0].col, diag.entries[0].msg, line, col, msg);
}

static void test_forms(void **state)
{
	static const struct {
		const char *src;
		__u64 rate;
		uint32_t period;
		bool bytes;
		__u64 burst;
		uint8_t flags, p4, p6; /* flags besides BYTES */
	} cases[] = {
	    {"drop udp limit over 1000/s", 1000, 1, false, 100, 0, 0, 0},
	    {"drop limit over 50k/s", 50000, 1, false, 5000, 0, 0, 0},
	    {"drop limit over 2m/m", 2000000, 60, false, 3334, 0, 0, 0},
	    {"drop limit over 1g/s", 1000000000, 1, false, 100000000, 0, 0, 0},
	    {"drop limit over 10/second burst 3 packets", 10, 1, false, 3, 0, 0, 0},
	    {"drop limit over 10/s burst 3packets", 10, 1, false, 3, 0, 0, 0},
	    {"drop limit over 10/minute", 10, 60, false, 5, 0, 0, 0},
	    {"drop limit over 1/h", 1, 3600, false, 5, 0, 0, 0},
	    {"drop limit over 1/hour burst 311", 1, 3600, false, 311, 0, 0, 0},
	    {"drop limit over 3/d", 3, 86400, false, 5, 0, 0, 0},
	    {"drop limit over 3/day", 3, 86400, false, 5, 0, 0, 0},
	    {"drop limit over 10mbit/s", 1250000, 1, true, 125000, 0, 0, 0},
	    {"drop limit over 8kbit/s", 1000, 1, true, 65535, 0, 0, 0},
	    {"drop limit over 1gbit/s burst 1500", 125000000, 1, true, 1500, 0, 0, 0},
	    {"drop limit over 512gbit/s", 64000000000ull, 1, true, 6400000000ull, 0, 0, 0},
	    {"drop limit over 100kbyte/s burst 2 kbytes", 102400, 1, true, 2048, 0, 0, 0},
	    {"drop limit over 10 mbytes/second burst 512 bytes", 10485760, 1, true, 512, 0, 0, 0},
	    {"drop limit over 1kbytes/s burst 1mbyte", 1024, 1, true, 1048576, 0, 0, 0},
	    {"drop limit over 1gbytes/s burst 1 gbytes", 1u << 30, 1, true, 1u << 30, 0, 0, 0},
	    {"drop limit over 5 bytes/s burst 65535", 5, 1, true, 65535, 0, 0, 0},
	    {"drop limit over 10/s per saddr", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE, 32, 128},
	    {"drop ip limit over 10/s per saddr/24", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE, 24,
	     128},
	    {"drop ip6 limit over 10/s per saddr/64", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE, 32,
	     64},
	    {"drop icmpv6 limit over 10/s per saddr/128", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE,
	     32, 128},
	    {"drop saddr 198.51.100.0/24 limit over 10/s per saddr/28", 10, 1, false, 5,
	     XDPFW_LIMIT_PER_SOURCE, 28, 128},
	    {"drop limit over 10/s per saddr/24/64", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE, 24,
	     64},
	    {"drop udp limit over 10/s per saddr/32/128", 10, 1, false, 5, XDPFW_LIMIT_PER_SOURCE,
	     32, 128},
	    {"drop limit over 10/s per saddr burst 7", 10, 1, false, 7, XDPFW_LIMIT_PER_SOURCE, 32,
	     128},
	    {"drop limit over 10/s name \"x\" tcp log", 10, 1, false, 5, 0, 0, 0},
	    {"pass udp dport 53 log limit over 10 / s burst 9", 10, 1, false, 9, 0, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct xdpfw_rule *r;

		load_ok(&rs, cases[i].src);
		r = &rs->rules[0];
		if (!(r->flags & XDPFW_RULE_LIMIT) || r->limit.rate != cases[i].rate ||
		    r->limit.period != cases[i].period ||
		    !!(r->limit.flags & XDPFW_LIMIT_BYTES) != cases[i].bytes ||
		    r->limit.burst != cases[i].burst ||
		    (r->limit.flags & ~XDPFW_LIMIT_BYTES) != cases[i].flags ||
		    r->limit.prefix4 != cases[i].p4 || r->limit.prefix6 != cases[i].p6)
			fail_msg("'%s': rate %llu/%u%s burst %llu flags %#x /%u /%u", cases[i].src,
			         (unsigned long long)r->limit.rate, r->limit.period,
			         r->limit.flags & XDPFW_LIMIT_BYTES ? " bytes" : "",
			         (unsigned long long)r->limit.burst, r->limit.flags,
			         r->limit.prefix4, r->limit.prefix6);
		assert_true(r->limit.tolerance == r->limit.burst * r->limit.cost);
		assert_true(r->limit.tag == xdpfw_limit_tag(&r->limit));
		assert_true(r->limit.tag != 0);
		assert_int_equal(r->limit_pad, 0);
	}
	/* No limit: nothing of it in the rule. */
	load_ok(&rs, "drop udp");
	assert_int_equal(rs->rules[0].flags & XDPFW_RULE_LIMIT, 0);
	assert_int_equal(rs->rules[0].limit.cost, 0);
	assert_int_equal(rs->rules[0].limit.tag, 0);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *src;
		unsigned int col;
		const char *msg;
	} cases[] = {
	    {"drop limit", 11, "missing over RATE after 'limit'"},
	    {"drop limit rate 10/s", 12,
	     "expected over after 'limit', got 'rate': a limit matches the excess, as in limit "
	     "over 100/s"},
	    {"drop limit over", 16, "missing rate after 'over'"},
	    {"drop limit over fast", 17,
	     "expected a rate after 'over', as in 100/s, 50k/s or 10mbit/s, got 'fast'"},
	    {"drop limit over /s", 17,
	     "expected a rate after 'over', as in 100/s, 50k/s or 10mbit/s, got '/'"},
	    {"drop limit over 1.5k/s", 17,
	     "expected a rate after 'over', as in 100/s, 50k/s or 10mbit/s, got '1.5k'"},
	    {"drop limit over 10zbit/s", 19,
	     "unknown rate unit 'zbit': expected k, m, g, kbit, mbit, gbit, bytes, kbytes, mbytes "
	     "or gbytes"},
	    {"drop limit over 10Mbit/s", 19,
	     "unknown rate unit 'Mbit': expected k, m, g, kbit, mbit, gbit, bytes, kbytes, mbytes "
	     "or gbytes"},
	    {"drop limit over 10bit/s", 19,
	     "unknown rate unit 'bit': expected k, m, g, kbit, mbit, gbit, bytes, kbytes, mbytes "
	     "or gbytes"},
	    {"drop limit over 0/s", 17, "rate must be at least 1"},
	    {"drop limit over 0 kbytes/s", 17, "rate must be at least 1"},
	    {"drop limit over 99999999999999999999k/s", 17,
	     "rate 99999999999999999999k out of range"},
	    {"drop limit over 20000000000gbytes/s", 17, "rate 20000000000gbytes out of range"},
	    {"drop limit over 100", 20, "missing /PERIOD after the rate, as in 100/s"},
	    {"drop limit over 100 burst 5", 21,
	     "expected /PERIOD after the rate, as in 100/s, got 'burst'"},
	    {"drop limit over 100/", 21, "missing period after '/'"},
	    {"drop limit over 100/w", 21,
	     "expected a period after '/': s, m, h or d (second, minute, hour, day), got 'w'"},
	    {"drop limit over 100/s burst", 28, "missing burst size after 'burst'"},
	    {"drop limit over 100/s burst lots", 29,
	     "expected a burst size after 'burst', as in burst 100, got 'lots'"},
	    {"drop limit over 100/s burst 0", 29, "burst must be at least 1"},
	    {"drop limit over 100/s burst 0 bytes", 29, "burst must be at least 1"},
	    {"drop limit over 100/s burst 5 bytes", 31,
	     "burst in bytes for a packet rate: give it in packets"},
	    {"drop limit over 100/s burst 5kbytes", 30,
	     "burst in bytes for a packet rate: give it in packets"},
	    {"drop limit over 1mbit/s burst 5 packets", 33,
	     "burst in packets for a byte rate: give it in bytes"},
	    {"drop limit over 100/s burst 5x", 30,
	     "unknown burst unit 'x': expected packets, bytes, kbytes, mbytes or gbytes"},
	    {"drop limit over 1mbit/s burst 99999999999 gbytes", 31,
	     "burst 99999999999 out of range"},
	    {"drop limit over 100/s burst 5 burst 6", 31, "duplicate burst (first at column 23)"},
	    {"drop limit over 100/s per", 26, "missing saddr after 'per'"},
	    {"drop limit over 100/s per daddr", 27, "expected saddr after 'per', got 'daddr'"},
	    {"drop limit over 100/s per saddr/", 33, "missing prefix length after '/'"},
	    {"drop limit over 100/s per saddr/x", 33,
	     "expected a prefix length after '/', got 'x'"},
	    {"drop limit over 100/s per saddr/0", 33,
	     "prefix length 0 puts every source in one bucket: leave out per"},
	    {"drop ip6 limit over 100/s per saddr/129", 37,
	     "prefix length 129 out of range (1-128)"},
	    {"drop limit over 100/s per saddr/33/64", 33,
	     "prefix length 33 out of range for IPv4 (1-32)"},
	    {"drop limit over 100/s per saddr/24/129", 36,
	     "prefix length 129 out of range for IPv6 (1-128)"},
	    {"drop limit over 100/s per saddr/24/0", 36,
	     "prefix length 0 puts every source in one bucket: leave out per"},
	    {"drop limit over 100/s per saddr/24/64/8", 38,
	     "unexpected '/': expected ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, "
	     "sport, dport, flags, type, vlan, fragment, len, ttl, hoplimit, limit, name or log"},
	    {"drop limit over 100/s per saddr per saddr", 33, "duplicate per (first at column 23)"},
	    {"drop limit over 1/s limit over 2/s", 21, "duplicate limit (first at column 6)"},
	    {"drop limit over 1/s tcp limit over 2/s", 25, "duplicate limit (first at column 6)"},
	    {"drop limit over 1/s over", 21,
	     "unknown word 'over': expected ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, "
	     "sport, dport, flags, type, vlan, fragment, len, ttl, hoplimit, limit, name or log"},
	    /* Found by the compiler, once the rule's family is known. */
	    {"drop ip limit over 10/s per saddr/64", 35,
	     "prefix length 64 out of range for IPv4 (1-32)"},
	    {"drop icmp limit over 10/s per saddr/33", 37,
	     "prefix length 33 out of range for IPv4 (1-32)"},
	    {"drop limit over 10/s per saddr/24", 32,
	     "one prefix length in a rule for IPv4 and IPv6: add ip or ip6, or give both, as in "
	     "per saddr/24/64"},
	    {"drop ip6 limit over 10/s per saddr/24/64", 39,
	     "two prefix lengths in an IPv6-only rule: give one"},
	    {"drop saddr 192.0.2.1 limit over 10/s per saddr/24/64", 51,
	     "two prefix lengths in an IPv4-only rule: give one"},
	    {"drop limit over 65g/s", 17, "rate too high: the limiter times at most 64g/s"},
	    {"drop limit over 3841g/m", 17, "rate too high: the limiter times at most 64g/s"},
	    {"drop limit over 513gbit/s", 17, "rate too high: the limiter times at most 512gbit/s"},
	    {"drop limit over 1bytes/m", 17,
	     "rate too low: one 65535-byte packet at this rate takes more than 13 days"},
	    {"drop limit over 1/h burst 312", 27,
	     "burst too large for the rate: it takes more than 13 days to earn"},
	    {"drop limit over 5bytes/m", 17,
	     "rate too low: its default burst of 65535 bytes takes more than 13 days to earn"},
	    {"drop limit over 1/d burst 1 per saddr/24", 39,
	     "one prefix length in a rule for IPv4 and IPv6: add ip or ip6, or give both, as in "
	     "per saddr/24/64"},
	};
	char src[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* On line 2, so that the line is checked too. */
		snprintf(src, sizeof(src), "pass tcp dport 22\n%s\n", cases[i].src);
		expect_error(src, 2, cases[i].col, cases[i].msg);
	}
}

static void test_settings(void **state)
{
	(void)state;
	load_ok(&rs, "");
	assert_int_equal(rs->config.limit.sources, 131072);
	assert_int_equal(rs->config.limit.full, XDPFW_LIMIT_FULL_OVER);
	assert_true(rs->config.limit.pad == 0 && rs->config.limit.rules == 0);
	load_ok(&rs, "limit-sources 1000 # small\nlimit-full within\n");
	assert_int_equal(rs->config.limit.sources, 1000);
	assert_int_equal(rs->config.limit.full, XDPFW_LIMIT_FULL_WITHIN);
	load_ok(&rs, "limit-full over\nlimit-sources 16777216\n");
	assert_int_equal(rs->config.limit.sources, 1u << 24);
	assert_int_equal(rs->config.limit.full, XDPFW_LIMIT_FULL_OVER);
	load_ok(&rs, "limit-sources 1\n");
	assert_int_equal(rs->config.limit.sources, 1);
	/* The count of limited rules that sends the program down its path
	 * with buckets: 0 keeps the plain search. */
	load_ok(&rs, "drop udp limit over 1/s\npass udp\ndrop tcp limit over 1/m per saddr\n");
	assert_int_equal(rs->config.limit.rules, 2);

	expect_error("limit-sources\n", 1, 14, "missing a number of sources after 'limit-sources'");
	expect_error("limit-sources many\n", 1, 15,
	             "expected a number of sources after 'limit-sources', got 'many'");
	expect_error("limit-sources 0\n", 1, 15, "limit-sources 0 out of range (1-16777216)");
	expect_error("limit-sources 16777217\n", 1, 15,
	             "limit-sources 16777217 out of range (1-16777216)");
	expect_error("limit-sources 5 6\n", 1, 17, "expected end of line, got '6'");
	expect_error("limit-full\n", 1, 11, "missing over or within after 'limit-full'");
	expect_error("limit-full maybe\n", 1, 12,
	             "expected over or within after 'limit-full', got 'maybe'");
	expect_error("limit-full over within\n", 1, 17, "expected end of line, got 'within'");
	expect_error("limit-full over\n\nlimit-full within\n", 3, 1,
	             "limit-full already set on line 1");
	expect_error("limit-sources 5\nlimit-sources 5\n", 2, 1,
	             "limit-sources already set on line 1");
	expect_error("limit\n", 1, 1,
	             "unknown word 'limit': expected pass, drop, set, policy, nonip, malformed, "
	             "limit-sources or limit-full");
}

/* Printed back: the text, and the very same rule when parsed again. */
static void test_format(void **state)
{
	static const struct {
		const char *src, *text;
	} cases[] = {
	    {"drop udp dport 53 limit over 1000/s", "drop udp dport 53 limit over 1k/s burst 100"},
	    {"drop limit over 1234/s burst 7", "drop limit over 1234/s burst 7"},
	    {"drop limit over 50000/m", "drop limit over 50k/m burst 84"},
	    {"drop limit over 2000000/h", "drop limit over 2m/h burst 56"},
	    {"drop limit over 3g/s burst 1", "drop limit over 3g/s burst 1"},
	    {"drop limit over 10mbit/s", "drop limit over 10mbit/s burst 125000 bytes"},
	    {"drop limit over 1250000 bytes/s burst 125000",
	     "drop limit over 10mbit/s burst 125000 bytes"},
	    {"drop limit over 100kbyte/s", "drop limit over 100kbytes/s burst 65535 bytes"},
	    {"drop limit over 1000bytes/h burst 4 kbytes",
	     "drop limit over 8kbit/h burst 4 kbytes"},
	    {"drop limit over 3 mbytes/second burst 1 gbyte",
	     "drop limit over 3mbytes/s burst 1 gbytes"},
	    {"drop limit over 7bytes/s burst 2mbytes", "drop limit over 7bytes/s burst 2 mbytes"},
	    {"drop limit over 1gbit/s burst 1500", "drop limit over 1gbit/s burst 1500 bytes"},
	    {"drop ip limit over 10/s per saddr/32", "drop ip limit over 10/s burst 5 per saddr"},
	    {"drop ip limit over 10/s per saddr/24",
	     "drop ip limit over 10/s burst 5 per saddr/24"},
	    {"drop ip6 udp limit over 10/s per saddr/64",
	     "drop ip6 udp limit over 10/s burst 5 per saddr/64"},
	    {"drop limit over 10/s per saddr/24/64",
	     "drop limit over 10/s burst 5 per saddr/24/64"},
	    {"drop limit over 10/s per saddr/32/64",
	     "drop limit over 10/s burst 5 per saddr/32/64"},
	    {"drop limit over 10/s per saddr/32/128", "drop limit over 10/s burst 5 per saddr"},
	    {"drop icmp type echo-request limit over 10/s per saddr/24 log name \"p\"",
	     "drop icmp type echo-request limit over 10/s burst 5 per saddr/24 name \"p\" log"},
	    {"pass limit over 1/s burst 1", "pass limit over 1/s burst 1"},
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load_ok(&rs, cases[i].src);
		fw_rule_format(&rs->rules[0], buf, sizeof(buf));
		if (strcmp(buf, cases[i].text))
			fail_msg("'%s' prints as '%s', want '%s'", cases[i].src, buf,
			         cases[i].text);
		load_ok(&rs2, buf);
		rs2->rules[0].line = rs->rules[0].line;
		if (memcmp(&rs->rules[0], &rs2->rules[0], sizeof(rs->rules[0])))
			fail_msg("'%s' re-parses differently", buf);
	}
}

/* Every part of a limit, and the settings, change the digest. */
static void test_digest(void **state)
{
	static const char *const variants[] = {
	    "drop udp\n",
	    "drop udp limit over 10/s\n",
	    "drop udp limit over 11/s\n",
	    "drop udp limit over 10/m\n",
	    "drop udp limit over 10/s burst 6\n",
	    "drop udp limit over 10/s per saddr\n",
	    "drop udp limit over 10/s per saddr/24/128\n",
	    "drop udp limit over 10/s per saddr/32/64\n",
	    "drop udp limit over 10bytes/s\n",
	    "limit-sources 5\ndrop udp\n",
	    "limit-full within\ndrop udp\n",
	};
	__u64 d[sizeof(variants) / sizeof(variants[0])];

	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		load_ok(&rs, variants[i]);
		d[i] = rs->config.digest;
		/* The settings lines move the rule down; keep it on line 1. */
		for (size_t j = 0; j < i; j++)
			if (d[i] == d[j])
				fail_msg("'%s' and '%s' have one digest", variants[i], variants[j]);
	}
	/* Written differently, compiled the same: one digest. */
	load_ok(&rs, "drop udp limit over 10mbit/s burst 125000\n");
	load_ok(&rs2, "drop udp limit over 1250000bytes/second\n");
	assert_true(rs->config.digest == rs2->config.digest);
}

/* The model: within the budget a rule does not match, and the next does. */
static bool over_for_77(const struct fw_ruleset *set, int rule, const struct xdpfw_pkt *pkt,
                        void *arg)
{
	int *asked = arg;

	(void)set;
	(*asked)++;
	(void)rule;
	return pkt->saddr[0] == htonl(0xc0000200 | 77);
}

static void udp_from(struct pkt *p, const char *saddr, uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.saddr = saddr});
	pkt_udp(p, 1234, dport);
	pkt_finish(p);
}

static void test_model(void **state)
{
	struct fw_model_result res;
	struct pkt p;
	int asked = 0;

	(void)state;
	load_ok(&rs, "policy drop\n"
	             "drop udp dport 53 limit over 10/s per saddr\n"
	             "pass udp dport 53\n"
	             "drop tcp limit over 1/s\n");
	udp_from(&p, "192.0.2.1", 53);
	/* Default: every limit within its budget, so on to the pass rule. */
	assert_int_equal(fw_model_verdict(rs, p.data, p.len, &res), XDPFW_ACT_PASS);
	assert_int_equal(res.rule, 1);
	assert_int_equal(res.limited, 0);
	assert_int_equal(res.reason, XDPFW_REASON_RULE);
	assert_int_equal(fw_model_classify(rs, &res.pkt), 1);
	/* Over: the limited rule matches and decides. */
	assert_int_equal(fw_model_verdict_limits(rs, p.data, p.len, fw_model_all_over, NULL, &res),
	                 XDPFW_ACT_DROP);
	assert_int_equal(res.rule, 0);
	assert_int_equal(res.limited, 0);
	/* A callback deciding by source, asked only where the matches held. */
	assert_int_equal(fw_model_verdict_limits(rs, p.data, p.len, over_for_77, &asked, &res),
	                 XDPFW_ACT_PASS);
	assert_int_equal(asked, 1);
	udp_from(&p, "192.0.2.77", 53);
	assert_int_equal(fw_model_verdict_limits(rs, p.data, p.len, over_for_77, &asked, &res),
	                 XDPFW_ACT_DROP);
	assert_int_equal(res.rule, 0);
	assert_int_equal(asked, 2);
	/* A limited rule whose matches do not hold is not asked about. */
	udp_from(&p, "192.0.2.77", 54);
	assert_int_equal(fw_model_verdict_limits(rs, p.data, p.len, over_for_77, &asked, &res),
	                 XDPFW_ACT_DROP);
	assert_int_equal(res.rule, -1);
	assert_int_equal(res.limited, -1);
	assert_int_equal(res.reason, XDPFW_REASON_POLICY);
	assert_int_equal(asked, 2);
	/* The last rule limited and within: the policy decides. */
	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, &(struct pkt_ipv4){0});
	pkt_tcp(&p, 1, 2, 0x02, 0);
	pkt_finish(&p);
	assert_int_equal(fw_model_verdict(rs, p.data, p.len, &res), XDPFW_ACT_DROP);
	assert_int_equal(res.reason, XDPFW_REASON_POLICY);
	assert_int_equal(res.limited, 2);
	/* Nothing limited: limited stays -1. */
	assert_int_equal(fw_model_classify_limits(rs, &res.pkt, NULL, NULL, NULL), -1);
	assert_int_equal(fw_model_unknown_match(rs), -1);
}

/* A limited rule shadows nothing: within its budget packets go on. */
static void test_lint(void **state)
{
	static const char src[] = "policy pass\n"
	                          "drop udp dport 53 limit over 10/s\n"
	                          "drop udp dport 53\n"
	                          "drop udp dport 53 limit over 10/s per saddr\n"
	                          "drop tcp limit over 5/s\n";
	static const char settings[] = "policy drop\nlimit-sources 10\nlimit-full within\n"
	                               "nonip drop\n";

	(void)state;
	load_ok(&rs, src);
	assert_false(fw_rule_covers(&rs->rules[0], &rs->rules[1]));
	/* ...but an unlimited rule covers a limited one after it. */
	assert_true(fw_rule_covers(&rs->rules[1], &rs->rules[2]));
	fw_diag_init(&diag, "t.rules", NULL);
	assert_int_equal(fw_lint(rs, &diag), 0);
	assert_int_equal(diag.warnings, 1);
	assert_int_equal(diag.entries[0].line, 4);
	assert_int_equal(diag.entries[0].col, 1);
	assert_string_equal(diag.entries[0].msg, "rule is shadowed by line 3 (it can never match)");
	/* The settings keep their positions too. */
	load_ok(&rs, settings);
	fw_diag_init(&diag, "t.rules", NULL);
	assert_int_equal(fw_lint(rs, &diag), 0);
	assert_true(diag.warnings >= 1);
	assert_int_equal(diag.entries[0].line, 1);
	assert_int_equal(diag.entries[diag.count - 1].line, 4);
}

/* fwctl show: the limit settings where they matter, and a rule file again. */
static char *show(const struct fw_ruleset *set)
{
	static const struct fw_show_head head = {"veth0", 5, 42, "native"};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(fw_show_print(f, false, &head, set, NULL), 0);
	fclose(f);
	return out;
}

static void test_show(void **state)
{
	static const char src[] =
	    "limit-full within\n"
	    "drop udp dport 53 limit over 300/s burst 600 per saddr name \"dns\"\n"
	    "drop ip6 limit over 10gbit/s per saddr/48\n"
	    "drop limit over 1/h per saddr/24/64 log\n";
	char *text;

	(void)state;
	load_ok(&rs, "drop udp\n");
	text = show(rs);
	assert_null(strstr(text, "limit"));
	free(text);

	load_ok(&rs, src);
	text = show(rs);
	assert_non_null(strstr(text, "\nlimit-sources 131072\nlimit-full within\n"));
	assert_non_null(strstr(text, "drop udp dport 53 limit over 300/s burst 600 per saddr "
	                             "name \"dns\""));
	load_ok(&rs2, text);
	assert_memory_equal(&rs->config.limit, &rs2->config.limit, sizeof(rs->config.limit));
	assert_int_equal(rs2->config.rule_count, 3);
	for (unsigned int i = 0; i < 3; i++) {
		rs2->rules[i].line = rs->rules[i].line;
		assert_memory_equal(&rs->rules[i], &rs2->rules[i], sizeof(rs->rules[i]));
	}
	free(text);

	/* Settings apart from the defaults show without a limited rule. */
	load_ok(&rs, "limit-sources 7\n");
	text = show(rs);
	assert_non_null(strstr(text, "limit-sources 7\nlimit-full over\n"));
	free(text);
}

/* The example passes, warning-free (fwctl check --strict). */
static void test_example(void **state)
{
	const char *path = XDPFW_SOURCE_ROOT "/rules/rate-limits.rules";

	(void)state;
	fw_diag_init(&diag, NULL, stderr);
	fw_ruleset_free(rs);
	assert_int_equal(fw_ruleset_load_file(path, &rs, &diag), 0);
	assert_int_equal(fw_lint(rs, &diag), 0);
	assert_int_equal(diag.warnings, 0);
	assert_int_equal(rs->config.limit.sources, 262144);
	for (unsigned int i = 0, per = 0, whole = 0; i < rs->config.rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];

		if (r->flags & XDPFW_RULE_LIMIT)
			(r->limit.flags & XDPFW_LIMIT_PER_SOURCE) ? per++ : whole++;
		if (i + 1 == rs->config.rule_count)
			assert_true(per > 0 && whole > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_params_errors),
	    cmocka_unit_test(test_default_burst),
	    cmocka_unit_test(test_burst_then_rate),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_long_idle),
	    cmocka_unit_test(test_time_backwards),
	    cmocka_unit_test(test_clock_wrap),
	    cmocka_unit_test(test_stale_after_wrap),
	    cmocka_unit_test(test_accuracy_high_rates),
	    cmocka_unit_test(test_accuracy_low_rates),
	    cmocka_unit_test(test_cas_across_threads),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_forms),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_model),
	    cmocka_unit_test(test_lint),
	    cmocka_unit_test(test_show),
	    cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
