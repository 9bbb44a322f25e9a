#!/bin/bash
# t0506: asbuilt sbom --per-package after a default `dpkg-buildpackage -b -uc -us` of
# examples/hello-deb: dh_dwz and dh_strip rewrite the staged binaries in place and debhelper
# makes the automatic hello-deb-dbgsym and libhello0-dbgsym packages (staged under
# debian/.debhelper/<package>/dbgsym-root).  One SBOM per .deb the build wrote (four), each
# listing every regular file of its .deb with the sha256 of the file dpkg-deb extracts
# (the stripped binaries: their final versions), none of another package's files (by path,
# and the stripped library by its hash too), schema-valid.  When the record is complete the
# stripped program still reaches its sources through the strip, dwz and copy steps; when the
# collector lost a hash to a rewrite (see t0505) the record and every SBOM say incomplete.
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
record --allow-incomplete -- dpkg-buildpackage -b -uc -us
assert_eq 0 "$REC_STATUS" "record exit status (--allow-incomplete)"
complete=$(q "SELECT complete FROM builds WHERE id = $(build_id);")
note "record complete: $complete; $(q "SELECT group_concat(reason || ' ' || detail, '; ') FROM incomplete;")"
for f in spdx cyclonedx; do
	"$ASBUILT" sbom --db "$DB" --format $f --include-sources --per-package ../pp >../pp-$f.out \
		2>../pp-$f.err || die "sbom --format $f --per-package: $(cat ../pp-$f.err)"
	cat ../pp-$f.out ../pp-$f.err >&2
done
cd ..
[ "$(wc -l <pp-spdx.out)" = 4 ] || die "expected 4 packages: $(cat pp-spdx.out)"

for deb in ./*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	mkdir -p "x/$pkg"
	dpkg-deb -x "$deb" "x/$pkg"
	dpkg-deb -c "$deb" | awk '$1 ~ /^-/ { print $NF }' | sed 's|^\./|/|' | while read -r f; do
		printf '%s\t%s\t%s\n' "$pkg" "$f" "$(sha256 "x/$pkg$f")"
	done
done >deb-files.tsv
[ "$(cut -f1 deb-files.tsv | sort -u | tr '\n' ' ')" = "hello-deb hello-deb-dbgsym libhello0 libhello0-dbgsym " ] ||
	die "unexpected packages: $(cut -f1 deb-files.tsv | sort -u)"

if "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$VALIDATE" spdx2 pp/*.spdx.json >&2 || die "not valid: spdx2 pp/*.spdx.json"
	"$VALIDATE" cyclonedx pp/*.cdx.json >&2 || die "not valid: cyclonedx pp/*.cdx.json"
elif [ "${CI:-}" = true ]; then
	die "no python3-jsonschema under CI=true"
else
	note "schemas not validated: no python3-jsonschema"
fi

"$PY" - "$PWD/src" "$complete" <<'PY' || die "per-package SBOM checks"
import json, sys

src, complete = sys.argv[1], sys.argv[2] == "1"
want = {}
for line in open("deb-files.tsv"):
    pkg, path, sha = line.rstrip("\n").split("\t")
    stage = f"{src}/debian/.debhelper/{pkg[:-7]}/dbgsym-root" if pkg.endswith("-dbgsym") \
        else f"{src}/debian/{pkg}"
    want.setdefault(pkg, {})[stage + path] = sha
lib_sha = [s for p, s in want["libhello0"].items() if p.endswith(".so.0.0.0")][0]

for pkg, files in want.items():
    d = json.load(open(f"pp/{pkg}.spdx.json"))
    have = {}
    for f in d["files"]:
        have.setdefault(f["fileName"][1:], set()).add(
            {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}["SHA256"])
    prod = d["packages"][0]
    contains = {r["relatedSpdxElement"] for r in d["relationships"]
                if r["spdxElementId"] == prod["SPDXID"] and r["relationshipType"] == "CONTAINS"}
    byid = {f["SPDXID"]: f for f in d["files"]}
    contained = {byid[i]["fileName"][1:]: {c["algorithm"]: c["checksumValue"]
                 for c in byid[i]["checksums"]}["SHA256"] for i in contains}
    assert contained == files, (pkg, "the product contains", contained, "not", files)
    for other in want:
        if other != pkg:
            clash = [p for p in have if p in want[other]]
            assert not clash, (pkg, "lists files of", other, clash)
    if pkg == "hello-deb":
        assert not any(lib_sha in s for s in have.values()), "the packaged library is in hello-deb"
    if not complete:
        assert "INCOMPLETE" in d["comment"], (pkg, d["comment"])
        continue
    edges = {}
    for r in d["relationships"]:
        if r["relationshipType"] in ("GENERATED_FROM", "STATIC_LINK", "DYNAMIC_LINK"):
            edges.setdefault(r["spdxElementId"], []).append(r["relatedSpdxElement"])
    if pkg == "hello-deb":
        start = [i for i in contains if byid[i]["fileName"].endswith("/usr/bin/hello")][0]
        seen, todo = {start}, [start]
        while todo:
            for m in edges.get(todo.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        names = {byid[i]["fileName"][1:] for i in seen if i in byid}
        assert f"{src}/hello.c" in names, ("stripped hello does not reach hello.c", sorted(names))
PY
[ "$complete" = 1 ] || note "record incomplete (a hash lost to an in-place rewrite): reachability not checked"
