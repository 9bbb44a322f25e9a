#!/bin/bash
# t0705: asbuilt diff of two SBOMs of the same format (SPDX 2.3, SPDX 3.0.1, CycloneDX 1.6)
# written by asbuilt sbom --include-sources for two builds of examples/hello-make in two
# directories (B: greet.h changed, CFLAGS += -DEXTRA) reports the same inputs, intermediate
# files and artifacts as the diff of the two databases; SPDX 3 and CycloneDX, which carry
# the build steps, the same steps too (SPDX 2.3 has none).  An SBOM with itself: exit 0.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
mkdir a b
cp -R "$EXAMPLES/hello-make/." a/
cp -R "$EXAMPLES/hello-make/." b/
(cd a && make clean >/dev/null)
(cd b && make clean >/dev/null && echo '/* changed in B */' >>greet.h)
(cd a && DB=$PWD/../a.db record_ok -- make -j2 CC=gcc) || die "record a"
(cd b && DB=$PWD/../b.db record_ok -- make -j2 CC=gcc 'CFLAGS=-O2 -g -DEXTRA') || die "record b"

rc=0
"$ASBUILT" diff --json a.db b.db >db.json || rc=$?
assert_eq 1 "$rc" "diff of the databases"
keys() { # FILE SECTION: "change key" lines, sorted
	jq -r --arg s "$2" '.differences[] | select(.section == $s) | "\(.change) \(.key)"' "$1" | sort
}
for fmt in spdx spdx3 cyclonedx; do
	"$ASBUILT" sbom --db a.db --format $fmt --include-sources -o a.$fmt.json || die "sbom a $fmt"
	"$ASBUILT" sbom --db b.db --format $fmt --include-sources -o b.$fmt.json || die "sbom b $fmt"
	rc=0
	"$ASBUILT" diff --json a.$fmt.json b.$fmt.json >$fmt.json || rc=$?
	assert_eq 1 "$rc" "$fmt: diff of two different builds"
	assert_eq "changed greet.h" "$(keys $fmt.json input)" "$fmt: inputs"
	assert_eq "changed hello" "$(keys $fmt.json artifact)" "$fmt: artifacts"
	assert_eq "$(keys db.json intermediate)" "$(keys $fmt.json intermediate)" "$fmt: intermediate files"
	assert_eq "changed project" "$(keys $fmt.json component)" "$fmt: components"
	assert_empty "$(keys $fmt.json tool)" "$fmt: tools"
	if [ $fmt = spdx ]; then
		assert_empty "$(keys $fmt.json step)" "spdx: steps (SPDX 2.3 has none)"
	else
		assert_eq "$(keys db.json step)" "$(keys $fmt.json step)" "$fmt: steps"
		assert_eq '["-DEXTRA"]' \
			"$(jq -c '[.differences[] | select(.section == "step") | .argv_added] | unique | add' $fmt.json)" \
			"$fmt: the words added to the steps"
	fi
	"$ASBUILT" diff a.$fmt.json a.$fmt.json >same.txt || die "$fmt: an SBOM differs from itself"
done
