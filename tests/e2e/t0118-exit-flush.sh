#!/bin/bash
# t0118: a program's exit is reported (and, under preload, waits for its files to be
# hashed) after stdio has flushed what it buffered: `/bin/echo x > out` and a C program
# printing to a redirected stdout write their output inside exit(), and the record must
# hold the hash of what was written, not of the empty file.  Also a program that returns
# from main, one that calls exit() from an atexit handler's program, and one writing from
# an atexit handler.
. "$TOP/tests/e2e/lib.sh"

command -v gcc >/dev/null || skip "gcc not installed"
cat >gen.c <<'EOS'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void late(void) { printf("written by an atexit handler\n"); }
int main(int argc, char **argv)
{
	for (int i = 0; i < 100; i++)
		printf("#define LINE_%d %d\n", i, i);
	if (argc > 1 && !strcmp(argv[1], "atexit"))
		atexit(late);
	if (argc > 1 && !strcmp(argv[1], "exit"))
		exit(0);
	return 0;
}
EOS
gcc -O2 -o gen gen.c

record_ok -- bash -c '/bin/echo redirected > echo.out
	./gen > returned.h
	./gen exit > exited.h
	./gen atexit > atexit.h'
assert_build_ok
for f in echo.out returned.h exited.h atexit.h; do
	[ -s "$f" ] || die "$f is empty: the build itself failed"
	assert_written "$f"
done
grep -q "written by an atexit handler" atexit.h || die "atexit.h lacks the handler's line"
