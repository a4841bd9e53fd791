/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * log.h - the one logger of fwctl. Messages are single lines on stderr:
 * what failed, on what, and what to do. libbpf/libxdp chatter is routed here
 * too and shown only with -v.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <errno.h>
#include <stdbool.h>

enum fw_log_level {
	FW_LOG_ERR,
	FW_LOG_WARN,
	FW_LOG_INFO,  /* notes an operator should see (fallbacks, missing pins) */
	FW_LOG_DEBUG, /* -v only */
};

extern int fw_verbose;

/*
 * Errors carry their class. A user error (the operator's to fix: bad rules,
 * no such interface, not attached, bad arguments: fwctl exits 1) is
 * -(FW_EUSER | errno); a system error (the kernel, memory, permissions:
 * exit 2) is a plain -errno. Decided where the fault is known, never
 * guessed from errno: EINVAL is the user's for a bad rule and the system's
 * when the verifier says it.
 */
#define FW_EUSER 0x10000

/* r (an errno, negative or not, maybe classed already) as a user error. */
static inline int fw_user_err(int r)
{
	r = r < 0 ? -r : r;
	return -(FW_EUSER | r);
}

static inline bool fw_err_is_user(int r)
{
	return r < 0 && (-r & FW_EUSER);
}

/* The -errno of r, without its class: what to compare and print. */
static inline int fw_errno(int r)
{
	return r < 0 ? -(-r & ~FW_EUSER) : r;
}

void fw_log(enum fw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Routes libbpf and libxdp messages through fw_log (debug unless -v). */
void fw_log_setup_libs(void);

/* Print (to stderr, indented) the last lines libbpf wrote, e.g. the tail of
 * a verifier log; reset forgets them. */
void fw_log_lib_tail(unsigned int lines);
void fw_log_lib_tail_reset(void);
/* The rest of the newest library line containing needle, or NULL. */
const char *fw_log_lib_find(const char *needle);

#define fw_err(fmt, ...)  fw_log(FW_LOG_ERR, fmt, ##__VA_ARGS__)
#define fw_warn(fmt, ...) fw_log(FW_LOG_WARN, fmt, ##__VA_ARGS__)
#define fw_info(fmt, ...) fw_log(FW_LOG_INFO, fmt, ##__VA_ARGS__)
#define fw_dbg(fmt, ...)  fw_log(FW_LOG_DEBUG, fmt, ##__VA_ARGS__)

/* Log an error and return it as -errno (accepts r or -r). */
#define fw_err_r(r, fmt, ...)                                                                      \
	({                                                                                         \
		int __r = (r);                                                                     \
		fw_err(fmt, ##__VA_ARGS__);                                                        \
		__r < 0 ? __r : -__r;                                                              \
	})

/* The same for a user error (exit status 1). */
#define fw_uerr_r(r, fmt, ...) fw_user_err(fw_err_r(r, fmt, ##__VA_ARGS__))

#endif /* FW_LOG_H */
