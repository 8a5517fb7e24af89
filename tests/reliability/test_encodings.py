"""Encodings (issue 23): UTF-16 without a BOM is read (the README lists UTF-16), and a file
with a few undecodable bytes is imported with each spot reported by line, like any other
unrepaired spot.

Before: UTF-16 without a BOM was refused as 含有二进制数据; a GB18030 file with one invalid
byte was refused whole, without saying where.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.common.encodings import decode_text
from matcher.errors import BadInput

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"
TEXTS = sorted((ROOT / "tests" / "corpus").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _measures(capsys, f: Path) -> list[tuple[str, str]]:
    code, out, err = run(capsys, "ingest", f, "--format", "json")
    assert code == 0, err
    (doc,) = json.loads(out)["documents"]
    code, out, err = run(capsys, "kb", "list", "--format", "json")
    rows = [m for m in json.loads(out)["measures"] if m["measure_id"].startswith(doc["id"] + "/")]
    assert run(capsys, "kb", "remove", doc["id"])[0] == 0
    return [(m["clause"], m["text"]) for m in rows]


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_as_written(enc):
    for f in TEXTS:
        text = f.read_text(encoding="utf-8")
        assert decode_text(text.encode(enc), f.name) == text, f.name


def test_utf16_without_a_bom_imports_the_same_measures(capsys, tmp_path):
    want = _measures(capsys, DOC)
    for enc in ("utf-16-le", "utf-16-be"):
        f = tmp_path / f"{enc}.txt"
        f.write_bytes(DOC.read_text(encoding="utf-8").encode(enc))
        assert _measures(capsys, f) == want, enc


def test_binary_with_zero_bytes_is_still_refused():
    rng = random.Random(23)
    for _ in range(30):
        with pytest.raises(BadInput) as e:
            decode_text(bytes(rng.randrange(256) for _ in range(4000)), "x.bin")
        assert "二进制" in str(e.value) or "编码" in str(e.value)
    with pytest.raises(BadInput):
        decode_text(os.urandom(4000) + "一、政策".encode("utf-16-le") * 10, "x.bin")


def test_one_bad_byte_in_gb18030_is_imported_and_its_line_reported(capsys, tmp_path):
    text = DOC.read_text(encoding="utf-8")
    raw = bytearray(text.encode("gb18030"))
    target = "低碳技术创新"
    at = raw.index(target.encode("gb18030")) + 4  # the lead byte of 技 (two bytes a character)
    raw[at] = 0xFF  # never a GB18030 byte
    f = tmp_path / "damaged-gb.txt"
    f.write_bytes(bytes(raw))
    line = text[: text.index(target)].count("\n") + 1
    code, out, err = run(capsys, "ingest", f, "--format", "json")
    assert code == 0, err
    (doc,) = json.loads(out)["documents"]
    spots = doc["unrepaired"]
    assert len(spots) == 1 and "U+FFFD" in spots[0]["why"], spots
    assert "低碳" in spots[0]["snippet"] and "术创新" in spots[0]["snippet"]
    # the line counted in the text as repaired (its front matter and blank lines gone), near the file's
    assert 0 < spots[0]["line"] <= line
    code, out, err = run(capsys, "kb", "list", "--format", "json")
    texts = "\n".join(m["text"] for m in json.loads(out)["measures"] if m["measure_id"].startswith(doc["id"] + "/"))
    assert "低碳\ufffd术创新" in texts  # one character lost, the rest read as written


def test_many_bad_bytes_are_still_refused(tmp_path):
    raw = bytearray(DOC.read_text(encoding="utf-8").encode("gb18030"))
    rng = random.Random(5)
    for i in rng.sample(range(len(raw)), 200):
        raw[i] = 0xFF
    with pytest.raises(BadInput) as e:
        decode_text(bytes(raw), "many.txt")
    assert "编码" in str(e.value)
