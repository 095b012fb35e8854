#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the host packages mypts needs to build, boot and test. Idempotent:
# packages already present are not touched and no network is used then.
set -euo pipefail

# The second line builds the debug kernel of "make check-debug".
pkgs=(qemu-system-x86 busybox-static cpio debootstrap gcc gcc-12 gcc-multilib make libc6-dev libelf1 libssl3
      xz-utils perl gawk flex bison bc libelf-dev libssl-dev python3 util-linux)
need=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		need+=("$p")
	fi
done
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${need[*]}" >&2
	echo "install-deps: run as root, or install them with: apt-get install ${need[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
