"""Profile in, applicable measures out: ranked, each with its office and its reasons.

Semantics (docs/ARCHITECTURE.md; the design brief's "Matching"):

* a district document applies only to its own district (a city-level one to all);
* a measure that names audiences applies only to a profile in one of them; one that
  names none applies to every enterprise of the district;
* internal measures (government's own work) are never offered;
* needs, industry, area and keywords rank what applies; measures that serve no stated
  need still appear, lower;
* a measure one changeable condition away (高新技术企业, 专精特新, a need not ticked) is
  ``near`` and names what is missing; district and ownership never make a measure near.

A :class:`Matcher` is built one way: over a stored index that carries every record's tier
features (:mod:`matcher.matching.stored_index`; the KB's own, mapped, from
:func:`matcher_for`; or one built in memory by :func:`matcher_of`) and a way to fetch the
full measures of the rows shown. Every answer — the top of a match, the whole of it, a
tier's page, the tiers' counts, ``match --all`` — is cut from one ranking and
classification of the profile's candidates (:class:`matcher.matching.pages.Cut`).
"""

from __future__ import annotations

import datetime as _dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from matcher.matching.fetcher import FetchMany, MeasureFetcher
from matcher.matching.index_state import open_index
from matcher.matching.overview import overview
from matcher.matching.pages import Cut, expiry_only
from matcher.matching.reader import IndexReader
from matcher.matching.search import Search
from matcher.matching.segments import MergedIndex
from matcher.matching.stored_index import IndexData
from matcher.matching.stored_index import build as build_index
from matcher.matching.tierclass import features
from matcher.matching.vocabulary import Vocabulary
from matcher.models import MatchResponse, Measure, Result
from matcher.profile.company import Profile
from matcher.store.rows import IndexRow

CUTS_KEPT = 4  # (profile, day) → its ranked, classified candidates (a Cut), kept between answers


class Matcher:
    """Matches profiles against the measures of one stored index."""

    def __init__(self, index: IndexData, fetch_many: FetchMany, kb_info: dict[str, Any]) -> None:
        """``index`` carries tier features; ``fetch_many`` (such as ``kb.get_measures``) gives
        the full measures of the rows shown; ``kb_info`` is what the answers say of the
        knowledge base (documents, measures, version)."""
        self.ix = index
        self.reader = IndexReader(index)
        self.vocab = Vocabulary()
        self.measures = MeasureFetcher(fetch_many)
        self.searcher = Search(self.reader, self.vocab, self.measures)
        self.kb_info = dict(kb_info)
        self.kb_info.setdefault("measures", index.n)
        self._cuts: OrderedDict[tuple[str, str], Cut] = OrderedDict()

    def search(
        self,
        text: str,
        district: str | None = None,
        top: int | None = 30,
        first: str | None = None,
        profile: Profile | None = None,
        as_of: _dt.date | None = None,
    ) -> list[Result]:
        """Measures whose title or text matches ``text`` (:meth:`matcher.matching.search.Search.search`;
        ``first``: a district listed first, then city level, then the others), each judged on
        ``as_of`` (today when None): with a ``profile``, in the tier the profile's answer gives
        it (:meth:`matcher.matching.pages.Cut.judge_found`), so a measure is the same found by
        search as listed in the results; without, expired or not (tier ``""``: not judged for a
        company)."""
        day = as_of or _dt.date.today()

        def on_day(_pos: int, r: Result) -> Result:
            return expiry_only(r, day)

        judge = self.cut(profile, day).judge_found if profile is not None else on_day
        return self.searcher.search(text, district=district, top=top, first=first, judge=judge)

    def cut(self, profile: Profile, as_of: _dt.date | None = None) -> Cut:
        """The profile's candidates with their tiers (:class:`matcher.matching.pages.Cut`). The
        last few profiles' cuts are kept: the window asks the first page, the counts and
        further pages of one profile in turn."""
        day = as_of or _dt.date.today()
        key = (profile.model_dump_json(), day.isoformat())
        got = self._cuts.get(key)
        if got is None:
            got = self._cuts[key] = Cut(self.reader, self.vocab, self.measures, profile, day)
            while len(self._cuts) > CUTS_KEPT:
                self._cuts.popitem(last=False)
        self._cuts.move_to_end(key)
        return got

    def match(
        self, profile: Profile, top: int | None = 30, as_of: _dt.date | None = None, include_expired: bool = False
    ) -> MatchResponse:
        """The measures for ``profile``: the best ``top`` targeted ones, then general ones up to
        ``top`` in all, then near, unknown (and expired, when asked) ones, at
        most ``max(5, top // 3)`` of each; all of them when ``top`` is None (or 0)
        (:func:`matcher.matching.tiers.answer_rows`). Each with its
        tier (:mod:`matcher.matching.tiers`); ``tiers`` counts every candidate's, whole.
        ``as_of`` is the day expiry is judged (today)."""
        p = profile
        day = as_of or _dt.date.today()
        cut = self.cut(p, day)
        sc = cut.sc
        notes: list[str] = []
        if not sc.scope.any():
            notes.append(f"知识库中没有{p.district}的政策文件,因此没有可推荐的措施(其他区的措施不适用)。")
        unfound = sc.unfound
        notes.extend(p.warnings)
        if len(unfound) > 3:  # one line, not one per keyword
            notes.append(
                f"有 {len(unfound)} 个关键词在{p.district}的措施中没有找到(已尝试同义词和近似写法):"
                f"{'、'.join(unfound[:5])}等。"
            )
        else:
            notes.extend(f"关键词“{t}”在{p.district}的措施中没有找到(已尝试同义词和近似写法)。" for t in unfound)
        return MatchResponse(
            profile=p.to_public_dict(),
            kb=dict(self.kb_info),
            results=cut.answer(top or None, include_expired),
            notes=notes,
            as_of=day.isoformat(),
            tiers=cut.counts(),
        )

    def overview(self, profile: Profile, as_of: _dt.date | None = None) -> list[dict]:
        """Every measure of the profile's district with what it is for this company
        (:func:`matcher.matching.overview.overview`). For ``match --all``."""
        return overview(self.cut(profile, as_of))


def matcher_for(kb: Any, progress: Callable[[int, int, str], None] | None = None) -> Matcher:
    """A matcher over everything a knowledge base holds (seeds, imports, corrections).

    It reads the KB's stored index (built, with ``progress`` told, when the KB changed:
    :func:`matcher.matching.index_state.open_index`) and fetches a full measure from the
    KB only for each result shown, so use it while the knowledge base is open."""
    ix = open_index(kb, progress)
    h = ix.header  # what the KB held when the index was built: the stamp says it still does
    info = {
        "documents": h["documents"] if "documents" in h else len(kb.documents()),
        "measures": ix.n,
        "version": h["version"] if "version" in h else kb.version,
    }
    return Matcher(ix, kb.get_measures, info)


def matcher_of(measures: Sequence[Measure], kb_info: dict[str, Any] | None = None) -> Matcher:
    """A matcher over ``measures`` held in memory (the KB as it was at a past moment, for
    what changed for a client): their index and tier features built here."""
    ms = list(measures)
    by_id = {m.measure_id: m for m in ms}
    ix = MergedIndex([(build_index([IndexRow.of(m) for m in ms], tier=features(ms)), None)])
    return Matcher(ix, lambda ids: {i: by_id[i] for i in ids if i in by_id}, kb_info or {})
