// SPDX-License-Identifier: GPL-2.0-only
/*
 * sets.h - membership of a packet's address or port in a rule's set.
 *
 * Contract:
 *
 *   int set_has_addr(__u32 gen, __u16 set, const struct xdpfw_pkt *pkt, int src)
 *     1 when the packet's source (src) or destination address lies in a
 *     prefix of address set `set` of generation gen, of the packet's family.
 *
 *   int set_has_port(__u32 gen, __u16 set, __u16 port)
 *     1 when port is a member of port set `set` of generation gen.
 *
 * Layouts and limits are in include/xdpfw.h. This is the straightforward
 * store (one LPM trie, one bitmap per port set); a flat-cost classifier may
 * fold sets into its per-field lookups and replace this header.
 */
#ifndef XDPFW_SETS_H
#define XDPFW_SETS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPFW_GENERATIONS * XDPFW_MAX_SET_ADDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__type(key, struct xdpfw_set_key);
	__type(value, __u8);
} fw_addr_sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS * XDPFW_MAX_PORT_SETS);
	__type(key, __u32);
	__type(value, struct xdpfw_port_set);
} fw_port_sets SEC(".maps");

static __always_inline int set_has_addr(__u32 gen, __u16 set, const struct xdpfw_pkt *pkt,
					int src)
{
	struct xdpfw_set_key key = {
		.prefixlen = XDPFW_SET_KEY_FIXED_BITS + 128,
		.gen = (__u8)gen,
		.family = pkt->family,
		.set = set,
	};
	const __u32 *a = src ? pkt->saddr : pkt->daddr;

	/* IPv4 in word 0, the rest zero: its entries' prefixes end there. */
	key.addr[0] = a[0];
	key.addr[1] = a[1];
	key.addr[2] = a[2];
	key.addr[3] = a[3];
	return bpf_map_lookup_elem(&fw_addr_sets, &key) != NULL;
}

static __always_inline int set_has_port(__u32 gen, __u16 set, __u16 port)
{
	__u32 key = gen * XDPFW_MAX_PORT_SETS + set;
	const struct xdpfw_port_set *ps;

	if (set >= XDPFW_MAX_PORT_SETS)
		return 0;
	ps = bpf_map_lookup_elem(&fw_port_sets, &key);
	return ps && ((ps->bits[(port >> 6) & 1023] >> (port & 63)) & 1);
}

#endif /* XDPFW_SETS_H */
