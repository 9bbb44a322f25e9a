#!/usr/bin/env bash
# update.sh - rewrites the golden files of tests/golden/ from the fixed synthetic record of
# tests/unit/test_golden.c, then checks them again.  Run it after a change to a writer that
# is meant to change the output, and review the difference by eye (git diff tests/golden)
# before committing it: these files are the reviewed reference of every output format.
#
# usage: tests/golden/update.sh [BUILD_DIR]        (default: build; as make's B=)
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
make -s B="$B" "$B/tests/test_golden"
ASBUILT_UPDATE_GOLDEN=1 "$B/tests/test_golden" --filter 'golden/[so]*'
"$B/tests/test_golden"
echo "update.sh: tests/golden rewritten; review: git diff --stat tests/golden && git diff tests/golden"
