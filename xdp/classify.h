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
	__uint(max_entries, XDPFW_GENERATIONS * XDPFW_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xdpfw_rule);
} fw_rules SEC(".maps");

/* Class ids of the table fields, XDPFW_CLS_BLOCKS blocks per generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS * XDPFW_CLS_BLOCKS);
	__type(key, __u32);
	__type(value, struct xdpfw_cls_block);
} fw_cls SEC(".maps");

/* Rule vectors, XDPFW_MAX_VECS per generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS * XDPFW_MAX_VECS);
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
	__array(values, struct {
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
	__array(values, struct {
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
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, XDPFW_DIR_BLOCKS);
		__uint(key_size, sizeof(__u32));
		__uint(value_size, sizeof(struct xdpfw_dir_block));
	});
} fw_addr_dir SEC(".maps");

/* DIR8 groups, key = generation * 2 + (field - XDPFW_F_SADDR); an inner
 * array of as many groups as the rule set needs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS * 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 1);
		__uint(map_flags, BPF_F_INNER_MAP);
		__uint(key_size, sizeof(__u32));
		__uint(value_size, sizeof(struct xdpfw_dir_group));
	});
} fw_addr_grp SEC(".maps");

/* Class id of table field f's value v: base block of the field, then v. */
static __always_inline __u32 cls_table(__u32 gen, __u32 base, __u32 v)
{
	__u32 key = gen * XDPFW_CLS_BLOCKS + base + (v >> 8);
	const struct xdpfw_cls_block *b = bpf_map_lookup_elem(&fw_cls, &key);

	return b ? b->id[v & 0xff] : 0;
}

/* Network-order mask of the first bits of a 32-bit word, bits 0..32. */
static __always_inline __u32 cls_mask(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffff;
	return bpf_htonl(0xffffffffu << (32 - bits));
}

/*
 * Probe the hash for the shape's lengths, longest first: the first hit is
 * the longest matching prefix past /24. Returns its class, or `fallback`.
 */
static __always_inline __u32 cls_probe(void *hash, const struct xdpfw_addr_shape *sh,
				       __u8 field, __u8 family, const __u32 *a, __u32 fallback)
{
	struct xdpfw_addr_key key = { .field = field, .family = family };
	int i;

	for (i = 0; i < XDPFW_MAX_PROBES; i++) {
		const __u32 *id;
		int len;

		if (i >= sh->nprobes)
			break;
		len = sh->lens[i];
		key.len = len;
		key.addr[0] = a[0] & cls_mask(len);
		if (family == XDPFW_FAMILY_IPV6) {
			key.addr[1] = a[1] & cls_mask(len - 32);
			key.addr[2] = a[2] & cls_mask(len - 64);
			key.addr[3] = a[3] & cls_mask(len - 96);
		}
		id = bpf_map_lookup_elem(hash, &key);
		if (id)
			return *id;
	}
	return fallback;
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
	case XDPFW_STORE_DIR8:
	case XDPFW_STORE_DIR: {
		const struct xdpfw_dir_block *b;
		__u32 idx = bpf_ntohl(a[0]) >> 8, e;

		key = gen * 2 + fi;
		inner = bpf_map_lookup_elem(&fw_addr_dir, &key);
		if (!inner)
			return sh->miss;
		key = idx / XDPFW_DIR_PER_BLOCK;
		b = bpf_map_lookup_elem(inner, &key);
		if (!b)
			return sh->miss;
		e = b->id[idx % XDPFW_DIR_PER_BLOCK];
		if (!(e & XDPFW_DIR_LONGER))
			return e;
		if (sh->store == XDPFW_STORE_DIR8) {
			const struct xdpfw_dir_group *g;

			key = gen * 2 + fi;
			inner = bpf_map_lookup_elem(&fw_addr_grp, &key);
			if (!inner)
				return sh->miss;
			key = e & ~XDPFW_DIR_LONGER;
			g = bpf_map_lookup_elem(inner, &key);
			return g ? g->id[bpf_ntohl(a[0]) & 0xff] : sh->miss;
		}

		inner = bpf_map_lookup_elem(&fw_addr_hash, &gen);
		e &= ~XDPFW_DIR_LONGER;
		return inner ? cls_probe(inner, sh, field, pkt->family, a, e) : e;
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

#define CLS_FIELD(bit, base, v)                                                            \
	((cfg->fields & (1u << (bit))) ? cls_table(gen, (base), (v)) : 0)

static __always_inline int classify(const struct xdpfw_config *cfg, __u32 gen,
				    const struct xdpfw_pkt *pkt)
{
	const struct xdpfw_vec *vk, *vsp, *vdp, *vl, *vt, *vf, *vi, *vv, *vsa, *vda;
	__u32 vlan = pkt->vlan_count ? pkt->vlan[0] & 0xfff : XDPFW_VLAN_NONE;
	__u64 s;
	int i;

	gen &= XDPFW_GENERATIONS - 1;
	vk = cls_vec(gen, CLS_FIELD(XDPFW_F_KIND, XDPFW_CLS_BASE_KIND,
				    xdpfw_kind_key(pkt->family, pkt->proto, pkt->flags)));
	vsp = cls_vec(gen, CLS_FIELD(XDPFW_F_SPORT, XDPFW_CLS_BASE_SPORT, pkt->sport));
	vdp = cls_vec(gen, CLS_FIELD(XDPFW_F_DPORT, XDPFW_CLS_BASE_DPORT, pkt->dport));
	vl = cls_vec(gen, CLS_FIELD(XDPFW_F_LEN, XDPFW_CLS_BASE_LEN, pkt->ip_len));
	vt = cls_vec(gen, CLS_FIELD(XDPFW_F_TTL, XDPFW_CLS_BASE_TTL, pkt->ttl));
	vf = cls_vec(gen, CLS_FIELD(XDPFW_F_TCPFLAGS, XDPFW_CLS_BASE_TCPFLAGS, pkt->tcp_flags));
	vi = cls_vec(gen, CLS_FIELD(XDPFW_F_ICMPTYPE, XDPFW_CLS_BASE_ICMPTYPE, pkt->icmp_type));
	vv = cls_vec(gen, CLS_FIELD(XDPFW_F_VLAN, XDPFW_CLS_BASE_VLAN, vlan));
	vsa = cls_vec(gen, cls_addr(cfg, gen, 0, pkt, pkt->saddr));
	vda = cls_vec(gen, cls_addr(cfg, gen, 1, pkt, pkt->daddr));
	if (!vk || !vsp || !vdp || !vl || !vt || !vf || !vi || !vv || !vsa || !vda)
		return -1;

	s = vk->summary & vsp->summary & vdp->summary & vl->summary & vt->summary &
	    vf->summary & vi->summary & vv->summary & vsa->summary & vda->summary;
	for (i = 0; i < XDPFW_VEC_WORDS && s; i++) {
		int w = cls_ctz(s) & (XDPFW_VEC_WORDS - 1);
		__u64 x = vk->w[w] & vsp->w[w] & vdp->w[w] & vl->w[w] & vt->w[w] & vf->w[w] &
			  vi->w[w] & vv->w[w] & vsa->w[w] & vda->w[w];

		if (x) {
			__u32 r = w * 64 + cls_ctz(x);

			return r < cfg->rule_count ? (int)(gen * XDPFW_MAX_RULES + r) : -1;
		}
		s &= s - 1;
	}
	return -1;
}

#endif /* XDPFW_CLASSIFY_H */
