// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of ctl/escape.c (UTF-8 and escaping) and of the places that
 * escape: diagnostics (diag.c), fwctl's log (log.c), text and JSON output
 * (print.c, and show.c through it) and pin directory names (bpffs.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bpffs.h"
#include "escape.h"
#include "log.h"
#include "parser.h"
#include "print.h"
#include "ruleset.h"
#include "show.h"

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

/* Whether the first len bytes of s hold byte c. */
static bool has_byte(const char *s, size_t len, char c)
{
	return memchr(s, c, len) != NULL;
}

static void test_diag_escapes_message_and_file(void **state)
{
	static const char src[] = "pass tcp \"\x1b]0;x\x07\" \xc2\x9b \xff\t\xc3\xa9 z";
	struct fw_diag d;
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	(void)state;
	assert_non_null(f);
	fw_diag_init(&d, "dir\x1b[2J/a\\b.rules", f);
	fw_diag_report(&d, FW_DIAG_ERROR, 1, 27, src, sizeof(src) - 1, "got '%s' and %s",
	               "\x1b]0;x\x07", "\xff\\");
	fw_diag_report(&d, FW_DIAG_WARNING, 0, 0, NULL, 0, "%s", "cannot read x\x1b[2J.txt");
	assert_int_equal(fclose(f), 0);

	/* Kept escaped, for whoever reads entries[]. */
	assert_string_equal(d.entries[0].msg, "got '\\x1b]0;x\\x07' and \\xff\\\\");
	assert_string_equal(d.entries[1].msg, "cannot read x\\x1b[2J.txt");
	assert_false(has_byte(out, size, '\x1b'));
	assert_false(has_byte(out, size, '\x07'));
	assert_string_equal(out, "dir\\x1b[2J/a\\\\b.rules:1:27: error: got '\\x1b]0;x\\x07' and "
	                         "\\xff\\\\\n"
	                         /* One cell each, so the caret stays under its
	                          * byte; the tab stays a tab; é is one cell. */
	                         "pass tcp \"?]0;x?\" ? ?\t\xc3\xa9 z\n"
	                         "                     \t  ^\n"
	                         "dir\\x1b[2J/a\\\\b.rules: warning: cannot read x\\x1b[2J.txt\n");
	free(out);
}

/* The list is cut after FW_DIAG_MAX; the note names the file escaped. */
static void test_diag_note_escaped(void **state)
{
	static struct fw_diag d;
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	(void)state;
	assert_non_null(f);
	fw_diag_init(&d, "x\x1b.rules", f);
	for (int i = 0; i <= FW_DIAG_MAX; i++)
		fw_diag_report(&d, FW_DIAG_ERROR, 0, 0, NULL, 0, "e");
	assert_int_equal(fclose(f), 0);
	assert_false(has_byte(out, size, '\x1b'));
	assert_non_null(strstr(out, "x\\x1b.rules: note: more than"));
	free(out);
}

/* The parser quotes a bad token; its message reaches the terminal escaped. */
static void test_parser_message_escaped(void **state)
{
	static const char src[] = "pass tcp \"\x1b]0;x\x07\"\n"
	                          "drop \x1b[2J\n"
	                          "drop udp dport 53 name \"a\x1b\"\n";
	struct fw_parser p;
	struct fw_stmt st;
	struct fw_diag d;
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	int r;

	(void)state;
	assert_non_null(f);
	fw_diag_init(&d, "t.rules", f);
	fw_parser_init(&p, src, sizeof(src) - 1, &d);
	while ((r = fw_parser_next(&p, &st)) > 0)
		fw_stmt_free(&st);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(r, 0);
	assert_int_equal(d.errors, 3);
	assert_non_null(strstr(d.entries[0].msg, "'\"\\x1b]0;x\\x07\"'"));
	/* A rule name with a control byte is refused, and the refusal
	 * quotes nothing raw. */
	assert_non_null(strstr(d.entries[2].msg, "printable ASCII"));
	assert_false(has_byte(out, size, '\x1b'));
	assert_false(has_byte(out, size, '\x07'));
	free(out);
}

/* What fwctl writes to stderr while fn runs. */
static char *capture_stderr(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	char *buf;
	long len;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	len = lseek(fileno(tmp), 0, SEEK_END);
	assert_true(len >= 0);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fileno(tmp), buf, (size_t)len, 0), len);
	fclose(tmp);
	return buf;
}

static void log_some(void)
{
	char longer[2000];

	fw_err("no such interface %s; see ip link", "x\x1by");
	fw_warn("cannot read %s: %s\n", "set\x1b[2J\nfile", "No such file");
	fw_info("%s", "a\\b \xc3\xa9 \xff");
	/* Past the stack buffer: formatted on the heap, escaped the same. */
	memset(longer, 'a', sizeof(longer) - 2);
	longer[sizeof(longer) - 2] = '\x1b';
	longer[sizeof(longer) - 1] = '\0';
	fw_err("%s", longer);
	fw_err("%s", "");
}

static void test_log_escaped(void **state)
{
	char *out = capture_stderr(log_some), *want;
	size_t size = 0;
	FILE *f = open_memstream(&want, &size);

	(void)state;
	assert_non_null(f);
	fputs("fwctl: error: no such interface x\\x1by; see ip link\n"
	      /* One line: a newline inside is escaped too. */
	      "fwctl: warning: cannot read set\\x1b[2J\\x0afile: No such file\n"
	      "fwctl: note: a\\\\b \xc3\xa9 \\xff\n"
	      "fwctl: error: ",
	      f);
	for (int i = 0; i < 1998; i++)
		fputc('a', f);
	fputs("\\x1b\nfwctl: error: \n", f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void test_print_text_and_json(void **state)
{
	static const char name[] = "a\x1b[2J\"\\\x7f\xc2\x9b\xff\xc3\xa9\t\n";
	struct fw_print p;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	fw_print_init(&p, f, false);
	fw_print_str(&p, "interface", "[%s]", name);
	fw_print_str(&p, "plain", " [%-6s]", "eth0");
	fw_print_finish(&p);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out,
	                    "[a\\x1b[2J\"\\\\\\x7f\\xc2\\x9b\\xff\xc3\xa9\\x09\\x0a] [eth0  ]");
	free(out);

	/* JSON: control characters as \u00XX, a byte that is not UTF-8
	 * as U+FFFD, so the document stays valid JSON (RFC 8259). */
	out = NULL;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	fw_print_init(&p, f, true);
	fw_print_obj_begin(&p, NULL);
	fw_print_str(&p, "interface", "[%s]", name);
	fw_print_str(&p, "k\x01", NULL, "\xe2\x82");
	fw_print_obj_end(&p);
	fw_print_finish(&p);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "{\"interface\":\"a\\u001b[2J\\\"\\\\\\u007f\\u009b\\ufffd\xc3\xa9"
	                         "\\u0009\\u000a\",\"k\\u0001\":\"\\ufffd\\ufffd\"}\n");
	free(out);
}

/*
 * fwctl show prints what a running program holds; a rule name there was
 * checked by the fwctl that loaded it, not by this one. Poked into a rule
 * set here, it comes out escaped in the rule text and valid in JSON.
 */
static void test_show_escapes_names(void **state)
{
	static const char text[] = "drop udp dport 53 name \"dns\"\n";
	static const struct fw_show_head head = {"x\x1by", 5, 42, "native"};
	struct fw_ruleset *rs = NULL;
	struct xdpfw_counter counters[1] = {{.packets = 1, .bytes = 74}};
	struct fw_diag d;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	fw_diag_init(&d, "t.rules", NULL);
	assert_int_equal(fw_ruleset_load_mem("t.rules", text, sizeof(text) - 1, &rs, &d), 0);
	snprintf(rs->rules[0].name, sizeof(rs->rules[0].name), "%s", "a\x1b[2J\xff");

	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(fw_show_print(f, false, &head, rs, counters), 0);
	assert_int_equal(fclose(f), 0);
	assert_false(has_byte(out, size, '\x1b'));
	assert_false(has_byte(out, size, '\xff'));
	assert_non_null(strstr(out, "# xdpfw on x\\x1by (ifindex 5)"));
	assert_non_null(strstr(out, "drop udp dport 53 name \"a\\x1b[2J\\xff\""));
	free(out);

	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(fw_show_print(f, true, &head, rs, counters), 0);
	assert_int_equal(fclose(f), 0);
	assert_false(has_byte(out, size, '\x1b'));
	assert_false(has_byte(out, size, '\xff'));
	assert_non_null(strstr(out, "\"interface\":\"x\\u001by\""));
	assert_non_null(strstr(out, "\"name\":\"a\\u001b[2J\\ufffd\""));
	assert_non_null(
	    strstr(out, "\"text\":\"drop udp dport 53 name \\\"a\\u001b[2J\\ufffd\\\"\""));
	free(out);
	fw_ruleset_free(rs);
}

static void test_pin_name(void **state)
{
	static const struct {
		const char *ifname;
		const char *want;
	} cases[] = {
	    {"eth0", "eth0"},
	    {"br-lan", "br-lan"},
	    {"eth0.100", "eth0.100"},
	    {"veth_a@b+c", "veth_a@b+c"},
	    {"x\x1by", "x%1By"},
	    {"\x1b[2J", "%1B%5B2J"},
	    {"a%b", "a%25b"},
	    {"caf\xc3\xa9", "caf%C3%A9"},
	    {"a\\b*?", "a%5Cb%2A%3F"},
	    /* Never ".", "..", or hidden: a leading dot is encoded. */
	    {".", "%2E"},
	    {"..", "%2E."},
	    {".x", "%2Ex"},
	    {"x.", "x."},
	};
	char buf[3 * 16];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(fw_pin_name(cases[i].ifname, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].want);
	}
	/* The longest name Linux allows, every byte encoded, fits. */
	assert_int_equal(fw_pin_name("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
	                             buf, sizeof(buf)),
	                 0);
	assert_int_equal(strlen(buf), 45);
	assert_int_equal(fw_pin_name("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(fw_pin_name("abc", buf, 4), 0);
	assert_int_equal(fw_pin_name("abcd", buf, 4), -ENAMETOOLONG);
	assert_int_equal(fw_pin_name("ab\x1b", buf, 5), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_char),
	    cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_escape_write),
	    cmocka_unit_test(test_escape_cut),
	    cmocka_unit_test(test_escape_str),
	    cmocka_unit_test(test_diag_escapes_message_and_file),
	    cmocka_unit_test(test_diag_note_escaped),
	    cmocka_unit_test(test_parser_message_escaped),
	    cmocka_unit_test(test_log_escaped),
	    cmocka_unit_test(test_print_text_and_json),
	    cmocka_unit_test(test_show_escapes_names),
	    cmocka_unit_test(test_pin_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
