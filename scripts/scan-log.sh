#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for the words that mean the kernel went wrong.
# Prints the matching lines; exits 1 when there is any. kmemleak's own
# "suspected memory leaks" lines are left to the guest's kmemleak test,
# which scans after rmmod: the debug guest also scans once at boot, to set
# aside what boot itself left behind.
set -u
pat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|lockdep is turned off|DEBUG_LOCKS_WARN'
pat="$pat|possible circular locking|Kernel panic|UBSAN:|blocked for more than|soft lockup|detected stall|ODEBUG"
if [ ! -s "$1" ]; then
	echo "scan-log: console log $1 is missing or empty"
	exit 1
fi
if grep -E -n "$pat" "$1"; then
	exit 1
fi
exit 0
