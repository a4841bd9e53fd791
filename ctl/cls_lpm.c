// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cls_lpm.c - LPM stores: binary search on prefix lengths over one bucketed
 * cuckoo hash (XDPFW_STORE_LPM in include/xdpfw.h; xdp/classify.h looks
 * them up, xdp/README.md has the figures).
 *
 * A store holds the prefixes of one address field and family (or, for a
 * DIR store, the prefixes longer than /24 of the /24s without a group whose
 * record, below, has no room for them).
 * Its distinct lengths, ascending, are searched as the program does: the
 * middle length of the range left is probed; a hit goes on in the longer
 * half, a miss in the shorter. Where a prefix's own search goes longer, a
 * marker (the prefix cut to the length probed) makes the probe hit; every
 * key holds the class of the longest prefix that covers it, so the last hit
 * is the answer. Keys: every prefix, and one marker per step of its search
 * that goes longer, shared by the prefixes that make the same one.
 *
 * The hash: buckets of XDPFW_LPM_SLOTS slots, two buckets a key in one page
 * of XDPFW_LPM_PAGE buckets (xdpfw_lpm_place()); a key that finds both full
 * moves another to its other bucket, and so on (cuckoo hashing). Keys from
 * page_len bits on are paged by their first page_len bits, so that a
 * packet's probes share a page: page_len is the shortest length whose
 * groups of keys sharing those bits fill at most GROUP_PCT percent of a
 * page. Pages are filled to LOAD_PCT percent on average; where moves run
 * out, the store gets a quarter more pages and is built again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cls_int.h"

#define LOAD_PCT   85
#define GROUP_PCT  50
#define MAX_MOVES  2000
#define MAX_GROWS  8
#define PREFETCH   16 /* keys ahead */
#define PAGE_SLOTS (XDPFW_LPM_PAGE * XDPFW_LPM_SLOTS)

struct lkey {
	__u32 k[4]; /* host order, host bits clear */
	__u32 id;
	__u8 len;
};

static bool in_sorted(const __u32 *v, __u32 n, __u32 x)
{
	__u32 lo = 0, hi = n;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

/* Does the store of field fi, family v6 take prefix p? A DIR store's LPM
 * store: the longer prefixes of the /24s whose record spilled. */
static bool lpm_takes(const struct fw_cls *c, int fi, int v6, const struct fw_cls_prefix *p)
{
	if (c->shape[fi][v6].store == XDPFW_STORE_LPM)
		return true;
	return c->shape[fi][v6].store == XDPFW_STORE_DIR && p->len > 24 &&
	       in_sorted(c->dir[fi].spilled, c->dir[fi].nspilled, ntohl(p->addr[0]) >> 8);
}

static void cut(const __u32 *h, __u32 len, __u32 *k)
{
	for (__u32 w = 0; w < 4; w++)
		k[w] = h[w] & xdpfw_lpm_mask(len, w);
}

/* The keys of store (fi, v6) into *out (*n of them, in the order of the
 * prefixes, so by address; each once), and its lengths into sh. */
static int lpm_keys(const struct fw_cls *c, int fi, int v6, struct lkey **out, size_t *n)
{
	struct xdpfw_addr_shape *sh = (struct xdpfw_addr_shape *)&c->shape[fi][v6];
	const struct fw_cls_prefix *p = c->prefixes[fi][v6];
	__u32 np = c->nprefixes[fi][v6], depth = 0, stack[130];
	bool seen[129] = {false};
	__u8 at[129];
	struct lkey *keys;
	size_t nk = 0, cap, last[XDPFW_LPM_LENS];

	*out = NULL;
	*n = 0;
	sh->nlens = 0;
	for (__u32 i = 0; i < np; i++)
		if (lpm_takes(c, fi, v6, &p[i]))
			seen[p[i].len] = true;
	for (int l = 0; l <= 128; l++)
		if (seen[l]) {
			at[l] = sh->nlens;
			sh->lens[sh->nlens++] = (__u8)l;
		}
	if (!sh->nlens)
		return 0;
	/* A marker several prefixes make: they come one after the other, and
	 * it comes out once (the last key of each length is the one to check). */
	for (int l = 0; l < XDPFW_LPM_LENS; l++)
		last[l] = SIZE_MAX;
	cap = (size_t)np * 3 + 16;
	keys = malloc(cap * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* The prefixes come in address order, each before those it holds: a
	 * stack of those holding the current one gives every marker's class. */
	for (__u32 i = 0; i < np; i++) {
		int lo = 0, hi = sh->nlens - 1, t = at[p[i].len];
		__u32 h[4];

		for (int w = 0; w < 4; w++)
			h[w] = ntohl(p[i].addr[w]);
		while (depth > 0) {
			const struct fw_cls_prefix *q = &p[stack[depth - 1]];
			__u32 qh[4];

			for (int w = 0; w < 4; w++)
				qh[w] = ntohl(q->addr[w]);
			if (fw_cls_holds(qh, q->len, h, p[i].len))
				break;
			depth--;
		}
		if (depth >= 130) { /* cannot be: 129 lengths */
			free(keys);
			return -EINVAL;
		}
		stack[depth++] = i;
		if (!lpm_takes(c, fi, v6, &p[i]))
			continue;
		/* The program's search for this prefix: a key where it probes a
		 * length not longer than the prefix's. */
		while (lo <= hi) {
			int mid = (lo + hi) / 2;
			__u32 len = sh->lens[mid];
			struct lkey *k;
			__u32 cutk[4];

			if (mid > t) {
				hi = mid - 1;
				continue;
			}
			cut(h, len, cutk);
			if (last[mid] != SIZE_MAX &&
			    !memcmp(keys[last[mid]].k, cutk, sizeof(cutk))) {
				if (mid == t) /* cannot be: a prefix comes before its markers */
					break;
				lo = mid + 1; /* made already */
				continue;
			}
			if (nk == cap) {
				struct lkey *more = realloc(keys, cap * 2 * sizeof(*keys));

				if (!more) {
					free(keys);
					return -ENOMEM;
				}
				keys = more;
				cap *= 2;
			}
			last[mid] = nk;
			k = &keys[nk++];
			memcpy(k->k, cutk, sizeof(cutk));
			k->len = (__u8)len;
			k->id = sh->miss;
			/* The class of the longest prefix holding the cut. */
			for (__u32 d = depth; d > 0; d--) {
				if (p[stack[d - 1]].len <= len) {
					k->id = p[stack[d - 1]].id;
					break;
				}
			}
			if (mid == t)
				break;
			lo = mid + 1;
		}
	}
	*n = nk;
	*out = keys;
	return 0;
}

static void put(struct xdpfw_lpm_bucket *b, int s, const struct lkey *k)
{
	memcpy(b->a[s], k->k, sizeof(k->k));
	b->id[s] = k->id;
	b->len1[s] = (__u8)(k->len + 1);
}

static bool place_free(struct xdpfw_lpm_bucket *bk, __u32 b, const struct lkey *k)
{
	for (int s = 0; s < XDPFW_LPM_SLOTS; s++) {
		if (!bk[b].len1[s]) {
			put(&bk[b], s, k);
			return true;
		}
	}
	return false;
}

/* Put keys[0..n-1] (unique) into the npages pages at bk (zeroed); false
 * when moves run out. */
static bool cuckoo(struct xdpfw_lpm_bucket *bk, __u32 npages, __u32 page_len,
                   const struct lkey *keys, size_t n)
{
	__u64 rnd = 0x2545f4914f6cdd1dull;

	for (size_t i = 0; i < n; i++) {
		struct lkey cur = keys[i];
		__u32 b[2], at;
		int m;

		if (i + PREFETCH < n) { /* the table is far bigger than the caches */
			const struct lkey *ahead = &keys[i + PREFETCH];

			xdpfw_lpm_place(ahead->k, ahead->len, page_len, npages, b);
			__builtin_prefetch(&bk[b[0]], 1);
			__builtin_prefetch(&bk[b[1]], 1);
		}
		xdpfw_lpm_place(cur.k, cur.len, page_len, npages, b);
		if (place_free(bk, b[0], &cur))
			continue;
		at = b[1];
		for (m = 0; m < MAX_MOVES && !place_free(bk, at, &cur); m++) {
			struct lkey out;
			int s;

			rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
			s = (int)(rnd % XDPFW_LPM_SLOTS);
			memcpy(out.k, bk[at].a[s], sizeof(out.k));
			out.id = bk[at].id[s];
			out.len = (__u8)(bk[at].len1[s] - 1);
			put(&bk[at], s, &cur);
			cur = out;
			/* The key moved out goes to its other bucket. */
			xdpfw_lpm_place(cur.k, cur.len, page_len, npages, b);
			at = b[0] == at ? b[1] : b[0];
		}
		if (m == MAX_MOVES)
			return false;
	}
	return true;
}

/* The largest group of keys of len bits or more sharing their first len
 * bits, in keys by address. */
static size_t largest_group(const struct lkey *keys, size_t n, __u32 len)
{
	size_t most = 0, run = 0;
	__u32 cur[4] = {0}, k[4];

	for (size_t i = 0; i < n; i++) {
		if (keys[i].len < len)
			continue;
		cut(keys[i].k, len, k);
		run = run && !memcmp(k, cur, sizeof(k)) ? run + 1 : 1;
		memcpy(cur, k, sizeof(k));
		most = run > most ? run : most;
	}
	return most;
}

/* The shortest of the store's lengths whose groups fit a page's share:
 * the longest always does (its keys are unique). */
static __u32 page_len(const struct xdpfw_addr_shape *sh, const struct lkey *keys, size_t n)
{
	int lo = 0, hi = sh->nlens - 1;

	while (lo < hi) { /* groups only shrink as the length grows */
		int mid = (lo + hi) / 2;

		if (largest_group(keys, n, sh->lens[mid]) * 100 <= PAGE_SLOTS * GROUP_PCT)
			hi = mid;
		else
			lo = mid + 1;
	}
	return sh->lens[lo];
}

/* Build the store (fi, v6) at the end of c->lpm. */
static int lpm_store(struct fw_cls *c, int fi, int v6)
{
	struct xdpfw_addr_shape *sh = &c->shape[fi][v6];
	struct lkey *keys;
	size_t n;
	__u64 np, nb;
	int err = lpm_keys(c, fi, v6, &keys, &n);

	if (err || !n)
		return err;
	sh->page_len = (__u8)page_len(sh, keys, n);
	np = (n * 100 + (PAGE_SLOTS * LOAD_PCT) - 1) / (PAGE_SLOTS * LOAD_PCT);
	for (int g = 0; g <= MAX_GROWS; g++, np += np / 4 + 1) {
		struct xdpfw_lpm_bucket *bk;

		nb = np * XDPFW_LPM_PAGE;

		if (c->nlpm + nb > XDPFW_LPM_MAX_BUCKETS) {
			err = -E2BIG;
			break;
		}
		bk = realloc(c->lpm, (size_t)(c->nlpm + nb) * sizeof(*bk));
		if (!bk) {
			err = -ENOMEM;
			break;
		}
		c->lpm = bk;
		memset(&bk[c->nlpm], 0, (size_t)nb * sizeof(*bk));
		if (cuckoo(&bk[c->nlpm], (__u32)np, sh->page_len, keys, n)) {
			sh->base = c->nlpm;
			sh->npages = (__u32)np;
			c->nlpm += (__u32)nb;
			c->nlpm_keys[fi][v6] = n;
			free(keys);
			return 0;
		}
		err = -E2BIG;
	}
	free(keys);
	return err;
}

/* ---- records of the DIR /24s without a group ------------------------------ */

/* Put records r[0..n-1] into the nb buckets at bk (zeroed), one a bucket;
 * false when moves run out. */
static bool rec_cuckoo(struct xdpfw_rec24 *bk, __u32 nb, const struct xdpfw_rec24 *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct xdpfw_rec24 cur = r[i], out;
		__u32 b[2], at;

		xdpfw_rec24_place(cur.key - 1, nb, b);
		if (!bk[b[0]].key) {
			bk[b[0]] = cur;
			continue;
		}
		at = b[1];
		for (int m = 0; m < MAX_MOVES && bk[at].key; m++) {
			out = bk[at];
			bk[at] = cur;
			cur = out;
			xdpfw_rec24_place(cur.key - 1, nb, b);
			at = b[0] == at ? b[1] : b[0];
		}
		if (bk[at].key)
			return false;
		bk[at] = cur;
	}
	return true;
}

/* The records of field fi's DIR store (its /24s with neither a group nor
 * room in a record go to c->dir[fi].spilled), placed at the end of c->rec. */
static int rec_store(struct fw_cls *c, int fi)
{
	struct xdpfw_addr_shape *sh = &c->shape[fi][0];
	const struct fw_cls_prefix *p = c->prefixes[fi][0];
	struct xdpfw_rec24 *r = NULL;
	__u32 np = c->nprefixes[fi][0], nr = 0;
	__u64 nb;

	if (sh->store != XDPFW_STORE_DIR || !c->dir[fi].nhashed)
		return 0;
	r = calloc(c->dir[fi].nhashed, sizeof(*r));
	c->dir[fi].spilled = malloc(c->dir[fi].nhashed * sizeof(__u32));
	if (!r || !c->dir[fi].spilled) {
		free(r);
		return -ENOMEM;
	}
	/* A /24's longer prefixes come one after the other. */
	for (__u32 i = 0; i < np; i++) {
		__u32 h = ntohl(p[i].addr[0]), a = h >> 8, k;
		struct xdpfw_rec24 *cur;

		if (p[i].len <= 24 || fw_cls_dir_grouped(c, fi, a, NULL))
			continue;
		if (!nr || r[nr - 1].key != a + 1) {
			if (nr == c->dir[fi].nhashed) { /* cannot be: plan_dir counted them */
				free(r);
				return -EINVAL;
			}
			r[nr++].key = a + 1;
		}
		cur = &r[nr - 1];
		if (cur->n == XDPFW_REC24_SPILL)
			continue;
		if (cur->n == XDPFW_REC24_MAX) {
			cur->n = XDPFW_REC24_SPILL;
			c->dir[fi].spilled[c->dir[fi].nspilled++] = a;
			continue;
		}
		/* Longest first: a prefix after those no longer than it. */
		for (k = cur->n; k > 0 && cur->e[k - 1].len < p[i].len; k--)
			cur->e[k] = cur->e[k - 1];
		cur->e[k].lo = (__u8)h;
		cur->e[k].len = p[i].len;
		cur->e[k].id = (__u16)p[i].id;
		cur->n++;
	}
	nb = (__u64)nr * 100 / 45 + 1;
	for (int g = 0; g <= MAX_GROWS; g++, nb += nb / 4 + 1) {
		struct xdpfw_rec24 *bk = realloc(c->rec, (size_t)(c->nrec + nb) * sizeof(*bk));

		if (!bk) {
			free(r);
			return -ENOMEM;
		}
		c->rec = bk;
		memset(&bk[c->nrec], 0, (size_t)nb * sizeof(*bk));
		if (rec_cuckoo(&bk[c->nrec], (__u32)nb, r, nr)) {
			sh->rec_base = c->nrec;
			sh->nrec = (__u32)nb;
			c->nrec += (__u32)nb;
			free(r);
			return 0;
		}
	}
	free(r);
	return -E2BIG;
}

__u32 fw_cls_rec24_lookup(const struct fw_cls *c, int fi, __u32 ip, __u32 own)
{
	const struct xdpfw_addr_shape *sh = &c->shape[fi][0];
	__u32 b[2], h[4] = {ip, 0, 0, 0};

	if (!sh->nrec)
		return fw_cls_lpm_lookup(c, fi, 0, h, own);
	xdpfw_rec24_place(ip >> 8, sh->nrec, b);
	for (int which = 0; which < 2; which++) {
		const struct xdpfw_rec24 *r = &c->rec[sh->rec_base + b[which]];

		if (r->key != (ip >> 8) + 1)
			continue;
		if (r->n == XDPFW_REC24_SPILL)
			break;
		for (int i = 0; i < r->n; i++)
			if (!((ip ^ r->e[i].lo) & (0xffu << (32 - r->e[i].len)) & 0xff))
				return r->e[i].id;
		return own;
	}
	return fw_cls_lpm_lookup(c, fi, 0, h, own);
}

int fw_cls_lpm_build(struct fw_cls *c, char *errbuf, size_t errlen)
{
	for (int fi = 0; fi < 2; fi++) {
		for (int v6 = 0; v6 < 2; v6++) {
			int err = (v6 ? 0 : rec_store(c, fi)) ?: lpm_store(c, fi, v6);

			if (err == -ENOMEM)
				snprintf(errbuf, errlen, "out of memory building the address hash");
			else if (err)
				snprintf(errbuf, errlen,
				         "the address hash of %s %s cannot hold its %u prefixes",
				         v6 ? "ip6" : "ip", fi ? "daddr" : "saddr",
				         c->nprefixes[fi][v6]);
			if (err)
				return err;
		}
	}
	return 0;
}

__u32 fw_cls_lpm_lookup(const struct fw_cls *c, int fi, int v6, const __u32 *host, __u32 best)
{
	const struct xdpfw_addr_shape *sh = &c->shape[fi][v6];
	int lo = 0, hi = sh->nlens - 1;

	for (int step = 0; step < XDPFW_LPM_STEPS && lo <= hi && sh->npages; step++) {
		int mid = (lo + hi) / 2, hit = 0;
		__u32 len = sh->lens[mid], k[4], b[2];

		cut(host, len, k);
		xdpfw_lpm_place(k, len, sh->page_len, sh->npages, b);
		for (int which = 0; which < 2 && !hit; which++) {
			const struct xdpfw_lpm_bucket *bk = &c->lpm[sh->base + b[which]];

			for (int s = 0; s < XDPFW_LPM_SLOTS && !hit; s++) {
				if (bk->len1[s] == len + 1 && !memcmp(bk->a[s], k, sizeof(k))) {
					best = bk->id[s];
					hit = 1;
				}
			}
		}
		if (hit)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return best;
}
