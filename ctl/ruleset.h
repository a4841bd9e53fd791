/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ruleset.h - the rule language's one output: a compiled rule set, the
 * image of everything the maps get (config, rules, set members, classifier
 * tables), with the source position of every rule and setting.
 *
 * Pipeline (load.c): file.c reads the file once, lexer.c and parser.c turn
 * it into statements (ast.h), compile.c turns those into this image, cls.c
 * builds the classifier's tables. The loader only writes images; the lints
 * (lint.h), `fwctl show` and the reference model only read them; nothing
 * reads or parses the file a second time. A rule set read back from a
 * kernel is an image too, without source.
 *
 * Nothing here touches the kernel, so all of it is unit-tested without root.
 */
#ifndef FW_RULESET_H
#define FW_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "xdpfw.h"

struct fw_cls;

/* A place in a rule file: 1-based line and byte column; line 0: none. */
struct fw_pos {
	unsigned int line;
	unsigned int col;
};

/* A place, and the bytes of its line in fw_ruleset.source (for carets). */
struct fw_src {
	struct fw_pos pos;
	__u32 off, len;
};

/* Where a rule was written: its verb (pass/drop), and its `name` keyword
 * (the verb when it has none). */
struct fw_rule_src {
	struct fw_src verb;
	struct fw_src name;
};

enum fw_setting {
	FW_SETTING_POLICY,
	FW_SETTING_NONIP,
	FW_SETTING_MALFORMED,
	FW_SETTING_LIMIT_SOURCES, /* limit-sources N */
	FW_SETTING_LIMIT_FULL,    /* limit-full over|within */
	FW_SETTING_MAX,
};

enum fw_set_kind {
	FW_SET_UNKNOWN, /* an empty set not used yet: no member tells */
	FW_SET_ADDR,
	FW_SET_PORT,
};

/* What the compiler knows of a set, named or an inline list. */
struct fw_set_info {
	char name[XDPFW_NAME_MAX]; /* "" for an inline list */
	enum fw_set_kind kind;
	__u16 id;      /* within its kind */
	__u8 families; /* bit 0: has IPv4 members, bit 1: IPv6 */
	__u32 count;   /* members as written */
	unsigned int line;
};

/*
 * A compiled rule set. Made by fw_ruleset_new() (or a load below) and
 * released with fw_ruleset_free(); every array is owned.
 *
 * Set members: addrs[] holds the prefixes of every address set, ports[] the
 * ranges of every port set, each grouped by set id in ascending order, so
 * the members of address set k are addrs[addr_first[k] .. addr_first[k+1])
 * (likewise ports/port_first). Port ranges are normalized per set.
 */
struct fw_ruleset {
	struct xdpfw_config config; /* config.rule_count rules below */
	struct xdpfw_rule *rules;
	size_t rules_cap;

	struct xdpfw_set_entry *addrs;
	__u32 naddrs;
	size_t addrs_cap;
	struct xdpfw_port_entry *ports;
	__u32 nports;
	size_t ports_cap;
	__u32 naddr_sets, nport_sets;
	__u32 *addr_first, *port_first; /* [nsets + 1]: see above */

	struct fw_set_info *sets; /* every set, named or inline; none when read back */
	__u32 nsets;
	size_t sets_cap;

	/* Source, when compiled from text: the text itself, where each rule
	 * and setting stands in it (setting_src[s].pos.line 0: not set). */
	char *source;
	size_t source_len;
	struct fw_rule_src *rule_src; /* [config.rule_count], or NULL */
	size_t rule_src_cap;
	struct fw_src setting_src[FW_SETTING_MAX];

	__u32 gen;          /* read back from a kernel: its generation */
	struct fw_cls *cls; /* classifier tables (cls.h); NULL if not built */
};

/* A new empty rule set with the defaults (policy pass, nonip pass,
 * malformed drop, limit settings), or NULL when out of memory. */
struct fw_ruleset *fw_ruleset_new(void);
void fw_ruleset_free(struct fw_ruleset *rs);

/* Room for one more rule, prefix, port range or set. 0 or -ENOMEM. */
int fw_ruleset_grow_rules(struct fw_ruleset *rs);
int fw_ruleset_grow_addrs(struct fw_ruleset *rs);
int fw_ruleset_grow_ports(struct fw_ruleset *rs);

/* Build addr_first/port_first from addrs/ports (grouped by set, as above).
 * 0, -EINVAL when they are not grouped in order, or -ENOMEM. */
int fw_ruleset_index_sets(struct fw_ruleset *rs);

/* Whether addr (of family) lies in some prefix of address set `set`, and
 * port in port set `set`; an unknown set holds nothing. Needs the index. */
bool fw_ruleset_addr_in_set(const struct fw_ruleset *rs, unsigned int set, unsigned int family,
                            const __u32 addr[4]);
bool fw_ruleset_port_in_set(const struct fw_ruleset *rs, unsigned int set, unsigned int port);
/* The members of address set `set`, and the ranges of port set `set`
 * (normalized): *n of them, NULL when the set is unknown. */
const struct xdpfw_set_entry *fw_ruleset_addr_set(const struct fw_ruleset *rs, unsigned int set,
                                                  __u32 *n);
const struct xdpfw_port_entry *fw_ruleset_port_set(const struct fw_ruleset *rs, unsigned int set,
                                                   __u32 *n);

/* The source line a position points into (NULL when the set has none). */
const char *fw_ruleset_src_line(const struct fw_ruleset *rs, const struct fw_src *src, size_t *len);

/*
 * Read, parse and compile a rule file / a buffer, and build its classifier
 * tables. Returns 0 with *out a new rule set; else *out is NULL and every
 * fault is reported through diag: -EINVAL for bad rules (diag->errors > 0),
 * another -errno when the file cannot be read (not a regular file, too
 * large, ...) or memory ran out. Nothing half-made ever comes out.
 */
int fw_ruleset_load_file(const char *path, struct fw_ruleset **out, struct fw_diag *diag);
int fw_ruleset_load_mem(const char *name, const char *buf, size_t len, struct fw_ruleset **out,
                        struct fw_diag *diag);

/*
 * Build the classifier's tables for a compiled rule set (done by the loads
 * above): rs->cls, and its part of rs->config. A rule set the classifier
 * cannot hold is reported through diag (no position) and gives -EINVAL.
 */
int fw_ruleset_build(struct fw_ruleset *rs, struct fw_diag *diag);
void fw_ruleset_drop_cls(struct fw_ruleset *rs);

/* 64-bit FNV-1a over the settings, the live rules and the set members. */
__u64 fw_ruleset_digest(const struct fw_ruleset *rs);

/* Print a compiled rule back in the rule language ("drop udp dport 53").
 * Returns the length snprintf would have written. Sets print as their
 * @name, or as the inline list, when rs knows them; else as @aN / @pN. */
int fw_rule_format(const struct xdpfw_rule *r, char *buf, size_t len);
int fw_rule_format_rs(const struct fw_ruleset *rs, const struct xdpfw_rule *r, char *buf,
                      size_t len);
/* The same, whole, in a malloc'ed string (NULL when out of memory). */
char *fw_rule_text(const struct fw_ruleset *rs, const struct xdpfw_rule *r);
/* How rules print set `id` of kind: false for an inline list that prints
 * as its members, else true with its name (or aN / pN) in buf. */
bool fw_set_label(const struct fw_ruleset *rs, enum fw_set_kind kind, unsigned int id, char *buf,
                  size_t len);

/* Names for output; never NULL. */
const char *fw_action_name(unsigned int action);
const char *fw_reason_name(unsigned int reason);
/* "XDP_DROP" for an XDP action code. */
const char *fw_xdp_name(unsigned int action);

#endif /* FW_RULESET_H */
