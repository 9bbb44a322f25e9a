#!/bin/bash
# t0725: paths that are not text survive asbuilt graph: a build writes
# 'd<0xff><' + '/' + 'script><!--"q\x.txt' (a byte that is not UTF-8, "</script>", "<!--",
# a quote and a backslash in one path).  The DOT stays valid UTF-8 Graphviz renders without a
# warning; the HTML page's embedded data stays one JSON text that neither ends its <script>
# nor opens a comment, Chromium runs the page, and #sel= with the path's display text
# (the byte as \xff, the backslash doubled) selects the node.
. "$TOP/tests/e2e/lib.sh"

command -v dot >/dev/null || {
	[ "${CI:-}" != true ] || die "graphviz (dot) is not installed under CI=true"
	skip "graphviz (dot) not installed"
}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	[ "${CI:-}" != true ] || die "chromium is not installed under CI=true"
	skip "chromium not installed (Debian package chromium)"
fi

echo hello >in.txt
dir=$(printf 'd\377<')
file=$(printf 'script><!--"q\\x.txt')
record_ok -- sh -c 'mkdir -p "$1" && cp in.txt "$1/$2"' sh "$dir" "$file"
assert_build_ok
[ -f "$dir/$file" ] || die "the build did not write the odd file"
"$ASBUILT" graph --db "$DB" --format dot -o graph.dot || die "graph --format dot"
"$ASBUILT" graph --db "$DB" --format html -o graph.html || die "graph --format html"

iconv -f UTF-8 -t UTF-8 graph.dot >/dev/null || die "graph.dot is not valid UTF-8"
iconv -f UTF-8 -t UTF-8 graph.html >/dev/null || die "graph.html is not valid UTF-8"
dot -Tjson graph.dot >graph.json 2>dot.err || { cat dot.err >&2; die "dot rejects graph.dot"; }
[ ! -s dot.err ] || { cat dot.err >&2; die "dot warns about graph.dot"; }
dot -Tsvg graph.dot >graph.svg 2>dot.err || { cat dot.err >&2; die "dot -Tsvg rejects graph.dot"; }

cat >check.py <<'PY'
import json, re, sys, urllib.parse

cwd = sys.argv[1]
want = cwd + '/d\\xff</script><!--"q\\\\x.txt'
# Graphviz keeps backslash escapes in attribute values (-Tjson) and applies them when it
# renders a label (-Tsvg): the display text has the byte as \xff, the backslash doubled
g = json.load(open("graph.json"))
nodes = [o for o in g["objects"] if o.get("tooltip") == want.replace("\\", "\\\\")]
assert len(nodes) == 1, ("no DOT node for", want, [o.get("tooltip") for o in g["objects"]])
svg = open("graph.svg", encoding="utf-8").read()
label = 'script&gt;&lt;!&#45;&#45;&quot;q\\\\x.txt</text>'
assert label in svg, ("the label is not rendered as", label)

page = open("graph.html", encoding="utf-8").read()
opens = [m.start() for m in re.finditer(r"<script\b", page)]
closes = [m.start() for m in re.finditer(r"</script", page, re.I)]
assert len(opens) == 2 and len(closes) == 2, ("the path ended or opened a script", opens, closes)
m = re.search(r'<script type="application/json" id="asbuilt-data">(.*?)</script>', page, re.S)
assert "<!--" not in m.group(1) and "<" not in m.group(1)
data = json.loads(m.group(1))
assert [n for n in data["nodes"] if n["detail"] == want], "the path is not in the data"
print(urllib.parse.quote(want, safe=""))
PY
frag=$(python3 check.py "$PWD") || die "the odd path did not survive"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$PWD/chromium-profile" --virtual-time-budget=5000 \
	--dump-dom "file://$PWD/graph.html#sel=$frag" >dom.html 2>chromium.err ||
	{ tail -n 20 chromium.err >&2; die "chromium --dump-dom failed"; }
grep -q 'data-ready="1"' dom.html || die "the page's script did not run"
python3 - "$PWD" <<'PY' || die "#sel= did not select the odd file"
import html, re, sys
want = sys.argv[1] + '/d\\xff</script><!--"q\\\\x.txt'
dom = open("dom.html", encoding="utf-8").read()
m = re.search(r'<aside id="details">(.*?)</aside>', dom, re.S)
assert m, "no details panel"
text = html.unescape(re.sub(r"<[^>]+>", "\n", m.group(1)))
assert want in text.split("\n"), text
assert re.search(r'<g class="node file art[^"]*\bsel\b', dom), "the node is not selected"
PY
