#!/bin/bash
# t0507: asbuilt sbom --per-package after a recorded rpmbuild (examples/hello-deb/rpm/
# hello.spec: binary packages hello and libhello0).  The packages and their files come from
# the .rpm files the build wrote (read with librpm); each file is the version the build
# wrote under BUILDROOT (which rpmbuild removes at the end: the record still has it).  For
# each .rpm: every regular file `rpm -qp --dump` lists is in its SBOM at
# BUILDROOT/<nvra><path> with the sha256 the .rpm records for it, and nothing of the other
# package is; the product is the package (name, version-release, purl
# pkg:rpm/<os>/<name>@1.0-1?arch=..., license MIT from the spec); the program reaches
# hello.c; SLSA subjects are the package's files.  The debian/ directory of the same tree
# gives no Debian package (nothing was staged there).  Schema-valid.
. "$TOP/tests/e2e/lib.sh"

PY=/usr/bin/python3
VALIDATE=$TOP/tests/e2e/validate_sbom.py
if ! command -v rpmbuild >/dev/null; then
	[ "${CI:-}" != true ] || die "rpmbuild is missing under CI=true (scripts/install-deps.sh: rpm)"
	skip "rpmbuild is not installed"
fi
[ -x "$PY" ] || skip "no /usr/bin/python3"

cp -r "$EXAMPLES/hello-deb" src
cd src
record_ok -- rpmbuild -bb --define "_topdir $PWD/rpmbuild" --define "_sourcedir $PWD" rpm/hello.spec
assert_build_ok
for f in spdx spdx3 cyclonedx slsa; do
	src=--include-sources
	[ $f != slsa ] || src=
	"$ASBUILT" sbom --db "$DB" --format $f $src --per-package ../pp >../pp-$f.out ||
		die "sbom --format $f --per-package"
done
cat ../pp-spdx.out >&2
cd ..
[ "$(cut -d' ' -f1 pp-spdx.out | tr '\n' ' ')" = "hello libhello0 " ] ||
	die "expected the packages hello and libhello0: $(cat pp-spdx.out)"

for rpm in src/rpmbuild/RPMS/*/*.rpm; do
	name=$(rpm -qp --qf '%{NAME}' "$rpm" 2>/dev/null)
	# path size mtime digest mode ...: regular files (mode 0100xxx) only
	rpm -qp --dump "$rpm" 2>/dev/null | awk -v n="$name" '$5 ~ /^0100/ { print n "\t" $1 "\t" $4 }'
done >rpm-files.tsv
note "$(cat rpm-files.tsv)"
[ "$(wc -l <rpm-files.tsv)" -ge 2 ] || die "rpm --dump listed no files"

if "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$VALIDATE" spdx2 pp/*.spdx.json >&2 || die "not valid: spdx2 pp/*.spdx.json"
	"$VALIDATE" spdx3 pp/*.spdx3.json >&2 || die "not valid: spdx3 pp/*.spdx3.json"
	"$VALIDATE" cyclonedx pp/*.cdx.json >&2 || die "not valid: cyclonedx pp/*.cdx.json"
elif [ "${CI:-}" = true ]; then
	die "no python3-jsonschema under CI=true"
else
	note "schemas not validated: no python3-jsonschema"
fi

. /etc/os-release
"$PY" - "$PWD/src" "$ID" <<'PY' || die "per-package SBOM checks"
import glob, json, sys

src, osid = sys.argv[1:3]
root = glob.glob(f"{src}/rpmbuild/BUILDROOT")[0] + "/hello-1.0-1."
want = {}
for line in open("rpm-files.tsv"):
    pkg, path, sha = line.rstrip("\n").split("\t")
    want.setdefault(pkg, {})[path] = sha

for pkg, files in want.items():
    d = json.load(open(f"pp/{pkg}.spdx.json"))
    prod = d["packages"][0]
    purl = [r["referenceLocator"] for r in prod["externalRefs"] if r["referenceType"] == "purl"][0]
    assert purl.startswith(f"pkg:rpm/{osid}/{pkg}@1.0-1?arch="), purl
    assert prod["versionInfo"] == "1.0-1" and prod["licenseDeclared"] == "MIT", prod
    have = {}
    for f in d["files"]:
        have.setdefault(f["fileName"][1:], set()).add(
            {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}["SHA256"])
    byid = {f["SPDXID"]: f for f in d["files"]}
    contains = [byid[r["relatedSpdxElement"]] for r in d["relationships"]
                if r["spdxElementId"] == prod["SPDXID"] and r["relationshipType"] == "CONTAINS"]
    got = {}
    for f in contains:
        assert f["fileName"].startswith("." + root), (pkg, f["fileName"])
        inside = f["fileName"][1:].split("/BUILDROOT/", 1)[1].split("/", 1)[1]
        got["/" + inside] = {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}["SHA256"]
    assert got == files, (pkg, "files", got, "rpm says", files)
    staged = {"/" + n.split("/BUILDROOT/", 1)[1].split("/", 1)[1] for n in have
              if "/BUILDROOT/" in n}
    for other in want:
        if other != pkg:
            assert not staged & set(want[other]), (pkg, "lists files of", other)
    s = json.load(open(f"pp/{pkg}.intoto.json"))
    assert sorted(x["digest"]["sha256"] for x in s["subject"]) == sorted(files.values()), s["subject"]
    c = json.load(open(f"pp/{pkg}.cdx.json"))
    assert c["metadata"]["component"]["purl"] == purl, c["metadata"]["component"]

d = json.load(open("pp/hello.spdx.json"))
byname = {f["fileName"][1:]: f["SPDXID"] for f in d["files"]}
edges = {}
for r in d["relationships"]:
    if r["relationshipType"] in ("GENERATED_FROM", "STATIC_LINK", "DYNAMIC_LINK"):
        edges.setdefault(r["spdxElementId"], []).append(r["relatedSpdxElement"])
start = [i for n, i in byname.items() if n.endswith("/usr/bin/hello") and "/BUILDROOT/" in n]
seen, todo = set(start), list(start)
while todo:
    for m in edges.get(todo.pop(), ()):
        if m not in seen:
            seen.add(m)
            todo.append(m)
assert byname[f"{src}/hello.c"] in seen, "hello does not reach hello.c"
PY
