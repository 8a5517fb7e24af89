"""Every candidate's tier at once: :func:`matcher.matching.tiers.decide`, vectorised (issue 13).

The window shows each tier's list a page at a time under its count, and the CLI header
counts every tier whole. Deciding candidates one by one (a full :class:`Result` each,
fetched from the database) costs seconds at 100,000 measures; most of what ``decide``
reads does not depend on the profile at all, and what does is shared by many measures.

* :func:`features` reads, once per knowledge base, what ``decide`` needs of each measure
  (:class:`TierFeatures`): a code into a table of DISTINCT condition sets (as
  :func:`matcher.matching.tiers.measure_conditions` builds them, only the keys ``judge`` reads),
  the expiry dates as day ordinals, whether it states an amount, and three flag matrices:
  its industry tags, its categories, and the categories whose evidence is quoted in its
  heading or opening. Numpy arrays and one small JSON table:
  :meth:`TierFeatures.to_arrays` / :meth:`TierFeatures.from_arrays` store and read them.
* :func:`classify` gives the tier code of each candidate (record rows in rank order): each
  distinct condition set is judged once for the profile; the rest is array arithmetic.
  The ranker supplies, per candidate, only what comes from its own text search: ``near``
  (the audience filter's status) and ``about`` (the result carries an audience, industry or
  area reason). Which stated needs a measure serves, and whether one of them is named in
  its heading, follow from its categories and are worked out here.
* :func:`counts` and :func:`page` cut the answer: a tier's count, a tier's page in rank order.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.knowledge.conditions import judge
from matcher.matching.tiers import (
    AUDIENCE_KINDS,
    audience_industries,
    industry_unstated,
    measure_conditions,
    measure_head,
    named_in_head,
    offered_to_someone,
)

TIER_CODES = ("targeted", "general", "near", "unknown", "expired", "fails")
TARGETED, GENERAL, NEAR, UNKNOWN, EXPIRED, FAILS = range(6)
NEVER = np.iinfo(np.int32).max  # a date that is never passed (no date, or not a date)
FORMAT = 6  # 5: who the item is for (its industries, a recipient, every firm: issue 19); 6: own heading only

# what one condition set comes to for a profile, before expiry and the "about" tests
# _ACTIVITY: met only by a stated activity; _ASK: open only on an activity the profile does not state
_FAIL, _NEAR, _OPEN, _MET, _NONE, _ACTIVITY, _ASK = range(7)
_JUDGED_KEYS = ("kind", "names", "field", "op", "value", "name", "industries")  # what conditions.judge reads


def _bytes(flags: np.ndarray) -> np.ndarray:
    """Bool flags as uint8 (0/1): the same bytes, no copy when they are laid out plainly."""
    a = np.ascontiguousarray(flags, dtype=bool)
    return a.view(np.uint8)


@dataclass
class TierFeatures:
    """Per-measure, profile-independent inputs of :func:`matcher.matching.tiers.decide`; row ``i``
    is the ``i``-th measure given to :func:`features`."""

    cond: np.ndarray  # int32: index into ``cond_sets``
    valid_until: np.ndarray  # int32: the document's 有效期 end as a day ordinal (NEVER: none)
    window_end: np.ndarray  # int32: the application window's end as a day ordinal (NEVER: none)
    has_amounts: np.ndarray  # bool: the measure states a sum
    starts: np.ndarray  # int32: the day its document was issued as a day ordinal (0: not known)
    ind: np.ndarray  # bool (rows × industries): the measure's industry tags
    cat: np.ndarray  # bool (rows × categories): the measure's categories
    head: np.ndarray  # bool (rows × categories): … whose evidence is quoted in its heading or opening
    aud: np.ndarray  # bool (rows × audiences): the audiences it is limited to
    ment: np.ndarray  # bool (rows × audiences): audiences it mentions without limiting itself
    aind: np.ndarray  # bool (rows × industries): the industries it is for (its audience's)
    aind_item: np.ndarray  # bool: … named by the item itself (not inherited from section or title)
    offer: np.ndarray  # bool: its sentence names who receives it (对/支持/给予/面向 X)
    everyone: np.ndarray  # bool: it serves any firm (企业可…, 为企业提供…): 普惠 when nothing narrower
    cond_sets: list[list[dict[str, Any]]]  # distinct condition sets (judged keys only)
    industries: list[str]  # the columns of ``ind``
    categories: list[str]  # the columns of ``cat`` and ``head``
    audiences: list[str]  # the columns of ``aud`` and ``ment``

    def __len__(self) -> int:
        return int(self.cond.shape[0])

    def take(self, rows: Sequence[int] | np.ndarray) -> TierFeatures:
        """The same features with row ``k`` of the result being row ``rows[k]`` of these
        (to lay them out in another order, such as the matcher's search order)."""
        ix = np.asarray(rows, dtype=np.intp)
        return TierFeatures(
            self.cond[ix],
            self.valid_until[ix],
            self.window_end[ix],
            self.has_amounts[ix],
            self.starts[ix],
            self.ind[ix],
            self.cat[ix],
            self.head[ix],
            self.aud[ix],
            self.ment[ix],
            self.aind[ix],
            self.aind_item[ix],
            self.offer[ix],
            self.everyone[ix],
            self.cond_sets,
            self.industries,
            self.categories,
            self.audiences,
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain numpy arrays (the tables as UTF-8 JSON bytes), for ``np.savez`` or a
        memory-mapped index file; :meth:`from_arrays` reads them back."""
        tables = json.dumps(
            {
                "format": FORMAT,
                "cond_sets": self.cond_sets,
                "industries": self.industries,
                "categories": self.categories,
                "audiences": self.audiences,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        return {
            "tier_cond": self.cond,
            "tier_valid_until": self.valid_until,
            "tier_window_end": self.window_end,
            "tier_has_amounts": _bytes(self.has_amounts),
            "tier_starts": self.starts,
            "tier_ind": _bytes(self.ind),
            "tier_cat": _bytes(self.cat),
            "tier_head": _bytes(self.head),
            "tier_aud": _bytes(self.aud),
            "tier_ment": _bytes(self.ment),
            "tier_aind": _bytes(self.aind),
            "tier_aind_item": _bytes(self.aind_item),
            "tier_offer": _bytes(self.offer),
            "tier_everyone": _bytes(self.everyone),
            "tier_tables": np.frombuffer(tables.encode("utf-8"), dtype=np.uint8),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> TierFeatures:
        tables = json.loads(np.asarray(arrays["tier_tables"], dtype=np.uint8).tobytes().decode("utf-8"))
        if tables.get("format") != FORMAT:
            raise ValueError(f"tier features of format {tables.get('format')!r}, expected {FORMAT}")
        n = len(tables["industries"]), len(tables["categories"]), len(tables["audiences"])

        def flags(name: str, cols: int) -> np.ndarray:
            a = (
                np.asarray(arrays[name]).view(bool)
                if np.asarray(arrays[name]).dtype == np.uint8
                else np.asarray(arrays[name], dtype=bool)
            )
            return a.reshape(-1, cols)

        return cls(
            np.asarray(arrays["tier_cond"], dtype=np.int32),
            np.asarray(arrays["tier_valid_until"], dtype=np.int32),
            np.asarray(arrays["tier_window_end"], dtype=np.int32),
            flags("tier_has_amounts", 1).reshape(-1),
            np.asarray(arrays["tier_starts"], dtype=np.int32),
            flags("tier_ind", n[0]),
            flags("tier_cat", n[1]),
            flags("tier_head", n[1]),
            flags("tier_aud", n[2]),
            flags("tier_ment", n[2]),
            flags("tier_aind", n[0]),
            flags("tier_aind_item", 1).reshape(-1),
            flags("tier_offer", 1).reshape(-1),
            flags("tier_everyone", 1).reshape(-1),
            tables["cond_sets"],
            tables["industries"],
            tables["categories"],
            tables["audiences"],
        )


def _ordinal(value: Any) -> int:
    """A YYYY-MM-DD date as a day ordinal; NEVER when there is none or it is not a date
    (:func:`matcher.knowledge.dates.is_expired` skips those)."""
    if not value:
        return NEVER
    try:
        return _dt.date.fromisoformat(value).toordinal()
    except ValueError:
        return NEVER


class _Table:
    """Distinct values, each given a code in the order first seen."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[Any] = []

    def code(self, value: Any) -> int:
        key = repr(value)  # the same keys in the same order: equal sets, equal keys
        c = self.codes.get(key)
        if c is None:
            c = self.codes[key] = len(self.values)
            self.values.append(value)
        return c


def features(measures: Iterable[Any]) -> TierFeatures:
    """The tier features of ``measures`` (full :class:`~matcher.models.Measure` records, as
    the knowledge base gives them with its corrections applied; or any objects with the
    attributes read here: audiences, evidence, conditions, valid_until, window, amounts,
    industries, categories, title, text), one row each, in order."""
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    inds = {n: k for k, n in enumerate(i.name for i in lex.industries.industry)}
    cats = {n: k for k, n in enumerate(c.name for c in lex.categories.category)}
    auds = {n: k for k, n in enumerate(a.name for a in lex.audiences.audience)}
    conds = _Table()
    c_codes: list[int] = []
    vu: list[int] = []
    we: list[int] = []
    amt: list[bool] = []
    sts: list[int] = []
    ind_at: list[tuple[int, int]] = []
    cat_at: list[tuple[int, int]] = []
    head_at: list[tuple[int, int]] = []
    aud_at: list[tuple[int, int]] = []
    ment_at: list[tuple[int, int]] = []
    aind_at: list[tuple[int, int]] = []
    aitem: list[bool] = []
    offer: list[bool] = []
    everyone: list[bool] = []
    n = 0
    for n, m in enumerate(measures, 1):
        row = n - 1
        c_codes.append(conds.code([{k: c[k] for k in _JUDGED_KEYS if k in c} for c in measure_conditions(m)]))
        vu.append(_ordinal(m.valid_until))
        we.append(_ordinal((m.window or {}).get("end")))
        amt.append(bool(m.amounts))
        o = _ordinal(getattr(m, "issued", None))
        sts.append(0 if o == NEVER else o)
        for a in m.audiences:
            aud_at.append((row, auds.setdefault(a, len(auds))))
        for a in (m.evidence or {}).get("audience_mentions", {}):
            ment_at.append((row, auds.setdefault(a, len(auds))))
        for t in m.industries:
            ind_at.append((row, inds.setdefault(t, len(inds))))  # a tag the lexicon lost: a column too
        who = m.audience or {}
        for t in audience_industries(who):
            aind_at.append((row, inds.setdefault(t, len(inds))))
        aitem.append(who.get("industries_source") == "item")
        offer.append(offered_to_someone(m))
        everyone.append(bool(who.get("everyone")))
        if m.categories:
            head = measure_head(m)
            quotes = (m.evidence or {}).get("categories", {})
            for c in m.categories:
                col = cats.setdefault(c, len(cats))
                cat_at.append((row, col))
                if named_in_head(c, quotes.get(c), head):
                    head_at.append((row, col))

    def matrix(at: list[tuple[int, int]], cols: int) -> np.ndarray:
        out = np.zeros((n, cols), dtype=bool)
        if at:
            rc = np.asarray(at, dtype=np.intp)
            out[rc[:, 0], rc[:, 1]] = True
        return out

    return TierFeatures(
        np.asarray(c_codes, dtype=np.int32),
        np.asarray(vu, dtype=np.int32),
        np.asarray(we, dtype=np.int32),
        np.asarray(amt, dtype=bool),
        np.asarray(sts, dtype=np.int32),
        matrix(ind_at, len(inds)),
        matrix(cat_at, len(cats)),
        matrix(head_at, len(cats)),
        matrix(aud_at, len(auds)),
        matrix(ment_at, len(auds)),
        matrix(aind_at, len(inds)),
        np.asarray(aitem, dtype=bool),
        np.asarray(offer, dtype=bool),
        np.asarray(everyone, dtype=bool),
        conds.values,
        list(inds),
        list(cats),
        list(auds),
    )


def _state(judged: list[dict[str, Any]], near: bool, changeable: Callable[[str], str] | None) -> int:
    """What ``decide`` makes of one judged condition set, for a candidate of this status."""
    failed = [c for c in judged if c["met"] is False and not (near and c["kind"] in AUDIENCE_KINDS)]
    if failed and changeable is not None and all(c["kind"] in AUDIENCE_KINDS for c in failed):
        reach = [next((changeable(n) for n in c.get("names", []) if changeable(n)), "") for c in failed]
        if len(failed) == 1 and all(reach):
            near, failed = True, []
    if failed:
        return _FAIL
    if near:
        return _NEAR
    if any(c["met"] is None for c in judged):
        return _ASK if all(c["kind"] == "activity" for c in judged if c["met"] is None) else _OPEN
    if any(c["met"] and c["kind"] != "activity" for c in judged):
        return _MET
    if any(c["met"] for c in judged):
        return _ACTIVITY
    return _NONE


def _mainly(feat: TierFeatures, ix: np.ndarray, needs: Sequence[str], concrete_only: bool = True) -> np.ndarray:
    """Per candidate: a stated need it serves is named in its heading or opening — the need
    reason's category (the first of the need's categories the measure has, as
    :func:`matcher.matching.explain.explain` picks it) is quoted there, and is a concrete
    one (``concrete_only``)."""
    from matcher.knowledge.conditions import load_condition_rules
    from matcher.rules.lexicon import load_lexicons

    need_cats = dict(load_lexicons().categories.needs)
    concrete = set(load_condition_rules().tiers.need_categories) if concrete_only else set(feat.categories)
    col = {c: k for k, c in enumerate(feat.categories)}
    out = np.zeros(ix.shape[0], dtype=bool)
    for n in dict.fromkeys(needs):
        taken = np.zeros(ix.shape[0], dtype=bool)  # the need's category is already picked
        for c in need_cats.get(n, [n]):
            k = col.get(c)
            if k is None:
                continue
            has = feat.cat[ix, k]
            if c in concrete:
                out |= ~taken & has & feat.head[ix, k]
            taken |= has
    return out


def _industry_evidence(feat: TierFeatures, ix: np.ndarray, profile: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: (evidence of the firm's industry, the industries it is for name only
    others), as :func:`matcher.matching.tiers.industry_state` reads them."""
    from matcher.matching.tiers import industry_evidence_tags

    own, themes, strict = industry_evidence_tags(profile)
    cols = {c: k for k, c in enumerate(feat.industries)}
    mine = np.asarray([cols[t] for t in own if t in cols], dtype=np.intp)
    named = np.asarray([k for c, k in cols.items() if c not in themes], dtype=np.intp)
    in_aud = _any_of(feat.aind, mine, ix)
    other = _any_of(feat.aind, named, ix) & ~in_aud
    tagged = _any_of(feat.ind, np.asarray([cols[t] for t in strict if t in cols], dtype=np.intp), ix)
    return in_aud | (tagged & ~_row_any(feat, "aind")[ix]), other


def _distinct_conditions(feat: TierFeatures) -> tuple[list[dict[str, Any]], list[tuple[int, ...]]]:
    """The distinct conditions of the features' condition sets, and each set as positions
    into them (worked out once per features): the sets repeat a few dozen conditions."""
    memo = feat.__dict__.get("_distinct_conditions")
    if memo is None:
        at: dict[str, int] = {}
        distinct: list[dict[str, Any]] = []
        members: list[tuple[int, ...]] = []
        for conds in feat.cond_sets:
            row = []
            for c in conds:
                # repr, not a sorted JSON dump (ten times the cost, in every CLI process): the
                # sets come from sorted JSON, and a merge missed would only judge one twice
                key = repr(c)
                u = at.get(key)
                if u is None:
                    u = at[key] = len(distinct)
                    distinct.append(c)
                row.append(u)
            members.append(tuple(row))
        memo = feat.__dict__["_distinct_conditions"] = (distinct, members)
    return memo


def _row_any(feat: TierFeatures, name: str) -> np.ndarray:
    """Per feature row: any flag of matrix ``name`` set (worked out once per features)."""
    memo = feat.__dict__.setdefault("_row_any", {})
    got = memo.get(name)
    if got is None:
        got = memo[name] = getattr(feat, name).any(axis=1)
    return got


def _any_of(matrix: np.ndarray, cols: np.ndarray, ix: np.ndarray) -> np.ndarray:
    """Per candidate row ``ix``: any of ``matrix``'s columns ``cols`` set."""
    out = np.zeros(ix.shape[0], dtype=bool)
    for c in cols.tolist():
        out |= matrix[:, c][ix]
    return out


def classify(
    feat: TierFeatures,
    cand: Sequence[int] | np.ndarray,
    *,
    near: Sequence[bool] | np.ndarray,
    profile: Any,
    as_of: _dt.date,
    aud_ok: Callable[[str], bool | None],
    aud_reach: Callable[[str], str] | None = None,
    area: Sequence[bool] | np.ndarray,
    titled: Sequence[bool] | np.ndarray,
    asked: Sequence[bool] | np.ndarray,
    worded: Sequence[bool] | np.ndarray,
) -> np.ndarray:
    """The tier code (:data:`TIER_CODES`) of each candidate, as :func:`matcher.matching.tiers.decide`
    gives it. ``cand``: feature rows of the candidates (in rank order, if pages are wanted);
    ``near``: the candidate's status is ``near`` (the audience filter); ``aud_ok`` /
    ``aud_reach``: decide's ``in_audience`` / ``changeable``
    (:meth:`Vocabulary.audience_test <matcher.matching.vocabulary.Vocabulary.audience_test>` and
    :meth:`~matcher.matching.vocabulary.Vocabulary.reach`); from the ranker's text search,
    ``area``: the firm's area is named as the place its firms are served, ``titled``: a
    word the firm stated is in the measure's title, ``asked``: it serves a stated need or
    holds a stated word, ``worded``: it holds a stated word.

    With no open, met or failed condition, a candidate of status ``applies`` is targeted on
    evidence only (issue 19): the industries it is for include the firm's, its area, or — when
    its sentence names who receives it — a stated need named in its heading or a stated word
    in its title. Else it is general when, naming no industry or theme at all, it says it
    serves any firm or is about what the firm asked (a stated need in its heading or
    opening, a stated word), or when, naming only themes, it names an audience the firm is
    in among those it helps and serves what the firm asked; else it is not offered
    (``fails``: not for this firm, nor for every firm)."""
    ix = np.asarray(cand, dtype=np.intp)
    nr = np.asarray(near, dtype=bool)
    ar = np.asarray(area, dtype=bool)
    tl = np.asarray(titled, dtype=bool)
    ak = np.asarray(asked, dtype=bool)
    wd = np.asarray(worded, dtype=bool)
    if not (ix.shape == nr.shape == ar.shape == tl.shape == ak.shape == wd.shape):
        raise ValueError("classify: cand, near, area, titled, asked and worded must have one entry per candidate")
    out = np.full(ix.shape[0], GENERAL, dtype=np.int8)
    if not ix.shape[0]:
        return out
    # each distinct condition judged once for this profile (a few dozen, shared by hundreds
    # of condition sets), then each distinct condition set's state, for both statuses
    codes = feat.cond[ix]
    present = np.zeros(len(feat.cond_sets), dtype=bool)
    present[codes] = True
    states = np.zeros((len(feat.cond_sets), 2), dtype=np.int8)
    distinct, members = _distinct_conditions(feat)
    verdict: dict[int, dict[str, Any] | None] = {}
    for k in np.flatnonzero(present).tolist():
        for u in members[k]:
            if u not in verdict:
                got = judge([distinct[u]], profile, as_of=as_of, in_audience=aud_ok)
                verdict[u] = got[0] if got else None  # a requirement is never judged
        judged = [j for j in (verdict[u] for u in members[k]) if j is not None]
        states[k, 0] = _state(judged, False, aud_reach)
        states[k, 1] = _state(judged, True, aud_reach)
    st = states[codes, nr.astype(np.intp)]
    # a stated need named in the heading (a stated sum alone never targets: issue 19)
    mainly = _mainly(feat, ix, list(getattr(profile, "needs", []) or []))
    ind_ev, other = _industry_evidence(feat, ix, profile)
    offer = feat.offer[ix]
    for_firm = ind_ev | ar | (offer & (mainly | tl))
    day = as_of.toordinal()
    expired = (feat.valid_until[ix] < day) | (feat.window_end[ix] < day)

    # an activity the firm states targets an item that offers something or serves firms
    # as such; else (绿电交易机制, a market the government designs) it is read as naming none
    serves = offer | feat.everyone[ix]
    none = (st == _NONE) | ((st == _ACTIVITY) & ~serves)
    # it names (mentions) among those it helps an audience the firm is in
    mine = np.asarray([k for k, a in enumerate(feat.audiences) if aud_ok(a) is True], dtype=np.intp)
    named_mine = _any_of(feat.ment, mine, ix)
    # what the firm asked for is what it is about: a stated need named in its heading or
    # opening (not one clause deep in a long paragraph), or a word the firm itself stated
    about = ak & (_mainly(feat, ix, list(getattr(profile, "needs", []) or []), False) | wd)
    general = ~other & (((feat.everyone[ix] | about) & ~_row_any(feat, "aind")[ix]) | (ak & named_mine))
    out[none & ~for_firm & ~general] = FAILS
    if industry_unstated(profile):  # written for named industries, none stated: the question
        out[none & ~for_firm & ~general & other & serves] = UNKNOWN
    out[(st == _MET) | ((st == _ACTIVITY) & serves) | (none & for_firm)] = TARGETED
    out[(st == _OPEN) | ((st == _ASK) & serves)] = UNKNOWN
    out[(st == _ASK) & ~serves] = FAILS  # an activity of an item that offers nobody anything: no question
    out[st == _NEAR] = NEAR
    out[expired & (out != FAILS)] = EXPIRED
    out[st == _FAIL] = FAILS  # a failed condition hides it, expired or not
    out[feat.starts[ix] > day] = FAILS  # not yet in force on that day: not offered
    return out


def counts(codes: np.ndarray) -> dict[str, int]:
    """How many candidates of each tier (``fails`` too)."""
    got = np.bincount(np.asarray(codes, dtype=np.intp), minlength=len(TIER_CODES))
    return {name: int(got[k]) for k, name in enumerate(TIER_CODES)}


def page(codes: np.ndarray, cand: Sequence[int] | np.ndarray, tier: str, start: int = 0, count: int = 30) -> np.ndarray:
    """The feature rows of candidates ``start`` … ``start + count`` of one tier, in the
    candidates' (rank) order."""
    if tier not in TIER_CODES:
        raise ValueError(f"tier must be one of {TIER_CODES}, not {tier!r}")
    mine = np.asarray(cand, dtype=np.intp)[np.asarray(codes) == TIER_CODES.index(tier)]
    start = max(0, start)
    return mine[start : start + max(0, count)]
