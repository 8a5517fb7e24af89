"""The benchmark's generator and script (issue 13): varied text, a KB that imports and
matches, and the quick mode end to end. No timing is asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from matcher.engine import Engine
from scripts.synthetic import CITY, build_documents, document_texts, sentence_pool, write_texts

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def pool():
    return sentence_pool(CORPUS)


def test_pool_holds_real_sentences_of_seeds_and_corpus(pool):
    seed_text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt"))
    corpus_text = "".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt"))
    assert len(pool.sentences) > 1000
    # sentences come from both sources (a corpus-only phrase and a seed-only phrase)
    assert any("代办专员" in s for s in pool.sentences) and "代办专员" in seed_text
    from_corpus = [s for s in pool.sentences[:2000] if s[:8] in corpus_text and s[:8] not in seed_text]
    assert len(from_corpus) > 100
    assert len(set(pool.sentences)) == len(pool.sentences)


def test_generated_measures_are_varied_and_spread_over_districts(pool, tmp_path):
    files = write_texts(tmp_path, pool, 1700, 17, seed=3)
    docs = build_documents(files)
    measures = [m for d in docs for m in d.measures]
    assert 1600 <= len(measures) <= 1800
    dup = len(measures) - len({m.text for m in measures})
    assert dup <= len(measures) // 100, f"{dup} duplicate measure texts"
    titles = Counter(m.title for m in measures)
    assert len(titles) > 100
    assert {d.district for d in docs} == set(pool.districts) | {CITY}
    city = [d for d in docs if d.district == CITY]
    assert city and all(m.level == "市级" for m in city[0].measures)
    # the stated-office notes are read as stated offices
    assert sum(m.office_source == "stated" for m in measures) > len(measures) // 4
    # the same seed gives the same texts; another seed other texts
    again = [t for _, _, t in document_texts(pool, 1700, 17, seed=3)]
    assert again == [p.read_text(encoding="utf-8") for _, p in files]
    assert [t for _, _, t in document_texts(pool, 1700, 17, seed=4)] != again


def test_tiny_generated_kb_imports_and_matches(pool, tmp_path):
    files = write_texts(tmp_path / "texts", pool, 300, 2, seed=1)
    with Engine.open() as eng:
        before = len(eng.measures(include_internal=True))
        for district, path in files:
            eng.ingest([path], district=district)
        assert len(eng.measures(include_internal=True)) >= before + 290
        district = files[0][0]
        resp = eng.match(Engine.profile({"district": district, "size": "小型", "needs": ["融资"]}), top=None)
        mine = [r for r in resp.results if r.measure.source == "user"]
        assert len(mine) >= 10  # the generated measures are matched, not expired
        assert all(r.measure.district in (district, CITY) for r in mine)
        hits = eng.search("融资", district=district, top=10)
        assert hits


def test_quick_mode_runs_end_to_end(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "benchmark.py"),
            "--sizes",
            "seeds",
            "--quick",
            "--cache",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    assert "Load average" in out
    for row in (
        "CLI ingest of one 800-measure document, wall",
        "CLI ingest, CPU",
        "CLI kb remove of it",
        "first open after a copy, wall",
        "first open after a copy, peak RSS",
        "match top 30, median",
        "window search per keystroke, p95",
        "one Engine.search per keystroke",
        "CLI match, whole process",
        "window: first results",
        "window peak RSS",
    ):
        assert row in out
    assert "FTS5" in out and "scan" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("| measures in KB"))
    assert "281" in line
    win = next(ln for ln in out.splitlines() if ln.startswith("| window: first results"))
    assert "—" not in win.split("|")[2]  # the window reported its first results
    ing = next(ln for ln in out.splitlines() if ln.startswith("| CLI kb remove of it, wall"))
    assert "—" not in ing.split("|")[2]  # the document was imported and removed again
    assert "CLI ingest at" not in out and "CLI remove at" not in out  # both exited 0


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pd_benchmark", ROOT / "scripts" / "benchmark.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_fts5_match_baseline_filters_and_ranks_like_sql_would():
    import sqlite3

    bench = _bench_module()
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE m(id TEXT, district TEXT, title TEXT, text TEXT, internal INT)")
    con.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, text, content='m', content_rowid='rowid', tokenize='trigram')"
    )
    rows = [
        ("weak", "杨浦区", "一般支持", "对企业给予知识产权方面的支持和服务。", 0),
        ("strong", "杨浦区", "知识产权质押", "知识产权质押融资,知识产权保险,专利转化。", 0),
        ("short", "上海市", "人才", "人才公寓和人才落户。", 0),
        ("elsewhere", "徐汇区", "知识产权", "知识产权质押融资。", 0),
        ("internal", "杨浦区", "知识产权", "知识产权内部分工。", 1),
        ("unrelated", "杨浦区", "餐饮", "外摆位。", 0),
    ]
    con.executemany("INSERT INTO m VALUES (?,?,?,?,?)", rows)
    con.execute("INSERT INTO f(rowid, title, text) SELECT rowid, title, text FROM m")
    p = {"district": "杨浦区", "needs": ["人才", "知识产权"]}  # 人才: 2 characters (LIKE); 知识产权: FTS5
    got = [r[0] for r in con.execute(*bench.fts_match_sql(p, 30)).fetchall()]
    assert got[0] == "strong"  # the most relevant first (bm25), not storage order
    assert set(got) == {"strong", "weak", "short"}  # other districts, internal and unrelated left out
    assert [r[0] for r in con.execute(*bench.fts_match_sql(p, 1)).fetchall()] == ["strong"]
    assert bench.profile_words(p) == ["人才", "知识产权", "专利"]


def test_cached_kbs_follow_what_is_stored_not_the_matcher_code(monkeypatch):
    from matcher.store import fingerprints

    bench = _bench_module()
    fp = bench.fingerprint()
    assert fp == bench.fingerprint()
    monkeypatch.setattr(fingerprints, "rules_fingerprint", lambda: "another derivation")
    assert bench.fingerprint() != fp
