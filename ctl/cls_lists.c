// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cls_lists.c - the keyed lists of the classifier (include/xdpfw.h, struct
 * xdpfw_lists; xdp/lists.h looks them up): which rules they take, their
 * records, the hash of address pairs, and the lookup in C.
 *
 * Why: a cross-producted table of source by destination classes grows
 * with the product of the classes, which real rule sets (ClassBench's
 * 10,000 rules: thousands of prefixes in each address) make tens of MiB;
 * a packet's reads into it miss the caches, and each miss costs more than
 * the whole search should. Most such rules name a narrow pair of
 * prefixes, or one narrow prefix and a wildcard: keyed by what they name,
 * they fall into short lists, and the memory grows with the rules.
 *
 * Which rules: a rule that tests nothing but its family, protocol, one
 * port range per port (not negated) and its addresses (any test, sets
 * too, for a key; a plain prefix for the address a record tests), and is
 * not rate-limited. PAIR when its prefixes hold few pairs of classes
 * (PAIR_CELLS_MAX), else keyed by the address of fewer classes whose
 * other address a record can test. A list longer than XDPFW_LIST_MAX
 * keeps its first rules; the others try the next kind, and past the last
 * go to the cross-producted partitions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "cls_int.h"
#include "util.h"

/* Pairs of classes a PAIR rule may hold: its hash entries. */
#define PAIR_CELLS_MAX 64
/* Rounds of moving the rules of long lists on before they go to the
 * partitions as they are. */
#define ROUNDS_MAX    8
#define PAIR_BITS_MAX 26

#define LIST_TESTS                                                                                 \
	(XDPFW_M_FAMILY | XDPFW_M_PROTO | XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_SPORT |          \
	 XDPFW_M_DPORT | XDPFW_M_SADDR_SET | XDPFW_M_DADDR_SET)

/* The classes of an address field each candidate rule is in, by rule:
 * rule r's are cls[first[r] .. first[r + 1]). Empty for a wild rule. */
struct incidence {
	__u32 *first;
	__u32 *cls;
};

struct lbuild {
	struct build *b;
	const struct cls_lists_in *in;
	signed char *kind; /* [rule]: XDPFW_LIST_*, -1: not in a list */
	__u8 *tried;       /* [rule]: bit k, kind k was tried */
	struct incidence inc[2];
	__u32 *scratch; /* [nrules] */
};

static int oom(struct lbuild *l)
{
	return fw_cls_fail(l->b, -ENOMEM, "out of memory building the classifier");
}

static bool wild(const struct lbuild *l, int fi, __u32 r)
{
	return fw_bit(l->in->wild[fi], r);
}

static __u32 ninc(const struct lbuild *l, int fi, __u32 r)
{
	return l->inc[fi].first[r + 1] - l->inc[fi].first[r];
}

/* Candidate rules' classes of field fi, non-wild ones only. */
static int incidences(struct lbuild *l, int fi)
{
	__u32 n = l->b->nrules, *count = calloc(n + 1, sizeof(*count));
	struct incidence *in = &l->inc[fi];
	unsigned int w = l->b->words;
	size_t total = 0;

	in->first = calloc(n + 1, sizeof(*in->first));
	if (!count || !in->first)
		goto nomem;
	for (int pass = 0; pass < 2; pass++) {
		for (__u32 c = 0; c < l->in->nclass[fi]; c++) {
			const __u64 *v = l->in->class_vec(l->in->arg, fi, c);

			for (unsigned int j = 0; j < w; j++) {
				__u64 m = v[j] & l->in->candidates[j] & ~l->in->wild[fi][j];

				for (; m; m &= m - 1) {
					__u32 r = j * 64 + (__u32)__builtin_ctzll(m);

					if (pass)
						in->cls[in->first[r] + count[r]] = c;
					count[r]++;
					total += !pass;
				}
			}
		}
		if (pass)
			break;
		in->cls = malloc((total ? total : 1) * sizeof(*in->cls));
		if (!in->cls)
			goto nomem;
		for (__u32 r = 0; r < n; r++)
			in->first[r + 1] = in->first[r] + count[r];
		memset(count, 0, (n + 1) * sizeof(*count));
	}
	free(count);
	return 0;
nomem:
	free(count);
	return oom(l);
}

/* Whether a record can test rule r's address test of field fi itself: a
 * plain prefix of a known family. */
static bool raw_addr(const struct xdpfw_rule *r, int fi)
{
	__u32 m = fi ? XDPFW_M_DADDR : XDPFW_M_SADDR;
	__u32 set = fi ? XDPFW_M_DADDR_SET : XDPFW_M_SADDR_SET;

	return (r->match & m) && !(r->negate & m) && !(r->match & set) &&
	       (r->match & XDPFW_M_FAMILY);
}

/* The kind rule r goes to, of those not tried yet, or -1. */
static int choose(const struct lbuild *l, __u32 r)
{
	const struct xdpfw_rule *rule = &l->b->rs->rules[r];
	bool ws = wild(l, 0, r), wd = wild(l, 1, r), src, dst;
	__u8 tried = l->tried[r];

	if (!fw_bit(l->in->candidates, r) || (rule->match & ~(__u32)LIST_TESTS) ||
	    (rule->negate & (XDPFW_M_SPORT | XDPFW_M_DPORT)) || (ws && wd))
		return -1;
	if (!(tried & (1 << XDPFW_LIST_PAIR)) && !ws && !wd &&
	    (__u64)ninc(l, 0, r) * ninc(l, 1, r) <= PAIR_CELLS_MAX)
		return XDPFW_LIST_PAIR;
	src = !(tried & (1 << XDPFW_LIST_SRC)) && !ws && (wd || raw_addr(rule, 1));
	dst = !(tried & (1 << XDPFW_LIST_DST)) && !wd && (ws || raw_addr(rule, 0));
	if (src && dst)
		return ninc(l, 0, r) <= ninc(l, 1, r) ? XDPFW_LIST_SRC : XDPFW_LIST_DST;
	return src ? XDPFW_LIST_SRC : dst ? XDPFW_LIST_DST : -1;
}

/* ---- the keys of one kind ------------------------------------------------- */

/* The lists of one kind by key: key k's rules are rules[at[k] .. at[k + 1]),
 * ascending. A PAIR key is a pair of classes (s, d); a SRC or DST key a
 * class. */
struct keyed {
	__u32 nkeys;
	__u32 *s, *d; /* PAIR: the key's classes */
	__u32 *at;    /* [nkeys + 1] */
	__u32 *rules;
};

static void keyed_free(struct keyed *k)
{
	free(k->s);
	free(k->d);
	free(k->at);
	free(k->rules);
	memset(k, 0, sizeof(*k));
}

/* Open addressing over the pairs met so far: slot = key + 1. */
struct pairset {
	__u32 *slot;
	__u32 nslot; /* power of two */
};

static __u32 *pair_slot(struct pairset *ps, const struct keyed *k, __u32 s, __u32 d)
{
	__u32 h = xdpfw_pair_hash(s, d, 0) & (ps->nslot - 1);

	for (; ps->slot[h]; h = (h + 1) & (ps->nslot - 1))
		if (k->s[ps->slot[h] - 1] == s && k->d[ps->slot[h] - 1] == d)
			break;
	return &ps->slot[h];
}

/* The keys and lists of kind `kind`, from the rules now in it. */
static int keyed_build(struct lbuild *l, int kind, struct keyed *k)
{
	__u32 n = l->b->nrules, *count = NULL;
	int fi = kind == XDPFW_LIST_DST;
	struct pairset ps = {0};
	size_t total = 0;

	memset(k, 0, sizeof(*k));
	if (kind != XDPFW_LIST_PAIR) {
		k->nkeys = l->in->nclass[fi];
	} else {
		/* The distinct pairs, numbered as met. */
		size_t cap = 0;

		for (__u32 r = 0; r < n; r++)
			if (l->kind[r] == kind)
				total += (size_t)ninc(l, 0, r) * ninc(l, 1, r);
		for (ps.nslot = 16; ps.nslot < 2 * total + 2; ps.nslot *= 2)
			;
		ps.slot = calloc(ps.nslot, sizeof(*ps.slot));
		cap = total + 1;
		k->s = malloc(cap * sizeof(*k->s));
		k->d = malloc(cap * sizeof(*k->d));
		if (!ps.slot || !k->s || !k->d)
			goto nomem;
		for (__u32 r = 0; r < n; r++) {
			if (l->kind[r] != kind)
				continue;
			for (__u32 i = l->inc[0].first[r]; i < l->inc[0].first[r + 1]; i++) {
				for (__u32 j = l->inc[1].first[r]; j < l->inc[1].first[r + 1];
				     j++) {
					__u32 s = l->inc[0].cls[i], d = l->inc[1].cls[j];
					__u32 *slot = pair_slot(&ps, k, s, d);

					if (*slot)
						continue;
					k->s[k->nkeys] = s;
					k->d[k->nkeys] = d;
					*slot = ++k->nkeys;
				}
			}
		}
	}
	count = calloc((size_t)k->nkeys + 1, sizeof(*count));
	k->at = calloc((size_t)k->nkeys + 1, sizeof(*k->at));
	if (!count || !k->at)
		goto nomem;
	/* Two passes over the rules, ascending: count per key, then place. */
	for (int pass = 0; pass < 2; pass++) {
		total = 0;
		for (__u32 r = 0; r < n; r++) {
			if (l->kind[r] != kind)
				continue;
			for (__u32 i = l->inc[fi].first[r]; i < l->inc[fi].first[r + 1]; i++) {
				__u32 lo = kind == XDPFW_LIST_PAIR ? l->inc[1].first[r] : 0;
				__u32 hi = kind == XDPFW_LIST_PAIR ? l->inc[1].first[r + 1] : 1;

				for (__u32 j = lo; j < hi; j++) {
					__u32 key = l->inc[fi].cls[i];

					if (kind == XDPFW_LIST_PAIR)
						key = *pair_slot(&ps, k, key, l->inc[1].cls[j]) - 1;
					if (pass)
						k->rules[k->at[key] + count[key]] = r;
					count[key]++;
					total++;
				}
			}
		}
		if (pass)
			break;
		k->rules = malloc((total ? total : 1) * sizeof(*k->rules));
		if (!k->rules)
			goto nomem;
		for (__u32 key = 0; key < k->nkeys; key++)
			k->at[key + 1] = k->at[key] + count[key];
		memset(count, 0, ((size_t)k->nkeys + 1) * sizeof(*count));
	}
	free(count);
	free(ps.slot);
	return 0;
nomem:
	free(count);
	free(ps.slot);
	keyed_free(k);
	return oom(l);
}

/* Move on the rules past the first XDPFW_LIST_MAX of each list of kind;
 * how many moved. */
static __u32 overflow(struct lbuild *l, int kind, const struct keyed *k, bool last)
{
	__u32 moved = 0;

	for (__u32 key = 0; key < k->nkeys; key++) {
		for (__u32 i = k->at[key] + XDPFW_LIST_MAX; i < k->at[key + 1]; i++) {
			__u32 r = k->rules[i];

			if (l->kind[r] != kind)
				continue;
			l->tried[r] |= (__u8)(1 << kind);
			l->kind[r] = (signed char)(last ? -1 : choose(l, r));
			moved++;
		}
	}
	return moved;
}

/* ---- records and the hash ------------------------------------------------- */

static void cand_addr(struct xdpfw_cand *c, const struct xdpfw_prefix *p)
{
	unsigned int len = 0;

	for (int i = 0; i < 4; i++) {
		len += (unsigned int)__builtin_popcount(p->mask[i]);
		c->addr[i] = ntohl(p->addr[i] & p->mask[i]);
	}
	c->plen = (__u8)len;
	c->tests |= XDPFW_CAND_ADDR;
}

static void cand_of(const struct lbuild *l, __u32 r, int kind, struct xdpfw_cand *c)
{
	const struct xdpfw_rule *rule = &l->b->rs->rules[r];

	memset(c, 0, sizeof(*c));
	c->rule = (__u16)r;
	if (rule->match & XDPFW_M_FAMILY) {
		c->tests |= XDPFW_CAND_FAMILY;
		c->family = rule->family;
	}
	if (rule->match & XDPFW_M_PROTO) {
		c->tests |= XDPFW_CAND_PROTO;
		c->proto = rule->proto;
	}
	if (rule->match & XDPFW_M_SPORT) {
		c->tests |= XDPFW_CAND_SPORT;
		c->sport_lo = rule->sport_lo;
		c->sport_hi = rule->sport_hi;
	}
	if (rule->match & XDPFW_M_DPORT) {
		c->tests |= XDPFW_CAND_DPORT;
		c->dport_lo = rule->dport_lo;
		c->dport_hi = rule->dport_hi;
	}
	if (kind == XDPFW_LIST_SRC && !wild(l, 1, r))
		cand_addr(c, &rule->daddr);
	if (kind == XDPFW_LIST_DST && !wild(l, 0, r))
		cand_addr(c, &rule->saddr);
}

/* The records of kind's lists, each list once (equal lists share them),
 * from an even index so that two records a line start each list; its
 * list words into words[key]. */
static int place_lists(struct lbuild *l, int kind, const struct keyed *k, __u32 *words)
{
	struct fw_cls *c = l->b->c;
	struct fw_lists ls = {0};
	__u32 *at = NULL;
	size_t cap = c->ncands, cap_at = 0;
	int err = 0;

	for (__u32 key = 0; !err && key < k->nkeys; key++) {
		__u32 n = k->at[key + 1] - k->at[key];
		long id;

		words[key] = 0;
		if (!n)
			continue;
		id = fw_lists_intern(&ls, &k->rules[k->at[key]], n);
		if (id < 0) {
			err = oom(l);
			break;
		}
		if ((__u32)id == ls.n - 1) {
			size_t start = (c->ncands + 1) & ~(size_t)1;

			if (FW_GROW(at, cap_at, id, 64) ||
			    fw_grow(&c->cands, &cap, start + n, sizeof(*c->cands), 256)) {
				err = oom(l);
				break;
			}
			memset(&c->cands[c->ncands], 0, (start - c->ncands) * sizeof(*c->cands));
			for (__u32 i = 0; i < n; i++)
				cand_of(l, k->rules[k->at[key] + i], kind, &c->cands[start + i]);
			c->ncands = start + n;
			at[id] = (__u32)start;
		}
		if (at[id] > XDPFW_LIST_START_MASK) {
			err = fw_cls_fail(l->b, -E2BIG,
			                  "more list records than the classifier holds");
			break;
		}
		words[key] = at[id] | n << XDPFW_LIST_COUNT_SHIFT;
		if (n > c->plan.lists.maxlen[kind])
			c->plan.lists.maxlen[kind] = (__u8)n;
	}
	free(at);
	fw_lists_free(&ls);
	return err;
}

/* Put key (s, d) and its list word into buckets of 2^bits and their
 * overflow ones; false when both are full. */
static bool pair_put(struct xdpfw_pair_bucket *bk, __u32 *nb, __u32 bits, __u32 seed, __u32 s,
                     __u32 d, __u32 word)
{
	struct xdpfw_pair_bucket *b = &bk[xdpfw_pair_hash(s, d, seed) & ((1u << bits) - 1)];

	for (int hop = 0; hop < 2; hop++) {
		for (int i = 0; i < XDPFW_PAIR_SLOTS; i++) {
			if (b->list[i])
				continue;
			b->s[i] = s;
			b->d[i] = d;
			b->list[i] = word;
			return true;
		}
		if (hop)
			break;
		if (!b->next)
			b->next = ++*nb;
		b = &bk[b->next - 1];
	}
	return false;
}

/* The hash of the PAIR keys with their list words, into c. */
static int pair_hash(struct lbuild *l, const struct keyed *k, const __u32 *words)
{
	struct fw_cls *c = l->b->c;
	__u32 bits = 0, seed = 0x5eed;

	/* Three keys a bucket of five on average. */
	while ((1ull << bits) * 3 < k->nkeys)
		bits++;
	for (; bits <= PAIR_BITS_MAX; bits++) {
		/* Every first bucket may need an overflow bucket. */
		size_t cap = (size_t)2 << bits;
		__u32 nb = 1u << bits, key;

		free(c->pairs);
		c->pairs = calloc(cap, sizeof(*c->pairs));
		if (!c->pairs)
			return oom(l);
		for (key = 0; key < k->nkeys; key++)
			if (words[key] &&
			    !pair_put(c->pairs, &nb, bits, seed, k->s[key], k->d[key], words[key]))
				break;
		if (key == k->nkeys) {
			c->npairs = nb;
			c->plan.lists.pair_bits = (__u8)bits;
			c->plan.lists.pair_seed = seed;
			return 0;
		}
		seed = xdpfw_pair_hash(seed, bits, 0x9e3779b9u);
	}
	return fw_cls_fail(l->b, -E2BIG, "the hash of address pairs does not fit %d bits",
	                   PAIR_BITS_MAX);
}

/* ---- the whole ------------------------------------------------------------ */

static void lbuild_free(struct lbuild *l)
{
	free(l->kind);
	free(l->tried);
	free(l->scratch);
	for (int fi = 0; fi < 2; fi++) {
		free(l->inc[fi].first);
		free(l->inc[fi].cls);
	}
}

/* Each kind's keys, moving the rules of long lists on until none is left
 * (the last round moves them to the partitions). */
static int settle(struct lbuild *l, struct keyed k[XDPFW_LIST_KINDS])
{
	int err = 0;

	for (int round = 0; !err && round < ROUNDS_MAX; round++) {
		__u32 moved = 0;

		for (int kind = 0; !err && kind < XDPFW_LIST_KINDS; kind++) {
			keyed_free(&k[kind]);
			err = keyed_build(l, kind, &k[kind]);
			if (!err)
				moved += overflow(l, kind, &k[kind], round == ROUNDS_MAX - 1);
		}
		if (!moved)
			return err;
	}
	/* The last round moved rules out only: build what is left. */
	for (int kind = 0; !err && kind < XDPFW_LIST_KINDS; kind++) {
		keyed_free(&k[kind]);
		err = keyed_build(l, kind, &k[kind]);
	}
	return err;
}

int fw_cls_lists(struct build *b, const struct cls_lists_in *in, __u64 *taken, __u32 *keys[2])
{
	struct lbuild l = {.b = b, .in = in};
	struct keyed k[XDPFW_LIST_KINDS] = {0};
	__u32 *pwords = NULL;
	int err;

	keys[0] = keys[1] = NULL;
	memset(taken, 0, b->words * sizeof(*taken));
	l.kind = malloc(b->nrules + 1);
	l.tried = calloc(b->nrules + 1, 1);
	if (!l.kind || !l.tried) {
		err = oom(&l);
		goto out;
	}
	err = incidences(&l, 0) ?: incidences(&l, 1);
	if (err)
		goto out;
	for (__u32 r = 0; r < b->nrules; r++)
		l.kind[r] = (signed char)choose(&l, r);
	err = settle(&l, k);
	for (int kind = 0; !err && kind < XDPFW_LIST_KINDS; kind++) {
		__u32 **w = kind == XDPFW_LIST_PAIR ? &pwords : &keys[kind - 1];

		if (!k[kind].at[k[kind].nkeys])
			continue;
		b->c->plan.lists.kinds |= (__u8)(1 << kind);
		*w = calloc(k[kind].nkeys ? k[kind].nkeys : 1, sizeof(**w));
		if (!*w) {
			err = oom(&l);
			break;
		}
		err = place_lists(&l, kind, &k[kind], *w);
		if (!err && kind == XDPFW_LIST_PAIR)
			err = pair_hash(&l, &k[kind], pwords);
	}
	for (__u32 r = 0; !err && r < b->nrules; r++) {
		if (l.kind[r] < 0)
			continue;
		fw_bit_set(taken, r, true);
		b->c->nlisted[(int)l.kind[r]]++;
	}
out:
	for (int kind = 0; kind < XDPFW_LIST_KINDS; kind++)
		keyed_free(&k[kind]);
	free(pwords);
	lbuild_free(&l);
	if (err) {
		free(keys[0]);
		free(keys[1]);
		keys[0] = keys[1] = NULL;
	}
	return err;
}

/* ---- the lookup, as xdp/lists.h makes it ---------------------------------- */

static bool cand_holds(const struct xdpfw_cand *c, int kind, const struct xdpfw_pkt *pkt)
{
	bool ports = pkt->flags & XDPFW_PKT_PORTS;
	const __u32 *a = kind == XDPFW_LIST_SRC ? pkt->daddr : pkt->saddr;

	if ((c->tests & XDPFW_CAND_FAMILY) && pkt->family != c->family)
		return false;
	if ((c->tests & XDPFW_CAND_PROTO) &&
	    (pkt->proto != c->proto || (pkt->flags & XDPFW_PKT_NO_PROTO)))
		return false;
	if ((c->tests & XDPFW_CAND_SPORT) &&
	    !(ports && pkt->sport >= c->sport_lo && pkt->sport <= c->sport_hi))
		return false;
	if ((c->tests & XDPFW_CAND_DPORT) &&
	    !(ports && pkt->dport >= c->dport_lo && pkt->dport <= c->dport_hi))
		return false;
	if (c->tests & XDPFW_CAND_ADDR) {
		for (unsigned int i = 0; i < 4; i++) {
			unsigned int bits = c->plen > 32 * i ? c->plen - 32 * i : 0;
			__u32 mask = bits >= 32 ? ~0u : bits ? ~0u << (32 - bits) : 0;

			if ((ntohl(a[i]) & mask) != c->addr[i])
				return false;
		}
	}
	return true;
}

static __u32 list_first(const struct fw_cls *c, __u32 word, int kind, const struct xdpfw_pkt *pkt)
{
	__u32 start = word & XDPFW_LIST_START_MASK, n = word >> XDPFW_LIST_COUNT_SHIFT;

	for (__u32 i = 0; i < n; i++)
		if (cand_holds(&c->cands[start + i], kind, pkt))
			return c->cands[start + i].rule;
	return XDPFW_RULE_NONE;
}

static __u32 pair_word(const struct fw_cls *c, __u32 s, __u32 d)
{
	const struct xdpfw_lists *ls = &c->plan.lists;
	const struct xdpfw_pair_bucket *b =
	    &c->pairs[xdpfw_pair_hash(s, d, ls->pair_seed) & ((1u << ls->pair_bits) - 1)];

	for (int hop = 0; hop < 2; hop++) {
		for (int i = 0; i < XDPFW_PAIR_SLOTS; i++)
			if (b->list[i] && b->s[i] == s && b->d[i] == d)
				return b->list[i];
		if (!b->next)
			break;
		b = &c->pairs[b->next - 1];
	}
	return 0;
}

__u32 fw_cls_lists_first(const struct fw_cls *c, __u32 s, __u32 d, const struct xdpfw_pkt *pkt)
{
	const struct xdpfw_lists *ls = &c->plan.lists;
	__u32 best = XDPFW_RULE_NONE, r;

	if (ls->kinds & (1 << XDPFW_LIST_PAIR)) {
		r = list_first(c, pair_word(c, s, d), XDPFW_LIST_PAIR, pkt);
		best = r < best ? r : best;
	}
	if (ls->kinds & (1 << XDPFW_LIST_SRC)) {
		r = list_first(c, c->tab32[ls->key_off[0] + s], XDPFW_LIST_SRC, pkt);
		best = r < best ? r : best;
	}
	if (ls->kinds & (1 << XDPFW_LIST_DST)) {
		r = list_first(c, c->tab32[ls->key_off[1] + d], XDPFW_LIST_DST, pkt);
		best = r < best ? r : best;
	}
	return best;
}
