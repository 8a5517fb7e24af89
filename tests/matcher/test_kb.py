"""matcher.store.kb: building, rebuilding, repairing, overlay corrections, search and imports."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from matcher.common import paths
from matcher.errors import BadInput, KBError
from matcher.store import kb as kbmod
from matcher.store import kbstore
from matcher.store.kb import KnowledgeBase

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.fixture
def kb():
    k = KnowledgeBase.open_default()
    yield k
    k.close()


@pytest.fixture
def build_counter(monkeypatch, _pipeline_or_fake):
    """Counts how often the seed documents are built."""
    calls = []
    real = _pipeline_or_fake.build_seed_documents

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(_pipeline_or_fake, "build_seed_documents", counting)
    return calls


def test_build_seeds_timing(_pipeline_or_fake, fresh_kb):
    """Prints how long building the five seeds takes (target under 1 s; not asserted)."""
    t0 = time.perf_counter()
    docs = _pipeline_or_fake.build_seed_documents()
    t1 = time.perf_counter()
    k = KnowledgeBase.open_default()
    t2 = time.perf_counter()
    n = len(k.measures())
    k.close()
    print(
        f"\n[timing] build_seed_documents: {t1 - t0:.3f} s for {len(docs)} documents; "
        f"open_default (build + write KB): {t2 - t1:.3f} s; {n} measures"
    )
    assert len(docs) == 5


def test_open_default_builds_seed_kb(fresh_kb, kb):
    """First start builds the seed KB in the cache folder; stats and counts agree."""
    assert (paths.cache_dir() / "seed_kb.sqlite").is_file()
    assert (paths.data_dir() / "user_kb.sqlite").is_file()
    stats = kb.stats()
    assert set(stats) == {"measures", "documents"}
    assert len(stats["documents"]) == 5
    for d in stats["documents"]:
        assert set(d) == {
            "id",
            "district",
            "title",
            "issued",
            "measures",
            "internal",
            "stated_offices",
            "repairs",
            "unrepaired",
            "level",
            "issuer",
            "doc_number",
            "valid_from",
            "valid_until",
            "skipped",
            "numbering",
        }
        assert d["measures"] > 0
        assert all(set(s) == {"line", "snippet", "why"} for s in d["unrepaired"])
    assert stats["measures"] == sum(d["measures"] for d in stats["documents"]) == len(kb.measures())
    assert kb.counts()["documents"] == 5
    assert kb.notices == []
    ids = [m.measure_id for m in kb.measures()]
    assert len(ids) == len(set(ids))


def test_measures_internal_filter(kb):
    everything = kb.measures()
    outward = kb.measures(include_internal=False)
    assert all(not m.internal for m in outward)
    assert len(outward) == len(everything) - sum(m.internal for m in everything)


def test_measures_are_cached(kb):
    assert kb.measures() is kb.measures()


def test_reopen_does_not_rebuild(build_counter):
    KnowledgeBase.open_default().close()
    KnowledgeBase.open_default().close()
    assert len(build_counter) == 1


def test_fingerprint_change_triggers_rebuild(build_counter, monkeypatch):
    """A change in seeds/rules/version (seen as a new fingerprint) rebuilds the seed KB."""
    KnowledgeBase.open_default().close()
    monkeypatch.setattr(kbmod, "seed_fingerprint", lambda: "something-else")
    k = KnowledgeBase.open_default()
    assert len(build_counter) == 2
    assert k.version.startswith("somethin")
    k.close()


def test_fingerprint_covers_resources(monkeypatch, tmp_path):
    """Editing a resources/*.toml file changes the fingerprint."""
    res = tmp_path / "resources"
    res.mkdir()
    (res / "a.toml").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(paths, "resources_dir", lambda: res)
    before = kbmod.seed_fingerprint()
    (res / "a.toml").write_text("x = 2\n", encoding="utf-8")
    assert kbmod.seed_fingerprint() != before


@pytest.mark.parametrize("damage", ["garbage", "truncate", "drop_table"])
def test_damaged_seed_kb_is_set_aside_and_rebuilt(damage):
    """A damaged KB file is renamed *.corrupt-<time>, rebuilt, and the user is told."""
    k = KnowledgeBase.open_default()
    n = len(k.measures())
    k.close()
    f = paths.cache_dir() / "seed_kb.sqlite"
    if damage == "garbage":
        f.write_bytes(b"this is not a database" * 100)
    elif damage == "truncate":
        data = f.read_bytes()
        f.write_bytes(data[: len(data) // 3])
    else:
        con = sqlite3.connect(f)
        con.execute("DROP TABLE measures")
        con.commit()
        con.close()
    k = KnowledgeBase.open_default()
    assert len(k.measures()) == n
    assert any("损坏" in note for note in k.notices), k.notices
    aside = list(paths.cache_dir().glob("seed_kb.sqlite.corrupt-*"))
    assert len(aside) == 1
    k.close()


def test_prebuilt_copy_used_when_fingerprint_matches(monkeypatch, build_counter, tmp_path):
    k = KnowledgeBase.open_default()
    n = len(k.measures())
    k.close()
    pre = tmp_path / "prebuilt.sqlite"
    pre.write_bytes((paths.cache_dir() / "seed_kb.sqlite").read_bytes())
    (paths.cache_dir() / "seed_kb.sqlite").unlink()
    monkeypatch.setattr(paths, "prebuilt_kb", lambda: pre)
    k = KnowledgeBase.open_default()
    assert len(build_counter) == 1  # copied, not built again
    assert len(k.measures()) == n
    k.close()


# ---------------------------------------------------------------- corrections


def test_corrections_apply_and_survive_rebuild(monkeypatch):
    k = KnowledgeBase.open_default()
    ms = k.measures()
    a, b, c = ms[0], ms[1], ms[2]
    k.add_correction(a.measure_id, "offices", ["区市场监管局", "区商务委"], note="窗口核实")
    k.add_correction(b.measure_id, "add_tag", "专精特新企业", field="audiences")
    k.add_correction(c.measure_id, "hide")
    assert k.get_measure(a.measure_id).offices == ["区市场监管局", "区商务委"]
    assert k.get_measure(a.measure_id).office_source == "stated"
    assert "专精特新企业" in k.get_measure(b.measure_id).audiences
    assert c.measure_id not in {m.measure_id for m in k.measures()}
    assert c.measure_id in {m.measure_id for m in k.measures(include_hidden=True)}
    total = len(k.measures())
    k.close()

    monkeypatch.setattr(kbmod, "seed_fingerprint", lambda: "rules-changed")
    k = KnowledgeBase.open_default()
    assert k.version.startswith("rules-ch")
    assert k.get_measure(a.measure_id).offices == ["区市场监管局", "区商务委"]
    assert "专精特新企业" in k.get_measure(b.measure_id).audiences
    assert len(k.measures()) == total
    assert k.is_hidden(c.measure_id)
    k.close()


def test_remove_tag_and_undo(kb):
    m = next((m for m in kb.measures() if m.categories), kb.measures()[0])
    if not m.categories:
        kb.add_correction(m.measure_id, "add_tag", "融资", field="categories")
    tag = kb.get_measure(m.measure_id).categories[0]
    cid = kb.add_correction(m.measure_id, "remove_tag", tag, field="categories")
    assert tag not in kb.get_measure(m.measure_id).categories
    kb.remove_correction(cid)
    assert tag in kb.get_measure(m.measure_id).categories


def test_correction_changes_version(kb):
    v = kb.version
    kb.add_correction(kb.measures()[0].measure_id, "hide")
    assert kb.version != v


@pytest.mark.parametrize(
    "args, kwargs, needle",
    [
        (("nope/1", "hide"), {}, "nope/1"),
        ((None, "rename"), {}, "未知的更正类型"),
        ((None, "add_tag", "x"), {"field": "colour"}, "标签类别"),
        ((None, "offices", []), {}, "部门"),
        ((None, "internal", "yes"), {}, "true"),
    ],
)
def test_bad_corrections_refused(kb, args, kwargs, needle):
    args = (args[0] or kb.measures()[0].measure_id, *args[1:])
    with pytest.raises(BadInput) as ei:
        kb.add_correction(*args, **kwargs)
    assert needle in str(ei.value)
    assert kb.corrections() == []


# ---------------------------------------------------------------- search


def test_no_full_text_index_is_built(kb):
    """Search runs on the matcher's character index: the KB file holds the documents and
    measures only (schema 4 dropped the FTS5/bigram tables no product code read)."""
    import sqlite3

    con = sqlite3.connect(str(kb.seed_path))
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert con.execute("PRAGMA user_version").fetchone()[0] == kbstore.SCHEMA_VERSION == 6
    finally:
        con.close()
    assert {"meta", "documents", "measures"} <= tables
    assert not [t for t in tables if "fts" in t or "gram" in t]


def test_text_is_stored_once(kb):
    """Schema 6 (issue 24): a measure's sentences are stored as offsets into its text, not
    as a second copy of it, and read back as the same sentences."""
    import json
    import sqlite3

    con = sqlite3.connect(str(kb.seed_path))
    try:
        rows = con.execute("SELECT measure_id, text, sentences FROM measures").fetchall()
    finally:
        con.close()
    assert len(rows) > 100
    spans = [json.loads(s) for _m, _t, s in rows]
    assert all(all(isinstance(x, int) for x in sp) for sp in spans)  # no sentence text stored
    stored_bytes = sum(len(s.encode()) for _m, _t, s in rows)
    text_bytes = sum(len(t.encode()) for _m, t, _s in rows)
    assert stored_bytes < text_bytes / 3
    by_id = {m.measure_id: m for m in kb.measures()}
    for mid, text, stored in rows:
        m = by_id.get(mid)
        if m is not None:  # read back: the pieces of the text the offsets say
            assert m.text == text
            assert m.sentences == kbstore.sentences_from(text, json.loads(stored))
            assert all(s.strip() and s in text for s in m.sentences)


def test_measure_rows_round_trip():
    """A measure written and read back is the same, its sentences pieces of its text or not."""
    from matcher.models import Measure

    cols = list(kbstore.M_COLS)
    read = kbstore.measure_reader(cols)
    for sentences in (["第一句。", "第二句;"], ["不在正文里的一句。"], []):
        m = Measure(
            measure_id="d/1",
            doc_id="d",
            district="虹口区",
            document="t",
            clause="1",
            text="第一句。第二句;",
            sentences=sentences,
        )
        row = kbstore._measure_row(m)
        assert read(tuple(row[c] for c in cols)) == m


def test_sentences_not_found_in_the_text_are_stored_as_they_are():
    text = "第一句。第二句;第三句"
    assert kbstore.sentence_spans(text, ["第一句。", "第三句"]) == [0, 4, 8, 11]
    assert kbstore.sentences_from(text, [0, 4, 8, 11]) == ["第一句。", "第三句"]
    assert kbstore.sentence_spans(text, ["第三句", "第一句。"]) is None  # out of order
    assert kbstore.sentence_spans(text, ["别的话"]) is None
    assert kbstore.sentences_from(text, ["别的话"]) == ["别的话"]
    assert kbstore.sentences_from(text, []) == []


def test_search_through_the_engine_district_and_hidden(kb):
    """What the FTS index was kept for — finding a measure by words of its text, within a
    district, without hidden measures — the engine's search does."""
    from matcher.engine import Engine

    m = next(m for m in kb.measures() if len(m.text) > 20 and not m.internal)
    word = m.text[5:9]
    engine = Engine(kb)
    assert m.measure_id in [r.measure.measure_id for r in engine.search(word, top=1000)]
    short = m.district.removesuffix("区")  # typed as people type it
    assert m.measure_id in [r.measure.measure_id for r in engine.search(word, district=short, top=1000)]
    other = next(d for d in ("黄浦", "崇明") if d + "区" != m.district)
    assert all(r.measure.district != m.district for r in engine.search(word, district=other, top=1000))
    kb.add_correction(m.measure_id, "hide")
    assert m.measure_id not in [r.measure.measure_id for r in Engine(kb).search(word, top=1000)]


# ---------------------------------------------------------------- imports


CORPUS = Path(__file__).resolve().parents[1] / "corpus"
OTHER = CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt"  # not a seed
OTHER2 = CORPUS / "jinshan_yingshang_huanjing_xingdong_2024.txt"


def _copy_as(tmp_path: Path, seed: Path, name: str, encoding: str = "utf-8") -> Path:
    f = tmp_path / name
    f.write_bytes(seed.read_text(encoding="utf-8").encode(encoding))
    return f


def _revised_seed(tmp_path: Path, name: str = "hk-revised.txt") -> Path:
    """The Hongkou seed with one measure reworded: same title, other measures."""
    text = SEEDS[0].read_text(encoding="utf-8")
    assert "代办专员" in text
    f = tmp_path / name
    f.write_bytes(text.replace("代办专员", "代办专人", 1).encode("gb18030"))
    return f


def test_ingest_adds_user_document(kb, tmp_path):
    f = _copy_as(tmp_path, OTHER, "hk-gb.txt", "gb18030")
    before = kb.counts()
    docs = kb.ingest([f])
    assert len(docs) == 1 and docs[0].source == "user" and docs[0].measures
    after = kb.counts()
    assert after["documents"] == before["documents"] + 1
    assert after["measures"] == before["measures"] + len(docs[0].measures)
    seed_ids = {d.doc_id for d in kb.documents() if d.source == "seed"}
    assert docs[0].doc_id not in seed_ids
    stored = list((paths.data_dir() / "imports").glob("*/hk-gb.txt"))
    assert len(stored) == 1 and stored[0].read_bytes() == f.read_bytes()


def test_ingest_is_all_or_nothing(kb, tmp_path):
    good = _copy_as(tmp_path, OTHER, "good.txt", "gb18030")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    before = kb.counts()
    with pytest.raises(BadInput):
        kb.ingest([good, bad])
    assert kb.counts() == before
    assert not list((paths.data_dir() / "imports").glob("*/*"))


def test_duplicate_file_refused(kb, tmp_path):
    f = _copy_as(tmp_path, OTHER, "xh.txt", "utf-16")
    kb.ingest([f])
    before = kb.counts()
    with pytest.raises(BadInput) as ei:
        kb.ingest([f])
    assert "内容完全相同" in str(ei.value) and "--replace" in str(ei.value)
    with pytest.raises(BadInput) as ei:
        kb.ingest([SEEDS[0]])
    assert "内置政策文件" in str(ei.value)
    assert kb.counts() == before


def test_same_file_twice_in_one_import_refused(kb, tmp_path):
    f = _copy_as(tmp_path, SEEDS[1], "xh.txt", "gb18030")
    before = kb.counts()
    with pytest.raises(BadInput):
        kb.ingest([f, f])
    assert kb.counts() == before


def test_user_imports_rederived_when_rules_change(monkeypatch, tmp_path):
    k = KnowledgeBase.open_default()
    docs = k.ingest([_copy_as(tmp_path, OTHER, "hk.txt", "gb18030")])
    mid = docs[0].measures[0].measure_id
    k.add_correction(mid, "hide")
    n = len(k.measures(include_hidden=True))
    k.close()
    monkeypatch.setattr(kbmod, "rules_fingerprint", lambda: "new-rules")
    k = KnowledgeBase.open_default()
    assert len(k.measures(include_hidden=True)) == n
    assert k.is_hidden(mid)
    k.close()


def test_damaged_user_kb_restored_from_imports(tmp_path):
    k = KnowledgeBase.open_default()
    docs = k.ingest([_copy_as(tmp_path, OTHER, "hk.txt", "gb18030")])
    mid = docs[0].measures[0].measure_id
    k.add_correction(mid, "hide")
    n = len(k.measures(include_hidden=True))
    k.close()
    (paths.data_dir() / "user_kb.sqlite").write_bytes(b"garbage" * 1000)
    k = KnowledgeBase.open_default()
    assert any("损坏" in note for note in k.notices)
    assert len(k.measures(include_hidden=True)) == n
    assert k.is_hidden(mid)
    assert list(paths.data_dir().glob("user_kb.sqlite.corrupt-*"))
    k.close()


# ---------------------------------------------------------------- failures to open


def test_unusable_home_gives_kberror(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("POLICYDESK_HOME", str(blocker))
    with pytest.raises(KBError) as ei:
        KnowledgeBase.open_default()
    assert str(blocker) in str(ei.value)


def test_read_only_cache_dir_gives_kberror(tmp_path):
    """Run as root too (tests/readonly.py: a read-only mount, or another user)."""
    import sys

    import readonly

    if readonly.how().startswith("none"):
        pytest.skip(readonly.how())
    home = tmp_path / "home"
    (home / "cache").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env.update(POLICYDESK_HOME=str(home), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    code = "from matcher.store.kb import KnowledgeBase\nKnowledgeBase.open_default()"
    r = readonly.run(home / "cache", [sys.executable, "-c", code], env=env, cwd=tmp_path)
    assert r.returncode != 0 and "KBError" in r.stderr
    assert "只读" in r.stderr or "权限" in r.stderr


def test_open_path_refuses_non_kb(tmp_path):
    f = tmp_path / "x.sqlite"
    f.write_bytes(b"nope")
    with pytest.raises(KBError):
        KnowledgeBase.open_path(f)
    with pytest.raises(KBError):
        KnowledgeBase.open_path(tmp_path / "missing.sqlite")


def test_read_only_cache_dir_simulated(monkeypatch, fresh_kb):
    """Where the cache folder cannot be written (checked as root too), KBError says so."""
    monkeypatch.setattr(kbmod.os, "access", lambda path, mode: False)
    with pytest.raises(KBError) as ei:
        KnowledgeBase.open_default()
    assert "只读" in str(ei.value) and "POLICYDESK_HOME" in str(ei.value)


def test_read_only_cache_dir_with_current_kb_still_opens(monkeypatch):
    """A read-only cache holding an up-to-date KB is fine: it is only read."""
    real_access = os.access
    cache = paths.cache_dir()
    monkeypatch.setattr(kbmod.os, "access", lambda p, mode: False if Path(p) == cache else real_access(p, mode))
    k = KnowledgeBase.open_default()
    assert k.measures()
    k.close()


def test_remove_imported_document(kb, tmp_path):
    f = _revised_seed(tmp_path)
    before = kb.counts()
    (doc,) = kb.ingest([f])
    assert any("标题相同" in n for n in kb.notices)  # same title as the Hongkou seed
    kb.add_correction(doc.measures[0].measure_id, "hide")
    kb.remove_document(doc.doc_id)
    assert kb.counts()["documents"] == before["documents"]
    assert kb.counts()["measures"] == before["measures"]
    assert kb.corrections() == []
    assert not list((paths.data_dir() / "imports").glob("*/*"))
    from matcher.engine import Engine

    found = Engine(kb).search(doc.measures[0].text[5:9], top=1000)
    assert found and all(r.measure.doc_id != doc.doc_id for r in found)  # the seed's copy is still found
    with pytest.raises(BadInput):
        kb.remove_document(kb.documents()[0].doc_id)  # a seed document
    kb.ingest([f])  # can be imported again


def test_stats_count_as_the_measures_read_whole_do(kb):
    """``kb stats`` counts from three columns of each row and reads only corrected measures
    whole: its counts are those of every document's measures read whole, corrections
    applied (an office stated, a measure marked internal or not, one hidden) included."""
    kb.ingest([OTHER])
    user_doc = next(d for d in kb.documents() if d.source == "user")
    ms = kb.document_measures([user_doc.doc_id])[user_doc.doc_id]
    inferred = next(m for m in ms if m.office_source != "stated")
    facing = next(m for m in ms if not m.internal and m.measure_id != inferred.measure_id)
    internal = next(m for m in kb.measures() if m.internal and m.doc_id != user_doc.doc_id)
    kb.add_correction(inferred.measure_id, "offices", ["区商务委"])
    kb.add_correction(facing.measure_id, "internal", True)
    kb.add_correction(internal.measure_id, "internal", False)
    kb.add_correction(ms[-1].measure_id, "hide")

    def whole(d) -> tuple[int, int, int]:
        return (
            len(d.measures),
            sum(1 for m in d.measures if m.internal),
            sum(1 for m in d.measures if m.office_source == "stated"),
        )

    want = {d.doc_id: whole(d) for d in kb.documents(with_measures=True)}
    got = {d["id"]: (d["measures"], d["internal"], d["stated_offices"]) for d in kb.stats()["documents"]}
    assert got == want
    # the corrections count: one more internal and one more stated office than as read
    raw = (len(ms), sum(m.internal for m in ms), sum(m.office_source == "stated" for m in ms))
    assert got[user_doc.doc_id] == (raw[0], raw[1] + 1, raw[2] + 1)
    assert kb.stats()["measures"] == sum(n for n, _i, _s in want.values())
