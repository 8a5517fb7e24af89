"""One profile's answer, cut by tier (:class:`Cut`): every answer of the matcher comes from here.

The profile's candidates are ranked once (:class:`matcher.matching.scoring.Scoring`,
vectorised over the stored index) and each gets its tier code at once
(:func:`matcher.matching.tierclass.classify`, the vectorised
:func:`matcher.matching.tiers.decide`, from the tier features stored in the index). The
codes alone give every tier's count, a tier's page, the top of the answer and the whole of
it; only the rows shown are fetched, explained (:func:`matcher.matching.explain.explain`)
and decided in full (conditions, questions, expiry).

The candidates are in rank order, those of status ``applies`` before those of status
``near`` (an audience the company can still join): a tier's rows are listed in that order.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from matcher.knowledge.dates import is_expired
from matcher.matching.explain import explain
from matcher.matching.fetcher import MeasureFetcher
from matcher.matching.reader import IndexReader
from matcher.matching.records import _MID
from matcher.matching.scoring import Scoring
from matcher.matching.tierclass import FAILS, TIER_CODES, classify
from matcher.matching.tierclass import counts as tier_counts
from matcher.matching.tierclass import page as tier_page
from matcher.matching.tiers import TIERS, Decision, answer_tiers, cut_tiers, decide
from matcher.matching.tiers import apply as apply_tier
from matcher.matching.vocabulary import Vocabulary
from matcher.models import Reason, Result
from matcher.profile.company import Profile

FOUND_KEPT = 2048  # decided search rows a cut keeps


class Cut:
    """A profile's candidates in rank order with their tier codes, as of one day."""

    def __init__(
        self, reader: IndexReader, vocab: Vocabulary, measures: MeasureFetcher, p: Profile, as_of: _dt.date
    ) -> None:
        self.reader, self.vocab, self.measures = reader, vocab, measures
        self.p, self.day = p, as_of
        self.aud_ok = vocab.audience_test(p)
        self.sc = sc = Scoring(reader, vocab, p)
        cand, score, near = sc.vector()
        a = reader.ix.arrays
        city = (a["district"][cand] != reader.district_id(p.district)).astype(np.int8)
        # best first; ties by newest document and document order, then own district before
        # the city's, then the order the measures were given
        order = np.lexsort((a["idx"][cand], city, a["mrank"][cand], -score))
        order = np.concatenate([order[~near[order]], order[near[order]]])  # applies, then near
        self.cand, self.score, self.near = cand[order], score[order], near[order]
        self._at: np.ndarray | None = None  # record → candidate (-1: none), made when search asks
        # candidate → its decided result, for search (the same rows come back as the officer
        # types on); never handed out itself (judge_found copies it)
        self._found: dict[int, tuple[Result, Decision]] = {}
        self.codes = classify(
            reader.tier,
            self.cand,
            near=self.near,
            profile=p,
            as_of=as_of,
            aud_ok=self.aud_ok,
            aud_reach=vocab.reach,
            area=sc.area_hits[order],
            titled=sc.titled[order],
            asked=sc.asked[order],
            worded=sc.worded[order],
        )

    def counts(self) -> dict[str, int]:
        """How many candidates of each tier, ``fails`` too."""
        return tier_counts(self.codes)

    def page(self, tier: str, start: int, count: int) -> list[Result]:
        """Rows ``start`` … ``start + count`` of one tier, ranked within it from ``start + 1``."""
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
        at = tier_page(self.codes, np.arange(len(self.codes)), tier, start, count)
        return _ranked(self.results(at.tolist()), max(0, start) + 1)

    def answer(self, top: int | None, include_expired: bool) -> list[Result]:
        """The rows of an answer, ranked from 1: the targeted ones, then the general, the
        near, the unknown and (when asked) the expired ones, each in rank order, cut as
        :func:`matcher.matching.tiers.cut_tiers` cuts them (what is for this firm first,
        every firm's services listed short)."""
        # each tier's rows found with numpy (a city's answer has thousands of candidates)
        parts = {n: np.flatnonzero(self.codes == TIER_CODES.index(n)) for n in answer_tiers(include_expired)}
        rows = np.concatenate(list(cut_tiers(parts, top).values())).tolist()
        return _ranked(self.results(rows), 1)

    def judge_found(self, pos: int, found: Result) -> Result:
        """A search result (record ``pos``) as this profile's answer has it on this day: the
        tier, conditions, questions and expiry of its candidate, decided in full; a record
        that is no candidate, or fails a stated condition, is ``other`` (not for this
        company) — or ``expired`` when its dates have passed. The search's own reasons and
        highlights are kept."""
        if self._at is None:
            at = np.full(self.reader.n, -1, dtype=np.int64)
            at[self.cand] = np.arange(len(self.cand))
            self._at = at
        k: int | None = int(self._at[pos])
        if k is not None and k < 0:
            k = None
        if k is None or int(self.codes[k]) == FAILS:
            done = expiry_only(found, self.day)
            if done.tier == "expired":
                return done
            why = self._decided_once(k)[1].why if k is not None else "不面向本企业(对象、行业或地区不符)"
            return found.model_copy(update={"tier": "other", "status": "near", "missing": [why]})
        res, _d = self._decided_once(k)
        extra = [x for x in res.reasons if x.kind != "keyword"]
        return res.model_copy(
            update={
                "rank": found.rank,
                "score": found.score,
                "reasons": [*found.reasons, *extra],
                "matched_sentences": found.matched_sentences,
                "matched_terms": found.matched_terms,
            }
        )

    def _decided_once(self, k: int) -> tuple[Result, Decision]:
        """:meth:`decided` of one candidate, kept (a search's rows, keystroke after keystroke)."""
        got = self._found.get(k)
        if got is None:
            if len(self._found) >= FOUND_KEPT:
                self._found.clear()
            got = self._found[k] = self.decided([k])[0]
        return got

    def results(self, ks: list[int]) -> list[Result]:
        """Candidates ``ks`` (indexes into the ranked candidates) as full results."""
        return [r for r, _d in self.decided(ks)]

    def decided(self, ks: list[int]) -> list[tuple[Result, Decision]]:
        """Candidates ``ks`` fetched together, explained, and decided in full (the tier is
        the one their code says; the decision adds the conditions, questions and expiry,
        and for a hidden one why)."""
        reader = self.reader
        got = self.measures.get_many([reader.mid(int(self.cand[k])) for k in ks])
        out: list[tuple[Result, Decision]] = []
        for k in ks:
            r = reader.record(int(self.cand[k]))
            near = bool(self.near[k])
            judged = self.sc.judge(r, True)
            assert judged is not None, r[_MID]  # a candidate is offered
            _s, missing, reasons, _words = judged
            m = got.get(r[_MID])
            assert m is not None, r[_MID]  # the index is the KB's: every record is there
            res = explain(
                m,
                self.vocab.need_categories,
                float(self.score[k]),
                "near" if near else "applies",
                reasons,
                list(missing) if near else [],
            )
            d = decide(res, self.p, self.day, self.aud_ok, self.vocab.reach)
            out.append((apply_tier(res, d), d))
        return out


def expiry_only(r: Result, day: _dt.date) -> Result:
    """A result not judged for a company, marked ``expired`` when its dates passed on ``day``."""
    m = r.measure
    why = is_expired(m.valid_until, m.window, day)
    if not why:
        return r
    reasons = [*r.reasons, Reason(kind="general", text=f"已过期:{why}", quote="")]
    return r.model_copy(
        update={"tier": "expired", "expired": True, "status": "near", "missing": [why], "reasons": reasons}
    )


def _ranked(results: list[Result], first: int) -> list[Result]:
    """``results`` (new ones, built for this answer) numbered from ``first``, in place."""
    for k, r in enumerate(results, first):
        r.rank = k
    return results
