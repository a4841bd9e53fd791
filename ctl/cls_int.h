/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cls_int.h - what the classifier's builder files (cls.c: phase 0, the
 * fields' classes; cls_xprod.c: phases 1 and 2, their cross products;
 * cls_lists.c: the keyed lists) share: rule vectors and lists of rules
 * interned in tables, and the build state.
 */
#ifndef FW_CLS_INT_H
#define FW_CLS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cls.h"

/* Interned vectors: equal vectors get one id. */
struct vtab {
	unsigned int words; /* W: live words of every vector */
	__u64 *v;           /* [n * words] */
	__u32 n, cap;
	__u32 *slot; /* open addressing: id + 1, 0 empty */
	__u32 nslot; /* power of two */
};

/* The id of vector w (t->words words), added if new; -ENOMEM. */
long fw_vtab_intern(struct vtab *t, const __u64 *w);
void fw_vtab_free(struct vtab *t);

static inline const __u64 *fw_vtab_vec(const struct vtab *t, __u32 id)
{
	return &t->v[(size_t)id * t->words];
}

/* Does prefix a/alen hold p/plen? Host-order words. */
static inline bool fw_cls_holds(const __u32 *a, unsigned int alen, const __u32 *p,
                                unsigned int plen)
{
	if (plen < alen)
		return false;
	for (unsigned int i = 0; i < 4 && alen > 0; i++, alen = alen > 32 ? alen - 32 : 0) {
		__u32 mask = alen >= 32 ? 0xffffffffu : ~(0xffffffffu >> alen);

		if ((a[i] ^ p[i]) & mask)
			return false;
	}
	return true;
}

static inline bool fw_bit(const __u64 *w, __u32 r)
{
	return (w[r / 64] >> (r % 64)) & 1;
}

void fw_bit_set(__u64 *w, __u32 r, bool on);

/* Lists of rules (ascending rule numbers), interned: equal lists get one
 * id, in the order they were first seen. */
struct fw_lists {
	__u32 *pool; /* the lists' rules, one after the other */
	size_t npool, cappool;
	__u32 *start; /* [n + 1] */
	size_t capn;
	__u32 n;
	__u32 *slot; /* open addressing: list + 1 */
	__u32 nslot;
};

/* The id of the list r[0..n), added if new; -ENOMEM. */
long fw_lists_intern(struct fw_lists *l, const __u32 *r, __u32 n);
void fw_lists_free(struct fw_lists *l);

static inline __u32 fw_lists_len(const struct fw_lists *l, __u32 id)
{
	return l->start[id + 1] - l->start[id];
}

static inline const __u32 *fw_lists_rules(const struct fw_lists *l, __u32 id)
{
	return &l->pool[l->start[id]];
}

/* The build of one rule set's classifier. */
struct build {
	const struct fw_ruleset *rs;
	struct fw_cls *c;
	struct vtab vt;
	unsigned int words;
	__u32 nrules;
	__u64 *all; /* every live rule */
	char *err;
	size_t errlen;
};

/* Record the first failure's reason (for fw_cls_build's err); returns e. */
int fw_cls_fail(struct build *b, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fw_vtab_intern on the phase-0 vectors, with the failure reported. */
long fw_cls_intern(struct build *b, const __u64 *w);

/* Phases 1 and 2 (cls_xprod.c), once phase 0 is built: renumbers the
 * fields' classes densely and builds the plan and its tables. */
int fw_cls_xprod(struct build *b);

/*
 * The keyed lists (cls_lists.c), once the fields' classes are dense: of
 * the rules in `candidates`, take those the lists can (xdpfw.h, struct
 * xdpfw_lists) into c's records, pair hash and plan, mark them in taken,
 * and give the list words of the SRC and DST kinds by class in keys[0]
 * and keys[1] (nclass[0], nclass[1] entries; NULL when the kind has no
 * rules), for the caller to place among its tables and name in
 * c->plan.lists.key_off. class_vec(arg, fi, c) is the rule vector of
 * class c of address field fi; wild[fi] the rules whose test of it always
 * holds.
 */
struct cls_lists_in {
	const __u64 *candidates;
	const __u64 *wild[2];
	__u32 nclass[2];
	const __u64 *(*class_vec)(const void *arg, int fi, __u32 c);
	const void *arg;
};

int fw_cls_lists(struct build *b, const struct cls_lists_in *in, __u64 *taken, __u32 *keys[2]);

/* The first rule of the lists that pkt, of address classes s and d, matches,
 * or XDPFW_RULE_NONE: what xdp/lists.h computes. */
__u32 fw_cls_lists_first(const struct fw_cls *c, __u32 s, __u32 d, const struct xdpfw_pkt *pkt);

#endif /* FW_CLS_INT_H */
