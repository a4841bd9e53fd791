// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* loader.c - see loader.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <linux/if_link.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "cls.h"
#include "loader.h"
#include "log.h"
#include "xdpfw.skel.h"

#define LOCK_DIR        "/run/xdpfw"
#define LOCK_WAIT_MS    10000 /* an attach or reload takes milliseconds */
#define LOCK_POLL_MS    50
#define PROG_PIN        "prog" /* pin name of the program; maps pin by map name */
#define MAX_PROG_MAPS   64     /* map ids read from a program's info */
#define ENOTSUPP_KERNEL 524    /* what the kernel says of a map type without batches */

const char *fw_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "offload";
	default:
		return "unknown";
	}
}

/* Memory ran out while preparing what: said, so no failure is silent. */
static int oom(const char *what)
{
	return fw_err_r(ENOMEM, "out of memory preparing %s", what);
}

/* Explain a load/attach failure in one line, plus the verifier's tail. */
static int load_error(int err, const char *ifname, const char *what)
{
	/* libbpf relays the kernel's own words (netlink extack). */
	const char *kmsg = fw_log_lib_find("Kernel error message: ");
	char why[192] = "";

	if (kmsg)
		snprintf(why, sizeof(why), " (kernel: %.*s)", (int)strcspn(kmsg, "\n"), kmsg);
	switch (-err) {
	case EPERM:
		return fw_err_r(err,
		                "%s on %s: permission denied%s; run as root (needs CAP_BPF, "
		                "CAP_PERFMON and CAP_NET_ADMIN)",
		                what, ifname, why);
	case EOPNOTSUPP:
		return fw_err_r(err, "%s on %s: the driver has no native XDP%s; use --mode generic",
		                what, ifname, why);
	case ERANGE:
		return fw_err_r(err,
		                "%s on %s: the MTU is too large for native XDP%s; lower the MTU or "
		                "use --mode generic",
		                what, ifname, why);
	case EEXIST:
	case EBUSY:
		return fw_uerr_r(-EEXIST,
		                 "%s on %s: another XDP program is attached that is not xdpfw; "
		                 "detach it first (ip link set dev %s xdp off)",
		                 what, ifname, ifname);
	case EACCES:
	case EINVAL:
		if (kmsg)
			return fw_err_r(err, "%s on %s: %s%s", what, ifname, strerror(-err), why);
		fw_err("%s on %s: the kernel rejected the program (%s); verifier log tail (full "
		       "log with -v):",
		       what, ifname, strerror(-err));
		fw_log_lib_tail(12);
		return -EACCES;
	default:
		return fw_err_r(err, "%s on %s: %s%s", what, ifname, strerror(-err), why);
	}
}

/*
 * Create the object's maps ourselves and fill them before the program is
 * loaded and attached, so the first packet already sees the whole rule set.
 */
static int create_maps(struct bpf_object *obj)
{
	struct bpf_map *m;
	int fd, err;

	bpf_object__for_each_map (m, obj) {
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = bpf_map__map_flags(m));
		struct bpf_map *in = bpf_map__inner_map(m);
		int inner = -1;

		if (bpf_map__is_internal(m))
			continue;
		if (in) {
			/* The template the verifier checks the inner maps by. */
			LIBBPF_OPTS(bpf_map_create_opts, iopts,
			            .map_flags = bpf_map__map_flags(in));

			inner = bpf_map_create(bpf_map__type(in), NULL, bpf_map__key_size(in),
			                       bpf_map__value_size(in), bpf_map__max_entries(in),
			                       &iopts);
			if (inner < 0)
				return fw_err_r(errno, "cannot create the inner map of %s: %s",
				                bpf_map__name(m), strerror(errno));
			opts.inner_map_fd = inner;
		}
		fd = bpf_map_create(bpf_map__type(m), bpf_map__name(m), bpf_map__key_size(m),
		                    bpf_map__value_size(m), bpf_map__max_entries(m), &opts);
		err = errno;
		if (inner >= 0)
			close(inner);
		if (fd < 0)
			return fw_err_r(err, "cannot create map %s: %s", bpf_map__name(m),
			                strerror(err));
		err = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (err)
			return fw_err_r(err, "cannot use map %s: %s", bpf_map__name(m),
			                strerror(-err));
	}
	return 0;
}

/*
 * Write n elements into map fd: in one batch where the map type has batch
 * updates, else one by one. keys and values are packed arrays.
 */
static int update_many(int fd, const void *keys, size_t ksz, const void *vals, size_t vsz, __u32 n,
                       const char *what)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	__u32 done = 0;

	while (done < n) {
		__u32 cnt = n - done;

		if (bpf_map_update_batch(fd, (const char *)keys + (size_t)done * ksz,
		                         (const char *)vals + (size_t)done * vsz, &cnt,
		                         &opts) == 0) {
			done += cnt;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUPP_KERNEL)
			return fw_err_r(errno, "cannot write %s (%u of %u written): %s", what,
			                done + cnt, n, strerror(errno));
		for (; done < n; done++) {
			if (bpf_map_update_elem(fd, (const char *)keys + (size_t)done * ksz,
			                        (const char *)vals + (size_t)done * vsz, BPF_ANY))
				return fw_err_r(errno, "cannot write %s (entry %u of %u): %s", what,
				                done, n, strerror(errno));
		}
	}
	return 0;
}

/* Keys first, first + 1, ... (array maps). */
static __u32 *seq_keys(__u32 first, __u32 n)
{
	__u32 *k = malloc((n ? n : 1) * sizeof(*k));

	for (__u32 i = 0; k && i < n; i++)
		k[i] = first + i;
	return k;
}

/*
 * Put a new inner map into slot key of outer map `outer` (or empty the slot
 * when fd < 0): the old one is freed once no program holds it.
 */
static int set_inner(int outer, __u32 key, int fd, const char *what)
{
	if (fd >= 0) {
		if (bpf_map_update_elem(outer, &key, &fd, BPF_ANY))
			return fw_err_r(errno, "cannot install the %s: %s", what, strerror(errno));
		return 0;
	}
	if (bpf_map_delete_elem(outer, &key) && errno != ENOENT)
		return fw_err_r(errno, "cannot drop the old %s: %s", what, strerror(errno));
	return 0;
}

/*
 * The inner map template of an outer map, as the BPF object declares it.
 * libbpf drops it once it has loaded an object, so then it comes from a
 * copy of the object opened for this (kept until exit).
 */
static struct xdpfw_bpf *defs(void)
{
	static struct xdpfw_bpf *d;

	if (!d)
		d = xdpfw_bpf__open();
	return d;
}

static struct bpf_map *inner_def(struct bpf_map *outer)
{
	struct bpf_map *m;

	if (bpf_map__inner_map(outer))
		return bpf_map__inner_map(outer);
	m = defs() ? bpf_object__find_map_by_name(defs()->obj, bpf_map__name(outer)) : NULL;
	return m ? bpf_map__inner_map(m) : NULL;
}

/* A new inner map shaped as the outer map's template, holding n entries. */
static int new_inner(struct bpf_map *outer, __u32 n, const char *what)
{
	struct bpf_map *in = inner_def(outer);
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int fd;

	if (!in)
		return fw_err_r(ENOENT, "cannot create the %s: no template in the BPF object",
		                what);
	opts.map_flags = bpf_map__map_flags(in);

	fd = bpf_map_create(bpf_map__type(in), NULL, bpf_map__key_size(in), bpf_map__value_size(in),
	                    n ? n : 1, &opts);
	if (fd < 0)
		return fw_err_r(errno, "cannot create the %s (%u entries): %s", what, n,
		                strerror(errno));
	return fd;
}

/* n entries of size sz into a new inner map of store `outer`, slot gen
 * (none: the slot is emptied). */
static int write_store(struct bpf_map *outer, __u32 gen, const void *entries, size_t sz, __u32 n,
                       const char *what)
{
	int fd = -1, err = 0;
	__u32 *keys;

	if (n) {
		fd = new_inner(outer, n, what);
		if (fd < 0)
			return fd;
		keys = seq_keys(0, n);
		err = keys ? update_many(fd, keys, sizeof(*keys), entries, sz, n, what) : oom(what);
		free(keys);
	}
	err = err ?: set_inner(bpf_map__fd(outer), gen, fd, what);
	if (fd >= 0)
		close(fd);
	return err;
}

/* Generation gen's sets, kept for show and explain (xdp/sets.h). */
static int write_sets(struct xdpfw_bpf *skel, const struct fw_ruleset *rs, __u32 gen)
{
	return write_store(skel->maps.fw_set_store, gen, rs->addrs, sizeof(*rs->addrs), rs->naddrs,
	                   "address set store")
	           ?: write_store(skel->maps.fw_port_store, gen, rs->ports, sizeof(*rs->ports),
	                          rs->nports, "port set store");
}

/* One field's DIR store (if it has one): the array and its groups. */
static int write_addr_dir(struct xdpfw_bpf *skel, const struct fw_cls *c, __u32 gen, int fi)
{
	/* The array's blocks, then the groups two a block: one buffer. */
	__u32 gblocks = (c->dir[fi].ngroups + 1) / 2, n = XDPFW_DIR_BLOCKS + gblocks, *keys = NULL;
	struct xdpfw_dir_block *dir = NULL;
	int fd = -1, err;

	if (c->shape[fi][0].store == XDPFW_STORE_DIR) {
		dir = calloc(n, sizeof(*dir));
		keys = seq_keys(0, n);
		if (!dir || !keys) {
			err = oom("the address array");
			goto out;
		}
		fw_cls_dir_fill(c, fi, dir, (struct xdpfw_dir_group *)&dir[XDPFW_DIR_BLOCKS]);
		fd = new_inner(skel->maps.fw_addr_dir, XDPFW_DIR_MAP_BLOCKS, "address array");
		if (fd < 0) {
			err = fd;
			goto out;
		}
		err =
		    update_many(fd, keys, sizeof(*keys), dir, sizeof(*dir), n, "the address array");
		if (err)
			goto out;
	}
	err = set_inner(bpf_map__fd(skel->maps.fw_addr_dir), gen * 2 + fi, fd, "address array");
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(keys);
	return err;
}

/* One field's D16 store, or none. */
static int write_addr_d16(struct xdpfw_bpf *skel, const struct fw_cls *c, __u32 gen, int fi)
{
	struct xdpfw_dir_block *blocks = NULL;
	__u32 *keys = NULL, n;
	int fd = -1, err;

	if (c->shape[fi][0].store == XDPFW_STORE_D16) {
		blocks = calloc(XDPFW_D16_MAP_BLOCKS, sizeof(*blocks));
		keys = seq_keys(0, XDPFW_D16_MAP_BLOCKS);
		if (!blocks || !keys) {
			err = oom("the small address array");
			goto out;
		}
		n = fw_cls_d16_fill(c, fi, blocks);
		fd = new_inner(skel->maps.fw_addr_d16, XDPFW_D16_MAP_BLOCKS, "small address array");
		if (fd < 0) {
			err = fd;
			goto out;
		}
		err = update_many(fd, keys, sizeof(*keys), blocks, sizeof(*blocks), n,
		                  "the small address array");
		if (err)
			goto out;
	}
	err =
	    set_inner(bpf_map__fd(skel->maps.fw_addr_d16), gen * 2 + fi, fd, "small address array");
out:
	if (fd >= 0)
		close(fd);
	free(blocks);
	free(keys);
	return err;
}

/* Generation gen's classifier: class tables and address stores. */
static int write_classifier(struct xdpfw_bpf *skel, const struct fw_cls *c, __u32 gen)
{
	__u32 *keys = seq_keys(gen * XDPFW_CLS_BLOCKS, XDPFW_CLS_BLOCKS);
	int err;

	if (!keys)
		return oom("the class tables");
	err = update_many(bpf_map__fd(skel->maps.fw_cls), keys, sizeof(*keys), c->blocks,
	                  sizeof(*c->blocks), XDPFW_CLS_BLOCKS, "the class tables");
	free(keys);
	return err ?: write_addr_dir(skel, c, gen, 0) ?: write_addr_dir(skel, c, gen, 1) ?:
	              write_addr_d16(skel, c, gen, 0) ?: write_addr_d16(skel, c, gen, 1);
}

/* Entries of the per-source bucket hash in place, or 0 when there is none. */
static __u32 limit_sources_size(struct xdpfw_bpf *skel)
{
	struct bpf_map_info info;
	__u32 zero = 0, id, len = sizeof(info);
	int fd;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_limit_src), &zero, &id))
		return 0;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

/*
 * The per-source bucket hash, when a rule has a per-source limit: created
 * with limit-sources entries on the first such rule set, replaced only when
 * limit-sources changed (a map's size is fixed; the buckets start afresh).
 * Its insert count is zeroed with it, so that evictions (inserted - present)
 * count for the new hash. Kept when no rule needs it: a reload that brings
 * the rules back finds their buckets.
 */
static int write_limit_sources(struct xdpfw_bpf *skel, const struct fw_ruleset *rs)
{
	__u32 want = rs->config.limit.sources, zero = 0, have;
	int ncpus = libbpf_num_possible_cpus(), fd, err;
	struct xdpfw_limit_totals *t;
	bool needed = false;

	for (__u32 i = 0; i < rs->config.rule_count; i++)
		needed |= (rs->rules[i].flags & XDPFW_RULE_LIMIT) &&
		          (rs->rules[i].limit.flags & XDPFW_LIMIT_PER_SOURCE);
	have = limit_sources_size(skel);
	if (!needed || have == want)
		return 0;
	if (ncpus < 0)
		return fw_err_r(ncpus, "cannot count CPUs: %s", strerror(-ncpus));
	fd = new_inner(skel->maps.fw_limit_src, want, "per-source bucket hash");
	if (fd < 0)
		return fd;
	err = set_inner(bpf_map__fd(skel->maps.fw_limit_src), 0, fd, "per-source bucket hash");
	close(fd);
	if (err)
		return err;
	if (have)
		fw_info("limit-sources changed from %u to %u: per-source buckets start afresh",
		        have, want);
	t = calloc(ncpus, sizeof(*t));
	if (!t)
		return oom("the per-source insert count");
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.fw_limit_totals), &zero, t, BPF_ANY))
		err = fw_err_r(errno, "cannot reset the per-source insert count: %s",
		               strerror(errno));
	free(t);
	return err;
}

/*
 * Whether the kernel's name of a map (info.name) is the object's name of
 * it: the kernel keeps BPF_OBJ_NAME_LEN - 1 bytes of a name (libbpf cuts
 * fw_limit_scratch to fw_limit_scratc when it creates the map).
 */
static bool map_named(const char *kernel, const char *name)
{
	return strncmp(kernel, name, BPF_OBJ_NAME_LEN - 1) == 0;
}

/*
 * The maps of one rule set's program alone (xdp/classify.h): the tables of
 * phases 1 and 2 and the vectors of vector rules, created at the rule
 * set's size and filled before the program goes live; they go with it.
 */
enum { OWN_T32, OWN_T16, OWN_LVEC, OWN_CAND, OWN_PAIR, OWN_LPM, OWN_R24, OWN_VERD, OWN_MAPS };

struct own_maps {
	int fd[OWN_MAPS];
};

static const char *const own_names[OWN_MAPS] = {"fw_t32",  "fw_t16", "fw_lvec", "fw_cand",
                                                "fw_pair", "fw_lpm", "fw_r24",  "fw_verd"};

/* Which of the own maps a map of the object is, or -1. */
static int own_map(const char *name)
{
	for (int i = 0; i < OWN_MAPS; i++)
		if (map_named(name, own_names[i]))
			return i;
	return -1;
}

static void own_close(struct own_maps *om)
{
	for (int i = 0; i < OWN_MAPS; i++) {
		if (om->fd[i] >= 0)
			close(om->fd[i]);
		om->fd[i] = -1;
	}
}

/* What classifier c puts in own map i: n entries of sz bytes at data. */
struct own_data {
	const void *data;
	size_t sz;
	__u32 n;
	const char *what;
};

static struct own_data own_data(const struct fw_cls *c, const struct fw_ruleset *rs, int i)
{
	/* The tables are whole blocks (cls_xprod.c pads them). */
	switch (i) {
	case OWN_T32:
		return (struct own_data){c->tab32, sizeof(struct xdpfw_tab32_block),
		                         (__u32)(c->ntab32 / XDPFW_TAB32_PER_BLOCK),
		                         "the class tables"};
	case OWN_T16:
		return (struct own_data){c->tab16, sizeof(struct xdpfw_tab16_block),
		                         (__u32)(c->ntab16 / XDPFW_TAB16_PER_BLOCK),
		                         "the rule tables"};
	case OWN_LVEC:
		return (struct own_data){c->lvecs, sizeof(*c->lvecs), c->nlvecs,
		                         "the vectors of limited rules"};
	case OWN_CAND:
		return (struct own_data){c->cands, sizeof(*c->cands), (__u32)c->ncands,
		                         "the records of the keyed lists"};
	case OWN_PAIR:
		return (struct own_data){c->pairs, sizeof(*c->pairs), c->npairs,
		                         "the hash of address pairs"};
	case OWN_LPM:
		return (struct own_data){c->lpm, sizeof(*c->lpm), c->nlpm,
		                         "the address hash by length"};
	case OWN_R24:
		return (struct own_data){c->rec, sizeof(*c->rec), c->nrec,
		                         "the records of the address arrays"};
	default: /* made by own_fill() */
		return (struct own_data){NULL, sizeof(struct xdpfw_verd), rs->config.rule_count,
		                         "the actions of the rules"};
	}
}

/* Rule set rs's own maps (classifier c) into om, created empty at their
 * size. */
static int own_create(struct own_maps *om, const struct fw_cls *c, const struct fw_ruleset *rs)
{
	for (int i = 0; i < OWN_MAPS; i++)
		om->fd[i] = -1;
	for (int i = 0; i < OWN_MAPS; i++) {
		struct own_data d = own_data(c, rs, i);

		om->fd[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, own_names[i], sizeof(__u32),
		                           (__u32)d.sz, d.n ? d.n : 1, NULL);
		if (om->fd[i] < 0) {
			int err = fw_err_r(errno, "cannot create %s (%u entries of %zu bytes): %s",
			                   d.what, d.n, d.sz, strerror(errno));

			own_close(om);
			return err;
		}
	}
	return 0;
}

/* The action and counter of each rule of rs, or NULL (out of memory). */
static struct xdpfw_verd *verdicts(const struct fw_ruleset *rs)
{
	struct xdpfw_verd *v =
	    calloc(rs->config.rule_count ? rs->config.rule_count : 1, sizeof(*v));

	for (__u32 i = 0; v && i < rs->config.rule_count; i++) {
		v[i].action = rs->rules[i].action;
		v[i].counter = rs->rules[i].counter;
	}
	return v;
}

/* Fill the own maps om with rule set rs's classifier c and verdicts. */
static int own_fill(const struct own_maps *om, const struct fw_cls *c, const struct fw_ruleset *rs)
{
	struct xdpfw_verd *verd = NULL;
	int err = 0;

	for (int i = 0; !err && i < OWN_MAPS; i++) {
		struct own_data d = own_data(c, rs, i);
		__u32 *keys;

		if (!d.n)
			continue;
		if (i == OWN_VERD) {
			d.data = verd = verdicts(rs);
			if (!verd) {
				err = oom(d.what);
				break;
			}
		}
		keys = seq_keys(0, d.n);
		err = keys ? update_many(om->fd[i], keys, sizeof(*keys), d.data, d.sz, d.n, d.what)
		           : oom(d.what);
		free(keys);
	}
	free(verd);
	return err;
}

/* The ids of the maps a program uses: *n of them, at most MAX_PROG_MAPS. */
static int prog_map_ids(int prog_fd, __u32 *ids, __u32 *n, const char *ifname)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return fw_err_r(errno, "cannot read the program on %s: %s", ifname,
		                strerror(errno));
	*n = info.nr_map_ids < MAX_PROG_MAPS ? info.nr_map_ids : MAX_PROG_MAPS;
	return 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/*
 * Wait until every packet that may still classify against the idle
 * generation is done. XDP programs run inside RCU read-side sections, and
 * MEMBARRIER_CMD_GLOBAL waits for an RCU grace period (synchronize_rcu). A
 * packet takes microseconds, so where membarrier is refused (nohz_full),
 * a pause many times that long does.
 */
static void wait_for_readers(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(20 * 1000);
}

/* Reset slots[0..n-1] of an array (percpu: every CPU's copy) to zeros, in
 * batches: a reload to 1,000 new rules resets 3,000 values. */
static int zero_slots(int map_fd, const __u32 *slots, __u32 n, size_t size, bool percpu,
                      const char *what)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t vsz;
	void *zero;
	int err;

	if (!n)
		return 0;
	if (ncpus < 0)
		return fw_err_r(ncpus, "cannot count CPUs: %s", strerror(-ncpus));
	/* A per-CPU value is each CPU's copy, rounded up to 8 bytes. */
	vsz = percpu ? (size_t)ncpus * ((size + 7) & ~(size_t)7) : size;
	zero = calloc(n, vsz);
	if (!zero)
		return oom(what);
	err = update_many(map_fd, slots, sizeof(*slots), zero, vsz, n, what);
	free(zero);
	return err;
}

/* Slots given to new rules: their counters, limit counters and per-rule
 * buckets start from zero (a bucket with tag 0 is full for any limit). */
static int zero_counters(const struct xdpfw_bpf *skel, const __u32 *fresh, __u32 n)
{
	return zero_slots(bpf_map__fd(skel->maps.fw_rule_stats), fresh, n,
	                  sizeof(struct xdpfw_counter), true, "the counters of new rules") ?:
	       zero_slots(bpf_map__fd(skel->maps.fw_limit_stats), fresh, n,
	                  sizeof(struct xdpfw_limit_counter), true,
	                  "the limit counters of new rules") ?:
	       zero_slots(bpf_map__fd(skel->maps.fw_limit_rule), fresh, n,
	                  sizeof(struct xdpfw_limit_bucket), false, "the buckets of new rules");
}

bool fw_ruleset_tiny(const struct fw_ruleset *rs)
{
	const __u32 sets =
	    XDPFW_M_SADDR_SET | XDPFW_M_DADDR_SET | XDPFW_M_SPORT_SET | XDPFW_M_DPORT_SET;
	__u32 n = rs->config.rule_count;
	bool tiny = n <= XDPFW_TINY_RULES;

	for (__u32 i = 0; tiny && i < n; i++)
		tiny = !(rs->rules[i].flags & XDPFW_RULE_LIMIT) && !(rs->rules[i].match & sets);
	return tiny;
}

/* XDPFW_TINY_* for the test of field bit of rule r. */
static __u8 tiny_test(const struct xdpfw_rule *r, __u32 bit)
{
	if (!(r->match & bit))
		return XDPFW_TINY_NO;
	return (r->negate & bit) ? XDPFW_TINY_NOT : XDPFW_TINY_YES;
}

/* The words of prefix p its mask covers: IPv4's one, or IPv6's four. */
static __u8 prefix_words(const struct xdpfw_prefix *p)
{
	return (p->mask[1] | p->mask[2] | p->mask[3]) ? 4 : 1;
}

/* Rule r as the program's constants hold it (xdp/tiny.h). */
static void tiny_rule(const struct xdpfw_rule *r, struct xdpfw_tiny_rule *t)
{
	memset(t, 0, sizeof(*t));
	t->t_family = tiny_test(r, XDPFW_M_FAMILY);
	t->t_proto = tiny_test(r, XDPFW_M_PROTO);
	t->t_saddr = tiny_test(r, XDPFW_M_SADDR);
	t->t_daddr = tiny_test(r, XDPFW_M_DADDR);
	t->t_sport = tiny_test(r, XDPFW_M_SPORT);
	t->t_dport = tiny_test(r, XDPFW_M_DPORT);
	t->t_tcpflags = tiny_test(r, XDPFW_M_TCPFLAGS);
	t->t_icmptype = tiny_test(r, XDPFW_M_ICMPTYPE);
	t->t_vlan = tiny_test(r, XDPFW_M_VLAN);
	t->t_fragment = tiny_test(r, XDPFW_M_FRAGMENT);
	t->t_len = tiny_test(r, XDPFW_M_LEN);
	t->t_ttl = tiny_test(r, XDPFW_M_TTL);
	t->family = r->family;
	t->proto = r->proto;
	t->tcp_flags_mask = r->tcp_flags_mask;
	t->tcp_flags_value = r->tcp_flags_value;
	t->icmp_type = r->icmp_type;
	t->ttl_lo = r->ttl_lo;
	t->ttl_hi = r->ttl_hi;
	t->action = r->action;
	t->saddr_words = prefix_words(&r->saddr);
	t->daddr_words = prefix_words(&r->daddr);
	t->vlan = r->vlan;
	t->sport_lo = r->sport_lo;
	t->sport_hi = r->sport_hi;
	t->dport_lo = r->dport_lo;
	t->dport_hi = r->dport_hi;
	t->len_lo = r->len_lo;
	t->len_hi = r->len_hi;
	t->counter = r->counter;
	t->saddr = r->saddr;
	t->daddr = r->daddr;
}

/* The constants of the program for rule set rs in generation gen. */
static void make_consts(const struct fw_ruleset *rs, const struct xdpfw_config *cfg, __u32 gen,
                        struct xdpfw_consts *k)
{
	memset(k, 0, sizeof(*k));
	k->role = XDPFW_ROLE_RULES;
	k->gen = gen;
	k->config = *cfg;
	k->tiny = fw_ruleset_tiny(rs);
	for (__u32 i = 0; k->tiny && i < rs->config.rule_count; i++)
		tiny_rule(&rs->rules[i], &k->tiny_rules[i]);
}

/*
 * Load the object once more as the program of one rule set: constants k,
 * its own maps om, every other map shared with skel's (whose maps exist).
 * The new program's fd,
 * or -errno with the verifier's words said.
 */
static int load_rules_prog(struct xdpfw_bpf *skel, const struct xdpfw_consts *k,
                           const struct own_maps *om)
{
	struct xdpfw_bpf *p = xdpfw_bpf__open();
	struct bpf_map *m, *own;
	int err = 0, fd, i;

	if (!p)
		return fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
	memcpy((void *)&p->rodata_consts->xdpfw_consts, k, sizeof(*k));
	bpf_object__for_each_map (m, p->obj) {
		if (bpf_map__is_internal(m))
			continue;
		i = own_map(bpf_map__name(m));
		own = i < 0 ? bpf_object__find_map_by_name(skel->obj, bpf_map__name(m)) : NULL;
		if (i >= 0)
			err = bpf_map__reuse_fd(m, om->fd[i]);
		else
			err = own ? bpf_map__reuse_fd(m, bpf_map__fd(own)) : -ENOENT;
		if (err) {
			err = fw_err_r(err, "cannot share map %s with the rule set's program: %s",
			               bpf_map__name(m), strerror(-err));
			goto out;
		}
	}
	fw_log_lib_tail_reset();
	err = xdpfw_bpf__load(p);
	if (err) {
		if (err == -EACCES || err == -EINVAL) {
			fw_err(
			    "cannot load the program of the rule set: the kernel rejected it (%s); "
			    "verifier log tail (full log with -v):",
			    strerror(-err));
			fw_log_lib_tail(12);
		} else {
			err = fw_err_r(err, "cannot load the program of the rule set: %s",
			               strerror(-err));
		}
		goto out;
	}
	fd = dup(bpf_program__fd(p->progs.xdpfw_main));
	err = fd < 0 ? fw_err_r(errno, "cannot keep the rule set's program: %s", strerror(errno))
	             : fd;
out:
	xdpfw_bpf__destroy(p);
	return err;
}

/* The constants of program prog_fd; -ENOENT when it has none (not ours). */
static int prog_consts(int prog_fd, struct xdpfw_consts *k)
{
	__u32 ids[MAX_PROG_MAPS], n, zero = 0;
	struct bpf_map_info info;
	int fd, err;

	if (!defs())
		return fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
	err = prog_map_ids(prog_fd, ids, &n, "this host");
	for (__u32 i = 0; !err && i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (map_info(fd, &info) ||
		    !map_named(info.name, bpf_map__name(defs()->maps.rodata_consts)) ||
		    info.type != BPF_MAP_TYPE_ARRAY || info.max_entries != 1 ||
		    info.value_size != sizeof(*k)) {
			close(fd);
			continue;
		}
		if (bpf_map_lookup_elem(fd, &zero, k))
			err = fw_err_r(errno, "cannot read the constants of program %u: %s", ids[i],
			               strerror(errno));
		close(fd);
		return err;
	}
	return err ?: -ENOENT;
}

/* The program in slot 0 of skel's fw_progs, as a new fd, or -ENOENT. */
static int slot_prog(struct xdpfw_bpf *skel)
{
	__u32 zero = 0, id;
	int fd;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_progs), &zero, &id))
		return errno == ENOENT
		           ? -ENOENT
		           : fw_err_r(errno, "cannot read the program array: %s", strerror(errno));
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT
		           ? -ENOENT
		           : fw_err_r(errno, "cannot open the rule set's program %u: %s", id,
		                      strerror(errno));
	return fd;
}

/*
 * Where the rule set's program goes live: replacing the program attached
 * alone to ifindex (old_fd, attached with xdp_flags' mode), or, with
 * ifindex 0, into slot 0 of fw_progs, which the entry program tail-calls.
 */
struct fw_swap {
	int ifindex;
	__u32 xdp_flags;
	int old_fd;
};

/*
 * The rule-set program packets run now (*fd, a new fd, -1 when there is
 * none yet) and its constants: the program attached alone when it is a
 * rule set's (attached_fd, or -1), else the one in the entry program's
 * slot. *sw says how to replace it.
 */
static int live_prog(struct xdpfw_bpf *skel, int attached_fd, int ifindex, __u32 xdp_flags, int *fd,
                     struct xdpfw_consts *k, struct fw_swap *sw)
{
	int err;

	*fd = -1;
	memset(k, 0, sizeof(*k));
	*sw = (struct fw_swap){.old_fd = -1};
	if (attached_fd >= 0) {
		err = prog_consts(attached_fd, k);
		if (err && err != -ENOENT)
			return err;
		if (!err && k->role == XDPFW_ROLE_RULES) {
			*fd = dup(attached_fd);
			if (*fd < 0)
				return fw_err_r(errno, "cannot keep the attached program: %s",
				                strerror(errno));
			*sw = (struct fw_swap){ifindex, xdp_flags, *fd};
			return 0;
		}
	}
	err = slot_prog(skel);
	if (err == -ENOENT) {
		memset(k, 0, sizeof(*k));
		return 0;
	}
	if (err < 0)
		return err;
	*fd = err;
	err = prog_consts(*fd, k);
	if (err == -ENOENT)
		err = fw_err_r(EPROTO, "the program in the program array has no xdpfw constants");
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* Make program fd the one packets run, as sw says. */
static int swap_prog(struct xdpfw_bpf *skel, const struct fw_swap *sw, int fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = sw->old_fd);
	__u32 zero = 0;
	int err;

	if (!sw->ifindex) {
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fw_progs), &zero, &fd, BPF_ANY))
			return fw_err_r(errno, "cannot switch to the new rules: %s",
			                strerror(errno));
		return 0;
	}
	/* The kernel swaps the program only while old_fd is the one there:
	 * each packet runs one or the other, whole. */
	err = bpf_xdp_attach(sw->ifindex, fd, sw->xdp_flags | XDP_FLAGS_REPLACE, &opts);
	if (err)
		return fw_err_r(err,
		                "cannot switch to the new rules: the kernel refused the new "
		                "program in place of the old one: %s",
		                strerror(-err));
	return 0;
}

/* The idle generation of a rule set, written while its program loads. */
struct idle_write {
	struct xdpfw_bpf *skel;
	const struct fw_ruleset *rs;
	const struct fw_cls *c;
	const struct xdpfw_config *cfg;
	const struct own_maps *om;
	const __u32 *fresh;
	__u32 nfresh;
	__u32 idle;
	bool wait; /* a program runs: wait for its readers first */
	int err;   /* out */
};

static int write_idle(const struct idle_write *w)
{
	int rules_fd = bpf_map__fd(w->skel->maps.fw_rules), err;
	__u32 *keys;

	/* With no program running (attach), no packet reads anything. */
	if (w->wait)
		wait_for_readers();
	/*
	 * Fresh slots start from zero, and only now. The live set does not
	 * use them, but the one before it, the program replaced by the last
	 * reload, may have: a packet that was running it counts in its rule's
	 * slot (and takes from its bucket) until it is done, and the wait above
	 * is what waited for it. Zeroed before the wait, such a late packet
	 * could land in a new rule's counters; zeroed after the swap, packets
	 * of the new rules could count first and be wiped. Here, between the
	 * two, no packet can touch these slots.
	 */
	err = zero_counters(w->skel, w->fresh, w->nfresh) ?: write_sets(w->skel, w->rs, w->idle) ?:
	      write_classifier(w->skel, w->c, w->idle) ?: own_fill(w->om, w->c, w->rs) ?:
	      write_limit_sources(w->skel, w->rs);
	if (err)
		return err;
	keys = seq_keys(w->idle * XDPFW_MAX_RULES, w->rs->config.rule_count);
	err = keys ? update_many(rules_fd, keys, sizeof(*keys), w->rs->rules,
	                         sizeof(w->rs->rules[0]), w->rs->config.rule_count, "the rules")
	           : oom("the rules");
	free(keys);
	if (err)
		return err;
	if (bpf_map_update_elem(bpf_map__fd(w->skel->maps.fw_config), &w->idle, w->cfg, BPF_ANY))
		return fw_err_r(errno, "cannot write the configuration: %s", strerror(errno));
	return 0;
}

static void *write_idle_thread(void *arg)
{
	struct idle_write *w = arg;

	w->err = write_idle(w);
	return NULL;
}

/*
 * fw_ruleset_write(), and for a reload: fresh holds the nfresh counter slots
 * given to new rules, which the active set does not use; the rule-set
 * program packets run now is live_fd (-1: none), of constants live, and sw
 * says how to replace it. The new program's fd goes to *new_fd when not NULL.
 */
static int ruleset_write(struct xdpfw_bpf *skel, const struct fw_ruleset *rs, const __u32 *fresh,
                         __u32 nfresh, int live_fd, const struct xdpfw_consts *live,
                         const struct fw_swap *sw, int *new_fd)
{
	struct xdpfw_config cfg = rs->config;
	const struct fw_cls *c = rs->cls;
	struct xdpfw_consts *k = NULL;
	struct own_maps om = {{-1, -1, -1, -1, -1, -1}};
	struct idle_write w;
	struct fw_cls built;
	__u32 zero = 0, idle;
	pthread_t writer;
	bool threaded;
	char why[256];
	int err, fd = -1;

	/* The program takes its path with buckets only when this is not 0. */
	cfg.limit.rules = 0;
	for (__u32 i = 0; i < rs->config.rule_count; i++)
		cfg.limit.rules += !!(rs->rules[i].flags & XDPFW_RULE_LIMIT);
	if (!c) {
		err = fw_cls_build(rs, &built, why, sizeof(why));
		if (err)
			return fw_uerr_r(err, "%s", why);
		c = &built;
	}
	fw_cls_config(c, &cfg);
	/* Packets only read the live program's generation: the other one is
	 * ours once no packet that ran the program before it is still running. */
	idle = live_fd < 0 ? 0 : (live->gen + 1) & (XDPFW_GENERATIONS - 1);
	k = malloc(sizeof(*k));
	if (!k) {
		err = oom("the rule set's program");
		goto out;
	}
	make_consts(rs, &cfg, idle, k);
	err = own_create(&om, c, rs);
	if (err)
		goto out;
	w = (struct idle_write){skel, rs, c, &cfg, &om, fresh, nfresh, idle, live_fd >= 0, 0};
	/*
	 * The kernel verifies the new program while the idle generation is
	 * written: neither needs the other, and each takes tens of ms (the
	 * writes mostly wait for RCU grace periods). Nothing goes live before
	 * both are done; a program refused leaves the idle generation written,
	 * which no packet reads. The object behind inner_def() is opened first:
	 * libbpf's messages come from one thread at a time.
	 */
	if (!defs()) {
		err = fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
		goto out;
	}
	threaded = pthread_create(&writer, NULL, write_idle_thread, &w) == 0;
	fd = load_rules_prog(skel, k, &om);
	if (threaded)
		pthread_join(writer, NULL);
	else if (fd >= 0)
		w.err = write_idle(&w);
	err = fd < 0 ? fd : w.err;
	if (err)
		goto out;
	/* The one write that makes the whole new set live. */
	err = swap_prog(skel, sw, fd);
	if (err)
		goto out;
	/* For tools only: nothing reads it to decide anything. */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.fw_active), &zero, &idle, BPF_ANY))
		fw_warn(
		    "the new rules run, but the generation mirror fw_active was not updated: %s",
		    strerror(errno));
	if (new_fd) {
		*new_fd = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	own_close(&om);
	free(k);
	if (c == &built)
		fw_cls_free(&built);
	return err;
}

int fw_ruleset_write(struct xdpfw_bpf *skel, const struct fw_ruleset *rs)
{
	struct xdpfw_consts live;
	struct fw_swap sw;
	int fd, err;

	err = live_prog(skel, -1, 0, 0, &fd, &live, &sw);
	if (err)
		return err;
	err = ruleset_write(skel, rs, NULL, 0, fd, &live, &sw, NULL);
	if (fd >= 0)
		close(fd);
	return err;
}

int fw_ruleset_prog_fd(struct xdpfw_bpf *skel)
{
	return slot_prog(skel);
}

static int pin_all(struct xdpfw_bpf *skel, int prog_fd, const char *dir)
{
	char path[PATH_MAX + 32];
	struct bpf_map *m;

	snprintf(path, sizeof(path), "%s/%s", dir, PROG_PIN);
	if (bpf_obj_pin(prog_fd, path))
		return fw_err_r(errno, "cannot pin %s: %s", path, strerror(errno));
	bpf_object__for_each_map (m, skel->obj) {
		if (bpf_map__is_internal(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		if (bpf_obj_pin(bpf_map__fd(m), path))
			return fw_err_r(errno, "cannot pin %s: %s", path, strerror(errno));
	}
	return 0;
}

static int try_attach(struct xdp_program *prog, const struct fw_link *link,
                      enum xdp_attach_mode mode)
{
	fw_log_lib_tail_reset();
	return xdp_program__attach(prog, link->ifindex, mode, 0);
}

int fw_link_lookup(const char *ifname, struct fw_link *link)
{
	int err = fw_nl_link_get(ifname, link);

	if (err == -ENODEV)
		return fw_uerr_r(err, "no such interface %s; see ip link", ifname);
	if (err)
		return fw_err_r(err, "cannot look up %s: %s", ifname, strerror(-err));
	return 0;
}

/*
 * Serialise fwctl invocations that change one interface: an flock on a file
 * named by network namespace and ifindex under /run, which `ip netns exec`
 * leaves shared. Returns the lock's fd (closing it unlocks) or -errno.
 */
static int lock_link(const struct fw_link *link)
{
	char path[128];
	struct stat ns;
	int fd, waited;

	if (stat("/proc/self/ns/net", &ns))
		return fw_err_r(errno, "cannot read the network namespace: %s", strerror(errno));
	if (mkdir(LOCK_DIR, 0700) && errno != EEXIST)
		return fw_err_r(errno, "cannot create %s: %s", LOCK_DIR, strerror(errno));
	snprintf(path, sizeof(path), LOCK_DIR "/%lu.%d.lock", (unsigned long)ns.st_ino,
	         link->ifindex);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fw_err_r(errno, "cannot open the lock %s: %s", path, strerror(errno));
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += LOCK_POLL_MS) {
		if (errno != EWOULDBLOCK) {
			int err = errno;

			close(fd);
			return fw_err_r(err, "cannot lock %s: %s", path, strerror(err));
		}
		if (waited == 0)
			fw_info("another fwctl is changing %s; waiting for it", link->name);
		if (waited >= LOCK_WAIT_MS) {
			close(fd);
			return fw_err_r(EBUSY,
			                "another fwctl has been changing %s for %d s (lock %s); "
			                "try again when it is done",
			                link->name, LOCK_WAIT_MS / 1000, path);
		}
		usleep(LOCK_POLL_MS * 1000);
	}
	return fd;
}

/*
 * What attach, reload and detach start with: the link, its lock, and the
 * xdpfw on it. Returns the lock's fd (or -errno, nothing held); *open_err
 * is fw_instance_open()'s answer: 0 (then *inst is open), -ENOENT, ...
 */
static int open_locked(const char *ifname, struct fw_link *link, struct fw_instance *inst,
                       bool any_stamp, int *open_err)
{
	int err, lock;

	*open_err = -ENOENT;
	err = fw_link_lookup(ifname, link);
	if (err)
		return err;
	lock = lock_link(link);
	if (lock < 0)
		return lock;
	*open_err = any_stamp ? fw_instance_open_any(link, inst) : fw_instance_open(link, inst);
	return lock;
}

static __u32 mode_flags(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW:
		return XDP_FLAGS_HW_MODE;
	default:
		return XDP_FLAGS_DRV_MODE;
	}
}

/*
 * Where libxdp attached the entry program alone (no dispatcher), the rule
 * set's program takes its place, in one replace: packets run it directly,
 * and a reload replaces it whole the same way. Nothing then depends on the
 * program array, whose slot the kernel empties when its last pin and file
 * descriptor are gone (pins are a convenience: a fresh mount namespace has
 * none). Through the dispatcher, the entry program stays and the slot
 * holds the rule set (libxdp's dispatcher lives by its pins all the same).
 * Returns the fd of the program attached now.
 */
static int alone_rules(struct xdp_program *prog, const struct fw_link *link, struct xdpfw_bpf *skel,
                       int rules_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = xdp_program__fd(prog));
	struct fw_link now;
	__u32 flags, zero = 0;
	int err;

	/* Alone: the link's program is ours (a dispatcher's would be its own). */
	if (fw_nl_link_get(link->name, &now) || fw_link_prog_id(&now) != xdp_program__id(prog))
		return xdp_program__fd(prog);
	flags = now.xdp_attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	err = bpf_xdp_attach(link->ifindex, rules_fd, flags | XDP_FLAGS_REPLACE, &opts);
	if (err) {
		fw_warn("xdpfw runs on %s through its entry program, which needs the pin of its "
		        "program array (the kernel refused the rule set's program in its place: "
		        "%s)",
		        link->name, strerror(-err));
		return xdp_program__fd(prog);
	}
	/* The slot would only keep replaced programs alive. */
	if (bpf_map_delete_elem(bpf_map__fd(skel->maps.fw_progs), &zero))
		fw_dbg("cannot empty the program array: %s", strerror(errno));
	return rules_fd;
}

int fw_attach(const char *ifname, const struct fw_ruleset *rs, enum fw_mode mode)
{
	struct xdp_program *prog = NULL;
	struct xdpfw_bpf *skel = NULL;
	struct fw_instance old;
	struct fw_link link;
	char dir[PATH_MAX];
	int err, lock, rules_fd = -1, attached_fd;

	lock = open_locked(ifname, &link, &old, false, &err);
	if (lock < 0)
		return lock;
	if (!err) {
		err = fw_uerr_r(EEXIST,
		                "xdpfw is already attached to %s (program %u); use fwctl reload %s "
		                "FILE to change its rules",
		                ifname, old.prog_id, ifname);
		fw_instance_close(&old);
		goto out;
	}
	if (err != -ENOENT)
		goto out;

	skel = xdpfw_bpf__open();
	if (!skel) {
		err = fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
		goto out;
	}
	/* The rule set's program first, in the slot of the entry program,
	 * which is what libxdp attaches (it may put it in its dispatcher). */
	err = create_maps(skel->obj);
	if (!err)
		err = ruleset_write(skel, rs, NULL, 0, -1, NULL, &(struct fw_swap){.old_fd = -1},
		                    &rules_fd);
	if (err)
		goto out;

	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = skel->obj,
	                    .prog_name = XDPFW_PROG_NAME);
	prog = xdp_program__create(&xopts);
	err = libxdp_get_error(prog);
	if (err) {
		prog = NULL;
		err = fw_err_r(err, "cannot prepare the xdpfw program: %s", strerror(-err));
		goto out;
	}

	if (mode == FW_MODE_GENERIC) {
		err = try_attach(prog, &link, XDP_MODE_SKB);
	} else {
		err = try_attach(prog, &link, XDP_MODE_NATIVE);
		/* Any refusal of native mode but a permission or a conflict:
		 * generic mode works on every device. */
		if (mode == FW_MODE_AUTO && err && err != -EPERM && err != -EEXIST &&
		    err != -EBUSY) {
			const char *kmsg = fw_log_lib_find("Kernel error message: ");

			fw_info("native XDP refused on %s (%s%s%s); attaching in generic mode, "
			        "which is slower",
			        ifname, strerror(-err), kmsg ? ": " : "", kmsg ? kmsg : "");
			err = try_attach(prog, &link, XDP_MODE_SKB);
		}
	}
	if (err) {
		err = load_error(err, ifname, "cannot attach xdpfw");
		goto out;
	}

	/* Attached: from here on a failure leaves the firewall running. */
	attached_fd = alone_rules(prog, &link, skel, rules_fd);
	/*
	 * Pins already there are stale (xdpfw was not attached a moment ago):
	 * left by a namespace deleted without detach whose inode got reused.
	 */
	if (fw_pin_dir(link.name, false, dir, sizeof(dir)) == 0 && access(dir, F_OK) == 0) {
		fw_dbg("removing stale pins in %s", dir);
		fw_pin_dir_remove(dir);
	}
	if (fw_pin_dir(link.name, true, dir, sizeof(dir)) == 0 &&
	    pin_all(skel, attached_fd, dir) != 0) {
		fw_warn("xdpfw runs on %s, but its pins in %s are incomplete; fwctl finds it from "
		        "the interface anyway",
		        ifname, dir);
	}
	fw_dbg("attached xdpfw to %s", ifname);
	err = 0;
out:
	if (rules_fd >= 0)
		close(rules_fd);
	xdp_program__close(prog);
	xdpfw_bpf__destroy(skel);
	close(lock);
	return err;
}

/*
 * The stamp of a running program (include/xdpfw.h): 0, or -ENOENT when none
 * of its maps is a stamp, and then *st is zeroed. Only the map's shape and
 * the magic are trusted; the rest is compared, never used to size anything.
 */
static int read_stamp(int prog_fd, const char *map_name, struct xdpfw_stamp *st, const char *ifname)
{
	__u32 ids[MAX_PROG_MAPS], n, zero = 0;
	struct bpf_map_info info;
	int fd, err;
	void *val;

	memset(st, 0, sizeof(*st));
	err = prog_map_ids(prog_fd, ids, &n, ifname);
	for (__u32 i = 0; !err && i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (map_info(fd, &info) || !map_named(info.name, map_name) ||
		    info.type != BPF_MAP_TYPE_ARRAY || info.max_entries != 1 ||
		    info.value_size < sizeof(*st)) {
			close(fd);
			continue;
		}
		/* A later version's stamp may be longer: read all of it. */
		val = calloc(1, info.value_size);
		if (!val)
			err = oom("the program's stamp");
		else if (bpf_map_lookup_elem(fd, &zero, val))
			err =
			    fw_err_r(errno, "cannot read the layout stamp of the program on %s: %s",
			             ifname, strerror(errno));
		else
			memcpy(st, val, sizeof(*st));
		free(val);
		close(fd);
		if (!err && st->magic == XDPFW_STAMP_MAGIC) {
			st->version[sizeof(st->version) - 1] = '\0';
			return 0;
		}
		memset(st, 0, sizeof(*st));
	}
	return err ?: -ENOENT;
}

/* A string from the kernel, fit to print: non-printable bytes as '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

#define WHY_LEN 192 /* what makes an instance foreign, for the message */

/* -EPROTO, and why in why, when the stamp read into inst is not ours. */
static int check_stamp(const struct fw_instance *inst, char *why)
{
	char version[XDPFW_VERSION_MAX];

	if (inst->stamp.magic != XDPFW_STAMP_MAGIC) {
		snprintf(why, WHY_LEN,
		         "has no layout stamp: it was attached by an older xdpfw, or is not xdpfw");
		return -EPROTO;
	}
	if (inst->stamp.layout == XDPFW_LAYOUT)
		return 0; /* the version only names the builder */
	memcpy(version, inst->stamp.version, sizeof(version));
	printable(version);
	snprintf(why, WHY_LEN, "was built by xdpfw %s with map layout %08x (this fwctl's: %08x)",
	         version, inst->stamp.layout, XDPFW_LAYOUT);
	return -EPROTO;
}

/*
 * Point the (unloaded) object's maps at those of a running program whose
 * stamp matched. Each map's shape is checked all the same: a layout number
 * that was not bumped must not make fwctl read past a value. -EPROTO, and
 * why in why, when the maps are not the ones this fwctl knows.
 */
static int reuse_prog_maps(struct fw_instance *inst, int prog_fd, char *why)
{
	struct bpf_object *obj = inst->skel->obj;
	__u32 ids[MAX_PROG_MAPS], n, found = 0, wanted = 0;
	struct bpf_map_info info;
	struct bpf_map *m;
	int fd, err;

	err = prog_map_ids(prog_fd, ids, &n, inst->link.name);
	for (__u32 i = 0; !err && i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (map_info(fd, &info)) {
			close(fd);
			continue;
		}
		bpf_object__for_each_map (m, obj) {
			if (bpf_map__is_internal(m) || !map_named(info.name, bpf_map__name(m)))
				continue;
			if (info.type != bpf_map__type(m) ||
			    info.key_size != bpf_map__key_size(m) ||
			    info.value_size != bpf_map__value_size(m) ||
			    (info.max_entries != bpf_map__max_entries(m) &&
			     own_map(bpf_map__name(m)) < 0)) {
				snprintf(why, WHY_LEN,
				         "has map %s with %u-byte keys, %u-byte values and %u "
				         "entries (this fwctl's: %u, %u, %u)",
				         bpf_map__name(m), info.key_size, info.value_size,
				         info.max_entries, bpf_map__key_size(m),
				         bpf_map__value_size(m), bpf_map__max_entries(m));
				err = -EPROTO;
				break;
			}
			if (bpf_map__reuse_fd(m, fd) == 0)
				found++;
		}
		close(fd);
	}
	if (err)
		return err;
	bpf_object__for_each_map (m, obj)
		wanted += !bpf_map__is_internal(m);
	if (found != wanted) {
		snprintf(why, WHY_LEN, "has %u of the %u maps this fwctl knows", found, wanted);
		return -EPROTO;
	}
	return 0;
}

static bool is_ours(struct xdp_program *p)
{
	return p && !strcmp(xdp_program__name(p), XDPFW_PROG_NAME);
}

/* The program named XDPFW_PROG_NAME on a link, alone or in a dispatcher. */
static int find_prog(const struct fw_link *link, struct fw_instance *inst)
{
	struct xdp_program *p = NULL;
	int err;

	inst->mp = xdp_multiprog__get_from_ifindex(link->ifindex);
	err = libxdp_get_error(inst->mp);
	if (err || !inst->mp) {
		inst->mp = NULL;
		return err == -ENOENT || !err
		           ? -ENOENT
		           : fw_err_r(err, "cannot read the XDP programs of %s: %s", link->name,
		                      strerror(-err));
	}
	if (xdp_multiprog__is_legacy(inst->mp)) {
		p = xdp_multiprog__main_prog(inst->mp);
		if (!is_ours(p))
			p = NULL;
	} else {
		inst->dispatcher = true;
		for (p = xdp_multiprog__next_prog(NULL, inst->mp); p && !is_ours(p);
		     p = xdp_multiprog__next_prog(p, inst->mp))
			;
	}
	if (!p)
		return -ENOENT;
	inst->prog = p;
	inst->prog_id = xdp_program__id(p);
	inst->mode = xdp_multiprog__attach_mode(inst->mp);
	return 0;
}

/*
 * Find xdpfw on a link and check its stamp before any other map of it is
 * opened. A foreign one (another stamp, or none) is refused, or with
 * any_stamp opened without maps (inst->foreign, inst->skel NULL).
 */
static int instance_open(const struct fw_link *link, struct fw_instance *inst, bool any_stamp)
{
	char path[PATH_MAX + 8], why[WHY_LEN];
	int err;

	memset(inst, 0, sizeof(*inst));
	inst->link = *link;
	if (!fw_link_prog_id(link))
		return -ENOENT;
	err = find_prog(link, inst);
	if (err)
		goto fail;
	if (fw_pin_dir(link->name, false, inst->pin_dir, sizeof(inst->pin_dir)) == 0) {
		snprintf(path, sizeof(path), "%s/%s", inst->pin_dir, PROG_PIN);
		inst->pinned = access(path, F_OK) == 0;
	}

	inst->skel = xdpfw_bpf__open();
	if (!inst->skel) {
		err = fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
		goto fail;
	}
	err = read_stamp(xdp_program__fd(inst->prog), bpf_map__name(inst->skel->maps.rodata_stamp),
	                 &inst->stamp, link->name);
	if (err && err != -ENOENT)
		goto fail;
	err = check_stamp(inst, why) ?: reuse_prog_maps(inst, xdp_program__fd(inst->prog), why);
	if (err == -EPROTO) {
		/* Foreign: none of its maps is read. One message for every
		 * command, the operator's to fix (exit 1), as another XDP
		 * program in the way is. */
		inst->foreign = true;
		xdpfw_bpf__destroy(inst->skel);
		inst->skel = NULL;
		if (any_stamp)
			return 0;
		err = fw_uerr_r(err,
		                "the xdpfw program on %s (program %u) %s; fwctl %s leaves its maps "
		                "alone: detach it with the fwctl that attached it, or with fwctl "
		                "detach %s --force",
		                link->name, inst->prog_id, why, XDPFW_VERSION, link->name);
	}
	if (err)
		goto fail;
	return 0;
fail:
	fw_instance_close(inst);
	return err;
}

int fw_instance_open(const struct fw_link *link, struct fw_instance *inst)
{
	return instance_open(link, inst, false);
}

int fw_instance_open_any(const struct fw_link *link, struct fw_instance *inst)
{
	return instance_open(link, inst, true);
}

void fw_instance_close(struct fw_instance *inst)
{
	xdpfw_bpf__destroy(inst->skel);
	xdp_multiprog__close(inst->mp);
	inst->skel = NULL;
	inst->mp = NULL;
	inst->prog = NULL;
}

/*
 * The rule-set program packets on inst's link run now: see live_prog(). The
 * attached program is asked for anew: a reload may have replaced it since
 * the instance was opened.
 */
static int instance_live(const struct fw_instance *inst, int *fd, struct xdpfw_consts *k,
                         struct fw_swap *sw)
{
	int attached = -1, err;
	struct fw_link now;
	__u32 id;

	if (!inst->dispatcher) {
		err = fw_nl_link_get(inst->link.name, &now);
		if (err)
			return fw_err_r(err, "cannot look up %s: %s", inst->link.name,
			                strerror(-err));
		id = fw_link_prog_id(&now);
		attached = id ? bpf_prog_get_fd_by_id(id) : -1;
		if (id && attached < 0)
			return fw_err_r(errno, "cannot open the program on %s: %s", inst->link.name,
			                strerror(errno));
	}
	err =
	    live_prog(inst->skel, attached, inst->link.ifindex, mode_flags(inst->mode), fd, k, sw);
	if (attached >= 0)
		close(attached);
	return err;
}

/* The generation the packets on inst's link use now. */
static int instance_gen(const struct fw_instance *inst, __u32 *gen)
{
	struct xdpfw_consts k;
	struct fw_swap sw;
	int fd, err;

	err = instance_live(inst, &fd, &k, &sw);
	if (err)
		return err;
	if (fd < 0)
		return fw_err_r(ENOENT,
		                "xdpfw on %s runs no rule set: its program array is empty (were "
		                "its pins removed?); fwctl reload %s FILE loads one",
		                inst->link.name, inst->link.name);
	close(fd);
	*gen = k.gen & (XDPFW_GENERATIONS - 1);
	return 0;
}

static int read_config(const struct fw_instance *inst, __u32 gen, struct xdpfw_config *cfg)
{
	if (bpf_map_lookup_elem(bpf_map__fd(inst->skel->maps.fw_config), &gen, cfg))
		return fw_err_r(errno, "cannot read the configuration on %s: %s", inst->link.name,
		                strerror(errno));
	return 0;
}

static int read_rule(const struct fw_instance *inst, __u32 gen, __u32 idx, struct xdpfw_rule *r)
{
	__u32 key = gen * XDPFW_MAX_RULES + idx;

	if (idx >= XDPFW_MAX_RULES)
		return fw_err_r(ERANGE, "rule %u on %s is past the limit", idx, inst->link.name);
	if (bpf_map_lookup_elem(bpf_map__fd(inst->skel->maps.fw_rules), &key, r))
		return fw_err_r(errno, "cannot read rule %u on %s: %s", idx, inst->link.name,
		                strerror(errno));
	return 0;
}

int fw_instance_config(const struct fw_instance *inst, struct xdpfw_config *cfg)
{
	__u32 gen;

	return instance_gen(inst, &gen) ?: read_config(inst, gen, cfg);
}

int fw_instance_rule(const struct fw_instance *inst, __u32 idx, struct xdpfw_rule *r)
{
	__u32 gen;

	return instance_gen(inst, &gen) ?: read_rule(inst, gen, idx, r);
}

bool fw_instance_changed(const struct fw_instance *inst, const struct fw_ruleset *rs)
{
	__u32 gen;

	return instance_gen(inst, &gen) || gen != rs->gen;
}

/*
 * Generation gen's entries of store `outer` into a new array (*out, *n;
 * none: NULL, 0). The inner map is created at the size the set needs.
 */
static int read_store(const struct fw_instance *inst, struct bpf_map *outer, __u32 gen, size_t sz,
                      void **out, __u32 *n)
{
	const char *what = bpf_map__name(outer);
	struct bpf_map_info info;
	__u32 id, len = sizeof(info);
	char *v = NULL;
	int fd, err = 0;

	*out = NULL;
	*n = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(outer), &gen, &id))
		return errno == ENOENT ? 0
		                       : fw_err_r(errno, "cannot read %s on %s: %s", what,
		                                  inst->link.name, strerror(errno));
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return fw_err_r(errno, "cannot open %s on %s: %s", what, inst->link.name,
		                strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = fw_err_r(errno, "cannot read %s on %s: %s", what, inst->link.name,
		               strerror(errno));
		goto out;
	}
	v = calloc(info.max_entries ? info.max_entries : 1, sz);
	if (!v) {
		err = fw_err_r(ENOMEM, "out of memory reading %s on %s", what, inst->link.name);
		goto out;
	}
	for (__u32 i = 0; i < info.max_entries; i++) {
		if (bpf_map_lookup_elem(fd, &i, v + (size_t)i * sz)) {
			err = fw_err_r(errno, "cannot read entry %u of %s on %s: %s", i, what,
			               inst->link.name, strerror(errno));
			goto out;
		}
	}
	*out = v;
	*n = info.max_entries;
	v = NULL;
out:
	free(v);
	close(fd);
	return err;
}

/* How many sets of each kind: past the highest id rules or members name. */
static void count_sets(struct fw_ruleset *rs)
{
	rs->naddr_sets = rs->nport_sets = 0;
	for (__u32 i = 0; i < rs->naddrs; i++)
		rs->naddr_sets =
		    rs->addrs[i].set + 1u > rs->naddr_sets ? rs->addrs[i].set + 1u : rs->naddr_sets;
	for (__u32 i = 0; i < rs->nports; i++)
		rs->nport_sets =
		    rs->ports[i].set + 1u > rs->nport_sets ? rs->ports[i].set + 1u : rs->nport_sets;
	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];

		if ((r->match & XDPFW_M_SADDR_SET) && r->saddr_set + 1u > rs->naddr_sets)
			rs->naddr_sets = r->saddr_set + 1u;
		if ((r->match & XDPFW_M_DADDR_SET) && r->daddr_set + 1u > rs->naddr_sets)
			rs->naddr_sets = r->daddr_set + 1u;
		if ((r->match & XDPFW_M_SPORT_SET) && r->sport_set + 1u > rs->nport_sets)
			rs->nport_sets = r->sport_set + 1u;
		if ((r->match & XDPFW_M_DPORT_SET) && r->dport_set + 1u > rs->nport_sets)
			rs->nport_sets = r->dport_set + 1u;
	}
}

/* The set members of generation gen into rs, indexed as the compiler's. */
static int read_sets(const struct fw_instance *inst, __u32 gen, struct fw_ruleset *rs)
{
	void *addrs, *ports;
	int err;

	err = read_store(inst, inst->skel->maps.fw_set_store, gen, sizeof(*rs->addrs), &addrs,
	                 &rs->naddrs);
	rs->addrs = addrs;
	err = err
	          ?: read_store(inst, inst->skel->maps.fw_port_store, gen, sizeof(*rs->ports),
	                        &ports, &rs->nports);
	if (err)
		return err;
	rs->ports = ports;
	count_sets(rs);
	err = fw_ruleset_index_sets(rs);
	if (err == -EINVAL)
		return fw_err_r(EPROTO, "the sets on %s are not in the order fwctl writes them",
		                inst->link.name);
	return err ? fw_err_r(err, "out of memory reading the sets on %s", inst->link.name) : 0;
}

/*
 * Rules 0..n-1 of generation gen into r: in batches (a reload reads the
 * running rules for their counter slots, 16,384 of them at most), else one
 * by one. A batch starts after the key it is given, hence the one before.
 */
static int read_rules(const struct fw_instance *inst, __u32 gen, struct xdpfw_rule *r, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(inst->skel->maps.fw_rules);
	__u32 done = 0, first = gen * XDPFW_MAX_RULES, *keys;

	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return fw_err_r(ENOMEM, "out of memory reading the rules on %s", inst->link.name);
	while (done < n) {
		__u32 cnt = n - done, from = first + done - 1, next;

		if (bpf_map_lookup_batch(fd, first + done ? &from : NULL, &next, keys + done,
		                         r + done, &cnt, &opts) &&
		    errno != ENOENT)
			break;
		/* An array's batch is its keys in order; anything else, one by one. */
		if (!cnt || keys[done + cnt - 1] != first + done + cnt - 1)
			break;
		done += cnt;
	}
	free(keys);
	for (; done < n; done++) {
		int err = read_rule(inst, gen, done, &r[done]);

		if (err)
			return err;
	}
	return 0;
}

/* The rules (and sets) of generation gen into a new rule set. */
static int read_gen(const struct fw_instance *inst, __u32 gen, bool sets, struct fw_ruleset **out)
{
	struct fw_ruleset *rs = fw_ruleset_new();
	int err;

	if (!rs)
		return fw_err_r(ENOMEM, "out of memory reading the rules on %s", inst->link.name);
	rs->gen = gen;
	err = read_config(inst, gen, &rs->config);
	if (!err && rs->config.rule_count > XDPFW_MAX_RULES)
		err = fw_err_r(EPROTO, "%u rules on %s, more than this fwctl knows (%u)",
		               rs->config.rule_count, inst->link.name, XDPFW_MAX_RULES);
	if (!err) {
		rs->rules =
		    calloc(rs->config.rule_count ? rs->config.rule_count : 1, sizeof(*rs->rules));
		rs->rules_cap = rs->config.rule_count;
		if (!rs->rules)
			err = fw_err_r(ENOMEM, "out of memory reading the rules on %s",
			               inst->link.name);
	}
	if (!err)
		err = read_rules(inst, gen, rs->rules, rs->config.rule_count);
	if (!err && sets)
		err = read_sets(inst, gen, rs);
	if (err) {
		fw_ruleset_free(rs);
		return err;
	}
	*out = rs;
	return 0;
}

int fw_instance_ruleset(const struct fw_instance *inst, bool sets, struct fw_ruleset **out)
{
	__u32 gen;
	int err;

	*out = NULL;
	/* One generation throughout: a reload that flips it meanwhile means
	 * reading again (a reload takes milliseconds). */
	for (int tries = 0; tries < 5; tries++) {
		err = instance_gen(inst, &gen) ?: read_gen(inst, gen, sets, out);
		if (err || !fw_instance_changed(inst, *out))
			return err;
		fw_ruleset_free(*out);
		*out = NULL;
	}
	return fw_err_r(EAGAIN, "the rules on %s keep changing (reloads?); try again",
	                inst->link.name);
}

int fw_instance_rule_stats_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_rule_stats);
}

int fw_instance_reason_stats_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_reason_stats);
}

int fw_instance_limit_stats_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_limit_stats);
}

int fw_instance_limit_totals_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_limit_totals);
}

int fw_instance_limit_sources(const struct fw_instance *inst, __u32 *size, __u64 *present)
{
	struct xdpfw_limit_key key, next;
	struct bpf_map_info info;
	__u32 zero = 0, id, len = sizeof(info);
	void *prev = NULL;
	int fd;

	*size = 0;
	*present = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(inst->skel->maps.fw_limit_src), &zero, &id))
		return 0; /* no per-source limit ever loaded */
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return fw_err_r(errno, "cannot open the per-source buckets on %s: %s",
		                inst->link.name, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = fw_err_r(errno, "cannot read the per-source buckets on %s: %s",
		                   inst->link.name, strerror(errno));

		close(fd);
		return err;
	}
	*size = info.max_entries;
	/* Keys only. A key evicted under the walk restarts it from the first
	 * (the kernel's answer to a missing key): capped at the size. */
	while (*present < info.max_entries && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		(*present)++;
	}
	close(fd);
	return 0;
}

int fw_detach(const char *ifname, bool force)
{
	struct fw_instance inst;
	struct fw_link link;
	char dir[PATH_MAX];
	int err, lock;

	/* Forced, the stamp is not read: detaching touches no map. */
	lock = open_locked(ifname, &link, &inst, force, &err);
	if (lock < 0)
		return lock;
	if (err == -ENOENT) {
		if (fw_pin_dir(link.name, false, dir, sizeof(dir)) || access(dir, F_OK)) {
			err = fw_uerr_r(
			    err, "xdpfw is not attached to %s; fwctl status lists where it is",
			    ifname);
		} else {
			fw_info("xdpfw was not attached to %s; removing its stale pins in %s",
			        ifname, dir);
			err = fw_pin_dir_remove(dir);
		}
	}
	if (err) {
		close(lock);
		return err;
	}
	if (!inst.pinned)
		fw_info("no pins for %s under %s (a fresh mount namespace?); found program %u from "
		        "the interface",
		        ifname, inst.pin_dir[0] ? inst.pin_dir : FW_BPFFS_DEFAULT, inst.prog_id);
	if (inst.foreign)
		fw_info("detaching program %u from %s, which another xdpfw built (--force)",
		        inst.prog_id, ifname);

	err = xdp_program__detach(inst.prog, link.ifindex, inst.mode, 0);
	if (err) {
		err = fw_err_r(err, "cannot detach xdpfw from %s: %s", ifname, strerror(-err));
		goto out;
	}
	if (inst.pin_dir[0])
		err = fw_pin_dir_remove(inst.pin_dir);
out:
	fw_instance_close(&inst);
	close(lock);
	return err;
}

/*
 * Counter slots for a new set: a name the old set had keeps its slot (the
 * first unclaimed rule of that name); every other rule gets a slot the old
 * set does not use, listed in fresh (*nfresh of them, at most rule_count)
 * for ruleset_write() to reset. XDPFW_COUNTER_SLOTS is twice the rule
 * limit, so there always is one.
 */
static void assign_counters(const struct fw_ruleset *old, struct fw_ruleset *rs, __u32 *fresh,
                            __u32 *nfresh)
{
	static bool used[XDPFW_COUNTER_SLOTS], claimed[XDPFW_MAX_RULES];
	__u32 next = 0, kept = 0;

	memset(used, 0, sizeof(used));
	memset(claimed, 0, sizeof(claimed));
	for (__u32 j = 0; j < old->config.rule_count; j++)
		used[old->rules[j].counter % XDPFW_COUNTER_SLOTS] = true;

	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		struct xdpfw_rule *r = &rs->rules[i];

		r->counter = XDPFW_COUNTER_SLOTS;
		for (__u32 j = 0; r->name[0] && j < old->config.rule_count; j++) {
			if (claimed[j] || strncmp(r->name, old->rules[j].name, XDPFW_NAME_MAX))
				continue;
			claimed[j] = true;
			r->counter = old->rules[j].counter % XDPFW_COUNTER_SLOTS;
			kept++;
			break;
		}
	}
	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		struct xdpfw_rule *r = &rs->rules[i];

		if (r->counter != XDPFW_COUNTER_SLOTS)
			continue;
		while (used[next])
			next++;
		used[next] = true;
		r->counter = next;
		fresh[(*nfresh)++] = next;
	}
	fw_dbg("%u of %u rules keep their counters", kept, rs->config.rule_count);
}

/* Pin program fd as dir's program pin, in place of the one there. */
static void repin_prog(const char *dir, int fd)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, PROG_PIN);
	snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, PROG_PIN);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) == 0 && rename(tmp, path) == 0)
		return;
	/* A bpffs that cannot rename: a moment without the pin. */
	unlink(tmp);
	unlink(path);
	if (bpf_obj_pin(fd, path))
		fw_warn("the new rules run, but their program could not be pinned at %s: %s; "
		        "fwctl finds it from the interface anyway",
		        path, strerror(errno));
}

int fw_reload(const char *ifname, struct fw_ruleset *rs)
{
	struct fw_ruleset *old = NULL;
	__u32 *fresh = calloc(XDPFW_MAX_RULES, sizeof(*fresh)), nfresh = 0;
	int err, lock, live_fd = -1, new_fd = -1;
	struct xdpfw_consts live;
	struct fw_instance inst;
	struct fw_link link;
	struct fw_swap sw;

	if (!fresh)
		return oom("the counter slots");

	lock = open_locked(ifname, &link, &inst, false, &err);
	if (lock < 0) {
		free(fresh);
		return lock;
	}
	if (err) {
		if (err == -ENOENT)
			err =
			    fw_uerr_r(err, "xdpfw is not attached to %s; use fwctl attach %s FILE",
			              ifname, ifname);
		free(fresh);
		close(lock);
		return err;
	}
	if (!inst.pinned)
		fw_info("no pins for %s (a fresh mount namespace?); found program %u from the "
		        "interface",
		        ifname, inst.prog_id);
	err = instance_live(&inst, &live_fd, &live, &sw);
	if (!err && live_fd < 0)
		fw_info("xdpfw on %s ran no rule set (its program array was empty)", ifname);
	if (!err && live_fd >= 0)
		err = fw_instance_ruleset(&inst, false, &old);
	if (!err) {
		if (old)
			assign_counters(old, rs, fresh, &nfresh);
		err = ruleset_write(inst.skel, rs, fresh, nfresh, live_fd, &live, &sw, &new_fd);
	}
	/* Replaced whole: the program pin names the new one. */
	if (!err && sw.ifindex && inst.pinned)
		repin_prog(inst.pin_dir, new_fd);
	if (new_fd >= 0)
		close(new_fd);
	if (live_fd >= 0)
		close(live_fd);
	fw_ruleset_free(old);
	free(fresh);
	fw_instance_close(&inst);
	close(lock);
	return err;
}
