// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpfw.bpf.c - the firewall program: parse, classify, count, verdict.
 *
 * This file only wires the headers together; each states its contract:
 *   consts.h    the rule set's constants: settings, generation, role
 *   parse.h     frame -> struct xdpfw_pkt + reason
 *   tiny.h      struct xdpfw_pkt -> first matching rule, for a few rules
 *   classify.h  struct xdpfw_pkt -> first matching rule (fw_rules)
 *   limit.h     the same, past limited rules whose bucket has budget left
 *   counters.h  reason/rule -> XDP_PASS/XDP_DROP, per-CPU counters
 *
 * The object is loaded once per rule set, with that set's constants
 * (consts.h), in one of two roles (include/xdpfw.h, struct xdpfw_consts):
 * the rule set's own program, or the entry program that tail-calls it.
 * Either way, every packet leaves the rule set's program through the one
 * exit at the end, counted under exactly one reason. The program never
 * returns XDP_ABORTED: a frame it cannot make sense of is malformed, and
 * the operator decides what that means.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "xdpfw.h"
#include "consts.h"
#include "parse.h"
#include "tiny.h"
#include "classify.h"
#include "limit.h"
#include "sets.h"
#include "counters.h"

/* The generation of the program packets run, mirrored by fwctl for tools
 * (include/xdpfw.h): read by no packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fw_active SEC(".maps");

/* Slot 0: the rule set's program, for the entry program to tail-call. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fw_progs SEC(".maps");

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
 * Every map of the object, named on a path no packet takes (the rule count
 * is never above the limit), so that each program of the object holds them
 * all: fwctl finds the maps of whichever program is attached. The stamp
 * among them, read on that path so that it is bound too.
 */
static __always_inline int keep_maps(const struct xdpfw_config *cfg)
{
	__u32 key = 0;

	sets_keep(cfg);
	if (cfg->rule_count > XDPFW_MAX_RULES) {
		bpf_map_lookup_elem(&fw_active, &key);
		bpf_map_lookup_elem(&fw_config, &key);
		bpf_map_lookup_elem(&fw_progs, &key);
		return xdpfw_stamp.magic != 0;
	}
	return 0;
}

/*
 * The entry program: the rule set's program in fw_progs[0] takes the
 * packet. The slot is filled before the entry program is attached and,
 * while it is, only ever replaced; the kernel empties it when the last file
 * descriptor and pin of fw_progs are gone, so fwctl pins it. Found empty,
 * the packet passes uncounted, as through a program with no rules loaded
 * (verdict_of()): cutting the link would cut the operator off too.
 *
 * The slot is 0 as a number the verifier does not know: for a constant
 * slot the kernel makes the tail call a direct jump, and patches the entry
 * program's machine code at every write of the slot (measured: 16 ms a
 * write here); for this one a write is a write, and the tail call an
 * indirect jump.
 */
static __always_inline int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &fw_progs, parse_forget(0, ctx->ingress_ifindex));
	return XDP_PASS;
}

/* The rule set's program: its rules, settings and generation are constants. */
static __always_inline int rules(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	const struct xdpfw_config *cfg = fw_cfg();
	const struct xdpfw_verd *v;
	struct xdpfw_pkt pkt;
	__u8 rule_action = XDPFW_ACT_PASS;
	__u32 key, reason, gen = fw_gen();
	__u32 lvec[CLS_NFIELDS];
	struct cls_walk walk;
	int rule, slot = -1;

	if (keep_maps(cfg))
		return XDP_PASS;
	/* pkt lives in memory: split into registers the compiler spills and
	 * zeroes field by field on every path (measured: slower). */
	asm volatile("" : : "r"(&pkt) : "memory");
	reason = parse_frame(data, data_end, &pkt);
	if (reason == XDPFW_REASON_POLICY && fw_consts()->tiny) {
		if (tiny_classify(&pkt, &rule_action, &slot) >= 0)
			reason = XDPFW_REASON_RULE;
	} else if (reason == XDPFW_REASON_POLICY) {
		/* Only a rule set with vector rules (limits) walks them. */
		rule = classify_into(cfg, gen, &pkt, &walk, cfg->plan.nvector ? lvec : NULL);
		if (cfg->plan.nvector)
			rule = classify_limited(cfg, &pkt, &walk, lvec);
		if (rule >= 0) {
			key = (__u32)rule & (XDPFW_MAX_RULES - 1);
			v = bpf_map_lookup_elem(&fw_verd, &key);
			if (v) {
				reason = XDPFW_REASON_RULE;
				rule_action = v->action;
				slot = v->counter;
			}
		}
	}

	count_packet(reason, slot, bytes);
	return verdict(cfg, reason, rule_action);
}

SEC("xdp")
int xdpfw_main(struct xdp_md *ctx)
{
	if (fw_role() == XDPFW_ROLE_ENTRY)
		return entry(ctx);
	return rules(ctx);
}

char LICENSE[] SEC("license") = "GPL";
