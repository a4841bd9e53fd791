// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_rules.c - libFuzzer target: a rule file of arbitrary bytes through
 * everything `fwctl check` runs (lexer, parser, compiler, classifier build,
 * lints), then printed back as `fwctl show` prints it and compiled again.
 *
 * Properties beyond "no sanitizer report":
 *   - every rule prints (fw_rule_text), and a cut-short fw_rule_format()
 *     returns the whole length and a NUL-terminated prefix, as snprintf;
 *   - the printed-back rule set compiles without errors to the same rules,
 *     settings and set members (show.h promises it: only the line numbers
 *     may differ).
 *
 * The rule file is named as if it lay in tests/fuzz/files/, so the examples'
 * `file "lists/drop.txt"` reads a small stand-in there; any path outside that
 * directory is refused (see open64 below).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include "fuzz.h"
#include "lint.h"
#include "ruleset.h"
#include "show.h"

#ifndef FUZZ_RULES_DIR
#error "FUZZ_RULES_DIR: where the fuzzed rule file lies (tests/fuzz/files)"
#endif

#define RULE_FILE FUZZ_RULES_DIR "/fuzz.rules"

/*
 * Set files are the one thing the compiler opens. Linked with
 * -Wl,--wrap=open64, so a mutated `file "..."` reads regular files under
 * FUZZ_RULES_DIR only: never a device, FIFO or /proc file that would hang
 * the run or make it depend on the machine.
 */
int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);

int __wrap_open64(const char *path, int flags, ...)
{
	static const char dir[] = FUZZ_RULES_DIR "/";
	struct stat st;

	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT) ||
	    strncmp(path, dir, sizeof(dir) - 1) || strstr(path, "..") || stat(path, &st) ||
	    !S_ISREG(st.st_mode)) {
		errno = ENOENT;
		return -1;
	}
	return __real_open64(path, flags);
}

/* The members of address set id, sorted: ids and order may differ between
 * the original and the printed-back rule set, the members may not. */
static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xdpfw_set_entry));
}

static struct xdpfw_set_entry *addr_members(const struct fw_ruleset *rs, __u16 id, size_t *n)
{
	struct xdpfw_set_entry *v = malloc((rs->naddrs ? rs->naddrs : 1) * sizeof(*v));
	const struct xdpfw_set_entry *e;
	__u32 k;

	FUZZ_CHECK(v, "out of memory");
	e = fw_ruleset_addr_set(rs, id, &k);
	for (*n = 0; *n < k; (*n)++) {
		v[*n] = e[*n];
		v[*n].set = 0;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), entry_cmp);
	return v;
}

static void same_addr_set(const struct fw_ruleset *a, __u16 ia, const struct fw_ruleset *b,
                          __u16 ib, unsigned int rule)
{
	size_t na, nb;
	struct xdpfw_set_entry *va = addr_members(a, ia, &na), *vb = addr_members(b, ib, &nb);

	FUZZ_CHECK(na == nb, "rule %u: address set of %zu members printed back with %zu", rule, na,
	           nb);
	FUZZ_CHECK(!na || !memcmp(va, vb, na * sizeof(*va)),
	           "rule %u: address set members differ when printed back", rule);
	free(va);
	free(vb);
}

static void same_port_set(const struct fw_ruleset *a, __u16 ia, const struct fw_ruleset *b,
                          __u16 ib, unsigned int rule)
{
	const struct xdpfw_port_entry *ea, *eb;
	__u32 na, nb;

	FUZZ_CHECK(ia < a->nport_sets && ib < b->nport_sets, "rule %u: port set id out of range",
	           rule);
	ea = fw_ruleset_port_set(a, ia, &na);
	eb = fw_ruleset_port_set(b, ib, &nb);
	FUZZ_CHECK(na == nb, "rule %u: port set of %u ranges printed back with %u", rule, na, nb);
	for (__u32 i = 0; i < na; i++)
		FUZZ_CHECK(ea[i].lo == eb[i].lo && ea[i].hi == eb[i].hi,
		           "rule %u: port set members differ when printed back", rule);
}

/* The compiled rules, but for their line, counter slot and set ids. */
static void same_rules(const struct fw_ruleset *a, const struct fw_ruleset *b)
{
	FUZZ_CHECK(a->config.rule_count == b->config.rule_count, "%u rules printed back as %u",
	           a->config.rule_count, b->config.rule_count);
	FUZZ_CHECK(a->config.policy == b->config.policy && a->config.nonip == b->config.nonip &&
	               a->config.malformed == b->config.malformed,
	           "settings differ when printed back");
	FUZZ_CHECK(!memcmp(&a->config.limit, &b->config.limit, sizeof(a->config.limit)),
	           "limit settings differ when printed back");
	for (unsigned int i = 0; i < a->config.rule_count; i++) {
		struct xdpfw_rule x = a->rules[i], y = b->rules[i];

		if (x.match & XDPFW_M_SADDR_SET)
			same_addr_set(a, x.saddr_set, b, y.saddr_set, i);
		if (x.match & XDPFW_M_DADDR_SET)
			same_addr_set(a, x.daddr_set, b, y.daddr_set, i);
		if (x.match & XDPFW_M_SPORT_SET)
			same_port_set(a, x.sport_set, b, y.sport_set, i);
		if (x.match & XDPFW_M_DPORT_SET)
			same_port_set(a, x.dport_set, b, y.dport_set, i);
		x.line = y.line = 0;
		x.counter = y.counter = 0;
		x.saddr_set = y.saddr_set = x.daddr_set = y.daddr_set = 0;
		x.sport_set = y.sport_set = x.dport_set = y.dport_set = 0;
		FUZZ_CHECK(!memcmp(&x, &y, sizeof(x)),
		           "rule %u (line %u) differs when printed back", i, a->rules[i].line);
	}
}

/* Every rule prints, and a cut-short buffer behaves as snprintf's. */
static void format_rules(const struct fw_ruleset *rs)
{
	for (unsigned int i = 0; i < rs->config.rule_count; i++) {
		const struct xdpfw_rule *r = &rs->rules[i];
		char *text = fw_rule_text(rs, r), cut[8];
		int len;

		FUZZ_CHECK(text, "out of memory");
		len = fw_rule_format_rs(rs, r, cut, sizeof(cut));
		FUZZ_CHECK(len == (int)strlen(text), "rule %u: length %d, text of %zu bytes", i,
		           len, strlen(text));
		FUZZ_CHECK(!strncmp(cut, text, sizeof(cut) - 1) && strlen(cut) < sizeof(cut),
		           "rule %u: cut-short text is not a prefix", i);
		free(text);
	}
}

static char *show(const struct fw_ruleset *rs, bool json, size_t *len)
{
	static const struct fw_show_head head = {"fuzz0", 1, 1, "native"};
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	FUZZ_CHECK(f, "out of memory");
	FUZZ_CHECK(!fw_show_print(f, json, &head, rs, NULL), "out of memory");
	FUZZ_CHECK(!fclose(f), "out of memory");
	return out;
}

static void round_trip(const struct fw_ruleset *rs)
{
	struct fw_ruleset *back = NULL;
	struct fw_diag d;
	size_t len;
	char *text = show(rs, false, &len);
	int r;

	fw_diag_init(&d, "printed-back", NULL);
	r = fw_ruleset_load_mem(RULE_FILE, text, len, &back, &d);
	if (r)
		fprintf(stderr, "printed back:\n%s\n", text);
	FUZZ_CHECK(!r, "the printed-back rules do not compile (%d): line %u: %s", r,
	           d.count ? d.entries[0].line : 0, d.count ? d.entries[0].msg : "");
	same_rules(rs, back);
	free(text);
	fw_ruleset_free(back);
	free(show(rs, true, &len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_ruleset *rs = NULL;
	const char *buf = (const char *)data;
	struct fw_diag d;

	fw_diag_init(&d, RULE_FILE, fuzz_devnull());
	if (fw_ruleset_load_mem(RULE_FILE, buf, size, &rs, &d) == 0) {
		FUZZ_CHECK(d.errors == 0, "loaded with %u errors", d.errors);
		FUZZ_CHECK(fw_lint(rs, &d) == 0, "lint out of memory");
		format_rules(rs);
		round_trip(rs);
	} else {
		FUZZ_CHECK(d.errors > 0, "failed without an error");
	}
	fw_ruleset_free(rs);
	return 0;
}
