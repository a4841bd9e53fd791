/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * compile.h - statements (ast.h) in, the config and rules map images
 * (struct fw_ruleset) out.
 *
 * The compiler owns every check that needs a whole rule or the whole file:
 * family and protocol agreement, duplicate matches, ports without tcp/udp,
 * repeated settings and the rule limit. fw_ruleset_load_*() (ruleset.h) are
 * the usual way in; these are the steps they take.
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

/* Zeroes *rs (padding included, so images and digests are reproducible)
 * and sets the defaults: policy pass, nonip pass, malformed drop. */
void fw_compiler_init(struct fw_compiler *c, struct fw_ruleset *rs, struct fw_diag *diag);

/* Check one statement and add it. Returns 0, or -EINVAL after reporting. */
int fw_compile_stmt(struct fw_compiler *c, const struct fw_stmt *st);

/* Seal the images: computes config.digest. */
void fw_compiler_finish(struct fw_compiler *c);

/* 64-bit FNV-1a over the config (digest taken as 0) and the live rules. */
uint64_t fw_ruleset_digest(const struct fw_ruleset *rs);

#endif /* FW_COMPILE_H */
