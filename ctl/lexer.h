/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lexer.h - rule file bytes in, tokens with line and column out.
 *
 * The language is line oriented, so the end of a line is a token of its own.
 * The lexer knows the whole draft grammar (sets, negation, strings, ...) even
 * where the parser does not use it yet, so that later features need no new
 * token kinds.
 *
 * A word is a run of [A-Za-z0-9_.:-]. The lexer only sorts runs into numbers
 * (all digits), addresses (a ':' anywhere, or a digit then a '.') and other
 * words; "8000-8099" and "echo-request" are words that the parser splits.
 *
 * Faults that make a line unreadable (a NUL byte, a line longer than
 * XDPFW_MAX_LINE, a stray character, an unterminated string) are reported
 * here, once, and come out as one FW_TOK_ERROR followed by the line's
 * FW_TOK_EOL, so the parser can skip the line without piling on.
 */
#ifndef FW_LEXER_H
#define FW_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

enum fw_tok_kind {
	FW_TOK_EOF,
	FW_TOK_EOL,
	FW_TOK_ERROR, /* already reported; skip to FW_TOK_EOL */
	FW_TOK_WORD,
	FW_TOK_NUMBER, /* decimal digits only; value in num */
	FW_TOK_ADDR,   /* looks like an IPv4/IPv6 address; not yet validated */
	FW_TOK_STRING, /* "..." with \" and \\ escapes; text keeps the quotes */
	FW_TOK_SLASH,
	FW_TOK_COMMA,
	FW_TOK_LBRACE,
	FW_TOK_RBRACE,
	FW_TOK_EQ,
	FW_TOK_NE,
	FW_TOK_BANG,
	FW_TOK_AT,
};

struct fw_token {
	enum fw_tok_kind kind;
	unsigned int line; /* 1-based */
	unsigned int col;  /* 1-based byte column */
	const char *text;  /* into the input buffer, not NUL-terminated */
	size_t len;
	uint64_t num; /* FW_TOK_NUMBER; UINT64_MAX when it overflows */
};

struct fw_lexer {
	const char *buf;
	size_t len;
	size_t pos;        /* next byte to look at */
	size_t line_start; /* offset of the current line */
	size_t line_end;   /* end of its content: before "\n" or "\r\n" */
	size_t next_line;  /* offset just past its "\n" */
	unsigned int line; /* current line, 0 before the first */
	int in_line;       /* line_start/line_end describe the current line */
	struct fw_diag *diag;
};

void fw_lexer_init(struct fw_lexer *lx, const char *buf, size_t len, struct fw_diag *diag);
void fw_lex_next(struct fw_lexer *lx, struct fw_token *tok);

/* Drop the rest of the current line: the next token is its FW_TOK_EOL.
 * After a fault the rest of a line would only produce follow-on errors. */
void fw_lexer_skip_line(struct fw_lexer *lx);

/* The text of the line being lexed (no line end), for diagnostics. */
const char *fw_lexer_line(const struct fw_lexer *lx, size_t *len);

/* "end of line", "'/'", ...: how a token is named in messages. */
const char *fw_tok_kind_name(enum fw_tok_kind kind);

#endif /* FW_LEXER_H */
