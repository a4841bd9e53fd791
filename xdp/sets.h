// SPDX-License-Identifier: GPL-2.0-only
/*
 * sets.h - the sets of the running rule sets, kept for user space.
 *
 * Packets never read these: the classifier has every set member folded into
 * its per-field tables (classify.h). fwctl show prints the sets back and
 * fwctl explain feeds them to the reference model, so the kernel keeps
 * them, one generation each, as the rules:
 *
 *   fw_set_store[gen]   array of xdpfw_set_entry, every address set member,
 *   fw_port_store[gen]  array of xdpfw_port_entry, every port set range,
 *                       each created at the size the rule set needs.
 *
 * sets_keep() names both in the program (on a path no packet takes), so
 * they are among its maps and fwctl finds them from the program alone.
 */
#ifndef XDPFW_SETS_H
#define XDPFW_SETS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_ARRAY);
		    __uint(max_entries, 1);
		    __uint(map_flags, BPF_F_INNER_MAP);
		    __uint(key_size, sizeof(__u32));
		    __uint(value_size, sizeof(struct xdpfw_set_entry));
	    });
} fw_set_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPFW_GENERATIONS);
	__type(key, __u32);
	__array(
	    values, struct {
		    __uint(type, BPF_MAP_TYPE_ARRAY);
		    __uint(max_entries, 1);
		    __uint(map_flags, BPF_F_INNER_MAP);
		    __uint(key_size, sizeof(__u32));
		    __uint(value_size, sizeof(struct xdpfw_port_entry));
	    });
} fw_port_store SEC(".maps");

/* Reference the stores when the config says what no config says. */
static __always_inline void sets_keep(const struct xdpfw_config *cfg)
{
	__u32 key = 0;

	if (cfg->rule_count > XDPFW_MAX_RULES) {
		bpf_map_lookup_elem(&fw_set_store, &key);
		bpf_map_lookup_elem(&fw_port_store, &key);
	}
}

#endif /* XDPFW_SETS_H */
