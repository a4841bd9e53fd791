/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * compile.h - statements (ast.h) in, the rule set image (ruleset.h) out.
 *
 * The compiler owns every check that needs a whole rule or the whole file:
 * family and protocol agreement, duplicate matches, ports without tcp/udp,
 * repeated settings, sets and their files, the limits. fw_ruleset_load_*()
 * (ruleset.h, load.c) are the way in; these are the steps they take.
 */
#ifndef FW_COMPILE_H
#define FW_COMPILE_H

#include <stdint.h>

#include "ast.h"
#include "ruleset.h"

struct fw_compiler {
	struct fw_ruleset *rs;
	struct fw_diag *diag;
	unsigned int setting_line[FW_SETTING_MAX]; /* 0: not set yet */
	unsigned int rules_seen;                   /* rule statements, also those past the limit */
	const char *source; /* the rule file's path: set files are relative to it */
};

/* Compile into rs (new, from fw_ruleset_new()); source is the rule file's
 * path, for set files named relative to it (NULL: the working directory). */
void fw_compiler_init(struct fw_compiler *c, struct fw_ruleset *rs, struct fw_diag *diag,
                      const char *source);

/*
 * Check one statement and add it. Returns 0; -EINVAL after reporting the
 * fault; or -ENOMEM, not reported (the caller says what ran out), after
 * which the rule set is incomplete and must not be used.
 */
int fw_compile_stmt(struct fw_compiler *c, const struct fw_stmt *st);

/* Seal the image: the set index and config.digest. 0 or -errno (reported
 * but for -ENOMEM). */
int fw_compiler_finish(struct fw_compiler *c);

#endif /* FW_COMPILE_H */
