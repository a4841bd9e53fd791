/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * diag.h - diagnostics of the rule language: FILE:LINE:COL, the source
 * line and a caret, as nft prints them. Nothing here touches the kernel.
 */
#ifndef FW_DIAG_H
#define FW_DIAG_H

#include <stddef.h>
#include <stdio.h>

#define FW_DIAG_MAX 64 /* diagnostics kept; later ones are only counted */
#define FW_DIAG_MSG 256

enum fw_diag_kind {
	FW_DIAG_ERROR,
	FW_DIAG_WARNING,
};

struct fw_diag_entry {
	enum fw_diag_kind kind;
	unsigned int line; /* 1-based; 0 when the fault has no position (I/O) */
	unsigned int col;  /* 1-based byte column */
	char msg[FW_DIAG_MSG];
};

/*
 * Where diagnostics go. Each is kept in entries[] (for tests) and, when out
 * is set, printed at once as nft does:
 *
 *   FILE:LINE:COL: error: MESSAGE
 *   <the source line>
 *          ^
 */
struct fw_diag {
	FILE *out;        /* NULL: collect only */
	const char *file; /* name used in messages */
	unsigned int errors;
	unsigned int warnings;
	unsigned int count; /* entries used, <= FW_DIAG_MAX */
	struct fw_diag_entry entries[FW_DIAG_MAX];
};

void fw_diag_init(struct fw_diag *d, const char *file, FILE *out);

/*
 * Record one diagnostic and, when d->out is set, print it. src/src_len is the
 * source line that line/col point into (no line end), or NULL. Past
 * FW_DIAG_MAX entries a diagnostic is only counted.
 */
void fw_diag_report(struct fw_diag *d, enum fw_diag_kind kind, unsigned int line, unsigned int col,
                    const char *src, size_t src_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* An error of the whole input (no position): what failed, e.g. reading it
 * or memory running out. Returns err for the caller. */
int fw_diag_fail(struct fw_diag *d, int err, const char *what);

#endif /* FW_DIAG_H */
