/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lint.h - warnings about a rule set that compiles but likely does not do
 * what its author meant. `fwctl check` prints them (and fails on them with
 * --strict); attach and reload print them and go on.
 *
 * Each lint is reported as FW_DIAG_WARNING with FILE:LINE:COL and the source
 * line, in line order:
 *
 *   rule is shadowed by line N (it can never match)
 *       every packet the rule matches is matched by the earlier rule on
 *       line N, so the rule never decides anything; at the rule's verb.
 *   name "x" already used on line N
 *       names are the identity of counters across reloads; at `name`.
 *   nonip drop with policy drop drops ARP: ...
 *       at the nonip setting.
 *   ... drops IPv6 neighbour solicitations / advertisements: ...
 *       under policy drop, a real NS (to a solicited-node address) or NA
 *       frame run through the reference model is dropped; at the dropping
 *       rule, or at the policy when no rule decides it.
 *
 * The shadow test is sound and incomplete: a warning means the rule really
 * can never match, while a rule covered only by several earlier rules
 * together, or behind a `!=` that differs, is not reported. A false warning
 * would teach operators to ignore the rest.
 *
 * Nothing here touches the kernel.
 */
#ifndef FW_LINT_H
#define FW_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "ruleset.h"

/*
 * Lint rs: warnings go to d, at the positions rs keeps (without source, a
 * rule read back from a kernel: column 1 of its line; settings: none).
 * Returns 0 (the caller reads d->warnings) or -ENOMEM, reported.
 */
int fw_lint(const struct fw_ruleset *rs, struct fw_diag *d);

/*
 * Does rule a match every packet that rule b matches? Then b, placed after
 * a, can never match. Sound (true only when it really holds), not complete.
 * Exposed for the unit tests.
 */
bool fw_rule_covers(const struct xdpfw_rule *a, const struct xdpfw_rule *b);

#endif /* FW_LINT_H */
