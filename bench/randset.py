# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/randset.py - random prefixes, the hard case of an address store.

    python3 bench/randset.py 4 N SET FRAMES    N random IPv4 prefixes
    python3 bench/randset.py 6 N SET FRAMES    N random IPv6 prefixes

Writes the set file SET and a frame list FRAMES (bench/template.h) of 1,000
UDP frames to port 9, and prints "N<TAB>description".

Blocklist feeds cluster; these do not: every prefix is drawn anew from a
fixed seed, with the length uniform in a range, so they share only what
chance gives them, nest where chance puts them, and a store built for them
cannot lean on clusters or on a few lengths.

- IPv4: lengths 24 to 32, inside 240.0.0.0/4, which RFC 1112 reserves and
  no one routes (2^28 addresses: 1M prefixes are not a fraction of the
  space, so they do not merge into a few short ones). They are map entries
  of a program that xdpfw-cost runs with BPF_PROG_TEST_RUN and attaches
  nowhere; bench/run also attaches them to its own veth inside its private
  namespace for the load timing, and sends no packet to or from them.
- IPv6: lengths 56 to 128, inside 2001:db8::/32 (RFC 3849).

The first N prefixes of any run are the same, so the set of 10,000 is the
first 10,000 of the set of 1,000,000, and the frames are the same for every
N of a family: 500 at a random address inside one of the first 10,000
prefixes, 500 at a random address of the whole range. The ratio of the
program's cost over those frames at 1M and at 10,000 prefixes is issue
12's target.
"""
import ipaddress
import random
import sys

FAMILIES = {
    # family: (base, host bits of the range, shortest, longest, frame dst)
    "4": (int(ipaddress.IPv4Address("240.0.0.0")), 28, 24, 32, "198.51.100.1"),
    "6": (int(ipaddress.IPv6Address("2001:db8::")), 96, 56, 128, "2001:db8:ffff::1"),
}
FRAMES = 1000
HIT_FROM = 10000


def prefixes(fam, n):
    base, span, lo, hi, _ = FAMILIES[fam]
    bits = 32 if fam == "4" else 128
    rng = random.Random(0x5E7 + int(fam))
    seen, out = set(), []
    while len(out) < n:
        plen = rng.randint(lo, hi)
        a = (base | rng.getrandbits(span)) >> (bits - plen) << (bits - plen)
        if (a, plen) not in seen:
            seen.add((a, plen))
            out.append((a, plen))
    return out


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in FAMILIES:
        sys.exit(__doc__.split("\n\n")[1])
    fam, n, set_path, frames_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    base, span, lo, hi, dst = FAMILIES[fam]
    bits = 32 if fam == "4" else 128
    addr = ipaddress.IPv4Address if fam == "4" else ipaddress.IPv6Address
    pre = prefixes(fam, max(n, HIT_FROM))
    fam_name = "IPv4" if fam == "4" else "IPv6"
    desc = f"{n:,} random {fam_name} prefixes (/{lo}-/{hi})"
    with open(set_path, "w") as f:
        f.write(f"# bench/randset.py {fam} {n}: {desc}\n")
        f.write("".join(f"{addr(a)}/{plen}\n" for a, plen in pre[:n]))
    rng = random.Random(0xF4A + int(fam))
    with open(frames_path, "w") as f:
        f.write(f"# bench/randset.py {fam}: {FRAMES} frames, half inside the first "
                f"{HIT_FROM:,} prefixes, half anywhere in the range\n")
        for i in range(FRAMES):
            if i % 2 == 0:
                a, plen = pre[rng.randrange(HIT_FROM)]
                a |= rng.getrandbits(bits - plen) if plen < bits else 0
            else:
                a = base | rng.getrandbits(span)
            f.write(f"{addr(a)} {dst} 1024 9 17\n")
    print(f"{n}\t{desc}")


main()
