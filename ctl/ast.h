/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ast.h - one statement of a rule file as the parser understood it.
 *
 * The parser checks only what a single token or argument can tell (a word is
 * known, a port fits 16 bits, a prefix fits its family). Whatever depends on
 * the rule as a whole (family and protocol agreement, duplicate matches,
 * ports without tcp/udp, repeated settings, the rule limit) is the compiler's
 * job, so every match keeps the positions the compiler needs to point at.
 */
#ifndef FW_AST_H
#define FW_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ruleset.h"
#include "xdpfw.h"

enum fw_stmt_kind {
	FW_STMT_SETTING, /* policy, nonip, malformed, limit-sources, limit-full */
	FW_STMT_RULE,
	FW_STMT_SET, /* set NAME = { ... } | file "PATH" */
};

enum fw_match_kind {
	FW_MATCH_FAMILY, /* ip, ip6 */
	FW_MATCH_PROTO,  /* tcp, udp, icmp, icmpv6, proto N|NAME */
	FW_MATCH_SADDR,
	FW_MATCH_DADDR,
	FW_MATCH_SPORT,
	FW_MATCH_DPORT,
	FW_MATCH_TCPFLAGS, /* flags syn,!ack */
	FW_MATCH_ICMPTYPE, /* type echo-request | N */
	FW_MATCH_VLAN,     /* vlan N */
	FW_MATCH_FRAGMENT, /* fragment */
	FW_MATCH_LEN,      /* len N | LO-HI */
	FW_MATCH_TTL,      /* ttl (IPv4) or hoplimit (IPv6) N | LO-HI */
	FW_MATCH_MAX,
};

/* An address as written: addr holds every bit given, host bits included
 * (the compiler masks them), IPv4 in addr[0]. */
struct fw_ast_prefix {
	uint8_t family;   /* XDPFW_FAMILY_IPV4 / _IPV6 */
	uint8_t len;      /* prefix length; 32/128 when none was written */
	uint32_t addr[4]; /* network byte order */
};

/* One member of a list or set: an address/prefix, or a port/range. */
struct fw_ast_elem {
	struct fw_pos pos;
	const char *src; /* its source line: a list may span lines */
	size_t src_len;
	bool is_addr;
	struct fw_ast_prefix addr;
	uint16_t lo, hi;
};

/* `{ a, b, ... }` as written, or a set file's lines. */
struct fw_ast_list {
	struct fw_ast_elem *v;
	size_t n, cap;
};

struct fw_ast_match {
	enum fw_match_kind kind;
	struct fw_pos pos; /* the keyword: "saddr", "dport", "tcp", "ip6" */
	struct fw_pos arg; /* its argument; == pos when it has none */
	bool negate;       /* `!=` before the argument (addresses, ports) */
	/* Addresses and ports: a list or a set reference instead of the
	 * single value in the union. */
	bool is_list;
	struct fw_ast_list list;
	char setref[XDPFW_NAME_MAX]; /* `@name`; "" when none */
	uint8_t ttl_family;          /* FW_MATCH_TTL: 4 for ttl, 6 for hoplimit */
	union {
		uint8_t family;            /* FW_MATCH_FAMILY */
		uint8_t proto;             /* FW_MATCH_PROTO */
		struct fw_ast_prefix addr; /* FW_MATCH_SADDR/DADDR */
		struct {
			uint16_t lo, hi; /* inclusive, lo <= hi */
		} port;                  /* SPORT/DPORT, VLAN (lo == hi), LEN, TTL */
		struct {
			uint8_t mask, value; /* (flags & mask) == value */
		} tcp;                       /* FW_MATCH_TCPFLAGS */
		struct {
			/* A name may exist for one family only: resolved by the
			 * compiler against icmp/icmpv6; -1 where it does not. */
			int16_t v4, v6;
		} icmp; /* FW_MATCH_ICMPTYPE */
	};
};

/*
 * `limit over RATE [burst N] [per saddr[/LEN[/LEN6]]]` as written, units
 * applied. Whether it can be timed and whether the prefix lengths fit the
 * rule's family are the compiler's to say.
 */
struct fw_ast_limit {
	struct fw_pos pos;        /* `limit`; line 0: the rule has no limit */
	struct fw_pos rate_pos;   /* the rate's number */
	struct fw_pos burst_kw;   /* `burst`; line 0: none given */
	struct fw_pos burst_pos;  /* the burst's number */
	struct fw_pos per_pos;    /* `per`; line 0: one bucket for the rule */
	struct fw_pos len_pos[2]; /* the prefix lengths after `per saddr` */
	uint64_t rate;            /* packets, or bytes, per period; > 0 */
	uint32_t period;          /* seconds: 1, 60, 3600, 86400 */
	bool bytes;               /* a byte rate (kbit, ..., bytes, ...) */
	uint64_t burst;           /* packets or bytes; 0: the default */
	unsigned int nlens;       /* per saddr: 0; /LEN: 1; /LEN4/LEN6: 2 */
	uint8_t len[2];
};

struct fw_stmt {
	enum fw_stmt_kind kind;
	struct fw_pos pos; /* first word of the statement */
	const char *src;   /* its source line, for diagnostics */
	size_t src_len;
	uint8_t action;               /* enum xdpfw_action */
	enum fw_setting setting;      /* FW_STMT_SETTING */
	uint32_t value;               /* limit-sources N; limit-full: enum xdpfw_limit_full */
	struct fw_ast_match *matches; /* FW_STMT_RULE, in source order */
	size_t nmatches;
	size_t cap;
	char name[XDPFW_NAME_MAX]; /* `name "..."`; FW_STMT_SET: the set's name */
	struct fw_pos name_pos;
	bool log;                  /* `log` */
	struct fw_ast_limit limit; /* `limit over ...` */
	/* FW_STMT_SET: the members written inline, or the file holding them. */
	struct fw_ast_list set;
	char *set_file; /* malloc'ed; NULL for an inline set */
	struct fw_pos set_file_pos;
	bool broken; /* FW_STMT_SET whose fault is reported: name only */
};

#endif /* FW_AST_H */
