#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The style file is the code's: every C file of the tree must come out of
# clang-format (the repository's .clang-format) unchanged. TAP, one case a file.
set -u
cd "$(dirname "$0")/../.."
fmt=$(command -v clang-format-14 || command -v clang-format) || {
	echo "not ok 1 - clang-format is missing: run tests/deps.sh"
	exit 1
}
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find ctl xdp include tests bench -name '*.[ch]')
n=0
bad=0
for f in $files; do
	n=$((n + 1))
	if "$fmt" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "ok $n - $f is formatted"
	else
		echo "not ok $n - $f differs from clang-format: run clang-format -i $f"
		bad=$((bad + 1))
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
