#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Builds and runs every test tier: unit (no kernel), BPF (BPF_PROG_TEST_RUN),
# fwctl check on good and bad rule files, fwctl's command line, and end to
# end (namespaces, veth, real traffic); then the unit, BPF and check tiers
# again built with ASan and UBSan (asan/...), and each libFuzzer target for
# 30 s (fuzz/...). Each test prints TAP; this counts every test case and
# ends with the line "N passed, N failed". A tier that needs root fails,
# never skips, when run without it. Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."
bash tests/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$(mktemp /tmp/xdpfw-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

# run NAME COMMAND...: run one TAP producer, echo its output, count its cases.
run() {
	local name=$1 rc p f
	shift
	echo "# --- $name"
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 900 "$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -Ec '^ok [0-9]+' "$log")
	f=$(grep -Ec '^not ok [0-9]+' "$log")
	# A crash, a bail-out or a non-zero exit without a failed case is a failure too.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

run unit/lexer build/tests/test_lexer
run unit/parser build/tests/test_parser
run unit/compile build/tests/test_compile
run unit/cls build/tests/test_cls
run unit/model build/tests/test_model
run unit/parse build/tests/test_parse
run unit/lint build/tests/test_lint
run unit/limit build/tests/test_limit
run unit/escape build/tests/test_escape
run unit/docs build/tests/test_docs
run check/rules bash tests/e2e/test_check.sh
run cli bash tests/e2e/test_cli.sh
run check/format bash tests/check/format.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - BPF and end-to-end tests need root: run tests/run.sh as root"
	failed=$((failed + 1))
else
	run bpf build/tests/test_bpf
	run bpf/limits build/tests/test_limits
	run bpf/diff build/tests/test_diff
	run e2e bash tests/e2e/test_e2e.sh
	run e2e/reload bash tests/e2e/test_reload.sh
	run e2e/counters bash tests/e2e/test_counters.sh
	run e2e/stamp bash tests/e2e/test_stamp.sh
	run e2e/limits bash tests/e2e/test_limits.sh
	run e2e/bigtcp bash tests/e2e/test_bigtcp.sh
	run e2e/explain bash tests/e2e/test_explain.sh
	run bench/smoke bash bench/run --smoke
	run e2e/show bash tests/e2e/test_show.sh
	run e2e/escape bash tests/e2e/test_escape.sh
	run fault/failalloc bash tests/fault/test_failalloc.sh
fi

# The sanitizer build: any ASan, LeakSanitizer or UBSan report aborts the
# program, which fails its test.
if bash tests/build.sh asan; then
	export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:print_stacktrace=1
	export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
	for t in lexer parser compile cls model lint limit escape docs; do
		run asan/unit/$t build-asan/tests/test_$t
	done
	run asan/check/rules env FWCTL="$PWD/build-asan/fwctl" bash tests/e2e/test_check.sh
	if [ "$(id -u)" -ne 0 ]; then
		echo "not ok - sanitized BPF and end-to-end tests need root: run tests/run.sh as root"
		failed=$((failed + 1))
	else
		run asan/bpf build-asan/tests/test_bpf
		run asan/bpf/limits build-asan/tests/test_limits
		run asan/bpf/diff build-asan/tests/test_diff
		run asan/e2e/explain env FWCTL="$PWD/build-asan/fwctl" bash tests/e2e/test_explain.sh
		run asan/e2e/show env FWCTL="$PWD/build-asan/fwctl" bash tests/e2e/test_show.sh
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	echo "not ok - the sanitizer build failed: bash tests/build.sh asan"
	failed=$((failed + 1))
fi

# The fuzz targets, 30 s each from their seed corpus (tests/fuzz/run.sh).
if bash tests/build.sh fuzz; then
	for t in rules explain setfile; do
		run fuzz/$t bash tests/fuzz/run.sh fuzz_$t 30
	done
else
	echo "not ok - the fuzz build failed: bash tests/build.sh fuzz"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
