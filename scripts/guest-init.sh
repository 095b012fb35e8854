#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the mypts test guest. The kernel passes unknown key=value boot
# parameters to init as environment variables:
#   mypts_mode=check|run|bench   run the selftests, a shell / one command,
#                          or the benchmark (make bench)
#   mypts_bench_rounds=N, mypts_bench_aa=1, mypts_bench_only=GROUPS
#                          pty_bench's --rounds, --aa and --only
#   mypts_test_timeout=N   seconds each selftest binary may take
#   mypts_provoke=warn|oops|hang   prove the harness catches these
#   mypts_fuzz_seeds=N, mypts_fuzz_seed=S, mypts_fuzz_targets=LIST
#                          knobs of ldisc_fuzz_test, exported to it as
#                          MYPTS_FUZZ_SEEDS, MYPTS_FUZZ_SEED, MYPTS_FUZZ_TARGETS
#   mypts_sysfuzz_seconds=N, mypts_sysfuzz_seed=S, mypts_sysfuzz_procs=P
#                          knobs of sysfuzz_test (MYPTS_SYSFUZZ_*)
#   mypts_race_seconds=N   seconds per race_test case (MYPTS_RACE_SECONDS)
#   mypts_data_mib=N       MiB data_test moves each way (MYPTS_DATA_MIB)
#   mypts_leak_cycles=N    pairs leak_test makes and closes (MYPTS_LEAK_CYCLES)
#   mypts_debug=1          the debug kernel: mount debugfs, start kmemleak
#                          from a clean slate, and end with kmemleak scans
#                          (before and after rmmod) that must find nothing
#                          (exported as MYPTS_DEBUG)
# In check mode, KTAP goes to the console and to ttyS1; the line
# "# mypts-guest: end" is written to ttyS1 last, so a panic or a hang can
# never read as success.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=${TERM:-linux}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs may lack /dev/console; take the console from devtmpfs.
exec 0</dev/console 1>/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm /root
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx 2>/dev/null
export MYPTS_KO=/lib/mypts.ko
export MYPTS_FUZZ_SEEDS=${mypts_fuzz_seeds:-} MYPTS_FUZZ_SEED=${mypts_fuzz_seed:-}
export MYPTS_FUZZ_TARGETS=${mypts_fuzz_targets:-}
export MYPTS_SYSFUZZ_SECONDS=${mypts_sysfuzz_seconds:-} MYPTS_SYSFUZZ_SEED=${mypts_sysfuzz_seed:-}
export MYPTS_SYSFUZZ_PROCS=${mypts_sysfuzz_procs:-} MYPTS_RACE_SECONDS=${mypts_race_seconds:-}
export MYPTS_DEBUG=${mypts_debug:-} MYPTS_DATA_MIB=${mypts_data_mib:-}
export MYPTS_LEAK_CYCLES=${mypts_leak_cycles:-}
kmemleak=/sys/kernel/debug/kmemleak
if [ -n "$MYPTS_DEBUG" ]; then
	mount -t debugfs debugfs /sys/kernel/debug
	# What boot left unreferenced is not ours to report: scan it once and
	# set it aside.
	if [ -e $kmemleak ]; then
		echo scan=off > $kmemleak
		echo scan > $kmemleak
		echo clear > $kmemleak
	fi
fi

result=/dev/ttyS1
mode=${mypts_mode:-check}
tmo=${mypts_test_timeout:-600}

# QEMU runs with -no-reboot, so a reboot ends it; a kernel without ACPI
# (the debug one) cannot power off, only halt.
shutdown() {
	sync
	reboot -f
}

# insmod with dynamic debug on, so that every "created" has a "destroyed";
# not for the benchmark, where printing every pair would be what it measures.
dyndbg=dyndbg=+p
[ "$mode" = bench ] && dyndbg=
if ! insmod "$MYPTS_KO" $dyndbg; then
	echo "not ok 1 insmod mypts.ko" > "$result"
	echo "# mypts-guest: end" > "$result"
	shutdown
fi

case "${mypts_provoke:-}" in
warn|oops) insmod /lib/mypts_provoke.ko what="$mypts_provoke" ;;
hang) echo "mypts: provoking a hang"; while :; do sleep 1000; done ;;
esac

if [ "$mode" = run ]; then
	# An instance at /dev/mypts; the shell (or the command) runs on one
	# of its pseudo-terminals.
	mkdir -p /dev/mypts
	mount -t mypts -o ptmxmode=0666 mypts /dev/mypts
	cd /root
	if [ -f /etc/mypts-cmd ]; then
		/bin/mypts-shell /dev/mypts "sh /etc/mypts-cmd"
	else
		echo "mypts: instance mounted at /dev/mypts; this shell runs on a mypts pty; exit to power off"
		/bin/mypts-shell /dev/mypts
	fi
	rc=$?
	cd /
	umount /dev/mypts
	echo "# mypts-run: exit $rc" > "$result"
	shutdown
fi

if [ "$mode" = bench ]; then
	args="--rounds ${mypts_bench_rounds:-5} --metrics /tmp/metrics"
	[ "${mypts_bench_aa:-0}" = 1 ] && args="$args --aa"
	[ -n "${mypts_bench_only:-}" ] && args="$args --only $mypts_bench_only"
	{
		echo "# guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu, $(grep MemTotal /proc/meminfo)"
		/bin/pty_bench $args 2>&1
		echo "# mypts-bench: exit $?"
		sed 's/^/# metric /' /tmp/metrics 2>/dev/null
	} | tee "$result"
	rmmod mypts || echo "# mypts-bench: rmmod failed" > "$result"
	echo "# mypts-guest: end" > "$result"
	shutdown
fi

# Every "KIND ID created" debug line needs a "KIND ID destroyed" after it.
check_balance() {
	dmesg | awk '
		/mypts: [a-z]+ [0-9]+ created/ {
			for (i = 1; i <= NF; i++) if ($i == "created") k = $(i-2) " " $(i-1)
			live[k]++; made++
		}
		/mypts: [a-z]+ [0-9]+ destroyed/ {
			for (i = 1; i <= NF; i++) if ($i == "destroyed") k = $(i-2) " " $(i-1)
			live[k]--
		}
		END {
			bad = 0
			for (k in live) if (live[k] != 0) { print "# leaked or unbalanced: " k; bad++ }
			if (made == 0) { print "# no created lines: dynamic debug is off"; bad++ }
			print "# objects created: " made
			exit bad != 0
		}'
}

# Collect kmemleak's suspects into /tmp/leaks. Objects younger than its
# minimum age (5 s) are not reported yet, hence the wait between two scans.
# It runs once before rmmod, while the module's symbols still name its
# frames, and once after: what only the module's own data pointed to is
# unreferenced then. "clear" sets the suspects taken aside, so the second
# collection lists only new ones.
kmemleak_collect() {
	[ -e $kmemleak ] || return 0
	echo scan > $kmemleak
	sleep 6
	echo scan > $kmemleak
	cat $kmemleak >> /tmp/leaks
	echo clear > $kmemleak
}

check_kmemleak() {
	if [ ! -e $kmemleak ]; then
		echo "not ok $1 kmemleak # no $kmemleak"
		return
	fi
	if [ -s /tmp/leaks ]; then
		echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/leaks) suspected memory leaks"
		sed 's/^/# /' /tmp/leaks
		echo "not ok $1 kmemleak"
	else
		echo "ok $1 kmemleak"
	fi
}

run_tests() {
	set -- /tests/*_test
	extra=2
	[ -n "$MYPTS_DEBUG" ] && extra=3
	[ -x /bin/pty_bench ] && extra=$((extra + 1))
	echo "TAP version 13"
	echo "1..$(($# + extra))"
	n=0
	for t in "$@"; do
		n=$((n + 1))
		name=${t##*/}
		echo "# selftest: $name"
		t0=$(date +%s)
		timeout "$tmo" "$t" > /tmp/out 2>&1
		rc=$?
		sed 's/^/# /' /tmp/out
		echo "# $name: $(($(date +%s) - t0)) s"
		case $rc in
		0) echo "ok $n selftests: mypts: $name" ;;
		4) echo "ok $n selftests: mypts: $name # SKIP" ;;
		124|143) echo "not ok $n selftests: mypts: $name # TIMEOUT ${tmo}s" ;;
		*) echo "not ok $n selftests: mypts: $name # exit=$rc" ;;
		esac
	done
	# make bench's program, small: it runs and every byte it moves is right.
	if [ -x /bin/pty_bench ]; then
		n=$((n + 1))
		echo "# selftest: pty_bench --quick"
		if timeout "$tmo" /bin/pty_bench --quick --rounds 2 > /tmp/out 2>&1; then
			sed 's/^/# /' /tmp/out
			echo "ok $n pty_bench-smoke"
		else
			sed 's/^/# /' /tmp/out
			echo "not ok $n pty_bench-smoke"
		fi
	fi
	: > /tmp/leaks
	[ -n "$MYPTS_DEBUG" ] && kmemleak_collect
	n=$((n + 1))
	if rmmod mypts; then
		echo "ok $n rmmod"
	else
		lsmod | sed 's/^/# /'
		grep -w mypts /proc/modules | sed 's/^/# /'
		echo "not ok $n rmmod"
	fi
	if [ -n "$MYPTS_DEBUG" ]; then
		kmemleak_collect
		n=$((n + 1))
		check_kmemleak $n
	fi
	n=$((n + 1))
	if check_balance > /tmp/bal; then
		sed 's/^/# /' /tmp/bal | sed 's/^# # /# /'
		echo "ok $n balance"
	else
		sed 's/^# /# /' /tmp/bal
		echo "not ok $n balance"
	fi
}

run_tests 2>&1 | tee "$result"
echo "# mypts-guest: end" > "$result"
shutdown
