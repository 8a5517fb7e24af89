"""Search of all measures as you type (:class:`Search`, held by the
:class:`~matcher.matching.match.Matcher`).

Apart from matching a profile: it reads the same stored index (its posting lists, records
in search order), the same synonyms (:class:`~matcher.matching.vocabulary.Vocabulary`) and
fetches full measures the same way (:class:`~matcher.matching.fetcher.MeasureFetcher`).
"""

from __future__ import annotations

import heapq
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from matcher.common import fuzzy
from matcher.common.text import normalize
from matcher.matching.fetcher import MeasureFetcher
from matcher.matching.reader import IndexReader
from matcher.matching.records import _MID, _POS, _TEXT, _TLEN, _quote, _sentences_with
from matcher.matching.vocabulary import Vocabulary
from matcher.models import CITY, Measure, Reason, Result

Judge = Callable[[int, Result], Result]

# per word of a query: the word itself in the text, a synonym of it, more when in the title.
# A synonym in the title stays below the word in the text (issue 13: for 人才公寓 every
# measure holding 人才公寓 comes before any holding only 人才 or 安居).
EXACT = 1.0
SYNONYM = 0.6
IN_TITLE = 0.3
FUZZY = 0.8  # times the alignment score, for a near spelling when nothing is exact
_KEPT_DISTRICTS = 20  # districts whose scope and groups are kept (16 districts and the city)
_KEPT_SPLITS = 8  # (district, first) whose scope is kept split by group (a few clients')
_KEPT_TEXTS = 1024  # normalised texts kept (a few keystrokes' results)


class Search:
    """Search over one stored index."""

    def __init__(self, reader: IndexReader, vocab: Vocabulary, measures: MeasureFetcher) -> None:
        self.reader, self.vocab, self.measures = reader, vocab, measures
        self.ix = reader.ix
        # per district: its scope and its groups (``first``), the same for every keystroke (the
        # index does not change under a search); a bool and an int8 per record each
        self._scopes: dict[str | None, np.ndarray] = {}
        self._group_of: dict[str, np.ndarray] = {}
        # per (district, first): the scope's records of each group, one bool array each
        self._split: dict[tuple[str | None, str | None], list[np.ndarray]] = {}
        # measure id → its text normalised (to quote it), kept for the next keystrokes
        self._normal: OrderedDict[str, str] = OrderedDict()

    def search(
        self,
        text: str,
        district: str | None = None,
        top: int | None = 30,
        first: str | None = None,
        judge: Judge | None = None,
    ) -> list[Result]:
        """Fuzzy search of all measures (title and text), as you type.

        Per word of the query a measure scores 1.0 when its text contains the word (0.6
        for a synonym), 0.3 more when its title does; the average over the words ranks it
        (ties: enterprise-facing first, newest, document order). The character index finds
        the measures at each score level, so only the ``top`` shown are looked at one by one.
        ``first``: a district whose measures are listed first, then the city-level (市级)
        ones, then the others', each part ranked as above — in one pass (what the window
        shows per keystroke, issue 24).
        ``judge(record position, result)``: the result as it is for a company on a day (its
        tier, expiry), given by the matcher.
        """
        q = normalize(text)
        if not q:
            return []
        terms = [t for t in re.split(r"\s+", q) if t]
        # a district's search covers city measures
        scope = self._scope(district)
        group = self._groups(first) if first else None
        forms = {t: self.vocab.expand(t) for t in terms}
        limit = None if top is None or top < 0 else top
        scored: list[tuple[float, tuple, list[str]]] = []  # (score, record, words)
        # records in order of their group (``first``), then of an upper bound of their score
        # (from the posting lists, before any text is read); each is scored on its text as it
        # comes, and a scored record is taken once no record still to come can beat it (its
        # group is no later and its bound no higher)
        waiting: list[tuple[int, float, int, tuple, list[str]]] = []
        for pos, g, bound in self._exact_levels(terms, forms, self._split_scope(district, first)):
            while waiting and (limit is None or len(scored) < limit) and waiting[0][:3] <= (g, -bound, pos):
                _g, ns, _p, r, words = heapq.heappop(waiting)
                scored.append((-ns, r, words))
            if limit is not None and len(scored) >= limit:
                break
            r = self.reader.record(pos)
            total = 0.0
            hit_words: list[str] = []
            for t in terms:
                best = 0.0
                word = ""
                for k, f in enumerate(forms[t]):
                    if f in r[_TEXT]:
                        s = EXACT if k == 0 else SYNONYM
                        if r[_TEXT].find(f, 0, r[_TLEN]) >= 0:  # in the title
                            s += IN_TITLE
                        if s > best:
                            best, word = s, f
                if best:
                    total += best
                    hit_words.append(word)
            if total:
                heapq.heappush(waiting, (g, -(total / len(terms)), pos, r, hit_words))
        while waiting and (limit is None or len(scored) < limit):
            _g, ns, _p, r, words = heapq.heappop(waiting)
            scored.append((-ns, r, words))
        chosen = scored
        if not chosen and top != 0:
            # nothing exact: typos and near spellings, for terms long enough; only records
            # holding enough of a term's characters can align with it
            long_terms = [t for t in terms if len(t) >= fuzzy.MIN_FUZZY_LEN]
            cand = np.zeros(self.ix.n, dtype=bool)
            for t in long_terms:
                cand[self.ix.text.may_align(t, fuzzy.TERM_CUTOFF, scope)] = True
            for pos in np.flatnonzero(cand).tolist():
                r = self.reader.record(pos)
                total, hit_words = 0.0, []
                for t in long_terms:
                    found = fuzzy.find_in_text(t, r[_TEXT])
                    if found:
                        a, b, s = found[0]
                        total += s / 100 * FUZZY
                        hit_words.append(r[_TEXT][a:b])
                if total:
                    scored.append((total / len(terms), r, hit_words))
            if group is not None:
                gr = group
                scored.sort(key=lambda x: (int(gr[x[1][_POS]]), -x[0]))  # stable: ties in search order
            else:
                scored.sort(key=lambda x: -x[0])  # stable: ties stay in search order
        out: list[Result] = []
        shown = scored[:top]
        got = self.measures.get_many(r[_MID] for _s, r, _w in shown)
        for s, r, words in shown:
            m = got.get(r[_MID])
            if m is None:
                continue
            reasons = [
                Reason(kind="keyword", text=f"包含“{w}”:原文“{_quote(self._normalized(m), w)}”", quote=w)
                for w in dict.fromkeys(words)
            ]
            if m.internal:
                reasons.append(Reason(kind="general", text="政府内部工作,不直接面向企业", quote=""))
            res = Result(
                rank=len(out) + 1,
                measure=m,
                score=round(min(s, 1.0), 3),
                status="applies",
                tier="",
                reasons=reasons,
                matched_sentences=_sentences_with(m.sentences, words),
                matched_terms=list(dict.fromkeys(words)),
            )
            out.append(judge(int(r[_POS]), res) if judge is not None else res)
        return out

    def _scope(self, district: str | None) -> np.ndarray:
        """The records a search of ``district`` covers (all when None), kept per district."""
        got = self._scopes.get(district)
        if got is None:
            if len(self._scopes) >= _KEPT_DISTRICTS:
                self._scopes.clear()
            got = self.reader.scope(district) if district else np.ones(self.ix.n, dtype=bool)
            got.flags.writeable = False
            self._scopes[district] = got
        return got

    def _normalized(self, m: Measure) -> str:
        """``normalize(m.text)``, kept for the last few hundred measures shown."""
        kept = self._normal
        got = kept.get(m.measure_id)
        if got is None:
            got = kept[m.measure_id] = normalize(m.text)
            while len(kept) > _KEPT_TEXTS:
                kept.popitem(last=False)
        else:
            kept.move_to_end(m.measure_id)
        return got

    def _groups(self, first: str) -> np.ndarray:
        """Per record: 0 in district ``first``, 1 city-level, 2 any other (``first`` the
        city: 0 city-level, 1 any other); kept per district."""
        got = self._group_of.get(first)
        if got is None:
            if len(self._group_of) >= _KEPT_DISTRICTS:
                self._group_of.clear()
            got = self._group_of[first] = self._make_groups(first)
            got.flags.writeable = False
        return got

    def _make_groups(self, first: str) -> np.ndarray:
        group = np.full(self.ix.n, 2, dtype=np.int8)
        group[self.reader.in_district(CITY)] = 1
        if first == CITY:
            group -= 1
        else:
            group[self.reader.in_district(first)] = 0
        return group

    def _split_scope(self, district: str | None, first: str | None) -> list[np.ndarray]:
        """The records a search of ``district`` covers, one array per group of ``first``
        (one array, all of them, when no ``first``), kept per (district, first)."""
        key = (district, first)
        got = self._split.get(key)
        if got is None:
            if len(self._split) >= _KEPT_SPLITS:
                self._split.clear()
            scope = self._scope(district)
            if first:
                group = self._groups(first)
                got = [scope & (group == g) for g in range(int(group.max()) + 1 if len(group) else 0)]
            else:
                got = [scope]
            for a in got:
                a.flags.writeable = False
            self._split[key] = got
        return got

    def _exact_levels(
        self, terms: list[str], forms: dict[str, list[str]], scopes: list[np.ndarray]
    ) -> Iterator[tuple[int, int, float]]:
        """(position, group, bound) of every record in ``scopes`` (one per group, in order;
        :meth:`_split_scope`) that may hold a form of a term, in order of its group, then of
        a bound of its score (best first, ties in search order).

        Per term, a record's score is the best of its forms' (form 0: 1.3 in the title,
        1.0 in the text; a synonym: 0.6, +0.3 in the title); the terms' scores are added in
        the order :meth:`search` adds them. Taken from the posting lists' candidates
        (:meth:`matcher.matching.postings.Postings.candidates`, before a text is checked), so a
        record's bound is never below its score.
        """
        # one group after another, each worked out only when the one before did not give
        # enough results (most keystrokes stop in the client's own district)
        for g, scope in enumerate(scopes):
            yield from self._levels_within(terms, forms, scope, g)

    def _levels_within(
        self, terms: list[str], forms: dict[str, list[str]], scope: np.ndarray, g: int
    ) -> Iterator[tuple[int, int, float]]:
        """:meth:`_exact_levels` of the records in ``scope``, all of group ``g``. Worked on
        the candidates' positions only (a few hundred of 100,000 records, most keystrokes)."""
        ix = self.ix
        per_term: list[set[float]] = []
        found: list[tuple[np.ndarray, np.ndarray]] = []  # per term: its records (sorted), their level
        for t in terms:
            ps: list[np.ndarray] = []
            vs: list[np.ndarray] = []
            seen = {0.0}
            for k, f in enumerate(forms[t]):
                if not f:
                    continue
                x = ix.text.candidates(f, scope)
                if not len(x):
                    continue
                s = EXACT if k == 0 else SYNONYM
                ps.append(x)
                vs.append(np.full(len(x), s))
                seen.add(s)
                in_title = np.intersect1d(x, ix.title.candidates(f), assume_unique=True)
                if len(in_title):
                    ps.append(in_title)
                    vs.append(np.full(len(in_title), s + IN_TITLE))
                    seen.add(s + IN_TITLE)
            per_term.append(seen)
            if not ps:
                continue
            p, v = ps[0], vs[0]
            if len(ps) > 1:  # a record's level for the term: the best of its forms'
                p, v = np.concatenate(ps), np.concatenate(vs)
                order = np.lexsort((-v, p))
                p, v = p[order], v[order]
                keep = np.ones(len(p), dtype=bool)
                keep[1:] = p[1:] != p[:-1]
                p, v = p[keep], v[keep]
            found.append((p, v))
        if not found:
            return
        # each record's total: its terms' levels added in order (as the search adds them)
        hit = found[0][0] if len(found) == 1 else np.unique(np.concatenate([p for p, _v in found]))
        tv = np.zeros(len(hit), dtype=np.float64)
        for p, v in found:
            tv[np.searchsorted(hit, p)] += v
        # the totals there can be (each term's levels added in order, as above), best first;
        # the records at each, in search order, a slice at a time
        totals = {0.0}
        for seen in per_term:
            totals = {a + b for a in totals for b in seen}
        levels = sorted((v for v in totals if v > 0), reverse=True)
        for level in levels:
            at = hit[tv == level]
            bound = level / len(terms)
            for i in range(0, len(at), 256):
                for pos in at[i : i + 256].tolist():
                    yield pos, g, bound
