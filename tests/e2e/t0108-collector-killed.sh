#!/bin/bash
# t0108: the collector is killed (SIGKILL) in the middle of a build: the build carries on and
# finishes, record exits with the build's status, and the database is consistent and says
# the record is incomplete: builds.complete = 0 with an incomplete row 'collector-died'.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
echo a >a.txt
echo b >b.txt
"$ASBUILT" record -o "$DB" --backend preload -- sh -c '
	cat a.txt >/dev/null
	touch started
	while [ ! -e go ]; do sleep 0.1; done
	cat b.txt >copy.txt
	touch finished
	exit 7' 2>record.err &
rec=$!

i=0
while [ ! -e started ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill "$rec"; die "the build did not start within 60 s"; }
	kill -0 "$rec" 2>/dev/null || die "record exited before the build started"
	sleep 0.1
done
sleep 1 # let the collector take in what the build did so far

# The collector names itself asbuilt-collect (prctl PR_SET_NAME); it runs below record.
collector=
for p in $(descendants "$rec"); do
	if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = asbuilt-collect ]; then
		collector=$p
	fi
done
if [ -z "$collector" ]; then
	touch go
	wait "$rec" || true
	die "no process named asbuilt-collect below record (pid $rec): $(ps -o pid,ppid,comm --ppid "$rec")"
fi
note "killing collector $collector"
kill -KILL "$collector"
touch go

i=0
while kill -0 "$rec" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 600 ]; then
		kill "$rec"
		die "record did not exit within 60 s of the collector's death"
	fi
	sleep 0.1
done
status=0
wait "$rec" || status=$?
sed 's/^/record: /' record.err >&2

[ -e finished ] || die "the build did not finish"
cmp -s b.txt copy.txt || die "the build's step after the kill did not work"
assert_eq 7 "$status" "record exits with the build's status"

assert_db_valid
assert_eq "1|finished|7|0|1" \
	"$(q "SELECT count(*), state, exit_status, complete, ended_ns >= started_ns FROM builds;")" \
	"builds: count|state|exit_status|complete|ended_ns set"
assert_eq 1 "$(q "SELECT count(*) FROM incomplete WHERE build_id = 1 AND reason = 'collector-died';")" \
	"one incomplete row 'collector-died'"
