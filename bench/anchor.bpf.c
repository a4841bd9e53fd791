// SPDX-License-Identifier: GPL-2.0-only
/*
 * anchor.bpf.c - the fixed cost's anchor (issue 12): `drop ip saddr
 * 203.0.113.7` and `drop udp dport 53` written by hand for just these two
 * rules, with a per-CPU drop counter, as one would without a firewall tool.
 * bench/run sets xdpfw with the same two-rule file beside it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} anchor_drops SEC(".maps");

SEC("xdp")
int anchor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;
	__u32 key = 0;
	__u64 *n;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->saddr == bpf_htonl(0xcb007107)) /* 203.0.113.7 */
		goto drop;
	/* Ports only in a first fragment (or an unfragmented packet). */
	udp = (void *)ip + ip->ihl * 4;
	if (ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x1fff)) ||
	    (void *)(udp + 1) > end || udp->dest != bpf_htons(53))
		return XDP_PASS;
drop:
	n = bpf_map_lookup_elem(&anchor_drops, &key);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
