#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# An interface name with an escape sequence in it, as Linux allows (any byte
# but '/', ':' and white space): attach, reload, status, stats, show, explain
# and detach print it escaped and never raw, --json stays valid JSON with the
# name in it, and its pin directory's name is encoded. An interface attached
# by an alternative name pins under its name, where status finds the pins.
# TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

NS=xfesc-$SUFFIX
IF=$'x\x1b\xff'$SUFFIX     # 11 bytes: ESC, then a byte that is not UTF-8
IF_SHOWN='x\x1b\xff'$SUFFIX # as fwctl prints it
IF_PIN=x%1B%FF$SUFFIX       # its pin directory
IF_JSON=$'x\x1b\ufffd'$SUFFIX # as JSON has it: 0xff is not UTF-8
PEER=xq$SUFFIX
ALT=xalt$SUFFIX
e2e_setup escape

fwctl() { "$FWCTL" -n "$NS" "$@"; }

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
# json_is JSON 'PYTHON EXPR over d' WANT DESCRIPTION: the document parses
# and the value (its repr, so that control characters show) is WANT.
json_is() {
	local got
	got=$(printf '%s' "$1" | json "repr($2)" 2>&1)
	expect_eq "$got" "$3" "$4"
}
# The repr Python gives the name: ESC as \x1b, 0xff as U+FFFD.
IF_REPR="'x\\x1b"$'\ufffd'"$SUFFIX'"

printf 'pass icmp name "ping"\ndrop udp dport 53 name "dns"\n' >"$TMP/a.rules"

ns_add "$NS"
ip -n "$NS" link add "$IF" type veth peer name "$PEER" ||
	bail "cannot create an interface named with ESC"
ip -n "$NS" link set "$IF" up
ip -n "$NS" link set "$PEER" up

# --- attach ----------------------------------------------------------------------
out=$(fwctl attach "$IF" "$TMP/a.rules" 2>&1)
expect_eq $? 0 "attach to an interface named with ESC"
raw_free "$out" "... prints no ESC or 0xff"
has "$out" "xdpfw attached to $IF_SHOWN: 2 rules from" "... and names it escaped"
pins=$(ns_pin_dir "$NS")
expect_eq "$(ls "$pins")" "$IF_PIN" "the pin directory's name is encoded"
[ -e "$pins/$IF_PIN/prog" ]
ok $? "... and holds the program's pin"
out=$(fwctl attach "$IF" "$TMP/a.rules" 2>&1)
expect_eq $? 1 "a second attach is refused"
raw_free "$out" "... with no ESC or 0xff"
has "$out" "already attached to $IF_SHOWN" "... naming it escaped"

# --- reload ----------------------------------------------------------------------
out=$(fwctl reload "$IF" "$TMP/a.rules" 2>&1)
expect_eq $? 0 "reload"
raw_free "$out" "... prints no ESC or 0xff"
has "$out" "xdpfw on $IF_SHOWN: 2 rules from" "... and names it escaped"

# --- status, stats, show, explain: text and JSON -------------------------------------
for cmd in status stats show; do
	out=$(fwctl "$cmd" "$IF" 2>&1)
	expect_eq $? 0 "$cmd exits 0"
	raw_free "$out" "... prints no ESC or 0xff"
	has "$out" "$IF_SHOWN" "... and names the interface escaped"
	out=$(fwctl "$cmd" 2>&1)
	raw_free "$out" "$cmd of every interface prints no ESC or 0xff"
done
out=$(fwctl status "$IF")
expect_match "$out" "yes\$" "status finds the pins"
has "$(fwctl show "$IF")" "# xdpfw on $IF_SHOWN (ifindex" "show's header names it escaped"

out=$(fwctl status "$IF" --json)
raw_free "$out" "status --json: no raw ESC or 0xff"
json_is "$out" 'd["interfaces"][0]["interface"]' "$IF_REPR" "... the name decodes with ESC, 0xff as U+FFFD"
json_is "$out" 'd["interfaces"][0]["pin_dir"].endswith("/'"$IF_PIN"'")' True "... pin_dir is the encoded directory"
json_is "$out" 'd["interfaces"][0]["pinned"]' True "... pinned"
out=$(fwctl stats --json)
raw_free "$out" "stats --json: no raw ESC or 0xff"
json_is "$out" 'd["interfaces"][0]["interface"]' "$IF_REPR" "... the name decodes"
json_is "$out" '[r["name"] for r in d["interfaces"][0]["rules"]]' "['ping', 'dns']" "... with the rule names"
out=$(fwctl show "$IF" --json)
raw_free "$out" "show --json: no raw ESC or 0xff"
json_is "$out" 'd["interface"]' "$IF_REPR" "... the name decodes"

out=$(fwctl explain "$IF" udp dport 53 2>&1)
expect_eq $? 0 "explain on the interface"
raw_free "$out" "... prints no ESC or 0xff"
has "$out" "$IF_SHOWN" "... and names it escaped"
out=$(fwctl explain "$IF" udp colour$'\e[2J' 2>&1)
raw_free "$out" "a bad packet word is quoted with no ESC"
out=$(fwctl explain "$IF" udp dport 53 --json)
json_is "$out" '(d["rules"]["interface"], d["program"]["interface"])' "($IF_REPR, $IF_REPR)" \
	"explain --json: the name decodes"

out=$(fwctl status $'nope\e[2J' 2>&1)
expect_eq $? 1 "status of a missing interface exits 1"
raw_free "$out" "... and prints no ESC"
has "$out" 'no such interface nope\x1b[2J' "... naming it escaped"

# --- detach ----------------------------------------------------------------------
out=$(fwctl detach "$IF" 2>&1)
expect_eq $? 0 "detach"
raw_free "$out" "... prints no ESC or 0xff"
has "$out" "xdpfw detached from $IF_SHOWN" "... and names it escaped"
[ ! -e "$pins/$IF_PIN" ]
ok $? "... and removes the encoded pin directory"
out=$(fwctl detach "$IF" 2>&1)
expect_eq $? 1 "a second detach exits 1"
raw_free "$out" "... with no ESC or 0xff"
has "$out" "xdpfw is not attached to $IF_SHOWN" "... naming it escaped"

# --- an alternative name ------------------------------------------------------------
# The kernel finds a link by any of its names; pins go by its name, or
# status (which lists links by name) would not find them.
if ip -n "$NS" link property add dev "$PEER" altname "$ALT"; then
	out=$(fwctl attach "$ALT" "$TMP/a.rules" 2>&1)
	expect_eq $? 0 "attach by an alternative name"
	expect_eq "$(ls "$pins")" "$PEER" "... pins under the interface's name"
	out=$(fwctl status --json)
	json_is "$out" '[(i["interface"], i["pinned"]) for i in d["interfaces"]]' "[('$PEER', True)]" \
		"... where status finds them"
	out=$(fwctl detach "$ALT" 2>&1)
	expect_eq $? 0 "detach by the alternative name"
	[ ! -e "$pins/$PEER" ]
	ok $? "... removes those pins"
else
	ok 1 "ip link property add altname: refused (kernel older than 5.5?)"
fi

tap_done
