/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpfw.h - everything the BPF program and fwctl share.
 *
 * Layouts here are read by the kernel side and written by user space (or the
 * other way round for counters), so every struct uses fixed-width kernel types,
 * explicit padding, and a _Static_assert on its size. Change a layout only
 * together with both sides; the asserts catch accidental drift.
 */
#ifndef XDPFW_H
#define XDPFW_H

#include <linux/types.h>

#include "xdpfw_limit.h" /* rate limits: struct xdpfw_limit, the bucket arithmetic */

/* Limits. */
#define XDPFW_MAX_RULES     16384 /* rules per rule set; a multiple of 64, below XDPFW_RULE_NONE */
#define XDPFW_MAX_VLAN_TAGS 2     /* 802.1Q and/or 802.1ad; a third tag is malformed */
#define XDPFW_MAX_IPV6_EXT  8     /* extension headers walked before giving up */
#define XDPFW_MAX_LINE      4096  /* bytes per rule-file line, newline excluded */
#define XDPFW_NAME_MAX      32    /* bytes of a rule's `name "..."`, NUL included */

/*
 * Atomic reload: the rule maps hold XDPFW_GENERATIONS complete rule sets
 * (generation g owns config[g] and rules[g * XDPFW_MAX_RULES + i]). Each
 * rule set gets a program of its own that serves one generation, a constant
 * of it (struct xdpfw_consts): a reload fills the idle generation, loads the
 * new set's program, and one kernel write puts that program where packets
 * enter (xdp/README.md, "A program built for its rule set"), so a packet
 * runs the whole old or the whole new set. fw_active mirrors the generation
 * for tools; neither packets nor fwctl depend on it.
 */
#define XDPFW_GENERATIONS 2
_Static_assert((XDPFW_GENERATIONS & (XDPFW_GENERATIONS - 1)) == 0,
               "the program masks the generation: a power of two");
/* Rule counters are slots, not rule positions: a rule whose name survives a
 * reload keeps its slot, so its counters carry over. Two sets' worth, so the
 * new set always finds free slots while the old one still counts. */
#define XDPFW_COUNTER_SLOTS (XDPFW_GENERATIONS * XDPFW_MAX_RULES)

/* What a rule, the policy, or a nonip/malformed setting does with a packet. */
enum xdpfw_action {
	XDPFW_ACT_PASS = 0,
	XDPFW_ACT_DROP = 1,
	XDPFW_ACT_MAX,
};

/*
 * Why a packet got its verdict. Every packet is counted under exactly one
 * reason. The malformed reasons come last so that a range test tells them
 * apart; their verdict is the `malformed` setting.
 */
enum xdpfw_reason {
	XDPFW_REASON_RULE = 0,           /* a rule matched: see the per-rule counters */
	XDPFW_REASON_POLICY,             /* no rule matched */
	XDPFW_REASON_NONIP,              /* not IPv4/IPv6 (ARP, LLDP, ...) */
	XDPFW_REASON_MAL_ETH_TRUNC,      /* Ethernet header or a VLAN tag cut short */
	XDPFW_REASON_MAL_VLAN_DEPTH,     /* more than XDPFW_MAX_VLAN_TAGS tags */
	XDPFW_REASON_MAL_IPV4_TRUNC,     /* IPv4 header/options or total length beyond frame */
	XDPFW_REASON_MAL_IPV4_HDR,       /* version != 4, IHL < 5, total length < IHL */
	XDPFW_REASON_MAL_IPV6_TRUNC,     /* IPv6 header or payload length beyond frame */
	XDPFW_REASON_MAL_IPV6_HDR,       /* version != 6, jumbo payload length <= 65535 */
	XDPFW_REASON_MAL_IPV6_EXT_TRUNC, /* an extension header cut short */
	XDPFW_REASON_MAL_IPV6_EXT_CHAIN, /* more than XDPFW_MAX_IPV6_EXT headers */
	XDPFW_REASON_MAL_L4_TRUNC,       /* TCP/UDP/ICMP header cut short */
	XDPFW_REASON_MAL_TCP_DOFF,       /* TCP data offset < 5 */
	XDPFW_REASON_MAX,
};
#define XDPFW_REASON_FIRST_MALFORMED XDPFW_REASON_MAL_ETH_TRUNC

static inline int xdpfw_reason_is_malformed(__u32 r)
{
	return r >= XDPFW_REASON_FIRST_MALFORMED && r < XDPFW_REASON_MAX;
}

/* Which fields a rule tests; a rule matches when every tested field does. */
enum xdpfw_match {
	XDPFW_M_FAMILY = 1 << 0,
	XDPFW_M_PROTO = 1 << 1,
	XDPFW_M_SADDR = 1 << 2,
	XDPFW_M_DADDR = 1 << 3,
	XDPFW_M_SPORT = 1 << 4,
	XDPFW_M_DPORT = 1 << 5,
	XDPFW_M_TCPFLAGS = 1 << 6, /* (tcp flags & mask) == value; TCP header parsed */
	XDPFW_M_ICMPTYPE = 1 << 7, /* ICMP/ICMPv6 type; header parsed (not a later fragment) */
	XDPFW_M_VLAN = 1 << 8,     /* outer VLAN id */
	XDPFW_M_FRAGMENT = 1 << 9, /* any fragment, first or later */
	XDPFW_M_LEN = 1 << 10,     /* IP packet length in [len_lo, len_hi] */
	XDPFW_M_TTL = 1 << 11,     /* IPv4 TTL / IPv6 hop limit in [ttl_lo, ttl_hi] */
	/* Set members instead of one prefix / range: saddr_set ... dport_set
	 * name the set (see fw_set_store, fw_port_store). */
	XDPFW_M_SADDR_SET = 1 << 12,
	XDPFW_M_DADDR_SET = 1 << 13,
	XDPFW_M_SPORT_SET = 1 << 14,
	XDPFW_M_DPORT_SET = 1 << 15,
};

/* Bits of the rule's negate word: which value tests `!=` inverts. The test's
 * preconditions stay (an IPv4 prefix never matches IPv6, negated or not; a
 * port test needs ports), as in nftables. */
#define XDPFW_NEGATABLE                                                                            \
	(XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_SPORT | XDPFW_M_DPORT | XDPFW_M_SADDR_SET |       \
	 XDPFW_M_DADDR_SET | XDPFW_M_SPORT_SET | XDPFW_M_DPORT_SET)

/*
 * Sets: a rule that matches an address list, `{ ... }` or `@name`, points at
 * an address set; likewise for ports. The classifier folds set members into
 * its per-field tables (see below), so packets never look a set up by id;
 * the sets themselves are kept per generation for fwctl show and explain,
 * as arrays of members grouped by set id: address prefixes
 * (xdpfw_set_entry, fw_set_store) and port ranges (xdpfw_port_entry,
 * fw_port_store). Set ids are 16 bits wide; past that, only memory limits
 * how many sets a rule set has.
 */
#define XDPFW_MAX_ADDR_SETS 65536      /* per generation: the width of a set id */
#define XDPFW_MAX_SET_ADDRS (1u << 22) /* prefixes in all sets of one generation */
#define XDPFW_MAX_PORT_SETS 65536      /* per generation: the width of a set id */

struct xdpfw_set_entry {
	__u16 set;     /* address set id */
	__u8 family;   /* XDPFW_FAMILY_IPV4 / _IPV6 */
	__u8 len;      /* prefix length */
	__u32 addr[4]; /* network byte order, host bits cleared; IPv4 in [0] */
};
_Static_assert(sizeof(struct xdpfw_set_entry) == 20, "xdpfw_set_entry layout");

/* One range of a port set: ports lo..hi, inclusive, host byte order. */
struct xdpfw_port_entry {
	__u16 set; /* port set id */
	__u16 lo, hi;
	__u16 pad;
};
_Static_assert(sizeof(struct xdpfw_port_entry) == 8, "xdpfw_port_entry layout");

/* Address families as in the packet key and rules (AF_INET/AF_INET6 values
 * are not used so that BPF code needs no socket headers). */
#define XDPFW_FAMILY_NONE 0
#define XDPFW_FAMILY_IPV4 4
#define XDPFW_FAMILY_IPV6 6

/*
 * One address match: an IPv4 address sits in w[0], the rest zero. addr is
 * already masked, so a packet address matches when (pkt & mask) == addr on
 * all four words.
 */
struct xdpfw_prefix {
	__u32 addr[4]; /* network byte order */
	__u32 mask[4]; /* network byte order */
};
_Static_assert(sizeof(struct xdpfw_prefix) == 32, "xdpfw_prefix layout");

/* One compiled rule: value of the rules map, key = position in file order. */
struct xdpfw_rule {
	__u32 match;  /* enum xdpfw_match bits */
	__u32 negate; /* subset of match & XDPFW_NEGATABLE: tested with != */
	/* What the program reads of a matched rule, in its first cache line. */
	__u32 counter;  /* slot in fw_rule_stats, < XDPFW_COUNTER_SLOTS */
	__u32 flags;    /* XDPFW_RULE_* */
	__u8 action;    /* enum xdpfw_action */
	__u8 family;    /* XDPFW_FAMILY_*, tested when XDPFW_M_FAMILY */
	__u8 proto;     /* IP protocol after IPv6 extension headers */
	__u8 saddr_len; /* prefix lengths, kept for printing rules back */
	__u8 daddr_len;
	__u8 tcp_flags_mask, tcp_flags_value; /* XDPFW_TCP_* bits */
	__u8 icmp_type;
	__u8 ttl_lo, ttl_hi;      /* inclusive */
	__u16 vlan;               /* VLAN id, 0-4095 */
	__u16 sport_lo, sport_hi; /* host byte order, inclusive */
	__u16 dport_lo, dport_hi;
	__u16 len_lo, len_hi;       /* inclusive */
	__u16 saddr_set, daddr_set; /* set ids, with XDPFW_M_*ADDR_SET */
	__u16 sport_set, dport_set; /* set ids, with XDPFW_M_*PORT_SET */
	__u32 line;                 /* line in the rule file, for stats and errors */
	struct xdpfw_prefix saddr;
	struct xdpfw_prefix daddr;
	/* Rate limit, with XDPFW_RULE_LIMIT in flags: see xdpfw_limit.h. */
	__u32 limit_pad; /* struct xdpfw_limit is 8-byte aligned */
	struct xdpfw_limit limit;
	char name[XDPFW_NAME_MAX]; /* `name "..."`, NUL-terminated; "" if none */
};
_Static_assert(sizeof(struct xdpfw_rule) == 148 + 4 + 48, "xdpfw_rule layout");
_Static_assert(__builtin_offsetof(struct xdpfw_rule, limit) % 8 == 0, "xdpfw_rule.limit alignment");

/* What a matched rule does, by rule index (fw_verd, a map of the rule
 * set's program): its action and counter slot, 8 bytes a rule where
 * fw_rules holds a whole rule, so that the last read of a packet is a
 * line of a small array. */
struct xdpfw_verd {
	__u32 counter;
	__u8 action;
	__u8 pad[3];
};
_Static_assert(sizeof(struct xdpfw_verd) == 8, "xdpfw_verd layout");

/* TCP flag bits as in the header's 14th byte (RFC 9293, RFC 3168). */
#define XDPFW_TCP_FIN 0x01
#define XDPFW_TCP_SYN 0x02
#define XDPFW_TCP_RST 0x04
#define XDPFW_TCP_PSH 0x08
#define XDPFW_TCP_ACK 0x10
#define XDPFW_TCP_URG 0x20
#define XDPFW_TCP_ECE 0x40
#define XDPFW_TCP_CWR 0x80

#define XDPFW_RULE_LOG   0x1 /* `log`: sampled records to user space (to come) */
#define XDPFW_RULE_LIMIT 0x2 /* `limit over ...`: rule.limit; the program reads this bit */

/*
 * Classifier (xdp/classify.h, built by ctl/cls.c and ctl/cls_xprod.c;
 * design in xdp/README.md): cross-producted classes.
 *
 * Phase 0: every field a rule can test maps the packet's value to a class
 * of that field: values no rule tells apart share a class (direct tables
 * for the small fields, an address store for each address field).
 * Phase 1: the classes of the small fields in use are crossed, two at a
 * time, into one class Y (tables of the next class by (class, class)).
 * Phase 2: the rules are cut into partitions by the address fields they
 * really test (both, the source, the destination, neither); per partition,
 * the source and destination classes are crossed into one class X, and a
 * table gives the first rule of the partition that matches (X, Y). The
 * packet's rule is the first of the partitions' answers. The reads per
 * packet are bounded by the number of fields and partitions, whatever the
 * rules: see xdp/README.md for the figures and the memory it takes.
 *
 * Rate-limited rules are left out of the partitions: within its budget a
 * limited rule lets the packet on to the next rules, which no table of
 * first matches can say. They are found instead by bit-vectors over those
 * "vector rules" only (bit i: the i-th of them, in rule order), one for each
 * class of each field, ANDed and walked in order before the partitions'
 * answer. Rules no partition can take within the memory budget join them.
 */
#define XDPFW_RULE_NONE   0xffffu         /* a table's "no rule": past every rule index */
#define XDPFW_MAX_LIMITED XDPFW_MAX_RULES /* vector rules per rule set: every rule */
#define XDPFW_VEC_WORDS   (XDPFW_MAX_LIMITED / 64)
#define XDPFW_VEC_SUMMARY (XDPFW_VEC_WORDS / 64) /* summary words */
_Static_assert(XDPFW_VEC_WORDS % 64 == 0, "whole summary words");
_Static_assert(XDPFW_MAX_RULES < XDPFW_RULE_NONE, "rule indexes fit the 16-bit tables");
struct xdpfw_vec {
	__u64 summary[XDPFW_VEC_SUMMARY]; /* bit i % 64 of summary[i / 64]: w[i] != 0 */
	__u64 w[XDPFW_VEC_WORDS];         /* bit i % 64 of w[i / 64]: the i-th vector rule */
};
_Static_assert(sizeof(struct xdpfw_vec) == 8 * XDPFW_VEC_SUMMARY + 8 * XDPFW_VEC_WORDS,
               "xdpfw_vec layout");

/*
 * The tables of phases 1 and 2 live in two arrays of one generation, of
 * 32-bit class ids (fw_tab32) and 16-bit rule indexes (fw_tab16), both in
 * 4 KiB blocks; the plan (xdpfw_plan, in the config) says where each
 * table starts. With more than one partition, or limited rules, or rules
 * the keyed lists took, a field's class is read through its record
 * (2^rec_shift 32-bit words a class, at most XDPFW_REC_STRIDE, never across
 * a block): [p] the class in partition p (whose rules tell fewer classes
 * apart), [nparts] the class's vector of limited rules. Otherwise the one
 * partition takes the field's class as it is.
 */
#define XDPFW_TAB32_PER_BLOCK 1024
#define XDPFW_TAB16_PER_BLOCK 2048
struct xdpfw_tab32_block {
	__u32 v[XDPFW_TAB32_PER_BLOCK];
};
struct xdpfw_tab16_block {
	__u16 v[XDPFW_TAB16_PER_BLOCK];
};
_Static_assert(sizeof(struct xdpfw_tab32_block) == 4096, "xdpfw_tab32_block layout");
_Static_assert(sizeof(struct xdpfw_tab16_block) == 4096, "xdpfw_tab16_block layout");
#define XDPFW_REC_STRIDE 16
#define XDPFW_MAX_PARTS  (XDPFW_REC_STRIDE - 1)
_Static_assert(XDPFW_TAB32_PER_BLOCK % XDPFW_REC_STRIDE == 0, "records never cross a block");

/*
 * A partition: the small fields its rules test, crossed in the fixed
 * order xdpfw_chain_field() gives (Y), the address fields they test, and
 * its tables. Step k of the chain (k > 0, for a field in `fields`):
 * Y = tab32[chain_off[k] + Y * chain_cols[k] + class]. Then with both
 * addresses X = tab32[t_off + sa * t_cols + da], with one X is its class,
 * with none 0; and the partition's first rule is tab16[f_off + X * f_cols
 * + Y] (XDPFW_RULE_NONE: none).
 */
#define XDPFW_CHAIN_MAX 8 /* the small fields */
#define XDPFW_PART_SA   0x1
#define XDPFW_PART_DA   0x2
struct xdpfw_part {
	__u16 fields; /* small fields crossed: bit f for enum xdpfw_field f */
	__u8 shape;   /* XDPFW_PART_* */
	__u8 first;   /* the chain step of its first small field (Y starts as its class) */
	__u32 chain_cols[XDPFW_CHAIN_MAX];
	__u32 chain_off[XDPFW_CHAIN_MAX];
	__u32 t_off, t_cols;
	__u32 f_off, f_cols;
};
_Static_assert(sizeof(struct xdpfw_part) == 4 + 64 + 16, "xdpfw_part layout");

/* Step k of every chain crosses this field in (when the partition has it):
 * the ones rule sets use most first, so that Y stays small as it grows. */
static inline int xdpfw_chain_field(int k)
{
	static const __u8 order[XDPFW_CHAIN_MAX] = {
	    0 /* KIND */, 2 /* DPORT */,    1 /* SPORT */, 3 /* LEN */,
	    4 /* TTL */,  5 /* TCPFLAGS */, 6 /* ICMP */,  7 /* VLAN */};

	return order[k & (XDPFW_CHAIN_MAX - 1)];
}

/*
 * Keyed lists (ctl/cls_lists.c, xdp/lists.h): most rules of real rule sets
 * test both addresses, or one address and little else, and few rules share
 * a pair of address classes. Such rules are found by key instead of by
 * cross-producted tables, whose size grows with the product of the
 * classes:
 *   PAIR  rules testing both addresses narrowly: a hash of the pairs of
 *         (source class, destination class) they hold gives the list of
 *         the rules of the pair;
 *   SRC   rules keyed by their source class, the destination (a plain
 *         prefix, or none) tested in the record;
 *   DST   the same the other way round.
 * A list is at most XDPFW_LIST_MAX records of rules in rule order, each
 * testing what the key does not: family, protocol, port ranges, the other
 * address. The first record that holds is the kind's first rule. A list
 * word: the first record's index, and the count in the top bits (0: no
 * rule). Rules the lists cannot take (other tests, long lists) go to the
 * cross-producted partitions.
 */
#define XDPFW_LIST_MAX         8
#define XDPFW_LIST_COUNT_SHIFT 27
#define XDPFW_LIST_START_MASK  ((1u << XDPFW_LIST_COUNT_SHIFT) - 1)
#define XDPFW_LIST_PAIR        0
#define XDPFW_LIST_SRC         1
#define XDPFW_LIST_DST         2
#define XDPFW_LIST_KINDS       3

#define XDPFW_CAND_FAMILY 0x01
#define XDPFW_CAND_PROTO  0x02
#define XDPFW_CAND_SPORT  0x04
#define XDPFW_CAND_DPORT  0x08
#define XDPFW_CAND_ADDR   0x10 /* the other address: SRC tests daddr, DST saddr */

/* One record of a list: a rule and the tests the key leaves to it, with
 * the model's preconditions (ports need a port header, a protocol a known
 * one). */
struct xdpfw_cand {
	__u16 rule;
	__u8 tests;  /* XDPFW_CAND_* */
	__u8 family; /* XDPFW_FAMILY_* */
	__u8 proto;
	__u8 plen; /* the other address's prefix length */
	__u16 sport_lo, sport_hi, dport_lo, dport_hi;
	__u16 pad;
	__u32 addr[4]; /* the other address's prefix, host order, host bits cleared */
};
_Static_assert(sizeof(struct xdpfw_cand) == 32, "xdpfw_cand layout");

/*
 * The hash of PAIR keys: buckets of XDPFW_PAIR_SLOTS keys and their list
 * words (a list word of 0: an empty slot), the bucket by
 * xdpfw_pair_hash(); a bucket whose keys did not fit names a second one
 * (next - 1) among those after the first 2^bits. Two reads at most.
 */
#define XDPFW_PAIR_SLOTS 5
struct xdpfw_pair_bucket {
	__u32 s[XDPFW_PAIR_SLOTS];
	__u32 d[XDPFW_PAIR_SLOTS];
	__u32 list[XDPFW_PAIR_SLOTS];
	__u32 next;
};
_Static_assert(sizeof(struct xdpfw_pair_bucket) == 64, "xdpfw_pair_bucket layout");

static inline __u32 xdpfw_pair_hash(__u32 s, __u32 d, __u32 seed)
{
	__u32 h = (s * 0x9e3779b1u) ^ (d * 0x85ebca77u) ^ seed;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

struct xdpfw_lists {
	__u8 kinds;                    /* bit XDPFW_LIST_*: the kinds with rules */
	__u8 pair_bits;                /* 2^pair_bits first buckets */
	__u8 maxlen[XDPFW_LIST_KINDS]; /* longest list of each kind */
	__u8 pad[7];
	__u32 pair_seed;
	__u32 key_off[2]; /* tab32: list words of SRC / DST, by class */
};
_Static_assert(sizeof(struct xdpfw_lists) == 24, "xdpfw_lists layout");

struct xdpfw_plan {
	__u8 nparts;       /* part[0 .. nparts - 1] */
	__u8 rec_shift;    /* a record is 2^rec_shift words */
	__u16 records;     /* fields read through their records (bit f) */
	__u32 rec_off[10]; /* tab32 offset of each field's records (enum xdpfw_field) */
	__u32 lim_off;     /* tab32: rule index of the i-th vector rule */
	__u32 nvector;     /* vector rules: the limited ones, and those no partition fits */
	struct xdpfw_part part[XDPFW_MAX_PARTS];
	struct xdpfw_lists lists;
};
_Static_assert(sizeof(struct xdpfw_plan) == 4 + 40 + 8 + 84 * XDPFW_MAX_PARTS + 24,
               "xdpfw_plan layout");

/*
 * Small rule sets (at most XDPFW_SMALL_RULES rules, none rate-limited,
 * config cls_flags XDPFW_CLS_SMALL): every class of phase 0 is its rule
 * bitmap itself (bit r: rule r), in the tables and address stores alike,
 * so a packet ANDs the ten classes and reads no table of phases 1 and 2. 14 bits leave a 16-bit
 * array entry room for its two flags.
 */
#define XDPFW_SMALL_RULES 14
#define XDPFW_CLS_SMALL   0x1

/* Fields looked up in direct tables of class ids, 256 ids a block. */
enum xdpfw_field {
	XDPFW_F_KIND, /* family, protocol, packet flags: xdpfw_kind_key() */
	XDPFW_F_SPORT,
	XDPFW_F_DPORT,
	XDPFW_F_LEN,
	XDPFW_F_TTL,
	XDPFW_F_TCPFLAGS,
	XDPFW_F_ICMPTYPE,
	XDPFW_F_VLAN, /* outer VLAN id; XDPFW_VLAN_NONE when untagged */
	XDPFW_F_TABLES,
	XDPFW_F_SADDR = XDPFW_F_TABLES, /* address fields: see xdpfw_addr_shape */
	XDPFW_F_DADDR,
	XDPFW_F_MAX,
};
#define XDPFW_VLAN_NONE 4096

struct xdpfw_cls_block {
	__u32 id[256];
};
_Static_assert(sizeof(struct xdpfw_cls_block) == 1024, "xdpfw_cls_block layout");

/* Blocks of each table field, and where each starts within a generation. */
#define XDPFW_KIND_BLOCKS       32 /* 8192 kind keys */
#define XDPFW_CLS_BASE_KIND     0
#define XDPFW_CLS_BASE_SPORT    (XDPFW_CLS_BASE_KIND + XDPFW_KIND_BLOCKS)
#define XDPFW_CLS_BASE_DPORT    (XDPFW_CLS_BASE_SPORT + 256)
#define XDPFW_CLS_BASE_LEN      (XDPFW_CLS_BASE_DPORT + 256)
#define XDPFW_CLS_BASE_TTL      (XDPFW_CLS_BASE_LEN + 256)
#define XDPFW_CLS_BASE_TCPFLAGS (XDPFW_CLS_BASE_TTL + 1)
#define XDPFW_CLS_BASE_ICMPTYPE (XDPFW_CLS_BASE_TCPFLAGS + 1)
#define XDPFW_CLS_BASE_VLAN     (XDPFW_CLS_BASE_ICMPTYPE + 1)
#define XDPFW_CLS_BLOCKS        (XDPFW_CLS_BASE_VLAN + 17) /* per generation */

/* The kind key: IPv6 bit, protocol, and the XDPFW_PKT_* flags that rule
 * tests depend on (ports present, fragment, later fragment, no protocol). */
static inline __u32 xdpfw_kind_key(__u8 family, __u8 proto, __u8 flags)
{
	return (family == XDPFW_FAMILY_IPV6 ? 1u << 12 : 0) | (__u32)proto << 4 | (flags & 0xf);
}

/*
 * Address fields: per field and family, the compiler picks a store by the
 * shape of the prefixes rules and sets name there (ctl/cls.c):
 *   NONE  no prefix of this family: every packet gets class `miss`;
 *   DIR   IPv4 only, DIR-24-8: an array of 2^24 16-bit entries by the
 *         address's first 24 bits (fw_addr_dir) holding the class of the
 *         longest prefix of /24 or shorter, unless a longer prefix lies in
 *         that /24 (XDPFW_DIR_LONGER): then the entry names a group of 256
 *         entries, one per address of the /24 (after the array); or, past
 *         XDPFW_DIR_GROUPS groups, with XDPFW_DIR_HASHED, the entry's id is
 *         the class of the /24 and its longer prefixes are in a record
 *         of its own (struct xdpfw_rec24, fw_r24: one cache line, found
 *         by cuckoo hashing of the /24) or, past XDPFW_REC24_MAX of them,
 *         looked up as an LPM store of the lengths 25-32 (below);
 *   D16   IPv4, few prefixes, DIR-16-8-8: 2^16 entries by the first 16
 *         bits, then groups of 256 by the next 8 and the last 8 bits where
 *         longer prefixes need them (XDPFW_DIR_LONGER: the entry names the
 *         group), all in one small map (fw_addr_d16): three loads at most;
 *   LPM   IPv6: binary search on prefix lengths (Waldvogel et al., 1997):
 *         one hash of (prefix, length) for every length the prefixes have,
 *         probed at the middle length of the range left; a hit (a prefix,
 *         or a marker put where a longer prefix's search passes) holds the
 *         class of the longest prefix covering it and sends the search to
 *         the longer half, a miss to the shorter. At most XDPFW_LPM_STEPS
 *         probes, whatever the number of prefixes. The hash is bucketed
 *         cuckoo hashing in one array (fw_lpm, a map of the rule set's own
 *         program): each key sits in one of its two buckets, so a probe is
 *         two cache lines.
 */
enum xdpfw_addr_store {
	XDPFW_STORE_NONE,
	XDPFW_STORE_DIR,
	XDPFW_STORE_LPM,
	XDPFW_STORE_D16,
};

#define XDPFW_DIR_LONGER    0x8000u /* a prefix longer than /24 in this /24 */
#define XDPFW_DIR_HASHED    0x4000u /* with LONGER: hash, else group index */
#define XDPFW_DIR_ID_MASK   0x3fffu /* class id, group index or the hash's miss */
#define XDPFW_DIR_PER_BLOCK 512     /* entries of a fw_addr_dir element */
#define XDPFW_DIR_BLOCKS    ((1u << 24) / XDPFW_DIR_PER_BLOCK)
#define XDPFW_DIR_GROUPS    (XDPFW_DIR_ID_MASK + 1) /* 8 MiB of groups at most */
/* The array and its groups share one map: blocks 0 .. XDPFW_DIR_BLOCKS - 1
 * are the array, then two groups a block (group g: block XDPFW_DIR_BLOCKS +
 * g / 2, entries (g % 2) * 256 on). One map, one lookup fewer a packet. */
#define XDPFW_DIR_MAP_BLOCKS (XDPFW_DIR_BLOCKS + XDPFW_DIR_GROUPS / 2)

/* D16: below this many prefixes, IPv4 takes D16 instead of DIR; each
 * prefix needs two groups at most. 128 blocks of first-16-bit entries, then
 * the groups two a block: 1.1 MiB. */
#define XDPFW_D16_MAX_PREFIXES 1024
#define XDPFW_D16_GROUPS       (2 * XDPFW_D16_MAX_PREFIXES)
#define XDPFW_D16_L1_BLOCKS    ((1u << 16) / XDPFW_DIR_PER_BLOCK)
#define XDPFW_D16_MAP_BLOCKS   (XDPFW_D16_L1_BLOCKS + XDPFW_D16_GROUPS / 2)
struct xdpfw_dir_block {
	__u16 id[XDPFW_DIR_PER_BLOCK];
};
_Static_assert(sizeof(struct xdpfw_dir_block) == 1024, "xdpfw_dir_block layout");
struct xdpfw_dir_group {
	__u16 id[256];
};
_Static_assert(sizeof(struct xdpfw_dir_group) == 512, "xdpfw_dir_group layout");

/* LPM stores: lengths 0..128, so 129 at most and 8 probes of a binary
 * search; a bucket of three slots is one cache line. */
#define XDPFW_LPM_LENS  132
#define XDPFW_LPM_STEPS 8
#define XDPFW_LPM_SLOTS 3
#define XDPFW_LPM_PAGE  64
/* Buckets of all the LPM stores of a rule set together: 512 MiB. */
#define XDPFW_LPM_MAX_BUCKETS (1u << 23)
struct xdpfw_lpm_bucket {
	__u32 a[XDPFW_LPM_SLOTS][4]; /* prefix or marker, host order, host bits clear */
	__u32 id[XDPFW_LPM_SLOTS];   /* class of the longest prefix covering it */
	__u8 len1[XDPFW_LPM_SLOTS];  /* its length + 1; 0: an empty slot */
	__u8 pad;
};
_Static_assert(sizeof(struct xdpfw_lpm_bucket) == 64, "xdpfw_lpm_bucket layout");

/* A /24 of a DIR store without a group: its longer prefixes, longest
 * first, each the last byte of its address, its length (25-32) and class.
 * Two buckets a /24 (xdpfw_rec24_place()), one record a bucket. */
#define XDPFW_REC24_MAX   14
#define XDPFW_REC24_SPILL 0xff /* n: the /24's prefixes are in the LPM store */
struct xdpfw_rec24 {
	__u32 key; /* (address >> 8) + 1; 0: an empty bucket */
	__u8 n;    /* entries, or XDPFW_REC24_SPILL */
	__u8 pad[3];
	struct {
		__u8 lo;  /* the last byte of the prefix */
		__u8 len; /* 25-32 */
		__u16 id; /* its class */
	} e[XDPFW_REC24_MAX];
};
_Static_assert(sizeof(struct xdpfw_rec24) == 64, "xdpfw_rec24 layout");

struct xdpfw_addr_shape {
	__u8 store;    /* enum xdpfw_addr_store */
	__u8 nlens;    /* LPM (and DIR's hashed /24s): lengths in lens[] */
	__u8 page_len; /* LPM: keys this long or longer: page by their first bits */
	__u8 pad;
	__u32 miss;                /* class when no prefix holds the address */
	__u32 base;                /* LPM: its first bucket in fw_lpm */
	__u32 npages;              /* LPM: its pages of XDPFW_LPM_PAGE buckets, 0 when none */
	__u32 rec_base;            /* DIR: its first record in fw_r24 */
	__u32 nrec;                /* DIR: its record buckets, 0 when none */
	__u8 lens[XDPFW_LPM_LENS]; /* LPM: the prefix lengths, ascending */
};
_Static_assert(sizeof(struct xdpfw_addr_shape) == 156, "xdpfw_addr_shape layout");

/* Word w (0-3) of the mask of a prefix of len bits, in host order. */
static inline __attribute__((always_inline)) __u32 xdpfw_lpm_mask(__u32 len, __u32 w)
{
	__u32 bits = len > 32 * w ? len - 32 * w : 0;

	return (__u32)(0xffffffff00000000ull >> (bits < 32 ? bits : 32));
}

/* Hash of a masked key k of len bits: multiply-add of its words, then
 * mixed so that every bit of the result depends on every bit of the key. */
static inline __attribute__((always_inline)) __u64 xdpfw_lpm_hash(const __u32 *k, __u32 len)
{
	__u64 h = k[0] * 0x9e3779b97f4a7c15ull + k[1] * 0xc2b2ae3d27d4eb4full +
	          k[2] * 0x165667b19e3779f9ull + k[3] * 0xd6e8feb86659fd93ull +
	          (len + 1) * 0xff51afd7ed558ccdull;

	h = (h ^ (h >> 32)) * 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

/* The two buckets of /24 a24 (the address >> 8) among n records. */
static inline __attribute__((always_inline)) void xdpfw_rec24_place(__u32 a24, __u32 n, __u32 *b)
{
	__u32 k[4] = {a24 << 8, 0, 0, 0};
	__u64 g = xdpfw_lpm_hash(k, 24);

	b[0] = (__u32)(((g >> 32) * n) >> 32);
	b[1] = (__u32)(((g & 0xffffffffull) * n) >> 32);
}

/*
 * The two buckets key k (len bits, cut) may be in, b[0] and b[1], counted
 * from the store's base: one in each of two pages of XDPFW_LPM_PAGE
 * buckets (4 KiB), chosen by the key cut to page_len bits when it is that
 * long. A packet's probes at lengths from page_len on then touch two pages:
 * two TLB misses a packet, not two a probe, where a store of millions of
 * keys spans thousands of pages; and keys that share their pages still
 * have two to balance between.
 */
static inline __attribute__((always_inline)) void
xdpfw_lpm_place(const __u32 *k, __u32 len, __u32 page_len, __u32 npages, __u32 *b)
{
	__u32 pl = len < page_len ? len : page_len, pk[4];
	__u64 h = xdpfw_lpm_hash(k, len), g, m;

	for (__u32 w = 0; w < 4; w++)
		pk[w] = k[w] & xdpfw_lpm_mask(pl, w);
	g = xdpfw_lpm_hash(pk, pl);
	m = h * 0x94d049bb133111ebull;
	b[0] = (__u32)(((g >> 32) * npages) >> 32) * XDPFW_LPM_PAGE + (__u32)(m >> 58);
	b[1] = (__u32)(((g & 0xffffffffull) * npages) >> 32) * XDPFW_LPM_PAGE +
	       ((__u32)(m >> 52) & (XDPFW_LPM_PAGE - 1));
}

/* Everything else the program needs: value 0 of the config map. */
struct xdpfw_config {
	__u32 rule_count; /* rules 0..rule_count-1 are live */
	__u8 policy;      /* enum xdpfw_action when no rule matches */
	__u8 nonip;       /* enum xdpfw_action for non-IP frames */
	__u8 malformed;   /* enum xdpfw_action for malformed frames */
	__u8 cls_flags;   /* XDPFW_CLS_* */
	__u64 digest;     /* FNV-1a of the compiled rules, shown by status */
	/* Classifier: bit f set when some rule tests table field f; an unset
	 * field's class is 0. */
	__u32 fields;
	__u32 nclasses;                     /* phase 1 and 2 classes, for status */
	struct xdpfw_addr_shape addr[2][2]; /* [field - XDPFW_F_SADDR][IPv6] */
	struct xdpfw_limit_config limit;    /* limit-sources, limit-full */
	struct xdpfw_plan plan;             /* phases 1 and 2 */
};
_Static_assert(sizeof(struct xdpfw_config) == 24 + 4 * 156 + 8 + sizeof(struct xdpfw_plan),
               "xdpfw_config layout");

/*
 * A program built for its rule set (xdp/consts.h): one BPF object, loaded
 * once per rule set with these constants in a frozen read-only section of
 * its own (XDPFW_CONSTS_SECTION), so the verifier knows them and drops
 * the code a rule set does not use. Two roles:
 *   ENTRY  the stable program libxdp's dispatcher runs: it tail-calls the
 *          rule set's program in slot 0 of fw_progs;
 *   RULES  a rule set's program, serving generation gen: attached alone
 *          (replaced whole on reload), or in the ENTRY program's slot.
 * Tiny rule sets (at most XDPFW_TINY_RULES rules, no limits, no sets) are
 * matched from tiny_rules[] alone, rule by rule, without a classifier map.
 * All zeros is the ENTRY role: the object loaded as it is.
 */
#define XDPFW_ROLE_ENTRY     0
#define XDPFW_ROLE_RULES     1
#define XDPFW_TINY_RULES     8
#define XDPFW_CONSTS_SECTION ".rodata.consts"

/*
 * A rule of a tiny rule set as xdp/tiny.h tests it: a byte per test it may
 * make (XDPFW_TINY_*), so that a test a rule does not make costs one load,
 * and the values compared; the meaning is struct xdpfw_rule's.
 */
#define XDPFW_TINY_NO  0 /* the rule does not test the field */
#define XDPFW_TINY_YES 1
#define XDPFW_TINY_NOT 2 /* tested with != */
struct xdpfw_tiny_rule {
	__u8 t_family, t_proto, t_saddr, t_daddr, t_sport, t_dport; /* XDPFW_TINY_* */
	__u8 t_tcpflags, t_icmptype, t_vlan, t_fragment, t_len, t_ttl;
	__u8 family, proto, tcp_flags_mask, tcp_flags_value, icmp_type, ttl_lo, ttl_hi;
	__u8 action;
	__u8 saddr_words, daddr_words; /* words of the prefix the mask covers: 1 or 4 */
	__u16 vlan, sport_lo, sport_hi, dport_lo, dport_hi, len_lo, len_hi;
	__u32 counter; /* slot in fw_rule_stats */
	struct xdpfw_prefix saddr, daddr;
};
_Static_assert(sizeof(struct xdpfw_tiny_rule) == 40 + 2 * sizeof(struct xdpfw_prefix),
               "xdpfw_tiny_rule layout");

struct xdpfw_consts {
	__u32 role; /* XDPFW_ROLE_* */
	__u32 gen;  /* the generation whose maps the RULES program reads */
	__u32 tiny; /* 1: the rules are tiny_rules[0 .. config.rule_count - 1] */
	__u32 pad;
	struct xdpfw_config config;
	struct xdpfw_tiny_rule tiny_rules[XDPFW_TINY_RULES];
};
_Static_assert(sizeof(struct xdpfw_consts) == 16 + sizeof(struct xdpfw_config) +
                                                  XDPFW_TINY_RULES * sizeof(struct xdpfw_tiny_rule),
               "xdpfw_consts layout");

/* Per-CPU counter: value of the rule and reason counter maps. */
struct xdpfw_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xdpfw_counter) == 16, "xdpfw_counter layout");

/* Packet key flags. */
#define XDPFW_PKT_PORTS      0x01 /* sport/dport are valid (TCP/UDP, not a later fragment) */
#define XDPFW_PKT_FRAGMENT   0x02 /* any fragment (first or later) */
#define XDPFW_PKT_LATER_FRAG 0x04 /* fragment offset != 0 */
/* An IPv6 later fragment whose fragment header names another extension
 * header: the protocol is unknown, so no protocol match holds (nftables:
 * ipv6_find_hdr() fails, no l4proto). */
#define XDPFW_PKT_NO_PROTO 0x08

/*
 * What the parser extracts and the classifier matches on. Lives here so that
 * the reference model in ctl/ can classify the same key.
 */
struct xdpfw_pkt {
	__u32 saddr[4]; /* network byte order, IPv4 in [0] */
	__u32 daddr[4];
	__u16 sport, dport;              /* host byte order */
	__u16 vlan[XDPFW_MAX_VLAN_TAGS]; /* VLAN ids, outer first */
	__u16 ip_len;                    /* IP packet length, 65535 at most (parse.h) */
	__u8 family;                     /* XDPFW_FAMILY_* */
	__u8 proto;                      /* L4 protocol, after IPv6 extension headers */
	__u8 flags;                      /* XDPFW_PKT_* */
	__u8 vlan_count;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 ttl; /* IPv4 TTL or IPv6 hop limit */
	__u8 pad[2];
};
_Static_assert(sizeof(struct xdpfw_pkt) == 52, "xdpfw_pkt layout");

/*
 * The layout stamp. fwctl reads and writes a running program's maps with its
 * own struct sizes, so it must only touch a program built from the same
 * layouts: the program carries this stamp in a read-only section of its own
 * (XDPFW_STAMP_SECTION), which libbpf loads as a frozen map bound to the
 * program, and fwctl compares it before it opens any other map of the
 * program (ctl/loader.c). The layout number decides; the version only
 * names the builder, so a release that changes no layout keeps working with
 * programs of the one before. The first 32 bytes stay as they are in every
 * version, so that any fwctl can name the xdpfw that built a program.
 *
 * XDPFW_LAYOUT hashes every size and limit the maps are made of, so a change
 * there gives another number by itself. Bump XDPFW_LAYOUT_VERSION by hand for
 * what no size shows: a field moved, a flag or an enum value whose meaning
 * changed, a map the program reads in a new way.
 */
#ifndef XDPFW_LAYOUT_VERSION /* tests build a program with another one */
#define XDPFW_LAYOUT_VERSION 5
#endif
#ifndef XDPFW_VERSION
#error "XDPFW_VERSION (the project version string) comes from meson.build"
#endif
#define XDPFW_STAMP_MAGIC   0x58445046u /* "XDPF" */
#define XDPFW_STAMP_SECTION ".rodata.stamp"
#define XDPFW_VERSION_MAX   24 /* bytes of the version string, NUL included */
_Static_assert(sizeof(XDPFW_VERSION) <= XDPFW_VERSION_MAX, "the version fits the stamp");

struct xdpfw_stamp {
	__u32 magic;                     /* XDPFW_STAMP_MAGIC */
	__u32 layout;                    /* XDPFW_LAYOUT */
	char version[XDPFW_VERSION_MAX]; /* XDPFW_VERSION, NUL-terminated */
};
_Static_assert(sizeof(struct xdpfw_stamp) == 32, "xdpfw_stamp layout");
#define XDPFW_STAMP_INIT                                                                           \
	{                                                                                          \
		.magic = XDPFW_STAMP_MAGIC, .layout = XDPFW_LAYOUT, .version = XDPFW_VERSION       \
	}

/*
 * X(n, value): every size and limit behind a map's key, value or entry
 * count, each with its own n. Add one here with every new map or struct.
 */
#define XDPFW_LAYOUT_ITEMS(X)                                                                      \
	X(0, XDPFW_LAYOUT_VERSION)                                                                 \
	X(1, sizeof(struct xdpfw_stamp))                                                           \
	X(2, sizeof(struct xdpfw_config))                                                          \
	X(3, sizeof(struct xdpfw_rule))                                                            \
	X(4, sizeof(struct xdpfw_counter))                                                         \
	X(5, sizeof(struct xdpfw_set_entry))                                                       \
	X(6, sizeof(struct xdpfw_port_entry))                                                      \
	X(7, sizeof(struct xdpfw_vec))                                                             \
	X(8, sizeof(struct xdpfw_cls_block))                                                       \
	X(9, sizeof(struct xdpfw_dir_block))                                                       \
	X(10, sizeof(struct xdpfw_dir_group))                                                      \
	X(11, sizeof(struct xdpfw_lpm_bucket))                                                     \
	X(12, XDPFW_LPM_LENS)                                                                      \
	X(13, sizeof(struct xdpfw_limit_key))                                                      \
	X(14, sizeof(struct xdpfw_limit_bucket))                                                   \
	X(15, sizeof(struct xdpfw_limit_counter))                                                  \
	X(16, sizeof(struct xdpfw_limit_totals))                                                   \
	X(17, XDPFW_MAX_RULES)                                                                     \
	X(18, XDPFW_GENERATIONS)                                                                   \
	X(19, XDPFW_COUNTER_SLOTS)                                                                 \
	X(20, XDPFW_REASON_MAX)                                                                    \
	X(21, XDPFW_MAX_ADDR_SETS)                                                                 \
	X(22, XDPFW_MAX_SET_ADDRS)                                                                 \
	X(23, XDPFW_MAX_PORT_SETS)                                                                 \
	X(24, XDPFW_MAX_LIMITED)                                                                   \
	X(25, XDPFW_CLS_BLOCKS)                                                                    \
	X(26, XDPFW_DIR_MAP_BLOCKS)                                                                \
	X(27, XDPFW_D16_MAP_BLOCKS)                                                                \
	X(28, XDPFW_F_MAX)                                                                         \
	X(29, XDPFW_LPM_SLOTS * 1000 + XDPFW_LPM_PAGE)                                             \
	X(30, sizeof(struct xdpfw_plan))                                                           \
	X(31, sizeof(struct xdpfw_tab32_block))                                                    \
	X(32, sizeof(struct xdpfw_tab16_block))                                                    \
	X(33, XDPFW_REC_STRIDE)                                                                    \
	X(34, sizeof(struct xdpfw_consts))                                                         \
	X(35, sizeof(struct xdpfw_tiny_rule))                                                      \
	X(36, sizeof(struct xdpfw_cand))                                                           \
	X(37, sizeof(struct xdpfw_pair_bucket))                                                    \
	X(38, XDPFW_LIST_MAX)                                                                      \
	X(39, sizeof(struct xdpfw_verd))                                                           \
	X(40, sizeof(struct xdpfw_rec24) * 100 + XDPFW_REC24_MAX)

/*
 * A constant expression, so that the BPF program's initializer can hold
 * it: each item times a pseudo-random odd weight (splitmix64's finalizer of
 * n + 1), summed, and the sum mixed once more. Two layouts give the same
 * number only if their size changes cancel out under those weights.
 */
#define XDPFW_MIX64_1(z)        (((z) ^ ((z) >> 30)) * 0xbf58476d1ce4e5b9ull)
#define XDPFW_MIX64_2(z)        (((z) ^ ((z) >> 27)) * 0x94d049bb133111ebull)
#define XDPFW_MIX64_3(z)        ((z) ^ ((z) >> 31))
#define XDPFW_MIX64(z)          XDPFW_MIX64_3(XDPFW_MIX64_2(XDPFW_MIX64_1((__u64)(z))))
#define XDPFW_LAYOUT_TERM(n, x) +(__u64)(x) * (XDPFW_MIX64((n) + 1) | 1)
#define XDPFW_LAYOUT            ((__u32)(XDPFW_MIX64(0 XDPFW_LAYOUT_ITEMS(XDPFW_LAYOUT_TERM)) >> 32))

/*
 * Object names. Map names are the identifiers in xdp/xdpfw.bpf.c; user space
 * reaches the maps through the skeleton, and matches maps of a running
 * program by the names the skeleton reports, never by literals elsewhere.
 */
#define XDPFW_PROG_NAME "xdpfw_main"

#endif /* XDPFW_H */
