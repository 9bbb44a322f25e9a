#!/bin/bash
# t0112: `asbuilt show --json` prints valid JSON, one object per line with a "type" member
# (strict UTF-8 even when a recorded path is not, whose exact bytes are kept in hex), and the
# lines carry the build, its processes and its file events with their hashes.
. "$TOP/tests/e2e/lib.sh"

echo "json input" >input-112.txt
bad=$'odd\xff-name.txt'
echo "odd" >"$bad"
record_ok -- sh -c 'cat input-112.txt "$1" >/dev/null' sh "$bad"
assert_build_ok

status=0
"$ASBUILT" show --db "$DB" --json >show.json 2>show.err || status=$?
assert_eq 0 "$status" "asbuilt show --json exit status"
[ -s show.json ] || die "show --json printed nothing"

CAT=$(real /bin/cat)
/usr/bin/python3 - "$PWD" "$CAT" "$(sha256 input-112.txt)" "$(hexof "$PWD/$bad" | tr A-F a-f)" \
	<<'PY' || die "show --json output is wrong"
import json, sys

pwd, cat, sha, badhex = sys.argv[1:5]
strings = []
types = set()

def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            strings.append(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
    elif isinstance(v, str):
        strings.append(v)

with open("show.json", "rb") as f:
    for n, raw in enumerate(f, 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            sys.exit("line %d is not UTF-8: %s" % (n, e))
        try:
            obj = json.loads(text)
        except ValueError as e:
            sys.exit("line %d is not JSON: %s: %r" % (n, e, text[:200]))
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            sys.exit("line %d is not an object with a \"type\" member" % n)
        types.add(obj["type"])
        walk(obj)

for t in ("build", "process", "file"):
    if t not in types:
        sys.exit("no line of type %r (types seen: %s)" % (t, sorted(types)))

def has(pred, what):
    if not any(pred(s) for s in strings):
        sys.exit("no value in show --json for " + what)

has(lambda s: s == pwd, "the build's cwd")
has(lambda s: s == cat, "the cat process's exe")
has(lambda s: s.endswith("/input-112.txt") or s == "input-112.txt", "the file event of input-112.txt")
has(lambda s: s == sha, "the sha256 of input-112.txt")
has(lambda s: "odd" in s and s.endswith("-name.txt"), "the file event of the non-UTF-8 path")
# The exact bytes of a non-UTF-8 path are not lost: they are given in hex as well.
has(lambda s: s.lower() == badhex, "the exact bytes (hex) of the non-UTF-8 path")
PY
