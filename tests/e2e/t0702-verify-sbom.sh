#!/bin/bash
# t0702: asbuilt verify --sbom compares the files on disk with an SBOM asbuilt wrote, in each
# of the three formats (SPDX 2.3, SPDX 3.0.1, CycloneDX 1.6; detected from the document).
# Untouched: exit 0 and every file the SBOM lists is checked.  After tampering with greet.h
# and hello: exactly those two are 'changed' (an SBOM with --include-sources lists greet.h;
# one without lists only binaries and generated files, so only hello is), with the
# recorded sha256 taken from the SBOM file itself by jq; exit 1.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

# The sha256 and number of files an SBOM lists, read with jq (independently of asbuilt).
sbom_files() { # FORMAT FILE: "path sha256" lines
	case $1 in
	spdx) jq -r '.files[] | "\(.fileName[1:]) \(.checksums[] | select(.algorithm == "SHA256") | .checksumValue)"' "$2" ;;
	spdx3) jq -r '."@graph"[] | select(.type == "software_File") | "\(.name) \(.verifiedUsing[] | select(.algorithm == "sha256") | .hashValue)"' "$2" ;;
	cyclonedx) jq -r '.components[] | select(.type == "file") | "\(.name) \(.hashes[] | select(.alg == "SHA-256") | .content)"' "$2" ;;
	esac
}

not_ok() {
	jq -r '.files[] | select(.status != "ok") | "\(.status) \(.role) \(.path)"' v.json | sort
}

for fmt in spdx spdx3 cyclonedx; do
	for src in sources binaries; do
		sb=$fmt-$src.json
		if [ $src = sources ]; then
			"$ASBUILT" sbom --db "$DB" --format $fmt --include-sources -o "$sb" || die "sbom $fmt"
		else
			"$ASBUILT" sbom --db "$DB" --format $fmt -o "$sb" || die "sbom $fmt"
		fi
		sbom_files $fmt "$sb" | sort -u >listed.txt
		[ -s listed.txt ] || die "$sb lists no file"
		rc=0
		"$ASBUILT" verify --sbom "$sb" --json >v.json || rc=$?
		assert_eq 0 "$rc" "$sb: verify of an untouched build"
		assert_empty "$(not_ok)" "$sb: findings that are not ok"
		assert_eq "$(cut -d' ' -f1 listed.txt | sort -u | wc -l)" "$(jq .summary.checked v.json)" \
			"$sb: every listed path is checked"
		assert_eq "$(jq -r '.files[] | "\(.path) \(.recorded_sha256)"' v.json | sort)" \
			"$(sort listed.txt)" "$sb: the recorded sha256 are the SBOM's"

		old_h=$(sha256 greet.h) old_hello=$(sha256 hello)
		cp greet.h greet.h.orig && cp hello hello.orig
		echo '/* tampered */' >>greet.h
		printf 'X' >>hello
		rc=0
		"$ASBUILT" verify --sbom "$sb" --json >v.json || rc=$?
		assert_eq 1 "$rc" "$sb: verify after tampering"
		if [ $src = sources ]; then
			want="changed artifact $PWD/hello
changed input $PWD/greet.h"
		else
			want="changed artifact $PWD/hello"
		fi
		assert_eq "$want" "$(not_ok)" "$sb: exactly the tampered files"
		assert_eq "$old_hello $(sha256 hello)" \
			"$(jq -r --arg p "$PWD/hello" '.files[] | select(.path == $p) | "\(.recorded_sha256) \(.current_sha256)"' v.json)" \
			"$sb: hello recorded and current sha256"
		mv greet.h.orig greet.h && mv hello.orig hello
		[ "$(sha256 greet.h)" = "$old_h" ] || die "greet.h not restored"
	done
	# the format is named in nothing but the document: a renamed file works the same
	cp $fmt-sources.json renamed.txt
	"$ASBUILT" verify --sbom renamed.txt --quiet || die "$fmt: verify of a renamed SBOM"
done
