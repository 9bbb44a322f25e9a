"""truth.py - the ground truth of a build, from the files the compiler and linker wrote.

The real-world suite builds every project with `-MD` added to CFLAGS and `-Wl,-Map=%.map`
added to LDFLAGS.  After the build:

* every make-style dependency file (`*.d`, automake's `.deps/*.Po` / `*.Plo`) written during
  the build is the compiler's own list of the files one compile read (the source and every
  header, system headers included);
* every linker map (`OUTPUT.map` next to each linked OUTPUT, GNU ld's `%` form) lists in
  its `LOAD` lines exactly the files ld opened as inputs, the same list `ld --trace` prints
  (objects, archives, shared libraries, linker scripts such as libc.so, crt files); unlike
  --trace output on stdout it names the output it belongs to.

Nothing here looks at the asbuilt database: this is the independent side of the comparison.
"""

import os
import re

OBJ_SUFFIXES = (".o", ".lo", ".obj")


class Compile:
    """One compile: OBJECTS (absolute paths on disk) made from INPUTS (real paths)."""

    def __init__(self, depfile, cwd, target, objects, inputs):
        self.depfile = depfile
        self.cwd = cwd
        self.target = target
        self.objects = objects
        self.inputs = inputs


class Link:
    """One link: OUTPUT (absolute path) from INPUTS (real paths of existing files).

    TEMPS are inputs that no longer exist (the objects of a one-shot `gcc -o prog a.c`);
    GONE are other LOAD entries that could not be found."""

    def __init__(self, mapfile, cwd, output, inputs, temps, gone):
        self.mapfile = mapfile
        self.cwd = cwd
        self.output = output
        self.inputs = inputs
        self.temps = temps
        self.gone = gone


def _make_words(text):
    """Split a line of make syntax into words, honouring gcc's escapes ('\\ ', '$$')."""
    words, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in " #\\":
            cur.append(text[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < len(text) and text[i + 1] == "$":
            cur.append("$")
            i += 2
            continue
        if c in " \t":
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        words.append("".join(cur))
    return words


def parse_depfile(text):
    """The rules of a make dependency file as [(targets, prerequisites)], in order.

    Rules without prerequisites (the phony ones -MP adds) are dropped."""
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")
    rules = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.search(r"(?<!\\):(?:\s|$)", line)
        if not m:
            continue
        targets = _make_words(line[: m.start()])
        prereqs = _make_words(line[m.end():])
        if targets and prereqs:
            rules.append((targets, prereqs))
    return rules


def _ancestors(d):
    d = os.path.abspath(d)
    while True:
        yield d
        parent = os.path.dirname(d)
        if parent == d:
            return
        d = parent


def _find_cwd(start, probes):
    """The nearest ancestor of START (START included) in which one of PROBES exists."""
    for p in probes:
        if os.path.isabs(p):
            continue
        for a in _ancestors(start):
            if os.path.lexists(os.path.join(a, p)):
                return a
    return None


def _real(cwd, p):
    return os.path.realpath(os.path.join(cwd, p) if cwd else p)


def _objects_of(cwd, target):
    """The object files a dependency target stands for (libtool: .libs/x.o and x.o)."""
    path = os.path.normpath(os.path.join(cwd, target))
    if target.endswith(".lo"):
        d, b = os.path.split(path[:-3])
        cands = [os.path.join(d, ".libs", b + ".o"), os.path.join(d, b + ".o")]
    else:
        cands = [path]
    return [c for c in cands if os.path.isfile(c)]


def read_depfile(path):
    """A Compile (or a one-shot compile of a link when the target is no object), or None."""
    try:
        with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
            rules = parse_depfile(f.read())
    except OSError:
        return None
    if not rules:
        return None
    targets, prereqs = rules[0]
    target = targets[0]
    cwd = _find_cwd(os.path.dirname(path), [target] + prereqs[:1])
    if cwd is None:
        return None
    inputs = set()
    for p in prereqs:
        if os.path.isabs(p) or cwd:
            inputs.add(_real(cwd, p))
    objects = _objects_of(cwd, target) if target.endswith(OBJ_SUFFIXES) else []
    return Compile(path, cwd, target, objects, inputs)


def read_mapfile(path):
    """A Link from a GNU ld map file written as OUTPUT.map, or None if PATH is no ld map."""
    loads, output = [], None
    try:
        with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                if line.startswith("LOAD "):
                    loads.append(line[5:].rstrip("\n"))
                elif line.startswith("OUTPUT("):
                    output = line[7:].rstrip().rstrip(")").rsplit(" ", 1)[0]
    except OSError:
        return None
    if output is None or not loads:
        return None
    if not os.path.isabs(output) and path.endswith(output + ".map"):
        cwd = path[: -len(output + ".map")] or "/"
    else:
        cwd = _find_cwd(os.path.dirname(path), [output] + loads)
    if cwd is None:
        cwd = os.path.dirname(path)
    inputs, temps, gone = set(), set(), set()
    for p in loads:
        full = os.path.normpath(os.path.join(cwd, p))
        if os.path.exists(full):
            inputs.add(os.path.realpath(full))
        elif p == "linker stubs":
            continue
        elif re.match(r"^/tmp/cc[^/]*\.o$", full):
            temps.add(full)
        else:
            gone.add(full)
    out = os.path.realpath(os.path.join(cwd, output))
    return Link(path, cwd, out, inputs, temps, gone)


def collect(tree, since_ns):
    """Every Compile and Link whose dependency file or map was written at or after SINCE_NS.

    Returns (compiles, links, oneshot) where ONESHOT maps a link output to the inputs the
    compiler listed for the sources it compiled itself (`gcc -o prog a.c`)."""
    compiles, links, oneshot = [], [], {}
    for d, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(d, name)
            is_dep = name.endswith((".d", ".Po", ".Plo"))
            is_map = name.endswith(".map")
            if not (is_dep or is_map):
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_mtime_ns < since_ns or not os.path.isfile(path):
                continue
            if is_dep:
                c = read_depfile(path)
                if c is None:
                    continue
                if c.target.endswith(OBJ_SUFFIXES):
                    compiles.append(c)
                else:
                    out = _real(c.cwd, c.target)
                    oneshot.setdefault(out, set()).update(c.inputs)
            else:
                ln = read_mapfile(path)
                if ln is not None:
                    links.append(ln)
    return compiles, links, oneshot
