# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/report.py - bench/run's raw figures to bench/RESULTS.md and plot data.

Reads what bench/run exported: RAW (round, id, status, sent, seconds,
received, counted per line), COSTS (id, vary, ns, verdict), SCENARIOS (the
id|label|template|how|counter table) and the machine description; writes
OUT and, under PNG_DATA, the data files bench/results.gp plots.
"""
import os
import statistics as st

env = os.environ
scen = [l.split("|") for l in env["SCENARIOS"].strip().splitlines()]
# Scenario (d): id, family, prefixes of each blocklist set.
blsets = [(f[0], f[1], int(f[2])) for f in
          (l.split(None, 3) for l in env.get("BLSETS", "").strip().splitlines()) if len(f) == 4]
bldesc = {f[0]: f[3] for f in (l.split(None, 3) for l in env.get("BLSETS", "").strip().splitlines())
          if len(f) == 4}
FAMILY = {"4": "IPv4", "6": "IPv6", "mix": "IPv4 + IPv6, IPv4 frames"}
rows = {}
for line in open(env["RAW"]):
    r, sid, status, sent, secs, rx, cnt = line.rstrip("\n").split("\t")
    rows.setdefault(sid, []).append(
        dict(round=int(r), ok=status == "ok", sent=int(sent), secs=float(secs),
             rx=int(rx), cnt=int(cnt)))
costs = {}
for line in open(env["COSTS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 4 and f[2]:
        costs.setdefault((f[0], f[1]), []).append(float(f[2]))


def mpps(x):
    return x["rx"] / x["secs"] / 1e6 if x["ok"] and x["secs"] > 0 else 0.0


drop_by_round = {x["round"]: mpps(x) for x in rows.get("drop", [])}
nft_by_round = {x["round"]: mpps(x) for x in rows.get("nft", [])}


def ratio(sid, base):
    rs = [mpps(x) / base[x["round"]] for x in rows.get(sid, [])
          if base.get(x["round"])]
    return st.median(rs) if rs else None


def cost(sid, vary):
    v = costs.get((sid, vary))
    return f"{st.median(v):.0f}" if v else "-"


out = []
out.append("# xdpfw benchmark results\n")
out.append("Written by `bench/run`; do not edit by hand. Only ratios within one "
           "run mean anything: the same run on another machine differs up to 2x "
           "in absolute speed.\n")
out.append("## Machine and command\n")
out.append(f"- when: {env['WHEN']}, xdpfw {env['XDPFW_REV']}")
out.append(f"- machine: {env['MACHINE']}")
out.append(f"- CPU: {env['CPU']}")
out.append(f"- kernel: {env['KERNEL']}")
out.append("- path: veth pair between two network namespaces; the receiving "
           "end runs XDP in native (driver) mode, veth's `ndo_xdp_xmit`")
out.append(f"- generator: `xdpfw-gen` (bench/gen.c), BPF_PROG_TEST_RUN with "
           f"BPF_F_TEST_XDP_LIVE_FRAMES and XDP_REDIRECT into the veth, "
           f"{env['THREADS']} thread(s), batch 64, 60-byte UDP frames to port 9, "
           f"4,096 flows (256 source addresses x 16 source ports); generator and "
           f"receiver share the CPU (veth runs the peer's NAPI on the sending CPU)")
out.append(f"- rounds: {env['ROUNDS']}, {env['DURATION']} s per scenario per round, "
           f"scenarios interleaved within each round")
out.append(f"- command: `{env['CMD']}` (as root, after `meson compile -C build`)\n")
out.append("## Throughput\n")
out.append("Mpps = packets the receiving interface counted (rx_packets) / generator "
           "time; median of the rounds, with min and max. `handled` = the "
           "scenario's own counter (xdpfw's per-reason counters, the nft or "
           "iptables rule counter, xdp-filter's XDP_DROP count, IP InReceives "
           "for the stack) over packets received, median. `x drop` = Mpps over "
           "the trivial XDP_DROP of the same round, median over rounds. Program "
           "ns = BPF_PROG_TEST_RUN mean per run of one frame (hot) or of 32 "
           "frames with distinct source address/port, each run in turn (varied), median.\n")
out.append("| path | Mpps | min-max | ns/packet | x drop | x nft | handled | program ns hot | program ns varied |")
out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
plot = []
for sid, label, tmpl, how, what in scen:
    xs = rows.get(sid, [])
    good = [x for x in xs if x["ok"]]
    if not good:
        out.append(f"| {label} | failed | | | | | | | |")
        continue
    m = [mpps(x) for x in good]
    med = st.median(m)
    rd = ratio(sid, drop_by_round)
    rn = ratio(sid, nft_by_round)
    handled = st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
    out.append(f"| {label} | {med:.2f} | {min(m):.2f}-{max(m):.2f} | "
               f"{1e3 / med if med else 0:.0f} | "
               f"{rd:.2f} | {rn:.2f} | {handled:.0%} | {cost(sid, '1')} | {cost(sid, '32')} |"
               .replace("| None |", "| - |"))
    if sid in bldesc:  # the plot's axis has less room than the table
        fam, n = next((f, k) for i, f, k in blsets if i == sid)
        label = f"xdpfw, blocklist {n:,} {dict(mix='IPv4+6')[fam] if fam == 'mix' else 'IPv' + fam}"
    plot.append(f'"{label}" {med:.3f} {min(m):.3f} {max(m):.3f}')

loads = {}
for line in open(env["LOADS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 3 and f[2] == "0":
        loads.setdefault(f[0], []).append(int(f[1]))

fw1 = ratio("fw1", drop_by_round)
fwn = ratio("fw1", nft_by_round)
out.append("")
if fw1 is not None and fwn is not None:
    def met(ok):
        return "met" if ok else "missed"
    out.append(f"xdpfw with one drop rule runs at {fw1:.2f}x the trivial XDP_DROP "
               f"(target >= 0.85x: {met(fw1 >= 0.85)}) and {fwn:.2f}x the nftables "
               f"netdev drop (target >= 3x: {met(fwn >= 3)}) in this run.\n")

    def med_ns(sid):
        m = [mpps(x) for x in rows.get(sid, []) if x["ok"]]
        return 1e3 / st.median(m) if m and st.median(m) else None

    def med_cost(sid):
        v = costs.get((sid, "1"))
        return st.median(v) if v else None

    d_ns, f_ns, n_ns = med_ns("drop"), med_ns("fw1"), med_ns("nft")
    d_c, f_c, k_c = med_cost("drop"), med_cost("fw1"), med_cost("fw1000")
    if None not in (d_ns, f_ns, n_ns, d_c, f_c, k_c):
        out.append(f"""Where the time goes. On the wire path a packet costs {d_ns:.0f} ns with
the trivial drop and {f_ns:.0f} ns with xdpfw's one rule: xdpfw adds {f_ns - d_ns:.0f} ns,
of which BPF_PROG_TEST_RUN puts {f_c - d_c:.0f} ns in the program itself ({f_c:.0f} ns
against {d_c:.0f} ns); each further rule costs about {(k_c - f_c) / 999:.1f} ns (1,000 rules:
{k_c:.0f} ns). The generator shares the CPU and is a fixed cost in every path,
which compresses ratios: here even the trivial drop is only
{n_ns / d_ns:.2f}x the nftables drop, so >= 3x nftables asks for about
{3 / (n_ns / d_ns):.2f}x the trivial drop. In the program (xdp/xdpfw.bpf.c), before
and after the parse: two array lookups (fw_active, then fw_config), the rule
walk through bpf_loop with one map lookup per rule (xdp/classify.h), and two
per-CPU counter updates (reason and rule, xdp/counters.h). What would close
the gap: the flat-cost classifier (per-field lookups to a rule bitmap, so
the rule count stops mattering), one lookup for the generation's config
(config and active generation in one map value or a global), a direct
loop instead of bpf_loop for short rule sets, and one counter update per
packet. This machine has no hardware perf counters, so `bpftool prog
profile` cannot attribute cycles; where it can, run it on the program id
of `fwctl status` during the one-rule scenario.
""")
out.append("## Program cost against rule count\n")
out.append("| rules (last matches) | ns hot | ns varied |")
out.append("| ---: | ---: | ---: |")
for n, sid in (("0 (trivial drop)", "drop"), ("1", "fw1"), ("10", "fw10"),
               ("100", "fw100"), ("1000", "fw1000")):
    out.append(f"| {n} | {cost(sid, '1')} | {cost(sid, '32')} |")
out.append("")
out.append("## Blocklists: program cost against set size\n")
out.append("Scenario (d): `set bl = file \"...\"`, `drop saddr @bl`, then `drop udp dport 9`; "
           "the frames' source addresses are in no prefix of the set, so every packet "
           "does one set lookup, misses, and is dropped by the next rule (`missed` = that "
           "rule's counter over packets received). The set is one BPF LPM trie "
           "(xdp/sets.h). Mpps and `x drop` as above.\n")
out.append("| prefixes | family | Mpps | min-max | x drop | missed | program ns hot | program ns varied |")
out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for sid, fam, n in blsets:
    good = [x for x in rows.get(sid, []) if x["ok"]]
    if not good:
        out.append(f"| {n:,} | {FAMILY[fam]} | failed | | | | {cost(sid, '1')} | {cost(sid, '32')} |")
        continue
    m = [mpps(x) for x in good]
    rd = ratio(sid, drop_by_round)
    missed = st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
    out.append(f"| {n:,} | {FAMILY[fam]} | {st.median(m):.2f} | {min(m):.2f}-{max(m):.2f} | "
               f"{'-' if rd is None else f'{rd:.2f}'} | {missed:.0%} | "
               f"{cost(sid, '1')} | {cost(sid, '32')} |")
v4 = [(n, costs.get((sid, "1"))) for sid, fam, n in blsets if fam == "4"]
v4 = [(n, st.median(c)) for n, c in v4 if c]
one = costs.get(("fw1", "1"))
if len(v4) >= 2 and one:
    (n0, c0), (n1, c1) = v4[0], v4[-1]
    out.append("")
    out.append(f"From {n0:,} to {n1:,} IPv4 prefixes the program cost (hot) goes from "
               f"{c0:.0f} to {c1:.0f} ns, {c1 - c0:+.0f} ns ({c1 / c0:.2f}x); the set "
               f"rule itself costs {c0 - st.median(one):.0f} ns over the one-rule program "
               f"({st.median(one):.0f} ns) at {n0:,} prefixes. This is the LPM-trie "
               f"baseline the flat-cost classifier is measured against.")
out.append("")
out.append("## Load and reload\n")
out.append("Wall time of one fwctl command (compile, load, attach; or compile "
           "and swap), median of the rounds, with min and max.\n")
out.append("| command | ms | min-max |")
out.append("| --- | ---: | ---: |")
def setlabel(sid):
    return "a set of " + bldesc.get(sid, "?")


big4, big6, bigm = env.get("BL4_BIG", ""), env.get("BL6_ID", ""), env.get("BLMIX_ID", "")
for key, label in (("check1000", "fwctl check, 1000 rules"),
                   ("attach1", "fwctl attach, 1 rule"),
                   ("attach1000", "fwctl attach, 1000 rules"),
                   ("reload1", "fwctl reload, 1 rule"),
                   ("reload1000", "fwctl reload, 1000 rules"),
                   ("detach1000", "fwctl detach"),
                   ("check_" + bigm, "fwctl check, " + setlabel(bigm)),
                   ("attach_" + bigm, "fwctl attach, " + setlabel(bigm)),
                   ("reload_" + bigm, "fwctl reload, " + setlabel(bigm)),
                   ("detach_" + bigm, "fwctl detach, " + setlabel(bigm)),
                   ("attach_" + big4, "fwctl attach, " + setlabel(big4)),
                   ("reload_" + big4, "fwctl reload, " + setlabel(big4)),
                   ("detach_" + big4, "fwctl detach, " + setlabel(big4)),
                   ("attach_" + big6, "fwctl attach, " + setlabel(big6)),
                   ("reload_" + big6, "fwctl reload, " + setlabel(big6)),
                   ("detach_" + big6, "fwctl detach, " + setlabel(big6))):
    v = loads.get(key)
    if v:
        out.append(f"| {label} | {st.median(v)} | {min(v)}-{max(v)} |")
    else:
        out.append(f"| {label} | failed | |")
out.append("")
out.append("""## Notes

- The stack baselines (nftables, iptables, no filter) and the xdpfw scenario
  that passes everything need an XDP program on the receiving veth end too:
  frames redirected into a veth are only received when its peer runs XDP. They
  run a trivial XDP_PASS program (bench/drop.bpf.c built as pass.bpf.o), whose
  cost (a few ns) is in their figures.
- iptables is Debian 12's iptables-nft: the raw PREROUTING rule runs in
  nf_tables at the raw priority.
- xdpfw and xdp-filter are attached through libxdp; on this machine xdpfw
  reported `attach: """ + env["FW_ATTACH"] + """` (`alone`: libxdp did not use its
  multi-program dispatcher on this kernel, so no dispatcher call is in the
  figures; `dispatcher`: one extra call is). The trivial drop is attached
  alone with `ip link set dev IF xdpdrv obj drop.bpf.o`.
- The dns-server rule set drops this traffic by its `policy drop`, after
  testing every rule.
- IPv4 blocklists stop at 261,112 prefixes, not 1M: the bench keeps every
  address in 198.18.0.0/15 (and the documentation ranges), which holds only
  2^18 - 1 = 262,143 distinct prefixes of length 15-32, less the 1,031 that
  touch the generator's sources (198.18.0.0/23). That set is all of them:
  host /32s, then /31s, ... up to /16 (bench/blocklist.py); the smaller
  sets are its first N lines (/32s from 198.18.2.0 on). The 1M-prefix set
  is those 261,112 plus 738,888 IPv6 prefixes, sent IPv4 frames: all of a
  rule set's addresses live in one LPM trie (xdp/sets.h), the family in the
  key. IPv6 sets alternate /64s and /128s in 2001:db8::/32, away from the
  generator's 2001:db8:1::/48. Reload writes the idle generation's copy of
  the sets: it deletes the old entries, then inserts the new ones.
- Not measured: the kernel's pktgen (absent on this kernel: bench/pktgen.sh
  drives it where it exists, untested here).
- Program cost of xdp-filter: its program as loaded on the interface, run by
  id (BPF_PROG_TEST_RUN); with libxdp's dispatcher it would include that.
- Program cost, varied: BPF_PROG_TEST_RUN runs one frame per call and each
  call costs ~20 ms of setup here, so the varied figure cycles 32 frames,
  not thousands; today's classifier keeps no per-flow state, so hot and
  varied agree. The throughput figures use 4,096 flows.
""")
with open(env["OUT"], "w") as f:
    f.write("\n".join(out))

os.makedirs(env["PNG_DATA"], exist_ok=True)
with open(os.path.join(env["PNG_DATA"], "mpps.dat"), "w") as f:
    f.write("\n".join(plot) + "\n")
with open(os.path.join(env["PNG_DATA"], "rules.dat"), "w") as f:
    for n, sid in ((1, "fw1"), (10, "fw10"), (100, "fw100"), (1000, "fw1000")):
        h, c = costs.get((sid, "1")), costs.get((sid, "32"))
        if h and c:
            f.write(f"{n} {st.median(h):.1f} {st.median(c):.1f}\n")
for fam in ("4", "6", "mix"):
    with open(os.path.join(env["PNG_DATA"], f"sets{fam}.dat"), "w") as f:
        for sid, sfam, n in blsets:
            h, c = costs.get((sid, "1")), costs.get((sid, "32"))
            if sfam == fam and h and c:
                f.write(f"{n} {st.median(h):.1f} {st.median(c):.1f}\n")
