// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * failbpf.c - bpf(2) failure injection, LD_PRELOADed into fwctl by
 * tests/e2e/test_reload.sh.
 *
 *   FW_FAILBPF_CMD=N   the bpf command to fail (enum bpf_cmd: 5 is
 *                      BPF_PROG_LOAD, 2 BPF_MAP_UPDATE_ELEM)
 *   FW_FAILBPF_AT=K    its Kth call (1-based; 0: every one) fails with FW_FAILBPF_ERRNO
 *                      (default EACCES, what a verifier refusal returns);
 *                      every other call goes to the kernel
 *
 * libbpf makes its bpf(2) calls through syscall(), which this replaces;
 * other system calls pass through untouched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

static long cmd = -1, at, err = EACCES, count;

static void arm(void)
{
	const char *c = getenv("FW_FAILBPF_CMD"), *a = getenv("FW_FAILBPF_AT"),
	           *e = getenv("FW_FAILBPF_ERRNO");

	cmd = c ? strtol(c, NULL, 10) : -2;
	at = a ? strtol(a, NULL, 10) : 0;
	if (e)
		err = strtol(e, NULL, 10);
}

long syscall(long number, ...)
{
	static syscall_fn real;
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (number == SYS_bpf) {
		if (cmd == -1)
			arm();
		if (a[0] == cmd && (at == 0 || ++count == at)) {
			errno = (int)err;
			return -1;
		}
	}
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
