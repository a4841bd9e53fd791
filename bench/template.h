/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * template.h - the benchmark frames, shared by xdpfw-gen (sent through a
 * veth) and xdpfw-cost (run through BPF_PROG_TEST_RUN), so both measure the
 * same bytes. Built with ctl/frame.h; L4 checksums are filled in here so the
 * stack baselines see valid TCP, ICMP and IPv6 UDP.
 */
#ifndef BENCH_TEMPLATE_H
#define BENCH_TEMPLATE_H

#include <stdint.h>
#include "frame.h"

/* Offsets the generator edits must sit below this (gen.bpf.c: GEN_MAX_OFF). */
#define TMPL_MAX_OFF 256

enum tmpl_kind { T_UDP, T_TCP, T_ICMP, T_UDP6, T_VLAN, T_KIND_MAX };
extern const char *const tmpl_names[T_KIND_MAX];

struct tmpl_opts {
	enum tmpl_kind kind;
	unsigned int size;     /* frame length without FCS */
	const char *src, *dst; /* NULL: the defaults below */
	uint16_t sport, dport, vlan;
	uint8_t dst_mac[6];
};

#define TMPL_SRC4 "198.18.0.1"
#define TMPL_DST4 "198.19.0.2"
#define TMPL_SRC6 "2001:db8:1::1:0"
#define TMPL_DST6 "2001:db8:2::2"

/* Where the generator edits the frame; 0: not in this template. */
struct tmpl_layout {
	uint32_t saddr_off; /* IPv4 source, or the low word of the IPv6 one */
	uint32_t ip_csum_off;
	uint32_t l4_csum_off;
	uint32_t l4_pseudo; /* the L4 checksum covers the addresses */
	uint32_t sport_off; /* source port; ICMP: the echo identifier */
};

/* Defaults: UDP, 60 bytes, port 1024 -> 9, VLAN 100, MAC 02:00:00:00:00:02. */
void tmpl_defaults(struct tmpl_opts *o);
int tmpl_kind_parse(const char *s, enum tmpl_kind *k);
/* 0, or -EINVAL with a message on stderr (bad address for the family). */
int tmpl_build(const struct tmpl_opts *o, struct pkt *p, struct tmpl_layout *l);

/*
 * A frame list (bench/classbench.py writes them from ClassBench traces and
 * for the shared-field sets): one frame a line, "SADDR DADDR SPORT DPORT
 * PROTO" in a ClassBench trace's order, further fields ignored, '#'
 * comments. Addresses are literals of one family, or IPv4 as one decimal
 * number, so a ClassBench trace is a frame list too. Each frame has the
 * template's MAC and size (o->dst_mac, o->size): TCP SYN, UDP, ICMP or
 * ICMPv6 echo request, or any other protocol with payload after the IP
 * header; checksums valid but IPv4 UDP's (0). At most max frames; *out is
 * the caller's to free. 0, or -errno with a message on stderr.
 */
int tmpl_frames_load(const char *path, const struct tmpl_opts *o, uint32_t max, struct pkt **out,
                     uint32_t *count);

#endif /* BENCH_TEMPLATE_H */
