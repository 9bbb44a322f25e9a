#!/bin/bash
# t0111: record exits with the command's exit status (128+N for a signal) and finalises the
# build row each time (state finished, ended_ns set, exit_status); recording again into the
# same database appends builds 2, 3, ... and leaves the earlier rows untouched.
. "$TOP/tests/e2e/lib.sh"

echo in >in.txt
record -- sh -c 'cat in.txt >/dev/null; exit 3'
assert_eq 3 "$REC_STATUS" "record exits with the command's status"
assert_eq "1|finished|3|1|1|preload|$(argv_hex sh -c 'cat in.txt >/dev/null; exit 3')|$PWD" \
	"$(q "SELECT id, state, exit_status, ended_ns IS NOT NULL, ended_ns >= started_ns, backend,
	      $(argv_col argv), cwd FROM builds;")" \
	"build 1: id|state|exit_status|ended|ended>=started|backend|argv|cwd"
assert_eq 2 "$(q "SELECT value FROM meta WHERE key = 'schema_version';")" "meta.schema_version"
q "SELECT * FROM builds WHERE id = 1;" >build1.before
n1=$(q "SELECT count(*) FROM file_events WHERE build_id = 1;")
p1=$(q "SELECT count(*) FROM processes WHERE build_id = 1;")
[ "$n1" -gt 0 ] && [ "$p1" -gt 0 ] || die "build 1 recorded no processes or events"

record -- true
assert_eq 0 "$REC_STATUS" "record of true exits 0"
record -- sh -c 'kill -TERM $$'
assert_eq 143 "$REC_STATUS" "record of a command killed by SIGTERM exits 128+15"
record -- sh -c 'cat in.txt >/dev/null; exit 0'
assert_eq 0 "$REC_STATUS" "fourth record exits 0"

assert_eq "1|finished|3
2|finished|0
3|finished|143
4|finished|0" "$(q "SELECT id, state, exit_status FROM builds ORDER BY id;")" \
	"four builds, appended"
assert_db_valid
q "SELECT * FROM builds WHERE id = 1;" >build1.after
test_cmp build1.before build1.after
assert_eq "$n1|$p1" "$(q "SELECT (SELECT count(*) FROM file_events WHERE build_id = 1),
                             (SELECT count(*) FROM processes WHERE build_id = 1);")" \
	"build 1's rows are untouched"
# Each build's rows belong to it: build 4 read in.txt too, with its own version row.
assert_eq "1|1" "$(q "SELECT count(DISTINCT v.build_id) = 1, max(v.build_id) = 4 FROM file_events e
                     JOIN file_versions v ON v.id = e.version_id
                     WHERE e.build_id = 4 AND e.abspath = '$PWD/in.txt';")" \
	"build 4's read of in.txt links to a version of build 4"
assert_empty "$(q "SELECT e.id FROM file_events e JOIN processes p ON p.id = e.process_id
                   WHERE p.build_id != e.build_id;")" "events linked to processes of another build"
assert_eq "1|1" "$(q "SELECT min(started_ns) < max(started_ns), count(*) = 4 FROM builds;")" \
	"builds have their own start times"
