/* Unit tests of resolve/licscan.c: small files under /tmp. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/licscan.h"

static char dir[64]; /* /tmp/asbuilt-licscan-XXXXXX */

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/asbuilt-licscan-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (dir[0])
		cr_assert_eq(system(cmd), 0);
}

TestSuite(licscan, .init = setup, .fini = teardown);

/* Writes n bytes of text to dir/name and returns the path (static buffer). */
static const char *put_n(const char *name, const char *text, size_t n)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	cr_assert_eq(fwrite(text, 1, n, f), n);
	fclose(f);
	return path;
}

static const char *put(const char *name, const char *text)
{
	return put_n(name, text, strlen(text));
}

/* Asserts that scanning a file holding text gives want (NULL: no expression) and 0. */
static void expect(const char *text, const char *want)
{
	char *expr = (char *)"unset";

	cr_assert_eq(licscan_file(put("f", text), &expr), 0, "%s", text);
	if (want)
		cr_assert_str_eq(expr, want, "%s", text);
	else
		cr_assert_null(expr, "%s", text);
	free(expr);
}

Test(licscan, every_comment_style_is_recognised)
{
	expect("// SPDX-License-Identifier: MIT\nint x;\n", "MIT");
	expect("/* SPDX-License-Identifier: GPL-2.0-only */\n", "GPL-2.0-only");
	expect("/*\n * SPDX-License-Identifier: BSD-3-Clause\n */\n", "BSD-3-Clause");
	expect("#!/bin/sh\n# SPDX-License-Identifier: Apache-2.0\n", "Apache-2.0");
	expect("-- SPDX-License-Identifier: ISC\nselect 1;\n", "ISC");
	expect("; SPDX-License-Identifier: 0BSD\n", "0BSD");
	expect("<!-- SPDX-License-Identifier: CC-BY-4.0 -->\n<p>x</p>\n", "CC-BY-4.0");
	expect(".. SPDX-License-Identifier: GPL-2.0\n", "GPL-2.0");
	expect("(* SPDX-License-Identifier: LGPL-2.1-or-later *)\n", "LGPL-2.1-or-later");
}

Test(licscan, expression_stops_at_comment_end_and_line_end)
{
	expect("/* SPDX-License-Identifier: MIT */ int x; /* OR */\n", "MIT");
	expect("<!--SPDX-License-Identifier:Zlib-->\n", "Zlib");
	expect("// SPDX-License-Identifier: MIT   \r\nnext line\n", "MIT");
}

Test(licscan, compound_expressions_are_normalised)
{
	expect("// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note\n",
	       "GPL-2.0 WITH Linux-syscall-note");
	expect("# SPDX-License-Identifier: ( MIT  OR\tApache-2.0 ) AND BSD-2-Clause\n",
	       "(MIT OR Apache-2.0) AND BSD-2-Clause");
	expect("# SPDX-License-Identifier: GPL-2.0+ OR LicenseRef-Proprietary\n",
	       "GPL-2.0+ OR LicenseRef-Proprietary");
	expect("# SPDX-License-Identifier: DocumentRef-ext:LicenseRef-Mine\n",
	       "DocumentRef-ext:LicenseRef-Mine");
	expect("# SPDX-License-Identifier: ((MIT))\n", "((MIT))");
}

Test(licscan, file_without_tag_gives_null)
{
	expect("int main(void) { return 0; }\n", NULL);
	expect("", NULL);
	/* code that mentions the tag in a string literal declares nothing */
	expect("const char *t = \"SPDX-License-Identifier: %s\\n\";\n", NULL);
}

Test(licscan, invalid_expression_is_einval)
{
	static const char *const bad[] = {
		"// SPDX-License-Identifier: MIT OR\n",
		"// SPDX-License-Identifier: (MIT\n",
		"// SPDX-License-Identifier: MIT)\n",
		"// SPDX-License-Identifier: MIT Apache-2.0\n",
		"// SPDX-License-Identifier: MIT or Apache-2.0\n",
		"// SPDX-License-Identifier: GPL-2.0 WITH (Classpath-exception-2.0)\n",
		"// SPDX-License-Identifier: LicenseRef-\n",
		"// SPDX-License-Identifier: GPL/2\n",
		"// SPDX-License-Identifier:\n",
		"// SPDX-License-Identifier: AND\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *expr = (char *)"unset";
		cr_assert_eq(licscan_file(put("bad", bad[i]), &expr), -EINVAL, "%s", bad[i]);
		cr_assert_null(expr, "%s", bad[i]);
	}
}

Test(licscan, binary_file_gives_null)
{
	static const char elf[] = "\177ELF\2\1\1\0\0\0// SPDX-License-Identifier: MIT\n";
	char *expr = (char *)"unset";

	cr_assert_eq(licscan_file(put_n("bin", elf, sizeof(elf) - 1), &expr), 0);
	cr_assert_null(expr);
}

Test(licscan, several_tags_are_joined_with_and)
{
	expect("# SPDX-License-Identifier: MIT\n"
	       "# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause\n"
	       "# SPDX-License-Identifier: MIT\n",
	       "MIT AND (GPL-2.0-only OR BSD-2-Clause)");
}

Test(licscan, only_the_first_100_lines_are_read)
{
	static char text[8192];
	size_t n = 0;

	for (int i = 0; i < 99; i++)
		n += (size_t)sprintf(text + n, "line %d\n", i);
	strcpy(text + n, "// SPDX-License-Identifier: MIT\n");
	expect(text, "MIT"); /* line 100 */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(text + n, "line %d\n", i);
	strcpy(text + n, "// SPDX-License-Identifier: MIT\n");
	expect(text, NULL); /* line 101 */
}

Test(licscan, only_the_first_16_kib_are_read)
{
	static char text[LICSCAN_MAX_BYTES + 64];

	memset(text, 'x', LICSCAN_MAX_BYTES - 10);
	text[LICSCAN_MAX_BYTES - 11] = '\n';
	strcpy(text + LICSCAN_MAX_BYTES - 10, "// SPDX-License-Identifier: MIT\n");
	expect(text, NULL); /* the tag line is cut by the limit: not read */
}

Test(licscan, missing_file_and_directory_are_errors)
{
	char *expr = (char *)"unset";
	char path[128];

	snprintf(path, sizeof(path), "%s/none", dir);
	cr_assert_eq(licscan_file(path, &expr), -ENOENT);
	cr_assert_null(expr);
	cr_assert_eq(licscan_file(dir, &expr), -EISDIR);
	cr_assert_null(expr);
}

Test(licscan, parse_checks_one_expression)
{
	char *expr;

	cr_assert_eq(licscan_parse("Apache-2.0 WITH LLVM-exception", &expr), 0);
	cr_assert_str_eq(expr, "Apache-2.0 WITH LLVM-exception");
	free(expr);
	cr_assert_eq(licscan_parse("MIT WITH", &expr), -EINVAL);
	cr_assert_null(expr);
}
