#!/bin/bash
# t0412: a build step runs `npm install is-number@7.0.0` (from the npm registry) and a later
# step copies node_modules/is-number/index.js into the output: components lists
# pkg:npm/is-number@7.0.0 with license MIT, identified by the npm install, and holds the
# copied file (with the hash the build saw); the package-lock.json npm wrote is evidence.
. "$TOP/tests/e2e/lib.sh"

command -v npm >/dev/null || skip "npm is not installed"
command -v python3 >/dev/null || skip "no python3"
export npm_config_cache=$PWD/npm-cache npm_config_update_notifier=false
echo '{"name": "t0412", "version": "1.0.0", "private": true}' >package.json
cat >Makefile <<'X'
all: out.js
node_modules/is-number/index.js:
	npm install --no-audit --no-fund is-number@7.0.0
out.js: node_modules/is-number/index.js
	cp node_modules/is-number/index.js out.js
X
record_ok -- make
assert_build_ok
[ -f out.js ] || die "the build made no out.js"

"$ASBUILT" components --db "$DB" --json >comp.json
"$ASBUILT" components --db "$DB" >comp.txt
cat comp.txt >&2
grep -qx "npm is-number 7.0.0" comp.txt || die "no 'npm is-number 7.0.0' in the text output"
cat >check.py <<'PY'
import json, sys
cwd, sha = sys.argv[1:3]
c = json.load(open("comp.json"))
npm = [x for x in c if x["purl"] == "pkg:npm/is-number@7.0.0"]
assert len(npm) == 1, [x["purl"] for x in c]
n = npm[0]
assert n["kind"] == "npm" and n["name"] == "is-number" and n["version"] == "7.0.0", n
assert n["license"] == "MIT", n["license"]
assert n["identified_by"] == "npm install of is-number@7.0.0 (package-lock.json)", n["identified_by"]
assert cwd + "/node_modules/is-number/package.json" in n["evidence"], n["evidence"]
assert cwd + "/package-lock.json" in n["evidence"], n["evidence"]
f = [f for f in n["files"] if f["path"] == cwd + "/node_modules/is-number/index.js"]
assert f and f[0]["sha256"] == sha and f[0]["fetched"], n["files"]
# npm's own files are not inputs of out.js: nothing else names node_modules/is-number
others = [f["path"] for x in c if x is not n for f in x["files"] if "/is-number/" in f["path"]]
assert not others, others
PY
python3 check.py "$PWD" "$(sha256 node_modules/is-number/index.js)" || die "JSON components"
