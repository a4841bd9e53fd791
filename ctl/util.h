/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * util.h - the small helpers every part of fwctl needs, written once:
 * array sizes, growable arrays, prefix masks, port ranges.
 *
 * Nothing here touches the kernel.
 */
#ifndef FW_UTIL_H
#define FW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "xdpfw.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make room for n elements of size sz in the array *pv of *cap elements:
 * doubles the capacity (from min_cap) until n fit. The array is unchanged
 * when this fails. Returns 0 or -ENOMEM.
 */
int fw_grow(void *pv, size_t *cap, size_t n, size_t sz, size_t min_cap);

/* Room for one more element at index n of v (a pointer to an array). */
#define FW_GROW(v, cap, n, min_cap) fw_grow(&(v), &(cap), (size_t)(n) + 1, sizeof(*(v)), min_cap)

/*
 * The mask of a prefix of len bits, network byte order, one 32-bit word at
 * a time: an IPv4 address sits in word 0 (len <= 32), an IPv6 address in
 * words 0-3. Words past the prefix are 0.
 */
__u32 fw_prefix_mask_word(unsigned int len, unsigned int word);
void fw_prefix_mask(unsigned int len, __u32 mask[4]);
/* addr with the bits past len cleared, into out (both network order). */
void fw_prefix_clear_host(const __u32 addr[4], unsigned int len, __u32 out[4]);
/* Whether addr lies in the prefix pfx/len (pfx has its host bits clear). */
bool fw_prefix_holds(const __u32 pfx[4], unsigned int len, const __u32 addr[4]);

/*
 * Port ranges of one set (xdpfw_port_entry lo..hi, inclusive): sort them
 * and merge those that overlap or touch, in place, so the same ports are
 * disjoint ranges in ascending order. Returns how many are left.
 */
size_t fw_ranges_normalize(struct xdpfw_port_entry *r, size_t n);

/* Whether v lies in one of n normalized ranges (binary search). */
bool fw_ranges_hold(const struct xdpfw_port_entry *r, size_t n, unsigned int v);

#endif /* FW_UTIL_H */
