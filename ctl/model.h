/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * model.h - the reference model: what the XDP program does with a frame,
 * written again in plain C from the compiled rule set.
 *
 * The BPF program (xdp/parse.h, xdp/classify.h, xdp/counters.h) and this
 * model implement the same semantics independently, on purpose: `fwctl
 * explain` answers from the model, and the differential test
 * (tests/bpf/test_diff.c) runs random rule sets and frames through both and
 * demands the same verdict, reason and rule. Change the meaning of a packet
 * in both places or the test fails.
 *
 * Nothing here touches the kernel.
 */
#ifndef FW_MODEL_H
#define FW_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "ruleset.h"
#include "xdpfw.h"

/* Everything the program decides about one frame. */
struct fw_model_result {
	unsigned int reason;      /* enum xdpfw_reason it is counted under */
	int rule;                 /* deciding rule (index in file order), or -1 */
	enum xdpfw_action action; /* XDPFW_ACT_PASS or XDPFW_ACT_DROP */
	struct xdpfw_pkt pkt;     /* the parsed key; partial unless classified */
	int limited;              /* first rule with a limit whose matches held for
	                           * the packet (deciding or passed over), or -1 */
};

/*
 * Rate limits. The model keeps no buckets, so whether a limit is over its
 * budget is an input: asked for each rule with XDPFW_RULE_LIMIT whose
 * matches hold for pkt, in rule order. Over: the rule matches and decides.
 * Within: it does not match, and the next rules are tried, as in the
 * program. A NULL fw_model_over_fn answers within for every limit (an idle
 * bucket); fw_model_all_over answers over (a flood).
 */
typedef bool (*fw_model_over_fn)(const struct fw_ruleset *rs, int rule, const struct xdpfw_pkt *pkt,
                                 void *arg);
bool fw_model_all_over(const struct fw_ruleset *rs, int rule, const struct xdpfw_pkt *pkt,
                       void *arg);

/* Rule match bits the model knows (enum xdpfw_match). A rule with any other
 * bit set means the data plane grew a match that the model lacks. */
#define FW_MODEL_MATCHES                                                                           \
	(XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_SPORT |          \
	 XDPFW_M_DPORT | XDPFW_M_TCPFLAGS | XDPFW_M_ICMPTYPE | XDPFW_M_VLAN | XDPFW_M_FRAGMENT |   \
	 XDPFW_M_LEN | XDPFW_M_TTL | XDPFW_M_SADDR_SET | XDPFW_M_DADDR_SET | XDPFW_M_SPORT_SET |   \
	 XDPFW_M_DPORT_SET)

/*
 * Parse an Ethernet frame of len bytes into *pkt (zeroed first). Returns
 * XDPFW_REASON_POLICY for an IPv4/IPv6 packet ready to classify,
 * XDPFW_REASON_NONIP for anything else carried by Ethernet, or the first
 * XDPFW_REASON_MAL_* fault found (then *pkt holds what was read so far).
 */
unsigned int fw_model_parse(const void *frame, size_t len, struct xdpfw_pkt *pkt);

/* Index of the first live rule of rs that matches pkt, or -1. Only for
 * packets fw_model_parse() returned XDPFW_REASON_POLICY for. */
int fw_model_classify(const struct fw_ruleset *rs, const struct xdpfw_pkt *pkt);

/* The same with limits answered by over(rs, rule, pkt, arg) (NULL: all
 * within); *limited (when not NULL) as in struct fw_model_result. */
int fw_model_classify_limits(const struct fw_ruleset *rs, const struct xdpfw_pkt *pkt,
                             fw_model_over_fn over, void *arg, int *limited);

/* The whole decision: parse, classify, and the action of the deciding rule
 * or setting. Fills *res and returns res->action. */
enum xdpfw_action fw_model_verdict(const struct fw_ruleset *rs, const void *frame, size_t len,
                                   struct fw_model_result *res);
/* The same with limits answered by over() (see fw_model_over_fn). */
enum xdpfw_action fw_model_verdict_limits(const struct fw_ruleset *rs, const void *frame,
                                          size_t len, fw_model_over_fn over, void *arg,
                                          struct fw_model_result *res);

/* The first rule of rs that uses a match outside FW_MODEL_MATCHES, or -1. */
int fw_model_unknown_match(const struct fw_ruleset *rs);

/* One line on what a reason means, for explanations ("IPv4 header or total
 * length beyond the frame"); never NULL. */
const char *fw_model_reason_text(unsigned int reason);

#endif /* FW_MODEL_H */
