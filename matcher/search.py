"""Search of all measures as you type (the :class:`~matcher.match.Matcher`'s ``search``).

Kept apart from the matching code; a mixin over the matcher's index (its character index,
records in search order, synonyms and the fetch of full measures).
"""

from __future__ import annotations

import re

from . import fuzzy
from .index import first_positions, positions
from .models import CITY, Reason, Result
from .records import _MID, _TEXT, _TLEN, _quote, _Rec, _sentences_with
from .text import normalize


class SearchMixin:
    """``search`` and its level walk, for :class:`matcher.match.Matcher`."""

    # ── search ──

    def search(self, text: str, district: str | None = None, top: int = 30) -> list[Result]:
        """Fuzzy search of all measures (title and text), as you type.

        Per word of the query a measure scores 1.0 when its text contains the word (0.7
        for a synonym), 0.3 more when its title does; the average over the words ranks it
        (ties: enterprise-facing first, newest, document order). The character index finds
        the measures at each score level, so only the ``top`` shown are looked at one by one.
        """
        q = normalize(text)
        if not q:
            return []
        terms = [t for t in re.split(r"\s+", q) if t]
        scope = self._chars.all if not district else (   # a district's search covers city measures
            self._district_bits.get(district, 0) | self._district_bits.get(CITY, 0))
        forms = {t: self.expand(t) for t in terms}
        chosen = self._exact_levels(terms, forms, scope, None if top is None or top < 0 else top)
        scored: list[tuple[float, _Rec, list[str]]] = []
        for pos in chosen:
            r = self._by_pos[pos]
            total = 0.0
            hit_words: list[str] = []
            for t in terms:
                best = 0.0
                word = ""
                for k, f in enumerate(forms[t]):
                    if f in r[_TEXT]:
                        s = 1.0 if k == 0 else 0.7
                        if r[_TEXT].find(f, 0, r[_TLEN]) >= 0:      # in the title
                            s += 0.3
                        if s > best:
                            best, word = s, f
                if best:
                    total += best
                    hit_words.append(word)
            scored.append((total / len(terms), r, hit_words))
        if not chosen and top != 0:
            # nothing exact: typos and near spellings, for terms long enough; only records
            # holding enough of a term's characters can align with it
            long_terms = [t for t in terms if len(t) >= fuzzy.MIN_FUZZY_LEN]
            cand = 0
            for t in long_terms:
                cand |= self._chars.may_align(t, fuzzy.TERM_CUTOFF, scope)
            for pos in positions(cand):
                r = self._by_pos[pos]
                total, hit_words = 0.0, []
                for t in long_terms:
                    found = fuzzy.find_in_text(t, r[_TEXT])
                    if found:
                        a, b, s = found[0]
                        total += s / 100 * 0.8
                        hit_words.append(r[_TEXT][a:b])
                if total:
                    scored.append((total / len(terms), r, hit_words))
            scored.sort(key=lambda x: -x[0])       # stable: ties stay in search order
        out = []
        shown = scored[:top]
        got = self._measures_for(r for _s, r, _w in shown)
        for s, r, words in shown:
            m = got.get(r[_MID])
            if m is None:
                continue
            reasons = [Reason(kind="keyword", text=f"包含“{w}”:原文“{_quote(normalize(m.text), w)}”", quote=w)
                       for w in dict.fromkeys(words)]
            if m.internal:
                reasons.append(Reason(kind="general", text="政府内部工作,不直接面向企业", quote=""))
            out.append(Result(rank=len(out) + 1, measure=m, score=round(min(s, 1.0), 3), status="applies",
                              reasons=reasons, matched_sentences=_sentences_with(m.sentences, words),
                              matched_terms=list(dict.fromkeys(words))))
        return out

    def _exact_levels(self, terms: list[str], forms: dict[str, list[str]], scope: int,
                      limit: int | None) -> list[int]:
        """Positions of the best ``limit`` records (all if None) in ``scope`` containing a
        form of a term: best score first, ties in search order — without scoring each record.

        Per term, a record's score is the best of its forms' (form 0: 1.3 in the title,
        1.0 in the text; a synonym: 0.7, +0.3 in the title). The character index gives the
        records at each level; each combination of levels across the terms is one set of
        records sharing one total, added up in the same order as :meth:`search` does.
        """
        chars = self._chars
        per_term: dict[str, list[tuple[float, int]]] = {}
        for t, fs in forms.items():
            level: dict[float, int] = {}
            for k, f in enumerate(fs):
                if not f:
                    continue
                x = chars.containing(f, scope)
                if not x:
                    continue
                in_title = chars.in_title(f, x)
                s = 1.0 if k == 0 else 0.7
                for v, b in ((s + 0.3, in_title), (s, x & ~in_title)):
                    if b:
                        level[v] = level.get(v, 0) | b
            options: list[tuple[float, int]] = []
            covered = 0
            for v in sorted(level, reverse=True):       # a record counts at its best level
                b = level[v] & ~covered
                covered |= level[v]
                if b:
                    options.append((v, b))
            rest = scope & ~covered
            if rest:
                options.append((0.0, rest))
            per_term[t] = options
        by_score: dict[float, int] = {}
        n = len(terms)

        def walk(i: int, bits: int, values: tuple[float, ...]) -> None:
            if i == n:
                total = 0.0
                for v in values:
                    if v:
                        total += v
                if total:
                    s = total / n
                    by_score[s] = by_score.get(s, 0) | bits
                return
            for v, b in per_term[terms[i]]:
                both = bits & b
                if both:
                    walk(i + 1, both, values + (v,))

        walk(0, scope, ())
        chosen: list[int] = []
        for s in sorted(by_score, reverse=True):
            if limit is None:
                chosen += positions(by_score[s])
            elif len(chosen) >= limit:
                break
            else:
                chosen += first_positions(by_score[s], limit - len(chosen))
        return chosen
