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
 * How (xdp/README.md has the design note): user space (ctl/cls.c) cuts
 * every field's value space into classes that no rule tells apart and gives
 * each class the vector of rules whose test of that field holds there. Per
 * packet: one class lookup per field (a direct table for ports, length, TTL,
 * flags, ICMP type, VLAN and the family/protocol "kind"; the address store
 * the compiler chose for each address field), the vectors ANDed word by
 * word, the first set bit wins. A summary word says which of a vector's 64
 * words are non-zero, so only words where every field has candidates are
 * read: the steps depend on where the candidates are, not on the count.
 */
#ifndef XDPFW_CLASSIFY_H
#define XDPFW_CLASSIFY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpfw.h"

/* Compiled rules, key = generation * XDPFW_MAX_RULES + position in the file:
 * what a match does (action, counter); the tests live in the tables below. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS *XDPFW_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xdpfw_rule);
} fw_rules SEC(".maps");

/* Class ids of the table fields, XDPFW_CLS_BLOCKS blocks per generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS *XDPFW_CLS_BLOCKS);
	__type(key, __u32);
	__type(value, struct xdpfw_cls_block);
} fw_cls SEC(".maps");

/* Rule vectors, XDPFW_MAX_VECS per generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS *XDPFW_MAX_VECS);
	__type(key, __u32);
	__type(value, struct xdpfw_vec);
} fw_vecs SEC(".maps");

/*
 * Address stores, one inner map per generation, created by user space at
 * the size the rule set needs and swapped in with the generation (inner
 * hashes and tries may differ in size from the template; the direct array
 * keeps the template's size, so its lookups stay inlined). Keys and values
 * are given by size: BTF would only hold a forward declaration of the key.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_HASH);
		    __uint(max_entries, 1);
		    __uint(map_flags, BPF_F_NO_PREALLOC);
		    __uint(key_size, sizeof(struct xdpfw_addr_key));
		    __uint(value_size, sizeof(__u32));
	    });
} fw_addr_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
		    __uint(max_entries, 1);
		    __uint(map_flags, BPF_F_NO_PREALLOC);
		    __uint(key_size, sizeof(struct xdpfw_trie_key));
		    __uint(value_size, sizeof(__u32));
	    });
} fw_addr_trie SEC(".maps");

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
	__u8 field = XDPFW_F_SADDR + fi;
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
			struct xdpfw_addr_key hk = {
			    .field = field,
			    .family = XDPFW_FAMILY_IPV4,
			    .len = 32,
			};
			const __u32 *id;

			hk.addr[0] = a[0];
			inner = bpf_map_lookup_elem(&fw_addr_hash, &gen);
			id = inner ? bpf_map_lookup_elem(inner, &hk) : NULL;
			return id ? *id : e & XDPFW_DIR_ID_MASK;
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
	case XDPFW_STORE_TRIE: {
		struct xdpfw_trie_key tk = {
		    .prefixlen = XDPFW_TRIE_FIXED_BITS + 128,
		    .field = field,
		    .family = pkt->family,
		};
		const __u32 *id;

		tk.addr[0] = a[0];
		tk.addr[1] = a[1];
		tk.addr[2] = a[2];
		tk.addr[3] = a[3];
		inner = bpf_map_lookup_elem(&fw_addr_trie, &gen);
		if (!inner)
			return sh->miss;
		id = bpf_map_lookup_elem(inner, &tk);
		return id ? *id : sh->miss;
	}
	}
	return sh->miss;
}

static __always_inline const struct xdpfw_vec *cls_vec(__u32 gen, __u32 id)
{
	__u32 key = gen * XDPFW_MAX_VECS + id;

	return bpf_map_lookup_elem(&fw_vecs, &key);
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

/* The vectors of the classes id[]: 0, or -1 when one is missing. */
static __always_inline int cls_vecs(__u32 gen, const __u32 *id, const struct xdpfw_vec **v)
{
	/* Class 0 (every untested field, and many tested ones) is one lookup. */
	const struct xdpfw_vec *v0 = cls_vec(gen, 0);

	if (!v0)
		return -1;
#pragma unroll
	for (int i = 0; i < CLS_NFIELDS; i++) {
		v[i] = id[i] ? cls_vec(gen, id[i]) : v0;
		if (!v[i])
			return -1;
	}
	return 0;
}

/*
 * The first rule at or after position `from` (0..XDPFW_MAX_RULES) whose bit
 * is set in every vector v[], as a position, or -1. Words below from's are
 * masked out of the summary, bits below it out of its word, without
 * branches (a branch per word would multiply the verifier's paths); with
 * from a constant 0 the masks fold away and this is the plain search.
 */
static __always_inline int cls_first(const struct xdpfw_vec **v, __u32 from, __u32 rule_count)
{
	__u32 fw = (from / 64) & (XDPFW_VEC_WORDS - 1);
	__u64 lo = ~0ull << (from & 63), s;
	int i;

	if (from >= rule_count)
		return -1;
	s = v[0]->summary & v[1]->summary & v[2]->summary & v[3]->summary & v[4]->summary &
	    v[5]->summary & v[6]->summary & v[7]->summary & v[8]->summary & v[9]->summary;
	s &= ~0ull << fw;
	/* No word past the rule count has a bit: with the count a constant
	 * (xdp/consts.h), the verifier walks only the words a rule set has. */
	for (i = 0; i < XDPFW_VEC_WORDS && (__u32)i * 64 < rule_count && s; i++) {
		int w = cls_ctz(s) & (XDPFW_VEC_WORDS - 1);
		__u64 x = v[0]->w[w] & v[1]->w[w] & v[2]->w[w] & v[3]->w[w] & v[4]->w[w] &
		          v[5]->w[w] & v[6]->w[w] & v[7]->w[w] & v[8]->w[w] & v[9]->w[w];
		__u64 d = (__u64)(w ^ fw);

		/* d != 0: a word past from's, all bits; else bits from on. */
		x &= lo | -((d | -d) >> 63);
		if (x) {
			__u32 r = w * 64 + cls_ctz(x);

			return r < rule_count ? (int)r : -1;
		}
		s &= s - 1;
	}
	return -1;
}

static __always_inline int classify(const struct xdpfw_config *cfg, __u32 gen,
                                    const struct xdpfw_pkt *pkt)
{
	const struct xdpfw_vec *v[CLS_NFIELDS];
	__u32 id[CLS_NFIELDS];
	int r;

	gen &= XDPFW_GENERATIONS - 1;
	if (cfg->cls_flags & XDPFW_CLS_SMALL) {
		/* Classes are rule bitmaps (xdpfw.h): no vectors to read. */
		__u32 x = ~0u;

		cls_ids(cfg, gen, pkt, id, ~0u);
#pragma unroll
		for (int i = 0; i < CLS_NFIELDS; i++)
			x &= id[i];
		x &= (1u << (cfg->rule_count & 31)) - 1;
		return x ? (int)(gen * XDPFW_MAX_RULES + cls_ctz(x)) : -1;
	}
	cls_ids(cfg, gen, pkt, id, 0);
	if (cls_vecs(gen, id, v))
		return -1;
	r = cls_first(v, 0, cfg->rule_count);
	return r < 0 ? -1 : (int)(gen * XDPFW_MAX_RULES + r);
}

#endif /* XDPFW_CLASSIFY_H */
