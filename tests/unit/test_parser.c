// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of ctl/parser.c: the statements it builds, and every syntax
 * fault with its exact position and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "parser.h"

#define MAX_STMTS 16

struct parsed {
	struct fw_diag diag;
	struct fw_stmt st[MAX_STMTS];
	size_t n;
};

static void parse_str(struct parsed *ps, const char *src)
{
	struct fw_parser p;
	int r;

	memset(ps, 0, sizeof(*ps));
	fw_diag_init(&ps->diag, "t.rules", NULL);
	fw_parser_init(&p, src, strlen(src), &ps->diag);
	for (;;) {
		assert_true(ps->n < MAX_STMTS);
		r = fw_parser_next(&p, &ps->st[ps->n]);
		assert_true(r >= 0);
		if (!r)
			break;
		ps->n++;
	}
}

static void free_parsed(struct parsed *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		fw_stmt_free(&ps->st[i]);
}

/* The source must produce exactly one error, at line:col, saying msg. */
static void expect_error(const char *src, unsigned int line, unsigned int col, const char *msg)
{
	struct parsed ps;

	parse_str(&ps, src);
	if (ps.diag.errors != 1)
		fail_msg("'%s': %u errors, want 1 (first: '%s')", src, ps.diag.errors,
		         ps.diag.count ? ps.diag.entries[0].msg : "");
	assert_int_equal(ps.diag.entries[0].kind, FW_DIAG_ERROR);
	assert_int_equal(ps.diag.entries[0].line, line);
	assert_int_equal(ps.diag.entries[0].col, col);
	assert_string_equal(ps.diag.entries[0].msg, msg);
	free_parsed(&ps);
}

static void test_settings(void **state)
{
	struct parsed ps;

	(void)state;
	parse_str(&ps, "policy drop\n  nonip pass # ARP\nmalformed pass\n");
	assert_int_equal(ps.diag.errors, 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.st[0].kind, FW_STMT_SETTING);
	assert_int_equal(ps.st[0].setting, FW_SETTING_POLICY);
	assert_int_equal(ps.st[0].action, XDPFW_ACT_DROP);
	assert_int_equal(ps.st[1].setting, FW_SETTING_NONIP);
	assert_int_equal(ps.st[1].action, XDPFW_ACT_PASS);
	assert_int_equal(ps.st[1].pos.line, 2);
	assert_int_equal(ps.st[1].pos.col, 3);
	assert_int_equal(ps.st[2].setting, FW_SETTING_MALFORMED);
	assert_int_equal(ps.st[2].action, XDPFW_ACT_PASS);
	free_parsed(&ps);
}

static void test_rule_matches_in_source_order(void **state)
{
	struct parsed ps;
	const struct fw_ast_match *m;

	(void)state;
	parse_str(&ps, "\n\npass dport 22-23 tcp saddr 192.0.2.77/24 ip\n");
	assert_int_equal(ps.diag.errors, 0);
	assert_int_equal(ps.n, 1);
	assert_int_equal(ps.st[0].kind, FW_STMT_RULE);
	assert_int_equal(ps.st[0].action, XDPFW_ACT_PASS);
	assert_int_equal(ps.st[0].pos.line, 3);
	assert_int_equal(ps.st[0].src_len, strlen(ps.st[0].src) - 1);
	assert_int_equal(ps.st[0].nmatches, 4);

	m = &ps.st[0].matches[0];
	assert_int_equal(m->kind, FW_MATCH_DPORT);
	assert_int_equal(m->pos.col, 6);
	assert_int_equal(m->arg.col, 12);
	assert_int_equal(m->port.lo, 22);
	assert_int_equal(m->port.hi, 23);

	m = &ps.st[0].matches[1];
	assert_int_equal(m->kind, FW_MATCH_PROTO);
	assert_int_equal(m->proto, 6);
	assert_int_equal(m->pos.col, 18);

	m = &ps.st[0].matches[2];
	assert_int_equal(m->kind, FW_MATCH_SADDR);
	assert_int_equal(m->pos.col, 22);
	assert_int_equal(m->arg.col, 28);
	assert_int_equal(m->addr.family, XDPFW_FAMILY_IPV4);
	assert_int_equal(m->addr.len, 24);
	/* Host bits are kept as written; the compiler masks them. */
	assert_int_equal(m->addr.addr[0], htonl(0xc000024d));

	m = &ps.st[0].matches[3];
	assert_int_equal(m->kind, FW_MATCH_FAMILY);
	assert_int_equal(m->family, XDPFW_FAMILY_IPV4);
	free_parsed(&ps);
}

static void test_match_all_rule(void **state)
{
	struct parsed ps;

	(void)state;
	parse_str(&ps, "drop");
	assert_int_equal(ps.diag.errors, 0);
	assert_int_equal(ps.n, 1);
	assert_int_equal(ps.st[0].action, XDPFW_ACT_DROP);
	assert_int_equal(ps.st[0].nmatches, 0);
	free_parsed(&ps);
}

static void test_protocols(void **state)
{
	static const struct {
		const char *src;
		unsigned int proto;
	} cases[] = {
	    {"drop tcp", 6},         {"drop udp", 17},         {"drop icmp", 1},
	    {"drop icmpv6", 58},     {"drop proto gre", 47},   {"drop proto esp", 50},
	    {"drop proto ah", 51},   {"drop proto sctp", 132}, {"drop proto 0", 0},
	    {"drop proto 255", 255}, {"drop proto tcp", 6},    {"drop proto ipv6-icmp", 58},
	};
	struct parsed ps;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_str(&ps, cases[i].src);
		assert_int_equal(ps.diag.errors, 0);
		assert_int_equal(ps.n, 1);
		assert_int_equal(ps.st[0].nmatches, 1);
		assert_int_equal(ps.st[0].matches[0].kind, FW_MATCH_PROTO);
		assert_int_equal(ps.st[0].matches[0].proto, cases[i].proto);
		free_parsed(&ps);
	}
	assert_string_equal(fw_proto_name(47), "gre");
	assert_string_equal(fw_proto_name(58), "icmpv6");
	assert_null(fw_proto_name(99));
}

static void test_ipv6_forms(void **state)
{
	static const char *const forms[] = {
	    "::",
	    "::1",
	    "2001:db8::",
	    "2001:0db8:0000:0000:0000:0000:0000:0001",
	    "::ffff:192.0.2.1",
	    "2001:DB8::A",
	};
	struct parsed ps;
	char src[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(src, sizeof(src), "drop daddr %s/64", forms[i]);
		parse_str(&ps, src);
		assert_int_equal(ps.diag.errors, 0);
		assert_int_equal(ps.st[0].matches[0].addr.family, XDPFW_FAMILY_IPV6);
		assert_int_equal(ps.st[0].matches[0].addr.len, 64);
		free_parsed(&ps);
	}
	parse_str(&ps, "drop saddr 2001:db8::1");
	assert_int_equal(ps.st[0].matches[0].addr.len, 128);
	assert_int_equal(ps.st[0].matches[0].addr.addr[0], htonl(0x20010db8));
	assert_int_equal(ps.st[0].matches[0].addr.addr[3], htonl(1));
	free_parsed(&ps);
}

static void test_prefix_bounds_accepted(void **state)
{
	struct parsed ps;

	(void)state;
	parse_str(&ps, "drop saddr 0.0.0.0/0 daddr 192.0.2.1/32\n"
	               "drop saddr ::/0 daddr 2001:db8::1/128\n"
	               "drop saddr 192.0.2.1 / 24\n");
	assert_int_equal(ps.diag.errors, 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.st[0].matches[0].addr.len, 0);
	assert_int_equal(ps.st[0].matches[1].addr.len, 32);
	assert_int_equal(ps.st[1].matches[0].addr.len, 0);
	assert_int_equal(ps.st[1].matches[1].addr.len, 128);
	assert_int_equal(ps.st[2].matches[0].addr.len, 24);
	free_parsed(&ps);
}

static void test_port_forms(void **state)
{
	struct parsed ps;

	(void)state;
	parse_str(&ps, "drop tcp sport 0 dport 65535\ndrop udp dport 7-7\n"
	               "drop udp sport 0-65535\n");
	assert_int_equal(ps.diag.errors, 0);
	assert_int_equal(ps.st[0].matches[1].port.lo, 0);
	assert_int_equal(ps.st[0].matches[1].port.hi, 0);
	assert_int_equal(ps.st[0].matches[2].port.lo, 65535);
	assert_int_equal(ps.st[0].matches[2].port.hi, 65535);
	assert_int_equal(ps.st[1].matches[1].port.lo, 7);
	assert_int_equal(ps.st[1].matches[1].port.hi, 7);
	assert_int_equal(ps.st[2].matches[1].port.lo, 0);
	assert_int_equal(ps.st[2].matches[1].port.hi, 65535);
	free_parsed(&ps);
}

static void test_err_unknown_statement_word(void **state)
{
	(void)state;
	expect_error("\n  foo bar\n", 2, 3,
	             "unknown word 'foo': expected pass, drop, set, policy, nonip, malformed, "
	             "limit-sources or limit-full");
	expect_error("Drop", 1, 1,
	             "unknown word 'Drop': expected pass, drop, set, policy, nonip, malformed, "
	             "limit-sources or limit-full");
	expect_error("{ drop }", 1, 1,
	             "unexpected '{': expected pass, drop, set, policy, nonip, malformed, "
	             "limit-sources or limit-full");
}

static void test_err_unknown_match_word(void **state)
{
	(void)state;
	expect_error(
	    "drop tcp foo dport 22", 1, 10,
	    "unknown word 'foo': expected ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, "
	    "sport, dport, flags, type, vlan, fragment, len, ttl, hoplimit, limit, name or log");
	expect_error("drop 192.0.2.1", 1, 6,
	             "unexpected '192.0.2.1': expected ip, ip6, tcp, udp, icmp, icmpv6, proto, "
	             "saddr, daddr, sport, dport, flags, type, vlan, fragment, len, ttl, hoplimit, "
	             "limit, name or log");
}

static void test_err_name(void **state)
{
	(void)state;
	expect_error("drop name", 1, 10, "missing a quoted name after 'name'");
	expect_error("drop name dns", 1, 11,
	             "expected a quoted name after 'name', as in name \"ssh\"");
	expect_error("drop name \"\"", 1, 11, "empty name");
	expect_error("drop name \"0123456789abcdef0123456789abcdef\"", 1, 11,
	             "name longer than 31 bytes");
	expect_error("drop name \"a\\b\"", 1, 13,
	             "names are printable ASCII without quotes or backslashes");
	expect_error("drop name \"a\" udp name \"b\"", 1, 19, "duplicate name (first at column 6)");
}

static void test_err_long_word_is_cut_in_message(void **state)
{
	struct parsed ps;
	char src[200];

	(void)state;
	snprintf(src, sizeof(src), "drop %0150d", 0);
	src[5] = 'x';
	parse_str(&ps, src);
	assert_int_equal(ps.diag.errors, 1);
	assert_non_null(strstr(ps.diag.entries[0].msg, "...'"));
	assert_true(strlen(ps.diag.entries[0].msg) < FW_DIAG_MSG - 1);
	free_parsed(&ps);
}

static void test_err_missing_argument(void **state)
{
	(void)state;
	expect_error("drop saddr", 1, 11, "missing address after 'saddr'");
	expect_error("drop tcp daddr   # comment", 1, 15, "missing address after 'daddr'");
	expect_error("drop tcp dport\r\n", 1, 15, "missing port after 'dport'");
	expect_error("drop udp sport", 1, 15, "missing port after 'sport'");
	expect_error("drop proto", 1, 11, "missing protocol after 'proto'");
	expect_error("policy", 1, 7, "missing pass or drop after 'policy'");
	expect_error("\tnonip  ", 1, 7, "missing pass or drop after 'nonip'");
	expect_error("drop saddr 192.0.2.0/", 1, 22, "missing prefix length after '/'");
}

static void test_err_wrong_argument(void **state)
{
	(void)state;
	expect_error("drop saddr foo", 1, 12, "expected an address after 'saddr', got 'foo'");
	expect_error("drop saddr 10", 1, 12, "expected an address after 'saddr', got '10'");
	expect_error("drop tcp dport ssh", 1, 16,
	             "expected a port or port range after 'dport', got 'ssh'");
	expect_error("drop tcp dport 1-2-3", 1, 16,
	             "expected a port or port range after 'dport', got '1-2-3'");
	expect_error("drop tcp dport 80-", 1, 16,
	             "expected a port or port range after 'dport', got '80-'");
	expect_error("drop tcp dport /", 1, 16,
	             "expected a port or port range after 'dport', got '/'");
	expect_error("drop proto {", 1, 12,
	             "expected a protocol number or name after 'proto', got '{'");
	expect_error("drop saddr 192.0.2.0/x", 1, 22,
	             "expected a prefix length after '/', got 'x'");
	expect_error("policy accept", 1, 8, "expected pass or drop after 'policy', got 'accept'");
	expect_error("malformed drop now", 1, 16, "expected end of line, got 'now'");
}

static void test_err_invalid_address(void **state)
{
	(void)state;
	expect_error("drop saddr 192.0.2", 1, 12, "invalid IPv4 address '192.0.2'");
	expect_error("drop saddr 192.0.2.256", 1, 12, "invalid IPv4 address '192.0.2.256'");
	expect_error("drop daddr 2001:db8:::1", 1, 12, "invalid IPv6 address '2001:db8:::1'");
	expect_error("drop daddr 2001:db8::g", 1, 12, "invalid IPv6 address '2001:db8::g'");
}

static void test_err_prefix_out_of_range(void **state)
{
	(void)state;
	expect_error("drop saddr 192.0.2.0/33", 1, 22,
	             "prefix length 33 out of range for IPv4 (0-32)");
	expect_error("drop daddr 2001:db8::/129", 1, 23,
	             "prefix length 129 out of range for IPv6 (0-128)");
	expect_error("drop daddr 2001:db8::/99999999999999999999999", 1, 23,
	             "prefix length 99999999999999999999999 out of range for IPv6 (0-128)");
}

static void test_err_port_out_of_range(void **state)
{
	(void)state;
	expect_error("drop tcp dport 65536", 1, 16, "port 65536 out of range (0-65535)");
	expect_error("drop udp sport 99999999999999999999", 1, 16,
	             "port 99999999999999999999 out of range (0-65535)");
	/* The upper end is blamed at its own column. */
	expect_error("drop tcp dport 8000-70000", 1, 21, "port 70000 out of range (0-65535)");
}

static void test_err_reversed_range(void **state)
{
	(void)state;
	expect_error("drop tcp dport 10-5", 1, 16, "port range 10-5 is reversed");
}

static void test_err_protocol(void **state)
{
	(void)state;
	expect_error("drop proto 256", 1, 12, "protocol 256 out of range (0-255)");
	expect_error("drop proto foo", 1, 12, "unknown protocol 'foo'");
}

static void test_err_lexer_fault_reported_once(void **state)
{
	static const char nul[] = "drop tcp\0 foo bar\n";
	struct fw_parser p;
	struct fw_diag d;
	struct fw_stmt st;

	(void)state;
	expect_error("drop ; foo", 1, 6, "unexpected character ';'");
	expect_error("drop saddr \"x", 1, 12, "unterminated string");
	expect_error("drop saddr ;", 1, 12, "unexpected character ';'");
	/* The rest of a faulty line is not lexed, so it adds no errors. */
	expect_error(
	    "drop \"s\" ; \x01 \"", 1, 6,
	    "unexpected '\"s\"': expected ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, "
	    "sport, dport, flags, type, vlan, fragment, len, ttl, hoplimit, limit, name or log");

	fw_diag_init(&d, "t.rules", NULL);
	fw_parser_init(&p, nul, sizeof(nul) - 1, &d);
	assert_int_equal(fw_parser_next(&p, &st), 0);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.entries[0].col, 9);
	assert_string_equal(d.entries[0].msg, "NUL byte in rule file");
}

static void test_every_faulty_line_reported(void **state)
{
	struct parsed ps;

	(void)state;
	parse_str(&ps, "policy drop\n"
	               "drop saddr 192.0.2.0/33 dport 99999\n" /* first fault only */
	               "pass tcp dport 22\n"
	               "frob\n"
	               "drop tcp dport 65536\n"
	               "# fine\n"
	               "pass udp\n");
	assert_int_equal(ps.diag.errors, 3);
	assert_int_equal(ps.diag.entries[0].line, 2);
	assert_int_equal(ps.diag.entries[0].col, 22);
	assert_int_equal(ps.diag.entries[1].line, 4);
	assert_int_equal(ps.diag.entries[1].col, 1);
	assert_int_equal(ps.diag.entries[2].line, 5);
	assert_int_equal(ps.diag.entries[2].col, 16);
	/* The good statements still come out. */
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.st[0].pos.line, 1);
	assert_int_equal(ps.st[1].pos.line, 3);
	assert_int_equal(ps.st[2].pos.line, 7);
	free_parsed(&ps);
}

static void test_diag_list_is_capped(void **state)
{
	static char src[200 * 4];
	struct parsed ps;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		memcpy(src + 4 * i, "bad\n", 4);
	src[sizeof(src) - 1] = '\0';
	parse_str(&ps, src);
	assert_int_equal(ps.diag.errors, 200);
	assert_int_equal(ps.diag.count, FW_DIAG_MAX);
	assert_int_equal(ps.diag.entries[FW_DIAG_MAX - 1].line, FW_DIAG_MAX);
}

static void test_setting_names(void **state)
{
	(void)state;
	assert_string_equal(fw_setting_name(FW_SETTING_POLICY), "policy");
	assert_string_equal(fw_setting_name(FW_SETTING_NONIP), "nonip");
	assert_string_equal(fw_setting_name(FW_SETTING_MALFORMED), "malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_rule_matches_in_source_order),
	    cmocka_unit_test(test_match_all_rule),
	    cmocka_unit_test(test_protocols),
	    cmocka_unit_test(test_ipv6_forms),
	    cmocka_unit_test(test_prefix_bounds_accepted),
	    cmocka_unit_test(test_port_forms),
	    cmocka_unit_test(test_err_unknown_statement_word),
	    cmocka_unit_test(test_err_unknown_match_word),
	    cmocka_unit_test(test_err_name),
	    cmocka_unit_test(test_err_long_word_is_cut_in_message),
	    cmocka_unit_test(test_err_missing_argument),
	    cmocka_unit_test(test_err_wrong_argument),
	    cmocka_unit_test(test_err_invalid_address),
	    cmocka_unit_test(test_err_prefix_out_of_range),
	    cmocka_unit_test(test_err_port_out_of_range),
	    cmocka_unit_test(test_err_reversed_range),
	    cmocka_unit_test(test_err_protocol),
	    cmocka_unit_test(test_err_lexer_fault_reported_once),
	    cmocka_unit_test(test_every_faulty_line_reported),
	    cmocka_unit_test(test_diag_list_is_capped),
	    cmocka_unit_test(test_setting_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
