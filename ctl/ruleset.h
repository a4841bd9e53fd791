/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ruleset.h - the rule language front door: a rule file in, a compiled rule
 * set (the images of the config and rules maps) out, with diagnostics.
 *
 * Pipeline: lexer.c (tokens) -> parser.c (AST, ast.h) -> compile.c (images).
 * Nothing here touches the kernel, so all of it is unit-tested without root.
 */
#ifndef FW_RULESET_H
#define FW_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "xdpfw.h"

struct fw_cls;

#define FW_DIAG_MAX 64 /* diagnostics kept; later ones are only counted */
#define FW_DIAG_MSG 256

enum fw_diag_kind {
	FW_DIAG_ERROR,
	FW_DIAG_WARNING,
};

struct fw_diag_entry {
	enum fw_diag_kind kind;
	unsigned int line; /* 1-based; 0 when the fault has no position (I/O) */
	unsigned int col;  /* 1-based byte column */
	char msg[FW_DIAG_MSG];
};

/*
 * Where diagnostics go. Each is kept in entries[] (for tests) and, when out
 * is set, printed at once as nft does:
 *
 *   FILE:LINE:COL: error: MESSAGE
 *   <the source line>
 *          ^
 */
struct fw_diag {
	FILE *out;        /* NULL: collect only */
	const char *file; /* name used in messages */
	unsigned int errors;
	unsigned int warnings;
	unsigned int count; /* entries used, <= FW_DIAG_MAX */
	struct fw_diag_entry entries[FW_DIAG_MAX];
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
 * A compiled rule set: exactly what gets written into the maps. The set
 * arrays are malloc'ed: release them with fw_ruleset_free(). A fw_ruleset
 * must start zeroed (static, or memset) before its first load.
 */
struct fw_ruleset {
	struct xdpfw_config config; /* config.rule_count rules below */
	struct xdpfw_rule rules[XDPFW_MAX_RULES];
	struct xdpfw_set_entry *addrs; /* members of every address set */
	__u32 naddrs, addrs_cap;
	struct xdpfw_port_set *port_sets; /* indexed by port set id */
	__u32 nport_sets;
	__u32 naddr_sets;
	struct fw_set_info *sets; /* every set, named or inline */
	__u32 nsets, sets_cap;
	__u32 gen;          /* read back from a kernel: its generation */
	struct fw_cls *cls; /* classifier tables (cls.h); NULL if not built */
};

void fw_ruleset_free(struct fw_ruleset *rs);

void fw_diag_init(struct fw_diag *d, const char *file, FILE *out);

/*
 * Record one diagnostic and, when d->out is set, print it. src/src_len is the
 * source line that line/col point into (no line end), or NULL. Past
 * FW_DIAG_MAX entries a diagnostic is only counted.
 */
void fw_diag_report(struct fw_diag *d, enum fw_diag_kind kind, unsigned int line, unsigned int col,
                    const char *src, size_t src_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * Parse and compile a rule file / a buffer. Returns 0 on success; -EINVAL
 * when the rules are bad (diag->errors > 0, every fault reported); another
 * -errno when the file cannot be read (also reported through diag, line 0).
 * On failure *rs is unspecified: callers apply nothing.
 */
int fw_ruleset_load_file(const char *path, struct fw_ruleset *rs, struct fw_diag *diag);
int fw_ruleset_load_mem(const char *name, const char *buf, size_t len, struct fw_ruleset *rs,
                        struct fw_diag *diag);

/*
 * Build the classifier's tables for a compiled rule set (done by the loads
 * above): rs->cls, and its part of rs->config. A rule set the classifier
 * cannot hold is reported through diag (no position) and gives -EINVAL.
 */
int fw_ruleset_build(struct fw_ruleset *rs, struct fw_diag *diag);
void fw_ruleset_drop_cls(struct fw_ruleset *rs);

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
