#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The layout stamp (include/xdpfw.h): fwctl touches no map of an xdpfw built
# with other layouts. A firewall built with another stamp (xdpfw_skew.bpf.o,
# XDPFW_LAYOUT_VERSION changed) and a program of xdpfw's name without one
# (nostamp.bpf.o) are attached by ip(8) as another fwctl would have; then
# reload, stats, show, explain, detach and attach refuse them with the fix
# in the message (exit 1), status lists them as foreign, nothing is written
# to their maps, and detach --force removes them and their pins. A program
# with the right stamp but a map of another shape (badmaps.bpf.o: a layout
# change without its XDPFW_LAYOUT_VERSION bump) is refused too. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

FW=xfsfw-$SUFFIX
IF=sa$SUFFIX PEER=sb$SUFFIX
SKEW=$TOP/build/tests/xdpfw_skew.bpf.o
NOSTAMP=$TOP/build/tests/nostamp.bpf.o
BADMAPS=$TOP/build/tests/badmaps.bpf.o
e2e_setup stamp

fwctl() { "$FWCTL" -n "$FW" "$@"; }
prog_id() { ip -n "$FW" -j link show "$IF" | json 'd[0].get("xdp", {}).get("prog", {}).get("id", 0)'; }
# map_id PROG NAME: the id of the program's map named NAME, or nothing.
map_id() {
	local m
	for m in $(bpftool -j prog show id "$1" | json '" ".join(map(str, d.get("map_ids", [])))'); do
		[ "$(bpftool -j map show id "$m" | json 'd["name"]')" = "$2" ] && echo "$m"
	done
}
# What a reload would write first: the active generation, both
# generations' config, the first rule of each. Any write shows here.
map_state() {
	local p=$1
	bpftool map dump id "$(map_id "$p" fw_active)"
	bpftool map dump id "$(map_id "$p" fw_config)"
	bpftool map lookup id "$(map_id "$p" fw_rules)" key 0 0 0 0
	bpftool map lookup id "$(map_id "$p" fw_rules)" key 0 64 0 0 # 16384: generation 1
}
FIX="detach it with the fwctl that attached it, or with fwctl detach $IF --force"

for f in "$SKEW" "$NOSTAMP" "$BADMAPS"; do
	[ -f "$f" ] || bail "$f is missing: build first (tests/build.sh)"
done
ns_add "$FW"
veth_pair "$FW" "$IF" "" "$FW" "$PEER" ""
PIN=$(ns_pin_dir "$FW")/$IF
printf 'policy drop\npass udp dport 9 name "nine"\n' >"$TMP/fw.rules"

# --- our own program carries the stamp, bound to it --------------------------
fwctl attach "$IF" "$TMP/fw.rules" >/dev/null 2>&1
ok $? "fwctl attach"
id=$(prog_id)
[ -n "$(map_id "$id" .rodata.stamp)" ]
ok $? "the stamp map .rodata.stamp is among the program's maps (bpftool prog show)"
out=$(fwctl status "$IF" --json)
expect_eq "$(printf '%s' "$out" | json 'd["interfaces"][0]["foreign"]')" False "status: fwctl's own program is not foreign"
fwctl stats "$IF" >/dev/null
ok $? "stats reads it"
fwctl detach "$IF" >/dev/null
ok $? "detach"

# --- a firewall built with another stamp ------------------------------------
ip -n "$FW" link set dev "$IF" xdpgeneric obj "$SKEW" sec xdp
ok $? "ip link attaches the firewall built with another stamp"
id=$(prog_id)
[ -n "$(map_id "$id" .rodata.stamp)" ] && [ -n "$(map_id "$id" fw_config)" ]
ok $? "... a program with xdpfw's maps and a stamp"
# Pins where fwctl would have made them, for detach --force to remove.
mkdir -p "$PIN" && bpftool prog pin id "$id" "$PIN/prog" &&
	bpftool map pin id "$(map_id "$id" fw_config)" "$PIN/fw_config"
ok $? "... pinned where fwctl pins"
before=$(map_state "$id")

out=$(fwctl reload "$IF" "$TMP/fw.rules" 2>&1)
expect_eq $? 1 "reload refuses it (exit 1)"
expect_match "$out" "built by xdpfw [^ ]+ with map layout [0-9a-f]{8} \(this fwctl's: [0-9a-f]{8}\)" "... naming the layouts"
expect_match "$out" "$FIX" "... and what to do"
for cmd in "stats $IF" "stats" "show $IF" "explain $IF udp dport 9" "detach $IF" "attach $IF $TMP/fw.rules"; do
	# shellcheck disable=SC2086 # words of the command
	out=$(fwctl $cmd 2>&1)
	rc=$?
	expect_eq "$rc" 1 "fwctl ${cmd//$TMP\//} refuses it (exit 1)"
	expect_match "$out" "$FIX" "... with the fix in the message"
done
out=$(fwctl status 2>"$TMP/err")
expect_eq $? 0 "status succeeds"
expect_match "$out" "^$IF +[0-9]+ +generic +$id +alone +- +- +foreign" "... and lists it as foreign"
expect_match "$(cat "$TMP/err")" "$FIX" "... with the fix on stderr"
expect_eq "$(fwctl status "$IF" --json 2>/dev/null | json 'd["interfaces"][0]["foreign"]')" True "status --json: foreign true"
expect_eq "$(prog_id)" "$id" "the program is still attached"
after=$(map_state "$id")
[ -n "$before" ] && [ "$before" = "$after" ]
ok $? "nothing was written to its maps"

out=$(fwctl detach "$IF" --force 2>&1)
ok $? "detach --force removes it"
expect_eq "$(prog_id)" 0 "... no XDP program on the link"
[ ! -e "$PIN" ]
ok $? "... and no pins ($PIN)"

# --- a program of xdpfw's name without a stamp ------------------------------
ip -n "$FW" link set dev "$IF" xdpgeneric obj "$NOSTAMP" sec xdp
ok $? "ip link attaches a program named xdpfw_main without a stamp"
out=$(fwctl reload "$IF" "$TMP/fw.rules" 2>&1)
expect_eq $? 1 "reload refuses it (exit 1)"
expect_match "$out" "has no layout stamp" "... saying it has no stamp"
expect_match "$out" "$FIX" "... and what to do"
out=$(fwctl show "$IF" 2>&1)
expect_eq $? 1 "show refuses it (exit 1)"
expect_match "$(fwctl status 2>/dev/null)" "^$IF .* foreign" "status lists it as foreign"
fwctl detach --force "$IF" >/dev/null 2>&1
ok $? "detach --force (before IFACE) removes it"
expect_eq "$(prog_id)" 0 "... no XDP program on the link"

# --- this stamp, but a map of another shape --------------------------------
ip -n "$FW" link set dev "$IF" xdpgeneric obj "$BADMAPS" sec xdp
ok $? "ip link attaches a program with this stamp and a fw_config of 8-byte values"
out=$(fwctl stats "$IF" 2>&1)
expect_eq $? 1 "stats refuses it (exit 1)"
expect_match "$out" "has map fw_config with 4-byte keys, 8-byte values and 2 entries \(this fwctl's: 4, [0-9]+, 2\)" "... naming the map that differs"
expect_match "$out" "$FIX" "... and what to do"
expect_match "$(fwctl status 2>/dev/null)" "^$IF .* foreign" "status lists it as foreign"
fwctl detach "$IF" --force >/dev/null 2>&1
ok $? "detach --force removes it"
expect_eq "$(prog_id)" 0 "... no XDP program on the link"

# --- the option itself -------------------------------------------------------
out=$(fwctl detach "$IF" --forse 2>&1)
expect_eq $? 1 "detach with an unknown word exits 1"
out=$(fwctl detach "$IF" --force 2>&1)
expect_eq $? 1 "detach --force where nothing is attached exits 1"
expect_match "$out" "not attached to $IF" "... and says so"
tap_done
