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

The matcher reads the KB's stored index (:mod:`matcher.matching.stored_index`: per-record arrays,
tag sets, texts and character posting lists, memory-mapped), scores every record in scope
at once (:mod:`matcher.matching.scoring`) and fetches full :class:`Measure` records only for the
results it decides and shows.
"""

from __future__ import annotations

import datetime as _dt
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from matcher.common.text import normalize
from matcher.matching.records import (
    _AUD,
    _DISTRICT,
    _IDX,
    _INTERNAL,
    _ISSUED,
    _MID,
    _ORDER,
    _quote,
    _Rec,
    _sentences_with,
)
from matcher.matching.scoring import Scoring
from matcher.matching.search import SearchMixin
from matcher.matching.stored_index import IndexData, _neg_date
from matcher.matching.stored_index import build as build_index
from matcher.matching.tiers import TIERS, decide
from matcher.matching.tiers import apply as apply_tier
from matcher.models import MatchResponse, Measure, Reason, Result
from matcher.profile.company import Profile
from matcher.rules.lexicon import load_lexicons
from matcher.rules.match_rules import AudienceRule, MatchRules, Weights, _Bits, load_match_rules  # noqa: F401
from matcher.store.rows import IndexRow

CITY = "上海市"
_WORDS_KEPT = 4096  # (district, word) → records holding it, kept between matches
_MEASURES_KEPT = 512  # full measures fetched for results, kept between matches (a few pages)
_CUTS_KEPT = 4  # (profile, day) → its ranked, classified candidates (matcher.matching.pages.Cut)


class Matcher(SearchMixin):
    """Matches profiles against measures held in the stored index (:mod:`matcher.matching.stored_index`)."""

    def __init__(
        self,
        measures: Iterable[Measure | IndexRow] | None = None,
        kb_info: dict | None = None,
        fetch: Callable[[str], Measure | None] | None = None,
        fetch_many: Callable[[list[str]], dict[str, Measure]] | None = None,
        *,
        index: IndexData | None = None,
    ):
        """``measures`` are full :class:`Measure` records or lean :class:`IndexRow` ones
        (:meth:`matcher.store.kb.KnowledgeBase.index_rows`), indexed here; or ``index``, an index
        already built (the KB's stored one). With rows or an index, ``fetch`` (such as
        ``kb.get_measure``) supplies the full measure of each result shown, and
        ``fetch_many`` (``kb.get_measures``), if given, all those of one answer at once."""
        self.rules = load_match_rules()
        self.lex = load_lexicons()
        self.kb_info = dict(kb_info or {})
        self._cat_terms = {c.name: [normalize(t) for t in c.terms] for c in self.lex.categories.category}
        self._keep: dict[str, Measure] = {}
        self._fetch = fetch
        self._fetch_many = fetch_many
        if index is not None:
            if measures is not None:  # the index of these measures, held here
                self._keep = {m.measure_id: m for m in measures if isinstance(m, Measure)}
            if fetch is None and not self._keep:
                raise ValueError("Matcher: a stored index needs fetch= or the measures to show them")
        else:
            rows: list[IndexRow] = []
            for m in measures or []:
                if isinstance(m, IndexRow):
                    if fetch is None:
                        raise ValueError("Matcher: lean index rows need fetch= to show full measures")
                    rows.append(m)
                else:
                    rows.append(IndexRow.of(m))
                    if fetch is None:
                        self._keep[m.measure_id] = m
            index = build_index(rows)
        self.ix = index
        a = index.arrays
        self._district_id = {d: k for k, d in enumerate(index.districts)}
        self._internal = a["internal"] != 0
        self._words: dict[tuple[str, str], np.ndarray] = {}
        self._tables: dict[tuple[str, int], np.ndarray] = {}
        self._fetched: OrderedDict[str, Measure] = OrderedDict()  # the KB's measures, as fetched
        self._cuts: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self.kb_info.setdefault("measures", index.n)
        self._aud_rules = {r.name: r for r in self.rules.audience}
        self._need_cats: dict[str, list[str]] = dict(self.lex.categories.needs)
        self._syn: dict[str, list[str]] = {}
        for g in self.rules.synonyms:
            terms = [normalize(t) for t in g.terms]
            for t in terms:
                self._syn.setdefault(t, [])
                self._syn[t] += [x for x in terms if x != t and x not in self._syn[t]]

    # ── the index ──

    def _known(self, space: str, names: Iterable[str]) -> int:
        """The bit mask of those ``names`` the index knows (tag space ``space``)."""
        pos = self.ix.bits[space]
        m = 0
        for n in names:
            b = pos.get(n)
            if b is not None:
                m |= 1 << b
        return m

    def _in_district(self, district: str | None) -> np.ndarray:
        k = self._district_id.get(district or "")
        if k is None:
            return np.zeros(self.ix.n, dtype=bool)
        return self.ix.arrays["district"] == k

    def _scope(self, district: str | None) -> np.ndarray:
        """Records a profile of ``district`` may be offered: its own and the city's."""
        return self._in_district(district) | self._in_district(CITY)

    def _containing(self, word: str, district: str, scope: np.ndarray) -> np.ndarray:
        """Records of a district's scope whose text holds ``word``, kept for the next match
        (the needs' words are the same from one profile to the next)."""
        key = (district, word)
        got = self._words.get(key)
        if got is None:
            if len(self._words) >= _WORDS_KEPT:
                self._words.clear()
            got = self._words[key] = self.ix.text.containing(word, scope)
        return got

    def _mask_table(self, space: str, mask: int) -> np.ndarray:
        """Per distinct tag set of ``space``: whether it shares a tag with ``mask``."""
        key = (space, mask)
        got = self._tables.get(key)
        if got is None:
            if len(self._tables) >= _WORDS_KEPT:
                self._tables.clear()
            ms = self.ix.masks[space]
            got = self._tables[key] = np.fromiter((bool(mk & mask) for mk in ms), dtype=bool, count=len(ms))
        return got

    def _rec(self, pos: int) -> tuple:
        """Record ``pos`` as a :class:`~matcher.matching.records._Rec` tuple (to explain or show it)."""
        ix = self.ix
        a = ix.arrays
        m = ix.masks
        return (
            int(a["idx"][pos]),
            pos,
            ix.mid(pos),
            ix.districts[int(a["district"][pos])],
            ix.issued_table[int(a["issued"][pos])],
            int(a["order"][pos]),
            bool(a["internal"][pos]),
            bool(a["star"][pos]),
            m["aud"][int(a["aud"][pos])],
            m["cat"][int(a["cat"][pos])],
            m["cat"][int(a["pcat"][pos])],
            m["aud"][int(a["ment"][pos])],
            m["ind"][int(a["ind"][pos])],
            m["area"][int(a["area"][pos])],
            int(a["tlen"][pos]),
            ix.text_of(pos),
            int(a["mrank"][pos]),
        )

    # ── helpers ──

    def _measures_for(self, recs: Iterable[tuple]) -> dict[str, Measure]:
        """The full measures of the records about to be shown, fetched together."""
        return self._measures_by_id([r[_MID] for r in recs])

    def _measures_by_id(self, ids: list[str]) -> dict[str, Measure]:
        if self._fetch_many is not None and not self._keep:
            # the KB does not change under a matcher (its index would be stale): a measure
            # fetched once is kept for the next answers (the window re-asks the same rows)
            kept = self._fetched
            out: dict[str, Measure] = {}
            todo: list[str] = []
            for i in ids:
                got = kept.get(i)
                if got is None:
                    todo.append(i)
                else:
                    out[i] = got
                    kept.move_to_end(i)
            if todo:
                new = self._fetch_many(todo)
                out.update(new)
                if len(new) <= _MEASURES_KEPT // 4:  # a page's worth, not a whole list
                    kept.update(new)
                    while len(kept) > _MEASURES_KEPT:
                        kept.popitem(last=False)
            return out
        out = {}
        for i in ids:
            m = self.measure(i)
            if m is not None:
                out[i] = m
        return out

    def measure(self, measure_id: str) -> Measure | None:
        if measure_id in self._keep:
            return self._keep[measure_id]
        return self._fetch(measure_id) if self._fetch else None

    def _in_audience(self, p: Profile, rule: AudienceRule) -> bool:
        if p.size and p.size in rule.sizes:
            return True
        if any(f in p.flags for f in rule.flags):
            return True
        if rule.zjtx_min is not None and p.zjtx_level >= rule.zjtx_min:
            return True
        if any(n in p.needs for n in rule.needs):
            return True
        return False

    def _industry_tags(self, p: Profile) -> tuple[list[str], list[str]]:
        """(lexicon industry tags for the profile, words to look for in the text)."""
        tags: list[str] = []
        words: list[str] = []
        spec = normalize(p.specialisation or "")
        if spec:
            tags = self.lex.industries_for(spec)
            by_name = {i.name: i for i in self.lex.industries.industry}
            for t in tags:
                words += [x for x in by_name[t].terms if len(x) >= 2]
            if not tags:
                words.append(spec)  # free text such as 船舶代理: look for it as written
        elif p.industry:
            tags = self.lex.industries_for_section(p.industry)
        return tags, list(dict.fromkeys(words))

    def _area_names(self, p: Profile) -> list[str]:
        """The profile's area and every form of it (殷行 ↔ 殷行街道), longest first."""
        if not p.area:
            return []
        area = normalize(p.area)
        names = {area}
        for info in self.lex.areas_for(p.district):
            forms = [info.name, *info.aliases]
            if area in forms:
                names.update(forms)
        return sorted(names, key=len, reverse=True)

    def expand(self, term: str) -> list[str]:
        """A keyword and the ways a document may write it: its synonyms, and for a compound
        holding a known word ("专利质押") the compound with that word's synonyms in its place
        ("知识产权质押")."""
        t = normalize(term)
        forms = [t, *self._syn.get(t, [])]
        if t not in self._syn:
            for part in sorted(self._syn, key=len, reverse=True):
                if len(part) >= 2 and part in t and part != t:
                    # not a synonym holding the part itself (贷 → 贷款 in 信贷…), and not a
                    # form that doubles what the term did not (融资担保 → 担保担保)
                    forms += [
                        f
                        for f in (t.replace(part, s) for s in self._syn[part] if len(s) >= 2 and part not in s)
                        if not _new_double(f, t)
                    ]
        return list(dict.fromkeys(forms))

    # ── matching ──

    def match(
        self,
        profile: Profile,
        top: int | None = 30,
        include_near: bool = True,
        as_of: _dt.date | None = None,
        include_expired: bool = False,
    ) -> MatchResponse:
        """The measures for ``profile``: the best ``top`` targeted and general ones (ranked
        together by relevance), then near, unknown (and expired, when asked) ones; each with
        its tier (:mod:`matcher.matching.tiers`). ``as_of`` is the day expiry is judged (today)."""
        p = profile
        day = as_of or _dt.date.today()
        paged = bool(top and include_near and self.tier_features() is not None)
        cut = self.cut(p, day) if paged else None
        sc = cut.sc if cut is not None else Scoring(self, p, include_near)
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
        if cut is not None:
            # every candidate's tier at once (matcher.matching.tierclass); only the rows listed are
            # decided in full, and the tiers are counted whole
            results, whole = cut.top(top, include_expired)
            return MatchResponse(
                profile=p.to_public_dict(),
                kb=dict(self.kb_info),
                results=results,
                notes=notes,
                as_of=day.isoformat(),
                tiers=whole,
                hidden={},
            )
        judge = sc.judge
        applies, near = self._ranked(sc)
        # deciding (matcher.matching.tiers): each candidate, best first, until the top is full
        counts: dict[str, int] = dict.fromkeys((*TIERS, "fails"), 0)
        hidden: dict[str, tuple[str, str]] = {}

        def aud_ok(name: str) -> bool | None:
            rule = self._aud_rules.get(name)
            return self._in_audience(p, rule) if rule is not None else None

        def aud_reach(name: str) -> str:
            rule = self._aud_rules.get(name)
            return rule.missing if rule is not None and rule.changeable and include_near else ""

        cap = max(5, top // 3) if top else None
        got: dict[str, Measure] = {}

        def fetch(ps: list[int]) -> None:
            todo = [mid for mid in map(self.ix.mid, ps) if mid not in got]
            if todo:
                got.update(self._measures_by_id(todo))

        # the likely answer in one query: the first `top` applies and `cap` near candidates
        fetch(
            [q for _s, q in (applies[:top] if top else applies)]
            + ([q for _s, q in (near[:cap] if cap else near)] if include_near else [])
        )

        def decided(chunk: list[tuple[float, int]], status: str) -> list[Result]:
            fetch([q for _s, q in chunk])
            out = []
            for score, q in chunk:
                r = self._rec(q)
                _s, missing, reasons, words = judge(r, True)
                res = self._result(
                    0, p, r, score, status, reasons, words, list(missing) if status == "near" else [], got.get(r[_MID])
                )
                d = decide(res, p, day, aud_ok, aud_reach)
                if d.tier is None:
                    hidden[r[_MID]] = ("fails", d.why)
                    counts["fails"] += 1
                    continue
                counts[d.tier] += 1
                if d.tier == "expired" and not include_expired:
                    hidden[r[_MID]] = ("expired", d.expired)
                    continue
                out.append(apply_tier(res, d))
            return out

        main: list[Result] = []
        near_early: list[Result] = []
        unknown: list[Result] = []
        expired: list[Result] = []
        step = top or max(1, len(applies))
        i = 0
        while i < len(applies) and (not top or len(main) < top):
            for res in decided(applies[i : i + step], "applies"):
                if res.tier in ("targeted", "general"):
                    if not top or len(main) < top:
                        main.append(res)
                elif res.tier == "unknown":
                    if cap is None or len(unknown) < cap:
                        unknown.append(res)
                elif res.tier == "near":  # a document-wide audience it can still join
                    if include_near and (cap is None or len(near_early) < cap):
                        near_early.append(res)
                else:
                    expired.append(res)
            i += step
        near_out: list[Result] = near_early
        if include_near:
            i = 0
            nstep = cap or max(1, len(near))
            while i < len(near) and (cap is None or len(near_out) < cap):
                for res in decided(near[i : i + nstep], "near"):
                    if res.tier == "near" and (cap is None or len(near_out) < cap):
                        near_out.append(res)
                    elif res.tier == "expired":
                        expired.append(res)
                i += nstep
        else:
            unknown = []
        results = [
            res.model_copy(update={"rank": k}) for k, res in enumerate([*main, *near_out, *unknown, *expired], 1)
        ]
        info = dict(self.kb_info)
        return MatchResponse(
            profile=p.to_public_dict(),
            kb=info,
            results=results,
            notes=notes,
            as_of=day.isoformat(),
            tiers={k: v for k, v in counts.items()},
            hidden=hidden,
        )

    def tier_features(self) -> Any:
        """The tier features of the records in search order (:mod:`matcher.matching.tierclass`):
        stored in the index, or worked out from the measures this matcher holds; None
        when neither is at hand."""
        got = getattr(self, "_tier_feat", None)
        if got is None:
            from matcher.matching.tierclass import TierFeatures, features

            if "tier_cond" in self.ix.arrays:
                got = TierFeatures.from_arrays(self.ix.arrays)
            elif self._keep and all(self.ix.mid(q) in self._keep for q in range(self.ix.n)):
                got = features([self._keep[self.ix.mid(q)] for q in range(self.ix.n)])
            self._tier_feat = got
        return got

    def cut(self, profile: Profile, as_of: _dt.date | None = None) -> Any:
        """The profile's candidates with their tiers (:class:`matcher.matching.pages.Cut`): every
        tier's count, and one tier's page, without deciding every candidate. The last few
        profiles' cuts are kept: the window asks the first page, the counts and further
        pages of one profile in turn."""
        from matcher.matching.pages import Cut

        day = as_of or _dt.date.today()
        dump = getattr(profile, "model_dump_json", None)
        if dump is None:
            return Cut(self, profile, day)
        key = (dump(), day.isoformat())
        got = self._cuts.get(key)
        if got is None:
            got = self._cuts[key] = Cut(self, profile, day)
            while len(self._cuts) > _CUTS_KEPT:
                self._cuts.popitem(last=False)
        self._cuts.move_to_end(key)
        return got

    def _ranked(self, sc: Scoring) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
        """(applies, near): (score, position) of every record offered, best first; ties by
        newest document and document order, then own district before the city's, then the
        order given."""
        cand, score, near = sc.vector()
        a = self.ix.arrays
        own = self._district_id.get(sc.p.district, -1)
        city = (a["district"][cand] != own).astype(np.int8)
        order = np.lexsort((a["idx"][cand], city, a["mrank"][cand], -score))
        cand, score, near = cand[order], score[order], near[order]
        out = []
        for flag in (False, True):
            sel = near == flag
            out.append(list(zip(score[sel].tolist(), cand[sel].tolist())))
        return out[0], out[1]

    def overview(self, profile: Profile, as_of: _dt.date | None = None) -> list[dict]:
        """Every measure of the profile's district, in document order, with what it is for
        this company: ``applies`` (with its rank and tier), ``near`` (with the missing
        condition), ``unknown`` (with the question to ask), ``fails`` (a stated condition it
        does not meet), ``expired``, ``other`` (aimed at an audience the company is not in,
        named) or ``internal`` (government work, never offered). For ``match --all``."""
        resp = self.match(profile, top=None, as_of=as_of)
        status = {r.measure.measure_id: r for r in resp.results}
        recs = [self._rec(int(q)) for q in np.flatnonzero(self._scope(profile.district))]
        recs.sort(key=lambda r: (r[_DISTRICT] != profile.district, r[_IDX]))  # own district first, as given
        recs.sort(key=lambda r: (_neg_date(r[_ISSUED]), r[_MID].split("/")[0], r[_ORDER]))
        out = []
        for r in recs:
            res = status.get(r[_MID])
            row = {"measure_id": r[_MID], "internal": r[_INTERNAL], "rank": None, "why": "", "tier": None}
            if r[_INTERNAL]:
                row.update(status="internal", why="政府内部工作,不面向企业")
            elif res is not None and res.status == "applies":
                row.update(status="applies", rank=res.rank, tier=res.tier)
            elif res is not None and res.tier == "unknown":
                row.update(status="unknown", tier="unknown", why="待确认:" + ";".join(res.questions))
            elif res is not None:
                row.update(status="near", tier="near", why="还差:" + "、".join(res.missing))
            elif r[_MID] in resp.hidden:
                kind, why = resp.hidden[r[_MID]]
                row.update(status=kind, why=why)
            else:
                names = [n for n, b in self.ix.bits["aud"].items() if r[_AUD] >> b & 1]
                row.update(status="other", why="只面向" + "、".join(names) if names else "不适用")
            out.append(row)
        return out

    def _result(
        self,
        rank: int,
        p: Profile,
        r: _Rec,
        score: float,
        status: str,
        raw_reasons: list[tuple[str, str, str]],
        words: list[str],
        missing: list[str],
        m: Measure | None = None,
    ) -> Result:
        if m is None:
            m = self.measure(r[_MID])
        assert m is not None, r[_MID]
        reasons: list[Reason] = []
        highlight: list[str] = []
        reasons.append(
            Reason(
                kind="district",
                text=f"适用{m.district}:出自《{m.document}》" + (f"({m.issued})" if m.issued else ""),
                quote="",
            )
        )
        ev = m.evidence or {}
        norm_text: str | None = None  # the text as keyword forms are found in it, once
        for kind, label, word in raw_reasons:
            if kind == "audience":
                q = ev.get("audiences", {}).get(label, label)
                reasons.append(Reason(kind="audience", text=f"面向{label}:原文“{q}”", quote=q))
                highlight.append(_core(q, label))
            elif kind == "need":
                cats = [c for c in self._need_cats.get(label, [label]) if c in m.categories]
                cat = cats[0] if cats else label
                q = ev.get("categories", {}).get(cat, "")
                reasons.append(
                    Reason(
                        kind="need",
                        text=f"满足需求“{label}”(类别:{cat}):原文“{q}”" if q else f"满足需求“{label}”(类别:{cat})",
                        quote=q,
                        category=cat,
                    )
                )
                if q:
                    highlight.append(q)
            elif kind == "industry":
                if word == "tag":
                    tag = next((t for t in m.industries), "")
                    q = ev.get("industries", {}).get(tag, tag)
                else:
                    q = _quote(m.text, word)
                reasons.append(Reason(kind="industry", text=f"与行业“{label}”相关:原文“{q}”", quote=q))
                highlight.append(word if word != "tag" else q)
            elif kind == "area":
                q = _quote(m.text, word) if word else "、".join(m.areas)
                reasons.append(Reason(kind="area", text=f"涉及所在区域“{label}”:原文“{q}”", quote=q))
                highlight.append(word or (m.areas[0] if m.areas else ""))
            elif kind == "mention":
                q = ev.get("audience_mentions", {}).get(label, label)
                reasons.append(Reason(kind="audience", text=f"提到{label}:原文“{q}”", quote=q))
                highlight.append(_core(q, label))
            elif kind == "keyword":
                if norm_text is None:
                    norm_text = normalize(m.text)
                q = _quote(norm_text, word)
                same = normalize(label) == word
                text = f"关键词“{label}”:原文“{q}”" if same else f"关键词“{label}”(匹配到“{word}”):原文“{q}”"
                reasons.append(Reason(kind="keyword", text=text, quote=q, word=word))
                highlight.append(word)
        if not m.audiences:
            opening = (m.sentences[0] if m.sentences else m.text)[:40]
            reasons.append(Reason(kind="general", text=f"未限定对象,面向本区各类企业:原文“{opening}”", quote=opening))
        if missing:
            auds = [a for a in m.audiences if a not in {x[1] for x in raw_reasons if x[0] == "audience"}]
            q = next((ev.get("audiences", {}).get(a, "") for a in auds if ev.get("audiences", {}).get(a)), "")
            reasons.append(
                Reason(
                    kind="audience", text="还差一个条件:" + ";".join(missing) + (f"。原文“{q}”" if q else ""), quote=q
                )
            )
            if q:
                highlight.append(q)
        highlight = [h for h in dict.fromkeys(highlight) if h]
        sent = _sentences_with(m.sentences, [h for h in highlight if len(h) >= 2])
        return Result(
            rank=rank,
            measure=m,
            score=round(score, 3),
            status=status,  # type: ignore[arg-type]
            missing=missing,
            reasons=reasons,
            matched_sentences=sent,
            matched_terms=highlight,
        )


def _new_double(form: str, term: str) -> bool:
    """Whether ``form`` holds a doubled substring (担保担保, 贷贷) that ``term`` does not."""
    n = len(form)
    for k in range(1, n // 2 + 1):
        for i in range(n - 2 * k + 1):
            if form[i : i + k] == form[i + k : i + 2 * k] and form[i : i + 2 * k] not in term:
                return True
    return False


def _core(quote: str, label: str) -> str:
    return label if label in quote else quote


def matcher_for(kb, progress: Callable[[int, int, str], None] | None = None) -> Matcher:
    """A matcher over everything a knowledge base holds (seeds, imports, corrections).

    It reads the KB's stored index (built, with ``progress`` told, when the KB changed:
    :func:`matcher.matching.stored_index.load_or_build`) and fetches a full measure from the KB
    only for each result shown, so use it while the knowledge base is open."""
    from matcher.matching.stored_index import load_or_build

    ix = load_or_build(kb, progress)
    h = ix.header  # what the KB held when the index was built: the stamp says it still does
    info = {
        "documents": h["documents"] if "documents" in h else len(kb.documents()),
        "measures": ix.n,
        "version": h["version"] if "version" in h else kb.version,
    }
    return Matcher(kb_info=info, fetch=kb.get_measure, fetch_many=kb.get_measures, index=ix)
