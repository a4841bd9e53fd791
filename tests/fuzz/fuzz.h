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

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

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
