// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

int fw_verbose;

static const char *const level_prefix[] = {
	[FW_LOG_ERR] = "error: ",
	[FW_LOG_WARN] = "warning: ",
	[FW_LOG_INFO] = "note: ",
	[FW_LOG_DEBUG] = "debug: ",
};

static void fw_vlog(enum fw_log_level level, const char *fmt, va_list ap)
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

/* Library messages are context for -v; the caller reports the failure. */
static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
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
