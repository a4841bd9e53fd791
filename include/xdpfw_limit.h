/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpfw_limit.h - rate limits (`limit over RATE [burst N] [per saddr[/LEN]]`):
 * the token-bucket arithmetic that the BPF program and fwctl share, and the
 * layouts of a rule's limit, of the limit settings and of the key of a
 * per-source bucket. Included by xdpfw.h; usable on its own.
 *
 * The bucket is GCRA, the virtual-scheduling form of a token bucket (ITU-T
 * I.371; the same bucket as RFC 2697's, told in time instead of tokens). Its
 * whole state is one __u64, the theoretical arrival time (TAT): the time at
 * which the bucket is full again. A packet costs `charge` (one cost, or one
 * cost per byte); it is within the budget when the bucket, charged, runs
 * ahead of the clock by no more than its depth:
 *
 *	tat' = max(tat, now) + charge;  within iff tat' - now <= tolerance
 *
 * and only a packet within the budget stores tat'. tolerance = burst * cost
 * is the depth: `burst` packets (or bytes) back to back from a full bucket,
 * then one every `cost`. max(tat, now) is the refill, capped at the depth
 * however long the bucket sat idle. One word of state lets the program update
 * a bucket with one compare-and-swap from any CPU without losing an update
 * (xdpfw_limit_take()); no lock, no per-CPU share of the budget.
 *
 * Time is scaled, ns << XDPFW_LIMIT_SHIFT, in a __u64 that wraps (every
 * 2^52 ns, 52 days of uptime). Times are only ever compared through signed
 * differences, which the wrap leaves intact while they stay below 2^63:
 * user space keeps tolerance + the largest charge <= XDPFW_LIMIT_SPAN_MAX
 * (2^62), and a TAT further ahead than any packet can have put it is stale
 * (xdpfw_limit_gcra()).
 *
 * The BPF side gets shifts, adds, one multiply and compares: no division, no
 * floating point, no libc. Cost and tolerance are worked out once in user
 * space (xdpfw_limit_params(), not built for BPF).
 */
#ifndef XDPFW_LIMIT_H
#define XDPFW_LIMIT_H

#include <linux/types.h>

#define XDPFW_LIMIT_FN static inline __attribute__((always_inline))

/*
 * Scaled time: 1/4096 ns. A cost is rounded to a whole scaled ns once, so
 * the rate errs by at most 0.5/cost: 0.1% at 100 Gbit/s (12.5e9 bytes/s,
 * cost 327.68 -> 328), none at 10 Mpps (cost 409600), and at most 1/128
 * (0.8%) at the fastest rate accepted (cost XDPFW_LIMIT_COST_MIN).
 */
#define XDPFW_LIMIT_SHIFT    12
#define XDPFW_LIMIT_COST_MIN 64
/* The fastest rate accepted, per second: 64e9 packets, or bytes (512 Gbit/s). */
#define XDPFW_LIMIT_RATE_MAX ((1000000000ull << XDPFW_LIMIT_SHIFT) / XDPFW_LIMIT_COST_MIN)
/*
 * Longest time a bucket holds, scaled: its depth plus the largest charge.
 * 2^62 leaves the signed differences a factor of two from overflowing; in
 * real time it is 2^50 ns, 13 days: `1/h` takes a burst up to 311, `1/d` 12.
 */
#define XDPFW_LIMIT_SPAN_MAX  (1ull << 62)
#define XDPFW_LIMIT_SPAN_DAYS 13
/*
 * A TAT ahead of the clock by more than tolerance + this is stale: left by a
 * bucket idle for over 2^51 ns (26 days) while the scaled clock wrapped, so
 * that it now reads as far in the future. It is taken as a full bucket;
 * otherwise that source would be over its limit for up to 26 days. 2^42
 * scaled ns is 1.07 s, far more than two CPUs' reads of CLOCK_MONOTONIC
 * ever disagree, which is the only way a live TAT gets past the tolerance.
 */
#define XDPFW_LIMIT_STALE (1ull << 42)
/* Byte limits count the IP packet's length (IPv4 total length, IPv6 40 +
 * payload length), as nftables counts skb->len from the network header at
 * netdev ingress; 65535 at most. */
#define XDPFW_LIMIT_MAX_LEN 65535u
/* Compare-and-swap attempts before a packet gives up on its bucket. */
#define XDPFW_LIMIT_CAS_TRIES 8

/* struct xdpfw_limit.flags */
#define XDPFW_LIMIT_BYTES      0x01 /* cost per byte of IP length; else per packet */
#define XDPFW_LIMIT_PER_SOURCE 0x02 /* a bucket per source prefix; else one per rule */

/*
 * The limit of one rule (struct xdpfw_rule.limit, with XDPFW_RULE_LIMIT in
 * the rule's flags). Packets the rule's matches select are charged to the
 * bucket; those within the budget do not match the rule and go on to the
 * next rules, the excess matches it and gets its action.
 */
struct xdpfw_limit {
	__u64 cost;      /* scaled ns per packet, or per byte with XDPFW_LIMIT_BYTES */
	__u64 tolerance; /* scaled ns: burst * cost, the bucket's depth */
	__u64 rate;      /* packets or bytes per period, as compiled (printing back) */
	__u64 burst;     /* packets or bytes (printing back) */
	__u32 period;    /* seconds: 1, 60, 3600 or 86400 */
	__u32 tag;       /* hash of the fields above and the prefixes: buckets of a
	                  * rule whose limit changed over a reload start afresh */
	__u8 flags;      /* XDPFW_LIMIT_* */
	__u8 prefix4;    /* per source: IPv4 prefix length, 1-32; 0 per rule */
	__u8 prefix6;    /* per source: IPv6 prefix length, 1-128; 0 per rule */
	__u8 pad[5];
};
_Static_assert(sizeof(struct xdpfw_limit) == 48, "xdpfw_limit layout");

/*
 * Key of a per-source bucket, in the LRU hash of buckets that all rules
 * share (value: the __u64 TAT). slot is the rule's counter slot, which
 * follows a rule's name over a reload; tag changes with the limit. Zero the
 * whole key, padding included, before filling it: it is hashed as bytes.
 */
struct xdpfw_limit_key {
	__u32 slot;  /* the rule's counter slot */
	__u32 tag;   /* the rule's limit.tag */
	__u8 family; /* XDPFW_FAMILY_IPV4 / _IPV6 of the packet */
	__u8 pad[3];
	__u32 addr[4]; /* source address masked to prefix4 / prefix6; IPv4 in [0] */
};
_Static_assert(sizeof(struct xdpfw_limit_key) == 28, "xdpfw_limit_key layout");

/*
 * The limit settings (struct xdpfw_config.limit). The per-source buckets
 * live in one LRU hash of `sources` entries: a new source takes the bucket
 * used longest ago when it is full (an eviction, counted), and starts, as
 * every new source does, with a full burst. `full` decides a packet that
 * gets no bucket at all (the kernel found no entry to take, or
 * XDPFW_LIMIT_CAS_TRIES lost races): over its limit, or within.
 */
#define XDPFW_LIMIT_SOURCES_DEFAULT 131072u /* twice the 64k sources the e2e test floods with */
#define XDPFW_LIMIT_SOURCES_MAX     (1u << 24)
enum xdpfw_limit_full {
	XDPFW_LIMIT_FULL_OVER = 0, /* the default, so that a zeroed config fails closed */
	XDPFW_LIMIT_FULL_WITHIN = 1,
};
struct xdpfw_limit_config {
	__u32 sources; /* entries of the per-source bucket map, 1-XDPFW_LIMIT_SOURCES_MAX */
	__u8 full;     /* enum xdpfw_limit_full */
	__u8 pad;
	__u16 rules; /* rules with XDPFW_RULE_LIMIT: 0 keeps the program on its
	              * path without buckets (derived from the rules) */
};
_Static_assert(sizeof(struct xdpfw_limit_config) == 8, "xdpfw_limit_config layout");

/*
 * The bucket of a per-rule limit: an array indexed by the rule's counter
 * slot (fw_limit_rule). A tag other than the rule's limit.tag is a bucket
 * left by another limit (or by no rule at all): the program takes it as
 * full and claims it with a compare-and-swap on the tag.
 */
struct xdpfw_limit_bucket {
	__u64 tat; /* GCRA state, scaled ns */
	__u32 tag; /* limit.tag of the rule that owns the state */
	__u32 pad;
};
_Static_assert(sizeof(struct xdpfw_limit_bucket) == 16, "xdpfw_limit_bucket layout");

/* Per-CPU, per counter slot (fw_limit_stats): what a limited rule's
 * buckets said to the packets its matches selected. */
struct xdpfw_limit_counter {
	__u64 within;  /* within the budget: the rule did not match */
	__u64 over;    /* over it, or no bucket and limit-full over: it matched */
	__u64 nostate; /* of within + over: no bucket to be had (limit-full decided) */
};
_Static_assert(sizeof(struct xdpfw_limit_counter) == 24, "xdpfw_limit_counter layout");

/* Per-CPU, one entry (fw_limit_totals): per-source buckets inserted into
 * the LRU hash. Evictions are inserted minus the entries present, worked
 * out by fwctl; the loader zeroes this when it replaces the hash. */
struct xdpfw_limit_totals {
	__u64 inserted;
};
_Static_assert(sizeof(struct xdpfw_limit_totals) == 8, "xdpfw_limit_totals layout");

/* What a packet is against its bucket. */
#define XDPFW_LIMIT_WITHIN  0 /* within the budget: the rule does not match */
#define XDPFW_LIMIT_OVER    1 /* over it: the rule matches */
#define XDPFW_LIMIT_NOSTATE 2 /* no bucket to be had: xdpfw_limit_config.full decides */

/* The scaled clock, from bpf_ktime_get_ns() (CLOCK_MONOTONIC). */
XDPFW_LIMIT_FN __u64 xdpfw_limit_clock(__u64 ns)
{
	return ns << XDPFW_LIMIT_SHIFT;
}

/* What a packet of IP length len costs: longer than XDPFW_LIMIT_MAX_LEN
 * cannot be (a jumbogram claims no length) and is charged as that. */
XDPFW_LIMIT_FN __u64 xdpfw_limit_charge(const struct xdpfw_limit *l, __u32 len)
{
	if (!(l->flags & XDPFW_LIMIT_BYTES))
		return l->cost;
	if (len > XDPFW_LIMIT_MAX_LEN)
		len = XDPFW_LIMIT_MAX_LEN;
	return (__u64)len * l->cost;
}

/*
 * One packet against a bucket whose state is tat, at scaled time now.
 * Returns XDPFW_LIMIT_WITHIN with the state to store in *next, or
 * XDPFW_LIMIT_OVER (the state stays as it is: an excess packet costs
 * nothing, as in nftables). Needs tolerance + charge <= XDPFW_LIMIT_SPAN_MAX.
 *
 * - Idle: a TAT behind the clock is a full bucket; never more than that.
 * - Time going backwards (now before the time that wrote tat): the bucket
 *   only looks emptier; nothing is refilled, nothing overflows.
 * - A TAT more than tolerance + XDPFW_LIMIT_STALE ahead cannot have been
 *   written by a packet within the budget: the clock wrapped past an idle
 *   bucket. It counts as full, so a clock that jumped back by more than a
 *   second (CLOCK_MONOTONIC does not) gets at most one burst.
 * - A new bucket: any state at or behind now is full; store the *next of a
 *   packet tried against tat = now.
 */
XDPFW_LIMIT_FN int xdpfw_limit_gcra(__u64 tat, __u64 now, __u64 charge, __u64 tolerance,
                                    __u64 *next)
{
	__s64 ahead = (__s64)(tat - now);
	__u64 t;

	if (ahead > (__s64)(tolerance + XDPFW_LIMIT_STALE))
		ahead = 0;
	t = (ahead > 0 ? tat : now) + charge;
	if ((__s64)(t - now) > (__s64)tolerance)
		return XDPFW_LIMIT_OVER;
	*next = t;
	return XDPFW_LIMIT_WITHIN;
}

/*
 * xdpfw_limit_gcra() on a bucket shared by every CPU: read, decide, and
 * store with a compare-and-swap that fails when another CPU stored first;
 * then decide again on what it stored. No update is lost, so the budget
 * holds across CPUs. Gives up after XDPFW_LIMIT_CAS_TRIES lost races with
 * XDPFW_LIMIT_NOSTATE. (BPF: BPF_ATOMIC_CMPXCHG, -mcpu=v3, Linux 5.12.)
 */
XDPFW_LIMIT_FN int xdpfw_limit_take(__u64 *state, __u64 now, __u64 charge, __u64 tolerance)
{
	__u64 old = *(volatile __u64 *)state, next = 0, seen;

	for (int i = 0; i < XDPFW_LIMIT_CAS_TRIES; i++) {
		if (xdpfw_limit_gcra(old, now, charge, tolerance, &next) == XDPFW_LIMIT_OVER)
			return XDPFW_LIMIT_OVER;
		seen = __sync_val_compare_and_swap(state, old, next);
		if (seen == old)
			return XDPFW_LIMIT_WITHIN;
		old = seen;
	}
	return XDPFW_LIMIT_NOSTATE;
}

/* A 32-bit mask of the first len bits of word w of an address, network
 * byte order. */
XDPFW_LIMIT_FN __u32 xdpfw_limit_mask(unsigned int len, unsigned int w)
{
	int bits = (int)len - 32 * (int)w;
	__u32 m = bits <= 0 ? 0 : bits >= 32 ? 0xffffffffu : 0xffffffffu << (32 - bits);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap32(m);
#endif
	return m;
}

/* The key of the bucket of source saddr (network byte order, IPv4 in [0])
 * of a packet of family under a rule with counter slot `slot`. */
XDPFW_LIMIT_FN void xdpfw_limit_key_init(struct xdpfw_limit_key *k, const struct xdpfw_limit *l,
                                         __u32 slot, __u8 family, const __u32 *saddr)
{
	/* 6: XDPFW_FAMILY_IPV6 (xdpfw.h, which includes this file) */
	unsigned int len = family == 6 ? l->prefix6 : l->prefix4;

	__builtin_memset(k, 0, sizeof(*k));
	k->slot = slot;
	k->tag = l->tag;
	k->family = family;
	k->addr[0] = saddr[0] & xdpfw_limit_mask(len, 0);
	if (family == 6) {
		k->addr[1] = saddr[1] & xdpfw_limit_mask(len, 1);
		k->addr[2] = saddr[2] & xdpfw_limit_mask(len, 2);
		k->addr[3] = saddr[3] & xdpfw_limit_mask(len, 3);
	}
}

#ifndef __bpf__
/* ---- user space only: setting a limit up ----------------------------------- */

/* Why a limit cannot be set up (xdpfw_limit_params()). */
enum xdpfw_limit_error {
	XDPFW_LIMIT_OK = 0,
	XDPFW_LIMIT_ERR_RATE,     /* rate 0, or a period other than 1, 60, 3600, 86400 s */
	XDPFW_LIMIT_ERR_BURST,    /* burst 0 */
	XDPFW_LIMIT_ERR_TOO_FAST, /* over XDPFW_LIMIT_RATE_MAX a second */
	XDPFW_LIMIT_ERR_TOO_SLOW, /* the largest packet alone spans over XDPFW_LIMIT_SPAN_MAX */
	XDPFW_LIMIT_ERR_SPAN,     /* burst and the largest packet span over XDPFW_LIMIT_SPAN_MAX */
};

/*
 * The burst when the rule gives none: 100 ms of the rate, and at least 5
 * packets (nftables' default, from iptables) or 65535 bytes (the largest IP
 * packet, so that no packet is over by its size alone). 100 ms, because a
 * NAPI poll hands XDP up to 64 frames within microseconds: a burst smaller
 * than that turns a flow below the rate into an excess.
 */
static inline __u64 xdpfw_limit_default_burst(__u64 rate, __u32 period, int bytes)
{
	__u64 tenths = (__u64)period * 10, b, min = bytes ? XDPFW_LIMIT_MAX_LEN : 5;

	if (!tenths)
		return min;
	b = rate / tenths + (rate % tenths != 0);
	return b > min ? b : min;
}

/*
 * Fill cost, tolerance, rate, burst, period and the XDPFW_LIMIT_BYTES flag
 * of *l for `rate` packets (or bytes) per `period` seconds and a burst of
 * `burst` packets (or bytes). Returns XDPFW_LIMIT_OK, or the reason it
 * cannot be timed without overflow or within 1%; *l is then unspecified.
 */
static inline int xdpfw_limit_params(struct xdpfw_limit *l, __u64 rate, __u32 period, int bytes,
                                     __u64 burst)
{
	__u64 span, cost, largest = bytes ? XDPFW_LIMIT_MAX_LEN : 1;

	if (!rate || (period != 1 && period != 60 && period != 3600 && period != 86400))
		return XDPFW_LIMIT_ERR_RATE;
	if (!burst)
		return XDPFW_LIMIT_ERR_BURST;
	/* At most 86400e9 << 12 = 3.5e17: no overflow. */
	span = ((__u64)period * 1000000000ull) << XDPFW_LIMIT_SHIFT;
	if (rate > span / XDPFW_LIMIT_COST_MIN)
		return XDPFW_LIMIT_ERR_TOO_FAST;
	/* Rounded to nearest; rate <= span / 64, so no overflow either. */
	cost = (span + rate / 2) / rate;
	if (cost < XDPFW_LIMIT_COST_MIN)
		return XDPFW_LIMIT_ERR_TOO_FAST;
	if (cost > XDPFW_LIMIT_SPAN_MAX / largest)
		return XDPFW_LIMIT_ERR_TOO_SLOW;
	if (burst > (XDPFW_LIMIT_SPAN_MAX - cost * largest) / cost)
		return XDPFW_LIMIT_ERR_SPAN;
	l->cost = cost;
	l->tolerance = burst * cost;
	l->rate = rate;
	l->burst = burst;
	l->period = period;
	if (bytes)
		l->flags |= XDPFW_LIMIT_BYTES;
	else
		l->flags &= (__u8)~XDPFW_LIMIT_BYTES;
	return XDPFW_LIMIT_OK;
}

/* l->tag from everything else in *l: 32-bit FNV-1a (draft-eastlake-fnv)
 * over its bytes before tag, then flags and the prefix lengths. */
static inline __u32 xdpfw_limit_tag(const struct xdpfw_limit *l)
{
	const unsigned char *p = (const unsigned char *)l;
	__u32 h = 0x811c9dc5u;

	for (unsigned long i = 0; i < __builtin_offsetof(struct xdpfw_limit, tag); i++)
		h = (h ^ p[i]) * 0x01000193u;
	h = (h ^ l->flags) * 0x01000193u;
	h = (h ^ l->prefix4) * 0x01000193u;
	h = (h ^ l->prefix6) * 0x01000193u;
	return h;
}
#endif /* !__bpf__ */

#endif /* XDPFW_LIMIT_H */
