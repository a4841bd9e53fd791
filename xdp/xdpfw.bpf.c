// SPDX-License-Identifier: GPL-2.0-only
/* stub: being written */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int xdpfw_main(struct xdp_md *ctx) { (void)ctx; return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
