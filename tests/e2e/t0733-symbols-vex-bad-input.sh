#!/bin/bash
# t0733: asbuilt symbols and asbuilt vex refuse what they cannot use with exit status 2 and
# a message naming it, writing nothing: an artifact the build did not make, an output that
# is not ELF (a checksum list), an object file, a --component that is not a package URL, a
# missing --vuln, --component or --symbols, an unknown --format, a missing database, a
# missing or extra ARTIFACT for symbols.  --help teaches (options, an example, exit codes)
# and exits 0.
. "$TOP/tests/e2e/lib.sh"

[ -r "/usr/lib/$(gcc -print-multiarch)/libz.a" ] || skip "no libz.a (install zlib1g-dev)"
cp -R "$EXAMPLES/zlib-use" src
cd src
make clean >/dev/null
record_ok -- sh -c 'make CC=gcc && sha256sum zstatic zdynamic >SHA256SUMS'
assert_build_ok

refused() { # CMD PATTERN ARG...: asbuilt CMD ARG... exits 2 with "asbuilt: ...PATTERN..."
	local cmd=$1 pattern=$2 rc=0
	shift 2
	"$ASBUILT" "$cmd" "$@" >../out 2>../err || rc=$?
	cat ../err >&2
	assert_eq 2 "$rc" "exit status of $cmd $*"
	grep -q "^asbuilt: .*$pattern" ../err || die "$cmd $*: no message matching '$pattern'"
	[ ! -s ../out ] || die "$cmd $*: something on standard output"
	[ -z "$(ls ../vex.json* 2>/dev/null)" ] || die "$cmd $*: an output file was left behind"
}
V=(--db "$DB" --vuln CVE-2022-37434 -c pkg:deb/debian/zlib1g --symbols inflate -o ../vex.json)

refused symbols "'nope' is not an output of build 1" --db "$DB" nope
refused symbols "'SHA256SUMS' is not an ELF executable or shared library" --db "$DB" SHA256SUMS
refused symbols "'zstatic.o' is not an ELF executable or shared library" --db "$DB" zstatic.o
refused symbols "'deb/debian/zlib1g' is not a package URL" --db "$DB" -c deb/debian/zlib1g zstatic
refused symbols "name one ARTIFACT" --db "$DB"
refused symbols "name only one ARTIFACT" --db "$DB" zstatic zdynamic
refused symbols "nothere.db" --db ../nothere.db zstatic
[ ! -e ../nothere.db ] || die "a missing database was created"

refused vex "'nope' is not an output of build 1" "${V[@]}" nope
refused vex "'SHA256SUMS' is not an ELF executable or shared library" "${V[@]}" SHA256SUMS
refused vex "'zlib' is not a package URL" "${V[@]}" -c zlib zstatic
refused vex "--vuln ID is required" --db "$DB" -c pkg:deb/debian/zlib1g --symbols inflate
refused vex "--component PURL is required" --db "$DB" --vuln CVE-1 --symbols inflate
refused vex "--symbols SYM\[,SYM...\] is required" --db "$DB" --vuln CVE-1 \
	-c pkg:deb/debian/zlib1g --symbols ,
refused vex "'spdx' is not a VEX format" "${V[@]}" --format spdx
refused vex "has no build 4" "${V[@]}" --build 4
refused vex "nothere.db" --vuln CVE-1 -c pkg:deb/debian/zlib1g --symbols inflate \
	--db ../nothere.db

for cmd in symbols vex; do
	"$ASBUILT" "$cmd" --help >../help || die "$cmd --help"
	grep -q "^usage: asbuilt $cmd" ../help || die "$cmd --help: no usage line"
	grep -q "^Example:" ../help || die "$cmd --help: no example"
	grep -q "^Exit status:" ../help || die "$cmd --help: no exit statuses"
	grep -q -- "--component PURL" ../help || die "$cmd --help: --component not explained"
done

# and the good cases work
"$ASBUILT" symbols --db "$DB" zstatic >/dev/null || die "symbols zstatic"
"$ASBUILT" vex "${V[@]}" zstatic || die "vex zstatic"
[ -s ../vex.json ] || die "vex -o wrote nothing"
