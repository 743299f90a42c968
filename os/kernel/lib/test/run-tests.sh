#!/bin/sh
# Runs host unit test programs and totals their KTAP results.
# usage: run-tests.sh BUILD_DIR DTB_DIR TEST...
# A case counts as failed if it says "not ok", if it never reports (the
# program died early), and a program that exits non-zero without reporting
# a failed case counts as one more failure.
build=$1 dtbs=$2
shift 2
passed=0 failed=0
for t in "$@"; do
	log="$build/$t.ktap"
	"$build/$t" "$dtbs" >"$log" 2>&1
	rc=$?
	cat "$log"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
	ok=$(grep -c '^ok ' "$log")
	bad=$(grep -c '^not ok ' "$log")
	missing=$(( ${plan:-1} - ok - bad ))
	[ "$missing" -lt 0 ] && missing=0
	extra=0
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && [ "$missing" -eq 0 ] && extra=1
	[ "$rc" -ne 0 ] && echo "# $t exited with status $rc"
	passed=$((passed + ok))
	failed=$((failed + bad + missing + extra))
done
echo "host-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
