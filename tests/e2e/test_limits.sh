#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end, rate limits: xdpfw-gen (bench/gen.c) floods a veth with one
# generator thread per CPU, so the program runs on every CPU at once and
# all of them charge the same buckets.
#   1. a per-rule limit, a 10 s flood at well over twice the rate: the
#      packets within the budget are rate * seconds + burst, +-5%;
#   2. a per-source limit, 65,536 flooding sources: each source held to its
#      burst plus its rate, no eviction, while one legitimate flow at a low
#      rate from another source loses nothing;
#   3. fwctl explain past a limited rule: within, as the model says; over,
#      the program's drop is the bucket's doing, not a mismatch.
# Within-budget flood packets fall through to a `drop udp dport 9` rule, so
# nothing of the flood reaches the stack. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN_BIN=${GEN_BIN:-$TOP/build/bench/xdpfw-gen}
[ -x "$GEN_BIN" ] || bail "no $GEN_BIN: build first (tests/build.sh)"
GEN=xlgen-$SUFFIX
FW=xlfw-$SUFFIX
IF_GEN=xla$SUFFIX IF_FW=xlb$SUFFIX
CPUS=$(nproc)
FLOOD_S=${XDPFW_LIMIT_FLOOD_S:-10}
e2e_setup limits

fwctl() { "$FWCTL" "$@"; }
in_gen() { ip netns exec "$GEN" "$@"; }

ns_add "$GEN"
ns_add "$FW"
# One queue per CPU: veth hands a redirected frame to the peer's queue of
# the sending CPU, so the generator's threads spread the flood over CPUs.
ip link add "$IF_GEN" netns "$GEN" numtxqueues "$CPUS" numrxqueues "$CPUS" type veth \
	peer name "$IF_FW" netns "$FW" numtxqueues "$CPUS" numrxqueues "$CPUS" ||
	bail "cannot create veth $IF_GEN/$IF_FW"
ip -n "$GEN" addr add 198.19.0.1/24 dev "$IF_GEN"
ip -n "$FW" addr add 198.19.0.2/24 dev "$IF_FW"
ip -n "$GEN" link set "$IF_GEN" up
ip -n "$FW" link set "$IF_FW" up
MAC=$(ip netns exec "$FW" cat "/sys/class/net/$IF_FW/address")

# flood SECONDS ARGS...: xdpfw-gen on every CPU; prints its key=value line.
flood() {
	local s=$1
	shift
	in_gen "$GEN_BIN" --dev "$IF_GEN" --dst-mac "$MAC" --duration "$s" --threads "$CPUS" \
		--dport 9 "$@"
}
kv() { printf '%s\n' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# stat EXPR: one value of `fwctl stats --json` for the interface (d: its object).
fwstat() { fwctl -n "$FW" stats "$IF_FW" --json | json "(lambda d: $1)(d['interfaces'][0])"; }
# within per CPU of slot 0, from the pinned map: "N N ..."
per_cpu_within() {
	local raw
	raw=$(bpftool -j map lookup pinned "$(ns_pin_dir "$FW")/$IF_FW/fw_limit_stats" key 0 0 0 0 2>&1)
	printf '%s' "$raw" | $PY -c '
import json, struct, sys
def cpus(d):  # the list of {"cpu", "value"}: raw, or under "formatted" (BTF)
    if isinstance(d, list):
        return d if d and isinstance(d[0], dict) and "cpu" in d[0] else \
            next((c for c in map(cpus, d) if c), None)
    if isinstance(d, dict):
        return cpus(d.get("values")) or cpus(d.get("formatted"))
    return None
out = []
for v in cpus(json.load(sys.stdin)) or []:
    x = v["value"]
    out.append(str(x["within"]) if isinstance(x, dict) else
               str(struct.unpack("<Q", bytes(int(b, 16) for b in x[:8]))[0]))
print(" ".join(out))' || echo "# bpftool: $raw" >&2
}
# within RATE SECONDS BURST GOT: 0 when GOT is within 5% of RATE * SECONDS + BURST.
within5() {
	$PY -c "import sys; w = $1 * $2 + $3; sys.exit(0 if abs($4 - w) <= 0.05 * w else 1)"
}

# --- 1. per rule: accuracy over all CPUs ------------------------------------
RATE=100000 BURST=1000
cat >"$TMP/rule.rules" <<RULES
policy pass
drop udp dport 9 limit over ${RATE}/s burst ${BURST} name "flood"
drop udp dport 9 name "sink"
RULES
fwctl -n "$FW" attach "$IF_FW" "$TMP/rule.rules" --mode native >/dev/null
ok $? "attach with a per-rule limit of ${RATE}/s burst ${BURST}"
out=$(flood "$FLOOD_S" --src-count 256 2>&1)
ok $? "xdpfw-gen floods for ${FLOOD_S} s on $CPUS CPUs: $out"
secs=$(kv "$out" seconds)
sent=$(kv "$out" sent)
within=$(fwstat 'd["rules"][0]["limit"]["within"]')
over=$(fwstat 'd["rules"][0]["limit"]["over"]')
sink=$(fwstat 'd["rules"][1]["packets"]')
want=$($PY -c "print(int($RATE * $secs + $BURST))")
echo "# per rule: sent $sent in $secs s; within $within (expected $want), over $over"
[ "$over" -ge "$within" ]
ok $? "the flood is at least twice the limit (over $over >= within $within)"
within5 "$RATE" "$secs" "$BURST" "$within"
ok $? "packets within budget: $within, expected $want +-5%"
expect_eq "$sink" "$within" "every packet within budget fell through to the next rule"
expect_eq "$(fwstat 'd["rules"][0]["packets"]')" "$over" "the rule matched exactly the packets over budget"
cpus=$(per_cpu_within)
echo "# within per CPU: $cpus"
busy=0
for c in $cpus; do [ "$c" -gt 0 ] && busy=$((busy + 1)); done
[ "$busy" -ge 2 ] || [ "$CPUS" -lt 2 ]
ok $? "packets within budget were counted on $busy CPUs (of $CPUS)"
txt=$(fwctl -n "$FW" stats "$IF_FW")
expect_match "$txt" "limit: within $within, over $over" "fwctl stats shows within and over"

# --- 2. per source: 65,536 sources and one legitimate flow ------------------
SRATE=2 SBURST=4 NSRC=65536 SFLOOD_S=${XDPFW_LIMIT_SOURCE_FLOOD_S:-5}
cat >"$TMP/src.rules" <<RULES
policy pass
drop udp dport 9 limit over ${SRATE}/s burst ${SBURST} per saddr name "per-source"
drop udp dport 5000 limit over ${SRATE}/s burst ${SBURST} per saddr name "legit-limit"
pass udp saddr 198.19.0.1 name "legit"
drop udp dport 9 name "sink"
RULES
fwctl -n "$FW" reload "$IF_FW" "$TMP/src.rules" >/dev/null
ok $? "reload with a per-source limit of ${SRATE}/s burst ${SBURST}"
# The legitimate flow: a client at 198.19.0.1 sends a numbered datagram a
# second (half its rate) through the whole flood and tries again until it is
# echoed. Its own limited rule shares the table of sources with the flood's,
# so its counters say what the firewall did to it; a datagram lost on the
# way (the flood fills veth's ring, which the stack's frames share) is seen
# as a try more. The budget is small so that a slow generator (49 frames a
# source in 5 s on a loaded machine) still floods each source at over twice
# it (4 + 2 * 5 = 14).
legit_n=$((SFLOOD_S + 4))
# The echo waits 15 s for a datagram: the flood keeps both CPUs busy, and a
# starved client must not end it early.
ip netns exec "$FW" $PY "$TRAFFIC" udp-echo 198.19.0.2 5000 15 >"$TMP/legit" &
rpid=$!
PIDS+=("$rpid")
for _ in $(seq 50); do grep -q ready "$TMP/legit" 2>/dev/null && break; sleep 0.1; done
in_gen $PY "$TRAFFIC" send-udp-acked 198.19.0.2 5000 "$legit_n" 1.0 >"$TMP/legit-client" &
spid=$!
PIDS+=("$spid")
sleep 0.5
out=$(flood "$SFLOOD_S" --src 198.18.0.0 --src-count "$NSRC" --sport-count 1 2>&1)
ok $? "xdpfw-gen floods from $NSRC sources for ${SFLOOD_S} s: $out"
secs=$(kv "$out" seconds)
sent=$(kv "$out" sent)
wait "$spid"
wait "$rpid"
client=$(cat "$TMP/legit-client")
echo "# legitimate client: $client; echo: $(grep datagrams "$TMP/legit")"
tries=$(kv "$client" tries)
expect_eq "$(kv "$client" acked)" "$legit_n" "the legitimate flow lost nothing: every datagram echoed"
expect_eq "$(fwstat 'd["rules"][1]["limit"]["over"]')" 0 \
	"the firewall dropped none of the legitimate flow's datagrams"
legit_within=$(fwstat 'd["rules"][1]["limit"]["within"]')
legit_passed=$(fwstat 'd["rules"][2]["packets"]')
[ "$legit_within" -ge "$legit_n" ] && [ "$legit_within" -le "$tries" ]
ok $? "every datagram it saw was within budget: $legit_n <= $legit_within <= $tries tries"
expect_eq "$legit_passed" "$legit_within" "... and passed"
expect_eq "$(awk '$1 == "datagrams" { print $2 }' "$TMP/legit")" "$legit_passed" \
	"the echo got every datagram the firewall passed"
flood_within=$(fwstat 'd["rules"][0]["limit"]["within"]')
over=$(fwstat 'd["rules"][0]["limit"]["over"]')
evicted=$(fwstat 'd["limit_sources"]["evicted"]')
present=$(fwstat 'd["limit_sources"]["present"]')
# Each source: its burst, then the rate from its first packet on.
cap=$($PY -c "print(int($NSRC * ($SBURST + $SRATE * $secs)))")
echo "# per source: sent $sent in $secs s ($((sent / NSRC)) a source); within $flood_within (cap $cap), over $over, $present buckets, $evicted evicted"
[ "$over" -ge "$flood_within" ]
ok $? "each source floods at over twice its budget (over $over >= within $flood_within)"
expect_eq "$evicted" 0 "no bucket was evicted (limit-sources 131072 > $NSRC sources)"
expect_eq "$present" $((NSRC + 1)) "one bucket per source, and the legitimate one"
[ "$flood_within" -le $((cap + cap / 100)) ]
ok $? "the flood got no more than every source's burst plus rate: $flood_within <= $cap"
[ "$flood_within" -ge $((cap * 90 / 100)) ]
ok $? "the flood got its budget (>= 90% of $cap): buckets are per source, not shared"

# --- 3. explain: the program's answer past a limited rule depends on state --
printf 'policy pass\ndrop udp dport 7 limit over 1/h burst 1 name "one"\n' >"$TMP/one.rules"
fwctl -n "$FW" reload "$IF_FW" "$TMP/one.rules" >/dev/null
ok $? "reload with a limit of 1/h burst 1"
out=$(fwctl -n "$FW" explain "$IF_FW" udp dport 7 2>&1)
expect_eq $? 0 "explain, bucket full: exits 0"
expect_match "$out" "rate-limited and the outcome depends on its bucket" "... says the outcome depends on the bucket"
expect_match "$out" "returned XDP_PASS, as the model says" "... within budget: the program passes, as the model says"
out=$(fwctl -n "$FW" explain "$IF_FW" udp dport 7 2>&1)
expect_eq $? 0 "explain, bucket empty: exits 0, no model mismatch reported"
expect_match "$out" "returned XDP_DROP, as a bucket over its budget decides" "... over budget: the program drops, and says why"
expect_eq "$(fwstat '[d["rules"][0]["limit"]["within"], d["rules"][0]["limit"]["over"]]')" "[1, 1]" \
	"the test runs were charged: 1 within, 1 over"

fwctl -n "$FW" detach "$IF_FW" >/dev/null
ok $? "detach"
tap_done
