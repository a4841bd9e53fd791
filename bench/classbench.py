# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/classbench.py - ClassBench filter sets and traces for bench/run.

    python3 bench/classbench.py rules SET OUT [--actions drop|alternate]
    python3 bench/classbench.py nft SET OUT --device IF [--table T] [--actions ...]
    python3 bench/classbench.py frames TRACE OUT [--count N]
    python3 bench/classbench.py shared FIELD N OUT [--spread] [--count N]
    python3 bench/classbench.py dir            where the data is, or how to get it

`rules` writes an xdpfw rule file, `nft` an nftables script with the same
rules in the same order and the same verdicts, `frames` a frame list
(bench/template.h: "SADDR DADDR SPORT DPORT PROTO" a line) that xdpfw-cost
--frames and xdpfw-gen --frames read. `rules` and `nft` print
"RULES<TAB>description" (RULES: the xdpfw rules written), `frames` the
frames written.

A ClassBench filter set has one rule a line, first match wins:

    @175.77.88.155/32 119.106.158.230/32 0 : 65535 6888 : 6888 0x06/0xFF

source and destination prefixes, source and destination port ranges, and
the protocol as value/mask (mask 0xFF: that protocol, 0x00: any). Any
further fields (some sets carry TCP flags) are refused rather than dropped
silently. The conversion:

- a /0 prefix and the range 0 : 65535 are no match at all;
- a protocol with mask 0xFF is that protocol (tcp, udp, icmp or `proto N`);
- ports need tcp or udp in our language (as in nftables), so a rule with
  ports and any protocol becomes two rules, the TCP one then the UDP one,
  at its place; ports with another protocol are refused (no ClassBench set
  of acl1, fw1, ipc1 has either);
- ClassBench is IPv4: a rule with no address gets `ip` (nft: `meta protocol
  ip`), so it does not match IPv6 either; host bits below a prefix length
  are cleared (nft refuses them);
- verdicts: `--actions drop` (the default) makes every rule drop under
  `policy pass`. A trace frame is made from a rule's headers, so nearly
  every frame matches some rule: with every rule dropping, the throughput
  is the classifier's and not the IP stack's (a passed frame costs ~1 us
  in the stack), and which rule decided is read from the per-rule
  counters, not the verdict. `--actions alternate` makes every other
  ClassBench rule (its TCP and UDP halves alike) pass instead, so the
  verdict itself tells neighbouring rules apart; bench/run checks both
  against the model.

A trace line is "SADDR DADDR SPORT DPORT PROTO RULE", addresses as decimal
numbers. `frames` keeps N lines evenly spaced through the trace (all of it
when N is larger), writes the addresses dotted and keeps the ClassBench
rule number as a sixth field, which readers ignore.

`shared` writes the shared-field sets (issue 12): OUT.rules with `policy
pass` and N rules `drop udp dport 53 FIELD VALUE_i`, FIELD one of sport
(1024 + i), saddr or daddr (198.18.64.0 + i, inside 198.18.0.0/15, RFC
2544), and OUT.frames, N frames (default 4,096) of UDP to port 53 that
match the last rule, or with --spread rule (j * N) / COUNT for frame j (each
rule in turn when N <= COUNT). Fields the rules do not test vary per frame
(source 198.19.128.0 + j, or source port 1024 + j), so no two frames are
one flow.

`dir`: the directory of the ClassBench files, $XDPFW_CLASSBENCH or
/work/shared/classbench; exit 1 with how to get them when acl1_1K is not
there. The files are the filter sets and traces as published with
ClassBench (H. Song's "filter sets", wustl), named acl1_1K, acl1_1K_trace,
acl1_10K, acl1_10K_trace, and fw1_*, ipc1_* alike; they are not part of
xdpfw and never committed to it.
"""
import ipaddress
import os
import sys

DEFAULT_DIR = "/work/shared/classbench"
SETS = ("acl1", "fw1", "ipc1")
SIZES = ("1K", "10K")
PROTO_NAMES = {6: "tcp", 17: "udp", 1: "icmp"}
HOW_TO_GET = f"""ClassBench data not found in {{d}}.
bench/run's classbench scenarios need the ClassBench filter sets and their
header traces: acl1_1K, acl1_1K_trace, acl1_10K, acl1_10K_trace and fw1_*,
ipc1_* alike (H. Song's published filter sets; copies in public repositories
of packet-classification code, e.g. github.com/ehzuf/HyperSplit, test/rules/
and test/traces/). Put them in one directory and point XDPFW_CLASSBENCH at it
(default {DEFAULT_DIR}). They are third-party data: never commit them."""


def die(msg):
    print(f"classbench.py: {msg}", file=sys.stderr)
    sys.exit(1)


def data_dir():
    return os.environ.get("XDPFW_CLASSBENCH") or DEFAULT_DIR


def prefix(text, where):
    try:
        net = ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        die(f"{where}: '{text}' is not an IPv4 prefix")
    return None if net.prefixlen == 0 else net


def port_range(lo, hi, where):
    try:
        a, b = int(lo), int(hi)
    except ValueError:
        die(f"{where}: '{lo} : {hi}' is not a port range")
    if not 0 <= a <= b <= 65535:
        die(f"{where}: port range {a} : {b} out of order or range")
    return None if (a, b) == (0, 65535) else (a, b)


def parse_set(path):
    """ClassBench rules as dicts: saddr, daddr (networks or None), sport,
    dport ((lo, hi) or None), proto (int or None), idx (0-based line)."""
    rules = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            where = f"{path}:{n}"
            t = line.lstrip("@").split()
            if len(t) != 9 or t[3] != ":" or t[6] != ":":
                die(f"{where}: expected '@SADDR/LEN DADDR/LEN LO : HI LO : HI PROTO/MASK'")
            val, _, mask = t[8].partition("/")
            try:
                val, mask = int(val, 16), int(mask, 16)
            except ValueError:
                die(f"{where}: '{t[8]}' is not PROTO/MASK in hex")
            if mask not in (0, 0xFF) or val > 255:
                die(f"{where}: protocol mask {t[8]}: only 0x00 and 0xFF mean anything")
            rules.append(dict(saddr=prefix(t[0], where), daddr=prefix(t[1], where),
                              sport=port_range(t[2], t[4], where),
                              dport=port_range(t[5], t[7], where),
                              proto=val if mask else None, idx=len(rules)))
    if not rules:
        die(f"{path}: no rules")
    return rules


def expand(rules):
    """Our rules: ports with any protocol become a TCP and a UDP rule."""
    out = []
    for r in rules:
        has_ports = r["sport"] or r["dport"]
        if has_ports and r["proto"] is None:
            out.append(dict(r, proto=6))
            out.append(dict(r, proto=17))
        elif has_ports and r["proto"] not in (6, 17):
            die(f"rule {r['idx'] + 1}: ports with protocol {r['proto']}: our language "
                f"(as nftables) has ports only for tcp and udp")
        else:
            out.append(r)
    return out


def verdict(r, actions):
    return "pass" if actions == "alternate" and r["idx"] % 2 else "drop"


def addr(net):
    return str(net.network_address) if net.prefixlen == 32 else str(net)


def ports(lo_hi):
    lo, hi = lo_hi
    return str(lo) if lo == hi else f"{lo}-{hi}"


def xdpfw_rule(r, actions):
    w = [verdict(r, actions)]
    if not r["saddr"] and not r["daddr"]:
        w.append("ip")
    if r["proto"] is not None:
        w.append(PROTO_NAMES.get(r["proto"], f"proto {r['proto']}"))
    for k in ("saddr", "daddr"):
        if r[k]:
            w.append(f"{k} {addr(r[k])}")
    for k in ("sport", "dport"):
        if r[k]:
            w.append(f"{k} {ports(r[k])}")
    return " ".join(w)


def nft_rule(r, actions):
    w = []
    for k in ("saddr", "daddr"):
        if r[k]:
            w.append(f"ip {k} {addr(r[k])}")
    p = r["proto"]
    if p in (6, 17) and (r["sport"] or r["dport"]):
        if not w:
            w.append("meta protocol ip")
        name = PROTO_NAMES[p]
        for k in ("sport", "dport"):
            if r[k]:
                w.append(f"{name} {k} {ports(r[k])}")
    elif p is not None:
        w.append(f"ip protocol {PROTO_NAMES.get(p, p)}")
    elif not w:
        w.append("meta protocol ip")
    w.append("counter name hits")
    w.append("drop" if verdict(r, actions) == "drop" else "accept")
    return " ".join(w)


def describe(path, rules, ours):
    name = os.path.basename(path)
    extra = f", {len(ours) - len(rules)} split into tcp + udp" if len(ours) > len(rules) else ""
    return f"{name}: {len(rules):,} ClassBench rules, {len(ours):,} xdpfw rules{extra}"


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        if i + 1 >= len(args):
            die(f"{name} needs a value")
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def flag(args, name):
    if name in args:
        args.remove(name)
        return True
    return False


def cmd_rules(args):
    actions = opt(args, "--actions", "drop")
    if len(args) != 2 or actions not in ("drop", "alternate"):
        usage()
    rules = parse_set(args[0])
    ours = expand(rules)
    with open(args[1], "w") as f:
        f.write(f"# {describe(args[0], rules, ours)}, actions {actions}"
                " (bench/classbench.py)\npolicy pass\n")
        for r in ours:
            f.write(xdpfw_rule(r, actions) + "\n")
    print(f"{len(ours)}\t{describe(args[0], rules, ours)}")


def cmd_nft(args):
    actions = opt(args, "--actions", "drop")
    dev = opt(args, "--device")
    table = opt(args, "--table", "xdpfwbench")
    if len(args) != 2 or not dev or actions not in ("drop", "alternate"):
        usage()
    rules = parse_set(args[0])
    ours = expand(rules)
    with open(args[1], "w") as f:
        f.write(f"# {describe(args[0], rules, ours)}, actions {actions}"
                " (bench/classbench.py)\n")
        f.write(f"table netdev {table} {{\n\tcounter hits {{ }}\n\tchain in {{\n"
                f'\t\ttype filter hook ingress device "{dev}" priority 0; policy accept;\n')
        for r in ours:
            f.write("\t\t" + nft_rule(r, actions) + "\n")
        f.write("\t}\n}\n")
    print(f"{len(ours)}\t{describe(args[0], rules, ours)}")


def dotted(n):
    return str(ipaddress.IPv4Address(n))


def cmd_frames(args):
    count = int(opt(args, "--count", "4096"))
    if len(args) != 2 or count < 1:
        usage()
    lines = []
    with open(args[0]) as f:
        for n, line in enumerate(f, 1):
            t = line.split()
            if not t:
                continue
            try:
                v = [int(x) for x in t[:6]]
            except ValueError:
                die(f"{args[0]}:{n}: expected SADDR DADDR SPORT DPORT PROTO RULE as numbers")
            if len(v) < 5:
                die(f"{args[0]}:{n}: expected SADDR DADDR SPORT DPORT PROTO RULE")
            lines.append(v)
    if not lines:
        die(f"{args[0]}: no trace lines")
    pick = lines if count >= len(lines) else [lines[i * len(lines) // count]
                                              for i in range(count)]
    with open(args[1], "w") as f:
        f.write(f"# {os.path.basename(args[0])}: {len(pick)} of {len(lines)} trace lines, "
                "evenly spaced (bench/classbench.py)\n")
        for v in pick:
            f.write(f"{dotted(v[0])} {dotted(v[1])} {v[2]} {v[3]} {v[4]}"
                    f"{' ' + str(v[5]) if len(v) > 5 else ''}\n")
    print(len(pick))


SHARED_ADDR = int(ipaddress.IPv4Address("198.18.64.0"))
SHARED_SRC = int(ipaddress.IPv4Address("198.19.128.0"))
SHARED_MAX = 1 << 16


def cmd_shared(args):
    spread = flag(args, "--spread")
    count = int(opt(args, "--count", "4096"))
    if len(args) != 3 or args[0] not in ("sport", "saddr", "daddr"):
        usage()
    field, n, out = args[0], int(args[1]), args[2]
    if not 1 <= n <= SHARED_MAX or not 1 <= count <= SHARED_MAX:
        die(f"shared: 1-{SHARED_MAX} rules and frames")

    def value(i):
        return str(1024 + i) if field == "sport" else dotted(SHARED_ADDR + i)

    with open(out + ".rules", "w") as f:
        f.write(f"# {n} rules on udp dport 53, each its own {field} (bench/classbench.py)\n"
                "policy pass\n")
        for i in range(n):
            f.write(f"drop udp dport 53 {field} {value(i)}\n")
    with open(out + ".frames", "w") as f:
        f.write(f"# {count} frames to udp 53, matching "
                f"{'every rule in turn' if spread else 'the last rule'}\n")
        for j in range(count):
            k = (j % n if n <= count else j * n // count) if spread else n - 1
            src = value(k) if field == "saddr" else dotted(SHARED_SRC + j)
            dst = value(k) if field == "daddr" else "198.19.0.2"
            sport = 1024 + k if field == "sport" else 1024 + j % 64512
            f.write(f"{src} {dst} {sport} 53 17\n")
    print(f"{n}\t{n:,} rules on udp dport 53, own {field}, frames "
          f"{'spread over all rules' if spread else 'match the last'}")


def cmd_dir(args):
    if args:
        usage()
    d = data_dir()
    if not os.path.exists(os.path.join(d, "acl1_1K")):
        print(HOW_TO_GET.format(d=d), file=sys.stderr)
        sys.exit(1)
    print(d)


def usage():
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(2)


def main():
    cmds = dict(rules=cmd_rules, nft=cmd_nft, frames=cmd_frames, shared=cmd_shared,
                dir=cmd_dir)
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        usage()
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
