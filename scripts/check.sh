#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: install what is missing, fetch the Debian kernel(s), build the
# module (W=1) and the selftests, check style, boot each kernel, run every
# test there, and print one closing line "N passed, N failed".
#
# Environment (all optional):
#   KERNEL         bookworm (default, Debian 12's 6.1), trixie (13, 6.12),
#                  sid (unstable), all (those three), or debug (our own 6.1
#                  with KASAN, lockdep, kmemleak, UBSAN and failslab: what
#                  "make check-debug" runs)
#   GUEST_TIMEOUT  seconds one guest run may take (default 2400)
#   TEST_TIMEOUT   seconds one selftest binary may take (default 900)
#   TESTS          space-separated selftest names to run (default: all)
#   PROVOKE        fail|warn|oops|hang: misbehave on purpose (harness test)
#   SEEDS, SEED    ldisc_fuzz_test: how many scenarios, from which seed
#                  (default 5000 from 1)
#   FUZZ_TARGETS   ldisc_fuzz_test: its targets, the reference first
#                  (default devpts,devpts-ldisc,mypts)
#   SYSFUZZ_SECONDS, SYSFUZZ_SEED, SYSFUZZ_PROCS
#                  sysfuzz_test: how long, from which seed, how many
#                  processes (default 20 s, seed 1, 4; the debug kernel
#                  runs 180 s)
#   RACE_SECONDS   race_test: seconds per case (default 2; 10 on the debug
#                  kernel)
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

case ${KERNEL:=bookworm} in
all) kernels="bookworm trixie sid" ;;
bookworm|trixie|sid|debug) kernels=$KERNEL ;;
*) die "KERNEL must be bookworm, trixie, sid, all or debug" ;;
esac

for v in "${SEEDS:-}" "${SEED:-}" "${SYSFUZZ_SECONDS:-}" "${SYSFUZZ_SEED:-}" \
	"${SYSFUZZ_PROCS:-}" "${RACE_SECONDS:-}"; do
	case $v in
	*[!0-9]*) die "SEEDS, SEED, SYSFUZZ_* and RACE_SECONDS must be numbers" ;;
	esac
done
case ${FUZZ_TARGETS:-} in
*[!a-z,-]*) die "FUZZ_TARGETS is a comma-separated list of target names" ;;
esac

"$top/scripts/install-deps.sh" || die "cannot install the host packages"
# Debian 12's kernel cache also holds the harness header, checkpatch and
# kernel-doc, whatever kernel the tests boot.
base=$("$top/scripts/fetch-kernel.sh") || die "cannot fetch the Debian kernel"
harness=$base/source/tools/testing/selftests

echo "check: checkpatch --strict and kernel-doc"
if "$top/scripts/style.sh" "$base/source" > "$out/style.log" 2>&1; then
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
case ${PROVOKE:-} in
""|warn|oops|hang) ;;
fail)
	gcc -static -D_GNU_SOURCE -I"$harness" -o "$out/tests/provoke_fail_test" \
		"$top/scripts/provoke/provoke_fail_test.c" || die "cannot build the provoking test"
	;;
*) die "PROVOKE must be fail, warn, oops or hang" ;;
esac

# build_module KERNEL KDIR OUTDIR: mypts.ko (and the provoking module) for a kernel.
build_module() {
	local k=$1 kdir=$2 dir=$3 src
	if [ "$k" = bookworm ] || [ "$k" = debug ]; then
		make -C "$top" --no-print-directory clean-module >/dev/null 2>&1
		make -C "$kdir/build" M="$top" W=1 modules > "$dir/build.log" 2>&1 &&
			cp "$top/mypts.ko" "$dir/mypts.ko" || return 1
		if [ "${PROVOKE:-}" = warn ] || [ "${PROVOKE:-}" = oops ]; then
			rm -rf "$dir/provoke" && cp -r "$top/scripts/provoke" "$dir/provoke"
			make -C "$kdir/build" M="$dir/provoke" modules >> "$dir/build.log" 2>&1 || return 1
		fi
	else
		# Other suites build in their own chroot, with their compiler.
		src=$kdir/chroot/src
		rm -rf "$src" && mkdir -p "$src" &&
			cp -r "$top/Kbuild" "$top/module" "$top/fs" "$src/" || return 1
		[ -d "$top/.git" ] && echo "$(git -C "$top" describe --always --dirty)" > "$src/.version"
		# objtool reads /proc: mount one, in a namespace of its own.
		unshare --mount --propagation private sh -c '
			mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh \
			"$kdir/chroot" "$kdir/chroot" make -C "/usr/src/linux-headers-$(cat "$kdir/abi")-amd64" \
			M=/src W=1 MYPTS_VERSION="$(cat "$src/.version" 2>/dev/null || echo unknown)" \
			modules > "$dir/build.log" 2>&1 && cp "$src/mypts.ko" "$dir/mypts.ko" || return 1
	fi
	! grep -E '(module|fs)/[^:]*:[0-9]+:[0-9]+: (warning|error)' "$dir/build.log"
}

total_pass=0 total_fail=0 total_skip=0
for k in $kernels; do
	dir=$out/$k
	rm -rf "$dir" && mkdir -p "$dir"
	: > "$dir/host.ktap"
	if [ "$k" = bookworm ]; then
		kdir=$base
	elif [ "$k" = debug ]; then
		kdir=$("$top/scripts/debug-kernel.sh") || {
			echo "check: cannot build the debug kernel" >&2
			total_fail=$((total_fail + 1))
			continue
		}
	else
		kdir=$("$top/scripts/fetch-suite.sh" "$k") || {
			echo "check: cannot fetch the $k kernel" >&2
			total_fail=$((total_fail + 1))
			continue
		}
	fi
	echo "check: [$k] kernel $(basename "$kdir"): building mypts.ko"
	if build_module "$k" "$kdir" "$dir"; then
		echo "ok 1 build-$k" >> "$dir/host.ktap"
	else
		tail -n 40 "$dir/build.log" >&2
		echo "check: [$k] the module does not build cleanly (see $dir/build.log)" >&2
		total_fail=$((total_fail + 1))
		continue
	fi
	extra=
	[ -f "$dir/provoke/mypts_provoke.ko" ] && extra=$dir/provoke/mypts_provoke.ko
	"$top/scripts/mkinitramfs.sh" "$dir/initramfs.cpio.gz" "$dir/mypts.ko" "$out/tests" "" "$extra" ||
		die "cannot build the initramfs"

	echo "check: [$k] running the selftests in the guest"
	append="mypts_test_timeout=${TEST_TIMEOUT:-900}"
	[ -n "${PROVOKE:-}" ] && append="$append mypts_provoke=$PROVOKE"
	[ -n "${SEEDS:-}" ] && append="$append mypts_fuzz_seeds=$SEEDS"
	[ -n "${SEED:-}" ] && append="$append mypts_fuzz_seed=$SEED"
	[ -n "${FUZZ_TARGETS:-}" ] && append="$append mypts_fuzz_targets=$FUZZ_TARGETS"
	sysfuzz=${SYSFUZZ_SECONDS:-} race=${RACE_SECONDS:-}
	if [ "$k" = debug ]; then
		# Several times slower than Debian's kernel: fewer fuzzer
		# scenarios and a shorter bulk transfer, the fuzzer longer.
		append="$append mypts_debug=1 mypts_data_mib=2 mypts_leak_cycles=1000"
		[ -z "${SEEDS:-}" ] && append="$append mypts_fuzz_seeds=300"
		sysfuzz=${sysfuzz:-180} race=${race:-10}
	fi
	[ -n "$sysfuzz" ] && append="$append mypts_sysfuzz_seconds=$sysfuzz"
	[ -n "${SYSFUZZ_SEED:-}" ] && append="$append mypts_sysfuzz_seed=$SYSFUZZ_SEED"
	[ -n "${SYSFUZZ_PROCS:-}" ] && append="$append mypts_sysfuzz_procs=$SYSFUZZ_PROCS"
	[ -n "$race" ] && append="$append mypts_race_seconds=$race"
	# KASAN's shadow and kmemleak's metadata want room.
	mem=1024
	[ "$k" = debug ] && mem=2048
	MYPTS_GUEST_MEM=$mem "$top/scripts/run-guest.sh" "$kdir/vmlinuz" "$dir/initramfs.cpio.gz" \
		"$dir/guest-console.log" "$dir/guest-result.ktap" "${GUEST_TIMEOUT:-2400}" check $append
	qrc=$?
	grep -E '^(not )?ok |^# (not )?ok |^# .*(Expected|FAIL)|TIMEOUT' "$dir/guest-result.ktap" 2>/dev/null |
		grep -v '^# *\(RUN\|OK\) ' | grep -v '^# ok ' || true
	echo "check: [$k] guest console log: $dir/guest-console.log"
	allow=0
	[ "$k" = debug ] && allow=1
	line=$(MYPTS_ALLOW_ALLOC_FAILURES=$allow "$top/scripts/ktap-summary.sh" "$dir/guest-result.ktap" "$dir/guest-console.log" \
		"$dir/host.ktap" "$qrc" | tail -n 1)
	echo "check: [$k] $line"
	read -r p _ f _ s _ <<<"$(sed 's/,//g' <<<"$line")"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + ${s:-0}))
done

# The host's own checks (style, selftest build) count once.
read -r hp hf _ <<<"$(awk '/^ok /{p++} /^not ok /{f++} END{print p+0, f+0}' "$host")"
grep '^not ok' "$host" | sed 's/^/FAIL: /' >&2
total_pass=$((total_pass + hp)) total_fail=$((total_fail + hf))
line="$total_pass passed, $total_fail failed"
[ "$total_skip" -gt 0 ] && line="$line, $total_skip skipped"
echo "$line"
[ "$total_fail" -eq 0 ]
