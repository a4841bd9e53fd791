// SPDX-License-Identifier: GPL-2.0-only
/*
 * classify.h - packet key in, first matching rule out, at a cost that does
 * not grow with the rule count or the set sizes.
 *
 * Contract:
 *
 *   int classify(const struct xdpfw_config *cfg, __u32 gen,
 *                const struct xdpfw_pkt *pkt)
 *
 * returns the fw_rules key of the first rule, in file order among the
 * cfg->rule_count live entries of generation gen (keys gen *
 * XDPFW_MAX_RULES onwards), that matches pkt; -1 when none does. Only for
 * packets parse_frame() returned XDPFW_REASON_POLICY for (IPv4 or IPv6).
 *
 * For limit.h, the search in parts: cls_ids() (the field classes),
 * cls_vecs() (their vectors), cls_first() (the first rule at or after a
 * position).
 *
 * What "matches" means is the reference model's (ctl/model.c): every field
 * a rule names holds, `!=` inverts a value test but never its precondition
 * (a port test needs ports, an IPv4 prefix an IPv4 packet, an ICMP type a
 * header, which a later fragment lacks).
 *
 * How (xdp/README.md has the design note; include/xdpfw.h the layouts):
 * phase 0 looks each field in use up in its table or address store (its
 * class); phase 1 crosses the small fields' classes into one class Y;
 * phase 2 reads, per partition of the rules, the class of the address
 * pair and the first rule of the partition that matches (X, Y); the
 * packet's rule is the first of those. A fixed number of reads, whatever
 * the rule count or the sets. Rate-limited rules, which the tables leave
 * out, come from vectors of the limited rules walked in limit.h.
 */
#ifndef XDPFW_CLASSIFY_H
#define XDPFW_CLASSIFY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpfw.h"
#include "consts.h"
#include "lists.h"

/* Compiled rules, key = generation * XDPFW_MAX_RULES + position in the file:
 * what a match does (action, counter); the tests live in the tables below. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS *XDPFW_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xdpfw_rule);
} fw_rules SEC(".maps");

/* Per generation: policy, nonip/malformed settings, the live rule count and
 * the classifier's plan, for user space; the program reads its own copy in
 * its constants (xdp/consts.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__type(value, struct xdpfw_config);
} fw_config SEC(".maps");

/* Class ids of the table fields, XDPFW_CLS_BLOCKS blocks per generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS *XDPFW_CLS_BLOCKS);
	__type(key, __u32);
	__type(value, struct xdpfw_cls_block);
} fw_cls SEC(".maps");

/*
 * The tables of phases 1 and 2 (include/xdpfw.h): 4 KiB blocks of 32-bit
 * classes, of 16-bit rule indexes, and the vectors of vector rules. They
 * belong to the rule set's program alone: the loader creates them at the
 * rule set's size before the program loads (ctl/loader.c), fills them
 * before it goes live, and they go with it. Maps the program names itself
 * are plain arrays to the verifier, whose lookups it inlines (a handful of
 * instructions each, where a map found in a map of maps is a helper call).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_tab32_block);
} fw_t32 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_tab16_block);
} fw_t16 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_vec);
} fw_lvec SEC(".maps");

/* Each rule's action and counter slot, by rule index (include/xdpfw.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_verd);
} fw_verd SEC(".maps");

/*
 * Address stores. The arrays are one inner map per generation, created by
 * user space and swapped in with the generation (the direct array keeps
 * the template's size, so its lookups stay inlined). The buckets of the
 * LPM stores (binary search on prefix lengths) are a map of the rule set's
 * own program, made at its size (include/xdpfw.h says how they work).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_lpm_bucket);
} fw_lpm SEC(".maps");

/* The records of the DIR stores' /24s without a group, likewise. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_rec24);
} fw_r24 SEC(".maps");

/* Key = generation * 2 + (field - XDPFW_F_SADDR). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS * 2);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_ARRAY);
		    __uint(max_entries, XDPFW_DIR_MAP_BLOCKS);
		    __uint(key_size, sizeof(__u32));
		    __uint(value_size, sizeof(struct xdpfw_dir_block));
	    });
} fw_addr_dir SEC(".maps");

/* D16 stores, key = generation * 2 + (field - XDPFW_F_SADDR). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS * 2);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_ARRAY);
		    __uint(max_entries, XDPFW_D16_MAP_BLOCKS);
		    __uint(key_size, sizeof(__u32));
		    __uint(value_size, sizeof(struct xdpfw_dir_block));
	    });
} fw_addr_d16 SEC(".maps");

/* Entry i (0..255) of D16 group g, in map m; miss if it is not there. */
static __always_inline __u32 cls_d16_group(void *m, __u32 g, __u32 i, __u32 miss)
{
	__u32 key = XDPFW_D16_L1_BLOCKS + (g & XDPFW_DIR_ID_MASK) / 2;
	const struct xdpfw_dir_block *b = bpf_map_lookup_elem(m, &key);

	return b ? b->id[(g & 1) * 256 + (i & 0xff)] : miss;
}

/* Is key k (len bits, host order) in bucket i of fw_lpm? Its class into
 * *id. */
static __always_inline int cls_lpm_probe(__u32 i, const __u32 *k, __u32 len, int v6, __u32 *id)
{
	const struct xdpfw_lpm_bucket *b = bpf_map_lookup_elem(&fw_lpm, &i);

	if (!b)
		return 0;
#pragma unroll
	for (int s = 0; s < XDPFW_LPM_SLOTS; s++) {
		if (b->len1[s] != len + 1 || b->a[s][0] != k[0])
			continue;
		if (v6 && (b->a[s][1] != k[1] || b->a[s][2] != k[2] || b->a[s][3] != k[3]))
			continue;
		*id = b->id[s];
		return 1;
	}
	return 0;
}

/* The class of host-order IPv4 address ip from its /24's record in DIR
 * store sh into *id (own when no prefix of the record holds it): 1, or 0
 * when the record spilled its prefixes into the LPM store. */
static __noinline int cls_rec24(const struct xdpfw_addr_shape *sh, __u32 ip, __u32 *id)
{
	__u32 b[2];

	xdpfw_rec24_place(ip >> 8, sh->nrec, b);
#pragma unroll
	for (int which = 0; which < 2; which++) {
		__u32 key = sh->rec_base + b[which];
		const struct xdpfw_rec24 *r = bpf_map_lookup_elem(&fw_r24, &key);

		if (!r || r->key != (ip >> 8) + 1)
			continue;
		if (r->n == XDPFW_REC24_SPILL)
			return 0;
#pragma unroll
		for (int i = 0; i < XDPFW_REC24_MAX; i++) {
			if (i < r->n &&
			    !((ip ^ r->e[i].lo) & (0xffu << (32 - r->e[i].len)) & 0xff)) {
				*id = r->e[i].id;
				return 1;
			}
		}
		return 1;
	}
	return 0;
}

/* The class of host-order address h in LPM store sh, best when no key
 * answers: a binary search on the store's lengths, a hit going longer. */
static __noinline __u32 cls_lpm(const struct xdpfw_addr_shape *sh, const __u32 *h, int v6,
                                __u32 best)
{
	int lo = 0, hi = (int)sh->nlens - 1;

#pragma unroll
	for (int step = 0; step < XDPFW_LPM_STEPS; step++) {
		__u32 mid = (__u32)(lo + hi) / 2, len, id, k[4] = {0, 0, 0, 0}, b[2];

		/* No break: a loop that leaves early is not unrolled. */
		if (lo > hi || mid >= XDPFW_LPM_LENS)
			continue;
		len = sh->lens[mid];
		k[0] = h[0] & xdpfw_lpm_mask(len, 0);
		if (v6) {
			k[1] = h[1] & xdpfw_lpm_mask(len, 1);
			k[2] = h[2] & xdpfw_lpm_mask(len, 2);
			k[3] = h[3] & xdpfw_lpm_mask(len, 3);
		}
		xdpfw_lpm_place(k, len, sh->page_len, sh->npages, b);
		if (cls_lpm_probe(sh->base + b[0], k, len, v6, &id) ||
		    cls_lpm_probe(sh->base + b[1], k, len, v6, &id)) {
			best = id;
			lo = (int)mid + 1;
		} else {
			hi = (int)mid - 1;
		}
	}
	return best;
}

/* Class id of table field f's value v: base block of the field, then v. */
static __always_inline __u32 cls_table(__u32 gen, __u32 base, __u32 v)
{
	__u32 key = gen * XDPFW_CLS_BLOCKS + base + (v >> 8);
	const struct xdpfw_cls_block *b = bpf_map_lookup_elem(&fw_cls, &key);

	return b ? b->id[v & 0xff] : 0;
}

/* Class of an address field (fi = 0 source, 1 destination). */
static __always_inline __u32 cls_addr(const struct xdpfw_config *cfg, __u32 gen, int fi,
                                      const struct xdpfw_pkt *pkt, const __u32 *a)
{
	int v6 = pkt->family == XDPFW_FAMILY_IPV6;
	const struct xdpfw_addr_shape *sh = &cfg->addr[fi][v6];
	void *inner;
	__u32 key;

	switch (sh->store) {
	case XDPFW_STORE_DIR: {
		const struct xdpfw_dir_block *b;
		__u32 ip = bpf_ntohl(a[0]), e;

		key = gen * 2 + fi;
		inner = bpf_map_lookup_elem(&fw_addr_dir, &key);
		if (!inner)
			return sh->miss;
		key = (ip >> 8) / XDPFW_DIR_PER_BLOCK;
		b = bpf_map_lookup_elem(inner, &key);
		if (!b)
			return sh->miss;
		e = b->id[(ip >> 8) % XDPFW_DIR_PER_BLOCK];
		if (!(e & XDPFW_DIR_LONGER))
			return e;
		if (e & XDPFW_DIR_HASHED) {
			e &= XDPFW_DIR_ID_MASK;
			if (sh->nrec && cls_rec24(sh, ip, &e))
				return e;
			return cls_lpm(sh, &ip, 0, e);
		}
		e &= XDPFW_DIR_ID_MASK;
		key = XDPFW_DIR_BLOCKS + e / 2;
		b = bpf_map_lookup_elem(inner, &key);
		return b ? b->id[(e & 1) * 256 + (ip & 0xff)] : sh->miss;
	}
	case XDPFW_STORE_D16: {
		const struct xdpfw_dir_block *b;
		__u32 ip = bpf_ntohl(a[0]), e;

		key = gen * 2 + fi;
		inner = bpf_map_lookup_elem(&fw_addr_d16, &key);
		if (!inner)
			return sh->miss;
		key = (ip >> 16) / XDPFW_DIR_PER_BLOCK;
		b = bpf_map_lookup_elem(inner, &key);
		if (!b)
			return sh->miss;
		e = b->id[(ip >> 16) % XDPFW_DIR_PER_BLOCK];
		if (e & XDPFW_DIR_LONGER)
			e = cls_d16_group(inner, e, ip >> 8, sh->miss);
		if (e & XDPFW_DIR_LONGER)
			e = cls_d16_group(inner, e, ip, sh->miss);
		return e;
	}
	case XDPFW_STORE_LPM: {
		__u32 h[4] = {bpf_ntohl(a[0]), 0, 0, 0};

		if (v6) {
			h[1] = bpf_ntohl(a[1]);
			h[2] = bpf_ntohl(a[2]);
			h[3] = bpf_ntohl(a[3]);
		}
		return cls_lpm(sh, h, v6, sh->miss);
	}
	}
	return sh->miss;
}

/*
 * Trailing zeros of x != 0: the bits below its lowest set bit, counted
 * without branches (clang 14's BPF back end cannot lower cttz, and branches
 * here would multiply the verifier's paths by every word of the loop).
 */
static __always_inline int cls_ctz(__u64 x)
{
	__u64 v = (x & -x) - 1;

	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((v * 0x0101010101010101ull) >> 56);
}

#define CLS_FIELD(bit, base, v) ((cfg->fields & (1u << (bit))) ? cls_table(gen, (base), (v)) : none)

/* The fields whose vectors are ANDed: the eight tables, then the two
 * address fields. */
#define CLS_NFIELDS 10

/* The class of every field of pkt, into id[CLS_NFIELDS]; `none` for a
 * field no rule tests (0, the vector of every rule; a small rule set's
 * bitmap of every rule, ~0). gen is masked. */
static __always_inline void cls_ids(const struct xdpfw_config *cfg, __u32 gen,
                                    const struct xdpfw_pkt *pkt, __u32 *id, __u32 none)
{
	__u32 vlan = pkt->vlan_count ? pkt->vlan[0] & 0xfff : XDPFW_VLAN_NONE;

	id[0] = CLS_FIELD(XDPFW_F_KIND, XDPFW_CLS_BASE_KIND,
	                  xdpfw_kind_key(pkt->family, pkt->proto, pkt->flags));
	id[1] = CLS_FIELD(XDPFW_F_SPORT, XDPFW_CLS_BASE_SPORT, pkt->sport);
	id[2] = CLS_FIELD(XDPFW_F_DPORT, XDPFW_CLS_BASE_DPORT, pkt->dport);
	id[3] = CLS_FIELD(XDPFW_F_LEN, XDPFW_CLS_BASE_LEN, pkt->ip_len);
	id[4] = CLS_FIELD(XDPFW_F_TTL, XDPFW_CLS_BASE_TTL, pkt->ttl);
	id[5] = CLS_FIELD(XDPFW_F_TCPFLAGS, XDPFW_CLS_BASE_TCPFLAGS, pkt->tcp_flags);
	id[6] = CLS_FIELD(XDPFW_F_ICMPTYPE, XDPFW_CLS_BASE_ICMPTYPE, pkt->icmp_type);
	id[7] = CLS_FIELD(XDPFW_F_VLAN, XDPFW_CLS_BASE_VLAN, vlan);
	id[8] = cls_addr(cfg, gen, 0, pkt, pkt->saddr);
	id[9] = cls_addr(cfg, gen, 1, pkt, pkt->daddr);
}

/* Entry idx of the class table, of the rule table. */
static __always_inline __u32 cls_t32(__u32 idx)
{
	__u32 key = idx / XDPFW_TAB32_PER_BLOCK;
	const struct xdpfw_tab32_block *b = bpf_map_lookup_elem(&fw_t32, &key);

	return b ? b->v[idx & (XDPFW_TAB32_PER_BLOCK - 1)] : 0;
}

static __always_inline __u32 cls_t16(__u32 idx)
{
	__u32 key = idx / XDPFW_TAB16_PER_BLOCK;
	const struct xdpfw_tab16_block *b = bpf_map_lookup_elem(&fw_t16, &key);

	return b ? b->v[idx & (XDPFW_TAB16_PER_BLOCK - 1)] : XDPFW_RULE_NONE;
}

/*
 * Partition p's first rule, or XDPFW_RULE_NONE. Written for the verifier:
 * every branch ends with the same kinds of values (unknown scalars, no
 * pointer that may be NULL), so the paths of one step meet again and are
 * checked once, not once per combination of the fields in use.
 */
static __always_inline __u32 cls_part(const struct xdpfw_plan *pl, const __u32 *id, __u32 p)
{
	const struct xdpfw_part *pt = &pl->part[p];
	__u32 cls[CLS_NFIELDS], y = 0, x = 0;

#pragma unroll
	for (int f = 0; f < CLS_NFIELDS; f++) {
		cls[f] = id[f];
		if (pl->records & (1u << f))
			cls[f] = cls_t32(pl->rec_off[f] + (id[f] << pl->rec_shift) + p);
	}
#pragma unroll
	for (int k = 0; k < XDPFW_CHAIN_MAX; k++) {
		int f = xdpfw_chain_field(k);

		if (!(pt->fields & (1u << f)))
			continue;
		if (k == pt->first)
			y = cls[f];
		else
			y = cls_t32(pt->chain_off[k] + y * pt->chain_cols[k] + cls[f]);
	}
	if (pt->shape == (XDPFW_PART_SA | XDPFW_PART_DA))
		x = cls_t32(pt->t_off + cls[XDPFW_F_SADDR] * pt->t_cols + cls[XDPFW_F_DADDR]);
	else if (pt->shape == XDPFW_PART_SA)
		x = cls[XDPFW_F_SADDR];
	else if (pt->shape == XDPFW_PART_DA)
		x = cls[XDPFW_F_DADDR];
	return cls_t16(pt->f_off + x * pt->f_cols + y);
}

/* The partitions' walk: the phase-0 classes in, the first rule out. */
struct cls_walk {
	__u32 id[CLS_NFIELDS];
	__u32 gen;
	__u32 best;
};

/*
 * Phases 1 and 2 over the phase-0 classes in w->id: w->best, the first
 * unlimited rule (XDPFW_RULE_NONE: none), and with lvec each field's
 * vector of vector rules (0, every one, for a field without records).
 * The partitions are unrolled: the plan is the program's constants
 * (xdp/consts.h), so the verifier keeps the partitions the rule set has,
 * each with only the chain steps it makes.
 */
static __always_inline void cls_search(const struct xdpfw_config *cfg, struct cls_walk *w,
                                       const struct xdpfw_pkt *pkt, __u32 *lvec)
{
	const struct xdpfw_plan *pl = &cfg->plan;
	const struct xdpfw_lists *ls = &pl->lists;
	__u32 key_words[2] = {0, 0};

	w->best = XDPFW_RULE_NONE;
#pragma unroll
	for (int f = 0; lvec && f < CLS_NFIELDS; f++) {
		lvec[f] = 0;
		if (pl->records & (1u << f))
			lvec[f] =
			    cls_t32(pl->rec_off[f] + (w->id[f] << pl->rec_shift) + pl->nparts);
	}
#pragma unroll
	for (__u32 p = 0; p < XDPFW_MAX_PARTS; p++) {
		__u32 r;

		if (p >= pl->nparts)
			break;
		r = cls_part(pl, w->id, p);
		if (r < w->best)
			w->best = r;
	}
	if (ls->kinds) {
		if (ls->kinds & (1 << XDPFW_LIST_SRC))
			key_words[0] = cls_t32(ls->key_off[0] + w->id[XDPFW_F_SADDR]);
		if (ls->kinds & (1 << XDPFW_LIST_DST))
			key_words[1] = cls_t32(ls->key_off[1] + w->id[XDPFW_F_DADDR]);
		w->best = lists_first(ls, w->id[XDPFW_F_SADDR], w->id[XDPFW_F_DADDR], key_words,
		                      pkt, w->best);
	}
}

/*
 * The first rule that matches pkt, as classify() below, into w: w->id the
 * phase-0 classes, w->best the first unlimited rule (XDPFW_RULE_NONE:
 * none); with lvec, each field's vector of vector rules, for limit.h.
 * Returns the fw_rules key of w->best, or -1.
 */
static __always_inline int classify_into(const struct xdpfw_config *cfg, __u32 gen,
                                         const struct xdpfw_pkt *pkt, struct cls_walk *w,
                                         __u32 *lvec)
{
	w->gen = gen & (XDPFW_GENERATIONS - 1);
	w->best = XDPFW_RULE_NONE;
#pragma unroll
	for (int f = 0; lvec && f < CLS_NFIELDS; f++)
		lvec[f] = 0;
	if (cfg->cls_flags & XDPFW_CLS_SMALL) {
		/* Classes are rule bitmaps (xdpfw.h): no tables to read. */
		__u32 x = ~0u;

		cls_ids(cfg, w->gen, pkt, w->id, ~0u);
#pragma unroll
		for (int i = 0; i < CLS_NFIELDS; i++)
			x &= w->id[i];
		x &= (1u << (cfg->rule_count & 31)) - 1;
		if (x)
			w->best = cls_ctz(x);
	} else {
		cls_ids(cfg, w->gen, pkt, w->id, 0);
		cls_search(cfg, w, pkt, lvec);
	}
	if (w->best >= cfg->rule_count)
		return -1;
	return (int)(w->gen * XDPFW_MAX_RULES + w->best);
}

static __always_inline int classify(const struct xdpfw_config *cfg, __u32 gen,
                                    const struct xdpfw_pkt *pkt)
{
	struct cls_walk w;

	return classify_into(cfg, gen, pkt, &w, NULL);
}

#endif /* XDPFW_CLASSIFY_H */
