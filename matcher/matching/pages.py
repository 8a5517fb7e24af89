"""One profile's answer cut by tier: every tier's count, and one tier's page (issue 13).

The window shows each tier's list a page at a time under its count, and the CLI header
counts every tier whole. Both follow from one ranking (:class:`matcher.matching.scoring.Scoring`,
vectorised) and one classification of every candidate (:func:`matcher.matching.tierclass.classify`,
the vectorised :func:`matcher.matching.tiers.decide`): no candidate is fetched or decided one by one
except the page's rows, which are explained and decided in full (reasons, conditions,
questions) exactly as :meth:`Matcher.match` does.

The lists are those of ``match(top=None, include_expired=True)``: a tier's rows in rank
order, the candidates of status ``applies`` before those of status ``near``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.matching.scoring import Scoring
from matcher.matching.tierclass import TIER_CODES, TierFeatures, classify
from matcher.matching.tierclass import counts as tier_counts
from matcher.matching.tiers import TIERS, decide
from matcher.matching.tiers import apply as apply_tier

if TYPE_CHECKING:
    from matcher.matching.match import Matcher
    from matcher.models import Result
    from matcher.profile.company import Profile

_T, _G, _N, _U, _E, _F = range(6)  # tierclass.TIER_CODES


class Cut:
    """A profile's candidates in rank order with their tier codes."""

    def __init__(self, m: Matcher, p: Profile, as_of: _dt.date | None, sc: Scoring | None = None):
        self.m, self.p = m, p
        self.day = as_of or _dt.date.today()
        self.sc = sc = sc if sc is not None and sc.include_near else Scoring(m, p, True)
        cand, score, near = sc.vector()
        sc._scratch = None  # an array over all records: only the vector reads it
        hits = sc.hits
        a = m.ix.arrays
        own = m._district_id.get(p.district, -1)
        city = (a["district"][cand] != own).astype(np.int8)
        order = np.lexsort((a["idx"][cand], city, a["mrank"][cand], -score))
        order = np.concatenate([order[~near[order]], order[near[order]]])  # applies, then near
        self.cand, self.score, self.near = cand[order], score[order], near[order]
        feat = m.tier_features()
        assert feat is not None
        self.codes = classify(
            feat,
            self.cand,
            near=self.near,
            profile=p,
            as_of=self.day,
            aud_ok=self.aud_ok,
            aud_reach=self.aud_reach,
            hits=hits[order],
        )

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
        at = np.flatnonzero(self.codes == TIER_CODES.index(tier))[start : start + count]
        return _ranked(self.results(at.tolist()), start + 1)

    def results(self, ks: list[int]) -> list[Result]:
        """Candidates ``ks`` (indexes into the ranked candidates) as full results: fetched
        together, explained and decided in full as :meth:`Matcher.match` does."""
        m, p = self.m, self.p
        got = m._measures_by_id([m.ix.mid(int(self.cand[k])) for k in ks])
        out: list[Result] = []
        for k in ks:
            r = m._rec(int(self.cand[k]))
            status = "near" if self.near[k] else "applies"
            _s, missing, reasons, words = self.sc.judge(r, True)
            res = m._result(
                0,
                p,
                r,
                float(self.score[k]),
                status,
                reasons,
                words,
                list(missing) if status == "near" else [],
                got.get(r[2]),
            )
            d = decide(res, p, self.day, self.aud_ok, self.aud_reach)
            out.append(apply_tier(res, d))
        return out

    def top(self, top: int, include_expired: bool) -> tuple[list[Result], dict[str, int]]:
        """What :meth:`Matcher.match` lists for ``top``: the first ``top`` targeted and
        general results, up to ``cap = max(5, top // 3)`` near and unknown ones (and the
        expired ones met on the way, when asked), chosen from the codes — only the rows
        listed are decided in full. The same rows, in the same order, as deciding the
        candidates a chunk of ``top`` (near: ``cap``) at a time until the top is full;
        and the counts of every tier, whole."""
        codes, near = self.codes, self.near
        cap = max(5, top // 3)
        n_app = int((~near).sum())
        app_codes, near_codes = codes[:n_app], codes[n_app:]
        main_at = np.flatnonzero((app_codes == _T) | (app_codes == _G))
        # the applies examined: whole chunks of `top` until the top-th targeted/general one
        end = n_app if len(main_at) < top else min(n_app, -(-(int(main_at[top - 1]) + 1) // top) * top)
        seen = app_codes[:end]
        main = main_at[:top].tolist()
        unknown = np.flatnonzero(seen == _U)[:cap].tolist()
        near_early = np.flatnonzero(seen == _N)[:cap].tolist()
        expired = np.flatnonzero(seen == _E).tolist() if include_expired else []
        want = cap - len(near_early)
        near_late: list[int] = []
        if want > 0 and len(near_codes):
            at = np.flatnonzero(near_codes == _N)
            nend = len(near_codes) if len(at) < want else min(len(near_codes), -(-(int(at[want - 1]) + 1) // cap) * cap)
            near_late = (at[:want] + n_app).tolist()
            if include_expired:
                expired += (np.flatnonzero(near_codes[:nend] == _E) + n_app).tolist()
        order = main + near_early + near_late + unknown + expired
        got = self.results(order)
        return _ranked(got, 1), self.counts()


def _ranked(results: list[Result], first: int) -> list[Result]:
    """``results`` (new ones, built for this answer) numbered from ``first``, in place."""
    for k, r in enumerate(results, first):
        r.rank = k
    return results


def features_of(measures: list[Any]) -> TierFeatures:
    """Tier features of full measures held in memory (a matcher built from them)."""
    from matcher.matching.tierclass import features

    return features(measures)
