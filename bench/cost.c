// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cost.c - xdpfw-cost: what one packet costs the program alone.
 *
 * Loads xdpfw's own object (the skeleton fwctl embeds) with a rule file
 * compiled by the real compiler, or the trivial XDP_DROP of drop.bpf.c, or
 * a program already loaded (by id), and runs benchmark frames (template.h)
 * through BPF_PROG_TEST_RUN. Nothing is attached. Two ways:
 *
 *   hot (default)  one frame, run many times in one call; the kernel
 *                  reports the mean time per run. --vary N: N frames whose
 *                  source address and port differ, repeat/N runs each.
 *   --flows N      N frames of distinct flows, in xdpfw-gen's order (256
 *                  source addresses, then the next source port), each run
 *                  once per call, pass after pass: no frame meets its own
 *                  lookups still warm. A call with repeat > 1 makes the
 *                  kernel swap its XDP dispatcher and wait for an RCU grace
 *                  period (~20 ms here, net/bpf/test_run.c), one with
 *                  repeat 1 does not, so this costs microseconds per frame.
 *                  While it runs the kernel's BPF run-time statistics are
 *                  on (BPF_ENABLE_STATS, held by a file descriptor, so they
 *                  go off again when this process ends, however it ends):
 *                  the program's run_time_ns after each run, less the one
 *                  before, is that run's time, around the program call
 *                  only. The figure (ns=) is the mean of the middle 80% of
 *                  those per-run times (median= is printed too); run_ns=
 *                  is the test-run timer's median, which adds the timer
 *                  and the call around the program.
 *   --src-count N  with --flows: the frames' source addresses, counted up
 *                  (default 256, xdpfw-gen's default): flow i comes from
 *                  address + i % N, port + i / N, as xdpfw-gen sends them
 *                  with --src-count N (--src-count 1: one source, N ports;
 *                  --src-count 65536 --flows 65536: 65,536 sources).
 *   --warmup N     with --flows: N passes over the frames first, not timed,
 *                  so that state the program keeps (the buckets of a rate
 *                  limit) is in steady state when the timed passes begin.
 *   --frames FILE  as --flows, over the frames of a frame list (template.h:
 *                  a ClassBench trace converted by bench/classbench.py, or
 *                  the shared-field sets' frames) instead of xdpfw-gen's.
 *
 * --hot --flows N (or --frames FILE) does both from one load, the hot line
 * first (with --frames, the list's first frame hot).
 *
 * --check (with --rules and --frames): no timing; every frame of the list
 * runs once, and its verdict, the reason it is counted under and the rule
 * that decided it (read from the program's per-CPU counters) must be what
 * the reference model (ctl/model.c) says for the same bytes. Prints
 *   check frames=4096 disagree=0 drop=4011 pass=85 rules=617
 * (rules: distinct rules that decided a frame), the first disagreements on
 * stderr, and exits 3 when any frame disagrees.
 *
 * --object FILE loads the first XDP program of a BPF object file instead
 * (bench/anchor.bpf.o, the hand-written two-rule program).
 *
 * Output: one line per figure, e.g.
 *   ns=21.0 verdict=drop repeat=1000000 vary=1
 *   ns=98.7 verdict=drop repeat=98304 flows=4096 sources=256 passes=24 warmup=0 median=100
 *      mean=103.3 p90=110 run_ns=190 drops=98304
 *
 * Two helpers for bench/run's live measurement (the program on the veth,
 * fed by xdpfw-gen's 4,096 flows):
 *   xdpfw-cost --hold-stats       turn the run-time statistics on, print
 *                                 "stats=on", keep them on until stdin
 *                                 closes or a signal ends the process
 *   xdpfw-cost --read-stats ID    print "run_cnt=N run_time_ns=T" of program ID
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfw.h"
#include "loader.h"
#include "model.h"
#include "ruleset.h"
#include "xdpfw.skel.h"
#include "drop.skel.h"
#include "template.h"

/* Without --repeat, run about this long: long enough for a stable mean
 * (the kernel times the whole loop), short enough for 1,000 linear rules. */
#define COST_BUDGET_MS 250
#define COST_PROBE     1000
/* --flows: passes over all frames at least / at most; xdpfw-gen's sources. */
#define FLOWS_MIN_PASSES 3
#define FLOWS_MAX_PASSES 64
#define FLOWS_MAX        (1u << 16)
#define GEN_SRC_COUNT    256 /* gen.c's default --src-count */
#define WARMUP_MAX       64
#define CHECK_REPORT     5 /* disagreements shown in full */

static struct fw_ruleset *ruleset;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: xdpfw-cost (--rules FILE | --trivial | --prog-id ID | --object FILE) "
	    "[options]\n"
	    "       xdpfw-cost --hold-stats | --read-stats ID\n"
	    "  --rules FILE     xdpfw with these rules\n"
	    "  --trivial        the trivial XDP_DROP program instead\n"
	    "  --prog-id ID     a loaded XDP program instead (xdp-filter's, found by bench/run)\n"
	    "  --object FILE    the first XDP program of a BPF object file instead\n"
	    "  --template T     udp (default), tcp, icmp, udp6, vlan\n"
	    "  --src/--dst ADDR, --sport N, --dport N   frame fields (as xdpfw-gen)\n"
	    "  --repeat N       runs in all (default: what takes about %d ms)\n"
	    "  --vary N         N distinct source address/port pairs, run hot (default 1)\n"
	    "  --flows N        N distinct flows as xdpfw-gen sends them, each frame run\n"
	    "                   once per pass; the program's time from the kernel's\n"
	    "                   run-time statistics (default passes: about %d ms, %d-%d)\n"
	    "  --passes N       passes over the --flows frames\n"
	    "  --src-count N    --flows frames' source addresses, counted up (default %d)\n"
	    "  --warmup N       --flows passes run first and not timed (default 0)\n"
	    "  --frames FILE    as --flows, over the frames of a frame list (bench/template.h)\n"
	    "  --check          with --rules and --frames: verdict, reason and rule of every\n"
	    "                   frame against the reference model; exit 3 if any differs\n"
	    "  --hot            with --flows or --frames: the hot figure first, same load\n"
	    "  --hold-stats     keep BPF run-time statistics on until stdin closes\n"
	    "  --read-stats ID  run_cnt and run_time_ns of program ID\n",
	    COST_BUDGET_MS, COST_BUDGET_MS, FLOWS_MIN_PASSES, FLOWS_MAX_PASSES, GEN_SRC_COUNT);
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

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* run_cnt and run_time_ns of a program, by fd. */
static int prog_stats(int fd, uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

/* Statistics stay on while the fd returned by BPF_ENABLE_STATS is open. */
static int enable_stats(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0)
		fprintf(stderr, "xdpfw-cost: cannot turn BPF run-time statistics on: %s\n",
		        strerror(errno));
	return fd;
}

static int hold_stats(void)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	char buf[256];
	int fd = enable_stats();

	if (fd < 0)
		return 2;
	printf("stats=on\n");
	fflush(stdout);
	/* Until stdin reaches its end (the holder's writer went away). */
	while (poll(&p, 1, -1) >= 0 || errno == EINTR)
		if ((p.revents & (POLLIN | POLLHUP)) && read(0, buf, sizeof(buf)) <= 0)
			break;
	close(fd);
	return 0;
}

static int read_stats(unsigned long id)
{
	uint64_t cnt, ns;
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0) {
		fprintf(stderr, "xdpfw-cost: no program with id %lu: %s\n", id, strerror(errno));
		return 2;
	}
	err = prog_stats(fd, &cnt, &ns);
	close(fd);
	if (err) {
		fprintf(stderr, "xdpfw-cost: cannot read program %lu: %s\n", id, strerror(-err));
		return 2;
	}
	printf("run_cnt=%llu run_time_ns=%llu\n", (unsigned long long)cnt, (unsigned long long)ns);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static const char *verdict_name(uint32_t v)
{
	return v == XDP_DROP ? "drop" : v == XDP_PASS ? "pass" : "other";
}

/* Flow i of xdpfw-gen's sequence: source address + i % 256, source port +
 * i / 256. Checksums stay stale: the programs under test never check them. */
static void flow_frame(struct pkt *f, const struct pkt *frame, const struct tmpl_layout *l,
                       const struct tmpl_opts *t, uint32_t i, uint32_t src_count)
{
	uint32_t saddr0, a;
	uint16_t p = htons((uint16_t)(t->sport + i / src_count));

	memcpy(f->data, frame->data, frame->len);
	f->len = frame->len;
	memcpy(&saddr0, frame->data + l->saddr_off, 4);
	a = htonl(ntohl(saddr0) + i % src_count);
	memcpy(f->data + l->saddr_off, &a, 4);
	if (t->kind != T_ICMP)
		memcpy(f->data + l->sport_off, &p, 2);
}

/* xdpfw-gen's first nflows flows, a frame each; NULL when out of memory. */
static struct pkt *flow_frames(const struct pkt *frame, const struct tmpl_layout *l,
                               const struct tmpl_opts *t, uint32_t nflows, uint32_t src_count)
{
	struct pkt *frames = calloc(nflows, sizeof(*frames));

	if (!frames) {
		fprintf(stderr, "xdpfw-cost: out of memory\n");
		return NULL;
	}
	for (uint32_t i = 0; i < nflows; i++)
		flow_frame(&frames[i], frame, l, t, i, nflows < src_count ? nflows : src_count);
	return frames;
}

/* --flows, --frames: every frame once per call; see the top of the file.
 * what: how the output line names the frames ("sources=256", "frames=F"). */
static int run_flows(int prog_fd, const struct pkt *frames, uint32_t nflows, unsigned long passes,
                     unsigned long warmup, const char *what)
{
	uint32_t *stat_ns = NULL, *run_ns = NULL, retval = 0, n = 0;
	uint64_t cnt0, ns0, cnt1 = 0, ns1 = 0, drops = 0, total = 0, mid = 0;
	size_t cap = (size_t)nflows * (passes ? passes : FLOWS_MAX_PASSES);
	int stats_fd = -1, err = 2;
	double t0;

	/* Untimed passes: the program's state (rate-limit buckets) settles. */
	for (unsigned long pass = 0; pass < warmup; pass++)
		for (uint32_t i = 0; i < nflows; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i].data,
			            .data_size_in = frames[i].len, .repeat = 1);

			if (bpf_prog_test_run_opts(prog_fd, &o)) {
				fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n",
				        strerror(errno));
				return 2;
			}
		}
	stats_fd = enable_stats();
	if (stats_fd < 0)
		goto out;
	stat_ns = calloc(cap, sizeof(*stat_ns));
	run_ns = calloc(cap, sizeof(*run_ns));
	if (!stat_ns || !run_ns) {
		fprintf(stderr, "xdpfw-cost: out of memory\n");
		goto out;
	}
	if (prog_stats(prog_fd, &cnt0, &ns0)) {
		fprintf(stderr, "xdpfw-cost: cannot read the program's statistics: %s\n",
		        strerror(errno));
		goto out;
	}
	t0 = now_ms();
	for (unsigned long pass = 0;; pass++) {
		if (passes ? pass == passes
		           : pass == FLOWS_MAX_PASSES ||
		                 (pass >= FLOWS_MIN_PASSES && now_ms() - t0 > COST_BUDGET_MS))
			break;
		for (uint32_t i = 0; i < nflows; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i].data,
			            .data_size_in = frames[i].len, .repeat = 1);

			if (bpf_prog_test_run_opts(prog_fd, &o)) {
				fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n",
				        strerror(errno));
				goto out;
			}
			if (prog_stats(prog_fd, &cnt1, &ns1)) {
				fprintf(stderr,
				        "xdpfw-cost: cannot read the program's statistics: %s\n",
				        strerror(errno));
				goto out;
			}
			if (cnt1 != cnt0 + 1) {
				/* Someone else ran it meanwhile: the time would be theirs too. */
				fprintf(stderr,
				        "xdpfw-cost: the program ran %llu times in one test run: "
				        "not ours alone\n",
				        (unsigned long long)(cnt1 - cnt0));
				goto out;
			}
			stat_ns[n] = (uint32_t)(ns1 - ns0);
			total += ns1 - ns0;
			cnt0 = cnt1;
			ns0 = ns1;
			run_ns[n++] = o.duration;
			drops += o.retval == XDP_DROP;
			retval = o.retval;
		}
	}
	qsort(stat_ns, n, sizeof(*stat_ns), cmp_u32);
	qsort(run_ns, n, sizeof(*run_ns), cmp_u32);
	/* The interdecile mean: the clock behind the statistics moves in steps
	 * of about 10 ns here, so a median alone moves in such steps too; the
	 * mean of the middle 80% does not, and interrupts in the slowest tenth
	 * do not move it either. */
	for (uint32_t k = n / 10; k < n - n / 10; k++)
		mid += stat_ns[k];
	if (getenv("XDPFW_COST_SAMPLES"))
		for (uint32_t k = 0; k < n; k++)
			fprintf(stderr, "%u\n", stat_ns[k]);
	printf("ns=%.1f verdict=%s repeat=%u flows=%u %s passes=%u warmup=%lu median=%u "
	       "mean=%.1f p90=%u run_ns=%u drops=%llu\n",
	       (double)mid / (n - 2 * (n / 10)), verdict_name(retval), n, nflows, what, n / nflows,
	       warmup, stat_ns[n / 2], (double)total / n, stat_ns[n * 9 / 10], run_ns[n / 2],
	       (unsigned long long)drops);
	err = 0;
out:
	if (stats_fd >= 0)
		close(stats_fd);
	free(stat_ns);
	free(run_ns);
	return err;
}

static uint32_t xdp_of(enum xdpfw_action a)
{
	return a == XDPFW_ACT_DROP ? XDP_DROP : XDP_PASS;
}

/* Packets of one per-CPU counter, summed over the CPUs. */
static int counter_packets(int fd, uint32_t key, int ncpu, uint64_t *packets)
{
	struct xdpfw_counter v[ncpu];

	if (bpf_map_lookup_elem(fd, &key, v)) {
		fprintf(stderr, "xdpfw-cost: cannot read counter %u: %s\n", key, strerror(errno));
		return -errno;
	}
	*packets = 0;
	for (int c = 0; c < ncpu; c++)
		*packets += v[c].packets;
	return 0;
}

/* Packets of every reason counter and of every rule's counter. */
static int counter_totals(const struct xdpfw_bpf *fw, const struct fw_ruleset *rs, int ncpu,
                          uint64_t *reasons, uint64_t *rules)
{
	int qfd = bpf_map__fd(fw->maps.fw_reason_stats), rfd = bpf_map__fd(fw->maps.fw_rule_stats);
	uint64_t v;

	*reasons = *rules = 0;
	for (uint32_t k = 0; k < XDPFW_REASON_MAX; k++) {
		if (counter_packets(qfd, k, ncpu, &v))
			return -1;
		*reasons += v;
	}
	for (uint32_t i = 0; i < rs->config.rule_count; i++) {
		if (counter_packets(rfd, rs->rules[i].counter, ncpu, &v))
			return -1;
		*rules += v;
	}
	return 0;
}

/*
 * --check: each frame once; its verdict must be the model's, and the
 * model's reason and rule counters must each have moved by one. The totals
 * over all reasons and rules moving by exactly the frames (and the frames a
 * rule decided) then show that no other counter moved instead.
 */
static int run_check(int prog_fd, const struct xdpfw_bpf *fw, const struct fw_ruleset *rs,
                     const struct pkt *frames, uint32_t n, const char *path)
{
	int qfd = bpf_map__fd(fw->maps.fw_reason_stats), rfd = bpf_map__fd(fw->maps.fw_rule_stats);
	int ncpu = libbpf_num_possible_cpus();
	uint64_t q0, q1, r0 = 0, r1 = 0, reasons0, rules0, reasons1, rules1, by_rule = 0;
	uint32_t bad = 0, drops = 0, distinct = 0;
	uint8_t *decided = calloc(rs->config.rule_count + 1, 1);
	struct fw_model_result want;
	int err = 2;

	if (ncpu <= 0 || !decided) {
		fprintf(stderr, "xdpfw-cost: cannot count CPUs or allocate\n");
		free(decided);
		return 2;
	}
	if (counter_totals(fw, rs, ncpu, &reasons0, &rules0))
		goto out;
	for (uint32_t f = 0; f < n; f++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[f].data,
		            .data_size_in = frames[f].len, .repeat = 1);
		int rule_moved = 1;

		fw_model_verdict(rs, frames[f].data, frames[f].len, &want);
		if (counter_packets(qfd, want.reason, ncpu, &q0) ||
		    (want.rule >= 0 &&
		     counter_packets(rfd, rs->rules[want.rule].counter, ncpu, &r0)))
			goto out;
		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n",
			        strerror(errno));
			goto out;
		}
		if (counter_packets(qfd, want.reason, ncpu, &q1) ||
		    (want.rule >= 0 &&
		     counter_packets(rfd, rs->rules[want.rule].counter, ncpu, &r1)))
			goto out;
		if (want.rule >= 0) {
			rule_moved = r1 == r0 + 1;
			by_rule++;
			distinct += !decided[want.rule];
			decided[want.rule] = 1;
		}
		drops += o.retval == XDP_DROP;
		if (o.retval == xdp_of(want.action) && q1 == q0 + 1 && rule_moved)
			continue;
		if (bad++ < CHECK_REPORT) {
			char text[256] = "";

			if (want.rule >= 0)
				fw_rule_format(&rs->rules[want.rule], text, sizeof(text));
			fprintf(stderr,
			        "xdpfw-cost: %s: frame %u: program %s (the model's reason counted: "
			        "%s, its rule counted: %s); model %s, reason %s, rule %d%s%s\n",
			        path, f + 1, fw_xdp_name(o.retval), q1 == q0 + 1 ? "yes" : "no",
			        rule_moved ? "yes" : "no", fw_xdp_name(xdp_of(want.action)),
			        fw_reason_name(want.reason), want.rule, text[0] ? ": " : "", text);
		}
	}
	if (counter_totals(fw, rs, ncpu, &reasons1, &rules1))
		goto out;
	printf("check frames=%u disagree=%u drop=%u pass=%u rules=%u counters=%s\n", n, bad, drops,
	       n - drops, distinct,
	       reasons1 - reasons0 == n && rules1 - rules0 == by_rule ? "ok" : "differ");
	err = bad || reasons1 - reasons0 != n || rules1 - rules0 != by_rule ? 3 : 0;
out:
	free(decided);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"rules", required_argument, 0, 'r'},
	    {"trivial", no_argument, 0, 'T'},
	    {"prog-id", required_argument, 0, 'i'},
	    {"object", required_argument, 0, 'O'},
	    {"template", required_argument, 0, 't'},
	    {"src", required_argument, 0, 's'},
	    {"dst", required_argument, 0, 'a'},
	    {"sport", required_argument, 0, 'p'},
	    {"dport", required_argument, 0, 'q'},
	    {"repeat", required_argument, 0, 'n'},
	    {"vary", required_argument, 0, 'v'},
	    {"flows", required_argument, 0, 'f'},
	    {"frames", required_argument, 0, 'F'},
	    {"check", no_argument, 0, 'C'},
	    {"passes", required_argument, 0, 'P'},
	    {"hot", no_argument, 0, 'o'},
	    {"src-count", required_argument, 0, 'S'},
	    {"warmup", required_argument, 0, 'W'},
	    {"hold-stats", no_argument, 0, 'H'},
	    {"read-stats", required_argument, 0, 'R'},
	    {"help", no_argument, 0, 'h'},
	    {0},
	};
	const char *rules = NULL, *object = NULL, *frames_path = NULL;
	struct xdpfw_bpf *fw = NULL;
	struct drop_bpf *drop = NULL;
	struct bpf_object *obj = NULL;
	struct tmpl_opts t;
	struct tmpl_layout l;
	struct fw_diag diag;
	static struct pkt frame;
	struct pkt *frames = NULL;
	char what[64];
	unsigned long repeat = 0, vary = 1, flows = 0, passes = 0, warmup = 0, v;
	unsigned long src_count = GEN_SRC_COUNT, src_set = 0;
	uint64_t total_ns = 0, runs = 0;
	uint32_t saddr0, retval = 0, i, nframes = 0;
	unsigned long prog_id = 0;
	int trivial = 0, hot = 0, check = 0, many, c, prog_fd = -1, err = 2;

	tmpl_defaults(&t);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules = optarg;
			break;
		case 'T':
			trivial = 1;
			break;
		case 'i':
			if (num(optarg, UINT32_MAX, &prog_id, "--prog-id"))
				return 1;
			break;
		case 'O':
			object = optarg;
			break;
		case 't':
			if (tmpl_kind_parse(optarg, &t.kind)) {
				fprintf(stderr,
				        "xdpfw-cost: --template: '%s' is not udp, tcp, icmp, udp6 "
				        "or vlan\n",
				        optarg);
				return 1;
			}
			break;
		case 's':
			t.src = optarg;
			break;
		case 'a':
			t.dst = optarg;
			break;
		case 'p':
			if (num(optarg, 65535, &v, "--sport"))
				return 1;
			t.sport = v;
			break;
		case 'q':
			if (num(optarg, 65535, &v, "--dport"))
				return 1;
			t.dport = v;
			break;
		case 'n':
			if (num(optarg, UINT32_MAX, &repeat, "--repeat"))
				return 1;
			if (!repeat) {
				fprintf(stderr, "xdpfw-cost: --repeat: at least 1\n");
				return 1;
			}
			break;
		case 'v':
			if (num(optarg, 65536, &vary, "--vary"))
				return 1;
			break;
		case 'f':
			if (num(optarg, FLOWS_MAX, &flows, "--flows"))
				return 1;
			if (!flows) {
				fprintf(stderr, "xdpfw-cost: --flows: at least 1\n");
				return 1;
			}
			break;
		case 'F':
			frames_path = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'P':
			if (num(optarg, 4096, &passes, "--passes"))
				return 1;
			if (!passes) {
				fprintf(stderr, "xdpfw-cost: --passes: at least 1\n");
				return 1;
			}
			break;
		case 'o':
			hot = 1;
			break;
		case 'S':
			if (num(optarg, 1u << 24, &src_count, "--src-count"))
				return 1;
			if (!src_count) {
				fprintf(stderr, "xdpfw-cost: --src-count: at least 1\n");
				return 1;
			}
			src_set = 1;
			break;
		case 'W':
			if (num(optarg, WARMUP_MAX, &warmup, "--warmup"))
				return 1;
			break;
		case 'H':
			return optind == argc ? hold_stats() : (usage(stderr), 1);
		case 'R':
			if (num(optarg, UINT32_MAX, &v, "--read-stats"))
				return 1;
			return optind == argc ? read_stats(v) : (usage(stderr), 1);
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	many = flows || frames_path;
	if (optind != argc || !!rules + trivial + !!prog_id + !!object != 1 || !vary ||
	    (flows && frames_path) || (frames_path && (src_set || vary != 1)) ||
	    (check && (!rules || !frames_path || hot || passes || warmup || repeat)) ||
	    (many && !hot && (vary != 1 || repeat)) ||
	    ((passes || hot || src_set || warmup) && !many)) {
		usage(stderr);
		return 1;
	}
	if (tmpl_build(&t, &frame, &l))
		return 1;
	if (frames_path) {
		if (tmpl_frames_load(frames_path, &t, FLOWS_MAX, &frames, &nframes))
			return 1;
		/* Hot: the list's first frame, as it is (no source varied). */
		frame = frames[0];
		snprintf(what, sizeof(what), "sources=0 frames=%s",
		         strrchr(frames_path, '/') ? strrchr(frames_path, '/') + 1 : frames_path);
	} else if (flows) {
		frames = flow_frames(&frame, &l, &t, flows, src_count);
		if (!frames)
			return 2;
		nframes = flows;
		snprintf(what, sizeof(what), "sources=%lu", flows < src_count ? flows : src_count);
	}
	libbpf_set_print(libbpf_quiet);

	if (prog_id) {
		prog_fd = bpf_prog_get_fd_by_id(prog_id);
		if (prog_fd < 0) {
			fprintf(stderr, "xdpfw-cost: no program with id %lu: %s\n", prog_id,
			        strerror(errno));
			goto out;
		}
	} else if (trivial) {
		drop = drop_bpf__open_and_load();
		if (!drop) {
			fprintf(stderr, "xdpfw-cost: cannot load drop.bpf.o: %s\n",
			        strerror(errno));
			goto out;
		}
		prog_fd = bpf_program__fd(drop->progs.bench_verdict);
	} else if (object) {
		struct bpf_program *prog;

		obj = bpf_object__open_file(object, NULL);
		if (!obj || bpf_object__load(obj)) {
			fprintf(stderr, "xdpfw-cost: cannot load %s: %s\n", object,
			        strerror(errno));
			goto out;
		}
		prog = bpf_object__next_program(obj, NULL);
		if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
			fprintf(stderr, "xdpfw-cost: %s: its first program is not an XDP program\n",
			        object);
			goto out;
		}
		prog_fd = bpf_program__fd(prog);
	} else {
		fw_diag_init(&diag, rules, stderr);
		if (fw_ruleset_load_file(rules, &ruleset, &diag)) {
			err = 1;
			goto out;
		}
		fw = xdpfw_bpf__open_and_load();
		if (!fw) {
			fprintf(stderr, "xdpfw-cost: cannot load xdpfw's object: %s\n",
			        strerror(errno));
			goto out;
		}
		if (fw_ruleset_write(fw, ruleset)) {
			fprintf(stderr, "xdpfw-cost: cannot write the rules of %s into the maps\n",
			        rules);
			goto out;
		}
		/* The rule set's own program: what runs attached alone. */
		prog_fd = fw_ruleset_prog_fd(fw);
		if (prog_fd < 0) {
			fprintf(stderr, "xdpfw-cost: no program for the rules of %s\n", rules);
			goto out;
		}
	}

	if (check) {
		err = run_check(prog_fd, fw, ruleset, frames, nframes, frames_path);
		goto out;
	}
	if (many && !hot) {
		err = run_flows(prog_fd, frames, nframes, passes, warmup, what);
		goto out;
	}
	if (!repeat) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data, .data_size_in = frame.len,
		            .repeat = COST_PROBE);

		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n",
			        strerror(errno));
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
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data, .data_size_in = frame.len,
		            .repeat = repeat / vary ? repeat / vary : 1);

		/* Checksums stay stale: the program under test never checks them.
		 * A frame list's first frame runs as it is. */
		if (!frames_path) {
			memcpy(frame.data + l.saddr_off, &a, 4);
			if (t.kind != T_ICMP)
				memcpy(frame.data + l.sport_off, &p, 2);
		}
		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "xdpfw-cost: BPF_PROG_TEST_RUN failed: %s\n",
			        strerror(errno));
			goto out;
		}
		total_ns += (uint64_t)o.duration * o.repeat;
		runs += o.repeat;
		retval = o.retval;
	}
	printf("ns=%.1f verdict=%s repeat=%llu vary=%lu\n", (double)total_ns / runs,
	       verdict_name(retval), (unsigned long long)runs, vary);
	fflush(stdout);
	/* --hot --flows: both, from one load (a 1M-prefix set takes seconds). */
	err = many ? run_flows(prog_fd, frames, nframes, passes, warmup, what) : 0;
out:
	if ((prog_id || fw) && prog_fd >= 0)
		close(prog_fd);
	free(frames);
	bpf_object__close(obj);
	xdpfw_bpf__destroy(fw);
	drop_bpf__destroy(drop);
	return err;
}
