#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Test traffic for the end-to-end tests, standard library only.

  traffic.py recv-udp ADDR PORT[,PORT...] IDLE_S   count datagrams per port until
                                                   IDLE_S seconds pass without one;
                                                   prints "PORT COUNT" lines
  traffic.py send-udp ADDR PORT COUNT              send COUNT datagrams, paced so
                                                   that no queue on the way overflows
  traffic.py send-udp-for ADDR PORT SECS          send for SECS seconds at a steady
                                                   pace; prints how many were sent
  traffic.py udp-echo ADDR PORT IDLE_S             send every datagram back until IDLE_S
                                                   seconds pass without one; prints
                                                   "datagrams N unique U"
  traffic.py send-udp-acked ADDR PORT COUNT GAP_S  send COUNT numbered datagrams GAP_S
                                                   apart, each again every 0.25 s until
                                                   echoed (at most 8 times); prints
                                                   "acked=A tries=T"
  traffic.py tcp-listen ADDR PORT[,PORT...] SECS   accept connections for SECS seconds
  traffic.py tcp-connect ADDR PORT TIMEOUT_S       exit 0 when a connection succeeds
  traffic.py tcp-sink ADDR PORT SECS               accept one connection within SECS
                                                   seconds, read it to its end (at most
                                                   SECS seconds), print the bytes read
  traffic.py tcp-send ADDR PORT BYTES SECS         send BYTES over one connection and
                                                   wait for the sink to close it; prints
                                                   "BYTES SECONDS", exit 1 past SECS
  traffic.py link-sizes IFACE GSO GRO              set the GSO and GRO size limits of
                                                   IFACE, IPv6 and IPv4 alike (BIG TCP
                                                   above 65536), through rtnetlink:
                                                   iproute2 before 6.3 lacks the IPv4 ones

Every loop is bounded in count and time.
"""
import select
import socket
import struct
import sys
import time

SO_RCVBUFFORCE = 33  # not exported by every Python build


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv_udp(addr, ports, idle):
    socks = {}
    for p in ports:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        try:  # root may exceed rmem_max; a burst must not overflow the queue
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind((addr, p))
        socks[s] = p
    counts = {p: 0 for p in ports}
    print("ready", flush=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        r, _, _ = select.select(list(socks), [], [], idle)
        if not r:
            break
        for s in r:
            s.recv(65536)
            counts[socks[s]] += 1
    for p in ports:
        print(p, counts[p], flush=True)


def send_udp(addr, port, count):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    payload = b"xdpfw-e2e".ljust(32, b".")
    for i in range(count):
        s.sendto(payload, (addr, port))
        if i % 50 == 49:
            time.sleep(0.002)  # veth's XDP ring holds 256 frames


def send_udp_for(addr, port, secs):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    payload = b"xdpfw-e2e".ljust(32, b".")
    sent = 0
    deadline = time.time() + secs
    while time.time() < deadline and sent < 10_000_000:
        for _ in range(20):
            s.sendto(payload, (addr, port))
        sent += 20
        time.sleep(0.001)  # about 10-20k packets/s: queues never overflow
    print(sent, flush=True)


def udp_echo(addr, port, idle):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    n, seen = 0, set()
    deadline = time.time() + 120
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], idle)
        if not r:
            break
        data, peer = s.recvfrom(2048)
        n += 1
        seen.add(data)
        s.sendto(data, peer)
    print("datagrams %d unique %d" % (n, len(seen)), flush=True)


def send_udp_acked(addr, port, count, gap):
    """A client that retries: what a flood costs it is lost datagrams, seen
    as tries above count, apart from what the firewall decides."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    acked = tries = 0
    for i in range(count):
        msg = b"legit %d" % i
        start = time.time()
        for _ in range(8):
            s.sendto(msg, (addr, port))
            tries += 1
            wait_until = time.time() + 0.25
            got = False
            while not got and time.time() < wait_until:
                r, _, _ = select.select([s], [], [], max(0.0, wait_until - time.time()))
                got = bool(r) and s.recv(2048) == msg
            if got:
                acked += 1
                break
        time.sleep(max(0.0, gap - (time.time() - start)))
    print("acked=%d tries=%d" % (acked, tries), flush=True)


def tcp_listen(addr, ports, secs):
    socks = []
    for p in ports:
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, p))
        s.listen(16)
        socks.append(s)
    print("ready", flush=True)
    deadline = time.time() + secs
    while time.time() < deadline:
        r, _, _ = select.select(socks, [], [], 0.5)
        for s in r:
            c, _ = s.accept()
            c.close()


def tcp_connect(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
    except OSError as e:
        print("connect %s port %d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    return 0


def tcp_sink(addr, port, secs):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(secs)
    print("ready", flush=True)
    deadline = time.time() + secs
    got = 0
    try:
        c, _ = s.accept()
        while time.time() < deadline:
            c.settimeout(max(deadline - time.time(), 0.1))
            b = c.recv(1 << 20)
            if not b:
                break
            got += len(b)
        c.close()
    except OSError as e:
        print("sink %s port %d: %s" % (addr, port, e), file=sys.stderr)
    print(got, flush=True)


def tcp_send(addr, port, count, secs):
    """The clock runs from connect to the sink's close, after it read all."""
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(secs)
    buf = memoryview(b"x" * (1 << 20))  # slices without copies
    start = time.time()
    try:
        s.connect((addr, port))
        left = count
        while left > 0:
            n = s.send(buf[: min(left, len(buf))])
            left -= n
            if time.time() - start > secs:
                raise OSError("timed out after %d bytes" % (count - left))
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
    except OSError as e:
        print("send %s port %d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    print(count, "%.3f" % (time.time() - start), flush=True)
    return 0


# linux/if_link.h, linux/rtnetlink.h, linux/netlink.h
IFLA_GSO_MAX_SIZE = 41
IFLA_GRO_MAX_SIZE = 58
IFLA_GSO_IPV4_MAX_SIZE = 63
IFLA_GRO_IPV4_MAX_SIZE = 64
RTM_NEWLINK = 16
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2


def link_sizes(ifname, gso, gro):
    attrs = b"".join(struct.pack("=HHI", 8, t, v) for t, v in (
        (IFLA_GSO_MAX_SIZE, gso), (IFLA_GSO_IPV4_MAX_SIZE, gso),
        (IFLA_GRO_MAX_SIZE, gro), (IFLA_GRO_IPV4_MAX_SIZE, gro)))
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, socket.if_nametoindex(ifname), 0, 0)
    body = ifi + attrs
    msg = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.settimeout(5)
    s.send(msg + body)
    ans = s.recv(65536)
    _, kind, _, _, _ = struct.unpack("=IHHII", ans[:16])
    err = struct.unpack("=i", ans[16:20])[0] if kind == NLMSG_ERROR else -1
    if err:
        print("link-sizes %s: netlink error %d" % (ifname, err), file=sys.stderr)
        return 1
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "recv-udp":
        recv_udp(argv[2], [int(p) for p in argv[3].split(",")], float(argv[4]))
    elif cmd == "send-udp":
        send_udp(argv[2], int(argv[3]), int(argv[4]))
    elif cmd == "send-udp-for":
        send_udp_for(argv[2], int(argv[3]), float(argv[4]))
    elif cmd == "udp-echo":
        udp_echo(argv[2], int(argv[3]), float(argv[4]))
    elif cmd == "send-udp-acked":
        send_udp_acked(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif cmd == "tcp-listen":
        tcp_listen(argv[2], [int(p) for p in argv[3].split(",")], float(argv[4]))
    elif cmd == "tcp-connect":
        return tcp_connect(argv[2], int(argv[3]), float(argv[4]))
    elif cmd == "tcp-sink":
        tcp_sink(argv[2], int(argv[3]), float(argv[4]))
    elif cmd == "tcp-send":
        return tcp_send(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif cmd == "link-sizes":
        return link_sizes(argv[2], int(argv[3]), int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
