// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compile.c - see compile.h: statements in, the rule set image out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "file.h"
#include "parser.h"
#include "setfile.h"
#include "util.h"

static int cerr(struct fw_compiler *c, const struct fw_stmt *st, struct fw_pos pos, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

/* Report a fault in st; returns -EINVAL for the caller. */
static int cerr(struct fw_compiler *c, const struct fw_stmt *st, struct fw_pos pos, const char *fmt,
                ...)
{
	char msg[FW_DIAG_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fw_diag_report(c->diag, FW_DIAG_ERROR, pos.line, pos.col, st->src, st->src_len, "%s", msg);
	return -EINVAL;
}

void fw_compiler_init(struct fw_compiler *c, struct fw_ruleset *rs, struct fw_diag *diag,
                      const char *source)
{
	memset(c, 0, sizeof(*c));
	c->rs = rs;
	c->diag = diag;
	c->source = source;
}

static const char *family_label(uint8_t family)
{
	return family == XDPFW_FAMILY_IPV4 ? "IPv4" : "IPv6";
}

static void proto_label(uint8_t proto, char *buf, size_t size)
{
	const char *name = fw_proto_name(proto);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", proto);
}

static const char *match_word(enum fw_match_kind kind)
{
	switch (kind) {
	case FW_MATCH_FAMILY:
		return "family";
	case FW_MATCH_PROTO:
		return "protocol";
	case FW_MATCH_SADDR:
		return "saddr";
	case FW_MATCH_DADDR:
		return "daddr";
	case FW_MATCH_SPORT:
		return "sport";
	case FW_MATCH_DPORT:
		return "dport";
	case FW_MATCH_TCPFLAGS:
		return "flags";
	case FW_MATCH_ICMPTYPE:
		return "type";
	case FW_MATCH_VLAN:
		return "vlan";
	case FW_MATCH_FRAGMENT:
		return "fragment";
	case FW_MATCH_LEN:
		return "len";
	case FW_MATCH_TTL:
		return "ttl/hoplimit";
	case FW_MATCH_MAX:
		break;
	}
	return "match";
}

/* A match kind given a second time: a conflict if the values differ. */
static int check_repeat(struct fw_compiler *c, const struct fw_stmt *st,
                        const struct fw_ast_match *first, const struct fw_ast_match *m)
{
	char a[16], b[16];

	if (m->kind == FW_MATCH_FAMILY && m->family != first->family)
		return cerr(c, st, m->pos, "family %s conflicts with %s at column %u",
		            fw_family_word(m->family), fw_family_word(first->family),
		            first->pos.col);
	if (m->kind == FW_MATCH_PROTO && m->proto != first->proto) {
		proto_label(m->proto, a, sizeof(a));
		proto_label(first->proto, b, sizeof(b));
		return cerr(c, st, m->arg, "protocol %s conflicts with %s at column %u", a, b,
		            first->arg.col);
	}
	return cerr(c, st, m->pos, "duplicate %s (first at column %u)", match_word(m->kind),
	            first->pos.col);
}

/*
 * Every source of a family must agree: the ip/ip6 keyword, icmp/icmpv6, and
 * each address literal. The keyword is the reference when given, then the
 * protocol, then the first address; an address that disagrees is the one
 * blamed, because it is the likelier typo. Returns the family or -EINVAL.
 */
static int check_family(struct fw_compiler *c, const struct fw_stmt *st,
                        const struct fw_ast_match *seen[FW_MATCH_MAX])
{
	const struct fw_ast_match *kw = seen[FW_MATCH_FAMILY];
	const struct fw_ast_match *proto = seen[FW_MATCH_PROTO];
	const struct fw_ast_match *ttl = seen[FW_MATCH_TTL];
	const struct fw_ast_match *addrs[2] = {seen[FW_MATCH_SADDR], seen[FW_MATCH_DADDR]};
	uint8_t pfam = proto ? fw_proto_family(proto->proto) : XDPFW_FAMILY_NONE;
	uint8_t family = XDPFW_FAMILY_NONE;
	char ref_name[48];
	int r = 0, i;

	/* Addresses are checked in source order so the later one is blamed. */
	if (addrs[0] && addrs[1] && addrs[1]->arg.col < addrs[0]->arg.col) {
		addrs[0] = seen[FW_MATCH_DADDR];
		addrs[1] = seen[FW_MATCH_SADDR];
	}

	if (kw) {
		family = kw->family;
		snprintf(ref_name, sizeof(ref_name), "an %s rule", fw_family_word(family));
		if (pfam && pfam != family)
			r = cerr(c, st, proto->arg, "%s in an %s rule: use %s",
			         fw_proto_name(proto->proto), fw_family_word(family),
			         pfam == XDPFW_FAMILY_IPV4 ? "icmpv6" : "icmp");
	} else if (pfam) {
		family = pfam;
		snprintf(ref_name, sizeof(ref_name), "an %s rule", fw_proto_name(proto->proto));
	}

	/* ttl is IPv4's, hoplimit IPv6's: the same field by two names. */
	if (ttl) {
		const char *word = ttl->ttl_family == XDPFW_FAMILY_IPV4 ? "ttl" : "hoplimit";

		if (!family) {
			family = ttl->ttl_family;
			snprintf(ref_name, sizeof(ref_name), "a rule with %s", word);
		} else if (ttl->ttl_family != family) {
			r = cerr(c, st, ttl->pos, "%s in %s: use %s", word, ref_name,
			         family == XDPFW_FAMILY_IPV4 ? "ttl" : "hoplimit");
		}
	}

	for (i = 0; i < 2; i++) {
		const struct fw_ast_match *m = addrs[i];

		/* A set of both families (or none) implies neither. */
		if (!m || !m->addr.family)
			continue;
		if (!family) {
			family = m->addr.family;
			snprintf(ref_name, sizeof(ref_name), "a rule with an %s %s",
			         family_label(family), match_word(m->kind));
			continue;
		}
		if (m->addr.family != family)
			r = cerr(c, st, m->arg, "%s address in %s", family_label(m->addr.family),
			         ref_name);
	}
	return r ? r : family;
}

/* Ports exist only in the TCP and UDP headers the data plane reads. */
static int check_ports(struct fw_compiler *c, const struct fw_stmt *st,
                       const struct fw_ast_match *seen[FW_MATCH_MAX])
{
	const struct fw_ast_match *proto = seen[FW_MATCH_PROTO];
	const struct fw_ast_match *port = seen[FW_MATCH_SPORT];
	const struct fw_ast_match *dport = seen[FW_MATCH_DPORT];
	char name[16];

	if (!port || (dport && dport->pos.col < port->pos.col))
		port = dport;
	if (!port)
		return 0;
	if (!proto)
		return cerr(c, st, port->pos, "%s needs tcp or udp", match_word(port->kind));
	if (proto->proto != FW_PROTO_TCP && proto->proto != FW_PROTO_UDP) {
		proto_label(proto->proto, name, sizeof(name));
		return cerr(c, st, port->pos, "%s needs tcp or udp, not %s", match_word(port->kind),
		            name);
	}
	return 0;
}

/*
 * tcp flags need tcp; an ICMP type needs icmp or icmpv6, and a type name
 * must exist for that one (nd-neighbor-solicit is ICMPv6's only).
 */
static int check_l4_fields(struct fw_compiler *c, const struct fw_stmt *st,
                           const struct fw_ast_match *seen[FW_MATCH_MAX], int *icmp_type)
{
	const struct fw_ast_match *proto = seen[FW_MATCH_PROTO];
	const struct fw_ast_match *flags = seen[FW_MATCH_TCPFLAGS];
	const struct fw_ast_match *type = seen[FW_MATCH_ICMPTYPE];
	int r = 0;

	if (flags && (!proto || proto->proto != FW_PROTO_TCP))
		r = cerr(c, st, flags->pos, "flags needs tcp");
	if (!type)
		return r;
	if (!proto || (proto->proto != FW_PROTO_ICMP && proto->proto != FW_PROTO_ICMPV6))
		return cerr(c, st, type->pos, "type needs icmp or icmpv6");
	*icmp_type = proto->proto == FW_PROTO_ICMP ? type->icmp.v4 : type->icmp.v6;
	if (*icmp_type < 0)
		r = cerr(c, st, type->arg, "no such %s type; it is an %s type",
		         fw_proto_name(proto->proto),
		         proto->proto == FW_PROTO_ICMP ? "icmpv6" : "icmp");
	return r;
}

/* addr keeps only the prefix bits, so the data plane can compare
 * (packet & mask) == addr without masking the rule again. */
static void set_prefix(struct xdpfw_prefix *p, const struct fw_ast_prefix *a)
{
	fw_prefix_mask(a->len, p->mask);
	fw_prefix_clear_host(a->addr, a->len, p->addr);
}

/* ------------------------------------------------------------------------ */
/* Sets                                                                       */

static struct fw_set_info *set_find(const struct fw_ruleset *rs, const char *name)
{
	for (__u32 i = 0; i < rs->nsets; i++)
		if (rs->sets[i].name[0] && !strcmp(rs->sets[i].name, name))
			return &rs->sets[i];
	return NULL;
}

/* Report a fault at a set member: its own line (a list may span lines, a
 * set file is another file). Returns -EINVAL. */
static int elem_err(struct fw_compiler *c, const struct fw_stmt *st, const struct fw_ast_elem *e,
                    const char *msg)
{
	fw_diag_report(c->diag, FW_DIAG_ERROR, e->pos.line, e->pos.col, e->src ? e->src : st->src,
	               e->src ? e->src_len : st->src_len, "%s", msg);
	return -EINVAL;
}

/*
 * Give a set its kind and the next id of that kind. Ids are handed out in
 * the order sets get members, so the members of every set stay grouped by
 * id in ascending order (ruleset.h).
 */
static int set_bind(struct fw_compiler *c, const struct fw_stmt *st, struct fw_pos pos,
                    struct fw_set_info *info, enum fw_set_kind kind)
{
	struct fw_ruleset *rs = c->rs;
	__u32 *n = kind == FW_SET_ADDR ? &rs->naddr_sets : &rs->nport_sets;
	unsigned int max = kind == FW_SET_ADDR ? XDPFW_MAX_ADDR_SETS : XDPFW_MAX_PORT_SETS;

	if (*n >= max)
		return cerr(c, st, pos, "too many %s sets and lists: the limit is %u",
		            kind == FW_SET_ADDR ? "address" : "port", max);
	info->kind = kind;
	info->id = (__u16)(*n)++;
	return 0;
}

/* A new set; NULL when out of memory. */
static struct fw_set_info *set_new(struct fw_ruleset *rs, const char *name, unsigned int line)
{
	struct fw_set_info *v;

	if (FW_GROW(rs->sets, rs->sets_cap, rs->nsets, 16))
		return NULL;
	v = &rs->sets[rs->nsets++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->line = line;
	return v;
}

static int set_add_addr(struct fw_compiler *c, const struct fw_stmt *st,
                        const struct fw_ast_elem *m, struct fw_set_info *info)
{
	struct fw_ruleset *rs = c->rs;
	struct xdpfw_set_entry *e;
	char msg[64];

	if (rs->naddrs >= XDPFW_MAX_SET_ADDRS) {
		snprintf(msg, sizeof(msg), "sets hold more than %u prefixes in all",
		         XDPFW_MAX_SET_ADDRS);
		return elem_err(c, st, m, msg);
	}
	if (fw_ruleset_grow_addrs(rs))
		return -ENOMEM;
	e = &rs->addrs[rs->naddrs++];
	memset(e, 0, sizeof(*e));
	e->set = info->id;
	e->family = m->addr.family;
	e->len = m->addr.len;
	fw_prefix_clear_host(m->addr.addr, m->addr.len, e->addr);
	info->families |= m->addr.family == XDPFW_FAMILY_IPV4 ? 1 : 2;
	return 0;
}

static int set_add_ports(struct fw_ruleset *rs, const struct fw_ast_elem *m,
                         const struct fw_set_info *info)
{
	if (fw_ruleset_grow_ports(rs))
		return -ENOMEM;
	rs->ports[rs->nports++] = (struct xdpfw_port_entry){
	    .set = info->id,
	    .lo = m->lo,
	    .hi = m->hi,
	};
	return 0;
}

/*
 * Fill a set just bound from its members, which must all be of its kind.
 * A port set keeps its ranges normalized (sorted, merged), so that the
 * order they were written in changes neither the image nor its digest.
 */
static int set_fill(struct fw_compiler *c, const struct fw_stmt *st, struct fw_set_info *info,
                    const struct fw_ast_list *l)
{
	struct fw_ruleset *rs = c->rs;
	__u32 first = rs->nports;
	int r = 0;

	for (size_t i = 0; !r && i < l->n; i++) {
		const struct fw_ast_elem *e = &l->v[i];

		if (e->is_addr != (info->kind == FW_SET_ADDR))
			return elem_err(c, st, e, "a set holds addresses or ports, not both");
		r = e->is_addr ? set_add_addr(c, st, e, info) : set_add_ports(rs, e, info);
		info->count += !r;
	}
	if (info->kind == FW_SET_PORT)
		rs->nports =
		    first + (__u32)fw_ranges_normalize(&rs->ports[first], rs->nports - first);
	return r;
}

/* The set file's path, malloc'ed: as written when absolute, else next to
 * the rule file. NULL when out of memory. */
static char *set_file_path(const struct fw_compiler *c, const char *file)
{
	const char *slash = c->source ? strrchr(c->source, '/') : NULL;
	char *path;

	if (file[0] == '/' || !slash)
		return strdup(file);
	if (asprintf(&path, "%.*s/%s", (int)(slash - c->source), c->source, file) < 0)
		return NULL;
	return path;
}

/*
 * A set's members from its file, into l; the text stays in *text (the
 * members point into it) for the caller to free. Faults are reported
 * against the set file, with its line and column.
 */
static int read_set_file(struct fw_compiler *c, const struct fw_stmt *st, struct fw_ast_list *l,
                         char **text, char **pathp)
{
	size_t len = 0;
	int r;

	*pathp = set_file_path(c, st->set_file);
	if (!*pathp)
		return -ENOMEM;
	r = fw_file_read(*pathp, 0, text, &len);
	if (r == -ENOMEM)
		return r;
	if (r)
		return cerr(c, st, st->set_file_pos, "cannot read set file %s: %s", *pathp,
		            fw_file_strerror(r));
	return fw_setfile_parse(*pathp, *text, len, l, c->diag);
}

/* Fill the set of a set statement from its list or its file. */
static int set_define(struct fw_compiler *c, const struct fw_stmt *st, struct fw_set_info *info)
{
	const char *saved = c->diag->file;
	const struct fw_ast_list *l = &st->set;
	struct fw_ast_list file = {0};
	char *text = NULL, *path = NULL;
	int r = 0;

	if (st->set_file) {
		r = read_set_file(c, st, &file, &text, &path);
		l = &file;
	}
	if (!r && !l->n) {
		fw_diag_report(c->diag, FW_DIAG_WARNING, st->name_pos.line, st->name_pos.col,
		               st->src, st->src_len,
		               "set %s is empty: rules using it never match (with !=, always)",
		               st->name);
		/* An address set until a port match uses it (no member says
		 * otherwise); an id now keeps ids in definition order. */
		r = set_bind(c, st, st->name_pos, info, FW_SET_ADDR);
	} else if (!r) {
		r = set_bind(c, st, st->name_pos, info,
		             l->v[0].is_addr ? FW_SET_ADDR : FW_SET_PORT);
		/* A member's fault points into the file that holds it. */
		if (path)
			c->diag->file = path;
		if (!r)
			r = set_fill(c, st, info, l);
		c->diag->file = saved;
	}
	free(file.v);
	free(text);
	free(path);
	return r;
}

static int compile_set(struct fw_compiler *c, const struct fw_stmt *st)
{
	const struct fw_set_info *old = set_find(c->rs, st->name);
	struct fw_set_info *info;

	if (old)
		return cerr(c, st, st->name_pos, "set %s already defined on line %u", st->name,
		            old->line);
	/* Defined even when its members are bad: rules using it should not
	 * add "no such set" to the one fault already reported. */
	info = set_new(c->rs, st->name, st->pos.line);
	if (!info)
		return -ENOMEM;
	if (st->broken)
		return -EINVAL; /* reported by the parser */
	return set_define(c, st, info);
}

/* What an address or port match of a rule refers to once sets are resolved. */
struct resolved {
	bool is_set;
	__u16 id;
	__u8 families; /* of an address set */
};

/* Resolve a list or @name of match m into a set of the kind it needs. */
static int resolve_set(struct fw_compiler *c, const struct fw_stmt *st,
                       const struct fw_ast_match *m, struct resolved *out)
{
	enum fw_set_kind kind =
	    (m->kind == FW_MATCH_SADDR || m->kind == FW_MATCH_DADDR) ? FW_SET_ADDR : FW_SET_PORT;
	struct fw_set_info *info;
	int r;

	if (m->setref[0]) {
		info = set_find(c->rs, m->setref);
		if (!info)
			return cerr(c, st, m->arg, "no set @%s; define it above: set %s = { ... }",
			            m->setref, m->setref);
		/* An empty set takes the kind of its use. */
		if ((info->kind == FW_SET_UNKNOWN || (!info->count && info->kind != kind)) &&
		    (r = set_bind(c, st, m->arg, info, kind)))
			return r;
		if (info->kind != kind)
			return cerr(c, st, m->arg, "@%s is %s set; %s needs %s", m->setref,
			            info->kind == FW_SET_ADDR ? "an address" : "a port",
			            kind == FW_SET_ADDR ? "an address match" : "a port match",
			            kind == FW_SET_ADDR ? "addresses" : "ports");
	} else {
		info = set_new(c->rs, "", st->pos.line);
		if (!info)
			return -ENOMEM;
		r = set_bind(c, st, m->arg, info, kind);
		if (!r)
			r = set_fill(c, st, info, &m->list);
		if (r)
			return r;
		if (!m->list.n)
			fw_diag_report(c->diag, FW_DIAG_WARNING, m->arg.line, m->arg.col, st->src,
			               st->src_len,
			               "empty list: the match never holds (with !=, always)");
	}
	out->is_set = true;
	out->id = info->id;
	out->families = info->families;
	return 0;
}

/* The address and port matches: a set by id, or the one value. */
static void lower_values(const struct fw_ast_match *seen[FW_MATCH_MAX],
                         const struct resolved res[FW_MATCH_MAX], struct xdpfw_rule *r)
{
	static const uint32_t bit[FW_MATCH_MAX] = {
	    [FW_MATCH_SADDR] = XDPFW_M_SADDR,
	    [FW_MATCH_DADDR] = XDPFW_M_DADDR,
	    [FW_MATCH_SPORT] = XDPFW_M_SPORT,
	    [FW_MATCH_DPORT] = XDPFW_M_DPORT,
	};
	static const uint32_t set_bit[FW_MATCH_MAX] = {
	    [FW_MATCH_SADDR] = XDPFW_M_SADDR_SET,
	    [FW_MATCH_DADDR] = XDPFW_M_DADDR_SET,
	    [FW_MATCH_SPORT] = XDPFW_M_SPORT_SET,
	    [FW_MATCH_DPORT] = XDPFW_M_DPORT_SET,
	};
	__u16 *set_field[FW_MATCH_MAX] = {
	    [FW_MATCH_SADDR] = &r->saddr_set,
	    [FW_MATCH_DADDR] = &r->daddr_set,
	    [FW_MATCH_SPORT] = &r->sport_set,
	    [FW_MATCH_DPORT] = &r->dport_set,
	};
	struct xdpfw_prefix *pfx[FW_MATCH_MAX] = {
	    [FW_MATCH_SADDR] = &r->saddr, [FW_MATCH_DADDR] = &r->daddr};
	__u8 *plen[FW_MATCH_MAX] = {
	    [FW_MATCH_SADDR] = &r->saddr_len, [FW_MATCH_DADDR] = &r->daddr_len};
	__u16 *lo[FW_MATCH_MAX] = {
	    [FW_MATCH_SPORT] = &r->sport_lo, [FW_MATCH_DPORT] = &r->dport_lo};
	__u16 *hi[FW_MATCH_MAX] = {
	    [FW_MATCH_SPORT] = &r->sport_hi, [FW_MATCH_DPORT] = &r->dport_hi};

	for (int k = FW_MATCH_SADDR; k <= FW_MATCH_DPORT; k++) {
		const struct fw_ast_match *m = seen[k];
		__u32 b = res[k].is_set ? set_bit[k] : bit[k];

		if (!m)
			continue;
		r->match |= b;
		if (m->negate)
			r->negate |= b;
		if (res[k].is_set) {
			*set_field[k] = res[k].id;
		} else if (pfx[k]) {
			*plen[k] = m->addr.len;
			set_prefix(pfx[k], &m->addr);
		} else {
			*lo[k] = m->port.lo;
			*hi[k] = m->port.hi;
		}
	}
}

/* The other matches: each a field of its own. */
static void lower_scalars(const struct fw_ast_match *seen[FW_MATCH_MAX], int icmp_type,
                          struct xdpfw_rule *r)
{
	const struct fw_ast_match *m;

	if ((m = seen[FW_MATCH_PROTO])) {
		r->match |= XDPFW_M_PROTO;
		r->proto = m->proto;
	}
	if ((m = seen[FW_MATCH_TCPFLAGS])) {
		r->match |= XDPFW_M_TCPFLAGS;
		r->tcp_flags_mask = m->tcp.mask;
		r->tcp_flags_value = m->tcp.value;
	}
	if (seen[FW_MATCH_ICMPTYPE]) {
		r->match |= XDPFW_M_ICMPTYPE;
		r->icmp_type = (uint8_t)icmp_type;
	}
	if ((m = seen[FW_MATCH_VLAN])) {
		r->match |= XDPFW_M_VLAN;
		r->vlan = m->port.lo;
	}
	if (seen[FW_MATCH_FRAGMENT])
		r->match |= XDPFW_M_FRAGMENT;
	if ((m = seen[FW_MATCH_LEN])) {
		r->match |= XDPFW_M_LEN;
		r->len_lo = m->port.lo;
		r->len_hi = m->port.hi;
	}
	if ((m = seen[FW_MATCH_TTL])) {
		r->match |= XDPFW_M_TTL;
		r->ttl_lo = (uint8_t)m->port.lo;
		r->ttl_hi = (uint8_t)m->port.hi;
	}
}

static void lower_rule(const struct fw_stmt *st, const struct fw_ast_match *seen[FW_MATCH_MAX],
                       const struct resolved res[FW_MATCH_MAX], uint8_t family, int icmp_type,
                       struct xdpfw_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->action = st->action;
	r->line = st->pos.line;
	memcpy(r->name, st->name, sizeof(r->name));
	if (st->log)
		r->flags |= XDPFW_RULE_LOG;
	if (family) {
		r->match |= XDPFW_M_FAMILY;
		r->family = family;
	}
	lower_scalars(seen, icmp_type, r);
	lower_values(seen, res, r);
}

/*
 * limit over ...: the prefix lengths of `per saddr` against the rule's family,
 * then rate and burst against what a bucket can time (xdpfw_limit_params()).
 * One /LEN is the prefix of the rule's family; a rule of both families needs
 * none (hosts) or both, IPv4's first.
 */
static int check_limit(struct fw_compiler *c, const struct fw_stmt *st, int family,
                       struct xdpfw_limit *out)
{
	const struct fw_ast_limit *l = &st->limit;
	struct xdpfw_limit lim;
	uint64_t burst = l->burst;

	memset(&lim, 0, sizeof(lim));
	if (!burst)
		burst = xdpfw_limit_default_burst(l->rate, l->period, l->bytes);
	if (l->per_pos.line) {
		lim.flags = XDPFW_LIMIT_PER_SOURCE;
		lim.prefix4 = 32;
		lim.prefix6 = 128;
		if (l->nlens == 1 && family == XDPFW_FAMILY_IPV4) {
			if (l->len[0] > 32)
				return cerr(c, st, l->len_pos[0],
				            "prefix length %u out of range for IPv4 (1-32)",
				            l->len[0]);
			lim.prefix4 = l->len[0];
		} else if (l->nlens == 1 && family == XDPFW_FAMILY_IPV6) {
			lim.prefix6 = l->len[0];
		} else if (l->nlens == 1) {
			return cerr(c, st, l->len_pos[0],
			            "one prefix length in a rule for IPv4 and IPv6: add ip or ip6, "
			            "or give both, as in per saddr/24/64");
		} else if (l->nlens == 2 && family) {
			return cerr(c, st, l->len_pos[1],
			            "two prefix lengths in an %s-only rule: give one",
			            family_label((uint8_t)family));
		} else if (l->nlens == 2) {
			lim.prefix4 = l->len[0];
			lim.prefix6 = l->len[1];
		}
	}
	switch (xdpfw_limit_params(&lim, l->rate, l->period, l->bytes, burst)) {
	case XDPFW_LIMIT_OK:
		break;
	case XDPFW_LIMIT_ERR_TOO_FAST:
		if (l->bytes)
			return cerr(c, st, l->rate_pos,
			            "rate too high: the limiter times at most %llugbit/s",
			            XDPFW_LIMIT_RATE_MAX * 8 / 1000000000);
		return cerr(c, st, l->rate_pos, "rate too high: the limiter times at most %llug/s",
		            XDPFW_LIMIT_RATE_MAX / 1000000000);
	case XDPFW_LIMIT_ERR_TOO_SLOW:
		return cerr(c, st, l->rate_pos,
		            "rate too low: one %u-byte packet at this rate takes more than %d days",
		            XDPFW_LIMIT_MAX_LEN, XDPFW_LIMIT_SPAN_DAYS);
	case XDPFW_LIMIT_ERR_SPAN:
		if (l->burst)
			return cerr(
			    c, st, l->burst_pos,
			    "burst too large for the rate: it takes more than %d days to earn",
			    XDPFW_LIMIT_SPAN_DAYS);
		return cerr(
		    c, st, l->rate_pos,
		    "rate too low: its default burst of %llu %s takes more than %d days to earn",
		    (unsigned long long)burst, l->bytes ? "bytes" : "packets",
		    XDPFW_LIMIT_SPAN_DAYS);
	default: /* rate and burst 0: refused by the parser */
		return cerr(c, st, l->rate_pos, "rate and burst must be at least 1");
	}
	lim.tag = xdpfw_limit_tag(&lim);
	*out = lim;
	return 0;
}

/*
 * Every match kind once (a repeat is a conflict or a duplicate), and the
 * lists and @sets resolved: their families stand in for an address's.
 * Fills seen[] and res[]; copies[] holds the address matches of sets.
 * Returns 0, -EINVAL after reporting, or -ENOMEM.
 */
static int rule_matches(struct fw_compiler *c, const struct fw_stmt *st,
                        const struct fw_ast_match *seen[FW_MATCH_MAX],
                        struct resolved res[FW_MATCH_MAX], struct fw_ast_match copies[2])
{
	int r = 0;

	for (size_t i = 0; i < st->nmatches; i++) {
		const struct fw_ast_match *m = &st->matches[i];

		if (seen[m->kind])
			r = check_repeat(c, st, seen[m->kind], m);
		else
			seen[m->kind] = m;
	}
	for (int k = FW_MATCH_SADDR; k <= FW_MATCH_DPORT; k++) {
		const struct fw_ast_match *m = seen[k];
		int rr;

		if (!m || (!m->is_list && !m->setref[0]))
			continue;
		rr = resolve_set(c, st, m, &res[k]);
		if (rr == -ENOMEM)
			return rr;
		if (rr) {
			r = rr;
			continue;
		}
		if (k == FW_MATCH_SADDR || k == FW_MATCH_DADDR) {
			copies[k - FW_MATCH_SADDR] = *m;
			copies[k - FW_MATCH_SADDR].addr.family =
			    res[k].families == 1   ? XDPFW_FAMILY_IPV4
			    : res[k].families == 2 ? XDPFW_FAMILY_IPV6
			                           : XDPFW_FAMILY_NONE;
			seen[k] = &copies[k - FW_MATCH_SADDR];
		}
	}
	return r;
}

/* Where rule st stands in the source the parser read (rs->source). */
static struct fw_src src_of(const struct fw_ruleset *rs, const struct fw_stmt *st,
                            struct fw_pos pos)
{
	struct fw_src s = {.pos = pos};

	if (rs->source && st->src >= rs->source &&
	    st->src + st->src_len <= rs->source + rs->source_len) {
		s.off = (__u32)(st->src - rs->source);
		s.len = (__u32)st->src_len;
	}
	return s;
}

static int compile_rule(struct fw_compiler *c, const struct fw_stmt *st)
{
	const struct fw_ast_match *seen[FW_MATCH_MAX] = {0};
	struct resolved res[FW_MATCH_MAX] = {0};
	struct fw_ruleset *rs = c->rs;
	struct fw_ast_match copies[2];
	int r, family, icmp_type = 0;
	struct xdpfw_limit limit;
	struct xdpfw_rule *out;

	r = rule_matches(c, st, seen, res, copies);
	if (r == -ENOMEM)
		return r;
	family = check_family(c, st, seen);
	if (family < 0)
		r = family;
	if (check_ports(c, st, seen))
		r = -EINVAL;
	if (check_l4_fields(c, st, seen, &icmp_type))
		r = -EINVAL;
	/* Prefix lengths depend on the family: only once that is sound. */
	if (!r && st->limit.pos.line && check_limit(c, st, family, &limit))
		r = -EINVAL;

	/* Reported once: every rule past the limit is the same fault. */
	if (c->rules_seen++ == XDPFW_MAX_RULES)
		r = cerr(c, st, st->pos, "too many rules: the limit is %d", XDPFW_MAX_RULES);
	if (r || c->rules_seen > XDPFW_MAX_RULES)
		return -EINVAL;

	if (fw_ruleset_grow_rules(rs))
		return -ENOMEM;
	out = &rs->rules[rs->config.rule_count];
	lower_rule(st, seen, res, (uint8_t)family, icmp_type, out);
	if (st->limit.pos.line) {
		out->flags |= XDPFW_RULE_LIMIT;
		out->limit = limit;
		rs->config.limit.rules++;
	}
	/* A fresh set counts rule i in slot i; a reload reassigns slots. */
	out->counter = rs->config.rule_count;
	if (rs->rule_src)
		rs->rule_src[rs->config.rule_count] = (struct fw_rule_src){
		    .verb = src_of(rs, st, st->pos),
		    .name = src_of(rs, st, st->name[0] ? st->name_pos : st->pos),
		};
	rs->config.rule_count++;
	return 0;
}

static int compile_setting(struct fw_compiler *c, const struct fw_stmt *st)
{
	unsigned int *line = &c->setting_line[st->setting];
	struct xdpfw_config *cfg = &c->rs->config;

	if (*line)
		return cerr(c, st, st->pos, "%s already set on line %u",
		            fw_setting_name(st->setting), *line);
	*line = st->pos.line;
	c->rs->setting_src[st->setting] = src_of(c->rs, st, st->pos);
	switch (st->setting) {
	case FW_SETTING_POLICY:
		cfg->policy = st->action;
		break;
	case FW_SETTING_NONIP:
		cfg->nonip = st->action;
		break;
	case FW_SETTING_MALFORMED:
		cfg->malformed = st->action;
		break;
	case FW_SETTING_LIMIT_SOURCES:
		cfg->limit.sources = st->value;
		break;
	case FW_SETTING_LIMIT_FULL:
		cfg->limit.full = (__u8)st->value;
		break;
	case FW_SETTING_MAX:
		break;
	}
	return 0;
}

int fw_compile_stmt(struct fw_compiler *c, const struct fw_stmt *st)
{
	if (st->kind == FW_STMT_SETTING)
		return compile_setting(c, st);
	if (st->kind == FW_STMT_SET)
		return compile_set(c, st);
	return compile_rule(c, st);
}

int fw_compiler_finish(struct fw_compiler *c)
{
	struct fw_ruleset *rs = c->rs;
	int r = fw_ruleset_index_sets(rs);

	/* Ids are bound in member order (set_bind), so the index cannot find
	 * them out of order: that would be a bug here, not in the rules. */
	if (r == -EINVAL)
		return fw_diag_fail(c->diag, -EPROTO, "internal error: set members out of order");
	if (r)
		return r;
	rs->config.digest = fw_ruleset_digest(rs);
	return 0;
}
