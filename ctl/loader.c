// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* loader.c - see loader.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "loader.h"
#include "log.h"
#include "xdpfw.skel.h"

#define LOCK_DIR "/run/xdpfw"
#define LOCK_WAIT_MS 10000 /* an attach or reload takes milliseconds */
#define LOCK_POLL_MS 50
#define PROG_PIN "prog"   /* pin name of the program; maps pin by map name */
#define MAX_PROG_MAPS 64  /* map ids read from a program's info */

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
		return fw_err_r(err, "%s on %s: permission denied%s; run as root (needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)",
				what, ifname, why);
	case EOPNOTSUPP:
		return fw_err_r(err, "%s on %s: the driver has no native XDP%s; use --mode generic",
				what, ifname, why);
	case ERANGE:
		return fw_err_r(err, "%s on %s: the MTU is too large for native XDP%s; lower the MTU or use --mode generic",
				what, ifname, why);
	case EEXIST:
	case EBUSY:
		return fw_uerr_r(-EEXIST, "%s on %s: another XDP program is attached that is not xdpfw; detach it first (ip link set dev %s xdp off)",
				 what, ifname, ifname);
	case EACCES:
	case EINVAL:
		if (kmsg)
			return fw_err_r(err, "%s on %s: %s%s", what, ifname, strerror(-err), why);
		fw_err("%s on %s: the kernel rejected the program (%s); verifier log tail (full log with -v):",
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

	bpf_object__for_each_map(m, obj) {
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = bpf_map__map_flags(m));

		if (bpf_map__is_internal(m))
			continue;
		fd = bpf_map_create(bpf_map__type(m), bpf_map__name(m), bpf_map__key_size(m),
				    bpf_map__value_size(m), bpf_map__max_entries(m), &opts);
		if (fd < 0)
			return fw_err_r(errno, "cannot create map %s: %s", bpf_map__name(m), strerror(errno));
		err = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (err)
			return fw_err_r(err, "cannot use map %s: %s", bpf_map__name(m), strerror(-err));
	}
	return 0;
}

static int active_gen(struct xdpfw_bpf *skel, __u32 *gen)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fw_active), &zero, gen))
		return fw_err_r(errno, "cannot read the active generation: %s", strerror(errno));
	*gen &= XDPFW_GENERATIONS - 1;
	return 0;
}

/* Every key of the address-set trie that belongs to generation gen. */
static int addr_keys_of(int fd, __u32 gen, struct xdpfw_set_key **keys, __u32 *n)
{
	struct xdpfw_set_key key, next, *v = NULL, *nv;
	__u32 cap = 0, cnt = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (next.gen != gen)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 1024;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = next;
	}
	if (errno != ENOENT) {
		free(v);
		return fw_err_r(errno, "cannot walk the address sets: %s", strerror(errno));
	}
	*keys = v;
	*n = cnt;
	return 0;
}

/* Replace generation gen's sets: what an older rule set left there goes
 * first, then this set's members. Packets do not look at gen meanwhile. */
static int write_sets(struct xdpfw_bpf *skel, const struct fw_ruleset *rs, __u32 gen)
{
	int addr_fd = bpf_map__fd(skel->maps.fw_addr_sets);
	int port_fd = bpf_map__fd(skel->maps.fw_port_sets);
	struct xdpfw_set_key *stale = NULL, key;
	__u32 nstale = 0;
	__u8 one = 1;
	int err;

	err = addr_keys_of(addr_fd, gen, &stale, &nstale);
	if (err)
		return err;
	for (__u32 i = 0; i < nstale; i++) {
		if (bpf_map_delete_elem(addr_fd, &stale[i]) && errno != ENOENT) {
			err = fw_err_r(errno, "cannot clear an old address set entry: %s",
				       strerror(errno));
			break;
		}
	}
	free(stale);
	for (__u32 i = 0; !err && i < rs->naddrs; i++) {
		const struct fw_set_addr *e = &rs->addrs[i];

		memset(&key, 0, sizeof(key));
		key.prefixlen = XDPFW_SET_KEY_FIXED_BITS + e->len;
		key.gen = (__u8)gen;
		key.family = e->family;
		key.set = e->set;
		memcpy(key.addr, e->addr, sizeof(key.addr));
		if (bpf_map_update_elem(addr_fd, &key, &one, BPF_ANY))
			err = fw_err_r(errno, "cannot write address set entry %u of %u: %s", i,
				       rs->naddrs, strerror(errno));
	}
	for (__u32 id = 0; !err && id < rs->nport_sets; id++) {
		__u32 k = gen * XDPFW_MAX_PORT_SETS + id;

		if (bpf_map_update_elem(port_fd, &k, &rs->port_sets[id], BPF_ANY))
			err = fw_err_r(errno, "cannot write port set %u: %s", id, strerror(errno));
	}
	return err;
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

int fw_ruleset_write(struct xdpfw_bpf *skel, const struct fw_ruleset *rs)
{
	int rules_fd = bpf_map__fd(skel->maps.fw_rules);
	__u32 zero = 0, gen, idle, key;
	int err;

	err = active_gen(skel, &gen);
	if (err)
		return err;
	/* Packets only read the active generation: the idle one is ours once
	 * no packet that read it before the last flip is still running. */
	idle = (gen + 1) & (XDPFW_GENERATIONS - 1);
	wait_for_readers();
	err = write_sets(skel, rs, idle);
	if (err)
		return err;
	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		key = idle * XDPFW_MAX_RULES + i;
		if (bpf_map_update_elem(rules_fd, &key, &rs->rules[i], BPF_ANY))
			return fw_err_r(errno, "cannot write rule %u: %s", i, strerror(errno));
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.fw_config), &idle, &rs->config, BPF_ANY))
		return fw_err_r(errno, "cannot write the configuration: %s", strerror(errno));
	/* The one write that makes the whole new set live. */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.fw_active), &zero, &idle, BPF_ANY))
		return fw_err_r(errno, "cannot switch to the new rules: %s", strerror(errno));
	return 0;
}

static int pin_all(struct xdpfw_bpf *skel, int prog_fd, const char *dir)
{
	char path[PATH_MAX + 32];
	struct bpf_map *m;

	snprintf(path, sizeof(path), "%s/%s", dir, PROG_PIN);
	if (bpf_obj_pin(prog_fd, path))
		return fw_err_r(errno, "cannot pin %s: %s", path, strerror(errno));
	bpf_object__for_each_map(m, skel->obj) {
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
			return fw_err_r(EBUSY, "another fwctl has been changing %s for %d s (lock %s); try again when it is done",
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
		       int *open_err)
{
	int err, lock;

	*open_err = -ENOENT;
	err = fw_link_lookup(ifname, link);
	if (err)
		return err;
	lock = lock_link(link);
	if (lock < 0)
		return lock;
	*open_err = fw_instance_open(link, inst);
	return lock;
}

int fw_attach(const char *ifname, const struct fw_ruleset *rs, enum fw_mode mode)
{
	struct xdp_program *prog = NULL;
	struct xdpfw_bpf *skel = NULL;
	struct fw_instance old;
	struct fw_link link;
	char dir[PATH_MAX];
	int err, lock;

	lock = open_locked(ifname, &link, &old, &err);
	if (lock < 0)
		return lock;
	if (!err) {
		fw_uerr("xdpfw is already attached to %s (program %u); use fwctl reload %s FILE to change its rules",
		       ifname, old.prog_id, ifname);
		fw_instance_close(&old);
		err = -EEXIST;
		goto out;
	}
	if (err != -ENOENT)
		goto out;

	skel = xdpfw_bpf__open();
	if (!skel) {
		err = fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
		goto out;
	}
	err = create_maps(skel->obj);
	if (!err)
		err = fw_ruleset_write(skel, rs);
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
		if (mode == FW_MODE_AUTO && err && err != -EPERM && err != -EEXIST && err != -EBUSY) {
			const char *kmsg = fw_log_lib_find("Kernel error message: ");

			fw_info("native XDP refused on %s (%s%s%s); attaching in generic mode, which is slower",
				ifname, strerror(-err), kmsg ? ": " : "", kmsg ? kmsg : "");
			err = try_attach(prog, &link, XDP_MODE_SKB);
		}
	}
	if (err) {
		err = load_error(err, ifname, "cannot attach xdpfw");
		goto out;
	}

	/*
	 * Attached: from here on a failure leaves the firewall running. Pins
	 * already there are stale (xdpfw was not attached a moment ago): left
	 * by a namespace deleted without detach whose inode got reused, say.
	 */
	if (fw_pin_dir(ifname, false, dir, sizeof(dir)) == 0 && access(dir, F_OK) == 0) {
		fw_dbg("removing stale pins in %s", dir);
		fw_pin_dir_remove(dir);
	}
	if (fw_pin_dir(ifname, true, dir, sizeof(dir)) == 0 &&
	    pin_all(skel, xdp_program__fd(prog), dir) != 0) {
		fw_warn("xdpfw runs on %s, but its pins in %s are incomplete; fwctl finds it from the interface anyway",
			ifname, dir);
	}
	fw_dbg("attached program %u to %s", xdp_program__id(prog), ifname);
	err = 0;
out:
	xdp_program__close(prog);
	xdpfw_bpf__destroy(skel);
	close(lock);
	return err;
}

/* Point the (unloaded) object's maps at those of a running program. */
static int reuse_prog_maps(struct bpf_object *obj, int prog_fd, const char *ifname)
{
	__u32 ids[MAX_PROG_MAPS], len, found = 0, wanted = 0;
	struct bpf_prog_info info;
	struct bpf_map_info minfo;
	struct bpf_map *m;
	int fd, err;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return fw_err_r(errno, "cannot read the program on %s: %s", ifname, strerror(errno));

	for (__u32 i = 0; i < info.nr_map_ids && i < MAX_PROG_MAPS; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		err = bpf_obj_get_info_by_fd(fd, &minfo, &len);
		bpf_object__for_each_map(m, obj) {
			if (err || bpf_map__is_internal(m) ||
			    strncmp(bpf_map__name(m), minfo.name, sizeof(minfo.name)))
				continue;
			if (bpf_map__reuse_fd(m, fd) == 0)
				found++;
		}
		close(fd);
	}
	bpf_object__for_each_map(m, obj)
		wanted += !bpf_map__is_internal(m);
	if (found != wanted)
		return fw_err_r(EPROTO, "the xdpfw program on %s has %u of its %u maps; it was built from another version of xdpfw: detach and attach again",
				ifname, found, wanted);
	return 0;
}

static bool is_ours(struct xdp_program *p)
{
	return p && !strcmp(xdp_program__name(p), XDPFW_PROG_NAME);
}

int fw_instance_open(const struct fw_link *link, struct fw_instance *inst)
{
	struct xdp_program *p = NULL;
	char path[PATH_MAX + 8];
	int err;

	memset(inst, 0, sizeof(*inst));
	inst->link = *link;
	if (!fw_link_prog_id(link))
		return -ENOENT;

	inst->mp = xdp_multiprog__get_from_ifindex(link->ifindex);
	err = libxdp_get_error(inst->mp);
	if (err || !inst->mp) {
		inst->mp = NULL;
		return err == -ENOENT || !err ? -ENOENT :
		       fw_err_r(err, "cannot read the XDP programs of %s: %s", link->name, strerror(-err));
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
	if (!p) {
		err = -ENOENT;
		goto fail;
	}
	inst->prog = p;
	inst->prog_id = xdp_program__id(p);
	inst->mode = xdp_multiprog__attach_mode(inst->mp);

	inst->skel = xdpfw_bpf__open();
	if (!inst->skel) {
		err = fw_err_r(errno, "cannot open the xdpfw BPF object: %s", strerror(errno));
		goto fail;
	}
	err = reuse_prog_maps(inst->skel->obj, xdp_program__fd(p), link->name);
	if (err)
		goto fail;

	if (fw_pin_dir(link->name, false, inst->pin_dir, sizeof(inst->pin_dir)) == 0) {
		snprintf(path, sizeof(path), "%s/%s", inst->pin_dir, PROG_PIN);
		inst->pinned = access(path, F_OK) == 0;
	}
	return 0;
fail:
	fw_instance_close(inst);
	return err;
}

void fw_instance_close(struct fw_instance *inst)
{
	xdpfw_bpf__destroy(inst->skel);
	xdp_multiprog__close(inst->mp);
	inst->skel = NULL;
	inst->mp = NULL;
	inst->prog = NULL;
}

static int read_config(const struct fw_instance *inst, __u32 gen, struct xdpfw_config *cfg)
{
	if (bpf_map_lookup_elem(bpf_map__fd(inst->skel->maps.fw_config), &gen, cfg))
		return fw_err_r(errno, "cannot read the configuration on %s: %s",
				inst->link.name, strerror(errno));
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

	return active_gen(inst->skel, &gen) ?: read_config(inst, gen, cfg);
}

int fw_instance_rule(const struct fw_instance *inst, __u32 idx, struct xdpfw_rule *r)
{
	__u32 gen;

	return active_gen(inst->skel, &gen) ?: read_rule(inst, gen, idx, r);
}

bool fw_instance_changed(const struct fw_instance *inst, const struct fw_ruleset *rs)
{
	__u32 gen;

	return active_gen(inst->skel, &gen) || gen != rs->gen;
}

int fw_instance_sets(const struct fw_instance *inst, struct fw_ruleset *rs)
{
	int addr_fd = bpf_map__fd(inst->skel->maps.fw_addr_sets);
	int port_fd = bpf_map__fd(inst->skel->maps.fw_port_sets);
	struct xdpfw_set_key *keys = NULL;
	__u32 gen, n = 0, nport = 0;
	int err;

	/* The generation fw_instance_ruleset() read the rules from. */
	gen = rs->gen;
	err = addr_keys_of(addr_fd, gen, &keys, &n);
	if (err)
		return err;
	free(rs->addrs);
	rs->addrs = calloc(n ? n : 1, sizeof(*rs->addrs));
	if (!rs->addrs) {
		free(keys);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < n; i++) {
		rs->addrs[i].set = keys[i].set;
		rs->addrs[i].family = keys[i].family;
		rs->addrs[i].len = (__u8)(keys[i].prefixlen - XDPFW_SET_KEY_FIXED_BITS);
		memcpy(rs->addrs[i].addr, keys[i].addr, sizeof(keys[i].addr));
	}
	rs->naddrs = rs->addrs_cap = n;
	free(keys);
	/* Port sets: as many as the rules name. */
	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];

		if ((r->match & XDPFW_M_SPORT_SET) && r->sport_set + 1u > nport)
			nport = r->sport_set + 1u;
		if ((r->match & XDPFW_M_DPORT_SET) && r->dport_set + 1u > nport)
			nport = r->dport_set + 1u;
	}
	free(rs->port_sets);
	rs->port_sets = calloc(nport ? nport : 1, sizeof(*rs->port_sets));
	if (!rs->port_sets)
		return -ENOMEM;
	rs->nport_sets = nport;
	for (__u32 id = 0; id < nport && id < XDPFW_MAX_PORT_SETS; id++) {
		__u32 k = gen * XDPFW_MAX_PORT_SETS + id;

		if (bpf_map_lookup_elem(port_fd, &k, &rs->port_sets[id]))
			return fw_err_r(errno, "cannot read port set %u on %s: %s", id,
					inst->link.name, strerror(errno));
	}
	return 0;
}

int fw_instance_ruleset(const struct fw_instance *inst, struct fw_ruleset *rs)
{
	__u32 gen;
	int err;

	/* One generation throughout, even if a reload flips it meanwhile. */
	err = active_gen(inst->skel, &gen) ?: read_config(inst, gen, &rs->config);
	rs->gen = gen;
	for (__u32 i = 0; !err && i < rs->config.rule_count; i++)
		err = read_rule(inst, gen, i, &rs->rules[i]);
	return err;
}

int fw_instance_rule_stats_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_rule_stats);
}

int fw_instance_reason_stats_fd(const struct fw_instance *inst)
{
	return bpf_map__fd(inst->skel->maps.fw_reason_stats);
}

int fw_detach(const char *ifname)
{
	struct fw_instance inst;
	struct fw_link link;
	char dir[PATH_MAX];
	int err, lock;

	lock = open_locked(ifname, &link, &inst, &err);
	if (lock < 0)
		return lock;
	if (err == -ENOENT) {
		if (fw_pin_dir(ifname, false, dir, sizeof(dir)) || access(dir, F_OK)) {
			err = fw_uerr_r(err, "xdpfw is not attached to %s; fwctl status lists where it is",
				       ifname);
		} else {
			fw_info("xdpfw was not attached to %s; removing its stale pins in %s", ifname, dir);
			err = fw_pin_dir_remove(dir);
		}
	}
	if (err) {
		close(lock);
		return err;
	}
	if (!inst.pinned)
		fw_info("no pins for %s under %s (a fresh mount namespace?); found program %u from the interface",
			ifname, inst.pin_dir[0] ? inst.pin_dir : FW_BPFFS_DEFAULT, inst.prog_id);

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

static int zero_counter(int map_fd, __u32 slot)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xdpfw_counter *zero;
	int err = 0;

	if (ncpus < 0)
		return fw_err_r(ncpus, "cannot count CPUs: %s", strerror(-ncpus));
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(map_fd, &slot, zero, BPF_ANY))
		err = fw_err_r(errno, "cannot reset counter slot %u: %s", slot, strerror(errno));
	free(zero);
	return err;
}

/*
 * Counter slots for a new set: a name the old set had keeps its slot (the
 * first unclaimed rule of that name); every other rule gets a slot the old
 * set does not use, reset to zero. XDPFW_COUNTER_SLOTS is twice the rule
 * limit, so there always is one.
 */
static int assign_counters(const struct fw_instance *inst, const struct fw_ruleset *old,
			   struct fw_ruleset *rs)
{
	static bool used[XDPFW_COUNTER_SLOTS], claimed[XDPFW_MAX_RULES];
	__u32 next = 0, kept = 0;
	int err;

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
		err = zero_counter(fw_instance_rule_stats_fd(inst), next);
		if (err)
			return err;
	}
	fw_dbg("%u of %u rules keep their counters", kept, rs->config.rule_count);
	return 0;
}

int fw_reload(const char *ifname, struct fw_ruleset *rs)
{
	static struct fw_ruleset old;
	struct fw_instance inst;
	struct fw_link link;
	int err, lock;

	lock = open_locked(ifname, &link, &inst, &err);
	if (lock < 0)
		return lock;
	if (err) {
		if (err == -ENOENT)
			fw_uerr("xdpfw is not attached to %s; use fwctl attach %s FILE", ifname, ifname);
		close(lock);
		return err;
	}
	if (!inst.pinned)
		fw_info("no pins for %s (a fresh mount namespace?); found program %u from the interface",
			ifname, inst.prog_id);
	err = fw_instance_ruleset(&inst, &old) ?: assign_counters(&inst, &old, rs) ?:
	      fw_ruleset_write(inst.skel, rs);
	fw_instance_close(&inst);
	close(lock);
	return err;
}
