// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_parse.c - xdp/parse.h compiled for the host, against the model
 * (ctl/model.c), on frames BPF_PROG_TEST_RUN cannot carry: super-packets
 * (BIG TCP) of up to 512 KiB, whole, as generic XDP sees them.
 *
 * BPF_PROG_TEST_RUN takes at most about a page for a program without
 * multi-buffer support, so tests/bpf/ stops short of 64 KiB, where the
 * meaning of a 0 length changes. The parser's C is the same here; what the
 * verifier thinks of it is shown by the program loading (tests/bpf/), and
 * the kernel's own super-packets go through it in tests/e2e/test_bigtcp.sh.
 *
 * First fixed cases with the outcome spelled out (both must give it), then
 * random frames of every size up to 512 KiB, with length fields and jumbo
 * options around every boundary and headers corrupted now and then, where
 * parser and model must agree. XDPFW_PARSE_SEED sets the seed (printed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "frame.h"
#include "model.h"
#include "parse.h"

#define BIG_MAX       (512 * 1024) /* GSO_MAX_SIZE: the largest a kernel builds */
#define RANDOM_FRAMES 200000
#define ETH           14
#define IPV6_HDR      40

static uint8_t big[BIG_MAX];

/* The headers of p at the front of big, then filler to len bytes. */
static size_t super(const struct pkt *p, size_t len)
{
	memcpy(big, p->data, p->len);
	memset(big + p->len, 0xab, len - p->len);
	return len;
}

static void tcp_hdr(struct pkt *p)
{
	pkt_tcp(p, 40000, 5001, 0x10 /* ACK */, 0);
}

static void hdr4(struct pkt *p, int vlan)
{
	pkt_init(p);
	pkt_eth(p);
	if (vlan)
		pkt_vlan(p, PKT_TPID_8021Q, 7);
	pkt_ipv4(p, &(struct pkt_ipv4){0});
	tcp_hdr(p);
	pkt_zero_len(p);
}

/* IPv6, with a jumbo option saying jumbo unless it is 0. */
static void hdr6(struct pkt *p, uint32_t jumbo)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv6(p, &(struct pkt_ipv6){0});
	if (jumbo)
		pkt_ipv6_jumbo(p, jumbo);
	tcp_hdr(p);
	pkt_zero_len(p);
}

/* Parser and model on frame: both give want; a packet to classify comes
 * out field for field the same, its len as want_len. */
static void expect(const uint8_t *frame, size_t len, unsigned int want, unsigned int want_len,
                   const char *what)
{
	struct xdpfw_pkt prog, model;
	unsigned int rp, rm;

	rp = parse_frame((void *)frame, (void *)(frame + len), &prog);
	rm = fw_model_parse(frame, len, &model);
	if (rp != want || rm != want)
		fail_msg("%s (%zu bytes): program %s, model %s, want %s", what, len,
		         fw_reason_name(rp), fw_reason_name(rm), fw_reason_name(want));
	if (want != XDPFW_REASON_POLICY)
		return;
	if (memcmp(&prog, &model, sizeof(prog)))
		fail_msg("%s: program and model parse different keys", what);
	if (prog.ip_len != want_len)
		fail_msg("%s: len %u, want %u", what, prog.ip_len, want_len);
	if (prog.proto != 6 || prog.dport != 5001 || !(prog.flags & XDPFW_PKT_PORTS))
		fail_msg("%s: the TCP header was not read", what);
}

static void test_ipv4(void **state)
{
	struct pkt p;

	(void)state;
	hdr4(&p, 0);
	expect(big, super(&p, ETH + 65536), XDPFW_REASON_POLICY, 65535,
	       "total length 0, 65536 bytes of packet");
	expect(big, super(&p, ETH + 65535), XDPFW_REASON_MAL_IPV4_HDR, 0,
	       "total length 0, 65535 bytes: a length could say it");
	expect(big, super(&p, 185000), XDPFW_REASON_POLICY, 65535, "BIG TCP, 185,000 bytes");
	expect(big, super(&p, BIG_MAX), XDPFW_REASON_POLICY, 65535, "512 KiB");
	expect(big, super(&p, 60), XDPFW_REASON_MAL_IPV4_HDR, 0, "total length 0, 60 bytes");

	/* The boundary is in the packet, not the frame: a tag moves it. */
	hdr4(&p, 1);
	expect(big, super(&p, ETH + 4 + 65536), XDPFW_REASON_POLICY, 65535, "tagged, 65536 bytes");
	expect(big, super(&p, ETH + 4 + 65535), XDPFW_REASON_MAL_IPV4_HDR, 0,
	       "tagged, 65535 bytes");

	/* A length that is not 0 holds, however long the frame. */
	hdr4(&p, 0);
	super(&p, 185000);
	big[ETH + 2] = 1000 >> 8;
	big[ETH + 3] = 1000 & 0xff;
	expect(big, 185000, XDPFW_REASON_POLICY, 1000, "total length 1000 in a 185,000-byte frame");
}

static void test_ipv6_jumbo(void **state)
{
	const size_t len = 185000, payload = len - ETH - IPV6_HDR;
	struct pkt p;

	(void)state;
	hdr6(&p, payload);
	expect(big, super(&p, len), XDPFW_REASON_POLICY, 65535, "jumbo, the frame's length");
	hdr6(&p, payload + 1);
	expect(big, super(&p, len), XDPFW_REASON_MAL_IPV6_TRUNC, 0,
	       "jumbo, one byte past the frame");
	hdr6(&p, 65536);
	expect(big, super(&p, len), XDPFW_REASON_POLICY, 65535, "jumbo 65536, the rest a trailer");
	hdr6(&p, 65535);
	expect(big, super(&p, len), XDPFW_REASON_MAL_IPV6_HDR, 0,
	       "jumbo 65535 (RFC 2675: invalid)");
	hdr6(&p, 0xffffffff);
	expect(big, super(&p, len), XDPFW_REASON_MAL_IPV6_TRUNC, 0, "jumbo 2^32 - 1 (no wrap)");
	hdr6(&p, BIG_MAX - ETH - IPV6_HDR);
	expect(big, super(&p, BIG_MAX), XDPFW_REASON_POLICY, 65535, "jumbo, 512 KiB");
}

static void test_ipv6_bare(void **state)
{
	struct pkt p;

	(void)state;
	/* Payload length 0 and no jumbo option, as newer kernels send. */
	hdr6(&p, 0);
	expect(big, super(&p, ETH + IPV6_HDR + 65536), XDPFW_REASON_POLICY, 65535,
	       "payload length 0, 65536 bytes of payload");
	expect(big, super(&p, ETH + IPV6_HDR + 65535), XDPFW_REASON_MAL_L4_TRUNC, 0,
	       "payload length 0, 65535 bytes: an empty payload");
	expect(big, super(&p, 185000), XDPFW_REASON_POLICY, 65535,
	       "payload length 0, 185,000 bytes");

	/* A hop-by-hop header without a jumbo option is walked as usual. */
	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){0});
	pkt_ipv6_ext(&p, 0, 8);
	tcp_hdr(&p);
	pkt_zero_len(&p);
	expect(big, super(&p, 185000), XDPFW_REASON_POLICY, 65535,
	       "hop-by-hop without jumbo, payload length 0");

	/* Longer than 65535 with its length given: len stops at 65535 (it
	 * wrapped to a few bytes once). */
	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv6(&p, &(struct pkt_ipv6){.fix_plen = 1, .payload_len = 65500});
	tcp_hdr(&p);
	pkt_finish(&p);
	expect(big, super(&p, ETH + IPV6_HDR + 65500), XDPFW_REASON_POLICY, 65535,
	       "payload length 65500");
}

/* ------------------------------------------------------------------------ */
/* Random frames                                                            */

static uint64_t rng;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

static void put16(uint8_t *d, uint32_t v)
{
	d[0] = v >> 8;
	d[1] = v & 0xff;
}

/* A frame length near a boundary that matters for a packet at l3: its
 * 16-bit length's end, the headers' end, anywhere up to BIG_MAX. */
static size_t random_len(size_t l3, size_t hdrs)
{
	size_t n;

	switch (below(4)) {
	case 0:
		n = l3 + 65535 + below(3) + (below(2) ? IPV6_HDR : 0);
		break;
	case 1:
		n = hdrs + below(2000);
		break;
	case 2:
		n = hdrs - below(hdrs - ETH + 1);
		break;
	default:
		n = ETH + below(BIG_MAX - ETH + 1);
	}
	return n < ETH ? ETH : n > BIG_MAX ? BIG_MAX : n;
}

/* Headers of a random frame into p: tags, IPv4 or IPv6 (with a jumbo
 * option, a plain hop-by-hop header or neither), TCP, UDP or ICMP. */
static void random_headers(struct pkt *p, int *family, uint32_t *jumbo)
{
	int tags = below(3);

	pkt_init(p);
	pkt_eth(p);
	for (int i = 0; i < tags; i++)
		pkt_vlan(p, PKT_TPID_8021AD, i);
	*family = below(2) ? 4 : 6;
	*jumbo = 0;
	if (*family == 4) {
		pkt_ipv4(p, &(struct pkt_ipv4){.opt_len = below(4) ? 0 : 4 * below(11)});
	} else {
		pkt_ipv6(p, &(struct pkt_ipv6){0});
		if (below(2)) {
			*jumbo = 1;
			pkt_ipv6_jumbo(p, 0);
		} else if (below(4) == 0) {
			pkt_ipv6_ext(p, below(2) ? 0 : 60, 8 * (1 + below(3)));
		}
	}
	switch (below(3)) {
	case 0:
		tcp_hdr(p);
		break;
	case 1:
		pkt_udp(p, 53, 5001);
		break;
	default:
		pkt_icmp(p, 8, 0);
	}
	pkt_zero_len(p);
}

/* The length fields: 0 mostly, or anything 16 bits hold; a jumbo option's
 * value near what the frame holds, near 65535, or anything. */
static void random_lengths(const struct pkt *p, int family, uint32_t jumbo, size_t len)
{
	uint8_t *ip = big + p->l3_off;
	uint32_t rest = len > p->l3_off + IPV6_HDR ? len - p->l3_off - IPV6_HDR : 0;

	if (below(4) == 0)
		put16(ip + (family == 4 ? 2 : 4), below(65536));
	if (!jumbo)
		return;
	switch (below(5)) {
	case 0:
		jumbo = 65535 + below(3);
		break;
	case 1:
		jumbo = rest + below(3) - 1;
		break;
	case 2:
		jumbo = rnd();
		break;
	default:
		jumbo = rest - below(rest + 1);
	}
	put16(ip + IPV6_HDR + 4, jumbo >> 16);
	put16(ip + IPV6_HDR + 6, jumbo & 0xffff);
	if (below(10) == 0) /* another option type, or another length */
		ip[IPV6_HDR + 2 + below(2)] ^= 1 + below(255);
}

static void test_random(void **state)
{
	const char *env = getenv("XDPFW_PARSE_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed;
	unsigned int agreed[XDPFW_REASON_MAX] = {0}, supers = 0;
	struct pkt p;

	(void)state;
	printf("# seed %#llx (XDPFW_PARSE_SEED)\n", (unsigned long long)seed);
	rng = seed | 1;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)rnd();
	for (int n = 0; n < RANDOM_FRAMES; n++) {
		struct xdpfw_pkt prog, model;
		unsigned int rp, rm;
		uint32_t jumbo;
		int family;
		size_t len;

		random_headers(&p, &family, &jumbo);
		len = random_len(p.l3_off, p.len);
		memcpy(big, p.data, p.len);
		random_lengths(&p, family, jumbo, len);
		if (below(20) == 0)
			big[below(p.len)] ^= 1 + below(255);

		rp = parse_frame(big, big + len, &prog);
		rm = fw_model_parse(big, len, &model);
		if (rp != rm || (rp == XDPFW_REASON_POLICY && memcmp(&prog, &model, sizeof(prog))))
			fail_msg("frame %d (%zu bytes): program %s, model %s%s", n, len,
			         fw_reason_name(rp), fw_reason_name(rm),
			         rp == rm ? ", different keys" : "");
		agreed[rp]++;
		supers +=
		    rp == XDPFW_REASON_POLICY && len > p.l3_off + 65575 && prog.ip_len == 65535;
	}
	printf("# %d frames agreed:", RANDOM_FRAMES);
	for (unsigned int r = 0; r < XDPFW_REASON_MAX; r++)
		if (agreed[r])
			printf(" %s %u", fw_reason_name(r), agreed[r]);
	printf(", %u of them super-packets\n", supers);
	/* The random frames must reach the cases this file is about. */
	assert_true(agreed[XDPFW_REASON_POLICY] > RANDOM_FRAMES / 10);
	assert_true(supers > RANDOM_FRAMES / 20);
	assert_true(agreed[XDPFW_REASON_MAL_IPV6_HDR] > 0);
	assert_true(agreed[XDPFW_REASON_MAL_IPV6_TRUNC] > 0);
	assert_true(agreed[XDPFW_REASON_MAL_IPV4_HDR] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6_jumbo),
	    cmocka_unit_test(test_ipv6_bare),
	    cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests_name("test_parse", tests, NULL, NULL);
}
