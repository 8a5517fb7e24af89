"""The incremental, segmented index (issue 24): any sequence of imports, replacements,
removals and corrections answers exactly as a fresh build of the same library, and a
change builds only what it touched.

Three answers are compared after every step: the engine's (the stored segments, brought up
to date step by step), a fresh build of every segment from the KB as it is now
(:func:`index_state.build_all`), and one in-memory build over every measure as the KB reads
them, corrections applied (:func:`matcher_of`: the single build the index used to be).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.engine import Engine
from matcher.matching import index_state, stored_index
from matcher.matching.match import Matcher, matcher_of
from matcher.profile.company import Profile

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DOCS = [
    "yangpu_zongchengbao_zixun_shenbao_2026.txt",
    "putuo_fuwuye_yindao_zijin_shenbao_2026.txt",
    "huangpu_daikuan_tiexi_banfa_2026.txt",
    "shi_jiaotong_hangyun_chuangxin_shenbao_2023.txt",
    "fengxian_haigui_xiaozhen_2025.txt",
]
PROFILES = [
    {
        "district": "杨浦区",
        "industry": "制造业",
        "size": "小型",
        "needs": ["融资", "政策咨询"],
        "keywords": "咨询 总承包",
    },
    {"district": "黄浦区", "industry": "金融业", "size": "中型", "needs": ["融资"], "flags": ["高新技术企业"]},
    {"district": "奉贤区", "industry": "信息传输、软件和信息技术服务业", "size": "小型", "needs": ["人才", "科技创新"]},
    {
        "district": "虹口区",
        "industry": "交通运输、仓储和邮政业 (航运)",
        "size": "小型",
        "needs": ["融资"],
        "keywords": "航运",
    },
]
QUERIES = ["融", "企业", "贷款贴息", "人才 住房", "航运 创新", "资金"]


def answers(m: Matcher) -> list:
    """Everything a user can be shown: every tier's whole list with scores, tiers and
    reasons, the counts, ``--all``, and searches of every length, with and without a district."""
    out: list = []
    for pd in PROFILES:
        p = Profile.from_dict(pd)
        resp = m.match(p, top=None, include_expired=True)
        out.append(resp.tiers)
        out.append(
            [(r.measure.measure_id, r.score, r.tier, r.status, [x.text for x in r.reasons]) for r in resp.results]
        )
        out.append(m.overview(p))
        for q in QUERIES:
            out.append([(r.measure.measure_id, r.score, r.matched_terms) for r in m.search(q, pd["district"], top=40)])
    for q in QUERIES:
        out.append([(r.measure.measure_id, r.score) for r in m.search(q, None, top=40)])
    return out


def fresh(kb) -> Matcher:
    ix = index_state.build_all(kb)
    return Matcher(ix, kb.get_measures, {"documents": ix.header["documents"], "measures": ix.n})


def single(kb) -> Matcher:
    return matcher_of(kb.measures(include_internal=True), {})


def _changed(tmp: Path, name: str) -> Path:
    """A new version of a corpus document (same title and district: an import replaces it)."""
    text = (CORPUS / name).read_text("utf-8")
    out = tmp / f"v2-{name}"
    out.write_text(text.replace("企业", "市场主体", 3) + "\n", "utf-8")
    return out


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("ingest"), st.integers(0, len(DOCS) - 1)),
        st.tuples(st.just("replace"), st.integers(0, len(DOCS) - 1)),
        st.tuples(st.just("remove"), st.integers(0, 9)),
        st.tuples(st.just("hide"), st.integers(0, 10_000)),
        st.tuples(st.just("offices"), st.integers(0, 10_000)),
        st.tuples(st.just("tag"), st.integers(0, 10_000)),
        st.tuples(st.just("uncorrect"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=6,
)


def _step(e: Engine, op: str, k: int, tmp: Path) -> None:
    kb = e.kb
    if op == "ingest":
        e.ingest([CORPUS / DOCS[k]], replace=True)
    elif op == "replace":
        e.ingest([_changed(tmp, DOCS[k])], replace=True)
    elif op == "remove":
        mine = [d.doc_id for d in kb.documents() if d.source == "user"]
        if mine:
            e.remove([mine[k % len(mine)]])
    elif op == "uncorrect":
        rows = kb.corrections()
        if rows:
            e.remove_correction(int(rows[k % len(rows)]["id"]))
    else:
        ms = kb.measures(include_internal=True)
        mid = ms[k % len(ms)].measure_id
        if op == "hide":
            e.correct(mid, "hide")
        elif op == "offices":
            e.correct(mid, "offices", ["区财政局"])
        else:
            e.correct(mid, "add_tag", "专精特新企业", field="audiences")


@pytest.fixture
def small_segments(monkeypatch):
    """Tiny segments and an eager merge, so that a few documents exercise splitting,
    merging, rebuilding a mostly-removed segment and the corrections segment."""
    monkeypatch.setattr(index_state, "SEGMENT_CAP", 60)
    monkeypatch.setattr(index_state, "MERGE_FACTOR", 2)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_answers_as_a_fresh_build(ops, policydesk_home, small_segments, tmp_path):
    with Engine.open() as e:
        for op, k in ops:
            _step(e, op, k, tmp_path)
            got = answers(e.matcher)
            assert got == answers(fresh(e.kb)), (op, k)
            assert got == answers(single(e.kb)), (op, k)
        # and a new engine, from the stored segments alone, answers the same
        want = answers(e.matcher)
    with Engine.open() as e2:
        assert answers(e2.matcher) == want


def test_an_import_builds_only_the_new_document(policydesk_home, monkeypatch):
    built: list[int] = []
    real = stored_index.build

    def counting(rows, *a, **k):
        built.append(len(rows))
        return real(rows, *a, **k)

    with Engine.open() as e:
        e.ingest([CORPUS / DOCS[0]])
        e.ingest([CORPUS / DOCS[1]])
        before = e.matcher.ix.n
        monkeypatch.setattr(stored_index, "build", counting)
        (doc,) = e.ingest([CORPUS / DOCS[2]])
        n_new = len(e.kb.document_measures([doc.doc_id])[doc.doc_id])
        assert built == [n_new]  # the new document's segment, nothing else
        assert e.matcher.ix.n == before + n_new
        built.clear()
        e.remove([doc.doc_id])
        assert built == []  # a removal builds nothing: its records stop counting
        assert e.matcher.ix.n == before
        assert doc.doc_id not in {e.matcher.ix.mid(p).split("/")[0] for p in range(e.matcher.ix.n)}
        mid = e.matcher.ix.mid(0)
        e.correct(mid, "offices", ["区财政局"])
        assert built == [1]  # the corrections segment: one corrected measure
        assert e.matcher.ix.n == before
        m = e.matcher.measures.get_many([mid])[mid]
        assert m.offices == ["区财政局"]


def test_stale_and_foreign_manifests_are_not_trusted(policydesk_home):
    with Engine.open() as e:
        e.ingest([CORPUS / DOCS[0]])
        want = answers(e.matcher)
        folder = stored_index.index_dir(e.kb) / index_state.FOLDER
    man = json.loads((folder / index_state.MANIFEST).read_text("utf-8"))
    man["user"] = [man["user"][0], "0"]  # an older state of the KB
    (folder / index_state.MANIFEST).write_text(json.dumps(man), "utf-8")
    with Engine.open() as e:
        assert answers(e.matcher) == want
    (folder / index_state.MANIFEST).write_text("{", "utf-8")
    for f in folder.glob("seg-*.bin"):
        f.unlink()
    with Engine.open() as e:
        assert answers(e.matcher) == want
