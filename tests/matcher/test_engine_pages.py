"""The engine's paged answers (issue 13): the window asks for one tier's page at a time and
for the tiers' counts; both are the whole answer (``match(top=None)``) cut differently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.tiers import TIERS

ROOT = Path(__file__).resolve().parents[2]
PROFILES = [p["profile"] for p in json.loads((ROOT / "eval" / "dev_profiles.json").read_text(encoding="utf-8"))
            ["profiles"]][:8]


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
            while True:                      # pages of 7 until one comes back short
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
        assert e.matcher.tier_features() is not None          # the stored index carries them
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
                        assert (a.score, a.status, a.missing, a.questions) == (b.score, b.status, b.missing, b.questions)
                        assert [x.text for x in a.reasons] == [x.text for x in b.reasons]
