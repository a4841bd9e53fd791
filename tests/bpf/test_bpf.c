// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_bpf.c - the real BPF object, crafted frames, BPF_PROG_TEST_RUN.
 *
 * Each case is a row: a rule file, a frame, and what must come out: the XDP
 * verdict, the one reason the packet is counted under, and the one rule
 * counted (-1: none). The rule file goes through the real compiler
 * (fw_ruleset_load_mem) into the maps of the loaded skeleton; counters are
 * zeroed before every frame and afterwards every reason and every rule
 * counter is checked, summed over CPUs: exactly the expected ones hold one
 * packet and the frame's length in bytes.
 *
 * Needs root (or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON). Output is TAP.
 * XDPFW_TEST_BENCH_REPEAT=N sets the repeat count of the timing test
 * (default 100000); XDPFW_TEST_VERBOSE=1 shows libbpf's messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfw.h"
#include "loader.h"
#include "ruleset.h"
#include "xdpfw.skel.h"
#include "frame.h"
#include "harness.h"

#define PASS XDP_PASS
#define DROP XDP_DROP

/* The verdict settings spelled out, so cases do not lean on the
 * compiler's defaults; a case that needs others writes its own. */
#define SETTINGS "policy pass\nnonip pass\nmalformed drop\n"

#define PROTO_ESP     50
#define PROTO_UNKNOWN 253 /* RFC 3692: for experimentation */

struct bpf_case {
	const char *name;
	const char *rules;
	void (*build)(struct pkt *p, const struct bpf_case *c);
	uint32_t verdict;
	enum xdpfw_reason reason;
	int rule;
	/* Frame parameters for the builder; 0/NULL: its defaults. */
	const char *saddr, *daddr;
	uint16_t sport, dport;
	/* Edit the compiled rules to reach what the language cannot say. */
	void (*tweak)(struct fw_ruleset *rs);
};

#define CASE(n, r, b, v, why, idx, ...)                                                            \
	{                                                                                          \
		.name = n, .rules = r, .build = b, .verdict = v, .reason = XDPFW_REASON_##why,     \
		.rule = idx, __VA_ARGS__                                                           \
	}

static struct fw_ruleset *ruleset;

/* ------------------------------------------------------------------------ */
/* Frame builders                                                           */

#define SPORT(c) ((c)->sport ? (c)->sport : 1234)
#define DPORT(c) ((c)->dport ? (c)->dport : 53)

static void ip4(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.saddr = c->saddr, .daddr = c->daddr});
}

static void ip6(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){.saddr = c->saddr, .daddr = c->daddr});
}

static void udp4(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_udp(p, SPORT(c), DPORT(c));
	pkt_payload(p, 18);
}

static void tcp4(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x02 /* SYN */, 0);
}

static void icmp4(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_icmp(p, 8, 0); /* echo request */
	pkt_payload(p, 32);
}

static void udp6(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_udp(p, SPORT(c), DPORT(c));
	pkt_payload(p, 18);
}

static void tcp6(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x12 /* SYN|ACK */, 0);
}

static void icmp6(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_icmp(p, 128, 0); /* echo request */
	pkt_payload(p, 32);
}

static void udp4_big(struct pkt *p, const struct bpf_case *c)
{
	udp4(p, c);
	pkt_payload(p, 1500 - 20 - 8 - 18);
}

static void vlan_q(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_vlan(p, PKT_TPID_8021Q, 100);
	pkt_ipv4(p, &(struct pkt_ipv4){0});
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void vlan_ad(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_vlan(p, PKT_TPID_8021AD, 200);
	pkt_ipv6(p, &(struct pkt_ipv6){0});
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void vlan_qinq(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_vlan(p, PKT_TPID_8021AD, 200);
	pkt_vlan(p, PKT_TPID_8021Q, 100);
	pkt_ipv4(p, &(struct pkt_ipv4){0});
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void vlan_3(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_vlan(p, PKT_TPID_8021AD, 200);
	pkt_vlan(p, PKT_TPID_8021Q, 100);
	pkt_vlan(p, PKT_TPID_8021Q, 101);
	pkt_ipv4(p, &(struct pkt_ipv4){0});
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void vlan_arp(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_vlan(p, PKT_TPID_8021Q, 100);
	pkt_ethertype(p, 0x0806);
	pkt_payload(p, 28);
}

static void arp(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ethertype(p, 0x0806);
	pkt_payload(p, 28);
}

/*
 * Frames shorter than an Ethernet header cannot be run: BPF_PROG_TEST_RUN
 * refuses them (also behind XDP metadata), and bpf_xdp_adjust_head/tail
 * never leave fewer than 14 bytes. The shortest frames are 14 bytes.
 */
static void eth_tpid_only(struct pkt *p, const struct bpf_case *c)
{
	vlan_q(p, c);
	pkt_truncate(p, 14);
}

static void eth_ipv4_only(struct pkt *p, const struct bpf_case *c)
{
	udp4(p, c);
	pkt_truncate(p, 14);
}

static void vlan_cut(struct pkt *p, const struct bpf_case *c)
{
	vlan_q(p, c);
	pkt_truncate(p, 14 + 2);
}

static void ip4_cut19(struct pkt *p, const struct bpf_case *c)
{
	udp4(p, c);
	pkt_truncate(p, 14 + 19);
}

static void ip4_version5(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.version = 5});
	pkt_udp(p, 1234, 53);
}

static void ip4_ihl4(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.ihl = 4});
	pkt_udp(p, 1234, 53);
}

/* IHL 15 (60 bytes) in a packet of 20 + 8. */
static void ip4_ihl_beyond(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.ihl = 15});
	pkt_udp(p, 1234, 53);
}

static void ip4_totlen_short(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.opt_len = 8, .tot_len = 24});
	pkt_udp(p, 1234, 53);
}

static void ip4_totlen_beyond(struct pkt *p, const struct bpf_case *c)
{
	udp4(p, c);
	pkt_truncate(p, p->len - 1);
}

static void ip4_options(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.opt_len = 40});
	pkt_udp(p, SPORT(c), DPORT(c));
}

/* A 40-byte TCP SYN padded to the 60-byte Ethernet minimum. */
static void tcp4_padded(struct pkt *p, const struct bpf_case *c)
{
	tcp4(p, c);
	pkt_pad(p, 60 - p->len);
}

/* tot_len 20: the UDP header lies in the padding only. */
static void udp4_in_padding(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.tot_len = 20});
	pkt_udp(p, 1234, 53);
	pkt_pad(p, 18);
}

/* tot_len 30: ten bytes of TCP, then zero padding where the rest of its
 * header (data offset included) would be. */
static void tcp4_in_padding(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_l4proto(p, 6);
	pkt_payload(p, 10);
	pkt_pad(p, 16);
}

static void tcp4_cut(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_l4proto(p, 6);
	pkt_payload(p, 19);
}

static void udp4_cut(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_l4proto(p, 17);
	pkt_payload(p, 7);
}

static void icmp4_cut(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_l4proto(p, 1);
	pkt_payload(p, 3);
}

static void tcp6_cut(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_l4proto(p, 6);
	pkt_payload(p, 12);
}

static void udp6_cut(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_l4proto(p, 17);
	pkt_payload(p, 4);
}

static void icmp6_cut(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_l4proto(p, 58);
	pkt_payload(p, 3);
}

/* Protocol 1 in IPv6 is not ICMP: two bytes are no truncated header. */
static void ip6_proto1_short(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_l4proto(p, 1);
	pkt_payload(p, 2);
}

static void tcp4_doff4(struct pkt *p, const struct bpf_case *c)
{
	size_t t;

	ip4(p, c);
	t = p->len;
	pkt_tcp(p, 1234, 80, 0x02, 0);
	p->data[t + 12] = 4 << 4;
}

/* doff 6 (24 bytes) in a 20-byte segment, frame padded past it. */
static void tcp4_doff_beyond(struct pkt *p, const struct bpf_case *c)
{
	size_t t;

	ip4(p, c);
	t = p->len;
	pkt_tcp(p, 1234, 80, 0x02, 0);
	p->data[t + 12] = 6 << 4;
	pkt_pad(p, 8);
}

static void tcp4_doff8(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x02, 8);
}

static void ip6_cut39(struct pkt *p, const struct bpf_case *c)
{
	udp6(p, c);
	pkt_truncate(p, 14 + 39);
}

static void ip6_version4(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){.version = 4});
	pkt_udp(p, 1234, 53);
}

static void ip6_plen_beyond(struct pkt *p, const struct bpf_case *c)
{
	udp6(p, c);
	pkt_truncate(p, p->len - 1);
}

static void ip6_hbh(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void ip6_routing(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 43, 24);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x02, 0);
}

static void ip6_dstopts(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 60, 16);
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void ip6_ah(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 51, 24);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x02, 0);
}

static void ip6_all_ext(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_ipv6_ext(p, 60, 8);
	pkt_ipv6_ext(p, 43, 16);
	pkt_ipv6_frag(p, 0, 1);
	pkt_ipv6_ext(p, 51, 12);
	pkt_ipv6_ext(p, 60, 8);
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void ip6_chain(struct pkt *p, const struct bpf_case *c, int n)
{
	int i;

	ip6(p, c);
	for (i = 0; i < n; i++)
		pkt_ipv6_ext(p, 60, 8);
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void ip6_chain_max(struct pkt *p, const struct bpf_case *c)
{
	ip6_chain(p, c, XDPFW_MAX_IPV6_EXT);
}

static void ip6_chain_over(struct pkt *p, const struct bpf_case *c)
{
	ip6_chain(p, c, XDPFW_MAX_IPV6_EXT + 1);
}

/* The fragment header as the one too many. */
static void ip6_chain_over_frag(struct pkt *p, const struct bpf_case *c)
{
	int i;

	ip6(p, c);
	for (i = 0; i < XDPFW_MAX_IPV6_EXT; i++)
		pkt_ipv6_ext(p, 0, 8);
	pkt_ipv6_frag(p, 0, 1);
	pkt_udp(p, SPORT(c), DPORT(c));
}

/* A 16-byte destination options header with only 12 bytes of payload. */
static void ip6_ext_cut(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){.fix_plen = 1, .payload_len = 12});
	pkt_ipv6_ext(p, 60, 16);
	pkt_udp(p, 1234, 53);
	pkt_truncate(p, 14 + 40 + 12);
}

/* Hop-by-hop with fewer bytes than its fixed part. */
static void ip6_ext_cut_head(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){.fix_plen = 1, .payload_len = 4});
	pkt_ipv6_ext(p, 0, 8);
	pkt_udp(p, 1234, 53);
	pkt_truncate(p, 14 + 40 + 4);
}

/* AH says 24 bytes, the payload ends at 16: cut even though the frame goes on. */
static void ip6_ah_cut(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){.fix_plen = 1, .payload_len = 16});
	pkt_ipv6_ext(p, 51, 24);
	pkt_udp(p, 1234, 53);
}

static void fake_ports(struct pkt *p, size_t off);

/* Its payload starts like ports 1234 -> 53: an unknown header has none. */
static void ip6_unknown(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_l4proto(p, PROTO_UNKNOWN);
	pkt_payload(p, 20);
	fake_ports(p, p->len - 20);
}

static void ip4_unknown(struct pkt *p, const struct bpf_case *c)
{
	ip4(p, c);
	pkt_l4proto(p, PROTO_UNKNOWN);
	pkt_payload(p, 20);
}

static void ip6_esp(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_l4proto(p, PROTO_ESP);
	pkt_payload(p, 40);
}

/* Nothing after the header: pkt_finish() writes next header 59. */
static void ip6_nonext(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
}

/*
 * Length fields of 0 (xdp/parse.h: super-packets). A frame here is at most
 * a page, far from the 64 KiB past which 0 means "as long as the frame", so
 * these are the cases where it must not: 0 keeps its plain meaning, and a
 * jumbo option must say more than 65535 and fit. Super-packets themselves
 * are in tests/unit/test_parse.c and tests/e2e/test_bigtcp.sh.
 */
static void tcp4_zero_len(struct pkt *p, const struct bpf_case *c)
{
	tcp4(p, c);
	pkt_payload(p, 1000);
	pkt_zero_len(p);
}

/* Payload length 0: the payload is empty, the TCP header past its end. */
static void tcp6_zero_len(struct pkt *p, const struct bpf_case *c)
{
	tcp6(p, c);
	pkt_payload(p, 1000);
	pkt_zero_len(p);
}

/* Payload length 0 and nothing after the header: a whole packet. */
static void ip6_nonext_zero_len(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_zero_len(p);
}

static void tcp6_jumbo(struct pkt *p, const struct bpf_case *c, uint32_t len)
{
	ip6(p, c);
	pkt_ipv6_jumbo(p, len);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x10 /* ACK */, 0);
	pkt_payload(p, 1000);
}

static void tcp6_jumbo_65535(struct pkt *p, const struct bpf_case *c)
{
	tcp6_jumbo(p, c, 65535);
}

static void tcp6_jumbo_beyond(struct pkt *p, const struct bpf_case *c)
{
	tcp6_jumbo(p, c, 65536);
}

/* Offset + 40 + 2^32 - 1 would wrap around to a small packet end. */
static void tcp6_jumbo_wraps(struct pkt *p, const struct bpf_case *c)
{
	tcp6_jumbo(p, c, 0xffffffff);
}

/* The frame's real payload length as the jumbo length: RFC 2675 wants more
 * than 65535, so still invalid. */
static void tcp6_jumbo_exact(struct pkt *p, const struct bpf_case *c)
{
	tcp6_jumbo(p, c, 8 + 20 + 1000);
}

/* A hop-by-hop header without a jumbo option and payload length 0: an
 * empty payload, which the header itself does not fit in. */
static void tcp6_hbh_zero_len(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_tcp(p, SPORT(c), DPORT(c), 0x10, 0);
	pkt_zero_len(p);
}

/* A jumbo option in a packet whose payload length is not 0 is not read:
 * the payload length decides, as before. */
static void udp6_jumbo_with_plen(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_jumbo(p, 70000);
	pkt_udp(p, SPORT(c), DPORT(c));
	pkt_payload(p, 18);
	p->fix_l3_len = 0; /* pkt_finish() writes the real payload length */
}

static void frag4_first(struct pkt *p, const struct bpf_case *c)
{
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.mf = 1});
	pkt_udp(p, SPORT(c), DPORT(c));
	pkt_payload(p, 64);
}

/* A later fragment's payload starts with what looks like ports 1234 -> 53:
 * the middle of someone's data, which must not be read as a header. */
static void fake_ports(struct pkt *p, size_t off)
{
	p->data[off] = 1234 >> 8;
	p->data[off + 1] = 1234 & 0xff;
	p->data[off + 2] = 0;
	p->data[off + 3] = 53;
}

/* Offset 185 * 8 = 1480: the second fragment of a 1500-MTU datagram. */
static void frag4_later(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.frag_off = 185});
	pkt_l4proto(p, 17);
	pkt_payload(p, 64);
	fake_ports(p, p->len - 64);
}

static void frag6_first(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_frag(p, 0, 1);
	pkt_udp(p, SPORT(c), DPORT(c));
	pkt_payload(p, 64);
}

/* Offset 0, no more fragments: an atomic fragment, parsed whole. */
static void frag6_atomic(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_frag(p, 0, 0);
	pkt_udp(p, SPORT(c), DPORT(c));
}

static void frag6_later(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_ext(p, 0, 8);
	pkt_ipv6_frag(p, 181, 0);
	pkt_l4proto(p, 17);
	pkt_payload(p, 64);
	fake_ports(p, p->len - 64);
}

/* A later fragment whose fragment header names destination options: no
 * protocol can be known (nftables: ipv6_find_hdr() fails). */
static void frag6_later_ext(struct pkt *p, const struct bpf_case *c)
{
	ip6(p, c);
	pkt_ipv6_frag(p, 181, 0);
	pkt_l4proto(p, 60);
	pkt_payload(p, 64);
}

/* A later IPv4 fragment of an ICMP echo request: its first payload byte is
 * an 8, which must not be read as a type. */
static void frag4_later_icmp(struct pkt *p, const struct bpf_case *c)
{
	(void)c;
	pkt_eth(p);
	pkt_ipv4(p, &(struct pkt_ipv4){.frag_off = 185});
	pkt_l4proto(p, 1);
	pkt_payload(p, 64);
	p->data[p->len - 64] = 8;
}

/* ------------------------------------------------------------------------ */
/* Rule edits the language cannot express                                   */

/* "sport/dport" without tcp/udp is refused by the compiler; the data plane
 * must still never match ports on a packet that has none. */
static void ports_only(struct fw_ruleset *rs)
{
	rs->rules[0].match &= ~(uint32_t)XDPFW_M_PROTO;
}

/* A udp rule just past rule_count, as a stale entry of an older rule set. */
static void stale_after_count(struct fw_ruleset *rs)
{
	struct xdpfw_rule *r;

	assert_int_equal(fw_ruleset_grow_rules(rs), 0);
	r = &rs->rules[rs->config.rule_count];
	memset(r, 0, sizeof(*r));
	r->match = XDPFW_M_PROTO;
	r->proto = 17;
	r->action = XDPFW_ACT_DROP;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */

#define R_UDP53 SETTINGS "drop udp dport 53\n"
#define R_SET                                                                                      \
	SETTINGS "set b = { 198.51.100.0/24, 203.0.113.7, 2001:db8:bad::/48 }\n"                   \
	         "set web = { 80, 443, 8000-8099 }\n"
#define R_LATER SETTINGS "drop udp dport 53\ndrop udp\n"
#define R_SPORT SETTINGS "drop udp sport 1000-2000\n"
#define R_DPORT SETTINGS "drop tcp dport 8000-8099\n"

static const struct bpf_case cases[] = {
    /* Parse paths that end in a classified packet. */
    CASE("ipv4 udp", SETTINGS "drop tcp dport 53\ndrop udp sport 1234 dport 53\n", udp4, DROP, RULE,
         1),
    CASE("ipv4 tcp", SETTINGS "drop udp dport 22\ndrop tcp sport 40000 dport 22\n", tcp4, DROP,
         RULE, 1, .sport = 40000, .dport = 22),
    CASE("ipv4 icmp", SETTINGS "drop tcp\ndrop udp\ndrop icmp\n", icmp4, DROP, RULE, 2),
    CASE("ipv6 udp", SETTINGS "drop ip udp dport 53\ndrop ip6 udp dport 53\n", udp6, DROP, RULE, 1),
    CASE("ipv6 tcp", SETTINGS "drop ip6 udp dport 443\ndrop ip6 tcp dport 443\n", tcp6, DROP, RULE,
         1, .dport = 443),
    CASE("ipv6 icmpv6", SETTINGS "drop icmp\ndrop ip6 proto 58\n", icmp6, DROP, RULE, 1),
    CASE("ipv4 1500-byte frame: bytes counted", R_UDP53, udp4_big, DROP, RULE, 0),
    CASE("802.1Q tag", R_UDP53, vlan_q, DROP, RULE, 0),
    CASE("802.1ad tag, ipv6 inside", R_UDP53, vlan_ad, DROP, RULE, 0),
    CASE("QinQ, two tags", "policy drop\nnonip pass\nmalformed drop\npass udp dport 53\n",
         vlan_qinq, PASS, RULE, 0),
    CASE("802.1Q tag, arp inside: nonip", "policy drop\nnonip pass\n", vlan_arp, PASS, NONIP, -1),
    CASE("ipv4 options skipped, ports found", R_UDP53, ip4_options, DROP, RULE, 0),
    CASE("ethernet padding after tot_len is fine", SETTINGS "drop tcp dport 53\n", tcp4_padded,
         DROP, RULE, 0),
    CASE("tcp with options (doff 8)", SETTINGS "drop tcp dport 53\n", tcp4_doff8, DROP, RULE, 0),
    CASE("ipv6 hop-by-hop", R_UDP53, ip6_hbh, DROP, RULE, 0),
    CASE("ipv6 routing header", SETTINGS "drop tcp dport 53\n", ip6_routing, DROP, RULE, 0),
    CASE("ipv6 destination options", R_UDP53, ip6_dstopts, DROP, RULE, 0),
    CASE("ipv6 AH", SETTINGS "drop tcp dport 53\n", ip6_ah, DROP, RULE, 0),
    CASE("ipv6 every extension header kind", R_UDP53, ip6_all_ext, DROP, RULE, 0),
    CASE("ipv6 chain at the bound", R_UDP53, ip6_chain_max, DROP, RULE, 0),
    CASE("ipv6 unknown next header matches proto 253", SETTINGS "drop udp\ndrop proto 253\n",
         ip6_unknown, DROP, RULE, 1),
    CASE("ipv6 unknown next header never matches ports", R_UDP53, ip6_unknown, PASS, POLICY, -1,
         .tweak = ports_only),
    CASE("ipv4 unknown protocol matches proto 253", SETTINGS "drop proto 252\ndrop proto 253\n",
         ip4_unknown, DROP, RULE, 1),
    CASE("ipv6 ESP ends the walk", SETTINGS "drop proto 50\n", ip6_esp, DROP, RULE, 0),
    CASE("ipv6 no next header", SETTINGS "drop proto 59\n", ip6_nonext, DROP, RULE, 0),
    CASE("ipv6 no next header, payload length 0", SETTINGS "drop proto 59 len 40\n",
         ip6_nonext_zero_len, DROP, RULE, 0),
    CASE("ipv6 jumbo option, payload length not 0: the option is not read",
         SETTINGS "drop udp dport 53 len 74\n", udp6_jumbo_with_plen, DROP, RULE, 0),
    CASE("ipv6 proto 1 is not icmp: no l4 parse", SETTINGS, ip6_proto1_short, PASS, POLICY, -1),

    /* Fragments. */
    CASE("ipv4 first fragment matches port rule", R_UDP53, frag4_first, DROP, RULE, 0),
    CASE("ipv4 later fragment skips port rule", R_UDP53, frag4_later, PASS, POLICY, -1),
    CASE("ipv4 later fragment matches drop udp", R_LATER, frag4_later, DROP, RULE, 1),
    CASE("ipv4 later fragment, port-only rule", R_UDP53, frag4_later, PASS, POLICY, -1,
         .tweak = ports_only),
    CASE("ipv6 first fragment matches port rule", R_UDP53, frag6_first, DROP, RULE, 0),
    CASE("ipv6 atomic fragment matches port rule", R_UDP53, frag6_atomic, DROP, RULE, 0),
    CASE("ipv6 later fragment skips port rule", R_UDP53, frag6_later, PASS, POLICY, -1),
    CASE("ipv6 later fragment matches drop udp", R_LATER, frag6_later, DROP, RULE, 1),

    /* Non-IP. */
    CASE("arp, nonip pass", "policy drop\nnonip pass\ndrop udp\n", arp, PASS, NONIP, -1),
    CASE("arp, nonip drop", "policy pass\nnonip drop\n", arp, DROP, NONIP, -1),

    /* Malformed. */
    CASE("ethernet header alone, vlan tpid", SETTINGS, eth_tpid_only, DROP, MAL_ETH_TRUNC, -1),
    CASE("ethernet header alone, ipv4 ethertype", SETTINGS, eth_ipv4_only, DROP, MAL_IPV4_TRUNC,
         -1),
    CASE("vlan tag cut", SETTINGS, vlan_cut, DROP, MAL_ETH_TRUNC, -1),
    CASE("three vlan tags", SETTINGS, vlan_3, DROP, MAL_VLAN_DEPTH, -1),
    CASE("ipv4 header cut at 19 bytes", SETTINGS, ip4_cut19, DROP, MAL_IPV4_TRUNC, -1),
    CASE("ipv4 version 5", SETTINGS, ip4_version5, DROP, MAL_IPV4_HDR, -1),
    CASE("ipv4 ihl 4", SETTINGS, ip4_ihl4, DROP, MAL_IPV4_HDR, -1),
    CASE("ipv4 ihl beyond frame", SETTINGS, ip4_ihl_beyond, DROP, MAL_IPV4_TRUNC, -1),
    CASE("ipv4 tot_len < ihl*4", SETTINGS, ip4_totlen_short, DROP, MAL_IPV4_HDR, -1),
    CASE("ipv4 tot_len beyond frame", SETTINGS, ip4_totlen_beyond, DROP, MAL_IPV4_TRUNC, -1),
    CASE("ipv4 udp header only in padding", SETTINGS, udp4_in_padding, DROP, MAL_L4_TRUNC, -1),
    CASE("ipv4 tcp header partly in padding", SETTINGS, tcp4_in_padding, DROP, MAL_L4_TRUNC, -1),
    CASE("tcp header cut", SETTINGS, tcp4_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("udp header cut", SETTINGS, udp4_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("icmp header cut", SETTINGS, icmp4_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("ipv6 tcp header cut", SETTINGS, tcp6_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("ipv6 udp header cut", SETTINGS, udp6_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("icmpv6 header cut", SETTINGS, icmp6_cut, DROP, MAL_L4_TRUNC, -1),
    CASE("tcp doff 4", SETTINGS, tcp4_doff4, DROP, MAL_TCP_DOFF, -1),
    CASE("tcp doff beyond tot_len", SETTINGS, tcp4_doff_beyond, DROP, MAL_L4_TRUNC, -1),
    CASE("ipv6 header cut at 39 bytes", SETTINGS, ip6_cut39, DROP, MAL_IPV6_TRUNC, -1),
    CASE("ipv6 version 4", SETTINGS, ip6_version4, DROP, MAL_IPV6_HDR, -1),
    CASE("ipv6 payload beyond frame", SETTINGS, ip6_plen_beyond, DROP, MAL_IPV6_TRUNC, -1),
    CASE("ipv6 extension header cut", SETTINGS, ip6_ext_cut, DROP, MAL_IPV6_EXT_TRUNC, -1),
    CASE("ipv6 extension header cut in its first 8 bytes", SETTINGS, ip6_ext_cut_head, DROP,
         MAL_IPV6_EXT_TRUNC, -1),
    CASE("ipv6 AH beyond payload length", SETTINGS, ip6_ah_cut, DROP, MAL_IPV6_EXT_TRUNC, -1),
    CASE("ipv6 chain over the bound", SETTINGS, ip6_chain_over, DROP, MAL_IPV6_EXT_CHAIN, -1),
    CASE("ipv6 chain over the bound by a fragment header", SETTINGS, ip6_chain_over_frag, DROP,
         MAL_IPV6_EXT_CHAIN, -1),
    CASE("ipv4 total length 0 in a short frame", SETTINGS, tcp4_zero_len, DROP, MAL_IPV4_HDR, -1),
    CASE("ipv6 payload length 0 in a short frame", SETTINGS, tcp6_zero_len, DROP, MAL_L4_TRUNC, -1),
    CASE("ipv6 hop-by-hop, no jumbo option, payload length 0", SETTINGS, tcp6_hbh_zero_len, DROP,
         MAL_IPV6_EXT_TRUNC, -1),
    CASE("ipv6 jumbo option of 65535", SETTINGS, tcp6_jumbo_65535, DROP, MAL_IPV6_HDR, -1),
    CASE("ipv6 jumbo option of the real length, under 65536", SETTINGS, tcp6_jumbo_exact, DROP,
         MAL_IPV6_HDR, -1),
    CASE("ipv6 jumbo payload beyond frame", SETTINGS, tcp6_jumbo_beyond, DROP, MAL_IPV6_TRUNC, -1),
    CASE("ipv6 jumbo payload of 2^32 - 1", SETTINGS, tcp6_jumbo_wraps, DROP, MAL_IPV6_TRUNC, -1),
    CASE("malformed pass", "policy drop\nmalformed pass\ndrop udp\n", ip4_cut19, PASS,
         MAL_IPV4_TRUNC, -1),
    CASE("malformed pass, never classified", "policy pass\nmalformed pass\ndrop tcp\n", tcp4_cut,
         PASS, MAL_L4_TRUNC, -1),

    /* Verdicts and match semantics. */
    CASE("policy drop", "policy drop\ndrop tcp\n", udp4, DROP, POLICY, -1),
    CASE("policy pass", "policy pass\ndrop tcp\n", udp4, PASS, POLICY, -1),
    CASE("no rules", "", udp4, PASS, POLICY, -1),
    CASE("first match wins: pass before drop", SETTINGS "pass udp dport 53\ndrop udp dport 53\n",
         udp4, PASS, RULE, 0),
    CASE("first match wins: drop before pass", SETTINGS "drop udp dport 53\npass udp dport 53\n",
         udp4, DROP, RULE, 0),
    CASE("first match wins: later rule when earlier misses",
         "policy drop\ndrop udp dport 54\npass udp dport 1-100\ndrop udp\n", udp4, PASS, RULE, 1),
    CASE("rules past rule_count are never read", SETTINGS "drop tcp\n", udp4, PASS, POLICY, -1,
         .tweak = stale_after_count),
    CASE("8th rule matches",
         SETTINGS "drop tcp\ndrop tcp\ndrop tcp\ndrop tcp\n"
                  "drop tcp\ndrop tcp\ndrop tcp\ndrop udp\n",
         udp4, DROP, RULE, 7),
    CASE("9th rule matches",
         SETTINGS "drop tcp\ndrop tcp\ndrop tcp\ndrop tcp\n"
                  "drop tcp\ndrop tcp\ndrop tcp\ndrop tcp\ndrop udp\n",
         udp4, DROP, RULE, 8),
    CASE("saddr v4 /25 first address", SETTINGS "drop saddr 192.0.2.0/25\n", udp4, DROP, RULE, 0,
         .saddr = "192.0.2.0"),
    CASE("saddr v4 /25 last address", SETTINGS "drop saddr 192.0.2.0/25\n", udp4, DROP, RULE, 0,
         .saddr = "192.0.2.127"),
    CASE("saddr v4 /25 one past", SETTINGS "drop saddr 192.0.2.0/25\n", udp4, PASS, POLICY, -1,
         .saddr = "192.0.2.128"),
    CASE("saddr v4 /25 one before", SETTINGS "drop saddr 192.0.2.128/25\n", udp4, PASS, POLICY, -1,
         .saddr = "192.0.2.127"),
    CASE("daddr v4 /24 last address", SETTINGS "drop daddr 198.51.100.0/24\n", tcp4, DROP, RULE, 0,
         .daddr = "198.51.100.255"),
    CASE("daddr v4 /24 one past", SETTINGS "drop daddr 198.51.100.0/24\n", tcp4, PASS, POLICY, -1,
         .daddr = "198.51.101.0"),
    CASE("daddr v4 /32", SETTINGS "drop daddr 198.51.100.7\n", tcp4, DROP, RULE, 0,
         .daddr = "198.51.100.7"),
    CASE("daddr v4 /32 other", SETTINGS "drop daddr 198.51.100.7\n", tcp4, PASS, POLICY, -1,
         .daddr = "198.51.100.6"),
    CASE("saddr v6 /48 last address", SETTINGS "drop saddr 2001:db8:bad::/48\n", udp6, DROP, RULE,
         0, .saddr = "2001:db8:bad:ffff:ffff:ffff:ffff:ffff"),
    CASE("saddr v6 /48 one past", SETTINGS "drop saddr 2001:db8:bad::/48\n", udp6, PASS, POLICY, -1,
         .saddr = "2001:db8:bae::"),
    CASE("daddr v6 /127 edge in the last word", SETTINGS "drop daddr 2001:db8::2/127\n", tcp6, DROP,
         RULE, 0, .daddr = "2001:db8::3"),
    CASE("daddr v6 /127 one past", SETTINGS "drop daddr 2001:db8::2/127\n", tcp6, PASS, POLICY, -1,
         .daddr = "2001:db8::4"),
    CASE("daddr v6 /65 edge in the third word", SETTINGS "drop daddr 2001:db8:0:1::/65\n", tcp6,
         DROP, RULE, 0, .daddr = "2001:db8:0:1:7fff:ffff:ffff:ffff"),
    CASE("daddr v6 /65 one past", SETTINGS "drop daddr 2001:db8:0:1::/65\n", tcp6, PASS, POLICY, -1,
         .daddr = "2001:db8:0:1:8000::"),
    /* 0a00::/8 has the bits of 10.0.0.0/8 in word 0. */
    CASE("ipv4 prefix never matches ipv6", SETTINGS "drop saddr 10.0.0.0/8\n", udp6, PASS, POLICY,
         -1, .saddr = "a00::1"),
    CASE("ipv4 /0 never matches ipv6", SETTINGS "drop daddr 0.0.0.0/0\n", udp6, PASS, POLICY, -1),
    CASE("ipv6 /0 never matches ipv4", SETTINGS "drop saddr ::/0\n", udp4, PASS, POLICY, -1),
    CASE("ipv4 /0 matches ipv4", SETTINGS "drop daddr 0.0.0.0/0\n", icmp4, DROP, RULE, 0),
    CASE("sport range: one below", R_SPORT, udp4, PASS, POLICY, -1, .sport = 999),
    CASE("sport range: low edge", R_SPORT, udp4, DROP, RULE, 0, .sport = 1000),
    CASE("sport range: high edge", R_SPORT, udp4, DROP, RULE, 0, .sport = 2000),
    CASE("sport range: one above", R_SPORT, udp4, PASS, POLICY, -1, .sport = 2001),
    CASE("dport range: one below", R_DPORT, tcp6, PASS, POLICY, -1, .dport = 7999),
    CASE("dport range: low edge", R_DPORT, tcp6, DROP, RULE, 0, .dport = 8000),
    CASE("dport range: high edge", R_DPORT, tcp6, DROP, RULE, 0, .dport = 8099),
    CASE("dport range: one above", R_DPORT, tcp6, PASS, POLICY, -1, .dport = 8100),
    CASE("dport 0 and 65535 edges", SETTINGS "drop tcp dport 65535\ndrop tcp dport 0\n", tcp4, DROP,
         RULE, 0, .dport = 65535),
    CASE("protocol must agree", SETTINGS "drop udp dport 53\n", tcp4, PASS, POLICY, -1),
    CASE("family must agree", SETTINGS "drop ip6 udp\ndrop ip udp\n", udp4, DROP, RULE, 1),
    /* Negation inverts the value test only, never its preconditions. */
    CASE("saddr != outside the prefix matches", SETTINGS "drop saddr != 192.0.2.0/24\n", udp4, DROP,
         RULE, 0, .saddr = "198.51.100.1"),
    CASE("saddr != inside the prefix does not", SETTINGS "drop saddr != 192.0.2.0/24\n", udp4, PASS,
         POLICY, -1, .saddr = "192.0.2.200"),
    CASE("saddr != of an ipv4 prefix never matches ipv6", SETTINGS "drop saddr != 192.0.2.0/24\n",
         udp6, PASS, POLICY, -1),
    CASE("daddr != v6", SETTINGS "drop daddr != 2001:db8::/32\n", tcp6, DROP, RULE, 0,
         .daddr = "2001:db9::1"),
    CASE("dport != range: inside", SETTINGS "drop udp dport != 50-60\n", udp4, PASS, POLICY, -1,
         .dport = 53),
    CASE("dport != range: outside", SETTINGS "drop udp dport != 50-60\n", udp4, DROP, RULE, 0,
         .dport = 61),
    CASE("sport != never matches a later fragment", SETTINGS "drop udp sport != 1\n", frag4_later,
         PASS, POLICY, -1),
    /* tcp4 sends SYN, tcp6 SYN|ACK. */
    CASE("flags syn,!ack: a SYN", SETTINGS "drop tcp flags syn,!ack\n", tcp4, DROP, RULE, 0),
    CASE("flags syn,!ack: not a SYN|ACK", SETTINGS "drop tcp flags syn,!ack\n", tcp6, PASS, POLICY,
         -1),
    CASE("flags ack: a SYN|ACK", SETTINGS "drop tcp flags ack\n", tcp6, DROP, RULE, 0),
    CASE("flags !rst,!fin: a SYN", SETTINGS "drop tcp flags !rst,!fin\n", tcp4, DROP, RULE, 0),
    CASE("icmp type echo-request", SETTINGS "drop icmp type echo-request\n", icmp4, DROP, RULE, 0),
    CASE("icmp type echo-reply is not a request", SETTINGS "drop icmp type echo-reply\n", icmp4,
         PASS, POLICY, -1),
    CASE("icmpv6 type 128", SETTINGS "drop icmpv6 type 128\n", icmp6, DROP, RULE, 0),
    CASE("ipv6 later fragment naming an extension header has no protocol",
         SETTINGS "drop proto 60\ndrop ip6 fragment\n", frag6_later_ext, DROP, RULE, 1),
    CASE("icmp type never matches a later fragment",
         SETTINGS "drop icmp type echo-request\ndrop icmp\n", frag4_later_icmp, DROP, RULE, 1),
    CASE("vlan: the outer tag", SETTINGS "drop vlan 200\n", vlan_qinq, DROP, RULE, 0),
    CASE("vlan: not the inner tag", SETTINGS "drop vlan 100\n", vlan_qinq, PASS, POLICY, -1),
    CASE("vlan: 802.1Q", SETTINGS "drop vlan 100\n", vlan_q, DROP, RULE, 0),
    CASE("vlan: untagged never matches", SETTINGS "drop vlan 0\n", udp4, PASS, POLICY, -1),
    CASE("fragment: a first fragment", SETTINGS "drop fragment\n", frag4_first, DROP, RULE, 0),
    CASE("fragment: a later ipv6 fragment", SETTINGS "drop ip6 fragment\n", frag6_later, DROP, RULE,
         0),
    CASE("fragment: not a whole packet", SETTINGS "drop fragment\n", udp4, PASS, POLICY, -1),
    /* udp4: 20 + 8 + 18 bytes of IP packet. */
    CASE("len: exact", SETTINGS "drop len 46\n", udp4, DROP, RULE, 0),
    CASE("len: one above the range", SETTINGS "drop len 20-45\n", udp4, PASS, POLICY, -1),
    CASE("ttl: the builder's 64", SETTINGS "drop ttl 64\n", udp4, DROP, RULE, 0),
    CASE("ttl: range below", SETTINGS "drop ttl 0-63\n", udp4, PASS, POLICY, -1),
    CASE("hoplimit: ipv6", SETTINGS "drop hoplimit 64-255\n", udp6, DROP, RULE, 0),
    CASE("hoplimit never matches ipv4", SETTINGS "drop hoplimit 64\n", udp4, PASS, POLICY, -1),
    /* Sets and lists: an address store, a bitmap per port set. */
    CASE("address set: an IPv4 member", R_SET "drop saddr @b\n", udp4, DROP, RULE, 0,
         .saddr = "198.51.100.77"),
    CASE("address set: not a member", R_SET "drop saddr @b\n", udp4, PASS, POLICY, -1,
         .saddr = "198.51.101.1"),
    CASE("address set: an IPv6 member", R_SET "drop saddr @b\n", udp6, DROP, RULE, 0,
         .saddr = "2001:db8:bad:1::1"),
    CASE("address set: IPv6 with an IPv4 member's bits is not a member", R_SET "drop saddr @b\n",
         udp6, PASS, POLICY, -1, .saddr = "c633:644d::1"),
    CASE("address set: a host entry", R_SET "drop daddr @b\n", tcp4, DROP, RULE, 0,
         .daddr = "203.0.113.7"),
    CASE("address set: != outside", R_SET "drop saddr != @b\n", udp4, DROP, RULE, 0,
         .saddr = "192.0.2.1"),
    CASE("address set: != inside", R_SET "drop saddr != @b\n", udp4, PASS, POLICY, -1,
         .saddr = "198.51.100.1"),
    CASE("address list inline", SETTINGS "drop saddr { 192.0.2.1, 192.0.2.128/25 }\n", udp4, DROP,
         RULE, 0, .saddr = "192.0.2.200"),
    CASE("port list: a member", SETTINGS "drop udp dport { 53, 5353 }\n", udp4, DROP, RULE, 0,
         .dport = 5353),
    CASE("port list: not a member", SETTINGS "drop udp dport { 53, 5353 }\n", udp4, PASS, POLICY,
         -1, .dport = 54),
    CASE("port set: range high edge", R_SET "drop tcp dport @web\n", tcp4, DROP, RULE, 0,
         .dport = 8099),
    CASE("port set: one past the range", R_SET "drop tcp dport @web\n", tcp4, PASS, POLICY, -1,
         .dport = 8100),
    CASE("port set: != never matches a later fragment", R_SET "drop udp dport != @web\n",
         frag4_later, PASS, POLICY, -1),
    CASE("empty set matches nothing", SETTINGS "set e = { }\ndrop saddr @e\n", udp4, PASS, POLICY,
         -1),
    CASE("!= an empty set matches every IP packet", SETTINGS "set e = { }\ndrop saddr != @e\n",
         udp6, DROP, RULE, 0),
    CASE("two rules, two sets, second matches",
         R_SET "drop saddr @b dport @web tcp\ndrop udp dport { 1-100 }\n", udp4, DROP, RULE, 1),
    CASE("every match of a rule must hold",
         SETTINGS "drop udp saddr 192.0.2.1 dport 54\ndrop udp saddr 192.0.2.2 dport 53\n"
                  "drop udp saddr 192.0.2.1 dport 53\n",
         udp4, DROP, RULE, 2),
};

/* ------------------------------------------------------------------------ */
/* Running frames                                                           */

/* One frame through the program, repeat times. */
static void run_frame(const uint8_t *frame, size_t len, uint32_t repeat, uint32_t *retval,
                      uint32_t *duration)
{
	*retval = harness_run(frame, len, repeat, duration);
}

static void zero_counters(int fd, uint32_t entries)
{
	for (uint32_t k = 0; k < entries; k++)
		harness_zero(fd, k);
}

/* Compile rules and write them, then the config, into the maps. */
static void load_rules(const char *name, const char *text, void (*tweak)(struct fw_ruleset *rs))
{
	static struct fw_diag diag;
	uint32_t k;
	int err;

	fw_ruleset_free(ruleset);
	fw_diag_init(&diag, name, NULL);
	err = fw_ruleset_load_mem(name, text, strlen(text), &ruleset, &diag);
	if (err) {
		for (k = 0; k < diag.count; k++)
			print_error("%s:%u:%u: %s\n", name, diag.entries[k].line,
			            diag.entries[k].col, diag.entries[k].msg);
		fail_msg("rules of \"%s\" do not compile: %s", name, strerror(-err));
	}
	if (tweak)
		tweak(ruleset);
	assert_int_equal(fw_ruleset_write(skel, ruleset), 0);
	zero_counters(bpf_map__fd(skel->maps.fw_reason_stats), XDPFW_REASON_MAX);
	zero_counters(bpf_map__fd(skel->maps.fw_rule_stats), XDPFW_COUNTER_SLOTS);
}

static void check_counters(int fd, uint32_t entries, int want_key, uint64_t bytes, const char *what)
{
	uint32_t k;

	for (k = 0; k < entries; k++) {
		struct xdpfw_counter c = harness_counter(fd, k);
		int hit = (int)k == want_key;

		if (c.packets != (hit ? 1u : 0u) || c.bytes != (hit ? bytes : 0))
			fail_msg("%s counter %u: %llu packets, %llu bytes; want %d, %llu", what, k,
			         (unsigned long long)c.packets, (unsigned long long)c.bytes, hit,
			         (unsigned long long)(hit ? bytes : 0));
	}
}

static void run_case(void **state)
{
	const struct bpf_case *c = *state;
	static struct pkt p;
	uint32_t retval;

	load_rules(c->name, c->rules, c->tweak);
	pkt_init(&p);
	c->build(&p, c);
	pkt_finish(&p);
	run_frame(p.data, p.len, 1, &retval, NULL);

	assert_int_not_equal(retval, XDP_ABORTED);
	if (retval != c->verdict)
		fail_msg("verdict %s, want %s", fw_xdp_name(retval), fw_xdp_name(c->verdict));
	check_counters(bpf_map__fd(skel->maps.fw_reason_stats), XDPFW_REASON_MAX, c->reason, p.len,
	               "reason");
	check_counters(bpf_map__fd(skel->maps.fw_rule_stats), XDPFW_COUNTER_SLOTS, c->rule, p.len,
	               "rule");
}

/* ------------------------------------------------------------------------ */
/* The rule limit, and timing                                               */

/* XDPFW_MAX_RULES rules, only the last one matching the frame. */
static char *rules_at_limit(void)
{
	size_t cap = XDPFW_MAX_RULES * 40 + 64, len = 0;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	len += snprintf(s + len, cap - len, "policy drop\n");
	for (i = 0; i < XDPFW_MAX_RULES - 1; i++)
		len += snprintf(s + len, cap - len, "drop udp sport %d\n", 10000 + i);
	snprintf(s + len, cap - len, "pass udp dport 53\n");
	return s;
}

static void test_rule_limit(void **state)
{
	const struct bpf_case c = {
	    .name = "rule limit",
	    .build = udp4,
	    .verdict = XDP_PASS,
	    .reason = XDPFW_REASON_RULE,
	    .rule = XDPFW_MAX_RULES - 1,
	};
	static struct pkt p;
	char *text = rules_at_limit();
	uint32_t retval;

	(void)state;
	load_rules(c.name, text, NULL);
	free(text);
	assert_int_equal(ruleset->config.rule_count, XDPFW_MAX_RULES);
	pkt_init(&p);
	c.build(&p, &c);
	pkt_finish(&p);
	run_frame(p.data, p.len, 1, &retval, NULL);
	assert_int_equal(retval, XDP_PASS);
	check_counters(bpf_map__fd(skel->maps.fw_reason_stats), XDPFW_REASON_MAX, c.reason, p.len,
	               "reason");
	check_counters(bpf_map__fd(skel->maps.fw_rule_stats), XDPFW_COUNTER_SLOTS, c.rule, p.len,
	               "rule");
}

/* Each write fills the idle generation and flips to it: the verdict
 * follows the newest set, and the active generation alternates. */
static void test_generations(void **state)
{
	const struct bpf_case c = {.name = "generations"};
	static struct pkt p;
	uint32_t retval, gen, prev = 0, zero = 0;

	(void)state;
	pkt_init(&p);
	udp4(&p, &c);
	pkt_finish(&p);
	for (int i = 0; i < 4; i++) {
		load_rules(c.name, i % 2 ? SETTINGS "drop udp dport 53\n" : SETTINGS "pass udp\n",
		           NULL);
		assert_int_equal(
		    bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_active), &zero, &gen), 0);
		assert_true(gen < XDPFW_GENERATIONS);
		if (i)
			assert_int_not_equal(gen, prev);
		prev = gen;
		run_frame(p.data, p.len, 1, &retval, NULL);
		assert_int_equal(retval, i % 2 ? XDP_DROP : XDP_PASS);
	}
}

/* A set read from a file compiles to the same store entries as an inline
 * one: members match, the rest does not. */
static void test_file_set(void **state)
{
	const struct bpf_case in = {.name = "file set", .saddr = "203.0.113.9"};
	const struct bpf_case out = {.name = "file set", .saddr = "203.0.113.200"};
	char dir[] = "/tmp/xdpfw-bpf-set.XXXXXX", list[64], text[160];
	static struct pkt p;
	uint32_t retval;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(list, sizeof(list), "%s/list.txt", dir);
	f = fopen(list, "w");
	assert_non_null(f);
	fprintf(f, "# members\n203.0.113.0/25\n2001:db8:bad::/48\n");
	fclose(f);
	snprintf(text, sizeof(text), SETTINGS "set f = file \"%s\"\ndrop saddr @f\n", list);
	load_rules("file set", text, NULL);
	pkt_init(&p);
	udp4(&p, &in);
	pkt_finish(&p);
	run_frame(p.data, p.len, 1, &retval, NULL);
	assert_int_equal(retval, XDP_DROP);
	pkt_init(&p);
	udp4(&p, &out);
	pkt_finish(&p);
	run_frame(p.data, p.len, 1, &retval, NULL);
	assert_int_equal(retval, XDP_PASS);
	unlink(list);
	rmdir(dir);
}

/* A rule counts in its counter slot, which a reload may have kept: not
 * necessarily at its index. */
static void slot_1500(struct fw_ruleset *rs)
{
	rs->rules[0].counter = 1500;
}

static void test_counter_slot(void **state)
{
	const struct bpf_case c = {.name = "counter slot"};
	static struct pkt p;
	uint32_t retval;

	(void)state;
	load_rules(c.name, SETTINGS "drop udp dport 53\n", slot_1500);
	pkt_init(&p);
	udp4(&p, &c);
	pkt_finish(&p);
	run_frame(p.data, p.len, 1, &retval, NULL);
	assert_int_equal(retval, XDP_DROP);
	check_counters(bpf_map__fd(skel->maps.fw_rule_stats), XDPFW_COUNTER_SLOTS, 1500, p.len,
	               "rule");
}

static uint32_t bench_repeat(void)
{
	const char *s = getenv("XDPFW_TEST_BENCH_REPEAT");
	long n = s ? strtol(s, NULL, 10) : 0;

	return n > 0 ? (uint32_t)n : 100000;
}

/* ns/packet for a 60-byte UDP frame matching the last of n rules. */
static void bench_one(const char *label, const char *text)
{
	const struct bpf_case c = {.name = label};
	static struct pkt p;
	uint32_t retval, duration, repeat = bench_repeat();

	load_rules(label, text, NULL);
	pkt_init(&p);
	udp4(&p, &c);
	pkt_pad(&p, 60 - p.len);
	run_frame(p.data, p.len, repeat, &retval, &duration);
	assert_int_equal(retval, XDP_PASS);
	printf("# %s: %u ns/packet (BPF_PROG_TEST_RUN, repeat %u)\n", label, duration, repeat);
}

static void test_timing(void **state)
{
	char *text = rules_at_limit();

	(void)state;
	bench_one("1 rule", "policy drop\npass udp dport 53\n");
	bench_one("1024 rules, last matches", text);
	free(text);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	static const struct CMUnitTest extra[] = {
	    cmocka_unit_test(test_rule_limit),   cmocka_unit_test(test_generations),
	    cmocka_unit_test(test_counter_slot), cmocka_unit_test(test_file_set),
	    cmocka_unit_test(test_timing),
	};
	size_t nextra = sizeof(extra) / sizeof(extra[0]);
	struct CMUnitTest *tests = calloc(n + nextra, sizeof(*tests));
	int ret;

	if (!tests)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	memcpy(tests + n, extra, sizeof(extra));

	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret =
	    _cmocka_run_group_tests("test_bpf", tests, n + nextra, harness_setup, harness_teardown);
	free(tests);
	return ret;
}
