#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `fwctl explain` as an operator runs it: on a rule file (the deciding rule
# and its line, the policy), a bad packet word (exit 1), and on an interface
# running xdpfw, where the frame also goes through the loaded program and
# must get the model's verdict. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
require_root

NS=xfexp-$SUFFIX
IF_A=xe$SUFFIX IF_B=xf$SUFFIX
e2e_setup explain

fwctl() { "$FWCTL" "$@"; }

cat >"$TMP/bastion.rules" <<'RULES'
# explain e2e: SSH from one network only
policy drop
nonip pass
pass tcp dport 22 saddr 198.51.100.0/24
drop tcp dport 22
pass icmp
RULES

# --- a rule file --------------------------------------------------------------
out=$(fwctl explain "$TMP/bastion.rules" tcp saddr 198.51.100.7 dport 22 flags syn 2>&1)
expect_eq $? 0 "explain on a file exits 0"
expect_match "$out" "decided: +rule #0, line 4: pass tcp saddr 198.51.100.0/24 dport 22" "... names the deciding rule, its index and line"
expect_match "$out" "verdict: +pass" "... and the verdict"

out=$(fwctl explain "$TMP/bastion.rules" tcp saddr 203.0.113.9 dport 22 --json)
expect_eq "$(echo "$out" | json 'd["rule"]["line"], d["rule"]["text"], d["verdict"]')" \
	"5 drop tcp dport 22 drop" "--json: another source falls to the drop rule on line 5"

out=$(fwctl explain "$TMP/bastion.rules" udp daddr 2001:db8::1 dport 53 2>&1)
expect_match "$out" "decided: +no rule matched: policy drop" "no rule matches: the policy decides"

# --- bad packets: exit 1, the word named --------------------------------------
out=$(fwctl explain "$TMP/bastion.rules" tcp dport 22 colour blue 2>&1)
expect_eq $? 1 "an unknown packet word exits 1"
expect_match "$out" "unknown word 'colour'" "... and names the word"
out=$(fwctl explain "$TMP/bastion.rules" tcp dport 70000 2>&1)
expect_eq $? 1 "a port out of range exits 1"
expect_match "$out" "dport '70000'" "... and names the word and value"

# --- a live interface: the program agrees ------------------------------------
ns_add "$NS"
veth_pair "$NS" "$IF_A" "192.0.2.1/24" "$NS" "$IF_B" "192.0.2.2/24"
fwctl -n "$NS" attach "$IF_A" "$TMP/bastion.rules" >/dev/null
ok $? "attach $IF_A"

out=$(fwctl -n "$NS" explain "$IF_A" tcp saddr 203.0.113.9 dport 22 2>&1)
expect_eq $? 0 "explain on $IF_A exits 0"
expect_match "$out" "program: .* returned XDP_DROP, as the model says" "... the loaded program drops it, as the model says"
expect_match "$out" "counted 1 packet" "... and says the test run was counted"
s=$(fwctl -n "$NS" stats "$IF_A" --json)
expect_eq "$(echo "$s" | json 'd["interfaces"][0]["rules"][1]["packets"]')" 1 "the test run shows as 1 packet on rule #1"

# Every outcome once: a rule, the policy, non-IP, malformed (IPv4 cut short).
while IFS='|' read -r reason pk; do
	out=$(fwctl -n "$NS" explain "$IF_A" $pk --json 2>&1)
	rc=$?
	expect_eq "$rc $(echo "$out" | json 'd["program"]["agrees"], d["reason"]' 2>/dev/null)" \
		"0 True $reason" "program and model agree ($reason): $pk"
done <<'PACKETS'
rule|icmp type echo-request
policy|ip6 proto 253 vlan 7
nonip|hex 020000000002020000000001 0806 0001080006040001
ipv4-truncated|hex 020000000002020000000001 0800 4500002812340000
PACKETS

fwctl -n "$NS" detach "$IF_A" >/dev/null
ok $? "detach $IF_A"
out=$(fwctl -n "$NS" explain "$IF_A" tcp 2>&1)
expect_eq $? 1 "explain on an interface without xdpfw exits 1"
expect_match "$out" "not attached to $IF_A" "... and says so"
tap_done
