// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ruleset.c - the compiled rule set of ruleset.h: its constructor and
 * destructor, growth, the set index and membership, the digest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cls.h"
#include "ruleset.h"
#include "util.h"

/* FNV-1a 64-bit parameters, from the FNV reference (draft-eastlake-fnv). */
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME  0x100000001b3ull

struct fw_ruleset *fw_ruleset_new(void)
{
	struct fw_ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->config.policy = XDPFW_ACT_PASS;
	rs->config.nonip = XDPFW_ACT_PASS;
	/* A frame the program cannot parse cannot be classified either;
	 * letting it through would let it bypass every rule. */
	rs->config.malformed = XDPFW_ACT_DROP;
	rs->config.limit.sources = XDPFW_LIMIT_SOURCES_DEFAULT;
	/* A packet whose source gets no bucket counts as over its limit:
	 * a flood must not find a way around the limit in a full table. */
	rs->config.limit.full = XDPFW_LIMIT_FULL_OVER;
	return rs;
}

void fw_ruleset_free(struct fw_ruleset *rs)
{
	if (!rs)
		return;
	fw_ruleset_drop_cls(rs);
	free(rs->rules);
	free(rs->rule_src);
	free(rs->addrs);
	free(rs->ports);
	free(rs->addr_first);
	free(rs->port_first);
	free(rs->sets);
	free(rs->source);
	free(rs);
}

void fw_ruleset_drop_cls(struct fw_ruleset *rs)
{
	if (rs->cls) {
		fw_cls_free(rs->cls);
		free(rs->cls);
		rs->cls = NULL;
	}
}

int fw_ruleset_grow_rules(struct fw_ruleset *rs)
{
	/* Rules and their positions grow together: a rule set from text
	 * has a position for every rule. */
	return FW_GROW(rs->rules, rs->rules_cap, rs->config.rule_count, 64)
	           ?: (rs->source
	                   ? FW_GROW(rs->rule_src, rs->rule_src_cap, rs->config.rule_count, 64)
	                   : 0);
}

int fw_ruleset_grow_addrs(struct fw_ruleset *rs)
{
	return FW_GROW(rs->addrs, rs->addrs_cap, rs->naddrs, 64);
}

int fw_ruleset_grow_ports(struct fw_ruleset *rs)
{
	return FW_GROW(rs->ports, rs->ports_cap, rs->nports, 16);
}

/* first[k] .. first[k + 1]: the entries of set k, sets 0 .. nsets - 1. */
static int index_of(const void *entries, size_t size, __u32 n, __u32 nsets, __u32 **firstp)
{
	__u32 *first = calloc((size_t)nsets + 1, sizeof(*first));
	__u32 set = 0;

	if (!first)
		return -ENOMEM;
	for (__u32 i = 0; i < n; i++) {
		/* Both entry types start with their 16-bit set id. */
		__u16 id;

		memcpy(&id, (const char *)entries + (size_t)i * size, sizeof(id));
		if (id < set || id >= nsets) {
			free(first);
			return -EINVAL;
		}
		while (set < id)
			first[++set] = i;
	}
	while (set < nsets)
		first[++set] = n;
	free(*firstp);
	*firstp = first;
	return 0;
}

int fw_ruleset_index_sets(struct fw_ruleset *rs)
{
	_Static_assert(offsetof(struct xdpfw_set_entry, set) == 0, "set id first");
	_Static_assert(offsetof(struct xdpfw_port_entry, set) == 0, "set id first");

	return index_of(rs->addrs, sizeof(*rs->addrs), rs->naddrs, rs->naddr_sets, &rs->addr_first)
	           ?: index_of(rs->ports, sizeof(*rs->ports), rs->nports, rs->nport_sets,
	                       &rs->port_first);
}

bool fw_ruleset_addr_in_set(const struct fw_ruleset *rs, unsigned int set, unsigned int family,
                            const __u32 addr[4])
{
	const struct xdpfw_set_entry *e;
	__u32 n;

	e = fw_ruleset_addr_set(rs, set, &n);
	for (__u32 i = 0; i < n; i++)
		if (e[i].family == family && fw_prefix_holds(e[i].addr, e[i].len, addr))
			return true;
	return false;
}

const struct xdpfw_set_entry *fw_ruleset_addr_set(const struct fw_ruleset *rs, unsigned int set,
                                                  __u32 *n)
{
	if (set >= rs->naddr_sets || !rs->addr_first) {
		*n = 0;
		return NULL;
	}
	*n = rs->addr_first[set + 1] - rs->addr_first[set];
	return &rs->addrs[rs->addr_first[set]];
}

const struct xdpfw_port_entry *fw_ruleset_port_set(const struct fw_ruleset *rs, unsigned int set,
                                                   __u32 *n)
{
	if (set >= rs->nport_sets || !rs->port_first) {
		*n = 0;
		return NULL;
	}
	*n = rs->port_first[set + 1] - rs->port_first[set];
	return &rs->ports[rs->port_first[set]];
}

bool fw_ruleset_port_in_set(const struct fw_ruleset *rs, unsigned int set, unsigned int port)
{
	const struct xdpfw_port_entry *e;
	__u32 n;

	e = fw_ruleset_port_set(rs, set, &n);
	return fw_ranges_hold(e, n, port);
}

const char *fw_ruleset_src_line(const struct fw_ruleset *rs, const struct fw_src *src, size_t *len)
{
	if (!rs->source || !src->pos.line || (size_t)src->off + src->len > rs->source_len) {
		*len = 0;
		return NULL;
	}
	*len = src->len;
	return rs->source + src->off;
}

static __u64 fnv1a(__u64 h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

__u64 fw_ruleset_digest(const struct fw_ruleset *rs)
{
	struct xdpfw_config cfg = rs->config;
	__u64 h;

	cfg.digest = 0;
	cfg.cls_flags = 0; /* the classifier's, derived */
	/* The settings; what follows them in the config is the classifier's,
	 * derived from the rules and sets hashed below, but for the limit
	 * settings at the end. */
	h = fnv1a(FNV64_OFFSET, &cfg, offsetof(struct xdpfw_config, fields));
	h = fnv1a(h, &cfg.limit, sizeof(cfg.limit));
	if (cfg.rule_count)
		h = fnv1a(h, rs->rules, cfg.rule_count * sizeof(rs->rules[0]));
	if (rs->naddrs)
		h = fnv1a(h, rs->addrs, rs->naddrs * sizeof(rs->addrs[0]));
	if (rs->nports)
		h = fnv1a(h, rs->ports, rs->nports * sizeof(rs->ports[0]));
	return h;
}
