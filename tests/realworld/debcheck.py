#!/usr/bin/python3
"""debcheck.py - the per-package SBOMs of a dpkg-buildpackage run, against the .debs it made.

usage: debcheck.py --asbuilt BIN --db FILE.db --tree DIR --srcdir DIR --out DIR [--since STAMP]

Runs `asbuilt sbom --per-package OUT --format spdx --include-sources` on the record, then for
every binary package P built (DIR/P_*.deb, debug symbol packages included when an SBOM for
them was written):
  * every regular file `dpkg-deb -c` lists is in P's SBOM, as a File whose name ends with
    the file's path in the package and whose SHA256 is that of the file `dpkg-deb -x`
    extracts (hashlib, independent of asbuilt);
  * from what the SBOM DESCRIBES, following its relationships in the made-from direction,
    a C source file of the source tree is reachable (for packages that ship ELF files),
    and so is libc6-dev, the build dependency whose headers every object read.
Exit status: 0 all good; 1 a file missing, a wrong hash, nothing reachable; 77 this asbuilt
has no --per-package (run.sh fails on that under CI=true); 2 unusable input.
"""

import argparse
import glob
import hashlib
import json
import sqlite3
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth  # noqa: E402

# A rel B: the edge goes from the made thing to what it was made from (or contains).
FORWARD = {"DESCRIBES", "CONTAINS", "GENERATED_FROM", "STATIC_LINK", "DYNAMIC_LINK",
           "DEPENDS_ON", "HAS_PREREQUISITE"}
BACKWARD = {"DESCRIBED_BY", "CONTAINED_BY", "GENERATES", "BUILD_DEPENDENCY_OF",
            "BUILD_TOOL_OF", "DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF",
            "PREREQUISITE_FOR", "DEV_TOOL_OF", "OPTIONAL_DEPENDENCY_OF"}


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def deb_files(deb, into):
    """{path in the package (no leading ./ or /): sha256} of the regular files of DEB."""
    subprocess.run(["dpkg-deb", "-x", deb, into], check=True)
    listing = subprocess.run(["dpkg-deb", "-c", deb], check=True, capture_output=True,
                             text=True).stdout
    out = {}
    for line in listing.splitlines():
        fields = line.split(None, 5)
        if len(fields) < 6 or not fields[0].startswith("-"):
            continue
        rel = fields[5].split(" -> ")[0]
        rel = rel[2:] if rel.startswith("./") else rel.lstrip("/")
        out[rel] = sha256_of(os.path.join(into, rel))
    return out


def sbom_for(outdir, pkg):
    """The SBOM file --per-package wrote for PKG: named PKG followed by '.' or '_'."""
    for path in sorted(glob.glob(os.path.join(outdir, "**", "*"), recursive=True)):
        name = os.path.basename(path)
        if os.path.isfile(path) and name.startswith(pkg) and name[len(pkg):][:1] in (".", "_"):
            return path
    return None


def reachable(doc):
    edges = {}
    for r in doc.get("relationships", []):
        a, t, b = r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]
        if t in FORWARD:
            edges.setdefault(a, set()).add(b)
        elif t in BACKWARD:
            edges.setdefault(b, set()).add(a)
    start = set(doc.get("documentDescribes") or [])
    start |= edges.get(doc.get("SPDXID", "SPDXRef-DOCUMENT"), set())
    seen, todo = set(start), list(start)
    while todo:
        for y in edges.get(todo.pop(), ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return seen


SOURCE_EXT = (".c", ".h", ".S", ".s", ".inc", ".cc", ".cpp", ".hpp")


class Truth:
    """What went into each linked output, from the build's own -MD files and linker maps
    (truth.py): the output's LOAD files, and for each object among them (or a member of an
    archive among them) the files its compile read."""

    def __init__(self, tree, since_ns):
        compiles, links, _ = truth.collect(tree, since_ns)
        self.by_object, self.by_base = {}, {}
        for c in compiles:
            for o in c.objects:
                self.by_object[os.path.realpath(o)] = c.inputs
                self.by_base.setdefault(os.path.basename(o), []).append(os.path.realpath(o))
        self.links, self.archives = {}, {}
        for ln in links:
            self.links.setdefault(os.path.basename(ln.output), []).append(ln)
        for d, dirs, names in os.walk(tree):
            dirs[:] = [x for x in dirs if x != "debian"]
            for n in names:
                p = os.path.join(d, n)
                if n.endswith(".a") and os.stat(p).st_mtime_ns >= since_ns:
                    self.archives.setdefault(n, []).append(os.path.realpath(p))

    def copies_of(self, srcdir, sha):
        """Source-like files of SRCDIR (outside debian/) whose content has sha256 SHA: where
        a shipped header or script was installed from."""
        if not hasattr(self, "by_sha"):
            self.by_sha = {}
            for d, dirs, names in os.walk(srcdir):
                dirs[:] = [x for x in dirs if x not in ("debian", ".pc")]
                for n in names:
                    p = os.path.join(d, n)
                    if n.endswith(SOURCE_EXT) and os.path.isfile(p):
                        self.by_sha.setdefault(sha256_of(p), set()).add(os.path.realpath(p))
        return self.by_sha.get(sha, set())

    def _members(self, archive):
        """The compiled objects that are members of ARCHIVE, found by name: `ar t` gives
        basenames, and a libtool convenience archive holds objects of other directories
        (the PIC ones under .libs/ when the archive is there)."""
        p = subprocess.run(["ar", "t", archive], capture_output=True, text=True)
        pic = "/.libs/" in archive
        out = []
        for m in p.stdout.split():
            cands = self.by_base.get(m, [])
            pref = [c for c in cands if ("/.libs/" in c) == pic]
            out += pref or cands
        return out

    def inputs_of(self, name):
        """The files that went into the linked output or archive named NAME, or None."""
        if name in self.archives:
            out = set()
            for a in self.archives[name]:
                for o in self._members(a):
                    out |= self.by_object.get(o, set())
            return out
        if name not in self.links:
            return None
        out = set()
        for ln in self.links[name]:
            out |= ln.inputs
            for x in ln.inputs:
                objs = self._members(x) if x.endswith(".a") else [x]
                for o in objs:
                    out |= self.by_object.get(o, set())
        return out


def check_sources(pkg, files, binaries, doc, seen, srcdir, tr, problems):
    """Sources of the package's binaries: the compiler's truth against the SBOM's.  FILES:
    {path in the package: sha256}; BINARIES: those that are ELF files or archives."""
    want = set()
    for rel in binaries:
        got = tr.inputs_of(os.path.basename(rel))
        if got is not None:
            want |= got
    if not want:
        return None
    for rel, sha in files.items():
        if rel not in binaries:
            want |= tr.copies_of(srcdir, sha)
    want = {p for p in want if p.startswith(srcdir + "/") and p.endswith(SOURCE_EXT)}
    names = {e["SPDXID"]: e.get("fileName", "") for e in doc.get("files", [])}
    have = set()
    for i in seen:
        n = names.get(i, "")
        n = os.path.normpath("/" + (n[2:] if n.startswith("./") else n.lstrip("/")))
        # the package's own files and their install copies (debian/PKG/, debian/tmp/)
        # are what it ships, not what went into it
        if (n.startswith(srcdir + "/") and n.endswith(SOURCE_EXT) and
                not n.startswith(srcdir + "/debian/")):
            have.add(n)
    for p in sorted(want - have):
        problems.append("%s: %s went into its binaries but is not reachable" % (pkg, p))
    extra = sorted(have - want)
    return len(want), len(want & have), len(have), extra


def check_package(pkg, deb, sbom, srcdir, problems, tr=None, reach=None):
    """reach: where reachability problems go (problems when None); a record asbuilt itself
    marked incomplete (a file changed before it could be hashed, which the eBPF backend
    cannot always prevent) may lose the lineage of what changed, and says so."""
    reach = problems if reach is None else reach
    with open(sbom) as f:
        doc = json.load(f)
    byname = {}
    for fe in doc.get("files", []):
        name = fe.get("fileName", "")
        name = name[2:] if name.startswith("./") else name.lstrip("/")
        sums = {c["algorithm"]: c["checksumValue"] for c in fe.get("checksums", [])}
        byname.setdefault(name, []).append((fe["SPDXID"], sums.get("SHA256")))
    with tempfile.TemporaryDirectory() as tmp:
        files = deb_files(deb, tmp)
        elf = [p for p in files if open(os.path.join(tmp, p), "rb").read(8) in (
            b"!<arch>\n",) or open(os.path.join(tmp, p), "rb").read(4) == b"\x7fELF"]
    ok = 0
    for rel, sha in sorted(files.items()):
        cands = [x for n, xs in byname.items() if n == rel or n.endswith("/" + rel) for x in xs]
        if not cands:
            problems.append("%s: %s is not in the SBOM" % (pkg, rel))
        elif sha not in {c[1] for c in cands}:
            problems.append("%s: %s has sha256 %s in the .deb, the SBOM says %s" % (
                pkg, rel, sha, sorted({c[1] for c in cands})))
        else:
            ok += 1
    seen = reachable(doc)
    names = {e["SPDXID"]: e for e in doc.get("files", []) + doc.get("packages", [])}
    srcs = [i for i in seen if i in names and names[i].get("fileName", "").endswith(".c")
            and srcdir in names[i].get("fileName", "")]
    libc = [i for i in seen if i in names and names[i].get("name") == "libc6-dev"]
    if elf and not srcs:
        reach.append("%s: no C source of %s is reachable from the package" % (pkg, srcdir))
    if not libc:
        reach.append("%s: the build dependency libc6-dev is not reachable" % pkg)
    print("  %-28s %3d/%3d files with the .deb's sha256, %d sources and libc6-dev %s reachable"
          % (pkg, ok, len(files), len(srcs), "is" if libc else "NOT"))
    fig = {"files": len(files), "files_ok": ok, "libc6_dev": bool(libc)}
    sc = check_sources(pkg, files, elf, doc, seen, srcdir, tr, reach) if tr else None
    if sc:
        n, hit, listed, extra = sc
        fig.update(sources=n, sources_reachable=hit, sources_extra=len(extra),
                   sources_extra_examples=[os.path.relpath(x, srcdir) for x in extra[:5]])
        print("  %-28s sources of its binaries (-MD, ld map): %d, reachable %d; source-tree "
              "files reachable that did not go in: %d%s" % (
                  "", n, hit, len(extra), (" (e.g. %s)" % ", ".join(
                      os.path.relpath(x, srcdir) for x in extra[:3])) if extra else ""))
    return fig


def record_incomplete(db):
    """The newest build's incompleteness reasons ('' when it is complete)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        row = con.execute("SELECT b.complete, (SELECT group_concat(DISTINCT i.reason) FROM "
                          "incomplete i WHERE i.build_id = b.id) FROM builds b "
                          "ORDER BY b.id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return "" if not row or row[0] else (row[1] or "no reason given")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for a in ("--asbuilt", "--db", "--tree", "--srcdir", "--out"):
        ap.add_argument(a, required=True)
    ap.add_argument("--json", help="write the figures per package to this file")
    ap.add_argument("--since", help="stamp of the build: also compare each package's "
                    "sources with the compiler's and linker's own lists")
    args = ap.parse_args()
    args.srcdir = os.path.realpath(args.srcdir)
    tr = Truth(args.tree, os.stat(args.since).st_mtime_ns) if args.since else None
    debs = sorted(glob.glob(os.path.join(args.tree, "*.deb")))
    if not debs:
        sys.stderr.write("debcheck: no .deb in '%s'\n" % args.tree)
        return 2
    os.makedirs(args.out, exist_ok=True)
    p = subprocess.run([args.asbuilt, "sbom", "--db", args.db, "--format", "spdx",
                        "--include-sources", "--per-package", args.out],
                       cwd=args.srcdir, capture_output=True, text=True)
    if p.returncode != 0:
        if "per-package" in p.stderr or "unrecognized option" in p.stderr:
            print("SKIP: asbuilt sbom --per-package is not available: %s"
                  % p.stderr.strip().splitlines()[0])
            return 77
        sys.stderr.write("debcheck: asbuilt sbom --per-package failed (%d): %s\n"
                         % (p.returncode, p.stderr.strip()))
        return 1
    problems, figures = [], {}
    incomplete = record_incomplete(args.db)
    unverified = [] if incomplete else None
    print("== per-package SBOMs (%s)" % args.out)
    if incomplete:
        print("  note: the record is incomplete (%s): lineage problems are listed, not failed"
              % incomplete)
    for deb in debs:
        pkg = os.path.basename(deb).split("_")[0]
        sbom = sbom_for(args.out, pkg)
        if sbom is None:
            if pkg.endswith("-dbgsym"):
                print("  %-28s no SBOM (debug symbols package)" % pkg)
            else:
                problems.append("%s: no SBOM written for it in %s" % (pkg, args.out))
            continue
        figures[pkg] = check_package(pkg, deb, sbom, args.srcdir, problems, tr, unverified)
    for pr in (unverified or [])[:20]:
        print("  NOT VERIFIED (record incomplete) %s" % pr)
    for pr in problems[:60]:
        print("  FAIL %s" % pr)
    if len(problems) > 60:
        print("  FAIL ... and %d more" % (len(problems) - 60))
    print("  %s" % ("RESULT ok" if not problems else "RESULT FAIL"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"packages": figures, "problems": problems}, f, indent=1, sort_keys=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
