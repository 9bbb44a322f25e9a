#!/bin/bash
# t0704: asbuilt diff of two recorded builds of examples/hello-make in two directories: B is
# a copy with one header changed (greet.h) and one more compiler flag (CFLAGS += -DEXTRA).
# diff --json reports exactly: the input greet.h (matched by its path relative to each
# build's directory; sha256 computed here), the steps whose command gained -DEXTRA (every
# step that ran $(CC) $(CFLAGS), and no other), the intermediate files whose content
# differs (compared here with cmp), the artifact hello, the project component; no tool,
# no other input.  Exit 1.  The same build twice (--build-a 1 --build-b 2 after make clean
# in the same directory) and a database with itself are identical: exit 0.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
mkdir a b
cp -R "$EXAMPLES/hello-make/." a/
cp -R "$EXAMPLES/hello-make/." b/
(cd a && make clean >/dev/null)
(cd b && make clean >/dev/null && echo '/* changed in B */' >>greet.h)
(cd a && DB=$PWD/../a.db record_ok -- make -j2 CC=gcc) || die "record a"
(cd b && DB=$PWD/../b.db record_ok -- make -j2 CC=gcc 'CFLAGS=-O2 -g -DEXTRA') || die "record b"

rc=0
"$ASBUILT" diff --json a.db b.db >d.json || rc=$?
assert_eq 1 "$rc" "diff of two different builds"
assert_eq false "$(jq .identical d.json)" "identical"
keys() { # SECTION CHANGE: the keys, sorted, one per line
	jq -r --arg s "$1" --arg c "$2" '.differences[] | select(.section == $s and .change == $c) | .key' d.json | sort
}
for s in component tool input step intermediate artifact; do
	assert_empty "$(keys $s added)$(keys $s removed)" "$s added or removed"
done
assert_eq greet.h "$(keys input changed)" "changed inputs"
assert_eq "$(sha256 a/greet.h) $(sha256 b/greet.h)" \
	"$(jq -r '.differences[] | select(.section == "input") | "\(.a.sha256) \(.b.sha256)"' d.json)" \
	"greet.h sha256 on each side"
assert_empty "$(keys tool changed)" "changed tools"
assert_eq project "$(keys component changed)" "changed components"
assert_eq "gen
greet.o
hello
libx.so
main.o
x.o" "$(keys step changed)" "changed steps: every one that ran \$(CC) \$(CFLAGS)"
assert_eq '["-DEXTRA"]' \
	"$(jq -c '[.differences[] | select(.section == "step") | .argv_added] | unique | add' d.json)" \
	"the words added to the steps"
assert_eq 0 "$(jq '[.differences[] | select(.section == "step") | .argv_removed // empty] | length' d.json)" \
	"no word removed"
assert_eq "gcc -O2 -g -c -o main.o main.c" \
	"$(jq -r '.differences[] | select(.section == "step" and .key == "main.o") | .a.command' d.json)" \
	"the compile of main.o in A"
# intermediate files: exactly those whose content differs between the two directories
want=$(for f in gen greet.o libgreet.a libx.so main.o version.h x.o; do
	cmp -s a/$f b/$f || echo $f
done)
assert_eq "$want" "$(keys intermediate changed)" "changed intermediate files"
assert_eq hello "$(keys artifact changed)" "changed artifacts"
assert_eq "$(sha256 a/hello) $(sha256 b/hello)" \
	"$(jq -r '.differences[] | select(.section == "artifact") | "\(.a.sha256) \(.b.sha256)"' d.json)" \
	"hello sha256 on each side"
assert_eq 1 "$(jq .summary.input.changed d.json)" "summary: one input changed"
[ "$(jq .summary.input.same d.json)" -gt 20 ] || die "summary: the unchanged inputs are not counted"

# The text form: one line per difference and a summary.
rc=0
"$ASBUILT" diff a.db b.db >d.txt || rc=$?
assert_eq 1 "$rc" "text diff"
grep -qx "changed  input  *greet.h  sha256 $(sha256 a/greet.h) -> $(sha256 b/greet.h)" d.txt ||
	die "no input line: $(cat d.txt)"
grep -q "^changed  step  *main.o  (compile)  added: -DEXTRA$" d.txt || die "no step line: $(cat d.txt)"
tail -n 1 d.txt | grep -q "^diff: $(jq '.differences | length' d.json) differences" || die "no summary line"
assert_eq $(($(jq '.differences | length' d.json) + 1)) "$(wc -l <d.txt)" "lines of the text diff"

# A database with itself; the same build twice in one database.
"$ASBUILT" diff a.db a.db >same.txt || die "a database differs from itself: $(cat same.txt)"
grep -q "^diff: identical" same.txt || die "identical not said"
(cd a && make clean >/dev/null && DB=$PWD/../a.db record_ok -- make -j2 CC=gcc) || die "record a again"
rc=0
"$ASBUILT" diff --build-a 1 --build-b 2 --json a.db a.db >d2.json || rc=$?
assert_eq 0 "$rc" "the same build recorded twice: $(jq -c .differences d2.json)"
assert_eq true "$(jq .identical d2.json)" "identical rebuild"
