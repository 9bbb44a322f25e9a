#!/bin/bash
# t0721: asbuilt graph --format dot on a recorded build of examples/hello-make is valid
# Graphviz (dot -Tsvg renders it) and draws the real build: the project's sources one by one
# in the project's cluster, libc6-dev's headers folded into one node with the count of its
# files, every artifact, and the edges that say how each thing was made (compiled from,
# archived, static link, dynamic link, tool, output) between the right nodes.  The same
# record gives the same bytes; naming an ARTIFACT draws only what went into it.
. "$TOP/tests/e2e/lib.sh"

command -v dot >/dev/null || {
	[ "${CI:-}" != true ] || die "graphviz (dot) is not installed under CI=true"
	skip "graphviz (dot) not installed"
}
command -v dpkg-query >/dev/null || skip "no dpkg (the libc6-dev checks need it)"

cp -r "$EXAMPLES/hello-make" src
cd src
make clean >/dev/null
record_ok -- make
assert_build_ok
"$ASBUILT" graph --db "$DB" --format dot -o ../graph.dot || die "graph --format dot"
"$ASBUILT" graph --db "$DB" --format dot >../again.dot || die "graph --format dot to stdout"
"$ASBUILT" graph --db "$DB" --format dot libx.so >../libx.dot || die "graph of libx.so"
"$ASBUILT" components --db "$DB" --json >../components.json || die "components --json"
"$ASBUILT" artifacts --db "$DB" >../artifacts.txt || die "artifacts"
cd ..
cmp graph.dot again.dot || die "two runs on the same record gave different DOT"

dot -Tsvg graph.dot -o graph.svg 2>dot.err || { cat dot.err >&2; die "dot -Tsvg rejects graph.dot"; }
[ ! -s dot.err ] || { cat dot.err >&2; die "dot -Tsvg warns about graph.dot"; }
grep -q '<svg' graph.svg || die "dot wrote no SVG"
dot -Tjson graph.dot >graph.json || die "dot -Tjson"
dot -Tjson libx.dot >libx.json || die "dot -Tjson libx.dot"

# the packages of the compiler proper and of the linker driver (tools of the steps)
CC1=$(readlink -f "$(cc -print-prog-name=cc1)")
COLLECT2=$(readlink -f "$(cc -print-prog-name=collect2)")
CC1_PKG=$(dpkg-query -S "$CC1" | cut -d: -f1)
COLLECT2_PKG=$(dpkg-query -S "$COLLECT2" | cut -d: -f1)
DEV_VER=$(dpkg-query -W -f='${Version}' libc6-dev)
note "cc1 from $CC1_PKG, collect2 from $COLLECT2_PKG, libc6-dev $DEV_VER"

cat >check.py <<'PY'
import json, sys

cwd, cc1_pkg, collect2_pkg, dev_ver = sys.argv[1:5]
g = json.load(open("graph.json"))
objs = g["objects"]
nodes = {o["_gvid"]: o for o in objs if "nodes" not in o and "subgraphs" not in o}
clusters = {o["label"]: o for o in objs if o["name"].startswith("cluster")}
def label(o): return o.get("label", "").replace("\\n", "\n")
by_label = {}
for n in nodes.values():
    by_label.setdefault(label(n), []).append(n)
def one(lbl):
    got = by_label.get(lbl, [])
    assert len(got) == 1, ("want one node labelled", lbl, "got", len(got))
    return got[0]
edges = {}
for e in g.get("edges", []):
    edges.setdefault((e["tail"], e["head"]), []).append(e["label"])
def edge(a, b, lbl):
    got = edges.get((a["_gvid"], b["_gvid"]), [])
    assert got == [lbl], ("edge", label(a), "->", label(b), "want", lbl, "got", got)
def into(b, lbl=None):
    return [nodes[t] for (t, h), ls in edges.items() if h == b["_gvid"] and (lbl is None or lbl in ls)]
def step_of(out):
    w = into(out, "output")
    assert len(w) == 1, ("one step wrote", label(out), [label(x) for x in w])
    return w[0]

# every artifact is a node, drawn with a double border
for line in open("artifacts.txt"):
    path = line.split()[-1]
    n = one(path.rsplit("/", 1)[1])
    assert n.get("tooltip") == path and n.get("peripheries") == "2", n

# the project's files one by one, in its cluster; named after the build's directory
proj = clusters.get("project src")
assert proj, ("no project cluster", list(clusters))
inproj = {label(nodes[i]) for i in proj["nodes"]}
for f in ("main.c", "greet.c", "greet.h", "x.c", "x.h", "gen.c"):
    assert f in inproj, (f, "not in the project cluster", inproj)
    assert one(f).get("tooltip") == cwd + "/" + f

# system headers folded: no node of their own; libc6-dev one node with its file count
comps = {c["name"]: c for c in json.load(open("components.json"))}
dev = comps["libc6-dev"]
assert dev["version"] == dev_ver
devnode = one("libc6-dev %s\n%d files" % (dev_ver, len(dev["files"])))
assert devnode.get("shape") == "folder" and devnode.get("tooltip") == dev["purl"], devnode
for n in nodes.values():
    assert not n.get("tooltip", "").startswith("/usr/include/"), ("a header node", n)

# how each thing was made
hello, main_o, libgreet, libx = one("hello"), one("main.o"), one("libgreet.a"), one("libx.so")
link = step_of(hello)
assert label(link) == "link: cc" and "-o hello" in link["tooltip"], link
edge(main_o, link, "linked")
edge(libgreet, link, "static link")
edge(libx, link, "dynamic link")
cc_main = step_of(main_o)
assert label(cc_main) == "compile: cc" and "main.c" in cc_main["tooltip"]
edge(one("main.c"), cc_main, "compiled from")
edge(one("version.h"), cc_main, "compiled from")
edge(devnode, cc_main, "compiled from")
ar = step_of(libgreet)
assert label(ar) == "archive: ar", ar
edge(one("greet.o"), ar, "archived")
gen_step = step_of(one("version.h"))
edge(one("gen"), gen_step, "tool")
def pkg(name):
    got = [n for n in nodes.values() if label(n).startswith(name + " ")]
    assert len(got) == 1, ("one node of package", name, [label(n) for n in got])
    return got[0]
edge(pkg(cc1_pkg), cc_main, "tool")
edge(pkg(collect2_pkg), link, "tool")
# libc.so.6: the link read it (libc.so's GROUP) - a dynamic link from libc6
libc = [n for n in nodes.values() if label(n).startswith("libc6 ")]
assert len(libc) == 1
assert "dynamic link" in edges.get((libc[0]["_gvid"], link["_gvid"]), []), "libc6 -> link"

# the graph of libx.so alone: x.c and x.h, not main.c
x = json.load(open("libx.json"))
xl = {o.get("label") for o in x["objects"]}
assert {"libx.so", "x.o", "x.c", "x.h"} <= xl and not {"main.c", "hello"} & xl, xl
print("ok: %d nodes, %d edges" % (len(nodes), len(g.get("edges", []))))
PY
python3 check.py "$PWD/src" "$CC1_PKG" "$COLLECT2_PKG" "$DEV_VER" >&2 || die "graph.dot does not draw the build"
