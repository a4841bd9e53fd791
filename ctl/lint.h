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
 * Lint rs, compiled without errors from buf (len bytes). buf is parsed again
 * for the positions and source lines that the compiled rules do not keep;
 * with buf NULL (or not the text rs came from) warnings point at column 1
 * of the rule's line, and settings have no position. Warnings go to d.
 * Returns 0 or -ENOMEM; the caller reads d->warnings.
 */
int fw_lint_mem(const char *buf, size_t len, const struct fw_ruleset *rs, struct fw_diag *d);

/* The same for the file rs was compiled from, read again; a file that can no
 * longer be read is linted without positions rather than not at all. */
int fw_lint_file(const char *path, const struct fw_ruleset *rs, struct fw_diag *d);

/*
 * Does rule a match every packet that rule b matches? Then b, placed after
 * a, can never match. Sound (true only when it really holds), not complete.
 * Exposed for the unit tests.
 */
bool fw_rule_covers(const struct xdpfw_rule *a, const struct xdpfw_rule *b);

#endif /* FW_LINT_H */
