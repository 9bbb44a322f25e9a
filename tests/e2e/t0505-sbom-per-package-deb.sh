#!/bin/bash
# t0505: asbuilt sbom --per-package after a recorded `dpkg-buildpackage -b -uc -us` of
# examples/hello-deb (debhelper compat 13; binary packages hello-deb and libhello0).  One
# output per binary package in every format (spdx, spdx3, cyclonedx, omnibor, slsa), the
# SBOMs valid against the official schemas.  For each .deb the build wrote: every regular
# file `dpkg-deb -c` lists is in that package's SBOM at debian/<package>/<path>, with the
# sha256 of the file `dpkg-deb -x` extracts (computed here), and the product CONTAINS it
# (SLSA: the subjects are exactly those files; OmniBOR: the index gives their gitoids);
# nothing staged for the other package is in it; the product is the package: name,
# version from debian/changelog, purl pkg:deb/<os>/<name>@<version>?arch=<arch>, license
# MIT from debian/copyright.  With --include-sources the program's sources (hello.c,
# greet.h) are reachable from debian/hello-deb/usr/bin/hello, the library's source (greet.c)
# from libhello0's library, and hello.c is not in libhello0's SBOM at all.  Same record,
# same bytes.
#
# Built with DEB_BUILD_OPTIONS=nostrip: dh_dwz and dh_strip rewrite the staged binaries in
# place right after dh_fixperms changed their ctime, and the collector then sometimes hashes
# a read too late ("changed-before-hash": the record is honest, but the link from the
# stripped binary to its sources is lost).  t0506 covers the default build (strip, dwz,
# -dbgsym packages).
. "$TOP/tests/e2e/lib.sh"

PY=/usr/bin/python3
VALIDATE=$TOP/tests/e2e/validate_sbom.py
for t in dpkg-buildpackage dh dpkg-deb; do
	if ! command -v $t >/dev/null; then
		[ "${CI:-}" != true ] || die "$t is missing under CI=true (scripts/install-deps.sh)"
		skip "$t is not installed (debhelper, dpkg-dev)"
	fi
done
[ -x "$PY" ] || skip "no /usr/bin/python3"

cp -r "$EXAMPLES/hello-deb" src
cd src
DEB_BUILD_OPTIONS=nostrip record_ok -- dpkg-buildpackage -b -uc -us
assert_build_ok

for f in spdx spdx3 cyclonedx omnibor slsa; do
	"$ASBUILT" sbom --db "$DB" --format $f --per-package ../pp >../pp-$f.out ||
		die "sbom --format $f --per-package"
	sed "s/^/$f: /" ../pp-$f.out >&2
done
for f in spdx cyclonedx; do
	"$ASBUILT" sbom --db "$DB" --format $f --include-sources --per-package ../src-$f >/dev/null ||
		die "sbom --format $f --include-sources --per-package"
done
"$ASBUILT" sbom --db "$DB" --format spdx --per-package ../again >/dev/null || die "second run"
cd ..
for p in hello-deb libhello0; do
	cmp pp/$p.spdx.json again/$p.spdx.json || die "$p: two runs differ"
done
assert_eq "hello-deb 1.0-1 $(dpkg --print-architecture)  3 files  ../pp/hello-deb.spdx.json" \
	"$(head -n 1 pp-spdx.out)" "the line printed for hello-deb"

# What the .debs hold: package, path, sha256 of every regular file.
debs=$(ls ./*.deb)
[ "$(echo "$debs" | wc -l)" = 2 ] || die "expected two .debs, got: $debs"
for deb in $debs; do
	pkg=$(dpkg-deb -f "$deb" Package)
	mkdir -p "x/$pkg"
	dpkg-deb -x "$deb" "x/$pkg"
	dpkg-deb -c "$deb" | awk '$1 ~ /^-/ { print $NF }' | sed 's|^\./|/|' | while read -r f; do
		printf '%s\t%s\t%s\t%s\n' "$pkg" "$f" "$(sha256 "x/$pkg$f")" "$(gitoid_sha256 "x/$pkg$f")"
	done
done >deb-files.tsv
note "$(cat deb-files.tsv)"
grep -q $'^hello-deb\t/usr/bin/hello\t' deb-files.tsv || die "no /usr/bin/hello in hello-deb's .deb"
grep -q $'^libhello0\t/usr/lib/.*/libhello.so.0.0.0\t' deb-files.tsv || die "no library in libhello0's .deb"

if "$VALIDATE" spdx2 pp/*.spdx.json src-spdx/*.spdx.json >&2 &&
	"$VALIDATE" spdx3 pp/*.spdx3.json >&2 &&
	"$VALIDATE" cyclonedx pp/*.cdx.json src-cyclonedx/*.cdx.json >&2; then
	validated=1
elif ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	[ "${CI:-}" != true ] || die "no python3-jsonschema under CI=true"
	validated=0
else
	die "an SBOM is not valid against its schema"
fi

. /etc/os-release
"$PY" - "$PWD/src" "$ID" "$(dpkg --print-architecture)" <<'PY' || die "per-package SBOM checks"
import json, os, sys

src, osid, arch = sys.argv[1:4]
want = {}  # package -> {absolute staged path: (sha256, gitoid)}
for line in open("deb-files.tsv"):
    pkg, path, sha, gitoid = line.rstrip("\n").split("\t")
    want.setdefault(pkg, {})[f"{src}/debian/{pkg}{path}"] = (sha, gitoid)
assert set(want) == {"hello-deb", "libhello0"}, want.keys()

def reach(edges, start):
    seen, todo = {start}, [start]
    while todo:
        for m in edges.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen

def check_files(pkg, fmt, have):
    """have: {path: sha256} of the files the SBOM lists."""
    for path, (sha, _) in want[pkg].items():
        assert path in have, (pkg, fmt, "missing", path)
        assert have[path] == sha, (pkg, fmt, "sha256 of", path)
    other = [p for p in have if any(p.startswith(f"{src}/debian/{o}/") for o in want if o != pkg)]
    assert not other, (pkg, fmt, "files of the other package", other)

for pkg in want:
    purl_head = f"pkg:deb/{osid}/{pkg}@1.0-1?arch={arch}"
    # SPDX 2.3
    d = json.load(open(f"pp/{pkg}.spdx.json"))
    prod = d["packages"][0]
    assert prod["SPDXID"].startswith("SPDXRef-Product-") and prod["name"] == pkg, prod
    assert prod["versionInfo"] == "1.0-1" and prod["licenseDeclared"] == "MIT", prod
    purls = [r["referenceLocator"] for r in prod["externalRefs"] if r["referenceType"] == "purl"]
    assert len(purls) == 1 and purls[0].startswith(purl_head), purls
    files = {f["SPDXID"]: f for f in d["files"]}
    have = {f["fileName"][1:]: {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}["SHA256"]
            for f in d["files"]}
    check_files(pkg, "spdx", have)
    contained = {files[r["relatedSpdxElement"]]["fileName"][1:] for r in d["relationships"]
                 if r["spdxElementId"] == prod["SPDXID"] and r["relationshipType"] == "CONTAINS"}
    assert contained == set(want[pkg]), (pkg, "product CONTAINS", contained)
    # SPDX 3
    d3 = json.load(open(f"pp/{pkg}.spdx3.json"))
    have = {e["name"]: {h["algorithm"]: h["hashValue"] for h in e["verifiedUsing"]
                        if h["type"] == "Hash"}["sha256"]
            for e in d3["@graph"] if e.get("type") == "software_File"}
    check_files(pkg, "spdx3", have)
    p3 = [e for e in d3["@graph"] if e.get("type") == "software_Package" and e.get("name") == pkg]
    assert p3 and p3[0]["software_packageUrl"].startswith(purl_head), p3
    # CycloneDX
    c = json.load(open(f"pp/{pkg}.cdx.json"))
    m = c["metadata"]["component"]
    assert m["name"] == pkg and m["version"] == "1.0-1" and m["purl"].startswith(purl_head), m
    assert m["licenses"][0]["expression"] == "MIT", m
    have = {x["name"]: {h["alg"]: h["content"] for h in x["hashes"]}["SHA-256"]
            for x in c["components"] if x["type"] == "file"}
    check_files(pkg, "cyclonedx", have)
    # SLSA: the subjects are the package's files, named relative to the build's directory
    s = json.load(open(f"pp/{pkg}.intoto.json"))
    subj = {f"{src}/{x['name']}": x["digest"]["sha256"] for x in s["subject"]}
    assert subj == {p: v[0] for p, v in want[pkg].items()}, (pkg, "slsa subjects", subj)
    # OmniBOR: every artifact the index names is a package file with its gitoid
    idx = [l.rstrip("\n").split("\t") for l in open(f"pp/{pkg}.omnibor/index.tsv")]
    arts = {p: g.split(":")[-1] for p, g, m, k in idx if k == "artifact"}
    assert arts, (pkg, "no manifest")
    for p, g in arts.items():
        assert want[pkg][p][1] == g, (pkg, "omnibor gitoid of", p)
    binary = [p for p in want[pkg] if "/usr/bin/" in p or ".so." in p]
    assert binary and all(p in arts for p in binary), (pkg, "binary without manifest", binary)

# With --include-sources: the sources reach the binaries through the copies and the link.
def spdx_graph(name):
    d = json.load(open(name))
    byname = {f["fileName"][1:]: f["SPDXID"] for f in d["files"]}
    edges = {}
    for r in d["relationships"]:
        if r["relationshipType"] in ("GENERATED_FROM", "STATIC_LINK", "DYNAMIC_LINK"):
            edges.setdefault(r["spdxElementId"], []).append(r["relatedSpdxElement"])
    return byname, edges

def cdx_graph(name):
    c = json.load(open(name))
    byname = {x["name"]: x["bom-ref"] for x in c["components"] if x["type"] == "file"}
    return byname, {x["ref"]: x.get("dependsOn", []) for x in c["dependencies"]}

hello = f"{src}/debian/hello-deb/usr/bin/hello"
lib = [p for p in want["libhello0"] if p.endswith(".so.0.0.0")][0]
for kind, load in (("spdx", spdx_graph), ("cdx", cdx_graph)):
    dirname = "src-spdx" if kind == "spdx" else "src-cyclonedx"
    byname, edges = load(f"{dirname}/hello-deb.{kind}.json")
    r = reach(edges, byname[hello])
    for f in ("hello.c", "greet.h"):
        assert byname.get(f"{src}/{f}") in r, (kind, "hello does not reach", f)
    byname, edges = load(f"{dirname}/libhello0.{kind}.json")
    assert byname.get(f"{src}/greet.c") in reach(edges, byname[lib]), (kind, "lib -/-> greet.c")
    assert f"{src}/hello.c" not in byname, (kind, "hello.c in libhello0's SBOM")
PY
[ "$validated" = 1 ] || skip "schemas not validated: no python3-jsonschema"
