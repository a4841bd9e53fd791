// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* stats.c - see stats.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "log.h"
#include "print.h"
#include "ruleset.h"
#include "stats.h"

/*
 * The per-CPU values of key in map_fd (values of sz bytes, a multiple of 8
 * as the kernel lays them out): a malloc'ed array of *ncpus of them.
 */
static int percpu_read(int map_fd, __u32 key, size_t sz, const char *what, void **vals, int *ncpus)
{
	int n = libbpf_num_possible_cpus(), err;
	void *v;

	if (n < 0)
		return fw_err_r(n, "cannot count CPUs: %s", strerror(-n));
	v = calloc(n, sz);
	if (!v)
		return fw_err_r(ENOMEM, "out of memory reading %s %u", what, key);
	if (bpf_map_lookup_elem(map_fd, &key, v)) {
		err = -errno;
		free(v);
		return fw_err_r(err, "cannot read %s %u: %s", what, key, strerror(-err));
	}
	*vals = v;
	*ncpus = n;
	return 0;
}

int fw_counter_sum(int map_fd, __u32 key, struct xdpfw_counter *sum)
{
	struct xdpfw_counter *v;
	int ncpus, err;

	memset(sum, 0, sizeof(*sum));
	err = percpu_read(map_fd, key, sizeof(*v), "counter", (void **)&v, &ncpus);
	if (err)
		return err;
	for (int i = 0; i < ncpus; i++) {
		sum->packets += v[i].packets;
		sum->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

typedef int (*instance_fn)(struct fw_instance *inst, struct fw_print *p);

static void note_pins(const struct fw_instance *inst)
{
	if (!inst->pinned)
		fw_info("no pins for %s (a fresh mount namespace?); found program %u from the "
		        "interface",
		        inst->link.name, inst->prog_id);
}

/*
 * Run fn on the instance of ifname, or on every instance in this netns.
 * any_stamp: foreign instances too (fw_instance_open_any), else they are
 * refused.
 */
static int for_instances(const char *ifname, struct fw_print *p, instance_fn fn, bool any_stamp,
                         int *found)
{
	int (*open_fn)(const struct fw_link *, struct fw_instance *) =
	    any_stamp ? fw_instance_open_any : fw_instance_open;
	struct fw_instance inst;
	struct fw_link *links = NULL, one;
	size_t n = 0;
	int err;

	*found = 0;
	if (ifname) {
		err = fw_link_lookup(ifname, &one);
		if (err)
			return err;
		err = open_fn(&one, &inst);
		if (err == -ENOENT)
			return fw_uerr_r(
			    err, "xdpfw is not attached to %s; fwctl status lists where it is",
			    ifname);
		if (err)
			return err;
		note_pins(&inst);
		err = fn(&inst, p);
		fw_instance_close(&inst);
		*found = 1;
		return err;
	}

	err = fw_nl_link_list(&links, &n);
	if (err)
		return fw_err_r(err, "cannot list interfaces: %s", strerror(-err));
	for (size_t i = 0; i < n && !err; i++) {
		if (!fw_link_prog_id(&links[i]))
			continue;
		err = open_fn(&links[i], &inst);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err)
			break;
		note_pins(&inst);
		err = fn(&inst, p);
		fw_instance_close(&inst);
		(*found)++;
	}
	free(links);
	return err;
}

/*
 * A row of status. A foreign instance (built with other map layouts) is
 * listed from what the kernel says of the program, without its maps: no
 * rules, policy or digest, "foreign" in their place, and a note of what to
 * do; status still succeeds.
 */
static int status_one(struct fw_instance *inst, struct fw_print *p)
{
	struct xdpfw_config cfg;
	char digest[17];
	int err = inst->foreign ? 0 : fw_instance_config(inst, &cfg);

	if (err)
		return err;
	if (inst->foreign)
		fw_warn("xdpfw on %s (program %u) was built with other map layouts; detach it with "
		        "the fwctl that attached it, or with fwctl detach %s --force",
		        inst->link.name, inst->prog_id, inst->link.name);
	fw_print_obj_begin(p, NULL);
	fw_print_str(p, "interface", "%-16s", inst->link.name);
	fw_print_u64(p, "ifindex", " %7" PRIu64, inst->link.ifindex);
	fw_print_str(p, "mode", " %-8s", fw_mode_name(inst->mode));
	fw_print_u64(p, "program_id", " %7" PRIu64, inst->prog_id);
	fw_print_str(p, "attach", " %-10s", inst->dispatcher ? "dispatcher" : "alone");
	fw_print_bool(p, "foreign", NULL, inst->foreign);
	if (inst->foreign) {
		fw_print_text(p, " %5s %-6s %-16s", "-", "-", "foreign");
	} else {
		snprintf(digest, sizeof(digest), "%016" PRIx64, (uint64_t)cfg.digest);
		fw_print_u64(p, "rules", " %5" PRIu64, cfg.rule_count);
		fw_print_str(p, "policy", " %-6s", fw_action_name(cfg.policy));
		fw_print_str(p, "digest", " %s", digest);
	}
	fw_print_bool(p, "pinned", " %s", inst->pinned);
	fw_print_str(p, "pin_dir", NULL, inst->pin_dir);
	fw_print_text(p, "\n");
	fw_print_obj_end(p);
	return 0;
}

#define STATUS_ROW "%-16s %7s %-8s %7s %-10s %5s %-6s %-16s %s\n"

static void status_header(struct fw_print *p)
{
	fw_print_text(p, STATUS_ROW, "INTERFACE", "IFINDEX", "MODE", "PROGRAM", "ATTACH", "RULES",
	              "POLICY", "DIGEST", "PINNED");
}

/* The document both commands print: {"interfaces": [ one object each ]}. */
static int print_instances(const char *ifname, bool json, void (*header)(struct fw_print *),
                           instance_fn fn, bool any_stamp)
{
	struct fw_print p;
	int found, err;

	fw_print_init(&p, stdout, json);
	fw_print_obj_begin(&p, NULL);
	if (header)
		header(&p);
	fw_print_arr_begin(&p, "interfaces");
	err = for_instances(ifname, &p, fn, any_stamp, &found);
	fw_print_arr_end(&p);
	fw_print_obj_end(&p);
	if (!err && !found)
		fw_print_text(
		    &p, "(xdpfw is not attached to any interface in this network namespace)\n");
	fw_print_finish(&p);
	return err;
}

int fw_status(const char *ifname, bool json)
{
	return print_instances(ifname, json, status_header, status_one, true);
}

static void print_counter(struct fw_print *p, const char *key, const struct xdpfw_counter *c)
{
	fw_print_obj_begin(p, key);
	fw_print_u64(p, "packets", " %14" PRIu64, c->packets);
	fw_print_u64(p, "bytes", " %16" PRIu64, c->bytes);
	fw_print_obj_end(p);
}

static void add(struct xdpfw_counter *to, const struct xdpfw_counter *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
}

static __u8 reason_action(const struct xdpfw_config *cfg, __u32 reason)
{
	return reason == XDPFW_REASON_POLICY  ? cfg->policy
	       : reason == XDPFW_REASON_NONIP ? cfg->nonip
	                                      : cfg->malformed;
}

/* One slot of the per-CPU limit counters, summed. */
static int limit_counter_sum(int map_fd, __u32 key, struct xdpfw_limit_counter *sum)
{
	struct xdpfw_limit_counter *v;
	int ncpus, err;

	memset(sum, 0, sizeof(*sum));
	err = percpu_read(map_fd, key, sizeof(*v), "limit counter", (void **)&v, &ncpus);
	if (err)
		return err;
	for (int i = 0; i < ncpus; i++) {
		sum->within += v[i].within;
		sum->over += v[i].over;
		sum->nostate += v[i].nostate;
	}
	free(v);
	return 0;
}

/* The per-source bucket hash: size, entries, inserts; evictions are the
 * inserts that are no longer there (the program counts inserts per CPU,
 * never a shared counter). */
struct limit_sources {
	__u32 size;
	__u64 present, inserted, evicted;
};

static int limit_sources_read(struct fw_instance *inst, struct limit_sources *ls)
{
	struct xdpfw_limit_totals *v;
	int ncpus, err;

	memset(ls, 0, sizeof(*ls));
	/* Inserts first: an insert between the two reads then shows as an
	 * entry too, never as an eviction that did not happen. */
	err = percpu_read(fw_instance_limit_totals_fd(inst), 0, sizeof(*v),
	                  "per-source insert count", (void **)&v, &ncpus);
	if (err)
		return err;
	for (int i = 0; i < ncpus; i++)
		ls->inserted += v[i].inserted;
	free(v);
	err = fw_instance_limit_sources(inst, &ls->size, &ls->present);
	if (!err && ls->inserted > ls->present)
		ls->evicted = ls->inserted - ls->present;
	return err;
}

/* Everything stats prints of one instance, read before anything is
 * printed: a failure must not leave half a document. */
struct snapshot {
	struct fw_ruleset *rs;
	struct xdpfw_counter *rule_c;        /* per rule */
	struct xdpfw_limit_counter *limit_c; /* per rule */
	struct limit_sources ls;
	struct xdpfw_counter reason_c[XDPFW_REASON_MAX];
	struct xdpfw_counter verdict[XDPFW_ACT_MAX];
};

static void snapshot_free(struct snapshot *s)
{
	fw_ruleset_free(s->rs);
	free(s->rule_c);
	free(s->limit_c);
}

static int snapshot_read(struct fw_instance *inst, struct snapshot *s)
{
	const struct xdpfw_config *cfg;
	int err;

	memset(s, 0, sizeof(*s));
	err = fw_instance_ruleset(inst, false, &s->rs);
	if (err)
		return err;
	cfg = &s->rs->config;
	s->rule_c = calloc(cfg->rule_count + 1, sizeof(*s->rule_c));
	s->limit_c = calloc(cfg->rule_count + 1, sizeof(*s->limit_c));
	if (!s->rule_c || !s->limit_c)
		return fw_err_r(ENOMEM, "out of memory reading the counters of %s",
		                inst->link.name);
	for (__u32 i = 0; !err && i < cfg->rule_count; i++) {
		const struct xdpfw_rule *r = &s->rs->rules[i];

		/* Counters live in the rule's slot, which a reload may keep. */
		err = fw_counter_sum(fw_instance_rule_stats_fd(inst), r->counter, &s->rule_c[i]);
		if (!err && r->action < XDPFW_ACT_MAX)
			add(&s->verdict[r->action], &s->rule_c[i]);
		if (!err && (r->flags & XDPFW_RULE_LIMIT))
			err = limit_counter_sum(fw_instance_limit_stats_fd(inst), r->counter,
			                        &s->limit_c[i]);
	}
	if (!err && cfg->limit.rules)
		err = limit_sources_read(inst, &s->ls);
	for (__u32 reason = 0; !err && reason < XDPFW_REASON_MAX; reason++) {
		__u8 act = reason_action(cfg, reason);

		err =
		    fw_counter_sum(fw_instance_reason_stats_fd(inst), reason, &s->reason_c[reason]);
		if (!err && reason != XDPFW_REASON_RULE && act < XDPFW_ACT_MAX)
			add(&s->verdict[act], &s->reason_c[reason]);
	}
	return err;
}

static void stats_print(const struct fw_instance *inst, const struct snapshot *s,
                        struct fw_print *p)
{
	const struct fw_ruleset *rs = s->rs;
	const struct xdpfw_config *cfg = &rs->config;
	const struct xdpfw_counter *rule_c = s->rule_c, *reason_c = s->reason_c;
	const struct xdpfw_counter *verdict = s->verdict;
	const struct xdpfw_limit_counter *limit_c = s->limit_c;
	const struct limit_sources ls = s->ls;

	fw_print_obj_begin(p, NULL);
	fw_print_str(p, "interface", "%s:", inst->link.name);
	fw_print_u64(p, "program_id", " program %" PRIu64, inst->prog_id);
	fw_print_str(p, "mode", ", %s", fw_mode_name(inst->mode));
	fw_print_u64(p, "rule_count", ", %" PRIu64 " rules", cfg->rule_count);
	fw_print_str(p, "policy", ", policy %s\n", fw_action_name(cfg->policy));

	fw_print_text(p, "  %5s %5s %14s %16s  %s\n", "#", "LINE", "PACKETS", "BYTES", "RULE");
	fw_print_arr_begin(p, "rules");
	for (__u32 i = 0; i < cfg->rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];

		char *text = fw_rule_text(rs, r);

		fw_print_obj_begin(p, NULL);
		fw_print_u64(p, "index", "  %5" PRIu64, i);
		fw_print_u64(p, "line", " %5" PRIu64, r->line);
		fw_print_str(p, "action", NULL, fw_action_name(r->action)); /* text: in the rule */
		fw_print_str(p, "name", NULL, r->name);
		fw_print_u64(p, "packets", " %14" PRIu64, rule_c[i].packets);
		fw_print_u64(p, "bytes", " %16" PRIu64, rule_c[i].bytes);
		fw_print_str(p, "rule", "  %s\n", text ? text : "?");
		if (r->flags & XDPFW_RULE_LIMIT) {
			/* Within: passed on to the next rules; over: matched. */
			fw_print_obj_begin(p, "limit");
			fw_print_text(p, "  %11s", "");
			fw_print_u64(p, "within", " limit: within %" PRIu64, limit_c[i].within);
			fw_print_u64(p, "over", ", over %" PRIu64, limit_c[i].over);
			fw_print_u64(p, "nostate", ", no bucket %" PRIu64 "\n", limit_c[i].nostate);
			fw_print_obj_end(p);
		}
		fw_print_obj_end(p);
		free(text);
	}
	fw_print_arr_end(p);

	if (cfg->limit.rules) {
		fw_print_obj_begin(p, "limit_sources");
		fw_print_u64(p, "size", "  per-source buckets: %" PRIu64 " entries", ls.size);
		fw_print_u64(p, "present", ", %" PRIu64 " in use", ls.present);
		fw_print_u64(p, "inserted", ", %" PRIu64 " inserted", ls.inserted);
		fw_print_u64(p, "evicted", ", %" PRIu64 " evicted\n", ls.evicted);
		fw_print_obj_end(p);
	}

	fw_print_text(p, "  %-20s %-6s %14s %16s\n", "REASON", "ACTION", "PACKETS", "BYTES");
	fw_print_obj_begin(p, "reasons");
	for (__u32 reason = 0; reason < XDPFW_REASON_MAX; reason++) {
		fw_print_text(
		    p, "  %-20s %-6s", fw_reason_name(reason),
		    reason == XDPFW_REASON_RULE ? "-" : fw_action_name(reason_action(cfg, reason)));
		print_counter(p, fw_reason_name(reason), &reason_c[reason]);
		fw_print_text(p, "\n");
	}
	fw_print_obj_end(p);

	fw_print_text(p, "  %-27s", "passed");
	print_counter(p, "passed", &verdict[XDPFW_ACT_PASS]);
	fw_print_text(p, "\n  %-27s", "dropped");
	print_counter(p, "dropped", &verdict[XDPFW_ACT_DROP]);
	fw_print_text(p, "\n");
	fw_print_obj_end(p);
}

static int stats_one(struct fw_instance *inst, struct fw_print *p)
{
	struct snapshot s;
	int err = snapshot_read(inst, &s);

	if (!err)
		stats_print(inst, &s, p);
	snapshot_free(&s);
	return err;
}

int fw_stats(const char *ifname, bool json)
{
	return print_instances(ifname, json, NULL, stats_one, false);
}
