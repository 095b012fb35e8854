#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for the words that mean the kernel went wrong.
# Prints the matching lines; exits 1 when there is any.
set -u
pat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|lockdep|possible circular locking|Kernel panic|UBSAN:|kmemleak:.*suspected'
if [ ! -s "$1" ]; then
	echo "scan-log: console log $1 is missing or empty"
	exit 1
fi
if grep -E -n "$pat" "$1"; then
	exit 1
fi
exit 0
