#!/bin/bash
# t0504: asbuilt sbom refuses what it cannot describe with exit status 2, a message naming
# the problem, and no output file left behind: a missing database, a file that is not an
# asbuilt database, an ARTIFACT the build did not write, a build that does not exist, and
# a missing or unknown --format.
. "$TOP/tests/e2e/lib.sh"

record_ok -- sh -c 'echo hi >out.txt'

expect_refused() { # PATTERN ARG...: asbuilt sbom ARG... -o sbom.json exits 2 saying PATTERN
	local pattern=$1 rc=0
	shift
	"$ASBUILT" sbom "$@" -o sbom.json >out 2>err || rc=$?
	cat err >&2
	assert_eq 2 "$rc" "exit status of sbom $*"
	grep -q -- "$pattern" err || die "sbom $*: no message matching '$pattern'"
	[ ! -s out ] || die "sbom $*: something on standard output"
	[ -z "$(ls sbom.json* 2>/dev/null)" ] || die "sbom $*: an output file was left behind"
}

expect_refused "nothere.db" --db nothere.db --format spdx
[ ! -e nothere.db ] || die "a missing database was created"
echo "not a database at all" >foreign.db
expect_refused "foreign.db" --db foreign.db --format cyclonedx
expect_refused "'nope.bin' is not an output of build 1" --db "$DB" --format spdx nope.bin
expect_refused "'in.txt' is not an output of build 1" --db "$DB" --format spdx3 in.txt
expect_refused "has no build 7" --db "$DB" --build 7 --format spdx
expect_refused "--format is required" --db "$DB"
expect_refused "'omnibor' is not a format" --db "$DB" --format omnibor
# and the good case works, naming the artifact
"$ASBUILT" sbom --db "$DB" --format spdx -o sbom.json out.txt || die "sbom of out.txt"
grep -q "\"fileName\":[[:space:]]*\"\./.*/out.txt\"" sbom.json || die "out.txt not in the SBOM"
