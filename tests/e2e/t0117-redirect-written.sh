#!/bin/bash
# t0117: output written through a shell redirect (`cmd > out`) is hashed when the program
# the shell child exec'd has written it, not at the exec: one 'written' version with the
# final content's hash, written by that program, and no 'external' version after it.  Also
# a configure-like chain of appends (`cat >> f` three times) and a generator writing
# through a redirect into a file another step then reads: the record is complete and
# every version has the hash of what was there.
. "$TOP/tests/e2e/lib.sh"

printf 'one\n' >part1
printf 'two\n' >part2
cat >gen.sh <<'EOF'
sleep 0.3
echo "#define GENERATED 1"
EOF
record_ok -- bash -c '(exec sh gen.sh) > out.h
	cat out.h > copy.h
	: > chain
	cat part1 >> chain
	cat part2 >> chain
	cat part1 >> chain
	cat chain > chain.copy'
assert_build_ok

newest() { # PATH: origin|state|sha256 of PATH's newest version
	q "SELECT origin, state, sha256 FROM file_versions WHERE build_id = 1 AND path = '$PWD/$1'
	   ORDER BY vseq DESC LIMIT 1;"
}
for f in out.h copy.h chain chain.copy; do
	assert_eq "written|ok|$(sha256 "$f")" "$(newest "$f")" "$f: the newest version is what was written"
done
assert_eq 1 "$(q "SELECT count(*) FROM file_versions WHERE build_id = 1 AND path = '$PWD/out.h';")" \
	"out.h: one version (not an empty one at the exec plus an 'external' one)"
assert_empty "$(q "SELECT path FROM file_versions WHERE build_id = 1 AND origin = 'external';")" \
	"versions changed by something the record did not see"
# out.h was written by the program the redirecting shell child exec'd (sh gen.sh).
assert_eq "$(argv_hex sh gen.sh)" \
	"$(q "SELECT $(argv_col p.argv) FROM file_versions v JOIN processes p ON p.id = v.writer_id
	      WHERE v.build_id = 1 AND v.path = '$PWD/out.h';")" \
	"the writer of out.h"
# copy.h was read as the version gen.sh wrote.
assert_eq "$(sha256 out.h)" \
	"$(q "SELECT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.build_id = 1 AND e.access = 'read' AND v.path = '$PWD/out.h';")" \
	"the read of out.h saw gen.sh's content"
