#!/bin/bash
# t0706: asbuilt verify and asbuilt diff refuse what they cannot use with exit status 2 and
# a message naming the file: a truncated SBOM, JSON that is no SBOM, SBOMs of two formats,
# a database compared with an SBOM, a missing or foreign database, a build that does not
# exist, --db with --sbom; nothing is printed on standard output.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
"$ASBUILT" sbom --db "$DB" --format spdx -o s.spdx.json || die "sbom spdx"
"$ASBUILT" sbom --db "$DB" --format cyclonedx -o s.cdx.json || die "sbom cyclonedx"
head -c "$(($(stat -c %s s.cdx.json) / 2))" s.cdx.json >trunc.json
"$ASBUILT" provenance --db "$DB" -o statement.json || die "provenance"
echo 'not a database at all' >foreign.db

expect2() { # COMMAND PATTERN ARG...: asbuilt COMMAND ARG... exits 2 saying PATTERN
	local cmd=$1 pat=$2 rc=0
	shift 2
	"$ASBUILT" "$cmd" "$@" >out.txt 2>err.txt || rc=$?
	note "$cmd $*: $(cat err.txt)"
	assert_eq 2 "$rc" "$cmd $*: exit status"
	grep -q -- "$pat" err.txt || die "$cmd $*: message '$(cat err.txt)' does not say '$pat'"
	grep -q '^asbuilt: ' err.txt || die "$cmd $*: message not in the asbuilt: form"
	[ ! -s out.txt ] || die "$cmd $*: something on standard output"
}

expect2 verify "'trunc.json': truncated" --sbom trunc.json
expect2 verify "'statement.json': JSON, but not an SBOM" --sbom statement.json
expect2 verify "nothere.json" --sbom nothere.json
expect2 verify "nothere.db" --db nothere.db
expect2 verify "foreign.db" --db foreign.db
expect2 verify "has no build 9" --db "$DB" --build 9
expect2 verify "not both" --db "$DB" --sbom s.cdx.json

expect2 diff "'trunc.json': truncated" trunc.json s.cdx.json
expect2 diff "SPDX 2.3 but 's.cdx.json' is CycloneDX 1.6" s.spdx.json s.cdx.json
expect2 diff "is a database and 's.cdx.json' is not" "$DB" s.cdx.json
expect2 diff "not an SBOM" statement.json statement.json
expect2 diff "nothere.db" "$DB" nothere.db
expect2 diff "foreign.db" foreign.db foreign.db
expect2 diff "has no build 9" --build-b 9 "$DB" "$DB"
expect2 diff "two databases or two SBOMs" "$DB"
expect2 diff "select builds of a database" --build-a 1 s.cdx.json s.cdx.json

# --help teaches: options, an example, the exit status
for cmd in verify diff; do
	"$ASBUILT" $cmd --help >help.txt || die "$cmd --help failed"
	grep -q "Example:" help.txt || die "$cmd --help has no example"
	grep -q "Exit status" help.txt || die "$cmd --help does not explain the exit status"
done
