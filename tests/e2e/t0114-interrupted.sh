#!/bin/bash
# t0114: record interrupted by SIGINT (Ctrl-C) passes the signal to the build, exits 130,
# and leaves a finalised build row that says so: state 'interrupted', exit_status 130,
# complete = 0 with an incomplete row 'interrupted'.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
echo a >a.txt
"$ASBUILT" record -o "$DB" --backend preload -- sh -c 'cat a.txt >/dev/null; touch started; exec sleep 60' \
	2>record.err &
rec=$!
i=0
while [ ! -e started ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill "$rec"; die "the build did not start within 60 s"; }
	sleep 0.1
done
sleep 0.5
kill -INT "$rec"
i=0
while kill -0 "$rec" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || { kill -KILL "$rec"; die "record did not exit within 30 s of SIGINT"; }
	sleep 0.1
done
status=0
wait "$rec" || status=$?
sed 's/^/record: /' record.err >&2

assert_eq 130 "$status" "record exit status after SIGINT"
assert_db_valid
assert_eq "interrupted|130|0|1" \
	"$(q "SELECT state, exit_status, complete, ended_ns >= started_ns FROM builds WHERE id = 1;")" \
	"build state|exit_status|complete|ended_ns set"
assert_eq 1 "$(q "SELECT count(*) > 0 FROM incomplete WHERE build_id = 1 AND reason = 'interrupted';")" \
	"an incomplete row 'interrupted'"
# What happened before the interrupt is kept.
assert_read_by "$(real /bin/cat)" a.txt
