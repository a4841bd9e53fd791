/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * print.h - text and JSON output from the same calls (as iproute2's
 * json_print): each value call names its JSON key and its text format; in
 * JSON mode the format is ignored, in text mode the key is, and a NULL
 * format prints nothing. fw_print_text() is text-only decoration.
 *
 * String values are escaped (escape.h) in text and JSON alike: they may be
 * interface names, file names or names read back from a running program.
 * Pass them raw; fw_print_text()'s arguments are not escaped.
 */
#ifndef FW_PRINT_H
#define FW_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FW_PRINT_DEPTH 16

struct fw_print {
	FILE *f;
	bool json;
	int depth;
	bool comma[FW_PRINT_DEPTH]; /* a value was already written at this depth */
};

void fw_print_init(struct fw_print *p, FILE *f, bool json);
void fw_print_obj_begin(struct fw_print *p, const char *key);
void fw_print_obj_end(struct fw_print *p);
void fw_print_arr_begin(struct fw_print *p, const char *key);
void fw_print_arr_end(struct fw_print *p);
void fw_print_str(struct fw_print *p, const char *key, const char *fmt, const char *val);
void fw_print_u64(struct fw_print *p, const char *key, const char *fmt, uint64_t val);
void fw_print_bool(struct fw_print *p, const char *key, const char *fmt, bool val);
void fw_print_text(struct fw_print *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the output: a newline after the JSON document. */
void fw_print_finish(struct fw_print *p);

#endif /* FW_PRINT_H */
