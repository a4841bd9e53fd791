/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * explain.h - `fwctl explain TARGET PACKET...`: which rule decides a packet,
 * and why.
 *
 * TARGET is a rule file (compiled, nothing applied) or an interface running
 * xdpfw (its live rules are read). PACKET is a description in words, from
 * which a real frame is built, or `hex BYTES...`, a raw Ethernet frame.
 * The answer comes from the reference model (model.h). On an interface the
 * same frame also goes through the loaded program with BPF_PROG_TEST_RUN,
 * and a different verdict is an error: one of the two is wrong. The test
 * run is real: the live counters count it as one packet. A program attached
 * through libxdp's dispatcher is an extension program, which the kernel
 * cannot test-run; then the model answers alone, with a warning.
 */
#ifndef FW_EXPLAIN_H
#define FW_EXPLAIN_H

#include <stdbool.h>

#include "frame.h"

/*
 * Build the frame a packet description names into *frame:
 *
 *   ip | ip6                      family (default: from the addresses, else ip)
 *   tcp | udp | icmp | icmpv6     protocol; or proto NUMBER|NAME
 *   saddr ADDR, daddr ADDR        default 192.0.2.1 -> 192.0.2.2,
 *                                 2001:db8::1 -> 2001:db8::2
 *   sport N, dport N              TCP/UDP ports (default 40000 -> 40001)
 *   flags LIST                    TCP flags, comma-separated: fin, syn, rst,
 *                                 psh, ack, urg, ece, cwr (default syn)
 *   type NAME|N, code N           ICMP/ICMPv6 (default echo-request, 0)
 *   vlan N                        a VLAN tag; twice for QinQ (outer first)
 *   fragment first|later          an IP fragment
 *   ttl N (or hoplimit N)         default 64
 *   len N                         IP length: IPv4 total length, or 40 + the
 *                                 IPv6 payload length (default: the headers)
 *   hex BYTES...                  instead of all of the above: the frame
 *
 * Without a protocol the packet carries protocol 253 (RFC 3692, for
 * experiments), so only rules that name no protocol can match it. Returns
 * 0, or -EINVAL after one error line that names the offending word.
 */
int fw_explain_frame(char **words, int nwords, struct pkt *frame);

/*
 * Explain one packet against target, printing text or JSON to stdout.
 * Returns 0; -EINVAL for a bad packet or rule file; -ENODEV when target is
 * neither a file nor an interface; -ENOENT when xdpfw does not run there;
 * -EPROTO when the loaded program's verdict differs from the model's;
 * -EAGAIN when the rules changed while the frame was tested; else -errno.
 */
int fw_explain(const char *target, char **words, int nwords, bool json);

/*
 * Whether fw_explain() reads target's live rules from the kernel (and so
 * needs root): target is no regular file and could name an interface.
 * A rule file only runs the model.
 */
bool fw_explain_on_interface(const char *target);

#endif /* FW_EXPLAIN_H */
