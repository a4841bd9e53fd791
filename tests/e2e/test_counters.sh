#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Counter slots over reloads: a named rule keeps its counters, a new rule
# starts at zero even in a slot an older rule counted in, and a packet of
# the old generation that finishes while fwctl waits for readers does not
# land in a new rule's counters (played by late_packet.c, preloaded into
# fwctl: it counts in the reused slot when fwctl calls membarrier). Zeroing
# before that wait would show its packet. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN=xfcgen-$SUFFIX FW=xfcfw-$SUFFIX
IF_GEN=ca$SUFFIX IF_FW=cb$SUFFIX
DST=198.51.100.2
LATE=$TOP/build/tests/liblatepacket.so
MAX_RULES=16384 # XDPFW_MAX_RULES: generation g's rules are keys g * 16384 on
e2e_setup counters

fwctl() { "$FWCTL" -n "$FW" "$@"; }
send() { ip netns exec "$GEN" $PY "$TRAFFIC" send-udp "$DST" "$1" "$2"; }
# rule NAME FIELD: a field of the named rule in fwctl stats --json
# (packets, or within/over of its limit).
rule() {
	fwctl stats "$IF_FW" --json | json "[r['limit']['$2'] if '$2' in ('within', 'over') else r['$2'] for r in d['interfaces'][0]['rules'] if r['name'] == '$1'][0]"
}
# slot_of IDX: the counter slot of rule IDX of the active generation, from
# the pinned maps (struct xdpfw_rule.counter: bytes 8-11).
slot_of() {
	local gen key
	gen=$(bpftool -j map lookup pinned "$PIN/fw_active" key 0 0 0 0 | json 'int(d["value"][0], 16) & 1')
	key=$((gen * MAX_RULES + $1))
	bpftool -j map lookup pinned "$PIN/fw_rules" key $((key & 255)) $((key >> 8 & 255)) 0 0 |
		json 'int.from_bytes(bytes(int(b, 16) for b in d["value"][8:12]), "little")'
}

[ -f "$LATE" ] || bail "$LATE is missing: build first (tests/build.sh)"
ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "198.51.100.1/24" "$FW" "$IF_FW" "$DST/24"
PIN=$(ns_pin_dir "$FW")/$IF_FW

cat >"$TMP/a.rules" <<'RULES'
policy pass
drop udp dport 9 limit over 1/m burst 2 name "a"
drop udp dport 10 name "keep"
RULES
cat >"$TMP/b.rules" <<'RULES'
policy pass
drop udp dport 10 name "keep"
drop udp dport 9 name "b"
RULES
cat >"$TMP/c.rules" <<'RULES'
policy pass
drop udp dport 9 limit over 1/m burst 2 name "c"
drop udp dport 10 name "keep"
RULES

fwctl attach "$IF_FW" "$TMP/a.rules" >/dev/null
ok $? "attach"
ip netns exec "$GEN" ping -c 1 -W 2 -q "$DST" >/dev/null # resolve ARP first
send 9 5
send 10 3
a_slot=$(slot_of 0)
expect_eq "$(rule a packets)/$(rule a within)/$(rule a over)" 3/2/3 "rule a: 2 packets within its limit, 3 over (counted)"
expect_eq "$(rule keep packets)" 3 "rule keep counted 3 packets"

fwctl reload "$IF_FW" "$TMP/b.rules" >/dev/null
ok $? "reload to a set without rule a"
expect_eq "$(rule b packets)" 0 "the new rule b starts at zero"
expect_eq "$(rule keep packets)" 3 "rule keep kept its counter"
send 9 2
expect_eq "$(rule b packets)" 2 "rule b counts from there"

# Rule a's generation is now the idle one: its slot is free, and c gets it.
out=$(LD_PRELOAD=$LATE XDPFW_TEST_LATE_SLOT=$a_slot XDPFW_TEST_LATE_PINS="$PIN/fw_rule_stats $PIN/fw_limit_stats" \
	"$FWCTL" -n "$FW" reload "$IF_FW" "$TMP/c.rules" 2>&1)
ok $? "reload to a set with the new limited rule c, while a late packet of rule a counts"
expect_match "$out" "late_packet: one packet in slot $a_slot of .*fw_rule_stats" "... the late packet counted during fwctl's wait for readers"
expect_eq "$(slot_of 0)" "$a_slot" "... rule c took rule a's slot (what this test is about)"
expect_eq "$(rule c packets)/$(rule c within)/$(rule c over)" 0/0/0 "rule c starts at zero: neither rule a's counts nor the late packet show"
expect_eq "$(rule keep packets)" 3 "rule keep still has its counter"
send 9 5
expect_eq "$(rule c packets)/$(rule c within)/$(rule c over)" 3/2/3 "rule c counts from zero, its bucket full: 2 within, 3 over"

fwctl detach "$IF_FW" >/dev/null
ok $? "detach"
tap_done
