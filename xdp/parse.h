// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse.h - an Ethernet frame in, a packet key (struct xdpfw_pkt) out.
 *
 * Contract:
 *
 *   __u32 parse_frame(void *data, void *data_end, struct xdpfw_pkt *pkt)
 *
 * zeroes *pkt, fills what it finds and returns
 *   XDPFW_REASON_POLICY  an IPv4/IPv6 packet, ready to classify (POLICY is
 *                        the reason it is counted under unless a rule matches);
 *   XDPFW_REASON_NONIP   an Ethernet frame that carries neither IPv4 nor IPv6;
 *   XDPFW_REASON_MAL_*   the first fault found; *pkt is partial, never classify it.
 *
 * Two ends bound every read. The frame end (data_end) is what the verifier
 * checks; the header end (the IPv4 total length, 40 + the IPv6 payload
 * length) is what the protocol says: a header that crosses it is truncated
 * even when the frame goes on, because bytes past it are Ethernet padding
 * (a 60-byte minimum frame carrying a 40-byte packet) or trailers, not data.
 *
 * Super-packets (BIG TCP). A GSO or GRO packet of more than 64 KiB cannot
 * give its length in 16 bits: Linux sends and merges IPv4 ones with total
 * length 0, and IPv6 ones with payload length 0 and a hop-by-hop header whose
 * first option is a jumbo payload option (RFC 2675; what 6.18 sends), or,
 * in newer kernels, with payload length 0 and nothing else. Generic XDP meets
 * them whole (it runs after GRO and linearizes the skb for this program);
 * native XDP does not. So a length field of 0 means:
 * - IPv6 with a jumbo option first in its hop-by-hop header: the option's
 *   length, which RFC 2675 wants above 65535 (else MAL_IPV6_HDR) and which
 *   must fit in the frame (else MAL_IPV6_TRUNC). An option elsewhere in the
 *   header is not looked for (Linux and RFC 2675's 4n+2 alignment put it
 *   first): such a packet is read as the next case.
 * - IPv4, or IPv6 without that option: the rest of the frame, but only when
 *   the rest is longer than a 16-bit length can say (more than 65535 bytes
 *   of IPv4 packet, of IPv6 payload). Only an aggregate the kernel built
 *   comes that long; no wire frame does, and a driver hands XDP at most a
 *   page. In a shorter frame 0 keeps its plain meaning: IPv4 total length 0
 *   is shorter than its header (MAL_IPV4_HDR), IPv6 payload length 0 is an
 *   empty payload. Any protocol may follow (BIG TCP over a UDP tunnel has an
 *   outer UDP header).
 * pkt->ip_len (16 bits), what `len` rules and byte limits see, is the IP
 * packet's length capped at 65535: a super-packet's len is 65535.
 *
 * - Ethernet, then up to XDPFW_MAX_VLAN_TAGS tags of 802.1Q (0x8100) or
 *   802.1ad (0x88a8) in any order, ids recorded outer first.
 * - IPv4: options skipped. A fragment with offset != 0 gets FRAGMENT and
 *   LATER_FRAG and no L4 parse (its bytes are the middle of someone's
 *   payload); offset 0 with MF is FRAGMENT and parsed normally.
 * - IPv6: hop-by-hop, routing, destination options, AH and fragment headers
 *   are walked, at most XDPFW_MAX_IPV6_EXT of them; proto is the header that
 *   follows them. A later fragment stops the walk with proto = its next
 *   header. Anything else (ESP, no-next-header, unknown numbers) ends the
 *   walk as the protocol, with no ports.
 * - L4 only for the first fragment or a whole packet: TCP (ports, flags,
 *   data offset checked), UDP (ports), ICMP in IPv4 and ICMPv6 in IPv6
 *   (type, code). Ports only for TCP and UDP (XDPFW_PKT_PORTS).
 *
 * The parser never writes the packet and never reads past data_end. It reads
 * the frame's linear part only; the program is not marked for multi-buffer.
 */
#ifndef XDPFW_PARSE_H
#define XDPFW_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpfw.h"

/*
 * Largest offset a header may start at. It gives the verifier an upper
 * bound on every cursor: a packet pointer with a variable offset must stay
 * below 64 KiB (MAX_PACKET_OFF) to be range-checked. No header starts near
 * it: a frame a driver hands to XDP without multi-buffer is at most a page,
 * and in a super-packet (generic XDP, up to 512 KiB) the headers are still
 * at the front. Only its end lies further out, and ends are compared as
 * numbers (frame_len, the packet end), never made into pointers.
 */
#define PARSE_OFF_MAX 0xf000

/*
 * off, still off, but a number the verifier knows no more of than the
 * bounds checks that follow tell it. Chains of fixed-size headers (VLAN
 * tags, IPv6 fragment headers) give exact offsets, each its own verifier
 * state through all the code after it; forgotten here, the paths merge.
 * Two XORs with a value the verifier does not know (the frame length), kept
 * apart by an empty asm so that the compiler does not fold them: two
 * instructions a packet, and the verification of the parser shrinks from
 * about 186,000 instructions to a few thousand (xdp/README.md).
 */
static __always_inline __u32 parse_forget(__u32 off, __u32 salt)
{
	off ^= salt;
	asm volatile("" : "+r"(off));
	return off ^ salt;
}

/* Not in UAPI headers: the 4 bytes a VLAN tag inserts before the ethertype. */
struct parse_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

#define PARSE_VLAN_VID_MASK   0x0fff /* IEEE 802.1Q: low 12 bits of the TCI */
#define PARSE_IP_MF           0x2000 /* RFC 791: more fragments flag */
#define PARSE_IP_OFFSET       0x1fff /* RFC 791: fragment offset, 8-byte units */
#define PARSE_IP6_FRAG_OFFSET 0xfff8 /* RFC 8200 4.5: offset in the top 13 bits */
#define PARSE_IPV6_HDR_LEN    40     /* RFC 8200: fixed header */
#define PARSE_IP_LEN_MAX      0xffff /* RFC 791 total length, RFC 8200 payload length */
#define PARSE_IPV6_OPT_JUMBO  0xc2   /* RFC 2675: jumbo payload option type */
#define PARSE_IPV6_JUMBO_LEN  4      /* RFC 2675: its data, the 32-bit length */
#define PARSE_IPV6_EXT_MIN    8      /* RFC 8200: every extension header */
#define PARSE_TCP_HDR_MIN     20     /* RFC 9293: doff 5 */
#define PARSE_UDP_HDR_LEN     8
#define PARSE_ICMP_HDR_MIN    4 /* type, code, checksum */

struct parse_ctx {
	void *data;
	void *data_end;
	__u32 frame_len;
};

/*
 * size bytes at off, or NULL when they pass limit (the end the protocol
 * gives) or the end of the frame. The scalar test is the meaning, the pointer
 * test is what the verifier needs to accept the read.
 */
static __always_inline void *parse_hdr(const struct parse_ctx *c, __u32 off, __u32 size,
                                       __u32 limit)
{
	void *p;

	if (off > PARSE_OFF_MAX || off + size > limit)
		return NULL;
	p = c->data + off;
	if (p + size > c->data_end)
		return NULL;
	return p;
}

/* Ethernet and VLAN tags. On success *off is the L3 offset, *type its
 * ethertype (network order). */
static __always_inline __u32 parse_eth(const struct parse_ctx *c, struct xdpfw_pkt *pkt, __u32 *off,
                                       __be16 *type)
{
	struct ethhdr *eth;
	int i;

	eth = parse_hdr(c, 0, sizeof(*eth), c->frame_len);
	if (!eth)
		return XDPFW_REASON_MAL_ETH_TRUNC;
	*type = eth->h_proto;
	*off = sizeof(*eth);

	/* One pass more than the limit: it only looks for the tag too many. */
#pragma unroll
	for (i = 0; i <= XDPFW_MAX_VLAN_TAGS; i++) {
		struct parse_vlan_hdr *vh;

		if (*type != bpf_htons(ETH_P_8021Q) && *type != bpf_htons(ETH_P_8021AD))
			break;
		if (i == XDPFW_MAX_VLAN_TAGS)
			return XDPFW_REASON_MAL_VLAN_DEPTH;
		vh = parse_hdr(c, *off, sizeof(*vh), c->frame_len);
		if (!vh)
			return XDPFW_REASON_MAL_ETH_TRUNC;
		pkt->vlan[i] = bpf_ntohs(vh->tci) & PARSE_VLAN_VID_MASK;
		pkt->vlan_count = i + 1;
		*type = vh->proto;
		*off += sizeof(*vh);
	}
	return XDPFW_REASON_POLICY;
}

/* IPv4 header. On success *off is the L4 offset, *end the packet's end. */
static __always_inline __u32 parse_ipv4(const struct parse_ctx *c, struct xdpfw_pkt *pkt,
                                        __u32 *off, __u32 *end)
{
	struct iphdr *ip;
	__u32 hlen, tot;
	__u16 frag;
	__u8 vihl;

	ip = parse_hdr(c, *off, sizeof(*ip), c->frame_len);
	if (!ip)
		return XDPFW_REASON_MAL_IPV4_TRUNC;
	/* Version and IHL by hand: the UAPI bitfields depend on host order. */
	vihl = *(__u8 *)ip;
	if ((vihl >> 4) != 4 || (vihl & 0xf) < 5)
		return XDPFW_REASON_MAL_IPV4_HDR;
	hlen = (vihl & 0xf) * 4;
	if (*off + hlen > c->frame_len)
		return XDPFW_REASON_MAL_IPV4_TRUNC;
	tot = bpf_ntohs(ip->tot_len);
	/* A super-packet (see the top): the header fits, so no underflow. */
	if (tot == 0 && c->frame_len - *off > PARSE_IP_LEN_MAX)
		tot = c->frame_len - *off;
	if (tot < hlen)
		return XDPFW_REASON_MAL_IPV4_HDR;
	if (*off + tot > c->frame_len)
		return XDPFW_REASON_MAL_IPV4_TRUNC;

	pkt->family = XDPFW_FAMILY_IPV4;
	pkt->proto = ip->protocol;
	pkt->ttl = ip->ttl;
	pkt->saddr[0] = ip->saddr;
	pkt->daddr[0] = ip->daddr;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & PARSE_IP_OFFSET)
		pkt->flags |= XDPFW_PKT_FRAGMENT | XDPFW_PKT_LATER_FRAG;
	else if (frag & PARSE_IP_MF)
		pkt->flags |= XDPFW_PKT_FRAGMENT;

	*end = *off + tot;
	*off += hlen;
	return XDPFW_REASON_POLICY;
}

static __always_inline int parse_ipv6_is_ext(__u8 nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return 1;
	}
	return 0;
}

/*
 * The payload length of an IPv6 header at off whose field says 0 (see the
 * top): a jumbo option's, the rest of a frame too long for the field, or 0.
 * The fixed header fits in the frame.
 */
static __always_inline __u32 parse_ipv6_zero_len(const struct parse_ctx *c, __u32 off, __u8 nh,
                                                 __u32 *plen)
{
	__u32 rest = c->frame_len - off - PARSE_IPV6_HDR_LEN;
	__u8 *h;

	*plen = 0;
	if (nh == IPPROTO_HOPOPTS) {
		/* Next header, length, then the first option's type and length. */
		h = parse_hdr(c, off + PARSE_IPV6_HDR_LEN, PARSE_IPV6_EXT_MIN, c->frame_len);
		if (h && h[2] == PARSE_IPV6_OPT_JUMBO && h[3] == PARSE_IPV6_JUMBO_LEN) {
			*plen = bpf_ntohl(*(__be32 *)(h + 4));
			if (*plen <= PARSE_IP_LEN_MAX)
				return XDPFW_REASON_MAL_IPV6_HDR;
			return XDPFW_REASON_POLICY;
		}
	}
	if (rest > PARSE_IP_LEN_MAX)
		*plen = rest;
	return XDPFW_REASON_POLICY;
}

/* IPv6 header and extension headers. On success *off is the L4 offset (or
 * where the walk stopped), *end the packet's end, pkt->proto the protocol. */
static __always_inline __u32 parse_ipv6(const struct parse_ctx *c, struct xdpfw_pkt *pkt,
                                        __u32 *off, __u32 *end)
{
	struct ipv6hdr *ip6;
	__u32 plen, reason;
	__u8 nh;
	int i;

	ip6 = parse_hdr(c, *off, sizeof(*ip6), c->frame_len);
	if (!ip6)
		return XDPFW_REASON_MAL_IPV6_TRUNC;
	if ((*(__u8 *)ip6 >> 4) != 6)
		return XDPFW_REASON_MAL_IPV6_HDR;
	plen = bpf_ntohs(ip6->payload_len);
	if (plen == 0) {
		reason = parse_ipv6_zero_len(c, *off, ip6->nexthdr, &plen);
		if (reason != XDPFW_REASON_POLICY)
			return reason;
	}
	/* Against what is left: a jumbo length is 32 bits and the sum of it
	 * and the offset could wrap. The fixed header fits, so no underflow. */
	if (plen > c->frame_len - *off - PARSE_IPV6_HDR_LEN)
		return XDPFW_REASON_MAL_IPV6_TRUNC;

	pkt->family = XDPFW_FAMILY_IPV6;
	pkt->ttl = ip6->hop_limit;
	__builtin_memcpy(pkt->saddr, &ip6->saddr, sizeof(pkt->saddr));
	__builtin_memcpy(pkt->daddr, &ip6->daddr, sizeof(pkt->daddr));
	nh = ip6->nexthdr;
	/* Where the length came from (the field, a jumbo option, the frame)
	 * matters no more: one verifier state for the walk below. */
	*end = parse_forget(*off + PARSE_IPV6_HDR_LEN + plen, c->frame_len);
	*off += PARSE_IPV6_HDR_LEN;

	for (i = 0; i < XDPFW_MAX_IPV6_EXT; i++) {
		__u8 *h;
		__u32 hlen;

		if (!parse_ipv6_is_ext(nh))
			break;
		*off = parse_forget(*off, c->frame_len);
		/* First 8 bytes: next header, length, and the fragment fields. */
		h = parse_hdr(c, *off, PARSE_IPV6_EXT_MIN, *end);
		if (!h)
			return XDPFW_REASON_MAL_IPV6_EXT_TRUNC;
		if (nh == IPPROTO_FRAGMENT) {
			hlen = PARSE_IPV6_EXT_MIN;
			pkt->flags |= XDPFW_PKT_FRAGMENT;
			if (bpf_ntohs(*(__be16 *)(h + 2)) & PARSE_IP6_FRAG_OFFSET) {
				pkt->flags |= XDPFW_PKT_LATER_FRAG;
				nh = h[0];
				*off += hlen;
				pkt->proto = nh;
				if (parse_ipv6_is_ext(nh))
					pkt->flags |= XDPFW_PKT_NO_PROTO;
				return XDPFW_REASON_POLICY;
			}
		} else if (nh == IPPROTO_AH) {
			hlen = ((__u32)h[1] + 2) * 4; /* RFC 4302: 4-byte units, minus 2 */
		} else {
			hlen = ((__u32)h[1] + 1) * 8; /* RFC 8200: 8-byte units, minus 1 */
		}
		if (*off + hlen > *end)
			return XDPFW_REASON_MAL_IPV6_EXT_TRUNC;
		nh = h[0];
		*off += hlen;
	}
	if (parse_ipv6_is_ext(nh))
		return XDPFW_REASON_MAL_IPV6_EXT_CHAIN;
	pkt->proto = nh;
	return XDPFW_REASON_POLICY;
}

/* TCP, UDP, ICMP, ICMPv6 at off, within end. */
static __always_inline __u32 parse_l4(const struct parse_ctx *c, struct xdpfw_pkt *pkt, __u32 off,
                                      __u32 end)
{
	__u8 *l4;

	if (pkt->flags & XDPFW_PKT_LATER_FRAG)
		return XDPFW_REASON_POLICY;

	switch (pkt->proto) {
	case IPPROTO_TCP: {
		__u32 doff;

		l4 = parse_hdr(c, off, PARSE_TCP_HDR_MIN, end);
		if (!l4)
			return XDPFW_REASON_MAL_L4_TRUNC;
		doff = l4[12] >> 4; /* RFC 9293: data offset, 32-bit words */
		if (doff < 5)
			return XDPFW_REASON_MAL_TCP_DOFF;
		if (off + doff * 4 > end)
			return XDPFW_REASON_MAL_L4_TRUNC;
		pkt->tcp_flags = l4[13];
		break;
	}
	case IPPROTO_UDP:
		l4 = parse_hdr(c, off, PARSE_UDP_HDR_LEN, end);
		if (!l4)
			return XDPFW_REASON_MAL_L4_TRUNC;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP only in IPv4, ICMPv6 only in IPv6: otherwise just a number. */
		if ((pkt->proto == IPPROTO_ICMP) != (pkt->family == XDPFW_FAMILY_IPV4))
			return XDPFW_REASON_POLICY;
		l4 = parse_hdr(c, off, PARSE_ICMP_HDR_MIN, end);
		if (!l4)
			return XDPFW_REASON_MAL_L4_TRUNC;
		pkt->icmp_type = l4[0];
		pkt->icmp_code = l4[1];
		return XDPFW_REASON_POLICY;
	default:
		return XDPFW_REASON_POLICY;
	}
	/* TCP and UDP both start with source and destination port. */
	pkt->sport = bpf_ntohs(*(__be16 *)l4);
	pkt->dport = bpf_ntohs(*(__be16 *)(l4 + 2));
	pkt->flags |= XDPFW_PKT_PORTS;
	return XDPFW_REASON_POLICY;
}

/*
 * The frame most traffic is: untagged IPv4 without options or fragments,
 * carrying TCP or UDP whose header is all there. Fixed offsets and one
 * bounds check; 1 when it is such a frame, with *pkt filled exactly as the
 * general way below fills it (tests/bpf/test_diff.c compares both with the
 * model), else 0 and nothing read is kept: the general way decides, and
 * finds the reason of a fault. Less than half the instructions a packet.
 */
static __always_inline int parse_fast(const struct parse_ctx *c, struct xdpfw_pkt *pkt)
{
	struct ethhdr *eth = c->data;
	struct iphdr *ip = c->data + sizeof(*eth);
	__u8 *l4 = c->data + sizeof(*eth) + sizeof(*ip);
	__u32 tot, doff;

	if ((void *)(l4 + PARSE_TCP_HDR_MIN) > c->data_end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || *(__u8 *)ip != 0x45 /* version 4, IHL 5 */ ||
	    (ip->frag_off & bpf_htons(PARSE_IP_MF | PARSE_IP_OFFSET)))
		return 0;
	tot = bpf_ntohs(ip->tot_len);
	if (sizeof(*eth) + tot > c->frame_len)
		return 0;
	if (ip->protocol == IPPROTO_TCP) {
		doff = l4[12] >> 4;
		if (doff < 5 || sizeof(*ip) + doff * 4 > tot)
			return 0;
		pkt->tcp_flags = l4[13];
	} else if (ip->protocol != IPPROTO_UDP || tot < sizeof(*ip) + PARSE_UDP_HDR_LEN) {
		return 0;
	}
	pkt->family = XDPFW_FAMILY_IPV4;
	pkt->proto = ip->protocol;
	pkt->ttl = ip->ttl;
	pkt->ip_len = tot;
	pkt->saddr[0] = ip->saddr;
	pkt->daddr[0] = ip->daddr;
	pkt->sport = bpf_ntohs(*(__be16 *)l4);
	pkt->dport = bpf_ntohs(*(__be16 *)(l4 + 2));
	pkt->flags = XDPFW_PKT_PORTS;
	return 1;
}

static __always_inline __u32 parse_frame(void *data, void *data_end, struct xdpfw_pkt *pkt)
{
	struct parse_ctx c = {
	    .data = data,
	    .data_end = data_end,
	    .frame_len = data_end - data,
	};
	__u32 reason, off = 0, end = 0, l3, len;
	__be16 type = 0;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	if (parse_fast(&c, pkt))
		return XDPFW_REASON_POLICY;
	reason = parse_eth(&c, pkt, &off, &type);
	if (reason != XDPFW_REASON_POLICY)
		return reason;
	l3 = off;
	if (type == bpf_htons(ETH_P_IP))
		reason = parse_ipv4(&c, pkt, &off, &end);
	else if (type == bpf_htons(ETH_P_IPV6))
		reason = parse_ipv6(&c, pkt, &off, &end);
	else
		return XDPFW_REASON_NONIP;
	if (reason != XDPFW_REASON_POLICY)
		return reason;
	reason = parse_l4(&c, pkt, off, end);
	/* Capped here, once: a fork this late costs the verifier two short
	 * paths, not two walks of the extension headers and L4. */
	len = end - l3;
	pkt->ip_len = len > PARSE_IP_LEN_MAX ? PARSE_IP_LEN_MAX : len;
	return reason;
}

#endif /* XDPFW_PARSE_H */
