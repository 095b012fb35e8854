#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's current 6.1 kernel image, its headers and the few files we
# need from linux-source-6.1, and unpack them into a cache keyed by the ABI.
# Nothing is installed onto the host. A warm cache needs no network at all.
#
# Prints the cache directory of the resolved kernel on stdout.
#
# Environment:
#   MYPTS_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/mypts)
#   MYPTS_ABI     pin an ABI such as 6.1.0-56 (default: resolved from the
#                 linux-image-amd64 metapackage, or the newest cached one
#                 when the archive cannot be reached)
set -euo pipefail

cache=${MYPTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypts}
mkdir -p "$cache"
log() { echo "fetch-kernel: $*" >&2; }

resolve_abi() {
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\([0-9.]*-[0-9]*\)-amd64$/\1/p' | head -n1)
	if [ -z "$dep" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >&2 || true
		dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      sed -n 's/^ *Depends: linux-image-\([0-9.]*-[0-9]*\)-amd64$/\1/p' | head -n1)
	fi
	echo "$dep"
}

abi=${MYPTS_ABI:-}
if [ -z "$abi" ]; then
	# A complete cache entry is reused without asking the archive; the
	# newest one wins. Delete the cache to move to a newer ABI.
	abi=$(ls -1 "$cache" 2>/dev/null | sed -n 's/^\(6\.1\.0-[0-9]*\)$/\1/p' |
	      while read -r a; do [ ! -f "$cache/$a/.complete" ] || echo "$a"; done |
	      sort -V | tail -n1)
	[ -n "$abi" ] || abi=$(resolve_abi)
fi
if [ -z "$abi" ]; then
	log "cannot resolve the kernel ABI from linux-image-amd64 (apt-get update?)"
	exit 1
fi
dir=$cache/$abi
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
# One fetch at a time: a second caller waits, then finds it complete.
exec 9> "$cache/.fetch-$abi.lock"
flock 9
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

log "fetching Debian kernel $abi into $dir"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/pkg"
cd "$dir/debs"

ver=$(apt-cache show "linux-headers-$abi-amd64" 2>/dev/null |
      sed -n 's/^Version: //p' | head -n1)
if [ -z "$ver" ]; then
	log "linux-headers-$abi-amd64 not in the package lists"
	exit 1
fi
img="linux-image-$abi-amd64-unsigned"
apt-cache show "$img=$ver" >/dev/null 2>&1 || img="linux-image-$abi-amd64"
pkgs=("$img=$ver" "linux-headers-$abi-amd64=$ver"
      "linux-headers-$abi-common=$ver" "linux-kbuild-6.1=$ver"
      "linux-source-6.1=$ver")
# apt-get download runs as the _apt user when it can; a cache in root's home
# is not writable for it, so let it fall back quietly.
if ! apt-get download -q "${pkgs[@]}" >/dev/null 2>download.err; then
	cat download.err >&2
	log "apt-get download failed"
	exit 1
fi

for deb in linux-image-*.deb linux-headers-*.deb linux-kbuild-*.deb; do
	dpkg-deb -x "$deb" "$dir/pkg"
done

# The headers refer to each other and to kbuild by absolute /usr paths.
# Re-point those links and includes into the cache.
hdr=$dir/pkg/usr/src/linux-headers-$abi-amd64
common=$dir/pkg/usr/src/linux-headers-$abi-common
kbuild=$dir/pkg/usr/lib/linux-kbuild-6.1
find "$hdr" "$common" -maxdepth 3 -type l | while read -r l; do
	t=$(readlink "$l")
	case "$t" in
	/usr/*) ln -sfn "$dir/pkg$t" "$l" ;;
	../*|*/*) ;;
	esac
done
# Relative links that climb into /usr/lib resolve inside root/ already.
for mk in "$hdr/Makefile"; do
	sed -i "s|/usr/src/linux-headers-$abi-common|$common|g" "$mk"
done
ln -sfn "$hdr" "$dir/build"
cp "$dir/pkg/boot/vmlinuz-$abi-amd64" "$dir/vmlinuz"
cp "$dir/pkg/boot/config-$abi-amd64" "$dir/config"

# From linux-source: the kselftest harness, checkpatch and kernel-doc.
log "extracting tools from linux-source-6.1 (one pass over the tarball)"
src=$dir/source
mkdir -p "$src"
dpkg-deb --fsys-tarfile linux-source-6.1_*.deb |
	tar -xO --wildcards './usr/src/linux-source-6.1.tar.xz' |
	xz -dc | tar -x -C "$src" --strip-components=1 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/scripts/kernel-doc \
		linux-source-6.1/.clang-format
rm -rf "$dir/debs"
touch "$dir/.complete"
log "done"
echo "$dir"
