#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# fwctl's command line: every command's help, --version, options checked per
# command wherever they stand, and root asked for only where the kernel is
# (check and explain FILE as an ordinary user). No network namespace, nothing
# attached. Run as root, the ordinary user is nobody (setpriv); run as
# anyone else, it is that user. TAP output.
set -u
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d /tmp/xdpfw-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

RULES=$TOP/rules/server.rules
CMDS="check attach reload detach status stats show explain help version"

# run ARGS...: fwctl's stdout and stderr in $out, its exit status in $rc.
run() {
	out=$("$FWCTL" "$@" 2>&1)
	rc=$?
}

# --- help -----------------------------------------------------------------------
run --help
expect_eq "$rc" 0 "fwctl --help exits 0"
for c in $CMDS; do
	expect_match "$out" "^  $c " "fwctl --help lists $c"
done
run help
expect_eq "$rc" 0 "fwctl help exits 0"
expect_match "$out" "^usage: fwctl \[OPTIONS\] COMMAND" "... and prints the usage"
run
expect_eq "$rc" 1 "fwctl without a command exits 1"
expect_match "$out" "^usage: fwctl" "... and prints the usage"

for c in $CMDS; do
	run "$c" --help
	expect_eq "$rc" 0 "fwctl $c --help exits 0"
	expect_match "$out" "^usage: fwctl $c \[OPTIONS\]" "... and prints the usage of $c"
	expect_match "$out" "^global options:" "... and its options"
	help=$out
	run help "$c"
	expect_eq "$rc" 0 "fwctl help $c exits 0"
	expect_eq "$out" "$help" "... and says what fwctl $c --help says"
done
run help check
expect_match "$out" "--strict" "help check names --strict"
expect_match "$out" "^  FILE " "... and the argument FILE"
run help attach
expect_match "$out" "-m, --mode MODE" "help attach names --mode"
run help explain
expect_match "$out" "^  TARGET " "help explain names TARGET"
expect_match "$out" "^  PACKET\.\.\. " "... and PACKET..."
run -h ch
expect_match "$out" "^usage: fwctl check " "-h before a command prefix gives its help"
run help nosuch
expect_eq "$rc" 1 "help for an unknown command exits 1"
expect_match "$out" "unknown command 'nosuch'" "... and names it"

# --- version ---------------------------------------------------------------------
want=$(meson introspect --projectinfo "$TOP/meson.build" | json 'd["version"]')
run --version
expect_eq "$rc" 0 "fwctl --version exits 0"
expect_eq "$out" "fwctl (xdpfw) $want" "... and prints meson's project version"
run version
expect_eq "$out" "fwctl (xdpfw) $want" "fwctl version prints it too"
run status -V
expect_eq "$out" "fwctl (xdpfw) $want" "-V after a command prints it too"

# --- options, per command ----------------------------------------------------------
# An option no command takes, and one another command takes, for every command.
for c in $CMDS; do
	run "$c" --bogus
	expect_eq "$rc" 1 "fwctl $c --bogus exits 1"
	expect_match "$out" "unknown option --bogus for fwctl $c; see fwctl help $c" "... naming the option and the command"
	other=--mode
	[ "$c" = attach ] && other=--strict
	run "$c" "$other" auto
	expect_eq "$rc" 1 "fwctl $c $other exits 1"
	expect_match "$out" "unknown option $other for fwctl $c" "... naming the option and the command"
done
run check "$RULES" --json --mode native
expect_eq "$rc" 1 "check FILE --json --mode native exits 1 (check has no JSON)"
expect_match "$out" "unknown option --json for fwctl check" "... and names --json"
run check "$RULES" -x
expect_eq "$rc" 1 "an unknown short option exits 1"
expect_match "$out" "unknown option -x for fwctl check" "... and names it"
run --bogus
expect_eq "$rc" 1 "an unknown option without a command exits 1"
expect_match "$out" "unknown option --bogus; see fwctl help$" "... and names it"
run --ver
expect_eq "$rc" 1 "an ambiguous option prefix exits 1"
expect_match "$out" "ambiguous option --ver" "... and names it"

# An option's argument is never taken from a positional's place, nor from the
# next option.
run check --mode
expect_eq "$rc" 1 "check --mode exits 1"
expect_match "$out" "unknown option --mode for fwctl check" "... rather than reading a file named --mode"
run attach lo "$RULES" --mode
expect_eq "$rc" 1 "attach IFACE FILE --mode (no MODE) exits 1"
expect_match "$out" "option --mode needs an argument \(MODE\)" "... and says --mode needs MODE"
run attach lo "$RULES" -m --json
expect_eq "$rc" 1 "attach -m --json exits 1"
expect_match "$out" "option -m needs an argument" "... and does not take --json as the mode"
run -n
expect_eq "$rc" 1 "-n without a name exits 1"
expect_match "$out" "option -n needs an argument \(NAME\)" "... and says -n needs NAME"
run attach lo "$RULES" --mode=sideways
expect_eq "$rc" 1 "--mode=sideways exits 1"
expect_match "$out" "--mode sideways: expected auto, native or generic" "... and names the bad mode"
run status --json=yes
expect_eq "$rc" 1 "--json=yes exits 1"
expect_match "$out" "option --json takes no argument" "... and says --json takes none"

# Arguments, wherever the options stand; -- ends the options.
run check
expect_eq "$rc" 1 "check without FILE exits 1"
expect_match "$out" "check takes FILE; see fwctl help check" "... and says what it takes"
run check "$RULES" "$RULES"
expect_eq "$rc" 1 "check with two files exits 1"
run check -- --help
expect_eq "$rc" 1 "check -- --help reads a file named --help"
expect_match "$out" "^--help: error: cannot read the rules: No such file" "... and says it does not exist"
run --strict check "$RULES"
expect_eq "$rc" 0 "--strict before check is check's option"
run c "$RULES" --strict -v
expect_eq "$rc" 0 "a command prefix, options after the file"
expect_match "$out" "ok, [0-9]+ rules" "... and checks it"
run s
expect_eq "$rc" 1 "an ambiguous command prefix exits 1"
expect_match "$out" "ambiguous command 's'" "... and says so"

# --- root only where the kernel is ---------------------------------------------------
# The ordinary user may not read the build tree: fwctl and the rules in a
# world-readable copy.
cp "$FWCTL" "$TMP/fwctl"
cp "$TOP"/rules/*.rules "$TMP/"
chmod -R a+rX "$TMP"
if [ "$(id -u)" -eq 0 ]; then
	user() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
else
	user() { "$@"; }
fi
# asuser ARGS...: fwctl as that user, from $TMP.
asuser() {
	out=$(cd "$TMP" && user ./fwctl "$@" 2>&1)
	rc=$?
}
asuser check server.rules
expect_eq "$rc" 0 "check runs as an ordinary user"
expect_match "$out" "server.rules: ok" "... and checks the file"
asuser explain server.rules tcp dport 22
expect_eq "$rc" 0 "explain FILE runs as an ordinary user"
expect_match "$out" "verdict: +pass" "... and gives the verdict"
asuser explain server.rules tcp saddr 203.0.113.9 dport 23 --json
expect_eq "$(printf '%s' "$out" | json 'd["verdict"]')" drop "explain FILE --json as an ordinary user"
asuser explain ./nosuch.rules tcp
expect_eq "$rc" 1 "explain on a missing path exits 1 without root"
expect_match "$out" "no such file or interface ./nosuch.rules" "... and says so"
asuser status
expect_eq "$rc" 2 "status as an ordinary user exits 2"
expect_match "$out" "fwctl status needs root.*run it as root" "... and says it needs root"
asuser explain lo tcp dport 22
expect_eq "$rc" 2 "explain IFACE as an ordinary user exits 2"
expect_match "$out" "fwctl explain needs root.*interface.*run it as root" "... and says it needs root for an interface"
tap_done
