// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_explain.c - libFuzzer target: the packet words of `fwctl explain`
 * (fw_explain_frame). The input is split into words at white space and NUL
 * bytes, as a shell would pass them; the frame they build goes through the
 * reference model against a small fixed rule set, with limits within and
 * over their budgets.
 *
 * Property beyond "no sanitizer report": a frame built from words (not
 * `hex`) is a well-formed packet, so the model never calls it malformed.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "explain.h"
#include "frame.h"
#include "fuzz.h"
#include "model.h"
#include "ruleset.h"

#define MAX_WORDS 64

/* Every kind of match, so the model's paths all run. */
static const char rules[] = "policy drop\n"
                            "set blocked = { 198.51.100.0/24, 203.0.113.7, 2001:db8:bad::/48 }\n"
                            "set web = { 80, 443, 8000-8099 }\n"
                            "drop saddr @blocked name \"blocklist\"\n"
                            "pass tcp dport 22 saddr 192.0.2.0/24\n"
                            "drop tcp flags syn,!ack limit over 50k/s\n"
                            "pass tcp dport @web\n"
                            "drop udp dport 53 limit over 1000/s burst 200 per saddr/24/64\n"
                            "pass udp sport 67-68 vlan 100\n"
                            "drop ip6 fragment\n"
                            "pass icmp type echo-request len 28-1500\n"
                            "pass icmpv6 type nd-neighbor-solicit hoplimit 255\n"
                            "drop ip ttl 0-1\n"
                            "pass daddr != 192.0.2.0/24 proto 47\n"
                            "pass ip6 udp daddr 2001:db8::/32 dport != 1-1023\n";

static const struct fw_ruleset *ruleset(void)
{
	static struct fw_ruleset *rs;
	struct fw_diag d;

	if (!rs) {
		fw_diag_init(&d, "fuzz_explain", stderr);
		FUZZ_CHECK(!fw_ruleset_load_mem("fuzz_explain", rules, strlen(rules), &rs, &d),
		           "the fixed rule set does not compile");
	}
	return rs;
}

static int split(char *s, size_t len, char **words)
{
	int n = 0;

	for (size_t i = 0; i < len && n < MAX_WORDS;) {
		while (i < len && (!s[i] || isspace((unsigned char)s[i])))
			s[i++] = '\0';
		if (i == len)
			break;
		words[n++] = s + i;
		while (i < len && s[i] && !isspace((unsigned char)s[i]))
			i++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fw_ruleset *rs = ruleset();
	struct fw_model_result res;
	char *words[MAX_WORDS], *buf;
	struct pkt frame;
	int n;

	buf = malloc(size + 1);
	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = split(buf, size, words);
	if (fw_explain_frame(words, n, &frame) == 0) {
		bool hex = !strcmp(words[0], "hex");

		FUZZ_CHECK(frame.len >= 14 && frame.len <= PKT_MAX, "a frame of %zu bytes",
		           frame.len);
		fw_model_verdict(rs, frame.data, frame.len, &res);
		FUZZ_CHECK(hex || !xdpfw_reason_is_malformed(res.reason),
		           "the words built a frame the model calls %s",
		           fw_reason_name(res.reason));
		fw_model_verdict_limits(rs, frame.data, frame.len, fw_model_all_over, NULL, &res);
		FUZZ_CHECK(res.rule < (int)rs->config.rule_count, "rule %d of %u", res.rule,
		           rs->config.rule_count);
	}
	free(buf);
	return 0;
}
