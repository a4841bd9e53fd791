/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * setfile.h - set files (`set NAME = file "PATH"`): one IPv4/IPv6 address
 * or prefix per line, blank lines and '#' comments allowed. Read through
 * the rule language's own lexer and address parser, so a set file accepts
 * exactly the addresses a rule file does, with the same messages.
 *
 * Nothing here touches the kernel.
 */
#ifndef FW_SETFILE_H
#define FW_SETFILE_H

#include <stddef.h>

#include "ast.h"
#include "ruleset.h"

/*
 * Parse the set file text buf (len bytes; name is used in messages) and
 * append its members to out (their src points into buf, which must outlive
 * them). Faults are reported through diag against name, line and column.
 * Returns 0, -EINVAL after reporting, or -ENOMEM (reported too).
 */
int fw_setfile_parse(const char *name, const char *buf, size_t len, struct fw_ast_list *out,
                     struct fw_diag *diag);

#endif /* FW_SETFILE_H */
