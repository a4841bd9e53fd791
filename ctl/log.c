// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

int fw_verbose;
int fw_user_error;

static const char *const level_prefix[] = {
    [FW_LOG_ERR] = "error: ",
    [FW_LOG_WARN] = "warning: ",
    [FW_LOG_INFO] = "note: ",
    [FW_LOG_DEBUG] = "debug: ",
};

/*
 * fmt is never NULL: callers pass a literal or libbpf's format. Saying so
 * matters under -fsanitize=nonnull-attribute, whose recoverable check keeps
 * a NULL path to vfprintf() that gcc's -Wformat-overflow then reports.
 */
static void __attribute__((nonnull(2), format(printf, 2, 0)))
fw_vlog(enum fw_log_level level, const char *fmt, va_list ap)
{
	if (level == FW_LOG_DEBUG && !fw_verbose)
		return;
	fprintf(stderr, "fwctl: %s", level_prefix[level]);
	vfprintf(stderr, fmt, ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

void fw_log(enum fw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vlog(level, fmt, ap);
	va_end(ap);
}

/*
 * The last lines libbpf printed, kept so that a failed load can show the
 * verifier's verdict without -v.
 */
#define TAIL_LINES 24
static char tail[TAIL_LINES][256];
static unsigned int tail_next;

static void tail_add(const char *fmt, va_list ap)
{
	char buf[4096], *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(tail[tail_next % TAIL_LINES], sizeof(tail[0]), "%s", line);
		tail_next++;
	}
}

void fw_log_lib_tail(unsigned int lines)
{
	unsigned int n = tail_next < TAIL_LINES ? tail_next : TAIL_LINES;

	if (lines < n)
		n = lines;
	for (unsigned int i = tail_next - n; i < tail_next; i++)
		fprintf(stderr, "  | %s\n", tail[i % TAIL_LINES]);
}

const char *fw_log_lib_find(const char *needle)
{
	unsigned int n = tail_next < TAIL_LINES ? tail_next : TAIL_LINES;

	for (unsigned int i = tail_next; i > tail_next - n; i--) {
		const char *hit = strstr(tail[(i - 1) % TAIL_LINES], needle);

		if (hit)
			return hit + strlen(needle);
	}
	return NULL;
}

void fw_log_lib_tail_reset(void)
{
	tail_next = 0;
}

/* Library messages are context for -v; the caller reports the failure. */
static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	(void)level;
	va_copy(copy, ap);
	tail_add(fmt, copy);
	va_end(copy);
	if (fw_verbose)
		fw_vlog(FW_LOG_DEBUG, fmt, ap);
	return 0;
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (fw_verbose)
		fw_vlog(FW_LOG_DEBUG, fmt, ap);
	return 0;
}

void fw_log_setup_libs(void)
{
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
}
