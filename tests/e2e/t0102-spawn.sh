#!/bin/bash
# t0102: processes started by posix_spawn, posix_spawnp, vfork+exec, execveat and fexecve:
# each child's image is recorded (exe resolved, exact argv, linked to the spawner) and its
# reads are recorded with the right hash; so are the input and output that posix_spawn's
# file actions open for the child.
. "$TOP/tests/e2e/lib.sh"

cat >spawner.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int reap(pid_t pid, const char *what)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "spawner: %s failed\n", what);
		return 1;
	}
	return 0;
}

int main(void)
{
	char *a_spawn[] = { "cat", "in-spawn.txt", NULL };
	char *a_spawnp[] = { "cat", "in-spawnp.txt", NULL };
	char *a_vfork[] = { "cat", "in-vfork.txt", NULL };
	char *a_execveat[] = { "cat", "in-execveat.txt", NULL };
	char *a_fexecve[] = { "cat", "in-fexecve.txt", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, "/bin/cat", &fa, NULL, a_spawn, environ) != 0)
		pid = -1;
	err |= reap(pid, "posix_spawn");
	if (posix_spawnp(&pid, "cat", &fa, NULL, a_spawnp, environ) != 0)
		pid = -1;
	err |= reap(pid, "posix_spawnp");

	pid = vfork();
	if (pid == 0) {
		execv("/bin/cat", a_vfork);
		_exit(127);
	}
	err |= reap(pid, "vfork+exec");

	pid = fork();
	if (pid == 0) {
		int dfd = open("/bin", O_PATH | O_DIRECTORY);

		execveat(dfd, "cat", a_execveat, environ, 0);
		_exit(127);
	}
	err |= reap(pid, "execveat");

	pid = fork();
	if (pid == 0) {
		int fd = open("/bin/cat", O_RDONLY | O_CLOEXEC);

		fexecve(fd, a_fexecve, environ);
		_exit(127);
	}
	err |= reap(pid, "fexecve");
	return err;
}
C
gcc -O0 -o spawner spawner.c || die "cannot compile spawner.c"
for f in spawn spawnp vfork execveat fexecve; do
	printf 'read through %s\n' "$f" >"in-$f.txt"
done

record_ok -- sh -c './spawner >/dev/null'
assert_build_ok

CAT=$(real /bin/cat)
spawner=$(q "SELECT id FROM processes WHERE build_id = 1 AND exe = '$PWD/spawner'
                   AND exec_path IS NOT NULL;")
assert_eq 1 "$(printf '%s\n' "$spawner" | grep -c .)" "one exec'd image of spawner (fork children without exec are rows of their own)"
assert_eq 5 "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$CAT';")" \
	"five cat images"
for f in spawn spawnp vfork execveat fexecve; do
	assert_read_by "$CAT" "in-$f.txt" "cat started by $f"
	id=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
	        WHERE e.build_id = 1 AND p.exe = '$CAT' AND e.op = 'open' AND e.access = 'read'
	          AND e.abspath = '$PWD/in-$f.txt';")
	assert_eq 1 "$(printf '%s\n' "$id" | grep -c .)" "one cat read in-$f.txt"
	assert_eq "$(argv_hex cat "in-$f.txt")|$(sha256 "$CAT")|0" \
		"$(q "SELECT $(argv_col argv), exe_sha256, static FROM processes WHERE id = $id;")" \
		"$f: argv|exe_sha256|static of the child"
	ancestors "$id" | grep -qx "$spawner" || die "$f: the child is not linked to spawner"
	assert_eq "0|exit" "$(q "SELECT exit_status, exit_how FROM processes WHERE id = $id;")" \
		"$f: exit_status|exit_how of the child"
done
# The exec of every child is recorded as an 'exec' file event of the cat executable.
n=$(q "SELECT count(*) FROM file_events WHERE build_id = 1 AND op = 'exec' AND result >= 0
       AND realpath = '$CAT';")
[ "$n" -ge 5 ] || die "expected 5 exec events of $CAT, got $n"

# posix_spawn's file actions open the child's input and output (`cat < in > out` without a
# shell): glibc makes those opens in the child, unseen; the child is told the descriptors
# and reports them as its own opens, so the output is recorded as written by cat, with the
# hash it has when cat is done, and the input as read by it.
cat >redirect.c <<'C'
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(void)
{
	char *argv[] = { "cat", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "in-redirect.txt", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "out-redirect.txt", O_WRONLY | O_CREAT | O_TRUNC,
					 0644);
	if (posix_spawnp(&pid, "cat", &fa, NULL, argv, environ) != 0)
		return 1;
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}
C
gcc -O0 -o redirect redirect.c || die "cannot compile redirect.c"
printf 'through posix_spawn file actions\n' >in-redirect.txt
rm -f "$DB"
record_ok -- ./redirect
assert_build_ok
cmp -s in-redirect.txt out-redirect.txt || die "redirect: cat did not copy its input"
assert_read_by "$CAT" in-redirect.txt "redirect: the input opened by the file actions"
assert_written out-redirect.txt "redirect: the output opened by the file actions"
assert_eq "$CAT" "$(q "SELECT DISTINCT p.exe FROM file_events e JOIN processes p ON p.id = e.process_id
	WHERE e.abspath = '$PWD/out-redirect.txt' AND e.access = 'write';")" \
	"redirect: the output is cat's"
