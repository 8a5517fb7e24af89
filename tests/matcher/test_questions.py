"""待确认 grouped (issue 19): one question each, with the measures it unlocks, on the city's
可再生能源 fund rules (tests/corpus) — read out by an officer, not repeated item by item."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from matcher.export import response_dict
from matcher.matching.match import matcher_of
from matcher.matching.questions import question_groups
from matcher.profile.company import Profile
from matcher.reading.pipeline import build_document

ROOT = Path(__file__).resolve().parents[2]


def _answer(profile: dict):
    names = ("shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt", "shi_laojiu_huoche_baofei_gengxin_xize_2026.txt")
    measures = []
    for n in names:
        path = ROOT / "tests" / "corpus" / n
        measures += build_document(path.read_text(encoding="utf-8"), source_file=n).measures
    return matcher_of(measures).match(Profile.from_dict(profile), top=None, as_of=dt.date(2026, 6, 1))


def test_one_question_per_activity_with_the_measures_it_unlocks():
    resp = _answer({"district": "黄浦区", "industry": "住宿和餐饮业", "size": "小型"})
    unknown = [r for r in resp.results if r.tier == "unknown"]
    groups = question_groups(resp.results)
    qs = [g["question"] for g in groups]
    assert len(qs) == len(set(qs))  # each question once
    # fewer questions than measures: 光伏 and 风电 items each share theirs
    assert len(groups) < len(unknown)
    pv = next(g for g in groups if "光伏" in g["question"])
    assert pv["kind"] == "activity" and len(pv["results"]) >= 2
    assert all("光伏" in (r.measure.title + r.measure.text) for r in pv["results"])
    # every listed unknown measure is under each of its questions
    for r in unknown:
        for q in r.questions:
            assert r in next(g for g in groups if g["question"] == q)["results"]
    # the question unlocking most measures comes first among the activities
    counts = [len(g["results"]) for g in groups if g["kind"] == "activity"]
    assert counts == sorted(counts, reverse=True)


def test_questions_about_the_firm_come_before_activities_and_are_in_the_json():
    resp = _answer({"district": "黄浦区"})  # no industry, no size
    groups = question_groups(resp.results)
    kinds = [g["kind"] for g in groups]
    assert "activity" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "profile")
    out = response_dict(resp)
    assert [q["question"] for q in out["questions"]] == [g["question"] for g in groups]
    ids = {r.measure.measure_id for r in resp.results if r.tier == "unknown"}
    assert {i for q in out["questions"] for i in q["measure_ids"]} == ids
