// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * late_packet.c - an LD_PRELOAD library for tests/e2e/test_counters.sh that
 * plays a packet still running on the old generation during a reload.
 *
 * Such a packet read the generation before the last flip and counts in the
 * counter slot of its rule when it is done; fwctl's wait for readers
 * (membarrier, ctl/loader.c) is what waits for it. So when fwctl calls
 * membarrier, this counts one packet, as the program would, in slot
 * XDPFW_TEST_LATE_SLOT of every per-CPU map pinned at the paths in
 * XDPFW_TEST_LATE_PINS (space-separated), then lets the call go on. A
 * counter given to a new rule must not show it: zeroed after the wait, it
 * does not.
 *
 * fwctl calls syscall(2) for membarrier, and libbpf for bpf(2); both go
 * through here to the real syscall().
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

typedef long (*syscall_fn)(long nr, ...);
static syscall_fn real_syscall;

/* One packet in slot of the per-CPU map pinned at path, on the first CPU. */
static void count_one(const char *path, uint32_t slot)
{
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_obj_get(path);
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	uint64_t *v = NULL;
	size_t stride;

	memset(&info, 0, sizeof(info));
	if (fd < 0 || ncpus < 1 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "late_packet: cannot open %s: %s\n", path, strerror(errno));
		goto out;
	}
	stride = (info.value_size + 7) / 8; /* per-CPU values are 8-byte aligned */
	v = calloc((size_t)ncpus * stride, sizeof(*v));
	if (!v || bpf_map_lookup_elem(fd, &slot, v)) {
		fprintf(stderr, "late_packet: cannot read slot %u of %s\n", slot, path);
		goto out;
	}
	v[0]++; /* packets (rule counters), within (limit counters) */
	if (bpf_map_update_elem(fd, &slot, v, BPF_ANY))
		fprintf(stderr, "late_packet: cannot write slot %u of %s\n", slot, path);
	else
		fprintf(stderr, "late_packet: one packet in slot %u of %s\n", slot, path);
out:
	free(v);
	if (fd >= 0)
		close(fd);
}

static void late_packet(void)
{
	const char *pins = getenv("XDPFW_TEST_LATE_PINS"), *slot = getenv("XDPFW_TEST_LATE_SLOT");
	char *copy, *path, *save = NULL;

	if (!pins || !slot)
		return;
	copy = strdup(pins);
	for (path = strtok_r(copy, " ", &save); path; path = strtok_r(NULL, " ", &save))
		count_one(path, (uint32_t)strtoul(slot, NULL, 0));
	free(copy);
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real_syscall)
		real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (nr == SYS_membarrier)
		late_packet();
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
