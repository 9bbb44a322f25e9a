#!/bin/bash
# t0101: a build that scrubs its environment still gets recorded: `env -i`, and a program
# that unsetenv("LD_PRELOAD") / clearenv() before system(), popen() and execve() with an
# empty environment.  Every grandchild appears, linked to its parent, with its reads.
. "$TOP/tests/e2e/lib.sh"

cat >scrub.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

int main(void)
{
	char buf[256];
	FILE *p;
	pid_t pid;
	int st;

	unsetenv("LD_PRELOAD");
	if (system("cat in-system.txt >/dev/null") != 0)
		return 1;
	p = popen("cat in-popen.txt", "r");
	if (!p)
		return 1;
	while (fgets(buf, sizeof(buf), p))
		;
	if (pclose(p) != 0)
		return 1;
	clearenv();
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "cat", "in-execve.txt", NULL };
		char *envp[] = { NULL };
		int fd = open("/dev/null", 1);
		dup2(fd, 1);
		execve("/bin/cat", argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || st != 0)
		return 1;
	return 0;
}
C
gcc -O0 -o scrub scrub.c || die "cannot compile scrub.c"
for f in in-system in-popen in-execve in-envi in-envi-sh; do
	printf '%s input\n' "$f" >"$f.txt"
done

record_ok -- sh -c './scrub && env -i /bin/cat in-envi.txt >/dev/null &&
	env -i PATH=/usr/bin:/bin sh -c "cat in-envi-sh.txt >/dev/null; true"'
assert_build_ok

CAT=$(real /bin/cat)
SCRUB=$PWD/scrub
scrub_id=$(q "SELECT id FROM processes WHERE build_id = 1 AND exe = '$SCRUB' AND exec_path IS NOT NULL;")
assert_eq 1 "$(printf '%s\n' "$scrub_id" | grep -c .)" "one exec'd image of scrub"

for f in in-system in-popen in-execve in-envi in-envi-sh; do
	assert_read_by "$CAT" "$f.txt"
	id=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
	        WHERE e.build_id = 1 AND p.exe = '$CAT' AND e.access = 'read'
	          AND e.abspath = '$PWD/$f.txt';")
	assert_eq 1 "$(printf '%s\n' "$id" | grep -c .)" "one cat read $f.txt"
	ancestors "$id" >anc
	case $f in
	in-envi*) ;; # children of the build's shell
	*) grep -qx "$scrub_id" anc || die "the cat that read $f.txt is not a descendant of scrub" ;;
	esac
	[ -s anc ] || die "the cat that read $f.txt has no parent"
done
# The execve with an empty environment: exact argv, exec_path as given.
id=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
        WHERE e.build_id = 1 AND p.exe = '$CAT' AND e.abspath = '$PWD/in-execve.txt';")
assert_eq "$(argv_hex cat in-execve.txt)|/bin/cat" \
	"$(q "SELECT $(argv_col argv), exec_path FROM processes WHERE id = $id;")" \
	"argv|exec_path of the cat exec'd with an empty environment"
