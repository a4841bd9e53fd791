// SPDX-License-Identifier: GPL-2.0-only
/*
 * limit.h - rate-limited rules: the classifier's search, going on past a
 * limited rule whose bucket has budget left.
 *
 * Contract:
 *
 *   int classify_limited(const struct xdpfw_config *cfg, __u32 gen,
 *                        const struct xdpfw_pkt *pkt)
 *
 * as classify() (classify.h), but a candidate rule with XDPFW_RULE_LIMIT in
 * its flags is charged to its bucket first: within the budget it does not
 * match and the search goes on from the next rule; over it, it matches. A
 * packet that gets no bucket (XDPFW_LIMIT_NOSTATE) is decided by
 * cfg->limit.full. Only called when cfg->limit.rules != 0, so that a rule
 * set without limits keeps the plain search. Every charge is counted per
 * rule slot in fw_limit_stats (per-CPU), every per-source bucket inserted
 * in fw_limit_totals (per-CPU).
 *
 * Buckets (the arithmetic is include/xdpfw_limit.h):
 *   - per rule: fw_limit_rule[slot], slot = the rule's counter slot, which
 *     follows the rule's name over a reload; its tag says which limit owns
 *     the state, so a changed limit starts from a full bucket;
 *   - per source: one LRU hash shared by all rules, keyed by slot, tag,
 *     family and masked source (struct xdpfw_limit_key). It is the inner map
 *     of fw_limit_src[0], created by the loader with limit-sources entries:
 *     a map's size is fixed at creation, so a new size is a new map.
 *
 * Concurrency: a bucket is one __u64 updated by compare-and-swap from any
 * CPU (xdpfw_limit_take()); the counters are per-CPU plain adds. The tag
 * claim of a per-rule bucket is a second compare-and-swap, once per limit
 * change.
 *
 * The search: the candidates of a packet are known only one at a time (the
 * first set bit at or after a position), so going on past limited rules is
 * a loop around the word loop of cls_first(). An open-coded loop would
 * multiply the verifier's paths by every candidate; bpf_loop() (Linux 5.17)
 * has its callback verified once. The callback gets the field classes (not
 * the vector pointers) in its context and looks the ten vectors up again:
 * array lookups, inlined.
 */
#ifndef XDPFW_LIMIT_BPF_H
#define XDPFW_LIMIT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"
#include "classify.h"

/* Per-rule buckets, by counter slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_COUNTER_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfw_limit_bucket);
} fw_limit_rule SEC(".maps");

/*
 * Per-source buckets: slot 0 holds the LRU hash, created by the loader with
 * config.limit.sources entries (a hash inner map may differ in size from
 * this template). The common LRU (no BPF_F_NO_COMMON_LRU): a per-CPU LRU
 * splits the entries between CPUs, so with traffic on every CPU a source
 * would be evicted with the table only 1/ncpus full, and the same source
 * seen on two CPUs could hold two entries' worth of churn.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_LRU_HASH);
		    __uint(max_entries, 1);
		    __uint(key_size, sizeof(struct xdpfw_limit_key));
		    __uint(value_size, sizeof(__u64));
	    });
} fw_limit_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_COUNTER_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfw_limit_counter);
} fw_limit_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_limit_totals);
} fw_limit_totals SEC(".maps");

/* What the bpf_loop() callback needs: scalars only (see the top). */
struct limit_walk {
	struct cls_walk c;       /* the partitions' walk: phase-0 classes, best */
	__u32 lvec[CLS_NFIELDS]; /* the fields' vectors of vector rules */
	__u32 lim_off;           /* their rule index of each limited rule */
	__u32 nvector;
	__u32 saddr[4];
	__u64 now;  /* scaled clock, read once per packet */
	__u32 gen;  /* masked */
	__u32 from; /* next limited rule (ordinal) to search from */
	__u32 best; /* the first unlimited rule that matches, or XDPFW_RULE_NONE */
	__u32 len;  /* IP length, for byte limits */
	int rule;   /* out: fw_rules key, or -1 */
	__u8 family;
	__u8 full; /* enum xdpfw_limit_full */
};

/*
 * The walk's state lives in a per-CPU scratch value, not on the stack: the
 * verifier counts the stack of the program and of the loop's callback
 * together (512 bytes), and a packet runs on one CPU from start to end, so
 * nothing else touches this CPU's copy meanwhile.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct limit_walk);
} fw_limit_work SEC(".maps");

static __always_inline int limit_rule_take(const struct xdpfw_limit *l, __u32 slot, __u64 now,
                                           __u64 charge)
{
	struct xdpfw_limit_bucket *b = bpf_map_lookup_elem(&fw_limit_rule, &slot);
	__u32 tag;

	if (!b)
		return XDPFW_LIMIT_NOSTATE;
	tag = *(volatile __u32 *)&b->tag;
	if (tag != l->tag) {
		/* Another limit's state: whoever claims the tag refills it
		 * (any TAT at or behind now is a full bucket). */
		__u64 old = *(volatile __u64 *)&b->tat;

		if (__sync_val_compare_and_swap(&b->tag, tag, l->tag) == tag)
			__sync_val_compare_and_swap(&b->tat, old, now);
	}
	return xdpfw_limit_take(&b->tat, now, charge, l->tolerance);
}

/* The bucket of the packet's source prefix, inserted full when missing. */
static __always_inline int limit_src_take(const struct xdpfw_limit *l, __u32 slot,
                                          const struct limit_walk *w, __u64 charge)
{
	struct xdpfw_limit_key key;
	struct xdpfw_limit_totals *t;
	__u64 *tat, next = 0;
	__u32 zero = 0;
	void *src;
	long err;

	src = bpf_map_lookup_elem(&fw_limit_src, &zero);
	if (!src)
		return XDPFW_LIMIT_NOSTATE;
	xdpfw_limit_key_init(&key, l, slot, w->family, w->saddr);
	tat = bpf_map_lookup_elem(src, &key);
	if (tat)
		return xdpfw_limit_take(tat, w->now, charge, l->tolerance);
	/* A new source: a full bucket; a packet larger than the burst is
	 * over even so, and takes no entry. */
	if (xdpfw_limit_gcra(w->now, w->now, charge, l->tolerance, &next) == XDPFW_LIMIT_OVER)
		return XDPFW_LIMIT_OVER;
	err = bpf_map_update_elem(src, &key, &next, BPF_NOEXIST);
	if (!err) {
		t = bpf_map_lookup_elem(&fw_limit_totals, &zero);
		if (t)
			t->inserted++;
		return XDPFW_LIMIT_WITHIN;
	}
	/* Another CPU inserted it first: charge its bucket. */
	tat = err == -17 /* EEXIST */ ? bpf_map_lookup_elem(src, &key) : NULL;
	if (!tat)
		return XDPFW_LIMIT_NOSTATE;
	return xdpfw_limit_take(tat, w->now, charge, l->tolerance);
}

/* Whether limited rule r lets the packet go on (1) or matches it (0). */
static __always_inline int limit_within(const struct xdpfw_rule *r, const struct limit_walk *w)
{
	const struct xdpfw_limit *l = &r->limit;
	__u64 charge = xdpfw_limit_charge(l, w->len);
	struct xdpfw_limit_counter *c;
	__u32 slot = r->counter;
	int res, within;

	if (l->flags & XDPFW_LIMIT_PER_SOURCE)
		res = limit_src_take(l, slot, w, charge);
	else
		res = limit_rule_take(l, slot, w->now, charge);
	within = res == XDPFW_LIMIT_WITHIN ||
	         (res == XDPFW_LIMIT_NOSTATE && w->full == XDPFW_LIMIT_FULL_WITHIN);
	c = bpf_map_lookup_elem(&fw_limit_stats, &slot);
	if (c) {
		if (within)
			c->within++;
		else
			c->over++;
		if (res == XDPFW_LIMIT_NOSTATE)
			c->nostate++;
	}
	return within;
}

/* Word `word` of the fields' vectors ANDed (word < 0: summary word
 * -1 - word); 0 when a vector is missing. One vector at a time: the
 * verifier counts the stack of both frames of the walk together. */
static __always_inline __u64 limit_and(const struct limit_walk *w, int word)
{
	__u64 x = ~0ull;

	/* A loop, not unrolled: the callback's stack counts with the caller's. */
#pragma nounroll
	for (int k = 0; k < CLS_NFIELDS; k++) {
		const struct xdpfw_vec *v;

		/* Vector 0 holds every vector rule: ANDing it changes nothing
		 * (bits past the last vector rule are never taken). */
		if (!w->lvec[k])
			continue;
		v = bpf_map_lookup_elem(&fw_lvec, &w->lvec[k]);
		if (!v)
			return 0;
		x &= word < 0 ? v->summary[(-1 - word) & (XDPFW_VEC_SUMMARY - 1)]
		              : v->w[word & (XDPFW_VEC_WORDS - 1)];
	}
	return x;
}

/* The first word at or after from's with candidates in the summaries, or
 * -1. */
static __always_inline int limit_next_word(const struct limit_walk *w)
{
	__u32 fw = w->from / 64;

#pragma nounroll
	for (int sw = 0; sw < XDPFW_VEC_SUMMARY; sw++) {
		__u64 s;

		if ((__u32)(sw + 1) * 64 <= fw)
			continue;
		s = limit_and(w, -1 - sw);
		if ((__u32)sw * 64 < fw)
			s &= ~0ull << ((fw - (__u32)sw * 64) & 63);
		if (s)
			return sw * 64 + cls_ctz(s);
	}
	return -1;
}

/*
 * One step of the walk over the vector rules that match, in rule order,
 * before the first unlimited rule the partitions found: a word without
 * candidates left is passed over; a limited rule within its budget is
 * passed over; anything else decides. Steps: the words with candidates
 * plus the candidates, at most XDPFW_VEC_WORDS + XDPFW_MAX_LIMITED.
 */
static long limit_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct limit_walk *w = bpf_map_lookup_elem(&fw_limit_work, &zero);
	const struct xdpfw_rule *r;
	__u32 key, rule = XDPFW_RULE_NONE, pos = 0;
	int word;
	__u64 x;

	(void)i;
	(void)ctx;
	if (!w)
		return 1;
	w->rule = -1;
	word = w->from < w->nvector ? limit_next_word(w) : -1;
	if (word >= 0) {
		word &= XDPFW_VEC_WORDS - 1;
		x = limit_and(w, word);
		if ((__u32)word == w->from / 64)
			x &= ~0ull << (w->from & 63);
		if (!x) {
			w->from = ((__u32)word + 1) * 64;
			return 0;
		}
		pos = (__u32)word * 64 + cls_ctz(x);
		if (pos < w->nvector)
			rule = cls_t32(w->lim_off + pos);
	}
	if (rule >= w->best) {
		/* No vector rule before it: the unlimited rule decides. */
		w->rule =
		    w->best == XDPFW_RULE_NONE ? -1 : (int)(w->gen * XDPFW_MAX_RULES + w->best);
		return 1;
	}
	key = w->gen * XDPFW_MAX_RULES + (rule & (XDPFW_MAX_RULES - 1));
	r = bpf_map_lookup_elem(&fw_rules, &key);
	if (!r)
		return 1;
	/* A vector rule without a limit (no partition took it) decides. */
	if ((r->flags & XDPFW_RULE_LIMIT) && limit_within(r, w)) {
		w->from = pos + 1;
		return 0;
	}
	w->rule = (int)key;
	return 1;
}

/*
 * The rule for pkt when the rule set has vector rules: the partitions'
 * first unlimited rule c->best (from classify_into() with lvec), unless a
 * vector rule before it matches and decides.
 */
static __always_inline int classify_limited(const struct xdpfw_config *cfg,
                                            const struct xdpfw_pkt *pkt, const struct cls_walk *c,
                                            const __u32 *lvec)
{
	__u32 zero = 0;
	struct limit_walk *w = bpf_map_lookup_elem(&fw_limit_work, &zero);

	if (!w)
		return -1;
	w->gen = c->gen;
	w->lim_off = cfg->plan.lim_off;
	w->nvector = cfg->plan.nvector;
	w->from = 0;
	w->len = pkt->ip_len;
	w->rule = -1;
	w->family = pkt->family;
	w->full = cfg->limit.full;
	w->best = c->best < cfg->rule_count ? c->best : XDPFW_RULE_NONE;
#pragma unroll
	for (int k = 0; k < CLS_NFIELDS; k++)
		w->lvec[k] = lvec[k];
	w->saddr[0] = pkt->saddr[0];
	w->saddr[1] = pkt->saddr[1];
	w->saddr[2] = pkt->saddr[2];
	w->saddr[3] = pkt->saddr[3];
	w->now = xdpfw_limit_clock(bpf_ktime_get_ns());
	bpf_loop(XDPFW_VEC_WORDS + XDPFW_MAX_LIMITED + 1, limit_step, NULL, 0);
	return w->rule;
}

#endif /* XDPFW_LIMIT_BPF_H */
