# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/blocklist.py - set files for bench/run's blocklist scenarios.

    python3 bench/blocklist.py 4 N FILE     N distinct IPv4 prefixes
    python3 bench/blocklist.py 6 N FILE     N distinct IPv6 prefixes
    python3 bench/blocklist.py mix N FILE   N in all: half IPv4 (at most
                                            the 261,112 below), the rest IPv6

Prints the count and a description: "N<TAB>1,000 IPv4 prefixes".

Every prefix stays inside the benchmarking and documentation ranges and
misses the generator's sources, so the frames miss the set:

- IPv4: prefixes inside 198.18.0.0/15 (RFC 2544) that neither cover nor lie
  inside 198.18.0.0/23 (xdpfw-gen's 256 sources from 198.18.0.1, xdpfw-cost's
  from the same address). Host /32s first in address order, then /31s, /30s
  and so on up to /16: distinct (address, length) keys. 198.18.0.0/15 holds
  2^18 - 1 = 262,143 prefixes of length 15 or more; without the 1,031 that
  touch the /23, at most 261,112 (N = max).
- IPv6: inside 2001:db8::/32, outside 2001:db8:1::/48 (the generator's udp6
  sources): alternately a /64 and a /128 host inside the next /64, from
  2001:db8:100::/48 on.
"""
import ipaddress
import sys

BASE4 = int(ipaddress.IPv4Address("198.18.0.0"))  # /15
GEN4 = (int(ipaddress.IPv4Address("198.18.0.0")), 23)  # excluded /23


def v4(n):
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
            out.append(f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/{plen}")
    if n != -1 and len(out) < n:
        sys.exit(f"blocklist.py: 198.18.0.0/15 holds only {len(out)} such IPv4 prefixes, not {n}")
    return out


def v6(n):
    out = []
    for i in range(n):
        j = i // 2
        a, b = 0x100 + (j >> 16), j & 0xFFFF
        out.append(f"2001:db8:{a:x}:{b:x}::/64" if i % 2 == 0 else f"2001:db8:{a:x}:{b:x}::1/128")
    if n and 0x100 + (((n - 1) // 2) >> 16) > 0xFFFF:
        sys.exit("blocklist.py: too many IPv6 prefixes")
    return out


def main():
    fam, n, path = sys.argv[1:4]
    n = -1 if n == "max" else int(n)
    if fam == "4":
        lines = v4(n)
        desc = f"{len(lines):,} IPv4 prefixes"
    elif fam == "6":
        lines = v6(n)
        desc = f"{len(lines):,} IPv6 prefixes"
    else:
        a = v4(min(n // 2, len(v4(-1))))
        b = v6(n - len(a))
        lines = a + b
        desc = f"{len(lines):,} prefixes ({len(a):,} IPv4, {len(b):,} IPv6)"
    with open(path, "w") as f:
        f.write(f"# bench/blocklist.py {fam} {sys.argv[2]}: {desc}\n")
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)}\t{desc}")


main()
