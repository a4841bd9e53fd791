// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The limits rules/README.md states are the code's: each row of its
 * "## Limits" table is found by its first column and its first number (and
 * the second, where a row has two) compared with the constant behind it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "file.h"
#include "cls.h"
#include "xdpfw.h"

static char *readme;

/* The numbers of the Limits table row whose first cell starts with key:
 * "4,096 bytes" is 4096; up to two a row. Returns how many. */
static int row_numbers(const char *key, unsigned long long v[2])
{
	const char *table = strstr(readme, "\n## Limits\n"), *end, *p;
	char cell[64];
	int n = 0;

	assert_non_null(table);
	end = strstr(table + 1, "\n## ");
	snprintf(cell, sizeof(cell), "\n| %s", key);
	p = strstr(table, cell);
	if (!p || (end && p > end))
		fail_msg("rules/README.md: no row '%s' in the Limits table", key);
	p = strchr(p + 2, '|'); /* the limit column */
	for (; *p && *p != '\n' && n < 2; p++) {
		unsigned long long x = 0;

		if (*p < '0' || *p > '9')
			continue;
		while ((*p >= '0' && *p <= '9') || (*p == ',' && p[1] >= '0' && p[1] <= '9')) {
			if (*p != ',')
				x = x * 10 + (unsigned long long)(*p - '0');
			p++;
		}
		v[n++] = x;
	}
	return n;
}

static void expect_row(const char *key, unsigned long long want)
{
	unsigned long long v[2] = {0};

	assert_true(row_numbers(key, v) >= 1);
	if (v[0] != want)
		fail_msg("rules/README.md says %s: %llu; the code: %llu", key, v[0], want);
}

static void test_limits(void **state)
{
	unsigned long long v[2] = {0};

	(void)state;
	expect_row("rules", XDPFW_MAX_RULES);
	expect_row("the classifier's tables", XPROD_BYTES_MAX >> 20);
	expect_row("port sets and lists", XDPFW_MAX_PORT_SETS);
	expect_row("line length", XDPFW_MAX_LINE);
	expect_row("file size", FW_FILE_MAX >> 20);
	expect_row("sources with a per-source bucket", XDPFW_LIMIT_SOURCES_MAX);
	expect_row("diagnostics kept", FW_DIAG_MAX);
	assert_int_equal(row_numbers("address sets and lists", v), 2);
	assert_int_equal(v[0], XDPFW_MAX_ADDR_SETS);
	assert_int_equal(v[1], XDPFW_MAX_SET_ADDRS);
}

static int setup(void **state)
{
	size_t len;

	(void)state;
	return fw_file_read(XDPFW_SOURCE_ROOT "/rules/README.md", 0, &readme, &len);
}

static int teardown(void **state)
{
	(void)state;
	free(readme);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("test_docs", tests, setup, teardown);
}
