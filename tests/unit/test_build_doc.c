/* Unit tests of build_doc_file_sha1 (src/sbom/build_doc_steps.c): the stored SHA-1 wins;
 * without one the file is hashed when it still has the recorded SHA-256, and refused
 * (-ESTALE) when it changed, so the SBOM never carries a SHA-1 of another content. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/build_doc.h"

/* "hello\n": sha1 f572d396..., sha256 5891b5b5... */
#define HELLO_SHA1 "f572d396fae9206628714fb2ce00f72e94f2258f"
#define HELLO_SHA256 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static char path[64];

static void make_file(void)
{
	FILE *f;

	strcpy(path, "/tmp/test_build_doc.XXXXXX");
	cr_assert_geq(mkstemp(path), 0);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("hello\n", f);
	fclose(f);
}

static void drop_file(void)
{
	unlink(path);
}

TestSuite(build_doc, .init = make_file, .fini = drop_file);

Test(build_doc, sha1_from_the_database_wins)
{
	char out[41];

	cr_assert_eq(build_doc_file_sha1("/nonexistent", NULL,
					 "0123456789abcdef0123456789abcdef01234567", out), 0);
	cr_assert_str_eq(out, "0123456789abcdef0123456789abcdef01234567");
}

Test(build_doc, sha1_computed_when_content_unchanged)
{
	char out[41];

	cr_assert_eq(build_doc_file_sha1(path, HELLO_SHA256, NULL, out), 0);
	cr_assert_str_eq(out, HELLO_SHA1);
}

Test(build_doc, sha1_refused_when_content_changed)
{
	char out[41] = "";
	FILE *f = fopen(path, "a");

	fputs("more\n", f);
	fclose(f);
	cr_assert_eq(build_doc_file_sha1(path, HELLO_SHA256, NULL, out), -ESTALE);
	cr_assert_eq(build_doc_file_sha1(path, NULL, NULL, out), -ESTALE);
}

Test(build_doc, sha1_of_a_missing_file)
{
	char out[41];

	cr_assert_eq(build_doc_file_sha1("/nonexistent/x", HELLO_SHA256, NULL, out), -ENOENT);
}
