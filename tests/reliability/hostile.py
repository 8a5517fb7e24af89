"""Hostile files (issue 23) and how much a refusal of each costs, measured in a child process.

Used by ``test_bounded_work.py`` and by ``scripts/hostile_report.py`` (which prints the
README's table). Every generator writes small files: what they declare or nest is large,
what they hold on disk is not.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DOC = CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt"


# ---------------------------------------------------------------- generators


def nested_divs(path: Path, depth: int = 50_000) -> Path:
    """``depth`` nested ``<div>`` around a real document's text (550 KB at 50,000)."""
    body = "".join(f"<p>{ln}</p>" for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.strip())
    path.write_text(
        f"<html><head><meta charset='utf-8'></head><body>{'<div>' * depth}{body}{'</div>' * depth}</body></html>",
        encoding="utf-8",
    )
    return path


def malformed_html(path: Path, n: int = 200_000) -> Path:
    """``<a<a<a…``: quadratic for Python's html.parser (183 s at 100,000 under load)."""
    path.write_text("<html><body><p>一、政策</p>" + "<a" * n + "</body></html>", encoding="utf-8")
    return path


def _deflated(real: int) -> bytes:
    """``real`` bytes of spaces, deflated as a zip member's data (no header), streamed."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1024 * 1024)
    out = []
    left = real
    while left > 0:
        out.append(c.compress(chunk[: min(left, len(chunk))]))
        left -= min(left, len(chunk))
    out.append(c.flush())
    return b"".join(out)


def zip_with_liar(path: Path, members: dict[str, bytes], liar: str, real: int, declared: int) -> Path:
    """A zip of ``members`` plus ``liar``: ``real`` bytes of XML-ish data whose directory
    entries declare ``declared`` bytes (and its CRC that of nothing)."""
    data = _deflated(real)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
        info = zipfile.ZipInfo(liar)
        info.compress_type = zipfile.ZIP_STORED
        z.writestr(info, data)  # the deflated bytes stored as they are …
    raw = bytearray(path.read_bytes())
    name = liar.encode()
    # … then marked deflated, with the declared size, in both headers
    for sig, off_method, off_usize, off_name_len, hdr in (
        (b"PK\x03\x04", 8, 22, 26, 30),
        (b"PK\x01\x02", 10, 24, 28, 46),
    ):
        pos = 0
        while (pos := raw.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", raw, pos + off_name_len)[0]
            if raw[pos + hdr : pos + hdr + n] == name:
                struct.pack_into("<H", raw, pos + off_method, zipfile.ZIP_DEFLATED)
                struct.pack_into("<I", raw, pos + off_usize, declared)
            pos += 4
    path.write_bytes(bytes(raw))
    return path


def docx_parts() -> dict[str, bytes]:
    import io

    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("虹口区测试文件")
    d.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def docx_liar(path: Path, real: int = 1024**3, declared: int = 1024 * 1024) -> Path:
    """A real .docx whose word/document.xml declares ``declared`` bytes and holds ``real``."""
    parts = {k: v for k, v in docx_parts().items() if k != "word/document.xml"}
    return zip_with_liar(path, parts, "word/document.xml", real, declared)


def docx_many_elements(path: Path, runs: int = 300_000) -> Path:
    """A .docx of 1.8 MB whose one paragraph has ``runs`` formatted runs (1.2 M elements)."""
    import random

    parts = docx_parts()
    head, rest = parts["word/document.xml"].decode().split("<w:body>", 1)
    r = random.Random(1)
    text = "".join(
        f'<w:r><w:rPr><w:b w:val="{r.randrange(2)}"/></w:rPr><w:t>{chr(0x4E00 + r.randrange(20000))}</w:t></w:r>'
        for _ in range(runs)
    )
    parts["word/document.xml"] = (head + "<w:body><w:p>" + text + "</w:p>" + rest).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    return path


def docx_many_parts(path: Path, n: int = 190_000) -> Path:
    """A 16 MB .docx of ``n`` empty parts (its directory alone is 9 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for k, v in docx_parts().items():
            z.writestr(k, v)
        for i in range(n):
            z.writestr(f"x/{i:x}", b"")
    return path


def numbered_items(path: Path, n: int = 20_000) -> Path:
    lines = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.strip()]
    body = "长宁区支持节能减排降碳若干政策措施\n" + "\n".join(
        f"{i}. {lines[i % len(lines)][:60]}" for i in range(1, n + 1)
    )
    path.write_text(body, encoding="utf-8")
    return path


def big_text(path: Path, mb: int = 50) -> Path:
    lines = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.strip()]
    with open(path, "w", encoding="utf-8") as fh:
        n = 0
        while fh.tell() < mb * 1024 * 1024:
            n += 1
            fh.write(f"{n}. {lines[n % len(lines)]}\n")
    return path


def signed_pack_with(path: Path, key: Path, files: dict[str, bytes], liar: tuple[str, int, int] | None = None) -> Path:
    """A pack signed with ``key`` whose documents are ``files`` (name → bytes), each listed
    with its hash; ``liar`` = (name, real, declared): one more listed document whose member
    holds ``real`` bytes and declares ``declared`` (listed with the hash of nothing)."""
    import hashlib

    from matcher.store import packfile, signing

    docs, members = [], {}
    for name, data in list(files.items()) + ([(liar[0], b"")] if liar else []):
        sha = hashlib.sha256(data).hexdigest()
        member = f"documents/{sha[:16]}/{name}"
        docs.append(
            {
                "doc_id": Path(name).stem,
                "title": name,
                "district": "虹口区",
                "sha256": sha,
                "measures": 1,
                "file": name,
                "path": member,
            }
        )
        members[member] = data
    manifest = {
        "format": packfile.FORMAT,
        "format_version": packfile.FORMAT_VERSION,
        "created": "2026-12-01T09:00:00",
        "producer": {"app": "PolicyDesk", "version": "0.1.0"},
        "documents": docs,
    }
    manifest["content_sha256"] = packfile.content_hash(manifest)
    body = {"manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}
    body.update({k: v for k, v in members.items() if not liar or not k.endswith("/" + liar[0])})
    if liar:
        zip_with_liar(path, body, docs[-1]["path"], liar[1], liar[2])
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for k, v in body.items():
                z.writestr(k, v)
    with zipfile.ZipFile(path, "a") as z:
        z.comment = signing.placeholder()
    signing.sign_file(path, signing.load_private(key))
    return path


# ---------------------------------------------------------------- measuring

_CHILD = """
import json, os, resource, sys, time
from matcher.cli.main import main
t0 = time.perf_counter()  # the command: its modules imported, the interpreter started
code = main(sys.argv[1:])
secs = time.perf_counter() - t0
sys.stdout.flush()
peak = None
try:  # this process's own high-water mark (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status", encoding="ascii") as fh:
        peak = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("POLICYDESK_MEASURE " + json.dumps({"code": code, "secs": secs, "peak_kb": peak}), file=sys.__stderr__)
sys.exit(code)
"""


@dataclass
class Measured:
    code: int
    secs: float  # inside the child: the command (the CLI imported, the knowledge base opened)
    wall: float  # the whole process, interpreter start included
    peak_mb: float  # the child's peak resident memory
    err: str


def measure(argv: list, home: Path, timeout: float = 600) -> Measured:
    """Run ``policydesk ARGV`` in a child process with POLICYDESK_HOME=home."""
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env["POLICYDESK_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *map(str, argv)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    err_bytes = b""
    try:
        err_bytes = proc.stderr.read()  # type: ignore[union-attr]
    finally:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    err = err_bytes.decode("utf-8", "replace")
    got = [ln for ln in err.splitlines() if ln.startswith("POLICYDESK_MEASURE ")]
    info = json.loads(got[-1].split(" ", 1)[1]) if got else {}
    text = "\n".join(ln for ln in err.splitlines() if not ln.startswith("POLICYDESK_MEASURE "))
    peak_kb = info.get("peak_kb") or usage.ru_maxrss
    return Measured(int(info.get("code", proc.returncode)), float(info.get("secs", wall)), wall, peak_kb / 1024, text)
