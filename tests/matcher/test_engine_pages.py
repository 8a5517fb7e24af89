"""The engine's paged answers (issue 13): the window asks for one tier's page at a time and
for the tiers' counts; both are the whole answer (``match(top=None)``) cut differently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.matching.tiers import TIERS

ROOT = Path(__file__).resolve().parents[2]
PROFILES = [
    p["profile"] for p in json.loads((ROOT / "eval" / "dev_profiles.json").read_text(encoding="utf-8"))["profiles"]
][:8]
# two judged clients of districts the first 12 corpus documents cover (奉贤 biotech, 长宁
# retail): many questions to ask (待确认), so the cut of the other tiers is exercised
JUDGED = [
    p["profile"]
    for p in json.loads((ROOT / "eval" / "dev_judged.json").read_text(encoding="utf-8"))["profiles"]
    if p["profile"]["district"] in ("奉贤区", "长宁区")
][:2]


@pytest.mark.parametrize("k", range(len(PROFILES)))
def test_counts_and_pages_cut_the_whole_answer(k):
    profile = PROFILES[k]
    with Engine.open() as e:
        whole = e.match(profile, top=None, as_of="2026-06-01", include_expired=True)
        counts = e.tier_counts(profile, as_of="2026-06-01", include_expired=True)
        for tier in TIERS:
            ids = [r.measure.measure_id for r in whole.results if r.tier == tier]
            assert counts[tier] == len(ids), tier
            got: list[str] = []
            start = 0
            while True:  # pages of 7 until one comes back short
                page = e.tier_page(profile, tier, start, 7, as_of="2026-06-01", include_expired=True)
                assert [r.rank for r in page] == list(range(start + 1, start + len(page) + 1))
                assert all(r.tier == tier for r in page)
                got += [r.measure.measure_id for r in page]
                start += 7
                if len(page) < 7:
                    break
            assert got == ids, tier
        assert counts["fails"] == whole.tiers.get("fails", 0)


def test_unknown_tier_is_refused():
    with Engine.open() as e, pytest.raises(ValueError):
        e.tier_page(PROFILES[0], "best", 0, 5)


def test_pages_on_seeds_and_corpus_are_the_whole_answer_cut():
    """On the seeds plus the 20 corpus documents, for the dev profiles and the test cases at
    three dates: counts, every tier's whole list, and the first rows' reasons, status,
    missing and questions are those of match(top=None) — the paged path decides only the
    rows it shows."""
    cases = [json.loads(f.read_text(encoding="utf-8")) for f in sorted((ROOT / "tests" / "cases").glob("*.json"))]
    profiles = PROFILES + [c.get("profile", c) for c in cases]
    with Engine.open() as e:
        e.ingest(sorted((ROOT / "tests" / "corpus").glob("*.txt")))
    with Engine.open() as e:
        assert "tier_cond" in e.matcher.ix.arrays  # the stored index carries the tier features
        for profile in profiles:
            for day in ("2025-01-01", "2026-06-01", "2027-12-31"):
                whole = e.match(profile, top=None, as_of=day, include_expired=True)
                counts = e.tier_counts(profile, as_of=day)
                assert counts["fails"] == whole.tiers.get("fails", 0)
                for tier in TIERS:
                    mine = [r for r in whole.results if r.tier == tier]
                    assert counts[tier] == len(mine), (profile, day, tier)
                    page = e.tier_page(profile, tier, 0, 10_000, as_of=day)
                    assert [r.measure.measure_id for r in page] == [r.measure.measure_id for r in mine]
                    for a, b in zip(mine[:3], page[:3]):
                        assert (a.score, a.status, a.missing, a.questions) == (
                            b.score,
                            b.status,
                            b.missing,
                            b.questions,
                        )
                        assert [x.text for x in a.reasons] == [x.text for x in b.reasons]


def test_answers_are_the_one_by_one_deciders_cut():
    """match(top=N) and match(top=None) pick their rows from the classifier's codes and decide
    only those; the rows, their order, ranks, tiers, scores, reasons, missing conditions and
    questions are those of deciding every candidate one by one (tests/matcher/match_oracle.py),
    cut per tier (the first N targeted, general ones up to N in all, the first
    max(5, N // 3) of each other tier); the counts are the oracle's, whole."""
    import datetime as dt

    import match_oracle

    with Engine.open() as e:
        e.ingest(sorted((ROOT / "tests" / "corpus").glob("*.txt"))[:12])
    with Engine.open() as e:
        m = e.matcher
        listed = cut_near = 0
        for profile in PROFILES + JUDGED:
            p = e.profile(profile)
            for day in (dt.date(2025, 1, 1), dt.date(2027, 12, 31)):
                for inc in (False, True):
                    whole = match_oracle.whole_answer(m, p, day, include_expired=inc)
                    got = m.match(p, top=None, as_of=day, include_expired=inc)
                    assert [r.model_dump() for r in got.results] == [r.model_dump() for r in whole.results]
                    assert got.tiers == whole.counts
                    for top in (3, 10, 30):
                        fast = m.match(p, top=top, as_of=day, include_expired=inc)
                        want = match_oracle.top_of(whole, top)
                        assert [r.model_dump() for r in fast.results] == [r.model_dump() for r in want], (
                            profile,
                            day,
                            top,
                            inc,
                        )
                        assert fast.tiers == whole.counts
                        listed += len(want)
                        cap = max(5, top // 3)
                        cut_near += any(
                            whole.counts[t] > cap for t in ("near", "unknown", "expired") if inc or t != "expired"
                        )
        assert listed > 500 and cut_near > 5  # the cut of the other tiers was exercised (more in the next test)


def test_near_and_unknown_beyond_the_cap_are_their_tiers_first_rows():
    """With more near and unknown measures than an answer lists (max(5, top // 3) of each), the
    rows listed are each tier's best: the same as deciding one by one and cutting. Seed
    measures of one district made near (an audience the company can join, 高新技术企业) and
    unknown (a revenue threshold the profile does not answer), in a matcher held in memory."""
    import datetime as dt

    import match_oracle

    from matcher.knowledge.conditions import thresholds
    from matcher.matching.match import matcher_of
    from matcher.store.kb import KnowledgeBase

    revenue = thresholds(["年营业收入不低于5000万元的企业。"])
    assert revenue and revenue[0]["kind"] == "threshold"
    with KnowledgeBase.open_default() as kb:
        ms = kb.measures(include_internal=True)
    mine = [m for m in ms if m.district == "虹口区" and not m.internal and not m.audiences]
    assert len(mine) > 60
    changed = {}
    for i, m in enumerate(mine):
        if i % 3 == 0:
            changed[m.measure_id] = m.model_copy(update={"audiences": ["高新技术企业"]})
        elif i % 3 == 1:
            changed[m.measure_id] = m.model_copy(update={"conditions": [*m.conditions, *revenue]})
    m = matcher_of([changed.get(x.measure_id, x) for x in ms])
    p = Engine.profile({"district": "虹口区", "industry": "制造业", "size": "小型", "needs": ["融资", "人才"]})
    day = dt.date(2026, 6, 1)
    whole = match_oracle.whole_answer(m, p, day, include_expired=False)
    assert whole.counts["near"] > 15 and whole.counts["unknown"] > 15
    for top in (3, 10, 30, 60):
        got = m.match(p, top=top, as_of=day)
        want = match_oracle.top_of(whole, top)
        assert [r.model_dump() for r in got.results] == [r.model_dump() for r in want], top
        assert sum(r.tier == "near" for r in got.results) == max(5, top // 3)
    assert [r.model_dump() for r in m.match(p, top=None, as_of=day).results] == [r.model_dump() for r in whole.results]
