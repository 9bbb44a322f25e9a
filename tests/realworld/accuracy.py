#!/usr/bin/python3
"""accuracy.py - how accurately asbuilt recorded a real build, against the build's own truth.

usage: accuracy.py --asbuilt BIN --db FILE.db --tree DIR --since STAMP
                   --project NAME --backend NAME [--build N] [--json OUT] [--helper BIN]

The build in FILE.db must have been made with `-MD` in CFLAGS and `-Wl,-Map=%.map` in
LDFLAGS (tests/realworld/run.sh does that).  Ground truth (truth.py): the dependency files
and linker maps under DIR written after STAMP; package truth (dpkgtruth.py): `dpkg -S` and
`dpkg-query -W` for every input under /usr.  asbuilt's answers: `asbuilt deps --direct` for
every object and every linked output (or, with --helper, directdeps.c: the same graph
functions, one graph load for all outputs), `asbuilt components --json` for the packages.

Figures, per step kind (compile, link):
  recall     = truth inputs asbuilt listed / truth inputs
  precision  = listed inputs that are in the truth / listed inputs
Every listed input that is not in the truth is put in a category (categories.py); one that
fits none is 'unexplained'.  Also checked: the hash asbuilt recorded for every matched file
the build did not write equals its sha256 now (hashlib).

Targets (exit status 1 when one is missed, the misses printed): 100% recall of compile
and link inputs, 100% correct package and version for inputs under /usr, precision >= 99%,
no unexplained extra, no hash mismatch, cc1/as/collect2/ld among the tools of every compile
and link step, a finished record of a build that exited 0.  An incomplete record (the
`incomplete` rows: what asbuilt could not see) is reported, not failed: a gap that touches
an input shows up as a miss.  Exit status 2: bad
usage or unusable input (no database, no ground truth found).
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import categories  # noqa: E402
import dpkgtruth  # noqa: E402
import recorded  # noqa: E402
import truth  # noqa: E402

PRECISION_TARGET = 99.0


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pct(num, den):
    return 100.0 * num / den if den else 100.0


class Tally:
    """Counts and findings of one step kind."""

    def __init__(self, kind):
        self.kind = kind
        self.steps = 0
        self.truth = 0
        self.hit = 0
        self.listed = 0
        self.misses = []      # (output, path, why)
        self.extras = []      # (output, path, category)
        self.notes = []       # truth that could not be checked, and why
        self.tools = {}       # category -> [count, an example] of the steps' tool files
        self.odd_tools = []   # (output, path) of tool files no category explains

    def figures(self):
        return {
            "steps": self.steps, "truth": self.truth, "hit": self.hit, "listed": self.listed,
            "recall": round(pct(self.hit, self.truth), 2),
            "precision": round(pct(self.hit, self.listed), 2),
            "misses": len(self.misses), "extras": len(self.extras),
        }


def why_missed(rec, path):
    n = rec.reads_of(path)
    if n:
        return "in the raw record (%d read events with a version) but not in the step's inputs" % n
    n = rec.opens_of(path)
    if n:
        return "opened in the raw record (%d events) but no version was read" % n
    return "not in the raw record at all"


def compare_step(rec, tally, output, want, hashes, partial=False):
    """Compare one step's truth WANT (set of real paths) with `deps --direct OUTPUT`."""
    got = rec.direct_inputs(output)
    tally.steps += 1
    tally.truth += len(want)
    if got is None:
        for p in sorted(want):
            tally.misses.append((output, p, "asbuilt does not know the output"))
        return
    tally.listed += len(got)
    for p in sorted(want):
        if p in got:
            tally.hit += 1
            hashes.append((output, p, got[p]))
        else:
            tally.misses.append((output, p, why_missed(rec, p)))
    for p in sorted(set(got) - want):
        tally.extras.append((output, p, categories.classify(tally.kind, output, p, partial)))
    for p in sorted(rec.tools.get(output, ())):
        cat = categories.classify_tool(p)
        tally.tools.setdefault(cat, [0, p])[0] += 1
        if cat == categories.UNEXPLAINED:
            tally.odd_tools.append((output, p))


def check_compiles(rec, compiles, hashes):
    t = Tally("compile")
    for c in compiles:
        if not c.objects:
            t.notes.append("%s: object %s is gone; not compared" % (c.depfile, c.target))
            continue
        for obj in c.objects:
            compare_step(rec, t, obj, c.inputs, hashes)
    return t


def check_links(rec, links, oneshot, hashes):
    t = Tally("link")
    for ln in links:
        if not os.path.exists(ln.output):
            t.notes.append("%s: output %s is gone; not compared" % (ln.mapfile, ln.output))
            continue
        want = set(ln.inputs)
        partial = bool(ln.temps)
        if partial:
            # gcc -o prog a.c b.c: ld read deleted temporaries; asbuilt lists the sources
            # and headers they were compiled from.  gcc's -MD file holds the last source's.
            want |= oneshot.get(ln.output, set())
            t.notes.append("%s: one-shot compile and link; the compiler's dependency file "
                           "covers only its last source" % ln.output)
        for g in sorted(ln.gone):
            t.notes.append("%s: map names %s, which is gone; not compared" % (ln.output, g))
        compare_step(rec, t, ln.output, want, hashes, partial)
    return t


def toolchain():
    """{step kind: [real paths of the programs gcc runs for it]}: the driver's own answer
    (`gcc -print-prog-name`), resolved through PATH when it names no directory."""
    progs = {"compile": ["cc1", "as"], "link": ["collect2", "ld"]}
    out = {}
    for kind, names in progs.items():
        for n in names:
            p = subprocess.run(["gcc", "-print-prog-name=" + n], capture_output=True,
                               text=True).stdout.strip()
            if "/" not in p:
                p = shutil.which(p) or p
            out.setdefault(kind, []).append(os.path.realpath(p))
    return out


def check_toolchain(rec, tallies, compiles, links):
    """How many steps of each kind have each of gcc's programs among their tools."""
    if not rec.helper:
        return None
    tc, res = toolchain(), {}
    outputs = {"compile": [o for c in compiles for o in c.objects],
               "link": [ln.output for ln in links if os.path.exists(ln.output)]}
    for kind, progs in tc.items():
        for prog in progs:
            have = sum(1 for o in outputs[kind] if prog in rec.tools.get(o, ()))
            res["%s %s" % (kind, os.path.basename(prog))] = [have, len(outputs[kind])]
    return res


def check_hashes(rec, hashes):
    bad, seen = [], set()
    for output, path, sha in hashes:
        if path in seen or rec.written(path):
            continue
        seen.add(path)
        try:
            real = sha256_of(path)
        except OSError as e:
            bad.append((path, "cannot read now: %s" % e.strerror))
            continue
        if real != sha:
            bad.append((path, "recorded %s, sha256 now %s" % (sha, real)))
    return len(seen), bad


def check_packages(rec, compiles, links):
    usr = set()
    for c in compiles:
        if c.objects:
            usr |= {p for p in c.inputs if p.startswith("/usr/")}
    for ln in links:
        usr |= {p for p in ln.inputs if p.startswith("/usr/")}
    want = dpkgtruth.owners(usr)
    comp = rec.components()
    wrong, nodpkg = [], 0
    for p in sorted(usr):
        w = want[p]
        g = comp.get(p)
        if w is None:
            nodpkg += 1
            if g is not None and g[0] == "deb":
                wrong.append((p, "no package owns it, asbuilt says deb %s %s" % (g[1], g[2])))
            continue
        if g is None:
            wrong.append((p, "dpkg: %s %s; not listed by asbuilt components" % w))
        elif (g[0], g[1], g[2]) != ("deb", w[0], w[1]):
            wrong.append((p, "dpkg: %s %s; asbuilt: %s %s %s" % (w + (g[0], g[1], g[2]))))
    return {"files": len(usr), "correct": len(usr) - len(wrong), "not_owned": nodpkg,
            "accuracy": round(pct(len(usr) - len(wrong), len(usr)), 2)}, wrong


def crosscheck(rec, failures):
    """The helper's answers equal `asbuilt deps --direct`'s, output by output."""
    n = 0
    for output, want in sorted(rec.cache.items()):
        got = rec.cli_direct_inputs(output)
        n += 1
        if got != want:
            failures.append("rw-directdeps and `asbuilt deps --direct` differ on %s" % output)
    return n


def summarize(args, rec, tallies, pkg, pkg_wrong, nhash, hash_bad):
    failures = []
    row = rec.build_row()
    if row is None:
        failures.append("build %d is not in the database" % rec.build)
    elif row["state"] != "finished" or row["exit_status"] != 0:
        failures.append("build %d: state %s, exit status %s" % (
            rec.build, row["state"], row["exit_status"]))
    for t in tallies:
        f = t.figures()
        if f["recall"] < 100.0:
            failures.append("%s recall %.2f%% < 100%%" % (t.kind, f["recall"]))
        if f["precision"] < PRECISION_TARGET:
            failures.append("%s precision %.2f%% < %.0f%%" % (t.kind, f["precision"],
                                                              PRECISION_TARGET))
        n = sum(1 for e in t.extras if e[2] == categories.UNEXPLAINED)
        if n:
            failures.append("%s: %d unexplained extra inputs" % (t.kind, n))
        if t.odd_tools:
            failures.append("%s: %d tool files no category explains" % (t.kind,
                                                                      len(t.odd_tools)))
    if pkg["accuracy"] < 100.0:
        failures.append("packages of /usr inputs: %.2f%% correct < 100%%" % pkg["accuracy"])
    if hash_bad:
        failures.append("%d files recorded with a hash that is not their sha256" % len(hash_bad))
    return {
        "project": args.project, "backend": args.backend, "build": rec.build,
        "record": row, "compile": tallies[0].figures(), "link": tallies[1].figures(),
        "incomplete": [list(r) for r in rec.incomplete()],
        "usr": pkg, "hash_checked": nhash, "hash_mismatches": len(hash_bad),
        "extras_by_category": categories.count(tallies),
        "tools_by_category": {t.kind: {c: n for c, (n, _) in t.tools.items()} for t in tallies},
        "failures": failures,
    }


def print_report(res, tallies, pkg_wrong, hash_bad, warnings):
    out = sys.stdout
    r = res["record"] or {}
    out.write("== %s / %s (build %d: %s, complete=%s, %s events, %s lost)\n" % (
        res["project"], res["backend"], res["build"], r.get("state"), r.get("complete"),
        r.get("nevents"), r.get("nlost")))
    for reason, detail in res["incomplete"][:10]:
        out.write("  incomplete %s %s\n" % (reason, detail))
    for t in tallies:
        f = t.figures()
        out.write("  %-8s %4d steps  truth %6d  found %6d  recall %7.2f%%  listed %6d  "
                  "precision %7.2f%%\n" % (t.kind, f["steps"], f["truth"], f["hit"], f["recall"],
                                           f["listed"], f["precision"]))
    u = res["usr"]
    out.write("  /usr     %4d files (%d owned by no package)  package+version correct %d "
              "(%.2f%%)\n" % (u["files"], u["not_owned"], u["correct"], u["accuracy"]))
    out.write("  hashes   %d preexisting inputs re-hashed, %d mismatches\n" % (
        res["hash_checked"], res["hash_mismatches"]))
    if res.get("toolchain"):
        out.write("  toolchain %s\n" % ", ".join("%s %d/%d" % (w, h, n) for w, (h, n) in
                                                sorted(res["toolchain"].items())))
    if "crosscheck" in res:
        out.write("  crosscheck: rw-directdeps against `asbuilt deps --direct` on %d outputs\n"
                  % res["crosscheck"])
    for cat, n in sorted(res["extras_by_category"].items()):
        ex = next(e for t in tallies for e in t.extras if e[2] == cat)
        out.write("  extra    %-40s %5d  e.g. %s (for %s)\n" % (cat, n, ex[1], ex[0]))
    for t in tallies:
        for cat, (n, ex) in sorted(t.tools.items()):
            out.write("  tools    %-8s %-42s %5d  e.g. %s\n" % (t.kind, cat, n, ex))
    for t in tallies:
        for o, p in t.odd_tools[:20]:
            out.write("  ODD-TOOL %s %s <- %s\n" % (t.kind, o, p))
        for o, p, why in t.misses[:40]:
            out.write("  MISS %s %s <- %s: %s\n" % (t.kind, o, p, why))
        if len(t.misses) > 40:
            out.write("  MISS ... and %d more\n" % (len(t.misses) - 40))
        for o, p, cat in t.extras:
            if cat == categories.UNEXPLAINED:
                out.write("  UNEXPLAINED %s %s <- %s\n" % (t.kind, o, p))
        for n in t.notes[:10]:
            out.write("  note %s\n" % n)
        if len(t.notes) > 10:
            out.write("  note ... and %d more\n" % (len(t.notes) - 10))
    for p, why in pkg_wrong[:40]:
        out.write("  WRONG-PACKAGE %s: %s\n" % (p, why))
    for p, why in hash_bad[:40]:
        out.write("  WRONG-HASH %s: %s\n" % (p, why))
    for w in warnings[:20]:
        out.write("  asbuilt warned: %s\n" % w)
    for f in res["failures"]:
        out.write("  FAIL %s\n" % f)
    out.write("  %s\n" % ("RESULT ok" if not res["failures"] else "RESULT FAIL"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asbuilt", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--tree", required=True)
    ap.add_argument("--since", required=True, help="a file written just before the build")
    ap.add_argument("--project", required=True)
    ap.add_argument("--backend", required=True)
    ap.add_argument("--build", type=int)
    ap.add_argument("--json")
    ap.add_argument("--helper", help="rw-directdeps (directdeps.c): one graph load for all")
    ap.add_argument("--crosscheck", action="store_true",
                    help="also ask `asbuilt deps --direct` about every output and fail when "
                    "the helper's answer differs")
    args = ap.parse_args()
    for what, path in (("database", args.db), ("stamp", args.since)):
        if not os.path.isfile(path):
            sys.stderr.write("accuracy: %s '%s' does not exist\n" % (what, path))
            return 2
    if not os.path.isdir(args.tree):
        sys.stderr.write("accuracy: tree '%s' is not a directory\n" % args.tree)
        return 2

    compiles, links, oneshot = truth.collect(args.tree, os.stat(args.since).st_mtime_ns)
    if not compiles or not links:
        sys.stderr.write("accuracy: no ground truth under '%s' (%d dependency files, %d linker "
                         "maps): was the build made with -MD and -Wl,-Map=%%.map?\n"
                         % (args.tree, len(compiles), len(links)))
        return 2
    rec = recorded.Recorded(args.asbuilt, args.db, args.build, args.helper)
    rec.prefetch([o for c in compiles for o in c.objects] + [ln.output for ln in links])
    hashes = []
    tallies = [check_compiles(rec, compiles, hashes), check_links(rec, links, oneshot, hashes)]
    nhash, hash_bad = check_hashes(rec, hashes)
    pkg, pkg_wrong = check_packages(rec, compiles, links)
    res = summarize(args, rec, tallies, pkg, pkg_wrong, nhash, hash_bad)
    res["toolchain"] = check_toolchain(rec, tallies, compiles, links)
    for what, (have, n) in sorted((res["toolchain"] or {}).items()):
        if have != n:
            res["failures"].append("%s: among the tools of %d of %d steps" % (what, have, n))
    if args.crosscheck:
        res["crosscheck"] = crosscheck(rec, res["failures"])
    print_report(res, tallies, pkg_wrong, hash_bad, rec.warnings)
    if args.json:
        res["misses"] = [[t.kind] + list(m) for t in tallies for m in t.misses]
        res["extras"] = [[t.kind] + list(e) for t in tallies for e in t.extras]
        res["wrong_packages"] = pkg_wrong
        res["notes"] = [n for t in tallies for n in t.notes]
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 1 if res["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
