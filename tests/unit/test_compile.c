// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of ctl/compile.c and the ruleset.h entry points: the compiled
 * structs, whole-rule checks with exact positions, the digest, printing
 * rules back, and the printed diagnostic format.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "compile.h"
#include "ruleset.h"

static struct fw_ruleset *rs, *rs2;
static struct fw_diag diag;

/* Load src; the classifier's tables (a pointer) are dropped, so that rule
 * sets compare byte by byte (cls.c has its own tests). */
static int load(struct fw_ruleset **out, const char *src)
{
	int r;

	fw_ruleset_free(*out);
	fw_diag_init(&diag, "t.rules", NULL);
	r = fw_ruleset_load_mem("t.rules", src, strlen(src), out, &diag);
	if (*out)
		fw_ruleset_drop_cls(*out);
	return r;
}

/* The same compiled rules, settings and set members (not the source). */
static bool same_ruleset(const struct fw_ruleset *a, const struct fw_ruleset *b)
{
	return !memcmp(&a->config, &b->config, sizeof(a->config)) &&
	       !memcmp(a->rules, b->rules, a->config.rule_count * sizeof(a->rules[0])) &&
	       a->naddrs == b->naddrs && a->nports == b->nports &&
	       (!a->naddrs || !memcmp(a->addrs, b->addrs, a->naddrs * sizeof(a->addrs[0]))) &&
	       (!a->nports || !memcmp(a->ports, b->ports, a->nports * sizeof(a->ports[0])));
}

/* fw_ruleset_load_mem into *out, freeing what was there. */
static int load_mem(struct fw_ruleset **out, const char *name, const char *buf, size_t len)
{
	fw_ruleset_free(*out);
	return fw_ruleset_load_mem(name, buf, len, out, &diag);
}

/* fw_ruleset_load_file into *out, freeing what was there. */
static int load_file(struct fw_ruleset **out, const char *path)
{
	fw_ruleset_free(*out);
	return fw_ruleset_load_file(path, out, &diag);
}

static void load_ok(struct fw_ruleset **out, const char *src)
{
	int r = load(out, src);

	if (r)
		fail_msg("'%s': %d, first error %u:%u '%s'", src, r,
		         diag.count ? diag.entries[0].line : 0,
		         diag.count ? diag.entries[0].col : 0,
		         diag.count ? diag.entries[0].msg : "");
}

/* The source must fail with exactly one error, at line:col, saying msg. */
static void expect_error(const char *src, unsigned int line, unsigned int col, const char *msg)
{
	assert_int_equal(load(&rs, src), -EINVAL);
	if (diag.errors != 1)
		fail_msg("'%s': %u errors, want 1 (first: '%s')", src, diag.errors,
		         diag.count ? diag.entries[0].msg : "");
	assert_int_equal(diag.entries[0].line, line);
	assert_int_equal(diag.entries[0].col, col);
	assert_string_equal(diag.entries[0].msg, msg);
}

static void test_defaults(void **state)
{
	(void)state;
	load_ok(&rs, "# nothing but a comment\n");
	assert_int_equal(rs->config.rule_count, 0);
	assert_int_equal(rs->config.policy, XDPFW_ACT_PASS);
	assert_int_equal(rs->config.nonip, XDPFW_ACT_PASS);
	assert_int_equal(rs->config.malformed, XDPFW_ACT_DROP);
	assert_int_equal(rs->config.cls_flags, XDPFW_CLS_SMALL); /* no rules: a small set */
	assert_true(rs->config.digest != 0);
	assert_true(rs->config.digest == fw_ruleset_digest(rs));
}

static void test_settings(void **state)
{
	(void)state;
	load_ok(&rs, "policy drop\nnonip drop\nmalformed pass\n");
	assert_int_equal(rs->config.policy, XDPFW_ACT_DROP);
	assert_int_equal(rs->config.nonip, XDPFW_ACT_DROP);
	assert_int_equal(rs->config.malformed, XDPFW_ACT_PASS);
	assert_int_equal(rs->config.rule_count, 0);
}

static void test_ipv4_rule(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "\npass udp saddr 192.0.2.77/24 daddr 198.51.100.9 sport 53\n");
	r = &rs->rules[0];
	assert_int_equal(rs->config.rule_count, 1);
	assert_int_equal(r->action, XDPFW_ACT_PASS);
	assert_int_equal(r->line, 2);
	assert_int_equal(r->match, XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DADDR |
	                               XDPFW_M_SPORT);
	assert_int_equal(r->family, XDPFW_FAMILY_IPV4);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->saddr_len, 24);
	/* Host bits masked off silently. */
	assert_int_equal(r->saddr.addr[0], htonl(0xc0000200));
	assert_int_equal(r->saddr.mask[0], htonl(0xffffff00));
	assert_int_equal(r->daddr_len, 32);
	assert_int_equal(r->daddr.addr[0], htonl(0xc6336409));
	assert_int_equal(r->daddr.mask[0], 0xffffffffu);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(r->saddr.addr[i], 0);
		assert_int_equal(r->saddr.mask[i], 0);
		assert_int_equal(r->daddr.addr[i], 0);
		assert_int_equal(r->daddr.mask[i], 0);
	}
	assert_int_equal(r->sport_lo, 53);
	assert_int_equal(r->sport_hi, 53);
	assert_int_equal(r->dport_lo, 0);
	assert_int_equal(r->dport_hi, 0);
}

static void test_scalar_matches(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "drop tcp saddr != 192.0.2.0/24 dport != 22 flags syn,!ack "
	             "vlan 7 fragment len 40-1500 ttl 1-64\n"
	             "pass icmpv6 type nd-neighbor-solicit hoplimit 255\n"
	             "pass icmp type 8\n");
	r = &rs->rules[0];
	assert_int_equal(rs->config.rule_count, 3);
	assert_int_equal(r->match, XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DPORT |
	                               XDPFW_M_TCPFLAGS | XDPFW_M_VLAN | XDPFW_M_FRAGMENT |
	                               XDPFW_M_LEN | XDPFW_M_TTL);
	assert_int_equal(r->negate, XDPFW_M_SADDR | XDPFW_M_DPORT);
	assert_int_equal(r->tcp_flags_mask, XDPFW_TCP_SYN | XDPFW_TCP_ACK);
	assert_int_equal(r->tcp_flags_value, XDPFW_TCP_SYN);
	assert_int_equal(r->vlan, 7);
	assert_int_equal(r->len_lo, 40);
	assert_int_equal(r->len_hi, 1500);
	assert_int_equal(r->ttl_lo, 1);
	assert_int_equal(r->ttl_hi, 64);
	r = &rs->rules[1];
	assert_int_equal(r->match, XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_ICMPTYPE | XDPFW_M_TTL);
	assert_int_equal(r->family, XDPFW_FAMILY_IPV6);
	assert_int_equal(r->icmp_type, 135);
	assert_int_equal(r->ttl_lo, 255);
	assert_int_equal(r->negate, 0);
	assert_int_equal(rs->rules[2].icmp_type, 8);
	/* ttl alone implies IPv4, hoplimit IPv6 */
	load_ok(&rs, "drop ttl 1\ndrop hoplimit 1\n");
	assert_int_equal(rs->rules[0].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(rs->rules[1].family, XDPFW_FAMILY_IPV6);
}

static void test_scalar_match_errors(void **state)
{
	(void)state;
	expect_error("drop flags syn", 1, 6, "flags needs tcp");
	expect_error("drop udp flags syn", 1, 10, "flags needs tcp");
	expect_error("drop tcp flags syn,bogus", 1, 20,
	             "expected a TCP flag (fin, syn, rst, psh, ack, urg, ece, cwr), got 'bogus'");
	expect_error(
	    "drop tcp flags syn,", 1, 20,
	    "expected a TCP flag (fin, syn, rst, psh, ack, urg, ece, cwr), got end of line");
	expect_error("drop tcp flags syn,!syn", 1, 21, "TCP flag syn given twice");
	expect_error("drop type echo-request", 1, 6, "type needs icmp or icmpv6");
	expect_error("drop icmp type nd-neighbor-solicit", 1, 16,
	             "no such icmp type; it is an icmpv6 type");
	expect_error("drop icmpv6 type source-quench", 1, 18,
	             "no such icmpv6 type; it is an icmp type");
	expect_error("drop icmp type bogus", 1, 16,
	             "expected an ICMP type name (echo-request, ...) or number, got 'bogus'");
	expect_error("drop icmp type 256", 1, 16, "ICMP type 256 out of range (0-255)");
	expect_error("drop vlan 4096", 1, 11, "VLAN id 4096 out of range (0-4095)");
	expect_error("drop vlan 1-2", 1, 11, "expected a VLAN id after 'vlan', got '1-2'");
	expect_error("drop vlan 1 vlan 2", 1, 13, "duplicate vlan (first at column 6)");
	expect_error("drop len 10-5", 1, 10, "length range 10-5 is reversed");
	expect_error("drop len 65536", 1, 10, "length 65536 out of range (0-65535)");
	expect_error("drop ttl 256", 1, 10, "TTL 256 out of range (0-255)");
	expect_error("drop ip6 ttl 1", 1, 10, "ttl in an ip6 rule: use hoplimit");
	expect_error("drop icmp hoplimit 1", 1, 11, "hoplimit in an icmp rule: use ttl");
	expect_error("drop hoplimit 1 saddr 192.0.2.1", 1, 23,
	             "IPv4 address in a rule with hoplimit");
	expect_error("drop saddr !=", 1, 14, "missing address after 'saddr'");
	expect_error("drop tcp dport != 70000", 1, 19, "port 70000 out of range (0-65535)");
	expect_error("drop dport != 22", 1, 6, "dport needs tcp or udp");
}

static void test_sets(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "set b = { 198.51.100.9/24, 2001:db8:bad::/48 }\n"
	             "set web = { 80, 443, 8000-8001 }\n"
	             "drop saddr @b\n"
	             "pass tcp dport != @web\n"
	             "drop udp dport { 53, 5353 } daddr { 192.0.2.1, 192.0.2.3 }\n"
	             "set v4 = { 192.0.2.0/24 }\n"
	             "drop saddr @v4\n");
	assert_int_equal(rs->config.rule_count, 4);
	r = &rs->rules[0];
	assert_int_equal(r->match, XDPFW_M_SADDR_SET); /* both families: no family */
	assert_int_equal(r->saddr_set, 0);
	r = &rs->rules[1];
	assert_int_equal(r->match, XDPFW_M_PROTO | XDPFW_M_DPORT_SET);
	assert_int_equal(r->negate, XDPFW_M_DPORT_SET);
	assert_int_equal(r->dport_set, 0);
	r = &rs->rules[2];
	assert_int_equal(r->dport_set, 1);
	assert_int_equal(r->daddr_set, 1);
	assert_int_equal(r->family, XDPFW_FAMILY_IPV4); /* an IPv4-only list implies ip */
	assert_int_equal(rs->rules[3].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(rs->naddr_sets, 3);
	assert_int_equal(rs->nport_sets, 2);
	assert_int_equal(rs->naddrs, 5);
	/* host bits cleared, prefix length kept */
	assert_int_equal(rs->addrs[0].addr[0], htonl(0xc6336400));
	assert_int_equal(rs->addrs[0].len, 24);
	/* Port sets as normalized ranges, grouped by set. */
	assert_int_equal(rs->nports, 5);
	assert_true(fw_ruleset_port_in_set(rs, 0, 8001));
	assert_false(fw_ruleset_port_in_set(rs, 0, 8002));
	assert_true(fw_ruleset_port_in_set(rs, 0, 80));
	assert_false(fw_ruleset_port_in_set(rs, 0, 53));
	assert_true(fw_ruleset_port_in_set(rs, 1, 5353));
	assert_false(fw_ruleset_port_in_set(rs, 2, 53)); /* no such set */
}

/* Overlapping, touching and unordered port ranges merge into one set of
 * ranges, whatever the order they were written in. */
static void test_port_ranges(void **state)
{
	const struct xdpfw_port_entry *e;
	__u64 digest;
	__u32 n;

	(void)state;
	load_ok(&rs, "drop tcp dport { 8000-8010, 22, 8005-8020, 23, 8021, 0-1 }\n");
	e = fw_ruleset_port_set(rs, 0, &n);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].lo, 0);
	assert_int_equal(e[0].hi, 1);
	assert_int_equal(e[1].lo, 22);
	assert_int_equal(e[1].hi, 23);
	assert_int_equal(e[2].lo, 8000);
	assert_int_equal(e[2].hi, 8021);
	digest = rs->config.digest;
	load_ok(&rs, "drop tcp dport { 0-1, 22-23, 8000-8021 }\n");
	assert_true(rs->config.digest == digest);
	/* 200,000 members of the whole range: by range, not port by port. */
	{
		size_t cap = 200000 * 9 + 64, len;
		char *big = malloc(cap);

		assert_non_null(big);
		len = (size_t)snprintf(big, cap, "drop tcp dport {");
		for (int i = 0; i < 200000; i++)
			len += (size_t)snprintf(big + len, cap - len, "%s0-65535",
			                        !i        ? ""
			                        : i % 100 ? ","
			                                  : ",\n");
		len += (size_t)snprintf(big + len, cap - len, " }\n");
		assert_int_equal(load_mem(&rs, "big.rules", big, len), 0);
		free(big);
		e = fw_ruleset_port_set(rs, 0, &n);
		assert_int_equal(n, 1);
		assert_int_equal(e[0].hi, 65535);
	}
}

static void test_set_errors(void **state)
{
	(void)state;
	expect_error("drop saddr @nope", 1, 12,
	             "no set @nope; define it above: set nope = { ... }");
	expect_error("set w = { 80 }\ndrop saddr @w", 2, 12,
	             "@w is a port set; an address match needs addresses");
	expect_error("set b = { 192.0.2.1 }\ndrop tcp dport @b", 2, 16,
	             "@b is an address set; a port match needs ports");
	expect_error("set b = { 192.0.2.1 }\nset b = { 192.0.2.2 }", 2, 5,
	             "set b already defined on line 1");
	expect_error("set m = { 192.0.2.1, 80 }", 1, 22,
	             "a set holds addresses or ports, not both");
	expect_error("set b = { 192.0.2.1 }\ndrop ip6 saddr @b", 2, 16,
	             "IPv4 address in an ip6 rule");
	expect_error("drop saddr { 192.0.2.1, 2001:db8::/129 }", 1, 36,
	             "prefix length 129 out of range for IPv6 (0-128)");
	expect_error("drop udp dport { 53, 70000 }", 1, 22, "port 70000 out of range (0-65535)");
	expect_error("drop udp dport { 53 53 }", 1, 21,
	             "expected ',' or '}' in the list, got '53'");
	expect_error("drop saddr { 192.0.2.1", 1, 23, "the list has no closing '}'");
	expect_error("set b = {\n 192.0.2.1,\n 192.0.2.300\n}\ndrop saddr @b", 3, 2,
	             "invalid IPv4 address '192.0.2.300'");
	expect_error("set b = file \"/nonexistent/xdpfw-list.txt\"", 1, 14,
	             "cannot read set file /nonexistent/xdpfw-list.txt: No such file or directory");
	expect_error("set = { 1 }", 1, 5,
	             "expected a set name (a word starting with a letter), got '='");
	expect_error("drop dport { 22 }", 1, 6, "dport needs tcp or udp");
}

/* A fault inside a list does not hide the faults of the lines after it. */
static void test_list_error_recovery(void **state)
{
	static const char src[] = "set a = {\n 192.0.2.1,\n 192.0.2.300 }\ndrop bogus2\n"
	                          "drop tcp dport { 1, x }\ndrop tcp dport 70000\n";

	(void)state;
	assert_int_equal(load(&rs, src), -EINVAL);
	assert_int_equal(diag.errors, 4);
	assert_int_equal(diag.entries[0].line, 3);
	assert_int_equal(diag.entries[1].line, 4);
	assert_int_equal(diag.entries[2].line, 5);
	assert_int_equal(diag.entries[3].line, 6);
}

static void test_set_file(void **state)
{
	char dir[] = "/tmp/xdpfw-setfile.XXXXXX", path[64], rules[80];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# a list\n198.51.100.0/24\n\n  203.0.113.7   # a host\r\n2001:db8::/32\n");
	fclose(f);
	snprintf(rules, sizeof(rules), "%s/fw.rules", dir);
	f = fopen(rules, "w");
	assert_non_null(f);
	fprintf(f, "set b = file \"list.txt\"\ndrop saddr @b\n");
	fclose(f);
	fw_diag_init(&diag, NULL, NULL);
	assert_int_equal(load_file(&rs, rules), 0);
	assert_int_equal(rs->naddrs, 3);
	assert_int_equal(rs->addrs[1].len, 32);
	/* A bad line is reported against the set file, with its position. */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "198.51.100.0/24\n 203.0.113.300\n192.0.2.1 extra\n192.0.2.1/-0\n");
	fclose(f);
	fw_diag_init(&diag, NULL, NULL);
	assert_int_equal(load_file(&rs, rules), -EINVAL);
	assert_int_equal(diag.errors, 3); /* "/-0" is no prefix length */
	assert_int_equal(diag.entries[2].line, 4);
	assert_int_equal(diag.entries[0].line, 2);
	assert_int_equal(diag.entries[0].col, 2);
	/* The rule language's own address parser, and its message. */
	assert_string_equal(diag.entries[0].msg, "invalid IPv4 address '203.0.113.300'");
	assert_int_equal(diag.entries[1].line, 3);
	assert_int_equal(diag.entries[1].col, 11);
	unlink(path);
	unlink(rules);
	rmdir(dir);
}

static void test_ipv6_rule(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "drop ip6 tcp saddr 2001:db8:ffff::1/33 dport 22-23\n");
	r = &rs->rules[0];
	assert_int_equal(r->action, XDPFW_ACT_DROP);
	assert_int_equal(r->match, XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DPORT);
	assert_int_equal(r->family, XDPFW_FAMILY_IPV6);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->saddr_len, 33);
	assert_int_equal(r->saddr.mask[0], 0xffffffffu);
	assert_int_equal(r->saddr.mask[1], htonl(0x80000000));
	assert_int_equal(r->saddr.mask[2], 0);
	assert_int_equal(r->saddr.mask[3], 0);
	assert_int_equal(r->saddr.addr[0], htonl(0x20010db8));
	assert_int_equal(r->saddr.addr[1], htonl(0x80000000));
	assert_int_equal(r->saddr.addr[2], 0);
	assert_int_equal(r->saddr.addr[3], 0);
	assert_int_equal(r->dport_lo, 22);
	assert_int_equal(r->dport_hi, 23);
}

static void test_prefix_edges(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "drop saddr 192.0.2.1/0\n"
	             "drop saddr 2001:db8::1/0\n"
	             "drop saddr 2001:db8::1/64\n"
	             "drop saddr 2001:db8::ff/127\n");
	r = rs->rules;
	/* /0 still tests the family: an IPv4 prefix never matches IPv6. */
	assert_int_equal(r[0].match, XDPFW_M_FAMILY | XDPFW_M_SADDR);
	assert_int_equal(r[0].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(r[0].saddr.addr[0], 0);
	assert_int_equal(r[0].saddr.mask[0], 0);
	assert_int_equal(r[1].family, XDPFW_FAMILY_IPV6);
	assert_int_equal(r[1].saddr.addr[0], 0);
	assert_int_equal(r[1].saddr.mask[0], 0);
	assert_int_equal(r[2].saddr.mask[1], 0xffffffffu);
	assert_int_equal(r[2].saddr.mask[2], 0);
	assert_int_equal(r[2].saddr.addr[3], 0);
	assert_int_equal(r[3].saddr.mask[3], htonl(0xfffffffe));
	assert_int_equal(r[3].saddr.addr[3], htonl(0xfe));
}

static void test_match_everything(void **state)
{
	(void)state;
	load_ok(&rs, "drop\n");
	assert_int_equal(rs->config.rule_count, 1);
	assert_int_equal(rs->rules[0].match, 0);
	assert_int_equal(rs->rules[0].action, XDPFW_ACT_DROP);
}

static void test_family_implication(void **state)
{
	const struct xdpfw_rule *r;

	(void)state;
	load_ok(&rs, "drop icmp\ndrop icmpv6\ndrop proto 1\ndrop ip\n"
	             "drop ip6 udp\ndrop tcp\ndrop ip icmp\n");
	r = rs->rules;
	assert_int_equal(r[0].match, XDPFW_M_FAMILY | XDPFW_M_PROTO);
	assert_int_equal(r[0].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(r[0].proto, 1);
	assert_int_equal(r[1].family, XDPFW_FAMILY_IPV6);
	assert_int_equal(r[1].proto, 58);
	assert_int_equal(r[2].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(r[3].match, XDPFW_M_FAMILY);
	assert_int_equal(r[3].family, XDPFW_FAMILY_IPV4);
	assert_int_equal(r[4].family, XDPFW_FAMILY_IPV6);
	assert_int_equal(r[4].proto, 17);
	/* tcp alone matches both families. */
	assert_int_equal(r[5].match, XDPFW_M_PROTO);
	assert_int_equal(r[5].family, XDPFW_FAMILY_NONE);
	/* The same tests (the counter slot, first, differs). */
	assert_int_equal(r[6].match, r[0].match);
	assert_memory_equal(&r[6].action, &r[0].action,
	                    offsetof(struct xdpfw_rule, line) -
	                        offsetof(struct xdpfw_rule, action));
}

static void test_ports_need_tcp_or_udp(void **state)
{
	(void)state;
	expect_error("drop dport 22", 1, 6, "dport needs tcp or udp");
	expect_error("drop saddr 192.0.2.1 sport 1 dport 2", 1, 22, "sport needs tcp or udp");
	expect_error("drop icmp dport 22", 1, 11, "dport needs tcp or udp, not icmp");
	expect_error("drop proto gre sport 22", 1, 16, "sport needs tcp or udp, not gre");
	expect_error("drop proto 99 sport 22", 1, 15, "sport needs tcp or udp, not 99");
	/* Checked after the whole rule is read. */
	load_ok(&rs, "drop dport 22 tcp\ndrop proto 6 dport 1\n"
	             "drop sport 1 proto 17\n");
	assert_int_equal(rs->config.rule_count, 3);
	assert_int_equal(rs->rules[2].proto, 17);
}

static void test_address_family_conflicts(void **state)
{
	(void)state;
	expect_error("drop ip6 saddr 192.0.2.1", 1, 16, "IPv4 address in an ip6 rule");
	expect_error("drop saddr 192.0.2.1 ip6", 1, 12, "IPv4 address in an ip6 rule");
	expect_error("drop ip daddr 2001:db8::1", 1, 15, "IPv6 address in an ip rule");
	expect_error("drop saddr 192.0.2.1 daddr 2001:db8::1", 1, 28,
	             "IPv6 address in a rule with an IPv4 saddr");
	expect_error("drop daddr 2001:db8::1 saddr 192.0.2.1", 1, 30,
	             "IPv4 address in a rule with an IPv6 daddr");
	expect_error("drop icmp daddr 2001:db8::1", 1, 17, "IPv6 address in an icmp rule");
	expect_error("drop saddr 192.0.2.1 icmpv6", 1, 12, "IPv4 address in an icmpv6 rule");
}

static void test_protocol_family_conflicts(void **state)
{
	(void)state;
	expect_error("drop icmp ip6", 1, 6, "icmp in an ip6 rule: use icmpv6");
	expect_error("drop ip6 icmp", 1, 10, "icmp in an ip6 rule: use icmpv6");
	expect_error("drop ip proto icmpv6", 1, 15, "icmpv6 in an ip rule: use icmp");
}

static void test_conflicts_and_duplicates(void **state)
{
	(void)state;
	expect_error("drop tcp udp", 1, 10, "protocol udp conflicts with tcp at column 6");
	expect_error("drop proto 47 tcp", 1, 15, "protocol tcp conflicts with gre at column 12");
	expect_error("drop tcp tcp", 1, 10, "duplicate protocol (first at column 6)");
	expect_error("drop tcp proto 6", 1, 10, "duplicate protocol (first at column 6)");
	expect_error("drop ip ip6", 1, 9, "family ip6 conflicts with ip at column 6");
	expect_error("drop ip6 ip6", 1, 10, "duplicate family (first at column 6)");
	expect_error("drop tcp dport 1 dport 2", 1, 18, "duplicate dport (first at column 10)");
	expect_error("drop udp sport 1 sport 1", 1, 18, "duplicate sport (first at column 10)");
	expect_error("drop saddr 192.0.2.1 saddr 192.0.2.2", 1, 22,
	             "duplicate saddr (first at column 6)");
	expect_error("drop daddr ::1 daddr ::2", 1, 16, "duplicate daddr (first at column 6)");
}

static void test_setting_repeated(void **state)
{
	(void)state;
	expect_error("policy drop\n\ndrop tcp\n  policy drop\n", 4, 3,
	             "policy already set on line 1");
	expect_error("nonip pass\nnonip drop\n", 2, 1, "nonip already set on line 1");
	expect_error("malformed drop\nmalformed pass\n", 2, 1, "malformed already set on line 1");
}

static char *rules_text(unsigned int n)
{
	static const char line[] = "drop tcp dport 1\n";
	char *s = malloc(n * (sizeof(line) - 1) + 1);
	unsigned int i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * (sizeof(line) - 1), line, sizeof(line) - 1);
	s[n * (sizeof(line) - 1)] = '\0';
	return s;
}

static void test_rule_limit(void **state)
{
	char *s, want[64];

	(void)state;
	s = rules_text(XDPFW_MAX_RULES);
	load_ok(&rs, s);
	assert_int_equal(rs->config.rule_count, XDPFW_MAX_RULES);
	assert_int_equal(rs->rules[XDPFW_MAX_RULES - 1].line, XDPFW_MAX_RULES);
	free(s);

	/* One error for the first rule past the limit, not one per rule. */
	s = rules_text(XDPFW_MAX_RULES + 10);
	snprintf(want, sizeof(want), "too many rules: the limit is %d", XDPFW_MAX_RULES);
	expect_error(s, XDPFW_MAX_RULES + 1, 1, want);
	free(s);
}

static void test_errors_in_line_order(void **state)
{
	(void)state;
	assert_int_equal(load(&rs, "drop dport 1\n"         /* compile */
	                           "drop tcp dport 70000\n" /* parse */
	                           "drop tcp udp\n"         /* compile */
	                           "policy drop\npolicy pass\n"
	                           "pass tcp dport 22\n"),
	                 -EINVAL);
	assert_int_equal(diag.errors, 4);
	assert_int_equal(diag.entries[0].line, 1);
	assert_int_equal(diag.entries[1].line, 2);
	assert_int_equal(diag.entries[2].line, 3);
	assert_int_equal(diag.entries[3].line, 5);
}

static void test_line_ends_and_final_newline(void **state)
{
	static const char lf[] = "policy drop\npass tcp dport 22\n";
	static const char crlf[] = "policy drop\r\npass tcp dport 22\r\n";
	static const char bare[] = "policy drop\npass tcp dport 22";

	(void)state;
	load_ok(&rs, lf);
	load_ok(&rs2, crlf);
	assert_true(same_ruleset(rs, rs2));
	load_ok(&rs2, bare);
	assert_true(same_ruleset(rs, rs2));
}

static void test_nul_and_long_line_through_load(void **state)
{
	static const char nul[] = "policy drop\ndrop\0\n";
	char *s;

	(void)state;
	fw_diag_init(&diag, NULL, NULL);
	assert_int_equal(load_mem(&rs, "nul.rules", nul, sizeof(nul) - 1), -EINVAL);
	assert_string_equal(diag.file, "nul.rules");
	assert_int_equal(diag.errors, 1);
	assert_int_equal(diag.entries[0].line, 2);
	assert_int_equal(diag.entries[0].col, 5);
	assert_string_equal(diag.entries[0].msg, "NUL byte in rule file");

	s = malloc(XDPFW_MAX_LINE + 32);
	assert_non_null(s);
	strcpy(s, "drop\n");
	memset(s + 5, ' ', XDPFW_MAX_LINE + 1);
	strcpy(s + 5 + XDPFW_MAX_LINE + 1, "\ndrop\n");
	expect_error(s, 2, XDPFW_MAX_LINE + 1, "line longer than 4096 bytes");
	free(s);
}

static void test_digest(void **state)
{
	uint64_t a, b;

	(void)state;
	load_ok(&rs, "policy drop\npass tcp dport 22\n");
	a = rs->config.digest;
	load_ok(&rs2, "policy drop\npass tcp dport 22\n");
	assert_true(rs2->config.digest == a);

	load_ok(&rs2, "policy drop\npass tcp dport 23\n");
	b = rs2->config.digest;
	assert_true(b != a);
	load_ok(&rs2, "policy pass\npass tcp dport 22\n");
	assert_true(rs2->config.digest != a && rs2->config.digest != b);
	load_ok(&rs2, "policy drop\npass tcp dport 22\ndrop\n");
	assert_true(rs2->config.digest != a);

	/* Only live rules count: stale slots past rule_count do not. */
	rs->rules[5].match = 0xff;
	assert_true(fw_ruleset_digest(rs) == a);
	/* FNV-1a of the 16 bytes of a default config's settings and the 8
	 * of its limit settings (limit-sources 131072, limit-full over),
	 * with no rules, computed independently of this code. */
	load_ok(&rs, "");
	assert_true(rs->config.digest == 0x6b00161be8bb2a0eull);
}

static void test_format(void **state)
{
	static const struct {
		const char *src, *text;
	} cases[] = {
	    {"drop", "drop"},
	    {"pass udp dport 53", "pass udp dport 53"},
	    /* The address implies ip6. */
	    {"drop tcp ip6 dport 22-23 saddr 2001:db8::/32",
	     "drop tcp saddr 2001:db8::/32 dport 22-23"},
	    {"drop ip6 tcp dport 22-23", "drop ip6 tcp dport 22-23"},
	    {"drop ip6 saddr 2001:db8::1", "drop saddr 2001:db8::1"},
	    {"drop saddr 192.0.2.9/24 daddr 198.51.100.1",
	     "drop saddr 192.0.2.0/24 daddr 198.51.100.1"},
	    {"pass ip icmp", "pass icmp"},
	    {"pass proto 58", "pass icmpv6"},
	    {"drop ip6 proto 47", "drop ip6 proto gre"},
	    {"drop ip proto 99", "drop ip proto 99"},
	    {"drop saddr 0.0.0.0/0", "drop saddr 0.0.0.0/0"},
	    {"drop sport 1024-65535 udp", "drop udp sport 1024-65535"},
	};
	char buf[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load_ok(&rs, cases[i].src);
		assert_int_equal(fw_rule_format(&rs->rules[0], buf, sizeof(buf)),
		                 strlen(cases[i].text));
		assert_string_equal(buf, cases[i].text);
	}

	/* snprintf contract: the full length, a terminated prefix. */
	load_ok(&rs, "drop tcp dport 22");
	assert_int_equal(fw_rule_format(&rs->rules[0], buf, 6), 17);
	assert_string_equal(buf, "drop ");
	assert_int_equal(fw_rule_format(&rs->rules[0], NULL, 0), 17);
}

static void test_format_round_trip(void **state)
{
	static const char src[] =
	    "drop\npass tcp\ndrop udp dport 53\ndrop ip\ndrop ip6\n"
	    "drop icmp\ndrop icmpv6\ndrop ip6 proto sctp\ndrop proto 0\n"
	    "drop proto 255\ndrop ip proto esp\n"
	    "pass tcp saddr 192.0.2.0/24 dport 22\n"
	    "drop ip6 tcp saddr 2001:db8::/32 dport 22-23\n"
	    "drop daddr ::ffff:192.0.2.1/100 sport 7 udp\n"
	    "drop daddr 2001:db8:1:2:3:4:5:6 saddr ::/0\n"
	    "pass udp sport 0 dport 65535 saddr 203.0.113.7/31\n"
	    "pass icmpv6 saddr fe80::/10\n"
	    "drop udp dport 53 name \"dns flood\" log\n"
	    "pass log name \"x\"\n"
	    "drop saddr != 192.0.2.0/24 tcp dport != 22-23 sport != 1\n"
	    "drop daddr != 2001:db8::/48\n"
	    "drop tcp flags syn,!ack,!rst\n"
	    "drop tcp flags fin,syn,rst,psh,ack,urg,ece,cwr\n"
	    "pass icmp type echo-request\n"
	    "pass icmpv6 type nd-neighbor-solicit\n"
	    "pass icmpv6 type 200\n"
	    "drop vlan 100 udp\n"
	    "drop ip6 fragment\n"
	    "drop len 1400-65535\n"
	    "drop ttl 0-1\n"
	    "drop hoplimit 255\n"
	    "drop ip len 20 fragment vlan 4095\n"
	    "drop saddr { 192.0.2.1, 2001:db8::/32 } dport != { 22, 80-90 } tcp\n";
	char buf[200];
	uint32_t i;

	(void)state;
	load_ok(&rs, src);
	assert_int_equal(rs->config.rule_count, 33);
	for (i = 0; i < rs->config.rule_count; i++) {
		fw_rule_format_rs(rs, &rs->rules[i], buf, sizeof(buf));
		load_ok(&rs2, buf);
		assert_int_equal(rs2->config.rule_count, 1);
		rs2->rules[0].line = rs->rules[i].line;
		rs2->rules[0].counter = rs->rules[i].counter;
		if (memcmp(&rs2->rules[0], &rs->rules[i], sizeof(rs->rules[0])))
			fail_msg("rule %u: '%s' re-parses differently", i + 1, buf);
	}
}

static void test_printed_diagnostic(void **state)
{
	static const char src[] = "pass\n\tdrop  tcp dport 65536\ndrop sport 1\n";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, "fw.rules", f);
	assert_int_equal(load_mem(&rs, "x", src, strlen(src)), -EINVAL);
	fclose(f);
	/* Tabs stay tabs in the caret line so the caret lines up. */
	assert_string_equal(out, "fw.rules:2:18: error: port 65536 out of range (0-65535)\n"
	                         "\tdrop  tcp dport 65536\n"
	                         "\t                ^\n"
	                         "fw.rules:3:6: error: sport needs tcp or udp\n"
	                         "drop sport 1\n"
	                         "     ^\n");
	free(out);
}

static void test_printed_diagnostic_past_line_end(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, "fw.rules", f);
	assert_int_equal(load_mem(&rs, "fw.rules", "drop saddr\r\n", 12), -EINVAL);
	fclose(f);
	assert_string_equal(out, "fw.rules:1:11: error: missing address after 'saddr'\n"
	                         "drop saddr\n"
	                         "          ^\n");
	free(out);
}

static void test_printed_diagnostic_odd_bytes(void **state)
{
	static const char src[] = "drop \x1b[2J ;\n";
	static const char utf8[] = "drop name \"\xc3\xa9\" x";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, "fw.rules", f);
	assert_int_equal(load_mem(&rs, "fw.rules", src, strlen(src)), -EINVAL);
	fw_diag_report(&diag, FW_DIAG_WARNING, 7, 17, utf8, strlen(utf8), "%s %d", "warned", 1);
	fclose(f);
	assert_int_equal(diag.errors, 1);
	assert_int_equal(diag.warnings, 1);
	assert_int_equal(diag.entries[1].kind, FW_DIAG_WARNING);
	assert_string_equal(diag.entries[1].msg, "warned 1");
	/* An escape byte is shown as '?' and never reaches the terminal; a
	 * UTF-8 character takes one cell, so the caret line has one space
	 * fewer than there are bytes. */
	assert_string_equal(out, "fw.rules:1:6: error: unexpected byte 0x1b\n"
	                         "drop ?[2J ;\n"
	                         "     ^\n"
	                         "fw.rules:7:17: warning: warned 1\n"
	                         "drop name \"\xc3\xa9\" x\n"
	                         "               ^\n");
	free(out);
}

static void test_printed_diagnostic_cap(void **state)
{
	char *out = NULL, *src;
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	src = malloc(5 * 100 + 1);
	assert_non_null(src);
	for (i = 0; i < 100; i++)
		memcpy(src + 5 * i, "frob\n", 5);
	src[500] = '\0';
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, "fw.rules", f);
	assert_int_equal(load_mem(&rs, "fw.rules", src, 500), -EINVAL);
	fclose(f);
	assert_int_equal(diag.errors, 100);
	assert_int_equal(diag.count, FW_DIAG_MAX);
	assert_non_null(strstr(out, "fw.rules:64:1: error: unknown word 'frob'"));
	assert_null(strstr(out, "fw.rules:65:1:"));
	assert_non_null(strstr(out, "fw.rules: note: more than 64 diagnostics, "
	                            "the rest are only counted\n"));
	free(out);
	free(src);
}

static void test_load_file_errors(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	fw_diag_init(&diag, NULL, f);
	assert_int_equal(load_file(&rs, "/nonexistent/x.rules"), -ENOENT);
	fclose(f);
	assert_int_equal(diag.errors, 1);
	assert_int_equal(diag.entries[0].line, 0);
	assert_string_equal(diag.entries[0].msg,
	                    "cannot read the rules: No such file or directory");
	assert_string_equal(out, "/nonexistent/x.rules: error: cannot read the rules: No such file "
	                         "or directory\n");
	free(out);

	fw_diag_init(&diag, NULL, NULL);
	/* Only regular files: a directory, a FIFO (which would block) and a
	 * device are refused at once. */
	assert_int_equal(load_file(&rs, "/"), -EINVAL);
	assert_int_equal(diag.entries[0].line, 0);
	assert_string_equal(diag.entries[0].msg, "cannot read the rules: not a regular file (a "
	                                         "FIFO, device or directory); give a file");
	fw_diag_init(&diag, NULL, NULL);
	assert_int_equal(load_file(&rs, "/dev/zero"), -EINVAL);
	{
		char fifo[64] = "/tmp/xdpfw-fifo.XXXXXX";

		assert_non_null(mkdtemp(fifo));
		strcat(fifo, "/p");
		assert_int_equal(mkfifo(fifo, 0600), 0);
		fw_diag_init(&diag, NULL, NULL);
		assert_int_equal(load_file(&rs, fifo), -EINVAL);
		unlink(fifo);
		*strrchr(fifo, '/') = '\0';
		rmdir(fifo);
	}
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/xdpfw-test-XXXXXX";
	static const char src[] = "policy drop\npass tcp dport 22\n";
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, src, sizeof(src) - 1), sizeof(src) - 1);
	close(fd);
	fw_diag_init(&diag, NULL, NULL);
	assert_int_equal(load_file(&rs, path), 0);
	fw_ruleset_drop_cls(rs);
	unlink(path);
	assert_string_equal(diag.file, path);
	load_ok(&rs2, src);
	assert_true(same_ruleset(rs, rs2));
}

/*
 * rules/ as seen from the test's working directory: the build directory
 * under meson test, where __FILE__ is relative to it, or the source root.
 */
static void rules_path(char *path, size_t size, const char *file)
{
	char here[] = __FILE__;

	snprintf(path, size, "%s/../../rules/%s", dirname(here), file);
	if (access(path, R_OK))
		snprintf(path, size, "rules/%s", file);
}

/* The examples shipped in rules/ must stay valid. */
static void test_example_rule_files(void **state)
{
	static const char *const files[] = {"demo.rules", "server.rules", "blocklist.rules"};
	char path[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rules_path(path, sizeof(path), files[i]);
		fw_diag_init(&diag, NULL, stderr);
		assert_int_equal(load_file(&rs, path), 0);
		assert_int_equal(diag.warnings, 0);
		assert_true(rs->config.rule_count > 0);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(fw_action_name(XDPFW_ACT_PASS), "pass");
	assert_string_equal(fw_action_name(XDPFW_ACT_DROP), "drop");
	assert_string_equal(fw_action_name(7), "unknown");
	assert_string_equal(fw_reason_name(XDPFW_REASON_RULE), "rule");
	assert_string_equal(fw_reason_name(XDPFW_REASON_NONIP), "nonip");
	assert_string_equal(fw_reason_name(XDPFW_REASON_MAL_IPV6_EXT_CHAIN), "ipv6-ext-chain");
	assert_string_equal(fw_reason_name(XDPFW_REASON_MAL_TCP_DOFF), "tcp-doff");
	assert_string_equal(fw_reason_name(XDPFW_REASON_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_ipv4_rule),
	    cmocka_unit_test(test_ipv6_rule),
	    cmocka_unit_test(test_prefix_edges),
	    cmocka_unit_test(test_match_everything),
	    cmocka_unit_test(test_family_implication),
	    cmocka_unit_test(test_ports_need_tcp_or_udp),
	    cmocka_unit_test(test_address_family_conflicts),
	    cmocka_unit_test(test_protocol_family_conflicts),
	    cmocka_unit_test(test_conflicts_and_duplicates),
	    cmocka_unit_test(test_setting_repeated),
	    cmocka_unit_test(test_rule_limit),
	    cmocka_unit_test(test_errors_in_line_order),
	    cmocka_unit_test(test_scalar_matches),
	    cmocka_unit_test(test_sets),
	    cmocka_unit_test(test_port_ranges),
	    cmocka_unit_test(test_set_errors),
	    cmocka_unit_test(test_set_file),
	    cmocka_unit_test(test_list_error_recovery),
	    cmocka_unit_test(test_scalar_match_errors),
	    cmocka_unit_test(test_line_ends_and_final_newline),
	    cmocka_unit_test(test_nul_and_long_line_through_load),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_format_round_trip),
	    cmocka_unit_test(test_printed_diagnostic),
	    cmocka_unit_test(test_printed_diagnostic_past_line_end),
	    cmocka_unit_test(test_printed_diagnostic_odd_bytes),
	    cmocka_unit_test(test_printed_diagnostic_cap),
	    cmocka_unit_test(test_load_file_errors),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_example_rule_files),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
