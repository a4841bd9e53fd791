/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * loader.h - xdpfw on an interface: attach, find, detach.
 *
 * The kernel is the source of truth: an instance is found from the
 * interface (netlink, libxdp's view of its dispatcher) and its maps from the
 * program (map ids), so every command works without pins, e.g. in a fresh
 * `ip netns exec`. Pins under bpffs (see bpffs.h) are a convenience.
 */
#ifndef FW_LOADER_H
#define FW_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <xdp/libxdp.h>

#include "netlink.h"
#include "ruleset.h"
#include "xdpfw.h"

struct xdpfw_bpf;

enum fw_mode {
	FW_MODE_AUTO, /* native, else generic with a note */
	FW_MODE_NATIVE,
	FW_MODE_GENERIC,
};

/* A running xdpfw found on an interface. */
struct fw_instance {
	struct fw_link link;
	struct xdpfw_bpf *skel; /* opened, never loaded: maps reuse the running ones */
	struct xdp_multiprog *mp;
	struct xdp_program *prog; /* ours; owned by mp */
	__u32 prog_id;
	enum xdp_attach_mode mode; /* XDP_MODE_NATIVE or XDP_MODE_SKB */
	bool dispatcher;           /* through libxdp's dispatcher, not alone */
	bool pinned;               /* our pins were found */
	char pin_dir[PATH_MAX];
	/* Built with other map layouts, or without a stamp: only
	 * fw_instance_open_any() opens it, without maps (skel NULL). */
	bool foreign;
	struct xdpfw_stamp stamp; /* the program's; magic 0 when it has none */
};

/*
 * Write a compiled rule set into the idle generation of the maps of a
 * skeleton whose maps exist (created or loaded), load the rule set's own
 * program (include/xdpfw.h, struct xdpfw_consts), and make it live in slot
 * 0 of fw_progs, which the skeleton's entry program (the object loaded as
 * it is) tail-calls. The one way rules reach the kernel, for fwctl and the
 * tests alike. On error the rule set live before stays live.
 */
int fw_ruleset_write(struct xdpfw_bpf *skel, const struct fw_ruleset *rs);
/* The rule set's program fw_ruleset_write() made live, as a new fd (what
 * runs attached alone), or -errno. */
int fw_ruleset_prog_fd(struct xdpfw_bpf *skel);
/* Whether rs is matched from the constants of its program (xdp/tiny.h): at
 * most XDPFW_TINY_RULES rules, none rate-limited, none naming a set. */
bool fw_ruleset_tiny(const struct fw_ruleset *rs);

/* fw_nl_link_get with the errors reported (no such interface: a user error). */
int fw_link_lookup(const char *ifname, struct fw_link *link);

int fw_attach(const char *ifname, const struct fw_ruleset *rs, enum fw_mode mode);
/* force: detach an XDPFW_PROG_NAME program whatever its stamp, and remove
 * its pins, without reading any of its maps. */
int fw_detach(const char *ifname, bool force);

/*
 * Replace the running rules of ifname atomically (see XDPFW_GENERATIONS).
 * Rules whose name was in the old set keep its counter slot, so their
 * counters carry over; other rules start at zero. rs->rules[].counter is
 * rewritten. On any error the old rules keep running, untouched.
 */
int fw_reload(const char *ifname, struct fw_ruleset *rs);

/*
 * Find xdpfw on a link: 0, -ENOENT when it is not attached there, or -errno.
 * Its layout stamp (include/xdpfw.h) is checked before any other map of it
 * is opened: a program with another stamp, or none, is refused with a
 * message that says what to do (-EPROTO, a user error).
 */
int fw_instance_open(const struct fw_link *link, struct fw_instance *inst);
/* The same, but a foreign program is opened too, for listing: then
 * inst->foreign is set and it has no maps. */
int fw_instance_open_any(const struct fw_link *link, struct fw_instance *inst);
void fw_instance_close(struct fw_instance *inst);

/* The active generation's config, or one of its rules. */
int fw_instance_config(const struct fw_instance *inst, struct xdpfw_config *cfg);
int fw_instance_rule(const struct fw_instance *inst, __u32 idx, struct xdpfw_rule *r);
/*
 * The active generation's rule set, read whole from one generation even
 * while a reload flips it, into a new rule set (*out): config and rules,
 * and with sets also the set members (what the model needs to judge set
 * matches, and show to print them). Reported; *out NULL on failure.
 */
int fw_instance_ruleset(const struct fw_instance *inst, bool sets, struct fw_ruleset **out);
/* Whether a reload flipped the generation since rs was read. */
bool fw_instance_changed(const struct fw_instance *inst, const struct fw_ruleset *rs);

/* Map fds of an instance, by role. */
int fw_instance_rule_stats_fd(const struct fw_instance *inst);
int fw_instance_reason_stats_fd(const struct fw_instance *inst);
int fw_instance_limit_stats_fd(const struct fw_instance *inst);  /* per slot, per-CPU */
int fw_instance_limit_totals_fd(const struct fw_instance *inst); /* key 0, per-CPU */
/* The per-source bucket hash: its size (0: none yet) and the entries in it
 * now (a walk of its keys). */
int fw_instance_limit_sources(const struct fw_instance *inst, __u32 *size, __u64 *present);

const char *fw_mode_name(enum xdp_attach_mode mode);

#endif /* FW_LOADER_H */
