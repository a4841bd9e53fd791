// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cost.c - xdpfw-cost: what one packet costs the program alone.
 *
 * Loads xdpfw's own object (the skeleton fwctl embeds) with a rule file
 * compiled by the real compiler, or the trivial XDP_DROP of drop.bpf.c, and
 * runs one benchmark frame (template.h) through BPF_PROG_TEST_RUN many
 * times; the kernel reports the mean time per run. --vary N runs N frames
 * whose source address and port differ (N runs of repeat/N each), so lookups
 * keyed on them do not always hit the same entry. Nothing is attached.
 *
 * Output: one line, e.g. "ns=21 verdict=drop repeat=1000000 vary=1".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfw.h"
#include "loader.h"
#include "ruleset.h"
#include "xdpfw.skel.h"
#include "drop.skel.h"
#include "template.h"

/* Without --repeat, run about this long: long enough for a stable mean
 * (the kernel times the whole loop), short enough for 1,000 linear rules. */
#define COST_BUDGET_MS 250
#define COST_PROBE 1000

static struct fw_ruleset ruleset; /* 140 KiB: not on the stack */

static void usage(FILE *f)
{
	fprintf(f,
"usage: xdpfw-cost (--rules FILE | --trivial | --prog-id ID) [options]\n"
"  --rules FILE     xdpfw with these rules\n"
"  --trivial        the trivial XDP_DROP program instead\n"
"  --prog-id ID     a loaded XDP program instead (xdp-filter's, found by bench/run)\n"
"  --template T     udp (default), tcp, icmp, udp6, vlan\n"
"  --src/--dst ADDR, --sport N, --dport N   frame fields (as xdpfw-gen)\n"
"  --repeat N       runs in all (default: what takes about %d ms)\n"
"  --vary N         N distinct source address/port pairs (default 1)\n",
		COST_BUDGET_MS);
}

static int num(const char *s, unsigned long max, unsigned long *v, const char *what)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || *end || end == s || *v > max) {
		fprintf(stderr, "xdpfw-cost: %s: '%s' is not a number up to %lu\n", what, s, max);
		return -EINVAL;
	}
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	return l == LIBBPF_WARN && getenv("XDPFW_BENCH_VERBOSE") ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "rules", required_argument, 0, 'r' },
		{ "trivial", no_argument, 0, 'T' },
		{ "prog-id", required_argument, 0, 'i' },
		{ "template", required_argument, 0, 't' },
		{ "src", required_argument, 0, 's' },
		{ "dst", required_argument, 0, 'a' },
		{ "sport", required_argument, 0, 'p' },
		{ "dport", required_argument, 0, 'q' },
		{ "repeat", required_argument, 0, 'n' },
		{ "vary", required_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	const char *rules = NULL;
	struct xdpfw_bpf *fw = NULL;
	struct drop_bpf *drop = NULL;
	struct tmpl_opts t;
	struct tmpl_layout l;
	struct fw_diag diag;
	struct pkt frame;
	unsigned long repeat = 0, vary = 1, v;
	uint64_t total_ns = 0, runs = 0;
	uint32_t saddr0, retval = 0, i;
	unsigned long prog_id = 0;
	int trivial = 0, c, prog_fd = -1, err = 2;

	tmpl_defaults(&t);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r': rules = optarg; break;
		case 'T': trivial = 1; break;
		case 'i': if (num(optarg, UINT32_MAX, &prog_id, "--prog-id")) return 1; break;
		case 't':
			if (tmpl_kind_parse(optarg, &t.kind)) {
				fprintf(stderr, "xdpfw-cost: --template: '%s' is not udp, tcp, icmp, udp6 or vlan\n", optarg);
				return 1;
			}
			break;
		case 's': t.src = optarg; break;
		case 'a': t.dst = optarg; break;
		case 'p': if (num(optarg, 65535, &v, "--sport")) return 1; t.sport = v; break;
		case 'q': if (num(optarg, 65535, &v, "--dport")) return 1; t.dport = v; break;
		case 'n': if (num(optarg, UINT32_MAX, &repeat, "--repeat")) return 1;
			if (!repeat) { fprintf(stderr, "xdpfw-cost: --repeat: at least 1\n"); return 1; }
			break;
		case 'v': if (num(optarg, 65536, &vary, "--vary")) return 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc || !!rules + trivial + !!prog_id != 1 || !vary) {
		usage(stderr);
		return 1;
	}
	if (tmpl_build(&t, &frame, &l))
		return 1;
	libbpf_set_print(libbpf_quiet);

	if (prog_id) {
		prog_fd = bpf_prog_get_fd_by_id(prog_id);
		if (prog_fd < 0) {
			fprintf(stderr, "xdpfw-cost: no program with id %lu: %s\n", prog_id, strerror(errno));
			return 2;
		}
	} else if (trivial) {
		drop = drop_bpf__open_and_load();
		if (!drop) {
			fprintf(stderr, "xdpfw-cost: cannot load drop.bpf.o: %s\n", strerror(errno));
			return 2;
		}
		prog_fd = bpf_program__fd(drop->progs.bench_verdict);
	} else {
		fw_diag_init(&diag, rules, stderr);
		if (fw_ruleset_load_file(rules, &ruleset, &diag))
			return 1;
		fw = xdpfw_bpf__open_and_load();
		if (!fw) {
			fprintf(stderr, "xdpfw-cost: cannot load xdpfw's object: %s\n", strerror(errno));
			return 2;
		}
		if (fw_ruleset_write(fw, &ruleset)) {
			fprintf(stderr, "xdpfw-cost: cannot write the rules of %s into the maps\n", rules);
			goto out;
		}
		prog_fd = bpf_program__fd(fw->progs.xdpfw_main);
	}

	if (!repeat) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data,
			    .data_size_in = frame.len, .repeat = COST_PROBE);

		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n", strerror(errno));
			goto out;
		}
		repeat = COST_BUDGET_MS * 1000000ul / (o.duration ? o.duration : 1);
		if (repeat < COST_PROBE)
			repeat = COST_PROBE;
		if (repeat > 20000000)
			repeat = 20000000;
	}
	memcpy(&saddr0, frame.data + l.saddr_off, 4);
	for (i = 0; i < vary; i++) {
		uint32_t a = htonl(ntohl(saddr0) + i);
		uint16_t p = htons(t.sport + i / 256);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data,
			    .data_size_in = frame.len,
			    .repeat = repeat / vary ? repeat / vary : 1);

		/* Checksums stay stale: the program under test never checks them. */
		memcpy(frame.data + l.saddr_off, &a, 4);
		if (t.kind != T_ICMP)
			memcpy(frame.data + l.sport_off, &p, 2);
		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n", strerror(errno));
			goto out;
		}
		total_ns += (uint64_t)o.duration * o.repeat;
		runs += o.repeat;
		retval = o.retval;
	}
	printf("ns=%.1f verdict=%s repeat=%llu vary=%lu\n", (double)total_ns / runs,
	       retval == XDP_DROP ? "drop" : retval == XDP_PASS ? "pass" : "other",
	       (unsigned long long)runs, vary);
	err = 0;
out:
	if (prog_id && prog_fd >= 0)
		close(prog_fd);
	xdpfw_bpf__destroy(fw);
	drop_bpf__destroy(drop);
	return err;
}
