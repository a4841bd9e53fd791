// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_model.c - the reference model (ctl/model.c) and the packet words of
 * `fwctl explain` (ctl/explain.c), without the kernel: one frame per parse
 * outcome, the match rules that are easy to get wrong, and the frames that
 * packet descriptions build. tests/bpf/test_diff.c holds the model against
 * the BPF program; this pins down what both must say.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "explain.h"
#include "frame.h"
#include "log.h"
#include "model.h"
#include "ruleset.h"

static struct fw_ruleset *rs;

static void compile(const char *text)
{
	struct fw_diag diag;

	fw_diag_init(&diag, "test", NULL);
	fw_ruleset_free(rs);
	assert_int_equal(fw_ruleset_load_mem("test", text, strlen(text), &rs, &diag), 0);
}

static void udp4(struct pkt *p, uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){0});
	pkt_udp(p, 1234, dport);
	pkt_finish(p);
}

static void expect(const struct pkt *p, unsigned int reason, int rule, enum xdpfw_action action)
{
	struct fw_model_result res;

	assert_int_equal(fw_model_verdict(rs, p->data, p->len, &res), action);
	assert_string_equal(fw_reason_name(res.reason), fw_reason_name(reason));
	assert_int_equal(res.rule, rule);
	assert_int_equal(res.action, action);
}

static void test_rules_first_match(void **state)
{
	struct pkt p;

	(void)state;
	compile("policy drop\npass udp dport 54\ndrop udp dport 1-100\npass udp\n");
	udp4(&p, 53);
	expect(&p, XDPFW_REASON_RULE, 1, XDPFW_ACT_DROP);
	udp4(&p, 54);
	expect(&p, XDPFW_REASON_RULE, 0, XDPFW_ACT_PASS);
	udp4(&p, 101);
	expect(&p, XDPFW_REASON_RULE, 2, XDPFW_ACT_PASS);
	compile("policy drop\ndrop tcp\n");
	expect(&p, XDPFW_REASON_POLICY, -1, XDPFW_ACT_DROP);
}

/* An IPv4 prefix sits in word 0 of an IPv6-sized key: only the family test
 * keeps 10.0.0.0/8 off a0a::/8-ish IPv6 addresses. */
static void test_family_of_addresses(void **state)
{
	struct pkt p;

	(void)state;
	compile("drop saddr 10.0.0.0/8\n");
	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){.saddr = "a00::1"});
	pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_POLICY, -1, XDPFW_ACT_PASS);
}

/* A later fragment has no ports, whatever its bytes look like. */
static void test_later_fragment(void **state)
{
	struct pkt p;

	(void)state;
	compile("drop udp dport 53\npass udp\n");
	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, &(struct pkt_ipv4){.frag_off = 185});
	pkt_udp(&p, 1234, 53); /* header-shaped bytes in the middle of a datagram */
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_RULE, 1, XDPFW_ACT_PASS);
}

/* One frame per parse outcome; malformed drop is the default. */
static void test_reasons(void **state)
{
	struct pkt p;
	int i;

	(void)state;
	compile("policy pass\n");

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ethertype(&p, 0x0806);
	pkt_payload(&p, 28);
	expect(&p, XDPFW_REASON_NONIP, -1, XDPFW_ACT_PASS);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_vlan(&p, PKT_TPID_8021Q, 1);
	pkt_truncate(&p, 16);
	expect(&p, XDPFW_REASON_MAL_ETH_TRUNC, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	for (i = 0; i < 3; i++)
		pkt_vlan(&p, PKT_TPID_8021AD, 1);
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_VLAN_DEPTH, -1, XDPFW_ACT_DROP);

	udp4(&p, 53);
	pkt_truncate(&p, p.len - 1);
	expect(&p, XDPFW_REASON_MAL_IPV4_TRUNC, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, &(struct pkt_ipv4){.ihl = 4});
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_IPV4_HDR, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){.version = 4});
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_IPV6_HDR, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){0});
	pkt_truncate(&p, 14 + 39);
	expect(&p, XDPFW_REASON_MAL_IPV6_TRUNC, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){.fix_plen = 1, .payload_len = 16});
	pkt_ipv6_ext(&p, 51, 24); /* AH longer than the payload */
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_IPV6_EXT_TRUNC, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){0});
	for (i = 0; i <= XDPFW_MAX_IPV6_EXT; i++)
		pkt_ipv6_ext(&p, 60, 8);
	pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_IPV6_EXT_CHAIN, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, &(struct pkt_ipv4){0});
	pkt_l4proto(&p, 17);
	pkt_payload(&p, 7);
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_L4_TRUNC, -1, XDPFW_ACT_DROP);

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, &(struct pkt_ipv4){0});
	pkt_tcp(&p, 1, 2, 0x02, 0);
	p.data[p.len - 20 + 12] = 4 << 4;
	pkt_finish(&p);
	expect(&p, XDPFW_REASON_MAL_TCP_DOFF, -1, XDPFW_ACT_DROP);
}

static void test_unknown_match(void **state)
{
	(void)state;
	compile("drop udp\ndrop tcp\n");
	assert_int_equal(fw_model_unknown_match(rs), -1);
	rs->rules[1].match |= 1u << 30;
	assert_int_equal(fw_model_unknown_match(rs), 1);
}

static int words(struct pkt *p, const char *text)
{
	static char buf[512];
	char *argv[64], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	return fw_explain_frame(argv, n, p);
}

static void test_packet_words(void **state)
{
	struct fw_model_result res;
	struct pkt p;

	(void)state;
	compile("drop tcp saddr 198.51.100.0/24 dport 22\n");
	assert_int_equal(words(&p, "tcp saddr 198.51.100.7 dport 22 flags syn,ack"), 0);
	fw_model_verdict(rs, p.data, p.len, &res);
	assert_int_equal(res.rule, 0);
	assert_int_equal(res.pkt.tcp_flags, 0x12);
	assert_int_equal(p.len, 60); /* padded to the Ethernet minimum */

	/* Family from the address; defaults for the rest. */
	assert_int_equal(words(&p, "udp daddr 2001:db8::9 vlan 10 vlan 20 len 100"), 0);
	fw_model_verdict(rs, p.data, p.len, &res);
	assert_int_equal(res.reason, XDPFW_REASON_POLICY);
	assert_int_equal(res.pkt.family, XDPFW_FAMILY_IPV6);
	assert_int_equal(res.pkt.ip_len, 100);
	assert_int_equal(res.pkt.vlan_count, 2);
	assert_int_equal(res.pkt.vlan[0], 10);
	assert_int_equal(res.pkt.sport, 40000);

	assert_int_equal(words(&p, "icmpv6 type nd-neighbor-solicit ttl 255"), 0);
	fw_model_verdict(rs, p.data, p.len, &res);
	assert_int_equal(res.pkt.icmp_type, 135);
	assert_int_equal(res.pkt.ttl, 255);

	assert_int_equal(words(&p, "udp fragment later"), 0);
	fw_model_verdict(rs, p.data, p.len, &res);
	assert_int_equal(res.pkt.flags & XDPFW_PKT_LATER_FRAG, XDPFW_PKT_LATER_FRAG);

	assert_int_equal(words(&p, "hex 02:00:00:00:00:02 0200000000010806 0001"), 0);
	assert_int_equal(p.len, 16);

	/* Each error names its word and leaves nothing half built. */
	assert_int_equal(fw_errno(words(&p, "tcp colour blue")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "tcp dport 65536")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "dport 22")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "udp flags syn")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "ip6 saddr 192.0.2.1")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "icmp ip6")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "tcp dport 22 fragment later")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "vlan 1 vlan 2 vlan 3")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "tcp len 30")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "hex 0200")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "hex 020")), -EINVAL);
	assert_int_equal(fw_errno(words(&p, "tcp hex 02")), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_first_match), cmocka_unit_test(test_family_of_addresses),
	    cmocka_unit_test(test_later_fragment),    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_unknown_match),     cmocka_unit_test(test_packet_words),
	};

	return cmocka_run_group_tests_name("test_model", tests, NULL, NULL);
}
