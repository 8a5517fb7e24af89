"""One profile's answer cut by tier: every tier's count, and one tier's page (issue 13).

The window shows each tier's list a page at a time under its count, and the CLI header
counts every tier whole. Both follow from one ranking (:class:`matcher.scoring.Scoring`,
vectorised) and one classification of every candidate (:func:`matcher.tierclass.classify`,
the vectorised :func:`matcher.tiers.decide`): no candidate is fetched or decided one by one
except the page's rows, which are explained and decided in full (reasons, conditions,
questions) exactly as :meth:`Matcher.match` does.

The lists are those of ``match(top=None, include_expired=True)``: a tier's rows in rank
order, the candidates of status ``applies`` before those of status ``near``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import numpy as np

from .scoring import Scoring
from .tierclass import TIER_CODES, TierFeatures, classify
from .tierclass import counts as tier_counts
from .tiers import TIERS, decide
from .tiers import apply as apply_tier

if TYPE_CHECKING:
    from .match import Matcher
    from .models import Result
    from .profile import Profile


class Cut:
    """A profile's candidates in rank order with their tier codes."""

    def __init__(self, m: Matcher, p: Profile, as_of: _dt.date | None):
        self.m, self.p = m, p
        self.day = as_of or _dt.date.today()
        self.sc = sc = Scoring(m, p, True)
        cand, score, near = sc.vector()
        hits = sc.hits
        a = m.ix.arrays
        own = m._district_id.get(p.district, -1)
        city = (a["district"][cand] != own).astype(np.int8)
        order = np.lexsort((a["idx"][cand], city, a["mrank"][cand], -score))
        order = np.concatenate([order[~near[order]], order[near[order]]])    # applies, then near
        self.cand, self.score, self.near = cand[order], score[order], near[order]
        feat = m.tier_features()
        assert feat is not None
        self.codes = classify(feat, self.cand, near=self.near, profile=p, as_of=self.day,
                              aud_ok=self.aud_ok, aud_reach=self.aud_reach, hits=hits[order])

    def aud_ok(self, name: str) -> bool | None:
        rule = self.m._aud_rules.get(name)
        return self.m._in_audience(self.p, rule) if rule is not None else None

    def aud_reach(self, name: str) -> str:
        rule = self.m._aud_rules.get(name)
        return rule.missing if rule is not None and rule.changeable else ""

    def counts(self) -> dict[str, int]:
        return tier_counts(self.codes)

    def page(self, tier: str, start: int, count: int) -> list[Result]:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
        start, count = max(0, start), max(0, count)
        at = np.flatnonzero(self.codes == TIER_CODES.index(tier))[start:start + count]
        m, p = self.m, self.p
        got = m._measures_by_id([m.ix.mid(int(self.cand[k])) for k in at])
        out: list[Result] = []
        for k in at.tolist():
            r = m._rec(int(self.cand[k]))
            status = "near" if self.near[k] else "applies"
            _s, missing, reasons, words = self.sc.judge(r, True)
            res = m._result(0, p, r, float(self.score[k]), status, reasons, words,
                            list(missing) if status == "near" else [], got.get(r[2]))
            d = decide(res, p, self.day, self.aud_ok, self.aud_reach)
            out.append(apply_tier(res, d).model_copy(update={"rank": start + len(out) + 1}))
        return out


def features_of(measures: list[Any]) -> TierFeatures:
    """Tier features of full measures held in memory (a matcher built from them)."""
    from .tierclass import features

    return features(measures)
