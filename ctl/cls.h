/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cls.h - the classifier's tables, built from a compiled rule set.
 *
 * xdp/classify.h looks a packet up field by field; this builds what it looks
 * up (xdp/README.md explains the design): interned rule vectors, the direct
 * tables of the small fields, and per address field and family the prefixes
 * with their class, plus the store chosen for them. Nothing here touches the
 * kernel; loader.c writes the result. Linear in the input after sorting:
 * each set member is visited once, each value range once per field.
 */
#ifndef FW_CLS_H
#define FW_CLS_H

#include <stdbool.h>
#include <stddef.h>
#include "ruleset.h"

/* A prefix of one address field and family, and its class (vector id). */
struct fw_cls_prefix {
	__u32 addr[4]; /* network byte order, host bits cleared */
	__u32 id;
	__u8 len;
};

struct fw_cls {
	struct xdpfw_cls_block *blocks;      /* [XDPFW_CLS_BLOCKS] */
	__u32 fields;                        /* as xdpfw_config.fields */
	bool small;                          /* XDPFW_CLS_SMALL: classes are rule bitmaps */
	struct xdpfw_addr_shape shape[2][2]; /* [field - XDPFW_F_SADDR][IPv6] */
	/* Prefixes whose class differs from their closest enclosing prefix's
	 * (or from `miss`), in address order: a prefix before those it holds. */
	struct fw_cls_prefix *prefixes[2][2];
	__u32 nprefixes[2][2];
	/* DIR stores (IPv4, per field): the /24s holding longer prefixes that
	 * get a group (sorted), and how many others there are: each gets a
	 * record (cls_lpm.c), whose prefixes go to the LPM store when they do
	 * not fit (the spilled /24s, sorted). */
	struct {
		__u32 *grouped;
		__u32 ngroups;
		__u32 nhashed;
		__u32 *spilled;
		__u32 nspilled;
	} dir[2];
	/* The records of both DIR stores, one after the other
	 * (shape[][0].rec_base). */
	struct xdpfw_rec24 *rec;
	__u32 nrec;
	/* LPM stores (cls_lpm.c): the buckets of all four, one after the
	 * other (shape[][].base), and the keys each holds. */
	struct xdpfw_lpm_bucket *lpm;
	__u32 nlpm;
	size_t nlpm_keys[2][2];
	/* Phases 1 and 2 (not for a small set): the plan, its tables, the
	 * vectors of limited rules, and the classes each field has. */
	struct xdpfw_plan plan;
	__u32 *tab32;
	size_t ntab32;
	__u16 *tab16;
	size_t ntab16;
	struct xdpfw_vec *lvecs;
	__u32 nlvecs;
	/* The keyed lists (cls_lists.c): records, the hash of pairs (its
	 * first 2^plan.lists.pair_bits buckets, then the overflow ones), and
	 * the rules of each kind. */
	struct xdpfw_cand *cands;
	size_t ncands;
	struct xdpfw_pair_bucket *pairs;
	__u32 npairs;
	__u32 nlisted[XDPFW_LIST_KINDS];
	__u32 nclass[XDPFW_F_MAX]; /* dense classes of each field */
	__u32 ny;                  /* classes of Y */
};

/* Kernel memory the tables of phases 1 and 2 may take a generation
 * (cls_xprod.c): past it, partitions are cut and rules go to the vectors. */
#define XPROD_BYTES_MAX (256ull << 20)

/* /24s with longer prefixes that get a group (XDPFW_DIR_GROUPS); the rest
 * go to an LPM store, those with the fewest such addresses first. Tests
 * lower it to reach the LPM store. */
extern unsigned int fw_cls_dir_group_limit;

/* Build c from rs. Returns 0, or -E2BIG / -ENOMEM with the reason in err. */
int fw_cls_build(const struct fw_ruleset *rs, struct fw_cls *c, char *err, size_t errlen);
void fw_cls_free(struct fw_cls *c);

/* Copy the tables into rs->config (fields, shapes, plan). */
void fw_cls_config(const struct fw_cls *c, struct xdpfw_config *cfg);

/* The direct arrays needed. */
unsigned int fw_cls_dir_tables(const struct fw_cls *c);

/* Whether /24 a (the address >> 8) of field fi's DIR store has a group;
 * its index into *g when g is not NULL. */
bool fw_cls_dir_grouped(const struct fw_cls *c, int fi, __u32 a, __u32 *g);

/* Build the DIR stores' records and the LPM stores (cls_lpm.c), once every
 * class id is final. 0, or -ENOMEM / -E2BIG with the reason in err. */
int fw_cls_lpm_build(struct fw_cls *c, char *err, size_t errlen);

/* The class of host-order IPv4 address ip in field fi's DIR store when
 * its /24 has neither a group nor a class of its own (XDPFW_DIR_HASHED,
 * class own): its record, or the LPM store. For the tests. */
__u32 fw_cls_rec24_lookup(const struct fw_cls *c, int fi, __u32 ip, __u32 own);

/* The class of host-order address host in LPM store (fi, v6), best when no
 * key answers: the program's search, for the tests. */
__u32 fw_cls_lpm_lookup(const struct fw_cls *c, int fi, int v6, const __u32 *host, __u32 best);

/* Kernel memory one generation of this rule set takes, estimated, in bytes
 * (maps of fixed size included). */
__u64 fw_cls_memory(const struct fw_cls *c, const struct fw_ruleset *rs);

/* Table reads a packet takes at most (the limited rules' walk aside). */
unsigned int fw_cls_reads(const struct fw_cls *c);

/* One line for fwctl check: memory, vectors, and the store of each address
 * field. Returns what snprintf would have written. */
int fw_cls_describe(const struct fw_cls *c, const struct fw_ruleset *rs, char *buf, size_t len);

/*
 * Fill the DIR store of address field fi: dir (XDPFW_DIR_BLOCKS blocks) and
 * groups (c->dir[fi].ngroups); a /24 without a group sends its longer
 * prefixes to the field's LPM store.
 */
void fw_cls_dir_fill(const struct fw_cls *c, int fi, struct xdpfw_dir_block *dir,
                     struct xdpfw_dir_group *groups);

/*
 * Fill the D16 store of address field fi into blocks (XDPFW_D16_MAP_BLOCKS
 * of them): the first-16-bit entries, then the groups. Returns the blocks
 * used.
 */
__u32 fw_cls_d16_fill(const struct fw_cls *c, int fi, struct xdpfw_dir_block *blocks);

/* The class of address a in field fi (0 source, 1 destination) of pkt's
 * family: the longest prefix's, by a plain walk. For the unit tests. */
__u32 fw_cls_addr_class(const struct fw_cls *c, int fi, const struct xdpfw_pkt *pkt,
                        const __u32 *a);

/*
 * What the program computes, in C: the first matching rule for pkt, or -1
 * (ignores rule_count bounds of the config). For the unit tests.
 */
int fw_cls_lookup(const struct fw_cls *c, const struct xdpfw_pkt *pkt, __u32 rule_count);

#endif /* FW_CLS_H */
