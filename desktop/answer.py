"""The answer the window holds for one profile: what it has been given of each tier so far
(a page at a time, issue 13), and how many there are in all. No Qt, no matching: the
engine decides every result (``Engine.match``, ``tier_counts``, ``tier_page``); this only
keeps the pages in order and says what is still to ask for.

An :class:`Answer` is made from the first reply (``Engine.match(profile, top=FIRST_TOP)``:
the best targeted and general results, ranked together), so that the first results show
before the tiers are counted. Within one tier the engine's rank order is the same in both
answers, so the targeted (general) results of that first reply are the first targeted
(general) ones of :meth:`Engine.tier_page`, and the next page starts right after them.
It duck-types a ``MatchResponse`` (``profile``, ``kb``, ``results``, ``notes``, ``as_of``,
``tiers``) for the views.
"""

from __future__ import annotations

from typing import Any

TIERS = ("targeted", "general", "near", "unknown", "expired")
FIRST_TOP = 30  # the first reply: the best targeted and general results
PAGE = 30  # each further page of a tier
#: how many of each tier the first screen shows (asked for when the first reply has fewer)
FIRST_ROWS = {"targeted": 30, "general": 10, "near": 20, "unknown": 20, "expired": 20}


def tier_rank(results: list, start: int = 0) -> list:
    """The results with their rank within their tier, counted from ``start + 1`` (as
    ``Engine.tier_page`` numbers them)."""
    return [r.model_copy(update={"rank": start + k}) for k, r in enumerate(results, 1)]


class Answer:
    """One profile's answer as far as it has been asked for."""

    def __init__(self, first, resolved: Any = None, when: dict | None = None) -> None:
        self.resolved = resolved  # the engine's profile the pages are asked for
        self.when = dict(when or {})  # as_of, include_expired
        self.profile = first.profile
        self.kb = dict(first.kb)
        self.notes = list(first.notes)
        self.as_of = first.as_of
        self.counts: dict[str, int] | None = None  # every tier counted whole (tier_counts)
        self.pages: dict[str, list] = {t: [] for t in TIERS}
        for tier in ("targeted", "general"):
            self.pages[tier] = tier_rank([r for r in first.results if r.tier == tier])

    @property
    def include_expired(self) -> bool:
        return bool(self.when.get("include_expired"))

    def listed_tiers(self) -> tuple[str, ...]:
        return TIERS if self.include_expired else TIERS[:-1]

    # -- what is loaded -------------------------------------------------------------------
    @property
    def results(self) -> list:
        """Every result loaded so far, tier after tier, each tier in rank order."""
        return [r for t in TIERS for r in self.pages[t]]

    def loaded(self, tier: str) -> int:
        return len(self.pages[tier])

    def total(self, tier: str) -> int | None:
        """How many results the tier has in all (None until counted)."""
        return None if self.counts is None else int(self.counts.get(tier, 0))

    def left(self, tier: str) -> int:
        """How many of the tier are still to ask for (0 until counted)."""
        if self.counts is None or tier not in self.listed_tiers():
            return 0
        return max(0, int(self.counts.get(tier, 0)) - self.loaded(tier))

    def wanted_first(self, tier: str) -> int:
        """Rows of ``tier`` the first screen still lacks (0 until counted)."""
        if self.counts is None or tier not in self.listed_tiers():
            return 0
        return max(0, min(int(self.counts.get(tier, 0)), FIRST_ROWS[tier]) - self.loaded(tier))

    def add(self, tier: str, start: int, results: list) -> list:
        """Append a page that starts at ``start``; the rows actually added ([] for a page
        that does not follow what is loaded — a late or repeated reply)."""
        if start != self.loaded(tier):
            return []
        seen = {r.measure.measure_id for r in self.pages[tier]}
        new = [r for r in results if r.measure.measure_id not in seen and r.tier == tier]
        self.pages[tier].extend(new)
        return new

    @property
    def tiers(self) -> dict:
        """The counts (a match answer's ``tiers``): every tier, ``expired`` and ``fails``."""
        return dict(self.counts or {})

    def applicable(self) -> int:
        """Measures that apply (targeted, general, unknown: status ``applies``)."""
        c = self.counts or {}
        return sum(int(c.get(t, 0)) for t in ("targeted", "general", "unknown"))

    def others(self) -> int:
        c = self.counts or {}
        return int(c.get("near", 0)) + (int(c.get("expired", 0)) if self.include_expired else 0)

    # -- the whole answer (print, export) --------------------------------------------------
    def response(self, whole: dict[str, list], counts: dict | None = None):
        """A ``MatchResponse`` of ``whole`` (tier → every result of that tier asked for):
        ranks from 1 in tier order, as an export numbers them. Reads nothing the GUI
        thread changes (made on a worker)."""
        from matcher.models import MatchResponse

        results = [r for t in self.listed_tiers() for r in whole.get(t, [])]
        return MatchResponse(
            profile=dict(self.profile),
            kb=dict(self.kb),
            results=tier_rank(results),
            notes=list(self.notes),
            as_of=self.as_of,
            tiers=dict(counts or self.counts or {}),
        )


# -- search, a page at a time ---------------------------------------------------------
SEARCH_TOP = 25  # about what the list shows at once; more as the officer scrolls (issue 24: 50 before)


def ranked_search(engine, text: str, district: str | None, top: int = SEARCH_TOP, profile=None, as_of=None) -> list:
    """Search every measure, the client's own district first, then city-level (市级)
    measures, then the other districts — each part in the engine's order, one engine call
    (issue 24: before, three, whose parts were merged); each judged on the 判断日期 ``as_of``
    and, with the client's ``profile``, in the tier its results give it."""
    return engine.search(text, top=search_cap(top, district), first=district or None, profile=profile, as_of=as_of)


def search_cap(top: int, district: str | None) -> int:
    """How many results :func:`ranked_search` gives at most (a full list: maybe more): one
    ranked list, ``top`` long whatever the district (more as the officer scrolls)."""
    return top
