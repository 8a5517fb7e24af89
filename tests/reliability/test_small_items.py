"""The smaller items of issue 12, point 10, each through the command line as a user meets it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.common import limits
from matcher.errors import KBError
from matcher.store import kbfile
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"
ESC = "\x1b[2J\x1b]0;被改的窗口标题\x07\x1b[31m"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _clean(s: str) -> bool:
    return not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2066" for c in s)


def test_terminal_escapes_from_arguments_never_reach_the_terminal(capsys):
    code, out, err = run(capsys, "match", "--district", ESC + "虹口区")
    assert code == 2 and _clean(err) and "被改的窗口标题" not in err
    code, out, err = run(capsys, "search", ESC + "融资\u202e", "--top", "2")
    assert code == 0 and _clean(out) and _clean(err)


def test_terminal_escapes_from_an_imported_document_never_reach_the_terminal(capsys, tmp_path):
    f = tmp_path / "doc.txt"
    text = DOC.read_text(encoding="utf-8").replace(
        "长宁区支持节能减排降碳若干政策措施", "长宁区支持节能减排降碳若干政策措施\x1b[2J\x1b[31m\x07", 1
    )
    f.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "ingest", f, "--title", "标题\x1b]0;pwned\x07\x1b[5m")
    assert code == 0, err
    assert _clean(out) and _clean(err) and "pwned" not in out
    for argv in (("kb", "stats"), ("kb", "list", "--district", "长宁区"), ("kb", "stats", "--format", "json")):
        code, out, err = run(capsys, *argv)
        assert code == 0 and _clean(out), argv


@pytest.mark.parametrize("value", ["北京市朝阳区", "广东省深圳市南山区"])
def test_a_place_outside_shanghai_is_told_so(capsys, value):
    code, out, err = run(capsys, "match", "--district", value)
    assert code == 2 and "不在上海市" in err and "最接近" not in err and "静安区" not in err.split("可选值")[0]
    code, out, err = run(capsys, "kb", "list", "--district", value)
    assert code == 2 and "不在上海市" in err


def test_a_typo_is_suggested_not_taken(capsys):
    code, out, err = run(capsys, "match", "--district", "虹口曲")
    assert code == 2 and "虹口曲" in err and "最接近的是“虹口区”" in err
    assert out == ""


def test_size_contradicting_the_figures_warns(capsys):
    code, out, err = run(
        capsys, "match", "--district", "虹口", "--size", "微型", "--employees", "5000", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["profile"]["size"] == "微型"
    assert any("微型" in n and "5000" in n and "大型" in n for n in data["notes"])
    code, out, err = run(capsys, "match", "--district", "虹口", "--size", "微型", "--employees", "8", "--top", "1")
    assert "两者不符" not in out


def test_argparse_messages_are_chinese(capsys):
    code, out, err = run(capsys, "match", "--district", "虹口", "--top", "abc")
    assert code == 2 and "“abc”不是整数" in err and "invalid" not in err
    code, out, err = run(capsys, "match", "--district", "虹口", "--revenue", "很多")
    assert code == 2 and "不是数字" in err and "invalid" not in err


def test_database_is_locked_is_said_in_chinese(monkeypatch):
    monkeypatch.setattr(limits, "BUSY_TIMEOUT_SECONDS", 0.2)
    k = KnowledgeBase.open_default()
    mid = k.measures()[0].measure_id
    other = sqlite3.connect(k.user_path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(KBError) as e:
            k.add_correction(mid, "hide")
    finally:
        other.rollback()
        other.close()
        k.close()
    assert "另一个导入正在进行" in str(e.value) and "database is locked" not in str(e.value)
    assert "另一个导入正在进行" in kbfile.plain_reason(sqlite3.OperationalError("database is locked"))


def test_corrupt_copies_are_pruned_to_the_newest_few(policydesk_home):
    data = policydesk_home / "data"
    for i in range(limits.KEEP_CORRUPT_COPIES + 3):
        KnowledgeBase.open_default().close()
        (data / "user_kb.sqlite").write_bytes(b"garbage" * 100 + bytes([i]))
        k = KnowledgeBase.open_default()
        assert any("损坏" in n for n in k.notices)
        k.close()
    copies = kbfile.corrupt_copies(data / "user_kb.sqlite")
    assert len(copies) == limits.KEEP_CORRUPT_COPIES
    assert copies[0].read_bytes().endswith(bytes([limits.KEEP_CORRUPT_COPIES + 2]))  # the newest kept


def test_a_lock_that_cannot_be_taken_stops_writers_not_readers(capsys, policydesk_home):
    """Where the lock file cannot be opened (here: a folder in its place, as a read-only data
    folder would do), matching still works and an import is refused in plain Chinese."""
    KnowledgeBase.open_default().close()
    lock = policydesk_home / "data" / kbfile.LOCK_FILE
    lock.unlink(missing_ok=True)
    lock.mkdir()
    code, out, err = run(capsys, "match", "--district", "虹口", "--top", "1")
    assert code == 0, err
    code, out, err = run(capsys, "ingest", DOC)
    assert code == 3 and "写入知识库失败" in err and "Error" not in err and "Traceback" not in err
