#!/bin/bash
# t0127: processes the build's root leaves running.  record is the subreaper of the build,
# so they become its children when their parent exits: it goes on recording while they run
# (--linger, default 3 s), so a background job that finishes shortly after the root is in
# the record in full; one still running then makes the record incomplete ('outlived-build'
# naming it) instead of being cut off without a word.  Both backends.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
echo input >in.txt

# rec BACKEND DB [OPTION...] -- COMMAND...: record; sets st (exit status) and secs (wall)
rec() {
	local b=$1 db=$2 t0 t1
	shift 2
	st=0
	t0=$(date +%s.%N)
	"$ASBUILT" record -q --backend "$b" -o "$db" "$@" 2>"$db.err" || st=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	sed "s/^/record($b): /" "$db.err" >&2
}

backends_here

for b in $BACKENDS; do
	# a background job that ends 1 s after the root: recorded in full, record complete
	rm -f "out-$b.txt"
	# (cp writes its own output: a shell's redirection into the program it execs is a known
	# limit of ebpf, docs/accuracy.md, not what is tested here)
	rec "$b" "$PWD/bg-$b.db" -- sh -c "(sleep 1; cp in.txt out-$b.txt) & exit 0"
	assert_eq 0 "$st" "$b: record exit status (background job)"
	DB=$PWD/bg-$b.db
	assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
		"$b: complete|incomplete rows (background job)"
	assert_read_by "$(real /bin/cp)" in.txt "$b: the background job's read"
	assert_written "out-$b.txt" "$b: the background job's output"

	# a double fork into a new session: the same
	rm -f "daemon-$b.txt"
	rec "$b" "$PWD/daemon-$b.db" -- sh -c "setsid sh -c 'sleep 0.5; cp in.txt daemon-$b.txt' &"
	assert_eq 0 "$st" "$b: record exit status (setsid)"
	DB=$PWD/daemon-$b.db
	assert_eq "1" "$(q "SELECT complete FROM builds;")" "$b: complete (setsid)"
	assert_written "daemon-$b.txt" "$b: the output of the job in its own session"

	# a job still running when --linger runs out: the record says so, and record does
	# not wait for it
	rec "$b" "$PWD/left-$b.db" --linger 0.5 -- sh -c "(sleep 20; echo late > late-$b.txt) & exit 0"
	if [ "$b" = ebpf ]; then
		assert_eq 3 "$st" "$b: record exits 3 for an incomplete ebpf record"
	else
		assert_eq 0 "$st" "$b: record exits with the build's status (preload warns)"
	fi
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || die "$b: record waited ${secs}s for the job"
	DB=$PWD/left-$b.db
	pid=$(q "SELECT substr(detail, 5, instr(detail, ' (') - 5) FROM incomplete
	         WHERE reason = 'outlived-build';")
	[ -n "$pid" ] || die "$b: no 'outlived-build' row: $(q "SELECT reason, detail FROM incomplete;")"
	assert_eq "0|pid $pid (sh) was still running: what it did after the record ended is not in it" \
		"$(q "SELECT b.complete, i.detail FROM builds b JOIN incomplete i;")" \
		"$b: complete|detail of the job left running"
	kill -0 "$pid" 2>/dev/null || die "$b: the named process $pid is not running"
	grep -q 'outlived-build' "$DB.err" || die "$b: record did not warn"
	pkill -P "$pid" sleep 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
done
