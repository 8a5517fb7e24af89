"""The one-by-one decider: the oracle the matcher's one path is checked against.

The product decides every candidate's tier at once from the codes stored in the index
(:class:`matcher.matching.pages.Cut`, :func:`matcher.matching.tierclass.classify`) and
decides in full only the rows it shows. Here every record of the profile's scope is judged
on its own (:meth:`Scoring.judge`: offered or not, its score, what is missing), ranked by a
plain sort, explained, and decided with :func:`matcher.matching.tiers.decide` — the way the
matcher answered before there were tier codes. What it gives:

* :func:`whole_answer`: every result, in the order an answer lists them (targeted, then
  general, near, unknown, and expired when asked; each in rank order), the
  counts of every tier, why each hidden one is hidden, and per candidate what decide was
  given and said;
* :func:`top_of`: the answer of ``match(top=N)`` cut from it: the first ``N`` targeted
  results, general ones up to ``N`` in all, and the first ``max(5, N // 3)`` of each other tier.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from matcher.matching.explain import explain
from matcher.matching.match import Matcher
from matcher.matching.records import _DISTRICT, _IDX, _INTERNAL, _MID, _MRANK
from matcher.matching.scoring import Scoring
from matcher.matching.tiers import (
    TIERS,
    _named_by_firm,  # a firm's stated word in the title: evidence, like a hit
    decide,
)
from matcher.matching.tiers import apply as apply_tier
from matcher.models import Result
from matcher.profile.company import Profile


@dataclass
class Decided:
    """What decide was given for one candidate and what it said."""

    measure_id: str
    near: bool  # the candidate's status is near (an audience it can still join)
    area: bool  # its result carries an area reason (the firm's area, where its firms are served)
    titled: bool  # a word the firm stated is in its title
    asked: bool  # it serves a stated need or holds a stated word
    worded: bool  # it holds a stated word
    tier: str  # decide's tier, or "fails"


@dataclass
class Whole:
    results: list[Result]
    counts: dict[str, int]
    hidden: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (fails | pending | expired, why)
    decided: list[Decided] = field(default_factory=list)  # every candidate, in rank order


def ranked(m: Matcher, p: Profile) -> tuple[Scoring, list[tuple[float, tuple, list[str]]]]:
    """(the scoring, every candidate as (score, record, missing)): every record of the
    profile's scope that is not internal and that judge offers, best first — ties by newest
    document and document order, own district before the city's, then the order given —
    those of status applies before those of status near."""
    sc = Scoring(m.reader, m.vocab, p)
    cands = []
    for q in range(m.reader.n):
        if not sc.scope[q]:
            continue
        r = m.reader.record(q)
        if r[_INTERNAL]:
            continue
        j = sc.judge(r, False)
        if j is not None:
            cands.append((j[0], r, list(j[1])))
    cands.sort(key=lambda c: (bool(c[2]), -c[0], c[1][_MRANK], c[1][_DISTRICT] != p.district, c[1][_IDX]))
    return sc, cands


def whole_answer(m: Matcher, p: Profile, day: _dt.date, include_expired: bool = True) -> Whole:
    """Every candidate decided one by one (see the module doc)."""
    sc, cands = ranked(m, p)
    aud_ok = m.vocab.audience_test(p)
    by_tier: dict[str, list[Result]] = {t: [] for t in TIERS}
    out = Whole(results=[], counts=dict.fromkeys((*TIERS, "fails"), 0))
    for score, r, missing in cands:
        near = bool(missing)
        _s, _missing, reasons, _words = sc.judge(r, True)
        measure = m.measures.get_many([r[_MID]])[r[_MID]]
        res = explain(measure, m.vocab.need_categories, score, "near" if near else "applies", reasons, missing)
        d = decide(res, p, day, aud_ok, m.vocab.reach)
        tier = d.tier or "fails"
        out.decided.append(
            Decided(
                r[_MID],
                near,
                any(x.kind == "area" for x in res.reasons),
                _named_by_firm(res),
                any(x.kind in ("need", "keyword") for x in res.reasons),
                any(x.kind == "keyword" for x in res.reasons),
                tier,
            )
        )
        out.counts[tier] += 1
        if d.tier is None:
            out.hidden[r[_MID]] = ("pending" if d.pending else "fails", d.why)
        elif d.tier == "expired" and not include_expired:
            out.hidden[r[_MID]] = ("expired", d.expired)
        else:
            by_tier[d.tier].append(apply_tier(res, d))
    listed = by_tier["targeted"] + by_tier["general"] + by_tier["near"] + by_tier["unknown"] + by_tier["expired"]
    out.results = [x.model_copy(update={"rank": k}) for k, x in enumerate(listed, 1)]
    return out


def top_of(whole: Whole, top: int) -> list[Result]:
    """The rows ``match(top=top)`` lists, cut from the whole answer, numbered from 1."""
    cap = max(5, top // 3)
    per: dict[str, int] = {}
    keep = []
    for x in whole.results:
        per[x.tier] = per.get(x.tier, 0) + 1
        room = top - per.get("targeted", 0) if x.tier == "general" else top if x.tier == "targeted" else cap
        if per[x.tier] <= room:
            keep.append(x)
    return [x.model_copy(update={"rank": k}) for k, x in enumerate(keep, 1)]
