// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lexer.c - see lexer.h. */
#include <stdio.h>
#include <string.h>

#include "lexer.h"

void fw_lexer_init(struct fw_lexer *lx, const char *buf, size_t len, struct fw_diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
	lx->diag = diag;
}

const char *fw_lexer_line(const struct fw_lexer *lx, size_t *len)
{
	*len = lx->line_end - lx->line_start;
	return lx->buf + lx->line_start;
}

void fw_lexer_skip_line(struct fw_lexer *lx)
{
	if (lx->in_line)
		lx->pos = lx->line_end;
}

const char *fw_tok_kind_name(enum fw_tok_kind kind)
{
	switch (kind) {
	case FW_TOK_EOF:
		return "end of file";
	case FW_TOK_EOL:
		return "end of line";
	case FW_TOK_ERROR:
		return "error";
	case FW_TOK_WORD:
		return "word";
	case FW_TOK_NUMBER:
		return "number";
	case FW_TOK_ADDR:
		return "address";
	case FW_TOK_STRING:
		return "string";
	case FW_TOK_SLASH:
		return "'/'";
	case FW_TOK_COMMA:
		return "','";
	case FW_TOK_LBRACE:
		return "'{'";
	case FW_TOK_RBRACE:
		return "'}'";
	case FW_TOK_EQ:
		return "'='";
	case FW_TOK_NE:
		return "'!='";
	case FW_TOK_BANG:
		return "'!'";
	case FW_TOK_AT:
		return "'@'";
	}
	return "token";
}

static unsigned int col_at(const struct fw_lexer *lx, size_t off)
{
	return (unsigned int)(off - lx->line_start) + 1;
}

static void set_tok(struct fw_lexer *lx, struct fw_token *tok, enum fw_tok_kind kind, size_t start,
                    size_t len)
{
	tok->kind = kind;
	tok->line = lx->line;
	tok->col = col_at(lx, start);
	tok->text = lx->buf + start;
	tok->len = len;
	tok->num = 0;
}

/* Report a fault at col and give up on the rest of the line. */
static void line_error(struct fw_lexer *lx, struct fw_token *tok, size_t off, unsigned int col,
                       const char *msg)
{
	size_t len;
	const char *src = fw_lexer_line(lx, &len);

	fw_diag_report(lx->diag, FW_DIAG_ERROR, lx->line, col, src, len, "%s", msg);
	set_tok(lx, tok, FW_TOK_ERROR, off < lx->line_end ? off : lx->line_end, 0);
	tok->col = col;
	lx->pos = lx->line_end;
}

static int is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void lex_word(struct fw_lexer *lx, struct fw_token *tok)
{
	size_t start = lx->pos, end = lx->pos, i;
	const char *s;
	uint64_t v = 0;
	int digits = 1;

	while (end < lx->line_end && is_word_char(lx->buf[end]))
		end++;
	set_tok(lx, tok, FW_TOK_WORD, start, end - start);
	lx->pos = end;
	s = tok->text;

	for (i = 0; i < tok->len; i++) {
		if (!is_digit(s[i])) {
			digits = 0;
			break;
		}
		/* Saturate instead of wrapping so "99999999999999999999" is
		 * still out of every range the parser checks. */
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (digits) {
		tok->kind = FW_TOK_NUMBER;
		tok->num = v;
	} else if (memchr(s, ':', tok->len) || (is_digit(s[0]) && memchr(s, '.', tok->len))) {
		tok->kind = FW_TOK_ADDR;
	}
}

static void lex_string(struct fw_lexer *lx, struct fw_token *tok)
{
	size_t start = lx->pos, i = lx->pos + 1;

	while (i < lx->line_end && lx->buf[i] != '"') {
		if (lx->buf[i] == '\\' && i + 1 < lx->line_end)
			i++;
		i++;
	}
	if (i >= lx->line_end) {
		line_error(lx, tok, start, col_at(lx, start), "unterminated string");
		return;
	}
	set_tok(lx, tok, FW_TOK_STRING, start, i + 1 - start);
	lx->pos = i + 1;
}

static void bad_char(struct fw_lexer *lx, struct fw_token *tok, unsigned char c)
{
	char msg[40];

	/* Control and non-ASCII bytes are shown as numbers: echoing them
	 * would garble the terminal. */
	if (c > 0x20 && c < 0x7f)
		snprintf(msg, sizeof(msg), "unexpected character '%c'", c);
	else
		snprintf(msg, sizeof(msg), "unexpected byte 0x%02x", c);
	line_error(lx, tok, lx->pos, col_at(lx, lx->pos), msg);
}

/*
 * Find the extent of the next line and refuse it whole when it cannot be
 * read as text. Returns 0, or 1 with tok set to FW_TOK_ERROR.
 */
static int begin_line(struct fw_lexer *lx, struct fw_token *tok)
{
	const char *nl, *nul;
	size_t end;

	lx->line++;
	lx->line_start = lx->pos;
	nl = memchr(lx->buf + lx->pos, '\n', lx->len - lx->pos);
	end = nl ? (size_t)(nl - lx->buf) : lx->len;
	lx->next_line = nl ? end + 1 : end;
	if (end > lx->line_start && lx->buf[end - 1] == '\r')
		end--;
	lx->line_end = end;
	lx->in_line = 1;

	nul = memchr(lx->buf + lx->line_start, '\0', end - lx->line_start);
	if (nul) {
		line_error(lx, tok, (size_t)(nul - lx->buf), col_at(lx, (size_t)(nul - lx->buf)),
		           "NUL byte in rule file");
		return 1;
	}
	if (end - lx->line_start > XDPFW_MAX_LINE) {
		char msg[64];

		snprintf(msg, sizeof(msg), "line longer than %d bytes", XDPFW_MAX_LINE);
		line_error(lx, tok, lx->line_start + XDPFW_MAX_LINE, XDPFW_MAX_LINE + 1, msg);
		return 1;
	}
	return 0;
}

void fw_lex_next(struct fw_lexer *lx, struct fw_token *tok)
{
	unsigned char c;

	if (!lx->in_line) {
		if (lx->pos >= lx->len) {
			set_tok(lx, tok, FW_TOK_EOF, lx->line_end, 0);
			return;
		}
		if (begin_line(lx, tok))
			return;
	}

	while (lx->pos < lx->line_end && (lx->buf[lx->pos] == ' ' || lx->buf[lx->pos] == '\t'))
		lx->pos++;
	if (lx->pos < lx->line_end && lx->buf[lx->pos] == '#')
		lx->pos = lx->line_end;
	if (lx->pos >= lx->line_end) {
		set_tok(lx, tok, FW_TOK_EOL, lx->line_end, 0);
		lx->in_line = 0;
		lx->pos = lx->next_line;
		return;
	}

	c = (unsigned char)lx->buf[lx->pos];
	if (is_word_char(c)) {
		lex_word(lx, tok);
		return;
	}
	switch (c) {
	case '"':
		lex_string(lx, tok);
		return;
	case '/':
		set_tok(lx, tok, FW_TOK_SLASH, lx->pos, 1);
		break;
	case ',':
		set_tok(lx, tok, FW_TOK_COMMA, lx->pos, 1);
		break;
	case '{':
		set_tok(lx, tok, FW_TOK_LBRACE, lx->pos, 1);
		break;
	case '}':
		set_tok(lx, tok, FW_TOK_RBRACE, lx->pos, 1);
		break;
	case '=':
		set_tok(lx, tok, FW_TOK_EQ, lx->pos, 1);
		break;
	case '@':
		set_tok(lx, tok, FW_TOK_AT, lx->pos, 1);
		break;
	case '!':
		if (lx->pos + 1 < lx->line_end && lx->buf[lx->pos + 1] == '=')
			set_tok(lx, tok, FW_TOK_NE, lx->pos, 2);
		else
			set_tok(lx, tok, FW_TOK_BANG, lx->pos, 1);
		break;
	default:
		bad_char(lx, tok, c);
		return;
	}
	lx->pos += tok->len;
}
