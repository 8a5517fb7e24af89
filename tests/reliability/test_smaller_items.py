"""The smaller items of issue 23, each through the command line (or the window's writer) as
a user meets it. Each failed before:

* a refusal named the wrong reason (解压后有 17 MB…超过上限 40 MB — the reason was the ratio);
* a 100,000-character field was echoed whole on stderr (300 KB);
* ``--export`` into a missing folder made the folder;
* 无法读取:No such file or directory (English from the system);
* ``data clear --imports`` deleted without asking;
* recent sessions past their retention were pruned only when the window started;
* exports were world-readable (0644) while every other record of a client is 0600.
(``pack export DIR/`` writing beside the folder: tests/reliability/test_signed_packs.py.)
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import zipfile
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.store import sessions, userdata

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_ratio_refusal_names_the_ratio(capsys, tmp_path):
    import docx

    f = tmp_path / "ratio.docx"
    d = docx.Document()
    d.add_paragraph("虹口区测试")
    d.save(str(f))
    with zipfile.ZipFile(f) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    head, rest = parts["word/document.xml"].decode().split("<w:body>", 1)
    parts["word/document.xml"] = (head + "<w:body>" + " " * (17 * 1024 * 1024) + rest).encode()
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    code, out, err = run(capsys, "ingest", f)
    assert code == 2 and "压缩比" in err and "200:1" in err, err
    assert "上限 40 MB" not in err  # the size is within its limit: the ratio is the reason


def test_a_huge_field_is_never_echoed_whole(capsys, tmp_path):
    huge = "虹" * 100_000
    for field in ("district", "industry", "size", "zjtx", "needs", "employees"):
        prof = tmp_path / f"{field}.json"
        value = [huge] if field == "needs" else huge
        prof.write_text(json.dumps({"district": "虹口区", field: value}, ensure_ascii=False), encoding="utf-8")
        code, out, err = run(capsys, "match", "--profile", prof)
        assert code == 2 and len(err) < 2_000 and "太长" in err and "100,000" in err, (field, len(err))
    ascii_huge = "a" * 100_000
    for argv in (("search", ascii_huge), ("kb", "remove", ascii_huge), ("ingest", "/tmp/" + ascii_huge)):
        code, out, err = run(capsys, *argv)
        assert len(out) + len(err) < 3_000, (argv[0], len(out), len(err))
        assert "意外错误" not in err and "Traceback" not in err
    code, out, err = run(capsys, "kb", "list", "--district", ascii_huge)
    assert code == 2 and len(err) < 3_000


def test_export_into_a_missing_folder_is_refused_not_made(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "answer.xlsx"
    code, out, err = run(capsys, "match", "--district", "虹口", "--top", "3", "--export", target)
    assert code == 2 and "不存在" in err, err
    assert not (tmp_path / "no").exists()


def test_system_errors_are_said_in_chinese(capsys, tmp_path):
    code, out, err = run(capsys, "match", "--profile", tmp_path / "missing.json")
    assert code == 2 and "文件或文件夹不存在" in err and "No such file" not in err, err
    code, out, err = run(capsys, "ingest", "/tmp/" + "x" * 300 + ".txt")
    assert code == 2 and "太长" in err and "File name" not in err and "意外错误" not in err, err


def test_data_clear_imports_asks_first(capsys, monkeypatch):
    assert run(capsys, "ingest", DOC)[0] == 0
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, out, err = run(capsys, "data", "clear", "--imports")
    assert code == 2 and "--yes" in err and "未删除" in err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    code, out, err = run(capsys, "data", "clear", "--imports")
    assert code == 2
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    code, out, err = run(capsys, "data", "clear", "--imports")
    assert code == 0 and "导入的文件 1 份" in out


def test_retention_pruning_runs_at_every_command_not_only_the_window(capsys, monkeypatch):
    monkeypatch.setenv("POLICYDESK_SESSION_DAYS", "1")
    old = sessions.add_recent({"district": "虹口区"}, 3, 1)
    assert old is not None
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert run(capsys, "kb", "stats")[0] == 0  # any command
    assert not old.exists()
    kept = sessions.add_recent({"district": "徐汇区"}, 1, 0)
    os.utime(kept, (two_days_ago, two_days_ago))
    sessions.add_recent({"district": "杨浦区"}, 1, 0)  # keeping a new one prunes too
    assert not kept.exists()
    assert len(list((userdata.data_dir() / userdata.SESSIONS_DIR).glob("*.json"))) == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_exports_are_the_users_only(capsys, tmp_path):
    for name in ("a.json", "a.csv", "a.xlsx"):
        code, out, err = run(capsys, "match", "--district", "虹口", "--top", "3", "--export", tmp_path / name)
        assert code == 0, err
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    (tmp_path / "b.csv").write_text("old", encoding="utf-8")
    (tmp_path / "b.csv").chmod(0o644)
    assert run(capsys, "match", "--district", "虹口", "--top", "3", "--export", tmp_path / "b.csv")[0] == 0
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o600  # an old file overwritten: 0600 too


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_windows_pdf_handout_is_the_users_only(tmp_path, qtbot):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.handout import write_pdf

    out = write_pdf("<html><body><h1>政策服务清单</h1><p>测试</p></body></html>", tmp_path / "h.pdf")
    assert out.read_bytes()[:4] == b"%PDF" and stat.S_IMODE(out.stat().st_mode) == 0o600
