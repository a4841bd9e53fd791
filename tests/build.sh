#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Configures (once) and builds everything into build/. With an argument, a
# second build of the same tree, which tests/run.sh runs as well:
#   asan  build-asan/: fwctl and every test with ASan and UBSan (UB aborts)
#   fuzz  build-fuzz/: clang, the libFuzzer targets of tests/fuzz/
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
"") dir=build opts=() ;;
asan) dir=build-asan opts=(-Db_sanitize=address,undefined -Db_lundef=false) ;;
fuzz) dir=build-fuzz opts=(-Dfuzz=true) && export CC=clang ;;
*)
	echo "usage: tests/build.sh [asan|fuzz]" >&2
	exit 2
	;;
esac
[ -f "$dir/build.ninja" ] || meson setup "${opts[@]}" "$dir" >/dev/null
meson compile -C "$dir" >/dev/null
