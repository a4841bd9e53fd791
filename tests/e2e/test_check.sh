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
for i in $(seq 16385); do echo "drop udp dport $((i % 65536))"; done >"$TMP/too-many.rules"
bad too-many 16385:1 "too many rules"

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

# --- escape sequences in the input never reach the terminal -------------------
# raw_free TEXT DESCRIPTION: no ESC, BEL or 0xff byte in TEXT.
raw_free() {
	if printf '%s' "$1" | LC_ALL=C grep -q $'[\x1b\x07\xff]'; then
		ok 1 "$2"
		printf '%s\n' "$1" | cat -v | sed 's/^/# /'
	else
		ok 0 "$2"
	fi
}
# has TEXT STRING DESCRIPTION: TEXT holds STRING as it is.
has() {
	if printf '%s' "$1" | grep -qF -- "$2"; then ok 0 "$3"; else
		ok 1 "$3 (no '$2')"
		printf '%s\n' "$1" | cat -v | sed 's/^/# /'
	fi
}

# A terminal title (OSC) in a string, a screen clear in a word.
printf 'pass tcp "\e]0;x\a"\ndrop udp\e[2J\n' >"$TMP/escape.rules"
out=$("$FWCTL" check "$TMP/escape.rules" 2>&1)
expect_eq $? 1 "escape sequences in a rule file: exit status 1"
raw_free "$out" "... and no ESC or BEL byte reaches stderr"
has "$out" "unexpected '\"\x1b]0;x\x07\"'" "... the string is quoted with \\xNN escapes"
has "$out" "escape.rules:2:9: error: unexpected byte 0x1b" "... the byte in a word is named"
has "$out" 'drop udp?[2J' "... the line under the error shows it as '?'"
# A rule name is printable ASCII: the refusal quotes nothing raw.
printf 'drop udp dport 53 name "a\e[2Jb"\n' >"$TMP/escape-name.rules"
out=$("$FWCTL" check "$TMP/escape-name.rules" 2>&1)
expect_eq $? 1 "a rule name with ESC is refused"
raw_free "$out" "... and the refusal prints no ESC"
has "$out" "names are printable ASCII" "... saying what a name may hold"

# A downloaded blocklist with a screen clear and a byte that is not UTF-8.
printf 'set feed = file "feed.txt"\ndrop saddr @feed\n' >"$TMP/feed.rules"
printf '198.51.100.1\n\e[2J\e[1;1H203.0.113.0/24\xff\n' >"$TMP/feed.txt"
out=$("$FWCTL" check "$TMP/feed.rules" 2>&1)
expect_eq $? 1 "a set file line with an escape sequence: exit status 1"
raw_free "$out" "... and no ESC or 0xff byte reaches stderr"
has "$out" "feed.txt:2:1: error: unexpected byte 0x1b" \
	"... the fault is named, with its file, line and column"
has "$out" "?[2J?[1;1H203.0.113.0/24?" "... and the line under it shows the bytes as '?'"

# A set file path and a rule file path with ESC in them.
printf 'set feed = file "no\e[2Jsuch.txt"\ndrop saddr @feed\n' >"$TMP/feed-path.rules"
out=$("$FWCTL" check "$TMP/feed-path.rules" 2>&1)
expect_eq $? 1 "a missing set file with ESC in its path: exit status 1"
raw_free "$out" "... and no ESC reaches stderr"
has "$out" "cannot read set file $TMP/no\x1b[2Jsuch.txt" "... the path is escaped"
esc_file=$TMP/$'x\e[2J\xff'.rules
printf 'drop udp dport 53\n' >"$esc_file"
out=$("$FWCTL" check "$esc_file" 2>/dev/null)
expect_eq $? 0 "a rule file with ESC in its name passes check"
raw_free "$out" "... and stdout names it without ESC or 0xff"
has "$out" "$TMP/x\x1b[2J\xff.rules: ok, 1 rule" "... escaped"
printf 'drop udp dport 65536\n' >"$esc_file"
out=$("$FWCTL" check "$esc_file" 2>&1)
raw_free "$out" "its errors name it without ESC or 0xff"
has "$out" "$TMP/x\x1b[2J\xff.rules:1:16: error:" "... escaped, as the error line"
has "$out" "$TMP/x\x1b[2J\xff.rules: 1 error, nothing applied" "... and the summary line"
out=$("$FWCTL" check "$TMP/$(printf 'gone\e[2J')" 2>&1)
raw_free "$out" "a missing rule file's name is escaped"
out=$("$FWCTL" $'frob\e[2J' 2>&1)
raw_free "$out" "an unknown command is quoted escaped"
has "$out" "unknown command 'frob\x1b[2J'" "... as \\x1b"
tap_done
