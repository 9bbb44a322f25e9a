#!/bin/bash
# t0210: under eBPF, output written through a shell redirect (`cmd > out`) is hashed when
# the program the shell child exec'd is done with it, not at the exec (t0117 is the same
# under the interposer).  The child opens out, then execs cmd, which writes it: the exec
# leaves the descriptor open, so the write is the new image's.  Before, the file was hashed
# when the exec was taken in: an empty 'written' version, and cmd's real output an
# 'external' one when something read it.  A file written through a close-on-exec
# descriptor before an exec stays the writing image's.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf
cat >gen.sh <<'SH'
sleep 0.3
echo "#define GENERATED 1"
SH
cat >wcl.c <<'C'
/* wcl FILE: writes FILE through a close-on-exec descriptor, then execs /bin/true. */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, "closed on exec\n", 15) != 15 || close(fd))
		return 1;
	execl("/bin/true", "true", (char *)0);
	return 1;
}
C
gcc -O0 -o wcl wcl.c || die "cannot compile wcl.c"

st=0
"$ASBUILT" record -q --backend ebpf -o "$DB" -- bash -c '(exec sh gen.sh) > out.h
	cat out.h > copy.h
	./wcl w.txt' 2>record.err || st=$?
sed 's/^/record: /' record.err >&2
assert_eq 0 "$st" "record exit status"
assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
	"complete|incomplete rows"

versions() { # PATH: origin|state|sha256 of each version of PATH, oldest first
	q "SELECT origin || '|' || state || '|' || sha256 FROM file_versions
	   WHERE path = '$PWD/$1' ORDER BY vseq;"
}
assert_eq "written|ok|$(sha256 out.h)" "$(versions out.h)" \
	"out.h: one version, with what gen.sh wrote (not an empty one and an 'external' one)"
assert_eq "$(argv_hex sh gen.sh)" \
	"$(q "SELECT $(argv_col p.argv) FROM file_versions v JOIN processes p ON p.id = v.writer_id
	      WHERE v.path = '$PWD/out.h';")" \
	"the writer of out.h"
assert_eq "$(sha256 out.h)" \
	"$(q "SELECT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.access = 'read' AND v.path = '$PWD/out.h';")" \
	"the read of out.h saw gen.sh's content"
assert_eq "written|ok|$(sha256 copy.h)" "$(versions copy.h)" "copy.h"
assert_eq "written|ok|$(sha256 w.txt)" "$(versions w.txt)" "w.txt"
assert_eq "$(argv_hex ./wcl w.txt)" \
	"$(q "SELECT $(argv_col p.argv) FROM file_versions v JOIN processes p ON p.id = v.writer_id
	      WHERE v.path = '$PWD/w.txt';")" \
	"the writer of w.txt is the image that wrote it, not the one it exec'd"
