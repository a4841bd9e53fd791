/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cls_int.h - what the classifier's builder files (cls.c: phase 0, the
 * fields' classes; cls_xprod.c: phases 1 and 2, their cross products)
 * share: rule vectors interned in tables, and the build state.
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

static inline bool fw_bit(const __u64 *w, __u32 r)
{
	return (w[r / 64] >> (r % 64)) & 1;
}

void fw_bit_set(__u64 *w, __u32 r, bool on);

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

#endif /* FW_CLS_INT_H */
