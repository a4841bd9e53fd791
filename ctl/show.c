// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* show.c - see show.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "log.h"
#include "print.h"
#include "show.h"
#include "stats.h"

/* Counter comments line up after rules up to this wide; a longer rule
 * pushes only its own comment, not every other one. */
#define SHOW_ALIGN_MAX 56

/* Set ids the rules refer to, per kind: addr[naddr_sets], port[nport_sets]. */
static void used_sets(const struct fw_ruleset *rs, bool *addr, bool *port)
{
	for (__u32 i = 0; i < rs->config.rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];

		if ((r->match & XDPFW_M_SADDR_SET) && r->saddr_set < rs->naddr_sets)
			addr[r->saddr_set] = true;
		if ((r->match & XDPFW_M_DADDR_SET) && r->daddr_set < rs->naddr_sets)
			addr[r->daddr_set] = true;
		if ((r->match & XDPFW_M_SPORT_SET) && r->sport_set < rs->nport_sets)
			port[r->sport_set] = true;
		if ((r->match & XDPFW_M_DPORT_SET) && r->dport_set < rs->nport_sets)
			port[r->dport_set] = true;
	}
}

/* One set statement: its members one a line (addresses) or on one line
 * (port ranges). */
static void print_set(struct fw_print *p, const struct fw_ruleset *rs, enum fw_set_kind kind,
                      unsigned int id, const char *name)
{
	const char *sep = kind == FW_SET_ADDR ? "" : " ";
	char text[64];
	__u32 n;

	fw_print_obj_begin(p, NULL);
	fw_print_str(p, "name", "set %s = {", name);
	fw_print_str(p, "kind", NULL, kind == FW_SET_ADDR ? "address" : "port");
	fw_print_arr_begin(p, "members");
	if (kind == FW_SET_ADDR) {
		const struct xdpfw_set_entry *e = fw_ruleset_addr_set(rs, id, &n);

		for (__u32 i = 0; i < n; i++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(e[i].family == XDPFW_FAMILY_IPV6 ? AF_INET6 : AF_INET, e[i].addr,
			          a, sizeof(a));
			snprintf(text, sizeof(text), "%s/%u", a, e[i].len);
			fw_print_text(p, "%s\n\t", sep);
			fw_print_str(p, NULL, "%s", text);
			sep = ",";
		}
	} else {
		const struct xdpfw_port_entry *e = fw_ruleset_port_set(rs, id, &n);

		for (__u32 i = 0; i < n; i++) {
			if (e[i].lo == e[i].hi)
				snprintf(text, sizeof(text), "%u", e[i].lo);
			else
				snprintf(text, sizeof(text), "%u-%u", e[i].lo, e[i].hi);
			fw_print_text(p, "%s", sep);
			fw_print_str(p, NULL, "%s", text);
			sep = ", ";
		}
	}
	fw_print_arr_end(p);
	fw_print_text(p, kind == FW_SET_ADDR ? "\n}\n" : " }\n");
	fw_print_obj_end(p);
}

/*
 * The sets the rules use (addr[id], port[id]: used_sets()), as set
 * statements named as the rules print them (@aN/@pN: names are not kept in
 * the kernel), one member a line so that a list of a million prefixes still
 * makes a rule file.
 */
static void print_sets(struct fw_print *p, const struct fw_ruleset *rs, const bool *addr,
                       const bool *port)
{
	char name[XDPFW_NAME_MAX];

	fw_print_arr_begin(p, "sets");
	for (unsigned int id = 0; id < rs->naddr_sets; id++)
		if (addr[id] && fw_set_label(rs, FW_SET_ADDR, id, name, sizeof(name)))
			print_set(p, rs, FW_SET_ADDR, id, name);
	for (unsigned int id = 0; id < rs->nport_sets; id++)
		if (port[id] && fw_set_label(rs, FW_SET_PORT, id, name, sizeof(name)))
			print_set(p, rs, FW_SET_PORT, id, name);
	fw_print_arr_end(p);
}

/* The header comment and every setting: the start of a rule file. */
static void print_head(struct fw_print *p, const struct fw_show_head *head,
                       const struct xdpfw_config *cfg, bool has_limit)
{
	__u32 n = cfg->rule_count;
	char digest[17];

	snprintf(digest, sizeof(digest), "%016" PRIx64, (uint64_t)cfg->digest);
	/* The header is a comment, so the text stays a rule file. */
	fw_print_str(p, "interface", "# xdpfw on %s", head->ifname);
	fw_print_u64(p, "ifindex", " (ifindex %" PRIu64 ")", head->ifindex);
	fw_print_u64(p, "program_id", ": program %" PRIu64, head->prog_id);
	fw_print_str(p, "mode", ", %s mode", head->mode);
	fw_print_u64(p, "rule_count", n == 1 ? ", %" PRIu64 " rule" : ", %" PRIu64 " rules", n);
	fw_print_str(p, "digest", ", digest %s\n", digest);
	fw_print_text(p, "# printed back by fwctl show; counters are comments after each rule\n");
	/* Every setting, defaults too: the reader should not need to know
	 * them, and the text must mean the same under other defaults. */
	fw_print_str(p, "policy", "policy %s\n", fw_action_name(cfg->policy));
	fw_print_str(p, "nonip", "nonip %s\n", fw_action_name(cfg->nonip));
	fw_print_str(p, "malformed", "malformed %s\n", fw_action_name(cfg->malformed));
	/* The limit settings only where they mean something: a rule has a
	 * limit, or they are not the defaults. */
	if (has_limit || cfg->limit.sources != XDPFW_LIMIT_SOURCES_DEFAULT ||
	    cfg->limit.full != XDPFW_LIMIT_FULL_OVER) {
		fw_print_u64(p, "limit_sources", "limit-sources %" PRIu64 "\n", cfg->limit.sources);
		fw_print_str(p, "limit_full", "limit-full %s\n",
		             cfg->limit.full == XDPFW_LIMIT_FULL_WITHIN ? "within" : "over");
	}
}

int fw_show_print(FILE *f, bool json, const struct fw_show_head *head, const struct fw_ruleset *rs,
                  const struct xdpfw_counter *counters)
{
	const struct xdpfw_config *cfg = &rs->config;
	bool *addr = calloc(rs->naddr_sets + 1, sizeof(*addr));
	bool *port = calloc(rs->nport_sets + 1, sizeof(*port));
	__u32 n = cfg->rule_count;
	struct fw_print p;
	bool has_limit = false;
	int width = 0;

	/* Everything that can fail before the first byte is printed. */
	if (!addr || !port) {
		free(addr);
		free(port);
		return -ENOMEM;
	}
	used_sets(rs, addr, port);

	for (__u32 i = 0; i < n; i++) {
		int len = fw_rule_format_rs(rs, &rs->rules[i], NULL, 0);

		if (rs->rules[i].flags & XDPFW_RULE_LIMIT)
			has_limit = true;
		if (len > width && len <= SHOW_ALIGN_MAX)
			width = len;
	}
	fw_print_init(&p, f, json);
	fw_print_obj_begin(&p, NULL);
	print_head(&p, head, cfg, has_limit);
	if (n)
		fw_print_text(&p, "\n");
	print_sets(&p, rs, addr, port);

	fw_print_arr_begin(&p, "rules");
	for (__u32 i = 0; i < n; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];
		char *text = fw_rule_text(rs, r);
		int len = text ? (int)strlen(text) : 0;

		fw_print_obj_begin(&p, NULL);
		fw_print_u64(&p, "index", NULL, i);
		fw_print_u64(&p, "line", NULL, r->line);
		fw_print_str(&p, "text", "%s", text ? text : "?");
		fw_print_str(&p, "name", NULL, r->name);
		fw_print_str(&p, "action", NULL, fw_action_name(r->action));
		if (counters) {
			fw_print_text(&p, "%*s", len < width ? width - len : 0, "");
			fw_print_u64(&p, "packets",
			             counters[i].packets == 1 ? "   # %" PRIu64 " packet"
			                                      : "   # %" PRIu64 " packets",
			             counters[i].packets);
			fw_print_u64(&p, "bytes", ", %" PRIu64 " bytes", counters[i].bytes);
		}
		fw_print_text(&p, "\n");
		fw_print_obj_end(&p);
		free(text);
	}
	fw_print_arr_end(&p);
	fw_print_obj_end(&p);
	fw_print_finish(&p);
	free(addr);
	free(port);
	return 0;
}

int fw_show(const char *ifname, bool json)
{
	struct xdpfw_counter *counters = NULL;
	struct fw_ruleset *rs = NULL;
	struct fw_show_head head;
	struct fw_instance inst;
	struct fw_link link;
	int err;

	err = fw_link_lookup(ifname, &link);
	if (err)
		return err;
	err = fw_instance_open(&link, &inst);
	if (err == -ENOENT)
		return fw_uerr_r(err, "xdpfw is not attached to %s; fwctl status lists where it is",
		                 ifname);
	if (err)
		return err;

	/* Read everything first: a failure must not leave half a rule file. */
	err = fw_instance_ruleset(&inst, true, &rs);
	if (!err) {
		counters = calloc(rs->config.rule_count + 1, sizeof(*counters));
		if (!counters)
			err = fw_err_r(ENOMEM, "out of memory reading the counters of %s", ifname);
	}
	for (__u32 i = 0; !err && i < rs->config.rule_count; i++)
		/* Counters live in the rule's slot, which a reload may keep. */
		err = fw_counter_sum(fw_instance_rule_stats_fd(&inst), rs->rules[i].counter,
		                     &counters[i]);
	if (!err) {
		head = (struct fw_show_head){
		    .ifname = inst.link.name,
		    .ifindex = (unsigned int)inst.link.ifindex,
		    .prog_id = inst.prog_id,
		    .mode = fw_mode_name(inst.mode),
		};
		err = fw_show_print(stdout, json, &head, rs, counters);
		if (err)
			err = fw_err_r(err, "out of memory printing the rules of %s", ifname);
	}
	free(counters);
	fw_ruleset_free(rs);
	fw_instance_close(&inst);
	return err;
}
