// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frame.c - the frame builder of frame.h. Fields are written byte by byte in
 * network order, so nothing depends on host structs or their padding.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_TCP      6
#define PROTO_UDP      17
#define PROTO_ICMP     1
#define PROTO_ICMPV6   58
#define PROTO_NONE     59 /* RFC 8200: no next header */

static void pkt_bug(const char *what)
{
	fprintf(stderr, "pkt: %s\n", what);
	abort();
}

/* Append n bytes (zeroed) and return where they start. */
static uint8_t *pkt_put(struct pkt *p, size_t n)
{
	uint8_t *d;

	if (p->finished)
		pkt_bug("layer added after pkt_finish()");
	if (n > PKT_MAX - p->len)
		pkt_bug("frame larger than PKT_MAX");
	d = p->data + p->len;
	memset(d, 0, n);
	p->len += n;
	return d;
}

static void put16(uint8_t *d, uint16_t v)
{
	d[0] = v >> 8;
	d[1] = v & 0xff;
}

static void put32(uint8_t *d, uint32_t v)
{
	put16(d, v >> 16);
	put16(d + 2, v & 0xffff);
}

/* Fill the open type field and close it. */
static void pkt_set_type(struct pkt *p, uint16_t v)
{
	if (p->type_size == 2)
		put16(p->data + p->type_off, v);
	else if (p->type_size == 1)
		p->data[p->type_off] = v;
	else
		pkt_bug("no open type field for this layer");
	p->type_size = 0;
}

static void pkt_open_type(struct pkt *p, size_t off, size_t size)
{
	p->type_off = off;
	p->type_size = size;
}

static void pkt_addr(int af, const char *s, const char *dflt, uint8_t *dst)
{
	if (inet_pton(af, s ? s : dflt, dst) != 1)
		pkt_bug("bad address literal");
}

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

void pkt_eth(struct pkt *p)
{
	static const uint8_t macs[12] = {
	    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination */
	    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source */
	};
	uint8_t *d = pkt_put(p, 14);

	memcpy(d, macs, sizeof(macs));
	pkt_open_type(p, p->len - 2, 2);
}

void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	uint8_t *d;

	pkt_set_type(p, tpid);
	d = pkt_put(p, 4);
	put16(d, vid & 0x0fff); /* PCP 0, DEI 0 */
	pkt_open_type(p, p->len - 2, 2);
}

void pkt_ethertype(struct pkt *p, uint16_t type)
{
	pkt_set_type(p, type);
}

void pkt_ipv4(struct pkt *p, const struct pkt_ipv4 *o)
{
	size_t hlen = 20 + o->opt_len;
	uint8_t ihl = o->ihl ? o->ihl : hlen / 4;
	uint8_t *d;

	if (o->opt_len % 4)
		pkt_bug("IPv4 options must be a multiple of 4 bytes");
	pkt_set_type(p, ETHERTYPE_IPV4);
	p->l3_off = p->len;
	p->l3_family = 4;
	d = pkt_put(p, hlen);
	d[0] = (o->version ? o->version : 4) << 4 | (ihl & 0xf);
	put16(d + 2, o->tot_len);
	p->fix_l3_len = o->tot_len != 0;
	put16(d + 4, 0x1234); /* identification */
	put16(d + 6, (o->mf ? 0x2000 : 0) | (o->frag_off & 0x1fff));
	d[8] = o->ttl ? o->ttl : 64;
	pkt_addr(AF_INET, o->saddr, "192.0.2.1", d + 12);
	pkt_addr(AF_INET, o->daddr, "198.51.100.1", d + 16);
	/* Options: NOPs (1), then end of option list (0) in the last byte. */
	if (o->opt_len)
		memset(d + 20, 1, o->opt_len - 1);
	pkt_open_type(p, p->l3_off + 9, 1);
}

void pkt_ipv6(struct pkt *p, const struct pkt_ipv6 *o)
{
	uint8_t *d;

	pkt_set_type(p, ETHERTYPE_IPV6);
	p->l3_off = p->len;
	p->l3_family = 6;
	d = pkt_put(p, 40);
	d[0] = (o->version ? o->version : 6) << 4;
	put16(d + 4, o->payload_len);
	p->fix_l3_len = o->fix_plen;
	d[7] = o->hop_limit ? o->hop_limit : 64;
	pkt_addr(AF_INET6, o->saddr, "2001:db8::1", d + 8);
	pkt_addr(AF_INET6, o->daddr, "2001:db8::2", d + 24);
	pkt_open_type(p, p->l3_off + 6, 1);
}

void pkt_ipv6_ext(struct pkt *p, uint8_t type, size_t len)
{
	uint8_t *d;

	if (type == 51) {
		if (len < 8 || len % 4 || len / 4 - 2 > 255)
			pkt_bug("bad AH length");
	} else if (len < 8 || len % 8 || len / 8 - 1 > 255) {
		pkt_bug("bad extension header length");
	}
	pkt_set_type(p, type);
	d = pkt_put(p, len);
	d[1] = type == 51 ? len / 4 - 2 : len / 8 - 1;
	if (type == 0 || type == 60) {
		/* RFC 8200 4.2: fill the options area with PadN so it parses. */
		d[2] = 1;
		d[3] = len - 4;
	}
	pkt_open_type(p, p->len - len, 1);
}

void pkt_ipv6_jumbo(struct pkt *p, uint32_t len)
{
	uint8_t *d;

	if (p->l3_family != 6)
		pkt_bug("a jumbo payload option outside IPv6");
	pkt_set_type(p, 0);
	d = pkt_put(p, 8);
	d[2] = 0xc2; /* RFC 2675: option type, 4n+2 aligned here */
	d[3] = 4;
	put32(d + 4, len);
	put16(p->data + p->l3_off + 4, 0);
	p->fix_l3_len = 1;
	pkt_open_type(p, p->len - 8, 1);
}

void pkt_ipv6_frag(struct pkt *p, uint16_t offset, int mf)
{
	uint8_t *d;

	pkt_set_type(p, 44);
	d = pkt_put(p, 8);
	put16(d + 2, (uint16_t)(offset << 3) | (mf ? 1 : 0));
	d[4] = 0xab; /* identification */
	d[7] = 0xcd;
	pkt_open_type(p, p->len - 8, 1);
}

void pkt_l4proto(struct pkt *p, uint8_t proto)
{
	pkt_set_type(p, proto);
}

void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff)
{
	size_t opt = doff > 5 ? (doff - 5) * 4u : 0;
	uint8_t *d;

	pkt_set_type(p, PROTO_TCP);
	d = pkt_put(p, 20 + opt);
	put16(d, sport);
	put16(d + 2, dport);
	d[12] = (doff ? doff : 5) << 4;
	d[13] = flags;
	put16(d + 14, 65535); /* window */
	if (opt)
		memset(d + 20, 1, opt); /* NOP options */
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *d;

	pkt_set_type(p, PROTO_UDP);
	p->udp_off = p->len;
	d = pkt_put(p, 8);
	put16(d, sport);
	put16(d + 2, dport);
}

void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	uint8_t *d;

	pkt_set_type(p, p->l3_family == 6 ? PROTO_ICMPV6 : PROTO_ICMP);
	d = pkt_put(p, 8);
	d[0] = type;
	d[1] = code;
	put16(d + 4, 0x4242); /* echo identifier */
	put16(d + 6, 1);      /* echo sequence */
}

void pkt_payload(struct pkt *p, size_t n)
{
	uint8_t *d = pkt_put(p, n);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = i & 0xff;
}

static uint16_t ip_checksum(const uint8_t *d, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* The IPv4 header checksum, over as much of the header as the frame has. */
static void ipv4_checksum(struct pkt *p)
{
	uint8_t *ip = p->data + p->l3_off;
	size_t hlen = (ip[0] & 0xf) * 4u;

	if (hlen > p->len - p->l3_off)
		hlen = p->len - p->l3_off;
	put16(ip + 10, 0);
	put16(ip + 10, ip_checksum(ip, hlen));
}

void pkt_finish(struct pkt *p)
{
	uint8_t *ip = p->data + p->l3_off;

	if (p->finished)
		return;
	/* An IP protocol left open means nothing follows. */
	if (p->type_size == 1)
		pkt_set_type(p, PROTO_NONE);
	if (p->l3_family == 4) {
		if (!p->fix_l3_len)
			put16(ip + 2, p->len - p->l3_off);
		ipv4_checksum(p);
	} else if (p->l3_family == 6 && !p->fix_l3_len) {
		put16(ip + 4, p->len - p->l3_off - 40);
	}
	if (p->udp_off)
		put16(p->data + p->udp_off + 4, p->len - p->udp_off);
	p->finished = 1;
}

void pkt_pad(struct pkt *p, size_t n)
{
	pkt_finish(p);
	if (n > PKT_MAX - p->len)
		pkt_bug("frame larger than PKT_MAX");
	memset(p->data + p->len, 0, n);
	p->len += n;
}

void pkt_zero_len(struct pkt *p)
{
	pkt_finish(p);
	if (p->l3_family == 4) {
		put16(p->data + p->l3_off + 2, 0);
		ipv4_checksum(p);
	} else if (p->l3_family == 6) {
		put16(p->data + p->l3_off + 4, 0);
	} else {
		pkt_bug("no IP header to zero the length of");
	}
}

void pkt_truncate(struct pkt *p, size_t len)
{
	pkt_finish(p);
	if (len > p->len)
		pkt_bug("truncating to more than the frame");
	p->len = len;
}
