#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: boot the guest with mypts loaded and an instance mounted at
# /dev/mypts, and give a shell; with CMD set, run that command instead and
# exit with its status.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
mkdir -p "$out"
"$top/scripts/install-deps.sh" || exit 1
kdir=$("$top/scripts/fetch-kernel.sh") || exit 1
make -C "$kdir/build" M="$top" modules > "$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	exit 1
}
make -C "$top/selftests" --no-print-directory \
	HARNESS="$kdir/source/tools/testing/selftests" OUT="$out/tests" >/dev/null || exit 1
cmdfile=
if [ -n "${CMD:-}" ]; then
	cmdfile=$out/run-cmd.sh
	printf '%s\n' "$CMD" > "$cmdfile"
fi
"$top/scripts/mkinitramfs.sh" "$out/initramfs-run.cpio.gz" "$top/mypts.ko" "$out/tests" "$cmdfile" || exit 1
"$top/scripts/run-guest.sh" "$kdir/vmlinuz" "$out/initramfs-run.cpio.gz" \
	"$out/run-console.log" "$out/run-result.txt" "${GUEST_TIMEOUT:-86400}" run
qrc=$?
rc=$(sed -n 's/^# mypts-run: exit \([0-9]*\).*/\1/p' "$out/run-result.txt" | tail -n1)
if [ -z "$rc" ]; then
	echo "run: the guest ended without reporting a status (qemu exit $qrc; log $out/run-console.log)" >&2
	exit 1
fi
if ! bad=$("$top/scripts/scan-log.sh" "$out/run-console.log"); then
	echo "run: the guest log has kernel errors:" >&2
	printf '%s\n' "$bad" >&2
	exit 1
fi
exit "$rc"
