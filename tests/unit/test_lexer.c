// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests of ctl/lexer.c: token kinds, positions, and line faults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lexer.h"

#define MAX_TOKS 64

struct lexed {
	struct fw_diag diag;
	struct fw_token tok[MAX_TOKS];
	size_t n;
};

/* Lex everything up to and including FW_TOK_EOF. */
static void lex_all(struct lexed *l, const char *src, size_t len)
{
	struct fw_lexer lx;

	memset(l, 0, sizeof(*l));
	fw_diag_init(&l->diag, "t.rules", NULL);
	fw_lexer_init(&lx, src, len, &l->diag);
	do {
		assert_true(l->n < MAX_TOKS);
		fw_lex_next(&lx, &l->tok[l->n]);
	} while (l->tok[l->n++].kind != FW_TOK_EOF);
}

static void lex_str(struct lexed *l, const char *src)
{
	lex_all(l, src, strlen(src));
}

static void expect_tok(const struct lexed *l, size_t i, enum fw_tok_kind kind, unsigned int line,
                       unsigned int col, const char *text)
{
	const struct fw_token *t;

	assert_true(i < l->n);
	t = &l->tok[i];
	assert_int_equal(t->kind, kind);
	assert_int_equal(t->line, line);
	assert_int_equal(t->col, col);
	if (text) {
		assert_int_equal(t->len, strlen(text));
		assert_memory_equal(t->text, text, t->len);
	}
}

static void expect_diag(const struct lexed *l, size_t i, unsigned int line, unsigned int col,
                        const char *msg)
{
	assert_true(i < l->diag.count);
	assert_int_equal(l->diag.entries[i].kind, FW_DIAG_ERROR);
	assert_int_equal(l->diag.entries[i].line, line);
	assert_int_equal(l->diag.entries[i].col, col);
	assert_string_equal(l->diag.entries[i].msg, msg);
}

static void test_rule_tokens(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "drop tcp dport 8000-8099 saddr 192.0.2.0/24 daddr 2001:db8::1");
	assert_int_equal(l.n, 12);
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "drop");
	expect_tok(&l, 1, FW_TOK_WORD, 1, 6, "tcp");
	expect_tok(&l, 2, FW_TOK_WORD, 1, 10, "dport");
	/* Ranges stay one word; the parser splits them. */
	expect_tok(&l, 3, FW_TOK_WORD, 1, 16, "8000-8099");
	expect_tok(&l, 4, FW_TOK_WORD, 1, 26, "saddr");
	expect_tok(&l, 5, FW_TOK_ADDR, 1, 32, "192.0.2.0");
	expect_tok(&l, 6, FW_TOK_SLASH, 1, 41, "/");
	expect_tok(&l, 7, FW_TOK_NUMBER, 1, 42, "24");
	assert_int_equal(l.tok[7].num, 24);
	expect_tok(&l, 8, FW_TOK_WORD, 1, 45, "daddr");
	expect_tok(&l, 9, FW_TOK_ADDR, 1, 51, "2001:db8::1");
	expect_tok(&l, 10, FW_TOK_EOL, 1, 62, NULL);
	expect_tok(&l, 11, FW_TOK_EOF, 1, 62, NULL);
	assert_int_equal(l.diag.errors, 0);
}

static void test_address_forms(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "::1 :: ::ffff:192.0.2.1 dead:beef:: 1.2.3 echo-request 50k");
	expect_tok(&l, 0, FW_TOK_ADDR, 1, 1, "::1");
	expect_tok(&l, 1, FW_TOK_ADDR, 1, 5, "::");
	expect_tok(&l, 2, FW_TOK_ADDR, 1, 8, "::ffff:192.0.2.1");
	expect_tok(&l, 3, FW_TOK_ADDR, 1, 25, "dead:beef::");
	/* Looks like an address: the parser reports it as an invalid one. */
	expect_tok(&l, 4, FW_TOK_ADDR, 1, 37, "1.2.3");
	expect_tok(&l, 5, FW_TOK_WORD, 1, 43, "echo-request");
	expect_tok(&l, 6, FW_TOK_WORD, 1, 56, "50k");
}

static void test_punctuation(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "set x = { 1, 2 } @x != !ack /");
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "set");
	expect_tok(&l, 1, FW_TOK_WORD, 1, 5, "x");
	expect_tok(&l, 2, FW_TOK_EQ, 1, 7, "=");
	expect_tok(&l, 3, FW_TOK_LBRACE, 1, 9, "{");
	expect_tok(&l, 4, FW_TOK_NUMBER, 1, 11, "1");
	expect_tok(&l, 5, FW_TOK_COMMA, 1, 12, ",");
	expect_tok(&l, 6, FW_TOK_NUMBER, 1, 14, "2");
	expect_tok(&l, 7, FW_TOK_RBRACE, 1, 16, "}");
	expect_tok(&l, 8, FW_TOK_AT, 1, 18, "@");
	expect_tok(&l, 9, FW_TOK_WORD, 1, 19, "x");
	expect_tok(&l, 10, FW_TOK_NE, 1, 21, "!=");
	expect_tok(&l, 11, FW_TOK_BANG, 1, 24, "!");
	expect_tok(&l, 12, FW_TOK_WORD, 1, 25, "ack");
	expect_tok(&l, 13, FW_TOK_SLASH, 1, 29, "/");
	expect_tok(&l, 14, FW_TOK_EOL, 1, 30, NULL);
}

static void test_strings(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "name \"a \\\"b\\\" #c\" log");
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "name");
	expect_tok(&l, 1, FW_TOK_STRING, 1, 6, "\"a \\\"b\\\" #c\"");
	expect_tok(&l, 2, FW_TOK_WORD, 1, 19, "log");
	assert_int_equal(l.diag.errors, 0);
}

static void test_unterminated_string(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "name \"abc\nok");
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "name");
	expect_tok(&l, 1, FW_TOK_ERROR, 1, 6, NULL);
	expect_tok(&l, 2, FW_TOK_EOL, 1, 10, NULL);
	expect_tok(&l, 3, FW_TOK_WORD, 2, 1, "ok");
	assert_int_equal(l.diag.errors, 1);
	expect_diag(&l, 0, 1, 6, "unterminated string");
}

static void test_columns_count_tabs_as_one_byte(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "\tdrop  \ttcp");
	expect_tok(&l, 0, FW_TOK_WORD, 1, 2, "drop");
	expect_tok(&l, 1, FW_TOK_WORD, 1, 9, "tcp");
}

static void test_comments_and_blank_lines(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "# header\n\n  \t\ndrop # the rest\ntcp#x\n");
	expect_tok(&l, 0, FW_TOK_EOL, 1, 9, NULL);
	expect_tok(&l, 1, FW_TOK_EOL, 2, 1, NULL);
	expect_tok(&l, 2, FW_TOK_EOL, 3, 4, NULL);
	expect_tok(&l, 3, FW_TOK_WORD, 4, 1, "drop");
	expect_tok(&l, 4, FW_TOK_EOL, 4, 16, NULL);
	expect_tok(&l, 5, FW_TOK_WORD, 5, 1, "tcp");
	expect_tok(&l, 6, FW_TOK_EOL, 5, 6, NULL);
	expect_tok(&l, 7, FW_TOK_EOF, 5, 6, NULL);
	assert_int_equal(l.n, 8);
}

static void test_crlf(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "drop\r\npass tcp\r\n");
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "drop");
	expect_tok(&l, 1, FW_TOK_EOL, 1, 5, NULL);
	expect_tok(&l, 2, FW_TOK_WORD, 2, 1, "pass");
	expect_tok(&l, 3, FW_TOK_WORD, 2, 6, "tcp");
	expect_tok(&l, 4, FW_TOK_EOL, 2, 9, NULL);
	expect_tok(&l, 5, FW_TOK_EOF, 2, 9, NULL);
	assert_int_equal(l.diag.errors, 0);
}

static void test_stray_cr_is_an_error(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "drop\rtcp\n");
	expect_tok(&l, 1, FW_TOK_ERROR, 1, 5, NULL);
	expect_diag(&l, 0, 1, 5, "unexpected byte 0x0d");
}

static void test_no_final_newline(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "policy drop\ndrop");
	expect_tok(&l, 3, FW_TOK_WORD, 2, 1, "drop");
	expect_tok(&l, 4, FW_TOK_EOL, 2, 5, NULL);
	expect_tok(&l, 5, FW_TOK_EOF, 2, 5, NULL);
	assert_int_equal(l.n, 6);
}

static void test_empty_input(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.tok[0].kind, FW_TOK_EOF);
}

static void test_nul_byte(void **state)
{
	static const char src[] = "pass\ndrop tcp\0 x\nok\n";
	struct lexed l;

	(void)state;
	lex_all(&l, src, sizeof(src) - 1);
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, "pass");
	/* The whole line is refused: one error, no tokens from it. */
	expect_tok(&l, 2, FW_TOK_ERROR, 2, 9, NULL);
	expect_tok(&l, 3, FW_TOK_EOL, 2, 12, NULL);
	expect_tok(&l, 4, FW_TOK_WORD, 3, 1, "ok");
	assert_int_equal(l.diag.errors, 1);
	expect_diag(&l, 0, 2, 9, "NUL byte in rule file");
}

static void test_line_length_limit(void **state)
{
	static char src[XDPFW_MAX_LINE + 16];
	struct lexed l;

	(void)state;
	/* Exactly the limit is fine, CRLF not counted. */
	memset(src, 'a', XDPFW_MAX_LINE);
	memcpy(src + XDPFW_MAX_LINE, "\r\n", 3);
	lex_str(&l, src);
	expect_tok(&l, 0, FW_TOK_WORD, 1, 1, NULL);
	assert_int_equal(l.tok[0].len, XDPFW_MAX_LINE);
	assert_int_equal(l.diag.errors, 0);

	memset(src, 'a', XDPFW_MAX_LINE + 1);
	memcpy(src + XDPFW_MAX_LINE + 1, "\nok", 4);
	lex_str(&l, src);
	expect_tok(&l, 0, FW_TOK_ERROR, 1, XDPFW_MAX_LINE + 1, NULL);
	expect_tok(&l, 1, FW_TOK_EOL, 1, XDPFW_MAX_LINE + 2, NULL);
	expect_tok(&l, 2, FW_TOK_WORD, 2, 1, "ok");
	assert_int_equal(l.diag.errors, 1);
	expect_diag(&l, 0, 1, XDPFW_MAX_LINE + 1, "line longer than 4096 bytes");
}

static void test_unexpected_characters(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "drop ; tcp\npass \x01\ndrop \xc3\xa9\n");
	expect_tok(&l, 1, FW_TOK_ERROR, 1, 6, NULL);
	expect_tok(&l, 2, FW_TOK_EOL, 1, 11, NULL);
	assert_int_equal(l.diag.errors, 3);
	expect_diag(&l, 0, 1, 6, "unexpected character ';'");
	expect_diag(&l, 1, 2, 6, "unexpected byte 0x01");
	expect_diag(&l, 2, 3, 6, "unexpected byte 0xc3");
}

static void test_number_values(void **state)
{
	struct lexed l;

	(void)state;
	lex_str(&l, "0 65535 18446744073709551615 18446744073709551616 007");
	assert_int_equal(l.tok[0].num, 0);
	assert_int_equal(l.tok[1].num, 65535);
	assert_true(l.tok[2].num == UINT64_MAX);
	/* Saturates rather than wrapping to a small, valid-looking value. */
	assert_true(l.tok[3].num == UINT64_MAX);
	expect_tok(&l, 4, FW_TOK_NUMBER, 1, 51, "007");
	assert_int_equal(l.tok[4].num, 7);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(fw_tok_kind_name(FW_TOK_EOL), "end of line");
	assert_string_equal(fw_tok_kind_name(FW_TOK_SLASH), "'/'");
	assert_string_equal(fw_tok_kind_name(FW_TOK_NE), "'!='");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_tokens),
	    cmocka_unit_test(test_address_forms),
	    cmocka_unit_test(test_punctuation),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_unterminated_string),
	    cmocka_unit_test(test_columns_count_tabs_as_one_byte),
	    cmocka_unit_test(test_comments_and_blank_lines),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_stray_cr_is_an_error),
	    cmocka_unit_test(test_no_final_newline),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_line_length_limit),
	    cmocka_unit_test(test_unexpected_characters),
	    cmocka_unit_test(test_number_values),
	    cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
