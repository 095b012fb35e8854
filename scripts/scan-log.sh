#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for the words that mean the kernel went wrong.
# Prints the matching lines; exits 1 when there is any. kmemleak's own
# "suspected memory leaks" lines are left to the guest's kmemleak test,
# which scans after rmmod: the debug guest also scans once at boot, to set
# aside what boot itself left behind.
#
# With MYPTS_ALLOW_ALLOC_FAILURES=1 (the debug tier, whose failslab_test
# makes allocations fail on purpose), the kernel's report of a failed
# allocation ("vmalloc error:" or "page allocation failure:", then its stack
# up to "</TASK>") is set aside; anything else in the log still counts.
set -u
pat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|lockdep is turned off|DEBUG_LOCKS_WARN'
pat="$pat|possible circular locking|Kernel panic|UBSAN:|blocked for more than|soft lockup|detected stall|ODEBUG"
if [ ! -s "$1" ]; then
	echo "scan-log: console log $1 is missing or empty"
	exit 1
fi
awk -v pat="$pat" -v allow="${MYPTS_ALLOW_ALLOC_FAILURES:-0}" '
	allow == 1 && /vmalloc error:|page allocation failure:/ { inreport = 1; next }
	inreport { if (/<\/TASK>/) inreport = 0; next }
	$0 ~ pat { print NR ":" $0; bad = 1 }
	END { exit bad }' "$1"
