#!/usr/bin/env bash
# bpfcost.sh - what the ebpf backend's programs cost in the kernel, per call, measured by
# the kernel itself: with kernel.bpf_stats_enabled=1 it counts the runs of every program
# and the nanoseconds spent in them (run_cnt, run_time_ns in `bpftool prog show`).  Unlike
# wall times these figures do not move with the load of a shared machine, so they show a
# change to the kernel side that whole builds cannot.
#
# Under `asbuilt record --backend ebpf`, in rounds alternating the binaries:
#   - 200,000 getppid (bench/sysloop.c): ns per run of the sys_exit program for a call it
#     does not record, which every system call of the machine pays while a record runs;
#   - 100,000 open + close of a file 2 levels below / (/etc/passwd) and of one 8 levels
#     below it (made in a temporary directory): ns per recorded open, the other calls of
#     the run counted at the getppid price of the same round;
#   - 300 runs of /bin/true (bench/spawnloop.c): ns per run of the fork, exec and exit
#     programs;
#   - and, as wall time, 3 records of `true` per round: what a record's start and end cost
#     (loading the programs, which the verifier's work dominates, and detaching them);
#     with the instructions the verifier went through for the two large programs, which
#     its time follows and which do not move with the machine's load (printed by asbuilt
#     with ASBUILT_BPF_DEBUG; n/a for a binary from before that).
# The programs' statistics are read by `bpftool prog show` inside the record, before the
# programs are detached.  Prints medians of the rounds and writes them to
# $BENCH_OUT/bpfcost.md.  Needs root, bpftool and an asbuilt built with eBPF; elsewhere it
# says why and does nothing.
#
# Environment:
#   ASBUILT          the asbuilt binary (default build/bin/asbuilt)
#   BENCH_BASE       a second asbuilt binary, measured in the same rounds
#   BENCH_OUT        output directory (default build/bench)
#   BPFCOST_ROUNDS   rounds (default 5)
BENCH_NAME=bench-bpfcost
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

ROUNDS=${BPFCOST_ROUNDS:-5}

[ -x "$ASBUILT" ] || die "no asbuilt binary at $ASBUILT (run make, or set ASBUILT)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BPFCOST_ROUNDS must be a positive integer"
if [ "$(id -u)" -ne 0 ]; then
	say "skipped: the kernel's program statistics need root"
	exit 0
fi
bpftool=$(command -v bpftool || true)
[ -n "$bpftool" ] || { say "skipped: bpftool is missing"; exit 0; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-bpfcost.XXXXXX")
old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$old_stats" >/proc/sys/kernel/bpf_stats_enabled; rm -rf "$work"' EXIT
cd "$work"
"$ASBUILT" record -q --backend ebpf -o "$work/probe.db" -- true >/dev/null 2>&1 ||
	{ say "skipped: the ebpf backend cannot record here"; exit 0; }
cc -O2 -o sysloop "$root/bench/sysloop.c" || die "cannot compile bench/sysloop.c"
cc -O2 -o spawnloop "$root/bench/spawnloop.c" || die "cannot compile bench/spawnloop.c"
mkdir -p a/b/c/d/e/f/g
echo data >a/b/c/d/e/f/g/deep.txt
deep="$work/a/b/c/d/e/f/g/deep.txt"
depth=$(($(tr -cd / <<<"$deep" | wc -c)))
echo 1 >/proc/sys/kernel/bpf_stats_enabled

bins=("$ASBUILT")
[ -n "${BENCH_BASE:-}" ] && bins+=("$BENCH_BASE")

# run BIN CMD...: runs CMD under an ebpf record by BIN; prints "name runs ns" for each of
# the record's programs (the newest of each name: an older record's may still be detaching).
run() {
	local bin=$1
	shift
	rm -f "$work/r.db" "$work"/r.db-*
	# shellcheck disable=SC2016 # expanded by that sh
	"$bin" record -q --allow-incomplete --backend ebpf -o "$work/r.db" -- \
		sh -c '"$@" >/dev/null && "$0" prog show >"'"$work"'/progs.txt"' "$bpftool" "$@" ||
		die "record failed: $*"
	awk '{ for (i = 1; i < NF; i++) { if ($i == "name") n = $(i + 1)
	         if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) }
	       if (n ~ /^ab_/ && c > 0) { last[n] = n " " c " " t } n = ""; c = 0 }
	     END { for (k in last) print last[k] }' "$work/progs.txt"
}
# field NAME (stdin: run's output): "runs ns" of program NAME
field() { awk -v n="$1" '$1 == n { print $2, $3 }'; }

declare -A res
for r in $(seq "$ROUNDS"); do
	for b in "${bins[@]}"; do
		read -r c0 t0 < <(run "$b" ./sysloop 200000 getppid | field ab_sys_exit)
		per0=$(awk -v c="$c0" -v t="$t0" 'BEGIN { printf "%.1f", t / c }')
		for f in /etc/passwd "$deep"; do
			read -r c t < <(run "$b" ./sysloop 100000 open "$f" | field ab_sys_exit)
			res[$b,$f]+="$(awk -v c="$c" -v t="$t" -v p="$per0" \
				'BEGIN { printf "%.0f", (t - p * (c - 100000)) / 100000 }') "
		done
		res[$b,getppid]+="$per0 "
		for _ in 1 2 3; do
			rm -f "$work/t.db" "$work"/t.db-*
			t0=$(date +%s%N)
			"$b" record -q --backend ebpf -o "$work/t.db" -- true || die "record of true failed"
			res[$b,true]+="$((($(date +%s%N) - t0) / 1000)) "
		done
		out=$(run "$b" ./spawnloop 300 /bin/true)
		for p in ab_fork ab_exec ab_exit; do
			read -r c t < <(field "$p" <<<"$out")
			res[$b,$p]+="$(awk -v c="$c" -v t="$t" 'BEGIN { printf "%.0f", t / c }') "
		done
	done
	say "round $r/$ROUNDS done"
done

# verified BIN: "sys_exit/exec" instructions the verifier went through, or n/a
verified() {
	rm -f "$work/v.db" "$work"/v.db-*
	ASBUILT_BPF_DEBUG=1 "$1" record -q --backend ebpf -o "$work/v.db" -- true 2>&1 |
		awk '/instructions verified/ { n[$3] = $4 }
		     END { if ("ab_sys_exit:" in n) print n["ab_sys_exit:"] "/" n["ab_exec:"]; else print "n/a" }'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
{
	echo "# Kernel-side cost of the ebpf backend"
	echo
	echo "ns per run of the programs (kernel.bpf_stats_enabled), median of $ROUNDS rounds"
	echo "(bench/bpfcost.sh); the statistics themselves add two clock reads per run."
	echo
	echo "| asbuilt | other syscall (getppid) | open /etc/passwd | open, $depth levels deep | fork | exec | exit | record of \`true\` (us, wall) | verified insns (sys_exit/exec) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for b in "${bins[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$b" \
			"$(median <<<"${res[$b,getppid]}")" "$(median <<<"${res[$b,/etc/passwd]}")" \
			"$(median <<<"${res[$b,$deep]}")" "$(median <<<"${res[$b,ab_fork]}")" \
			"$(median <<<"${res[$b,ab_exec]}")" "$(median <<<"${res[$b,ab_exit]}")" \
			"$(median <<<"${res[$b,true]}")" "$(verified "$b")"
	done
	echo
	echo "Host: $(nproc) CPUs, $(uname -r)."
} | tee "$OUT/bpfcost.md"
