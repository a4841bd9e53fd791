// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* explain.c - see explain.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "escape.h"
#include "explain.h"
#include "loader.h"
#include "log.h"
#include "model.h"
#include "parser.h"
#include "print.h"
#include "ruleset.h"

#define PROTO_ICMP       1
#define PROTO_TCP        6
#define PROTO_UDP        17
#define PROTO_ICMPV6     58
#define PROTO_EXPERIMENT 253 /* RFC 3692: the protocol of a packet that names none */

#define DEFAULT_SPORT       40000 /* ephemeral range (RFC 6335) */
#define DEFAULT_DPORT       40001
#define DEFAULT_TTL         64 /* Linux's default */
#define TCP_SYN             0x02
#define ICMP_ECHO_REQUEST   8
#define ICMPV6_ECHO_REQUEST 128
#define ETH_MIN_FRAME       60 /* IEEE 802.3 minimum without the FCS: shorter frames get padded */
#define ETH_HLEN            14
#define LATER_FRAG_OFFSET   185 /* 1480 / 8: the second fragment of a 1500-byte MTU datagram */
#define LATER_FRAG_PAYLOAD  8

#define PACKET_WORDS                                                                               \
	"ip, ip6, tcp, udp, icmp, icmpv6, proto, saddr, daddr, sport, dport, flags, type, code, "  \
	"vlan, fragment, ttl, len or hex"

/* ------------------------------------------------------------------------ */
/* A packet description in words                                            */

struct pkt_desc {
	int family;            /* 4 or 6 once resolved; 0: not yet known */
	const char *family_by; /* the word that decided it, for conflicts */
	int proto;             /* -1: none given */
	const char *proto_word;
	int proto_implies;         /* family the protocol word implies (icmp, icmpv6), or 0 */
	const char *saddr, *daddr; /* as given, or NULL */
	int saddr_family, daddr_family;
	int sport, dport; /* -1: not given */
	int flags;        /* -1: not given */
	const char *type; /* ICMP type as given; resolved with the family */
	int icmp_type, icmp_code;
	int vlan[XDPFW_MAX_VLAN_TAGS];
	int nvlan;
	int fragment; /* 0 none, 1 first, 2 later */
	const char *fragment_word;
	int ttl, len;          /* -1: not given */
	const char *hex_words; /* non-NULL: the frame is given as hex */
};

static int bad_word(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line naming the offending word; always -EINVAL. */
static int bad_word(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fw_uerr_r(EINVAL, "bad packet: %s", msg);
}

/* A decimal number no larger than max. */
static int number(const char *s, unsigned long max, int *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int once(int given, const char *word)
{
	return given ? bad_word("'%s' given twice; give it once", word) : 0;
}

static int set_family(struct pkt_desc *d, int family, const char *word)
{
	if (d->family && d->family != family)
		return bad_word(
		    "'%s' makes the packet IPv%d, but '%s' made it IPv%d; drop one of them", word,
		    family, d->family_by, d->family);
	d->family = family;
	d->family_by = word;
	return 0;
}

static int parse_tcp_flags(const char *list, int *out)
{
	char buf[128], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return bad_word("flags '%.40s...': too long", list);
	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int bit = fw_tcp_flag_lookup(tok, strlen(tok));

		if (bit < 0)
			return bad_word("flags '%s': unknown flag '%s'; expected a comma-separated "
			                "list of fin, syn, rst, psh, ack, urg, ece, cwr",
			                list, tok);
		*out |= bit;
	}
	return 0;
}

static int parse_addr(const char *word, const char *text, int *family)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, text, buf) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, text, buf) == 1)
		*family = 6;
	else
		return bad_word("%s '%s': expected an IPv4 or IPv6 address (no prefix length: a "
		                "packet has one address)",
		                word, text);
	return 0;
}

/* The words themselves: each known, each value well-formed, none twice. */
/* A protocol word (tcp, udp, icmp, icmpv6, or proto VAL): 1 when word is
 * one (*used: 1 when it took val), 0 when it is not, or -EINVAL. */
static int desc_proto(const char *word, const char *val, struct pkt_desc *d, int *used)
{
	int proto = -1;

	*used = 0;
	if (!strcmp(word, "tcp") || !strcmp(word, "udp") || !strcmp(word, "icmp") ||
	    !strcmp(word, "icmpv6")) {
		proto = fw_proto_lookup(word, strlen(word));
	} else if (!strcmp(word, "proto")) {
		if (!val)
			return bad_word("'proto' needs a protocol number (0-255) or name");
		proto = fw_proto_lookup(val, strlen(val));
		if (proto < 0 && number(val, 255, &proto))
			return bad_word(
			    "proto '%s': expected a protocol number (0-255) or name (tcp, "
			    "udp, icmp, icmpv6, gre, esp, ah, sctp, ...)",
			    val);
		*used = 1;
	} else {
		return 0;
	}
	if (d->proto >= 0)
		return bad_word("'%s': the protocol was already given as '%s'; give one", word,
		                d->proto_word);
	d->proto = proto;
	d->proto_word = word;
	/* icmp means ICMP for IPv4, icmpv6 ICMP for IPv6; a bare number is
	 * just a number in either family. */
	if (strcmp(word, "proto") || !isdigit((unsigned char)val[0]))
		d->proto_implies = proto == PROTO_ICMP ? 4 : proto == PROTO_ICMPV6 ? 6 : 0;
	return 1;
}

/* A number word's value into *out (once), or -EINVAL naming it. */
static int desc_number(const char *word, const char *val, int max, int *out, const char *what)
{
	int err = once(*out >= 0, word);

	if (!err && number(val, max, out))
		err = bad_word("%s '%s': expected %s", word, val, what);
	return err;
}

static bool is_value_word(const char *word)
{
	static const char *const words[] = {"saddr",    "daddr", "sport",    "dport",
	                                    "flags",    "type",  "code",     "vlan",
	                                    "fragment", "ttl",   "hoplimit", "len"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(word, words[i]))
			return true;
	return false;
}

/* A word that takes one value (saddr ... len): 0 or -EINVAL. */
static int desc_value(const char *word, const char *val, struct pkt_desc *d)
{
	int err = 0;

	if (!strcmp(word, "saddr") || !strcmp(word, "daddr")) {
		bool src = word[0] == 's';

		err = once((src ? d->saddr : d->daddr) != NULL, word)
		          ?: parse_addr(word, val, src ? &d->saddr_family : &d->daddr_family);
		*(src ? &d->saddr : &d->daddr) = val;
	} else if (!strcmp(word, "sport") || !strcmp(word, "dport")) {
		err = desc_number(word, val, 65535, word[0] == 's' ? &d->sport : &d->dport,
		                  "a port 0-65535");
	} else if (!strcmp(word, "flags")) {
		err = once(d->flags >= 0, word) ?: parse_tcp_flags(val, &d->flags);
	} else if (!strcmp(word, "type")) {
		err = once(d->type != NULL, word);
		d->type = val;
	} else if (!strcmp(word, "code")) {
		err = desc_number(word, val, 255, &d->icmp_code, "an ICMP code 0-255");
	} else if (!strcmp(word, "vlan")) {
		if (d->nvlan == XDPFW_MAX_VLAN_TAGS)
			return bad_word("vlan '%s': at most %d tags (a frame with more is "
			                "malformed; give it as hex)",
			                val, XDPFW_MAX_VLAN_TAGS);
		if (number(val, 4095, &d->vlan[d->nvlan++]))
			err = bad_word("vlan '%s': expected a VLAN id 0-4095", val);
	} else if (!strcmp(word, "fragment")) {
		err = once(d->fragment != 0, word);
		d->fragment = !strcmp(val, "first") ? 1 : !strcmp(val, "later") ? 2 : 0;
		d->fragment_word = word;
		if (!err && !d->fragment)
			err = bad_word("fragment '%s': expected first or later", val);
	} else if (!strcmp(word, "ttl") || !strcmp(word, "hoplimit")) {
		err = desc_number(word, val, 255, &d->ttl, "0-255");
	} else if (!strcmp(word, "len")) {
		err = desc_number(word, val, 65535, &d->len, "the IP length in bytes");
	} else {
		err = bad_word("unknown word '%s'; expected " PACKET_WORDS, word);
	}
	return err;
}

static int desc_words(char **w, int n, struct pkt_desc *d)
{
	int i, err = 0, used;

	for (i = 0; i < n && !err; i++) {
		const char *word = w[i], *val = i + 1 < n ? w[i + 1] : NULL;

		if (!strcmp(word, "hex")) {
			if (i != 0)
				return bad_word("'hex' takes the whole packet; give either words "
				                "or hex, not both");
			if (n < 2)
				return bad_word(
				    "'hex' needs the frame's bytes, e.g. hex 02:00:00:00:00:02...");
			d->hex_words = word;
			return 0;
		}
		if (!strcmp(word, "ip") || !strcmp(word, "ip6")) {
			err = set_family(d, word[2] ? 6 : 4, word);
			continue;
		}
		err = desc_proto(word, val, d, &used);
		if (err) {
			i += used;
			err = err < 0 ? err : 0;
			continue;
		}
		/* Every other word takes one value. */
		if (!val && is_value_word(word))
			return bad_word("'%s' needs a value; see fwctl help explain", word);
		if (!val)
			return bad_word("unknown word '%s'; expected " PACKET_WORDS, word);
		err = desc_value(word, val, d);
		i++;
	}
	return err;
}

static const char *proto_text(int proto)
{
	static char buf[32];
	const char *name = fw_proto_name(proto);

	if (name)
		snprintf(buf, sizeof(buf), "%s (protocol %d)", name, proto);
	else
		snprintf(buf, sizeof(buf), "protocol %d", proto);
	return buf;
}

/* What the words imply together: family, protocol, and whether each
 * field fits the packet they describe. */
static int desc_resolve(struct pkt_desc *d)
{
	int err;

	if (d->proto_implies && (err = set_family(d, d->proto_implies, d->proto_word)))
		return err;
	if (d->saddr && (err = set_family(d, d->saddr_family, "saddr")))
		return err;
	if (d->daddr && (err = set_family(d, d->daddr_family, "daddr")))
		return err;
	if (!d->family)
		d->family = 4;

	if (d->flags >= 0 && d->proto < 0)
		d->proto = PROTO_TCP;
	if ((d->type || d->icmp_code >= 0) && d->proto < 0)
		d->proto = d->family == 6 ? PROTO_ICMPV6 : PROTO_ICMP;
	if (d->proto < 0) {
		if (d->sport >= 0 || d->dport >= 0)
			return bad_word("'%s' needs tcp or udp in the packet",
			                d->sport >= 0 ? "sport" : "dport");
		d->proto = PROTO_EXPERIMENT;
	}

	if (d->flags >= 0 && d->proto != PROTO_TCP)
		return bad_word("'flags': only TCP has flags, and the packet is %s",
		                proto_text(d->proto));
	if ((d->sport >= 0 || d->dport >= 0) && d->proto != PROTO_TCP && d->proto != PROTO_UDP)
		return bad_word("'%s' needs tcp or udp, and the packet is %s",
		                d->sport >= 0 ? "sport" : "dport", proto_text(d->proto));
	if ((d->type || d->icmp_code >= 0) &&
	    d->proto != (d->family == 6 ? PROTO_ICMPV6 : PROTO_ICMP))
		return bad_word("'%s' needs %s in this IPv%d packet", d->type ? "type" : "code",
		                d->family == 6 ? "icmpv6" : "icmp", d->family);
	if (d->family == 6 &&
	    (d->proto == 0 || d->proto == 43 || d->proto == 44 || d->proto == 51 || d->proto == 60))
		return bad_word("proto %d is an IPv6 extension header, which xdpfw walks past; "
		                "name the protocol after it (or give the frame as hex)",
		                d->proto);
	if (d->fragment == 2 &&
	    (d->sport >= 0 || d->dport >= 0 || d->flags >= 0 || d->type || d->icmp_code >= 0))
		return bad_word(
		    "'fragment later' has no %s: the L4 header travels in the first fragment",
		    d->flags >= 0                    ? "TCP flags"
		    : d->sport >= 0 || d->dport >= 0 ? "ports"
		                                     : "ICMP header");

	if (d->type) {
		d->icmp_type = fw_icmp_type_lookup(d->family, d->type, strlen(d->type));
		if (d->icmp_type < 0 && number(d->type, 255, &d->icmp_type))
			return bad_word("type '%s': expected an %s type name (echo-request, ...) "
			                "or number 0-255",
			                d->type, d->family == 6 ? "ICMPv6" : "ICMP");
	}
	return 0;
}

/* Header bytes the description puts before the payload, from IP on. */
static int desc_header_len(const struct pkt_desc *d)
{
	int len = d->family == 6 ? 40 + (d->fragment ? 8 : 0) : 20;

	if (d->fragment == 2)
		return len;
	if (d->proto == PROTO_TCP)
		return len + 20;
	if (d->proto == PROTO_UDP || d->proto == (d->family == 6 ? PROTO_ICMPV6 : PROTO_ICMP))
		return len + 8;
	return len;
}

static void desc_build(const struct pkt_desc *d, int payload, struct pkt *p)
{
	const char *saddr = d->saddr, *daddr = d->daddr;

	pkt_init(p);
	pkt_eth(p);
	/* Two tags: the outer one is the service tag, as in QinQ. */
	if (d->nvlan == 2)
		pkt_vlan(p, PKT_TPID_8021AD, d->vlan[0]);
	if (d->nvlan)
		pkt_vlan(p, PKT_TPID_8021Q, d->vlan[d->nvlan - 1]);

	if (d->family == 6) {
		pkt_ipv6(p, &(struct pkt_ipv6){.saddr = saddr ? saddr : "2001:db8::1",
		                               .daddr = daddr ? daddr : "2001:db8::2"});
		p->data[p->l3_off + 7] = d->ttl >= 0 ? d->ttl : DEFAULT_TTL;
		if (d->fragment)
			pkt_ipv6_frag(p, d->fragment == 2 ? LATER_FRAG_OFFSET : 0,
			              d->fragment == 1);
	} else {
		pkt_ipv4(p,
		         &(struct pkt_ipv4){.saddr = saddr ? saddr : "192.0.2.1",
		                            .daddr = daddr ? daddr : "192.0.2.2",
		                            .mf = d->fragment == 1,
		                            .frag_off = d->fragment == 2 ? LATER_FRAG_OFFSET : 0});
		p->data[p->l3_off + 8] = d->ttl >= 0 ? d->ttl : DEFAULT_TTL;
	}

	if (d->fragment == 2)
		pkt_l4proto(p, d->proto);
	else if (d->proto == PROTO_TCP)
		pkt_tcp(p, d->sport >= 0 ? d->sport : DEFAULT_SPORT,
		        d->dport >= 0 ? d->dport : DEFAULT_DPORT,
		        d->flags >= 0 ? d->flags : TCP_SYN, 0);
	else if (d->proto == PROTO_UDP)
		pkt_udp(p, d->sport >= 0 ? d->sport : DEFAULT_SPORT,
		        d->dport >= 0 ? d->dport : DEFAULT_DPORT);
	else if (d->proto == (d->family == 6 ? PROTO_ICMPV6 : PROTO_ICMP))
		pkt_icmp(p,
		         d->type          ? d->icmp_type
		         : d->family == 6 ? ICMPV6_ECHO_REQUEST
		                          : ICMP_ECHO_REQUEST,
		         d->icmp_code >= 0 ? d->icmp_code : 0);
	else
		pkt_l4proto(p, d->proto);
	pkt_payload(p, payload);
	pkt_finish(p);
	if (p->len < ETH_MIN_FRAME)
		pkt_pad(p, ETH_MIN_FRAME - p->len);
}

static int hex_frame(char **w, int n, struct pkt *p)
{
	int hi = -1;

	pkt_init(p);
	for (int i = 0; i < n; i++) {
		const char *s = w[i];

		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			s += 2;
		for (; *s; s++) {
			int v;

			if (*s == ':' || *s == '-' || *s == '.' || isspace((unsigned char)*s))
				continue;
			if (!isxdigit((unsigned char)*s))
				return bad_word("hex '%.40s': '%c' is not a hex digit", w[i], *s);
			v = isdigit((unsigned char)*s) ? *s - '0'
			                               : tolower((unsigned char)*s) - 'a' + 10;
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (p->len == PKT_MAX)
				return bad_word("hex: the frame is longer than %d bytes", PKT_MAX);
			p->data[p->len++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		return bad_word("hex: an odd number of hex digits; each byte needs two");
	/* XDP never sees less than an Ethernet header, and the kernel's test
	 * run refuses it. */
	if (p->len < ETH_HLEN)
		return bad_word("hex: %zu bytes, but a frame starts with a %d-byte Ethernet header",
		                p->len, ETH_HLEN);
	p->finished = 1;
	return 0;
}

int fw_explain_frame(char **words, int nwords, struct pkt *frame)
{
	struct pkt_desc d = {
	    .proto = -1,
	    .sport = -1,
	    .dport = -1,
	    .flags = -1,
	    .icmp_code = -1,
	    .ttl = -1,
	    .len = -1,
	};
	int err, hdr, max, payload;

	if (nwords < 1)
		return bad_word(
		    "no packet given; describe one (tcp dport 22 ...) or give hex BYTES");
	err = desc_words(words, nwords, &d);
	if (err)
		return err;
	if (d.hex_words)
		return hex_frame(words + 1, nwords - 1, frame);
	err = desc_resolve(&d);
	if (err)
		return err;

	hdr = desc_header_len(&d);
	max = PKT_MAX - ETH_HLEN - 4 * d.nvlan;
	payload = d.fragment == 2 ? LATER_FRAG_PAYLOAD : 0;
	if (d.len >= 0) {
		if (d.len < hdr)
			return bad_word("len %d: shorter than the packet's own headers (%d bytes)",
			                d.len, hdr);
		if (d.len > max)
			return bad_word("len %d: at most %d bytes here", d.len, max);
		payload = d.len - hdr;
	}
	desc_build(&d, payload, frame);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Rule sets: from a file, or from a running instance                       */

static int load_file(const char *path, struct fw_ruleset **rs)
{
	struct fw_diag diag;
	int err;

	fw_diag_init(&diag, path, stderr);
	err = fw_ruleset_load_file(path, rs, &diag);
	if (err == -EINVAL)
		return fw_uerr_r(err, "%s: %u error%s; fix the rule file first", path, diag.errors,
		                 diag.errors == 1 ? "" : "s");
	if (err == -ENOMEM)
		return fw_err_r(err, "%s: out of memory", path);
	if (err)
		return fw_uerr_r(err, "%s: cannot explain with these rules", path);
	return 0;
}

static int open_instance(const char *ifname, struct fw_instance *inst)
{
	struct fw_link link;
	int err;

	err = fw_nl_link_get(ifname, &link);
	if (err == -ENODEV)
		return fw_uerr_r(
		    err,
		    "no such file or interface %s; give a rule file or an interface running xdpfw",
		    ifname);
	if (err)
		return fw_err_r(err, "cannot look up %s: %s", ifname, strerror(-err));
	err = fw_instance_open(&link, inst);
	if (err == -ENOENT)
		return fw_uerr_r(err, "xdpfw is not attached to %s; fwctl status lists where it is",
		                 ifname);
	return err;
}

#define ENOTSUPP_KERNEL 524 /* the kernel's internal ENOTSUPP, seen by user space */

/*
 * The frame through the running program, once. Returns 0, or 1 when the
 * kernel cannot test-run it: attached through libxdp's dispatcher, our
 * program is an extension (freplace) of it, and BPF_PROG_TEST_RUN runs no
 * extension programs.
 */
static int test_run(const struct fw_instance *inst, const struct pkt *f, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
	            .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(xdp_program__fd(inst->prog), &opts);
	if (err && inst->dispatcher &&
	    (err == -ENOTSUPP_KERNEL || err == -EOPNOTSUPP || err == -EINVAL)) {
		fw_warn("program %u on %s runs inside libxdp's dispatcher, which BPF_PROG_TEST_RUN "
		        "cannot run; the answer below is the model's alone",
		        inst->prog_id, inst->link.name);
		return 1;
	}
	if (err)
		return fw_err_r(
		    err, "cannot test-run program %u on %s (BPF_PROG_TEST_RUN): %s; run as root",
		    inst->prog_id, inst->link.name, strerror(-err));
	*retval = opts.retval;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

static void print_rules(struct fw_print *p, const char *target, const struct fw_instance *inst,
                        const struct fw_ruleset *rs)
{
	const struct xdpfw_config *c = &rs->config;

	fw_print_obj_begin(p, "rules");
	fw_print_str(p, inst ? "interface" : "file", "rules:     %s", target);
	if (inst)
		fw_print_u64(p, "program_id", " (program %" PRIu64 ")", inst->prog_id);
	fw_print_u64(p, "count", ", %" PRIu64 " rules", c->rule_count);
	fw_print_str(p, "policy", ", policy %s", fw_action_name(c->policy));
	fw_print_str(p, "nonip", ", nonip %s", fw_action_name(c->nonip));
	fw_print_str(p, "malformed", ", malformed %s\n", fw_action_name(c->malformed));
	fw_print_obj_end(p);
}

static void print_frame(struct fw_print *p, const struct pkt *f)
{
	char hex[PKT_MAX * 2 + 1];

	for (size_t i = 0; i < f->len; i++)
		snprintf(hex + 2 * i, 3, "%02x", f->data[i]);
	hex[2 * f->len] = '\0';
	fw_print_obj_begin(p, "frame");
	fw_print_u64(p, "length", "frame:     %" PRIu64 " bytes", f->len);
	fw_print_str(p, "hex", ", hex %s\n", hex);
	fw_print_obj_end(p);
}

static void print_addr(struct fw_print *p, const char *key, const char *fmt, int family,
                       const __u32 *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == XDPFW_FAMILY_IPV6 ? AF_INET6 : AF_INET, addr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	fw_print_str(p, key, fmt, text);
}

/* The parsed key: what the classifier sees. Malformed frames print what
 * was read before the fault; ports, flags and ICMP only once complete. */
static void print_packet(struct fw_print *p, const struct fw_model_result *res, const struct pkt *f)
{
	const struct xdpfw_pkt *k = &res->pkt;
	bool whole = !xdpfw_reason_is_malformed(res->reason);
	const char *name;

	fw_print_obj_begin(p, "packet");
	if (k->vlan_count) {
		fw_print_text(p, "vlan:      ");
		fw_print_arr_begin(p, "vlan");
		for (int i = 0; i < k->vlan_count; i++)
			fw_print_u64(p, NULL, i ? ", %" PRIu64 : "%" PRIu64, k->vlan[i]);
		fw_print_arr_end(p);
		fw_print_text(p, "\n");
	}
	if (res->reason == XDPFW_REASON_NONIP) {
		char type[8];
		size_t off = ETH_HLEN - 2 + 4 * k->vlan_count;

		snprintf(type, sizeof(type), "0x%02x%02x", f->data[off], f->data[off + 1]);
		fw_print_str(p, "ethertype", "ethertype: %s (neither IPv4 nor IPv6)\n", type);
	}
	if (k->family)
		fw_print_str(p, "family", "family:    %s\n",
		             k->family == XDPFW_FAMILY_IPV6 ? "ip6" : "ip");
	/* The protocol is known once the IP header (and the IPv6 extension
	 * headers) parsed; a fault before that leaves it 0. */
	if (k->family && (whole || res->reason == XDPFW_REASON_MAL_L4_TRUNC ||
	                  res->reason == XDPFW_REASON_MAL_TCP_DOFF)) {
		fw_print_u64(p, "proto", "proto:     %" PRIu64, k->proto);
		name = fw_proto_name(k->proto);
		if (name)
			fw_print_str(p, "proto_name", " (%s)", name);
		fw_print_text(p, "\n");
	}
	if (k->family) {
		print_addr(p, "saddr", "saddr:     %s\n", k->family, k->saddr);
		print_addr(p, "daddr", "daddr:     %s\n", k->family, k->daddr);
	}
	if (k->flags & XDPFW_PKT_PORTS) {
		fw_print_u64(p, "sport", "sport:     %" PRIu64 "\n", k->sport);
		fw_print_u64(p, "dport", "dport:     %" PRIu64 "\n", k->dport);
		if (k->proto == PROTO_TCP) {
			bool any = false;

			fw_print_text(p, "flags:     ");
			fw_print_arr_begin(p, "tcp_flags");
			for (unsigned int bit = 1; bit <= 0x80; bit <<= 1) {
				if (!(k->tcp_flags & bit))
					continue;
				fw_print_str(p, NULL, any ? ",%s" : "%s", fw_tcp_flag_name(bit));
				any = true;
			}
			fw_print_arr_end(p);
			fw_print_text(p, "%s\n", any ? "" : "none");
		}
	}
	if (whole && k->family && !(k->flags & XDPFW_PKT_LATER_FRAG) &&
	    k->proto == (k->family == XDPFW_FAMILY_IPV6 ? PROTO_ICMPV6 : PROTO_ICMP)) {
		fw_print_u64(p, "icmp_type", "type:      %" PRIu64, k->icmp_type);
		name = fw_icmp_type_name(k->family, k->icmp_type);
		if (name)
			fw_print_str(p, "icmp_type_name", " (%s)", name);
		fw_print_u64(p, "icmp_code", ", code %" PRIu64 "\n", k->icmp_code);
	}
	if (k->family) {
		fw_print_u64(p, "ttl",
		             k->family == XDPFW_FAMILY_IPV6 ? "hoplimit:  %" PRIu64 "\n"
		                                            : "ttl:       %" PRIu64 "\n",
		             k->ttl);
		fw_print_u64(p, "length", "length:    %" PRIu64 " (IP)\n", k->ip_len);
		if (k->flags & XDPFW_PKT_FRAGMENT)
			fw_print_str(p, "fragment", "fragment:  %s\n",
			             k->flags & XDPFW_PKT_LATER_FRAG ? "later" : "first");
	}
	fw_print_obj_end(p);
}

static void print_setting(struct fw_print *p, const char *lead, const char *setting,
                          unsigned int action)
{
	fw_print_text(p, "decided:   %s: ", lead);
	fw_print_obj_begin(p, "setting");
	fw_print_str(p, "name", "%s", setting);
	fw_print_str(p, "action", " %s\n", fw_action_name(action));
	fw_print_obj_end(p);
}

static void print_decision(struct fw_print *p, const struct fw_ruleset *rs,
                           const struct fw_model_result *res)
{
	const struct xdpfw_config *c = &rs->config;
	char why[160];

	fw_print_str(p, "reason", NULL, fw_reason_name(res->reason));
	fw_print_str(p, "reason_text", NULL, fw_model_reason_text(res->reason));
	if (res->rule >= 0) {
		const struct xdpfw_rule *r = &rs->rules[res->rule];
		char *text = fw_rule_text(rs, r); /* a list can make it long */

		fw_print_obj_begin(p, "rule");
		fw_print_u64(p, "index", "decided:   rule #%" PRIu64, res->rule);
		fw_print_u64(p, "line", ", line %" PRIu64, r->line);
		fw_print_str(p, "text", ": %s\n", text ? text : "?");
		fw_print_obj_end(p);
		free(text);
	} else if (res->reason == XDPFW_REASON_POLICY) {
		print_setting(p, "no rule matched", "policy", c->policy);
	} else if (res->reason == XDPFW_REASON_NONIP) {
		print_setting(p, "not IP", "nonip", c->nonip);
	} else {
		snprintf(why, sizeof(why), "malformed, %s (%s)", fw_reason_name(res->reason),
		         fw_model_reason_text(res->reason));
		print_setting(p, why, "malformed", c->malformed);
	}
	fw_print_str(p, "verdict", "verdict:   %s\n", fw_action_name(res->action));
	/* The model keeps no buckets: it takes every limit as within. */
	if (res->limited >= 0) {
		const struct xdpfw_rule *r = &rs->rules[res->limited];

		fw_print_obj_begin(p, "limited");
		fw_print_u64(p, "index", "limited:   rule #%" PRIu64, res->limited);
		fw_print_u64(p, "line", ", line %" PRIu64, r->line);
		fw_print_text(p,
		              ", is rate-limited and the outcome depends on its bucket: the above"
		              " holds within its budget; over it, that rule decides: ");
		fw_print_str(p, "action_over", "%s\n", fw_action_name(r->action));
		fw_print_obj_end(p);
	}
}

static void print_program(struct fw_print *p, const struct fw_instance *inst, __u32 retval,
                          bool agrees, bool limited)
{
	fw_print_obj_begin(p, "program");
	fw_print_u64(p, "id", "program:   %" PRIu64, inst->prog_id);
	fw_print_str(p, "interface", " on %s", inst->link.name);
	fw_print_str(p, "retval", " returned %s", fw_xdp_name(retval));
	fw_print_bool(p, "agrees", NULL, agrees);
	fw_print_bool(p, "depends_on_state", NULL, limited && !agrees);
	fw_print_text(p, agrees ? ", as the model says"
	                 : limited
	                     ? ", as a bucket over its budget decides (the model took it as within)"
	                     : ", but the model says otherwise");
	/* BPF_PROG_TEST_RUN runs the real program on its real maps. */
	fw_print_u64(p, "counted_packets", "; the test run counted %" PRIu64, 1);
	fw_print_text(p, " packet in the live counters of %s", fw_esc(inst->link.name));
	fw_print_text(p, limited ? " and charged the live buckets\n" : "\n");
	fw_print_obj_end(p);
}

/* ------------------------------------------------------------------------ */

static bool is_rule_file(const char *target)
{
	struct stat st;

	return stat(target, &st) == 0 && S_ISREG(st.st_mode);
}

bool fw_explain_on_interface(const char *target)
{
	/* The kernel's dev_valid_name(): other names are no interface, and
	 * fw_explain() says "no such file or interface" without root. */
	size_t len = strlen(target);

	if (is_rule_file(target) || !len || len >= IF_NAMESIZE || !strcmp(target, ".") ||
	    !strcmp(target, ".."))
		return false;
	for (const char *c = target; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return false;
	return true;
}

int fw_explain(const char *target, char **words, int nwords, bool json)
{
	static struct pkt frame;
	struct fw_instance inst = {0}, *live = NULL;
	struct fw_ruleset *ruleset = NULL;
	struct fw_model_result res;
	struct xdpfw_config after;
	struct fw_print p;
	__u32 retval = 0, want;
	bool tested = false;
	int err, unknown;

	err = fw_explain_frame(words, nwords, &frame);
	if (err)
		return err;

	if (is_rule_file(target)) {
		err = load_file(target, &ruleset);
	} else {
		err = open_instance(target, &inst);
		if (!err) {
			live = &inst;
			err = fw_instance_ruleset(live, true, &ruleset);
		}
	}
	if (err)
		goto out;

	unknown = fw_model_unknown_match(ruleset);
	if (unknown >= 0)
		fw_warn("rule #%d of %s uses a match this fwctl's reference model does not know; "
		        "its explanation may be wrong (is fwctl older than the program?)",
		        unknown, target);

	fw_model_verdict(ruleset, frame.data, frame.len, &res);
	if (live) {
		err = test_run(live, &frame, &retval);
		if (err < 0)
			goto out;
		tested = err == 0;
		err = 0;
		/* A reload between reading the rules and the test run would
		 * compare the model on old rules with the program on new ones. */
		err = fw_instance_config(live, &after);
		if (err)
			goto out;
		if (after.digest != ruleset->config.digest) {
			err = fw_err_r(EAGAIN,
			               "the rules on %s changed while explaining (a reload?); run "
			               "fwctl explain again",
			               target);
			goto out;
		}
	}

	fw_print_init(&p, stdout, json);
	fw_print_obj_begin(&p, NULL);
	print_rules(&p, target, live, ruleset);
	print_frame(&p, &frame);
	print_packet(&p, &res, &frame);
	print_decision(&p, ruleset, &res);
	want = res.action == XDPFW_ACT_DROP ? XDP_DROP : XDP_PASS;
	if (tested)
		print_program(&p, live, retval, retval == want, res.limited >= 0);
	fw_print_obj_end(&p);
	fw_print_finish(&p);

	/* Past a limited rule the program's answer depends on its buckets,
	 * which the model does not keep: a difference there is no bug. */
	if (tested && retval != want && res.limited < 0)
		err = fw_err_r(
		    EPROTO,
		    "program %u on %s returned %s for this frame, the reference model says %s "
		    "(%s): a bug in one of them; please report it with the frame's hex",
		    live->prog_id, target, fw_xdp_name(retval), fw_xdp_name(want),
		    fw_reason_name(res.reason));
out:
	fw_ruleset_free(ruleset);
	if (live)
		fw_instance_close(live);
	return err;
}
