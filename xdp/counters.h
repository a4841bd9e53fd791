// SPDX-License-Identifier: GPL-2.0-only
/*
 * counters.h - a reason (and maybe a rule) in, an XDP verdict out, counted.
 *
 * Contract:
 *
 *   __u32 verdict(const struct xdpfw_config *cfg, __u32 reason, __u8 rule_action)
 *     XDP_PASS or XDP_DROP, never anything else: XDPFW_REASON_RULE takes
 *     rule_action, POLICY the policy, NONIP the nonip setting, every
 *     malformed reason the malformed setting.
 *
 *   void count_packet(__u32 reason, int slot, __u64 bytes)
 *     adds one packet and bytes to fw_reason_stats[reason] and, when
 *     slot >= 0, to fw_rule_stats[slot] (the matched rule's counter slot).
 *
 * Counters are per-CPU: a plain add on this CPU's copy, no atomics; user
 * space sums the copies. An XDP program runs with preemption (and migration)
 * disabled for the whole packet, so no one else touches this CPU's copy.
 */
#ifndef XDPFW_COUNTERS_H
#define XDPFW_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_COUNTER_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} fw_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_REASON_MAX);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} fw_reason_stats SEC(".maps");

/* Anything but an explicit drop passes: a zeroed config (program loaded,
 * rules not yet written) lets traffic through instead of cutting the link. */
static __always_inline __u32 verdict_of(__u8 action)
{
	return action == XDPFW_ACT_DROP ? XDP_DROP : XDP_PASS;
}

static __always_inline __u32 verdict(const struct xdpfw_config *cfg, __u32 reason, __u8 rule_action)
{
	switch (reason) {
	case XDPFW_REASON_RULE:
		return verdict_of(rule_action);
	case XDPFW_REASON_POLICY:
		return verdict_of(cfg->policy);
	case XDPFW_REASON_NONIP:
		return verdict_of(cfg->nonip);
	}
	return verdict_of(cfg->malformed);
}

static __always_inline void count_add(void *map, __u32 key, __u64 bytes)
{
	struct xdpfw_counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_packet(__u32 reason, int slot, __u64 bytes)
{
	count_add(&fw_reason_stats, reason, bytes);
	if (slot >= 0)
		count_add(&fw_rule_stats, slot, bytes);
}

#endif /* XDPFW_COUNTERS_H */
