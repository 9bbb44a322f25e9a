#!/bin/bash
# t0120: fork children connect to the collector lazily (wrappers/conn.c).  A fork child that
# only execs a dynamic program sends nothing; the new image announces it (AB_PROC_FORK_EXEC)
# and the collector makes its row and exec event.  The record must still hold the whole
# tree, and everything a fork child does itself must still be seen:
#   - bash's fork child exec'ing /bin/true: a fork row (exe NULL), the exec event on it with
#     the path given and its real path, and the true image with prev_id = that row;
#   - a subshell that forks again: it connects before forking, so its child's row names it
#     as its parent (parent_id), and it is a child of the top bash;
#   - a fork child that opens a redirection file and then execs: the open is its own event,
#     and the file written through the redirection is hashed as in t0117;
#   - targets that do not load the interposer: a setuid copy of true owned by another user
#     (as root) and a static binary are announced by the fork child itself (the exec event
#     exists, exe of the fork row is bash) and reported as incomplete;
#   - a failed exec (a file without execute permission): the attempt is recorded;
#   - a vfork child of a fork child: the fork child connects first (the vfork hook), so the
#     vfork child and what it execs are recorded, under the fork child;
#   - a child made by clone(CLONE_VM | CLONE_VFORK), which is not hooked, of a fork child
#     that has not connected cannot send: the record says so.
. "$TOP/tests/e2e/lib.sh"

command -v gcc >/dev/null || skip "gcc not installed"
# a set-user-ID program of another user: it changes the process's identity, so ld.so
# ignores LD_PRELOAD (one of the user's own would load the interposer like any other)
setid=
if [ "$(id -u)" = 0 ]; then
	cp /bin/true ./suid-true
	chown 65534 ./suid-true
	chmod 4755 ./suid-true
	setid=suid-true
fi
printf 'int main(void) { return 0; }\n' >st.c
gcc -static -o static-true st.c 2>/dev/null || skip "no static libc (libc6-dev)"
printf '#!/bin/sh\necho no\n' >noexec.sh
chmod 0644 noexec.sh

record -- bash -c '/bin/true
	( /bin/true; /usr/bin/env true )
	/bin/echo redirected > out.txt
	[ ! -e ./suid-true ] || ./suid-true
	./static-true
	./noexec.sh 2>/dev/null
	exit 0'
assert_eq 0 "$REC_STATUS" "asbuilt record exit status"
B=$(build_id)
TOPID=$(q "SELECT min(id) FROM processes WHERE build_id = $B;")
assert_eq /usr/bin/bash "$(q "SELECT exe FROM processes WHERE id = $TOPID;")" "the root row"

# 1. /bin/true exec'd from a lazy fork child of the top bash.
row=$(q "SELECT f.id, quote(f.exe), f.exit_how, f.parent_id, e.path, e.realpath
         FROM processes t JOIN processes f ON f.id = t.prev_id
         JOIN file_events e ON e.process_id = f.id AND e.op = 'exec'
         WHERE t.build_id = $B AND t.exe = '$(real /bin/true)' AND t.parent_id = $TOPID
         ORDER BY t.id LIMIT 1;")
assert_eq "NULL|exec|$TOPID|/bin/true|$(real /bin/true)" "${row#*|}" \
	"fork row of /bin/true: exe|exit_how|parent|exec path|exec realpath"

# 2. The subshell: a bash row under the top bash that forked a true and then exec'd env
# (bash runs a subshell's last command without a fork).
SUB=$(q "SELECT s.id FROM processes s JOIN processes n ON n.prev_id = s.id
         WHERE s.build_id = $B AND s.parent_id = $TOPID AND s.exe = '/usr/bin/bash'
           AND n.exe = '$(real /usr/bin/env)';")
[ -n "$SUB" ] || die "no row for the subshell (a bash fork child of the top bash)"
assert_eq "$(real /bin/true)" \
	"$(q "SELECT exe FROM processes WHERE build_id = $B AND parent_id = $SUB
	      AND exe IS NOT NULL ORDER BY id;")" \
	"the image the subshell's own fork child became"

# 3. The redirection: opened by a fork child (its own event), written by echo.
assert_eq 1 "$(q "SELECT count(*) FROM file_events e JOIN processes p ON p.id = e.process_id
                  WHERE e.build_id = $B AND e.access = 'write' AND e.abspath = '$PWD/out.txt'
                    AND p.parent_id = $TOPID AND p.exe = '/usr/bin/bash';")" \
	"out.txt opened for writing by the top bash's fork child"
assert_written out.txt

# 4. Targets that do not load the interposer: announced by the fork child itself, from a
# bash row under the top bash.  (Not asserted: that row's exit_how.  When the collector reads
# the new image's connection before the fork child's, which a loaded machine can make
# happen, the fork child's row ends as 'exit'; a known ordering race of two connections.)
for t in $setid static-true; do
	assert_eq "/usr/bin/bash|$TOPID" \
		"$(q "SELECT p.exe, p.parent_id FROM file_events e JOIN processes p ON p.id = e.process_id
		      WHERE e.build_id = $B AND e.op = 'exec' AND e.abspath = '$PWD/$t';")" \
		"$t: the exec event comes from the fork child (exe|parent)"
done
assert_eq 1 "$(q "SELECT count(*) FROM incomplete WHERE build_id = $B AND reason = 'static-binary'
                  AND detail = '$PWD/static-true';")" \
	"the static target is reported"
[ -z "$setid" ] ||
	assert_eq 1 "$(q "SELECT count(*) FROM incomplete WHERE build_id = $B AND reason = 'setid-binary'
	                  AND detail = '$PWD/suid-true';")" "the set-user-ID target is reported"

# 5. The failed exec of a file without execute permission.
assert_eq 1 "$(q "SELECT count(*) > 0 FROM file_events e JOIN processes p ON p.id = e.process_id
                  WHERE e.build_id = $B AND e.op = 'exec' AND e.abspath = '$PWD/noexec.sh'
                    AND p.exe = '/usr/bin/bash';")" \
	"the failed exec of noexec.sh is recorded, by the fork child"

# No row without a parent but the root, and every image's parent is a row of this build.
assert_empty "$(q "SELECT id, pid, quote(exe) FROM processes WHERE build_id = $B
                   AND parent_id IS NULL AND id != (SELECT min(id) FROM processes
                                                    WHERE build_id = $B);")" \
	"process rows without a parent"
assert_db_valid

# A vfork child of a fork child (vf) and a clone(CLONE_VM | CLONE_VFORK) child of one (cl).
# Their memory is their parent's, their descriptors their own: they can only send on a
# connection the parent made.  The vfork hook makes the fork child connect first; clone is
# not hooked, and the record must say that its child's records were lost.
cat >vf.c <<'EOS'
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 << 10];

static int child(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)0);
	_exit(127);
}

int main(int argc, char **argv)
{
	int st;
	pid_t p = fork();

	if (p == 0) { /* a fork child that has sent nothing yet */
		pid_t c;

		if (argc > 1 && !strcmp(argv[1], "clone"))
			c = clone(child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
		else if ((c = vfork()) == 0)
			child(NULL);
		waitpid(c, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
EOS
gcc -O2 -o vf vf.c
DB=$PWD/vf.db
record -- ./vf
assert_eq 0 "$REC_STATUS" "asbuilt record exit status (vfork)"
assert_empty "$(q "SELECT reason, detail FROM incomplete;")" "incomplete rows (vfork)"
VF=$(q "SELECT min(id) FROM processes;")
FK=$(q "SELECT id FROM processes WHERE parent_id = $VF;")
assert_eq "$(real "$PWD/vf")" "$(q "SELECT exe FROM processes WHERE id = $FK;")" \
	"vfork: the fork child of vf connected before its vfork (its own row, exe vf)"
# the vfork child: its exec of /bin/true on its own row under the fork child, and the true
# image after it
assert_eq "/bin/true|$(real /bin/true)" \
	"$(q "SELECT e.abspath, t.exe FROM processes c
	      JOIN file_events e ON e.process_id = c.id AND e.op = 'exec'
	      JOIN processes t ON t.prev_id = c.id
	      WHERE c.parent_id = $FK AND t.parent_id = $FK;")" \
	"vfork: the vfork child's exec (path given) and the image it became"

DB=$PWD/cl.db
record -- ./vf clone
assert_eq 0 "$REC_STATUS" "asbuilt record exit status (clone)"
assert_eq "other|records of a vfork child of an unconnected fork child" \
	"$(q "SELECT reason, detail FROM incomplete;")" "clone: the lost records are reported"
assert_eq 0 "$(q "SELECT complete FROM builds;")" "clone: the build is marked incomplete"
