#!/bin/bash
# t0411: a project in a git checkout with a submodule (made with the git CLI here); the
# build compiles one file of the main repository and one of the submodule.  components
# lists both repositories with the commits `git rev-parse HEAD` prints in each, the
# submodule's file belongs to the submodule's component (whose superproject is the main
# work tree), the main file to the main repository's; a generated header the build wrote
# is not an input, and an untracked source falls back to the project component.
. "$TOP/tests/e2e/lib.sh"

command -v git >/dev/null || skip "no git"
command -v python3 >/dev/null || skip "no python3"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.org GIT_CONFIG_NOSYSTEM=1 HOME=$PWD
git init -q -b main libsub
echo 'int sub(void) { return 2; }' >libsub/sub.c
git -C libsub add sub.c && git -C libsub commit -q -m sub

git init -q -b main proj
cd proj
echo 'int sub(void); int main(void) { return sub() - 2; }' >main.c
git add main.c && git commit -q -m main
git -c protocol.file.allow=always submodule add -q "$PWD/../libsub" sub
git commit -q -m 'add sub'
echo 'int extra(void) { return 0; }' >untracked.c
MAIN=$(git rev-parse HEAD)
SUB=$(git -C sub rev-parse HEAD)

record_ok -- sh -c 'gcc -o app main.c sub/sub.c untracked.c'
assert_build_ok
./app || die "app does not run"

"$ASBUILT" components --db "$DB" --json >../comp.json
"$ASBUILT" components --db "$DB" >../comp.txt
cat ../comp.txt >&2
grep -qx "git proj $MAIN" ../comp.txt || die "no 'git proj $MAIN'"
grep -qx "git libsub $SUB" ../comp.txt || die "no 'git libsub $SUB'"
cat >../check.py <<'PY'
import json, sys
top, main, sub = sys.argv[1:4]
c = json.load(open(top + "/../comp.json"))
g = {x["commit"]: x for x in c if x["kind"] == "git"}
assert set(g) == {main, sub}, list(g)
m, s = g[main], g[sub]
assert m["version"] == main and s["version"] == sub
assert [f["path"] for f in m["files"]] == [top + "/main.c"], m["files"]
assert [f["path"] for f in s["files"]] == [top + "/sub/sub.c"], s["files"]
assert s["superproject"] == top and m["superproject"] is None, (s, m)
assert m["dirty"] is False, m
assert s["remote_url"].endswith("/libsub"), s["remote_url"]
assert s["purl"].startswith("pkg:generic/libsub@" + sub), s["purl"]
assert m["identified_by"] == "git work tree %s at %s" % (top, main), m["identified_by"]
assert s["identified_by"].startswith("git work tree %s/sub at %s" % (top, sub)), s
assert top + "/.git" in m["evidence"], m["evidence"]
p = [x for x in c if x["kind"] == "project"]
assert p and [f["path"] for f in p[0]["files"]] == [top + "/untracked.c"], p
PY
python3 ../check.py "$PWD" "$MAIN" "$SUB" || die "JSON components"
