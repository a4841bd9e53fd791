#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end, BIG TCP: a sender whose veth builds TCP super-packets of up to
# 185,000 bytes (gso_max_size and gso_ipv4_max_size above 64 KiB), xdpfw on
# the receiving veth with the default `malformed drop`, 50 MB over TCP to
# IPv4 and to IPv6, attached in native and then in generic mode.
#
# Generic XDP sees a super-packet whole (the kernel linearizes the skb for a
# program without multi-buffer support): IPv4 total length 0, IPv6 payload
# length 0 with a jumbo option (or, in newer kernels, without one). Native
# XDP on veth never does: it turns GSO off on the peer. So native is the
# yardstick, and generic must be within 2x of it with 0 packets counted
# malformed. A `len 65535` rule counts the super-packets (xdp/parse.h: their
# len is 65535) and their bytes: that generic mode met some, each larger
# than 64 KiB, is asserted, so the test cannot pass without them. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN=xbgen-$SUFFIX # sends
FW=xbfw-$SUFFIX   # receives, runs the firewall
IF_GEN=xba$SUFFIX IF_FW=xbb$SUFFIX
BIG=185000        # GSO/GRO size: BIG TCP
BYTES=50000000    # per transfer
RUNS=3            # per mode and family; the best one counts (a shared CPU is noisy)
SEND_S=60         # a transfer slower than this fails
SLOW_S=5          # past this a run is clearly failing: no more runs of it
PORT=5001
e2e_setup bigtcp

fwctl() { "$FWCTL" "$@"; }
fwstat() { # fwstat EXPR: one value of stats --json (d: the interface's object)
	fwctl -n "$FW" stats "$IF_FW" --json | json "(lambda d: $1)(d['interfaces'][0])"
}

ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "198.18.0.1/24 2001:db8:b16::1/64" "$FW" "$IF_FW" "198.18.0.2/24 2001:db8:b16::2/64"
# Both ends, both directions: GSO builds super-packets, GRO may merge up to them.
ip netns exec "$GEN" $PY "$TRAFFIC" link-sizes "$IF_GEN" $BIG $BIG &&
	ip netns exec "$FW" $PY "$TRAFFIC" link-sizes "$IF_FW" $BIG $BIG
ok $? "BIG TCP on $IF_GEN and $IF_FW: GSO and GRO sizes $BIG (IPv4 and IPv6)"
expect_match "$(ip -n "$GEN" -d link show "$IF_GEN")" "gso_max_size $BIG" "... the kernel reports gso_max_size $BIG"

# Super-packets and the rest of the transfer count under rules of their own.
cat >"$TMP/bigtcp.rules" <<RULES
# e2e BIG TCP: the default malformed drop stays
policy pass
pass ip tcp dport $PORT len 65535 name "super4"
pass ip6 tcp dport $PORT len 65535 name "super6"
pass tcp dport $PORT name "small"
RULES

# transfer ADDR: 50 MB to ADDR; prints the seconds it took, or fails.
transfer() {
	local out=$TMP/sink.$RANDOM rc spid
	ip netns exec "$FW" $PY "$TRAFFIC" tcp-sink "$1" $PORT $SEND_S >"$out" &
	spid=$!
	for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
	res=$(ip netns exec "$GEN" $PY "$TRAFFIC" tcp-send "$1" $PORT $BYTES $SEND_S)
	rc=$?
	wait "$spid"
	[ "$rc" -eq 0 ] && [ "$(grep -v ready "$out")" = "$BYTES" ] || return 1
	echo "${res#* }"
}

# measure MODE ADDR: attach in MODE, best of RUNS transfers to ADDR. Sets
# BEST (seconds) and leaves the program attached for its counters.
measure() {
	local mode=$1 addr=$2 t i
	fwctl -n "$FW" attach "$IF_FW" "$TMP/bigtcp.rules" --mode "$mode" >/dev/null
	ok $? "attach in $mode mode"
	BEST=
	for i in $(seq $RUNS); do
		t=$(transfer "$addr") || {
			ok 1 "$mode, $addr: 50 MB over TCP arrive within ${SEND_S}s"
			BEST=$SEND_S
			return
		}
		echo "# $mode, $addr: run $i: $BYTES bytes in ${t}s"
		if [ -z "$BEST" ] || $PY -c "import sys; sys.exit(not $t < $BEST)"; then BEST=$t; fi
		$PY -c "import sys; sys.exit(not $t > $SLOW_S)" && break
	done
	ok 0 "$mode, $addr: 50 MB over TCP arrive, best of $i in ${BEST}s"
}

# check_family NAME ADDR SUPER_RULE: native, then generic; assertions.
check_family() {
	local fam=$1 addr=$2 super=$3 native generic mal pk by s
	measure native "$addr"
	native=$BEST
	expect_eq "$(fwstat 'sum(v["packets"] for k, v in d["reasons"].items() if k not in ("rule", "policy", "nonip"))')" 0 \
		"$fam native: 0 packets counted malformed"
	fwctl -n "$FW" detach "$IF_FW" >/dev/null
	measure generic "$addr"
	generic=$BEST
	s=$(fwctl -n "$FW" stats "$IF_FW" --json)
	mal=$(echo "$s" | json 'sum(v["packets"] for k, v in d["interfaces"][0]["reasons"].items() if k not in ("rule", "policy", "nonip"))')
	expect_eq "$mal" 0 "$fam generic: 0 packets counted malformed"
	if [ "$mal" != 0 ]; then
		echo "$s" | json '"\n".join("%s %d" % (k, v["packets"]) for k, v in d["interfaces"][0]["reasons"].items() if v["packets"])' | sed 's/^/# /'
	fi
	pk=$(echo "$s" | json "[r['packets'] for r in d['interfaces'][0]['rules'] if r['name'] == '$super'][0]")
	by=$(echo "$s" | json "[r['bytes'] for r in d['interfaces'][0]['rules'] if r['name'] == '$super'][0]")
	echo "# $fam generic: rule $super counted $pk packets, $by bytes"
	[ "$pk" -gt 0 ] && [ "$by" -gt $((pk * 65536)) ]
	ok $? "$fam generic: the firewall saw super-packets ($pk frames at len 65535, $((pk ? by / pk : 0)) bytes on average: over 64 KiB)"
	$PY -c "import sys; sys.exit(not $generic <= 2 * $native)"
	ok $? "$fam: generic (${generic}s) within 2x of native (${native}s)"
	fwctl -n "$FW" detach "$IF_FW" >/dev/null
	ok $? "$fam: detach"
}

check_family IPv4 198.18.0.2 super4
check_family IPv6 2001:db8:b16::2 super6

expect_eq "$(ip -n "$FW" -j link show "$IF_FW" | json 'd[0].get("xdp","")')" "" "no XDP program left on $IF_FW"
ns_cleanup
expect_eq "$(ip netns list | grep -c -- "-$SUFFIX")" 0 "namespaces removed"
tap_done
