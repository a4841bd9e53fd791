/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats.h - `fwctl status` and `fwctl stats`: what runs where, and the
 * per-CPU counters summed, as text or JSON from the same print calls.
 */
#ifndef FW_STATS_H
#define FW_STATS_H

#include <stdbool.h>
#include "xdpfw.h"

/* Sum one key of a per-CPU counter map over all possible CPUs. */
int fw_counter_sum(int map_fd, __u32 key, struct xdpfw_counter *sum);

/* ifname NULL: every interface of the network namespace running xdpfw. */
int fw_status(const char *ifname, bool json);
int fw_stats(const char *ifname, bool json);

#endif /* FW_STATS_H */
