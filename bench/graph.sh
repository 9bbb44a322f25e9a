#!/usr/bin/env bash
# graph.sh - how long the graph commands take on a large record (issue 4: a synthetic record
# of 10,000 steps and 1,000,000 file events must take under 5 s and 500 MB).
#
# Builds bench/synth.c against the built libasbuilt.a, writes the synthetic record (see the
# comment at the top of synth.c for its shape) unless it is there already, then runs, each
# under /usr/bin/time -v, `asbuilt artifacts`, `deps` and `deps --direct` of one of its
# programs, `components` of that program and `components` of every artifact, and prints
# wall time and peak RSS per command in a table (also written to $BENCH_OUT/graph.md).
# Exits 1 when a command fails or misses the target.
#
# Environment:
#   ASBUILT      the asbuilt binary (default build/bin/asbuilt; libasbuilt.a is taken
#                from the directory above its bin/)
#   BENCH_OUT    output directory (default build/bench)
#   SYNTH_STEPS  steps of the synthetic record (default 10000)
#   SYNTH_EVENTS file events of the synthetic record (default 1000000)
#   SYNTH_REGEN  1: write the record again even if it exists
#   MAX_SECS, MAX_MB   the targets (default 5 and 500)
BENCH_NAME=bench-graph
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

STEPS=${SYNTH_STEPS:-10000}
EVENTS=${SYNTH_EVENTS:-1000000}
MAX_SECS=${MAX_SECS:-5}
MAX_MB=${MAX_MB:-500}

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (bash scripts/install-deps.sh installs it)"
[ -x "$ASBUILT" ] || die "no asbuilt binary at $ASBUILT (run make, or set ASBUILT)"
liba=$(dirname "$(dirname "$ASBUILT")")/libasbuilt.a
[ -f "$liba" ] || die "no $liba next to $ASBUILT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
db=$OUT/synth-$STEPS-$EVENTS.db

synth=$OUT/synth
if [ ! -x "$synth" ] || [ "$root/bench/synth.c" -nt "$synth" ] || [ "$liba" -nt "$synth" ]; then
	say "building $synth"
	${CC:-cc} -O2 -std=gnu11 -D_GNU_SOURCE -I"$root/include" -o "$synth" \
		"$root/bench/synth.c" "$liba" $(pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
fi
if [ "${SYNTH_REGEN:-}" = 1 ] || [ ! -s "$db" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	say "writing $db"
	start=$(date +%s.%N)
	"$synth" "$db" "$STEPS" "$EVENTS" >&2
	say "written in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s, $(($(stat -c %s "$db") / 1048576)) MB"
fi

art=$("$ASBUILT" artifacts --db "$db" | awk '$NF ~ /\/bin\/prog7$/ { print $NF }')
[ -n "$art" ] || die "the synthetic record has no /synth/proj/bin/prog7 artifact"

results=$OUT/graph.md
fail=0
{
	printf '| command | wall s | peak RSS MB | lines out |\n'
	printf '|---|---:|---:|---:|\n'
} >"$results"

# measure LABEL ARGS...: run asbuilt ARGS under /usr/bin/time -v, add a row to the table.
measure() {
	local label=$1 tv=$OUT/time.out wall rss lines
	shift
	if ! /usr/bin/time -v -o "$tv" "$ASBUILT" "$@" --db "$db" >"$OUT/cmd.out" 2>"$OUT/cmd.err"; then
		sed 's/^/  /' "$OUT/cmd.err" >&2
		say "FAILED: asbuilt $*"
		fail=1
	fi
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$tv")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$tv")
	lines=$(wc -l <"$OUT/cmd.out")
	printf '| %s | %s | %s | %s |\n' "$label" "$wall" "$rss" "$lines" >>"$results"
	if awk -v w="$wall" -v m="$MAX_SECS" 'BEGIN { exit !(w >= m) }' || [ "$rss" -ge "$MAX_MB" ]; then
		say "over the target ($MAX_SECS s, $MAX_MB MB): asbuilt $*"
		fail=1
	fi
}

measure "artifacts" artifacts
measure "deps $art" deps "$art"
measure "deps --direct $art" deps --direct "$art"
measure "components $art" components "$art"
measure "components (all artifacts)" components

nev=$(sqlite3 "$db" "SELECT count(*) FROM file_events;" 2>/dev/null || echo '?')
printf '\nsynthetic record: %s steps, %s file events, %s MB; target < %s s and < %s MB\n' \
	"$STEPS" "$nev" "$(($(stat -c %s "$db") / 1048576))" "$MAX_SECS" "$MAX_MB" >>"$results"
cat "$results"
rm -f "$OUT/time.out" "$OUT/cmd.out" "$OUT/cmd.err"
exit $fail
