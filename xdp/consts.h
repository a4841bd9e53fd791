// SPDX-License-Identifier: GPL-2.0-only
/*
 * consts.h - what a rule set makes constant: its settings, the generation
 * its maps are in, the role of the program, its rules when they are few.
 *
 * Contract:
 *
 *   const struct xdpfw_config *fw_cfg(void)   the rule set's config
 *   __u32 fw_gen(void)                        its generation, masked
 *   __u32 fw_role(void)                       XDPFW_ROLE_*
 *   const struct xdpfw_consts *fw_consts(void)  all of it
 *
 * User space writes struct xdpfw_consts (include/xdpfw.h) into this
 * section before the program is loaded; libbpf freezes the section's map,
 * and the verifier reads a frozen read-only map at a constant offset as a
 * known number. So `fw_cfg()->fields & bit`, a store kind, the generation,
 * a tiny rule's port are constants to it: it follows only the branches
 * they allow and drops the rest from the loaded program. What a rule set
 * does not use is not in its program.
 *
 * The pointers are laundered through an empty asm: the C compiler must not
 * fold reads of a `const` object to its initializer (zeros), and reads
 * through a plain pointer may be combined, where volatile ones would each
 * stay a load. Either way the loads stay; what the verifier knows is what
 * removes the code.
 */
#ifndef XDPFW_CONSTS_H
#define XDPFW_CONSTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"

const volatile struct xdpfw_consts xdpfw_consts SEC(XDPFW_CONSTS_SECTION);

static __always_inline const struct xdpfw_consts *fw_consts(void)
{
	const struct xdpfw_consts *c = (const struct xdpfw_consts *)&xdpfw_consts;

	asm volatile("" : "+r"(c));
	return c;
}

static __always_inline const struct xdpfw_config *fw_cfg(void)
{
	return &fw_consts()->config;
}

static __always_inline __u32 fw_gen(void)
{
	return fw_consts()->gen & (XDPFW_GENERATIONS - 1);
}

static __always_inline __u32 fw_role(void)
{
	return fw_consts()->role;
}

#endif /* XDPFW_CONSTS_H */
