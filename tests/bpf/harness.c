// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* harness.c - see harness.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"

struct xdpfw_bpf *skel;
int ncpus;

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN && !getenv("XDPFW_TEST_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int harness_setup(void **state)
{
	(void)state;
	libbpf_set_print(libbpf_quiet);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, "# cannot count CPUs: %s\n", strerror(-ncpus));
		return -1;
	}
	skel = xdpfw_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "# cannot load the BPF object: %s (root needed)\n",
		        strerror(errno));
		return -1;
	}
	return 0;
}

int harness_teardown(void **state)
{
	(void)state;
	xdpfw_bpf__destroy(skel);
	skel = NULL;
	return 0;
}

uint32_t harness_run(const void *frame, size_t len, uint32_t repeat, uint32_t *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
	            .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_main), &opts);

	if (err)
		fail_msg("BPF_PROG_TEST_RUN of a %zu-byte frame: %s", len, strerror(-err));
	if (duration)
		*duration = opts.duration;
	return opts.retval;
}

struct xdpfw_counter harness_counter(int map_fd, uint32_t key)
{
	struct xdpfw_counter v[ncpus], sum = {0, 0};

	if (bpf_map_lookup_elem(map_fd, &key, v))
		fail_msg("cannot read counter %u: %s", key, strerror(errno));
	for (int i = 0; i < ncpus; i++) {
		sum.packets += v[i].packets;
		sum.bytes += v[i].bytes;
	}
	return sum;
}

void harness_zero(int map_fd, uint32_t key)
{
	struct xdpfw_counter zero[ncpus];

	memset(zero, 0, sizeof(zero));
	if (bpf_map_update_elem(map_fd, &key, zero, BPF_ANY))
		fail_msg("cannot zero counter %u: %s", key, strerror(errno));
}
