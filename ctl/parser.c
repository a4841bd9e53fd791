// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* parser.c - see parser.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/* Listed in error messages; keep in step with parse_match(). */
#define MATCH_WORDS                                                                                \
	"ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, sport, dport, flags, type, vlan, "  \
	"fragment, len, ttl, hoplimit, limit, name or log"
#define STMT_WORDS "pass, drop, set, policy, nonip, malformed, limit-sources or limit-full"

/* Echoed words are cut so a long one cannot push the message out of the
 * FW_DIAG_MSG bytes a diagnostic keeps. */
#define ECHO_MAX 40

/*
 * Protocol names, numbers from the IANA protocol registry. Fixed here
 * rather than read from /etc/protocols so a rule file means the same on
 * every host. The first entry of a number is the name printed back.
 */
static const struct {
	const char *name;
	unsigned int num;
} protocols[] = {
    {"icmp", 1}, {"igmp", 2},    {"tcp", 6},        {"udp", 17},   {"gre", 47},      {"esp", 50},
    {"ah", 51},  {"icmpv6", 58}, {"ipv6-icmp", 58}, {"sctp", 132}, {"udplite", 136},
};

static const char *const setting_names[] = {
    [FW_SETTING_POLICY] = "policy",         [FW_SETTING_NONIP] = "nonip",
    [FW_SETTING_MALFORMED] = "malformed",   [FW_SETTING_LIMIT_SOURCES] = "limit-sources",
    [FW_SETTING_LIMIT_FULL] = "limit-full",
};
_Static_assert(sizeof(setting_names) / sizeof(setting_names[0]) == FW_SETTING_MAX,
               "one name per enum fw_setting");

static int echo_len(size_t len)
{
	return len > ECHO_MAX ? ECHO_MAX : (int)len;
}

static int word_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

const char *fw_family_word(uint8_t family)
{
	return family == XDPFW_FAMILY_IPV4 ? "ip" : "ip6";
}

uint8_t fw_proto_family(uint8_t proto)
{
	if (proto == FW_PROTO_ICMP)
		return XDPFW_FAMILY_IPV4;
	if (proto == FW_PROTO_ICMPV6)
		return XDPFW_FAMILY_IPV6;
	return XDPFW_FAMILY_NONE;
}

int fw_proto_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (word_eq(name, len, protocols[i].name))
			return (int)protocols[i].num;
	return -1;
}

const char *fw_proto_name(unsigned int proto)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].num == proto)
			return protocols[i].name;
	return NULL;
}

const char *fw_setting_name(enum fw_setting setting)
{
	return setting < FW_SETTING_MAX ? setting_names[setting] : "setting";
}

void fw_parser_init(struct fw_parser *p, const char *buf, size_t len, struct fw_diag *diag)
{
	memset(p, 0, sizeof(*p));
	fw_lexer_init(&p->lx, buf, len, diag);
	p->diag = diag;
}

void fw_stmt_free(struct fw_stmt *st)
{
	for (size_t i = 0; i < st->nmatches; i++)
		free(st->matches[i].list.v);
	free(st->set.v);
	free(st->set_file);
	st->set.v = NULL;
	st->set_file = NULL;
	free(st->matches);
	st->matches = NULL;
	st->nmatches = 0;
	st->cap = 0;
}

static void advance(struct fw_parser *p)
{
	p->prev = p->tok;
	fw_lex_next(&p->lx, &p->tok);
}

static int is_word(const struct fw_token *t, const char *word)
{
	return t->kind == FW_TOK_WORD && word_eq(t->text, t->len, word);
}

/* How a token is named in a message: its text, or its kind. */
static void describe(const struct fw_token *t, char *buf, size_t size)
{
	switch (t->kind) {
	case FW_TOK_WORD:
	case FW_TOK_NUMBER:
	case FW_TOK_ADDR:
	case FW_TOK_STRING:
		if (t->len > ECHO_MAX)
			snprintf(buf, size, "'%.*s...'", ECHO_MAX, t->text);
		else
			snprintf(buf, size, "'%.*s'", (int)t->len, t->text);
		break;
	default:
		snprintf(buf, size, "%s", fw_tok_kind_name(t->kind));
		break;
	}
}

static int perr(struct fw_parser *p, unsigned int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report a fault on the current line; returns -EINVAL for the caller. */
static int perr(struct fw_parser *p, unsigned int col, const char *fmt, ...)
{
	char msg[FW_DIAG_MSG];
	const char *src;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	src = fw_lexer_line(&p->lx, &len);
	fw_diag_report(p->diag, FW_DIAG_ERROR, p->tok.line, col, src, len, "%s", msg);
	return -EINVAL;
}

/* Column just past the previous token: where a missing argument belongs. */
static unsigned int col_after_prev(const struct fw_parser *p)
{
	return p->prev.col + (unsigned int)p->prev.len;
}

static struct fw_pos tok_pos(const struct fw_token *t)
{
	return (struct fw_pos){.line = t->line, .col = t->col};
}

/* Digits only, saturating like the lexer. Returns 0, or -1 if not a number. */
static int parse_digits(const char *s, size_t len, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -1;
		r = r > (UINT64_MAX - d) / 10 ? UINT64_MAX : r * 10 + d;
	}
	*v = r;
	return 0;
}

static struct fw_ast_match *add_match(struct fw_stmt *st, enum fw_match_kind kind,
                                      const struct fw_token *kw)
{
	struct fw_ast_match *m;

	if (st->nmatches == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;

		m = reallocarray(st->matches, cap, sizeof(*m));
		if (!m)
			return NULL;
		st->matches = m;
		st->cap = cap;
	}
	m = &st->matches[st->nmatches++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->pos = tok_pos(kw);
	m->arg = m->pos;
	return m;
}

/* The current token is the argument of kw; report when there is none. */
static int need_arg(struct fw_parser *p, const struct fw_token *kw, const char *what)
{
	if (p->tok.kind == FW_TOK_ERROR)
		return -EINVAL;
	if (p->tok.kind == FW_TOK_EOL)
		return perr(p, col_after_prev(p), "missing %s after '%.*s'", what, (int)kw->len,
		            kw->text);
	return 0;
}

static int parse_proto(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok;
	struct fw_ast_match *m;
	char what[64];
	int proto, r;

	advance(p);
	r = need_arg(p, &kw, "protocol");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind == FW_TOK_NUMBER) {
		if (p->tok.num > 255)
			return perr(p, p->tok.col, "protocol %.*s out of range (0-255)",
			            echo_len(p->tok.len), p->tok.text);
		proto = (int)p->tok.num;
	} else if (p->tok.kind == FW_TOK_WORD) {
		proto = fw_proto_lookup(p->tok.text, p->tok.len);
		if (proto < 0)
			return perr(p, p->tok.col, "unknown protocol %s", what);
	} else {
		return perr(p, p->tok.col,
		            "expected a protocol number or name after 'proto', got %s", what);
	}
	m = add_match(st, FW_MATCH_PROTO, &kw);
	if (!m)
		return -ENOMEM;
	m->arg = tok_pos(&p->tok);
	m->proto = (uint8_t)proto;
	advance(p);
	return 0;
}

static struct fw_ast_elem *add_elem(struct fw_ast_list *l)
{
	struct fw_ast_elem *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		v = reallocarray(l->v, cap, sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	return v;
}

static int parse_prefix_len(struct fw_parser *p, struct fw_ast_prefix *a);

/* An address with an optional /LEN, the current token on; after names what
 * came before it in messages (NULL: the start of a set file's line). */
static int parse_one_addr(struct fw_parser *p, const char *after, struct fw_ast_prefix *a)
{
	char text[INET6_ADDRSTRLEN + 1], what[64];
	int v6, r;

	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind != FW_TOK_ADDR && !after)
		return perr(p, p->tok.col, "expected an IPv4/IPv6 address or prefix, got %s", what);
	if (p->tok.kind != FW_TOK_ADDR)
		return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
		            "expected an address after %s, got %s", after, what);
	v6 = memchr(p->tok.text, ':', p->tok.len) != NULL;
	if (p->tok.len >= sizeof(text))
		return perr(p, p->tok.col, "invalid %s address %s", v6 ? "IPv6" : "IPv4", what);
	memcpy(text, p->tok.text, p->tok.len);
	text[p->tok.len] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, a->addr) != 1)
		return perr(p, p->tok.col, "invalid %s address %s", v6 ? "IPv6" : "IPv4", what);
	a->family = v6 ? XDPFW_FAMILY_IPV6 : XDPFW_FAMILY_IPV4;
	a->len = v6 ? 128 : 32;
	advance(p);
	if (p->tok.kind == FW_TOK_SLASH) {
		r = parse_prefix_len(p, a);
		if (r)
			return r;
	}
	return 0;
}

/* A port or LO-HI, the current token on. */
static int parse_one_port(struct fw_parser *p, const char *after, uint16_t *plo, uint16_t *phi)
{
	const struct fw_token *t = &p->tok;
	const char *dash = NULL;
	uint64_t lo, hi;
	char what[64];
	size_t lo_len;

	describe(t, what, sizeof(what));
	if (t->kind == FW_TOK_WORD)
		dash = memchr(t->text, '-', t->len);
	lo_len = dash ? (size_t)(dash - t->text) : t->len;
	if ((t->kind != FW_TOK_NUMBER && !dash) || parse_digits(t->text, lo_len, &lo) ||
	    (dash && parse_digits(dash + 1, t->len - lo_len - 1, &hi)))
		return perr(p, t->kind == FW_TOK_EOL ? col_after_prev(p) : t->col,
		            "expected a port or port range after %s, got %s", after, what);
	if (!dash)
		hi = lo;
	if (lo > 65535)
		return perr(p, t->col, "port %.*s out of range (0-65535)", echo_len(lo_len),
		            t->text);
	if (hi > 65535)
		return perr(p, t->col + (unsigned int)lo_len + 1,
		            "port %.*s out of range (0-65535)", echo_len(t->len - lo_len - 1),
		            dash + 1);
	if (lo > hi)
		return perr(p, t->col, "port range %.*s is reversed", echo_len(t->len), t->text);
	*plo = (uint16_t)lo;
	*phi = (uint16_t)hi;
	advance(p);
	return 0;
}

enum list_want { LIST_PORTS, LIST_ADDRS, LIST_ANY };

/*
 * `{ a, b, ... }` from the '{' on: addresses, ports, or (a set definition)
 * each member as it looks; the compiler checks a set does not mix them. An
 * empty list is allowed here (a set may be empty; the compiler warns).
 */
static int parse_list(struct fw_parser *p, enum list_want want, struct fw_ast_list *l)
{
	const char *after = "'{'";
	struct fw_ast_elem *e;
	int r;

	advance(p);
	p->in_list = 1;
	while (p->tok.kind != FW_TOK_RBRACE) {
		/* A list may go on over several lines, as in nft. */
		if (p->tok.kind == FW_TOK_EOL) {
			advance(p);
			continue;
		}
		if (p->tok.kind == FW_TOK_EOF)
			return perr(p, col_after_prev(p), "the list has no closing '}'");
		if (p->tok.kind == FW_TOK_ERROR)
			return -EINVAL;
		e = add_elem(l);
		if (!e)
			return -ENOMEM;
		e->pos = tok_pos(&p->tok);
		e->src = fw_lexer_line(&p->lx, &e->src_len);
		e->is_addr = want == LIST_ADDRS || (want == LIST_ANY && p->tok.kind == FW_TOK_ADDR);
		r = e->is_addr ? parse_one_addr(p, after, &e->addr)
		               : parse_one_port(p, after, &e->lo, &e->hi);
		if (r)
			return r;
		after = "','";
		if (p->tok.kind == FW_TOK_COMMA) {
			advance(p);
			continue;
		}
		if (p->tok.kind == FW_TOK_EOL) /* the comma may end a line or not */
			continue;
		if (p->tok.kind != FW_TOK_RBRACE) {
			char what[64];

			describe(&p->tok, what, sizeof(what));
			return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
			            "expected ',' or '}' in the list, got %s", what);
		}
	}
	p->in_list = 0;
	advance(p);
	return 0;
}

/* `@name`, from the '@' on. */
static int parse_setref(struct fw_parser *p, char name[XDPFW_NAME_MAX])
{
	char what[64];

	advance(p);
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind != FW_TOK_WORD || p->prev.col + 1 != p->tok.col)
		return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
		            "expected a set name right after '@', got %s", what);
	if (p->tok.len >= XDPFW_NAME_MAX)
		return perr(p, p->tok.col, "set name longer than %d bytes", XDPFW_NAME_MAX - 1);
	memcpy(name, p->tok.text, p->tok.len);
	name[p->tok.len] = '\0';
	advance(p);
	return 0;
}

static int parse_prefix_len(struct fw_parser *p, struct fw_ast_prefix *a)
{
	unsigned int max = a->family == XDPFW_FAMILY_IPV4 ? 32 : 128;
	struct fw_token slash = p->tok;
	char what[64];
	int r;

	advance(p);
	r = need_arg(p, &slash, "prefix length");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind != FW_TOK_NUMBER)
		return perr(p, p->tok.col, "expected a prefix length after '/', got %s", what);
	if (p->tok.num > max)
		return perr(p, p->tok.col, "prefix length %.*s out of range for %s (0-%u)",
		            echo_len(p->tok.len), p->tok.text,
		            a->family == XDPFW_FAMILY_IPV4 ? "IPv4" : "IPv6", max);
	a->len = (uint8_t)p->tok.num;
	advance(p);
	return 0;
}

static int parse_addr(struct fw_parser *p, struct fw_stmt *st, enum fw_match_kind kind)
{
	struct fw_token kw = p->tok;
	struct fw_ast_match *m;
	char after[16];
	bool negate = false;
	int r;

	advance(p);
	if (p->tok.kind == FW_TOK_NE) {
		negate = true;
		advance(p);
	}
	r = need_arg(p, &kw, "address");
	if (r)
		return r;
	m = add_match(st, kind, &kw);
	if (!m)
		return -ENOMEM;
	m->arg = tok_pos(&p->tok);
	m->negate = negate;
	if (p->tok.kind == FW_TOK_LBRACE) {
		m->is_list = true;
		return parse_list(p, LIST_ADDRS, &m->list);
	}
	if (p->tok.kind == FW_TOK_AT)
		return parse_setref(p, m->setref);
	snprintf(after, sizeof(after), "'%.*s'", (int)kw.len, kw.text);
	return parse_one_addr(p, after, &m->addr);
}

/* What a numeric range argument is called in messages, and its bounds. */
struct range_kind {
	const char *noun; /* "port", "length", ... */
	uint64_t max;
	bool single; /* no LO-HI form */
};

static const struct range_kind port_range = {"port", 65535, false};

/*
 * "22" or "8000-8099" (the range arrives as one word from the lexer), for
 * ports and for len/ttl/hoplimit/vlan; `!=` may come first where negate is
 * allowed.
 */
static int parse_range(struct fw_parser *p, struct fw_stmt *st, enum fw_match_kind kind,
                       const struct range_kind *rk, bool negatable)
{
	struct fw_token kw = p->tok, *t;
	struct fw_ast_match *m;
	const char *dash = NULL;
	bool negate = false;
	uint64_t lo, hi;
	char what[64];
	size_t lo_len;
	int r;

	advance(p);
	if (negatable && p->tok.kind == FW_TOK_NE) {
		negate = true;
		advance(p);
	}
	r = need_arg(p, &kw, rk->noun);
	if (r)
		return r;
	t = &p->tok;
	/* Ports also come as a list or a set. */
	if (negatable && (t->kind == FW_TOK_LBRACE || t->kind == FW_TOK_AT)) {
		m = add_match(st, kind, &kw);
		if (!m)
			return -ENOMEM;
		m->arg = tok_pos(t);
		m->negate = negate;
		if (t->kind == FW_TOK_AT)
			return parse_setref(p, m->setref);
		m->is_list = true;
		return parse_list(p, LIST_PORTS, &m->list);
	}
	describe(t, what, sizeof(what));
	if (t->kind == FW_TOK_WORD && !rk->single)
		dash = memchr(t->text, '-', t->len);
	lo_len = dash ? (size_t)(dash - t->text) : t->len;
	if ((t->kind != FW_TOK_NUMBER && !dash) || parse_digits(t->text, lo_len, &lo) ||
	    (dash && parse_digits(dash + 1, t->len - lo_len - 1, &hi))) {
		if (rk->single)
			return perr(p, t->col, "expected a %s after '%.*s', got %s", rk->noun,
			            (int)kw.len, kw.text, what);
		return perr(p, t->col, "expected a %s or %s range after '%.*s', got %s", rk->noun,
		            rk->noun, (int)kw.len, kw.text, what);
	}
	if (!dash)
		hi = lo;
	if (lo > rk->max)
		return perr(p, t->col, "%s %.*s out of range (0-%llu)", rk->noun, echo_len(lo_len),
		            t->text, (unsigned long long)rk->max);
	if (hi > rk->max)
		return perr(p, t->col + (unsigned int)lo_len + 1, "%s %.*s out of range (0-%llu)",
		            rk->noun, echo_len(t->len - lo_len - 1), dash + 1,
		            (unsigned long long)rk->max);
	if (lo > hi)
		return perr(p, t->col, "%s range %.*s is reversed", rk->noun, echo_len(t->len),
		            t->text);
	m = add_match(st, kind, &kw);
	if (!m)
		return -ENOMEM;
	m->arg = tok_pos(t);
	m->negate = negate;
	m->port.lo = (uint16_t)lo;
	m->port.hi = (uint16_t)hi;
	advance(p);
	return 0;
}

static const struct {
	const char *name;
	uint8_t bit;
} tcp_flag_names[] = {
    {"fin", XDPFW_TCP_FIN}, {"syn", XDPFW_TCP_SYN}, {"rst", XDPFW_TCP_RST}, {"psh", XDPFW_TCP_PSH},
    {"ack", XDPFW_TCP_ACK}, {"urg", XDPFW_TCP_URG}, {"ece", XDPFW_TCP_ECE}, {"cwr", XDPFW_TCP_CWR},
};

const char *fw_tcp_flag_name(unsigned int bit)
{
	for (size_t i = 0; i < sizeof(tcp_flag_names) / sizeof(tcp_flag_names[0]); i++)
		if (tcp_flag_names[i].bit == bit)
			return tcp_flag_names[i].name;
	return NULL;
}

/*
 * flags syn,!ack: the named bits must be set, the !-named ones clear, the
 * rest are free (nft: tcp flags & (syn|ack) == syn). One word per flag,
 * separated by commas without spaces or with: "syn, !ack" reads the same.
 */
static int parse_tcp_flags(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok;
	struct fw_ast_match *m;
	uint8_t mask = 0, value = 0;
	struct fw_pos arg;
	char what[64];
	int r;

	advance(p);
	r = need_arg(p, &kw, "TCP flags");
	if (r)
		return r;
	arg = tok_pos(&p->tok);
	for (;;) {
		bool clear = false;
		size_t i, n = sizeof(tcp_flag_names) / sizeof(tcp_flag_names[0]);

		if (p->tok.kind == FW_TOK_BANG) {
			clear = true;
			advance(p);
		}
		describe(&p->tok, what, sizeof(what));
		for (i = 0; i < n && !is_word(&p->tok, tcp_flag_names[i].name); i++)
			;
		if (i == n)
			return perr(
			    p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
			    "expected a TCP flag (fin, syn, rst, psh, ack, urg, ece, cwr), got %s",
			    what);
		if (mask & tcp_flag_names[i].bit)
			return perr(p, p->tok.col, "TCP flag %s given twice",
			            tcp_flag_names[i].name);
		mask |= tcp_flag_names[i].bit;
		if (!clear)
			value |= tcp_flag_names[i].bit;
		advance(p);
		if (p->tok.kind != FW_TOK_COMMA)
			break;
		advance(p);
	}
	m = add_match(st, FW_MATCH_TCPFLAGS, &kw);
	if (!m)
		return -ENOMEM;
	m->arg = arg;
	m->tcp.mask = mask;
	m->tcp.value = value;
	return 0;
}

/* ICMP and ICMPv6 type names, as nftables spells them. */
static const struct {
	const char *name;
	int16_t v4, v6;
} icmp_type_names[] = {
    {"echo-reply", 0, 129},
    {"destination-unreachable", 3, 1},
    {"source-quench", 4, -1},
    {"redirect", 5, -1},
    {"echo-request", 8, 128},
    {"router-advertisement", 9, -1},
    {"router-solicitation", 10, -1},
    {"time-exceeded", 11, 3},
    {"parameter-problem", 12, 4},
    {"timestamp-request", 13, -1},
    {"timestamp-reply", 14, -1},
    {"info-request", 15, -1},
    {"info-reply", 16, -1},
    {"address-mask-request", 17, -1},
    {"address-mask-reply", 18, -1},
    {"packet-too-big", -1, 2},
    {"mld-listener-query", -1, 130},
    {"mld-listener-report", -1, 131},
    {"mld-listener-done", -1, 132},
    {"mld-listener-reduction", -1, 132},
    {"nd-router-solicit", -1, 133},
    {"nd-router-advert", -1, 134},
    {"nd-neighbor-solicit", -1, 135},
    {"nd-neighbor-advert", -1, 136},
    {"nd-redirect", -1, 137},
    {"router-renumbering", -1, 138},
    {"mld2-listener-report", -1, 143},
};

int fw_icmp_type_lookup(unsigned int family, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(icmp_type_names) / sizeof(icmp_type_names[0]); i++) {
		int v = family == XDPFW_FAMILY_IPV6 ? icmp_type_names[i].v6 : icmp_type_names[i].v4;

		if (v >= 0 && word_eq(name, len, icmp_type_names[i].name))
			return v;
	}
	return -1;
}

int fw_tcp_flag_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(tcp_flag_names) / sizeof(tcp_flag_names[0]); i++)
		if (word_eq(name, len, tcp_flag_names[i].name))
			return tcp_flag_names[i].bit;
	return -1;
}

const char *fw_icmp_type_name(unsigned int family, unsigned int type)
{
	for (size_t i = 0; i < sizeof(icmp_type_names) / sizeof(icmp_type_names[0]); i++) {
		int v = family == XDPFW_FAMILY_IPV6 ? icmp_type_names[i].v6 : icmp_type_names[i].v4;

		if (v == (int)type)
			return icmp_type_names[i].name;
	}
	return NULL;
}

static int parse_icmp_type(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok;
	struct fw_ast_match *m;
	int16_t v4 = -1, v6 = -1;
	char what[64];
	size_t i, n = sizeof(icmp_type_names) / sizeof(icmp_type_names[0]);
	int r;

	advance(p);
	r = need_arg(p, &kw, "ICMP type");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind == FW_TOK_NUMBER) {
		if (p->tok.num > 255)
			return perr(p, p->tok.col, "ICMP type %.*s out of range (0-255)",
			            echo_len(p->tok.len), p->tok.text);
		v4 = v6 = (int16_t)p->tok.num;
	} else {
		for (i = 0; i < n && !is_word(&p->tok, icmp_type_names[i].name); i++)
			;
		if (i == n)
			return perr(
			    p, p->tok.col,
			    "expected an ICMP type name (echo-request, ...) or number, got %s",
			    what);
		v4 = icmp_type_names[i].v4;
		v6 = icmp_type_names[i].v6;
	}
	m = add_match(st, FW_MATCH_ICMPTYPE, &kw);
	if (!m)
		return -ENOMEM;
	m->arg = tok_pos(&p->tok);
	m->icmp.v4 = v4;
	m->icmp.v6 = v6;
	advance(p);
	return 0;
}

/* A keyword that is the whole match: ip, ip6, tcp, udp, icmp, icmpv6. */
static int parse_flag_word(struct fw_parser *p, struct fw_stmt *st, enum fw_match_kind kind,
                           uint8_t value)
{
	struct fw_ast_match *m = add_match(st, kind, &p->tok);

	if (!m)
		return -ENOMEM;
	if (kind == FW_MATCH_FAMILY)
		m->family = value;
	else
		m->proto = value;
	advance(p);
	return 0;
}

/*
 * name "TEXT": the rule's stable identity (its counters carry over a reload).
 * Printable ASCII without quotes or backslashes, so that it prints back as
 * written and fits the fixed-size field in struct xdpfw_rule.
 */
static int parse_name(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok;
	const struct fw_token *t = &p->tok;
	size_t len;
	int r;

	advance(p);
	r = need_arg(p, &kw, "a quoted name");
	if (r)
		return r;
	if (t->kind != FW_TOK_STRING)
		return perr(p, t->col, "expected a quoted name after 'name', as in name \"ssh\"");
	if (st->name[0])
		return perr(p, kw.col, "duplicate name (first at column %u)", st->name_pos.col);
	len = t->len - 2;
	if (len == 0)
		return perr(p, t->col, "empty name");
	if (len >= XDPFW_NAME_MAX)
		return perr(p, t->col, "name longer than %d bytes", XDPFW_NAME_MAX - 1);
	for (size_t i = 1; i <= len; i++) {
		unsigned char c = (unsigned char)t->text[i];

		if (c < 0x20 || c > 0x7e || c == '\\' || c == '"')
			return perr(p, t->col + (unsigned int)i,
			            "names are printable ASCII without quotes or backslashes");
	}
	memcpy(st->name, t->text + 1, len);
	st->name[len] = '\0';
	st->name_pos = tok_pos(&kw);
	advance(p);
	return 0;
}

/*
 * Units of a rate, written right after its number ("50k", "10mbit") or as
 * the next word, as nft writes them ("10 mbytes/second"). Packet counts
 * take SI multipliers; bit rates are SI as link speeds and tc are
 * (1kbit = 1000 bits = 125 bytes), byte units binary as in nftables
 * (1kbytes = 1024 bytes). A plain bit is left out: it is no whole byte.
 */
struct fw_unit {
	const char *name;
	uint64_t mult; /* packets or bytes per unit */
	bool bytes;
};

static const struct fw_unit rate_units[] = {
    {"", 1, false},
    {"k", 1000, false},
    {"m", 1000000, false},
    {"g", 1000000000, false},
    {"kbit", 125, true},
    {"mbit", 125000, true},
    {"gbit", 125000000, true},
    {"byte", 1, true},
    {"bytes", 1, true},
    {"kbyte", 1024, true},
    {"kbytes", 1024, true},
    {"mbyte", 1u << 20, true},
    {"mbytes", 1u << 20, true},
    {"gbyte", 1u << 30, true},
    {"gbytes", 1u << 30, true},
};
#define RATE_UNITS "k, m, g, kbit, mbit, gbit, bytes, kbytes, mbytes or gbytes"

/* A burst counts what its rate counts; a unit only says which, and scales. */
static const struct fw_unit burst_units[] = {
    {"", 1, false},
    {"packet", 1, false},
    {"packets", 1, false},
    {"byte", 1, true},
    {"bytes", 1, true},
    {"kbyte", 1024, true},
    {"kbytes", 1024, true},
    {"mbyte", 1u << 20, true},
    {"mbytes", 1u << 20, true},
    {"gbyte", 1u << 30, true},
    {"gbytes", 1u << 30, true},
};
#define BURST_UNITS "packets, bytes, kbytes, mbytes or gbytes"

/* nft's period words, and their first letters. */
static const struct {
	const char *name;
	uint32_t seconds;
} periods[] = {
    {"s", 1},    {"second", 1},  {"m", 60},    {"minute", 60},
    {"h", 3600}, {"hour", 3600}, {"d", 86400}, {"day", 86400},
};

static const struct fw_unit *unit_find(const struct fw_unit *units, size_t n, const char *s,
                                       size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (word_eq(s, len, units[i].name))
			return &units[i];
	return NULL;
}

/* The digits a number or word starts with: "50k" has 2. */
static size_t lead_digits(const struct fw_token *t)
{
	size_t n = 0;

	if (t->kind != FW_TOK_NUMBER && t->kind != FW_TOK_WORD)
		return 0;
	while (n < t->len && t->text[n] >= '0' && t->text[n] <= '9')
		n++;
	return n;
}

/*
 * A number and its unit, the current token on: "50k", "10mbit", "10 mbytes",
 * "512 bytes". The unit may be the next word when the number has none; a
 * next word that is no unit is left for the caller. *v is the count times
 * the unit's multiplier. Returns 0, or -EINVAL after reporting; `noun`
 * names the amount in messages ("rate", "burst").
 */
static int parse_amount(struct fw_parser *p, const char *noun, const char *expected,
                        const struct fw_unit *units, size_t nunits, const char *unit_list,
                        uint64_t *v, const struct fw_unit **unit, struct fw_pos *pos,
                        struct fw_pos *unit_pos)
{
	const struct fw_token *t = &p->tok;
	size_t nd = lead_digits(t);
	const struct fw_unit *u;
	struct fw_token num;
	uint64_t n = 0;
	char what[64];

	describe(t, what, sizeof(what));
	if (!nd)
		return perr(p, t->col, "%s, got %s", expected, what);
	num = *t;
	parse_digits(t->text, nd, &n);
	*pos = tok_pos(t);
	unit_pos->line = t->line;
	unit_pos->col = t->col + (unsigned int)nd;
	u = unit_find(units, nunits, t->text + nd, t->len - nd);
	if (!u)
		return perr(p, unit_pos->col, "unknown %s unit '%.*s': expected %s", noun,
		            echo_len(t->len - nd), t->text + nd, unit_list);
	advance(p);
	if (nd == num.len && t->kind == FW_TOK_WORD) {
		const struct fw_unit *next = unit_find(units, nunits, t->text, t->len);

		if (next && next->name[0]) {
			u = next;
			*unit_pos = tok_pos(t);
			advance(p);
		}
	}
	if (n == 0)
		return perr(p, pos->col, "%s must be at least 1", noun);
	if (n > UINT64_MAX / u->mult)
		return perr(p, pos->col, "%s %.*s out of range", noun, echo_len(num.len), num.text);
	*v = n * u->mult;
	*unit = u;
	return 0;
}

/* RATE/PERIOD after `over`. */
static int parse_rate(struct fw_parser *p, struct fw_ast_limit *l)
{
	const struct fw_unit *u;
	struct fw_pos unit_pos;
	struct fw_token slash;
	char what[64];
	size_t i, n = sizeof(periods) / sizeof(periods[0]);
	int r;

	r = parse_amount(p, "rate", "expected a rate after 'over', as in 100/s, 50k/s or 10mbit/s",
	                 rate_units, sizeof(rate_units) / sizeof(rate_units[0]), RATE_UNITS,
	                 &l->rate, &u, &l->rate_pos, &unit_pos);
	if (r)
		return r;
	l->bytes = u->bytes;
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind == FW_TOK_ERROR)
		return -EINVAL;
	if (p->tok.kind == FW_TOK_EOL)
		return perr(p, col_after_prev(p), "missing /PERIOD after the rate, as in 100/s");
	if (p->tok.kind != FW_TOK_SLASH)
		return perr(p, p->tok.col, "expected /PERIOD after the rate, as in 100/s, got %s",
		            what);
	slash = p->tok;
	advance(p);
	r = need_arg(p, &slash, "period");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	for (i = 0; i < n && !is_word(&p->tok, periods[i].name); i++)
		;
	if (i == n)
		return perr(
		    p, p->tok.col,
		    "expected a period after '/': s, m, h or d (second, minute, hour, day), got %s",
		    what);
	l->period = periods[i].seconds;
	advance(p);
	return 0;
}

/* burst N [UNIT]: packets for a packet rate, bytes for a byte rate. */
static int parse_burst(struct fw_parser *p, struct fw_ast_limit *l)
{
	struct fw_token kw = p->tok;
	const struct fw_unit *u;
	struct fw_pos pos, unit_pos;
	uint64_t v;
	int r;

	if (l->burst_kw.line)
		return perr(p, kw.col, "duplicate burst (first at column %u)", l->burst_kw.col);
	advance(p);
	r = need_arg(p, &kw, "burst size");
	if (r)
		return r;
	r = parse_amount(p, "burst", "expected a burst size after 'burst', as in burst 100",
	                 burst_units, sizeof(burst_units) / sizeof(burst_units[0]), BURST_UNITS, &v,
	                 &u, &pos, &unit_pos);
	if (r)
		return r;
	/* A unit must agree with the rate; no unit means the rate's. */
	if (u->name[0] && u->bytes != l->bytes)
		return perr(p, unit_pos.col,
		            u->bytes ? "burst in bytes for a packet rate: give it in packets"
		                     : "burst in packets for a byte rate: give it in bytes");
	l->burst = v;
	l->burst_pos = pos;
	l->burst_kw = tok_pos(&kw);
	return 0;
}

/* per saddr[/LEN[/LEN6]]: one bucket per source prefix. */
static int parse_per(struct fw_parser *p, struct fw_ast_limit *l)
{
	struct fw_token kw = p->tok;
	char what[64];
	int r;

	if (l->per_pos.line)
		return perr(p, kw.col, "duplicate per (first at column %u)", l->per_pos.col);
	advance(p);
	r = need_arg(p, &kw, "saddr");
	if (r)
		return r;
	if (!is_word(&p->tok, "saddr")) {
		describe(&p->tok, what, sizeof(what));
		return perr(p, p->tok.col, "expected saddr after 'per', got %s", what);
	}
	l->per_pos = tok_pos(&kw);
	advance(p);
	while (p->tok.kind == FW_TOK_SLASH && l->nlens < 2) {
		struct fw_token slash = p->tok;
		const struct fw_token *t = &p->tok;

		advance(p);
		r = need_arg(p, &slash, "prefix length");
		if (r)
			return r;
		describe(t, what, sizeof(what));
		if (t->kind != FW_TOK_NUMBER)
			return perr(p, t->col, "expected a prefix length after '/', got %s", what);
		if (t->num == 0)
			return perr(
			    p, t->col,
			    "prefix length 0 puts every source in one bucket: leave out per");
		if (l->nlens == 1 && l->len[0] > 32)
			return perr(p, l->len_pos[0].col,
			            "prefix length %u out of range for IPv4 (1-32)", l->len[0]);
		if (t->num > 128)
			return perr(p, t->col, "prefix length %.*s out of range%s (1-128)",
			            echo_len(t->len), t->text, l->nlens ? " for IPv6" : "");
		l->len_pos[l->nlens] = tok_pos(t);
		l->len[l->nlens++] = (uint8_t)t->num;
		advance(p);
	}
	return 0;
}

/* limit over RATE [burst N] [per saddr[/LEN[/LEN6]]], burst and per in
 * either order. */
static int parse_limit(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok, over;
	struct fw_ast_limit *l = &st->limit;
	char what[64];
	int r;

	if (l->pos.line)
		return perr(p, kw.col, "duplicate limit (first at column %u)", l->pos.col);
	advance(p);
	r = need_arg(p, &kw, "over RATE");
	if (r)
		return r;
	if (!is_word(&p->tok, "over")) {
		describe(&p->tok, what, sizeof(what));
		return perr(p, p->tok.col,
		            "expected over after 'limit', got %s: a limit matches the excess, as "
		            "in limit over 100/s",
		            what);
	}
	over = p->tok;
	advance(p);
	r = need_arg(p, &over, "rate");
	if (r)
		return r;
	r = parse_rate(p, l);
	if (r)
		return r;
	for (;;) {
		if (is_word(&p->tok, "burst"))
			r = parse_burst(p, l);
		else if (is_word(&p->tok, "per"))
			r = parse_per(p, l);
		else
			break;
		if (r)
			return r;
	}
	l->pos = tok_pos(&kw);
	return 0;
}

static int parse_match(struct fw_parser *p, struct fw_stmt *st)
{
	const struct fw_token *t = &p->tok;
	char what[64];
	int r;

	if (is_word(t, "ip"))
		return parse_flag_word(p, st, FW_MATCH_FAMILY, XDPFW_FAMILY_IPV4);
	if (is_word(t, "ip6"))
		return parse_flag_word(p, st, FW_MATCH_FAMILY, XDPFW_FAMILY_IPV6);
	if (is_word(t, "tcp") || is_word(t, "udp") || is_word(t, "icmp") || is_word(t, "icmpv6"))
		return parse_flag_word(p, st, FW_MATCH_PROTO,
		                       (uint8_t)fw_proto_lookup(t->text, t->len));
	if (is_word(t, "proto"))
		return parse_proto(p, st);
	if (is_word(t, "saddr"))
		return parse_addr(p, st, FW_MATCH_SADDR);
	if (is_word(t, "daddr"))
		return parse_addr(p, st, FW_MATCH_DADDR);
	if (is_word(t, "sport"))
		return parse_range(p, st, FW_MATCH_SPORT, &port_range, true);
	if (is_word(t, "dport"))
		return parse_range(p, st, FW_MATCH_DPORT, &port_range, true);
	if (is_word(t, "flags"))
		return parse_tcp_flags(p, st);
	if (is_word(t, "type"))
		return parse_icmp_type(p, st);
	if (is_word(t, "vlan")) {
		static const struct range_kind vlan = {"VLAN id", 4095, true};

		return parse_range(p, st, FW_MATCH_VLAN, &vlan, false);
	}
	if (is_word(t, "len")) {
		static const struct range_kind len = {"length", 65535, false};

		return parse_range(p, st, FW_MATCH_LEN, &len, false);
	}
	if (is_word(t, "ttl") || is_word(t, "hoplimit")) {
		static const struct range_kind ttl = {"TTL", 255, false};
		static const struct range_kind hl = {"hop limit", 255, false};
		uint8_t family = is_word(t, "ttl") ? XDPFW_FAMILY_IPV4 : XDPFW_FAMILY_IPV6;

		r = parse_range(p, st, FW_MATCH_TTL, family == XDPFW_FAMILY_IPV4 ? &ttl : &hl,
		                false);
		if (!r)
			st->matches[st->nmatches - 1].ttl_family = family;
		return r;
	}
	if (is_word(t, "fragment")) {
		if (!add_match(st, FW_MATCH_FRAGMENT, t))
			return -ENOMEM;
		advance(p);
		return 0;
	}
	if (is_word(t, "name"))
		return parse_name(p, st);
	if (is_word(t, "limit"))
		return parse_limit(p, st);
	if (is_word(t, "log")) {
		st->log = true;
		advance(p);
		return 0;
	}
	if (t->kind == FW_TOK_ERROR)
		return -EINVAL;
	describe(t, what, sizeof(what));
	if (t->kind == FW_TOK_WORD)
		return perr(p, t->col, "unknown word %s: expected " MATCH_WORDS, what);
	return perr(p, t->col, "unexpected %s: expected " MATCH_WORDS, what);
}

/* pass|drop as the argument of a setting, or as a rule's verb. */
static int action_of(const struct fw_token *t)
{
	if (is_word(t, "pass"))
		return XDPFW_ACT_PASS;
	if (is_word(t, "drop"))
		return XDPFW_ACT_DROP;
	return -1;
}

static int parse_setting(struct fw_parser *p, struct fw_stmt *st, enum fw_setting setting)
{
	struct fw_token kw = p->tok;
	char what[64];
	int action, r;

	st->kind = FW_STMT_SETTING;
	st->setting = setting;
	advance(p);
	r = need_arg(p, &kw, "pass or drop");
	if (r)
		return r;
	action = action_of(&p->tok);
	describe(&p->tok, what, sizeof(what));
	if (action < 0)
		return perr(p, p->tok.col, "expected pass or drop after '%s', got %s",
		            fw_setting_name(setting), what);
	st->action = (uint8_t)action;
	advance(p);
	if (p->tok.kind == FW_TOK_ERROR)
		return -EINVAL;
	if (p->tok.kind != FW_TOK_EOL) {
		describe(&p->tok, what, sizeof(what));
		return perr(p, p->tok.col, "expected end of line, got %s", what);
	}
	return 0;
}

/*
 * limit-sources N (entries of the per-source bucket map) and limit-full
 * over|within (what a packet without a bucket counts as).
 */
static int parse_limit_setting(struct fw_parser *p, struct fw_stmt *st, enum fw_setting setting)
{
	struct fw_token kw = p->tok;
	bool sources = setting == FW_SETTING_LIMIT_SOURCES;
	char what[64];
	int r;

	st->kind = FW_STMT_SETTING;
	st->setting = setting;
	advance(p);
	r = need_arg(p, &kw, sources ? "a number of sources" : "over or within");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	if (sources) {
		if (p->tok.kind != FW_TOK_NUMBER)
			return perr(p, p->tok.col,
			            "expected a number of sources after 'limit-sources', got %s",
			            what);
		if (p->tok.num < 1 || p->tok.num > XDPFW_LIMIT_SOURCES_MAX)
			return perr(p, p->tok.col, "limit-sources %.*s out of range (1-%u)",
			            echo_len(p->tok.len), p->tok.text, XDPFW_LIMIT_SOURCES_MAX);
		st->value = (uint32_t)p->tok.num;
	} else if (is_word(&p->tok, "over")) {
		st->value = XDPFW_LIMIT_FULL_OVER;
	} else if (is_word(&p->tok, "within")) {
		st->value = XDPFW_LIMIT_FULL_WITHIN;
	} else {
		return perr(p, p->tok.col, "expected over or within after 'limit-full', got %s",
		            what);
	}
	advance(p);
	if (p->tok.kind == FW_TOK_ERROR)
		return -EINVAL;
	if (p->tok.kind != FW_TOK_EOL) {
		describe(&p->tok, what, sizeof(what));
		return perr(p, p->tok.col, "expected end of line, got %s", what);
	}
	return 0;
}

/*
 * set NAME = { MEMBER, ... }  or  set NAME = file "PATH". Members are
 * addresses or ports; the compiler checks that they agree.
 */
static int parse_set(struct fw_parser *p, struct fw_stmt *st)
{
	struct fw_token kw = p->tok;
	char what[64];
	int r;

	st->kind = FW_STMT_SET;
	advance(p);
	r = need_arg(p, &kw, "set name");
	if (r)
		return r;
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind != FW_TOK_WORD || !isalpha((unsigned char)p->tok.text[0]))
		return perr(p, p->tok.col,
		            "expected a set name (a word starting with a letter), got %s", what);
	if (p->tok.len >= XDPFW_NAME_MAX)
		return perr(p, p->tok.col, "set name longer than %d bytes", XDPFW_NAME_MAX - 1);
	memcpy(st->name, p->tok.text, p->tok.len);
	st->name[p->tok.len] = '\0';
	st->name_pos = tok_pos(&p->tok);
	advance(p);
	describe(&p->tok, what, sizeof(what));
	if (p->tok.kind != FW_TOK_EQ)
		return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
		            "expected '=' after the set name, got %s", what);
	advance(p);
	if (is_word(&p->tok, "file")) {
		struct fw_token f = p->tok;

		advance(p);
		describe(&p->tok, what, sizeof(what));
		if (p->tok.kind != FW_TOK_STRING)
			return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
			            "expected a quoted path after '%.*s', got %s", (int)f.len,
			            f.text, what);
		st->set_file = strndup(p->tok.text + 1, p->tok.len - 2);
		if (!st->set_file)
			return -ENOMEM;
		st->set_file_pos = tok_pos(&p->tok);
		advance(p);
	} else if (p->tok.kind == FW_TOK_LBRACE) {
		r = parse_list(p, LIST_ANY, &st->set);
		if (r)
			return r;
	} else {
		return perr(p, p->tok.kind == FW_TOK_EOL ? col_after_prev(p) : p->tok.col,
		            "expected '{' or file \"PATH\" after '=', got %s", what);
	}
	if (p->tok.kind != FW_TOK_EOL) {
		describe(&p->tok, what, sizeof(what));
		return perr(p, p->tok.col, "unexpected %s after the set", what);
	}
	return 0;
}

static int parse_stmt(struct fw_parser *p, struct fw_stmt *st)
{
	const struct fw_token *t = &p->tok;
	char what[64];
	int action, r;

	st->pos = tok_pos(t);
	st->src = fw_lexer_line(&p->lx, &st->src_len);
	if (t->kind == FW_TOK_ERROR)
		return -EINVAL;
	if (is_word(t, "policy"))
		return parse_setting(p, st, FW_SETTING_POLICY);
	if (is_word(t, "nonip"))
		return parse_setting(p, st, FW_SETTING_NONIP);
	if (is_word(t, "malformed"))
		return parse_setting(p, st, FW_SETTING_MALFORMED);
	if (is_word(t, "limit-sources"))
		return parse_limit_setting(p, st, FW_SETTING_LIMIT_SOURCES);
	if (is_word(t, "limit-full"))
		return parse_limit_setting(p, st, FW_SETTING_LIMIT_FULL);
	if (is_word(t, "set"))
		return parse_set(p, st);

	action = action_of(t);
	if (action < 0) {
		describe(t, what, sizeof(what));
		return perr(p, t->col, "%s %s: expected " STMT_WORDS,
		            t->kind == FW_TOK_WORD ? "unknown word" : "unexpected", what);
	}
	st->kind = FW_STMT_RULE;
	st->action = (uint8_t)action;
	advance(p);
	while (p->tok.kind != FW_TOK_EOL) {
		r = parse_match(p, st);
		if (r)
			return r;
	}
	return 0;
}

int fw_parser_addr_lines(struct fw_parser *p, struct fw_ast_list *l)
{
	struct fw_ast_elem *e;
	char what[64];
	int r;

	advance(p);
	while (p->tok.kind != FW_TOK_EOF) {
		if (p->tok.kind == FW_TOK_EOL) {
			advance(p);
			continue;
		}
		r = -EINVAL; /* a lexer fault: reported, skip the line */
		if (p->tok.kind != FW_TOK_ERROR) {
			e = add_elem(l);
			if (!e)
				return -ENOMEM;
			e->pos = tok_pos(&p->tok);
			e->src = fw_lexer_line(&p->lx, &e->src_len);
			e->is_addr = true;
			r = parse_one_addr(p, NULL, &e->addr);
			if (!r && p->tok.kind != FW_TOK_EOL) {
				describe(&p->tok, what, sizeof(what));
				r = perr(p, p->tok.col,
				         "one address or prefix per line; unexpected %s", what);
			}
			if (r == -ENOMEM)
				return r;
			if (r)
				l->n--;
		}
		if (r && p->tok.kind != FW_TOK_EOL && p->tok.kind != FW_TOK_EOF) {
			fw_lexer_skip_line(&p->lx);
			advance(p);
		}
	}
	return 0;
}

int fw_parser_next(struct fw_parser *p, struct fw_stmt *st)
{
	bool broken;
	int r;

	/* The line end of the previous statement is consumed only now, so
	 * the next line is not lexed (and its faults not reported) before
	 * the caller has dealt with the previous statement. */
	if (!p->started || p->tok.kind == FW_TOK_EOL) {
		p->started = 1;
		advance(p);
	}
	for (;;) {
		if (p->tok.kind == FW_TOK_EOF)
			return 0;
		if (p->tok.kind == FW_TOK_EOL) {
			advance(p);
			continue;
		}
		memset(st, 0, sizeof(*st));
		r = parse_stmt(p, st);
		if (!r)
			return 1;
		fw_stmt_free(st);
		if (r != -EINVAL)
			return r;
		/* A set that failed still gets its name defined (st->broken),
		 * so the rules using it add no "no such set" of their own. */
		broken = st->kind == FW_STMT_SET && st->name[0];
		/* A fault inside a list spanning lines: skip to its end, or
		 * every member line after it would be a fault of its own. */
		while (p->in_list && p->tok.kind != FW_TOK_RBRACE && p->tok.kind != FW_TOK_EOF)
			advance(p);
		if (p->in_list && p->tok.kind == FW_TOK_RBRACE)
			advance(p);
		p->in_list = 0;
		if (p->tok.kind != FW_TOK_EOL && p->tok.kind != FW_TOK_EOF) {
			fw_lexer_skip_line(&p->lx);
			advance(p);
		}
		if (broken) {
			st->broken = true;
			return 1;
		}
	}
}
