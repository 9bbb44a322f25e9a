"""recorded.py - what asbuilt says about a build: its CLI answers and its raw rows.

Everything goes through the user-facing commands (`asbuilt deps --direct`, `asbuilt
components --json`); the database is opened read-only only to explain a miss (was the file
in the raw record at all?) and to tell preexisting files from the build's own outputs.
"""

import json
import os
import sqlite3
import subprocess


class Recorded:
    """One build of DB.  HELPER, when given, is tests/realworld/directdeps.c built: the same
    answers as `asbuilt deps --direct`, for all outputs in one graph load."""

    def __init__(self, asbuilt, db, build=None, helper=None):
        self.asbuilt = asbuilt
        self.helper = helper
        self.cache = {}
        self.tools = {}  # output -> the files its step used as tools (helper only)
        self.db = db
        self.conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        self.conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        if build is None:
            build = self.conn.execute("SELECT max(id) FROM builds").fetchone()[0]
        self.build = int(build)
        self.warnings = []

    def _run(self, args):
        cmd = [self.asbuilt] + args[:1] + ["--db", self.db, "--build", str(self.build)]
        cmd += args[1:]
        p = subprocess.run(cmd, capture_output=True, text=True, errors="surrogateescape")
        return p.returncode, p.stdout, p.stderr

    def prefetch(self, outputs):
        """Asks the helper about all OUTPUTS (real paths) at once; no-op without one."""
        if not self.helper:
            return
        todo = sorted(set(outputs) - set(self.cache))
        p = subprocess.run([self.helper, self.db, str(self.build)], input="\n".join(todo) + "\n",
                           capture_output=True, text=True, errors="surrogateescape")
        if p.returncode != 0:
            raise RuntimeError("%s failed: %s" % (self.helper, p.stderr.strip()))
        cur = None
        for line in p.stdout.splitlines():
            if line.startswith("= "):
                cur = line[2:]
                self.cache[cur] = {}
                self.tools[cur] = set()
            elif line == "! not an output":
                self.cache[cur] = None
            elif line.startswith("T "):
                self.tools[cur].add(line[2:])
            else:
                sha, _, path = line.partition("  ")
                if sha == "-":
                    # asbuilt deps leaves such a file out with a warning
                    self.warnings.append("%s: %s was used but has no hash" % (cur, path))
                else:
                    self.cache[cur][os.path.realpath(path)] = sha

    def direct_inputs(self, output):
        """{real path: sha256} of what `asbuilt deps --direct OUTPUT` lists, or None when
        asbuilt refuses OUTPUT (not an output of the build); its warnings are kept."""
        if output in self.cache:
            return self.cache[output]
        return self.cli_direct_inputs(output)

    def cli_direct_inputs(self, output):
        """direct_inputs() asking `asbuilt deps --direct` itself."""
        rc, out, err = self._run(["deps", "--direct", output])
        for line in err.splitlines():
            if line.strip():
                self.warnings.append("%s: %s" % (output, line.strip()))
        if rc != 0:
            return None
        got = {}
        for line in out.splitlines():
            sha, sep, path = line.partition("  ")
            if sep:
                got[os.path.realpath(path)] = sha
        return got

    def components(self):
        """{path: (kind, name, version, sha256)} of every file `components --json` lists."""
        rc, out, err = self._run(["components", "--json"])
        if rc != 0:
            raise RuntimeError("asbuilt components failed: " + err.strip())
        files = {}
        for c in json.loads(out):
            for f in c.get("files", []):
                files[f["path"]] = (c.get("kind"), c.get("name"), c.get("version"), f.get("sha256"))
        return files

    def reads_of(self, path):
        """How many successful read events of PATH (real path) the raw record has."""
        row = self.conn.execute(
            "SELECT count(*) FROM file_events e JOIN file_versions v ON v.id = e.version_id"
            " WHERE e.build_id = ? AND v.path = ? AND e.access = 'read' AND e.result >= 0",
            (self.build, path)).fetchone()
        return row[0]

    def opens_of(self, path):
        """How many open events name PATH as realpath or abspath, versioned or not."""
        row = self.conn.execute(
            "SELECT count(*) FROM file_events WHERE build_id = ? AND (realpath = ? OR abspath = ?)",
            (self.build, path, path)).fetchone()
        return row[0]

    def written(self, path):
        """True when the build wrote some version of PATH."""
        row = self.conn.execute(
            "SELECT count(*) FROM file_versions WHERE build_id = ? AND path = ?"
            " AND origin != 'preexisting'", (self.build, path)).fetchone()
        return row[0] > 0

    def build_row(self):
        r = self.conn.execute(
            "SELECT state, complete, exit_status, backend, nevents, nlost FROM builds WHERE id = ?",
            (self.build,)).fetchone()
        keys = ("state", "complete", "exit_status", "backend", "nevents", "nlost")
        return dict(zip(keys, r)) if r else None

    def incomplete(self):
        return self.conn.execute(
            "SELECT reason, coalesce(detail, '') FROM incomplete WHERE build_id = ?",
            (self.build,)).fetchall()
