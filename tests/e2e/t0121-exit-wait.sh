#!/bin/bash
# t0121: under preload, a process that read a file of the build waits at its exit until the
# collector has hashed it (so the next step cannot change it first); one that only read
# system files and wrote only to /dev/null does not wait, since nothing in a build changes
# those.  Neither does one that only removed files (the collector takes nothing from a
# removed file), nor one whose reads the collector has already processed (its watermark,
# $ASBUILT_DIR/w, is past them).  The build stops the collector (SIGSTOP), so the ack cannot
# come: `cat` of a system file and `rm` must exit at once, `cat` of the build's own file
# must still be waiting when timeout(1) ends it; a shell that read a file of the build a
# second before, with the collector running, then stopped it, must exit at once too.  Every
# read and the removal are recorded, with the right hashes, once the collector runs again.
. "$TOP/tests/e2e/lib.sh"

echo "data of the build" >data.txt
echo "read a while ago" >early.txt
echo "a temporary" >gone.txt
record_ok -- bash -c '
	c=$(pgrep -P "$PPID" -x asbuilt-collect) || { echo "no collector" >&2; exit 1; }
	kill -STOP "$c"
	timeout 20 cat /etc/hostname >/dev/null; echo "system $?" >status.txt
	timeout 3 cat data.txt >/dev/null; echo "build $?" >>status.txt
	timeout 20 rm gone.txt; echo "rm $?" >>status.txt
	kill -CONT "$c"
	timeout 20 bash -c "read -r l <early.txt; sleep 1; kill -STOP $c"
	echo "early $?" >>status.txt
	kill -CONT "$c"'
assert_eq "system 0
build 124
rm 0
early 0" "$(cat status.txt)" "exit status of (cat of a system file | cat of the build's file | rm | a shell that read early.txt a second before)"
assert_read_by "$(real "$(command -v cat)")" /etc/hostname
assert_read_by "$(real "$(command -v cat)")" data.txt
assert_read_by "$(real "$(command -v bash)")" early.txt
assert_eq 1 "$(q "SELECT count(*) FROM file_events WHERE build_id = $(build_id) AND op = 'unlink'
                  AND result = 0 AND abspath = $(sqlstr "$(abs gone.txt)")")" "the removal of gone.txt"
