#!/bin/bash
# t0603: asbuilt provenance on examples/hello-make: an in-toto Statement v1 with SLSA
# provenance v1.  The subjects are the build's artifacts with their real sha256; the
# resolvedDependencies reach main.c, the headers, the objects and libc with their sha256
# and git blob ids (computed here with sha256sum and git hash-object); the command, cwd,
# backend, builder and times come from the record; a complete record has no byproducts.
# Two runs give the same bytes.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

"$ASBUILT" provenance --db "$DB" -o prov.json || die "asbuilt provenance failed"
jq -e . prov.json >/dev/null || die "prov.json is not JSON"
assert_eq "https://in-toto.io/Statement/v1|https://slsa.dev/provenance/v1" \
	"$(jq -r '._type + "|" + .predicateType' prov.json)" "statement and predicate types"

# Subjects: exactly the artifacts, with the files' real sha256.
"$ASBUILT" artifacts --db "$DB" | while read -r sum kind path; do
	printf '%s %s\n' "${path#"$PWD"/}" "$(sha256 "$path")"
done >expect.subjects
jq -r '.subject[] | .name + " " + .digest.sha256' prov.json >actual.subjects
test_cmp expect.subjects actual.subjects
grep -q '^hello ' actual.subjects || die "hello is not a subject"

# resolvedDependencies: file URIs with sha256 and gitBlob that match the files.
for f in main.c greet.c greet.h x.h version.h main.o libgreet.a greet.o libx.so gen.c; do
	uri="file://$(real "$f")"
	assert_eq "$(sha256 "$f") $(gitoid_sha1 "$f")" \
		"$(jq -r --arg u "$uri" '.predicate.buildDefinition.resolvedDependencies[] |
			select(.uri == $u) | .digest.sha256 + " " + .digest.gitBlob' prov.json)" \
		"resolvedDependencies entry of $f"
done
libc=$(real "$(gcc -print-file-name=libc.so.6)")
jq -e --arg u "file://$libc" '.predicate.buildDefinition.resolvedDependencies[] | select(.uri == $u)' \
	prov.json >/dev/null || die "libc.so.6 ($libc) is not a resolved dependency"
# Every dependency that still exists unchanged has the recorded sha256 (all of them here).
jq -r '.predicate.buildDefinition.resolvedDependencies[] | .digest.sha256 + "  " + (.uri | ltrimstr("file://"))' \
	prov.json | sha256sum -c --quiet - || die "a resolvedDependencies sha256 is wrong"
assert_eq "$(jq -r '.predicate.buildDefinition.resolvedDependencies[].uri' prov.json | LC_ALL=C sort -u)" \
	"$(jq -r '.predicate.buildDefinition.resolvedDependencies[].uri' prov.json)" \
	"resolvedDependencies sorted by path, each once"

# Parameters and run details from the build row.
assert_eq '["make","-j2","CC=gcc"]' "$(jq -c '.predicate.buildDefinition.externalParameters.command' prov.json)" \
	"externalParameters.command"
assert_eq "$PWD|preload" "$(jq -r '.predicate.buildDefinition | .externalParameters.cwd + "|" + .internalParameters.backend' prov.json)" \
	"cwd and backend"
assert_eq "https://asbuilt.invalid/buildtypes/recorded-build/v1" \
	"$(jq -r '.predicate.buildDefinition.buildType' prov.json)" "buildType"
assert_eq "https://asbuilt.invalid/asbuilt@0.1.0|$(build_id)" \
	"$(jq -r '.predicate.runDetails | .builder.id + "|" + .metadata.invocationId' prov.json)" \
	"builder id and invocationId"
started=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', started_ns / 1000000000, 'unixepoch') FROM builds WHERE id = $(build_id);")
finished=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ended_ns / 1000000000, 'unixepoch') FROM builds WHERE id = $(build_id);")
assert_eq "$started $finished" \
	"$(jq -r '.predicate.runDetails.metadata | .startedOn + " " + .finishedOn' prov.json)" "startedOn, finishedOn"
assert_eq null "$(jq -c '.predicate.runDetails.byproducts' prov.json)" "no byproducts for a complete record"

# Deterministic; ARTIFACT selects.
"$ASBUILT" provenance --db "$DB" >prov2.json || die "second run failed"
test_cmp prov.json prov2.json
"$ASBUILT" provenance --db "$DB" main.o >o.json || die "provenance main.o failed"
assert_eq "main.o $(sha256 main.o)" "$(jq -r '.subject[] | .name + " " + .digest.sha256' o.json)" "subject main.o"
