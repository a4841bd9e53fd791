#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: two namespaces joined by veth pairs, xdpfw attached with fwctl
# on the receiving ends, real UDP/TCP/ICMP traffic, counters read back,
# detach from a fresh `ip netns exec`, and nothing left behind. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN=xfgen-$SUFFIX   # sends
FW=xffw-$SUFFIX     # runs the firewall
IF_GEN=xa$SUFFIX IF_FW=xb$SUFFIX     # pair 1: 198.51.100.0/24, 2001:db8:1::/64
IF_GEN2=xc$SUFFIX IF_FW2=xd$SUFFIX   # pair 2: 203.0.113.0/24
e2e_setup e2e

fwctl() { "$FWCTL" "$@"; }
in_gen() { ip netns exec "$GEN" "$@"; }

# udp_run PORTS ADDR "PORT COUNT ..." -> prints "PORT RECEIVED" lines
udp_run() {
	local ports=$1 addr=$2 out=$TMP/recv.$RANDOM
	shift 2
	ip netns exec "$FW" $PY "$TRAFFIC" recv-udp "$addr" "$ports" 2 >"$out" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
	while [ $# -ge 2 ]; do
		in_gen $PY "$TRAFFIC" send-udp "$addr" "$1" "$2"
		shift 2
	done
	wait "$rpid"
	grep -v ready "$out"
}
received() { # received OUTPUT PORT
	printf '%s\n' "$1" | awk -v p="$2" '$1 == p { print $2 }'
}


ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "198.51.100.1/24 2001:db8:1::1/64" "$FW" "$IF_FW" "198.51.100.2/24 2001:db8:1::2/64"
veth_pair "$GEN" "$IF_GEN2" "203.0.113.1/24" "$FW" "$IF_FW2" "203.0.113.2/24"

cat >"$TMP/web.rules" <<'RULES'
# e2e: pass by default, drop DNS, one TCP port and one IPv6 UDP port
policy pass
drop udp dport 53
drop tcp dport 8081
drop ip6 udp dport 5353
RULES
cat >"$TMP/noping.rules" <<'RULES'
drop icmp
RULES
printf 'policy pass\ndrop udp dport 99999\n' >"$TMP/bad.rules"

# Stale pins (a namespace deleted without detach, its inode reused) give way.
stale=$(ns_pin_dir "$FW")/$IF_FW
mkdir -p "$stale" && bpftool map create "$stale/fw_config" type array key 4 value 16 entries 1 name xfstale

# --- attach and status ------------------------------------------------------
out=$(fwctl -n "$FW" attach "$IF_FW" "$TMP/web.rules" 2>&1)
ok $? "attach $IF_FW in namespace $FW"
st=$(fwctl -n "$FW" status --json)
expect_eq "$(echo "$st" | json 'len(d["interfaces"])')" 1 "status lists one interface"
expect_eq "$(echo "$st" | json 'd["interfaces"][0]["interface"]')" "$IF_FW" "status names $IF_FW"
expect_eq "$(echo "$st" | json 'd["interfaces"][0]["mode"]')" native "veth gets native mode"
expect_eq "$(echo "$st" | json 'd["interfaces"][0]["rules"]')" 3 "status shows 3 rules"
# libxdp's dispatcher where the kernel loads freplace programs, else alone
# (as on the development VMs): the kernel then reports our program itself.
xdp_id=$(ip -n "$FW" -j link show "$IF_FW" | json 'd[0].get("xdp",{}).get("prog",{}).get("id",0)')
attach=$(echo "$st" | json 'd["interfaces"][0]["attach"]')
if [ "$attach" = alone ]; then
	expect_eq "$(echo "$st" | json 'd["interfaces"][0]["program_id"]')" "$xdp_id" "attached alone: status program id is the one the kernel reports"
else
	expect_match "$(bpftool prog show id "$xdp_id")" "xdp_dispatcher" "attached through libxdp's dispatcher"
fi
[ -e "$(ns_pin_dir "$FW")/$IF_FW/prog" ] && [ -e "$(ns_pin_dir "$FW")/$IF_FW/fw_rules" ]
ok $? "program and maps pinned under $(ns_pin_dir "$FW")/$IF_FW"
expect_match "$(bpftool map show pinned "$stale/fw_config")" "name fw_config" "a stale pin was replaced by the live map"
# This run's program and maps: at the end, exactly these must be gone.
PROG_ID=$(echo "$st" | json 'd["interfaces"][0]["program_id"]')
MAP_IDS=$(bpftool -j prog show id "$PROG_ID" | json '" ".join(str(m) for m in d["map_ids"])')
[ -n "$MAP_IDS" ]
ok $? "the program's maps are known ($MAP_IDS)"

# --- traffic ----------------------------------------------------------------
in_gen ping -c 3 -i 0.2 -W 2 -q 198.51.100.2 >/dev/null
ok $? "ICMP echo passes (policy pass)"
in_gen ping -6 -c 3 -i 0.2 -W 2 -q 2001:db8:1::2 >/dev/null
ok $? "ICMPv6 echo passes, neighbour discovery works"

res=$(udp_run 53,54 198.51.100.2 53 1000 54 1000)
expect_eq "$(received "$res" 53)" 0 "1000 UDP frames to port 53: none arrive"
expect_eq "$(received "$res" 54)" 1000 "1000 UDP frames to port 54: all arrive"

s=$(fwctl -n "$FW" stats "$IF_FW" --json)
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["rules"][0]["packets"]')" 1000 "stats: 1000 packets on rule 'drop udp dport 53'"
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["rules"][0]["bytes"]')" $((1000 * (14 + 20 + 8 + 32))) "stats: bytes on the rule are 1000 whole frames"
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["rules"][0]["line"]')" 3 "stats: the rule is on line 3"
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["reasons"]["rule"]["packets"]')" 1000 "stats: reason 'rule' counts the 1000 drops"
pol=$(echo "$s" | json 'd["interfaces"][0]["reasons"]["policy"]["packets"]')
[ "$pol" -ge 1006 ]
ok $? "stats: policy counted the 1000 passed UDP frames and the pings ($pol)"
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["dropped"]["packets"]')" 1000 "stats: 1000 dropped in all"
txt=$(fwctl -n "$FW" stats "$IF_FW")
expect_match "$txt" " 1000 +74000 +drop udp dport 53" "text stats show the rule with its 1000 packets"

ip netns exec "$FW" $PY "$TRAFFIC" tcp-listen 198.51.100.2 8080,8081 20 >"$TMP/listen" &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$TMP/listen" && break; sleep 0.1; done
in_gen $PY "$TRAFFIC" tcp-connect 198.51.100.2 8080 3 2>/dev/null
ok $? "TCP to port 8080 connects"
in_gen $PY "$TRAFFIC" tcp-connect 198.51.100.2 8081 2 2>/dev/null
ok $((!$?)) "TCP to port 8081 is dropped (connect times out)"

res=$(udp_run 5353,5354 2001:db8:1::2 5353 200 5354 200)
expect_eq "$(received "$res" 5353)" 0 "IPv6 UDP to 5353: none arrive"
expect_eq "$(received "$res" 5354)" 200 "IPv6 UDP to 5354: all arrive"

# --- a second interface leaves the first alone --------------------------------
in_gen ping -c 1 -W 2 -q 203.0.113.2 >/dev/null
ok $? "ping through $IF_FW2 works before anything is attached to it"
fwctl -n "$FW" attach "$IF_FW2" "$TMP/noping.rules" --mode generic >/dev/null
ok $? "attach $IF_FW2 in generic mode"
st=$(fwctl -n "$FW" status --json)
expect_eq "$(echo "$st" | json 'sorted(i["interface"] + ":" + i["mode"] for i in d["interfaces"])')" \
	"$(printf "['%s:native', '%s:generic']" "$IF_FW" "$IF_FW2" | $PY -c "import sys,ast; print(sorted(ast.literal_eval(sys.stdin.read())))")" \
	"status lists both interfaces with their modes"
in_gen ping -c 2 -i 0.2 -W 1 -q 203.0.113.2 >/dev/null
ok $((!$?)) "ping through $IF_FW2 is dropped by its own rules"
expect_eq "$(fwctl -n "$FW" stats "$IF_FW2" --json | json 'd["interfaces"][0]["rules"][0]["packets"]')" 2 "... and its 'drop icmp' rule counted the 2 echo requests"
in_gen ping -c 2 -i 0.2 -W 2 -q 198.51.100.2 >/dev/null
ok $? "ping through $IF_FW still passes"
s=$(fwctl -n "$FW" stats "$IF_FW" --json)
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["rules"][0]["packets"]')" 1000 "the second attach did not touch the first one's counters"

# --- user errors: exit 1, nothing applied ----------------------------------
out=$(fwctl -n "$FW" attach "$IF_FW" "$TMP/web.rules" 2>&1)
expect_eq $? 1 "attaching twice exits 1"
expect_match "$out" "already attached to $IF_FW" "... and says it is already attached"
out=$(fwctl -n "$FW" attach nosuch$SUFFIX "$TMP/web.rules" 2>&1)
expect_eq $? 1 "attach to a missing interface exits 1"
expect_match "$out" "no such interface nosuch$SUFFIX" "... and names the interface"
out=$(fwctl -n "$FW" detach "$IF_FW2" 2>&1 && fwctl -n "$FW" attach "$IF_FW2" "$TMP/bad.rules" 2>&1)
expect_eq $? 1 "attach with a bad rule file exits 1"
expect_match "$out" "bad.rules:2:[0-9]+: error" "... with FILE:LINE:COL"
[ -z "$(ip -n "$FW" -j link show "$IF_FW2" | json 'd[0].get("xdp","")')" ]
ok $? "... and nothing is attached to $IF_FW2"
ALIEN=/usr/lib/$(gcc -dumpmachine)/bpf/xdpfilt_alw_all.o # from xdp-tools
ip -n "$FW" link set dev "$IF_FW2" xdp obj "$ALIEN" sec xdp
out=$(fwctl -n "$FW" attach "$IF_FW2" "$TMP/noping.rules" 2>&1)
expect_eq $? 1 "attach where another XDP program runs exits 1"
expect_match "$out" "another XDP program is attached that is not xdpfw" "... and says why"
expect_eq "$(ip -n "$FW" -j link show "$IF_FW2" | json 'd[0]["xdp"]["prog"]["name"]')" xdpfilt_alw_all "... and leaves that program alone"
out=$(fwctl -n "$FW" detach "$IF_FW2" 2>&1)
expect_eq $? 1 "detach refuses another tool's XDP program"
ip -n "$FW" link set dev "$IF_FW2" xdp off
out=$(fwctl -n "$FW" detach "$IF_FW2" 2>&1)
expect_eq $? 1 "detach where xdpfw is not attached exits 1"
expect_match "$out" "not attached to $IF_FW2" "... and says so"
out=$(fwctl -n nosuchns$SUFFIX status 2>&1)
expect_eq $? 1 "an unknown -n namespace exits 1"
for cmd in "attach $IF_FW2 $TMP/noping.rules" "status" "detach $IF_FW"; do
	out=$(nsenter --net="/run/netns/$FW" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$FWCTL" $cmd 2>&1)
	expect_eq $? 2 "fwctl ${cmd%% *} without privileges exits 2"
	expect_match "$out" "needs root.*run it as root" "... and says to run it as root"
done

# Native XDP refused for another reason (MTU): native names it, auto falls back.
ip -n "$FW" link add "xm$SUFFIX" mtu 9000 type veth peer name "xn$SUFFIX" mtu 9000
ip -n "$FW" link set "xm$SUFFIX" up && ip -n "$FW" link set "xn$SUFFIX" up
out=$(fwctl -n "$FW" attach "xm$SUFFIX" "$TMP/noping.rules" --mode native 2>&1)
expect_eq $? 2 "--mode native on a 9000-byte MTU veth exits 2"
expect_match "$out" "MTU.*lower the MTU or use --mode generic" "... and names the MTU"
out=$(fwctl -n "$FW" attach "xm$SUFFIX" "$TMP/noping.rules" 2>&1)
expect_eq $? 0 "auto mode attaches to it in generic mode"
expect_match "$out" "native XDP refused on xm$SUFFIX.*generic mode" "... with a note saying why"
fwctl -n "$FW" detach "xm$SUFFIX" >/dev/null
ok $? "detach from the 9000-byte MTU veth"

# A device without native XDP (a bridge): refused with --mode native, generic under auto.
ip -n "$FW" link add "xbr$SUFFIX" type bridge && ip -n "$FW" link set "xbr$SUFFIX" up
out=$(fwctl -n "$FW" attach "xbr$SUFFIX" "$TMP/noping.rules" --mode native 2>&1)
expect_eq $? 2 "--mode native on a bridge device exits 2"
expect_match "$out" "no native XDP.*--mode generic" "... and says to use generic mode"
out=$(fwctl -n "$FW" attach "xbr$SUFFIX" "$TMP/noping.rules" 2>&1)
expect_eq $? 0 "auto mode attaches to the bridge device"
expect_match "$out" "native XDP refused.*generic mode" "... in generic mode, with a note"
expect_eq "$(fwctl -n "$FW" status "xbr$SUFFIX" --json | json 'd["interfaces"][0]["mode"]')" generic "status shows generic mode on the bridge device"
fwctl -n "$FW" detach "xbr$SUFFIX" >/dev/null
ok $? "detach from the bridge device"

# --- without pins (a fresh ip netns exec on a host without bpffs) ------------
rm -rf "$(ns_pin_dir "$FW")/$IF_FW"
out=$(ip netns exec "$FW" "$FWCTL" stats "$IF_FW" --json 2>"$TMP/err")
expect_eq "$(echo "$out" | json 'd["interfaces"][0]["rules"][0]["packets"]')" 1000 "stats find the maps from the program when pins are gone"
expect_match "$(cat "$TMP/err")" "no pins for $IF_FW" "... and say that pins are missing"

# --- detach from a separate ip netns exec: nothing left ------------------------
fwctl -n "$FW" attach "$IF_FW2" "$TMP/noping.rules" >/dev/null
ip netns exec "$FW" "$FWCTL" detach "$IF_FW2" >/dev/null
ok $? "detach $IF_FW2 from ip netns exec"
res=$(udp_run 53 198.51.100.2 53 100)
expect_eq "$(received "$res" 53)" 0 "$IF_FW still drops after the other interface's detach"
ip netns exec "$FW" "$FWCTL" detach "$IF_FW" >/dev/null 2>&1
ok $? "detach $IF_FW from ip netns exec"
expect_eq "$(ip -n "$FW" -j link show "$IF_FW" | json 'd[0].get("xdp","")')" "" "no XDP program left on $IF_FW"
[ ! -e "$(ns_pin_dir "$FW")" ]
ok $? "no pins left for the namespace"
left() { # ids of this run's program and maps still in the kernel
	local id
	bpftool prog show id "$PROG_ID" >/dev/null 2>&1 && echo "prog $PROG_ID"
	for id in $MAP_IDS; do bpftool map show id "$id" >/dev/null 2>&1 && echo "map $id"; done
}
for _ in $(seq 50); do [ -z "$(left)" ] && break; sleep 0.1; done
expect_eq "$(left | tr '\n' ' ')" "" "no program or map of this run left in the kernel"
res=$(udp_run 53 198.51.100.2 53 100)
expect_eq "$(received "$res" 53)" 100 "after detach, port 53 traffic arrives"
st=$(fwctl -n "$FW" status)
expect_match "$st" "not attached to any interface" "status says nothing is attached"

ns_cleanup
expect_eq "$(ip netns list | grep -c -- "-$SUFFIX")" 0 "namespaces removed"
tap_done
