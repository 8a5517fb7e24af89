"""The KB history under faults (issue 23).

Before: a ``kb remove`` that failed on a full disk had already written its "removed" record
(torn at 8 KB), and the next append merged into the torn line — that record was lost too.
Now a record is appended only after its transaction commits, and a torn line is skipped,
said, and never merged into.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path

from matcher.cli.main import main
from matcher.store import history, kbstore
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DOCS = [CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt", CORPUS / "songjiang_jinrong_ruogan_2025.txt"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _imported(capsys) -> list[str]:
    code, out, err = run(capsys, "ingest", *DOCS, "--format", "json")
    assert code == 0, err
    return [d["id"] for d in json.loads(out)["documents"]]


def _history_file(home: Path) -> Path:
    return home / "data" / history.HISTORY_FILE


def test_a_removal_that_fails_in_its_transaction_leaves_no_record(capsys, policydesk_home, monkeypatch):
    first, _second = _imported(capsys)

    def full(db, doc_id):
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as m:
        m.setattr(kbstore, "delete_document", full)
        code, out, err = run(capsys, "kb", "remove", first)
    assert code == 3 and "磁盘空间不足" in err, err
    assert not _history_file(policydesk_home).exists()  # before: a "removed" record of a document still there
    with KnowledgeBase.open_default() as kb:
        assert first in {d.doc_id for d in kb.documents()}


def test_a_torn_line_is_skipped_said_and_never_merged_into(capsys, policydesk_home):
    first, second = _imported(capsys)
    assert run(capsys, "kb", "remove", first)[0] == 0
    f = _history_file(policydesk_home)
    whole = f.read_bytes()
    assert whole.endswith(b"\n") and whole.count(b"\n") == 1
    f.write_bytes(whole + whole[: len(whole) // 2])  # a second record torn half-way (a full disk)
    assert run(capsys, "kb", "remove", second)[0] == 0
    lines = f.read_bytes().split(b"\n")
    assert lines[-1] == b"" and json.loads(lines[-2])["doc"]["doc_id"] == second  # a line of its own
    with KnowledgeBase.open_default() as kb:
        entries = kb._history.entries()
        assert [e["doc"]["doc_id"] for e in entries] == [first, second]
        assert any("1 行不完整" in n for n in kb.notices), kb.notices


def test_a_history_that_cannot_be_written_does_not_undo_the_removal(capsys, policydesk_home, monkeypatch):
    first, second = _imported(capsys)
    real = history.History.append

    def disk_full(self, records):
        with open(_history_file(policydesk_home), "ab") as fh:
            fh.write(records[: len(records) // 3])  # part of it lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(history.History, "append", disk_full)
    code, out, err = run(capsys, "kb", "remove", first)
    assert code == 0 and "变更记录无法写入" in err + out, err
    monkeypatch.setattr(history.History, "append", real)
    assert run(capsys, "kb", "remove", second)[0] == 0
    with KnowledgeBase.open_default() as kb:
        assert [e["doc"]["doc_id"] for e in kb._history.entries()] == [second]
        assert not {first, second} & {d.doc_id for d in kb.documents()}
