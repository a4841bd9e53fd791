# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/blocklist.py - set files for bench/run's blocklist scenarios.

    python3 bench/blocklist.py 4 N FILE       N distinct IPv4 prefixes
    python3 bench/blocklist.py 6 N FILE       N distinct IPv6 prefixes
    python3 bench/blocklist.py mix N FILE     N in all: half IPv4, half IPv6
    python3 bench/blocklist.py 4 N FILE hit   the same, but the set also
                                              covers the generator's sources

Prints the count and a description: "N<TAB>1,000 IPv4 prefixes".

Without `hit`, every prefix misses the generator's sources, so the frames
miss the set; with `hit`, the first 10 prefixes (fewer when N < 10) cover
all of them, over several prefix lengths, and the frames hit the set:

- IPv4, the first 261,112: prefixes inside 198.18.0.0/15 (RFC 2544) that
  neither cover nor lie inside 198.18.0.0/23 (xdpfw-gen's 256 sources from
  198.18.0.1, xdpfw-cost's from the same address). Host /32s first in
  address order, then /31s, /30s and so on up to /16: distinct (address,
  length) keys. 198.18.0.0/15 holds 2^18 - 1 = 262,143 prefixes of length
  15 or more; without the 1,031 that touch the /23, 261,112 (N = max).
- IPv4, beyond those: prefixes inside 240.0.0.0/4, which RFC 1112 reserves
  ("future use") and no one routes. They are only entries in a BPF map of a
  rule set loaded inside bench/run's private namespace (or by xdpfw-cost,
  attached nowhere); no packet is ever sent to or from them. Their lengths
  follow a blocklist feed's: 55% /32, 30% /24, 7% /25-/31, 8% /16-/23
  (mostly /20-/23), at addresses drawn from a fixed seed, so the same N
  gives the same file; some nest inside others, as in real feeds, and
  none repeats. Sorted by address.
- IPv4, hit: 198.18.0.0/25, .128/26, .192/27, .224/28, .240/29, .248/30,
  .252/31, .254/32, .255/32 and 198.18.1.0/32 hold the 256 sources
  (198.18.0.1 to 198.18.1.0): 127 under the /25, 64 under the /26, and so
  on down to one under each /32; one prefix length each.
- IPv6: inside 2001:db8::/32, outside 2001:db8:1::/48 (the generator's udp6
  sources, 2001:db8:1::1:0 to ::1:ff): alternately a /64 and a /128 host
  inside the next /64, from 2001:db8:100::/48 on.
- IPv6, hit: 2001:db8:1::1:0/121, ::1:80/122, ... ::1:fe/128, ::1:ff/128
  and 2001:db8:1::/48 around them all.
"""
import ipaddress
import random
import sys

BASE4 = int(ipaddress.IPv4Address("198.18.0.0"))  # /15
GEN4 = (int(ipaddress.IPv4Address("198.18.0.0")), 23)  # excluded /23
RESERVED4 = (int(ipaddress.IPv4Address("240.0.0.0")), 4)  # RFC 1112 class E
# Per mille of each length, for the 240.0.0.0/4 part: a blocklist feed's mix.
MIX4 = {32: 550, 24: 300, 25: 10, 26: 10, 27: 10, 28: 10, 29: 10, 30: 10, 31: 10,
        16: 4, 17: 4, 18: 6, 19: 8, 20: 12, 21: 14, 22: 16, 23: 16}
HIT4 = ["198.18.0.0/25", "198.18.0.128/26", "198.18.0.192/27", "198.18.0.224/28",
        "198.18.0.240/29", "198.18.0.248/30", "198.18.0.252/31", "198.18.0.254/32",
        "198.18.0.255/32", "198.18.1.0/32"]
HIT6 = ["2001:db8:1::1:0/121", "2001:db8:1::1:80/122", "2001:db8:1::1:c0/123",
        "2001:db8:1::1:e0/124", "2001:db8:1::1:f0/125", "2001:db8:1::1:f8/126",
        "2001:db8:1::1:fc/127", "2001:db8:1::1:fe/128", "2001:db8:1::1:ff/128",
        "2001:db8:1::/48"]


def dotted(a, plen):
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/{plen}"


def v4_bench(n):
    """Up to n prefixes of 198.18.0.0/15 that miss the generator's /23."""
    glo, glen = GEN4
    ghi = glo + (1 << (32 - glen)) - 1
    out = []
    for plen in range(32, 14, -1):
        size = 1 << (32 - plen)
        for a in range(BASE4, BASE4 + (1 << 17), size):
            if len(out) == n:
                return out
            if a <= ghi and a + size - 1 >= glo:  # covers or lies in the /23
                continue
            out.append(dotted(a, plen))
    return out


def v4_reserved(n):
    """n distinct prefixes inside 240.0.0.0/4, lengths as MIX4."""
    assert sum(MIX4.values()) == 1000
    rng = random.Random(0x240)
    base, blen = RESERVED4
    span = 1 << (32 - blen)
    # One length per mille of the mix, then a length is one draw.
    table = [plen for plen, w in sorted(MIX4.items()) for _ in range(w)]
    seen = set()
    while len(seen) < n:
        plen = table[rng.randrange(len(table))]
        seen.add(((base + rng.randrange(span)) >> (32 - plen) << (32 - plen), plen))
    return [dotted(a, plen) for a, plen in sorted(seen)]


def v4(n):
    if n == -1:
        return v4_bench(-1)
    out = v4_bench(n)
    return out + v4_reserved(n - len(out))


def v6(n):
    out = []
    for i in range(n):
        j = i // 2
        a, b = 0x100 + (j >> 16), j & 0xFFFF
        out.append(f"2001:db8:{a:x}:{b:x}::/64" if i % 2 == 0 else f"2001:db8:{a:x}:{b:x}::1/128")
    if n and 0x100 + (((n - 1) // 2) >> 16) > 0xFFFF:
        sys.exit("blocklist.py: too many IPv6 prefixes")
    return out


def with_hits(hits, make, n):
    k = min(n, len(hits))
    return hits[:k] + make(n - k)


def main():
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] != "hit"):
        sys.exit(__doc__.split("\n\n")[1])
    fam, n, path = sys.argv[1:4]
    hit = len(sys.argv) == 5
    n = -1 if n == "max" else int(n)
    if hit and n == -1:
        sys.exit("blocklist.py: hit needs a count, not max")
    if fam == "4":
        lines = with_hits(HIT4, v4, n) if hit else v4(n)
        desc = f"{len(lines):,} IPv4 prefixes"
    elif fam == "6":
        lines = with_hits(HIT6, v6, n) if hit else v6(n)
        desc = f"{len(lines):,} IPv6 prefixes"
    elif fam == "mix" and not hit:
        a = v4(n // 2)
        b = v6(n - len(a))
        lines = a + b
        desc = f"{len(lines):,} prefixes ({len(a):,} IPv4, {len(b):,} IPv6)"
    else:
        sys.exit(f"blocklist.py: family 4, 6 or mix (without hit), not {fam}")
    with open(path, "w") as f:
        f.write(f"# bench/blocklist.py {' '.join(sys.argv[1:3] + sys.argv[4:])}: {desc}"
                f"{', covering the generator sources' if hit else ''}\n")
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)}\t{desc}")


main()
