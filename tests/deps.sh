#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs what xdpfw needs to build, test and demo on Debian 12, as root
# (libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes).
# Quick when everything is already there.
set -eu
PKGS="clang llvm gcc libc6-dev pkg-config meson ninja-build bpftool
      libbpf-dev libxdp-dev xdp-tools libelf-dev libmnl-dev libcmocka-dev
      iproute2 iputils-ping python3 nftables iptables gnuplot-nox clang-format
      libclang-rt-14-dev"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "deps.sh: run as root to install:" $missing >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
