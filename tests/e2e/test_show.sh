#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `fwctl show` as an operator runs it: the rules running on an interface,
# printed back in the rule language with each rule's counters from real
# traffic. The text must pass `fwctl check --strict` and compile to the same
# rules: reloaded, it gives the very digest it was printed from (its layout
# is the file's here, so even the line numbers agree), and from a file laid
# out otherwise the same rules. --json; not attached exits 1. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

GEN=xfshg-$SUFFIX # sends
FW=xfshf-$SUFFIX  # runs the firewall
IF_GEN=xg$SUFFIX IF_FW=xh$SUFFIX
ADDR=198.51.100.2
e2e_setup show

fwctl() { "$FWCTL" -n "$FW" "$@"; }
digest() { fwctl status "$IF_FW" --json | json 'd["interfaces"][0]["digest"]'; }
no_counters() { sed 's/ *#.*$//'; }
# The rules as show --json has them, but for line numbers and counters.
rules_of() { json '[(r["text"], r["name"], r["action"]) for r in d["rules"]], d["policy"], d["nonip"], d["malformed"]'; }

# Laid out as fwctl show prints: two comment lines, the three settings, a
# blank line, then one rule per line.
cat >"$TMP/web.rules" <<'RULES'
# show e2e: a web server
# with ND, ping, SSH from all but one network, and no DNS
policy drop
nonip pass
malformed drop

pass icmpv6 type nd-neighbor-solicit hoplimit 255 name "nd-ns"
pass icmpv6 type nd-neighbor-advert hoplimit 255 name "nd-na"
pass icmp type echo-request name "ping"
drop udp dport 53 name "dns"
pass tcp saddr != 203.0.113.0/24 dport 22 flags syn,!ack
pass tcp dport 80-443 log
RULES
# The same rules, written another way: other lines, other word order.
cat >"$TMP/messy.rules" <<'RULES'
pass icmpv6 hoplimit 255 type nd-neighbor-solicit name "nd-ns"   # NS
pass icmpv6 type nd-neighbor-advert hoplimit 255 name "nd-na"

malformed drop
pass icmp type echo-request name "ping"
	drop dport 53 udp name "dns"
pass tcp dport 22 flags syn,!ack saddr != 203.0.113.9/24
policy drop
pass tcp dport 80-443 log
RULES

ns_add "$GEN"
ns_add "$FW"
veth_pair "$GEN" "$IF_GEN" "198.51.100.1/24" "$FW" "$IF_FW" "$ADDR/24"

fwctl attach "$IF_FW" "$TMP/web.rules" >/dev/null
ok $? "attach $IF_FW"
first_digest=$(digest)

# Traffic: 100 DNS queries dropped by "dns", 3 pings passed by "ping".
ip netns exec "$GEN" $PY "$TRAFFIC" send-udp "$ADDR" 53 100
ip netns exec "$GEN" ping -c 3 -i 0.2 -W 2 "$ADDR" >/dev/null
ok $? "ping passes the rule named ping"

# --- text --------------------------------------------------------------------
out=$(fwctl show "$IF_FW")
expect_eq $? 0 "show $IF_FW exits 0"
printf '%s\n' "$out" >"$TMP/shown.rules"
expect_match "$(head -1 "$TMP/shown.rules")" \
	"^# xdpfw on $IF_FW \(ifindex [0-9]+\): program [0-9]+, (native|generic) mode, 6 rules, digest $first_digest\$" \
	"the header names the interface, program, mode, rule count and digest"
st=$(fwctl status "$IF_FW" --json)
expect_match "$(head -1 "$TMP/shown.rules")" \
	"program $(echo "$st" | json 'd["interfaces"][0]["program_id"]'), $(echo "$st" | json 'd["interfaces"][0]["mode"]') mode" \
	"... the program and mode fwctl status reports"
expect_eq "$(sed -n 3,6p "$TMP/shown.rules" | tr '\n' '|')" "policy drop|nonip pass|malformed drop||" \
	"the settings, every one, then a blank line"
expect_match "$out" "^drop udp dport 53 name \"dns\" +# 100 packets, $((100 * (14 + 20 + 8 + 32))) bytes\$" "the DNS rule with its counters as a comment: 100 whole frames"
expect_match "$out" "^pass icmp type echo-request name \"ping\" +# 3 packets, [0-9]+ bytes\$" "the ping rule counted 3 packets"
expect_match "$out" "^pass tcp saddr != 203.0.113.0/24 dport 22 flags syn,!ack +# 0 packets, 0 bytes\$" "a rule nothing matched, printed back with its negation and flags"
expect_match "$(tail -1 "$TMP/shown.rules")" "^pass tcp dport 80-443 log +# 0 packets, 0 bytes\$" "the last rule, with log"

# The text is a rule file that passes check --strict, and compiles to the
# rules it came from: same layout, so the very same digest.
out=$("$FWCTL" check --strict "$TMP/shown.rules" 2>&1)
expect_eq $? 0 "the shown text passes fwctl check --strict"
expect_match "$out" "ok, 6 rules, policy drop, digest [0-9a-f]{16}\$" "... without warnings"
fwctl reload "$IF_FW" "$TMP/shown.rules" >/dev/null
ok $? "reload $IF_FW from the shown text"
expect_eq "$(digest)" "$first_digest" "... gives the digest it was printed from"
out=$(fwctl show "$IF_FW")
expect_match "$out" "^drop udp dport 53 name \"dns\" +# 100 packets, 7400 bytes\$" "named rules kept their counters over the reload, read from their slots"
# Counters aside: ND from the peer's own addresses keeps counting.
expect_eq "$(no_counters <<<"$out")" "$(no_counters <"$TMP/shown.rules")" "show prints the same text after the reload"

# --- JSON ----------------------------------------------------------------------
j=$(fwctl show "$IF_FW" --json)
expect_eq $? 0 "show --json exits 0"
expect_eq "$(echo "$j" | json 'd["interface"], d["digest"], d["rule_count"], d["policy"], d["nonip"], d["malformed"]')" \
	"$IF_FW $first_digest 6 drop pass drop" "--json: interface, digest, count and settings"
expect_eq "$(echo "$j" | json 'd["rules"][3]["text"], d["rules"][3]["line"], d["rules"][3]["name"], d["rules"][3]["packets"], d["rules"][3]["bytes"]')" \
	"drop udp dport 53 name \"dns\" 10 dns 100 7400" "--json: a rule's text, line, name, packets and bytes"
expect_eq "$(echo "$j" | json '[r["line"] for r in d["rules"]]')" "[7, 8, 9, 10, 11, 12]" \
	"--json: the lines of the rules in the running set"

# --- from a file laid out otherwise: the same rules, other lines ---------------
fwctl reload "$IF_FW" "$TMP/messy.rules" >/dev/null
ok $? "reload $IF_FW from the same rules written another way"
messy=$(fwctl show "$IF_FW" --json)
expect_eq "$(echo "$messy" | rules_of)" "$(echo "$j" | rules_of)" \
	"show prints the same rules and settings as for the tidy file"
[ "$(echo "$messy" | json 'd["digest"]')" != "$first_digest" ]
ok $? "... whose digest differs only by the line numbers"
fwctl show "$IF_FW" >"$TMP/shown2.rules"
"$FWCTL" check --strict "$TMP/shown2.rules" >/dev/null 2>&1
ok $? "... and its text passes fwctl check --strict too"

# Counters live in slots that names keep across reloads; moved to the top,
# "dns" is rule 0 but still counts in the slot of rule 3.
printf 'drop udp dport 53 name "dns"\npass icmp type echo-request name "ping"\n' >"$TMP/moved.rules"
fwctl reload "$IF_FW" "$TMP/moved.rules" >/dev/null
ok $? "reload $IF_FW with the named rules moved"
out=$(fwctl show "$IF_FW")
expect_eq "$(grep -v '^#' <<<"$out" | tr -s ' ' | tr '\n' '|')" \
	"policy pass|nonip pass|malformed drop||drop udp dport 53 name \"dns\" # 100 packets, 7400 bytes|pass icmp type echo-request name \"ping\" # 3 packets, $(echo "$j" | json 'd["rules"][2]["bytes"]') bytes|" \
	"... and show reads each rule's counters from its slot, not its index"

# --- errors ----------------------------------------------------------------------
fwctl detach "$IF_FW" >/dev/null
ok $? "detach $IF_FW"
out=$(fwctl show "$IF_FW" 2>&1)
expect_eq $? 1 "show where xdpfw is not attached exits 1"
expect_match "$out" "xdpfw is not attached to $IF_FW" "... and says so"
out=$(fwctl show nosuch$SUFFIX 2>&1)
expect_eq $? 1 "show on a missing interface exits 1"
expect_match "$out" "nosuch$SUFFIX" "... and names it"
out=$(fwctl show 2>&1)
expect_eq $? 1 "show without an interface exits 1"
tap_done
