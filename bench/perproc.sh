#!/usr/bin/env bash
# perproc.sh - what tracing costs one process: PERPROC_N runs of a short program
# (`cat FILE`), one after the other, untraced and under `asbuilt record` with each backend,
# the modes alternating for PERPROC_ROUNDS rounds; prints the median microseconds per
# process and the median difference to untraced of the same round.  Whole builds on a
# shared machine vary by more than a few per cent from run to run; this loop's rounds agree
# within tens of microseconds, so it shows changes to the per-process path (the
# interposer's constructor, its connection, the exit) that a build cannot.
#
# Two cases: `cat /etc/hostname` (a system file: no exit acknowledgement) and `cat` of a
# file in the working directory (a file of the build: the process waits at exit until the
# collector has hashed it).
#
# Environment:
#   ASBUILT          the asbuilt binary (default build/bin/asbuilt)
#   BENCH_OUT        output directory (default build/bench); writes perproc.md there
#   BENCH_BASE       a second asbuilt binary, timed in the same rounds (mode preload-base)
#   PERPROC_N        processes per run (default 1000)
#   PERPROC_ROUNDS   rounds (default 7)
#   PERPROC_MODES    default "untraced control preload ebpf" (ebpf only when it can record
#                    here; control is the untraced loop again, in the same rounds: its +us
#                    is what the rounds read when nothing changes)
BENCH_NAME=bench-perproc
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${PERPROC_N:-1000}
ROUNDS=${PERPROC_ROUNDS:-7}

[ -x "$ASBUILT" ] || die "no asbuilt binary at $ASBUILT (run make, or set ASBUILT)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-perproc.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/spawnloop" "$root/bench/spawnloop.c" || die "cannot compile bench/spawnloop.c"
echo data >"$work/f.txt"

modes=${PERPROC_MODES:-untraced control preload ebpf}
if [[ " $modes " == *" ebpf "* ]] &&
	! "$ASBUILT" record -q --backend ebpf -o "$work/probe.db" -- true >/dev/null 2>&1; then
	say "the ebpf backend cannot record here: leaving it out"
	modes=${modes/ebpf/}
fi
[ -n "${BENCH_BASE:-}" ] && modes="$modes preload-base"

# one run: prints microseconds per process
one() { # mode file
	local db="$work/r.db" us
	rm -f "$db" "$db"-*
	case $1 in
	untraced | control) us=$("$work/spawnloop" "$N" /bin/cat "$2") ;;
	preload | ebpf) us=$("$ASBUILT" record -q --backend "$1" -o "$db" -- \
		"$work/spawnloop" "$N" /bin/cat "$2") ;;
	preload-base) us=$("$BENCH_BASE" record -q --backend preload -o "$db" -- \
		"$work/spawnloop" "$N" /bin/cat "$2") ;;
	esac
	printf '%s' "$us"
}

declare -A runs
cd "$work"
for r in $(seq "$ROUNDS"); do
	for file in /etc/hostname f.txt; do
		for m in $modes; do
			runs[$file,$m]+="$(one "$m" "$file") "
		done
	done
	say "round $r/$ROUNDS done"
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
{
	echo "# Cost per process"
	echo
	echo "\`$N\` runs of \`cat FILE\` one after the other (bench/spawnloop.c), modes alternating,"
	echo "median of $ROUNDS rounds; +us = traced minus untraced of the same round, median."
	echo "control is the untraced loop again: its +us is the noise of these rounds."
	echo
	echo "| file | mode | us per process | +us over untraced |"
	echo "|---|---|---:|---:|"
	for file in /etc/hostname f.txt; do
		read -ra base <<<"${runs[$file,untraced]}"
		for m in $modes; do
			read -ra v <<<"${runs[$file,$m]}"
			d=""
			for i in "${!v[@]}"; do d+="$(awk -v a="${v[$i]}" -v b="${base[$i]}" 'BEGIN {printf "%.1f", a - b}') "; done
			name=$file
			[ "$file" = f.txt ] && name="f.txt (a file of the build)"
			printf '| %s | %s | %s | %s |\n' "$name" "$m" "$(echo "${runs[$file,$m]}" | median)" \
				"$([ "$m" = untraced ] && echo - || echo "$d" | median)"
		done
	done
	echo
	echo "Host: $(nproc) CPUs, $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
} | tee "$OUT/perproc.md"
