// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* show.c - see show.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "loader.h"
#include "log.h"
#include "print.h"
#include "show.h"
#include "stats.h"

/* Counter comments line up after rules up to this wide; a longer rule
 * pushes only its own comment, not every other one. */
#define SHOW_ALIGN_MAX 56

void fw_show_print(FILE *f, bool json, const struct fw_show_head *head,
		   const struct fw_ruleset *rs, const struct xdpfw_counter *counters)
{
	const struct xdpfw_config *cfg = &rs->config;
	__u32 n = cfg->rule_count < XDPFW_MAX_RULES ? cfg->rule_count : XDPFW_MAX_RULES;
	char text[512], digest[17];
	struct fw_print p;
	int width = 0;

	for (__u32 i = 0; i < n; i++) {
		int len = fw_rule_format(&rs->rules[i], NULL, 0);

		if (len > width && len <= SHOW_ALIGN_MAX)
			width = len;
	}
	snprintf(digest, sizeof(digest), "%016" PRIx64, (uint64_t)cfg->digest);

	fw_print_init(&p, f, json);
	fw_print_obj_begin(&p, NULL);
	/* The header is a comment, so the text stays a rule file. */
	fw_print_str(&p, "interface", "# xdpfw on %s", head->ifname);
	fw_print_u64(&p, "ifindex", " (ifindex %" PRIu64 ")", head->ifindex);
	fw_print_u64(&p, "program_id", ": program %" PRIu64, head->prog_id);
	fw_print_str(&p, "mode", ", %s mode", head->mode);
	fw_print_u64(&p, "rule_count", n == 1 ? ", %" PRIu64 " rule" : ", %" PRIu64 " rules", n);
	fw_print_str(&p, "digest", ", digest %s\n", digest);
	fw_print_text(&p, "# printed back by fwctl show; counters are comments after each rule\n");
	/* Every setting, defaults too: the reader should not need to know
	 * them, and the text must mean the same under other defaults. */
	fw_print_str(&p, "policy", "policy %s\n", fw_action_name(cfg->policy));
	fw_print_str(&p, "nonip", "nonip %s\n", fw_action_name(cfg->nonip));
	fw_print_str(&p, "malformed", "malformed %s\n", fw_action_name(cfg->malformed));
	if (n)
		fw_print_text(&p, "\n");

	fw_print_arr_begin(&p, "rules");
	for (__u32 i = 0; i < n; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];
		int len = fw_rule_format(r, text, sizeof(text));

		fw_print_obj_begin(&p, NULL);
		fw_print_u64(&p, "index", NULL, i);
		fw_print_u64(&p, "line", NULL, r->line);
		fw_print_str(&p, "text", "%s", text);
		fw_print_str(&p, "name", NULL, r->name);
		fw_print_str(&p, "action", NULL, fw_action_name(r->action));
		if (counters) {
			fw_print_text(&p, "%*s", len < width ? width - len : 0, "");
			fw_print_u64(&p, "packets",
				     counters[i].packets == 1 ? "   # %" PRIu64 " packet" :
								"   # %" PRIu64 " packets",
				     counters[i].packets);
			fw_print_u64(&p, "bytes", ", %" PRIu64 " bytes", counters[i].bytes);
		}
		fw_print_text(&p, "\n");
		fw_print_obj_end(&p);
	}
	fw_print_arr_end(&p);
	fw_print_obj_end(&p);
	fw_print_finish(&p);
}

int fw_show(const char *ifname, bool json)
{
	static struct fw_ruleset rs;
	static struct xdpfw_counter counters[XDPFW_MAX_RULES];
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
	err = fw_instance_ruleset(&inst, &rs);
	for (__u32 i = 0; !err && i < rs.config.rule_count && i < XDPFW_MAX_RULES; i++)
		/* Counters live in the rule's slot, which a reload may keep. */
		err = fw_counter_sum(fw_instance_rule_stats_fd(&inst), rs.rules[i].counter,
				     &counters[i]);
	if (!err) {
		head = (struct fw_show_head){
			.ifname = inst.link.name,
			.ifindex = (unsigned int)inst.link.ifindex,
			.prog_id = inst.prog_id,
			.mode = fw_mode_name(inst.mode),
		};
		fw_show_print(stdout, json, &head, &rs, counters);
	}
	fw_instance_close(&inst);
	return err;
}
