#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# run.sh TARGET [SECONDS [LIBFUZZER OPTIONS...]]: runs one libFuzzer target of
# build-fuzz/ (tests/build.sh fuzz) for SECONDS (default 30) from its seed
# corpus in tests/fuzz/corpus/TARGET/, copied to a scratch directory so the
# tree is not written. TAP: one case, "not ok" on any crash, leak, timeout
# or UB report; the inputs that caused it are kept and each is run again to
# show the report. Also for long runs by hand, e.g. with -jobs=2 -workers=2.
set -u
cd "$(dirname "$0")/../.."
target=${1:?usage: tests/fuzz/run.sh TARGET [SECONDS [OPTIONS...]]}
secs=${2:-30}
shift $(($# < 2 ? $# : 2))
bin=$PWD/build-fuzz/tests/fuzz/$target
corpus=$PWD/tests/fuzz/corpus/$target
dict=$PWD/tests/fuzz/$target.dict

echo "1..1"
if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
	echo "not ok 1 - $target: no $bin or $corpus (build with tests/build.sh fuzz)"
	exit 1
fi
work=$(mktemp -d /tmp/xdpfw-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
mkdir "$work/artifacts"
opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	-close_fd_mask=3 -artifact_prefix="$work/artifacts/")
[ -f "$dict" ] && opts+=(-dict="$dict")
# Leaks, and every sanitizer report, end the run as a crash. UBSan is built
# with -fno-sanitize-recover, so UB is fatal too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

nice "$bin" "${opts[@]}" "$@" "$work/corpus" </dev/null >"$work/log" 2>&1
rc=$?
grep -E '^(#[0-9]+[[:space:]]+DONE|==[0-9]+==|SUMMARY)' "$work/log" | sed 's/^/# /'
# The last line with coverage: "#N DONE cov: C ft: F corp: ..."
last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$work/log" | tail -n 1)
runs=$(printf '%s' "$last" | sed -E 's/^#([0-9]+).*/\1/')
cov=$(printf '%s' "$last" | sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1, ft \2/p')
crashes=$(find "$work/artifacts" -type f | wc -l)
if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] && grep -Eq '^#[0-9]+[[:space:]]+DONE' "$work/log"; then
	echo "ok 1 - $target: ${runs:-0} runs in ${secs} s ($cov), no crash, leak or UB"
	exit 0
fi
keep=$(mktemp -d /tmp/xdpfw-fuzz-failed.XXXXXX)
cp "$work/log" "$keep/log"
cp "$work"/artifacts/* "$keep/" 2>/dev/null
echo "not ok 1 - $target: exit status $rc, $crashes input(s) kept in $keep"
grep -E "^(MS: |Base64: |artifact_prefix=)" "$work/log" | sed 's/^/# /'
for f in "$keep"/crash-* "$keep"/leak-* "$keep"/timeout-* "$keep"/oom-*; do
	[ -f "$f" ] || continue
	echo "# --- again, with its output: $bin $f"
	"$bin" -timeout=10 "$f" 2>&1 | grep -v '^INFO:' | head -n 60 | sed 's/^/# /'
done
exit 1
