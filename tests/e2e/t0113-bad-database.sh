#!/bin/bash
# t0113: a file that is not an asbuilt database, an SQLite database of something else, and an
# asbuilt database whose meta.schema_version is newer (99) are refused by show and record
# with exit status 2 and a message on stderr naming the file; nothing is run or changed.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
# refused CMD...: run CMD, expect exit 2 and a message naming the database on stderr.
refused() {
	local what=$1 file=$2 status=0
	shift 2
	"$@" >out 2>err || status=$?
	sed "s/^/$what: /" err >&2
	assert_eq 2 "$status" "$what: exit status"
	grep -qF -- "$file" err || die "$what: stderr does not name '$file'"
	[ "$(grep -c . err)" -ge 1 ] || die "$what: no message"
}

printf 'this is not a database\n' >notadb.db
sum=$(sha256 notadb.db)
refused "show of a text file" notadb.db "$ASBUILT" show --db notadb.db
refused "record into a text file" notadb.db "$ASBUILT" record -o notadb.db --backend preload -- touch ran1
[ ! -e ran1 ] || die "record ran the command although the database is refused"
assert_eq "$sum" "$(sha256 notadb.db)" "the text file is unchanged"

sqlite3 other.db "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
refused "show of another SQLite database" other.db "$ASBUILT" show --db other.db
assert_eq "t" "$(sqlite3 other.db "SELECT group_concat(name) FROM sqlite_master;")" \
	"the other database gets no tables"

record_ok -- true
sqlite3 "$DB" "UPDATE meta SET value = '99' WHERE key = 'schema_version';"
sum=$(sqlite3 "$DB" "SELECT count(*) FROM builds; SELECT * FROM meta ORDER BY key;")
refused "show of schema version 99" "$(basename "$DB")" "$ASBUILT" show --db "$DB"
grep -q 99 err || die "the message does not give the version (99)"
refused "show --json of schema version 99" "$(basename "$DB")" "$ASBUILT" show --db "$DB" --json
refused "record into schema version 99" "$(basename "$DB")" \
	"$ASBUILT" record -o "$DB" --backend preload -- touch ran2
[ ! -e ran2 ] || die "record ran the command although the database is refused"
assert_eq "$sum" "$(sqlite3 "$DB" "SELECT count(*) FROM builds; SELECT * FROM meta ORDER BY key;")" \
	"the newer database is unchanged"
