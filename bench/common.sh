# shellcheck shell=bash
# common.sh - what every bench script begins with (sourced, after setting BENCH_NAME):
# strict mode, the C locale, root (the source tree), ASBUILT (the asbuilt binary, made
# absolute; default build/bin/asbuilt), OUT (BENCH_OUT, default build/bench) and
# say/die, which prefix their message with BENCH_NAME.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ASBUILT=${ASBUILT:-$root/build/bin/asbuilt}
case "$ASBUILT" in /*) ;; *) ASBUILT="$PWD/$ASBUILT" ;; esac
# shellcheck disable=SC2034 # used by the scripts that source this
OUT=${BENCH_OUT:-$root/build/bench}

say() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() {
	say "$@"
	exit 1
}
