/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpffs.h - where xdpfw pins its state.
 *
 * Pins live under BPFFS/xdpfw/IFACE in the host's network namespace and under
 * BPFFS/xdpfw/netns:INODE/IFACE elsewhere: every container has an eth0, and a
 * colon cannot occur in an encoded interface name, so the two never collide.
 * IFACE is the interface name with unusual bytes as %XX (fw_pin_name()).
 *
 * `ip netns exec` gives each command a fresh /sys without bpffs. So that pins
 * made by one command are seen by the next, the bpffs of PID 1's mount
 * namespace (reached through /proc/1/root) is preferred; only when there is
 * none is bpffs mounted on our own /sys/fs/bpf.
 */
#ifndef FW_BPFFS_H
#define FW_BPFFS_H

#include <stdbool.h>
#include <stddef.h>

#define FW_BPFFS_DEFAULT "/sys/fs/bpf"

/*
 * Make sure /sys/fs/bpf is a bpffs (libxdp keeps its dispatcher pins there)
 * and find the pin root. Call it before any libxdp call: it may point
 * libxdp at the host's bpffs (LIBXDP_BPFFS). *persistent is false when the pins can only live in
 * this command's private mount namespace.
 */
int fw_bpffs_root(char *buf, size_t len, bool *persistent);

/*
 * The directory name of ifname's pins: bytes other than [A-Za-z0-9_@+-],
 * and '.' as the first, written %XX (so ESC is "%1B", ".x" is
 * "%2Ex"). 0, -EINVAL for "", or -ENAMETOOLONG when len is too short.
 */
int fw_pin_name(const char *ifname, char *buf, size_t len);

/* BPFFS/xdpfw[/netns:INO]/IFACE; creates the directories when create. */
int fw_pin_dir(const char *ifname, bool create, char *buf, size_t len);

/* Remove every pin in dir, then dir and its now-empty parents up to xdpfw/. */
int fw_pin_dir_remove(const char *dir);

#endif /* FW_BPFFS_H */
