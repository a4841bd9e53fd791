// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * diag.c - diagnostics of the rule language (see ruleset.h), and the names
 * of actions and reasons used by every printer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "escape.h"
#include "ruleset.h"

static const char *const action_names[] = {
    [XDPFW_ACT_PASS] = "pass",
    [XDPFW_ACT_DROP] = "drop",
};
_Static_assert(sizeof(action_names) / sizeof(action_names[0]) == XDPFW_ACT_MAX,
               "one name per enum xdpfw_action");

static const char *const reason_names[] = {
    [XDPFW_REASON_RULE] = "rule",
    [XDPFW_REASON_POLICY] = "policy",
    [XDPFW_REASON_NONIP] = "nonip",
    [XDPFW_REASON_MAL_ETH_TRUNC] = "eth-truncated",
    [XDPFW_REASON_MAL_VLAN_DEPTH] = "vlan-depth",
    [XDPFW_REASON_MAL_IPV4_TRUNC] = "ipv4-truncated",
    [XDPFW_REASON_MAL_IPV4_HDR] = "ipv4-header",
    [XDPFW_REASON_MAL_IPV6_TRUNC] = "ipv6-truncated",
    [XDPFW_REASON_MAL_IPV6_HDR] = "ipv6-header",
    [XDPFW_REASON_MAL_IPV6_EXT_TRUNC] = "ipv6-ext-truncated",
    [XDPFW_REASON_MAL_IPV6_EXT_CHAIN] = "ipv6-ext-chain",
    [XDPFW_REASON_MAL_L4_TRUNC] = "l4-truncated",
    [XDPFW_REASON_MAL_TCP_DOFF] = "tcp-doff",
};
_Static_assert(sizeof(reason_names) / sizeof(reason_names[0]) == XDPFW_REASON_MAX,
               "one name per enum xdpfw_reason");

const char *fw_action_name(unsigned int action)
{
	return action < XDPFW_ACT_MAX ? action_names[action] : "unknown";
}

const char *fw_reason_name(unsigned int reason)
{
	/* A designated initializer may leave a hole if the enum grows in the
	 * middle; the size assert alone would not catch that. */
	if (reason < XDPFW_REASON_MAX && reason_names[reason])
		return reason_names[reason];
	return "unknown";
}

void fw_diag_init(struct fw_diag *d, const char *file, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
	d->out = out;
}

/*
 * The offending line, then a caret under the column. Tabs are copied into
 * the caret line so the caret lands where the terminal put the byte, and
 * a character takes one cell however many bytes it has. Control
 * characters and bytes that are not UTF-8 are shown as one '?' each, not
 * escaped as in messages: the caret must stay under its byte.
 */
static void print_excerpt(FILE *out, unsigned int col, const char *src, size_t len)
{
	size_t i, n;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = fw_utf8_char(src + i, len - i, &cp);
		if (n && (cp == '\t' || !fw_utf8_is_control(cp)))
			fwrite(src + i, 1, n, out);
		else
			fputc('?', out);
		n = n ? n : 1;
	}
	fputc('\n', out);
	for (i = 0; i + 1 < col; i += n) {
		n = i < len ? fw_utf8_char(src + i, len - i, &cp) : 0;
		fputc(i < len && src[i] == '\t' ? '\t' : ' ', out);
		n = n ? n : 1;
	}
	fputs("^\n", out);
}

/* The file name, escaped: a path is input too. */
static void print_file(FILE *out, const char *file)
{
	fw_escape_write(out, file, strlen(file));
}

void fw_diag_report(struct fw_diag *d, enum fw_diag_kind kind, unsigned int line, unsigned int col,
                    const char *src, size_t src_len, const char *fmt, ...)
{
	const char *file = d->file ? d->file : "<input>";
	const char *kind_name = kind == FW_DIAG_ERROR ? "error" : "warning";
	unsigned int seen = d->errors + d->warnings;
	char raw[4 * FW_DIAG_MSG];
	struct fw_diag_entry *e;
	va_list ap;

	if (kind == FW_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;

	if (d->count >= FW_DIAG_MAX) {
		/* Say once that the list is cut, or the operator would take
		 * the last printed fault for the last one in the file. */
		if (d->out && seen == FW_DIAG_MAX) {
			print_file(d->out, file);
			fprintf(d->out,
			        ": note: more than %d diagnostics, the rest are only counted\n",
			        FW_DIAG_MAX);
		}
		return;
	}

	e = &d->entries[d->count++];
	e->kind = kind;
	e->line = line;
	e->col = col;
	/* Kept escaped: messages quote the input, and whoever reads
	 * entries[] prints them too. */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fw_escape(e->msg, sizeof(e->msg), raw, strlen(raw));

	if (!d->out)
		return;
	print_file(d->out, file);
	if (!line) {
		fprintf(d->out, ": %s: %s\n", kind_name, e->msg);
		return;
	}
	fprintf(d->out, ":%u:%u: %s: %s\n", line, col, kind_name, e->msg);
	/* A line over the limit is likely binary or generated; a multi-KiB
	 * excerpt would bury the message. */
	if (src && col && src_len <= XDPFW_MAX_LINE)
		print_excerpt(d->out, col, src, src_len);
}

const char *fw_xdp_name(unsigned int action)
{
	switch (action) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	return "unknown";
}

int fw_diag_fail(struct fw_diag *d, int err, const char *what)
{
	fw_diag_report(d, FW_DIAG_ERROR, 0, 0, NULL, 0, "%s: %s", what,
	               strerror(err < 0 ? -err : err));
	return err;
}
