// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * model.c - the reference model of model.h: a frame and a compiled rule set
 * in, the verdict out, in the plainest C we can write. It reads like the
 * specification of the data plane, and is kept that way: byte offsets from
 * the RFCs, one check per line, in the order the program makes them, since
 * the first fault found is the one a frame is counted under.
 *
 * Two ends bound every header. The frame end is where the bytes stop. The
 * packet end is what the IP header claims (IPv4 total length, 40 + the IPv6
 * payload length): a header that crosses it is cut short even when the
 * frame goes on, because the bytes after it are Ethernet padding or a
 * trailer, not the packet.
 *
 * A length field of 0 may mean a super-packet (BIG TCP: GSO/GRO aggregates
 * beyond 64 KiB, which generic XDP sees whole): IPv6 with a jumbo option
 * first in its hop-by-hop header takes the option's length (RFC 2675: above
 * 65535); IPv4, and IPv6 without that option, take the rest of the frame
 * when the rest is longer than 16 bits can say. xdp/parse.h gives the why.
 */
#include <string.h>
#include <arpa/inet.h>

#include "model.h"

/* Ethertypes and IP protocol numbers (IANA registries). */
#define ETH_HLEN         14
#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_IPV6   0x86dd
#define ETHERTYPE_8021Q  0x8100 /* VLAN tag */
#define ETHERTYPE_8021AD 0x88a8 /* service VLAN tag (QinQ outer) */
#define VLAN_TAG_LEN     4
#define VLAN_VID_MASK    0x0fff /* IEEE 802.1Q: the low 12 bits of the TCI */

#define PROTO_HOPOPTS  0
#define PROTO_ICMP     1
#define PROTO_TCP      6
#define PROTO_UDP      17
#define PROTO_ROUTING  43
#define PROTO_FRAGMENT 44
#define PROTO_AH       51
#define PROTO_ICMPV6   58
#define PROTO_DSTOPTS  60

#define IPV4_HLEN_MIN    20     /* RFC 791: IHL 5 */
#define IPV4_FRAG_MF     0x2000 /* RFC 791: more fragments */
#define IPV4_FRAG_OFFSET 0x1fff /* RFC 791: offset in 8-byte units */
#define IPV6_HLEN        40     /* RFC 8200: the fixed header */
#define IPV6_EXT_MIN     8      /* RFC 8200: every extension header */
#define IPV6_FRAG_OFFSET 0xfff8 /* RFC 8200 4.5: offset in the top 13 bits */
#define IP_LEN_MAX       0xffff /* RFC 791 total length, RFC 8200 payload length */
#define IPV6_OPT_JUMBO   0xc2   /* RFC 2675: the jumbo payload option's type */
#define IPV6_JUMBO_LEN   4      /* RFC 2675: its data, a 32-bit length */
#define TCP_HLEN_MIN     20     /* RFC 9293: data offset 5 */
#define UDP_HLEN         8      /* RFC 768 */
#define ICMP_HLEN_MIN    4      /* type, code, checksum */

/*
 * The program gives up on a header that starts past this offset (xdp/parse.h
 * needs the bound for the verifier). No frame a driver hands to XDP in one
 * buffer comes near it, so it never decides anything real; it is here so
 * the model has no case the program lacks.
 */
#define HDR_OFF_MAX 0xf000

/* The frame being read: its bytes, where they stop. */
struct frame {
	const unsigned char *data;
	size_t len;
};

/* Does a header of size bytes at off lie wholly before end (the frame's or
 * the packet's end, whichever the caller says bounds it)? */
static int fits(size_t off, size_t size, size_t end)
{
	return off <= HDR_OFF_MAX && off + size <= end;
}

static unsigned int get16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p)
{
	return (unsigned long)get16(p) << 16 | get16(p + 2);
}

/* The IP packet's length as rules see it: 16 bits, so a super-packet's is
 * 65535. */
static unsigned int rule_len(size_t len)
{
	return len > IP_LEN_MAX ? IP_LEN_MAX : len;
}

/*
 * Ethernet, then at most XDPFW_MAX_VLAN_TAGS VLAN tags (802.1Q or 802.1ad,
 * any order). *off becomes the L3 offset and *type its ethertype.
 */
static unsigned int parse_ethernet(const struct frame *f, struct xdpfw_pkt *pkt, size_t *off,
                                   unsigned int *type)
{
	if (!fits(0, ETH_HLEN, f->len))
		return XDPFW_REASON_MAL_ETH_TRUNC;
	*type = get16(f->data + 12);
	*off = ETH_HLEN;

	while (*type == ETHERTYPE_8021Q || *type == ETHERTYPE_8021AD) {
		/* A third tag is refused on sight, whether or not its bytes
		 * are there. */
		if (pkt->vlan_count == XDPFW_MAX_VLAN_TAGS)
			return XDPFW_REASON_MAL_VLAN_DEPTH;
		if (!fits(*off, VLAN_TAG_LEN, f->len))
			return XDPFW_REASON_MAL_ETH_TRUNC;
		pkt->vlan[pkt->vlan_count++] = get16(f->data + *off) & VLAN_VID_MASK;
		*type = get16(f->data + *off + 2);
		*off += VLAN_TAG_LEN;
	}
	return XDPFW_REASON_POLICY;
}

/*
 * IPv4 (RFC 791). *off moves from the IP header to the L4 header; *end
 * becomes the end of the packet (header offset + total length).
 */
static unsigned int parse_ipv4(const struct frame *f, struct xdpfw_pkt *pkt, size_t *off,
                               size_t *end)
{
	const unsigned char *ip = f->data + *off;
	unsigned int version, hlen, frag;
	size_t total;

	if (!fits(*off, IPV4_HLEN_MIN, f->len))
		return XDPFW_REASON_MAL_IPV4_TRUNC;
	version = ip[0] >> 4;
	hlen = (ip[0] & 0x0f) * 4;
	if (version != 4 || hlen < IPV4_HLEN_MIN)
		return XDPFW_REASON_MAL_IPV4_HDR;
	if (*off + hlen > f->len)
		return XDPFW_REASON_MAL_IPV4_TRUNC; /* options cut short */
	total = get16(ip + 2);
	/* 0 in a frame longer than any IPv4 packet: a super-packet, as long
	 * as the frame. */
	if (total == 0 && f->len - *off > IP_LEN_MAX)
		total = f->len - *off;
	if (total < hlen)
		return XDPFW_REASON_MAL_IPV4_HDR; /* shorter than its header */
	if (*off + total > f->len)
		return XDPFW_REASON_MAL_IPV4_TRUNC; /* the packet goes past the frame */

	pkt->family = XDPFW_FAMILY_IPV4;
	pkt->ttl = ip[8];
	pkt->proto = ip[9];
	pkt->ip_len = rule_len(total);
	memcpy(&pkt->saddr[0], ip + 12, 4); /* stays in network order */
	memcpy(&pkt->daddr[0], ip + 16, 4);

	/* A later fragment (offset != 0) is the middle of a datagram: no L4
	 * header to read. The first one (offset 0, more fragments) has it. */
	frag = get16(ip + 6);
	if (frag & IPV4_FRAG_OFFSET)
		pkt->flags |= XDPFW_PKT_FRAGMENT | XDPFW_PKT_LATER_FRAG;
	else if (frag & IPV4_FRAG_MF)
		pkt->flags |= XDPFW_PKT_FRAGMENT;

	*end = *off + total;
	*off += hlen;
	return XDPFW_REASON_POLICY;
}

/* The IPv6 extension headers the program walks past (RFC 8200 4, RFC 4302).
 * Anything else, ESP and no-next-header included, is the protocol. */
static int ipv6_is_extension(unsigned int nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_DSTOPTS ||
	       nh == PROTO_AH || nh == PROTO_FRAGMENT;
}

/*
 * The payload length of the IPv6 header at off when its field says 0, into
 * *plen: a jumbo option's (RFC 2675), the rest of a frame too long for the
 * field (a super-packet without one, as newer kernels send), or just 0.
 */
static unsigned int ipv6_zero_len(const struct frame *f, size_t off, size_t *plen)
{
	const unsigned char *hbh = f->data + off + IPV6_HLEN;
	size_t rest = f->len - off - IPV6_HLEN;

	*plen = 0;
	/* Looked for as the first option only, where Linux puts it. */
	if (f->data[off + 6] == PROTO_HOPOPTS && fits(off + IPV6_HLEN, IPV6_EXT_MIN, f->len) &&
	    hbh[2] == IPV6_OPT_JUMBO && hbh[3] == IPV6_JUMBO_LEN) {
		*plen = get32(hbh + 4);
		/* RFC 2675: a jumbogram is longer than 65535, or invalid. */
		if (*plen <= IP_LEN_MAX)
			return XDPFW_REASON_MAL_IPV6_HDR;
		return XDPFW_REASON_POLICY;
	}
	if (rest > IP_LEN_MAX)
		*plen = rest;
	return XDPFW_REASON_POLICY;
}

/*
 * IPv6 (RFC 8200) and up to XDPFW_MAX_IPV6_EXT extension headers, every one
 * within the payload length. pkt->proto is the header after them; *off
 * where it starts, *end the end of the packet.
 */
static unsigned int parse_ipv6(const struct frame *f, struct xdpfw_pkt *pkt, size_t *off,
                               size_t *end)
{
	const unsigned char *ip = f->data + *off;
	unsigned int nh, walked, reason;
	size_t plen;

	if (!fits(*off, IPV6_HLEN, f->len))
		return XDPFW_REASON_MAL_IPV6_TRUNC;
	if ((ip[0] >> 4) != 6)
		return XDPFW_REASON_MAL_IPV6_HDR;
	plen = get16(ip + 4);
	if (plen == 0) {
		reason = ipv6_zero_len(f, *off, &plen);
		if (reason != XDPFW_REASON_POLICY)
			return reason;
	}
	/* Against what is left, as the program must (a 32-bit jumbo length
	 * would wrap its sum). */
	if (plen > f->len - *off - IPV6_HLEN)
		return XDPFW_REASON_MAL_IPV6_TRUNC; /* payload past the frame */
	*end = *off + IPV6_HLEN + plen;

	pkt->family = XDPFW_FAMILY_IPV6;
	pkt->ttl = ip[7];
	pkt->ip_len = rule_len(IPV6_HLEN + plen);
	memcpy(pkt->saddr, ip + 8, 16);
	memcpy(pkt->daddr, ip + 24, 16);
	nh = ip[6];
	*off += IPV6_HLEN;

	for (walked = 0; walked < XDPFW_MAX_IPV6_EXT && ipv6_is_extension(nh); walked++) {
		const unsigned char *h = f->data + *off;
		size_t hlen;

		/* Every extension header starts with next header and length,
		 * in at least 8 bytes. */
		if (!fits(*off, IPV6_EXT_MIN, *end))
			return XDPFW_REASON_MAL_IPV6_EXT_TRUNC;
		if (nh == PROTO_FRAGMENT) {
			pkt->flags |= XDPFW_PKT_FRAGMENT;
			if (get16(h + 2) & IPV6_FRAG_OFFSET) {
				/* A later fragment: what follows is the middle
				 * of the payload, so the walk ends here and the
				 * protocol is what this header names. */
				pkt->flags |= XDPFW_PKT_LATER_FRAG;
				pkt->proto = h[0];
				/* ...unless it names another extension header:
				 * then there is no protocol to match. */
				if (ipv6_is_extension(h[0]))
					pkt->flags |= XDPFW_PKT_NO_PROTO;
				*off += IPV6_EXT_MIN;
				return XDPFW_REASON_POLICY;
			}
			hlen = IPV6_EXT_MIN;
		} else if (nh == PROTO_AH) {
			hlen = (h[1] + 2) * 4; /* RFC 4302: 4-byte units, minus 2 */
		} else {
			hlen = (h[1] + 1) * 8; /* RFC 8200: 8-byte units, minus 1 */
		}
		if (*off + hlen > *end)
			return XDPFW_REASON_MAL_IPV6_EXT_TRUNC;
		nh = h[0];
		*off += hlen;
	}
	/* Still an extension header after the bound: too long a chain. */
	if (ipv6_is_extension(nh))
		return XDPFW_REASON_MAL_IPV6_EXT_CHAIN;
	pkt->proto = nh;
	return XDPFW_REASON_POLICY;
}

/*
 * The L4 header at off, within the packet end: ports of TCP and UDP, flags of
 * TCP, type and code of ICMP (in IPv4) and ICMPv6 (in IPv6). Other protocols
 * are classified by number alone.
 */
static unsigned int parse_l4(const struct frame *f, struct xdpfw_pkt *pkt, size_t off, size_t end)
{
	const unsigned char *l4 = f->data + off;

	if (pkt->flags & XDPFW_PKT_LATER_FRAG)
		return XDPFW_REASON_POLICY; /* no header in a later fragment */

	switch (pkt->proto) {
	case PROTO_TCP:
		if (!fits(off, TCP_HLEN_MIN, end))
			return XDPFW_REASON_MAL_L4_TRUNC;
		/* Data offset: the header length in 32-bit words. */
		if ((l4[12] >> 4) < 5)
			return XDPFW_REASON_MAL_TCP_DOFF;
		if (off + (l4[12] >> 4) * 4u > end)
			return XDPFW_REASON_MAL_L4_TRUNC; /* options cut short */
		pkt->tcp_flags = l4[13];
		break;
	case PROTO_UDP:
		if (!fits(off, UDP_HLEN, end))
			return XDPFW_REASON_MAL_L4_TRUNC;
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* ICMP belongs to IPv4 and ICMPv6 to IPv6; crossed over, the
		 * number is just a protocol and its bytes are not read. */
		if ((pkt->proto == PROTO_ICMP) != (pkt->family == XDPFW_FAMILY_IPV4))
			return XDPFW_REASON_POLICY;
		if (!fits(off, ICMP_HLEN_MIN, end))
			return XDPFW_REASON_MAL_L4_TRUNC;
		pkt->icmp_type = l4[0];
		pkt->icmp_code = l4[1];
		return XDPFW_REASON_POLICY;
	default:
		return XDPFW_REASON_POLICY;
	}
	/* TCP and UDP both begin with the source and destination port. */
	pkt->sport = get16(l4);
	pkt->dport = get16(l4 + 2);
	pkt->flags |= XDPFW_PKT_PORTS;
	return XDPFW_REASON_POLICY;
}

unsigned int fw_model_parse(const void *frame, size_t len, struct xdpfw_pkt *pkt)
{
	struct frame f = {.data = frame, .len = len};
	size_t off = 0, end = 0;
	unsigned int type = 0, reason;

	memset(pkt, 0, sizeof(*pkt));
	reason = parse_ethernet(&f, pkt, &off, &type);
	if (reason != XDPFW_REASON_POLICY)
		return reason;
	if (type == ETHERTYPE_IPV4)
		reason = parse_ipv4(&f, pkt, &off, &end);
	else if (type == ETHERTYPE_IPV6)
		reason = parse_ipv6(&f, pkt, &off, &end);
	else
		return XDPFW_REASON_NONIP;
	if (reason != XDPFW_REASON_POLICY)
		return reason;
	return parse_l4(&f, pkt, off, end);
}

/* Address within prefix: every bit the mask keeps equals the rule's. An
 * IPv4 prefix has zero masks past word 0; the rule's family test is what
 * keeps it off IPv6 packets. */
static int prefix_match(const struct xdpfw_prefix *p, const __u32 *addr)
{
	for (int i = 0; i < 4; i++)
		if ((addr[i] & p->mask[i]) != p->addr[i])
			return 0;
	return 1;
}

static int in_range(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v >= lo && v <= hi;
}

/* `!=` inverts whether the value is in the prefix or range, nothing else. */
static int negated(const struct xdpfw_rule *r, __u32 bit, int hit)
{
	return (r->negate & bit) ? !hit : hit;
}

/* A rule matches when each field its match bits name does. */
static int rule_match(const struct fw_ruleset *rs, const struct xdpfw_rule *r,
                      const struct xdpfw_pkt *pkt)
{
	int ports = pkt->flags & XDPFW_PKT_PORTS;
	int ip = pkt->family != XDPFW_FAMILY_NONE;

	if ((r->match & XDPFW_M_FAMILY) && pkt->family != r->family)
		return 0;
	if ((r->match & XDPFW_M_PROTO) &&
	    (pkt->proto != r->proto || (pkt->flags & XDPFW_PKT_NO_PROTO)))
		return 0;
	/* An address test of any kind, negated or not, needs an IP address. */
	if ((r->match & (XDPFW_M_SADDR | XDPFW_M_DADDR)) && pkt->family == XDPFW_FAMILY_NONE)
		return 0;
	if ((r->match & XDPFW_M_SADDR) &&
	    !negated(r, XDPFW_M_SADDR, prefix_match(&r->saddr, pkt->saddr)))
		return 0;
	if ((r->match & XDPFW_M_DADDR) &&
	    !negated(r, XDPFW_M_DADDR, prefix_match(&r->daddr, pkt->daddr)))
		return 0;
	/* Ports and TCP flags exist only where the L4 header was read. */
	if ((r->match & XDPFW_M_SPORT) &&
	    !(ports && negated(r, XDPFW_M_SPORT, in_range(pkt->sport, r->sport_lo, r->sport_hi))))
		return 0;
	if ((r->match & XDPFW_M_DPORT) &&
	    !(ports && negated(r, XDPFW_M_DPORT, in_range(pkt->dport, r->dport_lo, r->dport_hi))))
		return 0;
	if ((r->match & XDPFW_M_TCPFLAGS) &&
	    !(ports && (pkt->tcp_flags & r->tcp_flags_mask) == r->tcp_flags_value))
		return 0;
	/* An ICMP header is read unless the packet is a later fragment. */
	if ((r->match & XDPFW_M_ICMPTYPE) &&
	    ((pkt->flags & XDPFW_PKT_LATER_FRAG) || pkt->icmp_type != r->icmp_type))
		return 0;
	if ((r->match & XDPFW_M_VLAN) && !(pkt->vlan_count > 0 && pkt->vlan[0] == r->vlan))
		return 0;
	if ((r->match & XDPFW_M_FRAGMENT) && !(pkt->flags & XDPFW_PKT_FRAGMENT))
		return 0;
	if ((r->match & XDPFW_M_LEN) && !in_range(pkt->ip_len, r->len_lo, r->len_hi))
		return 0;
	if ((r->match & XDPFW_M_TTL) && !in_range(pkt->ttl, r->ttl_lo, r->ttl_hi))
		return 0;
	/* Sets: the same preconditions as a single address or port. */
	if ((r->match & XDPFW_M_SADDR_SET) &&
	    !(ip && negated(r, XDPFW_M_SADDR_SET,
	                    fw_ruleset_addr_in_set(rs, r->saddr_set, pkt->family, pkt->saddr))))
		return 0;
	if ((r->match & XDPFW_M_DADDR_SET) &&
	    !(ip && negated(r, XDPFW_M_DADDR_SET,
	                    fw_ruleset_addr_in_set(rs, r->daddr_set, pkt->family, pkt->daddr))))
		return 0;
	if ((r->match & XDPFW_M_SPORT_SET) &&
	    !(ports &&
	      negated(r, XDPFW_M_SPORT_SET, fw_ruleset_port_in_set(rs, r->sport_set, pkt->sport))))
		return 0;
	if ((r->match & XDPFW_M_DPORT_SET) &&
	    !(ports &&
	      negated(r, XDPFW_M_DPORT_SET, fw_ruleset_port_in_set(rs, r->dport_set, pkt->dport))))
		return 0;
	return 1;
}

bool fw_model_all_over(const struct fw_ruleset *rs, int rule, const struct xdpfw_pkt *pkt,
                       void *arg)
{
	(void)rs;
	(void)rule;
	(void)pkt;
	(void)arg;
	return true;
}

int fw_model_classify_limits(const struct fw_ruleset *rs, const struct xdpfw_pkt *pkt,
                             fw_model_over_fn over, void *arg, int *limited)
{
	__u32 n = rs->config.rule_count;

	if (limited)
		*limited = -1;
	/* The program never reads past its map, whatever the count says. */
	if (n > XDPFW_MAX_RULES)
		n = XDPFW_MAX_RULES;
	for (__u32 i = 0; i < n; i++) {
		if (!rule_match(rs, &rs->rules[i], pkt))
			continue;
		if (!(rs->rules[i].flags & XDPFW_RULE_LIMIT))
			return (int)i;
		if (limited && *limited < 0)
			*limited = (int)i;
		/* Within the budget the rule does not match: on to the next. */
		if (over && over(rs, (int)i, pkt, arg))
			return (int)i;
	}
	return -1;
}

int fw_model_classify(const struct fw_ruleset *rs, const struct xdpfw_pkt *pkt)
{
	return fw_model_classify_limits(rs, pkt, NULL, NULL, NULL);
}

/* Anything but an explicit drop passes: a zeroed setting must not cut a
 * link (xdp/counters.h). */
static enum xdpfw_action action_of(unsigned int setting)
{
	return setting == XDPFW_ACT_DROP ? XDPFW_ACT_DROP : XDPFW_ACT_PASS;
}

enum xdpfw_action fw_model_verdict_limits(const struct fw_ruleset *rs, const void *frame,
                                          size_t len, fw_model_over_fn over, void *arg,
                                          struct fw_model_result *res)
{
	const struct xdpfw_config *cfg = &rs->config;

	res->rule = -1;
	res->limited = -1;
	res->reason = fw_model_parse(frame, len, &res->pkt);
	if (res->reason == XDPFW_REASON_POLICY)
		res->rule = fw_model_classify_limits(rs, &res->pkt, over, arg, &res->limited);

	if (res->rule >= 0) {
		res->reason = XDPFW_REASON_RULE;
		res->action = action_of(rs->rules[res->rule].action);
	} else if (res->reason == XDPFW_REASON_POLICY) {
		res->action = action_of(cfg->policy);
	} else if (res->reason == XDPFW_REASON_NONIP) {
		res->action = action_of(cfg->nonip);
	} else {
		res->action = action_of(cfg->malformed);
	}
	return res->action;
}

enum xdpfw_action fw_model_verdict(const struct fw_ruleset *rs, const void *frame, size_t len,
                                   struct fw_model_result *res)
{
	return fw_model_verdict_limits(rs, frame, len, NULL, NULL, res);
}

int fw_model_unknown_match(const struct fw_ruleset *rs)
{
	for (__u32 i = 0; i < rs->config.rule_count && i < XDPFW_MAX_RULES; i++)
		if (rs->rules[i].match & ~(__u32)FW_MODEL_MATCHES)
			return (int)i;
	return -1;
}

#define STR_(x) #x
#define STR(x)  STR_(x)

static const char *const reason_texts[] = {
    [XDPFW_REASON_RULE] = "a rule matched",
    [XDPFW_REASON_POLICY] = "no rule matched",
    [XDPFW_REASON_NONIP] = "neither IPv4 nor IPv6",
    [XDPFW_REASON_MAL_ETH_TRUNC] = "the Ethernet header or a VLAN tag is cut short",
    [XDPFW_REASON_MAL_VLAN_DEPTH] = "more than two VLAN tags",
    [XDPFW_REASON_MAL_IPV4_TRUNC] =
        "the IPv4 header, its options or its total length go past the frame",
    [XDPFW_REASON_MAL_IPV4_HDR] =
        "IPv4 version is not 4, IHL is below 5, or the total length is below the header length",
    [XDPFW_REASON_MAL_IPV6_TRUNC] =
        "the IPv6 header or its payload length (or jumbo payload length) go past the frame",
    [XDPFW_REASON_MAL_IPV6_HDR] =
        "IPv6 version is not 6, or a jumbo payload length is 65535 or less",
    [XDPFW_REASON_MAL_IPV6_EXT_TRUNC] = "an IPv6 extension header goes past the payload",
    [XDPFW_REASON_MAL_IPV6_EXT_CHAIN] =
        "more IPv6 extension headers than the program walks (" STR(XDPFW_MAX_IPV6_EXT) ")",
    [XDPFW_REASON_MAL_L4_TRUNC] = "the TCP, UDP or ICMP header goes past the packet",
    [XDPFW_REASON_MAL_TCP_DOFF] = "TCP data offset is below 5",
};
_Static_assert(sizeof(reason_texts) / sizeof(reason_texts[0]) == XDPFW_REASON_MAX,
               "one text per enum xdpfw_reason");

const char *fw_model_reason_text(unsigned int reason)
{
	if (reason < XDPFW_REASON_MAX && reason_texts[reason])
		return reason_texts[reason];
	return "unknown reason";
}
