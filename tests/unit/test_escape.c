// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests of ctl/escape.c: UTF-8 and escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A string literal with its length: it may hold NUL bytes. */
#define BYTES(s) s, sizeof(s) - 1

static void test_utf8_char(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		size_t want; /* 0: not valid UTF-8 */
		uint32_t cp;
	} cases[] = {
	    {BYTES("a"), 1, 'a'},
	    {BYTES("\x1b"), 1, 0x1b},
	    {BYTES("\x7f"), 1, 0x7f},
	    {BYTES("\xc2\x80"), 2, 0x80},
	    {BYTES("\xc3\xa9"), 2, 0xe9},
	    {BYTES("\xdf\xbf"), 2, 0x7ff},
	    {BYTES("\xe0\xa0\x80"), 3, 0x800},
	    {BYTES("\xe2\x82\xac"), 3, 0x20ac},
	    {BYTES("\xed\x9f\xbf"), 3, 0xd7ff},
	    {BYTES("\xef\xbf\xbd"), 3, 0xfffd},
	    {BYTES("\xf0\x90\x80\x80"), 4, 0x10000},
	    {BYTES("\xf4\x8f\xbf\xbf"), 4, 0x10ffff},
	    /* Overlong forms. */
	    {BYTES("\xc0\x80"), 0, 0},
	    {BYTES("\xc1\xbf"), 0, 0},
	    {BYTES("\xe0\x9f\xbf"), 0, 0},
	    {BYTES("\xf0\x8f\xbf\xbf"), 0, 0},
	    /* Surrogates, past U+10FFFF, never a lead byte. */
	    {BYTES("\xed\xa0\x80"), 0, 0},
	    {BYTES("\xed\xbf\xbf"), 0, 0},
	    {BYTES("\xf4\x90\x80\x80"), 0, 0},
	    {BYTES("\xf5\x80\x80\x80"), 0, 0},
	    {BYTES("\xff"), 0, 0},
	    {BYTES("\x80"), 0, 0},
	    {BYTES("\xbf"), 0, 0},
	    /* Cut short, or a lead byte followed by a non-continuation. */
	    {BYTES("\xc3"), 0, 0},
	    {BYTES("\xe2\x82"), 0, 0},
	    {BYTES("\xf0\x90\x80"), 0, 0},
	    {BYTES("\xc3("), 0, 0},
	    {BYTES("\xe2\x82("), 0, 0},
	    {"", 0, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t n = fw_utf8_char(cases[i].s, cases[i].len, &cp);

		if (n != cases[i].want)
			fail_msg("case %zu: length %zu, want %zu", i, n, cases[i].want);
		if (n && cp != cases[i].cp)
			fail_msg("case %zu: U+%04X, want U+%04X", i, cp, cases[i].cp);
	}
	/* A valid character is not read past len. */
	assert_int_equal(fw_utf8_char("\xc3\xa9", 1, &(uint32_t){0}), 0);
}

static void test_controls(void **state)
{
	(void)state;
	assert_true(fw_utf8_is_control(0));
	assert_true(fw_utf8_is_control('\t'));
	assert_true(fw_utf8_is_control(0x1f));
	assert_false(fw_utf8_is_control(' '));
	assert_false(fw_utf8_is_control('~'));
	assert_true(fw_utf8_is_control(0x7f));
	assert_true(fw_utf8_is_control(0x80));
	assert_true(fw_utf8_is_control(0x9b));
	assert_true(fw_utf8_is_control(0x9f));
	assert_false(fw_utf8_is_control(0xa0));
	assert_false(fw_utf8_is_control(0xe9));
}

static const struct {
	const char *in;
	size_t len;
	const char *want;
} escapes[] = {
    {BYTES("eth0"), "eth0"},
    {BYTES(""), ""},
    {BYTES("x\x1b[2Jy"), "x\\x1b[2Jy"},
    {BYTES("\x1b]0;x\x07"), "\\x1b]0;x\\x07"},
    {BYTES("tab\there"), "tab\\x09here"},
    {BYTES("a\nb\r"), "a\\x0ab\\x0d"},
    {BYTES("del\x7f"), "del\\x7f"},
    {BYTES("nul\0x"), "nul\\x00x"},
    /* The backslash is escaped, or "\x1b" in a file would read as ESC. */
    {BYTES("a\\x1b"), "a\\\\x1b"},
    {BYTES("\\"), "\\\\"},
    /* Printable UTF-8 is kept; C1 controls are not (U+009B is CSI). */
    {BYTES("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"),
     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"},
    {BYTES("\xc2\x9b"
           "31m"),
     "\\xc2\\x9b31m"},
    {BYTES("\xc2\xa0"), "\xc2\xa0"},
    /* Invalid bytes one by one; the next valid character is kept. */
    {BYTES("\xff\xfe"), "\\xff\\xfe"},
    {BYTES("\xc3("), "\\xc3("},
    {BYTES("\xe2\x82\xc3\xa9"), "\\xe2\\x82\xc3\xa9"},
    {BYTES("\xed\xa0\x80"), "\\xed\\xa0\\x80"},
    {BYTES("\xc0\xaf"), "\\xc0\\xaf"},
    {BYTES("end\xc3"), "end\\xc3"},
};

static void test_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(escapes); i++) {
		char buf[128];
		size_t n = fw_escape(buf, sizeof(buf), escapes[i].in, escapes[i].len);

		if (strcmp(buf, escapes[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, buf, escapes[i].want);
		assert_int_equal(n, strlen(escapes[i].want));
		assert_int_equal(fw_escape_needed(escapes[i].in, escapes[i].len),
		                 strlen(escapes[i].want) != escapes[i].len ||
		                     memcmp(escapes[i].want, escapes[i].in, escapes[i].len));
	}
}

static void test_escape_write(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(escapes); i++) {
		char *out = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&out, &size);

		assert_non_null(f);
		fw_escape_write(f, escapes[i].in, escapes[i].len);
		assert_int_equal(fclose(f), 0);
		if (strcmp(out, escapes[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, out, escapes[i].want);
		free(out);
	}
}

/* A cut text ends before an escape or a character that does not fit. */
static void test_escape_cut(void **state)
{
	char buf[16];

	(void)state;
	/* "ab\x1b" needs 6 bytes and the NUL. */
	assert_int_equal(fw_escape(buf, 7, BYTES("ab\x1b")), 6);
	assert_string_equal(buf, "ab\\x1b");
	assert_int_equal(fw_escape(buf, 6, BYTES("ab\x1b")), 6);
	assert_string_equal(buf, "ab");
	assert_int_equal(fw_escape(buf, 3, BYTES("ab\x1b")), 6);
	assert_string_equal(buf, "ab");
	/* Nothing after a cut, even what would fit. */
	assert_int_equal(fw_escape(buf, 6, BYTES("ab\x1bz")), 7);
	assert_string_equal(buf, "ab");
	/* A two-byte character is not split. */
	assert_int_equal(fw_escape(buf, 3, BYTES("a\xc3\xa9")), 3);
	assert_string_equal(buf, "a");
	assert_int_equal(fw_escape(buf, 3, BYTES("a\\")), 3);
	assert_string_equal(buf, "a");
	assert_int_equal(fw_escape(buf, 1, BYTES("abc")), 3);
	assert_string_equal(buf, "");
	/* No room at all: nothing written, the length still told. */
	buf[0] = 'X';
	assert_int_equal(fw_escape(buf, 0, BYTES("abc")), 3);
	assert_int_equal(buf[0], 'X');
}

static void test_escape_str(void **state)
{
	char buf[12], big[64];

	(void)state;
	assert_string_equal(fw_escape_str(big, sizeof(big), "x\x1by"), "x\\x1by");
	/* Cut, and marked so: 8 bytes of text, "...", the NUL. */
	assert_string_equal(fw_escape_str(buf, sizeof(buf), "abcdefghijklmnop"), "abcdefgh...");
	assert_string_equal(fw_escape_str(buf, sizeof(buf), "abcdef\x1b\x1b"), "abcdef...");
	/* Exactly full is not cut. */
	assert_string_equal(fw_escape_str(buf, sizeof(buf), "abcdefghijk"), "abcdefghijk");
	assert_string_equal(fw_esc("\x1b[2J"), "\\x1b[2J");
	assert_string_equal(fw_esc("plain"), "plain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_char),  cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_escape),     cmocka_unit_test(test_escape_write),
	    cmocka_unit_test(test_escape_cut), cmocka_unit_test(test_escape_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
