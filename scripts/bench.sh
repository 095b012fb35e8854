#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: mypts against the guest's own devpts, in one boot of Debian
# 12's kernel with one virtual CPU (two vCPUs on a busy two-core host make
# the figures noise), alternating fresh instances round by round.
#
# Environment (all optional):
#   ROUNDS   rounds of every figure (default 5, at least 5 for a claim)
#   AA=1     devpts against devpts: the noise floor of the method
#   ONLY     comma-separated groups: raw canon pingpong alloc memory many
#            ceiling (default: all)
#   GUEST_TIMEOUT  seconds the guest may take (default 3600)
#
# Prints the table; writes "metric value unit" lines to build/bench.txt
# (build/bench-aa.txt with AA=1) and keeps a dated copy beside it, so that
# later runs can be compared. Exit status non-zero when a byte arrived
# wrong, a step failed or the guest log shows a kernel error.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out/bench
build=$top/build
mkdir -p "$out" "$build"
die() {
	echo "bench: $*" >&2
	exit 1
}
case ${ROUNDS:=5} in
''|*[!0-9]*) die "ROUNDS must be a number" ;;
esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 64 ] || die "ROUNDS must be 1 to 64"
case ${AA:=0} in
0|1) ;;
*) die "AA must be 0 or 1" ;;
esac
case ${ONLY:-} in
*[!a-z,]*) die "ONLY is a comma-separated list of groups" ;;
esac

"$top/scripts/install-deps.sh" || die "cannot install the host packages"
kdir=$("$top/scripts/fetch-kernel.sh") || die "cannot fetch the Debian kernel"
echo "bench: building mypts.ko and pty_bench"
make -C "$top" --no-print-directory clean-module >/dev/null 2>&1
make -C "$kdir/build" M="$top" modules > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "the module does not build"
}
rm -rf "$out/bin" && mkdir -p "$out/bin"
make -C "$top/selftests" --no-print-directory HARNESS="$kdir/source/tools/testing/selftests" \
	OUT="$out/bin" "$out/bin/pty_bench" > "$out/selftests-build.log" 2>&1 || {
	cat "$out/selftests-build.log" >&2
	die "pty_bench does not build"
}
"$top/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$top/mypts.ko" "$out/bin" ||
	die "cannot build the initramfs"

append="mypts_bench_rounds=$ROUNDS mypts_bench_aa=$AA"
[ -n "${ONLY:-}" ] && append="$append mypts_bench_only=$ONLY"
echo "bench: running in the guest (1 vCPU, $ROUNDS rounds$([ "$AA" = 1 ] && echo ', devpts against devpts'))"
MYPTS_GUEST_CPUS=1 MYPTS_GUEST_MEM=2048 "$top/scripts/run-guest.sh" "$kdir/vmlinuz" \
	"$out/initramfs.cpio.gz" "$out/guest-console.log" "$out/guest-result.txt" \
	"${GUEST_TIMEOUT:-3600}" bench $append
qrc=$?

res=$out/guest-result.txt
grep -v '^# metric \|^# mypts-guest: end' "$res"
name=bench
[ "$AA" = 1 ] && name=bench-aa
metrics=$build/$name.txt
{
	echo "# make bench $(date -u +%Y-%m-%dT%H:%M:%SZ) mypts $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	sed -n 's/^# metric //p' "$res"
} > "$metrics.tmp"
rc=0
if ! grep -q '^# mypts-guest: end' "$res"; then
	echo "bench: the guest did not finish (qemu exit $qrc; log $out/guest-console.log)" >&2
	rc=1
elif ! grep -q '^# mypts-bench: exit 0' "$res"; then
	echo "bench: pty_bench failed: the figures are not valid" >&2
	rc=1
fi
if ! bad=$("$top/scripts/scan-log.sh" "$out/guest-console.log"); then
	echo "bench: the guest log has kernel errors:" >&2
	printf '%s\n' "$bad" >&2
	rc=1
fi
if [ $rc -eq 0 ]; then
	mv "$metrics.tmp" "$metrics"
	cp "$metrics" "$build/$name-$(date -u +%Y%m%d-%H%M%S).txt"
	echo "bench: metrics in ${metrics#"$top"/}"
else
	rm -f "$metrics.tmp"
fi
exit $rc
