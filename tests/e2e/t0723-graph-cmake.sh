#!/bin/bash
# t0723: asbuilt graph on a recorded configure-and-build of examples/hello-cmake (an
# out-of-source build: sources in the directory, outputs under b/): the DOT renders, the
# header cmake generated (b/config.h) is a build output that the compile of main.c read,
# shout.c reaches hello through libshout.a ("archived" by ar, then "static link"), the sources
# are the project's, CMake's own probe files are nowhere; the HTML page, in headless
# Chromium, lists the components and draws hello and libshout.a.
. "$TOP/tests/e2e/lib.sh"

command -v cmake >/dev/null || skip "cmake not installed"
command -v dot >/dev/null || {
	[ "${CI:-}" != true ] || die "graphviz (dot) is not installed under CI=true"
	skip "graphviz (dot) not installed"
}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	[ "${CI:-}" != true ] || die "chromium is not installed under CI=true"
	skip "chromium not installed (Debian package chromium)"
fi

cp -R "$EXAMPLES/hello-cmake/." .
record_ok -- sh -c 'cmake -S . -B b >/dev/null && cmake --build b'
assert_build_ok
"$ASBUILT" graph --db "$DB" --format dot -o graph.dot || die "graph --format dot"
"$ASBUILT" graph --db "$DB" --format html -o graph.html || die "graph --format html"
"$ASBUILT" components --db "$DB" --json >components.json || die "components --json"
dot -Tsvg graph.dot -o graph.svg 2>dot.err || { cat dot.err >&2; die "dot -Tsvg rejects graph.dot"; }
dot -Tjson graph.dot >graph.json || die "dot -Tjson"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$PWD/chromium-profile" --virtual-time-budget=5000 \
	--dump-dom "file://$PWD/graph.html" >dom.html 2>chromium.err ||
	{ tail -n 20 chromium.err >&2; die "chromium --dump-dom failed"; }

cat >check.py <<'PY'
import json, re, sys

cwd = sys.argv[1]
g = json.load(open("graph.json"))
nodes = {o["_gvid"]: o for o in g["objects"] if "nodes" not in o}
byl = {}
for n in nodes.values():
    byl.setdefault(n.get("label"), []).append(n)
def one(l):
    assert len(byl.get(l, [])) == 1, ("want one node", l, len(byl.get(l, [])))
    return byl[l][0]
edges = {(e["tail"], e["head"]): e["label"] for e in g.get("edges", [])}
def writers(out):
    return [nodes[t] for (t, h), l in edges.items() if h == out["_gvid"] and l == "output"]
def wrote(out):
    w = writers(out)
    assert len(w) == 1, ("one step wrote", out.get("label"), [x["label"] for x in w])
    return w[0]
def edge(a, b, l):
    assert edges.get((a["_gvid"], b["_gvid"])) == l, (a["label"], b["label"], l,
                                                      edges.get((a["_gvid"], b["_gvid"])))

config = one("config.h")
assert config["tooltip"] == cwd + "/b/config.h" and config.get("fillcolor") == "#e3ecfb", config
hello, lib = one("hello"), one("libshout.a")
assert hello["tooltip"] == cwd + "/b/hello" and hello.get("peripheries") == "2"
main_o, shout_o = [one("main.c.o")], [one("shout.c.o")]
assert main_o[0]["tooltip"] == cwd + "/b/CMakeFiles/hello.dir/main.c.o"
cc_main = wrote(main_o[0])
edge(config, cc_main, "compiled from")
edge(one("main.c"), cc_main, "compiled from")
edge(one("shout.c"), wrote(shout_o[0]), "compiled from")
# ar qc wrote libshout.a, ranlib rewrote it in place (with the same bytes: one node)
ar = [w for w in writers(lib) if w["label"] == "archive: ar"]
assert len(ar) == 1, [w["label"] for w in writers(lib)]
edge(shout_o[0], ar[0], "archived")
edge(lib, wrote(hello), "static link")
edge(main_o[0], wrote(hello), "linked")
proj = [o for o in g["objects"] if o["name"].startswith("cluster") and o["label"].startswith("project ")]
assert len(proj) == 1, [o["label"] for o in g["objects"] if "nodes" in o]
inproj = {nodes[i]["label"] for i in proj[0]["nodes"]}
assert {"main.c", "shout.c", "shout.h", "config.h.in"} >= inproj >= {"main.c", "shout.c", "shout.h"}, inproj
for n in nodes.values():
    t = n.get("tooltip", "")
    assert "CMakeFiles/CMakeScratch" not in t and "cmTC_" not in t and "CMakeTmp" not in t, t

dom = open("dom.html", encoding="utf-8").read()
assert 'data-ready="1"' in dom, "the page's script did not run"
for c in json.load(open("components.json")):
    if c["name"]:
        assert '<td class="name">%s</td>' % c["name"] in dom, c["name"]
    if c["version"]:
        assert '<td class="version">%s</td>' % c["version"] in dom, c["version"]
for l in ("hello", "libshout.a", "config.h", "main.c"):
    assert re.search(r'<text[^>]*class="label"[^>]*>%s</text>' % re.escape(l), dom), l
print("ok: %d nodes" % len(nodes))
PY
python3 check.py "$PWD" >&2 || die "the graph of hello-cmake is wrong"
