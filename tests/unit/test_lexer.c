// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
static void stub(void **s) { (void)s; }
int main(void) { const struct CMUnitTest t[] = { cmocka_unit_test(stub) }; return cmocka_run_group_tests(t, NULL, NULL); }
