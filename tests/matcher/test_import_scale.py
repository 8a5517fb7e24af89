"""An import's cost does not grow with the KB (issue 13): it compares the new document with
what is stored through the documents tables (sha256, stored content keys), never by loading
every measure — and still refuses the same measures in another format."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from matcher.errors import BadInput
from matcher.store import kbstore
from matcher.store.kb import KnowledgeBase
from matcher.store.reader import Reader

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
A = CORPUS / "huangpu_daikuan_tiexi_banfa_2026.txt"
B = CORPUS / "songjiang_jinrong_ruogan_2025.txt"
C = CORPUS / "jinshan_yingshang_huanjing_xingdong_2024.txt"
SEED = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))[0]


def _db(path: Path | None) -> Database:
    """The KB file at ``path`` opened apart from the KnowledgeBase (as another reader would)."""
    assert path is not None
    return Database(sqlite3.connect(path))


@pytest.fixture
def no_full_load(monkeypatch):
    """Fails the test if anything loads every measure of the KB."""

    def refuse(self, *a, **k):
        raise AssertionError("the whole KB was loaded")

    monkeypatch.setattr(Reader, "measures", refuse)


def test_an_import_never_loads_the_whole_kb_and_still_refuses_duplicates(tmp_path, no_full_load):
    k = KnowledgeBase.open_default()
    try:
        k.ingest([A], district="黄浦区")
        k.ingest([B], district="松江区")
        gbk = tmp_path / "same-as-A.txt"
        gbk.write_bytes(A.read_text(encoding="utf-8").encode("gb18030"))  # another file, same measures
        with pytest.raises(BadInput, match="措施内容相同"):
            k.ingest([gbk], district="黄浦区")
        seed_copy = tmp_path / "seed-copy.txt"
        seed_copy.write_bytes(SEED.read_bytes() + b"\n")
        with pytest.raises(BadInput, match="内置政策文件"):
            k.ingest([seed_copy])
        with pytest.raises(BadInput, match="已导入的文件"):
            k.ingest([A], district="黄浦区")
        k.ingest([A], district="黄浦区", replace=True)  # a replacement reads that one document
        k.remove_document(next(d.doc_id for d in k.documents() if d.source_file == B.name))
    finally:
        k.close()
    k = KnowledgeBase.open_default()
    try:
        assert sorted(d.source_file for d in k.documents() if d.source == "user") == [A.name]
    finally:
        k.close()


def test_the_content_key_is_stored_with_each_document_and_matches_the_measures():
    k = KnowledgeBase.open_default()
    try:
        k.ingest([A, B], district="黄浦区")
        stored = kbstore.content_keys(_db(k.user_path))
        docs = {d.doc_id: d for d in k.documents(with_measures=True) if d.source == "user"}
        assert set(stored) == set(docs)
        for doc_id, d in docs.items():
            assert stored[doc_id] == kbstore.content_key(d.measures)
        seed_keys = kbstore.content_keys(_db(k.seed_path))
        assert len(seed_keys) == 5
    finally:
        k.close()


def test_a_kb_written_before_content_keys_still_finds_duplicates_and_gains_the_keys(tmp_path):
    k = KnowledgeBase.open_default()
    k.ingest([A], district="黄浦区")
    user = k.user_path
    k.close()
    con = sqlite3.connect(user)  # as an older version wrote it: no key column
    con.execute("ALTER TABLE documents DROP COLUMN content_key")
    con.commit()
    con.close()
    k = KnowledgeBase.open_default()
    try:
        gbk = tmp_path / "same-as-A.txt"
        gbk.write_bytes(A.read_text(encoding="utf-8").encode("gb18030"))
        with pytest.raises(BadInput, match="措施内容相同"):
            k.ingest([gbk], district="黄浦区")
        k.ingest([C], district="金山区")  # written with its key, the column added
        db = _db(k.user_path)
        keys = kbstore.content_keys(db)
        assert len(keys) == 2
        cols = {r[1] for r in db.execute("PRAGMA table_info(documents)").fetchall()}
        assert "content_key" in cols
        nulls = db.execute("SELECT count(*) FROM documents WHERE content_key IS NULL").fetchone()[0]
        assert nulls == 0
        db.close()
    finally:
        k.close()


def test_a_rederivation_shows_progress_document_by_document(monkeypatch):
    """Each document is parsed and written in turn (never the whole library held at once):
    the progress names the file and the measures written so far."""
    from matcher.store import kb as kbmod

    k = KnowledgeBase.open_default()
    k.ingest([A, B], district="黄浦区")
    n = len(k.measures(include_hidden=True))
    k.close()
    monkeypatch.setattr(kbmod, "rules_fingerprint", lambda: "new-rules")
    seen: list[tuple[int, int, str]] = []
    k = KnowledgeBase.open_default(progress=lambda done, total, what: seen.append((done, total, what)))
    try:
        assert len(k.measures(include_hidden=True)) == n
    finally:
        k.close()
    parsing = [s for s in seen if "重新解析导入的文件" in s[2] and s[2].endswith("…")]
    assert [s[0] for s in parsing] == [0, 1] and {s[1] for s in parsing} == {2}
    written = [int(re.search(r"已写入 ([\d,]+) 条措施", s[2]).group(1).replace(",", "")) for s in parsing]
    assert written[0] == 0 and 0 < written[1] < n  # the first document's measures, written before the second is read
    assert seen[-1][0] == seen[-1][1] == 2 and "已重新解析" in seen[-1][2]
    assert {A.name, B.name} <= {w for s in parsing for w in (A.name, B.name) if w in s[2]}
