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

The matcher holds a compact in-memory index — bit masks for tags, the stored text, and a
character index (:mod:`matcher.index`) for keyword search — so that one match over
100,000 measures stays under 100 ms; full :class:`Measure` records are fetched only for
the results shown.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable

from . import fuzzy
from .index import CharIndex, IndexRow, bits_of, positions
from .lexicon import load_lexicons
from .match_rules import AudienceRule, MatchRules, Weights, _Bits, load_match_rules  # noqa: F401
from .models import MatchResponse, Measure, Reason, Result
from .profile import Profile
from .records import (  # noqa: F401  (the record layout, shared with matcher.search)
    _AREA, _AUD, _CAT, _DISTRICT, _IDX, _IND, _INTERNAL, _ISSUED, _MENT, _MID, _MRANK, _ORDER, _PCAT, _POS,
    _STAR, _TEXT, _TLEN, _Rec, _quote, _sentences_with,
)
from .search import SearchMixin
from .text import normalize
from .tiers import TIERS, decide
from .tiers import apply as apply_tier

CITY = "上海市"


class Matcher(SearchMixin):
    """Matches profiles against a list of measures held in a compact index."""

    def __init__(self, measures: Iterable[Measure | IndexRow], kb_info: dict | None = None,
                 fetch: Callable[[str], Measure | None] | None = None,
                 fetch_many: Callable[[list[str]], dict[str, Measure]] | None = None):
        """``measures`` are full :class:`Measure` records or lean :class:`IndexRow` ones
        (:meth:`matcher.kb.KnowledgeBase.index_rows`); with rows, ``fetch`` (such as
        ``kb.get_measure``) supplies the full measure of each result shown, and
        ``fetch_many`` (``kb.get_measures``), if given, all those of one answer at once."""
        self.rules = load_match_rules()
        self.lex = load_lexicons()
        self.kb_info = dict(kb_info or {})
        self._aud, self._cat, self._ind, self._area = _Bits(), _Bits(), _Bits(), _Bits()
        self._cat_terms = {c.name: [normalize(t) for t in c.terms] for c in self.lex.categories.category}
        self._cat_rxs: dict[str, re.Pattern[str]] = {}
        self._recs: list[_Rec] = []
        self._by_district: dict[str, list[_Rec]] = {}
        self._keep: dict[str, Measure] = {}
        self._fetch = fetch
        self._fetch_many = fetch_many
        masks: dict[int, int] = {}

        def share(mask: int) -> int:       # one int object per distinct tag set
            return masks.setdefault(mask, mask)

        neg_dates: dict[str, str] = {}
        keys: list[tuple[str, int]] = []
        for i, m in enumerate(measures):
            if isinstance(m, IndexRow):
                if fetch is None:
                    raise ValueError("Matcher: lean index rows need fetch= to show full measures")
                row = m
            else:
                row = IndexRow.of(m)
                if fetch is None:
                    self._keep[m.measure_id] = m
            text = f"{row.title}。{row.text}"
            r = tuple(_Rec(            # pos and mrank are filled in below
                idx=i, pos=0, measure_id=row.measure_id, district=row.district, issued=row.issued,
                order=row.order, internal=row.internal, star=row.star,
                aud=share(self._aud.mask(row.audiences)), cat=share(self._cat.mask(row.categories)),
                pcat=share(self._cat.mask(tuple(self._primary_categories(text, len(row.title), row.categories)))),
                ment=share(self._aud.mask(row.mentions)),
                ind=share(self._ind.mask(row.industries)), area=share(self._area.mask(row.areas)),
                # stored text is already repaired and normalised (matcher.text.repair)
                tlen=len(row.title), text=text, mrank=0,
            ))
            nd = neg_dates.get(row.issued)
            if nd is None:
                nd = neg_dates[row.issued] = _neg_date(row.issued)
            keys.append((nd, row.order))
            self._recs.append(r)
        # ranking ties: newest document first, then document order (match); internal
        # measures after the others (search); then the order given (a stable sort)
        rank = {k: j for j, k in enumerate(sorted(set(keys)))}
        recs = self._recs
        order = sorted(range(len(recs)), key=lambda i: (recs[i][_INTERNAL], rank[keys[i]], i))
        pos_of = [0] * len(recs)
        for pos, i in enumerate(order):
            pos_of[i] = pos
        # plain tuples (see _Rec): fields are read as r[_TEXT] etc.
        self._recs = recs = [r[:_POS] + (pos_of[i],) + r[_POS + 1:_MRANK] + (rank[keys[i]],)
                             for i, r in enumerate(recs)]
        del keys, rank, pos_of
        self._by_pos: list[_Rec] = [recs[i] for i in order]
        self._by_district = {}
        for r in recs:
            self._by_district.setdefault(r[_DISTRICT], []).append(r)
        self._chars = CharIndex([r[_TEXT] for r in self._by_pos], [r[_TLEN] for r in self._by_pos])
        n = len(self._by_pos)
        self._district_bits = {d: bits_of((r[_POS] for r in rs), n) for d, rs in self._by_district.items()}
        self.kb_info.setdefault("measures", len(self._recs))
        self._aud_rules = {a.name: a for a in self.rules.audience}
        self._need_cats: dict[str, list[str]] = dict(self.lex.categories.needs)
        self._syn: dict[str, list[str]] = {}
        for g in self.rules.synonyms:
            terms = [normalize(t) for t in g.terms]
            for t in terms:
                self._syn.setdefault(t, [])
                self._syn[t] += [x for x in terms if x != t and x not in self._syn[t]]

    # ── helpers ──

    def _primary_categories(self, text: str, tlen: int, categories: Iterable[str]) -> list[str]:
        # the title and the first 40 characters of the text; stored text is normalised
        head = text[:tlen + 41]
        return [c for c in categories if self._cat_rx(c).search(head)]

    def _cat_rx(self, category: str) -> re.Pattern[str]:
        """Finds any of a category's terms (one regex instead of a loop of ``in``)."""
        rx = self._cat_rxs.get(category)
        if rx is None:
            terms = self._cat_terms.get(category, [category])
            rx = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
                            if terms else "(?!)")
            self._cat_rxs[category] = rx
        return rx

    def _measures_for(self, recs: Iterable[tuple]) -> dict[str, Measure]:
        """The full measures of the records about to be shown, fetched together."""
        ids = [r[_MID] for r in recs]
        if self._fetch_many is not None and not self._keep:
            return self._fetch_many(ids)
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
                words.append(spec)      # free text such as 船舶代理: look for it as written
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
                    forms += [t.replace(part, s) for s in self._syn[part] if len(s) >= 2]
        return list(dict.fromkeys(forms))

    def _first_form_hits(self, forms: Iterable[str], scope: int) -> dict[int, str]:
        """record position → the first of ``forms`` its text contains (records in ``scope``)."""
        hits: dict[int, str] = {}
        left = scope
        for f in forms:
            if not f or not left:
                continue
            found = self._chars.containing(f, left)
            if found:
                hits.update(dict.fromkeys(positions(found), f))
                left &= ~found
        return hits

    # ── matching ──

    def match(self, profile: Profile, top: int | None = 30, include_near: bool = True,
              as_of: _dt.date | None = None, include_expired: bool = False) -> MatchResponse:
        """The measures for ``profile``: the best ``top`` targeted and general ones (ranked
        together by relevance), then near, unknown (and expired, when asked) ones; each with
        its tier (:mod:`matcher.tiers`). ``as_of`` is the day expiry is judged (today)."""
        w = self.rules.weights
        p = profile
        recs = list(self._by_district.get(p.district, [])) + list(self._by_district.get(CITY, []))
        notes: list[str] = []
        if not recs:
            notes.append(f"知识库中没有{p.district}的政策文件,因此没有可推荐的措施(其他区的措施不适用)。")

        need_cats = {n: self._cat.known(self._need_cats.get(n, [n])) for n in p.needs}
        need_main = {n: self._cat.known(self._need_cats.get(n, [n])[:1]) for n in p.needs}
        ind_tags, ind_words = self._industry_tags(p)
        ind_mask = self._ind.known(ind_tags)
        area_names = self._area_names(p)
        area_mask = self._area.known(area_names)
        terms = p.keyword_terms
        term_forms = {t: self.expand(t) for t in terms}
        chars = self._chars
        scope = self._district_bits.get(p.district, 0) | self._district_bits.get(CITY, 0)
        # keyword hits per record position: exact first; fuzzy only for terms found nowhere exactly
        kw_hits: dict[str, dict[int, str]] = {}
        unfound: list[str] = []
        for t, forms in term_forms.items():
            hits = self._first_form_hits(forms, scope)
            nt = normalize(t)
            if not hits and len(nt) >= fuzzy.MIN_FUZZY_LEN:
                for q in positions(chars.may_align(nt, fuzzy.TERM_CUTOFF, scope)):
                    text = self._by_pos[q][_TEXT]
                    found = fuzzy.find_in_text(nt, text)
                    if found:
                        a, b, _s = found[0]
                        hits[q] = text[a:b]
            if not hits:
                # a compound nobody writes as such ("破产重整"): look for its known parts
                parts = [x for x in self._syn if len(x) >= 2 and x in nt and x != nt]
                hits = self._first_form_hits(parts, scope)
            kw_hits[t] = hits
            if recs and not hits:
                unfound.append(t)
        notes.extend(p.warnings)
        if len(unfound) > 3:   # one line, not one per keyword
            notes.append(f"有 {len(unfound)} 个关键词在{p.district}的措施中没有找到(已尝试同义词和近似写法):"
                         f"{'、'.join(unfound[:5])}等。")
        else:
            notes.extend(f"关键词“{t}”在{p.district}的措施中没有找到(已尝试同义词和近似写法)。" for t in unfound)

        profile_aud = self._aud.known(n for n, rule in self._aud_rules.items() if self._in_audience(p, rule))
        need_terms = {n: [t for c in self._need_cats.get(n, [n]) for t in self._cat_terms.get(c, [])]
                      for n in p.needs}
        aud_bits = self._aud.pos
        # what depends only on a record's tags is worked out once per distinct tag set
        aud_memo: dict[int, tuple[bool, list[str], list[str]]] = {}
        need_memo: dict[tuple[int, int], tuple[list[str], float, list[str]]] = {}
        ment_memo: dict[int, list[str]] = {}
        no_reasons: list = []

        def judge(r: _Rec, explain: bool):
            """(score, missing, reasons, words) for one record, or None when it is not
            offered; ``reasons`` (kind, label, word) and ``words`` only when ``explain``
            (the scan scores every record, only those shown are explained)."""
            reasons: list[tuple[str, str, str]] = [] if explain else no_reasons
            words: list[str] = []
            missing: list[str] = []
            text = r[_TEXT]
            # audience
            if r[_AUD]:
                a = aud_memo.get(r[_AUD])
                if a is None:
                    names = [n for n, b in aud_bits.items() if r[_AUD] >> b & 1]
                    ok = [n for n in names if n in self._aud_rules and self._in_audience(p, self._aud_rules[n])]
                    unknown = [n for n in names if n not in self._aud_rules]
                    if not ok and not unknown:
                        reachable = [self._aud_rules[n] for n in names if self._aud_rules[n].changeable]
                        a = (not reachable or not include_near, [reachable[0].missing] if reachable else [], [])
                    else:
                        a = (False, [], ok or unknown)
                    aud_memo[r[_AUD]] = a
                skip, missing, named = a
                if skip:
                    return None
                if explain:
                    for n in named:
                        reasons.append(("audience", n, n))
            score = w.base
            # needs
            nm = need_memo.get((r[_CAT], r[_PCAT]))
            if nm is None:
                served = [n for n, m in need_cats.items() if r[_CAT] & m]
                inc = 0.0
                dense_terms: list[str] = []
                if served:
                    main = any(r[_PCAT] & need_cats[n] for n in served)
                    direct = any(r[_CAT] & need_main[n] for n in served)   # the need's own category
                    first = w.need_first * (1.0 if main else 0.6) * (1.0 if direct else 0.75)
                    inc = first + w.need_more * (len(served) - 1)
                    dense_terms = list(dict.fromkeys(t for n in served for t in need_terms[n]))
                nm = need_memo[(r[_CAT], r[_PCAT])] = (served, inc, dense_terms)
            served, inc, dense_terms = nm
            if served:
                score += inc
                dense = 0                      # distinct need words in the text, at most 3
                for t in dense_terms:
                    if t in text:
                        dense += 1
                        if dense == 3:
                            break
                score += w.need_density * dense
                if explain:
                    for n in served:
                        reasons.append(("need", n, ""))
            # industry
            ind_word = ""
            if ind_mask and r[_IND] & ind_mask:
                ind_word = "tag"
            for iw in ind_words:
                if iw in text:
                    ind_word = iw
                    break
            if ind_word:
                score += w.industry
                if explain:
                    reasons.append(("industry", p.specialisation or p.industry or "", ind_word))
            # area
            if area_names:
                aw = next((a for a in area_names if a in text), "")
                if aw or (area_mask and r[_AREA] & area_mask):
                    score += w.area
                    if explain:
                        reasons.append(("area", p.area, aw))
            # keywords
            if kw_any:
                kws = [(t, kw_hits[t][r[_POS]]) for t in terms if r[_POS] in kw_hits[t]]
                if kws:
                    score += w.keyword_first + w.keyword_more * (len(kws) - 1)
                    if any(text.find(f, 0, r[_TLEN]) >= 0 for _t, f in kws):   # in the title
                        score += w.keyword_in_title
                    if explain:
                        for t, f in kws:
                            reasons.append(("keyword", t, f))
                            words.append(f)
            if r[_AUD] and not missing:
                score += w.audience
            elif r[_MENT] & profile_aud:
                score += w.mention
                if explain:
                    both = r[_MENT] & profile_aud
                    mentioned = ment_memo.get(both)
                    if mentioned is None:
                        mentioned = ment_memo[both] = [n for n, b in aud_bits.items() if both >> b & 1]
                    for n in mentioned:
                        reasons.append(("mention", n, n))
            if r[_STAR]:
                score += w.star
            return min(score, 1.0), missing, reasons, words

        kw_any = any(kw_hits.values())
        applies: list[tuple[float, _Rec]] = []
        near: list[tuple[float, _Rec]] = []
        for r in recs:
            if r[_INTERNAL]:
                continue
            j = judge(r, False)
            if j is not None:
                (near if j[1] else applies).append((j[0], r))

        applies.sort(key=lambda x: (-x[0], x[1][_MRANK]))
        near.sort(key=lambda x: (-x[0], x[1][_MRANK]))
        # deciding (matcher.tiers): each candidate, best first, until the top is full
        day = as_of or _dt.date.today()
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

        def fetch(recs: list[tuple]) -> None:
            todo = [r for r in recs if r[_MID] not in got]
            if todo:
                got.update(self._measures_for(todo))

        # the likely answer in one query: the first `top` applies and `cap` near candidates
        fetch([r for _s, r in (applies[:top] if top else applies)]
              + ([r for _s, r in (near[:cap] if cap else near)] if include_near else []))

        def decided(chunk: list[tuple[float, tuple]], status: str) -> list[Result]:
            fetch([r for _s, r in chunk])
            out = []
            for score, r in chunk:
                _s, missing, reasons, words = judge(r, True)
                res = self._result(0, p, r, score, status, reasons, words,
                                   list(missing) if status == "near" else [], got.get(r[_MID]))
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
            for res in decided(applies[i:i + step], "applies"):
                if res.tier in ("targeted", "general"):
                    if not top or len(main) < top:
                        main.append(res)
                elif res.tier == "unknown":
                    if cap is None or len(unknown) < cap:
                        unknown.append(res)
                elif res.tier == "near":         # a document-wide audience it can still join
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
                for res in decided(near[i:i + nstep], "near"):
                    if res.tier == "near" and (cap is None or len(near_out) < cap):
                        near_out.append(res)
                    elif res.tier == "expired":
                        expired.append(res)
                i += nstep
        else:
            unknown = []
        results = [res.model_copy(update={"rank": k})
                   for k, res in enumerate([*main, *near_out, *unknown, *expired], 1)]
        info = dict(self.kb_info)
        return MatchResponse(profile=p.to_public_dict(), kb=info, results=results, notes=notes,
                             as_of=day.isoformat(), tiers={k: v for k, v in counts.items()},
                             hidden=hidden)

    def overview(self, profile: Profile, as_of: _dt.date | None = None) -> list[dict]:
        """Every measure of the profile's district, in document order, with what it is for
        this company: ``applies`` (with its rank and tier), ``near`` (with the missing
        condition), ``unknown`` (with the question to ask), ``fails`` (a stated condition it
        does not meet), ``expired``, ``other`` (aimed at an audience the company is not in,
        named) or ``internal`` (government work, never offered). For ``match --all``."""
        resp = self.match(profile, top=None, as_of=as_of)
        status = {r.measure.measure_id: r for r in resp.results}
        recs = list(self._by_district.get(profile.district, [])) + list(self._by_district.get(CITY, []))
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
                names = [n for n, b in self._aud.pos.items() if r[_AUD] >> b & 1]
                row.update(status="other", why="只面向" + "、".join(names) if names else "不适用")
            out.append(row)
        return out

    def _result(self, rank: int, p: Profile, r: _Rec, score: float, status: str,
                raw_reasons: list[tuple[str, str, str]], words: list[str], missing: list[str],
                m: Measure | None = None) -> Result:
        if m is None:
            m = self.measure(r[_MID])
        assert m is not None, r[_MID]
        reasons: list[Reason] = []
        highlight: list[str] = []
        reasons.append(Reason(kind="district", text=f"适用{m.district}:出自《{m.document}》"
                              + (f"({m.issued})" if m.issued else ""), quote=""))
        ev = m.evidence or {}
        for kind, label, word in raw_reasons:
            if kind == "audience":
                q = ev.get("audiences", {}).get(label, label)
                reasons.append(Reason(kind="audience", text=f"面向{label}:原文“{q}”", quote=q))
                highlight.append(_core(q, label))
            elif kind == "need":
                cats = [c for c in self._need_cats.get(label, [label]) if c in m.categories]
                cat = cats[0] if cats else label
                q = ev.get("categories", {}).get(cat, "")
                reasons.append(Reason(kind="need", text=f"满足需求“{label}”(类别:{cat}):原文“{q}”" if q
                                      else f"满足需求“{label}”(类别:{cat})", quote=q,
                                      category=cat))
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
                q = _quote(normalize(m.text), word)
                same = normalize(label) == word
                text = (f"关键词“{label}”:原文“{q}”" if same
                        else f"关键词“{label}”(匹配到“{word}”):原文“{q}”")
                reasons.append(Reason(kind="keyword", text=text, quote=q))
                highlight.append(word)
        if not m.audiences:
            opening = (m.sentences[0] if m.sentences else m.text)[:40]
            reasons.append(Reason(kind="general", text=f"未限定对象,面向本区各类企业:原文“{opening}”",
                                  quote=opening))
        if missing:
            auds = [a for a in m.audiences if a not in {x[1] for x in raw_reasons if x[0] == "audience"}]
            q = next((ev.get("audiences", {}).get(a, "") for a in auds if ev.get("audiences", {}).get(a)), "")
            reasons.append(Reason(kind="audience", text="还差一个条件:" + ";".join(missing)
                                  + (f"。原文“{q}”" if q else ""), quote=q))
            if q:
                highlight.append(q)
        highlight = [h for h in dict.fromkeys(highlight) if h]
        sent = _sentences_with(m.sentences, [h for h in highlight if len(h) >= 2])
        return Result(rank=rank, measure=m, score=round(score, 3), status=status,  # type: ignore[arg-type]
                      missing=missing, reasons=reasons, matched_sentences=sent, matched_terms=highlight)

def _core(quote: str, label: str) -> str:
    return label if label in quote else quote


def _neg_date(issued: str) -> str:
    # newest first: invert the digits of the date so an ascending sort puts it first
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in (issued or "0000"))


def matcher_for(kb) -> Matcher:
    """A matcher over everything a knowledge base holds (seeds, imports, corrections).

    It indexes the KB's lean rows and fetches a full measure from the KB only for each
    result shown, so use it while the knowledge base is open."""
    rows = kb.index_rows()
    docs = kb.documents()
    info = {"documents": len(docs), "measures": len(rows), "version": kb.version}
    return Matcher(rows, info, fetch=kb.get_measure, fetch_many=kb.get_measures)
