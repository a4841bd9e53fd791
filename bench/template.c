// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * template.c - see template.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The L4 checksum at off, over the bytes from l4 on and, when pseudo, the
 * pseudo-header. A computed 0 goes out as 0xffff but for TCP (RFC 768). */
static void fill_csum(struct pkt *p, size_t l3, size_t l4, size_t off, int pseudo, uint8_t proto,
                      int v6)
{
	uint8_t *d = p->data + off;
	size_t n = p->len - l4;
	uint32_t ps = pseudo ? pseudo_sum(p->data + l3, v6, proto, n) : 0;
	uint16_t c;

	d[0] = d[1] = 0;
	c = csum(ps, p->data + l4, n);
	if (!c && proto != 6)
		c = 0xffff;
	d[0] = c >> 8;
	d[1] = c & 0xff;
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
	if (l->l4_csum_off)
		fill_csum(p, l3, l4, l->l4_csum_off, l->l4_pseudo,
		          o->kind == T_TCP    ? 6
		          : o->kind == T_ICMP ? 1
		                              : 17,
		          v6);
	return 0;
}

/* An address field of a frame list: a literal of either family, or an IPv4
 * address as one decimal number (ClassBench traces write them so). */
static int frame_addr(const char *s, char *out, size_t outlen, int *family)
{
	unsigned char b[16];
	unsigned long v;
	char *end;

	if (inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1) {
		*family = strchr(s, ':') ? 6 : 4;
		snprintf(out, outlen, "%s", s);
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > UINT32_MAX)
		return -EINVAL;
	*family = 4;
	snprintf(out, outlen, "%lu.%lu.%lu.%lu", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	         v & 0xff);
	return 0;
}

/* One frame of a frame list: the template's Ethernet header and length,
 * the line's addresses, protocol and ports. */
static void frame_build(const struct tmpl_opts *o, const char *src, const char *dst, int v6,
                        uint8_t proto, uint16_t sport, uint16_t dport, struct pkt *p)
{
	size_t l3, l4, off = 0;
	int pseudo = 1;

	pkt_init(p);
	pkt_eth(p);
	memcpy(p->data, o->dst_mac, 6);
	l3 = p->len;
	if (v6)
		pkt_ipv6(p, &(struct pkt_ipv6){.saddr = src, .daddr = dst});
	else
		pkt_ipv4(p, &(struct pkt_ipv4){.saddr = src, .daddr = dst});
	l4 = p->len;
	if (proto == 6) {
		pkt_tcp(p, sport, dport, 0x02 /* SYN */, 0);
		off = l4 + 16;
	} else if (proto == 17) {
		pkt_udp(p, sport, dport);
		off = v6 ? l4 + 6 : 0; /* IPv4 UDP without a checksum, as the templates */
	} else if (proto == (v6 ? 58 : 1)) {
		pkt_icmp(p, v6 ? 128 : 8, 0); /* echo request */
		off = l4 + 2;
		pseudo = v6; /* ICMPv6's covers the pseudo-header, ICMP's does not */
	} else {
		/* Another protocol: its bytes follow as payload; ports mean nothing. */
		pkt_l4proto(p, proto);
	}
	if (o->size > p->len)
		pkt_payload(p, o->size - p->len);
	pkt_finish(p);
	if (off)
		fill_csum(p, l3, l4, off, pseudo, proto, v6);
}

int tmpl_frames_load(const char *path, const struct tmpl_opts *o, uint32_t max, struct pkt **out,
                     uint32_t *count)
{
	char line[512], src[64], dst[64], f[5][64];
	struct pkt *frames = NULL;
	uint32_t n = 0, cap = 0, lineno = 0;
	FILE *fp = fopen(path, "r");
	int err = -EINVAL;

	if (!fp) {
		err = -errno;
		fprintf(stderr, "%s: cannot open the frame list: %s\n", path, strerror(errno));
		return err;
	}
	while (fgets(line, sizeof(line), fp)) {
		unsigned long v[3];
		int fam_s, fam_d, k;
		char *end;

		lineno++;
		if (sscanf(line, " %63s", f[0]) != 1 || f[0][0] == '#')
			continue;
		if (sscanf(line, "%63s %63s %63s %63s %63s", f[0], f[1], f[2], f[3], f[4]) != 5)
			goto bad;
		if (frame_addr(f[0], src, sizeof(src), &fam_s) ||
		    frame_addr(f[1], dst, sizeof(dst), &fam_d) || fam_s != fam_d)
			goto bad;
		for (k = 0; k < 3; k++) {
			errno = 0;
			v[k] = strtoul(f[2 + k], &end, 10);
			if (errno || *end || v[k] > (k < 2 ? 65535u : 255u))
				goto bad;
		}
		if (n == max) {
			fprintf(stderr, "%s: more than %u frames\n", path, max);
			goto out;
		}
		if (n == cap) {
			struct pkt *grown;

			cap = cap ? cap * 2 : 1024;
			grown = realloc(frames, (size_t)cap * sizeof(*frames));
			if (!grown) {
				fprintf(stderr, "%s: out of memory for %u frames\n", path, cap);
				err = -ENOMEM;
				goto out;
			}
			frames = grown;
		}
		frame_build(o, src, dst, fam_s == 6, (uint8_t)v[2], (uint16_t)v[0], (uint16_t)v[1],
		            &frames[n++]);
	}
	if (ferror(fp)) {
		err = -EIO;
		fprintf(stderr, "%s: read error\n", path);
		goto out;
	}
	if (!n) {
		fprintf(stderr, "%s: no frames in the list\n", path);
		goto out;
	}
	fclose(fp);
	*out = frames;
	*count = n;
	return 0;
bad:
	fprintf(stderr,
	        "%s:%u: expected SADDR DADDR SPORT DPORT PROTO (addresses of one family, ports "
	        "0-65535, protocol 0-255)\n",
	        path, lineno);
out:
	fclose(fp);
	free(frames);
	return err;
}
