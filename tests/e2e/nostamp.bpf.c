// SPDX-License-Identifier: GPL-2.0-only
/*
 * nostamp.bpf.c - for tests/e2e/test_stamp.sh: a program named as xdpfw's
 * (XDPFW_PROG_NAME) that carries no layout stamp, as an xdpfw from before
 * the stamp, or another tool's program of that name, would be.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdpfw_main(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
