// SPDX-License-Identifier: GPL-2.0-only
/*
 * impostor.bpf.c - for tests/e2e/test_stamp.sh: programs named as xdpfw's
 * (XDPFW_PROG_NAME) that fwctl must not take for one it can read.
 *
 * Built plain, it carries no layout stamp, as an xdpfw from before the stamp
 * or another tool's program of that name would. Built with -DSTAMPED, it
 * carries this build's stamp but a fw_config whose values are not struct
 * xdpfw_config: a layout change whose XDPFW_LAYOUT_VERSION bump was
 * forgotten, which fwctl's check of every map's shape must catch.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef STAMPED
#include "xdpfw.h"

const volatile struct xdpfw_stamp xdpfw_stamp SEC(XDPFW_STAMP_SECTION) = XDPFW_STAMP_INIT;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__type(value, __u64);
} fw_config SEC(".maps");
#endif

SEC("xdp")
int xdpfw_main(struct xdp_md *ctx)
{
	(void)ctx;
#ifdef STAMPED
	__u32 key = 0;

	/* Both bound to the program, as xdpfw's are. */
	if (!bpf_map_lookup_elem(&fw_config, &key))
		return xdpfw_stamp.magic ? XDP_PASS : XDP_PASS;
#endif
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
