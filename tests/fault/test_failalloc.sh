#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Fail closed: allocation-failure injection over fwctl check, attach and
# reload. tests/fault/failalloc.c, preloaded into fwctl, makes the Nth
# allocation fail (fwctl's, libbpf's, libxdp's or libc's). Every run must
# either give exactly the good result (same output; the same rule set
# running, by its digest) or exit non-zero with an error message and change
# nothing on the interface (nothing attached; the old rules running).
#
# check tries every N. attach and reload (hundreds of allocations, most of
# them libbpf's, and a fraction of a second a run) try XDPFW_FAILALLOC_POINTS
# Ns per file, evenly spread from an offset drawn anew each run (printed, and
# set with XDPFW_FAILALLOC_OFFSET), so that runs cover different points;
# XDPFW_FAILALLOC_ALL=1 tries every N (the full run: an hour or more).
# XDPFW_FAILALLOC_FILES limits the rule files. Needs root. TAP.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
require_root
e2e_setup failalloc

LIB=${FAILALLOC_LIB:-$TOP/build/tests/libfailalloc.so}
[ -f "$LIB" ] || bail "no $LIB: build first (tests/build.sh)"
POINTS=${XDPFW_FAILALLOC_POINTS:-24}
ALL=${XDPFW_FAILALLOC_ALL:-0}
OFFSET=${XDPFW_FAILALLOC_OFFSET:-$RANDOM}
echo "# attach and reload: $([ "$ALL" = 1 ] && echo "every N" || echo "$POINTS Ns a file, offset $OFFSET (XDPFW_FAILALLOC_OFFSET)")"
FILES=${XDPFW_FAILALLOC_FILES:-"$TOP/rules/*.rules $TOP/tests/fault/full.rules"}

NS=fa$SUFFIX
IF=fa$SUFFIX
ns_add "$NS"
ip -n "$NS" link add "$IF" type veth peer name "${IF}p" || bail "cannot create veth"
ip -n "$NS" link set "$IF" up
ip -n "$NS" link set "${IF}p" up

# allocations COMMAND...: how many allocations a clean run of fwctl makes.
allocations() {
	rm -f "$TMP/count"
	FW_FAILALLOC_COUNT=$TMP/count LD_PRELOAD=$LIB "$@" >/dev/null 2>&1
	cat "$TMP/count" 2>/dev/null || echo 0
}

# run N COMMAND...: fwctl with allocation N failing; $rc, $TMP/out, $TMP/err.
run() {
	local n=$1
	shift
	FW_FAILALLOC=$n LD_PRELOAD=$LIB "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# The Ns to try for a run of `total` allocations.
points() {
	local total=$1 step n
	if [ "$ALL" = 1 ] || [ "$total" -le "$POINTS" ]; then
		seq 1 "$total"
		return
	fi
	step=$((total / POINTS))
	for ((n = 1 + OFFSET % step; n <= total; n += step)); do echo "$n"; done
}

running_digest() {
	"$FWCTL" -n "$NS" status "$IF" --json 2>/dev/null |
		json 'd["interfaces"][0]["digest"] if d["interfaces"] else "none"' 2>/dev/null ||
		echo none
}

attached() { ip -n "$NS" link show dev "$IF" | grep -q ' xdp'; }

# A failed run must say what failed: an error line, not silence. (A crash
# in libbpf under memory pressure says so too: see ctl/log.c.)
said_error() { grep -q 'error' "$TMP/err"; }

# Tally one file and mode: bad runs are counted and the first few shown.
report() { # report WHAT RUNS SHORT SILENT
	local what=$1 runs=$2 short=$3 silent=$4
	ok $((short + silent)) "$what: $runs runs, $short applied less than the file, $silent failed without a message"
}

digest_of() { "$FWCTL" check "$1" 2>/dev/null | sed -n 's/.*digest \([0-9a-f]*\).*/\1/p'; }

for f in $FILES; do
	name=$(basename "$f")
	want=$(digest_of "$f")
	[ -n "$want" ] || bail "$f does not pass fwctl check"
	"$FWCTL" check "$f" >"$TMP/good" 2>/dev/null

	# --- check: every allocation.
	total=$(allocations "$FWCTL" check "$f")
	runs=0 short=0 silent=0
	for n in $(seq 1 "$total"); do
		run "$n" "$FWCTL" check "$f"
		runs=$((runs + 1))
		if [ "$rc" -eq 0 ]; then
			cmp -s "$TMP/out" "$TMP/good" || { short=$((short + 1)); echo "# check $name N=$n: exit 0 with other output: $(head -c 200 "$TMP/out")"; }
		elif ! said_error; then
			silent=$((silent + 1))
			echo "# check $name N=$n: exit $rc without a message"
		fi
	done
	report "check $name" "$runs" "$short" "$silent"
	[ "$total" -gt 50 ]
	ok $? "check $name: the count is real ($total allocations)"

	# --- attach: nothing or everything.
	total=$(allocations "$FWCTL" -n "$NS" attach "$IF" "$f")
	"$FWCTL" -n "$NS" detach "$IF" >/dev/null 2>&1
	runs=0 short=0 silent=0
	for n in $(points "$total"); do
		run "$n" "$FWCTL" -n "$NS" attach "$IF" "$f"
		runs=$((runs + 1))
		got=$(running_digest)
		if [ "$rc" -eq 0 ]; then
			[ "$got" = "$want" ] || { short=$((short + 1)); echo "# attach $name N=$n: exit 0, running digest $got, want $want"; }
		else
			said_error || { silent=$((silent + 1)); echo "# attach $name N=$n: exit $rc without a message"; }
			if attached || [ "$got" != none ]; then
				short=$((short + 1))
				echo "# attach $name N=$n: failed (exit $rc) but left xdp attached (digest $got)"
			fi
		fi
		"$FWCTL" -n "$NS" detach "$IF" >/dev/null 2>&1
		attached && ip -n "$NS" link set dev "$IF" xdp off
	done
	report "attach $name" "$runs" "$short" "$silent"

	# --- reload: the new rules, or the old ones untouched.
	base=$TOP/rules/demo.rules
	[ "$f" = "$base" ] && base=$TOP/rules/server.rules
	old=$(digest_of "$base")
	"$FWCTL" -n "$NS" attach "$IF" "$base" >/dev/null 2>&1 || bail "cannot attach $base"
	total=$(allocations "$FWCTL" -n "$NS" reload "$IF" "$f")
	"$FWCTL" -n "$NS" reload "$IF" "$base" >/dev/null 2>&1
	runs=0 short=0 silent=0
	for n in $(points "$total"); do
		run "$n" "$FWCTL" -n "$NS" reload "$IF" "$f"
		runs=$((runs + 1))
		got=$(running_digest)
		if [ "$rc" -eq 0 ]; then
			[ "$got" = "$want" ] || { short=$((short + 1)); echo "# reload $name N=$n: exit 0, running digest $got, want $want"; }
			"$FWCTL" -n "$NS" reload "$IF" "$base" >/dev/null 2>&1
		else
			said_error || { silent=$((silent + 1)); echo "# reload $name N=$n: exit $rc without a message"; }
			[ "$got" = "$old" ] || { short=$((short + 1)); echo "# reload $name N=$n: failed (exit $rc) but the running digest is $got, not the old $old"; }
		fi
	done
	"$FWCTL" -n "$NS" detach "$IF" >/dev/null 2>&1
	report "reload $name" "$runs" "$short" "$silent"
done
tap_done
