"""matcher.matching.tierclass gives every candidate the tier matcher.matching.tiers.decide gives it (issue 13).

On the seed KB and on the seeds with all 20 tests/corpus documents imported, for the dev
profiles, the test cases' profiles and generated ones (sizes, flags, 专精特新 levels, figures,
founding years, areas, needs, districts with and without documents), at several dates
(some the day a document or a window ends, some the day after): the oracle
(tests/matcher/match_oracle.py) decides every candidate one by one; ``classify`` decides
them all at once from the stored features and the ranker's two inputs per candidate (its
status and whether its result carries an audience, industry or area reason). Every tier
must agree, and so must the matcher's whole answer and its ``match --all`` rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import match_oracle
import numpy as np
import pytest

from matcher.errors import BadInput
from matcher.matching import tierclass
from matcher.matching.match import matcher_for
from matcher.matching.tierclass import TIER_CODES, classify, features
from matcher.profile.company import Profile
from matcher.rules.form import form_options
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.txt"))


def _profiles() -> list[Profile]:
    raws = [
        p["profile"] for p in json.loads((ROOT / "eval" / "dev_profiles.json").read_text(encoding="utf-8"))["profiles"]
    ]
    raws += [
        json.loads(f.read_text(encoding="utf-8"))["profile"] for f in sorted((ROOT / "tests" / "cases").glob("*.json"))
    ]
    o = form_options()
    rnd = random.Random(13)
    districts = [
        "虹口区",
        "徐汇区",
        "嘉定区",
        "杨浦区",
        "静安区",
        "长宁区",
        "奉贤区",
        "黄浦区",
        "金山区",
        "普陀区",
        "松江区",
        "浦东新区",
    ]
    industries = o.industries + o.key_industries
    for k in range(48):
        d = districts[k % len(districts)]
        raw: dict = {
            "district": d,
            "industry": rnd.choice(industries),
            "size": rnd.choice([None, *o.sizes]),
            "zjtx": rnd.choice(o.zjtx),
            "flags": rnd.sample(o.flags, rnd.randint(0, 4)),
            "needs": rnd.sample(o.needs, rnd.randint(0, 5)),
        }
        if rnd.random() < 0.4 and o.areas.get(d):
            raw["area"] = rnd.choice(o.areas[d])
        for field, lo, hi in (
            ("revenue", 0, 200000),
            ("tax", 0, 5000),
            ("rnd", 0, 20000),
            ("investment", 0, 50000),
            ("employees", 1, 3000),
        ):
            if rnd.random() < 0.5:
                raw[field] = rnd.randint(lo, hi)
        if rnd.random() < 0.6:
            raw["founded"] = rnd.randint(1995, 2026)
        if raw["size"] is None:
            raw.pop("size")
        raws.append(raw)
    out = []
    for r in raws:
        try:
            out.append(Profile.from_dict(r))
        except BadInput:  # figures that cannot decide a size alone: state the size
            out.append(Profile.from_dict({**r, "size": "小型"}))
    return out


def _dates(feat) -> list[dt.date]:
    """Fixed days, and the day a few documents or windows end and the day after."""
    ends = sorted({int(x) for x in np.concatenate([feat.valid_until, feat.window_end]) if x != tierclass.NEVER})
    days = [dt.date(2020, 1, 1), dt.date(2026, 6, 1), dt.date(2031, 1, 1)]
    for o in ends[:: max(1, len(ends) // 3)]:
        days += [dt.date.fromordinal(o), dt.date.fromordinal(o + 1)]
    return days


def _compare(kb) -> dict[str, int]:
    """Every profile at every date: classify() against decide() on each candidate, and the
    matcher's answer (cut from the codes) against the one-by-one answer."""
    mt = matcher_for(kb)
    measures = kb.measures(include_internal=True)
    feat = features(measures)
    row = {m.measure_id: i for i, m in enumerate(measures)}
    totals = dict.fromkeys(TIER_CODES, 0)
    profiles = _profiles()
    days = _dates(feat)
    for p in profiles:
        aud_ok = mt.vocab.audience_test(p)
        for day in days:
            # what the ranker hands decide, and what decide says, for every candidate
            whole = match_oracle.whole_answer(mt, p, day, include_expired=True)
            seen = whole.decided
            ids = [s.measure_id for s in seen]
            assert len(set(ids)) == len(ids)
            assert {r.measure.measure_id for r in whole.results} | set(whole.hidden) == set(ids)
            cand = np.array([row[i] for i in ids], dtype=np.intp)
            codes = classify(
                feat,
                cand,
                near=[s.near for s in seen],
                area=[s.area for s in seen],
                titled=[s.titled for s in seen],
                asked=[s.asked for s in seen],
                worded=[s.worded for s in seen],
                profile=p,
                as_of=day,
                aud_ok=aud_ok,
                aud_reach=mt.vocab.reach,
            )
            got = [TIER_CODES[c] for c in codes]
            want = [s.tier for s in seen]
            bad = [(i, g, w) for i, g, w in zip(ids, got, want) if g != w]
            assert not bad, (p.district, p.needs, p.flags, day, bad[:5])
            assert tierclass.counts(codes) == whole.counts
            # candidates in rank order (applies, then near): each tier's pages are the
            # answer's list of that tier, in its order
            mid = np.array(ids, dtype=object)
            for tier in TIER_CODES[:5]:
                listed = [r.measure.measure_id for r in whole.results if r.tier == tier]
                rows = tierclass.page(codes, np.arange(len(ids)), tier, 0, len(ids))
                assert list(mid[rows]) == listed, tier
                assert list(mid[tierclass.page(codes, np.arange(len(ids)), tier, 3, 4)]) == listed[3:7]
            # the matcher's own answer, counts and match --all rows are the one-by-one ones
            resp = mt.match(p, top=None, as_of=day, include_expired=True)
            assert [(r.measure.measure_id, r.tier, r.rank) for r in resp.results] == [
                (r.measure.measure_id, r.tier, r.rank) for r in whole.results
            ]
            assert resp.tiers == whole.counts
            if day == days[0]:
                every = {x["measure_id"]: x for x in mt.overview(p, as_of=day)}
                hidden = match_oracle.whole_answer(mt, p, day, include_expired=False).hidden
                for i, (kind, why) in hidden.items():
                    assert (every[i]["status"], every[i]["why"]) == (kind, why), i
            for k, v in tierclass.counts(codes).items():
                totals[k] += v
    return totals


def test_seed_kb_every_candidate_same_tier():
    with KnowledgeBase.open_default() as kb:
        totals = _compare(kb)
    # the comparison covered every tier, not only the easy ones
    assert all(totals[k] > 0 for k in ("targeted", "general", "near")), totals


def test_officers_corrections_are_what_both_read():
    """Corrected tags (an audience added or removed, a category, an industry on a measure
    that states a sum, a hidden measure): the features are read from the corrected measures,
    as decide reads them."""
    from matcher.rules.lexicon import load_lexicons

    industry = load_lexicons().industries.industry[0].name
    with KnowledgeBase.open_default() as kb:
        ms = kb.measures(include_internal=False)
        plain = [m for m in ms if not m.audiences]
        tagged = [m for m in ms if m.audiences]
        paying = [m for m in ms if m.amounts and not m.industries] + plain[11:15]
        for m in plain[:6]:
            kb.add_correction(m.measure_id, "add_tag", "专精特新企业", field="audiences")
        for m in tagged[:4]:
            kb.add_correction(m.measure_id, "remove_tag", m.audiences[0], field="audiences")
        for m in plain[6:10]:
            kb.add_correction(m.measure_id, "add_tag", "融资", field="categories")
        for m in paying[:4]:
            kb.add_correction(m.measure_id, "add_tag", industry, field="industries")
        kb.add_correction(plain[10].measure_id, "hide")
    assert len(plain) > 15 and len(tagged) >= 4
    with KnowledgeBase.open_default() as kb:
        assert plain[10].measure_id not in {m.measure_id for m in kb.measures(include_internal=True)}
        totals = _compare(kb)
    assert totals["targeted"] > 0 and totals["near"] > 0


def test_need_reason_category_is_the_first_the_measure_has(monkeypatch):
    """Rules are data: with a need whose first category is not a concrete one and whose
    second is (科技创新 → 数字化转型, 科技创新), a measure tagged with both is mainly about
    the need only if 数字化转型 is quoted in its heading; classify still agrees with decide."""
    from matcher.rules.lexicon import load_lexicons

    monkeypatch.setitem(load_lexicons().categories.needs, "科技创新", ["数字化转型", "科技创新"])
    with KnowledgeBase.open_default() as kb:
        totals = _compare(kb)
    assert totals["targeted"] > 0


def test_seeds_and_corpus_every_candidate_same_tier():
    with KnowledgeBase.open_default() as kb:
        kb.ingest([str(f) for f in CORPUS])
    with KnowledgeBase.open_default() as kb:
        assert len(kb.documents()) == 5 + len(CORPUS)
        totals = _compare(kb)
    assert all(v > 0 for v in totals.values()), totals


def test_features_store_and_read_back():
    with KnowledgeBase.open_default() as kb:
        measures = kb.measures(include_internal=True)
    feat = features(measures)
    assert len(feat) == len(measures) == 281
    # distinct condition sets are shared: far fewer than measures, and each judged once
    assert 1 < len(feat.cond_sets) < len(measures)
    arrays = feat.to_arrays()
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    back = tierclass.TierFeatures.from_arrays(arrays)
    for name in ("cond", "valid_until", "window_end", "has_amounts", "ind", "cat", "head", "aud", "ment"):
        assert np.array_equal(getattr(back, name), getattr(feat, name)), name
        assert getattr(back, name).shape[0] == len(measures), name
    assert (back.cond_sets, back.industries, back.categories, back.audiences) == (
        feat.cond_sets,
        feat.industries,
        feat.categories,
        feat.audiences,
    )
    # what the columns say is the measure's own: its industries, categories, heading quotes
    by_id = dict(zip((m.measure_id for m in measures), range(len(measures))))
    m = next(m for m in measures if m.industries and m.categories)
    i = by_id[m.measure_id]
    assert {feat.industries[k] for k in np.flatnonzero(feat.ind[i])} == set(m.industries)
    assert {feat.categories[k] for k in np.flatnonzero(feat.cat[i])} == set(m.categories)
    assert feat.head.sum() > 0 and not (feat.head & ~feat.cat).any()
    # the arrays go through numpy's own file format unchanged
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    buf.seek(0)
    with np.load(buf) as z:
        again = tierclass.TierFeatures.from_arrays(dict(z))
    assert again.cond_sets == feat.cond_sets and np.array_equal(again.cond, feat.cond)
    # reordered rows keep each measure's features
    perm = np.arange(len(feat))[::-1]
    rev = feat.take(perm)
    assert np.array_equal(rev.cond, feat.cond[::-1]) and rev.cond_sets is feat.cond_sets


def test_counts_and_pages_cut_in_rank_order():
    codes = np.array([0, 1, 0, 5, 4, 0, 2], dtype=np.int8)
    cand = np.array([10, 11, 12, 13, 14, 15, 16])
    assert tierclass.counts(codes) == {"targeted": 3, "general": 1, "near": 1, "unknown": 0, "expired": 1, "fails": 1}
    assert tierclass.page(codes, cand, "targeted", 0, 2).tolist() == [10, 12]
    assert tierclass.page(codes, cand, "targeted", 2, 2).tolist() == [15]
    assert tierclass.page(codes, cand, "unknown").tolist() == []
    with pytest.raises(ValueError):
        tierclass.page(codes, cand, "best")


def test_a_stored_date_that_is_not_a_date_never_expires():
    """is_expired skips a valid_until or window end it cannot read; so do the features."""
    assert tierclass._ordinal("2026-13-40") == tierclass.NEVER
    assert tierclass._ordinal(None) == tierclass.NEVER == tierclass._ordinal("")
    assert tierclass._ordinal("2026-07-10") == dt.date(2026, 7, 10).toordinal()
