/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * harness.h - what the BPF tests share: the loaded object, running one frame
 * through it with BPF_PROG_TEST_RUN, and its per-CPU counters summed. Every
 * helper fails the running cmocka test on error, so callers stay short.
 */
#ifndef XDPFW_TEST_HARNESS_H
#define XDPFW_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "xdpfw.h"
#include "xdpfw.skel.h"

extern struct xdpfw_bpf *skel; /* loaded by harness_setup() */
extern int ncpus;

/* cmocka group setup/teardown: load the object (root needed) / free it.
 * libbpf stays quiet but for warnings, unless XDPFW_TEST_VERBOSE is set. */
int harness_setup(void **state);
int harness_teardown(void **state);

/* Run one frame repeat times; returns the XDP action, and the mean run
 * time in ns when duration is not NULL. */
uint32_t harness_run(const void *frame, size_t len, uint32_t repeat, uint32_t *duration);

/* One counter of a per-CPU counter map, summed; or set to zero on all CPUs. */
struct xdpfw_counter harness_counter(int map_fd, uint32_t key);
void harness_zero(int map_fd, uint32_t key);

#endif /* XDPFW_TEST_HARNESS_H */
