"""The health check at open (issue 13): a file known to be good is not read in full at every
start, and a file changed behind our back (or after an import, or with a journal beside it)
still is — a damaged one is still set aside with a notice (issue 12)."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest

from matcher.common import paths
from matcher.store import kbfile
from matcher.store.kb import KnowledgeBase

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DOC = CORPUS / "huangpu_daikuan_tiexi_banfa_2026.txt"


@pytest.fixture
def full_checks(monkeypatch):
    """The files fully checked (``PRAGMA quick_check``), in order, by name."""
    seen: list[str] = []
    real = kbfile.full_check

    def counting(con: sqlite3.Connection) -> bool:
        seen.append(Path(con.execute("PRAGMA database_list").fetchone()[2]).name)
        return real(con)

    monkeypatch.setattr(kbfile, "full_check", counting)
    return seen


def _open_close() -> list[str]:
    k = KnowledgeBase.open_default()
    notices = list(k.notices)
    n = len(k.documents())
    k.close()
    return notices + [f"documents={n}"]


def test_a_known_good_file_is_not_read_in_full_at_every_open(full_checks):
    _open_close()  # builds the user file
    _open_close()
    assert sorted(full_checks) == ["seed_kb.sqlite", "user_kb.sqlite"]  # each checked in full once
    full_checks.clear()
    for _ in range(3):
        _open_close()
    assert full_checks == []  # nothing changed since: header, schema and meta only
    records = sorted(p.name.split("-")[0] for p in (paths.cache_dir() / kbfile.CHECKED_DIR).iterdir())
    assert records == ["seed_kb.sqlite", "user_kb.sqlite"]  # kept in the cache, not the data folder


def test_after_an_import_the_next_open_checks_the_user_file_in_full_once(full_checks):
    k = KnowledgeBase.open_default()
    k.ingest([DOC], district="黄浦区")
    k.close()
    full_checks.clear()
    _open_close()
    assert full_checks == ["user_kb.sqlite"]  # written since its last check
    full_checks.clear()
    _open_close()
    assert full_checks == []


def _damage_middle(f: Path) -> None:
    """Overwrite two pages in the middle of ``f`` with noise (the header is untouched)."""
    size = f.stat().st_size
    page = 4096
    at = (size // page // 2) * page
    noise = random.Random(13).randbytes(2 * page)
    with open(f, "r+b") as fh:
        fh.seek(at)
        fh.write(noise)
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_a_file_damaged_behind_our_back_is_still_caught_and_set_aside(full_checks):
    k = KnowledgeBase.open_default()
    k.ingest([DOC], district="黄浦区")
    n = len(k.measures())
    k.close()
    _open_close()  # checked in full: now known to be good
    full_checks.clear()
    user = paths.data_dir() / "user_kb.sqlite"
    head = user.read_bytes()[:100]
    _damage_middle(user)
    assert user.read_bytes()[:100] == head  # the header says nothing: size and mtime do
    k = KnowledgeBase.open_default()
    try:
        assert "user_kb.sqlite" in full_checks
        assert any("用户数据文件已损坏" in note for note in k.notices), k.notices
        assert list(paths.data_dir().glob("user_kb.sqlite.corrupt-*"))
        assert len(k.measures()) == n  # restored from imports/
    finally:
        k.close()


def test_a_journal_beside_the_file_means_a_full_check(tmp_path):
    f = tmp_path / "x.sqlite"
    con = sqlite3.connect(f)
    con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    con.execute("CREATE TABLE measures(measure_id TEXT PRIMARY KEY)")
    con.commit()
    con.close()
    status, _ = kbfile.check_file(f, required=["meta", "measures"], schema_version=0)
    assert status == "ok" and kbfile.known_good(f)
    (tmp_path / "x.sqlite-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 500)
    assert not kbfile.known_good(f)
    (tmp_path / "x.sqlite-journal").unlink()
    assert kbfile.known_good(f)
    con = sqlite3.connect(f)  # any commit moves the header's change counter
    con.execute("INSERT INTO meta VALUES ('a', 'b')")
    con.commit()
    con.close()
    assert not kbfile.known_good(f)


def test_a_replaced_file_of_the_same_size_is_not_trusted(tmp_path):
    f = tmp_path / "x.sqlite"
    for name in ("x.sqlite", "y.sqlite"):
        con = sqlite3.connect(tmp_path / name)
        con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        con.execute("CREATE TABLE measures(measure_id TEXT PRIMARY KEY)")
        con.commit()
        con.close()
    assert kbfile.check_file(f, required=["meta"], schema_version=0)[0] == "ok"
    assert kbfile.known_good(f)
    st = f.stat()
    os.replace(tmp_path / "y.sqlite", f)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size
    assert not kbfile.known_good(f)  # another inode: another file


def test_the_engine_with_its_stored_index_writes_nothing_at_open(full_checks):
    """Matching (which builds and stamps the stored index) leaves the KB files as they were,
    so the next start trusts them: a full check only after the import."""
    from matcher.engine import Engine

    profile = Engine.profile({"district": "黄浦区", "needs": ["融资"]})
    per_open = []
    for i in range(4):
        eng = Engine.open()
        eng.match(profile, top=5)
        if i == 1:
            eng.ingest([DOC], district="黄浦区")
        eng.close()
        per_open.append(sorted(full_checks))
        full_checks.clear()
    assert sorted(per_open[0] + per_open[1]) == ["seed_kb.sqlite", "user_kb.sqlite"]  # each once, at first
    assert per_open[2] == ["user_kb.sqlite"]  # written by the import
    assert per_open[3] == []
