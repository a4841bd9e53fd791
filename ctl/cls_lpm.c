// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cls_lpm.c - LPM stores: binary search on prefix lengths over one bucketed
 * cuckoo hash (XDPFW_STORE_LPM in include/xdpfw.h; xdp/classify.h looks
 * them up, xdp/README.md has the figures).
 *
 * A store holds the prefixes of one address field and family (or, for a
 * DIR store, the prefixes longer than /24 of the /24s without a group).
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

/* Does the store of field fi, family v6 take prefix p? */
static bool lpm_takes(const struct fw_cls *c, int fi, int v6, const struct fw_cls_prefix *p)
{
	if (c->shape[fi][v6].store == XDPFW_STORE_LPM)
		return true;
	return c->shape[fi][v6].store == XDPFW_STORE_DIR && p->len > 24 &&
	       !fw_cls_dir_grouped(c, fi, ntohl(p->addr[0]) >> 8, NULL);
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

int fw_cls_lpm_build(struct fw_cls *c, char *errbuf, size_t errlen)
{
	for (int fi = 0; fi < 2; fi++) {
		for (int v6 = 0; v6 < 2; v6++) {
			int err = lpm_store(c, fi, v6);

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
