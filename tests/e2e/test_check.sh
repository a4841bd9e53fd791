#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `fwctl check` as an operator runs it: every example in rules/ passes, and
# every kind of bad input exits 1 with FILE:LINE:COL, the line and a caret.
# Needs no root. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d /tmp/xdpfw-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for f in "$TOP"/rules/*.rules; do
	out=$("$FWCTL" check "$f" 2>&1)
	ok $? "rules/$(basename "$f") passes fwctl check"
done

# bad NAME LOCATION MESSAGE_REGEX: check $TMP/NAME.rules (already written)
bad() {
	local f=$TMP/$1.rules out rc
	out=$("$FWCTL" check "$f" 2>&1)
	rc=$?
	expect_eq "$rc" 1 "$1: exit status 1"
	expect_match "$out" "^$f:$2: error: .*$3" "$1: error at $2"
}

printf 'policy pass\nfrobnicate udp\n' >"$TMP/unknown-word.rules"
bad unknown-word 2:1 "frobnicate"
printf 'drop udp dport 53 bogus\n' >"$TMP/unknown-trailing.rules"
bad unknown-trailing 1:19 "bogus"
printf 'drop saddr 198.51.100.0/33\n' >"$TMP/ipv4-prefix.rules"
bad ipv4-prefix 1:25 "33"
printf '# v6\ndrop saddr 2001:db8::/129\n' >"$TMP/ipv6-prefix.rules"
bad ipv6-prefix 2:23 "129"
printf 'drop udp dport 65536\n' >"$TMP/port-range.rules"
bad port-range 1:16 "65536"
printf 'drop tcp sport 10-5\n' >"$TMP/reversed-range.rules"
bad reversed-range 1:16 "10-5|revers"
printf 'drop dport 22\n' >"$TMP/port-no-proto.rules"
bad port-no-proto 1:6 "tcp or udp"
printf 'drop ip6 saddr 198.51.100.0/24\n' >"$TMP/family.rules"
bad family 1:16 "IPv4"
printf 'drop udp\0 dport 53\n' >"$TMP/nul.rules"
bad nul 1:9 "NUL"
{ printf 'drop udp # '; head -c 5000 /dev/zero | tr '\0' x; printf '\n'; } >"$TMP/long-line.rules"
bad long-line 1:4097 "longer than"
for i in $(seq 4097); do echo "drop udp dport $((i % 65536))"; done >"$TMP/too-many.rules"
bad too-many 4097:1 "too many rules"

# Every fault gets its own error, in order, and a caret under the column.
printf 'drop udp dport 65536\npass tcp\ndrop saddr 198.51.100.0/33\n' >"$TMP/several.rules"
out=$("$FWCTL" check "$TMP/several.rules" 2>&1)
expect_eq "$(printf '%s\n' "$out" | grep -c ': error: ')" 2 "two faulty lines give two errors"
expect_match "$out" "several.rules:1:16: error:" "... the first on line 1"
expect_match "$out" "several.rules:3:25: error:" "... the second on line 3"
expect_eq "$(printf '%s\n' "$out" | grep -A2 'several.rules:1:16' | tail -1)" "               ^" "caret under column 16"

out=$("$FWCTL" check "$TMP/does-not-exist.rules" 2>&1)
expect_eq $? 1 "a missing file exits 1"
expect_match "$out" "does-not-exist.rules" "... and names the file"
tap_done
