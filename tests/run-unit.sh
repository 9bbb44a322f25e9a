#!/bin/bash
# run-unit.sh - run Criterion unit test binaries and sum their results.
#
# usage: tests/run-unit.sh BINARY...
#
# Each binary's output is shown as it runs.  Counts come from Criterion's closing line
# `[====] Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N`; a binary that exits
# non-zero without reporting a failure (or prints no synthesis) counts as one failure.
# Prints `N passed, N failed` and exits 1 when anything failed.

passed=0 failed=0
for bin in "$@"; do
	out=$(mktemp) || exit 2
	"$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep 'Synthesis: Tested:' | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "run-unit: $bin: no Criterion synthesis (exit status $rc)" >&2
		failed=$((failed + 1))
		continue
	fi
	tested=$(printf '%s\n' "$line" | sed -n 's/.*Tested: *\([0-9]*\).*/\1/p')
	passing=$(printf '%s\n' "$line" | sed -n 's/.*Passing: *\([0-9]*\).*/\1/p')
	f=$((tested - passing))
	if [ "$rc" != 0 ] && [ $f = 0 ]; then
		echo "run-unit: $bin: exit status $rc although no test failed" >&2
		f=1
	fi
	passed=$((passed + passing))
	failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ $failed = 0 ]
