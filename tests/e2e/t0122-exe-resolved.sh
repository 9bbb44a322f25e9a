#!/bin/bash
# t0122: every process row names the executable that ran, resolved, however it was exec'd.
# The interposer sends the exec filename made absolute and lets the collector resolve it
# (AB_PROC_EXE_RAW), unless the image may be an interpreter the kernel ran for that file:
# then it reads /proc/self/exe.  Each case below is checked against `readlink -f` of the
# file that really ran:
#   - a relative name through a symlinked directory and a symlink to the program;
#   - a name with ".." in it;
#   - a script run directly (#!/bin/sh): the row is the shell's, not the script's;
#   - a script through "#!/usr/bin/env sh": env's row, then the shell's;
#   - a program whose own name is also its first argument (looks like a script's argv);
#   - fexecve (the kernel's name is /dev/fd/N);
#   - a program run by the dynamic loader itself (`ld.so PROGRAM`): the loader has no
#     PT_INTERP of its own, yet it is no static binary: it loads the interposer into the
#     program, whose row names it, and the record stays complete.
. "$TOP/tests/e2e/lib.sh"

command -v gcc >/dev/null || skip "gcc not installed"
mkdir -p real/bin work
ln -s real lnk
cat >real/bin/tool.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* tool [fexec PATH]: with "fexec", runs PATH through fexecve; otherwise does nothing */
int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "fexec")) {
		int fd = open(argv[2], O_RDONLY); /* no O_CLOEXEC: the image needs the fd */
		char *av[] = { "by-fd", NULL };

		if (fd < 0)
			return 2;
		fexecve(fd, av, environ);
		return 3;
	}
	return 0;
}
C
gcc -O0 -o real/bin/tool real/bin/tool.c || die "cannot compile tool.c"
ln -s tool real/bin/alias
printf '#!/bin/sh\nexit 0\n' >real/bin/direct.sh
printf '#!/usr/bin/env sh\nexit 0\n' >real/bin/viaenv.sh
chmod +x real/bin/direct.sh real/bin/viaenv.sh

TOOL=$(real real/bin/tool)
SH=$(real /bin/sh)
ENV=$(real /usr/bin/env)
LDSO=$(readelf -lW /bin/true | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -x "$LDSO" ] || die "no dynamic loader found for /bin/true: '$LDSO'"
export LDSO

record_ok -- sh -c 'cd work &&
	../lnk/bin/alias &&
	cd ../lnk/bin && ./alias && ./direct.sh && ./viaenv.sh && cd ../../work &&
	"$PWD/../lnk/bin/tool" "$PWD/../lnk/bin/tool" &&
	../real/bin/tool fexec ../real/bin/tool &&
	"$LDSO" ../real/bin/tool'
assert_build_ok

# exe of the image that the kernel named NAME (exec_path), one row per distinct exe
exe_of() {
	q "SELECT DISTINCT exe FROM processes WHERE build_id = 1 AND exec_path = $(sqlstr "$1")
	   ORDER BY exe;"
}

assert_eq "$TOOL" "$(exe_of ../lnk/bin/alias)" "a name with .., through symlinks"
assert_eq "$TOOL" "$(exe_of ./alias)" "a relative name through a symlink"
assert_eq "$SH" "$(exe_of ./direct.sh)" "a script run directly: the shell ran"
# env is exec'd by the kernel for the script, then env execs sh by its PATH name
assert_eq "$ENV" "$(exe_of ./viaenv.sh)" "a #!/usr/bin/env script: env ran"
n=$(q "SELECT count(*) FROM processes c JOIN processes e ON c.prev_id = e.id
       WHERE c.build_id = 1 AND e.exec_path = './viaenv.sh' AND c.exe = '$SH';")
assert_eq 1 "$n" "the shell that env exec'd for the script"
selfarg=$(q "SELECT DISTINCT exe FROM processes WHERE build_id = 1 AND exec_path LIKE '%/lnk/bin/tool';")
assert_eq "$TOOL" "$selfarg" "a program named in its own first argument"
byfd=$(q "SELECT exe FROM processes WHERE build_id = 1 AND exec_path LIKE '/dev/fd/%';")
assert_eq "$TOOL" "$byfd" "fexecve"
# the image after the exec of the loader (recorded on the fork row) is the program's
byldso=$(q "SELECT DISTINCT p.exe FROM processes p JOIN file_events e
            ON e.process_id = p.prev_id AND e.op = 'exec'
            WHERE p.build_id = 1 AND e.realpath = $(sqlstr "$(real "$LDSO")");")
assert_eq "$TOOL" "$byldso" "a program run by the dynamic loader"
assert_eq 0 "$(q "SELECT count(*) FROM processes WHERE exe = $(sqlstr "$(real "$LDSO")");")" \
	"no row names the loader as its program"

# no row without its executable, and every executable is a resolved, existing file
assert_empty "$(q "SELECT id, exec_path FROM processes WHERE build_id = 1 AND exec_path IS NOT NULL
		   AND (exe IS NULL OR exe = '');")" "rows without exe"
q "SELECT DISTINCT exe FROM processes WHERE build_id = 1 AND exe IS NOT NULL;" |
while IFS= read -r e; do
	[ "$e" = "$(real "$e")" ] || die "exe '$e' is not resolved ($(real "$e"))"
done
