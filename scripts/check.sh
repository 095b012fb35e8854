#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, fetch the Debian kernel, build the
# module (W=1) and the selftests, check style, boot the guest, run every
# test there, and print one closing line "N passed, N failed".
#
# Environment (all optional):
#   GUEST_TIMEOUT  seconds the whole guest run may take (default 2400)
#   TEST_TIMEOUT   seconds one selftest binary may take (default 900)
#   TESTS          space-separated selftest names to run (default: all)
#   PROVOKE        fail|warn|oops|hang: misbehave on purpose (harness test)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
mkdir -p "$out"
host=$out/host.ktap
: > "$host"
n=0
report() { # report OK|FAIL NAME [LOGFILE]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n $2" >> "$host"
	else
		echo "not ok $n $2" >> "$host"
		[ -n "${3:-}" ] && tail -n 40 "$3" >&2
	fi
}
die() {
	echo "check: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

"$top/scripts/install-deps.sh" || die "cannot install the host packages"
kdir=$("$top/scripts/fetch-kernel.sh") || die "cannot fetch the Debian kernel"
harness=$kdir/source/tools/testing/selftests
echo "check: kernel $(basename "$kdir"), cache $kdir"

# The module, with W=1; any warning in our files fails.
echo "check: building mypts.ko"
make -C "$top" --no-print-directory clean-module KDIR="$kdir/build" >/dev/null 2>&1
if make -C "$kdir/build" M="$top" W=1 modules > "$out/build.log" 2>&1 &&
   ! grep -E '(module|fs)/[^:]*:[0-9]+:[0-9]+: (warning|error)' "$out/build.log"; then
	report OK build
else
	report FAIL build "$out/build.log"
	die "the module does not build cleanly (see $out/build.log)"
fi

echo "check: checkpatch --strict and kernel-doc"
if "$top/scripts/style.sh" "$kdir/source" > "$out/style.log" 2>&1; then
	report OK style
else
	report FAIL style "$out/style.log"
fi

echo "check: building the selftests"
rm -rf "$out/tests"
if make -C "$top/selftests" --no-print-directory HARNESS="$harness" OUT="$out/tests" \
	> "$out/selftests-build.log" 2>&1; then
	report OK selftests-build
else
	report FAIL selftests-build "$out/selftests-build.log"
	die "the selftests do not build"
fi
if [ -n "${TESTS:-}" ]; then
	for t in "$out"/tests/*_test; do
		case " $TESTS " in *" $(basename "$t") "*) ;; *) rm -f "$t" ;; esac
	done
fi

extra=
case ${PROVOKE:-} in
"") ;;
fail)
	gcc -static -D_GNU_SOURCE -I"$harness" -o "$out/tests/provoke_fail_test" \
		"$top/scripts/provoke/provoke_fail_test.c" || die "cannot build the provoking test"
	;;
warn|oops)
	rm -rf "$out/provoke" && cp -r "$top/scripts/provoke" "$out/provoke"
	make -C "$kdir/build" M="$out/provoke" modules > "$out/provoke.log" 2>&1 ||
		die "cannot build the provoking module"
	extra=$out/provoke/mypts_provoke.ko
	;;
hang) ;;
*) die "PROVOKE must be fail, warn, oops or hang" ;;
esac

"$top/scripts/mkinitramfs.sh" "$out/initramfs-check.cpio.gz" "$top/mypts.ko" "$out/tests" "" "$extra" ||
	die "cannot build the initramfs"

echo "check: running the selftests in the guest"
append="mypts_test_timeout=${TEST_TIMEOUT:-900}"
[ -n "${PROVOKE:-}" ] && append="$append mypts_provoke=$PROVOKE"
"$top/scripts/run-guest.sh" "$kdir/vmlinuz" "$out/initramfs-check.cpio.gz" \
	"$out/guest-console.log" "$out/guest-result.ktap" "${GUEST_TIMEOUT:-2400}" check $append
qrc=$?

grep -E '^(not )?ok |^# (not )?ok |^# +(FAIL|RUN|OK)|^# .*(Expected|FAIL)|TIMEOUT' \
	"$out/guest-result.ktap" 2>/dev/null | grep -v '^# *\(RUN\|OK\) ' || true
echo "check: guest console log: $out/guest-console.log"
exec "$top/scripts/ktap-summary.sh" "$out/guest-result.ktap" "$out/guest-console.log" "$host" "$qrc"
