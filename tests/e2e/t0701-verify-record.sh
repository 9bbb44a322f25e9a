#!/bin/bash
# t0701: asbuilt verify re-hashes a recorded build of examples/hello-make against the record.
# Untouched: exit 0, every file ok, and the artifact's recorded hash is the sha256sum of
# hello.  An input (greet.h) and the artifact (hello) changed after the build: exactly those
# two are 'changed', with the recorded and current sha256 computed here; exit 1.  An
# intermediate file removed: 'missing'.  A copy of hello named on the command line is ok
# "recorded as" hello; a file the record does not know is 'unknown'; an artifact that
# cannot be read (a directory in its place) is 'unreadable'; all exit 1.  --quiet prints
# nothing when everything matches.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

# verify_json [ARG...]: run verify --json ARG..., output in v.json, exit status in $VRC.
verify_json() {
	VRC=0
	"$ASBUILT" verify --db "$DB" --json "$@" >v.json 2>v.err || VRC=$?
	cat v.err >&2
}

# not_ok: the findings that are not ok, as "status role path" lines, sorted.
not_ok() {
	jq -r '.files[] | select(.status != "ok") | "\(.status) \(.role) \(.path)"' v.json | sort
}

verify_json
assert_eq 0 "$VRC" "verify of an untouched build"
assert_eq true "$(jq .ok v.json)" "ok"
assert_empty "$(not_ok)" "findings that are not ok on an untouched build"
assert_eq "$(sha256 hello)" \
	"$(jq -r --arg p "$PWD/hello" '.files[] | select(.path == $p) | .recorded_sha256' v.json)" \
	"recorded sha256 of hello"
assert_eq artifact "$(jq -r --arg p "$PWD/hello" '.files[] | select(.path == $p) | .role' v.json)" \
	"hello is the artifact"
# every input, intermediate file and tool is checked: the sources, the objects, the compiler
for f in greet.h main.c version.h main.o libgreet.a libx.so; do
	assert_eq ok "$(jq -r --arg p "$PWD/$f" '.files[] | select(.path == $p) | .status' v.json)" \
		"$f checked and ok"
done
assert_eq input "$(jq -r '.files[] | select(.path == "/usr/include/stdio.h") | .role' v.json)" \
	"stdio.h is an input"
[ "$(jq '[.files[] | select(.role == "tool")] | length' v.json)" -gt 0 ] || die "no tool checked"
[ "$(jq .summary.not_checked.temporary v.json)" -gt 0 ] ||
	die "the compiler's temporaries are not counted as not checked"
out=$("$ASBUILT" verify --db "$DB" --quiet) || die "verify --quiet of an untouched build failed"
assert_empty "$out" "verify --quiet output when everything matches"
"$ASBUILT" verify --db "$DB" | tail -n 1 | grep -q '^verify: .* 0 changed, 0 missing' ||
	die "no summary line"

# Tamper with one input and the artifact.
old_h=$(sha256 greet.h) old_hello=$(sha256 hello)
cp greet.h greet.h.orig && cp hello hello.orig
echo '/* tampered */' >>greet.h
printf 'X' >>hello
verify_json
assert_eq 1 "$VRC" "verify after tampering"
assert_eq false "$(jq .ok v.json)" "ok after tampering"
assert_eq "changed artifact $PWD/hello
changed input $PWD/greet.h" "$(not_ok)" "exactly the tampered files"
assert_eq "$old_h $(sha256 greet.h)" \
	"$(jq -r --arg p "$PWD/greet.h" '.files[] | select(.path == $p) | "\(.recorded_sha256) \(.current_sha256)"' v.json)" \
	"greet.h recorded and current sha256"
assert_eq "$old_hello $(sha256 hello)" \
	"$(jq -r --arg p "$PWD/hello" '.files[] | select(.path == $p) | "\(.recorded_sha256) \(.current_sha256)"' v.json)" \
	"hello recorded and current sha256"
assert_eq 2 "$(jq .summary.changed v.json)" "summary: changed"
# the text form names them too, one line each
rc=0
"$ASBUILT" verify --db "$DB" --quiet >v.txt || rc=$?
assert_eq 1 "$rc" "text verify after tampering"
grep -qx "changed *input *$PWD/greet.h  recorded sha256:$old_h  current sha256:$(sha256 greet.h)" v.txt ||
	die "no changed line for greet.h: $(cat v.txt)"
assert_eq 3 "$(wc -l <v.txt)" "two findings and the summary"
mv greet.h.orig greet.h && mv hello.orig hello

# An intermediate file removed.
mv main.o main.o.orig
verify_json
assert_eq 1 "$VRC" "verify with main.o gone"
assert_eq "missing intermediate $PWD/main.o" "$(not_ok)" "main.o missing"
mv main.o.orig main.o
verify_json
assert_eq 0 "$VRC" "verify after restoring everything"

# Named files: a copy of hello (ok, recorded as hello), a stranger (unknown).
mkdir -p dist && cp hello dist/hello-copy && echo stranger >dist/other
verify_json dist/hello-copy
assert_eq 0 "$VRC" "verify of a copy of the artifact"
assert_eq "ok $PWD/hello" \
	"$(jq -r --arg p "$PWD/dist/hello-copy" '.files[] | select(.path == $p) | "\(.status) \(.recorded_as)"' v.json)" \
	"the copy is recorded as hello"
verify_json dist/other hello
assert_eq 1 "$VRC" "verify of a file the record does not know"
assert_eq "unknown artifact $PWD/dist/other" "$(not_ok)" "unknown file"
assert_eq "$(sha256 dist/other)" "$(jq -r '.files[] | select(.status == "unknown") | .current_sha256' v.json)" \
	"current sha256 of the unknown file"

# An artifact that cannot be read: a directory where hello was.
mv hello hello.orig && mkdir hello
rc=0
"$ASBUILT" verify --db "$DB" --quiet >v.txt 2>v.err || rc=$?
assert_eq 1 "$rc" "verify with an unreadable artifact"
grep -q "^unreadable *artifact *$PWD/hello  (Is a directory)" v.txt || die "unreadable line: $(cat v.txt)"
rmdir hello && mv hello.orig hello
