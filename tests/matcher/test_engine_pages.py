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
        assert e.matcher.tier_features() is not None  # the stored index carries them
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


def test_top_from_the_codes_lists_what_deciding_one_by_one_lists():
    """match(top=N) picks its rows from the classifier's codes and decides only those; the
    rows, their order, tiers, scores and reasons are those of deciding the candidates a
    chunk at a time (the path kept for a matcher without tier features)."""
    import datetime as dt

    with Engine.open() as e:
        e.ingest(sorted((ROOT / "tests" / "corpus").glob("*.txt"))[:12])
    with Engine.open() as e:
        m = e.matcher
        assert m.tier_features() is not None
        for profile in PROFILES:
            p = e.profile(profile)
            for day in (dt.date(2025, 1, 1), dt.date(2027, 12, 31)):
                for top in (3, 10, 30):
                    for inc in (False, True):
                        fast = m.match(p, top=top, as_of=day, include_expired=inc)
                        feat, m._tier_feat = m._tier_feat, None
                        m.tier_features = lambda: None  # the one-by-one path
                        slow = m.match(p, top=top, as_of=day, include_expired=inc)
                        del m.tier_features
                        m._tier_feat = feat
                        got = [
                            (
                                r.measure.measure_id,
                                r.tier,
                                r.rank,
                                r.score,
                                r.missing,
                                r.questions,
                                [x.text for x in r.reasons],
                            )
                            for r in fast.results
                        ]
                        want = [
                            (
                                r.measure.measure_id,
                                r.tier,
                                r.rank,
                                r.score,
                                r.missing,
                                r.questions,
                                [x.text for x in r.reasons],
                            )
                            for r in slow.results
                        ]
                        assert got == want, (profile, day, top, inc)
                        # the counts are whole: at least what the one-by-one path met
                        assert all(fast.tiers[k] >= slow.tiers.get(k, 0) for k in fast.tiers)
