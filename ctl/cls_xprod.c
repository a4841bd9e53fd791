// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cls_xprod.c - phases 1 and 2 of the classifier (include/xdpfw.h has the
 * shape, xdp/README.md the design and its figures): the classes of phase 0
 * renumbered densely per field, the small fields crossed into Y, the rules
 * cut into partitions by the address fields they test, and per partition
 * the table of first matching rules by (address class, Y).
 *
 * Cross products are built from what is there, not by trying every pair:
 * the pairs of a source and a destination class that some rule of a
 * partition matches come from walking each rule's classes (a rule's
 * classes are few: the ones its prefix holds), so a table of a million
 * pairs that only thousands of rules fill costs thousands of steps to
 * find, plus the zeroing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cls_int.h"
#include "util.h"

/*
 * Entries of one table of phase 1 or 2, and bytes of all of them: past
 * these, a partition is cut in two (or its rules go to the vectors), so
 * that a rule set never takes more than this much kernel memory for its
 * tables (twice during a reload).
 */
#define XPROD_TABLE_MAX (1ull << 24) /* XPROD_BYTES_MAX: cls.h */
/* (rule, source class, destination class) triples walked for one
 * partition's pairs: the time budget of the build. */
#define XPROD_TRIPLES_MAX (1ull << 26)

/* Where each small field's table lies in the phase-0 blocks. */
static const struct {
	__u32 base, nblocks;
} table_span[XDPFW_F_TABLES] = {
    [XDPFW_F_KIND] = {XDPFW_CLS_BASE_KIND, XDPFW_KIND_BLOCKS},
    [XDPFW_F_SPORT] = {XDPFW_CLS_BASE_SPORT, 256},
    [XDPFW_F_DPORT] = {XDPFW_CLS_BASE_DPORT, 256},
    [XDPFW_F_LEN] = {XDPFW_CLS_BASE_LEN, 256},
    [XDPFW_F_TTL] = {XDPFW_CLS_BASE_TTL, 1},
    [XDPFW_F_TCPFLAGS] = {XDPFW_CLS_BASE_TCPFLAGS, 1},
    [XDPFW_F_ICMPTYPE] = {XDPFW_CLS_BASE_ICMPTYPE, 1},
    [XDPFW_F_VLAN] = {XDPFW_CLS_BASE_VLAN, 17},
};

/* The dense classes of one field: class i is phase-0 vector vec[i]. */
struct fclass {
	__u32 n;
	__u32 *vec;
	size_t cap;
};

struct xprod {
	struct build *b;
	struct fw_cls *c;
	unsigned int words;
	__u32 *remap; /* [b->vt.n]: phase-0 id -> dense id, scratch */
	struct fclass f[XDPFW_F_MAX];
	__u64 *wild[XDPFW_F_MAX]; /* rules whose test of the field always holds */
	__u64 *tmp;               /* one vector, scratch */
	__u32 *g2l;               /* [rule]: its index in the partition being built */
	bool settled;             /* the partitions are built: no more budget */
	char why[160];            /* what the last plan over its budget needed */
	__u64 *listed;            /* rules the keyed lists took */
	bool lists;               /* they took any */
	/* Limited rules. */
	__u32 nlim, *lim; /* their rule indexes */
	struct vtab lv;   /* their vectors, XDPFW_VEC_WORDS words */
	/* The output arrays (the plan says where what is). */
	__u32 *t32;
	size_t n32, cap32;
	__u16 *t16;
	size_t n16, cap16;
};

static int oom(struct xprod *x)
{
	return fw_cls_fail(x->b, -ENOMEM, "out of memory building the classifier");
}

/* n more entries at the end of tab32 (zeroed), at an offset aligned to
 * align; their offset in *off. */
static int over_budget(struct xprod *x, size_t n32, size_t n16)
{
	/* The records and the vector rules' list come after the partitions,
	 * which left room for them: their size follows from the classes. */
	if (x->settled || (__u64)n32 * 4 + (__u64)n16 * 2 <= XPROD_BYTES_MAX)
		return 0;
	snprintf(x->why, sizeof(x->why), "more than %llu MiB of tables",
	         (unsigned long long)(XPROD_BYTES_MAX >> 20));
	return -E2BIG;
}

static int take32(struct xprod *x, size_t n, size_t align, __u32 *off)
{
	size_t at = (x->n32 + align - 1) / align * align;

	if (over_budget(x, at + n, x->n16))
		return -E2BIG;
	if (fw_grow(&x->t32, &x->cap32, at + n, sizeof(*x->t32), 4096))
		return oom(x);
	memset(&x->t32[x->n32], 0, (at + n - x->n32) * sizeof(*x->t32));
	*off = (__u32)at;
	x->n32 = at + n;
	return 0;
}

static int take16(struct xprod *x, size_t n, __u32 *off)
{
	if (over_budget(x, x->n32, x->n16 + n))
		return -E2BIG;
	if (fw_grow(&x->t16, &x->cap16, x->n16 + n, sizeof(*x->t16), 4096))
		return oom(x);
	*off = (__u32)x->n16;
	x->n16 += n;
	return 0;
}

/* A table of rows x cols entries within the budget: else -E2BIG, not
 * reported (the planner tries another cut), the need kept in x->why. */
static int check_size(struct xprod *x, __u64 rows, __u64 cols, const char *what)
{
	if (rows * cols <= XPROD_TABLE_MAX)
		return 0;
	snprintf(x->why, sizeof(x->why), "a table of %llu x %llu %s", (unsigned long long)rows,
	         (unsigned long long)cols, what);
	return -E2BIG;
}

/* ---- dense classes per field --------------------------------------------- */

/* The dense id of phase-0 vector id in field fc, given one if new. */
static int dense(struct xprod *x, struct fclass *fc, __u32 id, __u32 *out)
{
	if (x->remap[id] == UINT32_MAX) {
		if (FW_GROW(fc->vec, fc->cap, fc->n, 64))
			return oom(x);
		fc->vec[fc->n] = id;
		x->remap[id] = fc->n++;
	}
	*out = x->remap[id];
	return 0;
}

static void remap_reset(struct xprod *x, const struct fclass *fc)
{
	for (__u32 i = 0; i < fc->n; i++)
		x->remap[fc->vec[i]] = UINT32_MAX;
}

static int renumber_table(struct xprod *x, int field)
{
	struct fclass *fc = &x->f[field];
	int err = 0;

	for (__u32 k = 0; !err && k < table_span[field].nblocks; k++) {
		struct xdpfw_cls_block *blk = &x->c->blocks[table_span[field].base + k];

		for (int e = 0; !err && e < 256; e++)
			err = dense(x, fc, blk->id[e], &blk->id[e]);
	}
	remap_reset(x, fc);
	return err;
}

/* Both families' stores of an address field share its dense classes. */
static int renumber_addr(struct xprod *x, int fi)
{
	struct fclass *fc = &x->f[XDPFW_F_SADDR + fi];
	int err = 0;

	for (int v6 = 0; !err && v6 < 2; v6++) {
		err = dense(x, fc, x->c->shape[fi][v6].miss, &x->c->shape[fi][v6].miss);
		for (__u32 i = 0; !err && i < x->c->nprefixes[fi][v6]; i++)
			err = dense(x, fc, x->c->prefixes[fi][v6][i].id,
			            &x->c->prefixes[fi][v6][i].id);
	}
	remap_reset(x, fc);
	return err;
}

static const __u64 *fvec(const struct xprod *x, int field, __u32 cls)
{
	return fw_vtab_vec(&x->b->vt, x->f[field].vec[cls]);
}

static int intern_v(struct xprod *x, struct vtab *t, const __u64 *v, __u32 *id)
{
	long r = fw_vtab_intern(t, v);

	if (r < 0)
		return oom(x);
	*id = (__u32)r;
	return 0;
}

/* The rules of a vector of words words, ascending, into out. */
static __u32 rules_of(unsigned int words, const __u64 *v, __u32 *out)
{
	__u32 n = 0;

	for (unsigned int j = 0; j < words; j++)
		for (__u64 w = v[j]; w; w &= w - 1)
			out[n++] = j * 64 + (__u32)__builtin_ctzll(w);
	return n;
}

/* ---- vector rules ------------------------------------------------------------
 *
 * Rate-limited rules, and rules no partition could take within its budget,
 * are found by vectors over them alone (bit i: the i-th of them, in rule
 * order), one a class of every field, ANDed and walked in the program. */

static int find_limited(struct xprod *x)
{
	const struct fw_ruleset *rs = x->b->rs;

	for (__u32 r = 0; r < x->b->nrules; r++) {
		if (!(rs->rules[r].flags & XDPFW_RULE_LIMIT))
			continue;
		if (x->nlim == XDPFW_MAX_LIMITED)
			return fw_cls_fail(
			    x->b, -E2BIG, "more than %d rate-limited rules: the classifier's limit",
			    XDPFW_MAX_LIMITED);
		x->lim[x->nlim++] = r;
	}
	return 0;
}

static int by_rule(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

/* The vector rules settled (the limited ones and those no partition took):
 * in rule order, and vector 0, every one of them, for the fields without
 * records. */
static int settle_vector_rules(struct xprod *x)
{
	__u64 lw[XDPFW_VEC_WORDS] = {0};
	__u32 id;

	x->settled = true;
	x->lv.words = XDPFW_VEC_WORDS;
	if (!x->nlim)
		return 0;
	qsort(x->lim, x->nlim, sizeof(*x->lim), by_rule);
	for (__u32 i = 0; i < x->nlim; i++)
		lw[i / 64] |= 1ull << (i % 64);
	return intern_v(x, &x->lv, lw, &id);
}

/* The id of v's vector over the limited rules (bit i: the i-th one). */
static int lvec_of(struct xprod *x, const __u64 *v, __u32 *id)
{
	__u64 lw[XDPFW_VEC_WORDS] = {0};

	for (__u32 i = 0; i < x->nlim; i++)
		if (fw_bit(v, x->lim[i]))
			lw[i / 64] |= 1ull << (i % 64);
	return intern_v(x, &x->lv, lw, id);
}

/* ---- which rules test which field ------------------------------------------- */

/*
 * Rules whose test of a field holds for every class of it (of their family,
 * for an address: the family is the kind's to test): the field tells them
 * nothing, so no partition crosses it for them.
 */
static int find_wild(struct xprod *x)
{
	unsigned int w = x->words;

	for (int f = 0; f < XDPFW_F_MAX; f++) {
		x->wild[f] = malloc(w * sizeof(__u64));
		if (!x->wild[f])
			return oom(x);
		memcpy(x->wild[f], x->b->all, w * sizeof(__u64));
		for (__u32 c = 0; f < XDPFW_F_TABLES && c < x->f[f].n; c++) {
			const __u64 *v = fvec(x, f, c);

			for (unsigned int j = 0; j < w; j++)
				x->wild[f][j] &= v[j];
		}
	}
	for (int fi = 0; fi < 2; fi++) {
		const struct fw_cls *c = x->c;
		__u64 *fam[2];

		fam[0] = x->tmp;
		fam[1] = x->wild[XDPFW_F_SADDR + fi]; /* reused: filled below */
		for (int v6 = 0; v6 < 2; v6++) {
			const __u64 *m = fvec(x, XDPFW_F_SADDR + fi, c->shape[fi][v6].miss);

			memcpy(fam[v6], m, w * sizeof(__u64));
			for (__u32 i = 0; i < c->nprefixes[fi][v6]; i++) {
				const __u64 *v =
				    fvec(x, XDPFW_F_SADDR + fi, c->prefixes[fi][v6][i].id);

				for (unsigned int j = 0; j < w; j++)
					fam[v6][j] &= v[j];
			}
		}
		for (__u32 r = 0; r < x->b->nrules; r++) {
			const struct xdpfw_rule *rule = &x->b->rs->rules[r];
			bool v4 = fw_bit(fam[0], r), v6 = fw_bit(fam[1], r);

			if (rule->match & XDPFW_M_FAMILY)
				fw_bit_set(fam[1], r, rule->family == XDPFW_FAMILY_IPV6 ? v6 : v4);
			else
				fw_bit_set(fam[1], r, v4 && v6);
		}
	}
	return 0;
}

/* ---- partitions ---------------------------------------------------------------- */

/* A partition being built: its rules, and its classes of each field. */
struct part {
	__u64 *mask;                  /* its rules */
	__u32 *rules, nrules;         /* the same, ascending: local rule i is rules[i] */
	unsigned int words;           /* of its vectors, over its rules only */
	int fields;                   /* fields it tests (bit f) */
	struct vtab cls[XDPFW_F_MAX]; /* a field's classes restricted to its rules */
	__u32 *of[XDPFW_F_MAX];       /* [dense class of the field]: class here */
	struct vtab y;                /* the classes of its Y */
};

static void part_clear(struct part *p)
{
	free(p->rules);
	p->rules = NULL;
	for (int f = 0; f < XDPFW_F_MAX; f++) {
		fw_vtab_free(&p->cls[f]);
		free(p->of[f]);
		p->of[f] = NULL;
	}
	fw_vtab_free(&p->y);
}

static void part_free(struct part *p)
{
	part_clear(p);
	free(p->mask);
	memset(p, 0, sizeof(*p));
}

/* Field f's classes restricted to the partition's rules. */
static int restrict_field(struct xprod *x, struct part *p, int f)
{
	struct vtab *t = &p->cls[f];
	int err = 0;

	t->words = p->words;
	p->of[f] = calloc(x->f[f].n ? x->f[f].n : 1, sizeof(*p->of[f]));
	if (!p->of[f])
		return oom(x);
	for (__u32 i = 0; !err && i < x->f[f].n; i++) {
		const __u64 *v = fvec(x, f, i);

		/* Over the partition's rules only: bit i for its i-th rule. */
		memset(x->tmp, 0, p->words * sizeof(__u64));
		for (unsigned int j = 0; j < x->words; j++)
			for (__u64 w = v[j] & p->mask[j]; w; w &= w - 1)
				fw_bit_set(x->tmp, x->g2l[j * 64 + (__u32)__builtin_ctzll(w)],
				           true);
		err = intern_v(x, t, x->tmp, &p->of[f][i]);
	}
	return err;
}

/* The partition's small fields crossed, in the chain's order, into Y. */
static int build_chain(struct xprod *x, struct part *p, struct xdpfw_part *out)
{
	unsigned int w = p->words;
	bool first = true;
	__u32 id = 0;
	int err = 0;

	p->y.words = w;
	for (int k = 0; !err && k < XDPFW_CHAIN_MAX; k++) {
		int f = xdpfw_chain_field(k);
		__u32 ny = p->y.n, nf = p->cls[f].n, off = 0;
		struct vtab next = {.words = w};

		if (!(p->fields & (1 << f)))
			continue;
		out->chain_cols[k] = nf;
		if (first) {
			out->first = (__u8)k;
			for (__u32 c = 0; !err && c < nf; c++)
				err = intern_v(x, &p->y, fw_vtab_vec(&p->cls[f], c), &id);
			first = false;
			continue;
		}
		err = check_size(x, ny, nf, "classes of the small fields")
		          ?: take32(x, (size_t)ny * nf, 1, &off);
		out->chain_off[k] = off;
		for (__u32 a = 0; !err && a < ny; a++) {
			const __u64 *va = fw_vtab_vec(&p->y, a);

			for (__u32 c = 0; !err && c < nf; c++) {
				const __u64 *vc = fw_vtab_vec(&p->cls[f], c);

				for (unsigned int j = 0; j < w; j++)
					x->tmp[j] = va[j] & vc[j];
				err = intern_v(x, &next, x->tmp, &id);
				x->t32[(size_t)off + (size_t)a * nf + c] = id;
			}
		}
		fw_vtab_free(&p->y);
		p->y = next;
	}
	if (!err && first) { /* no small field: one class, every rule of it */
		memset(x->tmp, 0, w * sizeof(__u64));
		for (__u32 i = 0; i < p->nrules; i++)
			fw_bit_set(x->tmp, i, true);
		err = intern_v(x, &p->y, x->tmp, &id);
	}
	return err;
}

/*
 * X classes are lists of rules, interned: list 0 is the empty one. X classes of a
 * partition that tests both addresses are lists (the rules that match a
 * pair of classes); the others' are their one field's classes.
 */
static __u64 list_hash(const __u32 *r, __u32 n)
{
	__u64 h = 0x9e3779b97f4a7c15ull ^ n;

	for (__u32 i = 0; i < n; i++) {
		h ^= r[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	return h;
}

void fw_lists_free(struct fw_lists *l)
{
	free(l->pool);
	free(l->start);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

static int lists_rehash(struct fw_lists *l)
{
	__u32 ns = l->nslot ? l->nslot * 2 : 1024, *s = calloc(ns, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (__u32 i = 0; i < l->n; i++) {
		__u32 h = (__u32)list_hash(&l->pool[l->start[i]], l->start[i + 1] - l->start[i]);

		for (h &= ns - 1; s[h]; h = (h + 1) & (ns - 1))
			;
		s[h] = i + 1;
	}
	free(l->slot);
	l->slot = s;
	l->nslot = ns;
	return 0;
}

long fw_lists_intern(struct fw_lists *l, const __u32 *r, __u32 n)
{
	__u32 h;

	if ((l->n + 1) * 2 >= l->nslot && lists_rehash(l))
		return -ENOMEM;
	h = (__u32)list_hash(r, n) & (l->nslot - 1);
	for (; l->slot[h]; h = (h + 1) & (l->nslot - 1)) {
		__u32 id = l->slot[h] - 1, len = l->start[id + 1] - l->start[id];

		if (len == n && !memcmp(&l->pool[l->start[id]], r, n * sizeof(*r)))
			return id;
	}
	if (fw_grow(&l->pool, &l->cappool, l->npool + n + 1, sizeof(*l->pool), 1024) ||
	    fw_grow(&l->start, &l->capn, (size_t)l->n + 2, sizeof(*l->start), 1024))
		return -ENOMEM;
	if (!l->n)
		l->start[0] = 0;
	memcpy(&l->pool[l->npool], r, n * sizeof(*r));
	l->npool += n;
	l->start[l->n + 1] = (__u32)l->npool;
	l->slot[h] = l->n + 1;
	return l->n++;
}

/* Each class of a field restricted to a partition, by rule: rule r's
 * classes are cls[first[r] .. first[r + 1]). */
struct incidence {
	__u32 *first; /* [nrules + 1] */
	__u32 *cls;
};

static int incidences(struct xprod *x, const struct part *p, const struct vtab *t,
                      struct incidence *in)
{
	__u32 nr = p->nrules, *count = calloc(nr + 1, sizeof(*count));
	size_t total = 0;

	in->first = calloc(nr + 1, sizeof(*in->first));
	if (!count || !in->first)
		goto nomem;
	for (__u32 a = 0; a < t->n; a++) {
		const __u64 *v = fw_vtab_vec(t, a);

		for (unsigned int j = 0; j < t->words; j++)
			for (__u64 w = v[j]; w; w &= w - 1, total++)
				count[j * 64 + (__u32)__builtin_ctzll(w)]++;
	}
	in->cls = malloc((total ? total : 1) * sizeof(*in->cls));
	if (!in->cls)
		goto nomem;
	for (__u32 r = 0; r < nr; r++)
		in->first[r + 1] = in->first[r] + count[r];
	memset(count, 0, (nr + 1) * sizeof(*count));
	for (__u32 a = 0; a < t->n; a++) {
		const __u64 *v = fw_vtab_vec(t, a);

		for (unsigned int j = 0; j < t->words; j++) {
			for (__u64 w = v[j]; w; w &= w - 1) {
				__u32 r = j * 64 + (__u32)__builtin_ctzll(w);

				in->cls[in->first[r] + count[r]++] = a;
			}
		}
	}
	free(count);
	return 0;
nomem:
	free(count);
	return oom(x);
}

static void incidence_free(struct incidence *in)
{
	free(in->first);
	free(in->cls);
}

/* Lay out the lists of the pairs T counts (T's entries: rules a pair has),
 * T turning into pair numbers (1 + index); at[] where each list starts. */
static void number_pairs(struct xprod *x, __u32 t_off, __u64 cells, __u32 *cnt, __u32 *at)
{
	__u32 np = 0, pos = 0;

	for (__u64 e = 0; e < cells; e++) {
		__u32 *t = &x->t32[t_off + e];

		if (!*t)
			continue;
		cnt[np] = 0;
		at[np] = pos;
		pos += *t;
		*t = ++np;
	}
}

/*
 * Both addresses: the pairs (source class, destination class) that rules
 * of the partition match, each with its list of rules, into the table T
 * (X class by pair; 0, the empty list, for the rest) and the lists.
 */
static int build_pairs(struct xprod *x, struct part *p, __u32 t_off, struct fw_lists *ls)
{
	struct incidence ia = {0}, ib = {0};
	const struct vtab *sa = &p->cls[XDPFW_F_SADDR], *da = &p->cls[XDPFW_F_DADDR];
	__u32 nb = da->n, *cnt = NULL, *at = NULL, *rl = NULL;
	__u64 triples = 0, npairs = 0, cells = (__u64)sa->n * nb;
	int err;

	err = incidences(x, p, sa, &ia) ?: incidences(x, p, da, &ib);
	if (err)
		goto out;
	for (__u32 r = 0; r < p->nrules; r++)
		triples += (__u64)(ia.first[r + 1] - ia.first[r]) * (ib.first[r + 1] - ib.first[r]);
	if (triples > XPROD_TRIPLES_MAX) {
		snprintf(x->why, sizeof(x->why), "%llu (rule, address pair) triples",
		         (unsigned long long)triples);
		err = -E2BIG;
		goto out;
	}
	for (__u32 r = 0; r < p->nrules; r++)
		for (__u32 i = ia.first[r]; i < ia.first[r + 1]; i++)
			for (__u32 k = ib.first[r]; k < ib.first[r + 1]; k++)
				if (!x->t32[t_off + (size_t)ia.cls[i] * nb + ib.cls[k]]++)
					npairs++;
	cnt = malloc((npairs + 1) * sizeof(*cnt));
	at = malloc((npairs + 1) * sizeof(*at));
	rl = malloc((triples + 1) * sizeof(*rl));
	if (!cnt || !at || !rl) {
		err = oom(x);
		goto out;
	}
	number_pairs(x, t_off, cells, cnt, at);
	/* Rules in ascending order: each list comes out sorted. */
	for (__u32 r = 0; r < p->nrules; r++) {
		for (__u32 i = ia.first[r]; i < ia.first[r + 1]; i++) {
			for (__u32 k = ib.first[r]; k < ib.first[r + 1]; k++) {
				__u32 pi = x->t32[t_off + (size_t)ia.cls[i] * nb + ib.cls[k]] - 1;

				rl[at[pi] + cnt[pi]++] = r;
			}
		}
	}
	for (__u64 e = 0; !err && e < cells; e++) {
		__u32 *t = &x->t32[t_off + e];
		long id;

		if (!*t)
			continue;
		id = fw_lists_intern(ls, &rl[at[*t - 1]], cnt[*t - 1]);
		if (id < 0)
			err = oom(x);
		else
			*t = (__u32)id;
	}
out:
	incidence_free(&ia);
	incidence_free(&ib);
	free(cnt);
	free(at);
	free(rl);
	return err;
}

/* One address field, or none: its classes (or the one class of all the
 * partition's rules) are the X classes, each the list of its rules. */
static int class_lists(struct xprod *x, struct part *p, struct fw_lists *ls)
{
	int f = p->fields & (1 << XDPFW_F_SADDR)   ? XDPFW_F_SADDR
	        : p->fields & (1 << XDPFW_F_DADDR) ? XDPFW_F_DADDR
	                                           : -1;
	__u32 *rl = malloc((p->nrules + 1) * sizeof(*rl)), n = f < 0 ? 1 : p->cls[f].n;
	int err = 0;

	if (!rl)
		return oom(x);
	if (f < 0) {
		memset(x->tmp, 0, p->words * sizeof(__u64));
		for (__u32 i = 0; i < p->nrules; i++)
			fw_bit_set(x->tmp, i, true);
	}
	/* Ids must be the classes: their lists are distinct (distinct
	 * vectors), so interning numbers them in order. */
	for (__u32 a = 0; !err && a < n; a++) {
		__u32 k = rules_of(p->words, f < 0 ? x->tmp : fw_vtab_vec(&p->cls[f], a), rl);
		long id = fw_lists_intern(ls, rl, k);

		if (id < 0)
			err = oom(x);
		else if ((__u32)id != a)
			err =
			    fw_cls_fail(x->b, -EPROTO, "internal error: classes of a field repeat");
	}
	free(rl);
	return err;
}

/* F: the first rule of X class x's list that Y class y holds. */
static int build_firsts(struct xprod *x, struct part *p, const struct fw_lists *ls,
                        struct xdpfw_part *out)
{
	__u32 ny = p->y.n;
	int err;

	out->f_cols = ny;
	err = check_size(x, ls->n, ny, "first rules") ?: take16(x, (size_t)ls->n * ny, &out->f_off);
	if (err)
		return err;
	for (__u32 xi = 0; xi < ls->n; xi++) {
		const __u32 *r = &ls->pool[ls->start[xi]];
		__u32 n = ls->start[xi + 1] - ls->start[xi];
		__u16 *row = &x->t16[out->f_off + (size_t)xi * ny];

		for (__u32 y = 0; y < ny; y++) {
			const __u64 *v = fw_vtab_vec(&p->y, y);
			__u32 k = 0;

			while (k < n && !fw_bit(v, r[k]))
				k++;
			row[y] = k < n ? (__u16)p->rules[r[k]] : XDPFW_RULE_NONE;
		}
	}
	return 0;
}

/* The fields the partition's rules test: those where one of them is not
 * wild. */
static int part_fields(const struct xprod *x, const __u64 *mask)
{
	int fields = 0;

	for (int f = 0; f < XDPFW_F_MAX; f++)
		for (unsigned int j = 0; j < x->words; j++)
			if (mask[j] & ~x->wild[f][j])
				fields |= 1 << f;
	return fields;
}

/* Everything of partition p into out; -E2BIG when over the budget. */
static int build_part(struct xprod *x, struct part *p, struct xdpfw_part *out)
{
	int both = (1 << XDPFW_F_SADDR) | (1 << XDPFW_F_DADDR), err = 0;
	struct fw_lists ls = {0};

	memset(out, 0, sizeof(*out));
	p->rules = malloc((x->b->nrules + 1) * sizeof(*p->rules));
	if (!p->rules)
		return oom(x);
	p->nrules = rules_of(x->words, p->mask, p->rules);
	p->words = (p->nrules + 63) / 64;
	for (__u32 i = 0; i < p->nrules; i++)
		x->g2l[p->rules[i]] = i;
	p->fields = part_fields(x, p->mask);
	out->fields = (__u16)(p->fields & ((1 << XDPFW_F_TABLES) - 1));
	out->shape = (__u16)(p->fields >> XDPFW_F_SADDR);
	for (int f = 0; !err && f < XDPFW_F_MAX; f++)
		if (p->fields & (1 << f))
			err = restrict_field(x, p, f);
	err = err ?: build_chain(x, p, out);
	if (!err && (p->fields & both) == both) {
		static const __u32 none[1];

		/* The empty list first: X class 0 is "no rule". */
		out->t_cols = p->cls[XDPFW_F_DADDR].n;
		err = (fw_lists_intern(&ls, none, 0) < 0 ? oom(x) : 0) ?:
		      check_size(x, p->cls[XDPFW_F_SADDR].n, out->t_cols, "address pairs") ?:
		      take32(x, (size_t)p->cls[XDPFW_F_SADDR].n * out->t_cols, 1, &out->t_off) ?:
		      build_pairs(x, p, out->t_off, &ls);
	} else if (!err) {
		err = class_lists(x, p, &ls);
	}
	err = err ?: build_firsts(x, p, &ls, out);
	fw_lists_free(&ls);
	return err;
}

/* ---- the planner --------------------------------------------------------------- */

struct plan {
	struct part part[XDPFW_MAX_PARTS];
	int n;
};

/* A partition that fits no budget: its rules go to the vectors, while they
 * have room. */
static int to_vectors(struct xprod *x, struct part *p)
{
	for (unsigned int j = 0; j < x->words; j++) {
		for (__u64 w = p->mask[j]; w; w &= w - 1) {
			if (x->nlim == XDPFW_MAX_LIMITED)
				return -E2BIG;
			x->lim[x->nlim++] = j * 64 + (__u32)__builtin_ctzll(w);
		}
	}
	part_free(p);
	return 0;
}

/* Drop the partitions whose rules went to the vectors. */
static void compact(struct xprod *x, struct plan *pl)
{
	int n = 0;

	for (int p = 0; p < pl->n; p++) {
		if (!pl->part[p].mask)
			continue;
		if (n != p) {
			pl->part[n] = pl->part[p];
			memset(&pl->part[p], 0, sizeof(pl->part[p]));
			x->c->plan.part[n] = x->c->plan.part[p];
		}
		n++;
	}
	pl->n = n;
}

/* Build partition p of the plan, or, over the budget, cut its rules in two
 * halves in rule order and build both, while partitions are left. */
static int build_or_split(struct xprod *x, struct plan *pl, int p)
{
	size_t n32 = x->n32, n16 = x->n16;
	__u32 total = 0, seen = 0;
	struct part *a = &pl->part[p], *b;
	int err, bi;

	err = build_part(x, a, &x->c->plan.part[p]);
	if (err != -E2BIG)
		return err;
	/* Undo: the tables it wrote, its classes. */
	x->n32 = n32;
	x->n16 = n16;
	part_clear(a);
	for (unsigned int j = 0; j < x->words; j++)
		total += (__u32)__builtin_popcountll(a->mask[j]);
	if (pl->n == XDPFW_MAX_PARTS || total < 2)
		return to_vectors(x, a);
	bi = pl->n;
	b = &pl->part[bi];
	b->mask = calloc(x->words, sizeof(__u64));
	if (!b->mask)
		return oom(x);
	pl->n++;
	for (unsigned int j = 0; j < x->words; j++) {
		for (__u64 w = a->mask[j]; w; w &= w - 1) {
			__u32 r = j * 64 + (__u32)__builtin_ctzll(w);

			if (seen++ >= total / 2) {
				fw_bit_set(a->mask, r, false);
				fw_bit_set(b->mask, r, true);
			}
		}
	}
	return build_or_split(x, pl, p) ?: build_or_split(x, pl, bi);
}

/* A new partition of the rules in mask (copied), if any. */
static int add_part(struct xprod *x, struct plan *pl, const __u64 *mask)
{
	struct part *p = &pl->part[pl->n];
	bool any = false;

	for (unsigned int j = 0; j < x->words; j++)
		any |= mask[j] != 0;
	if (!any)
		return 0;
	p->mask = malloc(x->words * sizeof(__u64));
	if (!p->mask)
		return oom(x);
	memcpy(p->mask, mask, x->words * sizeof(__u64));
	pl->n++;
	return 0;
}

static void plan_free(struct plan *pl)
{
	for (int p = 0; p < XDPFW_MAX_PARTS; p++)
		part_free(&pl->part[p]);
	pl->n = 0;
}

/*
 * The cut that costs the fewest reads and fits: all unlimited rules in one
 * partition; else one partition per set of address fields the rules test
 * (both, the source, the destination, none), each halved again while it
 * does not fit, up to XDPFW_MAX_PARTS.
 */
static int plan_parts(struct xprod *x, struct plan *pl)
{
	unsigned int w = x->words;
	size_t n32 = x->n32, n16 = x->n16;
	__u64 *m = x->tmp;
	int err, n;

	memcpy(m, x->b->all, w * sizeof(__u64));
	for (__u32 i = 0; i < x->nlim; i++)
		fw_bit_set(m, x->lim[i], false);
	for (unsigned int j = 0; j < w; j++)
		m[j] &= ~x->listed[j];
	err = add_part(x, pl, m);
	if (err || !pl->n)
		return err;
	err = build_part(x, &pl->part[0], &x->c->plan.part[0]);
	if (err != -E2BIG)
		return err;
	plan_free(pl);
	x->n32 = n32;
	x->n16 = n16;
	for (int shape = 3; shape >= 0; shape--) {
		__u64 *sa = x->wild[XDPFW_F_SADDR], *da = x->wild[XDPFW_F_DADDR];

		memcpy(m, x->b->all, w * sizeof(__u64));
		for (__u32 i = 0; i < x->nlim; i++)
			fw_bit_set(m, x->lim[i], false);
		for (unsigned int j = 0; j < w; j++)
			m[j] &= ~x->listed[j] & (shape & XDPFW_PART_SA ? ~sa[j] : sa[j]) &
			        (shape & XDPFW_PART_DA ? ~da[j] : da[j]);
		err = add_part(x, pl, m);
		if (err)
			return err;
	}
	n = pl->n;
	for (int p = 0; !err && p < n; p++)
		err = build_or_split(x, pl, p);
	if (err == -E2BIG)
		return fw_cls_fail(x->b, -E2BIG,
		                   "the rules need %s even cut into %d partitions and %d rules "
		                   "searched by vectors, past the classifier's limits",
		                   x->why, XDPFW_MAX_PARTS, XDPFW_MAX_LIMITED);
	compact(x, pl);
	return err;
}

/* ---- the records -------------------------------------------------------------- */

/* Records for the fields that need them: every field a partition tests,
 * when there is more than one partition or any limited rule. */
static int build_records(struct xprod *x, struct plan *pl)
{
	struct xdpfw_plan *out = &x->c->plan;
	int used = 0, err = 0;

	for (int p = 0; p < pl->n; p++)
		used |= pl->part[p].fields;
	if (x->nlim)
		used = (int)(x->c->fields | (1 << XDPFW_F_SADDR) | (1 << XDPFW_F_DADDR));
	else if (pl->n == 0 || (pl->n == 1 && !x->lists))
		return 0;
	out->records = (__u16)used;
	/* As few words as the partitions and the vector need: the records
	 * of a field of thousands of classes stay a few cache lines' worth. */
	while ((1 << out->rec_shift) < pl->n + !!x->nlim)
		out->rec_shift++;
	for (int f = 0; !err && f < XDPFW_F_MAX; f++) {
		__u32 n = x->f[f].n ? x->f[f].n : 1, stride = 1u << out->rec_shift;

		if (!(used & (1 << f)))
			continue;
		err = take32(x, (size_t)n * stride, stride, &out->rec_off[f]);
		for (__u32 c = 0; !err && c < x->f[f].n; c++) {
			__u32 *rec = &x->t32[out->rec_off[f] + (size_t)c * stride];

			for (int p = 0; p < pl->n; p++)
				if (pl->part[p].fields & (1 << f))
					rec[p] = pl->part[p].of[f][c];
			if (x->nlim)
				err = lvec_of(x, fvec(x, f, c), &rec[pl->n]);
		}
	}
	return err;
}

static int write_limited(struct xprod *x)
{
	struct xdpfw_plan *pl = &x->c->plan;
	int err;

	pl->nvector = x->nlim;
	if (!x->nlim)
		return 0;
	err = take32(x, x->nlim, 1, &pl->lim_off);
	if (err)
		return err;
	memcpy(&x->t32[pl->lim_off], x->lim, x->nlim * sizeof(*x->lim));
	x->c->nlvecs = x->lv.n;
	x->c->lvecs = calloc(x->lv.n ? x->lv.n : 1, sizeof(*x->c->lvecs));
	if (!x->c->lvecs)
		return oom(x);
	for (__u32 i = 0; i < x->lv.n; i++) {
		const __u64 *v = fw_vtab_vec(&x->lv, i);

		for (int j = 0; j < XDPFW_VEC_WORDS; j++) {
			x->c->lvecs[i].w[j] = v[j];
			if (v[j])
				x->c->lvecs[i].summary[j / 64] |= 1ull << (j % 64);
		}
	}
	return 0;
}

/* Round an output array up to whole blocks of per entries, zeroed. */
static int pad(struct xprod *x, void *pv, size_t *cap, size_t *n, size_t sz, size_t per)
{
	size_t want = *n ? (*n + per - 1) / per * per : per;
	char **v = pv;

	if (fw_grow(pv, cap, want, sz, per))
		return oom(x);
	memset(*v + *n * sz, 0, (want - *n) * sz);
	*n = want;
	return 0;
}

static int renumber(struct xprod *x)
{
	int err = 0;

	memset(x->remap, 0xff, (x->b->vt.n ? x->b->vt.n : 1) * sizeof(*x->remap));
	for (int f = 0; !err && f < XDPFW_F_TABLES; f++)
		if (x->c->fields & (1u << f))
			err = renumber_table(x, f);
	for (int fi = 0; !err && fi < 2; fi++)
		err = renumber_addr(x, fi);
	return err;
}

/* ---- the keyed lists -------------------------------------------------------- */

static const __u64 *addr_vec(const void *arg, int fi, __u32 cls)
{
	return fvec(arg, XDPFW_F_SADDR + fi, cls);
}

/* The keyed lists (cls_lists.c) take the rules they can, before the
 * partitions are cut; their list words by class go into tab32. */
static int build_lists(struct xprod *x)
{
	struct cls_lists_in in = {
	    .candidates = x->tmp,
	    .wild = {x->wild[XDPFW_F_SADDR], x->wild[XDPFW_F_DADDR]},
	    .nclass = {x->f[XDPFW_F_SADDR].n, x->f[XDPFW_F_DADDR].n},
	    .class_vec = addr_vec,
	    .arg = x,
	};
	__u32 *keys[2];
	int err;

	x->listed = calloc(x->words, sizeof(__u64));
	if (!x->listed)
		return oom(x);
	memcpy(x->tmp, x->b->all, x->words * sizeof(__u64));
	for (__u32 i = 0; i < x->nlim; i++)
		fw_bit_set(x->tmp, x->lim[i], false);
	err = fw_cls_lists(x->b, &in, x->listed, keys);
	for (int fi = 0; !err && fi < 2; fi++) {
		if (!keys[fi])
			continue;
		err = take32(x, in.nclass[fi], 1, &x->c->plan.lists.key_off[fi]);
		if (!err)
			memcpy(&x->t32[x->c->plan.lists.key_off[fi]], keys[fi],
			       in.nclass[fi] * sizeof(__u32));
	}
	free(keys[0]);
	free(keys[1]);
	x->lists = x->c->plan.lists.kinds != 0;
	return err;
}

static void xprod_free(struct xprod *x)
{
	for (int f = 0; f < XDPFW_F_MAX; f++) {
		free(x->f[f].vec);
		free(x->wild[f]);
	}
	fw_vtab_free(&x->lv);
	free(x->remap);
	free(x->tmp);
	free(x->g2l);
	free(x->lim);
	free(x->listed);
	free(x->t32);
	free(x->t16);
}

int fw_cls_xprod(struct build *b)
{
	struct xprod x = {.b = b, .c = b->c, .words = b->words};
	struct plan pl = {0};
	int err;

	x.remap = malloc((b->vt.n ? b->vt.n : 1) * sizeof(*x.remap));
	x.tmp = malloc(b->words * sizeof(*x.tmp));
	x.g2l = malloc((b->nrules + 1) * sizeof(*x.g2l));
	x.lim = malloc((b->nrules + 1) * sizeof(*x.lim));
	if (!x.remap || !x.tmp || !x.lim || !x.g2l) {
		err = oom(&x);
		goto out;
	}
	err = renumber(&x) ?: find_limited(&x) ?: find_wild(&x) ?: build_lists(&x) ?:
	      plan_parts(&x, &pl) ?:
	      settle_vector_rules(&x);
	if (err)
		goto out;
	b->c->plan.nparts = (__u8)pl.n;
	err = build_records(&x, &pl) ?: write_limited(&x) ?:
	      pad(&x, &x.t32, &x.cap32, &x.n32, sizeof(*x.t32), XDPFW_TAB32_PER_BLOCK) ?:
	      pad(&x, &x.t16, &x.cap16, &x.n16, sizeof(*x.t16), XDPFW_TAB16_PER_BLOCK);
	if (err)
		goto out;
	for (int f = 0; f < XDPFW_F_MAX; f++)
		b->c->nclass[f] = x.f[f].n;
	/* A small field only the lists test is not looked up: the records
	 * test its values. The vectors of limited rules need every field. */
	if (!x.nlim) {
		__u32 need = 0;

		for (int p = 0; p < pl.n; p++)
			need |= b->c->plan.part[p].fields;
		b->c->fields &= need;
	}
	for (int p = 0; p < pl.n; p++)
		b->c->ny += pl.part[p].y.n;
	b->c->tab32 = x.t32;
	b->c->ntab32 = x.n32;
	b->c->tab16 = x.t16;
	b->c->ntab16 = x.n16;
	x.t32 = NULL;
	x.t16 = NULL;
out:
	plan_free(&pl);
	xprod_free(&x);
	return err;
}
