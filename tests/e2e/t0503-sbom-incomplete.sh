#!/bin/bash
# t0503: a record that is not complete (a static binary exec'd under the preload backend,
# which cannot see inside it) gives SBOMs that say so in each format's own terms
# (docs/sbom-mapping.md, "Completeness"): the SPDX 2.3 document comment says INCOMPLETE and
# an annotation names the reason and the binary; CycloneDX's composition aggregate is
# "incomplete" with an asbuilt:incomplete property; SPDX 3 says it in the document comment
# and in the completeness of the build relationships.
. "$TOP/tests/e2e/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
cat >stat.c <<'C'
#include <stdio.h>
int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "r");
	int n = 0;
	while (f && fgetc(f) != EOF)
		n++;
	printf("%d\n", n);
	return 0;
}
C
gcc -static -O0 -o stathelper stat.c 2>/dev/null || skip "gcc -static does not work (no libc.a?)"
echo "static input" >in.txt
record -- sh -c './stathelper in.txt >count.txt'
assert_eq 0 "$REC_STATUS" "record exit status"
assert_eq "0|1" "$(q "SELECT complete, (SELECT count(*) FROM incomplete WHERE reason = 'static-binary')
                     FROM builds WHERE id = 1;")" "complete|static-binary rows"

for f in spdx spdx3 cyclonedx; do
	"$ASBUILT" sbom --db "$DB" --format $f -o $f.json || die "sbom --format $f"
done
"$PY" - "$PWD" <<'PY' || die "the SBOMs do not say the record is incomplete"
import json, sys
cwd = sys.argv[1]
d = json.load(open("spdx.json"))
assert "INCOMPLETE" in d["comment"] and "static-binary" in d["comment"], d["comment"]
notes = [a["comment"] for a in d.get("annotations", [])]
assert any(n.startswith("asbuilt:incomplete: static-binary") and "stathelper" in n
           for n in notes), notes
assert any(f["fileName"] == "." + cwd + "/count.txt" for f in d["files"]), "count.txt not listed"
c = json.load(open("cyclonedx.json"))
assert c["compositions"][0]["aggregate"] == "incomplete", c["compositions"]
props = {(p["name"], p["value"]) for p in c["metadata"].get("properties", [])}
assert ("asbuilt:complete", "false") in props, props
assert any(n == "asbuilt:incomplete" and "static-binary" in v for n, v in props), props
s = json.load(open("spdx3.json"))
docs = [e for e in s["@graph"] if e.get("type") == "SpdxDocument"]
assert docs and "INCOMPLETE" in docs[0].get("comment", ""), docs
PY
