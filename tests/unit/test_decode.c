/* Unit tests of decode.c: the one decoder of the wire format. */
#include <criterion/criterion.h>
#include <errno.h>

#include "asbuilt/decode.h"
#include "recbuild.h"

static char scratch[AB_REC_MAX + DECODE_MAX_STR];

Test(decode, file_record_round_trips)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3, .fflags = AB_F_STAT, .ino = 42 };
	struct decoded d;

	rec_begin(&r, AB_EV_FILE, 100, &f, sizeof(f));
	rec_str(&r, "a.h");
	rec_str(&r, "/src/a.h");
	rec_str(&r, "");
	rec_strn(&r, "x\0y", 3);
	cr_assert_eq(decode_record(r.b, rec_end(&r), &d, scratch), 0);
	cr_assert_eq(d.hdr.pid, 100);
	cr_assert_eq(d.u.file.ino, 42);
	cr_assert_eq(d.nstr, 4);
	cr_assert_str_eq(decode_str(&d, 0), "a.h");
	cr_assert_str_eq(decode_str(&d, 1), "/src/a.h");
	cr_assert_str_eq(decode_str(&d, 2), "");
	cr_assert_eq(d.len[3], 3);
	cr_assert_eq(memcmp(d.str[3], "x\0y", 3), 0);
	cr_assert_str_eq(decode_str(&d, 9), "");
}

Test(decode, rejects_truncated_and_lying_records)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN };
	struct decoded d;
	size_t n;

	rec_begin(&r, AB_EV_FILE, 1, &f, sizeof(f));
	rec_str(&r, "/a");
	n = rec_end(&r);
	cr_assert_eq(decode_record(r.b, n - 1, &d, scratch), -EBADMSG); /* size mismatch */
	((struct ab_hdr *)r.b)->size = (uint32_t)(n - 1);
	cr_assert_eq(decode_record(r.b, n - 1, &d, scratch), -EBADMSG); /* string overruns */
	((struct ab_hdr *)r.b)->size = (uint32_t)n;
	((struct ab_hdr *)r.b)->type = 99;
	cr_assert_eq(decode_record(r.b, n, &d, scratch), -EBADMSG); /* unknown type */
	cr_assert_eq(decode_record(r.b, 4, &d, scratch), -EBADMSG); /* shorter than header */
}
