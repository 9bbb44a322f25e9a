#!/bin/bash
# t0121: under preload, a process that read a file of the build waits at its exit until the
# collector has hashed it (so the next step cannot change it first); one that only read
# system files and wrote only to /dev/null does not wait, since nothing in a build changes
# those.  The build stops the collector (SIGSTOP), so the ack cannot come: `cat` of a system
# file must exit at once, `cat` of the build's own file must still be waiting when
# timeout(1) ends it.  Both reads are recorded with the right hashes once the collector runs
# again.
. "$TOP/tests/e2e/lib.sh"

echo "data of the build" >data.txt
record_ok -- bash -c '
	c=$(pgrep -P "$PPID" -x asbuilt-collect) || { echo "no collector" >&2; exit 1; }
	kill -STOP "$c"
	timeout 20 cat /etc/hostname >/dev/null; echo "system $?" >status.txt
	timeout 3 cat data.txt >/dev/null; echo "build $?" >>status.txt
	kill -CONT "$c"'
assert_eq "system 0
build 124" "$(cat status.txt)" "exit status of cat (system file | file of the build)"
assert_read_by "$(real "$(command -v cat)")" /etc/hostname
assert_read_by "$(real "$(command -v cat)")" data.txt
