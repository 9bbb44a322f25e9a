#!/bin/bash
# t0731: asbuilt symbols on examples/zlib-use, checked against nm and the linker's map:
# zdynamic imports exactly crc32, gzopen, gzwrite and gzclose from libz.so.1 of the installed
# zlib1g (version and purl from dpkg); zstatic's link pulled exactly the libz.a members the
# linker's map names when the same link is redone, each with the functions nm lists for that
# member (static ones marked), under zlib1g-dev with the archive's real SHA-256; zstatic.o is
# among the objects linked whole; --component keeps one component; the text form names the
# same archive and members; a zstatic stripped in place keeps its members.
. "$TOP/tests/e2e/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
command -v dpkg-query >/dev/null || skip "no dpkg (the component checks need it)"
LIBZ_A=$(ls /usr/lib/"$(gcc -print-multiarch)"/libz.a 2>/dev/null) ||
	skip "no libz.a (install zlib1g-dev)"
ZVER=$(dpkg-query -W -f='${Version}' zlib1g:"$(dpkg --print-architecture)")
ZDEVVER=$(dpkg-query -W -f='${Version}' zlib1g-dev:"$(dpkg --print-architecture)")

cp -R "$EXAMPLES/zlib-use" src
cd src
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

"$ASBUILT" symbols --db "$DB" --json zdynamic >../dyn.json || die "symbols zdynamic"
"$ASBUILT" symbols --db "$DB" --json zstatic >../stat.json || die "symbols zstatic"
"$ASBUILT" symbols --db "$DB" --json --component pkg:deb/debian/zlib1g-dev zstatic \
	>../only.json || die "symbols --component"
"$ASBUILT" symbols --db "$DB" zstatic >../stat.txt || die "symbols zstatic (text)"

# What the tools say, independently of asbuilt.
libz_so=$(readlink -f "$(gcc -print-file-name=libz.so)")
nm -D --defined-only "$libz_so" | awk '{ print $3 }' | sed 's/@.*//' | sort -u >../libz.exports
nm -D --undefined-only zdynamic | awk '$1 == "U" { print $2 }' | sed 's/@.*//' | sort |
	comm -12 - ../libz.exports >../want.dyn
gcc -o /dev/null zstatic.o "$LIBZ_A" -Wl,-Map=../link.map
sed -n '/^Archive member included/,/^Discarded input sections/p' ../link.map |
	sed -n 's|^'"$LIBZ_A"'(\([^)]*\))$|\1|p' | sort >../want.members
[ -s ../want.members ] || die "the link map names no member of $LIBZ_A"
mkdir ../m && (cd ../m && ar x "$LIBZ_A")
for o in ../m/*.o; do
	nm --defined-only "$o" | awk -v m="$(basename "$o")" \
		'$2 == "T" || $2 == "W" || $2 == "i" { print m, $3, "global" }
		 $2 == "t" { print m, $3, "static" }'
done | sort >../want.funcs
cd ..

cat >check.py <<'PY'
import json, sys

cwd, libz_a, libz_a_sha, libz_so, zver, zdevver = sys.argv[1:7]

def fail(msg):
    sys.exit("FAIL: " + msg)

def lines(path):
    return [l.rstrip("\n") for l in open(path) if l.strip()]

def comp(doc, name):
    got = [c for c in doc["components"] if c["name"] == name]
    if len(got) != 1:
        fail(f"{len(got)} components named {name}: {[c['name'] for c in doc['components']]}")
    return got[0]

dyn = json.load(open("dyn.json"))
if dyn["artifact"]["path"] != cwd + "/src/zdynamic" or dyn["artifact"]["type"] != "pie":
    fail(f"zdynamic artifact: {dyn['artifact']}")
z = comp(dyn, "zlib1g")
if z["kind"] != "deb" or z["version"] != zver:
    fail(f"zlib1g component: {z['kind']} {z['version']}, want deb {zver}")
if not z["purl"].startswith("pkg:deb/debian/zlib1g@"):
    fail(f"zlib1g purl {z['purl']}")
libs = [l for l in z["libraries"] if l["needed"] == "libz.so.1"]
if len(libs) != 1 or libs[0]["path"] != libz_so or libs[0]["loaded_by"] is not None:
    fail(f"libz.so.1 of zdynamic: {z['libraries']}")
imports = sorted(i["name"] for i in libs[0]["imports"])
want = lines("want.dyn")
if imports != want or imports != ["crc32", "gzclose", "gzopen", "gzwrite"]:
    fail(f"zdynamic imports from libz.so.1: {imports}, nm says {want}")
if z["archives"] or z["objects"]:
    fail("zdynamic has zlib archives or objects")
if any(c["name"] == "zlib1g-dev" and (c["archives"] or c["libraries"]) for c in dyn["components"]):
    fail("zdynamic links something of zlib1g-dev")

st = json.load(open("stat.json"))
if any(l["needed"].startswith("libz") for c in st["components"] for l in c["libraries"]):
    fail("zstatic needs a libz shared library")
zd = comp(st, "zlib1g-dev")
if zd["version"] != zdevver or not zd["purl"].startswith("pkg:deb/debian/zlib1g-dev@"):
    fail(f"zlib1g-dev component {zd['version']} {zd['purl']}")
if len(zd["archives"]) != 1:
    fail(f"zstatic archives of zlib1g-dev: {zd['archives']}")
a = zd["archives"][0]
if a["path"] != libz_a or a["sha256"] != libz_a_sha or a["built"] or not a["read"]:
    fail(f"libz.a entry: {a['path']} {a['sha256']} built={a['built']} read={a['read']}")
members = sorted(m["name"] for m in a["members"])
if members != lines("want.members"):
    fail(f"members pulled: {members}, the link map says {lines('want.members')}")
for must, mustnot in (("inflate.o", "gzlib.o"), ("compress.o", "gzread.o")):
    if must not in members or mustnot in members:
        fail(f"expected {must} and not {mustnot} among {members}")
want_funcs = {}
for l in lines("want.funcs"):
    m, f, kind = l.split()
    want_funcs.setdefault(m, []).append((f, kind == "static"))
for m in a["members"]:
    got = sorted((f["name"], f["static"]) for f in m["functions"])
    if got != sorted(want_funcs.get(m["name"], [])):
        fail(f"functions of {m['name']}: {got}, nm says {sorted(want_funcs.get(m['name'], []))}")
    if not m["referenced"]:
        fail(f"member {m['name']} pulled in for no symbol")
inflate = [m for m in a["members"] if m["name"] == "inflate.o"][0]
if "inflate" not in inflate["referenced"] or "inflateGetHeader" in inflate["referenced"]:
    fail(f"inflate.o referenced: {inflate['referenced']}")
if ("updatewindow", True) not in [(f["name"], f["static"]) for f in inflate["functions"]]:
    fail("updatewindow is not listed as a static function of inflate.o")
objs = [o["path"] for c in st["components"] for o in c["objects"]]
if cwd + "/src/zstatic.o" not in objs:
    fail(f"zstatic.o not among the linked objects {objs}")

only = json.load(open("only.json"))
if [c["name"] for c in only["components"]] != ["zlib1g-dev"]:
    fail(f"--component kept {[c['name'] for c in only['components']]}")
PY
"$PY" check.py "$PWD" "$LIBZ_A" "$(sha256 "$LIBZ_A")" "$libz_so" "$ZVER" "$ZDEVVER" ||
	die "symbols output does not match the tools"

grep -q "^deb zlib1g-dev $ZDEVVER  pkg:deb/debian/zlib1g-dev@" stat.txt ||
	die "text output: no zlib1g-dev heading"
grep -q "^  archive $LIBZ_A\$" stat.txt || die "text output: no libz.a archive line"
grep -q "^    inflate.o  referenced:.* inflate\b" stat.txt || die "text output: no inflate.o"
grep -q "updatewindow (static)" stat.txt || die "text output: static function not marked"

# A binary stripped in place after its link keeps the members the link pulled in (they are
# on the version the linker wrote), without a symbol table of its own.
mkdir stripped && cp -R "$EXAMPLES/zlib-use/." stripped/
cd stripped
make clean >/dev/null
DB=$PWD/s.db record_ok -- sh -c 'make CC=gcc zstatic && strip zstatic'
"$ASBUILT" symbols --db s.db --json zstatic >../strip.json || die "symbols of stripped zstatic"
cd ..
"$PY" - <<'PY' || die "stripped zstatic: members lost"
import json
d = json.load(open("strip.json"))
if d["artifact"]["symtab"]:
    raise SystemExit("FAIL: a stripped binary with a symbol table")
ms = [m["name"] for c in d["components"] for a in c["archives"] for m in a["members"]]
if "inflate.o" not in ms or "compress.o" not in ms or "gzlib.o" in ms:
    raise SystemExit(f"FAIL: members of stripped zstatic: {ms}")
PY
