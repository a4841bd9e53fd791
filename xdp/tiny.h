// SPDX-License-Identifier: GPL-2.0-only
/*
 * tiny.h - a handful of rules matched from constants, one after the other.
 *
 * Contract:
 *
 *   int tiny_classify(const struct xdpfw_pkt *pkt, __u8 *action, int *slot)
 *
 * For a program whose constants hold the rules (fw_consts()->tiny: at most
 * XDPFW_TINY_RULES rules, none rate-limited, none naming a set): the
 * position of the first rule that matches pkt, with its action and counter
 * slot in *action and *slot, or -1 when none does (both left alone). Only
 * for packets parse_frame() returned XDPFW_REASON_POLICY for (IPv4 or
 * IPv6, so an address is always there).
 *
 * The rules are struct xdpfw_tiny_rule (include/xdpfw.h), which fwctl
 * writes from the compiled rules. What "matches" means is the reference
 * model's (ctl/model.c, rule_match):
 * every field a rule names holds, `!=` inverts a value test but never its
 * precondition (ports exist only where parse_l4() read them, an ICMP type
 * is not there in a later fragment).
 *
 * Why: for a few rules the classifier's table and vector reads cost more
 * than testing each rule. Every rule field here is a constant to the
 * verifier (consts.h), so the tests a rule does not make, and the rules past
 * the rule count, are not in the loaded program, and a rule's test of a
 * value is one or two compares with a constant: what one writes by hand.
 */
#ifndef XDPFW_TINY_H
#define XDPFW_TINY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpfw.h"
#include "consts.h"

/* v in [lo, hi]; the compares a constant bound makes needless go away. */
static __always_inline int tiny_in(__u32 v, __u32 lo, __u32 hi, __u32 max)
{
	if (lo == hi)
		return v == lo;
	return (lo == 0 || v >= lo) && (hi == max || v <= hi);
}

/* Address a within prefix p, of which the mask covers the first words. */
static __always_inline int tiny_prefix(const struct xdpfw_prefix *p, __u8 words, const __u32 *a)
{
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 m = p->mask[i];

		if (i >= words)
			break;
		if (m == 0xffffffffu) {
			if (a[i] != p->addr[i])
				return 0;
		} else if ((a[i] & m) != p->addr[i]) {
			return 0;
		}
	}
	return 1;
}

/*
 * A test of a rule is made in one of two ways, `==` or `!=`, each its own
 * branch: the kind is a constant, so the program holds one of them, and the
 * value test there is a compare and a jump, never a truth value computed.
 */
/* Whether rule r matches pkt, test for test as rule_match() in ctl/model.c. */
static __always_inline int tiny_match(const struct xdpfw_tiny_rule *r, const struct xdpfw_pkt *pkt)
{
	int ports = pkt->flags & XDPFW_PKT_PORTS;

	if (r->t_family && pkt->family != r->family)
		return 0;
	if (r->t_proto && (pkt->proto != r->proto || (pkt->flags & XDPFW_PKT_NO_PROTO)))
		return 0;
	if (r->t_saddr == XDPFW_TINY_YES && !tiny_prefix(&r->saddr, r->saddr_words, pkt->saddr))
		return 0;
	if (r->t_saddr == XDPFW_TINY_NOT && tiny_prefix(&r->saddr, r->saddr_words, pkt->saddr))
		return 0;
	if (r->t_daddr == XDPFW_TINY_YES && !tiny_prefix(&r->daddr, r->daddr_words, pkt->daddr))
		return 0;
	if (r->t_daddr == XDPFW_TINY_NOT && tiny_prefix(&r->daddr, r->daddr_words, pkt->daddr))
		return 0;
	if (r->t_sport && !ports)
		return 0;
	if (r->t_sport == XDPFW_TINY_YES && !tiny_in(pkt->sport, r->sport_lo, r->sport_hi, 0xffff))
		return 0;
	if (r->t_sport == XDPFW_TINY_NOT && tiny_in(pkt->sport, r->sport_lo, r->sport_hi, 0xffff))
		return 0;
	if (r->t_dport && !ports)
		return 0;
	if (r->t_dport == XDPFW_TINY_YES && !tiny_in(pkt->dport, r->dport_lo, r->dport_hi, 0xffff))
		return 0;
	if (r->t_dport == XDPFW_TINY_NOT && tiny_in(pkt->dport, r->dport_lo, r->dport_hi, 0xffff))
		return 0;
	if (r->t_tcpflags && (!ports || (pkt->tcp_flags & r->tcp_flags_mask) != r->tcp_flags_value))
		return 0;
	if (r->t_icmptype &&
	    ((pkt->flags & XDPFW_PKT_LATER_FRAG) || pkt->icmp_type != r->icmp_type))
		return 0;
	if (r->t_vlan && (!pkt->vlan_count || pkt->vlan[0] != r->vlan))
		return 0;
	if (r->t_fragment && !(pkt->flags & XDPFW_PKT_FRAGMENT))
		return 0;
	if (r->t_len && !tiny_in(pkt->ip_len, r->len_lo, r->len_hi, 0xffff))
		return 0;
	if (r->t_ttl && !tiny_in(pkt->ttl, r->ttl_lo, r->ttl_hi, 0xff))
		return 0;
	return 1;
}

static __always_inline int tiny_classify(const struct xdpfw_pkt *pkt, __u8 *action, int *slot)
{
	const struct xdpfw_consts *c = fw_consts();
	__u32 n = c->config.rule_count;

#pragma unroll
	for (int i = 0; i < XDPFW_TINY_RULES; i++) {
		const struct xdpfw_tiny_rule *r = &c->tiny_rules[i];

		if ((__u32)i >= n)
			break;
		if (tiny_match(r, pkt)) {
			*action = r->action;
			*slot = r->counter % XDPFW_COUNTER_SLOTS;
			return i;
		}
	}
	return -1;
}

#endif /* XDPFW_TINY_H */
