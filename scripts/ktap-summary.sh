#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Turn the guest's nested KTAP (ttyS1), the host's own KTAP lines and the
# guest console log into one verdict.
#
# usage: ktap-summary.sh RESULT CONSOLE_LOG HOST_KTAP QEMU_STATUS
# Prints each failure, then exactly one closing line
# "N passed, N failed[, N skipped]", and exits 1 on any failure.
set -uo pipefail

result=$1 log=$2 host=$3 qrc=$4
here=$(cd "$(dirname "$0")" && pwd)

# Leaf results: test cases inside each selftest binary ("# ok N name"),
# guest-level checks without children, and host checks. A binary that
# failed with no failing case inside (crash, timeout) counts once.
counts=$(cat "$host" "$result" 2>/dev/null | awk '
	function leaf(line, nested,   skip) {
		skip = line ~ /# SKIP/
		if (line ~ /^not ok /) { fail++; print "FAIL: " line > "/dev/stderr"; if (nested) inner_fail++ }
		else if (skip) skip_n++
		else pass++
	}
	/^# (not )?ok [0-9]+ / { sub(/^# /, ""); leaf($0, 1); inner++; next }
	/^(not )?ok [0-9]+ / {
		if (inner == 0 || ($0 ~ /^not ok/ && inner_fail == 0)) leaf($0, 0)
		inner = 0; inner_fail = 0; next
	}
	END { printf "%d %d %d\n", pass, fail, skip_n }')
read -r pass fail skip <<<"$counts"

problem() { echo "FAIL: $*" >&2; fail=$((fail + 1)); }

if ! grep -q '^# mypts-guest: end' "$result" 2>/dev/null; then
	if [ "$qrc" -eq 124 ]; then
		problem "guest hung: no verdict before the timeout (console: $log)"
	elif grep -q 'Kernel panic' "$log" 2>/dev/null; then
		problem "guest panicked before its verdict: $(grep -m1 'Kernel panic' "$log")"
	else
		problem "guest ended without a verdict (qemu exit $qrc, console: $log)"
	fi
fi
if ! bad=$("$here/scan-log.sh" "$log"); then
	problem "guest log has kernel errors:"
	printf '%s\n' "$bad" | head -n 20 | sed 's/^/  /' >&2
fi

line="$pass passed, $fail failed"
[ "${skip:-0}" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
