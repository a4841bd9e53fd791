# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/report.py - bench/run's raw figures to bench/RESULTS.md and plot data.

Reads what bench/run exported: RAW (round, id, status, sent, seconds,
received, counted, live runs, live ns per line), COSTS (id, kind: 1 for
hot or flows, ns, verdict, xdpfw-cost's other figures), LOADS (id, ms,
exit status), SCENARIOS (the id|label|template|how|counter|groups|sources
table), BLSETS and the machine description; writes OUT, with issue 6's
targets table and issue 7's rate limits, and, under PNG_DATA, the data files
bench/results.gp plots. ONLY=limits writes the machine, the rate limits and
the throughput table only; ONLY=classbench the machine, issue 12's section
(CHECKS: the verdict checks, "id status output" a line; CBINFO: "set rules
description" of each ClassBench set) and the throughput table.
"""
import os
import statistics as st

env = os.environ
scen = [l.split("|") for l in env["SCENARIOS"].strip().splitlines()]
# Field 6: groups; "o" marks a scenario measured by program cost only.
cost_only = {f[0] for f in scen if len(f) > 5 and "o" in f[5]}
# Field 7: where the frames come from ("" xdpfw-gen's 256 x 16, "1", "64k").
sources = {f[0]: (f[6] if len(f) > 6 else "") for f in scen}
FLOWS = int(env.get("FLOWS", "4096"))
# Scenario (d): id, family, prefixes and frames (miss/hit) of each blocklist set.
blsets, bldesc = [], {}
for l in env.get("BLSETS", "").strip().splitlines():
    f = l.split(None, 4)
    if len(f) == 5:
        blsets.append((f[0], f[1], int(f[2]), f[3]))
        bldesc[f[0]] = f[4]
FAMILY = {"4": "IPv4", "6": "IPv6", "mix": "IPv4 + IPv6, IPv4 frames"}
rows = {}
for line in open(env["RAW"]):
    f = line.rstrip("\n").split("\t")
    r, sid, status, sent, secs, rx, cnt = f[:7]
    lruns, lns = (int(f[7]), float(f[8])) if len(f) >= 9 else (0, 0.0)
    rows.setdefault(sid, []).append(
        dict(round=int(r), ok=status == "ok", refused=status == "refused",
             sent=int(sent), secs=float(secs),
             rx=int(rx), cnt=int(cnt), live=lns if lruns else None))
# (id, "1"): hot; (id, "flows"): the 4,096-flow figure.
costs, refused = {}, set()
for line in open(env["COSTS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 2 and f[1] == "refused":
        refused.add(f[0])  # over xdpfw's limits ("too many rules")
    elif len(f) >= 4 and f[2]:
        costs.setdefault((f[0], f[1]), []).append(float(f[2]))


def mpps(x):
    return x["rx"] / x["secs"] / 1e6 if x["ok"] and x["secs"] > 0 else 0.0


drop_by_round = {x["round"]: mpps(x) for x in rows.get("drop", [])}
nft_by_round = {x["round"]: mpps(x) for x in rows.get("nft", [])}


def ratio(sid, base):
    rs = [mpps(x) / base[x["round"]] for x in rows.get(sid, [])
          if base.get(x["round"])]
    return st.median(rs) if rs else None


def med_cost(sid, kind):
    v = costs.get((sid, kind))
    return st.median(v) if v else None


def med_live(sid):
    v = [x["live"] for x in rows.get(sid, []) if x["ok"] and x["live"]]
    return st.median(v) if v else None


def fmt(v, nd=0):
    return "-" if v is None else f"{v:.{nd}f}"


def cost(sid, kind):
    return fmt(med_cost(sid, kind))


def live(sid):
    return fmt(med_live(sid))


out = []
only = env.get("ONLY", "")
out.append("# xdpfw benchmark results" + (f" (--only {only})" if only else "") + "\n")
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

loads, load_seen = {}, set()
for line in open(env["LOADS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 3:
        load_seen.add(f[0])
        if f[2] == "0":
            loads.setdefault(f[0], []).append(int(f[1]))


def med_load(key):
    v = loads.get(key)
    return st.median(v) if v else None


# --- issue 6's targets --------------------------------------------------------
def met(ok):
    return "met" if ok else "**missed**"


floor = med_cost("drop", "flows")
tgt = []


def ratio_row(what, a, b, limit):
    """a over b, program cost over 4,096 flows; also net of the floor and live."""
    ca, cb = med_cost(a, "flows"), med_cost(b, "flows")
    if ca is None or cb is None:
        tgt.append(f"| {what} | not measured | | | | <= {limit}x | - |")
        return
    net = "-"
    if floor is not None and cb > floor:
        net = f"{(ca - floor) / (cb - floor):.2f}x"
    la, lb = med_live(a), med_live(b)
    lr = f"{la / lb:.2f}x" if la and lb else "-"
    r = ca / cb
    tgt.append(f"| {what} | {ca:.1f} / {cb:.1f} ns | {r:.2f}x | {net} | {lr} | "
               f"<= {limit}x | {met(r <= limit)} |")


ratio_row("1,000 rules (last matches) vs 1 rule", "fw1000", "fw1", 1.5)
ratio_row("1M IPv4 prefixes vs 10, frames miss the set", "bl1000000", "bl10", 1.3)
ratio_row("1M IPv4 prefixes vs 10, frames hit the set", "blh1000000", "blh10", 1.3)
ratio_row("100k IPv6 prefixes vs 10, frames miss the set", "bl6_100000", "bl6_10", 1.3)
ratio_row("100k IPv6 prefixes vs 10, frames hit the set", "blh6_100000", "blh6_10", 1.3)
ratio_row("edge-router.rules vs xdp-filter", "fwedge", "xdpfilter", 1.0)
for key, what, limit in (("attach_bl1000000", "attach, a set of 1M IPv4 prefixes", 2000),
                         ("reload1000", "reload, 1,000 rules", 100)):
    v = med_load(key)
    if v is None:
        tgt.append(f"| {what} | {'failed' if key in load_seen else 'not measured'} | | | | "
                   f"<= {limit} ms | - |")
    else:
        tgt.append(f"| {what} | {v} ms (median) | | | | <= {limit} ms | {met(v <= limit)} |")
if only in ("", "classifier"):
    out.append("## Issue 6 targets\n")
    out.append(f"Program cost = ns per packet over the frames of {FLOWS:,} distinct flows "
               f"(xdpfw-gen's), each run once per BPF_PROG_TEST_RUN call, pass after pass; "
               f"the time is the kernel's BPF run-time statistics (run_time_ns) around the "
               f"program alone, the mean of the middle 80% of the runs, median over the "
               f"rounds (bench/cost.c). `ratio` decides; `net of floor` takes the trivial "
               f"XDP_DROP measured the same way ({fmt(floor, 1)} ns: the two clock reads "
               f"of the statistics, the call) off both figures first; `live` is the same "
               f"ratio from the statistics of the program on the veth while xdpfw-gen "
               f"sends its {FLOWS:,} flows (a mean per packet). Wall times: one fwctl "
               f"command, median of the rounds.\n")
    out.append("| target | figures | ratio | net of floor | live | limit | result |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    out.extend(tgt)
    out.append("")

# --- throughput --------------------------------------------------------------
out.append("## Throughput\n")
out.append("Mpps = packets the receiving interface counted (rx_packets) / generator "
           "time; median of the rounds, with min and max. `handled` = the "
           "scenario's own counter (xdpfw's per-reason or per-rule counters, the "
           "nft or iptables rule counter, xdp-filter's XDP_DROP count, IP "
           "InReceives for the stack) over packets received, median. `x drop` = "
           "Mpps over the trivial XDP_DROP of the same round, median over rounds. "
           "Program ns: `hot` = BPF_PROG_TEST_RUN mean per run of one frame "
           f"repeated; `{FLOWS:,} flows` = the figure of the targets above; `live` "
           "= run_time_ns / run_cnt of the XDP program on the veth during a short "
           f"send of 25 x {FLOWS:,} packets after the throughput one; medians.\n")
out.append(f"| path | Mpps | min-max | ns/packet | x drop | x nft | handled | program ns hot "
           f"| program ns {FLOWS:,} flows | program ns live |")
out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
plot = []
for sid, label, tmpl, how, what, *_ in scen:
    if sid in cost_only:
        continue
    xs = rows.get(sid, [])
    good = [x for x in xs if x["ok"]]
    if xs and all(x["refused"] for x in xs):
        out.append(f"| {label} | refused: too many rules | | | | | | - | - | - |")
        continue
    if not good:
        out.append(f"| {label} | failed | | | | | | {cost(sid, '1')} | {cost(sid, 'flows')} | - |")
        continue
    m = [mpps(x) for x in good]
    med = st.median(m)
    rd = ratio(sid, drop_by_round)
    rn = ratio(sid, nft_by_round)
    handled = st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
    out.append(f"| {label} | {med:.2f} | {min(m):.2f}-{max(m):.2f} | "
               f"{1e3 / med if med else 0:.0f} | {fmt(rd, 2)} | {fmt(rn, 2)} | {handled:.0%} | "
               f"{cost(sid, '1')} | {cost(sid, 'flows')} | {live(sid)} |")
    if sid in sources and sid.startswith(("lsrc", "lrule")):
        label = (f"xdpfw, limit/{'source' if sid.startswith('lsrc') else 'rule'}, "
                 f"{'64k' if sources[sid] == '64k' else '1'} src, "
                 f"{'over' if sid.endswith('over') else 'within'}")
    if sid in bldesc:  # the plot's axis has less room than the table
        fam, n, fr = next((f, k, h) for i, f, k, h in blsets if i == sid)
        label = (f"xdpfw, blocklist {n:,} {'IPv4+6' if fam == 'mix' else 'IPv' + fam}"
                 f"{', hit' if fr == 'hit' else ''}")
    plot.append(f'"{label}" {med:.3f} {min(m):.3f} {max(m):.3f}')

fw1 = ratio("fw1", drop_by_round)
fwn = ratio("fw1", nft_by_round)
out.append("")
if fw1 is not None and fwn is not None:
    out.append(f"xdpfw with one drop rule runs at {fw1:.2f}x the trivial XDP_DROP "
               f"(target >= 0.85x: {met(fw1 >= 0.85)}) and {fwn:.2f}x the nftables "
               f"netdev drop (target >= 3x: {met(fwn >= 3)}) in this run.\n")

    def med_ns(sid):
        m = [mpps(x) for x in rows.get(sid, []) if x["ok"]]
        return 1e3 / st.median(m) if m and st.median(m) else None

    d_ns, f_ns, n_ns = med_ns("drop"), med_ns("fw1"), med_ns("nft")
    d_c, f_c, k_c = med_cost("drop", "1"), med_cost("fw1", "1"), med_cost("fw1000", "1")
    if None not in (d_ns, f_ns, n_ns, d_c, f_c, k_c):
        out.append(f"""Where the time goes. On the wire path a packet costs {d_ns:.0f} ns with
the trivial drop and {f_ns:.0f} ns with xdpfw's one rule: xdpfw adds {f_ns - d_ns:.0f} ns,
of which BPF_PROG_TEST_RUN puts {f_c - d_c:.0f} ns in the program itself ({f_c:.0f} ns
against {d_c:.0f} ns, hot); each further rule costs about {(k_c - f_c) / 999:.1f} ns (1,000 rules:
{k_c:.0f} ns). The generator shares the CPU and is a fixed cost in every path,
which compresses ratios: here even the trivial drop is only
{n_ns / d_ns:.2f}x the nftables drop, so >= 3x nftables asks for about
{3 / (n_ns / d_ns):.2f}x the trivial drop. This machine has no hardware perf
counters, so `bpftool prog profile` cannot attribute cycles; where it can, run
it on the program id of `fwctl status` during the one-rule scenario.
""")

# --- rules ---------------------------------------------------------------------
def rules_section():
    out.append("## Program cost against rule count\n")
    out.append(f"| rules (last matches) | ns hot | ns {FLOWS:,} flows | ns live |")
    out.append("| ---: | ---: | ---: | ---: |")
    for n, sid in (("0 (trivial drop)", "drop"), ("1", "fw1"), ("10", "fw10"),
                   ("100", "fw100"), ("1000", "fw1000")):
        if med_cost(sid, "1") is not None or rows.get(sid):
            out.append(f"| {n} | {cost(sid, '1')} | {cost(sid, 'flows')} | {live(sid)} |")
    if med_cost("fwedge", "flows") is not None or med_cost("xdpfilter", "flows") is not None:
        out.append("")
        out.append(f"edge-router.rules (7 rules, a 20,488-prefix blocklist used as saddr and "
                   f"daddr, a 6-port set, a negated list; frames to 192.0.2.10 udp 9 from the "
                   f"{FLOWS:,} flows: half the sources are in the blocklist, the rest are "
                   f"dropped by the last rule): {cost('fwedge', 'flows')} ns over {FLOWS:,} "
                   f"flows ({cost('fwedge', '1')} hot, {live('fwedge')} live); xdp-filter "
                   f"(port 9, 1 address): {cost('xdpfilter', 'flows')} ns "
                   f"({cost('xdpfilter', '1')} hot, {live('xdpfilter')} live).")
    out.append("")


if only in ("", "classifier"):
    rules_section()


# --- blocklists ------------------------------------------------------------------
def blocklists_section():
    out.append("## Blocklists: program cost against set size\n")
    out.append("Scenario (d): `set bl = file \"...\"`, `drop saddr @bl`, then `drop udp dport 9`. "
               "`miss`: the frames' source addresses are in no prefix of the set, so every "
               "packet looks the set up, misses, and is dropped by the next rule; `hit`: the "
               "set's first 10 prefixes (lengths /25 to /32, or /48 and /121 to /128) hold "
               "all the sources, and the set's rule drops every packet (`counted` = that "
               "rule's counter over packets received). Mpps and `x drop` as above.\n")
    out.append(f"| prefixes | family | frames | Mpps | min-max | x drop | counted | program ns hot "
               f"| program ns {FLOWS:,} flows | program ns live |")
    out.append("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for sid, fam, n, fr in blsets:
        good = [x for x in rows.get(sid, []) if x["ok"]]
        if not good:
            out.append(f"| {n:,} | {FAMILY[fam]} | {fr} | failed | | | | {cost(sid, '1')} | "
                       f"{cost(sid, 'flows')} | - |")
            continue
        m = [mpps(x) for x in good]
        rd = ratio(sid, drop_by_round)
        counted = st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
        out.append(f"| {n:,} | {FAMILY[fam]} | {fr} | {st.median(m):.2f} | {min(m):.2f}-{max(m):.2f} | "
                   f"{fmt(rd, 2)} | {counted:.0%} | "
                   f"{cost(sid, '1')} | {cost(sid, 'flows')} | {live(sid)} |")
    v4 = [(n, med_cost(sid, "flows")) for sid, fam, n, fr in blsets if fam == "4" and fr == "miss"]
    v4 = [(n, c) for n, c in v4 if c]
    one = med_cost("fw1", "flows")
    if len(v4) >= 2 and one:
        (n0, c0), (n1, c1) = v4[0], v4[-1]
        out.append("")
        out.append(f"From {n0:,} to {n1:,} IPv4 prefixes (frames miss) the program cost over "
                   f"{FLOWS:,} flows goes from {c0:.0f} to {c1:.0f} ns, {c1 - c0:+.0f} ns "
                   f"({c1 / c0:.2f}x); the set rule itself costs {c0 - one:.0f} ns over the "
                   f"one-rule program ({one:.0f} ns) at {n0:,} prefixes.")
    out.append("")


if only in ("", "classifier"):
    blocklists_section()

# --- rate limits -----------------------------------------------------------------
LIMITS = [(sid, label) for sid, label, *_ in scen if sid.startswith(("lsrc", "lrule"))]
SHAPES = {"1": f"1 source ({FLOWS:,} ports)", "64k": "65,536 sources (a port each)"}
if LIMITS:
    out.append("## Rate limits\n")
    out.append("`drop udp dport 9 limit over RATE [per saddr]`, then `drop udp dport 9`. "
               "`within`: 1g/s, every packet is within the budget, its bucket is updated "
               "(a compare-and-swap), and the next rule drops it; `over`: 1/h burst 1, every "
               "packet but a source's first is over the budget, its bucket only read, and "
               "the limited rule drops it. Per source: a bucket per source address in the "
               "LRU hash; per rule: one bucket. Program ns = the kernel's run-time "
               "statistics over the frames of the flows shown, each run once per call, "
               "after one untimed pass that fills the buckets (`xdpfw-cost --src-count N "
               "--warmup 1`), as the targets above; `x drop` = over the trivial XDP_DROP "
               "measured the same way over the same frames in this run ("
               + ", ".join(f"{fmt(med_cost('drop_s' + k, 'flows'), 1)} ns from {SHAPES.get(k, k)}"
                           for k in sorted({sources.get(sid, '') for sid, _ in LIMITS}) if k)
               + "). Live: the program on the veth (x drop: over the trivial drop's live "
               "figure). Mpps: xdpfw-gen sending those flows, `x drop` over the trivial "
               "drop of the same round; `counted` = the limit's within or over counter "
               "over packets received.\n")
    out.append("| limit | frames from | budget | program ns | x drop | ns live | x drop | "
               "Mpps | x drop | counted |")
    out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    live_drop = med_live("drop")
    for sid, label in LIMITS:
        shape = sources.get(sid, "")
        c, c0 = med_cost(sid, "flows"), med_cost("drop_s" + shape, "flows")
        lv = med_live(sid)
        good = [x for x in rows.get(sid, []) if x["ok"]]
        m = st.median([mpps(x) for x in good]) if good else None
        counted = (st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
                   if good else None)
        out.append(f"| {'per source' if sid.startswith('lsrc') else 'per rule'} | "
                   f"{SHAPES.get(shape, shape)} | {'over' if sid.endswith('over') else 'within'} | "
                   f"{fmt(c, 1)} | {fmt(c / c0 if c and c0 else None, 2)} | "
                   f"{fmt(lv, 1)} | {fmt(lv / live_drop if lv and live_drop else None, 2)} | "
                   f"{fmt(m, 2)} | {fmt(ratio(sid, drop_by_round), 2)} | "
                   f"{'-' if counted is None else f'{counted:.0%}'} |")
    out.append("")

LIMITS_NOTE = """- Rate limits: the 65,536 sources are 198.18.0.0-198.18.255.255, one frame
  each; the per-source bucket hash has its default 131,072 entries, so none
  is evicted. Within budget the limit's bucket is written on every packet,
  from one generator thread here (one CPU: no contention between CPUs).
  Over budget, each source's first packet is within (burst 1): `counted`
  falls short of 100% by the sources over the packets sent. In the
  throughput table the limits' `program ns` columns are over their own
  flows, as above, not xdpfw-gen's 4,096.
"""

# --- issue 12 -------------------------------------------------------------------
checks = {}
if env.get("CHECKS") and os.path.exists(env["CHECKS"]):
    for line in open(env["CHECKS"]):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3:
            checks[f[0]] = (f[1], dict(kv.split("=", 1) for kv in f[2].split() if "=" in kv))
cbinfo = []
for line in env.get("CBINFO", "").strip().splitlines():
    f = line.split("\t")
    if len(f) == 3:
        cbinfo.append((f[0], int(f[1]), f[2]))
i12 = []


def c12(sid):
    """Program cost over the scenario's frames, or why there is none."""
    if sid in refused:
        return "refused"
    return fmt(med_cost(sid, "flows"), 1)


def div(a, b, nd=2):
    a, b = med_cost(a, "flows"), med_cost(b, "flows")
    return f"{a / b:.{nd}f}x" if a and b else "-"


def check_cell(sid):
    st_, kv = checks.get(sid, ("not run", {}))
    if st_ in ("ok", "differ"):
        return f"{kv.get('disagree', '?')} of {int(kv.get('frames', 0)):,}"
    return "refused" if st_ == "refused" else st_


def target12(what, a, b, limit, fa, fb):
    """a over b (program cost) against a limit; also net of the floors fa, fb:
    the trivial drop over a's and b's frames."""
    if a in refused:
        i12.append(f"| {what} | refused: too many rules | | | <= {limit}x | **missed** |")
        return
    ca, cb = med_cost(a, "flows"), med_cost(b, "flows")
    if ca is None or cb is None:
        i12.append(f"| {what} | not measured | | | <= {limit}x | - |")
        return
    r = ca / cb
    na, nb = med_cost(fa, "flows"), med_cost(fb, "flows")
    net = f"{(ca - na) / (cb - nb):.2f}x" if na and nb and cb > nb else "-"
    i12.append(f"| {what} | {ca:.1f} / {cb:.1f} ns | {r:.2f}x | {net} | <= {limit}x | "
               f"{met(r <= limit)} |")


def issue12_section():
    sf = [(sid, label) for sid, label, *_ in scen if sid.startswith("sf_")]
    if not (cbinfo or sf or rows.get("fw2") or med_cost("fw2", "flows")):
        return
    out.append("## Issue 12: ClassBench, shared fields, the fixed cost\n")
    out.append("Program cost: ns per packet from the kernel's BPF run-time statistics "
               "around the program alone, each frame run once per BPF_PROG_TEST_RUN call, "
               "pass after pass, the mean of the middle 80% of the runs, median over the "
               "rounds (bench/cost.c); every program of a table over the same frames. "
               "`refused`: the rule set is over xdpfw's limits (`too many rules`: 4,096 "
               "rules today).\n")
    # Targets first, as issue 12 words them.
    fam = {}
    for s, n, _ in cbinfo:
        fam.setdefault(s.split("_")[0], {})[s.split("_")[1]] = s
    for f, sizes in fam.items():
        if "10K" in sizes and "1K" in sizes:
            big, small = sizes["10K"], sizes["1K"]
            target12(f"ClassBench {f}: 10K rules vs 1K", f"cb_{big}", f"cb_{small}", 1.3,
                     f"drop_scb:{big}", f"drop_scb:{small}")
            target12(f"ClassBench {f} 10K vs xdp-filter, same frames", f"cb_{big}",
                     f"xdpfilter_scb:{big}", 1.0, f"drop_scb:{big}", f"drop_scb:{big}")
    for field in ("sport", "saddr", "daddr"):
        ids = [sid for sid, _ in sf if sid.startswith(f"sf_{field}_") and sid.endswith("_last")]
        if ids and f"sf_{field}_100_last" in ids:
            big = max(ids, key=lambda x: int(x.split("_")[2]))
            target12(f"shared {field}: {int(big.split('_')[2]):,} rules vs 100 (last matches)",
                     big, f"sf_{field}_100_last", 1.3, "drop_sdns", "drop_sdns")
    for fam, name in (("4", "IPv4"), ("6", "IPv6")):
        target12(f"1M random {name} prefixes vs 10,000, same frames", f"rp{fam}_1000000",
                 f"rp{fam}_10000", 1.3, f"drop_srp:{fam}", f"drop_srp:{fam}")
    target12("2 rules: xdpfw vs the hand-written program", "fw2", "anchor", 2.0, "drop_sdns",
             "drop_sdns")
    fw2d, fw2n = ratio("fw2", drop_by_round), None
    nft2 = {x["round"]: mpps(x) for x in rows.get("nft2", [])}
    if nft2:
        fw2n = ratio("fw2", nft2)
    for what, v, limit in (("2 rules, veth: xdpfw vs the bare XDP_DROP", fw2d, 0.85),
                           ("2 rules, veth: xdpfw vs nftables (the same 2 rules)", fw2n, 3.0)):
        if v is None:
            i12.append(f"| {what} | not measured | | | >= {limit}x | - |")
        else:
            i12.append(f"| {what} | Mpps ratio, median of rounds | {v:.2f}x | | >= {limit}x | "
                       f"{met(v >= limit)} |")
    loads12 = [("attach_fw2", "attach, the 2-rule file", 200),
               ("reload_fw1000", "reload, 1,000 rules", 100)]
    loads12 += [(f"reload_cb_{s}", f"reload, ClassBench {s}", 1000)
                for s, _, _ in cbinfo if s.endswith("_10K")]
    loads12 += [(f"attach_rp{f}_1000000", f"attach, 1M random {n} prefixes", 2000)
                for f, n in (("4", "IPv4"), ("6", "IPv6"))]
    for key, what, limit in loads12:
        v = med_load(key)
        if v is None:
            i12.append(f"| {what} | {'failed' if key in load_seen else 'not measured'} | | | "
                       f"<= {limit} ms | - |")
        else:
            i12.append(f"| {what} | {v} ms, median of rounds | | | <= {limit} ms | "
                       f"{met(v <= limit)} |")
    for fam in ("4", "6"):
        for n in ("10000", "1000000"):
            sid = f"rp{fam}_{n}"
            if sid in checks:
                i12.append(f"| verdicts, {sid}: program against the model | "
                           f"{check_cell(sid)} frames differ | | | 0 | "
                           f"{met(checks[sid][0] == 'ok')} |")
    out.append("`net of floor` takes the trivial XDP_DROP over the same frames (the "
               "statistics' two clock reads and the call) off both figures first: "
               "what the programs themselves add.\n")
    out.append("| target | figures | ratio | net of floor | limit | result |")
    out.append("| --- | ---: | ---: | ---: | ---: | --- |")
    out.extend(i12)
    out.append("")

    if cbinfo:
        out.append("### ClassBench\n")
        out.append(f"Filter sets and traces of ClassBench (bench/classbench.py converts them: "
                   f"every rule drops, `policy pass`); program ns over 4,096 frames of each "
                   f"set's trace, evenly spaced through it. `1 rule`: xdpfw with `drop udp "
                   f"dport 9` (no trace frame matches it); xdp-filter checks port 9 and one "
                   f"source address; the trivial drop the floor. `verdicts`: frames whose "
                   f"verdict, reason or deciding rule in the program differ from the reference "
                   f"model's, with every rule dropping / every other rule passing "
                   f"(xdpfw-cost --check).\n")
        out.append("| set | rules | xdpfw ns | 1 rule ns | xdp-filter ns | trivial drop ns | "
                   "xdpfw / 1 rule | xdpfw / xdp-filter | verdicts differ |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for s, n, _ in cbinfo:
            out.append(f"| {s} | {n:,} | {c12('cb_' + s)} | {c12('cb1_' + s)} | "
                       f"{c12('xdpfilter_scb:' + s)} | {c12('drop_scb:' + s)} | "
                       f"{div('cb_' + s, 'cb1_' + s)} | {div('cb_' + s, 'xdpfilter_scb:' + s)} | "
                       f"{check_cell('cb_' + s)} / {check_cell('cba_' + s)} |")
        out.append("")
        dcb = [mpps(x) for x in rows.get("dropcb", []) if x["ok"]]
        out.append("Throughput: xdpfw-gen sends the same 4,096 trace frames in turn; Mpps "
                   "received, median of the rounds; nftables runs the same rules in the same "
                   "order at netdev ingress (a named counter on every rule, `handled` = its "
                   "count over packets received)"
                   + (f"; the trivial XDP_DROP takes {st.median(dcb):.2f} Mpps of these "
                      f"frames" if dcb else "") + ".\n")
        out.append("| set | xdpfw Mpps | nftables Mpps | xdpfw / nftables | xdpfw handled | "
                   "nftables handled |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: |")

        def tp(sid):
            xs = rows.get(sid, [])
            if xs and all(x["refused"] for x in xs):
                return "refused", None, "-"
            good = [x for x in xs if x["ok"]]
            if not good:
                return ("failed" if xs else "-"), None, "-"
            m = st.median([mpps(x) for x in good])
            h = st.median([x["cnt"] / x["rx"] if x["rx"] else 0 for x in good])
            return f"{m:.2f}" if m >= 0.1 else f"{m:.2g}", m, f"{h:.0%}"

        for s, n, _ in cbinfo:
            a, am, ah = tp("cb_" + s)
            b, bm, bh = tp("nftcb_" + s)
            out.append(f"| {s} | {a} | {b} | {fmt(am / bm if am and bm else None, 1)} | "
                       f"{ah} | {bh} |")
        out.append("")

    if sf:
        sizes = sorted({int(sid.split("_")[2]) for sid, _ in sf})
        out.append("### Shared-field sets\n")
        out.append("n rules `drop udp dport 53 FIELD VALUE`, each with its own value of the "
                   "field (source ports 1024 + i, addresses 198.18.64.0 + i), `policy pass`; "
                   "4,096 frames to udp 53 that match the last rule, or spread over all the "
                   "rules in turn (bench/classbench.py shared). Program ns over those frames.\n")
        out.append("| own field | frames | " + " | ".join(f"{n:,}" for n in sizes) +
                   " | largest measured / 100 |")
        out.append("| --- | --- | " + " | ".join("---:" for _ in sizes) + " | ---: |")
        for field in ("sport", "saddr", "daddr"):
            for v in ("last", "spread"):
                ids = [f"sf_{field}_{n}_{v}" for n in sizes]
                if not any(i in refused or med_cost(i, "flows") for i in ids):
                    continue
                ok_ids = [i for i in ids if med_cost(i, "flows")]
                r = (div(ok_ids[-1], f"sf_{field}_100_{v}")
                     if ok_ids and f"sf_{field}_100_{v}" in ok_ids else "-")
                out.append(f"| {field} | {'last rule' if v == 'last' else 'all rules'} | " +
                           " | ".join(c12(i) for i in ids) + f" | {r} |")
        bad = [f"{sid}: {check_cell(sid)}" for sid, _ in sf
               if checks.get(sid, ("",))[0] not in ("ok", "refused")]
        nchk = sum(1 for sid, _ in sf if checks.get(sid, ("",))[0] == "ok")
        out.append("")
        out.append(f"Verdicts against the model (xdpfw-cost --check): {nchk} sets agree on every "
                   f"frame" + (f"; {', '.join(bad)}" if bad else "") + ".\n")

    if rows.get("fw2") or med_cost("fw2", "flows"):
        out.append("### The fixed cost: two rules\n")
        out.append("`drop ip saddr 203.0.113.7` and `drop udp dport 53` (`policy pass`) in "
                   "xdpfw, written by hand as an XDP program for just these two rules with a "
                   "per-CPU counter (bench/anchor.bpf.c), and in nftables; xdpfw-gen's 4,096 "
                   "flows sent to udp 53, so every packet tries the first rule and the second "
                   "drops it. Program ns as above over those flows; Mpps, `x drop` and `x nft` "
                   "(over the two nftables rules) of the same rounds.\n")
        out.append("| program | ns 4,096 flows | ns hot | ns live | Mpps | x drop | x nft |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for sid, label, cid in (("drop", "trivial XDP_DROP", "drop_sdns"),
                                ("anchor", "by hand (anchor.bpf.c)", "anchor"),
                                ("fw2", "xdpfw", "fw2"), ("nft2", "nftables", None)):
            good = [x for x in rows.get(sid, []) if x["ok"]]
            m = st.median([mpps(x) for x in good]) if good else None
            out.append(f"| {label} | {cost(cid, 'flows') if cid else '-'} | "
                       f"{cost(cid, '1') if cid else '-'} | {live(sid) if cid else '-'} | "
                       f"{fmt(m, 2)} | {fmt(ratio(sid, drop_by_round), 2)} | "
                       f"{fmt(ratio(sid, nft2) if nft2 else None, 2)} |")
        out.append("")


if only in ("", "classbench"):
    issue12_section()

# --- loads ---------------------------------------------------------------------
def loads_section():
    out.append("## Load and reload\n")
    out.append("Wall time of one fwctl command (compile, load, attach; or compile "
               "and swap), median of the rounds, with min and max.\n")
    out.append("| command | ms | min-max |")
    out.append("| --- | ---: | ---: |")

    def setlabel(sid):
        return "a set of " + bldesc.get(sid, "?")

    big4, big6, bigm = env.get("BL4_BIG", ""), env.get("BL6_ID", ""), env.get("BLMIX_ID", "")
    keys = [("check1000", "fwctl check, 1000 rules"),
            ("attach1", "fwctl attach, 1 rule"),
            ("attach1000", "fwctl attach, 1000 rules"),
            ("reload1", "fwctl reload, 1 rule"),
            ("reload1000", "fwctl reload, 1000 rules"),
            ("detach1000", "fwctl detach")]
    for sid in (bigm, big4, big6):
        if sid:
            keys += [(f"{k}_{sid}", f"fwctl {k}, {setlabel(sid)}")
                     for k in ("check", "attach", "reload", "detach")]
    for key, label in keys:
        v = loads.get(key)
        if v:
            out.append(f"| {label} | {st.median(v)} | {min(v)}-{max(v)} |")
        elif key in load_seen:
            out.append(f"| {label} | failed | |")
    out.append("")


if only in ("", "classifier"):
    loads_section()
out.append("""## Notes

- Program cost over """ + f"{FLOWS:,}" + """ flows (bench/cost.c, `--flows`):
  BPF_PROG_TEST_RUN runs one frame per call here; a call with repeat > 1
  swaps the kernel's XDP dispatcher and waits for an RCU grace period
  (~20 ms), one with repeat 1 does not. So each of xdpfw-gen's flows gets
  its own frame, run once per call, pass after pass, and no run meets its
  own lookups still warm from the run before. The test-run timer's own
  figure for a single run carries the timer and the call (about 90 ns more
  than the hot loop's), so the time is read from the kernel's BPF run-time
  statistics instead: run_time_ns of the program after each run, less the
  one before, is the program call alone plus two clock reads; those reads
  are the trivial drop's figure (the floor). That clock moves in ~10 ns
  steps here, so the figure is the mean of the middle 80% of the runs, not
  their median (which is printed by xdpfw-cost too). The statistics are
  turned on with BPF_ENABLE_STATS, held by a file descriptor: they go off
  when the holder exits, and the kernel.bpf_stats_enabled sysctl is never
  written. `hot` is the older figure: one frame, a large repeat.
- Program cost, live: the same statistics of the XDP program on the veth
  (libxdp's dispatcher, when it uses one), over 25 x """ + f"{FLOWS:,}" + """ packets sent after
  each throughput measurement, with the statistics on for that send only:
  they add a clock read or two to every BPF program, the generator's too,
  so the throughput figures are taken without them.
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
  testing every rule. edge-router.rules is rules/edge-router.rules with its
  rules/lists/drop.txt, sent to 192.0.2.10 (its server network) instead of
  198.19.0.2.
- Blocklist sets (bench/blocklist.py): the first 261,112 IPv4 prefixes are
  every prefix of 198.18.0.0/15 (RFC 2544) of length 16-32 that misses the
  generator's sources (198.18.0.0/23): host /32s, then /31s, ... up to /16;
  the smaller sets are its first N lines (/32s from 198.18.2.0 on). The
  1M-prefix IPv4 sets take the other 738,888 (738,878 with `hit`) from
  240.0.0.0/4: reserved by RFC 1112, routed nowhere, here only entries in a
  BPF map inside the bench's private namespace (or in xdpfw-cost's
  unattached program); no packet is sent to or from them. Their lengths
  follow a blocklist feed's (55% /32, 30% /24, 7% /25-/31, 8% /16-/23) at
  addresses from a fixed seed. IPv6 sets alternate /64s and /128s in
  2001:db8::/32, away from the generator's 2001:db8:1::/48. `hit` sets
  start with 10 prefixes that hold the generator's 256 sources at lengths
  /25 to /32 (IPv4) or /121 to /128 and a /48 (IPv6). The mixed set is half
  IPv4, half IPv6, sent IPv4 frames. Reload writes the idle generation's
  copy of the sets.
- Not measured: the kernel's pktgen (absent on this kernel: bench/pktgen.sh
  drives it where it exists, untested here).
- Program cost of xdp-filter: its program as loaded on the interface, run by
  id (BPF_PROG_TEST_RUN); with libxdp's dispatcher it would include that.
""" + (LIMITS_NOTE if LIMITS else "") + """""")
with open(env["OUT"], "w") as f:
    f.write("\n".join(out))

os.makedirs(env["PNG_DATA"], exist_ok=True)
with open(os.path.join(env["PNG_DATA"], "mpps.dat"), "w") as f:
    f.write("\n".join(plot) + "\n")


def dat(v):
    return "NaN" if v is None else f"{v:.1f}"


with open(os.path.join(env["PNG_DATA"], "rules.dat"), "w") as f:
    for n, sid in ((1, "fw1"), (10, "fw10"), (100, "fw100"), (1000, "fw1000")):
        if med_cost(sid, "1") is not None or med_cost(sid, "flows") is not None:
            f.write(f"{n} {dat(med_cost(sid, '1'))} {dat(med_cost(sid, 'flows'))} "
                    f"{dat(med_live(sid))}\n")
for fam in ("4", "6", "mix"):
    for fr in ("miss", "hit"):
        with open(os.path.join(env["PNG_DATA"], f"sets{fam}{'' if fr == 'miss' else fr}.dat"),
                  "w") as f:
            for sid, sfam, n, sfr in blsets:
                if sfam == fam and sfr == fr and med_cost(sid, "flows") is not None:
                    f.write(f"{n} {dat(med_cost(sid, '1'))} {dat(med_cost(sid, 'flows'))} "
                            f"{dat(med_live(sid))}\n")
