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
#include "consts.h"
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
	__u32 id[CLS_NFIELDS]; /* field classes, cls_ids() */
	__u32 saddr[4];
	__u64 now;  /* scaled clock, read once per packet */
	__u32 gen;  /* masked */
	__u32 from; /* next rule position to search from */
	__u32 rule_count;
	__u32 len; /* IP length, for byte limits */
	int rule;  /* out: fw_rules key, or -1 */
	__u8 family;
	__u8 full; /* enum xdpfw_limit_full */
};

/* The rule's own bucket. */
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

/* One candidate: the first rule at or after w->from. 1 stops the loop. */
static long limit_step(__u32 i, void *ctx)
{
	struct limit_walk *w = ctx;
	const struct xdpfw_vec *v[CLS_NFIELDS];
	const struct xdpfw_rule *r;
	__u32 gen = w->gen & (XDPFW_GENERATIONS - 1), key;
	int pos;

	(void)i;
	w->rule = -1;
	if (cls_vecs(gen, w->id, v))
		return 1;
	/* The count from the constants (xdp/consts.h): known to the verifier. */
	pos = cls_first(v, w->from, fw_cfg()->rule_count);
	if (pos < 0)
		return 1;
	key = gen * XDPFW_MAX_RULES + pos;
	r = bpf_map_lookup_elem(&fw_rules, &key);
	if (!r)
		return 1;
	if ((r->flags & XDPFW_RULE_LIMIT) && limit_within(r, w)) {
		w->from = pos + 1;
		return 0;
	}
	w->rule = key;
	return 1;
}

static __always_inline int classify_limited(const struct xdpfw_config *cfg, __u32 gen,
                                            const struct xdpfw_pkt *pkt)
{
	struct limit_walk w = {
	    .gen = gen & (XDPFW_GENERATIONS - 1),
	    .rule_count = cfg->rule_count,
	    .len = pkt->ip_len,
	    .rule = -1,
	    .family = pkt->family,
	    .full = cfg->limit.full,
	};

	cls_ids(cfg, w.gen, pkt, w.id, 0); /* never a small set (cls.c) */
	w.saddr[0] = pkt->saddr[0];
	w.saddr[1] = pkt->saddr[1];
	w.saddr[2] = pkt->saddr[2];
	w.saddr[3] = pkt->saddr[3];
	w.now = xdpfw_limit_clock(bpf_ktime_get_ns());
	/* Every step but the last passes one rule: rule_count + 1 at most. */
	bpf_loop(XDPFW_MAX_RULES + 1, limit_step, &w, 0);
	return w.rule;
}

#endif /* XDPFW_LIMIT_BPF_H */
