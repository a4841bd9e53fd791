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
#include <getopt.h>
#include <sched.h>
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

struct opts {
	const char *netns;
	enum fw_mode mode;
	bool json;
};

struct cmd {
	const char *name;
	const char *args;
	int min_args, max_args;
	bool kernel; /* talks to the kernel: needs bpffs and libxdp set up */
	int (*fn)(const struct opts *o, char **argv, int argc);
	const char *help;
};

/*
 * check [--strict] FILE: errors fail the check, warnings (lint.h) only with
 * --strict. --strict is taken here, in either place, because no other
 * command has it.
 */
static int cmd_check(const struct opts *o, char **argv, int argc)
{
	struct fw_ruleset *rs = NULL;
	const char *file = NULL;
	struct fw_diag diag;
	bool strict = false;
	int err;

	(void)o;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--strict"))
			strict = true;
		else if (!file)
			file = argv[i];
		else
			return fw_uerr_r(EINVAL,
			                 "check takes one FILE, got %s and %s; see fwctl help",
			                 file, argv[i]);
	}
	if (!file)
		return fw_uerr_r(EINVAL, "check takes [--strict] FILE; see fwctl help");
	fw_diag_init(&diag, file, stderr);
	err = fw_ruleset_load_file(file, &rs, &diag) ?: fw_lint(rs, &diag);
	if (err)
		fw_user_error = 1;
	if (err == -EINVAL)
		fprintf(stderr, "%s: %u error%s, nothing applied\n", fw_esc(file), diag.errors,
		        diag.errors == 1 ? "" : "s");
	if (!err && strict && diag.warnings) {
		fprintf(stderr, "%s: %u warning%s, which --strict makes errors\n", fw_esc(file),
		        diag.warnings, diag.warnings == 1 ? "" : "s");
		fw_user_error = 1;
		err = -EINVAL;
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
	err = fw_ruleset_load_file(file, rs, &diag) ?: fw_lint(*rs, &diag);
	if (err) {
		fw_user_error = 1; /* bad rules, or a file that cannot be read */
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
		if (err && err != -ENOENT && err != -ENODEV)
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
 * layouts (see fw_detach). Taken here, as check's --strict. */
static int cmd_detach(const struct opts *o, char **argv, int argc)
{
	const char *ifname = NULL;
	bool force = false;
	int err;

	(void)o;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!ifname)
			ifname = argv[i];
		else
			return fw_uerr_r(EINVAL,
			                 "detach takes one IFACE, got %s and %s; see fwctl help",
			                 ifname, argv[i]);
	}
	if (!ifname)
		return fw_uerr_r(EINVAL, "detach takes IFACE [--force]; see fwctl help");
	err = fw_detach(ifname, force);
	if (!err)
		printf("xdpfw detached from %s\n", fw_esc(ifname));
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

static const struct cmd cmds[] = {
    {"check", "[--strict] FILE", 1, 2, false, cmd_check,
     "parse, compile and lint a rule file; exit 1 on an error (--strict: a warning)"},
    {"attach", "IFACE FILE", 2, 2, true, cmd_attach,
     "compile FILE, load and attach xdpfw to IFACE, pin its state"},
    {"reload", "IFACE FILE", 2, 2, true, cmd_reload,
     "replace the rules on IFACE atomically; on any error the old ones stay"},
    {"detach", "IFACE [--force]", 1, 2, true, cmd_detach,
     "detach xdpfw from IFACE and remove its pins (--force: whatever built it)"},
    {"status", "[IFACE]", 0, 1, true, cmd_status, "interfaces running xdpfw: mode, program, rules"},
    {"stats", "[IFACE]", 0, 1, true, cmd_stats,
     "per-rule and per-reason packets and bytes, summed over CPUs"},
    {"show", "IFACE", 1, 1, true, cmd_show,
     "the rules running on IFACE, in the rule language, with counters"},
    {"explain", "TARGET PACKET...", 2, 64, true, cmd_explain,
     "which rule of a rule file or interface decides a packet, and why"},
    {"help", "", 0, 0, false, cmd_help, "this text"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: fwctl [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-7s %-17s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(f, "\noptions:\n"
	           "  -n, --netns NAME     run in network namespace NAME (ip netns)\n"
	           "  -m, --mode MODE      attach mode: auto (default: native, else generic), "
	           "native, generic\n"
	           "  -j, --json           JSON output (status, stats, show, explain)\n"
	           "  -v, --verbose        show libbpf and libxdp messages\n"
	           "  -h, --help           this text\n"
	           "\nexit status: 0 ok, 1 bad rules or user error, 2 system error\n");
}

static int cmd_help(const struct opts *o, char **argv, int argc)
{
	(void)o;
	(void)argv;
	(void)argc;
	usage(stdout);
	return 0;
}

/* Exact name, else a unique prefix (as iproute2). */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *hit = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < NCMDS; i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (!strncmp(cmds[i].name, name, len)) {
			if (hit) {
				fw_uerr("ambiguous command '%s'; see fwctl help", name);
				return NULL;
			}
			hit = &cmds[i];
		}
	}
	if (!hit)
		fw_uerr("unknown command '%s'; see fwctl help", name);
	return hit;
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
	return fw_user_error ? EXIT_USER : EXIT_SYSTEM;
}

/*
 * Commands that touch BPF or XDP need root: say so once, up front, rather
 * than let the first refused call speak (cannot create map fw_config ...).
 */
static int check_privileges(const char *cmd)
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
			                "and CAP_SYS_ADMIN); run it as root",
			                cmd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"netns", required_argument, NULL, 'n'}, {"mode", required_argument, NULL, 'm'},
	    {"json", no_argument, NULL, 'j'},        {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	struct opts o = {.mode = FW_MODE_AUTO};
	const struct cmd *cmd;
	char root[256];
	bool persistent;
	int c, nargs, err;

	while ((c = getopt_long(argc, argv, "+n:m:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.netns = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &o.mode))
				return EXIT_USER;
			break;
		case 'j':
			o.json = true;
			break;
		case 'v':
			fw_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USER;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USER;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return EXIT_USER;
	/* Options may also follow the command (fwctl stats veth0 --json). */
	argv += optind + 1;
	argc -= optind + 1;
	nargs = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			o.json = true;
		} else if ((!strcmp(argv[i], "--mode") || !strcmp(argv[i], "-m")) && i + 1 < argc) {
			if (parse_mode(argv[++i], &o.mode))
				return EXIT_USER;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			fw_verbose = 1;
		} else {
			argv[nargs++] = argv[i];
		}
	}
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fw_uerr("%s takes %s%s; see fwctl help", cmd->name,
		        cmd->args[0] ? "" : "no arguments", cmd->args);
		return EXIT_USER;
	}

	fw_log_setup_libs();
	if (cmd->kernel && (err = check_privileges(cmd->name)))
		return exit_code(err);
	if (o.netns && (err = enter_netns(o.netns)))
		return exit_code(err);
	if (cmd->kernel && (err = fw_bpffs_root(root, sizeof(root), &persistent)))
		return exit_code(err);
	return exit_code(cmd->fn(&o, argv, nargs));
}
