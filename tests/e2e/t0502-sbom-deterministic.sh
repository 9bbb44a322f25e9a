#!/bin/bash
# t0502: the SBOM is a function of the record: two runs of asbuilt sbom give the same bytes
# in every format; the creation time is SOURCE_DATE_EPOCH when set and otherwise the
# build's end time from the database (never the clock), and SOURCE_DATE_EPOCH that is not
# a number is refused.
. "$TOP/tests/e2e/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
cp -r "$EXAMPLES/hello-make" src
cd src
make clean >/dev/null
record_ok -- make
assert_build_ok

created() { # FORMAT FILE: the document's creation time
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[2]))
if sys.argv[1] == "spdx": print(d["creationInfo"]["created"])
elif sys.argv[1] == "cyclonedx": print(d["metadata"]["timestamp"])
else: print([e for e in d["@graph"] if e.get("type") == "CreationInfo"][0]["created"])
' "$1" "$2"
}

END=$(date -u -d "@$(q "SELECT ended_ns / 1000000000 FROM builds WHERE id = 1;")" +%Y-%m-%dT%H:%M:%SZ)
for f in spdx spdx3 cyclonedx; do
	unset SOURCE_DATE_EPOCH
	"$ASBUILT" sbom --db "$DB" --format $f -o ../$f.1.json || die "sbom $f (1)"
	sleep 1
	"$ASBUILT" sbom --db "$DB" --format $f -o ../$f.2.json || die "sbom $f (2)"
	cmp ../$f.1.json ../$f.2.json || die "$f: two runs differ"
	assert_eq "$END" "$(created $f ../$f.1.json)" "$f: creation time is the build's end"
	"$ASBUILT" sbom --db "$DB" --format $f >../$f.stdout.json || die "sbom $f to stdout"
	cmp ../$f.1.json ../$f.stdout.json || die "$f: -o and standard output differ"

	SOURCE_DATE_EPOCH=1700000000 "$ASBUILT" sbom --db "$DB" --format $f -o ../$f.e1.json ||
		die "sbom $f with SOURCE_DATE_EPOCH"
	SOURCE_DATE_EPOCH=1700000000 "$ASBUILT" sbom --db "$DB" --format $f -o ../$f.e2.json
	cmp ../$f.e1.json ../$f.e2.json || die "$f: two runs with SOURCE_DATE_EPOCH differ"
	assert_eq 2023-11-14T22:13:20Z "$(created $f ../$f.e1.json)" \
		"$f: creation time from SOURCE_DATE_EPOCH=1700000000"
done

rc=0
SOURCE_DATE_EPOCH=yesterday "$ASBUILT" sbom --db "$DB" --format spdx -o ../bad.json \
	2>err || rc=$?
assert_eq 2 "$rc" "exit status with SOURCE_DATE_EPOCH=yesterday"
grep -q SOURCE_DATE_EPOCH err || die "no message naming SOURCE_DATE_EPOCH"
[ ! -e ../bad.json ] || die "an output file was left behind"
