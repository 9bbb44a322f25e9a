#!/bin/bash
# t0501: asbuilt sbom writes SPDX 2.3, SPDX 3.0.1 and CycloneDX 1.6 for a recorded build of
# examples/hello-make, each valid against its official schema, and right in what the
# schemas cannot check: no dangling SPDX relationship, SHA1 and SHA256 on every SPDX file,
# every hash equal to the real hash of the file on disk, the libc6-dev header under a
# package whose purl has the installed version, hello reaching greet.c through libgreet.a
# (SPDX relationships and CycloneDX dependencies), and a complete record said complete.
. "$TOP/tests/e2e/lib.sh"

# The official schemas from ../shared/schemas, checked by validate_sbom.py: the same check as
# ../shared/tools/validate-sbom, with SPDX 3 made fast (its header says how; the plain run
# took 2-3.5 minutes per SPDX 3 document of this example).
VALIDATE=$TOP/tests/e2e/validate_sbom.py
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
command -v dpkg-query >/dev/null || skip "no dpkg (the libc6-dev check needs it)"

cp -r "$EXAMPLES/hello-make" src
cd src
make clean >/dev/null
record_ok -- make
assert_build_ok

for f in spdx spdx3 cyclonedx; do
	"$ASBUILT" sbom --db "$DB" --format $f -o ../$f.json || die "sbom --format $f"
	"$ASBUILT" sbom --db "$DB" --format $f --include-sources -o ../$f-src.json ||
		die "sbom --format $f --include-sources"
done
cd ..

# Schema validation: a missing validator is a skip, under CI=true a failure.
if [ -x "$VALIDATE" ] && "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$VALIDATE" spdx2 spdx.json spdx-src.json >&2 || die "SPDX 2.3 schema"
	"$VALIDATE" spdx3 spdx3.json spdx3-src.json >&2 || die "SPDX 3.0.1 schema"
	"$VALIDATE" cyclonedx cyclonedx.json cyclonedx-src.json >&2 || die "CycloneDX 1.6 schema"
	validated=1
elif [ "${CI:-}" = true ]; then
	die "no schema validator ($VALIDATE with python3-jsonschema) under CI=true"
else
	validated=0
fi

cat >check.py <<'PY'
import hashlib, json, os, sys, urllib.parse

cwd, libc_dev_ver = sys.argv[1:3]

def real_hashes(path):
    try:
        data = open(path, "rb").read()
    except OSError:
        return None
    return {"SHA1": hashlib.sha1(data).hexdigest(), "SHA256": hashlib.sha256(data).hexdigest()}

def reach(edges, start, goal):
    """goal is reachable from start along edges."""
    seen, todo = {start}, [start]
    while todo:
        for m in edges.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return goal in seen

def check_spdx(name, with_sources):
    d = json.load(open(name))
    files = {f["SPDXID"]: f for f in d.get("files", [])}
    pkgs = {p["SPDXID"]: p for p in d.get("packages", [])}
    ids = set(files) | set(pkgs) | {d["SPDXID"]}
    for r in d["relationships"]:
        for k in ("spdxElementId", "relatedSpdxElement"):
            assert r[k] in ids, (name, "dangling", r)
    by_path = {}
    for f in files.values():
        algs = {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}
        assert "SHA1" in algs and "SHA256" in algs, (name, "file without SHA1/SHA256", f["fileName"])
        path = f["fileName"][1:]
        by_path[path] = f["SPDXID"]
        real = real_hashes(path)
        if real and path.startswith(cwd + "/"):
            assert algs["SHA256"] == real["SHA256"] and algs["SHA1"] == real["SHA1"], (name, path)
        elif real:
            # a file outside the build tree may have been replaced since; never a wrong
            # hash for what is there unless its content changed
            if algs["SHA256"] == real["SHA256"]:
                assert algs["SHA1"] == real["SHA1"], (name, path, "SHA1")
    edges = {}
    for r in d["relationships"]:
        t = r["relationshipType"]
        a, b = r["spdxElementId"], r["relatedSpdxElement"]
        if t in ("GENERATED_FROM", "STATIC_LINK", "DYNAMIC_LINK"):
            edges.setdefault(a, []).append(b)
    hello, lib = by_path[cwd + "/hello"], by_path[cwd + "/libgreet.a"]
    assert lib in edges[hello], (name, "hello STATIC_LINK libgreet.a missing")
    assert any(r["relationshipType"] == "STATIC_LINK" and r["spdxElementId"] == hello
               and r["relatedSpdxElement"] == lib for r in d["relationships"]), name
    if with_sources:
        greet_c = by_path[cwd + "/greet.c"]
        assert reach(edges, lib, greet_c), (name, "libgreet.a does not reach greet.c")
        # the libc6-dev header is in a package with the installed version's purl
        stdio = by_path["/usr/include/stdio.h"]
        owners = [r["spdxElementId"] for r in d["relationships"]
                  if r["relationshipType"] == "CONTAINS" and r["relatedSpdxElement"] == stdio]
        purls = [urllib.parse.unquote(e["referenceLocator"]) for o in owners
                 for e in pkgs[o].get("externalRefs", []) if e["referenceType"] == "purl"]
        assert any(p.startswith("pkg:deb/") and "/libc6-dev@" + libc_dev_ver + "?" in p
                   for p in purls), (name, purls)
    else:
        assert cwd + "/greet.c" not in by_path, (name, "a source file without --include-sources")
        # hello still reaches the project through libgreet.a -> greet.o
        proj = [i for i, p in pkgs.items() if "project component" in p.get("comment", "")]
        assert proj and reach(edges, lib, proj[0]), (name, "libgreet.a does not reach the project")
    assert "complete." in d.get("comment", "") and "INCOMPLETE" not in d["comment"], d.get("comment")

def check_cdx(name, with_sources):
    d = json.load(open(name))
    comps = {c["bom-ref"]: c for c in d["components"]}
    comps[d["metadata"]["component"]["bom-ref"]] = d["metadata"]["component"]
    by_path = {}
    for c in comps.values():
        if c.get("type") != "file":
            continue
        by_path[c["name"]] = c["bom-ref"]
        h = {x["alg"]: x["content"] for x in c.get("hashes", [])}
        real = real_hashes(c["name"])
        if real and c["name"].startswith(cwd + "/"):
            assert h["SHA-256"] == real["SHA256"] and h.get("SHA-1") == real["SHA1"], (name, c["name"])
    deps = {x["ref"]: x.get("dependsOn", []) for x in d["dependencies"]}
    for ref, on in deps.items():
        assert ref in comps and all(o in comps for o in on), (name, "dangling", ref)
    hello, lib = by_path[cwd + "/hello"], by_path[cwd + "/libgreet.a"]
    assert lib in deps[hello], (name, "hello does not depend on libgreet.a")
    if with_sources:
        assert reach(deps, lib, by_path[cwd + "/greet.c"]), (name, "libgreet.a -/-> greet.c")
    assert d["compositions"][0]["aggregate"] == "complete", d["compositions"]

check_spdx("spdx.json", False)
check_spdx("spdx-src.json", True)
check_cdx("cyclonedx.json", False)
check_cdx("cyclonedx-src.json", True)
d3 = json.load(open("spdx3-src.json"))
assert any(e.get("type") == "build_Build" for e in d3["@graph"]), "no build_Build in SPDX 3"
PY
"$PY" check.py "$PWD/src" "$(dpkg-query -W -f='${Version}' libc6-dev)" ||
	die "semantic checks of the SBOMs"
[ "$validated" = 1 ] || skip "schemas not validated: no $VALIDATE or python3-jsonschema"
