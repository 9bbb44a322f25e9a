#!/bin/bash
# t0724: asbuilt graph refuses bad input with exit status 2 and a message naming what is
# wrong, writes nothing on stdout and creates no output file: no --format, an unknown
# format, an unknown artifact, a text file as database, a missing database, a build that
# does not exist, an unfinished record.  An output it cannot write is exit 1, and --help
# teaches the options, an example and the exit codes.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
# refused WHAT STATUS PATTERN CMD...: exit STATUS, stderr matches PATTERN, stdout empty.
refused() {
	local what=$1 want=$2 pat=$3 status=0
	shift 3
	"$@" >out 2>err || status=$?
	sed "s/^/$what: /" err >&2
	assert_eq "$want" "$status" "$what: exit status"
	grep -q -- "$pat" err || die "$what: stderr does not say '$pat'"
	grep -q '^asbuilt: ' err || die "$what: the message does not start with 'asbuilt: '"
	[ ! -s out ] || die "$what: printed on stdout"
	[ ! -e g.out ] || die "$what: wrote g.out"
}

echo a >a.txt
record_ok -- sh -c 'cp a.txt b.txt'

refused "no format" 2 "--format is required" "$ASBUILT" graph --db "$DB" -o g.out
refused "format svg" 2 "'svg' is not a graph format (known: dot, html)" \
	"$ASBUILT" graph --db "$DB" --format svg -o g.out
refused "unknown option" 2 "unknown option '--formt'" "$ASBUILT" graph --db "$DB" --formt dot
refused "no value" 2 "option '--format' needs a value" "$ASBUILT" graph --db "$DB" --format
refused "unknown artifact" 2 "'nosuch' is not an output of build 1" \
	"$ASBUILT" graph --db "$DB" --format dot -o g.out nosuch
refused "an input as artifact" 2 "'a.txt' is not an output of build 1" \
	"$ASBUILT" graph --db "$DB" --format html -o g.out a.txt
printf 'this is not a database\n' >notadb.db
refused "text file" 2 "notadb.db" "$ASBUILT" graph --db notadb.db --format dot -o g.out
refused "missing database" 2 "missing.db" "$ASBUILT" graph --db missing.db --format html -o g.out
[ ! -e missing.db ] || die "a missing database was created"
refused "build 7" 2 "no build 7" "$ASBUILT" graph --db "$DB" --build 7 --format dot -o g.out
refused "build x" 2 "'x' is not a build number" "$ASBUILT" graph --db "$DB" --build x --format dot
cp "$DB" running.db
sqlite3 running.db "UPDATE builds SET state = 'running', ended_ns = NULL;"
refused "unfinished record" 2 "still 'running'" "$ASBUILT" graph --db running.db --format dot -o g.out
refused "unwritable output" 1 "cannot write 'nodir/g.html'" \
	"$ASBUILT" graph --db "$DB" --format html -o nodir/g.html
[ -z "$(ls nodir 2>/dev/null)" ] || die "left a file in nodir"

"$ASBUILT" graph --help >help.txt || die "graph --help exit status"
for want in "--format" "--output" "--db" "--build" "example" "exit status" "dot -Tsvg"; do
	grep -q -- "$want" help.txt || die "graph --help does not mention '$want'"
done

# and the good one works: b.txt drawn, made from a.txt by cp
"$ASBUILT" graph --db "$DB" --format dot b.txt >g.dot || die "graph of b.txt"
grep -q "label=\"b.txt\", tooltip=\"$PWD/b.txt\"" g.dot || die "b.txt is not a node"
grep -q "label=\"copied from\"" g.dot || die "no 'copied from' edge"
