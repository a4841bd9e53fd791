/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * file.h - reading an input file (a rule file, a set file) whole, once.
 *
 * Only regular files are read: a FIFO would block fwctl until someone
 * writes to it, a device could be endless. Where a command says so, "-"
 * is standard input instead.
 */
#ifndef FW_FILE_H
#define FW_FILE_H

#include <stddef.h>

/* A rule or set file is text written by people (or a blocklist); anything
 * this big is a mistake that would otherwise be read into memory whole. */
#define FW_FILE_MAX (256u << 20)

#define FW_FILE_STDIN 0x1 /* "-" is standard input */

/*
 * Read path whole into a malloc'ed buffer (*buf, *len; a NUL follows the
 * last byte, not counted). Returns 0, or -errno: -EINVAL for something that
 * is not a regular file, -EFBIG past FW_FILE_MAX, -ENOMEM, or what open or
 * read said.
 */
int fw_file_read(const char *path, unsigned int flags, char **buf, size_t *len);

/* What fw_file_read()'s error means, for a message. */
const char *fw_file_strerror(int err);

#endif /* FW_FILE_H */
