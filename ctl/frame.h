// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frame.h - a small Ethernet frame builder, shared by the BPF and
 * differential tests and by `fwctl explain`, so there is one copy of it.
 *
 * A frame is built front to back, one layer per call:
 *
 *	struct pkt p;
 *	pkt_init(&p);
 *	pkt_eth(&p);
 *	pkt_vlan(&p, PKT_TPID_8021Q, 100);
 *	pkt_ipv4(&p, &(struct pkt_ipv4){ .saddr = "192.0.2.1" });
 *	pkt_udp(&p, 1234, 53);
 *	pkt_payload(&p, 16);
 *	pkt_finish(&p);
 *
 * Each layer fills in the type field the previous one left open (ethertype
 * of Ethernet or a VLAN tag, protocol of IPv4, next header of IPv6 or an
 * extension header), so a frame reads like its header stack. pkt_finish()
 * sets the lengths that depend on what follows (IPv4 total length and
 * checksum, IPv6 payload length, UDP length) unless a layer fixed them;
 * it runs once, and pkt_pad()/pkt_truncate() run it first, so padding and
 * cuts stay outside the lengths the headers claim. L4 checksums stay zero.
 *
 * Malformed frames come from overrides (.ihl, .version, .tot_len, doff) and
 * from stopping early: pkt_l4proto(p, IPPROTO_TCP) + pkt_payload(p, 10) is
 * an IPv4 packet whose TCP header is cut at 10 bytes.
 *
 * struct pkt is the frame being built (bytes); struct xdpfw_pkt in
 * xdpfw.h is what the parser reads out of one. Nothing here depends on
 * xdpfw.h: the builder writes what it is told, valid or not.
 *
 * Misuse (overflowing PKT_MAX, a bad address literal, a layer with no open
 * type field for it) aborts: it is a bug in the caller, not a case. Callers
 * that build from user input (fwctl explain) check the input first.
 */
#ifndef FW_FRAME_H
#define FW_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048

#define PKT_TPID_8021Q  0x8100
#define PKT_TPID_8021AD 0x88a8

struct pkt {
	uint8_t data[PKT_MAX];
	size_t len;
	size_t type_off;  /* where the next layer's type goes */
	size_t type_size; /* 2: ethertype, 1: IP protocol/next header, 0: none */
	size_t l3_off;    /* 0: no IP header yet */
	int l3_family;    /* 4 or 6 */
	int fix_l3_len;   /* the IP length was given, keep it */
	size_t udp_off;   /* 0: no UDP header */
	int finished;
};

/* IPv4 header; zero fields take the defaults. */
struct pkt_ipv4 {
	const char *saddr; /* default 192.0.2.1 */
	const char *daddr; /* default 198.51.100.1 */
	uint8_t ttl;       /* default 64 */
	uint8_t ihl;       /* default 5 + opt_len / 4 */
	uint8_t version;   /* default 4 */
	uint8_t opt_len;   /* bytes of options (NOPs, end of list), multiple of 4 */
	uint16_t frag_off; /* fragment offset in 8-byte units */
	int mf;            /* more fragments */
	uint16_t tot_len;  /* default: set by pkt_finish() */
};

/* IPv6 header; zero fields take the defaults. */
struct pkt_ipv6 {
	const char *saddr; /* default 2001:db8::1 */
	const char *daddr; /* default 2001:db8::2 */
	uint8_t hop_limit; /* default 64 */
	uint8_t version;   /* default 6 */
	int fix_plen;      /* keep payload_len below instead of pkt_finish()'s */
	uint16_t payload_len;
};

void pkt_init(struct pkt *p);

/* Ethernet header; the ethertype comes from the next layer. */
void pkt_eth(struct pkt *p);
/* A VLAN tag: tpid goes into the open type field, then TCI (vid). */
void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid);
/* Fill the open ethertype by hand (ARP, LLDP, ...). */
void pkt_ethertype(struct pkt *p, uint16_t type);

void pkt_ipv4(struct pkt *p, const struct pkt_ipv4 *o);
void pkt_ipv6(struct pkt *p, const struct pkt_ipv6 *o);

/*
 * IPv6 extension header of len bytes (type 0, 43, 60: multiple of 8, at
 * least 8; 51 (AH): multiple of 4, at least 8). Its next header is open.
 */
void pkt_ipv6_ext(struct pkt *p, uint8_t type, size_t len);
/*
 * IPv6 hop-by-hop header of 8 bytes whose one option is a jumbo payload
 * option (RFC 2675) saying len, as Linux writes BIG TCP packets; the IPv6
 * payload length becomes 0 and stays. Its next header is open.
 */
void pkt_ipv6_jumbo(struct pkt *p, uint32_t len);
/* IPv6 fragment header: offset in 8-byte units, more-fragments flag. */
void pkt_ipv6_frag(struct pkt *p, uint16_t offset, int mf);

/* Fill the open IP protocol/next header by hand; nothing else is written. */
void pkt_l4proto(struct pkt *p, uint8_t proto);

/* doff 0 means 5 (no options); other values are written as given, with
 * (doff - 5) * 4 option bytes when doff > 5. */
void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff);
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
/* ICMP in IPv4, ICMPv6 in IPv6: type, code, checksum, 4 bytes of rest. */
void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code);

/* n bytes of payload (a counting pattern). */
void pkt_payload(struct pkt *p, size_t n);

/* Set the lengths that depend on the rest; once. */
void pkt_finish(struct pkt *p);
/* Finish, then add n zero bytes outside every length (Ethernet padding). */
void pkt_pad(struct pkt *p, size_t n);
/* Finish, then write 0 as the IPv4 total length or IPv6 payload length,
 * as the header of a super-packet (BIG TCP, beyond 64 KiB) says. */
void pkt_zero_len(struct pkt *p);
/* Finish, then cut the frame to len bytes. */
void pkt_truncate(struct pkt *p, size_t len);

#endif /* FW_FRAME_H */
