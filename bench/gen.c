// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gen.c - xdpfw-gen, a pktgen-style generator for kernels without pktgen.
 *
 * It builds one frame template (ctl/frame.h), loads gen.bpf.c and runs it
 * with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: the kernel runs the
 * program on a copy of the template once per packet, and the program varies
 * the source address and port and redirects the frame out of --dev. One
 * thread per requested CPU, each pinned, each running its share.
 *
 * --frames FILE sends the frames of a frame list (template.h) in turn
 * instead of one template's variations: a converted ClassBench trace, the
 * same frames xdpfw-cost --frames runs.
 *
 * Run it where --dev lives (ip netns exec NS xdpfw-gen --dev veth0 ...).
 * It reports what it handed to the device; what arrived is for the receiver
 * to count. Output: one line of key=value pairs, e.g.
 *   sent=1000000 seconds=0.170 mpps=5.88 flows=4096 threads=1 batch=64 template=udp size=60
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gen.skel.h"
#include "template.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

/* The kernel's limit on batch_size (net/bpf/test_run.c, TEST_XDP_MAX_BATCH). */
#define GEN_MAX_BATCH 256
/* Packets per BPF_PROG_TEST_RUN call at most (repeat is 32 bits). */
#define GEN_MAX_CALL (1u << 31)
/* A frame list: frames at most, and bytes a frame (gen.bpf.c's gen_frames). */
#define GEN_MAX_FRAMES    (1u << 20)
#define GEN_FRAME_MAX_LEN 128
#define GEN_PROBE_DEFAULT (1u << 14)

struct opts {
	const char *dev;
	struct tmpl_opts t;
	uint64_t count; /* 0: use duration */
	double duration;
	unsigned int batch, threads;
	uint32_t src_count, sport_count;
	const char *frames; /* a frame list instead of the template's flows */
	uint32_t probe;     /* packets of the first probe of a --duration send */
};

struct worker {
	pthread_t tid;
	int cpu, prog_fd, err;
	const struct pkt *frame;
	const struct opts *o;
	uint64_t budget; /* packets; 0: until the deadline */
	double deadline; /* now_s() time, when budget is 0 */
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: xdpfw-gen --dev IFACE [--count N | --duration SECONDS] [options]\n"
	        "  --dev IFACE         send out of IFACE (run inside its namespace)\n"
	        "  --template T        udp (default), tcp (SYN), icmp (echo), udp6, vlan (802.1Q "
	        "100, UDP)\n"
	        "  --count N           packets in all (default 1000000 unless --duration)\n"
	        "  --duration S        send for S seconds instead\n"
	        "  --batch N           frames per kernel batch, 1-%d (default 64)\n"
	        "  --threads N         one thread per CPU, pinned to CPUs 0..N-1 (default 1)\n"
	        "  --size N            frame length without FCS, >= 60 (default 60)\n"
	        "  --src ADDR          first source address (default " TMPL_SRC4
	        ", udp6: " TMPL_SRC6 ")\n"
	        "  --src-count N       source addresses, counted up (default 256)\n"
	        "  --dst ADDR          destination (default " TMPL_DST4 ", udp6: " TMPL_DST6 ")\n"
	        "  --sport N           first source port (default 1024)\n"
	        "  --sport-count N     source ports, counted up (default 16)\n"
	        "  --dport N           destination port (default 9)\n"
	        "  --dst-mac MAC       destination MAC (default 02:00:00:00:00:02)\n"
	        "  --vlan ID           VLAN id of the vlan template (default 100)\n"
	        "  --frames FILE       send the frames of a frame list in turn (bench/template.h)\n"
	        "  --probe N           packets of the first --duration probe (default %u; less\n"
	        "                      for a slow receiver, so probing stays within the time)\n",
	        GEN_MAX_BATCH, GEN_PROBE_DEFAULT);
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v, const char *what)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || end == s || x < lo || x > hi) {
		fprintf(stderr, "xdpfw-gen: %s: '%s' is not a number in %llu-%llu\n", what, s,
		        (unsigned long long)lo, (unsigned long long)hi);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"dev", required_argument, 0, 'd'},
	    {"template", required_argument, 0, 't'},
	    {"count", required_argument, 0, 'c'},
	    {"duration", required_argument, 0, 'D'},
	    {"batch", required_argument, 0, 'b'},
	    {"threads", required_argument, 0, 'T'},
	    {"size", required_argument, 0, 'z'},
	    {"src", required_argument, 0, 's'},
	    {"src-count", required_argument, 0, 'S'},
	    {"dst", required_argument, 0, 'a'},
	    {"sport", required_argument, 0, 'p'},
	    {"sport-count", required_argument, 0, 'P'},
	    {"dport", required_argument, 0, 'q'},
	    {"dst-mac", required_argument, 0, 'm'},
	    {"vlan", required_argument, 0, 'v'},
	    {"frames", required_argument, 0, 'F'},
	    {"probe", required_argument, 0, 'r'},
	    {"help", no_argument, 0, 'h'},
	    {0},
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t v;
	char *end, extra;
	int c;

	*o = (struct opts){.batch = 64,
	                   .threads = 1,
	                   .src_count = 256,
	                   .sport_count = 16,
	                   .probe = GEN_PROBE_DEFAULT};
	tmpl_defaults(&o->t);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 't':
			if (tmpl_kind_parse(optarg, &o->t.kind)) {
				fprintf(stderr,
				        "xdpfw-gen: --template: '%s' is not udp, tcp, icmp, udp6 "
				        "or vlan\n",
				        optarg);
				return -EINVAL;
			}
			break;
		case 'c':
			if (parse_u64(optarg, 1, UINT64_MAX, &o->count, "--count"))
				return -EINVAL;
			break;
		case 'D':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0 || o->duration > 3600) {
				fprintf(stderr,
				        "xdpfw-gen: --duration: '%s' is not 0-3600 seconds\n",
				        optarg);
				return -EINVAL;
			}
			break;
		case 'b':
			if (parse_u64(optarg, 1, GEN_MAX_BATCH, &v, "--batch"))
				return -EINVAL;
			o->batch = v;
			break;
		case 'T':
			if (parse_u64(optarg, 1, ncpu > 0 ? ncpu : 1, &v,
			              "--threads (one per CPU)"))
				return -EINVAL;
			o->threads = v;
			break;
		case 'z':
			if (parse_u64(optarg, 60, 1514, &v, "--size"))
				return -EINVAL;
			o->t.size = v;
			break;
		case 's':
			o->t.src = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, 1, 1u << 24, &v, "--src-count"))
				return -EINVAL;
			o->src_count = v;
			break;
		case 'a':
			o->t.dst = optarg;
			break;
		case 'p':
			if (parse_u64(optarg, 0, 65535, &v, "--sport"))
				return -EINVAL;
			o->t.sport = v;
			break;
		case 'P':
			if (parse_u64(optarg, 1, 65536, &v, "--sport-count"))
				return -EINVAL;
			o->sport_count = v;
			break;
		case 'q':
			if (parse_u64(optarg, 0, 65535, &v, "--dport"))
				return -EINVAL;
			o->t.dport = v;
			break;
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c", &o->t.dst_mac[0],
			           &o->t.dst_mac[1], &o->t.dst_mac[2], &o->t.dst_mac[3],
			           &o->t.dst_mac[4], &o->t.dst_mac[5], &extra) != 6) {
				fprintf(stderr, "xdpfw-gen: --dst-mac: '%s' is not a MAC address\n",
				        optarg);
				return -EINVAL;
			}
			break;
		case 'v':
			if (parse_u64(optarg, 0, 4095, &v, "--vlan"))
				return -EINVAL;
			o->t.vlan = v;
			break;
		case 'F':
			o->frames = optarg;
			break;
		case 'r':
			if (parse_u64(optarg, 1, 1u << 24, &v, "--probe"))
				return -EINVAL;
			o->probe = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc || !o->dev) {
		usage(stderr);
		return -EINVAL;
	}
	if (!o->count && !o->duration)
		o->count = 1000000;
	return 0;
}

/*
 * --frames: the list, every frame of one length (the longest, padded up to
 * a multiple of 4 and to --size), as gen.bpf.c copies whole 4-byte words
 * over a template of that length.
 */
static int load_frames(struct opts *o, struct pkt **frames, uint32_t *n, uint32_t *len)
{
	uint32_t max = 0, i;

	if (tmpl_frames_load(o->frames, &o->t, GEN_MAX_FRAMES, frames, n))
		return -EINVAL;
	for (i = 0; i < *n; i++)
		if ((*frames)[i].len > max)
			max = (*frames)[i].len;
	max = (max + 3) & ~3u;
	if (max > GEN_FRAME_MAX_LEN) {
		fprintf(stderr, "xdpfw-gen: %s: frames of %u bytes: at most %u\n", o->frames, max,
		        GEN_FRAME_MAX_LEN);
		free(*frames);
		return -EINVAL;
	}
	for (i = 0; i < *n && (*frames)[i].len == max; i++)
		;
	if (i < *n) {
		free(*frames);
		o->t.size = max;
		if (tmpl_frames_load(o->frames, &o->t, GEN_MAX_FRAMES, frames, n))
			return -EINVAL;
	}
	*len = max;
	return 0;
}

/* One BPF_PROG_TEST_RUN of n live frames; its wall time in *secs. */
static int run_once(const struct worker *w, uint32_t n, double *secs)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = w->frame->data,
	            .data_size_in = w->frame->len, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	            .batch_size = w->o->batch, .repeat = n);
	double t0 = now_s();

	if (bpf_prog_test_run_opts(w->prog_fd, &topts))
		return -errno;
	*secs = now_s() - t0;
	return 0;
}

/*
 * Each BPF_PROG_TEST_RUN call costs a fixed ~20 ms on the development
 * machine (setting up and tearing down the live-frame page pool), time in
 * which no packet flows. So a count is sent in one call, and a duration in
 * a few: two probes give the rate, then calls sized to the time left.
 */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	double t[2], per_pkt, left;
	uint64_t done = 0, n, probe[2] = {w->o->probe, (uint64_t)w->o->probe * 8};
	cpu_set_t set;
	int err, i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err) {
		w->err = -err;
		return NULL;
	}
	if (w->budget) {
		while (done < w->budget) {
			n = w->budget - done < GEN_MAX_CALL ? w->budget - done : GEN_MAX_CALL;
			if ((w->err = run_once(w, n, &t[0])))
				return NULL;
			done += n;
		}
		return NULL;
	}
	/* The second probe only when the first was short: behind a slow
	 * receiver (nftables with 10,000 rules: ~0.1 ms a packet) it would
	 * spend the whole duration and more. */
	for (i = 0; i < 2; i++) {
		if (i && t[0] > 0.1 * w->o->duration)
			break;
		if ((w->err = run_once(w, probe[i], &t[i])))
			return NULL;
		done += probe[i];
	}
	/* Conservative: the fixed cost is counted in, so calls fall short of
	 * the deadline rather than past it, and the next call fills the gap. */
	per_pkt = t[i - 1] / probe[i - 1];
	/*
	 * Bounded: at most four more calls. The first fills 60% of the time
	 * left at the probes' rate, which a busy machine can make too high;
	 * each call then corrects the rate from itself, the next fills the rest.
	 */
	for (i = 0; i < 4; i++) {
		left = w->deadline - now_s();
		if (left < 0.02)
			break;
		n = (i == 0 ? 0.6 : 1.0) * left / per_pkt;
		if (n > GEN_MAX_CALL)
			n = GEN_MAX_CALL;
		if (n < 1)
			break;
		if ((w->err = run_once(w, n, &t[0])))
			return NULL;
		done += n;
		per_pkt = t[0] / n;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *w = NULL;
	struct gen_bpf *skel = NULL;
	struct opts o;
	struct tmpl_layout l;
	struct pkt frame, *frames = NULL;
	uint32_t saddr_word = 0, key = 0, nframes = 0, frame_len = 0;
	unsigned int i, ifindex;
	uint64_t flows;
	uint64_t *per_cpu = NULL, sent = 0;
	int ncpu, err = 1;
	double t0, t1;

	if (parse_opts(argc, argv, &o))
		return 1;
	ifindex = if_nametoindex(o.dev);
	if (!ifindex) {
		fprintf(stderr,
		        "xdpfw-gen: no interface '%s' here: run inside its namespace (ip netns "
		        "exec NS ...)\n",
		        o.dev);
		return 1;
	}
	if (tmpl_build(&o.t, &frame, &l))
		return 1;
	if (o.frames) {
		if (load_frames(&o, &frames, &nframes, &frame_len))
			return 1;
		frame = frames[0];
	}
	/* What the BPF side counts up from: the IPv4 source, or the low 32 bits
	 * of the IPv6 one, as the template holds it. */
	memcpy(&saddr_word, frame.data + l.saddr_off, 4);

	skel = gen_bpf__open();
	if (!skel) {
		fprintf(stderr, "xdpfw-gen: cannot open the BPF object: %s\n", strerror(errno));
		return 2;
	}
	skel->rodata->cfg_ifindex = ifindex;
	skel->rodata->cfg_saddr_off = l.saddr_off;
	skel->rodata->cfg_ip_csum_off = l.ip_csum_off;
	skel->rodata->cfg_l4_csum_off = l.l4_csum_off;
	skel->rodata->cfg_l4_pseudo = l.l4_pseudo;
	skel->rodata->cfg_sport_off = l.sport_off;
	skel->rodata->cfg_saddr_base = ntohl(saddr_word);
	skel->rodata->cfg_saddr_count = o.src_count;
	skel->rodata->cfg_sport_base = o.t.sport;
	skel->rodata->cfg_sport_count = o.sport_count;
	memcpy((void *)&skel->rodata->tmpl_saddr, frame.data + l.saddr_off, 4);
	memcpy((void *)&skel->rodata->tmpl_sport, frame.data + l.sport_off, 2);
	if (l.ip_csum_off)
		memcpy((void *)&skel->rodata->tmpl_ip_csum, frame.data + l.ip_csum_off, 2);
	if (l.l4_csum_off)
		memcpy((void *)&skel->rodata->tmpl_l4_csum, frame.data + l.l4_csum_off, 2);
	if (nframes) {
		skel->rodata->cfg_nframes = nframes;
		skel->rodata->cfg_frame_words = frame_len / 4;
		if (bpf_map__set_max_entries(skel->maps.gen_frames, nframes)) {
			fprintf(stderr, "xdpfw-gen: cannot size the frame map: %s\n",
			        strerror(errno));
			goto out;
		}
	}
	if (gen_bpf__load(skel)) {
		fprintf(stderr,
		        "xdpfw-gen: cannot load the BPF program: %s (root, or CAP_BPF + "
		        "CAP_NET_ADMIN, is needed)\n",
		        strerror(errno));
		err = 2;
		goto out;
	}
	for (i = 0; i < nframes; i++) {
		uint32_t rec[GEN_FRAME_MAX_LEN / 4] = {0};

		memcpy(rec, frames[i].data, frames[i].len);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.gen_frames), &i, rec, 0)) {
			fprintf(stderr, "xdpfw-gen: cannot write frame %u into the map: %s\n", i,
			        strerror(errno));
			err = 2;
			goto out;
		}
	}

	w = calloc(o.threads, sizeof(*w));
	ncpu = libbpf_num_possible_cpus();
	per_cpu = calloc(ncpu > 0 ? ncpu : 1, sizeof(*per_cpu));
	if (!w || !per_cpu || ncpu <= 0) {
		fprintf(stderr, "xdpfw-gen: out of memory\n");
		goto out;
	}
	t0 = now_s();
	for (i = 0; i < o.threads; i++) {
		w[i] = (struct worker){.cpu = i,
		                       .frame = &frame,
		                       .o = &o,
		                       .prog_fd = bpf_program__fd(skel->progs.gen_frame)};
		if (o.count)
			w[i].budget = o.count / o.threads + (i < o.count % o.threads);
		w[i].deadline = t0 + o.duration;
		if (pthread_create(&w[i].tid, NULL, worker_run, &w[i])) {
			fprintf(stderr, "xdpfw-gen: cannot start thread %u\n", i);
			o.threads = i;
			break;
		}
	}
	err = 0;
	for (i = 0; i < o.threads; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err) {
			fprintf(
			    stderr,
			    "xdpfw-gen: BPF_PROG_TEST_RUN with live frames on CPU %u failed: %s\n",
			    i, strerror(-w[i].err));
			err = 2;
		}
	}
	t1 = now_s();
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.gen_sent), &key, per_cpu)) {
		fprintf(stderr, "xdpfw-gen: cannot read the sent counter: %s\n", strerror(errno));
		err = 2;
		goto out;
	}
	for (i = 0; i < (unsigned int)ncpu; i++)
		sent += per_cpu[i];
	/* ICMP: the echo id varies as the port would, but flows are per address. */
	flows =
	    nframes ? nframes : (uint64_t)o.src_count * (o.t.kind == T_ICMP ? 1 : o.sport_count);
	printf("sent=%llu seconds=%.3f mpps=%.2f flows=%llu threads=%u batch=%u template=%s "
	       "size=%zu\n",
	       (unsigned long long)sent, t1 - t0, sent / (t1 - t0) / 1e6, (unsigned long long)flows,
	       o.threads, o.batch, nframes ? "list" : tmpl_names[o.t.kind], frame.len);
out:
	free(frames);
	free(w);
	free(per_cpu);
	gen_bpf__destroy(skel);
	return err;
}
