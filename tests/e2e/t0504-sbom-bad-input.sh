#!/bin/bash
# t0504: asbuilt sbom refuses what it cannot describe with exit status 2, a message naming
# the problem, and no output file left behind: a missing database, a file that is not an
# asbuilt database, an ARTIFACT the build did not write, a build that does not exist, and
# a missing or unknown --format, options the format has no use for (--embed but not omnibor,
# --sign but not slsa, --name for slsa, -o with --per-package), --per-package for a build
# that made no binary package, and a signing key that cannot be read.
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
expect_refused "'swid' is not a format" --db "$DB" --format swid
expect_refused "--embed applies to --format omnibor only" --db "$DB" --format spdx --embed
expect_refused "--sign applies to --format slsa only" --db "$DB" --format omnibor --sign k.pem
expect_refused "not to slsa" --db "$DB" --format slsa --name x
expect_refused "no -o, --name or --version with it" --db "$DB" --format spdx --per-package pp
[ ! -e pp ] || die "a refused --per-package created its directory"
rc=0
"$ASBUILT" sbom --db "$DB" --format spdx --per-package pp >out 2>err || rc=$?
assert_eq 2 "$rc" "exit status of --per-package for a build that made no package"
grep -q "made no binary package" err || die "--per-package: unclear message: $(cat err)"
[ -z "$(ls pp)" ] || die "--per-package wrote something for no package"
rm -rf pp
expect_refused "k.pem" --db "$DB" --format slsa --sign k.pem
# and the good case works, naming the artifact
"$ASBUILT" sbom --db "$DB" --format spdx -o sbom.json out.txt || die "sbom of out.txt"
grep -q "\"fileName\":[[:space:]]*\"\./.*/out.txt\"" sbom.json || die "out.txt not in the SBOM"
