#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench/pktgen.sh - drive the kernel's pktgen where it exists, with the same
# frames and flow ranges as xdpfw-gen (bench/gen.c), which replaces it on
# kernels without the module (such as the development machine).
#
#   bench/pktgen.sh --dev IFACE --dst-mac MAC [--count N] [--threads N]
#       [--size N] [--src A.B.C.D] [--src-count N] [--sport N]
#       [--sport-count N] [--dst A.B.C.D] [--dport N] [--rate PPS]
#
# Run it inside the namespace that holds IFACE (pktgen is per namespace).
# Prints sent=N like xdpfw-gen. Exit 3 when pktgen is absent.
# Written from Documentation/networking/pktgen.rst; untested here, as the
# development kernel has no pktgen.
set -u
DEV= MAC= COUNT=1000000 THREADS=1 SIZE=60 SRC=198.18.0.1 SRC_COUNT=256
SPORT=1024 SPORT_COUNT=16 DST=198.19.0.2 DPORT=9 RATE=0
while [ $# -gt 1 ]; do
	case $1 in
	--dev) DEV=$2 ;; --dst-mac) MAC=$2 ;; --count) COUNT=$2 ;;
	--threads) THREADS=$2 ;; --size) SIZE=$2 ;; --src) SRC=$2 ;;
	--src-count) SRC_COUNT=$2 ;; --sport) SPORT=$2 ;;
	--sport-count) SPORT_COUNT=$2 ;; --dst) DST=$2 ;; --dport) DPORT=$2 ;;
	--rate) RATE=$2 ;;
	*) echo "pktgen.sh: unknown option '$1'" >&2; exit 1 ;;
	esac
	shift 2
done
[ $# -eq 0 ] && [ -n "$DEV" ] && [ -n "$MAC" ] || { sed -n '8,10p' "$0" | sed 's/^# //' >&2; exit 1; }
case "$COUNT$THREADS$SIZE$SRC_COUNT$SPORT$SPORT_COUNT$DPORT$RATE" in *[!0-9]*)
	echo "pktgen.sh: counts, sizes, ports and rate are numbers" >&2; exit 1 ;;
esac
PG=/proc/net/pktgen
if [ ! -d $PG ]; then
	modprobe pktgen 2>/dev/null
	if [ ! -d $PG ]; then
		echo "pktgen.sh: the kernel's pktgen is absent ($PG missing, modprobe pktgen failed): use xdpfw-gen (bench/gen.c)" >&2
		exit 3
	fi
fi

pgset() { # pgset FILE COMMAND: pktgen answers in the file's Result: line
	echo "$2" >"$1" || { echo "pktgen.sh: '$2' rejected by $1" >&2; exit 2; }
}

# The source range as pktgen wants it: first and last address.
last_addr() {
	local IFS=. a b c d n
	read -r a b c d <<<"$1"
	n=$(((a << 24 | b << 16 | c << 8 | d) + $2 - 1))
	echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}

NCPU=$(nproc)
[ "$THREADS" -ge 1 ] && [ "$THREADS" -le "$NCPU" ] || { echo "pktgen.sh: --threads 1-$NCPU" >&2; exit 1; }
DEVS=()
for t in $(seq 0 $((THREADS - 1))); do
	pgset $PG/kpktgend_$t "rem_device_all"
	d="$DEV@$t"
	pgset $PG/kpktgend_$t "add_device $d"
	DEVS+=("$d")
	f=$PG/$d
	pgset "$f" "count $((COUNT / THREADS))"
	pgset "$f" "pkt_size $((SIZE + 4))" # pktgen counts the FCS
	pgset "$f" "dst_mac $MAC"
	pgset "$f" "dst $DST"
	pgset "$f" "src_min $SRC"
	pgset "$f" "src_max $(last_addr "$SRC" "$SRC_COUNT")"
	pgset "$f" "udp_src_min $SPORT"
	pgset "$f" "udp_src_max $((SPORT + SPORT_COUNT - 1))"
	pgset "$f" "udp_dst_min $DPORT"
	pgset "$f" "udp_dst_max $DPORT"
	pgset "$f" "flag IPSRC_RND"
	pgset "$f" "flag UDPSRC_RND"
	pgset "$f" "burst 32"
	[ "$RATE" -gt 0 ] && pgset "$f" "ratep $((RATE / THREADS))"
done
pgset $PG/pgctrl start # returns when every thread has sent its count
sent=0
for d in "${DEVS[@]}"; do
	n=$(sed -n 's/.*Result: OK: .* (\([0-9]*\)pkts.*/\1/p; s/^ *pkts-sofar: \([0-9]*\).*/\1/p' "$PG/$d" | head -1)
	sent=$((sent + ${n:-0}))
done
for t in $(seq 0 $((THREADS - 1))); do echo "rem_device_all" >$PG/kpktgend_$t; done
echo "sent=$sent threads=$THREADS template=udp size=$SIZE"
