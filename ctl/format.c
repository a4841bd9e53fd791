// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * format.c - compiled rules back in the rule language (ruleset.h:
 * fw_rule_format and friends), for fwctl show, stats and explain, and for
 * the lints' messages. What it prints parses back to the same rule.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "ruleset.h"
#include "util.h"

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

/* A port or value range: "22" or "8000-8099". */
static void out_range(struct fmt_out *o, unsigned int lo, unsigned int hi)
{
	if (lo == hi)
		out_add(o, "%u", lo);
	else
		out_add(o, "%u-%u", lo, hi);
}

static void out_ports(struct fmt_out *o, const char *word, unsigned int lo, unsigned int hi)
{
	out_add(o, " %s ", word);
	out_range(o, lo, hi);
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

/* One address set member as written: the address, /LEN unless a host. */
static void out_set_addr(struct fmt_out *o, const struct xdpfw_set_entry *e)
{
	char text[INET6_ADDRSTRLEN];
	int af = e->family == XDPFW_FAMILY_IPV6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, e->addr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	if (e->len == (af == AF_INET6 ? 128 : 32))
		out_add(o, "%s", text);
	else
		out_add(o, "%s/%u", text, e->len);
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
		const struct xdpfw_set_entry *e;
		__u32 n;

		e = fw_ruleset_addr_set(rs, id, &n);
		for (__u32 i = 0; i < n; i++) {
			out_add(o, "%s", sep);
			out_set_addr(o, &e[i]);
			sep = ", ";
		}
	} else {
		const struct xdpfw_port_entry *e;
		__u32 n;

		e = fw_ruleset_port_set(rs, id, &n);
		for (__u32 i = 0; i < n; i++) {
			out_add(o, "%s", sep);
			out_range(o, e[i].lo, e[i].hi);
			sep = ", ";
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
		out_amount(o, " %llu%s", l->rate, bytes, ARRAY_SIZE(bytes));
	else
		out_amount(o, " %llu%s", l->rate, packets, ARRAY_SIZE(packets));
	out_add(o, "/%c", period);
	if (b)
		out_amount(o, " burst %llu%s", l->burst, burst_bytes, ARRAY_SIZE(burst_bytes));
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
	if (has_family && (r->match & XDPFW_M_PROTO) && fw_proto_family(r->proto) == r->family)
		implied = 1;

	out_add(&o, "%s", fw_action_name(r->action));
	if (has_family && !implied &&
	    (r->family == XDPFW_FAMILY_IPV4 || r->family == XDPFW_FAMILY_IPV6))
		out_add(&o, " %s", fw_family_word(r->family));
	if (r->match & XDPFW_M_PROTO) {
		name = fw_proto_name(r->proto);
		if (r->proto == FW_PROTO_TCP || r->proto == FW_PROTO_UDP ||
		    r->proto == FW_PROTO_ICMP || r->proto == FW_PROTO_ICMPV6)
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
