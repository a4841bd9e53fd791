// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_setfile.c - libFuzzer target: a set file of arbitrary bytes through
 * fw_setfile_parse() (ctl/setfile.h). Built only when that header exists.
 *
 * Properties beyond "no sanitizer report": success reports no error and
 * gives members that make sense (a prefix length the family allows, a port
 * range in order); failure is -EINVAL with an error reported, or -ENOMEM.
 */
#include <errno.h>
#include <stdint.h>

#include "ast.h"
#include "fuzz.h"
#include "ruleset.h"
#include "setfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_ast_list list = {0};
	struct fw_diag d;
	int r;

	fw_diag_init(&d, "fuzz.txt", fuzz_devnull());
	r = fw_setfile_parse("fuzz.txt", (const char *)data, size, &list, &d);
	if (r == 0) {
		FUZZ_CHECK(d.errors == 0, "parsed with %u errors", d.errors);
		for (size_t i = 0; i < list.n; i++) {
			const struct fw_ast_elem *e = &list.v[i];

			if (!e->is_addr) {
				FUZZ_CHECK(e->lo <= e->hi, "member %zu: ports %u-%u", i, e->lo,
				           e->hi);
				continue;
			}
			FUZZ_CHECK((e->addr.family == XDPFW_FAMILY_IPV4 && e->addr.len <= 32) ||
			               (e->addr.family == XDPFW_FAMILY_IPV6 && e->addr.len <= 128),
			           "member %zu: family %u, prefix length %u", i, e->addr.family,
			           e->addr.len);
		}
	} else {
		FUZZ_CHECK(r == -ENOMEM || (r == -EINVAL && d.errors > 0),
		           "failed with %d and %u errors", r, d.errors);
	}
	free(list.v);
	return 0;
}
