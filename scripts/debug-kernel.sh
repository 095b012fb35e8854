#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build, once, the debug kernel of "make check-debug": Debian's
# linux-source-6.1 configured as tinyconfig plus scripts/debug-kernel.config
# (what the guest needs, KASAN, lockdep, kmemleak, UBSAN, failslab, the hang
# detectors). The result is cached under a key made of the fragment, the
# source version and the compiler, so a warm run needs no network and no
# compiler time. Concurrent callers wait for one build.
#
# Prints the cache directory on stdout: vmlinuz, config, build/ (the built
# tree, for M= module builds) and build.log.
#
# Environment:
#   MYPTS_CACHE        cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/mypts)
#   MYPTS_DEBUG_JOBS   make -j for the kernel build (default: cores + 1)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel.config
cache=${MYPTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypts}
mkdir -p "$cache"
log() { echo "debug-kernel: $*" >&2; }

# A complete entry for this fragment and compiler is reused as it is; the
# source version is recorded inside it.
key=$( { cat "$frag"; gcc --version | head -n1; } | sha256sum | cut -c1-12)
dir=$cache/debug-$key

exec 9>"$cache/debug.lock"
if ! flock -n 9; then
	log "another run is building the debug kernel; waiting for it"
	flock 9
fi
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

ver=$(apt-cache policy linux-source-6.1 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	[ "$(id -u)" -eq 0 ] && apt-get update -qq >&2 || true
	ver=$(apt-cache policy linux-source-6.1 2>/dev/null | sed -n 's/^ *Candidate: //p')
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	log "linux-source-6.1 is not in the package lists"
	exit 1
fi

log "building debug kernel $ver (key $key) into $dir; this takes a while once"
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/debs"
cd "$dir/debs"
if ! apt-get download -q "linux-source-6.1=$ver" >/dev/null 2>download.err; then
	cat download.err >&2
	log "apt-get download linux-source-6.1=$ver failed"
	exit 1
fi
mkdir -p "$dir/build"
dpkg-deb --fsys-tarfile linux-source-6.1_*.deb |
	tar -xO ./usr/src/linux-source-6.1.tar.xz |
	xz -dc -T0 | tar -x -C "$dir/build" --strip-components=1
cd "$dir"
rm -rf debs

kmake() {
	make -C "$dir/build" ARCH=x86_64 "$@"
}
{
	kmake tinyconfig &&
	"$dir/build/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
		"$dir/build/.config" "$frag" &&
	kmake olddefconfig
} > "$dir/build.log" 2>&1 || {
	tail -n 30 "$dir/build.log" >&2
	log "configuring failed (see $dir/build.log)"
	exit 1
}
# A line the dependencies dropped would leave a weaker kernel than asked for.
missing=$(grep -E '^CONFIG_' "$frag" | while read -r l; do
	grep -qxF "$l" "$dir/build/.config" || echo "$l"
done)
if [ -n "$missing" ]; then
	log "these fragment lines did not survive olddefconfig:"
	echo "$missing" >&2
	exit 1
fi

# "modules" writes Module.symvers, which M= builds of mypts.ko need.
jobs=${MYPTS_DEBUG_JOBS:-$(($(nproc) + 1))}
if ! kmake -j"$jobs" bzImage modules >> "$dir/build.log" 2>&1; then
	tail -n 40 "$dir/build.log" >&2
	log "the kernel build failed (see $dir/build.log)"
	exit 1
fi
cp "$dir/build/arch/x86/boot/bzImage" "$dir/vmlinuz"
cp "$dir/build/.config" "$dir/config"
echo "$ver" > "$dir/version"
touch "$dir/.complete"
log "done in $(($(date +%s) - start)) s"
echo "$dir"
