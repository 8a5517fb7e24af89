"""Conditions (matcher.knowledge.conditions): extracted from real measure text, judged per profile."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.errors import RuleFileError
from matcher.knowledge import conditions as C
from matcher.profile.company import Profile
from matcher.reading.pipeline import build_seed_documents
from matcher.rules.loader import load_toml

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "corpus"
DAY = dt.date(2026, 6, 1)


def corpus_sentence(name: str, words: str) -> str:
    text = repair((CORPUS / name).read_text(encoding="utf-8")).text
    for s in re.split(r"(?<=[。;;\n])", text):
        if words in s:
            return s.strip()
    raise AssertionError(f"{words!r} not in {name}")


@pytest.fixture(scope="module")
def seed_measures():
    return {m.measure_id: m for d in build_seed_documents() for m in d.measures}


def test_audience_kinds_from_seed_measures(seed_measures):
    """size (中小微企业), ownership (外资企业, 国有企业), stage-bearing audiences — with the quote."""
    kinds = {
        mid: [c["kind"] for c in seed_measures[mid].conditions]
        for mid in ("hongkou-2023/4.2", "hongkou-2023/7.10", "hongkou-2023/7.8", "hongkou-2023/12.4")
    }
    assert kinds["hongkou-2023/4.2"] == ["size"]
    assert kinds["hongkou-2023/7.10"] == ["ownership"]
    assert kinds["hongkou-2023/7.8"] == ["ownership"]
    assert kinds["hongkou-2023/12.4"] == ["audience"]  # 专精特新企业 or 重点企业
    c = seed_measures["hongkou-2023/4.2"].conditions[0]
    assert "中小微企业" in c["quote"] and c["names"] == ["中小微企业"]


def test_stage_condition_from_an_audience():
    got = C.extract(
        ["对获评高新技术企业的给予支持。"], ["高新技术企业"], {"audiences": {"高新技术企业": "高新技术企业"}}
    )
    assert got[0]["kind"] == "stage"


def test_investment_threshold_with_unit():
    s = corpus_sentence("fengxian_haigui_xiaozhen_2025.txt", "设备投资1000万元以上")
    got = C.thresholds([s])
    assert len(got) == 1
    t = got[0]
    assert (t["field"], t["op"], t["value"], t["unit"]) == ("investment", "ge", 1000, "万元")
    assert t["quote"].startswith("设备投资1000万元以上")


def test_grant_computed_from_a_figure_is_no_condition():
    s = corpus_sentence("songjiang_jinrong_ruogan_2025.txt", "实际固定资产投资额")
    assert C.thresholds([s]) == []  # 按…投资额的2%给予奖励: how the grant is computed


def test_document_scope_conditions():
    text = repair((CORPUS / "putuo_fuwuye_yindao_zijin_shenbao_2026.txt").read_text(encoding="utf-8")).text
    got = C.document_conditions(text)
    assert [(c["field"], c["value"]) for c in got] == [("investment", 500)]
    hg = repair((CORPUS / "fengxian_haigui_xiaozhen_2025.txt").read_text(encoding="utf-8")).text
    areas = [c["name"] for c in C.document_conditions(hg) if c["kind"] == "area"]
    assert "海归小镇核心区" in areas


def test_units_are_normalised_and_ratios_read():
    got = C.thresholds(["申报企业上年度营业收入不低于1.5亿元,研发投入占营业收入比例不低于3%。"])
    by = {c["field"]: c for c in got}
    assert by["revenue"]["value"] == 15000 and by["revenue"]["unit"] == "万元"
    assert by["rnd_ratio"]["value"] == 3 and by["rnd_ratio"]["unit"] == "%"
    emp = C.thresholds(["从业人员50人以上的企业"])
    assert emp[0]["field"] == "employees" and emp[0]["value"] == 50


def test_age_of_the_firm():
    got = C.ages(["对成立不满3年的初创企业给予房租补贴。", "2020年以后新注册的企业"])
    assert [(c["op"], c["value"]) for c in got] == [("le", 3), ("since", 2020)]


def test_judge_met_true_false_none():
    conds = C.thresholds(["申报企业上年度营业收入不低于1.5亿元。"]) + C.ages(["成立不满3年的企业"])
    base = {"district": "虹口区", "industry": "制造业"}
    unknown = C.judge(conds, Profile.from_dict(base), as_of=DAY, in_audience=lambda n: None)
    assert [c["met"] for c in unknown] == [None, None]
    ok = C.judge(
        conds,
        Profile.from_dict({**base, "revenue": "2亿元", "employees": 300, "founded": 2024}),
        as_of=DAY,
        in_audience=lambda n: None,
    )
    assert [c["met"] for c in ok] == [True, True]
    bad = C.judge(
        conds,
        Profile.from_dict({**base, "revenue": 800, "employees": 30, "founded": 2015}),
        as_of=DAY,
        in_audience=lambda n: None,
    )
    assert [c["met"] for c in bad] == [False, False]
    assert C.question_for(conds[0]).startswith("企业上一年度营业收入")


def test_area_condition_judged_by_the_profiles_area():
    s = corpus_sentence("fengxian_haigui_xiaozhen_2025.txt", "在海归小镇新注册")
    conds = C.areas([s])
    assert [c["name"] for c in conds] == ["海归小镇核心区", "海归小镇"]
    judge = lambda area: {
        c["met"]
        for c in C.judge(
            conds, Profile.from_dict({"district": "奉贤区", "area": area}), as_of=DAY, in_audience=lambda n: None
        )
    }
    assert judge("海归小镇") == {True} and judge("") == {None} and judge("南桥镇") == {False}


def test_bad_rule_file_names_file_and_field(tmp_path):
    (tmp_path / "conditions.toml").write_text(
        '[[threshold]]\nfield = "profit"\nlabel = "利润"\nterms = ["利润"]\nunits = ["万元"]\nquestion = "?"\n'
        '[age]\nquestion = "?"\n[area]\nquestion = "?"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as e:
        load_toml("conditions.toml", C.ConditionRules, base=tmp_path)
    assert "conditions.toml" in str(e.value) and "field" in str(e.value)


def test_what_is_supported_is_not_who_may_apply():
    """松江's 二、支持范围和标准 lists supported projects (工业、商业 …): no industry condition."""
    text = repair((CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt").read_text(encoding="utf-8")).text
    assert [c for c in C.document_conditions(text) if c["kind"] == "industry"] == []
