// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - see log.h. */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "escape.h"
#include "log.h"

int fw_verbose;

static const char *const level_prefix[] = {
    [FW_LOG_ERR] = "error: ",
    [FW_LOG_WARN] = "warning: ",
    [FW_LOG_INFO] = "note: ",
    [FW_LOG_DEBUG] = "debug: ",
};

/*
 * The message escaped (escape.h): it quotes file names, interface names
 * and library text. A trailing newline is dropped; one inside is shown as
 * \x0a, so that no input can start a line of its own, except in library
 * messages (lines), which are split on it (a verifier log under -v).
 * fmt is never NULL: callers pass a literal or libbpf's format. Saying so
 * matters under -fsanitize=nonnull-attribute, whose recoverable check keeps
 * a NULL path to vfprintf() that gcc's -Wformat-overflow then reports.
 */
static void __attribute__((nonnull(3), format(printf, 3, 0)))
fw_vlog(enum fw_log_level level, bool lines, const char *fmt, va_list ap)
{
	char small[512], *msg = small;
	size_t len, n;
	va_list copy;

	if (level == FW_LOG_DEBUG && !fw_verbose)
		return;
	va_copy(copy, ap);
	len = (size_t)vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	/* Out of memory, the message is cut rather than lost. */
	if (len >= sizeof(small) && vasprintf(&msg, fmt, ap) < 0)
		msg = small;
	len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		len--;
	fprintf(stderr, "fwctl: %s", level_prefix[level]);
	for (size_t i = 0; i <= len; i += n + 1) {
		const char *nl = lines ? memchr(msg + i, '\n', len - i) : NULL;

		n = nl ? (size_t)(nl - (msg + i)) : len - i;
		fw_escape_write(stderr, msg + i, n);
		fputc('\n', stderr);
	}
	if (msg != small)
		free(msg);
}

void fw_log(enum fw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vlog(level, false, fmt, ap);
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
	for (unsigned int i = tail_next - n; i < tail_next; i++) {
		fputs("  | ", stderr);
		fw_escape_write(stderr, tail[i % TAIL_LINES], strlen(tail[i % TAIL_LINES]));
		fputc('\n', stderr);
	}
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
		fw_vlog(FW_LOG_DEBUG, true, fmt, ap);
	return 0;
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (fw_verbose)
		fw_vlog(FW_LOG_DEBUG, true, fmt, ap);
	return 0;
}

/*
 * A crash must not be silent either. libbpf 1.1 dereferences a failed
 * allocation in bpf_object__load() (seen under allocation-failure
 * injection): the kernel then frees everything fwctl made, nothing is
 * attached or changed past the last write, but the operator would see only
 * "Segmentation fault". Say what happened, then die of the signal as before.
 * write() only: async-signal-safe.
 */
static void crashed(int sig)
{
	static const char msg[] =
	    "fwctl: error: fwctl crashed (a fatal signal, in a library or in fwctl); the kernel "
	    "released what it had made. Check the interface with fwctl status, and report this "
	    "with fwctl -v\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void fw_log_setup_libs(void)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
	struct sigaction old;

	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
	/* Where a handler is in place already (a sanitizer's), keep it. */
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (!sigaction(fatal[i], NULL, &old) && old.sa_handler == SIG_DFL)
			signal(fatal[i], crashed);
}
