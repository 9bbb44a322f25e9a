#!/usr/bin/env bash
# sbom.sh - how long `asbuilt sbom` takes and how big its outputs are, per format (issue 5:
# under 5 s per format for the synthetic 10,000-step record and the benchmark builds).
#
# For the synthetic record bench/graph.sh writes ($BENCH_OUT/synth-STEPS-EVENTS.db: built
# here the same way when it is missing) and for every other database in $BENCH_OUT (a
# benchmark build recorded there, e.g. `asbuilt record -o $BENCH_OUT/lua.db -- make`), runs
# `asbuilt sbom --format F` for F in spdx, spdx3, cyclonedx, omnibor and slsa, describing
# every artifact of the newest build, RUNS times each (default 3), and reports the median
# wall time and the size of the output (the whole directory for omnibor) in a table, printed
# and written to $BENCH_OUT/sbom.md.  One untimed `asbuilt components` run first fills the
# resolution cache, as any earlier components or sbom run of the record would have.
# The synthetic record has no gitoids (bench/synth.c writes sha256 only): a copy of it gets
# made-up ones, so that OmniBOR has its manifests to compute.
# Exits 1 when a run fails or a median reaches the target.
#
# Environment:
#   ASBUILT      the asbuilt binary (default build/bin/asbuilt; libasbuilt.a is taken
#                from the directory above its bin/ to build bench/synth.c)
#   BENCH_OUT    output directory (default build/bench)
#   SYNTH_STEPS, SYNTH_EVENTS   the synthetic record's shape (default 10000, 1000000)
#   RUNS         timed runs per format (default 3)
#   MAX_SECS     the target (default 5)
#   BENCH_SBOM_DIR  where the outputs are written (default /dev/shm when it is a writable
#                tmpfs, else a directory under $TMPDIR).  On a disk file system OmniBOR's
#                10,000 manifest files measure the file system as much as asbuilt: on this
#                project's ext4, after the churn of a test suite, each file's inode took
#                about 0.3 ms to allocate (the allocator reads through recently freed
#                inodes), 1-3.5 s more than on tmpfs, from run to run.
BENCH_NAME=bench-sbom
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

STEPS=${SYNTH_STEPS:-10000}
EVENTS=${SYNTH_EVENTS:-1000000}
RUNS=${RUNS:-3}
MAX_SECS=${MAX_SECS:-5}
FORMATS=(spdx spdx3 cyclonedx omnibor slsa)

[ -x "$ASBUILT" ] || die "no asbuilt binary at $ASBUILT (run make, or set ASBUILT)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
synth_db=$OUT/synth-$STEPS-$EVENTS.db

# The synthetic record, as bench/graph.sh writes it (same file: either script reuses it).
if [ ! -s "$synth_db" ]; then
	liba=$(dirname "$(dirname "$ASBUILT")")/libasbuilt.a
	[ -f "$liba" ] || die "no $liba next to $ASBUILT"
	synth=$OUT/synth
	if [ ! -x "$synth" ] || [ "$root/bench/synth.c" -nt "$synth" ] || [ "$liba" -nt "$synth" ]; then
		say "building $synth"
		${CC:-cc} -O2 -std=gnu11 -D_GNU_SOURCE -I"$root/include" -o "$synth" \
			"$root/bench/synth.c" "$liba" $(pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
	fi
	say "writing $synth_db"
	rm -f "$synth_db" "$synth_db-wal" "$synth_db-shm"
	"$synth" "$synth_db" "$STEPS" "$EVENTS" >&2
fi

if [ -z "${BENCH_SBOM_DIR:-}" ]; then
	BENCH_SBOM_DIR=${TMPDIR:-/tmp}
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
		BENCH_SBOM_DIR=/dev/shm
	fi
fi
work=$(mktemp -d "$BENCH_SBOM_DIR/asbuilt-bench-sbom.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "outputs go to $work ($(stat -f -c %T "$work"))"
results=$OUT/sbom.md
fail=0
{
	printf '| record | format | median wall s (of %s) | output bytes |\n' "$RUNS"
	printf '|---|---|---:|---:|\n'
} >"$results"

now() { date +%s.%N; }

# run DB FORMAT OUT: one asbuilt sbom run; prints its wall time.
run() {
	local db=$1 f=$2 out=$3 t0 t1
	rm -rf "$out"
	t0=$(now)
	if ! "$ASBUILT" sbom --db "$db" --format "$f" -o "$out" >"$work/stdout" 2>"$work/stderr"; then
		sed 's/^/  /' "$work/stderr" >&2
		return 1
	fi
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

measure() { # LABEL DB
	local label=$1 db=$2 f out times med size
	say "$label: warming the components cache"
	"$ASBUILT" components --db "$db" >/dev/null 2>"$work/stderr" ||
		{ sed 's/^/  /' "$work/stderr" >&2; say "FAILED: components of $db"; fail=1; return; }
	for f in "${FORMATS[@]}"; do
		out=$work/out.$f
		times=()
		for ((i = 0; i < RUNS; i++)); do
			if ! times+=("$(run "$db" "$f" "$out")"); then
				say "FAILED: asbuilt sbom --db $db --format $f"
				fail=1
				continue 2
			fi
		done
		med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		size=$(du -sb "$out" | cut -f1)
		printf '| %s | %s | %s | %s |\n' "$label" "$f" "$med" "$size" >>"$results"
		say "$label $f: ${med}s, $size bytes (runs: ${times[*]})"
		if awk -v w="$med" -v m="$MAX_SECS" 'BEGIN { exit !(w >= m) }'; then
			say "over the target ($MAX_SECS s): $label --format $f"
			fail=1
		fi
	done
}

# synth.c records sha256 only; OmniBOR (and SPDX's gitoid references) need gitoids: a copy
# gets made-up ones (sha256 for gitoid:blob:sha256, its first 40 digits for the sha1 one),
# so that omnibor has every manifest to compute and write.
synth_ids=$work/synth-gitoids.db
sqlite3 "$synth_db" ".backup '$synth_ids'"
sqlite3 "$synth_ids" "UPDATE file_versions SET gitoid_sha256 = sha256,
	gitoid_sha1 = substr(sha256, 1, 40) WHERE sha256 IS NOT NULL AND gitoid_sha256 IS NULL;"
nart=$("$ASBUILT" artifacts --db "$synth_ids" | wc -l)
measure "synthetic $STEPS steps ($nart artifacts)" "$synth_ids"
for db in "$OUT"/*.db; do
	[ -f "$db" ] && [ "$db" != "$synth_db" ] || continue
	case $db in "$OUT"/synth-*) continue ;; esac
	if ! "$ASBUILT" artifacts --db "$db" >/dev/null 2>&1; then
		say "skipping $db: not an asbuilt database with a finished build"
		continue
	fi
	measure "$(basename "$db" .db)" "$db"
done

printf '\nasbuilt sbom, every artifact of the newest build of each record, written to %s (%s);\ntarget < %s s per format\n' \
	"$BENCH_SBOM_DIR" "$(stat -f -c %T "$work")" "$MAX_SECS" >>"$results"
cat "$results"
exit $fail
