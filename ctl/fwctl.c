// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fwctl - the xdpfw control tool: `fwctl [OPTIONS] COMMAND [ARGS]`.
 *
 * Exit status: 0 success, 1 bad rules or a user error (no such interface,
 * not attached, bad arguments, an xdpfw built with other map layouts in the
 * way), 2 a system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "bpffs.h"
#include "cls.h"
#include "escape.h"
#include "explain.h"
#include "lint.h"
#include "loader.h"
#include "log.h"
#include "ruleset.h"
#include "show.h"
#include "stats.h"

#define EXIT_USER   1
#define EXIT_SYSTEM 2

/* Every option of every command; which ones a command takes is in cmds[]. */
struct opts {
	const char *netns;
	enum fw_mode mode;
	bool json;
	bool strict;
	bool force;
	bool verbose;
	bool help;
	bool version;
};

#define CMD_ARGS_MAX 2 /* named arguments: IFACE FILE, TARGET PACKET... */

struct cmd_arg {
	const char *name;
	const char *help;
};

struct cmd {
	const char *name;
	int (*fn)(const struct opts *o, char **argv, int argc);
	/* Talks to the kernel for these arguments (needs root, bpffs and
	 * libxdp set up); NULL for never. */
	bool (*kernel)(char **argv, int argc);
	unsigned int opts; /* the OPT_ bits it takes besides the global ones */
	int min_args, max_args;
	struct cmd_arg args[CMD_ARGS_MAX]; /* the last may stand for several */
	const char *summary;
	const char *notes;     /* more for fwctl help CMD, or NULL */
	const char *root_note; /* why root, when not always, or NULL */
};

/* A rule file's fault is the operator's (bad rules, a file that cannot be
 * read); memory running out is the system's. */
static int user_class(int err)
{
	return err && fw_errno(err) != -ENOMEM ? fw_user_err(err) : err;
}

/* check [--strict] FILE: errors fail the check, warnings (lint.h) only with
 * --strict. */
static int cmd_check(const struct opts *o, char **argv, int argc)
{
	struct fw_ruleset *rs = NULL;
	const char *file = argv[0];
	struct fw_diag diag;
	bool strict = o->strict;
	int err;

	(void)argc;
	fw_diag_init(&diag, file, stderr);
	err = user_class(fw_ruleset_load_file(file, &rs, &diag) ?: fw_lint(rs, &diag));
	if (fw_errno(err) == -EINVAL)
		fprintf(stderr, "%s: %u error%s, nothing applied\n", fw_esc(file), diag.errors,
		        diag.errors == 1 ? "" : "s");
	if (!err && strict && diag.warnings) {
		fprintf(stderr, "%s: %u warning%s, which --strict makes errors\n", fw_esc(file),
		        diag.warnings, diag.warnings == 1 ? "" : "s");
		err = fw_user_err(EINVAL);
	}
	if (!err) {
		char line[512];

		printf("%s: ok, %u rule%s, policy %s, digest %016llx%s\n", fw_esc(file),
		       rs->config.rule_count, rs->config.rule_count == 1 ? "" : "s",
		       fw_action_name(rs->config.policy), (unsigned long long)rs->config.digest,
		       diag.warnings ? " (with warnings)" : "");
		fw_cls_describe(rs->cls, rs, line, sizeof(line));
		printf("%s: %s\n", fw_esc(file), line);
	}
	fw_ruleset_free(rs);
	return err;
}

/*
 * Compile FILE for IFACE into *rs; on bad rules say that nothing changed
 * there. Warnings are shown, never fatal here: fwctl check --strict is the
 * place to refuse them. Any failure, the lints' too, applies nothing.
 */
static int compile_for(const char *file, const char *ifname, const char *unchanged,
                       struct fw_ruleset **rs)
{
	struct fw_diag diag;
	int err;

	fw_diag_init(&diag, file, stderr);
	err = user_class(fw_ruleset_load_file(file, rs, &diag) ?: fw_lint(*rs, &diag));
	if (err) {
		fprintf(stderr, "%s: %u error%s; %s %s\n", fw_esc(file), diag.errors,
		        diag.errors == 1 ? "" : "s", unchanged, fw_esc(ifname));
	}
	return err;
}

static int cmd_attach(const struct opts *o, char **argv, int argc)
{
	struct fw_ruleset *rs = NULL;
	int err;

	(void)argc;
	err = compile_for(argv[1], argv[0], "nothing attached to", &rs)
	          ?: fw_attach(argv[0], rs, o->mode);
	if (!err)
		printf("xdpfw attached to %s: %u rule%s from %s\n", fw_esc(argv[0]),
		       rs->config.rule_count, rs->config.rule_count == 1 ? "" : "s",
		       fw_esc(argv[1]));
	fw_ruleset_free(rs);
	return err;
}

static int cmd_reload(const struct opts *o, char **argv, int argc)
{
	struct fw_ruleset *rs = NULL;
	int err;

	(void)o;
	(void)argc;
	err = compile_for(argv[1], argv[0], "the running rules stay on", &rs);
	if (!err) {
		err = fw_reload(argv[0], rs);
		if (err && fw_errno(err) != -ENOENT && fw_errno(err) != -ENODEV)
			fw_err("reload of %s failed; the running rules stay", argv[0]);
	}
	if (!err)
		printf("xdpfw on %s: %u rule%s from %s now active\n", fw_esc(argv[0]),
		       rs->config.rule_count, rs->config.rule_count == 1 ? "" : "s",
		       fw_esc(argv[1]));
	fw_ruleset_free(rs);
	return err;
}

/* detach IFACE [--force]: --force also takes an xdpfw built with other map
 * layouts (see fw_detach). */
static int cmd_detach(const struct opts *o, char **argv, int argc)
{
	int err;

	(void)argc;
	err = fw_detach(argv[0], o->force);
	if (!err)
		printf("xdpfw detached from %s\n", fw_esc(argv[0]));
	return err;
}

static int cmd_status(const struct opts *o, char **argv, int argc)
{
	return fw_status(argc ? argv[0] : NULL, o->json);
}

static int cmd_stats(const struct opts *o, char **argv, int argc)
{
	return fw_stats(argc ? argv[0] : NULL, o->json);
}

static int cmd_explain(const struct opts *o, char **argv, int argc)
{
	return fw_explain(argv[0], argv + 1, argc - 1, o->json);
}

static int cmd_show(const struct opts *o, char **argv, int argc)
{
	(void)argc;
	return fw_show(argv[0], o->json);
}

static int cmd_help(const struct opts *o, char **argv, int argc);
static int cmd_version(const struct opts *o, char **argv, int argc);

static bool always(char **argv, int argc)
{
	(void)argv;
	(void)argc;
	return true;
}

static bool explain_kernel(char **argv, int argc)
{
	(void)argc;
	return fw_explain_on_interface(argv[0]);
}

/*
 * The options, typed: parse_args() stores each into its member of struct
 * opts, and the help texts list them from here.
 */
enum opt_id {
	OPT_NETNS,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
	OPT_JSON,
	OPT_MODE,
	OPT_STRICT,
	OPT_FORCE,
	OPT__COUNT,
};

#define OPT_BIT(id) (1u << (id))
/* Taken by every command, before or after its name. */
#define OPTS_GLOBAL                                                                                \
	(OPT_BIT(OPT_NETNS) | OPT_BIT(OPT_VERBOSE) | OPT_BIT(OPT_HELP) | OPT_BIT(OPT_VERSION))

enum opt_type {
	TYPE_FLAG,   /* bool, set by its presence */
	TYPE_STRING, /* const char *, the argument */
	TYPE_MODE,   /* enum fw_mode, from the argument */
};

struct opt {
	const char *name;
	char short_name; /* 0: none */
	enum opt_type type;
	size_t offset; /* of its member in struct opts */
	const char *metavar;
	const char *help;
};

/* Where an option of a type goes: a member of struct opts of the C type that
 * goes with it, or the build fails (char[-1]). */
#define OPT_IS(m, t) _Generic(((struct opts *)0)->m, t : 1, default : 0)
#define OPT_AT(m, t) (offsetof(struct opts, m) + 0 * sizeof(char[OPT_IS(m, t) ? 1 : -1]))
#define FLAG_AT(m)   TYPE_FLAG, OPT_AT(m, bool)
#define STRING_AT(m) TYPE_STRING, OPT_AT(m, const char *)
#define MODE_AT(m)   TYPE_MODE, OPT_AT(m, enum fw_mode)

static const struct opt options[OPT__COUNT] = {
    [OPT_NETNS] = {"netns", 'n', STRING_AT(netns), "NAME",
                   "run in network namespace NAME (ip netns)"},
    [OPT_VERBOSE] = {"verbose", 'v', FLAG_AT(verbose), NULL, "show libbpf and libxdp messages"},
    [OPT_HELP] = {"help", 'h', FLAG_AT(help), NULL, "show this help"},
    [OPT_VERSION] = {"version", 'V', FLAG_AT(version), NULL, "fwctl's version"},
    [OPT_JSON] = {"json", 'j', FLAG_AT(json), NULL, "JSON output"},
    [OPT_MODE] = {"mode", 'm', MODE_AT(mode), "MODE",
                  "attach mode: auto (default: native, else generic), native, generic"},
    [OPT_STRICT] = {"strict", 0, FLAG_AT(strict), NULL, "warnings fail the check too (exit 1)"},
    [OPT_FORCE] = {"force", 0, FLAG_AT(force), NULL,
                   "also an xdpfw built with other map layouts: remove it and its pins"},
};

static const struct cmd cmds[] = {
    {
        .name = "check",
        .fn = cmd_check,
        .opts = OPT_BIT(OPT_STRICT),
        .min_args = 1,
        .max_args = 1,
        .args = {{"FILE", "a rule file (rules/README.md describes the language)"}},
        .summary = "parse, compile and lint a rule file; exit 1 on an error (--strict: a warning)",
        .notes = "Nothing is loaded: needs no root.",
    },
    {
        .name = "attach",
        .fn = cmd_attach,
        .kernel = always,
        .opts = OPT_BIT(OPT_MODE),
        .min_args = 2,
        .max_args = 2,
        .args = {{"IFACE", "the interface"}, {"FILE", "the rule file"}},
        .summary = "compile FILE, load and attach xdpfw to IFACE, pin its state",
        .notes = "On bad rules nothing is attached.",
    },
    {
        .name = "reload",
        .fn = cmd_reload,
        .kernel = always,
        .min_args = 2,
        .max_args = 2,
        .args = {{"IFACE", "an interface running xdpfw"}, {"FILE", "the new rule file"}},
        .summary = "replace the rules on IFACE atomically; on any error the old ones stay",
    },
    {
        .name = "detach",
        .fn = cmd_detach,
        .kernel = always,
        .opts = OPT_BIT(OPT_FORCE),
        .min_args = 1,
        .max_args = 1,
        .args = {{"IFACE", "an interface running xdpfw"}},
        .summary = "detach xdpfw from IFACE and remove its pins",
    },
    {
        .name = "status",
        .fn = cmd_status,
        .kernel = always,
        .opts = OPT_BIT(OPT_JSON),
        .min_args = 0,
        .max_args = 1,
        .args = {{"IFACE", "only this interface (default: every one running xdpfw)"}},
        .summary = "interfaces running xdpfw: mode, program, rules",
    },
    {
        .name = "stats",
        .fn = cmd_stats,
        .kernel = always,
        .opts = OPT_BIT(OPT_JSON),
        .min_args = 0,
        .max_args = 1,
        .args = {{"IFACE", "only this interface (default: every one running xdpfw)"}},
        .summary = "per-rule and per-reason packets and bytes, summed over CPUs",
    },
    {
        .name = "show",
        .fn = cmd_show,
        .kernel = always,
        .opts = OPT_BIT(OPT_JSON),
        .min_args = 1,
        .max_args = 1,
        .args = {{"IFACE", "an interface running xdpfw"}},
        .summary = "the rules running on IFACE, in the rule language, with counters",
    },
    {
        .name = "explain",
        .fn = cmd_explain,
        .kernel = explain_kernel,
        .opts = OPT_BIT(OPT_JSON),
        .min_args = 2,
        .max_args = 64,
        .args = {{"TARGET",
                  "a rule file (compiled, nothing applied) or an interface running xdpfw"},
                 {"PACKET...", "the packet in words, e.g. tcp saddr 192.0.2.7 dport 22"}},
        .summary = "which rule of a rule file or interface decides a packet, and why",
        .notes = "Packet words: ip|ip6, tcp|udp|icmp|icmpv6|proto P, saddr ADDR, daddr ADDR,\n"
                 "sport N, dport N, flags syn,ack,..., type NAME|N, code N, vlan N (twice for\n"
                 "QinQ), fragment first|later, ttl N, len N; or hex BYTES... for a raw frame.\n"
                 "On an interface the frame also runs through the loaded program (counted as\n"
                 "one packet), and a different verdict exits 2. A rule file needs no root, an\n"
                 "interface does.",
        .root_note = " to read the rules on an interface (a rule file needs none)",
    },
    {
        .name = "help",
        .fn = cmd_help,
        .min_args = 0,
        .max_args = 1,
        .args = {{"COMMAND", "one command's usage (default: the list)"}},
        .summary = "this text, or a command's",
    },
    {
        .name = "version",
        .fn = cmd_version,
        .summary = "fwctl's version",
    },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* "IFACE FILE", "[IFACE]", "TARGET PACKET...": the arguments as usage shows them. */
static const char *synopsis(const struct cmd *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < CMD_ARGS_MAX && c->args[i].name && n < len; i++)
		n +=
		    snprintf(buf + n, len - n, "%s%s%s%s", i ? " " : "", i < c->min_args ? "" : "[",
		             c->args[i].name, i < c->min_args ? "" : "]");
	return buf;
}

static void print_opts(FILE *f, unsigned int set)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct opt *op = &options[i];
		char left[48];

		if (!(set & OPT_BIT(i)))
			continue;
		if (op->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", op->short_name, op->name,
			         op->metavar ? " " : "", op->metavar ?: "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", op->name,
			         op->metavar ? " " : "", op->metavar ?: "");
		fprintf(f, "  %-20s %s\n", left, op->help);
	}
}

static void usage(FILE *f)
{
	char args[64];

	fprintf(f, "usage: fwctl [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %-17s %s\n", cmds[i].name,
		        synopsis(&cmds[i], args, sizeof(args)), cmds[i].summary);
	fprintf(f, "\nglobal options, before or after the command:\n");
	print_opts(f, OPTS_GLOBAL);
	fprintf(f, "\nfwctl help COMMAND (or fwctl COMMAND --help): its arguments and options.\n"
	           "exit status: 0 ok, 1 bad rules or user error, 2 system error\n");
}

static void cmd_usage(FILE *f, const struct cmd *c)
{
	char args[64];

	synopsis(c, args, sizeof(args));
	fprintf(f, "usage: fwctl %s [OPTIONS]%s%s\n\n%s\n", c->name, args[0] ? " " : "", args,
	        c->summary);
	if (c->args[0].name) {
		fprintf(f, "\narguments:\n");
		for (int i = 0; i < CMD_ARGS_MAX && c->args[i].name; i++)
			fprintf(f, "  %-20s %s\n", c->args[i].name, c->args[i].help);
	}
	if (c->opts) {
		fprintf(f, "\noptions:\n");
		print_opts(f, c->opts);
	}
	fprintf(f, "\nglobal options:\n");
	print_opts(f, OPTS_GLOBAL);
	if (c->notes || c->kernel == always)
		fprintf(f, "\n%s%s%s\n", c->notes ?: "", c->notes && c->kernel == always ? " " : "",
		        c->kernel == always ? "Needs root." : "");
}

/* Exact name, else a unique prefix (as iproute2); NULL, *ambiguous says why. */
static const struct cmd *lookup_cmd(const char *name, bool *ambiguous)
{
	const struct cmd *hit = NULL;
	size_t len = strlen(name);

	*ambiguous = false;
	for (size_t i = 0; i < NCMDS; i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (len && !strncmp(cmds[i].name, name, len)) {
			if (hit) {
				*ambiguous = true;
				return NULL;
			}
			hit = &cmds[i];
		}
	}
	return hit;
}

static const struct cmd *find_cmd(const char *name)
{
	bool ambiguous;
	const struct cmd *c = lookup_cmd(name, &ambiguous);

	if (!c)
		fw_err("%s command '%s'; see fwctl help", ambiguous ? "ambiguous" : "unknown",
		       name);
	return c;
}

static int cmd_help(const struct opts *o, char **argv, int argc)
{
	const struct cmd *c;

	(void)o;
	if (!argc) {
		usage(stdout);
		return 0;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return fw_user_err(EINVAL);
	cmd_usage(stdout, c);
	return 0;
}

static int cmd_version(const struct opts *o, char **argv, int argc)
{
	(void)o;
	(void)argv;
	(void)argc;
	printf("fwctl (xdpfw) %s\n", XDPFW_VERSION);
	return 0;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fw_uerr_r(errno == ENOENT ? ENODEV : errno,
		                 "no network namespace %s (%s); see ip netns list", name,
		                 strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		int err = errno;

		close(fd);
		return fw_err_r(err, "cannot enter network namespace %s: %s; run as root", name,
		                strerror(err));
	}
	close(fd);
	return 0;
}

static int parse_mode(const char *s, enum fw_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = FW_MODE_AUTO;
	else if (!strcmp(s, "native"))
		*mode = FW_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*mode = FW_MODE_GENERIC;
	else
		return fw_uerr_r(EINVAL, "--mode %s: expected auto, native or generic", s);
	return 0;
}

static int exit_code(int err)
{
	if (!err)
		return 0;
	return fw_err_is_user(err) ? EXIT_USER : EXIT_SYSTEM;
}

/*
 * Commands that touch BPF or XDP need root: say so once, up front, rather
 * than let the first refused call speak (cannot create map fw_config ...).
 */
static int check_privileges(const struct cmd *cmd)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	static const int need[] = {CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN};

	if (syscall(SYS_capget, &hdr, data))
		return 0; /* let the kernel decide */
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!(data[need[i] / 32].effective & (1u << (need[i] % 32))))
			return fw_err_r(EPERM,
			                "fwctl %s needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN "
			                "and CAP_SYS_ADMIN)%s; run it as root",
			                cmd->name, cmd->root_note ?: "");
	}
	return 0;
}

#define OPT_UNKNOWN   (-1)
#define OPT_AMBIGUOUS (-2) /* a prefix of several */

/* One option as written, kept until the command it goes with is known. */
struct opt_use {
	int id;           /* enum opt_id, OPT_UNKNOWN or OPT_AMBIGUOUS */
	char spelled[32]; /* as written, without =ARG */
	const char *arg;
	bool bad_arg; /* an argument missing, or given to a flag */
};

/* An exact long name, else a unique prefix (as getopt_long). */
static int long_opt(const char *name, size_t len)
{
	int hit = OPT_UNKNOWN;

	for (int i = 0; len && i < OPT__COUNT; i++) {
		if (strncmp(options[i].name, name, len))
			continue;
		if (!options[i].name[len])
			return i;
		hit = hit == OPT_UNKNOWN ? i : OPT_AMBIGUOUS;
	}
	return hit;
}

static int short_opt(char c)
{
	for (int i = 0; i < OPT__COUNT; i++)
		if (options[i].short_name == c)
			return i;
	return OPT_UNKNOWN;
}

static bool is_option(const char *s)
{
	return s[0] == '-' && s[1];
}

/* An option's argument: its own word only when that is no option itself. */
static void take_arg(struct opt_use *u, const char *inline_arg, char **argv, int argc, int *i)
{
	if (inline_arg)
		u->arg = inline_arg;
	else if (*i + 1 < argc && !is_option(argv[*i + 1]))
		u->arg = argv[++*i];
	else
		u->bad_arg = true;
}

/*
 * One pass over argv: the command word, its arguments in order, and every
 * option wherever it stands, up to `--`. Options are -x, -xARG, -xy (flags),
 * --name, --name ARG, --name=ARG.
 */
static void scan_args(int argc, char **argv, const char **word, char **args, int *nargs,
                      struct opt_use *uses, int *nuses)
{
	bool opts_done = false;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (opts_done || !is_option(a)) {
			if (!*word)
				*word = a;
			else
				args[(*nargs)++] = a;
		} else if (!strcmp(a, "--")) {
			opts_done = true;
		} else if (a[1] == '-') {
			struct opt_use *u = &uses[(*nuses)++];
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);

			u->id = long_opt(a + 2, len - 2);
			snprintf(u->spelled, sizeof(u->spelled), "%.*s", (int)len, a);
			if (u->id < 0)
				continue;
			if (options[u->id].type == TYPE_FLAG)
				u->bad_arg = eq != NULL;
			else
				take_arg(u, eq ? eq + 1 : NULL, argv, argc, &i);
		} else {
			for (char *c = a + 1; *c; c++) {
				struct opt_use *u = &uses[(*nuses)++];

				u->id = short_opt(*c);
				snprintf(u->spelled, sizeof(u->spelled), "-%c", *c);
				if (u->id < 0)
					break; /* whether the rest is its argument is unknown */
				if (options[u->id].type != TYPE_FLAG) {
					take_arg(u, c[1] ? c + 1 : NULL, argv, argc, &i);
					break;
				}
			}
		}
	}
}

static int set_opt(struct opts *o, const struct opt *op, const char *arg)
{
	void *field = (char *)o + op->offset;

	switch (op->type) {
	case TYPE_FLAG:
		*(bool *)field = true;
		return 0;
	case TYPE_STRING:
		*(const char **)field = arg;
		return 0;
	case TYPE_MODE:
		return parse_mode(arg, field);
	}
	return -EINVAL;
}

/*
 * Parse the command line into *o, *cmd (NULL if none is named) and its
 * arguments. The options are checked against the command, wherever they
 * stand; the first fault is reported.
 */
static int parse_args(int argc, char **argv, struct opts *o, const struct cmd **cmd, char **args,
                      int *nargs, struct opt_use *uses)
{
	const char *word = NULL;
	const struct cmd *c = NULL;
	char see[32] = "";
	bool ambiguous = false;
	int nuses = 0, err;

	scan_args(argc, argv, &word, args, nargs, uses, &nuses);
	if (word)
		c = lookup_cmd(word, &ambiguous);
	if (c)
		snprintf(see, sizeof(see), " %s", c->name);
	for (int i = 0; i < nuses; i++) {
		const struct opt_use *u = &uses[i];
		const struct opt *op;

		if (u->id == OPT_AMBIGUOUS)
			return fw_uerr_r(EINVAL, "ambiguous option %s; see fwctl help%s",
			                 u->spelled, see);
		if (u->id == OPT_UNKNOWN || (c && !((c->opts | OPTS_GLOBAL) & OPT_BIT(u->id))))
			return fw_uerr_r(EINVAL, "unknown option %s%s%s; see fwctl help%s",
			                 u->spelled, c ? " for fwctl " : "", c ? c->name : "", see);
		op = &options[u->id];
		if (u->bad_arg && op->type == TYPE_FLAG)
			return fw_uerr_r(EINVAL, "option %s takes no argument; see fwctl help%s",
			                 u->spelled, see);
		if (u->bad_arg)
			return fw_uerr_r(EINVAL,
			                 "option %s needs an argument (%s); see fwctl help%s",
			                 u->spelled, op->metavar, see);
		err = set_opt(o, op, u->arg);
		if (err)
			return err;
	}
	if (word && !c && !find_cmd(word))
		return fw_user_err(EINVAL);
	*cmd = c;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.mode = FW_MODE_AUTO};
	const struct cmd *cmd = NULL;
	struct opt_use *uses = NULL;
	char **args = NULL, root[256], spec[64];
	size_t nuses = 1;
	bool persistent, kernel;
	int nargs = 0, err;

	/* At most one option per character of the command line. */
	for (int i = 1; i < argc; i++)
		nuses += strlen(argv[i]);
	uses = calloc(nuses, sizeof(*uses));
	args = calloc(argc, sizeof(*args));
	if (!uses || !args) {
		err = fw_err_r(ENOMEM, "out of memory reading the command line");
		goto out;
	}
	err = parse_args(argc, argv, &o, &cmd, args, &nargs, uses);
	if (err)
		goto out;
	fw_verbose = o.verbose;
	if (o.version) {
		err = cmd_version(&o, args, 0);
		goto out;
	}
	if (o.help) {
		if (cmd)
			cmd_usage(stdout, cmd);
		else
			usage(stdout);
		goto out;
	}
	if (!cmd) {
		usage(stderr);
		err = fw_user_err(EINVAL);
		goto out;
	}
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		synopsis(cmd, spec, sizeof(spec));
		err = fw_uerr_r(EINVAL, "%s takes %s; see fwctl help %s", cmd->name,
		                spec[0] ? spec : "no arguments", cmd->name);
		goto out;
	}

	fw_log_setup_libs();
	kernel = cmd->kernel && cmd->kernel(args, nargs);
	if (kernel && (err = check_privileges(cmd)))
		goto out;
	if (o.netns && (err = enter_netns(o.netns)))
		goto out;
	if (kernel && (err = fw_bpffs_root(root, sizeof(root), &persistent)))
		goto out;
	err = cmd->fn(&o, args, nargs);
out:
	free(uses);
	free(args);
	return exit_code(err);
}
