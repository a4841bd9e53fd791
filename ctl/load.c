// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * load.c - the rule language's pipeline (ruleset.h): a file read once,
 * parsed statement by statement, each compiled as it comes, then the
 * classifier's tables built. It fails closed: a fault anywhere, memory
 * running out included, is reported and gives no rule set at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cls.h"
#include "compile.h"
#include "file.h"
#include "parser.h"

/* Parse and compile rs->source into rs. 0, -EINVAL, or -errno (all
 * reported). */
static int compile_source(struct fw_ruleset *rs, const char *path, struct fw_diag *diag)
{
	unsigned int errors = diag->errors;
	struct fw_compiler c;
	struct fw_parser p;
	struct fw_stmt st;
	int r;

	fw_parser_init(&p, rs->source, rs->source_len, diag);
	fw_compiler_init(&c, rs, diag, path);
	while ((r = fw_parser_next(&p, &st)) > 0) {
		r = fw_compile_stmt(&c, &st);
		fw_stmt_free(&st);
		/* A bad statement is reported and the next one checked, so one
		 * run shows every fault; anything else stops here. */
		if (r && r != -EINVAL)
			break;
	}
	if (r == -ENOMEM)
		return fw_diag_fail(diag, r, "out of memory compiling the rules");
	if (r < 0 && r != -EINVAL)
		return fw_diag_fail(diag, r, "cannot compile the rules");
	if (diag->errors > errors)
		return -EINVAL;
	r = fw_compiler_finish(&c);
	if (r == -ENOMEM)
		return fw_diag_fail(diag, r, "out of memory compiling the rules");
	return r ?: fw_ruleset_build(rs, diag);
}

/* Compile source (malloc'ed, len bytes, NUL after them), which the new
 * rule set takes over whatever happens. */
static int load(const char *path, char *source, size_t len, struct fw_ruleset **out,
                struct fw_diag *diag)
{
	struct fw_ruleset *rs = fw_ruleset_new();
	int r;

	*out = NULL;
	if (!rs) {
		free(source);
		return fw_diag_fail(diag, -ENOMEM, "out of memory compiling the rules");
	}
	rs->source = source;
	rs->source_len = len;
	r = compile_source(rs, path, diag);
	if (r) {
		fw_ruleset_free(rs);
		return r;
	}
	*out = rs;
	return 0;
}

int fw_ruleset_load_mem(const char *name, const char *buf, size_t len, struct fw_ruleset **out,
                        struct fw_diag *diag)
{
	char *copy;

	*out = NULL;
	if (!diag->file)
		diag->file = name;
	copy = malloc(len + 1);
	if (!copy)
		return fw_diag_fail(diag, -ENOMEM, "out of memory reading the rules");
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return load(name, copy, len, out, diag);
}

int fw_ruleset_load_file(const char *path, struct fw_ruleset **out, struct fw_diag *diag)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if (!diag->file)
		diag->file = path;
	r = fw_file_read(path, FW_FILE_STDIN, &buf, &len);
	if (r) {
		fw_diag_report(diag, FW_DIAG_ERROR, 0, 0, NULL, 0, "cannot read the rules: %s",
		               fw_file_strerror(r));
		return r;
	}
	return load(strcmp(path, "-") ? path : NULL, buf, len, out, diag);
}

int fw_ruleset_build(struct fw_ruleset *rs, struct fw_diag *diag)
{
	char why[FW_DIAG_MSG];
	struct fw_cls *cls;
	int r;

	fw_ruleset_drop_cls(rs);
	cls = calloc(1, sizeof(*cls));
	if (!cls)
		return fw_diag_fail(diag, -ENOMEM, "out of memory building the classifier");
	r = fw_cls_build(rs, cls, why, sizeof(why));
	if (r) {
		free(cls);
		fw_diag_report(diag, FW_DIAG_ERROR, 0, 0, NULL, 0, "%s", why);
		return r == -E2BIG ? -EINVAL : r;
	}
	fw_cls_config(cls, &rs->config);
	rs->cls = cls;
	return 0;
}
