#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs: static busybox, /init, mypts.ko, the static
# selftests and, for "make run CMD=...", the command to run.
#
# usage: mkinitramfs.sh OUTPUT.cpio.gz MODULE.ko TESTDIR [CMDFILE [EXTRA.ko]]
# TESTDIR also holds mypts-shell, the pty relay of "make run", and
# pty_bench, the program of "make bench".
set -euo pipefail

out=$1 ko=$2 tests=$3 cmd=${4:-} extra=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ] ||
   ! { ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic executable\|statically linked'; then
	echo "mkinitramfs: need a static busybox (apt-get install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,lib,tests,proc,sys,dev,root,usr/bin,usr/sbin}
mkdir -m 1777 "$stage/tmp"
cp "$busybox" "$stage/bin/busybox"
cp "$here/guest-init.sh" "$stage/init"
chmod 0755 "$stage/init"
cp "$ko" "$stage/lib/mypts.ko"
if [ -d "$tests" ]; then
	find "$tests" -maxdepth 1 -type f -name '*_test' -exec cp {} "$stage/tests/" \;
fi
[ -x "$tests/mypts-shell" ] && cp "$tests/mypts-shell" "$stage/bin/mypts-shell"
[ -x "$tests/pty_bench" ] && cp "$tests/pty_bench" "$stage/bin/pty_bench"
[ -n "$cmd" ] && [ -f "$cmd" ] && cp "$cmd" "$stage/etc/mypts-cmd"
[ -n "$extra" ] && cp "$extra" "$stage/lib/"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$stage/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$stage/etc/group"
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$stage/dev/console" c 5 1
fi
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet --owner 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
