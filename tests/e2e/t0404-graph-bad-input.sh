#!/bin/bash
# t0404: the graph commands refuse bad input with exit status 2 and a clear message, and
# change nothing: a text file, a database of a newer schema, a build whose record never
# finished ('running': asbuilt record was killed), an interrupted build, an unknown
# artifact, a build number that does not exist.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
# refused WHAT PATTERN CMD...: exit 2, stderr matches PATTERN.
refused() {
	local what=$1 pat=$2 status=0
	shift 2
	"$@" >out 2>err || status=$?
	sed "s/^/$what: /" err >&2
	assert_eq 2 "$status" "$what: exit status"
	grep -q -- "$pat" err || die "$what: stderr does not say '$pat'"
	[ ! -s out ] || die "$what: printed on stdout"
}
all_refused() { # WHAT PATTERN DB
	refused "deps $1" "$2" "$ASBUILT" deps --db "$3" x
	refused "artifacts $1" "$2" "$ASBUILT" artifacts --db "$3"
	refused "why $1" "$2" "$ASBUILT" why --db "$3" x
	refused "components $1" "$2" "$ASBUILT" components --db "$3"
}

printf 'this is not a database\n' >notadb.db
sum=$(sha256 notadb.db)
all_refused "of a text file" "notadb.db" notadb.db
assert_eq "$sum" "$(sha256 notadb.db)" "the text file is unchanged"

echo a >a.txt
record_ok -- sh -c 'cp a.txt b.txt'
cp "$DB" running.db
sqlite3 running.db "UPDATE builds SET state = 'running', ended_ns = NULL;"
all_refused "of an unfinished record" "still 'running'" running.db
cp "$DB" intr.db
sqlite3 intr.db "UPDATE builds SET state = 'interrupted';"
all_refused "of an interrupted build" "interrupted" intr.db
cp "$DB" newer.db
sqlite3 newer.db "UPDATE meta SET value = '99' WHERE key = 'schema_version';"
all_refused "of schema 99" "99" newer.db

refused "deps of a non-output" "'a.txt' is not an output of build 1" \
	"$ASBUILT" deps --db "$DB" a.txt
refused "deps of a missing file" "'nosuch' is not an output of build 1" \
	"$ASBUILT" deps --db "$DB" nosuch
refused "artifacts of build 7" "no build 7" "$ASBUILT" artifacts --db "$DB" --build 7
refused "artifacts of a missing database" "missing.db" "$ASBUILT" artifacts --db missing.db
[ ! -e missing.db ] || die "a missing database was created"
# and the good one still works
assert_eq "$(sha256 b.txt)  other  $PWD/b.txt" "$("$ASBUILT" artifacts --db "$DB")" "artifacts"
assert_eq "$(sha256 a.txt)  $PWD/a.txt" "$("$ASBUILT" deps --db "$DB" b.txt)" "deps b.txt"
