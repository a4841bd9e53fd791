// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * template.c - see template.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "template.h"

const char *const tmpl_names[T_KIND_MAX] = {"udp", "tcp", "icmp", "udp6", "vlan"};

void tmpl_defaults(struct tmpl_opts *o)
{
	*o = (struct tmpl_opts){.kind = T_UDP,
	                        .size = 60,
	                        .sport = 1024,
	                        .dport = 9,
	                        .vlan = 100,
	                        .dst_mac = {2, 0, 0, 0, 0, 2}};
}

int tmpl_kind_parse(const char *s, enum tmpl_kind *k)
{
	int i;

	for (i = 0; i < T_KIND_MAX; i++) {
		if (!strcmp(s, tmpl_names[i])) {
			*k = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Internet checksum (RFC 1071) of a pseudo-header sum plus bytes. */
static uint16_t csum(uint32_t sum, const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		sum += (uint32_t)d[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t pseudo_sum(const uint8_t *ip, int v6, uint8_t proto, size_t l4len)
{
	const uint8_t *a = ip + (v6 ? 8 : 12);
	size_t alen = v6 ? 32 : 8, i;
	uint32_t sum = proto + (uint32_t)l4len;

	for (i = 0; i < alen; i += 2)
		sum += (uint32_t)a[i] << 8 | a[i + 1];
	return sum;
}

int tmpl_build(const struct tmpl_opts *o, struct pkt *p, struct tmpl_layout *l)
{
	int v6 = o->kind == T_UDP6;
	const char *src = o->src ? o->src : v6 ? TMPL_SRC6 : TMPL_SRC4;
	const char *dst = o->dst ? o->dst : v6 ? TMPL_DST6 : TMPL_DST4;
	unsigned char tmp[16];
	size_t l3, l4;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, src, tmp) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, dst, tmp) != 1) {
		fprintf(stderr, "template %s: source and destination must be IPv%d addresses\n",
		        tmpl_names[o->kind], v6 ? 6 : 4);
		return -EINVAL;
	}
	pkt_init(p);
	pkt_eth(p);
	memcpy(p->data, o->dst_mac, 6);
	if (o->kind == T_VLAN)
		pkt_vlan(p, PKT_TPID_8021Q, o->vlan);
	l3 = p->len;
	if (v6)
		pkt_ipv6(p, &(struct pkt_ipv6){.saddr = src, .daddr = dst});
	else
		pkt_ipv4(p, &(struct pkt_ipv4){.saddr = src, .daddr = dst});
	l4 = p->len;
	if (o->kind == T_TCP)
		pkt_tcp(p, o->sport, o->dport, 0x02 /* SYN */, 0);
	else if (o->kind == T_ICMP)
		pkt_icmp(p, 8, 0); /* echo request */
	else
		pkt_udp(p, o->sport, o->dport);
	if (o->size > p->len)
		pkt_payload(p, o->size - p->len);
	pkt_finish(p);

	*l = (struct tmpl_layout){
	    .saddr_off = v6 ? l3 + 8 + 12 : l3 + 12,
	    .ip_csum_off = v6 ? 0 : l3 + 10,
	    .sport_off = o->kind == T_ICMP ? l4 + 4 : l4,
	};
	if (o->kind == T_TCP) {
		l->l4_csum_off = l4 + 16;
		l->l4_pseudo = 1;
	} else if (o->kind == T_ICMP) {
		l->l4_csum_off = l4 + 2; /* covers the echo id, not the addresses */
	} else if (v6) {
		l->l4_csum_off = l4 + 6; /* mandatory over IPv6 (RFC 8200 8.1) */
		l->l4_pseudo = 1;
	} /* IPv4 UDP goes without a checksum (0), as pktgen sends it */
	if (l->l4_csum_off) {
		uint8_t *d = p->data + l->l4_csum_off;
		size_t n = p->len - l4;
		uint32_t ps =
		    l->l4_pseudo ? pseudo_sum(p->data + l3, v6, o->kind == T_TCP ? 6 : 17, n) : 0;
		uint16_t c;

		d[0] = d[1] = 0;
		c = csum(ps, p->data + l4, n);
		if (!c && o->kind != T_TCP)
			c = 0xffff;
		d[0] = c >> 8;
		d[1] = c & 0xff;
	}
	return 0;
}
