// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* setfile.c - see setfile.h. */
#include <errno.h>

#include "parser.h"
#include "setfile.h"

int fw_setfile_parse(const char *name, const char *buf, size_t len, struct fw_ast_list *out,
                     struct fw_diag *diag)
{
	const char *saved = diag->file;
	unsigned int errors = diag->errors;
	struct fw_parser p;
	int r;

	/* Faults point into the set file, not the rule file naming it. */
	diag->file = name;
	fw_parser_init(&p, buf, len, diag);
	r = fw_parser_addr_lines(&p, out);
	if (r == -ENOMEM)
		fw_diag_fail(diag, r, "out of memory reading the set file");
	diag->file = saved;
	if (r)
		return r;
	return diag->errors > errors ? -EINVAL : 0;
}
