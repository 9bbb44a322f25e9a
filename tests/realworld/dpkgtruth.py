"""dpkgtruth.py - which Debian package, and which version, owns a file: dpkg's own answer.

`dpkg -S` is asked about the file's real path and its /usr-merged alternatives (dpkg's
database still lists /lib/x86_64-linux-gnu/libc.so.6 where the file's real path is
/usr/lib/x86_64-linux-gnu/libc.so.6); `dpkg-query -W` gives the installed version.  Independent of asbuilt.
"""

import os
import subprocess

MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def _candidates(path):
    out = [path]
    for top in MERGED:
        if path.startswith("/usr/%s/" % top):
            out.append(path[4:])
        elif path.startswith("/%s/" % top):
            out.append("/usr" + path)
    return out


def _dpkg_search(paths):
    """{path: [package, ...]} for the paths dpkg -S knows (others absent)."""
    owners = {}
    paths = sorted(set(paths))
    for i in range(0, len(paths), 400):
        chunk = paths[i:i + 400]
        p = subprocess.run(["dpkg", "-S"] + chunk, capture_output=True, text=True,
                           errors="surrogateescape")
        for line in p.stdout.splitlines():
            if line.startswith("diversion by "):
                continue
            pkgs, sep, path = line.partition(": ")
            if sep and path in chunk:
                owners[path] = [x.strip() for x in pkgs.split(",")]
    return owners


def _versions(pkgs):
    if not pkgs:
        return {}
    p = subprocess.run(["dpkg-query", "-W", "-f", "${binary:Package}\t${Package}\t${Version}\n"]
                       + sorted(pkgs), capture_output=True, text=True)
    ver = {}
    for line in p.stdout.splitlines():
        full, name, version = (line.split("\t") + ["", ""])[:3]
        if version:
            ver[full] = version
            ver[name] = version
    return ver


def owners(files):
    """{file: (package, version) or None} for FILES, real paths.  The owner of the real
    path is asked, not that of a symlink the build named (libz.so -> libz.so.1.2.13 is
    zlib1g-dev's link to zlib1g's file: the content is zlib1g's)."""
    cands = {real: _candidates(real) for real in files}
    found = _dpkg_search([q for c in cands.values() for q in c])
    pkgs = {p for v in found.values() for p in v}
    ver = _versions(pkgs)
    native = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                            text=True).stdout.strip()
    result = {}
    for real, c in cands.items():
        hit = next((found[q] for q in c if q in found), None)
        if not hit:
            result[real] = None
            continue
        # A Multi-Arch: same file is owned by each installed architecture; the native one
        # (or the first) is the one the build used.
        pkg = sorted(hit, key=lambda s: (not s.endswith(":" + native), s))[0]
        result[real] = (pkg.split(":")[0], ver.get(pkg) or ver.get(pkg.split(":")[0]))
    return result
