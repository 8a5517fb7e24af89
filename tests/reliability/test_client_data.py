"""Files the program wrote or a person handed it (issue 12, points 7, 8 and 9): formula
cells in exports, damaged session and saved-profile files, profile JSON in any encoding,
nesting, file modes, retention, and ``policydesk data clear``."""

from __future__ import annotations

import csv
import json
import os
import stat
import time
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.errors import BadInput
from matcher.export import export_csv, export_xlsx
from matcher.matching.match import matcher_for
from matcher.profile.company import Profile
from matcher.store import sessions, userdata
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"
HYPERLINK = '=HYPERLINK("http://evil.example/x","点这里")'


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- formula injection


@pytest.fixture
def response():
    k = KnowledgeBase.open_default()
    m = matcher_for(k)
    resp = m.match(
        Profile.from_dict({"district": "虹口区", "keywords": f"{HYPERLINK} =1+2 -2+3 @SUM(A1) 融资", "area": "+区域"})
    )
    k.close()
    return resp


def test_csv_cells_never_start_a_formula(response, tmp_path):
    f = export_csv(response, tmp_path / "out.csv")
    rows = list(csv.reader(f.open(encoding="utf-8-sig")))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    kw = next(r[1] for r in rows if r and r[0] == "关键词")
    assert kw.startswith("'=HYPERLINK(") and "=1+2" in kw  # kept, shown as text
    assert next(r[1] for r in rows if r and r[0] == "街镇/园区") == "'+区域"  # label: profile.toml


def test_excel_cells_are_text_not_formulas(response, tmp_path):
    from openpyxl import load_workbook

    f = export_xlsx(response, tmp_path / "out.xlsx")
    wb = load_workbook(f)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    prof = wb["企业档案"]
    kw = next(r[1].value for r in prof.iter_rows() if r[0].value == "关键词")
    assert kw.startswith("'=HYPERLINK(")


# ---------------------------------------------------------------- damaged record files


def _write(p: Path, data: bytes | str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


DAMAGED_SESSIONS = {
    "profile-is-number.json": '{"profile": 5}',
    "not-json.json": "{这不是",
    "list.json": "[1, 2]",
    "needs-number.json": '{"profile": {"district": "虹口区", "needs": 5}, "applies": 1}',
    "applies-text.json": '{"profile": {"district": "虹口区"}, "applies": "很多"}',
    "deep.json": "[" * 100000 + "]" * 100000,
    "binary.json": bytes(range(256)) * 4,
    "empty.json": b"",
}


def test_damaged_session_and_profile_files_are_skipped_with_a_notice():
    sdir, pdir = userdata.sessions_dir(), userdata.profiles_dir()
    for name, data in DAMAGED_SESSIONS.items():
        _write(sdir / name, data)
    _write(
        sdir / "good.json",
        json.dumps({"at": "2026-01-01T09:00", "profile": {"district": "杨浦区"}, "applies": 3}, ensure_ascii=False),
    )
    _write(pdir / "needs-number.json", '{"district": "虹口区", "needs": 5}')
    _write(pdir / "flags-dict.json", '{"district": "虹口区", "flags": {"a": 1}}')
    _write(pdir / "good.json", '{"district": "虹口区", "needs": ["融资"]}')
    records = sessions.client_records()
    saved, recent, skipped = records.saved, records.recent, records.skipped
    assert [e.name for e in saved] == ["good"]
    assert len(recent) == 1 and "杨浦区" in recent[0].name
    assert len(skipped) == len(DAMAGED_SESSIONS) + 2
    assert all("Traceback" not in s and "Error" not in s for s in skipped)
    assert any(s.startswith("deep.json:") and "嵌套" in s for s in skipped)


def test_session_and_profile_files_are_private():
    p = sessions.save_profile("客户甲", {"district": "虹口区", "keywords": "张三 13800000000"})
    s = sessions.add_recent({"district": "虹口区", "keywords": "张三"}, 3, 1)
    for f in (p, s):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    for d in (userdata.profiles_dir(), userdata.sessions_dir()):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_recent_sessions_expire_after_the_retention(monkeypatch):
    old = sessions.add_recent({"district": "虹口区"}, 1, 0)
    new = sessions.add_recent({"district": "杨浦区"}, 1, 0)
    two_days = time.time() - 2 * 86400
    os.utime(old, (two_days, two_days))
    monkeypatch.setenv("POLICYDESK_SESSION_DAYS", "3")
    assert len(sessions.recent_sessions()) == 2
    monkeypatch.delenv("POLICYDESK_SESSION_DAYS")  # default: 1 day
    assert [e.path for e in sessions.recent_sessions()] == [new]
    assert not old.exists()
    ini = userdata.sessions_dir().parent / "settings.ini"
    ini.write_text("[privacy]\nsession_days=0\n", encoding="utf-8")  # 0: keep none
    assert sessions.add_recent({"district": "黄浦区"}, 1, 0) is None


def test_data_clear(capsys, tmp_path):
    sessions.save_profile("客户甲", {"district": "虹口区"})
    sessions.add_recent({"district": "虹口区"}, 1, 0)
    assert run(capsys, "ingest", DOC)[0] == 0
    code, out, err = run(capsys, "data", "clear")
    assert code == 0 and "已存画像 1 份" in out and "最近记录 1 条" in out and "--imports" in out
    assert not list(userdata.profiles_dir().iterdir()) and not list(userdata.sessions_dir().iterdir())
    k = KnowledgeBase.open_default()
    assert any(d.source == "user" for d in k.documents())
    k.close()
    code, out, err = run(capsys, "data", "clear", "--imports")  # nobody at a terminal to confirm
    assert code == 2 and "未删除" in err and "--yes" in err
    k = KnowledgeBase.open_default()
    assert any(d.source == "user" for d in k.documents())
    k.close()
    code, out, err = run(capsys, "data", "clear", "--imports", "--yes")
    assert code == 0 and "导入的文件 1 份" in out
    k = KnowledgeBase.open_default()
    assert not any(d.source == "user" for d in k.documents()) and len(k.documents()) == 5
    k.close()
    assert not list((userdata.sessions_dir().parent / "imports").iterdir())


# ---------------------------------------------------------------- profile JSON


PROFILE = {"district": "徐汇区", "industry": "制造业", "needs": ["融资"], "keywords": "贷款"}


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "big5"]
)
def test_profile_json_in_any_accepted_encoding(tmp_path, encoding):
    f = tmp_path / "p.json"
    data = (
        PROFILE
        if encoding != "big5"
        else {"district": "徐匯區", "industry": "製造業", "needs": ["融資"], "keywords": "貸款"}
    )  # Big5 holds Traditional characters
    f.write_bytes(json.dumps(data, ensure_ascii=False).encode(encoding))
    p = Profile.from_json(f)
    assert (p.district, p.industry, p.needs) == ("徐汇区", "制造业", ["融资"])


def test_deeply_nested_profile_json_refused(tmp_path, capsys):
    f = tmp_path / "deep.json"
    f.write_text('{"district": "虹口区", "x": ' + "[" * 50000 + "]" * 50000 + "}", encoding="utf-8")
    with pytest.raises(BadInput) as e:
        Profile.from_json(f)
    assert "嵌套" in str(e.value)
    code, out, err = run(capsys, "match", "--profile", f)
    assert code == 2 and "嵌套" in err and "RecursionError" not in err
