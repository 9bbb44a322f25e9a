#!/bin/bash
# t0413: a source file declaring `// SPDX-License-Identifier: Apache-2.0 OR MIT` shows that
# expression for that file in `components --json`, a header with a second expression shows
# its own, a file without a tag shows none, and the project component (which declares no
# license) lists the distinct expressions as its concluded license.
. "$TOP/tests/e2e/lib.sh"

command -v python3 >/dev/null || skip "no python3"
cat >main.c <<'X'
// SPDX-License-Identifier: Apache-2.0 OR MIT
#include "util.h"
#include "plain.h"
int main(void) { return util() + PLAIN; }
X
cat >util.h <<'X'
/* SPDX-License-Identifier: BSD-3-Clause */
static inline int util(void) { return 0; }
X
echo '#define PLAIN 0' >plain.h
record_ok -- gcc -o app main.c
assert_build_ok

"$ASBUILT" components --db "$DB" --json >comp.json
"$ASBUILT" components --db "$DB" >comp.txt
cat comp.txt >&2
grep -qxF "    $(sha256 main.c)  $PWD/main.c  (SPDX-License-Identifier: Apache-2.0 OR MIT)" comp.txt ||
	die "the text output does not show main.c's expression"
cat >check.py <<'PY'
import json, sys
cwd = sys.argv[1]
c = json.load(open("comp.json"))
files = {f["path"]: f for x in c for f in x["files"]}
assert files[cwd + "/main.c"]["license"] == "Apache-2.0 OR MIT", files[cwd + "/main.c"]
assert files[cwd + "/util.h"]["license"] == "BSD-3-Clause", files[cwd + "/util.h"]
assert files[cwd + "/plain.h"]["license"] is None, files[cwd + "/plain.h"]
p = [x for x in c if x["kind"] == "project"]
assert len(p) == 1 and p[0]["license"] is None, p
assert p[0]["licenses_found"] == ["Apache-2.0 OR MIT", "BSD-3-Clause"], p[0]["licenses_found"]
assert p[0]["license_concluded"] == p[0]["licenses_found"], p[0]
PY
python3 check.py "$PWD" || die "JSON components"
