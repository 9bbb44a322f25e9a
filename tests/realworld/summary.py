#!/usr/bin/python3
"""summary.py - the table of a real-world run, in markdown (docs/accuracy.md's format).

usage: summary.py RESULTS-DIR SUITE-SECONDS
Reads every <project>-<backend>.json accuracy.py wrote and the .seconds next to it.
"""

import glob
import json
import os
import sys

ORDER = {"lua": 0, "hello": 1, "cjson": 2, "deb": 3}


def cell(f):
    return "%d / %d = **%.2f%%**" % (f["hit"], f["truth"], f["recall"])


def prec(f):
    return "%d / %d = **%.2f%%**" % (f["hit"], f["listed"], f["precision"])


def main():
    rdir, total = sys.argv[1], sys.argv[2]
    rows, extras = [], {}
    for path in glob.glob(os.path.join(rdir, "*.json")):
        if path.endswith(".sbom.json"):
            continue
        with open(path) as f:
            r = json.load(f)
        sec = path[:-5] + ".seconds"
        r["seconds"] = open(sec).read().strip() if os.path.exists(sec) else "?"
        r["key"] = os.path.basename(path).rsplit("-", 1)[0]
        rows.append(r)
        for cat, n in r.get("extras_by_category", {}).items():
            extras.setdefault(cat, []).append("%s/%s: %d" % (r["project"], r["backend"], n))
    rows.sort(key=lambda r: (ORDER.get(r["key"], 9), r["backend"] != "preload"))
    print("| project | backend | record s | compiles | compile recall | compile precision "
          "| links | link recall | link precision | /usr inputs: package+version "
          "| toolchain in tools | record complete | result |")
    print("|---|---|---:|---:|---|---|---:|---|---|---|---|---|---|")
    for r in rows:
        c, ln, u = r["compile"], r["link"], r["usr"]
        tc = r.get("toolchain") or {}
        have, n = sum(h for h, _ in tc.values()), sum(k for _, k in tc.values())
        inc = r.get("incomplete") or []
        print("| %s | %s | %s | %d | %s | %s | %d | %s | %s | %d / %d = **%.2f%%** | %s | %s "
              "| %s |" % (r["project"], r["backend"], r["seconds"], c["steps"], cell(c), prec(c),
                          ln["steps"], cell(ln), prec(ln), u["correct"], u["files"],
                          u["accuracy"], "%d / %d" % (have, n) if tc else "not measured",
                          "yes" if not inc else "no: " + ", ".join(
                              "%s %s" % (x[0], os.path.basename(x[1])) for x in inc[:3]),
                          "ok" if not r["failures"] else "FAIL"))
    sboms = sorted(glob.glob(os.path.join(rdir, "*.sbom.json")), key=lambda p: "ebpf" in p)
    if sboms:
        print()
        print("| per-package SBOM | backend | files of the .deb with the right sha256 "
              "| sources of its binaries reachable | source-tree files reachable that did "
              "not go in | libc6-dev reachable |")
        print("|---|---|---|---|---|---|")
        for path in sboms:
            with open(path) as f:
                d = json.load(f)
            backend = os.path.basename(path)[:-len(".sbom.json")].rsplit("-", 1)[1]
            for pkg, fig in sorted(d["packages"].items()):
                if not fig:
                    continue
                src = ("%d / %d" % (fig["sources_reachable"], fig["sources"])
                       if "sources" in fig else "no ELF file built here")
                print("| %s | %s | %d / %d | %s | %s | %s |" % (
                    pkg, backend, fig["files_ok"], fig["files"], src,
                    fig.get("sources_extra", "-"), "yes" if fig["libc6_dev"] else "NO"))
    print()
    if extras:
        print("Extra inputs by category:")
        for cat in sorted(extras):
            print("- %s: %s" % (cat, ", ".join(extras[cat])))
    else:
        print("Extra inputs by category: none.")
    print()
    print("Suite wall time: %s s (setup, every recorded build and every measurement)." % total)


if __name__ == "__main__":
    main()
