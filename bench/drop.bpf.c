// SPDX-License-Identifier: GPL-2.0-only
/*
 * drop.bpf.c - the baseline: the least an XDP program can do. Built twice:
 * as drop.bpf.o (XDP_DROP, the ceiling any XDP firewall is measured against)
 * and with -DBENCH_VERDICT=XDP_PASS as pass.bpf.o, which the stack baselines
 * (nftables, iptables, no filter) attach to the receiving veth end: frames
 * redirected into a veth are only received when its peer runs XDP.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef BENCH_VERDICT
#define BENCH_VERDICT XDP_DROP
#endif

SEC("xdp")
int bench_verdict(struct xdp_md *ctx)
{
	(void)ctx;
	return BENCH_VERDICT;
}

char LICENSE[] SEC("license") = "GPL";
