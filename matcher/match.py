"""Profile in, applicable measures out: ranked, each with its office and its reasons.

Semantics (DESIGN.md, "Matching"):

* a district document applies only to its own district (a city-level one to all);
* a measure that names audiences applies only to a profile in one of them; one that
  names none applies to every enterprise of the district;
* internal measures (government's own work) are never offered;
* needs, industry, area and keywords rank what applies; measures that serve no stated
  need still appear, lower;
* a measure one changeable condition away (高新技术企业, 专精特新, a need not ticked) is
  ``near`` and names what is missing; district and ownership never make a measure near.

The matcher holds a compact in-memory index (bit masks for tags, the text for keyword
search) so that one match over 100,000 measures stays well under 100 ms; full
:class:`Measure` records are fetched only for the results shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, Field

from . import fuzzy
from .lexicon import load_lexicons
from .models import MatchResponse, Measure, Reason, Result
from .profile import Profile, load_profile_rules
from .rules import load_toml
from .text import normalize

CITY = "上海市"


# --------------------------------------------------------------------------- rules

class AudienceRule(BaseModel):
    model_config = {"extra": "forbid"}
    name: str
    sizes: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    zjtx_min: int | None = None
    changeable: bool = False
    missing: str = ""


class Weights(BaseModel):
    model_config = {"extra": "forbid"}
    base: float
    need_first: float
    need_more: float
    audience: float
    mention: float
    need_density: float
    industry: float
    area: float
    keyword_first: float
    keyword_more: float
    keyword_in_title: float
    star: float


class SynonymGroup(BaseModel):
    model_config = {"extra": "forbid"}
    terms: list[str]


class MatchRules(BaseModel):
    model_config = {"extra": "forbid"}
    audience: list[AudienceRule]
    weights: Weights
    synonyms: list[SynonymGroup] = Field(default_factory=list)


@lru_cache(maxsize=1)
def load_match_rules() -> MatchRules:
    rules = load_toml("match_rules.toml", MatchRules)
    from .errors import RuleFileError

    lex = load_lexicons()
    known_aud = {a.name for a in lex.audiences.audience}
    prules = load_profile_rules()
    sizes, flags, needs = set(prules.size_names()), set(prules.flag_names()), set(prules.need_names())
    for a in rules.audience:
        if a.name not in known_aud:
            raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 不在 audiences.toml 中")
        for s in a.sizes:
            if s not in sizes:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 sizes 含未知规模“{s}”")
        for f in a.flags:
            if f not in flags:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 flags 含未知标签“{f}”")
        for n in a.needs:
            if n not in needs:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 needs 含未知需求“{n}”")
        if a.changeable and not a.missing:
            raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 可争取(changeable)但缺少 missing 说明")
    return rules


# --------------------------------------------------------------------------- index

class _Bits:
    """Names ↔ bit positions, so tag sets are ints."""

    def __init__(self) -> None:
        self.pos: dict[str, int] = {}

    def mask(self, names: Iterable[str]) -> int:
        m = 0
        for n in names:
            if n not in self.pos:
                self.pos[n] = len(self.pos)
            m |= 1 << self.pos[n]
        return m

    def known(self, names: Iterable[str]) -> int:
        m = 0
        for n in names:
            p = self.pos.get(n)
            if p is not None:
                m |= 1 << p
        return m


@dataclass(slots=True)
class _Rec:
    idx: int
    measure_id: str
    district: str
    issued: str
    order: int
    internal: bool
    star: bool
    aud: int
    cat: int
    pcat: int            # categories the measure is mainly about (named in its title or opening)
    ment: int            # audiences mentioned without limiting the measure (a ranking hint)
    ind: int
    area: int
    title: str
    text: str            # title + text, normalised, for keyword search


def _sentences_with(sentences: list[str], words: list[str]) -> list[str]:
    out = []
    for s in sentences:
        if any(w and w in s for w in words):
            out.append(s)
    return out


def _quote(text: str, word: str, width: int = 14) -> str:
    i = text.find(word)
    if i < 0:
        return word
    a = max(0, i - width)
    b = min(len(text), i + len(word) + width)
    q = text[a:b].replace("\n", "")
    return ("…" if a > 0 else "") + q + ("…" if b < len(text) else "")


class Matcher:
    """Matches profiles against a list of measures held in a compact index."""

    def __init__(self, measures: Iterable[Measure], kb_info: dict | None = None,
                 fetch: Callable[[str], Measure | None] | None = None):
        self.rules = load_match_rules()
        self.lex = load_lexicons()
        self.kb_info = dict(kb_info or {})
        self._aud, self._cat, self._ind, self._area = _Bits(), _Bits(), _Bits(), _Bits()
        self._cat_terms = {c.name: [normalize(t) for t in c.terms] for c in self.lex.categories.category}
        self._recs: list[_Rec] = []
        self._by_district: dict[str, list[_Rec]] = {}
        self._keep: dict[str, Measure] = {}
        self._fetch = fetch
        for i, m in enumerate(measures):
            r = _Rec(
                idx=i, measure_id=m.measure_id, district=m.district, issued=m.issued or "",
                order=m.order, internal=m.internal, star=m.star,
                aud=self._aud.mask(m.audiences), cat=self._cat.mask(m.categories),
                pcat=self._cat.mask(self._primary_categories(m)),
                ment=self._aud.mask((m.evidence or {}).get("audience_mentions", {}).keys()),
                ind=self._ind.mask(m.industries), area=self._area.mask(m.areas),
                # stored text is already repaired and normalised (matcher.text.repair)
                title=m.title, text=f"{m.title}。{m.text}",
            )
            self._recs.append(r)
            self._by_district.setdefault(m.district, []).append(r)
            if fetch is None:
                self._keep[m.measure_id] = m
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

    def _primary_categories(self, m: Measure) -> list[str]:
        head = normalize(f"{m.title}。{m.text[:40]}")
        return [c for c in m.categories if any(t in head for t in self._cat_terms.get(c, [c]))]

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

    # ── matching ──

    def match(self, profile: Profile, top: int | None = 30, include_near: bool = True) -> MatchResponse:
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
        # keyword hits per record: exact first; fuzzy only for terms found nowhere exactly
        kw_hits: dict[str, dict[int, str]] = {}
        for t, forms in term_forms.items():
            hits: dict[int, str] = {}
            for r in recs:
                for f in forms:
                    if f and f in r.text:
                        hits[r.idx] = f
                        break
            if not hits and len(normalize(t)) >= fuzzy.MIN_FUZZY_LEN:
                for r in recs:
                    found = fuzzy.find_in_text(normalize(t), r.text)
                    if found:
                        a, b, _s = found[0]
                        hits[r.idx] = r.text[a:b]
            if not hits:
                # a compound nobody writes as such ("破产重整"): look for its known parts
                parts = [x for x in self._syn if len(x) >= 2 and x in normalize(t) and x != normalize(t)]
                for r in recs:
                    for f in parts:
                        if f in r.text:
                            hits[r.idx] = f
                            break
            kw_hits[t] = hits
            if recs and not hits:
                notes.append(f"关键词“{t}”在{p.district}的措施中没有找到(已尝试同义词和近似写法)。")

        profile_aud = self._aud.known(n for n, rule in self._aud_rules.items() if self._in_audience(p, rule))
        need_terms = {n: [t for c in self._need_cats.get(n, [n]) for t in self._cat_terms.get(c, [])]
                      for n in p.needs}
        applies: list[tuple[float, _Rec, list[Reason], list[str]]] = []
        near: list[tuple[float, _Rec, list[Reason], list[str], list[str]]] = []
        aud_bits = self._aud.pos
        for r in recs:
            if r.internal:
                continue
            reasons: list[tuple[str, str, str]] = []   # kind, label, word
            words: list[str] = []
            missing: list[str] = []
            # audience
            if r.aud:
                names = [n for n, b in aud_bits.items() if r.aud >> b & 1]
                ok = [n for n in names if n in self._aud_rules and self._in_audience(p, self._aud_rules[n])]
                unknown = [n for n in names if n not in self._aud_rules]
                if not ok and not unknown:
                    reachable = [self._aud_rules[n] for n in names if self._aud_rules[n].changeable]
                    if not reachable or not include_near:
                        continue
                    missing = [reachable[0].missing]
                else:
                    for n in ok or unknown:
                        reasons.append(("audience", n, n))
            score = w.base
            # needs
            served = [n for n, m in need_cats.items() if r.cat & m]
            if served:
                main = any(r.pcat & need_cats[n] for n in served)
                direct = any(r.cat & need_main[n] for n in served)   # the need's own category
                first = w.need_first * (1.0 if main else 0.6) * (1.0 if direct else 0.75)
                score += first + w.need_more * (len(served) - 1)
                dense = len({t for n in served for t in need_terms[n] if t in r.text})
                score += w.need_density * min(dense, 3)
                for n in served:
                    reasons.append(("need", n, ""))
            # industry
            ind_word = ""
            if ind_mask and r.ind & ind_mask:
                ind_word = "tag"
            for iw in ind_words:
                if iw in r.text:
                    ind_word = iw
                    break
            if ind_word:
                score += w.industry
                reasons.append(("industry", p.specialisation or p.industry or "", ind_word))
            # area
            if area_names:
                aw = next((a for a in area_names if a in r.text), "")
                if aw or (area_mask and r.area & area_mask):
                    score += w.area
                    reasons.append(("area", p.area, aw))
            # keywords
            kws = [(t, kw_hits[t][r.idx]) for t in terms if r.idx in kw_hits[t]]
            if kws:
                score += w.keyword_first + w.keyword_more * (len(kws) - 1)
                if any(f in r.title for _t, f in kws):
                    score += w.keyword_in_title
                for t, f in kws:
                    reasons.append(("keyword", t, f))
                    words.append(f)
            if r.aud and not missing:
                score += w.audience
            elif r.ment & profile_aud:
                score += w.mention
                for n, b in aud_bits.items():
                    if (r.ment & profile_aud) >> b & 1:
                        reasons.append(("mention", n, n))
            if r.star:
                score += w.star
            score = min(score, 1.0)
            if missing:
                near.append((score, r, reasons, words, missing))
            else:
                applies.append((score, r, reasons, words))

        applies.sort(key=lambda x: (-x[0], _neg_date(x[1].issued), x[1].order))
        near.sort(key=lambda x: (-x[0], _neg_date(x[1].issued), x[1].order))
        if top:
            applies = applies[:top]
            near = near[: max(5, top // 3)]
        results: list[Result] = []
        for score, r, reasons, words in applies:
            results.append(self._result(len(results) + 1, p, r, score, "applies", reasons, words, []))
        if include_near:
            for score, r, reasons, words, missing in near:
                results.append(self._result(len(results) + 1, p, r, score, "near", reasons, words, missing))
        info = dict(self.kb_info)
        return MatchResponse(profile=p.to_public_dict(), kb=info, results=results, notes=notes)

    def overview(self, profile: Profile) -> list[dict]:
        """Every measure of the profile's district, in document order, with what it is for
        this company: ``applies`` (with its rank), ``near`` (with the missing condition),
        ``other`` (aimed at an audience the company is not in, named) or ``internal``
        (government work, never offered). For ``match --all``."""
        resp = self.match(profile, top=None)
        status = {r.measure.measure_id: r for r in resp.results}
        recs = list(self._by_district.get(profile.district, [])) + list(self._by_district.get(CITY, []))
        recs.sort(key=lambda r: (_neg_date(r.issued), r.measure_id.split("/")[0], r.order))
        out = []
        for r in recs:
            res = status.get(r.measure_id)
            row = {"measure_id": r.measure_id, "internal": r.internal, "rank": None, "why": ""}
            if r.internal:
                row.update(status="internal", why="政府内部工作,不面向企业")
            elif res is not None and res.status == "applies":
                row.update(status="applies", rank=res.rank)
            elif res is not None:
                row.update(status="near", why="还差:" + "、".join(res.missing))
            else:
                names = [n for n, b in self._aud.pos.items() if r.aud >> b & 1]
                row.update(status="other", why="只面向" + "、".join(names) if names else "不适用")
            out.append(row)
        return out

    def _result(self, rank: int, p: Profile, r: _Rec, score: float, status: str,
                raw_reasons: list[tuple[str, str, str]], words: list[str], missing: list[str]) -> Result:
        m = self.measure(r.measure_id)
        assert m is not None, r.measure_id
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

    # ── search ──

    def search(self, text: str, district: str | None = None, top: int = 30) -> list[Result]:
        """Fuzzy search of all measures (title and text), as you type."""
        q = normalize(text)
        if not q:
            return []
        terms = [t for t in re.split(r"\s+", q) if t]
        recs = self._recs if not district else self._by_district.get(district, [])
        scored: list[tuple[float, _Rec, list[str]]] = []
        forms = {t: self.expand(t) for t in terms}
        for r in recs:
            if r.internal and False:
                continue
            total = 0.0
            hit_words: list[str] = []
            for t in terms:
                best = 0.0
                word = ""
                for k, f in enumerate(forms[t]):
                    if f in r.text:
                        s = 1.0 if k == 0 else 0.7
                        if f in r.title:
                            s += 0.3
                        if s > best:
                            best, word = s, f
                if best:
                    total += best
                    hit_words.append(word)
            if total:
                scored.append((total / len(terms), r, hit_words))
        if not scored:
            # nothing exact: typos and near spellings, for terms long enough
            long_terms = [t for t in terms if len(t) >= fuzzy.MIN_FUZZY_LEN]
            if long_terms:
                for r in recs:
                    total, hit_words = 0.0, []
                    for t in long_terms:
                        found = fuzzy.find_in_text(t, r.text)
                        if found:
                            a, b, s = found[0]
                            total += s / 100 * 0.8
                            hit_words.append(r.text[a:b])
                    if total:
                        scored.append((total / len(terms), r, hit_words))
        scored.sort(key=lambda x: (-x[0], x[1].internal, _neg_date(x[1].issued), x[1].order))
        out = []
        for s, r, words in scored[:top]:
            m = self.measure(r.measure_id)
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


def _core(quote: str, label: str) -> str:
    return label if label in quote else quote


def _neg_date(issued: str) -> str:
    # newest first: invert the digits of the date so an ascending sort puts it first
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in (issued or "0000"))


def matcher_for(kb) -> Matcher:
    """A matcher over everything a knowledge base holds (seeds, imports, corrections)."""
    measures = kb.measures(include_internal=True)
    docs = kb.documents()
    info = {"documents": len(docs), "measures": len(measures), "version": kb.version}
    return Matcher(measures, info)
