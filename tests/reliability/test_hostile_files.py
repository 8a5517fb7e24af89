"""Hostile or accidental document files (issue 12, points 3, 5 and 6): each is refused with a
clear Chinese message and exit code 2, quickly and without reading what it declares, or
imported once; the knowledge base is left as it was."""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.common import limits
from matcher.errors import BadInput
from matcher.reading import pipeline
from matcher.reading.readers import read_document
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DOC = CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt"
HONGKOU = sorted((ROOT / "seeds").glob("*.txt"))[0]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def kb_state():
    k = KnowledgeBase.open_default()
    try:
        return k.stats()
    finally:
        k.close()


def _zip_bomb_docx(path: Path, declared: int) -> Path:
    """A real .docx (python-docx made) whose word/document.xml is replaced by a stored entry
    that *declares* ``declared`` bytes: the zip is a few KB, nothing large is allocated."""
    import docx

    src = path.with_suffix(".src.docx")
    d = docx.Document()
    d.add_paragraph("虹口区测试文件")
    d.save(str(src))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "word/document.xml":
                zout.writestr(info, zin.read(info.filename))
        # a deflated run of spaces: 1 MB of zeros compresses to ~1 KB; declare far more
        body = b"<w:document>" + b" " * (1024 * 1024) + b"</w:document>"
        zout.writestr("word/document.xml", body)
    data = bytearray(path.read_bytes())
    # rewrite the declared uncompressed size of document.xml in both headers
    name = b"word/document.xml"
    for sig, off_size, off_name_len, hdr in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            n = struct.unpack_from("<H", data, pos + off_name_len)[0]
            if data[pos + hdr : pos + hdr + n] == name:
                struct.pack_into("<I", data, pos + off_size, declared)
            pos += 4
    path.write_bytes(bytes(data))
    src.unlink()
    return path


def test_zip_bomb_docx_refused_before_reading(capsys, tmp_path):
    bomb = _zip_bomb_docx(tmp_path / "bomb.docx", 2_000_000_000)
    assert bomb.stat().st_size < 100_000
    before = kb_state()
    tracemalloc.start()
    t0 = time.perf_counter()
    code, out, err = run(capsys, "ingest", bomb)
    secs = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 2, err
    assert "bomb.docx" in err and "解压后" in err and "恶意构造" in err and "Traceback" not in err
    assert peak < 50 * 1024 * 1024 and secs < 10
    assert kb_state() == before


def _declare(path: Path, prefix: bytes, size: int) -> None:
    """Rewrite the declared size of the entries starting with ``prefix`` (central directory)."""
    data = bytearray(path.read_bytes())
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n].startswith(prefix):
            struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    path.write_bytes(bytes(data))


def test_many_parts_over_the_total_refused(tmp_path):
    """Parts each under the part limit (and at a plausible ratio) but over the total together."""
    import os

    f = tmp_path / "parts.docx"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(4):
            z.writestr(f"word/media/part{i}.bin", os.urandom(200 * 1024))  # 200 KB stored
    _declare(f, b"word/media/", 30 * 1024 * 1024)  # each "30 MB" (150:1)
    with pytest.raises(BadInput) as e:
        read_document(f)
    assert "解压后共" in str(e.value) and "parts.docx" in str(e.value)


def test_fifty_megabytes_of_text_refused_at_once(capsys, tmp_path):
    lines = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.strip()]
    big = tmp_path / "big.txt"
    with open(big, "w", encoding="utf-8") as fh:
        n = 0
        while fh.tell() < 50 * 1024 * 1024:
            n += 1
            fh.write(f"{n}. {lines[n % len(lines)]}\n")
    before = kb_state()
    t0 = time.perf_counter()
    code, out, err = run(capsys, "ingest", big)
    assert time.perf_counter() - t0 < 5
    assert code == 2 and "文件太大" in err and "20 MB" in err and "UNIQUE" not in err
    assert kb_state() == before


def test_text_over_the_character_limit_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHARS", 2000)
    with pytest.raises(BadInput) as e:
        read_document(DOC)
    assert "文字太多" in str(e.value) and "2,000" in str(e.value)


def test_measures_per_document_limit(monkeypatch):
    n = len(pipeline.build_document(DOC.read_text(encoding="utf-8"), source_file=DOC.name).measures)
    monkeypatch.setattr(pipeline, "MAX_MEASURES", n - 1)
    with pytest.raises(BadInput) as e:
        pipeline.build_document(DOC.read_text(encoding="utf-8"), source_file=DOC.name)
    assert f"{n:,} 条编号条目" in str(e.value) and "拆分" in str(e.value)


def test_the_same_text_twice_imports_without_a_raw_error(capsys, tmp_path):
    """A document pasted twice into one file (the issue's "same text doubled"): its clause
    numbers repeat, yet it imports (or is refused) with a plain message, never UNIQUE."""
    text = DOC.read_text(encoding="utf-8")
    for name, body in (("twice.txt", text + "\n" + text), ("twice-renumbered.txt", text + "\n附件\n" + text)):
        f = tmp_path / name
        f.write_text(body, encoding="utf-8")
        doc = pipeline.build_document(body, source_file=name, source="user")
        ids = [m.measure_id for m in doc.measures]
        assert len(ids) == len(set(ids))
    code, out, err = run(capsys, "ingest", tmp_path / "twice.txt")
    assert code in (0, 2) and "UNIQUE" not in err and "Traceback" not in err


def test_duplicate_in_another_format_refused_unless_replace(capsys, tmp_path, docgen):
    """The same document as GB18030 .txt and as .docx: the second is refused (not added as
    -2, -3); --replace swaps it in under the same id; kb remove deletes it."""
    gb = tmp_path / "changning-gb.txt"
    gb.write_bytes(DOC.read_text(encoding="utf-8").encode("gb18030"))
    word = docgen.docx(tmp_path / "changning.docx", DOC.read_text(encoding="utf-8").splitlines())
    assert run(capsys, "ingest", gb)[0] == 0
    state = kb_state()
    code, out, err = run(capsys, "ingest", word)
    assert code == 2 and "措施内容相同" in err and "--replace" in err and "kb remove" in err
    assert kb_state() == state
    code, out, err = run(capsys, "ingest", word, "--replace", "--format", "json")
    assert code == 0, err
    (doc,) = json.loads(out)["documents"]
    assert "已用新文件替换" in err
    after = kb_state()
    assert [d["id"] for d in after["documents"]] == [d["id"] for d in state["documents"]]
    assert after["measures"] == state["measures"]
    k = KnowledgeBase.open_default()
    assert [d.source_file for d in k.documents() if d.source == "user"] == ["changning.docx"]
    k.close()
    stored = list((tmp_path / "pdhome" / "data" / "imports").glob("*/*.*"))
    assert sorted(p.name for p in stored) == ["changning.docx", "manifest.json"]
    code, out, err = run(capsys, "kb", "remove", doc["id"])
    assert code == 0 and "已删除" in out
    assert len(kb_state()["documents"]) == len(state["documents"]) - 1
    assert not list((tmp_path / "pdhome" / "data" / "imports").glob("*/*"))
    code, out, err = run(capsys, "kb", "remove", "hongkou-2023")
    assert code == 2 and "内置政策文件" in err


def test_seed_in_another_encoding_is_not_listed_twice(capsys, tmp_path):
    f = tmp_path / "hongkou-gb.txt"
    f.write_bytes(HONGKOU.read_text(encoding="utf-8").encode("gb18030"))
    before = kb_state()
    for extra in ([], ["--replace"]):
        code, out, err = run(capsys, "ingest", f, *extra)
        assert code == 2 and "内置政策文件" in err
    assert kb_state() == before
