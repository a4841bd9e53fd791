#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The main job on a throwaway veth pair: build, attach rules/demo.rules to one
# end inside a namespace, send UDP, TCP and ICMP from the other end, show the
# counters, detach. Everything it creates is removed on exit, failure too.
set -eu
. "$(dirname "$0")/e2e/lib.sh"
require_root
bash "$TOP/tests/build.sh"

GEN=xfdemo-gen-$SUFFIX FW=xfdemo-fw-$SUFFIX
IF_GEN=xg$SUFFIX IF_FW=xf$SUFFIX
RULES=${1:-$TOP/rules/demo.rules}
trap ns_cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "192.0.2.1/24" "$FW" "$IF_FW" "192.0.2.2/24"

say "the rules ($RULES)"
grep -v '^[[:space:]]*$' "$RULES"
say "attach to $IF_FW in namespace $FW"
run "$FWCTL" -n "$FW" attach "$IF_FW" "$RULES"
run "$FWCTL" -n "$FW" status

say "traffic from $GEN: 3 pings, 500 UDP datagrams to port 53 and 500 to port 54"
ip netns exec "$GEN" ping -c 3 -i 0.2 -W 1 -q 192.0.2.2 | grep -E 'transmitted' || true
ip netns exec "$FW" $PY "$TRAFFIC" recv-udp 192.0.2.2 53,54 2 >/tmp/xdpfw-demo.$SUFFIX &
sleep 0.5
ip netns exec "$GEN" $PY "$TRAFFIC" send-udp 192.0.2.2 53 500
ip netns exec "$GEN" $PY "$TRAFFIC" send-udp 192.0.2.2 54 500
wait
awk '$1 ~ /^[0-9]+$/ { printf "received on port %s: %s\n", $1, $2 }' /tmp/xdpfw-demo.$SUFFIX
rm -f /tmp/xdpfw-demo.$SUFFIX

say "counters"
run "$FWCTL" -n "$FW" stats "$IF_FW"

say "detach"
run "$FWCTL" -n "$FW" detach "$IF_FW"
