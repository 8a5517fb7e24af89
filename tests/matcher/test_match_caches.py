"""What the matcher keeps between answers (issue 13: match top 30 within 20 ms at 100,000
measures): the last profiles' cuts (ranked, classified candidates) and the measures fetched
for results. Kept or not, every answer is the one a fresh engine gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import matcher.matching.fetcher as fetcher_mod
import matcher.matching.match as match_mod
from matcher.engine import Engine
from matcher.matching.tiers import TIERS

ROOT = Path(__file__).resolve().parents[2]
PROFILES = [
    p["profile"] for p in json.loads((ROOT / "eval" / "dev_profiles.json").read_text(encoding="utf-8"))["profiles"]
][:6]
DAY = "2026-06-01"


def _answer(resp) -> list[tuple]:
    return [
        (r.rank, r.measure.measure_id, r.tier, r.status, r.score, [x.text for x in r.reasons], r.missing, r.questions)
        for r in resp.results
    ]


@pytest.fixture(scope="module")
def fresh() -> dict:
    """Each profile's answer, counts and a tier page from a new engine each (nothing kept)."""
    out = {}
    for k, profile in enumerate(PROFILES):
        with Engine.open() as e:
            resp = e.match(profile, top=30, as_of=DAY)
            out[k] = (_answer(resp), resp.tiers, resp.model_dump_json())
        with Engine.open() as e:
            out[k, "general"] = [r.model_dump_json() for r in e.tier_page(profile, "general", 3, 9, as_of=DAY)]
    return out


def test_one_engine_answering_profiles_in_turn_gives_each_fresh_answer(fresh):
    """More profiles than the cuts kept, twice round, with counts and pages between: every
    answer is the fresh one (a kept cut is never another profile's, and ranks are numbered
    per answer)."""
    assert len(PROFILES) > match_mod.CUTS_KEPT
    with Engine.open() as e:
        for _round in range(2):
            for k, profile in enumerate(PROFILES):
                resp = e.match(profile, top=30, as_of=DAY)
                assert _answer(resp) == fresh[k][0], k
                assert resp.model_dump_json() == fresh[k][2], k
                counts = e.tier_counts(profile, as_of=DAY)
                assert {t: counts[t] for t in TIERS if t != "expired"} == {
                    t: resp.tiers[t] for t in TIERS if t != "expired"
                }
                page = e.tier_page(profile, "general", 3, 9, as_of=DAY)
                assert [r.model_dump_json() for r in page] == fresh[k, "general"], k
                assert [r.rank for r in page] == list(range(4, 4 + len(page)))
        assert len(e.matcher._cuts) <= match_mod.CUTS_KEPT


def test_a_changed_profile_is_not_served_a_kept_cut(fresh):
    base = dict(PROFILES[0])
    other = dict(base, needs=["融资"]) if base.get("needs") != ["融资"] else dict(base, needs=["人才"])
    with Engine.open() as e:
        first = _answer(e.match(base, top=30, as_of=DAY))
        changed = _answer(e.match(other, top=30, as_of=DAY))
    with Engine.open() as e:
        assert changed == _answer(e.match(other, top=30, as_of=DAY))
    assert changed != first
    assert first == fresh[0][0]


def test_another_day_is_not_served_a_kept_cut():
    """A corpus document valid for a year from 2019-02-25: its measures are listed in 2019 and expired in
    2030, asked of one engine in turn."""
    profile = {"district": "静安区", "industry": "文化、体育和娱乐业", "keywords": "电竞"}  # whom it is for
    with Engine.open() as e:
        e.ingest([ROOT / "tests" / "corpus" / "jingan_dianjing_fuchi_2019.txt"])
    with Engine.open() as e:
        then = e.match(profile, top=30, as_of="2019-06-01", include_expired=True)
        now = e.match(profile, top=30, as_of="2030-01-01", include_expired=True)
        again = e.match(profile, top=30, as_of="2019-06-01", include_expired=True)
        assert e.tier_counts(profile, as_of="2030-01-01")["expired"] == now.tiers["expired"]
    assert then.tiers["expired"] == 0 and then.tiers["targeted"] + then.tiers["general"] > 0
    assert now.tiers["expired"] > 0 and now.tiers["targeted"] == 0
    assert {r.tier for r in now.results} == {"expired"}
    assert _answer(again) == _answer(then)


def test_measures_kept_are_bounded_and_answers_unchanged_past_the_bound(fresh, monkeypatch):
    """With room for only a few measures, answers fetch more than are kept (and a whole list,
    top=None, is never kept): the answers stay the fresh ones."""
    monkeypatch.setattr(fetcher_mod, "MEASURES_KEPT", 12)
    with Engine.open() as e:
        for k, profile in enumerate(PROFILES):
            assert _answer(e.match(profile, top=30, as_of=DAY)) == fresh[k][0], k
            e.match(profile, top=None, as_of=DAY)
            assert len(e.matcher.measures._kept) <= 12
            assert _answer(e.match(profile, top=30, as_of=DAY)) == fresh[k][0], k


def test_one_profiles_page_counts_and_pages_rank_and_classify_once(monkeypatch):
    """The window's sequence for one profile (first page, the counts, further pages) ranks
    and classifies its candidates once; a new day or profile does so again; the measures of
    a page asked again are not fetched again."""
    import matcher.matching.pages as pages

    made: list[str] = []
    real = pages.Cut.__init__

    def counting(self, reader, vocab, measures, p, as_of):
        made.append(p.district)
        real(self, reader, vocab, measures, p, as_of)

    monkeypatch.setattr(pages.Cut, "__init__", counting)
    profile = PROFILES[0]
    with Engine.open() as e:
        e.match(profile, top=30, as_of=DAY)
        e.tier_counts(profile, as_of=DAY)
        e.tier_page(profile, "general", 0, 30, as_of=DAY)
        fetched: list[list[str]] = []
        fetch_many = e.matcher.measures._fetch_many
        e.matcher.measures._fetch_many = lambda ids: (fetched.append(list(ids)), fetch_many(ids))[1]
        e.tier_page(profile, "general", 0, 30, as_of=DAY)
        e.match(profile, top=30, as_of=DAY)
        assert len(made) == 1
        assert fetched == []
        e.tier_counts(profile, as_of="2026-06-02")
        e.tier_counts(dict(profile, keywords="研发"), as_of=DAY)
        assert len(made) == 3
