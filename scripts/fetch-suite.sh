#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the current kernel of another Debian suite (trixie, sid, ...) and a
# toolchain to build modules for it, into the cache:
#   <cache>/<abi>/vmlinuz, config     the kernel image
#   <cache>/<abi>/chroot/             a minbase debootstrap of the suite with
#                                     the compiler its kernel was built with,
#                                     and the kernel's headers unpacked in it
# The suite's packages are read through a private apt configuration in
# <cache>/apt/<suite>; the host's apt sources are never changed. A complete
# entry is reused without network; delete <cache>/<suite>.abi to move on.
#
# usage: fetch-suite.sh SUITE     prints the entry's directory on stdout
set -euo pipefail

suite=$1
cache=${MYPTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypts}
mirror=${MYPTS_MIRROR:-http://deb.debian.org/debian}
log() { echo "fetch-suite($suite): $*" >&2; }

if [ -f "$cache/$suite.abi" ]; then
	abi=$(cat "$cache/$suite.abi")
	if [ -f "$cache/$abi/.complete" ]; then
		echo "$cache/$abi"
		exit 0
	fi
fi
if [ "$(id -u)" -ne 0 ]; then
	log "needs root (debootstrap and chroot)"
	exit 1
fi
# One fetch of a suite at a time: a second caller waits, then reuses it.
mkdir -p "$cache"
exec 9> "$cache/.fetch-$suite.lock"
flock 9
if [ -f "$cache/$suite.abi" ] && [ -f "$cache/$(cat "$cache/$suite.abi")/.complete" ]; then
	echo "$cache/$(cat "$cache/$suite.abi")"
	exit 0
fi
command -v debootstrap >/dev/null || {
	log "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

aptdir=$cache/apt/$suite
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$aptdir/cache"
{
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
} > "$aptdir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	  -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::Archives=$aptdir/archives"
	  -o "Dir::Cache=$aptdir/cache" -o Dir::State::Status=/dev/null)
apt-get "${apt_opts[@]}" -qq update >&2

abi=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 |
      sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
[ -n "$abi" ] || { log "cannot resolve the ABI from linux-image-amd64"; exit 1; }
dir=$cache/$abi
if [ -f "$dir/.complete" ]; then
	echo "$abi" > "$cache/$suite.abi"
	echo "$dir"
	exit 0
fi
log "fetching kernel $abi into $dir"
rm -rf "$dir"
mkdir -p "$dir/debs"

ver=$(apt-cache "${apt_opts[@]}" show "linux-headers-$abi-amd64" | sed -n 's/^Version: //p' | head -n1)
deps=$(apt-cache "${apt_opts[@]}" show "linux-headers-$abi-amd64=$ver" | sed -n 's/^Depends: //p' | head -n1)
gcc=$(tr ',|' '\n\n' <<<"$deps" | sed -n 's/^ *\(gcc-[0-9][0-9]*\)\(-for-host\)\{0,1\}\( .*\)\{0,1\}$/\1/p' | head -n1)
gcc=${gcc:-gcc}
kbuild=$(tr ',|' '\n\n' <<<"$deps" | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -n1)
img="linux-image-$abi-amd64-unsigned"
apt-cache "${apt_opts[@]}" show "$img=$ver" >/dev/null 2>&1 || img="linux-image-$abi-amd64"
pkgs=("$img=$ver" "linux-headers-$abi-amd64=$ver" "linux-headers-$abi-common=$ver" "$kbuild=$ver")
# Newer suites split the image: vmlinuz in linux-binary-*, the config in
# linux-base-*; take whichever of those the image and headers name.
imgdeps=$(apt-cache "${apt_opts[@]}" show "$img=$ver" | sed -n 's/^Depends: //p' | head -n1)
for p in $(tr ',|' '\n\n' <<<"$deps, $imgdeps" |
	   sed -n 's/^ *\(linux-\(base\|binary\)-[0-9][^ ]*\).*/\1/p' | sort -u); do
	pkgs+=("$p=$ver")
done
(cd "$dir/debs" && apt-get "${apt_opts[@]}" download -q "${pkgs[@]}" >/dev/null 2>"$dir/download.err") || {
	cat "$dir/download.err" >&2
	log "apt-get download failed"
	exit 1
}

log "debootstrap $suite with $gcc"
debootstrap --variant=minbase --include="$gcc,make,libc6-dev,libelf-dev,libssl-dev,bc,kmod,perl,dwarves" \
	"$suite" "$dir/chroot" "$mirror" > "$dir/debootstrap.log" 2>&1 || {
	tail -n 20 "$dir/debootstrap.log" >&2
	log "debootstrap failed"
	exit 1
}
# The headers' Makefile calls "gcc-N" (or gcc); make sure "gcc" is there too.
[ -e "$dir/chroot/usr/bin/gcc" ] || ln -s "$gcc" "$dir/chroot/usr/bin/gcc"

mkdir -p "$dir/pkg"
for deb in "$dir"/debs/*.deb; do
	case $(basename "$deb") in
	linux-image-*|linux-binary-*) dpkg-deb -x "$deb" "$dir/pkg" ;;
	*) dpkg-deb -x "$deb" "$dir/chroot" ;;
	esac
done
vmlinuz=$(find "$dir/pkg" "$dir/chroot/usr/lib/modules" -name "vmlinuz*" -type f 2>/dev/null | head -n1)
config=$(find "$dir/pkg" "$dir/chroot/usr/lib/modules" \( -name "config-$abi-amd64" -o -name config \) \
	 -type f 2>/dev/null | head -n1)
[ -n "$vmlinuz" ] || { log "no vmlinuz in the image packages"; exit 1; }
cp "$vmlinuz" "$dir/vmlinuz"
[ -n "$config" ] && cp "$config" "$dir/config"
rm -rf "$dir/pkg" "$dir/debs"
echo "$suite" > "$dir/suite"
echo "$abi" > "$dir/abi"
touch "$dir/.complete"
echo "$abi" > "$cache/$suite.abi"
log "done"
echo "$dir"
