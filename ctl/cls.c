// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cls.c - see cls.h; the design note is xdp/README.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cls.h"
#include "cls_int.h"

/* Store choice (xdp/README.md has the figures behind it): IPv4 takes the
 * DIR-24-8 array from XDPFW_D16_MAX_PREFIXES prefixes, the small DIR-16-8-8
 * below that; IPv6 an LPM store (cls_lpm.c). */

unsigned int fw_cls_dir_group_limit = XDPFW_DIR_GROUPS;

/* Packet kind bits tested by rules (xdpfw_kind_key). */
#define SIG_FAMILY_V4 0x1
#define SIG_FAMILY_V6 0x2
#define SIG_PORTS     0x4  /* needs ports (TCP/UDP, not a later fragment) */
#define SIG_HEADER    0x8  /* needs the L4 header: not a later fragment */
#define SIG_FRAGMENT  0x10 /* needs a fragment */
#define SIG_PROTO     0x20 /* tests the protocol */
#define SIG_BITS      14   /* 6 bits above, 8 of protocol */

static __u64 vhash(const __u64 *w, unsigned int n)
{
	__u64 h = 0x9e3779b97f4a7c15ull;

	for (unsigned int i = 0; i < n; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	return h;
}

static int vtab_grow_slots(struct vtab *t)
{
	__u32 ns = t->nslot ? t->nslot * 2 : 1024;
	__u32 *s = calloc(ns, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (__u32 id = 0; id < t->n; id++) {
		__u32 h = (__u32)vhash(&t->v[(size_t)id * t->words], t->words) & (ns - 1);

		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = id + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslot = ns;
	return 0;
}

/* The id of vector w, added if new; -ENOMEM, or -E2BIG past XDPFW_MAX_VECS. */
long fw_vtab_intern(struct vtab *t, const __u64 *w)
{
	size_t bytes = t->words * sizeof(__u64);
	__u32 h;

	if (t->n * 2 >= t->nslot && vtab_grow_slots(t))
		return -ENOMEM;
	h = (__u32)vhash(w, t->words) & (t->nslot - 1);
	for (; t->slot[h]; h = (h + 1) & (t->nslot - 1)) {
		__u32 id = t->slot[h] - 1;

		if (!memcmp(&t->v[(size_t)id * t->words], w, bytes))
			return id;
	}
	if (t->n == t->cap) {
		__u32 cap = t->cap ? t->cap * 2 : 256;
		__u64 *v = realloc(t->v, (size_t)cap * bytes);

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	memcpy(&t->v[(size_t)t->n * t->words], w, bytes);
	t->slot[h] = t->n + 1;
	return t->n++;
}

void fw_bit_set(__u64 *w, __u32 r, bool on)
{
	if (on)
		w[r / 64] |= 1ull << (r % 64);
	else
		w[r / 64] &= ~(1ull << (r % 64));
}

int fw_cls_fail(struct build *b, int e, const char *fmt, ...)
{
	va_list ap;

	if (b->err && b->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

long fw_cls_intern(struct build *b, const __u64 *w)
{
	long id = fw_vtab_intern(&b->vt, w);

	if (id < 0)
		return fw_cls_fail(b, (int)id, "out of memory building the classifier");
	return id;
}

void fw_vtab_free(struct vtab *t)
{
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static void fill_table(struct fw_cls *c, __u32 base, __u32 lo, __u32 hi_excl, __u32 id)
{
	for (__u32 v = lo; v < hi_excl; v++)
		c->blocks[base + (v >> 8)].id[v & 0xff] = id;
}

/* ---- table fields: a sweep over value ranges ---------------------------- */

struct event {
	__u32 pos;
	__u32 rule;
	int delta;
};

struct evlist {
	struct event *e;
	size_t n, cap;
};

static int ev_add(struct evlist *l, __u32 lo, __u32 hi_excl, __u32 rule)
{
	if (lo >= hi_excl)
		return 0;
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct event *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (struct event){lo, rule, 1};
	l->e[l->n++] = (struct event){hi_excl, rule, -1};
	return 0;
}

/* Where rule r's test holds in [0, domain): [lo, hi], inverted if neg. */
static int ev_range(struct evlist *l, __u32 lo, __u32 hi, bool neg, __u32 domain, __u32 r)
{
	if (!neg)
		return ev_add(l, lo, hi + 1, r);
	return ev_add(l, 0, lo, r) ?: ev_add(l, hi + 1, domain, r);
}

/* Where a port set's test holds: its ranges (normalized), or the gaps
 * between them when negated. */
static int ev_ports(struct evlist *l, const struct xdpfw_port_entry *e, __u32 n, bool neg, __u32 r)
{
	__u32 next = 0;

	for (__u32 i = 0; i < n; i++) {
		if (ev_add(l, neg ? next : e[i].lo, neg ? e[i].lo : e[i].hi + 1u, r))
			return -ENOMEM;
		next = e[i].hi + 1u;
	}
	return neg ? ev_add(l, next, 65536, r) : 0;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct table_field {
	int field;    /* enum xdpfw_field */
	__u32 base;   /* first block */
	__u32 domain; /* values 0 .. domain - 1 */
};

static const struct table_field table_fields[] = {
    {XDPFW_F_SPORT, XDPFW_CLS_BASE_SPORT, 65536},
    {XDPFW_F_DPORT, XDPFW_CLS_BASE_DPORT, 65536},
    {XDPFW_F_LEN, XDPFW_CLS_BASE_LEN, 65536},
    {XDPFW_F_TTL, XDPFW_CLS_BASE_TTL, 256},
    {XDPFW_F_TCPFLAGS, XDPFW_CLS_BASE_TCPFLAGS, 256},
    {XDPFW_F_ICMPTYPE, XDPFW_CLS_BASE_ICMPTYPE, 256},
    {XDPFW_F_VLAN, XDPFW_CLS_BASE_VLAN, XDPFW_VLAN_NONE + 1},
};

/* Rule r's test of a port field (dst: the destination port) as events;
 * *tests false if it has none. An unknown set holds nothing. */
static int port_events(const struct fw_ruleset *rs, const struct xdpfw_rule *r, __u32 ri, bool dst,
                       struct evlist *l, bool *tests)
{
	__u32 m = r->match, n = r->negate, bit = dst ? XDPFW_M_DPORT : XDPFW_M_SPORT;
	__u32 setbit = dst ? XDPFW_M_DPORT_SET : XDPFW_M_SPORT_SET;
	const struct xdpfw_port_entry *e;
	__u32 ne;

	*tests = m & (bit | setbit);
	if (m & bit)
		return dst ? ev_range(l, r->dport_lo, r->dport_hi, n & bit, 65536, ri)
		           : ev_range(l, r->sport_lo, r->sport_hi, n & bit, 65536, ri);
	if (!(m & setbit))
		return 0;
	e = fw_ruleset_port_set(rs, dst ? r->dport_set : r->sport_set, &ne);
	return ev_ports(l, e, ne, n & setbit, ri);
}

/* Rule r's test of table field f as events; *tests false if it has none. */
static int rule_events(const struct build *b, const struct xdpfw_rule *r, __u32 ri,
                       const struct table_field *tf, struct evlist *l, bool *tests)
{
	const struct fw_ruleset *rs = b->rs;
	__u32 m = r->match;

	*tests = true;
	switch (tf->field) {
	case XDPFW_F_SPORT:
	case XDPFW_F_DPORT:
		return port_events(rs, r, ri, tf->field == XDPFW_F_DPORT, l, tests);
	case XDPFW_F_LEN:
		if (m & XDPFW_M_LEN)
			return ev_range(l, r->len_lo, r->len_hi, false, 65536, ri);
		break;
	case XDPFW_F_TTL:
		if (m & XDPFW_M_TTL)
			return ev_range(l, r->ttl_lo, r->ttl_hi, false, 256, ri);
		break;
	case XDPFW_F_TCPFLAGS:
		if (m & XDPFW_M_TCPFLAGS) {
			for (__u32 v = 0; v < 256; v++)
				if ((v & r->tcp_flags_mask) == r->tcp_flags_value &&
				    ev_add(l, v, v + 1, ri))
					return -ENOMEM;
			return 0;
		}
		break;
	case XDPFW_F_ICMPTYPE:
		if (m & XDPFW_M_ICMPTYPE)
			return ev_add(l, r->icmp_type, r->icmp_type + 1u, ri);
		break;
	case XDPFW_F_VLAN:
		if (m & XDPFW_M_VLAN)
			return ev_add(l, r->vlan & 0xfff, (r->vlan & 0xfff) + 1u, ri);
		break;
	}
	*tests = false;
	return 0;
}

static int build_table(struct build *b, const struct table_field *tf)
{
	struct fw_cls *c = b->c;
	struct evlist l = {0};
	__u64 *cur = NULL;
	int *count = NULL;
	bool any = false;
	int err = -ENOMEM;
	size_t e = 0;
	__u32 p = 0;

	cur = malloc(b->words * sizeof(*cur));
	count = calloc(b->nrules ? b->nrules : 1, sizeof(*count));
	if (!cur || !count)
		goto out;
	memcpy(cur, b->all, b->words * sizeof(*cur));
	for (__u32 i = 0; i < b->nrules; i++) {
		bool tests;

		if (rule_events(b, &b->rs->rules[i], i, tf, &l, &tests))
			goto out;
		if (tests) {
			fw_bit_set(cur, i, false);
			any = true;
		}
	}
	err = 0;
	if (!any) /* class 0 everywhere: the field is not looked up */
		goto out;
	c->fields |= 1u << tf->field;
	/* A rule can test a field without events (an empty set): l.e is NULL
	 * then, which qsort() does not take even for 0 elements (C11 7.1.4). */
	if (l.n > 1)
		qsort(l.e, l.n, sizeof(*l.e), ev_cmp);
	while (p < tf->domain) {
		__u32 next;
		long id;

		for (; e < l.n && l.e[e].pos == p; e++) {
			count[l.e[e].rule] += l.e[e].delta;
			fw_bit_set(cur, l.e[e].rule, count[l.e[e].rule] > 0);
		}
		next = e < l.n && l.e[e].pos < tf->domain ? l.e[e].pos : tf->domain;
		id = fw_cls_intern(b, cur);
		if (id < 0) {
			err = (int)id;
			goto out;
		}
		fill_table(c, tf->base, p, next, (__u32)id);
		p = next;
	}
out:
	if (err == -ENOMEM)
		fw_cls_fail(b, err, "out of memory building the classifier");
	free(l.e);
	free(cur);
	free(count);
	return err;
}

/* ---- the kind field: family, protocol, packet flags --------------------- */

static __u32 rule_sig(const struct xdpfw_rule *r)
{
	__u32 m = r->match, s = 0;

	if (m & XDPFW_M_FAMILY)
		s |= r->family == XDPFW_FAMILY_IPV6 ? SIG_FAMILY_V6 : SIG_FAMILY_V4;
	if (m & (XDPFW_M_SPORT | XDPFW_M_DPORT | XDPFW_M_TCPFLAGS | XDPFW_M_SPORT_SET |
	         XDPFW_M_DPORT_SET))
		s |= SIG_PORTS;
	if (m & XDPFW_M_ICMPTYPE)
		s |= SIG_HEADER;
	if (m & XDPFW_M_FRAGMENT)
		s |= SIG_FRAGMENT;
	if (m & XDPFW_M_PROTO)
		s |= SIG_PROTO | (__u32)r->proto << 6;
	return s;
}

static bool sig_holds(__u32 s, bool v6, __u32 proto, __u32 flags)
{
	if ((s & SIG_FAMILY_V4) && v6)
		return false;
	if ((s & SIG_FAMILY_V6) && !v6)
		return false;
	if ((s & SIG_PORTS) && !(flags & XDPFW_PKT_PORTS))
		return false;
	if ((s & SIG_HEADER) && (flags & XDPFW_PKT_LATER_FRAG))
		return false;
	if ((s & SIG_FRAGMENT) && !(flags & XDPFW_PKT_FRAGMENT))
		return false;
	if ((s & SIG_PROTO) && ((s >> 6) != proto || (flags & XDPFW_PKT_NO_PROTO)))
		return false;
	return true;
}

static int build_kind(struct build *b)
{
	static int sig_index[1 << SIG_BITS];
	__u32 sigs[XDPFW_MAX_RULES], nsig = 0;
	bool proto_tested[256] = {false};
	__u64 *sig_rules = NULL, *cur = NULL;
	int err = -ENOMEM;

	memset(sig_index, -1, sizeof(sig_index));
	sig_rules = calloc((size_t)(b->nrules ? b->nrules : 1) * b->words, sizeof(__u64));
	cur = malloc(b->words * sizeof(*cur));
	if (!sig_rules || !cur)
		goto out;
	for (__u32 i = 0; i < b->nrules; i++) {
		__u32 s = rule_sig(&b->rs->rules[i]);

		if (sig_index[s] < 0) {
			sig_index[s] = (int)nsig;
			sigs[nsig++] = s;
		}
		fw_bit_set(&sig_rules[(size_t)sig_index[s] * b->words], i, true);
		if (s & SIG_PROTO)
			proto_tested[s >> 6] = true;
	}
	err = 0;
	if (nsig == 0 || (nsig == 1 && sigs[0] == 0))
		goto out; /* no rule tests the kind */
	b->c->fields |= 1u << XDPFW_F_KIND;
	for (__u32 v6 = 0; v6 < 2; v6++) {
		for (__u32 flags = 0; flags < 16; flags++) {
			long other = -1; /* every untested protocol looks the same */

			for (__u32 proto = 0; proto < 256; proto++) {
				__u32 key =
				    xdpfw_kind_key(v6 ? XDPFW_FAMILY_IPV6 : XDPFW_FAMILY_IPV4,
				                   (__u8)proto, (__u8)flags);
				long id = proto_tested[proto] ? -1 : other;

				if (id < 0) {
					memset(cur, 0, b->words * sizeof(*cur));
					for (__u32 k = 0; k < nsig; k++) {
						const __u64 *w = &sig_rules[(size_t)k * b->words];

						if (!sig_holds(sigs[k], v6, proto, flags))
							continue;
						for (unsigned int j = 0; j < b->words; j++)
							cur[j] |= w[j];
					}
					id = fw_cls_intern(b, cur);
					if (id < 0) {
						err = (int)id;
						goto out;
					}
					if (!proto_tested[proto])
						other = id;
				}
				fill_table(b->c, XDPFW_CLS_BASE_KIND, key, key + 1, (__u32)id);
			}
		}
	}
out:
	if (err == -ENOMEM)
		fw_cls_fail(b, err, "out of memory building the classifier");
	free(sig_rules);
	free(cur);
	return err;
}

/* ---- address fields ------------------------------------------------------ */

/* A prefix named somewhere, and by whom: rule (>= 0) or set (-1 - id). */
struct aent {
	__u32 host[4]; /* host byte order, for sorting */
	__u8 len;
	int owner;
};

static int aent_cmp(const void *a, const void *b)
{
	const struct aent *x = a, *y = b;

	for (int i = 0; i < 4; i++)
		if (x->host[i] != y->host[i])
			return x->host[i] < y->host[i] ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/* Whether prefix (a, alen) holds prefix (p, plen): plen >= alen and the
 * first alen bits agree. */
struct addr_rules {
	__u64 *pos; /* per set id: rules that test it positively, W words each */
	__u64 *neg; /* negated */
	bool *used; /* per set id */
};

static int add_aent(struct aent **v, size_t *n, size_t *cap, const __u32 *addr, __u8 len, int owner)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct aent *nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	for (int i = 0; i < 4; i++)
		(*v)[*n].host[i] = ntohl(addr[i]);
	(*v)[*n].len = len;
	(*v)[*n].owner = owner;
	(*n)++;
	return 0;
}

static bool same_prefix(const struct aent *x, const struct aent *y)
{
	return x->len == y->len && !memcmp(x->host, y->host, sizeof(x->host));
}

/* What naming a prefix does to the rule vector of the addresses it holds:
 * a rule's own literal (lit: its field's match bit) or a set's rules. */
static void apply_owner(const struct build *b, const struct addr_rules *ar, __u32 lit, int owner,
                        __u64 *cur)
{
	if (owner >= 0) {
		const struct xdpfw_rule *r = &b->rs->rules[owner];

		fw_bit_set(cur, (__u32)owner, !(r->negate & lit));
		return;
	}
	owner = -1 - owner;
	for (unsigned int j = 0; j < b->words; j++) {
		cur[j] |= ar->pos[(size_t)owner * b->words + j];
		cur[j] &= ~ar->neg[(size_t)owner * b->words + j];
	}
}

static void choose_store(struct xdpfw_addr_shape *sh, __u32 n, bool v6)
{
	/* Array loads where IPv4 allows them (a few ns each); IPv6 by its
	 * lengths, a hash probe of two cache lines for each step. */
	if (n == 0)
		sh->store = XDPFW_STORE_NONE;
	else if (!v6 && n >= XDPFW_D16_MAX_PREFIXES)
		sh->store = XDPFW_STORE_DIR;
	else if (!v6)
		sh->store = XDPFW_STORE_D16;
	else
		sh->store = XDPFW_STORE_LPM;
}

struct slash24 {
	__u32 a;    /* address >> 8 */
	__u32 held; /* its addresses that a longer prefix holds */
};

static int by_held_desc(const void *x, const void *y)
{
	const struct slash24 *p = x, *q = y;

	return p->held != q->held ? (p->held > q->held ? -1 : 1) : (p->a > q->a) - (p->a < q->a);
}

static int by_a(const void *x, const void *y)
{
	const struct slash24 *p = x, *q = y;

	return (p->a > q->a) - (p->a < q->a);
}

/* Which /24s of a DIR store get a group: those where longer prefixes hold
 * the most addresses, as many as the limit allows. */
static int plan_dir(struct fw_cls *c, int fi)
{
	const struct fw_cls_prefix *p = c->prefixes[fi][0];
	__u32 n = c->nprefixes[fi][0], cnt = 0, top_end = 0;
	struct slash24 *v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (__u32 i = 0; i < n; i++) {
		__u32 h = ntohl(p[i].addr[0]);

		if (p[i].len <= 24)
			continue;
		if (cnt == 0 || v[cnt - 1].a != h >> 8) {
			v[cnt++] = (struct slash24){h >> 8, 0};
			top_end = 0;
		} else if (h <= top_end) {
			continue; /* inside the previous one: counted */
		}
		v[cnt - 1].held += 1u << (32 - p[i].len);
		top_end = h + (1u << (32 - p[i].len)) - 1;
	}
	if (cnt > fw_cls_dir_group_limit) {
		qsort(v, cnt, sizeof(*v), by_held_desc);
		c->dir[fi].nhashed = cnt - fw_cls_dir_group_limit;
		cnt = fw_cls_dir_group_limit;
		qsort(v, cnt, sizeof(*v), by_a);
	}
	c->dir[fi].grouped = malloc((cnt ? cnt : 1) * sizeof(__u32));
	if (!c->dir[fi].grouped) {
		free(v);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < cnt; i++)
		c->dir[fi].grouped[i] = v[i].a;
	c->dir[fi].ngroups = cnt;
	free(v);
	return 0;
}

static int build_addr(struct build *b, int fi, bool v6)
{
	const struct fw_ruleset *rs = b->rs;
	__u8 fam = v6 ? XDPFW_FAMILY_IPV6 : XDPFW_FAMILY_IPV4;
	__u32 lit = fi ? XDPFW_M_DADDR : XDPFW_M_SADDR;
	__u32 setbit = fi ? XDPFW_M_DADDR_SET : XDPFW_M_SADDR_SET;
	struct xdpfw_addr_shape *sh = &b->c->shape[fi][v6];
	struct addr_rules ar = {0};
	struct aent *ents = NULL;
	size_t nents = 0, cap = 0;
	__u64 *stack = NULL, *cur = NULL, *base = NULL;
	struct fw_cls_prefix *out = NULL;
	struct {
		__u32 host[4];
		__u8 len;
		__u32 id;
	} *frames = NULL;
	__u32 nout = 0, nsets = rs->naddr_sets, depth = 0;
	bool any = false;
	long miss;
	int err = -ENOMEM;

	ar.pos = calloc((size_t)(nsets ? nsets : 1) * b->words, sizeof(__u64));
	ar.neg = calloc((size_t)(nsets ? nsets : 1) * b->words, sizeof(__u64));
	ar.used = calloc(nsets ? nsets : 1, sizeof(bool));
	cur = malloc(b->words * sizeof(*cur));
	base = malloc(b->words * sizeof(*base));
	if (!ar.pos || !ar.neg || !ar.used || !cur || !base)
		goto out;

	/* The class of addresses no prefix holds: rules that do not test the
	 * field, and those that test it with != (nothing named holds it). */
	memcpy(cur, b->all, b->words * sizeof(*cur));
	for (__u32 i = 0; i < b->nrules; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];
		__u32 bit = r->match & (lit | setbit);

		if (!bit)
			continue;
		any = true;
		fw_bit_set(cur, i, r->negate & bit);
		if (r->match & setbit) {
			__u16 s = fi ? r->daddr_set : r->saddr_set;

			if (s >= nsets)
				continue;
			ar.used[s] = true;
			fw_bit_set(&((r->negate & setbit) ? ar.neg : ar.pos)[(size_t)s * b->words],
			           i, true);
		} else if (r->family == fam) {
			const struct xdpfw_prefix *p = fi ? &r->daddr : &r->saddr;

			if (add_aent(&ents, &nents, &cap, p->addr, fi ? r->daddr_len : r->saddr_len,
			             (int)i))
				goto out;
		}
	}
	miss = fw_cls_intern(b, cur);
	if (miss < 0) {
		err = (int)miss;
		goto out;
	}
	memcpy(base, cur, b->words * sizeof(*cur));
	sh->miss = (__u32)miss;
	if (!any) {
		err = 0;
		goto out;
	}
	for (__u32 i = 0; i < rs->naddrs; i++) {
		const struct xdpfw_set_entry *e = &rs->addrs[i];

		if (e->family != fam || e->set >= nsets || !ar.used[e->set])
			continue;
		if (add_aent(&ents, &nents, &cap, e->addr, e->len, -1 - (int)e->set))
			goto out;
	}
	/* ents is NULL when no set is used: qsort() wants a valid pointer even
	 * for 0 elements (C11 7.1.4), and 1 element is sorted anyway. */
	if (nents > 1)
		qsort(ents, nents, sizeof(*ents), aent_cmp);

	/* Walk the prefixes in address order: each one's class is that of the
	 * closest prefix holding it, changed by what names it. */
	out = malloc((nents ? nents : 1) * sizeof(*out));
	stack = malloc((size_t)130 * b->words * sizeof(__u64));
	frames = malloc(130 * sizeof(*frames));
	if (!out || !stack || !frames)
		goto out;
	for (size_t i = 0; i < nents;) {
		const struct aent *a = &ents[i];
		__u32 parent_id = (__u32)miss;
		__u64 *top;
		long id;

		while (depth > 0 && !fw_cls_holds(frames[depth - 1].host, frames[depth - 1].len,
		                                  a->host, a->len))
			depth--;
		if (depth > 0) {
			memcpy(cur, &stack[(size_t)(depth - 1) * b->words],
			       b->words * sizeof(*cur));
			parent_id = frames[depth - 1].id;
		} else {
			memcpy(cur, base, b->words * sizeof(*cur));
		}
		for (; i < nents && same_prefix(a, &ents[i]); i++)
			apply_owner(b, &ar, lit, ents[i].owner, cur);
		id = fw_cls_intern(b, cur);
		if (id < 0) {
			err = (int)id;
			goto out;
		}
		if (depth >= 130) {
			err = fw_cls_fail(b, -EINVAL, "prefix nesting deeper than 129");
			goto out;
		}
		top = &stack[(size_t)depth * b->words];
		memcpy(top, cur, b->words * sizeof(*cur));
		memcpy(frames[depth].host, a->host, sizeof(a->host));
		frames[depth].len = a->len;
		frames[depth].id = (__u32)id;
		depth++;
		if ((__u32)id == parent_id)
			continue; /* the enclosing prefix answers the same */
		for (int k = 0; k < 4; k++)
			out[nout].addr[k] = htonl(a->host[k]);
		out[nout].len = a->len;
		out[nout].id = (__u32)id;
		nout++;
	}
	choose_store(sh, nout, v6);
	b->c->prefixes[fi][v6] = out;
	b->c->nprefixes[fi][v6] = nout;
	out = NULL;
	err = sh->store == XDPFW_STORE_DIR ? plan_dir(b->c, fi) : 0;
out:
	if (err == -ENOMEM)
		fw_cls_fail(b, err, "out of memory building the classifier");
	free(ar.pos);
	free(ar.neg);
	free(ar.used);
	free(ents);
	free(stack);
	free(frames);
	free(cur);
	free(base);
	free(out);
	return err;
}

/* ---- the whole -------------------------------------------------------- */

/* XDPFW_CLS_SMALL: few rules, none limited (the bucket walk needs vectors). */
static bool small_set(const struct fw_ruleset *rs)
{
	if (rs->config.rule_count > XDPFW_SMALL_RULES)
		return false;
	for (__u32 i = 0; i < rs->config.rule_count; i++)
		if (rs->rules[i].flags & XDPFW_RULE_LIMIT)
			return false;
	return true;
}

/* Every class id in the tables and stores becomes its rule bitmap. Equal
 * ids are equal bitmaps and the other way round (vectors are interned), so
 * nothing else changes. */
static void to_bitmaps(struct build *b)
{
	struct fw_cls *c = b->c;

#define BITMAP(id) ((__u32)fw_vtab_vec(&b->vt, (id))[0])
	for (__u32 k = 0; k < XDPFW_CLS_BLOCKS; k++)
		for (int e = 0; e < 256; e++)
			c->blocks[k].id[e] = BITMAP(c->blocks[k].id[e]);
	for (int fi = 0; fi < 2; fi++) {
		for (int v6 = 0; v6 < 2; v6++) {
			c->shape[fi][v6].miss = BITMAP(c->shape[fi][v6].miss);
			for (__u32 i = 0; i < c->nprefixes[fi][v6]; i++)
				c->prefixes[fi][v6][i].id = BITMAP(c->prefixes[fi][v6][i].id);
		}
	}
#undef BITMAP
	c->small = true;
}

int fw_cls_build(const struct fw_ruleset *rs, struct fw_cls *c, char *err, size_t errlen)
{
	struct build b = {.rs = rs, .c = c, .err = err, .errlen = errlen};
	int ret = -ENOMEM;

	memset(c, 0, sizeof(*c));
	if (err && errlen)
		err[0] = '\0';
	b.nrules =
	    rs->config.rule_count < XDPFW_MAX_RULES ? rs->config.rule_count : XDPFW_MAX_RULES;
	b.words = b.nrules ? (b.nrules + 63) / 64 : 1;
	b.vt.words = b.words;
	b.all = calloc(b.words, sizeof(__u64));
	c->blocks = calloc(XDPFW_CLS_BLOCKS, sizeof(*c->blocks));
	if (!b.all || !c->blocks) {
		fw_cls_fail(&b, -ENOMEM, "out of memory building the classifier");
		goto out;
	}
	for (__u32 i = 0; i < b.nrules; i++)
		fw_bit_set(b.all, i, true);
	if (fw_cls_intern(&b, b.all) != 0) /* vector 0, the class of untested fields */
		goto out;
	ret = build_kind(&b);
	for (size_t i = 0; !ret && i < sizeof(table_fields) / sizeof(table_fields[0]); i++)
		ret = build_table(&b, &table_fields[i]);
	for (int fi = 0; !ret && fi < 2; fi++)
		ret = build_addr(&b, fi, false) ?: build_addr(&b, fi, true);
	if (!ret && small_set(rs))
		to_bitmaps(&b);
	else if (!ret)
		ret = fw_cls_xprod(&b);
	if (!ret) /* the class ids are final */
		ret = fw_cls_lpm_build(c, err, errlen);
out:
	free(b.all);
	fw_vtab_free(&b.vt);
	if (ret)
		fw_cls_free(c);
	return ret;
}

void fw_cls_free(struct fw_cls *c)
{
	free(c->blocks);
	for (int fi = 0; fi < 2; fi++) {
		for (int v6 = 0; v6 < 2; v6++)
			free(c->prefixes[fi][v6]);
		free(c->dir[fi].grouped);
	}
	free(c->lpm);
	free(c->rec);
	free(c->dir[0].spilled);
	free(c->dir[1].spilled);
	free(c->tab32);
	free(c->tab16);
	free(c->lvecs);
	free(c->cands);
	free(c->pairs);
	memset(c, 0, sizeof(*c));
}

void fw_cls_config(const struct fw_cls *c, struct xdpfw_config *cfg)
{
	cfg->cls_flags = c->small ? XDPFW_CLS_SMALL : 0;
	cfg->fields = c->fields;
	cfg->nclasses = c->ny;
	for (int f = 0; f < XDPFW_F_MAX; f++)
		cfg->nclasses += c->nclass[f];
	memcpy(cfg->addr, c->shape, sizeof(cfg->addr));
	cfg->plan = c->plan;
}

unsigned int fw_cls_dir_tables(const struct fw_cls *c)
{
	return (c->shape[0][0].store == XDPFW_STORE_DIR) +
	       (c->shape[1][0].store == XDPFW_STORE_DIR);
}

__u64 fw_cls_memory(const struct fw_cls *c, const struct fw_ruleset *rs)
{
	__u64 m = 0;

	m += (__u64)XDPFW_MAX_RULES * sizeof(struct xdpfw_rule);
	m += (__u64)XDPFW_CLS_BLOCKS * sizeof(struct xdpfw_cls_block);
	m += (__u64)c->ntab32 * sizeof(__u32) + (__u64)c->ntab16 * sizeof(__u16);
	m += (__u64)c->nlvecs * sizeof(struct xdpfw_vec);
	m += (__u64)c->ncands * sizeof(struct xdpfw_cand);
	m += (__u64)c->npairs * sizeof(struct xdpfw_pair_bucket);
	m += (__u64)c->nlpm * sizeof(struct xdpfw_lpm_bucket);
	m += (__u64)c->nrec * sizeof(struct xdpfw_rec24);
	m += (__u64)fw_cls_dir_tables(c) * XDPFW_DIR_MAP_BLOCKS * sizeof(struct xdpfw_dir_block);
	for (int fi = 0; fi < 2; fi++)
		if (c->shape[fi][0].store == XDPFW_STORE_D16)
			m += (__u64)XDPFW_D16_MAP_BLOCKS * sizeof(struct xdpfw_dir_block);
	m += (__u64)rs->naddrs * sizeof(struct xdpfw_set_entry);
	m += (__u64)rs->nports * sizeof(struct xdpfw_port_entry);
	return m;
}

bool fw_cls_dir_grouped(const struct fw_cls *c, int fi, __u32 a, __u32 *g)
{
	__u32 lo = 0, hi = c->dir[fi].ngroups;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;

		if (c->dir[fi].grouped[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (g)
		*g = lo;
	return lo < c->dir[fi].ngroups && c->dir[fi].grouped[lo] == a;
}

void fw_cls_dir_fill(const struct fw_cls *c, int fi, struct xdpfw_dir_block *dir,
                     struct xdpfw_dir_group *groups)
{
	const struct fw_cls_prefix *p = c->prefixes[fi][0];
	__u16 miss = (__u16)c->shape[fi][0].miss;
	__u16 *e = dir->id; /* the blocks are contiguous: one array of 2^24 */

	for (__u32 i = 0; i < (1u << 24); i++)
		e[i] = miss;
	/* A prefix comes before those it holds, so the longest one writes last. */
	for (__u32 i = 0; i < c->nprefixes[fi][0]; i++) {
		__u32 a = ntohl(p[i].addr[0]) >> 8;

		if (p[i].len <= 24) {
			__u32 n = 1u << (24 - p[i].len);

			for (__u32 k = 0; k < n; k++)
				e[a + k] = (__u16)p[i].id;
		}
	}
	/* A longer prefix: into its /24's group, as the /24 was before, or
	 * the /24 says its class and that the LPM store has the rest. */
	for (__u32 i = 0; i < c->nprefixes[fi][0]; i++) {
		__u32 h = ntohl(p[i].addr[0]), a = h >> 8, g;

		if (p[i].len <= 24)
			continue;
		if (!fw_cls_dir_grouped(c, fi, a, &g)) {
			if (!(e[a] & XDPFW_DIR_LONGER))
				e[a] = (__u16)(XDPFW_DIR_LONGER | XDPFW_DIR_HASHED | e[a]);
			continue;
		}
		if (!(e[a] & XDPFW_DIR_LONGER)) {
			for (int k = 0; k < 256; k++)
				groups[g].id[k] = e[a];
			e[a] = (__u16)(XDPFW_DIR_LONGER | g);
		}
		for (__u32 k = 0; k < 1u << (32 - p[i].len); k++)
			groups[g].id[(h & 0xff) + k] = (__u16)p[i].id;
	}
}

__u32 fw_cls_d16_fill(const struct fw_cls *c, int fi, struct xdpfw_dir_block *blocks)
{
	const struct fw_cls_prefix *p = c->prefixes[fi][0];
	struct xdpfw_dir_group *groups = (struct xdpfw_dir_group *)&blocks[XDPFW_D16_L1_BLOCKS];
	__u16 miss = (__u16)c->shape[fi][0].miss, *l1 = blocks->id; /* 2^16, contiguous */
	__u32 ng = 0;

	for (__u32 i = 0; i < (1u << 16); i++)
		l1[i] = miss;
	/* A prefix comes before those it holds, so the longest one writes last;
	 * an entry turns into a group, as it was, when a longer prefix needs it. */
	for (__u32 i = 0; i < c->nprefixes[fi][0] && ng + 2 <= XDPFW_D16_GROUPS; i++) {
		__u32 h = ntohl(p[i].addr[0]), len = p[i].len;
		__u16 *dst = l1, *e;
		__u32 at = h >> 16, span = len <= 16 ? 1u << (16 - len) : 0;

		if (len > 16) {
			e = &l1[h >> 16];
			if (!(*e & XDPFW_DIR_LONGER)) {
				for (int k = 0; k < 256; k++)
					groups[ng].id[k] = *e;
				*e = (__u16)(XDPFW_DIR_LONGER | ng++);
			}
			dst = groups[*e & XDPFW_DIR_ID_MASK].id;
			at = (h >> 8) & 0xff;
			span = len <= 24 ? 1u << (24 - len) : 0;
		}
		if (len > 24) {
			e = &dst[(h >> 8) & 0xff];
			if (!(*e & XDPFW_DIR_LONGER)) {
				for (int k = 0; k < 256; k++)
					groups[ng].id[k] = *e;
				*e = (__u16)(XDPFW_DIR_LONGER | ng++);
			}
			dst = groups[*e & XDPFW_DIR_ID_MASK].id;
			at = h & 0xff;
			span = 1u << (32 - len);
		}
		for (__u32 k = 0; k < span; k++)
			dst[at + k] = (__u16)p[i].id;
	}
	return XDPFW_D16_L1_BLOCKS + (ng + 1) / 2;
}

static __u32 table_class(const struct fw_cls *c, int field, __u32 base, __u32 v)
{
	if (!(c->fields & (1u << field)))
		return c->small ? ~0u : 0;
	return c->blocks[base + (v >> 8)].id[v & 0xff];
}

static __u32 addr_class(const struct fw_cls *c, int fi, const struct xdpfw_pkt *pkt, const __u32 *a)
{
	int v6 = pkt->family == XDPFW_FAMILY_IPV6;
	const struct fw_cls_prefix *p = c->prefixes[fi][v6];
	__u32 host[4], id = c->shape[fi][v6].miss;
	int best = -1;

	for (int k = 0; k < 4; k++)
		host[k] = ntohl(a[k]);
	for (__u32 i = 0; i < c->nprefixes[fi][v6]; i++) {
		__u32 ph[4];

		for (int k = 0; k < 4; k++)
			ph[k] = ntohl(p[i].addr[k]);
		if ((int)p[i].len > best && fw_cls_holds(ph, p[i].len, host, v6 ? 128 : 32)) {
			best = p[i].len;
			id = p[i].id;
		}
	}
	return id;
}

__u32 fw_cls_addr_class(const struct fw_cls *c, int fi, const struct xdpfw_pkt *pkt, const __u32 *a)
{
	return addr_class(c, fi, pkt, a);
}

/* Field f's class in partition p: through its record, or as it is. */
static __u32 part_class(const struct fw_cls *c, const __u32 *ids, int f, int p)
{
	const struct xdpfw_plan *pl = &c->plan;

	if (!(pl->records & (1u << f)))
		return ids[f];
	return c->tab32[pl->rec_off[f] + ((size_t)ids[f] << pl->rec_shift) + p];
}

/* The first unlimited rule of partition p that matches, or XDPFW_RULE_NONE. */
static __u32 part_rule(const struct fw_cls *c, const __u32 *ids, int p)
{
	const struct xdpfw_part *pt = &c->plan.part[p];
	__u32 y = 0, x = 0;
	bool first = true;

	for (int k = 0; k < XDPFW_CHAIN_MAX; k++) {
		int f = xdpfw_chain_field(k);
		__u32 cls;

		if (!(pt->fields & (1u << f)))
			continue;
		cls = part_class(c, ids, f, p);
		y = first ? cls : c->tab32[pt->chain_off[k] + (size_t)y * pt->chain_cols[k] + cls];
		first = false;
	}
	if (pt->shape == (XDPFW_PART_SA | XDPFW_PART_DA))
		x = c->tab32[pt->t_off + (size_t)part_class(c, ids, XDPFW_F_SADDR, p) * pt->t_cols +
		             part_class(c, ids, XDPFW_F_DADDR, p)];
	else if (pt->shape == XDPFW_PART_SA)
		x = part_class(c, ids, XDPFW_F_SADDR, p);
	else if (pt->shape == XDPFW_PART_DA)
		x = part_class(c, ids, XDPFW_F_DADDR, p);
	return c->tab16[pt->f_off + (size_t)x * pt->f_cols + y];
}

/* The first limited rule that matches, if before rule `best`, or best. */
static __u32 first_limited(const struct fw_cls *c, const __u32 *ids, __u32 best)
{
	const struct xdpfw_plan *pl = &c->plan;

	for (__u32 w = 0; w < XDPFW_VEC_WORDS; w++) {
		__u64 x = ~0ull;

		for (int f = 0; f < XDPFW_F_MAX; f++)
			if (pl->records & (1u << f))
				x &= c->lvecs[c->tab32[pl->rec_off[f] +
				                       ((size_t)ids[f] << pl->rec_shift) +
				                       pl->nparts]]
				         .w[w];
		if (x) {
			__u32 r = c->tab32[pl->lim_off + w * 64 + (__u32)__builtin_ctzll(x)];

			return r < best ? r : best;
		}
	}
	return best;
}

int fw_cls_lookup(const struct fw_cls *c, const struct xdpfw_pkt *pkt, __u32 rule_count)
{
	__u32 vlan = pkt->vlan_count ? pkt->vlan[0] & 0xfff : XDPFW_VLAN_NONE;
	__u32 ids[XDPFW_F_MAX] = {
	    table_class(c, XDPFW_F_KIND, XDPFW_CLS_BASE_KIND,
	                xdpfw_kind_key(pkt->family, pkt->proto, pkt->flags)),
	    table_class(c, XDPFW_F_SPORT, XDPFW_CLS_BASE_SPORT, pkt->sport),
	    table_class(c, XDPFW_F_DPORT, XDPFW_CLS_BASE_DPORT, pkt->dport),
	    table_class(c, XDPFW_F_LEN, XDPFW_CLS_BASE_LEN, pkt->ip_len),
	    table_class(c, XDPFW_F_TTL, XDPFW_CLS_BASE_TTL, pkt->ttl),
	    table_class(c, XDPFW_F_TCPFLAGS, XDPFW_CLS_BASE_TCPFLAGS, pkt->tcp_flags),
	    table_class(c, XDPFW_F_ICMPTYPE, XDPFW_CLS_BASE_ICMPTYPE, pkt->icmp_type),
	    table_class(c, XDPFW_F_VLAN, XDPFW_CLS_BASE_VLAN, vlan),
	    addr_class(c, 0, pkt, pkt->saddr),
	    addr_class(c, 1, pkt, pkt->daddr),
	};
	__u32 best = XDPFW_RULE_NONE;

	if (c->small) {
		__u32 x = (1u << (rule_count & 31)) - 1;

		for (int f = 0; f < XDPFW_F_MAX; f++)
			x &= ids[f];
		return x ? __builtin_ctz(x) : -1;
	}
	for (int p = 0; p < c->plan.nparts; p++) {
		__u32 r = part_rule(c, ids, p);

		if (r < best)
			best = r;
	}
	if (c->plan.lists.kinds) {
		__u32 r = fw_cls_lists_first(c, ids[XDPFW_F_SADDR], ids[XDPFW_F_DADDR], pkt);

		best = r < best ? r : best;
	}
	if (c->plan.nvector)
		best = first_limited(c, ids, best);
	return best < rule_count ? (int)best : -1;
}

/* Probes of a binary search over n lengths: floor(log2(n)) + 1. */
static unsigned int lpm_probes(unsigned int n)
{
	unsigned int k = 0;

	for (; n; n >>= 1)
		k++;
	return k;
}

/* Cache lines an address field's store reads at most: D16 three loads, DIR
 * two (or the /24's entry, its record's two buckets and its LPM search),
 * LPM two a probe. */
static unsigned int addr_reads(const struct fw_cls *c, int fi)
{
	unsigned int most = 0;

	for (int v6 = 0; v6 < 2; v6++) {
		const struct xdpfw_addr_shape *sh = &c->shape[fi][v6];
		unsigned int n = 2 * lpm_probes(sh->npages ? sh->nlens : 0);

		if (sh->store == XDPFW_STORE_D16)
			n = 3;
		else if (sh->store == XDPFW_STORE_DIR)
			n = 1 + (sh->nrec ? 2 : 0) + (n ? n : 1);
		most = n > most ? n : most;
	}
	return most;
}

unsigned int fw_cls_reads(const struct fw_cls *c)
{
	unsigned int n = 0;

	/* Phase 0: a table read a small field in use, and the stores. */
	for (int f = 0; f < XDPFW_F_TABLES; f++)
		n += !!(c->fields & (1u << f));
	n += addr_reads(c, 0) + addr_reads(c, 1);
	if (c->small)
		return n;
	/* The keyed lists: per kind its key (two buckets of the pair hash,
	 * a word) and its records, two a line. */
	for (int k = 0; k < XDPFW_LIST_KINDS; k++)
		if (c->plan.lists.kinds & (1u << k))
			n += (k == XDPFW_LIST_PAIR ? 2 : 1) + (c->plan.lists.maxlen[k] + 1u) / 2;
	/* The records, and per partition its chain, its pair and its rule. */
	n += (unsigned int)__builtin_popcount(c->plan.records);
	for (int p = 0; p < c->plan.nparts; p++) {
		const struct xdpfw_part *pt = &c->plan.part[p];
		int k = __builtin_popcount(pt->fields);

		n += (k > 1 ? (unsigned int)k - 1 : 0) + 1;
		n += pt->shape == (XDPFW_PART_SA | XDPFW_PART_DA);
	}
	return n;
}

static const char *const store_names[] = {
    [XDPFW_STORE_NONE] = "none",
    [XDPFW_STORE_DIR] = "array",
    [XDPFW_STORE_D16] = "small array",
    [XDPFW_STORE_LPM] = "hash by length",
};

int fw_cls_describe(const struct fw_cls *c, const struct fw_ruleset *rs, char *buf, size_t len)
{
	static const char *const field[2] = {"saddr", "daddr"};
	static const char *const fam[2] = {"ip", "ip6"};
	__u64 mem = fw_cls_memory(c, rs);
	size_t n = 0;

	n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
	                      "memory %.1f MiB a generation (a reload holds two); ",
	                      mem / 1048576.0);
	if (c->small)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
		                      "classes are rule bitmaps (small set)");
	else
		n += (size_t)snprintf(
		    buf + n, n < len ? len - n : 0,
		    "%u rule%s by keyed lists (%u by address pair, %u by source, %u by "
		    "destination), %u partition%s, %u classes crossed, at most %u table reads a "
		    "packet, %u rule%s by vectors",
		    c->nlisted[0] + c->nlisted[1] + c->nlisted[2],
		    c->nlisted[0] + c->nlisted[1] + c->nlisted[2] == 1 ? "" : "s", c->nlisted[0],
		    c->nlisted[1], c->nlisted[2], c->plan.nparts, c->plan.nparts == 1 ? "" : "s",
		    c->ny, fw_cls_reads(c), c->plan.nvector, c->plan.nvector == 1 ? "" : "s");
	for (int fi = 0; fi < 2; fi++) {
		for (int v6 = 0; v6 < 2; v6++) {
			const struct xdpfw_addr_shape *sh = &c->shape[fi][v6];

			if (sh->store == XDPFW_STORE_NONE)
				continue;
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
			                      "; %s %s: %s, %u prefix%s", fam[v6], field[fi],
			                      store_names[sh->store], c->nprefixes[fi][v6],
			                      c->nprefixes[fi][v6] == 1 ? "" : "es");
			if (sh->store == XDPFW_STORE_DIR)
				n += (size_t)snprintf(
				    buf + n, n < len ? len - n : 0,
				    " (%u /24 groups, %u /24 records, %u /24s by length)",
				    c->dir[fi].ngroups, c->dir[fi].nhashed - c->dir[fi].nspilled,
				    c->dir[fi].nspilled);
			if (sh->npages)
				n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
				                      " (%u length%s: %zu keys in %.1f MiB, %u "
				                      "probes at most, paged from "
				                      "/%u)",
				                      sh->nlens, sh->nlens == 1 ? "" : "s",
				                      c->nlpm_keys[fi][v6],
				                      sh->npages * 4096.0 / 1048576.0,
				                      lpm_probes(sh->nlens), sh->page_len);
		}
	}
	return (int)n;
}
