"""matcher.store.rows and the matcher's lean path: the KB's lean index rows are its measures
with their corrections, and a matcher over the KB's stored index (full measures fetched per
result) answers exactly like one built in memory from the full measures."""

from __future__ import annotations

import pytest

from matcher.common.text import normalize
from matcher.matching import stored_index
from matcher.matching.match import Matcher, matcher_for, matcher_of
from matcher.matching.tierclass import features
from matcher.profile.company import Profile
from matcher.store.kb import KnowledgeBase
from matcher.store.rows import IndexRow


@pytest.fixture
def kb():
    k = KnowledgeBase.open_default()
    yield k
    k.close()


def test_stored_heads_are_normalised(kb):
    # the matcher reads a measure's main categories off its stored title and opening as is
    for m in kb.measures(include_internal=True):
        head = f"{m.title}。{m.text[:40]}"
        assert normalize(head) == head, m.measure_id


def test_index_rows_are_the_measures_with_corrections(kb):
    ms = kb.measures(include_internal=True)
    kb.add_correction(ms[0].measure_id, "add_tag", "专精特新企业", field="audiences")
    kb.add_correction(ms[1].measure_id, "hide")
    kb.add_correction(ms[2].measure_id, "internal", True)
    fresh = KnowledgeBase.open_default()  # nothing loaded yet: the lean path
    try:
        rows = fresh.index_rows()
        assert not fresh.loaded  # no Measure objects were built
        assert rows == [IndexRow.of(m) for m in kb.measures(include_internal=True)]
        assert ms[1].measure_id not in {r.measure_id for r in rows}
        assert "专精特新企业" in fresh.get_measure(ms[0].measure_id).audiences
        assert fresh.get_measure(ms[1].measure_id) is not None  # hidden, still there
        assert fresh.is_hidden(ms[1].measure_id) and not fresh.is_hidden(ms[0].measure_id)
        assert fresh.get_measure("no-such/1") is None
        assert fresh.counts()["measures"] == len(kb.measures(include_hidden=True))
        assert fresh.version == kb.version
    finally:
        fresh.close()


PROFILES = [
    {
        "district": "虹口区",
        "industry": "交通运输、仓储和邮政业 (航运)",
        "size": "小型",
        "needs": ["融资", "政策咨询"],
        "keywords": "航运 船舶代理",
        "area": "北外滩",
    },
    {
        "district": "嘉定区",
        "industry": "制造业",
        "size": "中型",
        "zjtx": "专精特新中小企业",
        "flags": ["高新技术企业"],
        "needs": ["融资", "用工就业", "法律服务"],
        "keywords": "汽车零部件 破产重整",
    },
    {
        "district": "杨浦区",
        "industry": "批发和零售业",
        "size": "微型",
        "flags": ["个体工商户"],
        "needs": ["税务"],
        "area": "殷行街道",
        "keywords": "个体户 小店 告知承若制",
    },
    {
        "district": "徐汇区",
        "industry": "住宿和餐饮业",
        "size": "中型",
        "needs": ["证照审批"],
        "keywords": "连锁餐饮 外摆",
    },
]


def test_lean_matcher_answers_like_the_full_one(kb):
    lean_kb = KnowledgeBase.open_default()
    lean = matcher_for(lean_kb)
    assert not lean_kb.loaded  # matcher_for never loaded every measure
    full = matcher_of(kb.measures(include_internal=True), {"documents": 5})
    for pd in PROFILES:
        p = Profile.from_dict(pd)
        for top in (30, None):
            a, b = full.match(p, top=top), lean.match(p, top=top)
            assert [r.model_dump() for r in a.results] == [r.model_dump() for r in b.results]
            assert a.notes == b.notes
    for q in ["一", "一网", "一网通办", "融资 人才", "貸款", "告知承若制", "专利质押", "知识产权 跨境 的"]:
        for d in (None, "虹口区"):
            assert [r.model_dump() for r in full.search(q, district=d)] == [
                r.model_dump() for r in lean.search(q, district=d)
            ], (q, d)
    lean_kb.close()


def test_a_matcher_needs_an_index_with_tier_features(kb):
    ms = kb.measures(include_internal=True)[:5]
    rows = [IndexRow.of(m) for m in ms]
    with pytest.raises(ValueError):  # tier features of other rows
        stored_index.build(rows, tier=features(ms[:3]))
    ix = stored_index.build(rows, tier=features(ms))
    for name in [k for k in ix.arrays if k.startswith("tier_")]:
        del ix.arrays[name]
    with pytest.raises(ValueError):
        Matcher(ix, kb.get_measures, {})


def test_record_field_positions_follow_the_record_type():
    from matcher.matching import records as match

    for i, name in enumerate(match._Rec._fields):
        const = "_MID" if name == "measure_id" else "_" + name.upper()
        assert getattr(match, const) == i, name
