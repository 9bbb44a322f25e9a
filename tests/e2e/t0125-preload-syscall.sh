#!/bin/bash
# t0125: under the preload backend, file system calls a program makes by number through
# libc's syscall() are recorded like the libc calls (openat, open, openat2 for writing,
# rename, unlink), and what the interposer cannot follow is said, never left out quietly:
# an io_uring made through syscall() or liburing.so (its submissions read and write files
# without a call any hook sees) marks the record incomplete ('io-uring'), and so does a Go
# program (Go's runtime makes every system call itself, even when linked dynamically:
# 'raw-syscalls'), recognised by the build ID note every Go executable carries.  With a Go
# toolchain installed (required under CI=true), a real Go program (cgo, so linked
# dynamically) is checked as well; likewise a ring made by liburing.so.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
cat >bynum.c <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void drain(long fd, const char *what)
{
	char b[256];

	if (fd < 0) { perror(what); _exit(1); }
	while (read((int)fd, b, sizeof b) > 0)
		;
	syscall(SYS_close, fd);
}

int main(int argc, char **argv)
{
	struct open_how how;
	struct io_uring_params p;
	long fd;

	drain(syscall(SYS_openat, AT_FDCWD, "a.txt", O_RDONLY), "openat");
	drain(syscall(SYS_open, "b.txt", O_RDONLY), "open");
	memset(&how, 0, sizeof how);
	how.flags = O_WRONLY | O_CREAT | O_TRUNC;
	how.mode = 0644;
	fd = syscall(SYS_openat2, AT_FDCWD, "tmp.txt", &how, sizeof how);
	if (fd < 0 || write((int)fd, "made by openat2\n", 16) != 16) { perror("openat2"); return 1; }
	close((int)fd);
	if (syscall(SYS_rename, "tmp.txt", "out.txt") || syscall(SYS_unlink, "gone.txt")) {
		perror("rename/unlink");
		return 1;
	}
	if (argc > 1) { /* a ring: nothing submitted, but the record cannot vouch for it */
		memset(&p, 0, sizeof p);
		fd = syscall(SYS_io_uring_setup, 4, &p);
		if (fd < 0) { perror("io_uring_setup"); return 1; }
		close((int)fd);
	}
	return 0;
}
EOF
gcc -O0 -o bynum bynum.c || die "cannot compile bynum.c"
BYNUM=$(real bynum)
echo a >a.txt
echo b >b.txt

# calls by number: recorded, with the files' hashes; the record is complete
touch gone.txt
record_ok -- ./bynum
assert_build_ok
assert_read_by "$BYNUM" a.txt "syscall(SYS_openat)"
assert_read_by "$BYNUM" b.txt "syscall(SYS_open)"
assert_written out.txt "syscall(SYS_openat2) then syscall(SYS_rename)"
assert_eq "rename|$PWD/tmp.txt|$PWD/out.txt" \
	"$(q "SELECT e.op, e.abspath, e.abspath2 FROM file_events e JOIN processes p ON p.id = e.process_id
	      WHERE p.exe = '$BYNUM' AND e.op = 'rename';")" "syscall(SYS_rename): op|from|to"
assert_eq "unlink|$PWD/gone.txt" \
	"$(q "SELECT e.op, e.abspath FROM file_events e JOIN processes p ON p.id = e.process_id
	      WHERE p.exe = '$BYNUM' AND e.op = 'unlink';")" "syscall(SYS_unlink): op|path"

# an io_uring made through syscall(): incomplete, naming the process
rm -f "$DB"
touch gone.txt
record -- ./bynum ring
assert_eq 0 "$REC_STATUS" "ring: record exits with the build's status (preload warns)"
assert_eq "0|io-uring|$BYNUM" \
	"$(q "SELECT b.complete, i.reason, p.exe FROM builds b JOIN incomplete i ON i.build_id = b.id
	      JOIN processes p ON p.id = i.process_id;")" "ring: complete|reason|process"
grep -q 'io-uring' record.err || die "ring: record did not warn"

# a ring made through liburing.so, which makes its system calls itself: its ring makers are
# hooked by name (one warning, though io_uring_queue_init calls io_uring_queue_init_params)
if [ -e /usr/include/liburing.h ]; then
	gcc -O0 -o uring -x c - -luring <<'EOF' || die "cannot compile the liburing program"
#include <liburing.h>
#include <stdio.h>

int main(void)
{
	struct io_uring ring;
	int r = io_uring_queue_init(4, &ring, 0);

	if (r < 0) {
		fprintf(stderr, "io_uring_queue_init: %d\n", r);
		return 1;
	}
	io_uring_queue_exit(&ring);
	return 0;
}
EOF
	rm -f "$DB"
	record -- ./uring
	assert_eq 0 "$REC_STATUS" "liburing: record exits with the build's status (preload warns)"
	assert_eq "0|io-uring|io_uring_queue_init (liburing)|$(real uring)" \
		"$(q "SELECT b.complete, i.reason, i.detail, p.exe FROM builds b
		      JOIN incomplete i ON i.build_id = b.id JOIN processes p ON p.id = i.process_id;")" \
		"liburing: complete|reason|detail|process"
elif [ "${CI:-}" = true ]; then
	die "no liburing.h under CI=true (scripts/install-deps.sh installs liburing-dev)"
else
	note "no liburing-dev: the liburing program is left out"
fi

# a program with Go's build ID note (owner "Go", type 4), as every Go executable has; the
# same bytes as Go's linker writes (the name padded: namesz 4)
cat >gonote.c <<'EOF'
#include <stdio.h>
__attribute__((section(".note.go.buildid"), aligned(4), used)) static const struct {
	unsigned namesz, descsz, type;
	char name[4], desc[8];
} go_buildid = { 4, 8, 4, "Go", "buildid!" };

int main(void)
{
	FILE *f = fopen("a.txt", "r");

	return f ? fclose(f) : 1;
}
EOF
gcc -O0 -o gonote gonote.c || die "cannot compile gonote.c"
readelf -n gonote | grep -q 'GO BUILDID' || die "gonote has no Go build ID note: $(readelf -n gonote)"
rm -f "$DB"
record -- ./gonote
assert_eq 0 "$REC_STATUS" "go note: record exits with the build's status (preload warns)"
assert_eq "0|raw-syscalls|$(real gonote)" \
	"$(q "SELECT b.complete, i.reason, p.exe FROM builds b JOIN incomplete i ON i.build_id = b.id
	      JOIN processes p ON p.id = i.process_id;")" "go note: complete|reason|process"
grep -q 'raw-syscalls' record.err || die "go note: record did not warn"

# the control: the same program without the note leaves the record complete
gcc -O0 -o nonote -x c - <<'EOF'
#include <stdio.h>
int main(void)
{
	FILE *f = fopen("a.txt", "r");

	return f ? fclose(f) : 1;
}
EOF
rm -f "$DB"
record_ok -- ./nonote
assert_build_ok

if command -v go >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1; then
	mkdir gocgo
	cat >gocgo/main.go <<'EOF'
package main

// #include <stdlib.h>
import "C"

import "os"

func main() {
	C.free(nil)
	if _, err := os.ReadFile("a.txt"); err != nil {
		os.Exit(1)
	}
}
EOF
	(cd gocgo && HOME=$PWD GOCACHE=$PWD/.cache GOPATH=$PWD/.gopath GO111MODULE=off \
		CGO_ENABLED=1 go build -o ../gocgo.bin main.go) || die "cannot build the Go program"
	readelf -lW gocgo.bin | grep -q 'Requesting program interpreter' ||
		die "the cgo program is not linked dynamically"
	rm -f "$DB"
	record -- ./gocgo.bin
	assert_eq 0 "$REC_STATUS" "go: record exits with the build's status (preload warns)"
	assert_eq "0|raw-syscalls" \
		"$(q "SELECT b.complete, i.reason FROM builds b JOIN incomplete i ON i.build_id = b.id
		      JOIN processes p ON p.id = i.process_id WHERE p.exe = '$(real gocgo.bin)';")" \
		"go: complete|reason of the real Go program"
elif [ "${CI:-}" = true ]; then
	die "no Go toolchain under CI=true (scripts/install-deps.sh installs golang-go)"
else
	note "no Go toolchain: the real Go program is left out"
fi
