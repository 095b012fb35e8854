#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict and kernel-doc over every C file of the project.
# usage: style.sh SOURCE_TOOLS_DIR   (the cache's linux-source extract)
# Prints the findings; exits 1 when there is any.
set -uo pipefail

src=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rc=0
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
	find module fs selftests scripts -name '*.[ch]')
for f in $files; do
	[ -f "$f" ] || continue
	ign=
	[ "$f" = module/compat.h ] && ign="--ignore LINUX_VERSION_CODE"
	# shellcheck disable=SC2086
	if ! perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary \
		--show-types $ign -f "$f"; then
		rc=1
	fi
	case $f in
	module/*|fs/*)
		warn=$(perl "$src/scripts/kernel-doc" -none -v "$f" 2>&1 | grep -v ": info: ")
		if [ -n "$warn" ]; then
			echo "$warn"
			rc=1
		fi
		;;
	esac
done
exit $rc
