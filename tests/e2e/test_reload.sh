#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Atomic reload while traffic flows, in the style of nftables' atomic-replace
# test: a flow every rule set passes and a flow every rule set drops run
# while the rules are reloaded at least 100 times among different files.
# Then not one packet of the first flow was lost and not one of the second
# got through; the named drop rule counted every dropped packet across all
# reloads. Each reload replaces the attached program whole (each rule set
# has its own) and the replaced one leaves the kernel. A failed reload
# changes nothing, checked by traffic: a rule file with errors, a program
# the kernel refuses and a map write that fails midway (bpf(2) failures
# injected by tests/fault/failbpf.c). Then the same through the entry
# program, whose program array slot a reload replaces. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN=xfrgen-$SUFFIX FW=xfrfw-$SUFFIX
IF_GEN=ra$SUFFIX IF_FW=rb$SUFFIX
DST=198.51.100.2
PASS_PORT=7000 DROP_PORT=7001
SECS=${XDPFW_RELOAD_SECS:-8} MIN_RELOADS=100
e2e_setup reload

fwctl() { "$FWCTL" -n "$FW" "$@"; }
bad_count() { # packets of the rule named "bad"
	fwctl stats "$IF_FW" --json |
		json '[r["packets"] for r in d["interfaces"][0]["rules"] if r["name"] == "bad"][0]'
}

ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "198.51.100.1/24" "$FW" "$IF_FW" "$DST/24"

# Four different rule sets; each passes port 7000 and drops port 7001 with
# the rule named "bad", at different positions, under either policy.
cat >"$TMP/a.rules" <<RULES
policy pass
drop udp dport $DROP_PORT name "bad"
drop tcp dport 1-100
RULES
cat >"$TMP/b.rules" <<RULES
policy drop
pass icmp
drop udp dport $DROP_PORT name "bad"
pass udp dport $PASS_PORT name "good"
RULES
cat >"$TMP/c.rules" <<RULES
policy pass
drop saddr 203.0.113.0/24
drop ip6 udp
pass udp sport 1-65535 dport $PASS_PORT
drop udp sport 1-65535 dport $((DROP_PORT - 1))-$DROP_PORT name "bad"
RULES
{
	echo "policy pass"
	for i in $(seq 1 300); do echo "drop tcp dport $i"; done
	echo "drop ip udp dport $DROP_PORT name \"bad\""
} >"$TMP/d.rules"
# Sets are part of a generation too: they flip with the rules.
printf '# a list\n%s/24\n2001:db8:bad::/48\n' "${DST%.*}.0" >"$TMP/dsts.txt"
cat >"$TMP/e.rules" <<RULES
set drops = { 9, $DROP_PORT, 60000-60010 }
set dsts = file "dsts.txt"
policy pass
drop udp daddr @dsts dport @drops name "bad"
drop tcp dport != { 22, 80 }
RULES
printf 'policy drop\ndrop udp dport 70000\n' >"$TMP/broken.rules"
printf 'set gone = file "no-such-list.txt"\npolicy drop\ndrop saddr @gone\n' >"$TMP/nofile.rules"
FILES=(a b c d e)

FAILBPF=$TOP/build/tests/libfailbpf.so
[ -f "$FAILBPF" ] || bail "$FAILBPF is missing: build first (tests/build.sh)"
PIN=$(ns_pin_dir "$FW")/$IF_FW
prog_id() { ip -n "$FW" -j link show "$IF_FW" | json 'd[0]["xdp"]["prog"]["id"]'; }
# slot_id: the program in the entry program's slot (fw_progs[0]), or nothing.
slot_id() {
	bpftool -j map lookup pinned "$PIN/fw_progs" key 0 0 0 0 2>/dev/null |
		json 'int.from_bytes(bytes(int(b, 16) for b in d["value"]), "little")' 2>/dev/null
}

fwctl attach "$IF_FW" "$TMP/a.rules" >/dev/null
ok $? "attach"
expect_eq "$(slot_id)" "" "attached alone: the rule set's program itself, the program array empty"
ip netns exec "$GEN" ping -c 1 -W 2 -q "$DST" >/dev/null # resolve ARP first

# --- reload loop under traffic ----------------------------------------------
ip netns exec "$FW" $PY "$TRAFFIC" recv-udp "$DST" "$PASS_PORT,$DROP_PORT" 3 >"$TMP/recv" &
RECV=$!
PIDS+=($RECV)
for _ in $(seq 50); do grep -q ready "$TMP/recv" && break; sleep 0.1; done
ip netns exec "$GEN" $PY "$TRAFFIC" send-udp-for "$DST" $PASS_PORT "$SECS" >"$TMP/sent.pass" &
SP=$!
ip netns exec "$GEN" $PY "$TRAFFIC" send-udp-for "$DST" $DROP_PORT "$SECS" >"$TMP/sent.drop" &
SD=$!
PIDS+=($SP $SD)

reloads=0 failed=0 backwards=0 last_bad=0 i=0 same_prog=0 old_ids=
start=$(date +%s%N)
while kill -0 "$SP" 2>/dev/null || [ "$reloads" -lt "$MIN_RELOADS" ]; do
	i=$((i + 1))
	f=${FILES[$((i % ${#FILES[@]}))]}
	before_id=$(prog_id)
	if fwctl reload "$IF_FW" "$TMP/$f.rules" >/dev/null 2>"$TMP/err"; then
		reloads=$((reloads + 1))
		[ "$(prog_id)" = "$before_id" ] && same_prog=$((same_prog + 1))
		[ $((i % 10)) -eq 1 ] && old_ids="$old_ids $before_id"
	else
		failed=$((failed + 1))
		sed 's/^/# /' "$TMP/err"
	fi
	if [ $((i % 10)) -eq 0 ]; then # stats never go backwards for a kept rule
		now=$(bad_count)
		[ "$now" -lt "$last_bad" ] && backwards=$((backwards + 1))
		last_bad=$now
	fi
	[ "$i" -gt 100000 ] && break
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
wait "$SP" "$SD" "$RECV"
sent_pass=$(cat "$TMP/sent.pass") sent_drop=$(cat "$TMP/sent.drop")
got_pass=$(awk -v p=$PASS_PORT '$1 == p { print $2 }' "$TMP/recv")
got_drop=$(awk -v p=$DROP_PORT '$1 == p { print $2 }' "$TMP/recv")
echo "# $reloads reloads in $elapsed_ms ms ($((elapsed_ms / (reloads > 0 ? reloads : 1))) ms each, fwctl start-up included); flows: $sent_pass + $sent_drop packets"

[ "$reloads" -ge "$MIN_RELOADS" ]
ok $? "at least $MIN_RELOADS reloads while traffic flowed ($reloads)"
expect_eq "$failed" 0 "no reload failed"
expect_eq "$got_pass" "$sent_pass" "every packet of the passed flow arrived ($sent_pass)"
expect_eq "$got_drop" 0 "no packet of the dropped flow got through (of $sent_drop)"
expect_eq "$backwards" 0 "the counter of the rule named 'bad' never went backwards"
expect_eq "$(bad_count)" "$sent_drop" "the rule named 'bad' counted every dropped packet across all reloads"
expect_eq "$same_prog" 0 "every reload attached the new rule set's own program in place of the old"
left=
for id in $old_ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"; done
expect_eq "$left" "" "the replaced programs left the kernel"

# --- a failed reload keeps the old program ------------------------------------
fwctl reload "$IF_FW" "$TMP/b.rules" >/dev/null
id=$(prog_id)
digest=$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]')
out=$(FW_FAILBPF_CMD=5 FW_FAILBPF_AT=0 LD_PRELOAD=$FAILBPF "$FWCTL" -n "$FW" reload "$IF_FW" "$TMP/d.rules" 2>&1)
expect_eq $? 2 "reload whose program the kernel refuses exits 2"
expect_match "$out" "cannot load the program of the rule set" "... and says which program"
expect_eq "$(prog_id)" "$id" "... the old program stays attached"
expect_eq "$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]')" "$digest" "... with its rules"
for at in 1 3; do
	out=$(FW_FAILBPF_CMD=2 FW_FAILBPF_AT=$at LD_PRELOAD=$FAILBPF "$FWCTL" -n "$FW" reload "$IF_FW" "$TMP/e.rules" 2>&1)
	expect_eq $? 2 "reload whose map write $at fails exits 2"
	expect_eq "$(prog_id)" "$id" "... the old program stays attached"
	expect_eq "$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]')" "$digest" "... with its rules"
done

# --- a failed reload changes nothing -----------------------------------------------
fwctl reload "$IF_FW" "$TMP/b.rules" >/dev/null
before=$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]')
bad_before=$(bad_count)
out=$(fwctl reload "$IF_FW" "$TMP/broken.rules" 2>&1)
expect_eq $? 1 "reload with a syntax error exits 1"
expect_match "$out" "broken.rules:2:[0-9]+: error" "... with FILE:LINE:COL"
expect_match "$out" "the running rules stay on $IF_FW" "... and says the running rules stay"
out=$(fwctl reload "$IF_FW" "$TMP/missing.rules" 2>&1)
expect_eq $? 1 "reload with a missing file exits 1"
out=$(fwctl reload "$IF_FW" "$TMP/nofile.rules" 2>&1)
expect_eq $? 1 "reload with a set file that does not exist exits 1"
expect_match "$out" "nofile.rules:1:[0-9]+: error: cannot read set file" "... and names the set file's line"
expect_eq "$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]')" "$before" "the rule digest is unchanged"
ip netns exec "$FW" $PY "$TRAFFIC" recv-udp "$DST" "$PASS_PORT,$DROP_PORT,7002" 2 >"$TMP/recv2" &
RECV=$!
for _ in $(seq 50); do grep -q ready "$TMP/recv2" && break; sleep 0.1; done
for port in $PASS_PORT $DROP_PORT 7002; do
	ip netns exec "$GEN" $PY "$TRAFFIC" send-udp "$DST" "$port" 500
done
wait "$RECV"
# b.rules (policy drop) is still the one running: 7002 is dropped too; the
# broken file would have dropped nothing but port 70000, which is no port.
expect_eq "$(awk -v p=$PASS_PORT '$1 == p { print $2 }' "$TMP/recv2")" 500 "after the failed reloads, the passed flow still passes"
expect_eq "$(awk -v p=$DROP_PORT '$1 == p { print $2 }' "$TMP/recv2")" 0 "... the dropped flow is still dropped"
expect_eq "$(awk '$1 == 7002 { print $2 }' "$TMP/recv2")" 0 "... and the old policy drop still holds"
expect_eq "$(bad_count)" $((bad_before + 500)) "... and the counters went on from where they were"

# --- through the entry program -----------------------------------------------
# What runs under libxdp's dispatcher (which cannot load here): the entry
# program, the object loaded as it is, tail-calls the rule set's program in
# slot 0 of fw_progs. Built by hand from the pins: the entry program on the
# same maps, the running rule set's program in its slot, then put in place.
# (nsenter, not ip -n: that would hide the bpffs behind a new /sys.)
maps=()
for m in "$PIN"/fw_*; do maps+=(map name "$(basename "$m")" pinned "$m"); done
bpftool prog load "$TOP/build/xdpfw.bpf.o" "$PIN/entry" type xdp "${maps[@]}" &&
	bpftool map update pinned "$PIN/fw_progs" key 0 0 0 0 value pinned "$PIN/prog" &&
	nsenter --net="/run/netns/$FW" ip -force link set dev "$IF_FW" xdpdrv pinned "$PIN/entry"
ok $? "the entry program, with the rule set's program in its slot, replaces it"
entry=$(prog_id)
slot=$(slot_id)
out=$(fwctl reload "$IF_FW" "$TMP/a.rules" 2>&1)
ok $? "reload through the entry program"
expect_eq "$(prog_id)" "$entry" "... keeps the entry program attached"
[ -n "$(slot_id)" ] && [ "$(slot_id)" != "$slot" ]
ok $? "... and puts the new rule set's program in its slot ($slot -> $(slot_id))"
expect_eq "$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["rules"]')" 2 "status reads the new rules"
out=$(fwctl explain "$IF_FW" udp saddr 198.51.100.1 daddr $DST dport $DROP_PORT 2>&1)
ok $? "explain runs the entry program, which runs the rule set's"
expect_match "$out" "returned XDP_DROP, as the model says" "... and the program drops what the model drops"
ip netns exec "$FW" $PY "$TRAFFIC" recv-udp "$DST" "$PASS_PORT,$DROP_PORT" 2 >"$TMP/recv3" &
RECV=$!
for _ in $(seq 50); do grep -q ready "$TMP/recv3" && break; sleep 0.1; done
bad_before=$(bad_count)
for port in $PASS_PORT $DROP_PORT; do
	ip netns exec "$GEN" $PY "$TRAFFIC" send-udp "$DST" "$port" 300
done
wait "$RECV"
expect_eq "$(awk -v p=$PASS_PORT '$1 == p { print $2 }' "$TMP/recv3")" 300 "through the entry program, the passed flow passes"
expect_eq "$(awk -v p=$DROP_PORT '$1 == p { print $2 }' "$TMP/recv3")" 0 "... the dropped flow is dropped"
expect_eq "$(bad_count)" $((bad_before + 300)) "... and counted by its rule"

# --- serialised: concurrent reloads all succeed, one set wins whole -----------
pids=()
for n in 1 2 3 4 5 6; do
	fwctl reload "$IF_FW" "$TMP/${FILES[$((n % 5))]}.rules" >/dev/null 2>&1 &
	pids+=($!)
done
conc_failed=0
for p in "${pids[@]}"; do wait "$p" || conc_failed=$((conc_failed + 1)); done
expect_eq "$conc_failed" 0 "six concurrent reloads all succeed (a lock serialises them)"
n=$(fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["rules"]')
case $n in 2 | 3 | 4 | 301) ok 0 "one whole rule set runs afterwards ($n rules)" ;; *) ok 1 "one whole rule set runs afterwards ($n rules)" ;; esac

out=$(fwctl reload "nosuch$SUFFIX" "$TMP/a.rules" 2>&1)
expect_eq $? 1 "reload of a missing interface exits 1"
fwctl detach "$IF_FW" >/dev/null
out=$(fwctl reload "$IF_FW" "$TMP/a.rules" 2>&1)
expect_eq $? 1 "reload where xdpfw is not attached exits 1"
expect_match "$out" "not attached to $IF_FW; use fwctl attach" "... and says to attach"
tap_done
