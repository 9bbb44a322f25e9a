#!/bin/bash
# t0722: asbuilt graph --format html on a recorded build of examples/hello-make writes one
# self-contained page (nothing fetched at view time) that headless Chromium renders: after
# its script ran, the DOM has the component table (every component of `asbuilt components`
# with its version, license and purl, and its file count), every artifact and intermediate
# as a labelled graph node, the search of #q=greet marking exactly the nodes that mention
# greet, and #sel=hello showing hello's details; a screenshot PNG of the page is made and
# kept in the test directory.  The same record gives the same bytes.
. "$TOP/tests/e2e/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	[ "${CI:-}" != true ] || die "chromium is not installed under CI=true"
	skip "chromium not installed (Debian package chromium)"
fi

cp -r "$EXAMPLES/hello-make" src
cd src
make clean >/dev/null
record_ok -- make
assert_build_ok
"$ASBUILT" graph --db "$DB" --format html -o ../graph.html || die "graph --format html"
"$ASBUILT" graph --db "$DB" --format html -o ../again.html || die "graph --format html again"
"$ASBUILT" components --db "$DB" --json >../components.json || die "components --json"
"$ASBUILT" artifacts --db "$DB" >../artifacts.txt || die "artifacts"
cd ..
cmp graph.html again.html || die "two runs on the same record gave different HTML"

# browse RESULT URL-FRAGMENT: the DOM after the page's script ran, into RESULT.
browse() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$PWD/chromium-profile" --virtual-time-budget=5000 \
		--dump-dom "file://$PWD/graph.html$2" >"$1" 2>chromium.err ||
		{ tail -n 20 chromium.err >&2; die "chromium --dump-dom failed"; }
	[ -s "$1" ] || { tail -n 20 chromium.err >&2; die "chromium dumped an empty DOM"; }
}
browse dom.html "#q=greet&sel=hello"
browse plain.html ""

timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$PWD/chromium-profile" --virtual-time-budget=5000 \
	--window-size=1400,1000 --screenshot="$PWD/graph.png" "file://$PWD/graph.html#q=greet" \
	2>chromium.err || { tail -n 20 chromium.err >&2; die "chromium --screenshot failed"; }

cat >check.py <<'PY'
import html.parser, json, re, struct, sys, zlib

cwd = sys.argv[1]
page = open("graph.html", encoding="utf-8").read()

# self-contained: no external script, style sheet, image or frame; the data is JSON
for bad in (r'<script[^>]*\ssrc=', r'<link\b', r'<img\b', r'<iframe\b', r'url\(\s*["\']?https?:',
            r'(src|href)=["\']?(https?:)?//'):
    assert not re.search(bad, page, re.I), ("external reference", bad)
m = re.search(r'<script type="application/json" id="asbuilt-data">(.*?)</script>', page, re.S)
assert m, "no embedded data"
data = json.loads(m.group(1))
assert data["title"] == "src" and data["cwd"] == cwd, (data["title"], data["cwd"])

class Dom(html.parser.HTMLParser):
    """Collects table rows (cells by class), graph nodes (class, labels) and the details."""
    def __init__(self):
        super().__init__()
        self.rows, self.nodes, self.stack, self.text = [], {}, [], {}
        self.cell = self.node = None
        self.details = ""
        self.count = ""
        self.ready = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append((tag, a))
        if tag == "body" and a.get("data-ready") == "1":
            self.ready = True
        if tag == "tr" and "data-comp" in a:
            self.rows.append({})
        if tag == "td" and self.rows and "class" in a:
            self.cell = a["class"]
            self.rows[-1][self.cell] = ""
        if tag == "g" and "node" in a.get("class", "").split():
            self.node = a["id"]
            self.nodes[self.node] = {"class": a["class"].split(), "label": None, "sub": None}
        if tag == "text" and self.node and a.get("class") in ("label", "sub"):
            self.cell = "svg-" + a["class"]
    def handle_endtag(self, tag):
        while self.stack:
            t, a = self.stack.pop()
            if t == "td" or t == "text":
                self.cell = None
            if t == "g" and self.node and a.get("id") == self.node:
                self.node = None
            if t == tag:
                break
    def inside(self, ident):
        return any(a.get("id") == ident for _, a in self.stack)
    def handle_data(self, d):
        if self.inside("details"):
            self.details += d
        if self.inside("count"):
            self.count += d
        if self.cell and self.cell.startswith("svg-") and self.node:
            k = self.cell[4:]
            self.nodes[self.node][k] = (self.nodes[self.node][k] or "") + d
        elif self.cell and self.rows:
            self.rows[-1][self.cell] += d

def parse(name):
    p = Dom()
    p.feed(open(name, encoding="utf-8").read())
    assert p.ready, (name, "the page's script did not finish (body data-ready)")
    return p

dom = parse("dom.html")
# the component table: every component, with version, license, purl and its file count;
# the other rows are the packages of the build's tools (the compiler, the assembler)
comps = json.load(open("components.json"))
rows = {(r.get("name"), r.get("version") or None): r for r in dom.rows}
assert len(dom.rows) == len(rows) == len(data["comps"]), (len(dom.rows), len(data["comps"]))
def concluded(c):
    l = c["license_concluded"]
    return " AND ".join("(%s)" % x if len(l) > 1 and " " in x else x for x in l)
for c in comps:
    name = c["name"] or "src"
    r = rows.get((name, c["version"]))
    assert r, ("no table row for", name, c["version"], sorted(rows))
    assert r["kind"] == c["kind"], (name, r)
    assert r["purl"] == (c["purl"] or ""), (name, r["purl"], c["purl"])
    lic = c["license"] or concluded(c) or "NOASSERTION"
    assert r["license"] == lic, (name, r["license"], lic)
    assert int(r["files"]) >= 1 and r["uses"] and r["uses"] != "tool", (name, r)
    r["seen"] = True
tools = [r for r in dom.rows if not r.get("seen")]
assert tools and all(r["uses"] == "tool" and r["kind"] == "deb" for r in tools), tools
assert "cpp-12" in [r["name"] for r in tools] or not [c for c in comps if c["name"] == "libc6-dev"], tools
libc_dev = [r for r in dom.rows if r["name"] == "libc6-dev"]
assert len(libc_dev) == 1 and libc_dev[0]["purl"].startswith("pkg:deb/debian/libc6-dev@")

# every artifact, intermediate and project file is a node labelled with its name
labels = {}
for ident, n in dom.nodes.items():
    labels.setdefault(n["label"], []).append((ident, n))
def node(lbl):
    got = labels.get(lbl, [])
    assert len(got) == 1, ("want one node labelled", lbl, "got", len(got))
    return got[0][1]
for line in open("artifacts.txt"):
    n = node(line.split()[-1].rsplit("/", 1)[1])
    assert "art" in n["class"], ("an artifact not drawn as one", n)
for f in ("main.o", "greet.o", "libgreet.a", "libx.so", "version.h", "gen"):
    assert "out" in node(f)["class"], (f, node(f))
for f in ("main.c", "greet.c", "greet.h", "x.c", "x.h", "gen.c"):
    assert "src" in node(f)["class"], (f, node(f))
assert any(l and l.startswith("libc6-dev ") for l in labels), "no libc6-dev node"
assert len(dom.nodes) == len(data["nodes"]), (len(dom.nodes), len(data["nodes"]))

# #q=greet: exactly the nodes that mention greet are hits, the others dimmed
hits = {n["label"] for n in dom.nodes.values() if "hit" in n["class"]}
for f in ("greet.c", "greet.h", "greet.o", "libgreet.a"):
    assert f in hits, (f, "not found by the search", hits)
for f in ("main.c", "x.c", "hello", "libx.so"):
    assert f not in hits and "dim" in node(f)["class"], (f, node(f)["class"])
for n in dom.nodes.values():
    assert ("hit" in n["class"]) != ("dim" in n["class"]), n
assert dom.count.strip() == "%d matching nodes" % len(hits), (dom.count, len(hits))
# #sel=hello: its details: path, hash, the link step that wrote it
hello = node("hello")
assert "sel" in hello["class"]
assert cwd + "/hello" in dom.details and "link: cc" in dom.details, dom.details
sha = [l.split()[0] for l in open("artifacts.txt") if l.split()[-1] == cwd + "/hello"][0]
assert sha in dom.details, ("hello's sha256 not in its details", dom.details)

# without a fragment: nothing searched, nothing selected
plain = parse("plain.html")
assert not [n for n in plain.nodes.values() if {"hit", "dim", "sel"} & set(n["class"])]
assert plain.count.strip() == "" and plain.details.strip() == ""

# the screenshot: a PNG of the window's size with more than a blank page in it
png = open("graph.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", png[16:24])
assert (w, h) == (1400, 1000), (w, h)
assert len(png) > 20000, ("suspiciously small screenshot", len(png))
idat, pos = b"", 8
while pos < len(png):
    ln, typ = struct.unpack(">I4s", png[pos:pos + 8])
    if typ == b"IDAT":
        idat += png[pos + 8:pos + 8 + ln]
    pos += 12 + ln
raw = zlib.decompress(idat)
assert len(set(raw)) > 64, ("the screenshot is nearly uniform", len(set(raw)))
print("ok: %d rows, %d nodes, %d hits" % (len(dom.rows), len(dom.nodes), len(hits)))
PY
python3 check.py "$PWD/src" >&2 || die "the HTML report does not show the build"
echo "screenshot: $PWD/graph.png" >&2
