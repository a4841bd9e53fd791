/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * netlink.h - interface lookup and XDP attach state from rtnetlink (libmnl).
 * The kernel is the source of truth for what is attached where; pins are
 * only a convenience.
 */
#ifndef FW_NETLINK_H
#define FW_NETLINK_H

#include <net/if.h>
#include <stddef.h>
#include <linux/types.h>

struct fw_link {
	int ifindex;
	char name[IF_NAMESIZE];
	__u8 xdp_attached; /* XDP_ATTACHED_NONE/DRV/SKB/HW/MULTI */
	__u32 xdp_prog_id; /* the program in the single attached mode, else 0 */
	__u32 drv_prog_id; /* per mode, filled when the kernel reports it */
	__u32 skb_prog_id;
};

/* Look up one interface by name. -ENODEV when there is none. */
int fw_nl_link_get(const char *name, struct fw_link *out);

/* All interfaces of the current network namespace; *out is malloc'ed. */
int fw_nl_link_list(struct fw_link **out, size_t *count);

/* The program attached in native or generic mode, 0 if none. */
__u32 fw_link_prog_id(const struct fw_link *l);

#endif /* FW_NETLINK_H */
