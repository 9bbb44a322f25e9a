#!/bin/bash
# t0732: asbuilt vex on examples/zlib-use gives the verdicts known in advance, in CycloneDX
# (valid against the 1.6 schema) and OpenVEX 0.2.0 (checked field by field), with their
# evidence, deterministically.  The expectations are first confirmed with nm and readelf:
#   symbol            zstatic (libz.a members)          zdynamic (libz.so.1)
#   inflate           affected: inflate.o pulled in     under investigation: libz.so.1 calls
#                                                       it itself (PLT relocation)
#   gzopen            not affected, code not present   affected: imported
#   crc32             affected                          affected: imported
#   compress          affected                          not affected, not in execute path
#   inflateGetHeader  not affected, not in execute      not affected, not in execute path
#                     path (inflate.o is in, nothing
#                     calls it)
# and a component neither binary uses (libpng16-16) is component_not_present for both.
. "$TOP/tests/e2e/lib.sh"

VALIDATE=$TOP/../shared/tools/validate-sbom
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
[ -r "/usr/lib/$(gcc -print-multiarch)/libz.a" ] || skip "no libz.a (install zlib1g-dev)"

cp -R "$EXAMPLES/zlib-use" src
cd src
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

# The facts the verdicts rest on, seen by binutils.
libz_so=$(readlink -f "$(gcc -print-file-name=libz.so)")
defined() { nm --defined-only "$1" | awk -v s="$2" '$3 == s' | grep -q .; }
imports() { nm -D --undefined-only "$1" | awk -v s="$2" '$2 == s' | grep -q .; }
selfrel() { readelf -rW "$libz_so" | awk -v s="$2" '$5 == s' | grep -q .; }
defined zstatic inflate && defined zstatic compress && defined zstatic inflateGetHeader ||
	die "nm: zstatic lacks inflate, compress or inflateGetHeader"
! defined zstatic gzopen || die "nm: zstatic holds gzopen"
imports zdynamic gzopen && imports zdynamic crc32 || die "nm: zdynamic does not import gzopen/crc32"
! imports zdynamic inflate && ! imports zdynamic compress ||
	die "nm: zdynamic imports inflate or compress"
selfrel x inflate || die "readelf: libz.so.1 has no relocation against inflate"
! selfrel x compress && ! selfrel x inflateGetHeader ||
	die "readelf: libz.so.1 has a relocation against compress or inflateGetHeader"

export SOURCE_DATE_EPOCH=1700000000
vex() { # NAME SYMBOLS FORMAT [ARG...]: write ../NAME.FORMAT.json
	local name=$1 syms=$2 fmt=$3
	shift 3
	"$ASBUILT" vex --db "$DB" --vuln CVE-2022-37434 --component pkg:deb/debian/zlib1g \
		--component pkg:deb/debian/zlib1g-dev --symbols "$syms" --format "$fmt" \
		-o "../$name.$fmt.json" "$@" >../vex.out || die "vex $name $fmt"
	[ ! -s ../vex.out ] || die "vex -o wrote to standard output"
}
for fmt in cyclonedx openvex; do
	for s in inflate gzopen crc32 compress inflateGetHeader; do
		vex "$s" "$s" "$fmt" zstatic zdynamic
	done
	vex all inflate "$fmt" # every binary the build made
	vex again inflate "$fmt" zstatic zdynamic
	"$ASBUILT" vex --db "$DB" --vuln CVE-2099-0001 --component pkg:deb/debian/libpng16-16 \
		--symbols png_read_row --format "$fmt" -o "../absent.$fmt.json" ||
		die "vex absent $fmt"
done
cd ..
cmp inflate.cyclonedx.json again.cyclonedx.json || die "CycloneDX output is not deterministic"
cmp inflate.openvex.json again.openvex.json || die "OpenVEX output is not deterministic"

if [ -x "$VALIDATE" ] && "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$VALIDATE" cyclonedx ./*.cyclonedx.json >&2 || die "CycloneDX 1.6 schema"
elif [ "${CI:-}" = true ]; then
	die "no schema validator ($VALIDATE with python3-jsonschema) under CI=true"
fi

cat >check.py <<'PY'
import json, re, sys

cwd, libz_a, libz_so = sys.argv[1:4]
S, D = "zstatic", "zdynamic"
# (openvex status, justification), per symbol and binary
want = {
    "inflate": {S: ("affected", None), D: ("under_investigation", None)},
    "gzopen": {S: ("not_affected", "vulnerable_code_not_present"), D: ("affected", None)},
    "crc32": {S: ("affected", None), D: ("affected", None)},
    "compress": {S: ("affected", None),
                 D: ("not_affected", "vulnerable_code_not_in_execute_path")},
    "inflateGetHeader": {S: ("not_affected", "vulnerable_code_not_in_execute_path"),
                         D: ("not_affected", "vulnerable_code_not_in_execute_path")},
    "absent": {S: ("not_affected", "component_not_present"),
               D: ("not_affected", "component_not_present")},
}
cdx_state = {"affected": "exploitable", "under_investigation": "in_triage",
             "not_affected": "not_affected"}
cdx_just = {"component_not_present": "code_not_present",
            "vulnerable_code_not_present": "code_not_present",
            "vulnerable_code_not_in_execute_path": "code_not_reachable"}
# evidence each verdict must name
evidence = {
    ("inflate", S): ["member inflate.o of " + libz_a, "the link references it"],
    ("inflate", D): ["libz.so.1 (" + libz_so, "refers to it through its own dynamic relocations"],
    ("gzopen", S): ["a member the link did not pull in does"],
    ("gzopen", D): ["imports gzopen from libz.so.1"],
    ("compress", D): ["exports compress", "names it in no relocation"],
    ("inflateGetHeader", S): ["member inflate.o", "nothing references it"],
}

def fail(msg):
    sys.exit("FAIL: " + msg)

def check_openvex(name):
    d = json.load(open(f"{name}.openvex.json"))
    top = {"@context", "@id", "author", "role", "timestamp", "last_updated", "version",
           "tooling", "statements"}
    for k in ("@context", "@id", "author", "timestamp", "version", "statements"):
        if k not in d:
            fail(f"{name}.openvex: no {k}")
    if set(d) - top:
        fail(f"{name}.openvex: unknown fields {set(d) - top}")
    if d["@context"] != "https://openvex.dev/ns/v0.2.0" or not d["@id"].startswith("urn:uuid:"):
        fail(f"{name}.openvex: @context/@id {d['@context']} {d['@id']}")
    if d["timestamp"] != "2023-11-14T22:13:20Z" or d["version"] != 1:
        fail(f"{name}.openvex: timestamp/version {d['timestamp']} {d['version']}")
    keys = {"@id", "version", "vulnerability", "timestamp", "last_updated", "products",
            "status", "supplier", "status_notes", "justification", "impact_statement",
            "action_statement", "action_statement_timestamp"}
    got = {}
    for st in d["statements"]:
        if set(st) - keys:
            fail(f"{name}.openvex: unknown statement fields {set(st) - keys}")
        if st["vulnerability"] != {"name": "CVE-2022-37434" if name != "absent" else "CVE-2099-0001"}:
            fail(f"{name}.openvex: vulnerability {st['vulnerability']}")
        if st["status"] == "not_affected" and not st.get("justification"):
            fail(f"{name}.openvex: not_affected without justification")
        if st["status"] == "affected" and not st.get("action_statement"):
            fail(f"{name}.openvex: affected without action_statement")
        if len(st["products"]) != 1:
            fail(f"{name}.openvex: {len(st['products'])} products in one statement")
        p = st["products"][0]
        m = re.fullmatch(r"pkg:generic/(z\w+)\?checksum=sha256:([0-9a-f]{64})", p["@id"])
        if not m or p["hashes"]["sha-256"] != m.group(2) or p["identifiers"]["purl"] != p["@id"]:
            fail(f"{name}.openvex: product {p}")
        if m.group(2) != sha[m.group(1)]:
            fail(f"{name}.openvex: {m.group(1)} hash is not the file's")
        subs = [s["@id"] for s in p["subcomponents"]]
        want_sub = {"absent": "pkg:deb/debian/libpng16-16", S: "pkg:deb/debian/zlib1g-dev@",
                    D: "pkg:deb/debian/zlib1g@"}
        key = "absent" if name == "absent" else m.group(1)
        if len(subs) != 1 or not subs[0].startswith(want_sub[key]):
            fail(f"{name}.openvex: subcomponents of {m.group(1)}: {subs}")
        text = st.get("impact_statement") or st.get("status_notes") or ""
        got[m.group(1)] = (st["status"], st.get("justification"), text)
    return got

def check_cyclonedx(name):
    d = json.load(open(f"{name}.cyclonedx.json"))
    if d["metadata"]["timestamp"] != "2023-11-14T22:13:20Z":
        fail(f"{name}.cyclonedx: timestamp {d['metadata']['timestamp']}")
    refs = {c["bom-ref"]: c for c in d["components"]}
    got = {}
    for v in d["vulnerabilities"]:
        if len(v["affects"]) != 1 or v["affects"][0]["ref"] not in refs:
            fail(f"{name}.cyclonedx: affects {v['affects']}")
        c = refs[v["affects"][0]["ref"]]
        if c["hashes"] != [{"alg": "SHA-256", "content": sha[c["name"]]}]:
            fail(f"{name}.cyclonedx: hashes of {c['name']}")
        a = v["analysis"]
        got[c["name"]] = (a["state"], a.get("justification"), a["detail"])
    return got

sha = dict(l.split()[::-1] for l in open("sha"))
for name, verdicts in want.items():
    ovx, cdx = check_openvex(name), check_cyclonedx(name)
    for binary, (status, just) in verdicts.items():
        if ovx.get(binary, (None, None))[:2] != (status, just):
            fail(f"{name} {binary}: openvex {ovx.get(binary)}, want {status} {just}")
        if cdx.get(binary, (None, None))[:2] != (cdx_state[status], cdx_just.get(just)):
            fail(f"{name} {binary}: cyclonedx {cdx.get(binary)}")
        for e in evidence.get((name, binary), []):
            if e not in ovx[binary][2] or e not in cdx[binary][2]:
                fail(f"{name} {binary}: evidence lacks '{e}': {ovx[binary][2]}")
for fmt in ("openvex", "cyclonedx"):
    a, b = open(f"all.{fmt}.json").read(), open(f"inflate.{fmt}.json").read()
    if a != b:
        fail(f"vex without ARTIFACT ({fmt}) differs from naming zstatic and zdynamic")
PY
sha256sum src/zstatic src/zdynamic | sed 's|src/||' >sha
"$PY" check.py "$PWD" "/usr/lib/$(gcc -print-multiarch)/libz.a" "$libz_so" ||
	die "verdicts differ from the expected ones"

# Without SOURCE_DATE_EPOCH the time is the build's end.
unset SOURCE_DATE_EPOCH
end=$(q "SELECT ended_ns / 1000000000 FROM builds WHERE id = $(build_id);")
"$ASBUILT" vex --db "$DB" --vuln CVE-2022-37434 -c pkg:deb/debian/zlib1g --symbols crc32 \
	--format openvex src/zdynamic >noepoch.json || die "vex without SOURCE_DATE_EPOCH"
assert_eq "$(date -u -d "@$end" +%Y-%m-%dT%H:%M:%SZ)" \
	"$("$PY" -c 'import json; print(json.load(open("noepoch.json"))["timestamp"])')" \
	"OpenVEX timestamp without SOURCE_DATE_EPOCH"
