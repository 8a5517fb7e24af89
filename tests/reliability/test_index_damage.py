"""The stored match index checks all of itself (issue 23).

Before: its checksum skipped the texts, the posting records and the tier matrices.
Overwriting the texts made every match and search fail with 出现意外错误(UnicodeDecodeError…)
for good (the file was never rebuilt); overwriting the tier matrices gave wrong answers with
exit 0 (a 静安 profile went from targeted 3 / general 63 to targeted 66 / general 0).

Here each section of the file is damaged in turn: the next engine notices, rebuilds the
file with progress as it would a missing one, and gives the right answer.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.matching import index_state, stored_index
from matcher.matching.match import Matcher

PROFILE = {"district": "虹口区", "industry": "交通运输、仓储和邮政业 (航运)", "size": "小型", "needs": ["融资", "人才"]}


def _index_file(home: Path, kind: str = "seg") -> Path:
    """The seeds' segment (``seg``) or the stored merged view (``view``) of issue 24."""
    (f,) = (home / "data" / index_state.FOLDER).glob(f"{kind}-*.bin")
    return f


def _answer(progress=None) -> tuple:
    eng = Engine.open(progress=progress)
    try:
        counts = eng.tier_counts(PROFILE)
        pages = {
            t: [r.measure.measure_id for r in eng.tier_page(PROFILE, t, 0, 200)]
            for t in ("targeted", "general", "near")
        }
        top = [r.measure.measure_id for r in eng.match(PROFILE, top=30).results]
        found = [
            (r.measure.measure_id if hasattr(r, "measure") else r.measure_id)
            for r in eng.search("融资", district="虹口区", top=20)
        ]
        texts = [eng.matcher.ix.text_of(q) for q in range(0, eng.matcher.ix.n, 7)]
        return counts, pages, top, found, texts
    finally:
        eng.close()


@pytest.fixture(params=["seg", "view"])
def good(policydesk_home, request):
    answer = _answer()
    f = _index_file(policydesk_home, request.param)
    return answer, f, f.read_bytes()


def _without_view(f: Path) -> None:
    """When a segment is damaged, the stored view goes too: the view holds the segment's
    columns and tier features merged, so those sections of the segment are read (and
    checked) when the view is made again — at the next change of the KB, or here."""
    if f.name.startswith("seg-"):
        for v in f.parent.glob("view-*.bin"):
            v.unlink()


def test_each_damaged_section_is_rebuilt_and_the_answer_is_right(good):
    answer, f, pristine = good
    assert answer[0]["targeted"] > 0 and answer[0]["general"] > 0
    rng = random.Random(23)
    sections = stored_index.sections(f)
    if f.name.startswith("seg-"):
        assert {"text_blob", "tu_recs", "tb_recs", "tier_cat", "tier_ind", "mid_blob"} <= set(sections)
    else:
        assert {"tier_cat", "tier_ind", "district", "view_gpos", "view_seg"} <= set(sections)
    for name, (off, n) in sections.items():
        raw = bytearray(pristine)
        for i in range(off, off + n):  # the whole section: noise, every byte changed
            raw[i] = (raw[i] + 1 + rng.randrange(255)) % 256
        f.write_bytes(bytes(raw))
        _without_view(f)
        told: list[str] = []
        got = _answer(progress=lambda d, t, m: told.append(m))
        assert got == answer, name
        assert any("索引" in m for m in told), (name, told)  # rebuilt with progress, as a missing file
        assert _index_file(f.parent.parent.parent, f.name.split("-")[0]).read_bytes() == pristine, (
            name
        )  # the same file again


def test_one_byte_flipped_in_any_section_is_caught(good):
    answer, f, pristine = good
    for name, (off, n) in stored_index.sections(f).items():
        raw = bytearray(pristine)
        raw[off + n // 2] ^= 0x10
        f.write_bytes(bytes(raw))
        _without_view(f)
        assert _answer() == answer, name
        assert _index_file(f.parent.parent.parent, f.name.split("-")[0]).read_bytes() == pristine, name


def test_a_segment_damaged_under_its_view_is_rebuilt_at_the_next_import(policydesk_home):
    """With the view stored, a segment's tier features and ids are not read until the view
    is made again — at the next import. Before: that import failed with IndexDamaged."""
    _answer()
    f = _index_file(policydesk_home, "seg")
    pristine = f.read_bytes()
    raw = bytearray(pristine)
    for name, (off, n) in stored_index.sections(f).items():
        if name.startswith("tier_") and name != "tier_tables" or name == "mid_blob":  # checked at first use
            raw[off + n // 2] ^= 0x10
    f.write_bytes(bytes(raw))
    doc = Path(__file__).resolve().parents[1] / "corpus" / "yangpu_zongchengbao_zixun_shenbao_2026.txt"
    with Engine.open() as eng:
        eng.ingest([doc])
        fresh = Matcher(index_state.build_all(eng.kb), eng.kb.get_measures, {})
        p = eng.profile(PROFILE)
        assert eng.matcher.cut(p, None).counts() == fresh.cut(p, None).counts()
        assert [r.measure.measure_id for r in eng.search("融资", top=50)] == [
            r.measure.measure_id for r in fresh.search("融资", None, top=50)
        ]
    assert f.read_bytes() == pristine  # the seeds' segment built again, the same


def test_a_truncated_or_foreign_file_is_rebuilt(good, tmp_path):
    answer, f, pristine = good
    f.write_bytes(pristine[: len(pristine) // 2])
    assert _answer() == answer
    f.write_bytes(b"\0" * len(pristine))
    assert _answer() == answer
    assert f.read_bytes() == pristine
    os.utime(f)


def test_the_windows_screenshot_exits_non_zero_when_the_match_failed(tmp_path, policydesk_home):
    """Before: the window showed 程序内部出错 and ``--screenshot`` still exited 0."""
    import subprocess
    import sys

    prof = tmp_path / "p.json"
    prof.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    code = (
        "import sys\nfrom matcher.engine import Engine\n"
        "def boom(*a, **k):\n    raise RuntimeError('模拟的匹配失败')\n"
        "Engine.match = Engine.tier_counts = Engine.tier_page = boom\n"
        "from desktop.app import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    env = dict(os.environ, POLICYDESK_HOME=str(policydesk_home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", code, "--profile", prof, "--screenshot", tmp_path / "shot.png"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 3, proc.stderr
    assert "匹配失败" in proc.stderr and "Traceback" not in proc.stderr


def _header_stamp(f: Path) -> str:
    raw = f.read_bytes()
    hlen = int.from_bytes(raw[8:16], "little")
    return json.loads(raw[24 : 24 + hlen])["stamp"]


def _read_all(f: Path) -> None:
    """Every section of a stored index, as a match and a search would read them."""
    data = stored_index.read(f, _header_stamp(f))
    assert data is not None
    try:
        for k in list(data.arrays):
            data.arrays[k]
        data.text_of(0)
        data.mid(0)
    finally:
        data.close()


def test_a_checked_section_is_not_read_again_until_the_file_changes(policydesk_home, monkeypatch):
    """A section that passed its check is recorded with the file's stamp: the next process
    (here: the next read of the file) does not read it again, while a file written since —
    the same size, one byte different — is checked in full, and its damage caught."""
    _answer()
    f = _index_file(policydesk_home, "seg")
    checked: list[int] = []
    real = stored_index._crc_of_mapped
    monkeypatch.setattr(stored_index, "_crc_of_mapped", lambda *a: checked.append(a[2]) or real(*a))
    _read_all(f)  # whatever the answer above left unchecked, checked and recorded now
    checked.clear()
    _read_all(f)
    assert checked == []  # nothing read again to check it
    pristine = f.read_bytes()
    off, n = stored_index.sections(f)["tb_recs"]
    raw = bytearray(pristine)
    raw[off + n // 2] ^= 0x10
    f.write_bytes(bytes(raw))
    with pytest.raises(stored_index.IndexDamaged) as ex:
        _read_all(f)
    assert ex.value.section == "tb_recs"
    assert sum(checked) > n  # the file changed: its sections checked again
