# lib.sh - helpers for the end-to-end tests; sourced by every tests/e2e/tNNNN-*.sh.
#
# The runner (run.sh) starts each test in a fresh empty directory and exports:
#   TOP       the repository root
#   ASBUILT   the asbuilt binary under test
# A test records a real build into $DB with `record`, then asserts on the database rows
# with `q` (SQL) and the assert_* helpers.  A test passes when it exits 0, is skipped when
# it calls `skip REASON` (exit 77), and fails otherwise; `die` prints why on stderr.

set -eu

: "${TOP:?TOP is not set: run the tests through tests/e2e/run.sh}"
ASBUILT=${ASBUILT:-${ASBUILT_BIN:-$TOP/build/bin/asbuilt}}
DB=${DB:-$PWD/asbuilt.db}
REC_TIMEOUT=${REC_TIMEOUT:-600}
EXAMPLES=$TOP/examples
export LC_ALL=C

# die MSG...: fail the test with MSG.
die() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# skip REASON: skip the test; the runner prints REASON.
skip() {
	if [ -n "${E2E_SKIP_FILE:-}" ]; then
		printf '%s\n' "$*" >"$E2E_SKIP_FILE"
	fi
	printf 'SKIP: %s\n' "$*" >&2
	exit 77
}

# note MSG...: a progress line in the test log (shown when the test fails).
note() {
	printf '# %s\n' "$*" >&2
}

# assert_eq EXPECT ACTUAL MSG: fail unless the two strings are equal.
assert_eq() {
	if [ "$1" != "$2" ]; then
		printf 'FAIL: %s\n  expect: %.3000s\n  actual: %.3000s\n' "$3" "$1" "$2" >&2
		exit 1
	fi
}

# test_cmp EXPECT_FILE ACTUAL_FILE: fail with a diff unless the files are equal (git style).
test_cmp() {
	diff -u "$1" "$2" >&2 || die "$2 differs from $1"
}

# assert_empty ACTUAL MSG: fail unless ACTUAL is empty (a query that lists offenders).
assert_empty() {
	if [ -n "$1" ]; then
		printf 'FAIL: %s\n' "$2" >&2
		printf '%s\n' "$1" | head -n 30 >&2
		exit 1
	fi
}

# q SQL: run SQL on $DB and print the rows ('|'-separated, no header).
q() {
	sqlite3 -batch -noheader -bail "$DB" "$1" || die "query failed: $1"
}

# sha256 FILE: the lowercase hex SHA-256 of FILE's content.
sha256() {
	sha256sum <"$1" | cut -d' ' -f1
}

# gitoid_sha1 FILE: the git blob id of FILE (sha1 of "blob <len>\0" + content).
gitoid_sha1() {
	git hash-object --no-filters --stdin <"$1"
}

# gitoid_sha256 FILE: sha256 of "blob <len>\0" + content, computed independently of git.
gitoid_sha256() {
	local size
	size=$(stat -c %s -- "$1")
	{ printf 'blob %d\0' "$size"; cat -- "$1"; } | sha256sum | cut -d' ' -f1
}

# hexof STRING: the uppercase hex of STRING's bytes (as SQLite's hex() prints them).
hexof() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F
}

# hexof_file FILE: the uppercase hex of FILE's bytes.
hexof_file() {
	od -An -v -tx1 <"$1" | tr -d ' \n' | tr a-f A-F
}

# sqlstr STRING: STRING as an SQL TEXT literal holding exactly its bytes.  Printable ASCII
# is quoted as usual; anything else becomes CAST(X'..' AS TEXT) so that newlines and
# non-UTF-8 bytes survive the shell and the sqlite3 shell untouched.
sqlstr() {
	case $1 in
	*[!\ -~]*) printf "CAST(X'%s' AS TEXT)" "$(hexof "$1")" ;;
	*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")" ;;
	esac
}

# argv_hex ARG...: hex of the args joined by NUL bytes, as processes.argv / builds.argv
# hold them (compare with argv_col, which drops one trailing NUL).
argv_hex() {
	local a first=1
	{
		for a in "$@"; do
			[ $first = 1 ] || printf '\0'
			first=0
			printf '%s' "$a"
		done
	} | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F
}

# argv_col COLUMN: an SQL expression giving hex(COLUMN) without one trailing NUL, so that
# "a\0b" and "a\0b\0" (both readings of "raw NUL-separated argv") compare equal.
argv_col() {
	printf "(CASE WHEN substr(hex(%s),-2) = '00' AND length(hex(%s)) %% 2 = 0 THEN substr(hex(%s),1,length(hex(%s))-2) ELSE hex(%s) END)" \
		"$1" "$1" "$1" "$1" "$1"
}

# abs PATH: PATH made absolute against $PWD, lexically (symlinks kept), like file_events.abspath.
abs() {
	case $1 in
	/*) printf '%s' "$1" ;;
	*) printf '%s/%s' "$PWD" "$1" ;;
	esac
}

# real PATH: PATH with every symlink resolved, like file_events.realpath / file_versions.path.
real() {
	readlink -f -- "$1"
}

# need_asbuilt: fail unless the binary under test exists.
need_asbuilt() {
	[ -x "$ASBUILT" ] || die "asbuilt binary not found: $ASBUILT (build it, or set ASBUILT_BIN)"
}

# need_ebpf: skip unless this process may load the eBPF backend and it works here (the
# runner turns such a skip of an *ebpf* test into a failure under CI=true).
need_ebpf() {
	local err
	[ "$(id -u)" = 0 ] || skip "not root: the eBPF backend needs CAP_BPF and CAP_PERFMON"
	if ! err=$("$ASBUILT" record -q -o "$PWD/ebpf-probe.db" --backend ebpf -- true 2>&1); then
		skip "eBPF backend unavailable: $(printf '%s' "$err" | head -n 1)"
	fi
	rm -f ebpf-probe.db ebpf-probe.db-*
}

# backends_here: sets BACKENDS to "preload ebpf" when the ebpf backend can record here,
# else to "preload" (noted), and fails under CI=true, where both must be tested.
backends_here() {
	BACKENDS=preload
	if [ "$(id -u)" = 0 ] &&
		"$ASBUILT" record -q -o "$PWD/ebpf-probe.db" --backend ebpf -- true 2>/dev/null; then
		BACKENDS="preload ebpf"
	elif [ "${CI:-}" = true ]; then
		die "the ebpf backend cannot record here under CI=true"
	else
		note "no ebpf backend here: preload only"
	fi
	rm -f ebpf-probe.db ebpf-probe.db-*
}

# record [OPTION...] -- COMMAND...: run `asbuilt record -o $DB --backend preload OPTION...
# -- COMMAND...`; its stderr goes to record.err (and the log), its exit status to $REC_STATUS.
# Never fails by itself: the test checks $REC_STATUS.
record() {
	need_asbuilt
	REC_STATUS=0
	timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -o "$DB" --backend preload "$@" \
		2>record.err || REC_STATUS=$?
	if [ -s record.err ]; then
		sed 's/^/record: /' record.err | head -n 50 >&2
	fi
	[ "$REC_STATUS" != 124 ] || die "asbuilt record timed out after ${REC_TIMEOUT}s"
	return 0
}

# record_ok [OPTION...] -- COMMAND...: record, and fail unless record exited 0 and left a
# database that stands alone (no WAL file).
record_ok() {
	record "$@"
	assert_eq 0 "$REC_STATUS" "asbuilt record exit status"
	[ -f "$DB" ] || die "no database written at $DB"
	# the last of record's connections copied the WAL into the file and removed it
	[ ! -e "$DB-wal" ] || die "record left $DB-wal behind: the database does not stand alone"
}

# build_id: the id of the newest build in $DB.
build_id() {
	q "SELECT max(id) FROM builds;"
}

# assert_build_ok [ID]: the build row is finished, complete, exited 0, with an end time.
assert_build_ok() {
	local id=${1:-$(build_id)}
	assert_eq "finished|1|0|1|preload" \
		"$(q "SELECT state, complete, exit_status, ended_ns >= started_ns, backend
		      FROM builds WHERE id = $id;")" \
		"build $id: state|complete|exit_status|ended_ns>=started_ns|backend"
	assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = $id;")" \
		"build $id has incomplete rows"
	assert_db_valid
}

# assert_read_by EXE PATH [MSG]: some process whose exe is EXE read PATH (abspath) and the
# version it read has the current sha256 of PATH.  EXE may be '' for any process.
assert_read_by() {
	local exe=$1 path=$2 msg=${3:-"read of $2 by ${1:-any process}"}
	local want got
	want=$(sha256 "$path")
	got=$(q "SELECT DISTINCT v.sha256 FROM file_events e
	         JOIN processes p ON p.id = e.process_id
	         LEFT JOIN file_versions v ON v.id = e.version_id
	         WHERE e.build_id = $(build_id) AND e.op = 'open' AND e.access = 'read'
	           AND e.result >= 0 AND e.abspath = $(sqlstr "$(abs "$path")")
	           ${exe:+AND p.exe = $(sqlstr "$exe")};")
	[ -n "$got" ] || die "$msg: no read event"
	assert_eq "$want" "$got" "$msg: sha256 of the version read"
}

# assert_written PATH [MSG]: PATH was written during the build (an open for write of it, or
# a rename/link onto it), and its newest version has the final content's sha256.
assert_written() {
	local path=$1 msg=${2:-"output $1"} a r
	a=$(sqlstr "$(abs "$path")")
	r=$(sqlstr "$(real "$path")")
	local n
	n=$(q "SELECT count(*) FROM file_events WHERE build_id = $(build_id) AND result >= 0 AND
	        ((op = 'open' AND access = 'write' AND (abspath = $a OR realpath = $r))
	         OR (op IN ('rename', 'link') AND abspath2 = $a));")
	[ "$n" -gt 0 ] || die "$msg: no write event"
	assert_eq "$(sha256 "$path")|ok|1" \
		"$(q "SELECT sha256, state, origin IN ('written', 'renamed', 'linked')
		      FROM file_versions WHERE build_id = $(build_id) AND path = $r
		      ORDER BY vseq DESC LIMIT 1;")" \
		"$msg: newest version sha256|state|origin is written/renamed/linked"
}

# descendants PID: print PID's descendant pids (from ps), one per line.
descendants() {
	local kids k
	kids=$(ps -o pid= --ppid "$1" 2>/dev/null || true)
	for k in $kids; do
		echo "$k"
		descendants "$k"
	done
}

# ancestors ID: the ids of every image above process row ID (the image that forked it, the
# image it replaced by exec, and so on up), one per line.
ancestors() {
	q "WITH RECURSIVE up(id) AS (SELECT $1
	     UNION SELECT p.parent_id FROM processes p JOIN up ON p.id = up.id
	           WHERE p.parent_id IS NOT NULL
	     UNION SELECT p.prev_id FROM processes p JOIN up ON p.id = up.id
	           WHERE p.prev_id IS NOT NULL)
	   SELECT id FROM up WHERE id != $1;"
}

# qs: run the SQL script on stdin (dot-commands allowed) on $DB, print the rows.
qs() {
	sqlite3 -batch -noheader -bail "$DB" || die "SQL script failed"
}

# assert_db_valid: every enumerated column holds a value docs/database.md lists, foreign keys
# resolve, and the database passes SQLite's integrity check.
assert_db_valid() {
	assert_eq ok "$(q "PRAGMA integrity_check;")" "database integrity"
	assert_empty "$(q "PRAGMA foreign_key_check;")" "foreign keys that do not resolve"
	assert_empty "$(q "
	  SELECT 'builds.state ' || state FROM builds
	    WHERE state NOT IN ('running', 'finished', 'interrupted')
	  UNION ALL SELECT 'builds.backend ' || backend FROM builds
	    WHERE backend NOT IN ('preload', 'ebpf')
	  UNION ALL SELECT 'incomplete.reason ' || reason FROM incomplete
	    WHERE reason NOT IN ('static-binary', 'collector-died', 'collector-unreachable',
	      'events-lost', 'path-truncated', 'io-uring', 'argv-truncated',
	      'changed-before-hash', 'interrupted', 'raw-syscalls', 'setid-binary', 'outlived-build',
	      'chroot', 'foreign-binary',
	      'vanished-before-hash', 'unreadable', 'other')
	  UNION ALL SELECT 'processes.exit_how ' || exit_how FROM processes
	    WHERE exit_how NOT IN ('exit', 'exec', 'signal', 'unknown')
	  UNION ALL SELECT 'processes.source ' || source FROM processes
	    WHERE source NOT IN ('preload', 'ebpf')
	  UNION ALL SELECT 'processes.static ' || static FROM processes WHERE static NOT IN (0, 1)
	  UNION ALL SELECT 'file_events.op ' || op FROM file_events
	    WHERE op NOT IN ('open', 'rename', 'link', 'symlink', 'unlink', 'truncate', 'chdir',
	      'dlopen', 'exec', 'interp')
	  UNION ALL SELECT 'file_events.access ' || access FROM file_events
	    WHERE access NOT IN ('read', 'write', 'none')
	  UNION ALL SELECT 'file_events.noise ' || noise FROM file_events
	    WHERE noise NOT IN ('proc', 'sys', 'dev', 'locale', 'gconv', 'ldcache', 'tmp-probe')
	  UNION ALL SELECT 'file_versions.origin ' || origin FROM file_versions
	    WHERE origin NOT IN ('preexisting', 'written', 'renamed', 'linked', 'external')
	  UNION ALL SELECT 'file_versions.state ' || state FROM file_versions
	    WHERE state NOT IN ('ok', 'changed', 'unreadable', 'vanished', 'dir')
	  UNION ALL SELECT 'file_versions ok without sha256 ' || path FROM file_versions
	    WHERE state = 'ok' AND sha256 IS NULL
	  UNION ALL SELECT 'meta.schema_version ' || value FROM meta
	    WHERE key = 'schema_version' AND value != '2'
	  LIMIT 20;")" "values docs/database.md does not list"
}
