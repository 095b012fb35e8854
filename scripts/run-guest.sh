#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the Debian kernel under QEMU with a mypts initramfs.
#
# usage: run-guest.sh VMLINUZ INITRAMFS CONSOLE_LOG RESULT_FILE TIMEOUT MODE [APPEND...]
#   MODE check: console to CONSOLE_LOG only, no input
#   MODE run:   console on this terminal (and CONSOLE_LOG), input from stdin
#   MODE bench: as check, with a quiet kernel
# Exit status: QEMU's, or 124 when TIMEOUT seconds passed.
#
# Environment: MYPTS_ACCEL=tcg|kvm|auto (default auto: KVM only when a
# short probe boots a guest with it; the answer is cached per host kernel);
# MYPTS_GUEST_MEM, the guest's memory in MiB (default 1024);
# MYPTS_GUEST_CPUS, its virtual CPUs (default 2).
set -euo pipefail

kernel=$1 initrd=$2 log=$3 result=$4 tmo=$5 mode=$6
shift 6
cache=${MYPTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mypts}
qemu=qemu-system-x86_64
base=(-nodefaults -nographic -no-reboot -monitor none -m ${MYPTS_GUEST_MEM:-1024} -smp ${MYPTS_GUEST_CPUS:-2})
cmdline="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 slab_nomerge log_buf_len=32M"

probe_kvm() {
	local stamp=$cache/accel-$(uname -r)
	if [ -f "$stamp" ]; then
		cat "$stamp"
		return
	fi
	local ans=tcg tmp
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		tmp=$(mktemp -d)
		# init writes to ttyS1 and powers off; a healthy KVM does this in seconds.
		printf '#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs d /dev\necho kvm-ok > /dev/ttyS1\n/bin/busybox poweroff -f\n' > "$tmp/init"
		mkdir -p "$tmp/fs/bin" && cp /bin/busybox "$tmp/fs/bin/" && mv "$tmp/init" "$tmp/fs/init" && chmod +x "$tmp/fs/init"
		mkdir -p "$tmp/fs/dev"
		(cd "$tmp/fs" && find . | cpio -o -H newc --quiet) > "$tmp/probe.cpio"
		timeout -k 2 20 "$qemu" "${base[@]}" -accel kvm -cpu host -kernel "$kernel" \
			-initrd "$tmp/probe.cpio" -append "console=ttyS0 panic=-1 quiet" \
			-serial null -serial "file:$tmp/out" >/dev/null 2>&1 || true
		grep -q kvm-ok "$tmp/out" 2>/dev/null && ans=kvm
		rm -rf "$tmp"
	fi
	mkdir -p "$cache" && echo "$ans" > "$stamp"
	echo "$ans"
}

accel=${MYPTS_ACCEL:-auto}
[ "$accel" = auto ] && accel=$(probe_kvm)
case $accel in
kvm) acc=(-accel kvm -cpu host) ;;
*) acc=(-accel tcg -cpu max) ;;
esac

: > "$result"
fg=()
if [ "$mode" = run ]; then
	cmdline="$cmdline quiet"
	if [ -t 0 ]; then
		# QEMU sets this terminal raw: it must stay in the foreground.
		fg=(--foreground)
		con=(-chardev "stdio,id=con,signal=off,logfile=$log" -serial chardev:con)
	else
		con=(-chardev "stdio,id=con,logfile=$log" -serial chardev:con)
	fi
else
	[ "$mode" = bench ] && cmdline="$cmdline quiet"
	con=(-serial "file:$log")
	exec </dev/null
fi
echo "run-guest: booting ($accel, timeout ${tmo}s, console log $log)" >&2
set +e
timeout "${fg[@]}" -k 5 "$tmo" "$qemu" "${base[@]}" "${acc[@]}" -kernel "$kernel" -initrd "$initrd" \
	-append "$cmdline mypts_mode=$mode $*" "${con[@]}" -serial "file:$result"
rc=$?
set -e
[ $rc -eq 124 ] && echo "run-guest: guest still running after ${tmo}s: killed" >&2
exit $rc
