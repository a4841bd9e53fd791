// SPDX-License-Identifier: GPL-2.0-only
/*
 * lists.h - the classifier's keyed lists (include/xdpfw.h, struct
 * xdpfw_lists; built by ctl/cls_lists.c, which also says in C what this
 * computes).
 *
 * Contract:
 *
 *   __u32 lists_first(const struct xdpfw_lists *ls, __u32 s, __u32 d,
 *                     const __u32 *key_words, const struct xdpfw_pkt *pkt,
 *                     __u32 best)
 *
 * the first rule of the lists that a packet of address classes s and d
 * matches if before rule best, else best; key_words[0] and [1] are the list words of
 * s in the SRC kind and of d in the DST kind (the caller reads them from
 * its class table). Reads: per kind in the rule set, its key (a bucket of
 * the pair hash, two at most; a word for SRC and DST) and its records, two
 * a cache line, as many as the list has, XDPFW_LIST_MAX at most. The
 * plan is the program's constants: the verifier keeps only the kinds the
 * rule set has, each unrolled to its longest list.
 */
#ifndef XDPFW_LISTS_H
#define XDPFW_LISTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpfw.h"

/* Records and the pair hash: maps of the rule set's program alone, made at
 * the rule set's size (as classify.h's tables). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_cand);
} fw_cand SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_pair_bucket);
} fw_pair SEC(".maps");

/* The other address a record tests: prefix of plen bits, host order. */
static __always_inline int cand_addr(const struct xdpfw_cand *c, const __u32 *a)
{
	__u32 len = c->plen;

#pragma unroll
	for (__u32 i = 0; i < 4; i++) {
		__u32 bits = len > 32 * i ? len - 32 * i : 0;
		__u32 mask = bits >= 32 ? ~0u : bits ? ~0u << ((32 - bits) & 31) : 0;

		if ((bpf_ntohl(a[i]) & mask) != c->addr[i])
			return 0;
	}
	return 1;
}

/* Whether record c holds for pkt: the model's tests and preconditions. */
static __always_inline int cand_holds(const struct xdpfw_cand *c, int kind,
                                      const struct xdpfw_pkt *pkt)
{
	int ports = pkt->flags & XDPFW_PKT_PORTS;
	__u8 t = c->tests;

	if ((t & XDPFW_CAND_FAMILY) && pkt->family != c->family)
		return 0;
	if ((t & XDPFW_CAND_PROTO) && (pkt->proto != c->proto || (pkt->flags & XDPFW_PKT_NO_PROTO)))
		return 0;
	if ((t & XDPFW_CAND_SPORT) &&
	    !(ports && pkt->sport >= c->sport_lo && pkt->sport <= c->sport_hi))
		return 0;
	if ((t & XDPFW_CAND_DPORT) &&
	    !(ports && pkt->dport >= c->dport_lo && pkt->dport <= c->dport_hi))
		return 0;
	if (kind != XDPFW_LIST_PAIR && (t & XDPFW_CAND_ADDR) &&
	    !cand_addr(c, kind == XDPFW_LIST_SRC ? pkt->daddr : pkt->saddr))
		return 0;
	return 1;
}

/* The first record of list `word` that holds, its rule, if before rule
 * best (records are in rule order: past best, none can win); maxlen the
 * kind's longest list, a constant. */
static __always_inline __u32 list_first(__u32 word, __u32 maxlen, int kind,
                                        const struct xdpfw_pkt *pkt, __u32 best)
{
	__u32 start = word & XDPFW_LIST_START_MASK, n = word >> XDPFW_LIST_COUNT_SHIFT;

#pragma unroll
	for (__u32 i = 0; i < XDPFW_LIST_MAX; i++) {
		const struct xdpfw_cand *c;
		__u32 key = start + i;

		if (i >= maxlen || i >= n)
			break;
		c = bpf_map_lookup_elem(&fw_cand, &key);
		if (!c || c->rule >= best)
			break;
		if (cand_holds(c, kind, pkt))
			return c->rule;
	}
	return best;
}

/* The list word of pair (s, d) in bucket b, or 0. */
static __always_inline __u32 pair_in(const struct xdpfw_pair_bucket *b, __u32 s, __u32 d)
{
	__u32 w = 0;

#pragma unroll
	for (int i = 0; i < XDPFW_PAIR_SLOTS; i++)
		if (b->list[i] && b->s[i] == s && b->d[i] == d)
			w = b->list[i];
	return w;
}

static __always_inline __u32 pair_word(const struct xdpfw_lists *ls, __u32 s, __u32 d)
{
	__u32 key = xdpfw_pair_hash(s, d, ls->pair_seed) & ((1u << ls->pair_bits) - 1);
	const struct xdpfw_pair_bucket *b = bpf_map_lookup_elem(&fw_pair, &key);
	__u32 w;

	if (!b)
		return 0;
	w = pair_in(b, s, d);
	if (w || !b->next)
		return w;
	key = b->next - 1;
	b = bpf_map_lookup_elem(&fw_pair, &key);
	return b ? pair_in(b, s, d) : 0;
}

static __always_inline __u32 lists_first(const struct xdpfw_lists *ls, __u32 s, __u32 d,
                                         const __u32 *key_words, const struct xdpfw_pkt *pkt,
                                         __u32 best)
{
	if (ls->kinds & (1 << XDPFW_LIST_PAIR))
		best = list_first(pair_word(ls, s, d), ls->maxlen[XDPFW_LIST_PAIR], XDPFW_LIST_PAIR,
		                  pkt, best);
	if (ls->kinds & (1 << XDPFW_LIST_SRC))
		best =
		    list_first(key_words[0], ls->maxlen[XDPFW_LIST_SRC], XDPFW_LIST_SRC, pkt, best);
	if (ls->kinds & (1 << XDPFW_LIST_DST))
		best =
		    list_first(key_words[1], ls->maxlen[XDPFW_LIST_DST], XDPFW_LIST_DST, pkt, best);
	return best;
}

#endif /* XDPFW_LISTS_H */
