// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compile.c - see compile.h; also the ruleset.h entry points that run the
 * whole pipeline, and the printer of compiled rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cls.h"
#include "compile.h"
#include "parser.h"

/* Protocol numbers (IANA) that the compiler gives a meaning to. */
#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* A rule file is text written by people; anything this big is a mistake
 * (a device, a log file) that would otherwise be read into memory whole. */
#define FW_RULE_FILE_MAX (64u << 20)

/* FNV-1a 64-bit parameters, from the FNV reference (draft-eastlake-fnv). */
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME  0x100000001b3ull

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

void fw_ruleset_free(struct fw_ruleset *rs)
{
	fw_ruleset_drop_cls(rs);
	free(rs->addrs);
	free(rs->port_sets);
	free(rs->sets);
	rs->addrs = NULL;
	rs->port_sets = NULL;
	rs->sets = NULL;
	rs->naddrs = rs->addrs_cap = rs->nport_sets = rs->naddr_sets = 0;
	rs->nsets = rs->sets_cap = 0;
}

void fw_compiler_init(struct fw_compiler *c, struct fw_ruleset *rs, struct fw_diag *diag)
{
	memset(c, 0, sizeof(*c));
	c->rs = rs;
	c->diag = diag;
	fw_ruleset_free(rs);
	memset(rs, 0, sizeof(*rs));
	rs->config.policy = XDPFW_ACT_PASS;
	rs->config.nonip = XDPFW_ACT_PASS;
	/* A frame the program cannot parse cannot be classified either;
	 * letting it through would let it bypass every rule. */
	rs->config.malformed = XDPFW_ACT_DROP;
	rs->config.limit.sources = XDPFW_LIMIT_SOURCES_DEFAULT;
	/* A packet whose source gets no bucket counts as over its limit:
	 * a flood must not find a way around the limit in a full table. */
	rs->config.limit.full = XDPFW_LIMIT_FULL_OVER;
}

static const char *family_word(uint8_t family)
{
	return family == XDPFW_FAMILY_IPV4 ? "ip" : "ip6";
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

/* The family a protocol only exists in, as nft's icmp/icmpv6 imply. */
static uint8_t proto_family(uint8_t proto)
{
	if (proto == PROTO_ICMP)
		return XDPFW_FAMILY_IPV4;
	if (proto == PROTO_ICMPV6)
		return XDPFW_FAMILY_IPV6;
	return XDPFW_FAMILY_NONE;
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
		            family_word(m->family), family_word(first->family), first->pos.col);
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
	uint8_t pfam = proto ? proto_family(proto->proto) : XDPFW_FAMILY_NONE;
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
		snprintf(ref_name, sizeof(ref_name), "an %s rule", family_word(family));
		if (pfam && pfam != family)
			r = cerr(c, st, proto->arg, "%s in an %s rule: use %s",
			         fw_proto_name(proto->proto), family_word(family),
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
	if (proto->proto != PROTO_TCP && proto->proto != PROTO_UDP) {
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

	if (flags && (!proto || proto->proto != PROTO_TCP))
		r = cerr(c, st, flags->pos, "flags needs tcp");
	if (!type)
		return r;
	if (!proto || (proto->proto != PROTO_ICMP && proto->proto != PROTO_ICMPV6))
		return cerr(c, st, type->pos, "type needs icmp or icmpv6");
	*icmp_type = proto->proto == PROTO_ICMP ? type->icmp.v4 : type->icmp.v6;
	if (*icmp_type < 0)
		r = cerr(c, st, type->arg, "no such %s type; it is an %s type",
		         fw_proto_name(proto->proto),
		         proto->proto == PROTO_ICMP ? "icmpv6" : "icmp");
	return r;
}

/* addr keeps only the prefix bits, so the data plane can compare
 * (packet & mask) == addr without masking the rule again. */
static void set_prefix(struct xdpfw_prefix *p, const struct fw_ast_prefix *a)
{
	int words = a->family == XDPFW_FAMILY_IPV4 ? 1 : 4, i;

	for (i = 0; i < words; i++) {
		int bits = (int)a->len - 32 * i;
		uint32_t mask;

		if (bits <= 0)
			mask = 0;
		else if (bits >= 32)
			mask = 0xffffffffu;
		else
			mask = htonl(0xffffffffu << (32 - bits));
		p->mask[i] = mask;
		p->addr[i] = a->addr[i] & mask;
	}
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

/* Give a set its kind and an id of that kind, within the limits. */
static int set_bind(struct fw_compiler *c, const struct fw_stmt *st, struct fw_pos pos,
                    struct fw_set_info *info, enum fw_set_kind kind)
{
	struct fw_ruleset *rs = c->rs;
	struct xdpfw_port_set *ps;

	info->kind = kind;
	if (kind == FW_SET_ADDR) {
		if (rs->naddr_sets >= XDPFW_MAX_ADDR_SETS)
			return cerr(c, st, pos, "too many address sets and lists: the limit is %d",
			            XDPFW_MAX_ADDR_SETS);
		info->id = (__u16)rs->naddr_sets++;
		return 0;
	}
	if (rs->nport_sets >= XDPFW_MAX_PORT_SETS)
		return cerr(c, st, pos, "too many port sets and lists: the limit is %d",
		            XDPFW_MAX_PORT_SETS);
	ps = reallocarray(rs->port_sets, rs->nport_sets + 1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	rs->port_sets = ps;
	memset(&ps[rs->nport_sets], 0, sizeof(*ps));
	info->id = (__u16)rs->nport_sets++;
	return 0;
}

static struct fw_set_info *set_new(struct fw_ruleset *rs, const char *name, unsigned int line)
{
	struct fw_set_info *v;

	if (rs->nsets == rs->sets_cap) {
		__u32 cap = rs->sets_cap ? rs->sets_cap * 2 : 16;

		v = reallocarray(rs->sets, cap, sizeof(*v));
		if (!v)
			return NULL;
		rs->sets = v;
		rs->sets_cap = cap;
	}
	v = &rs->sets[rs->nsets++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->line = line;
	return v;
}

static int set_add_addr(struct fw_compiler *c, const struct fw_stmt *st, struct fw_pos pos,
                        struct fw_set_info *info, const struct fw_ast_prefix *a)
{
	struct fw_ruleset *rs = c->rs;
	struct xdpfw_prefix masked;
	struct xdpfw_set_entry *e;

	if (rs->naddrs >= XDPFW_MAX_SET_ADDRS)
		return cerr(c, st, pos, "sets hold more than %u prefixes in all",
		            XDPFW_MAX_SET_ADDRS);
	if (rs->naddrs == rs->addrs_cap) {
		__u32 cap = rs->addrs_cap ? rs->addrs_cap * 2 : 64;

		e = reallocarray(rs->addrs, cap, sizeof(*e));
		if (!e)
			return -ENOMEM;
		rs->addrs = e;
		rs->addrs_cap = cap;
	}
	memset(&masked, 0, sizeof(masked));
	set_prefix(&masked, a);
	e = &rs->addrs[rs->naddrs++];
	memset(e, 0, sizeof(*e));
	e->set = info->id;
	e->family = a->family;
	e->len = a->len;
	memcpy(e->addr, masked.addr, sizeof(e->addr));
	info->families |= a->family == XDPFW_FAMILY_IPV4 ? 1 : 2;
	info->count++;
	return 0;
}

static void set_add_ports(struct fw_ruleset *rs, struct fw_set_info *info, unsigned int lo,
                          unsigned int hi)
{
	struct xdpfw_port_set *ps = &rs->port_sets[info->id];

	for (unsigned int p = lo; p <= hi; p++)
		ps->bits[p / 64] |= 1ull << (p % 64);
	info->count++;
}

/* Fill a bound set from its members, which must all be of its kind. */
static int set_fill(struct fw_compiler *c, const struct fw_stmt *st, struct fw_set_info *info,
                    const struct fw_ast_list *l)
{
	int r;

	for (size_t i = 0; i < l->n; i++) {
		const struct fw_ast_elem *e = &l->v[i];

		if (e->is_addr != (info->kind == FW_SET_ADDR)) {
			fw_diag_report(c->diag, FW_DIAG_ERROR, e->pos.line, e->pos.col,
			               e->src ? e->src : st->src, e->src ? e->src_len : st->src_len,
			               "a set holds addresses or ports, not both");
			return -EINVAL;
		}
		if (e->is_addr) {
			r = set_add_addr(c, st, e->pos, info, &e->addr);
			if (r)
				return r;
		} else {
			set_add_ports(c->rs, info, e->lo, e->hi);
		}
	}
	return 0;
}

/* The set file's path: as written when absolute, else next to the rules. */
static void set_file_path(const struct fw_compiler *c, const char *file, char *buf, size_t len)
{
	const char *slash = c->source ? strrchr(c->source, '/') : NULL;

	if (file[0] == '/' || !slash)
		snprintf(buf, len, "%s", file);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - c->source), c->source, file);
}

static int read_all(const char *path, char **bufp, size_t *lenp);

/*
 * A set file: one address or prefix per line, '#' comments, blank lines.
 * Faults are reported against the set file, with its line and column.
 */
static int read_set_file(struct fw_compiler *c, const struct fw_stmt *st, struct fw_ast_list *l)
{
	const char *saved = c->diag->file;
	char path[4096], *buf = NULL;
	size_t len = 0, pos = 0;
	unsigned int line = 0;
	int r, errors = 0;

	set_file_path(c, st->set_file, path, sizeof(path));
	r = read_all(path, &buf, &len);
	if (r) {
		r = cerr(c, st, st->set_file_pos, "cannot read set file %s: %s", path,
		         strerror(-r));
		goto out;
	}
	c->diag->file = path;
	while (pos < len && errors < 20) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, a = 0, b;
		struct fw_ast_prefix pfx = {0};
		char text[INET6_ADDRSTRLEN + 8], *slash;
		struct fw_ast_elem *e;
		int v6;

		pos += n + 1;
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		while (a < n && (s[a] == ' ' || s[a] == '\t'))
			a++;
		for (b = a; b < n && s[b] != '#' && s[b] != ' ' && s[b] != '\t'; b++)
			;
		if (a == b)
			goto check_rest;
		if (b - a >= sizeof(text) || memchr(s + a, '\0', b - a))
			goto bad;
		memcpy(text, s + a, b - a);
		text[b - a] = '\0';
		slash = strchr(text, '/');
		if (slash)
			*slash = '\0';
		v6 = strchr(text, ':') != NULL;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, text, pfx.addr) != 1)
			goto bad;
		pfx.family = v6 ? XDPFW_FAMILY_IPV6 : XDPFW_FAMILY_IPV4;
		pfx.len = v6 ? 128 : 32;
		if (slash) {
			size_t nd = strspn(slash + 1, "0123456789");
			unsigned long plen = strtoul(slash + 1, NULL, 10);

			/* Plain digits only: strtoul would take "-0" or "+24". */
			if (nd == 0 || nd > 3 || slash[1 + nd] || plen > pfx.len)
				goto bad;
			pfx.len = (uint8_t)plen;
		}
		if (c->rs->naddrs + l->n >= XDPFW_MAX_SET_ADDRS) {
			fw_diag_report(c->diag, FW_DIAG_ERROR, line, (unsigned int)a + 1, s, n,
			               "sets hold more than %u prefixes in all",
			               XDPFW_MAX_SET_ADDRS);
			r = -EINVAL;
			goto out;
		}
		e = NULL;
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 256;
			struct fw_ast_elem *v = reallocarray(l->v, cap, sizeof(*v));

			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			l->v = v;
			l->cap = cap;
		}
		e = &l->v[l->n++];
		memset(e, 0, sizeof(*e));
		e->pos = (struct fw_pos){line, (unsigned int)a + 1};
		e->is_addr = true;
		e->addr = pfx;
	check_rest:
		while (b < n && (s[b] == ' ' || s[b] == '\t'))
			b++;
		if (b < n && s[b] != '#') {
			fw_diag_report(c->diag, FW_DIAG_ERROR, line, (unsigned int)b + 1, s, n,
			               "one address or prefix per line; unexpected '%.*s'",
			               (int)(n - b > 40 ? 40 : n - b), s + b);
			errors++;
		}
		continue;
	bad:
		fw_diag_report(c->diag, FW_DIAG_ERROR, line, (unsigned int)a + 1, s, n,
		               "not an IPv4/IPv6 address or prefix: '%.*s'",
		               (int)(b - a > 60 ? 60 : b - a), s + a);
		errors++;
	}
	r = errors ? -EINVAL : 0;
out:
	c->diag->file = saved;
	free(buf);
	return r;
}

static int compile_set(struct fw_compiler *c, const struct fw_stmt *st)
{
	const struct fw_set_info *old = set_find(c->rs, st->name);
	struct fw_ast_list file = {0};
	const struct fw_ast_list *l = &st->set;
	struct fw_set_info *info;
	int r;

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
	if (st->set_file) {
		r = read_set_file(c, st, &file);
		if (r)
			goto out;
		l = &file;
	}
	if (!l->n) {
		fw_diag_report(c->diag, FW_DIAG_WARNING, st->name_pos.line, st->name_pos.col,
		               st->src, st->src_len,
		               "set %s is empty: rules using it never match (with !=, always)",
		               st->name);
		/* An address set until a port match uses it (no member says
		 * otherwise); an id now keeps ids in definition order. */
		r = set_bind(c, st, st->name_pos, info, FW_SET_ADDR);
		goto out;
	}
	r = set_bind(c, st, st->name_pos, info, l->v[0].is_addr ? FW_SET_ADDR : FW_SET_PORT);
	if (!r)
		r = set_fill(c, st, info, l);
out:
	free(file.v);
	return r;
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

static void lower_rule(const struct fw_stmt *st, const struct fw_ast_match *seen[FW_MATCH_MAX],
                       const struct resolved res[FW_MATCH_MAX], uint8_t family, int icmp_type,
                       struct xdpfw_rule *r)
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
	const struct fw_ast_match *m;

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
	m = seen[FW_MATCH_PROTO];
	if (m) {
		r->match |= XDPFW_M_PROTO;
		r->proto = m->proto;
	}
	/* Set matches first; the plain ones below skip what is a set. */
	for (int k = FW_MATCH_SADDR; k <= FW_MATCH_DPORT; k++) {
		if (!res[k].is_set)
			continue;
		r->match |= set_bit[k];
		*set_field[k] = res[k].id;
		if (seen[k]->negate)
			r->negate |= set_bit[k];
	}
	m = res[FW_MATCH_SADDR].is_set ? NULL : seen[FW_MATCH_SADDR];
	if (m) {
		r->match |= XDPFW_M_SADDR;
		r->saddr_len = m->addr.len;
		set_prefix(&r->saddr, &m->addr);
	}
	m = res[FW_MATCH_DADDR].is_set ? NULL : seen[FW_MATCH_DADDR];
	if (m) {
		r->match |= XDPFW_M_DADDR;
		r->daddr_len = m->addr.len;
		set_prefix(&r->daddr, &m->addr);
	}
	m = res[FW_MATCH_SPORT].is_set ? NULL : seen[FW_MATCH_SPORT];
	if (m) {
		r->match |= XDPFW_M_SPORT;
		r->sport_lo = m->port.lo;
		r->sport_hi = m->port.hi;
	}
	m = res[FW_MATCH_DPORT].is_set ? NULL : seen[FW_MATCH_DPORT];
	if (m) {
		r->match |= XDPFW_M_DPORT;
		r->dport_lo = m->port.lo;
		r->dport_hi = m->port.hi;
	}
	for (int k = 0; k < FW_MATCH_MAX; k++) {
		if (seen[k] && seen[k]->negate && !res[k].is_set)
			r->negate |= bit[k];
	}
	m = seen[FW_MATCH_TCPFLAGS];
	if (m) {
		r->match |= XDPFW_M_TCPFLAGS;
		r->tcp_flags_mask = m->tcp.mask;
		r->tcp_flags_value = m->tcp.value;
	}
	if (seen[FW_MATCH_ICMPTYPE]) {
		r->match |= XDPFW_M_ICMPTYPE;
		r->icmp_type = (uint8_t)icmp_type;
	}
	m = seen[FW_MATCH_VLAN];
	if (m) {
		r->match |= XDPFW_M_VLAN;
		r->vlan = m->port.lo;
	}
	if (seen[FW_MATCH_FRAGMENT])
		r->match |= XDPFW_M_FRAGMENT;
	m = seen[FW_MATCH_LEN];
	if (m) {
		r->match |= XDPFW_M_LEN;
		r->len_lo = m->port.lo;
		r->len_hi = m->port.hi;
	}
	m = seen[FW_MATCH_TTL];
	if (m) {
		r->match |= XDPFW_M_TTL;
		r->ttl_lo = (uint8_t)m->port.lo;
		r->ttl_hi = (uint8_t)m->port.hi;
	}
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

static int compile_rule(struct fw_compiler *c, const struct fw_stmt *st)
{
	struct xdpfw_limit limit;
	const struct fw_ast_match *seen[FW_MATCH_MAX] = {0};
	struct resolved res[FW_MATCH_MAX] = {0};
	struct fw_ast_match copies[2];
	struct fw_ruleset *rs = c->rs;
	int r = 0, family, icmp_type = 0;
	size_t i;

	for (i = 0; i < st->nmatches; i++) {
		const struct fw_ast_match *m = &st->matches[i];

		if (seen[m->kind])
			r = check_repeat(c, st, seen[m->kind], m);
		else
			seen[m->kind] = m;
	}
	/* Lists and @sets: their families stand in for an address's. */
	for (int k = FW_MATCH_SADDR; k <= FW_MATCH_DPORT; k++) {
		const struct fw_ast_match *m = seen[k];
		int rr;

		if (!m || (!m->is_list && !m->setref[0]))
			continue;
		rr = resolve_set(c, st, m, &res[k]);
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

	lower_rule(st, seen, res, (uint8_t)family, icmp_type, &rs->rules[rs->config.rule_count]);
	if (st->limit.pos.line) {
		rs->rules[rs->config.rule_count].flags |= XDPFW_RULE_LIMIT;
		rs->config.limit.rules++;
		rs->rules[rs->config.rule_count].limit = limit;
	}
	/* A fresh set counts rule i in slot i; a reload reassigns slots. */
	rs->rules[rs->config.rule_count].counter = rs->config.rule_count;
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

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

uint64_t fw_ruleset_digest(const struct fw_ruleset *rs)
{
	struct xdpfw_config cfg = rs->config;
	uint32_t n = cfg.rule_count;
	uint64_t h;

	cfg.digest = 0;
	cfg.cls_flags = 0; /* the classifier's, derived */
	if (n > XDPFW_MAX_RULES)
		n = XDPFW_MAX_RULES;
	/* The settings; what follows them in the config is the classifier's,
	 * derived from the rules and sets hashed below, but for the limit
	 * settings at the end. */
	h = fnv1a(FNV64_OFFSET, &cfg, offsetof(struct xdpfw_config, fields));
	h = fnv1a(h, &cfg.limit, sizeof(cfg.limit));
	h = fnv1a(h, rs->rules, n * sizeof(rs->rules[0]));
	if (rs->naddrs)
		h = fnv1a(h, rs->addrs, rs->naddrs * sizeof(rs->addrs[0]));
	if (rs->nport_sets)
		h = fnv1a(h, rs->port_sets, rs->nport_sets * sizeof(rs->port_sets[0]));
	return h;
}

void fw_compiler_finish(struct fw_compiler *c)
{
	c->rs->config.digest = fw_ruleset_digest(c->rs);
}

int fw_ruleset_load_mem(const char *name, const char *buf, size_t len, struct fw_ruleset *rs,
                        struct fw_diag *diag)
{
	unsigned int errors = diag->errors;
	struct fw_compiler c;
	struct fw_parser p;
	struct fw_stmt st;
	int r;

	if (!diag->file)
		diag->file = name;
	fw_parser_init(&p, buf, len, diag);
	fw_compiler_init(&c, rs, diag);
	c.source = name;
	while ((r = fw_parser_next(&p, &st)) > 0) {
		fw_compile_stmt(&c, &st);
		fw_stmt_free(&st);
	}
	if (r < 0) {
		fw_diag_report(diag, FW_DIAG_ERROR, 0, 0, NULL, 0, "%s", strerror(-r));
		return r;
	}
	fw_compiler_finish(&c);
	if (diag->errors > errors)
		return -EINVAL;
	return fw_ruleset_build(rs, diag);
}

int fw_ruleset_build(struct fw_ruleset *rs, struct fw_diag *diag)
{
	char why[FW_DIAG_MSG];
	struct fw_cls *cls;
	int r;

	fw_ruleset_drop_cls(rs);
	cls = calloc(1, sizeof(*cls));
	if (!cls)
		return -ENOMEM;
	r = fw_cls_build(rs, cls, why, sizeof(why));
	if (r) {
		free(cls);
		fw_diag_report(diag, FW_DIAG_ERROR, 0, 0, NULL, 0, "%s", why);
		return r == -E2BIG ? -EINVAL : r;
	}
	fw_cls_config(cls, &rs->config);
	rs->cls = cls;
	return 0;
}

void fw_ruleset_drop_cls(struct fw_ruleset *rs)
{
	if (rs->cls) {
		fw_cls_free(rs->cls);
		free(rs->cls);
		rs->cls = NULL;
	}
}

static int read_all(const char *path, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nbuf;
	int fd, r;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= FW_RULE_FILE_MAX) {
				r = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				r = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

int fw_ruleset_load_file(const char *path, struct fw_ruleset *rs, struct fw_diag *diag)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!diag->file)
		diag->file = path;
	r = read_all(path, &buf, &len);
	if (r) {
		fw_diag_report(diag, FW_DIAG_ERROR, 0, 0, NULL, 0, "%s", strerror(-r));
		goto out;
	}
	r = fw_ruleset_load_mem(path, buf, len, rs, diag);
out:
	free(buf);
	return r;
}

/* A unit for printing an amount: its size and how it is written. */
struct fw_print_unit {
	unsigned long long size;
	const char *name;
};

/* snprintf-style appending: keeps counting once the buffer is full. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t pos;
};

static void out_add(struct fmt_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_add(struct fmt_out *o, const char *fmt, ...)
{
	int room = o->pos < o->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room ? o->size - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static void out_prefix(struct fmt_out *o, const char *word, const struct xdpfw_prefix *p,
                       unsigned int len, uint8_t family)
{
	char text[INET6_ADDRSTRLEN];
	int af = family == XDPFW_FAMILY_IPV6 ? AF_INET6 : AF_INET;
	unsigned int full = af == AF_INET6 ? 128 : 32;

	if (!inet_ntop(af, p->addr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	if (len >= full)
		out_add(o, " %s %s", word, text);
	else
		out_add(o, " %s %s/%u", word, text, len);
}

static void out_ports(struct fmt_out *o, const char *word, unsigned int lo, unsigned int hi)
{
	if (lo == hi)
		out_add(o, " %s %u", word, lo);
	else
		out_add(o, " %s %u-%u", word, lo, hi);
}

static void out_tcp_flags(struct fmt_out *o, uint8_t mask, uint8_t value)
{
	const char *sep = " flags ";

	for (unsigned int bit = 1; bit <= 0x80; bit <<= 1) {
		if (!(mask & bit))
			continue;
		out_add(o, "%s%s%s", sep, value & bit ? "" : "!", fw_tcp_flag_name(bit));
		sep = ",";
	}
}

static const struct fw_set_info *set_by_id(const struct fw_ruleset *rs, enum fw_set_kind kind,
                                           unsigned int id)
{
	for (__u32 i = 0; rs && i < rs->nsets; i++)
		if (rs->sets[i].kind == kind && rs->sets[i].id == id)
			return &rs->sets[i];
	return NULL;
}

bool fw_set_label(const struct fw_ruleset *rs, enum fw_set_kind kind, unsigned int id, char *buf,
                  size_t len)
{
	const struct fw_set_info *info = set_by_id(rs, kind, id);

	if (info && !info->name[0])
		return false;
	if (info)
		snprintf(buf, len, "%s", info->name);
	else
		snprintf(buf, len, "%c%u", kind == FW_SET_ADDR ? 'a' : 'p', id);
	return true;
}

/* A set match: @name, the inline list as written, or @aN/@pN when rs does
 * not know the set (rules read back from the kernel). */
static void out_set(struct fmt_out *o, const struct fw_ruleset *rs, const char *word, bool neg,
                    enum fw_set_kind kind, unsigned int id)
{
	char label[XDPFW_NAME_MAX];
	const char *sep = " ";

	out_add(o, " %s%s", word, neg ? " !=" : "");
	if (fw_set_label(rs, kind, id, label, sizeof(label))) {
		out_add(o, " @%s", label);
		return;
	}
	out_add(o, " {");
	if (kind == FW_SET_ADDR) {
		for (__u32 i = 0; i < rs->naddrs; i++) {
			const struct xdpfw_set_entry *e = &rs->addrs[i];
			char text[INET6_ADDRSTRLEN];
			int af = e->family == XDPFW_FAMILY_IPV6 ? AF_INET6 : AF_INET;

			if (e->set != id)
				continue;
			inet_ntop(af, e->addr, text, sizeof(text));
			if (e->len == (af == AF_INET6 ? 128 : 32))
				out_add(o, "%s%s", sep, text);
			else
				out_add(o, "%s%s/%u", sep, text, e->len);
			sep = ", ";
		}
	} else {
		const struct xdpfw_port_set *ps = &rs->port_sets[id];

		for (unsigned int p = 0; p < 65536; p++) {
			unsigned int q = p;

			if (!((ps->bits[p / 64] >> (p % 64)) & 1))
				continue;
			while (q + 1 < 65536 && ((ps->bits[(q + 1) / 64] >> ((q + 1) % 64)) & 1))
				q++;
			if (q == p)
				out_add(o, "%s%u", sep, p);
			else
				out_add(o, "%s%u-%u", sep, p, q);
			sep = ", ";
			p = q;
		}
	}
	out_add(o, " }");
}

/* An amount in the largest unit that holds it whole; units[] largest first,
 * the last one of size 1. */
static void out_amount(struct fmt_out *o, const char *fmt, unsigned long long v,
                       const struct fw_print_unit *units, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && v % units[i].size)
		i++;
	out_add(o, fmt, v / units[i].size, units[i].name);
}

/*
 * ` limit over RATE/P burst N [per saddr[/LEN]]`, the burst always, so that
 * the reader sees what the rule really allows. Byte rates print in the
 * binary byte unit that holds them whole, else in the bit unit, else in
 * bytes: both forms parse back to the same number of bytes.
 */
static void out_limit(struct fmt_out *o, const struct xdpfw_limit *l, uint8_t family)
{
	static const struct fw_print_unit packets[] = {
	    {1000000000, "g"},
	    {1000000, "m"},
	    {1000, "k"},
	    {1, ""},
	};
	static const struct fw_print_unit bytes[] = {
	    {1u << 30, "gbytes"}, {1u << 20, "mbytes"}, {1024, "kbytes"}, {125000000, "gbit"},
	    {125000, "mbit"},     {125, "kbit"},        {1, "bytes"},
	};
	static const struct fw_print_unit burst_bytes[] = {
	    {1u << 30, " gbytes"},
	    {1u << 20, " mbytes"},
	    {1024, " kbytes"},
	    {1, " bytes"},
	};
	bool b = l->flags & XDPFW_LIMIT_BYTES;
	char period = l->period == 60      ? 'm'
	              : l->period == 3600  ? 'h'
	              : l->period == 86400 ? 'd'
	                                   : 's';

	out_add(o, " limit over");
	if (b)
		out_amount(o, " %llu%s", l->rate, bytes, sizeof(bytes) / sizeof(bytes[0]));
	else
		out_amount(o, " %llu%s", l->rate, packets, sizeof(packets) / sizeof(packets[0]));
	out_add(o, "/%c", period);
	if (b)
		out_amount(o, " burst %llu%s", l->burst, burst_bytes,
		           sizeof(burst_bytes) / sizeof(burst_bytes[0]));
	else
		out_add(o, " burst %llu", (unsigned long long)l->burst);
	if (!(l->flags & XDPFW_LIMIT_PER_SOURCE))
		return;
	out_add(o, " per saddr");
	if (family == XDPFW_FAMILY_IPV4 && l->prefix4 != 32)
		out_add(o, "/%u", l->prefix4);
	else if (family == XDPFW_FAMILY_IPV6 && l->prefix6 != 128)
		out_add(o, "/%u", l->prefix6);
	else if (family == XDPFW_FAMILY_NONE && (l->prefix4 != 32 || l->prefix6 != 128))
		out_add(o, "/%u/%u", l->prefix4, l->prefix6);
}

char *fw_rule_text(const struct fw_ruleset *rs, const struct xdpfw_rule *r)
{
	int len = fw_rule_format_rs(rs, r, NULL, 0);
	char *text = malloc((size_t)len + 1);

	if (text)
		fw_rule_format_rs(rs, r, text, (size_t)len + 1);
	return text;
}

int fw_rule_format(const struct xdpfw_rule *r, char *buf, size_t len)
{
	return fw_rule_format_rs(NULL, r, buf, len);
}

int fw_rule_format_rs(const struct fw_ruleset *rs, const struct xdpfw_rule *r, char *buf,
                      size_t len)
{
	struct fmt_out o = {.buf = buf, .size = len};
	int has_family = r->match & XDPFW_M_FAMILY;
	int implied = 0;
	const char *name;

	if (buf && len)
		buf[0] = '\0';
	/* Leave out ip/ip6 only when the rest of the rule implies the very
	 * same family, so the text re-parses to the same rule. */
	if (has_family && (r->match & (XDPFW_M_SADDR | XDPFW_M_DADDR | XDPFW_M_TTL)))
		implied = 1;
	if (has_family && (r->match & XDPFW_M_PROTO) && proto_family(r->proto) == r->family)
		implied = 1;

	out_add(&o, "%s", fw_action_name(r->action));
	if (has_family && !implied &&
	    (r->family == XDPFW_FAMILY_IPV4 || r->family == XDPFW_FAMILY_IPV6))
		out_add(&o, " %s", family_word(r->family));
	if (r->match & XDPFW_M_PROTO) {
		name = fw_proto_name(r->proto);
		if (r->proto == PROTO_TCP || r->proto == PROTO_UDP || r->proto == PROTO_ICMP ||
		    r->proto == PROTO_ICMPV6)
			out_add(&o, " %s", name);
		else if (name)
			out_add(&o, " proto %s", name);
		else
			out_add(&o, " proto %u", r->proto);
	}
	if (r->match & XDPFW_M_SADDR)
		out_prefix(&o, r->negate & XDPFW_M_SADDR ? "saddr !=" : "saddr", &r->saddr,
		           r->saddr_len, r->family);
	if (r->match & XDPFW_M_DADDR)
		out_prefix(&o, r->negate & XDPFW_M_DADDR ? "daddr !=" : "daddr", &r->daddr,
		           r->daddr_len, r->family);
	if (r->match & XDPFW_M_SPORT)
		out_ports(&o, r->negate & XDPFW_M_SPORT ? "sport !=" : "sport", r->sport_lo,
		          r->sport_hi);
	if (r->match & XDPFW_M_DPORT)
		out_ports(&o, r->negate & XDPFW_M_DPORT ? "dport !=" : "dport", r->dport_lo,
		          r->dport_hi);
	if (r->match & XDPFW_M_SADDR_SET)
		out_set(&o, rs, "saddr", r->negate & XDPFW_M_SADDR_SET, FW_SET_ADDR, r->saddr_set);
	if (r->match & XDPFW_M_DADDR_SET)
		out_set(&o, rs, "daddr", r->negate & XDPFW_M_DADDR_SET, FW_SET_ADDR, r->daddr_set);
	if (r->match & XDPFW_M_SPORT_SET)
		out_set(&o, rs, "sport", r->negate & XDPFW_M_SPORT_SET, FW_SET_PORT, r->sport_set);
	if (r->match & XDPFW_M_DPORT_SET)
		out_set(&o, rs, "dport", r->negate & XDPFW_M_DPORT_SET, FW_SET_PORT, r->dport_set);
	if (r->match & XDPFW_M_TCPFLAGS)
		out_tcp_flags(&o, r->tcp_flags_mask, r->tcp_flags_value);
	if (r->match & XDPFW_M_ICMPTYPE) {
		name = fw_icmp_type_name(r->family, r->icmp_type);
		if (name)
			out_add(&o, " type %s", name);
		else
			out_add(&o, " type %u", r->icmp_type);
	}
	if (r->match & XDPFW_M_VLAN)
		out_add(&o, " vlan %u", r->vlan);
	if (r->match & XDPFW_M_FRAGMENT)
		out_add(&o, " fragment");
	if (r->match & XDPFW_M_LEN)
		out_ports(&o, "len", r->len_lo, r->len_hi);
	if (r->match & XDPFW_M_TTL)
		out_ports(&o, r->family == XDPFW_FAMILY_IPV6 ? "hoplimit" : "ttl", r->ttl_lo,
		          r->ttl_hi);
	if (r->flags & XDPFW_RULE_LIMIT)
		out_limit(&o, &r->limit, has_family ? r->family : XDPFW_FAMILY_NONE);
	if (r->name[0])
		out_add(&o, " name \"%.*s\"", XDPFW_NAME_MAX - 1, r->name);
	if (r->flags & XDPFW_RULE_LOG)
		out_add(&o, " log");
	return (int)o.pos;
}
