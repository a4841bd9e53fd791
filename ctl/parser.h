/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parser.h - tokens in, one statement (ast.h) at a time out.
 *
 * Statements come one by one so that the compiler can check each right after
 * it is read, and every diagnostic of a file comes out in line order.
 * A faulty line is reported once and skipped; parsing resumes on the next
 * line, so one run reports every faulty line.
 */
#ifndef FW_PARSER_H
#define FW_PARSER_H

#include <stddef.h>

#include "ast.h"
#include "lexer.h"
#include "ruleset.h"

struct fw_parser {
	struct fw_lexer lx;
	struct fw_token tok;  /* the token being looked at */
	struct fw_token prev; /* the one before it, to point just past it */
	struct fw_diag *diag;
	int started;
	int in_list; /* inside `{ ... }`, which may span lines */
};

void fw_parser_init(struct fw_parser *p, const char *buf, size_t len, struct fw_diag *diag);

/*
 * Parse the next good statement into *st (release it with fw_stmt_free).
 * Returns 1 with *st filled, 0 at the end of input, -ENOMEM. Faulty lines
 * are reported through the diag and skipped, never returned.
 */
int fw_parser_next(struct fw_parser *p, struct fw_stmt *st);
void fw_stmt_free(struct fw_stmt *st);

/*
 * A set file from the parser's input: one address or prefix per line,
 * blank lines and '#' comments allowed. Members are appended to l (their
 * src points into the input); a faulty line is reported and skipped.
 * Returns 0 (the caller reads diag->errors) or -ENOMEM.
 */
int fw_parser_addr_lines(struct fw_parser *p, struct fw_ast_list *l);

/* IP protocol numbers (IANA) that the language gives a meaning to. */
#define FW_PROTO_ICMP   1
#define FW_PROTO_TCP    6
#define FW_PROTO_UDP    17
#define FW_PROTO_ICMPV6 58

/* "ip" or "ip6" for XDPFW_FAMILY_IPV4 / _IPV6. */
const char *fw_family_word(uint8_t family);
/* The family a protocol only exists in (icmp: IPv4, icmpv6: IPv6), as nft's
 * icmp/icmpv6 imply; XDPFW_FAMILY_NONE for the others. */
uint8_t fw_proto_family(uint8_t proto);

/* IP protocol names of the language: number or -1, name or NULL. */
int fw_proto_lookup(const char *name, size_t len);
const char *fw_proto_name(unsigned int proto);
/* "syn" for XDPFW_TCP_SYN; NULL for anything but one flag bit. */
const char *fw_tcp_flag_name(unsigned int bit);
/* The bit of a TCP flag name ("syn"), or -1. */
int fw_tcp_flag_lookup(const char *name, size_t len);
/* The type an ICMP (family 4) or ICMPv6 (6) type name stands for, or -1. */
int fw_icmp_type_lookup(unsigned int family, const char *name, size_t len);
/* "echo-request" for (XDPFW_FAMILY_IPV4, 8); NULL when it has no name. */
const char *fw_icmp_type_name(unsigned int family, unsigned int type);

/* "policy", "nonip", "malformed", "limit-sources", "limit-full". */
const char *fw_setting_name(enum fw_setting setting);

#endif /* FW_PARSER_H */
