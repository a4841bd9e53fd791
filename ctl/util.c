// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* util.c - see util.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

int fw_grow(void *pv, size_t *cap, size_t n, size_t sz, size_t min_cap)
{
	void **v = pv;
	size_t c = *cap ? *cap : min_cap;
	void *nv;

	if (n <= *cap)
		return 0;
	while (c < n) {
		if (c > SIZE_MAX / 2)
			return -ENOMEM;
		c *= 2;
	}
	nv = reallocarray(*v, c, sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

__u32 fw_prefix_mask_word(unsigned int len, unsigned int word)
{
	int bits = (int)len - 32 * (int)word;

	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffffu;
	return htonl(0xffffffffu << (32 - bits));
}

void fw_prefix_mask(unsigned int len, __u32 mask[4])
{
	for (unsigned int w = 0; w < 4; w++)
		mask[w] = fw_prefix_mask_word(len, w);
}

void fw_prefix_clear_host(const __u32 addr[4], unsigned int len, __u32 out[4])
{
	for (unsigned int w = 0; w < 4; w++)
		out[w] = addr[w] & fw_prefix_mask_word(len, w);
}

bool fw_prefix_holds(const __u32 pfx[4], unsigned int len, const __u32 addr[4])
{
	for (unsigned int w = 0; w < 4; w++)
		if ((addr[w] & fw_prefix_mask_word(len, w)) != pfx[w])
			return false;
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct xdpfw_port_entry *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

size_t fw_ranges_normalize(struct xdpfw_port_entry *r, size_t n)
{
	size_t out = 0;

	if (n < 2)
		return n;
	qsort(r, n, sizeof(*r), range_cmp);
	for (size_t i = 1; i < n; i++) {
		/* Touching ranges merge too: 1-2 and 3-4 are 1-4. */
		if ((unsigned int)r[i].lo <= (unsigned int)r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

bool fw_ranges_hold(const struct xdpfw_port_entry *r, size_t n, unsigned int v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v < r[mid].lo)
			hi = mid;
		else if (v > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}
