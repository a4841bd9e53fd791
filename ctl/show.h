/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * show.h - `fwctl show IFACE`: the rule set running on an interface, printed
 * back in the rule language, each rule followed by its counters.
 *
 * The text is itself a rule file: a header comment (interface, program,
 * mode, digest), the settings, then the rules in order, counters as trailing
 * comments. `fwctl check` accepts it, and it compiles to the same rules;
 * only the line numbers, and with them the digest, may differ. With --json:
 * the same facts as one object, the rules as an array.
 */
#ifndef FW_SHOW_H
#define FW_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "ruleset.h"

/* Where the rules run, for the header. */
struct fw_show_head {
	const char *ifname;
	unsigned int ifindex;
	unsigned int prog_id;
	const char *mode; /* "native", "generic" */
};

/*
 * Print rs as text or JSON to f. counters[i] belongs to rule i (not to its
 * slot); NULL prints no counters. Reads nothing from the kernel, so the
 * round trip text -> rules -> text is unit-tested. Returns 0, or -ENOMEM
 * with nothing printed.
 */
int fw_show_print(FILE *f, bool json, const struct fw_show_head *head, const struct fw_ruleset *rs,
                  const struct xdpfw_counter *counters);

/* Read the running rules of ifname and their counters, and print them to
 * stdout. Returns 0; -ENOENT (a user error) when xdpfw does not run there;
 * else -errno, with nothing printed. */
int fw_show(const char *ifname, bool json);

#endif /* FW_SHOW_H */
