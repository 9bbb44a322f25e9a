#!/bin/bash
# t0129: a program of another ELF class (a 32-bit i386 program on this 64-bit host) loads
# with its own loader, which skips the 64-bit interposer ("wrong ELF class: ignored"), so
# under the preload backend nothing it does is seen.  The record must say so
# ('foreign-binary' naming it, builds.complete = 0) and keep a row for it.  The program is
# assembled and linked here (as --32, ld -m elf_i386, dynamically against the i386 loader),
# so no 32-bit C library headers are needed.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
if [ ! -e /lib/ld-linux.so.2 ]; then
	[ "${CI:-}" != true ] || die "no i386 loader under CI=true (scripts/install-deps.sh installs libc6-i386)"
	skip "no i386 loader (/lib/ld-linux.so.2, package libc6-i386)"
fi
printf '.globl _start\n_start:\n\tmovl $1, %%eax\n\txorl %%ebx, %%ebx\n\tint $0x80\n' >m32.s
as --32 -o m32.o m32.s || die "cannot assemble m32.s"
ld -m elf_i386 -pie --dynamic-linker /lib/ld-linux.so.2 -o m32 m32.o || die "cannot link m32"
readelf -h m32 | grep -q 'ELF32' || die "m32 is not a 32-bit ELF"
readelf -l m32 | grep -q 'Requesting program interpreter: /lib/ld-linux.so.2' ||
	die "m32 is not linked dynamically"
./m32 || die "m32 does not run here"

record -- sh -c './m32'
assert_eq 0 "$REC_STATUS" "record exits with the build's status (preload warns)"
assert_eq "0|foreign-binary|$PWD/m32" "$(q "SELECT b.complete, i.reason, i.detail FROM builds b
	JOIN incomplete i;")" "complete|reason|detail"
assert_eq "$PWD/m32|0" "$(q "SELECT exe, static FROM processes WHERE prev_id IS NOT NULL
	AND exe LIKE '%/m32';")" "the program's row (exe|static) follows the process that exec'd it"
grep -q 'foreign-binary' record.err || die "record did not warn"
