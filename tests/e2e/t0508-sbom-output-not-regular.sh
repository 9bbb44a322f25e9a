#!/bin/bash
# t0508: -o naming something that is not a regular file is written through, never replaced
# by the usual temporary-and-rename: a FIFO gets the document (a reader sees all of it) and
# stays a FIFO; a symlink stays a symlink and its target gets the document.  (As root,
# `sbom -o /dev/null` used to turn /dev/null into a regular file.)  The same holds for
# graph and vex, which write through the same helper.
. "$TOP/tests/e2e/lib.sh"

record_ok -- sh -c 'echo hi >out.txt'

mkfifo pipe
timeout 20 cat pipe >from-pipe.json &
reader=$!
"$ASBUILT" sbom --db "$DB" --format cyclonedx -o pipe || die "sbom -o FIFO failed"
wait "$reader" || :
[ -p pipe ] || die "the FIFO was replaced"
"$ASBUILT" sbom --db "$DB" --format cyclonedx -o direct.json
assert_eq "$(jq -S 'del(.metadata.timestamp, .serialNumber)' direct.json)" \
	"$(jq -S 'del(.metadata.timestamp, .serialNumber)' from-pipe.json)" \
	"the document read from the FIFO"

ln -s target.json link.json
"$ASBUILT" sbom --db "$DB" --format spdx -o link.json || die "sbom -o symlink failed"
[ -L link.json ] || die "the symlink was replaced"
assert_eq SPDX-2.3 "$(jq -r .spdxVersion target.json)" "the symlink's target holds the document"

mkfifo gpipe
timeout 20 cat gpipe >graph.dot &
reader=$!
"$ASBUILT" graph --db "$DB" --format dot -o gpipe || die "graph -o FIFO failed"
wait "$reader" || :
[ -p gpipe ] || die "graph replaced the FIFO"
grep -q '^digraph' graph.dot || die "graph wrote no dot document through the FIFO"
