/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share.
 *
 * A target aborts on a broken property (FUZZ_CHECK), so libFuzzer saves the
 * input as a crash, like a sanitizer report.
 */
#ifndef FW_FUZZ_H
#define FW_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "ruleset.h"

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A zeroed rule set, as fw_ruleset_load_mem() wants it. The one place to
 * change when struct fw_ruleset gets its constructor. */
static inline struct fw_ruleset *fuzz_ruleset_new(void)
{
	struct fw_ruleset *rs = calloc(1, sizeof(*rs));

	FUZZ_CHECK(rs, "out of memory");
	return rs;
}

static inline void fuzz_ruleset_free(struct fw_ruleset *rs)
{
	fw_ruleset_free(rs);
	free(rs);
}

/* Diagnostics are printed (the caret line is code too), into /dev/null. */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	FUZZ_CHECK(f, "cannot open /dev/null");
	return f;
}

#endif /* FW_FUZZ_H */
