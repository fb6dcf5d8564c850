#!/usr/bin/env python3
"""deb2wheel: repack a Debian python3-* package (pure Python) as a wheel.

The e2e machine reaches no PyPI, only Debian's mirror. The Python sample apps
install their dependencies offline from a wheelhouse (pip install --no-index
--find-links vendor), the way air-gapped builds do; this script made those
wheels from Debian's .debs, keeping the upstream package, its metadata and
entry points, and Debian's copyright file as the licence:

    apt-get download python3-gunicorn         # or a trixie source for newer ones
    python3 e2e/deb2wheel.py python3-gunicorn_23.0.0-1_all.deb OUTDIR
"""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main(deb, outdir):
    with tempfile.TemporaryDirectory() as root:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        site = os.path.join(root, "usr/lib/python3/dist-packages")
        entries = sorted(os.listdir(site))
        info = next(e for e in entries if e.endswith((".dist-info", ".egg-info")))
        dist, version = info.rsplit(".", 1)[0].split("-", 1)
        files = {}  # archive name -> bytes
        for e in entries:
            if e == info:
                continue
            top = os.path.join(site, e)
            for dirpath, _, names in os.walk(top):
                for n in sorted(names):
                    if n.endswith(".pyc"):
                        continue
                    full = os.path.join(dirpath, n)
                    with open(full, "rb") as fh:
                        files[os.path.relpath(full, site)] = fh.read()
        di = f"{dist}-{version}.dist-info"
        src = os.path.join(site, info)
        meta_name = "METADATA" if info.endswith(".dist-info") else "PKG-INFO"
        with open(os.path.join(src, meta_name), "rb") as fh:
            meta = fh.read()
        if meta_name == "PKG-INFO" and b"\nRequires-Dist:" not in meta and os.path.exists(os.path.join(src, "requires.txt")):
            reqs, marker = [], ""
            for line in open(os.path.join(src, "requires.txt")):
                line = line.strip()
                if line.startswith("["):  # [extra], [:marker] or [extra:marker]
                    extra, _, cond = line.strip("[]").partition(":")
                    parts = ([f"extra == '{extra}'"] if extra else []) + ([f"({cond})"] if cond else [])
                    marker = " and ".join(parts)
                elif line:
                    reqs.append(line + (f" ; {marker}" if marker else ""))
            head, sep, body = meta.partition(b"\n\n")
            meta = head + b"".join(b"\nRequires-Dist: " + r.encode() for r in reqs) + sep + body
        files[f"{di}/METADATA"] = meta
        if os.path.exists(os.path.join(src, "entry_points.txt")):
            with open(os.path.join(src, "entry_points.txt"), "rb") as fh:
                files[f"{di}/entry_points.txt"] = fh.read()
        pkg = os.path.basename(deb).split("_")[0]
        with open(os.path.join(root, "usr/share/doc", pkg, "copyright"), "rb") as fh:
            files[f"{di}/licenses/debian-copyright"] = fh.read()
        files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: dfslim e2e/deb2wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        record = [record_line(n, d) for n, d in files.items()] + [f"{di}/RECORD,,"]
        files[f"{di}/RECORD"] = ("\n".join(record) + "\n").encode()
        out = os.path.join(outdir, f"{dist.replace('-', '_')}-{version}-py3-none-any.whl")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for n in sorted(files):
                zi = zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0))
                zi.external_attr = 0o644 << 16
                z.writestr(zi, files[n], zipfile.ZIP_DEFLATED)
        print(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
