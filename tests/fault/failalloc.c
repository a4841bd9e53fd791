// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * failalloc.c - allocation-failure injection, LD_PRELOADed into fwctl by
 * tests/fault/test_failalloc.sh.
 *
 *   FW_FAILALLOC=N          the Nth allocation (1-based) fails with ENOMEM,
 *                           every other one succeeds; 0: none fails
 *   FW_FAILALLOC_COUNT=FILE at exit, the number of allocations made is
 *                           written to FILE (how many N there are to try)
 *
 * Every allocation counts: fwctl's own, libbpf's, libxdp's, libc's (stdio
 * buffers, asprintf, ...), as glibc routes its own calls through the
 * interposed malloc. The real allocator is glibc's __libc_* entry points,
 * so this needs no dlsym (which itself allocates).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static unsigned long count, fail_at;
static int armed = -1;

static void arm(void)
{
	const char *s = getenv("FW_FAILALLOC");

	fail_at = s ? strtoul(s, NULL, 10) : 0;
	armed = 1;
}

/* Whether this allocation is the one to fail. */
static int fail_now(void)
{
	if (armed < 0)
		arm();
	if (++count == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t size)
{
	return fail_now() ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	/* realloc(p, 0) frees: not an allocation that can fail. */
	if (p && !size)
		return __libc_realloc(p, 0);
	return fail_now() ? NULL : __libc_realloc(p, size);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (fail_now())
		return ENOMEM;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	return fail_now() ? NULL : __libc_memalign(align, size);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("FW_FAILALLOC_COUNT");
	char buf[32];
	int fd, n;

	if (!path)
		return;
	/* No stdio here: it would allocate, and count. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", count);
	if (write(fd, buf, (size_t)n) != n)
		n = -1;
	close(fd);
}
