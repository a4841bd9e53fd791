// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpfw.bpf.c - the firewall program: parse, classify, count, verdict.
 *
 * This file only wires the headers together; each states its contract:
 *   parse.h     frame -> struct xdpfw_pkt + reason
 *   classify.h  struct xdpfw_pkt -> first matching rule (fw_rules)
 *   limit.h     the same, past limited rules whose bucket has budget left
 *   counters.h  reason/rule -> XDP_PASS/XDP_DROP, per-CPU counters
 *
 * Every packet leaves through the one exit at the end, counted under exactly
 * one reason. The program never returns XDP_ABORTED: a frame it cannot make
 * sense of is malformed, and the operator decides what that means.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "xdpfw.h"
#include "parse.h"
#include "classify.h"
#include "limit.h"
#include "sets.h"
#include "counters.h"

/* The generation packets use now: written last by a reload (see xdpfw.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fw_active SEC(".maps");

/*
 * The layout stamp fwctl checks before it touches the maps (include/xdpfw.h).
 * A section of its own makes it a map of its own, named as the section,
 * that holds nothing else; xdpfw_main reads it so that the map is bound to
 * the program, among whose map ids fwctl finds it.
 */
const volatile struct xdpfw_stamp xdpfw_stamp SEC(XDPFW_STAMP_SECTION) = XDPFW_STAMP_INIT;

/*
 * libxdp dispatcher metadata: run early (priority 10, lower runs first; the
 * default is 50) and hand packets we pass on to the next program.
 */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdpfw_main);

/*
 * The parser as a function of its own, global so that the verifier checks
 * it once, alone, and the caller sees *pkt as bytes it knows nothing about.
 * Inlined, paths through the parser (tags, families, extension headers, L4)
 * reached the classifier with facts of their own, and it was verified again
 * for many of them: 628,526 instructions processed of the million allowed,
 * 876,541 with super-packets (parse.h); as a function, 282,278 and 475,782
 * (kernel 6.18). The price is a call and a return a packet: about 6 ns on
 * the development VM, whose returns take the SRSO safe-RET thunk (AMD);
 * less where returns are plain. pkt is never NULL (the caller's stack);
 * the test is for the verifier, which takes a pointer argument of a global
 * function as possibly NULL.
 */
__noinline int xdpfw_parse(struct xdp_md *ctx, struct xdpfw_pkt *pkt)
{
	if (!pkt)
		return XDPFW_REASON_MAL_ETH_TRUNC;
	return parse_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end, pkt);
}

SEC("xdp")
int xdpfw_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct xdpfw_config *cfg;
	const struct xdpfw_rule *r;
	struct xdpfw_pkt pkt;
	__u8 rule_action = XDPFW_ACT_PASS;
	__u32 key = 0, reason, gen;
	__u32 lvec[CLS_NFIELDS];
	struct cls_walk walk;
	const __u32 *active;
	int rule, slot = -1;

	/* The generation is read once: everything below uses this one. */
	active = bpf_map_lookup_elem(&fw_active, &key);
	if (!active) {
		/* An array always has key 0: a path for the verifier only,
		 * where reading the stamp binds it and costs packets nothing. */
		return xdpfw_stamp.magic ? XDP_PASS : XDP_PASS;
	}
	gen = *active & (XDPFW_GENERATIONS - 1);
	cfg = bpf_map_lookup_elem(&fw_config, &gen);
	if (!cfg)
		return XDP_PASS;

	sets_keep(cfg);
	reason = xdpfw_parse(ctx, &pkt);
	if (reason == XDPFW_REASON_POLICY) {
		/* Only a rule set with vector rules (limits) walks them. */
		rule = classify_into(cfg, gen, &pkt, &walk, cfg->plan.nvector ? lvec : NULL);
		if (cfg->plan.nvector)
			rule = classify_limited(cfg, &pkt, &walk, lvec);
		if (rule >= 0) {
			key = rule;
			r = bpf_map_lookup_elem(&fw_rules, &key);
			if (r) {
				reason = XDPFW_REASON_RULE;
				rule_action = r->action;
				slot = r->counter;
			}
		}
	}

	count_packet(reason, slot, data_end - data);
	return verdict(cfg, reason, rule_action);
}

char LICENSE[] SEC("license") = "GPL";
