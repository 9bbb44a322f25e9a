"""categories.py - why asbuilt listed an input the compiler's or linker's own list lacks.

Each rule names a category and says when a listed input that is not in the ground truth
belongs to it.  The first rule that matches wins; an input no rule explains is
UNEXPLAINED and fails the suite.  Rules must be narrow: a category is a claim about what
the file is, checked on its path and content, never "anything under /usr".
"""

import os
import re

UNEXPLAINED = "unexplained"

GCC_LIB = re.compile(r"^/usr/lib/gcc/[^/]+/[^/]+/")


def _is_elf_shared(path):
    try:
        with open(path, "rb") as f:
            head = f.read(18)
    except OSError:
        return False
    return head[:4] == b"\x7fELF" and head[16] == 3


def _specs(kind, output, path, partial):
    return os.path.basename(path) == "specs" and GCC_LIB.match(path) is not None


def _oneshot(kind, output, path, partial):
    # gcc -o prog a.c b.c writes its -MD list once per source into the same file, so the
    # truth keeps only the last source's headers; the others' show up here.
    return partial and kind == "link" and path.endswith(
        (".c", ".h", ".cc", ".cpp", ".hpp", ".hh", ".cxx", ".def", ".inc"))


RULES = [
    ("gcc specs file (read by the driver)", _specs),
    ("one-shot compile+link: headers of other sources", _oneshot),
]


def _is_elf_exec(path):
    try:
        with open(path, "rb") as f:
            head = f.read(18)
    except OSError:
        return False
    return head[:4] == b"\x7fELF" and head[16] in (2, 3) and os.access(path, os.X_OK)


SHLIB = re.compile(r"\.so(\.[0-9]+)*$")

TOOL_RULES = [
    ("gcc specs file", lambda p: os.path.basename(p) == "specs" and GCC_LIB.match(p)),
    ("compiler or linker plugin", lambda p: "/plugin/" in p or (
        "lto" in os.path.basename(p) and SHLIB.search(p) is not None)),
    ("shared library the dynamic loader mapped", lambda p: SHLIB.search(p) is not None
     and _is_elf_shared(p)),
    ("executable run by the step", _is_elf_exec),
    ("script run by the step", lambda p: os.access(p, os.X_OK) and _shebang(p)),
]


def _shebang(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def classify_tool(path):
    """The category of a file asbuilt kept as one of a step's tools (not an input)."""
    for name, rule in TOOL_RULES:
        if rule(path):
            return name
    return UNEXPLAINED


def classify(kind, output, path, partial=False):
    for name, rule in RULES:
        if rule(kind, output, path, partial):
            return name
    return UNEXPLAINED


def count(tallies):
    out = {}
    for t in tallies:
        for _, _, cat in t.extras:
            out[cat] = out.get(cat, 0) + 1
    return out
