#!/bin/bash
# t0204: the eBPF tracer sees every process on the machine but records only the build's
# process tree.  A loop started before `asbuilt record`, outside the build, keeps opening a
# uniquely named file while a build (which opens its own file many times) is recorded with
# the ebpf backend: no file_events row mentions the outside file, no process row has the
# loop's pid or runs the loop's commands, and the build's own opens are all there.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf
UNIQUE=asbuilt-t0204-$$-$RANDOM$RANDOM
OUTSIDE=$PWD/$UNIQUE-outside
INSIDE=$PWD/$UNIQUE-inside
echo "read by a loop outside the build" >"$OUTSIDE"
echo "read by the build" >"$INSIDE"
NREADS=200

# The outside loop; it says when it has started reading, and it is killed on any exit.
while :; do
	cat "$OUTSIDE" >/dev/null
	[ -e started ] || : >started
done &
LOOP=$!
trap 'kill $LOOP 2>/dev/null || :' EXIT
i=0
while [ ! -e started ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "the outside loop did not start"
	sleep 0.1
done

rc=0
timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend ebpf -- \
	sh -c 'i=0; while [ $i -lt '$NREADS' ]; do cat "$1" >/dev/null; i=$((i + 1)); done' \
	build "$INSIDE" 2>record.err || rc=$?
[ ! -s record.err ] || sed 's/^/record: /' record.err >&2
assert_eq 0 "$rc" "asbuilt record exit status"
kill -0 $LOOP 2>/dev/null || die "the outside loop died during the build"
kill $LOOP
wait $LOOP 2>/dev/null || :
trap - EXIT

assert_eq "finished|1|0|ebpf" "$(q "SELECT state, complete, exit_status, backend FROM builds WHERE id = 1;")" \
	"build state|complete|exit_status|backend"
assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = 1;")" "build has incomplete rows"

# The build itself was traced: its shell and every cat it ran, each read with the hash.
assert_eq "$NREADS" "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$(real "$(command -v cat)")';")" \
	"one process row per cat the build ran"
assert_eq "$NREADS|$(sha256 "$INSIDE")" \
	"$(q "SELECT count(*), group_concat(DISTINCT v.sha256) FROM file_events e
	      JOIN file_versions v ON v.id = e.version_id
	      WHERE e.build_id = 1 AND e.op = 'open' AND e.access = 'read' AND e.result >= 0
	        AND e.realpath = '$INSIDE';")" "the build's reads of its file: count|sha256"

# Nothing of the outside loop.  Paths and argv are compared as bytes (argv holds NULs).
NEEDLE="CAST('$UNIQUE-outside' AS BLOB)"
assert_empty "$(q "SELECT id, op, path FROM file_events WHERE build_id = 1 AND (
                     instr(CAST(ifnull(path, '') AS BLOB), $NEEDLE) OR
                     instr(CAST(ifnull(abspath, '') AS BLOB), $NEEDLE) OR
                     instr(CAST(ifnull(realpath, '') AS BLOB), $NEEDLE) OR
                     instr(CAST(ifnull(path2, '') AS BLOB), $NEEDLE) OR
                     instr(CAST(ifnull(abspath2, '') AS BLOB), $NEEDLE));")" \
	"file_events rows mention the file only the outside loop opened"
assert_empty "$(q "SELECT id FROM file_versions WHERE instr(CAST(path AS BLOB), $NEEDLE);")" \
	"file_versions rows of the file only the outside loop opened"
assert_empty "$(q "SELECT id, pid, exe FROM processes WHERE build_id = 1 AND (pid IN ($LOOP, $$)
                   OR ppid IN ($LOOP, $$) OR instr(CAST(ifnull(argv, '') AS BLOB), $NEEDLE));")" \
	"process rows of the outside loop (pid $LOOP), its children or the test's shell (pid $$)"
