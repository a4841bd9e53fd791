# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared by the shell tests: TAP output, the fwctl under test, and throwaway
# network namespaces with a per-run suffix that are removed on exit, failure
# and interrupt alike. Source it; then call tap_done at the end.

PATH=$PATH:/usr/sbin:/sbin # ip, bpftool
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FWCTL=${FWCTL:-$TOP/build/fwctl}
TRAFFIC=$TOP/tests/e2e/traffic.py
PY=/usr/bin/python3 # Debian's: the one on PATH may be another build
SUFFIX=$(printf '%04x%04x' $((RANDOM)) $$ | tail -c 8)

TAP_N=0
TAP_FAILED=0

ok() { # ok CONDITION_RC DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3 (got '$1', want '$2')"; fi
}

# expect_match TEXT REGEX DESCRIPTION
expect_match() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '%s\n' "$1" | sed 's/^/# /'
	fi
}

# json 'PYTHON EXPR over d' < json: one value out of fwctl's --json output.
json() {
	$PY -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# e2e_setup NAME: a scratch directory $TMP, a list $PIDS of background
# processes, and a trap that kills them and removes the namespaces and $TMP
# on exit, failure and interrupt alike.
PIDS=()
e2e_setup() {
	TMP=$(mktemp -d "/tmp/xdpfw-$1.XXXXXX") || bail "cannot create a scratch directory"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}

e2e_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ns_cleanup
	rm -rf "$TMP"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

bail() {
	echo "Bail out! $*"
	exit 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || bail "these tests need root (BPF, network namespaces); run them as root"
}

# --- namespaces -----------------------------------------------------------
NETNS_LIST=()

ns_add() { # ns_add NAME
	ip netns add "$1" || bail "cannot create network namespace $1"
	NETNS_LIST+=("$1")
	ip -n "$1" link set lo up
}

# Pins of a namespace live under bpffs/xdpfw/netns:INODE (see ctl/bpffs.h).
ns_pin_dir() {
	echo "/sys/fs/bpf/xdpfw/netns:$(stat -L -c %i "/run/netns/$1" 2>/dev/null)"
}

ns_cleanup() {
	local ns
	for ns in "${NETNS_LIST[@]}"; do
		rm -rf "$(ns_pin_dir "$ns")" 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	NETNS_LIST=()
	# Under set -e a failing command would end the trap early: || true.
	rmdir /sys/fs/bpf/xdpfw 2>/dev/null || true
	return 0
}

# veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B (addresses with prefix, v4 and v6
# given as "v4/len v6/len")
nodad() { case $1 in *:*) echo nodad ;; esac; }

veth_pair() {
	local nsa=$1 ifa=$2 nsb=$4 ifb=$5 a
	ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb" ||
		bail "cannot create veth $ifa/$ifb"
	for a in $3; do ip -n "$nsa" addr add "$a" dev "$ifa" $(nodad "$a"); done
	for a in $6; do ip -n "$nsb" addr add "$a" dev "$ifb" $(nodad "$a"); done
	ip -n "$nsa" link set "$ifa" up
	ip -n "$nsb" link set "$ifb" up
}

