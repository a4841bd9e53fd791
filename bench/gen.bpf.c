// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen.bpf.c - the packet generator's per-frame program (see gen.c).
 *
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs this program on a
 * frame template once per packet; returning XDP_REDIRECT sends the frame out
 * of cfg_ifindex, as the kernel's pktgen would. Before that, the source
 * address and source port are set from a per-CPU packet counter, so a run
 * walks cfg_saddr_count x cfg_sport_count distinct flows and hash or trie
 * caches in the receiver are not flattered by one repeated flow.
 *
 * With a frame list (gen.c --frames), the frames come whole from gen_frames
 * instead, one after the other: a ClassBench trace's headers differ in every
 * field, protocol and L4 header included, so they are written, not edited.
 *
 * The kernel may hand the program a page that an earlier run already edited
 * (live frames are recycled without being reset), so every write sets an
 * absolute value computed from the template's original fields, never an
 * increment of what is in the frame now.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set by gen.c before load; constant for the verifier once rodata is frozen. */
const volatile __u32 cfg_ifindex;
const volatile __u32 cfg_saddr_off;   /* frame offset of the source address word varied */
const volatile __u32 cfg_ip_csum_off; /* IPv4 header checksum; 0: none (IPv6) */
const volatile __u32 cfg_l4_csum_off; /* TCP/UDP/ICMPv6 checksum; 0: none */
const volatile __u32 cfg_l4_pseudo;   /* the L4 checksum covers the address */
const volatile __u32 cfg_sport_off;   /* source port (ICMP: echo id); 0: none */
const volatile __u32 cfg_saddr_base;  /* host byte order */
const volatile __u32 cfg_saddr_count; /* >= 1 */
const volatile __u32 cfg_sport_base;
const volatile __u32 cfg_sport_count; /* >= 1 */
/* The template's own values (network byte order), for the checksum updates. */
const volatile __u32 tmpl_saddr;
const volatile __u32 cfg_nframes;     /* > 0: frames from gen_frames, in turn */
const volatile __u32 cfg_frame_words; /* their length in 4-byte words */
const volatile __u16 tmpl_sport;
const volatile __u16 tmpl_ip_csum;
const volatile __u16 tmpl_l4_csum;

/* Packets handed to the redirect, per CPU: what gen.c reports as sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_sent SEC(".maps");

/* Frames longer than this are not edited (gen.c caps templates below it). */
#define GEN_MAX_OFF 256

/* A frame of the list: its bytes, the length a multiple of 4 (gen.c pads). */
#define GEN_FRAME_WORDS 32
struct gen_frame_bytes {
	__u32 w[GEN_FRAME_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* gen.c sizes it to the list before load */
	__type(key, __u32);
	__type(value, struct gen_frame_bytes);
} gen_frames SEC(".maps");

/* Frame idx of the list over the whole packet (every frame of a list has
 * the template's length, cfg_frame_words words). */
static __always_inline int put_frame(void *data, void *end, __u32 idx)
{
	__u32 k = idx % cfg_nframes;
	struct gen_frame_bytes *f = bpf_map_lookup_elem(&gen_frames, &k);

	if (!f)
		return XDP_ABORTED;
#pragma unroll
	for (__u32 i = 0; i < GEN_FRAME_WORDS; i++) {
		if (i >= cfg_frame_words)
			break;
		if (data + (i + 1) * 4 > end)
			return XDP_ABORTED;
		((__u32 *)data)[i] = f->w[i];
	}
	return bpf_redirect(cfg_ifindex, 0);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 32-bit and a 16-bit field. */
static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

static __always_inline __u16 csum_update(__u16 csum, __u32 old32, __u32 new32, __u16 old16,
                                         __u16 new16)
{
	__u32 s = (__u16)~csum;

	s += (__u16) ~(old32 & 0xffff) + (new32 & 0xffff);
	s += (__u16) ~(old32 >> 16) + (new32 >> 16);
	s += (__u16)~old16 + new16;
	return ~csum_fold(s);
}

static __always_inline int in_frame(void *data, void *end, __u32 off, __u32 n)
{
	return off < GEN_MAX_OFF && data + off + n <= end;
}

SEC("xdp")
int gen_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 key = 0, idx, saddr, a_off, p_off;
	__u16 sport = tmpl_sport;
	__u64 *sent;

	sent = bpf_map_lookup_elem(&gen_sent, &key);
	if (!sent)
		return XDP_ABORTED;
	idx = (__u32)*sent;
	*sent += 1;
	if (cfg_nframes)
		return put_frame(data, end, idx);

	a_off = idx % cfg_saddr_count;
	p_off = (idx / cfg_saddr_count) % cfg_sport_count;
	saddr = bpf_htonl(cfg_saddr_base + a_off);

	if (cfg_sport_off) {
		__u32 o = cfg_sport_off & (GEN_MAX_OFF - 1);

		if (!in_frame(data, end, o, 2))
			return XDP_ABORTED;
		sport = bpf_htons((__u16)(cfg_sport_base + p_off));
		*(__u16 *)(data + o) = sport;
	}
	if (cfg_saddr_off) {
		__u32 o = cfg_saddr_off & (GEN_MAX_OFF - 1);

		if (!in_frame(data, end, o, 4))
			return XDP_ABORTED;
		*(__u32 *)(data + o) = saddr;
	}
	if (cfg_ip_csum_off) {
		__u32 o = cfg_ip_csum_off & (GEN_MAX_OFF - 1);

		if (!in_frame(data, end, o, 2))
			return XDP_ABORTED;
		*(__u16 *)(data + o) = csum_update(tmpl_ip_csum, tmpl_saddr, saddr, 0, 0);
	}
	if (cfg_l4_csum_off) {
		__u32 o = cfg_l4_csum_off & (GEN_MAX_OFF - 1);
		__u32 olda = cfg_l4_pseudo ? tmpl_saddr : 0;
		__u32 newa = cfg_l4_pseudo ? saddr : 0;
		__u16 c;

		if (!in_frame(data, end, o, 2))
			return XDP_ABORTED;
		c = csum_update(tmpl_l4_csum, olda, newa, tmpl_sport, sport);
		/* UDP sends a computed 0 as 0xffff (RFC 768); harmless for TCP. */
		*(__u16 *)(data + o) = c ? c : 0xffff;
	}
	return bpf_redirect(cfg_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
