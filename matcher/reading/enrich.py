"""A parsed measure (:class:`RawMeasure`) → an enriched :class:`Measure`.

Everything is driven by the lexicons in ``resources/`` (:mod:`matcher.rules.lexicon`):

* offices — *stated* from the trailing note (``牵头责任部门:A、B``, ``牵头单位:A;配合单位:B``),
  split into lead and supporting offices and normalised through the alias table; *inferred*
  for every measure from its heading and text through the weighted responsibility lexicon;
* audiences — only where the measure is about them (see ``audiences.toml``); a document
  limited as a whole (黄浦区中小微企业贷款贴息支持办法) is a condition of the document
  (:mod:`matcher.knowledge.conditions`), not an audience of each measure;
* benefit categories, industries, areas (the measure's own district only) — from phrases in
  context (:mod:`matcher.knowledge.context`): a term's clause must allow it (``requires_any`` /
  ``unless``), a short term must not lie inside other words (``高行`` in ``提高行业``), and an
  industry must name the measure's beneficiaries (…企业/产业/行业, 支持…), not something the
  government builds (开工建设5所学校);
* internal vs enterprise-facing — who acts and who receives (:mod:`matcher.knowledge.internal`).

Each tag keeps the words that triggered it in ``Measure.evidence[kind][tag]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.common.quotes import CLAUSE_DELIMS, quote  # noqa: F401  (re-exported)
from matcher.knowledge.audience import read_audience
from matcher.knowledge.context import context_ok, crossing_word, industry_role
from matcher.knowledge.internal import classify
from matcher.knowledge.offices import DocumentAssignments, infer_offices, split_offices, stated_offices  # noqa: F401  (split_offices, stated_offices: re-exported)
from matcher.knowledge.roles import OFFERED, measure_role
from matcher.models import Measure, RawMeasure
from matcher.rules.lexicon import Lexicons, TagEntry, load_lexicons

_SHORT = 3  # names this short are checked for word boundaries (高行 in 提高行业)
_SENTENCE_RE = re.compile(r"[^。;!?？\n]+[。;!?？]?")
_LABEL_STRIP = re.compile(r"[()()、.．★☆\s]")


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    tag: str
    term: str


def _inside_any(text: str, start: int, end: int, phrases: Sequence[str]) -> bool:
    """Is ``text[start:end]`` inside an occurrence of one of ``phrases``?"""
    for p in phrases:
        # an occurrence at j covers [start, end) iff end - len(p) <= j <= start
        if len(p) >= end - start and text.find(p, max(0, end - len(p)), start + len(p)) >= 0:
            return True
    return False


_TERM_INDEX: dict[int, tuple[Sequence[TagEntry], dict[str, list[tuple[int, int, TagEntry, str]]]]] = {}


def _term_index(entries: Sequence[TagEntry]) -> dict[str, list[tuple[int, int, TagEntry, str]]]:
    """Every term of ``entries`` under its first character (the lexicons are loaded once,
    so this is built once per entry list)."""
    cached = _TERM_INDEX.get(id(entries))
    if cached is not None and cached[0] is entries:
        return cached[1]
    index: dict[str, list[tuple[int, int, TagEntry, str]]] = {}
    for ei, e in enumerate(entries):
        for ti, term in enumerate(e.terms):
            if term:
                index.setdefault(term[0], []).append((ei, ti, e, term))
    _TERM_INDEX[id(entries)] = (entries, index)
    return index


def _find_tags(text: str, entries: Sequence[TagEntry], *, longest: bool, boundaries: bool = False) -> list[Hit]:
    """All occurrences of every entry's terms, minus those inside its ``not_in`` phrases or
    refused by its clause context (``requires_any`` / ``unless``, :mod:`matcher.knowledge.context`).

    With ``longest``, an occurrence strictly inside a longer occurrence (of any entry) is
    dropped: ``科技型中小企业`` hides the ``中小企业`` it contains. With ``boundaries``, an
    occurrence of a short name (≤ 3 characters) must start and end where words do (``高行`` is
    not in ``提高行业``); longer names (``湾区科创中心``) are specific enough.
    """
    index = _term_index(entries)
    found: list[tuple[int, int, int, int, Hit]] = []
    for ch in set(text).intersection(index):
        for ei, ti, e, term in index[ch]:
            i = text.find(term)
            while i >= 0:
                j = i + len(term)
                if (
                    not (e.not_in and _inside_any(text, i, j, e.not_in))
                    and ((not e.requires_any and not e.unless) or context_ok(e, term, text, i, j))
                    and not (boundaries and j - i <= _SHORT and crossing_word(text, i, j))
                ):
                    found.append((i, -j, ei, ti, Hit(i, j, e.name, term)))
                i = text.find(term, i + 1)
    # the order of a scan entry by entry, term by term: ties keep the lexicon's order
    found.sort(key=lambda f: f[:4])
    hits = [f[4] for f in found]
    if longest and hits:
        hits = [
            h
            for h in hits
            if not any(o.start <= h.start and o.end >= h.end and (o.end - o.start) > (h.end - h.start) for o in hits)
        ]
    return hits


def sentences_of(raw: RawMeasure) -> list[str]:
    if raw.sentences:
        return list(raw.sentences)
    return [s.strip() for s in _SENTENCE_RE.findall(raw.text) if s.strip()]


def measure_id(doc_id: str, path: Sequence[str]) -> str:
    labels = [_LABEL_STRIP.sub("", p) for p in path]
    from matcher.common.ids import measure_id as make_id

    return make_id(doc_id, ".".join(x for x in labels if x))


def _title(raw: RawMeasure, sentences: Sequence[str]) -> str:
    if raw.heading.strip():
        return raw.heading.strip().rstrip("。")
    first = sentences[0] if sentences else raw.text
    first = re.split(r"[,。;:]", first, maxsplit=1)[0]
    return first[:24]


def _dedup(xs: Iterable[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


# --------------------------------------------------------------------------- audiences


def _non_limiting(lex: Lexicons) -> list[str]:
    return lex.audiences.non_limiting


def _is_non_limiting(sentence: str, start: int, end: int, term: str, lex: Lexicons) -> bool:
    cache = lex.cache().setdefault("nonlim", {})
    for tmpl in _non_limiting(lex):
        key = (tmpl, term)
        rx = cache.get(key)
        if rx is None:
            rx = cache[key] = re.compile(tmpl.replace("{term}", re.escape(term)))
        for m in rx.finditer(sentence):
            if m.start() <= start and m.end() >= end:
                return True
    return False


def _audiences(
    raw: RawMeasure, sentences: Sequence[str], lex: Lexicons
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    entries = lex.audiences.audience
    restricting: dict[str, str] = {}
    mentions: dict[str, str] = {}
    in_heading = {h.tag for h in _find_tags(raw.heading, entries, longest=True)} if raw.heading else set()
    per_tag_sentences: dict[str, set[int]] = {}
    quotes: dict[str, str] = {}
    mention_quotes: dict[str, str] = {}
    for k, sent in enumerate(sentences):
        for h in _find_tags(sent, entries, longest=True):
            q = quote(sent, h.start, h.end)
            if _is_non_limiting(sent, h.start, h.end, h.term, lex):
                mention_quotes.setdefault(h.tag, q)
                continue
            per_tag_sentences.setdefault(h.tag, set()).add(k)
            quotes.setdefault(h.tag, q)
    # a sentence that is only the heading ("创新主体培育。") does not count in the share
    head = raw.heading.strip().rstrip("。")
    body = [k for k, s in enumerate(sentences) if not head or s.strip().rstrip("。") != head]
    n = max(1, len(body))
    for tag, ks in per_tag_sentences.items():
        if tag in in_heading or len(ks) / n >= lex.audiences.min_share:
            restricting[tag] = quotes[tag]
        else:
            mentions[tag] = quotes[tag]
    # a heading that names an audience is about that audience, even where its words read
    # like a growth target ("加快外资总部集聚")
    if raw.heading:
        for h in _find_tags(raw.heading, entries, longest=True):
            if h.tag not in restricting:
                restricting[h.tag] = quotes.get(h.tag) or quote(raw.heading, h.start, h.end)
                mentions.pop(h.tag, None)
    for tag, q in mention_quotes.items():
        if tag not in restricting and tag not in mentions:
            mentions[tag] = q
    order = [a.name for a in entries]
    tags = sorted(restricting, key=order.index)
    return tags, {t: restricting[t] for t in tags}, mentions


# --------------------------------------------------------------------------- simple tags


def _tags(
    text: str, entries: Sequence[TagEntry], *, longest: bool, boundaries: bool = False
) -> tuple[list[str], dict[str, str]]:
    ev: dict[str, str] = {}
    for h in _find_tags(text, entries, longest=longest, boundaries=boundaries):
        ev.setdefault(h.tag, quote(text, h.start, h.end))
    order = [e.name for e in entries]
    tags = sorted(ev, key=order.index)
    return tags, ev


def _areas(text: str, district: str, lex: Lexicons) -> tuple[list[str], dict[str, str]]:
    """The district's own streets, towns and zones, found at word boundaries."""
    cache = lex.cache().setdefault("area_entries", {})
    entries = cache.get(district)
    if entries is None:  # built once per district (and so indexed once by _find_tags)
        entries = cache[district] = [
            TagEntry(name=a.name, terms=_dedup([a.name, *a.aliases])) for a in lex.areas_for(district)
        ]
    if not entries:
        return [], {}
    return _tags(text, entries, longest=True, boundaries=True)


def _industries(heading: str, text: str, lex: Lexicons) -> tuple[list[str], dict[str, str]]:
    """Industries the measure is *for*: the term names its beneficiaries (…企业, …产业,
    支持…, the heading), not something the government builds or runs."""
    entries = lex.industries.industry
    role = lex.industries.role
    ev: dict[str, str] = {}
    hl = len(heading) + 1 if heading and heading not in text else 0
    scan = f"{heading}。{text}" if hl else text
    for h in _find_tags(scan, entries, longest=False, boundaries=True):
        if h.tag in ev:
            continue
        in_heading = h.start < hl or (bool(heading) and h.term in heading)
        if industry_role(role, h.term, scan, h.start, h.end, in_heading):
            ev[h.tag] = quote(scan, h.start, h.end)
    order = [e.name for e in entries]
    tags = sorted(ev, key=order.index)
    return tags, ev


# --------------------------------------------------------------------------- internal


# words naming firms as those an item addresses (not 企事业单位, a government unit's wording)
_FIRM_WORD = re.compile(r"(?<!企事)企业|纳税人|缴费人|市场主体|商户|个体工商户|经营者|用人单位")


def classify_internal(raw: RawMeasure, lex: Lexicons) -> tuple[bool, dict[str, str], dict[str, str]]:
    """(internal?, why-internal evidence, why-enterprise evidence); see :mod:`matcher.knowledge.internal`."""
    d = classify(raw, lex)
    return d.internal, d.internal_evidence, d.enterprise_evidence


# --------------------------------------------------------------------------- enrich


def enrich(
    raw: RawMeasure,
    *,
    doc_id: str,
    district: str,
    document: str,
    issued: str | None,
    order: int,
    lex: Lexicons | None = None,
    source: str = "seed",
    doc_context: DocumentAssignments | None = None,
) -> Measure:
    """Fill every :class:`Measure` field from a parsed measure and the lexicons."""
    lex = lex or load_lexicons()
    sentences = sentences_of(raw)
    text = raw.text

    st = stated_offices(raw.office_note, district, lex)  # verbatim + canonical (matcher.knowledge.offices)
    inferred, ev_off = infer_offices(text, raw.heading, district, lex, doc_context)

    audiences, ev_aud, ev_mentions = _audiences(raw, sentences, lex)
    scan = f"{raw.heading}。{text}" if raw.heading and raw.heading not in text else text
    categories, ev_cat = _tags(scan, lex.categories.category, longest=False, boundaries=True)
    industries, ev_ind = _industries(raw.heading, text, lex)
    areas, ev_area = _areas(scan, district, lex)
    internal, ev_int, ev_ent = classify_internal(raw, lex)
    role, role_why = measure_role(
        raw.heading,
        sentences,
        parents=raw.parents,
        internal=internal,
        safeguard=raw.section == "safeguard",
        programme=raw.path == ["通知"] or raw.support,
        document=document,
        facing_firms=bool(ev_ent) or bool(_FIRM_WORD.search(scan)),
    )

    evidence: dict[str, dict[str, str]] = {
        "audiences": ev_aud,
        "categories": ev_cat,
        "industries": ev_ind,
        "areas": ev_area,
        "offices_inferred": ev_off,
        "internal": ev_int,
    }
    if ev_mentions:
        evidence["audience_mentions"] = ev_mentions
    if ev_ent:
        evidence["enterprise_facing"] = ev_ent
    evidence["role"] = {role: role_why} if role_why else {}

    m = Measure(
        measure_id=measure_id(doc_id, raw.path or [raw.clause]),
        doc_id=doc_id,
        district=district,
        document=document,
        issued=issued,
        clause=raw.clause,
        path=list(raw.path),
        title=_title(raw, sentences),
        parents=list(raw.parents),
        text=text,
        sentences=sentences,
        offices=st["offices"] or inferred,
        office_source="stated" if st["offices"] else ("inferred" if inferred else "none"),
        offices_canonical=st["canonical"] if st["offices"] else inferred,
        offices_lead=st["lead"],
        offices_support=st["support"],
        offices_inferred=inferred,
        audiences=audiences,
        categories=categories,
        industries=industries,
        areas=areas,
        star=raw.star,
        internal=internal or role not in OFFERED,
        enterprise_facing=not internal,
        role=role,
        audience=read_audience(raw.heading, sentences, raw.parents, document),
        evidence=evidence,
        order=order,
        source=source,
    )
    from matcher.knowledge.fill import fill_measure  # conditions, amounts, window (issue 10)

    return fill_measure(m, raw.heading)
