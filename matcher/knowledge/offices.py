"""Responsible offices: the offices a document states (verbatim, and recognised as the
district's real bodies), and the offices inferred for measures whose document states none.

* :func:`split_note`, :func:`split_offices` (:mod:`matcher.knowledge.office_notes`) — every
  written form of a stated office: labelled tags, unlabelled trailing lists, 牵头/配合,
  按职责分工负责 and 等 tails, the lead office first.
* :func:`canonical_office` — a name as written → the body it is in a district, by the
  register of real offices (``resources/office_register.toml``): ``区科经委`` and ``区科委``
  in 静安区 → ``区科技经济委``; ``区金融工作局`` (the lexicon's finance office) → ``区投资办``
  in 静安区. Unknown names stay as written.
* :func:`stated_offices` — a tag → lead, support, offices (verbatim, lead first) and canonical
  (the offices a firm can visit: never 各街镇, 各区政府, companies or mass organisations).
* :func:`infer_offices` — offices named in the measure's own words first, then what the
  document says elsewhere (:mod:`matcher.knowledge.office_context`), then the lexicon's field
  mapped to the district's body for it; an office the district does not have is never named.

Driven by ``resources/offices.toml`` (:mod:`matcher.rules.lexicon`) and the register
(:mod:`matcher.rules.office_register`).
"""

from __future__ import annotations

import re
from typing import Protocol

from matcher.common.quotes import quote
from matcher.knowledge.office_notes import (  # noqa: F401  (re-exported: the note readers live there)
    _CLAUSE_HEAD,
    _DISTRICTS,
    _dedup,
    _lex,
    label_kinds,
    names_re,
    note_re,
    split_note,
    split_offices,
)
from matcher.models import CITY
from matcher.rules.lexicon import Lexicons, Office, normalise_office
from matcher.rules.office_register import load_register


class DocumentAssignments(Protocol):
    """What :func:`infer_offices` needs of a document's assignments (an
    ``office_context.DocContext``, which imports this module): whether there are any, and
    the offices they assign to one measure's words as (fields, firsts, defaults, signed) of
    (name, why): the offices its field words name, the programme's receiving office and
    issuer, the document's other offices, the other signatories of a joint notice."""

    def __len__(self) -> int: ...

    def assigned(
        self, scan: str, score_of: dict[str, float] | None = None
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]: ...


# a name written with its second nameplate in brackets: 区发展改革委(区营商办)
_NAMEPLATE = re.compile(r"(.+?)[(（]([^()（）]+)[)）]")
_ANGLE = re.compile(r"[<＜〈《][^<>〈〉《》＜＞]*[>＞〉》]")
_DISTRICT_PREFIX = re.compile(rf"^(?:上海市)?(?:{_DISTRICTS})(?:新)?区(?=.)")


def is_city(district: str | None) -> bool:
    return district == CITY


def __getattr__(name: str):
    if name == "OFFICE_NOTE_RE":  # built from the labels of the default offices.toml
        return note_re()
    raise AttributeError(name)


# --------------------------------------------------------------------------- recognised offices


def _office_local(lex: Lexicons) -> dict[str, dict[str, str]]:
    c = lex.cache()
    if "office_local" not in c:
        c["office_local"] = {o.name: dict(o.local) for o in lex.offices.office if o.local}
    return c["office_local"]


def local_name(canonical: str, district: str | None, lex: Lexicons | None = None) -> str:
    """A lexicon office → the body doing its work in ``district`` (静安区: 区科委 → 区科技经济委,
    区金融工作局 → 区投资办); itself where the register does not say."""
    lex = _lex(lex)
    if not district:
        return canonical
    loc = _office_local(lex).get(canonical, {}).get(district)
    if loc:
        return loc
    return load_register().body_for_office(canonical, district) or canonical


def district_body(canonical: str, district: str | None, lex: Lexicons | None = None) -> str | None:
    """Like :func:`local_name`, but ``None`` when the district has no known body for the work
    of this lexicon office (inference then names none)."""
    lex = _lex(lex)
    loc = _office_local(lex).get(canonical, {}).get(district or "")
    if loc:
        return loc
    return load_register().body_for_office(canonical, district)


def canonical_office(name: str, district: str | None = None, lex: Lexicons | None = None) -> str:
    """One office as written → the body it is in ``district``.

    ``区财政局<区金融办>`` → ``区财政局``; ``区发改委`` → ``区发展改革委``; in 静安区 ``区科经委`` and
    ``区科委`` → ``区科技经济委``; in 杨浦区 ``区科委`` (its former name) → ``区科技经济委``. A name
    neither the register nor the lexicon knows stays as written (trimmed, district prefix
    folded), never rewritten into another office.
    """
    lex = _lex(lex)
    reg = load_register()
    main = _ANGLE.sub("", name).strip() or name
    m = _NAMEPLATE.fullmatch(main)  # a second nameplate in brackets: 区发展改革委(区营商办)
    base = m.group(1) if m else main
    folded = _DISTRICT_PREFIX.sub("区", base)
    norm = normalise_office(base, lex)
    if district:
        for cand in (base, folded, norm):
            body = reg.body_named(cand, district)
            if body:
                return body
        body = district_body(norm, district, lex)
        if body:
            return body
        if _kinds(lex).get(norm) in ("district", "municipal"):
            # a government body the register does not list for this district: as written
            # (区金融办 stays 区金融办 where no source says which body does finance)
            return main if m else folded
    if m and norm not in lex.office_alias_map().values():
        return main
    return local_name(norm, district, lex)


def visitable(name: str, lex: Lexicons | None = None) -> bool:
    """Is a stated name an office a firm can visit? Not a group (各街镇, 各区政府, 各相关部门),
    a company (城投公司, 市电力公司) or a mass organisation (团区委)."""
    lex = _lex(lex)
    nv = load_register().not_visited
    main = _ANGLE.sub("", name).strip() or name
    norm = normalise_office(main, lex)
    if _kinds(lex).get(norm) == "generic":
        return False
    return not (nv.covers(main) or nv.covers(norm) or nv.covers(_DISTRICT_PREFIX.sub("区", main)))


def stated_offices(note: str, district: str | None = None, lex: Lexicons | None = None) -> dict[str, list[str]]:
    """A tag → {"lead", "support", "offices" (verbatim, lead first), "canonical" (the offices
    a firm can visit, recognised in the district, lead first)}."""
    lex = _lex(lex)
    lead, support = split_offices(note, lex) if note.strip() else ([], [])
    offices = _dedup([*lead, *support])
    return {
        "lead": lead,
        "support": support,
        "offices": offices,
        "canonical": _dedup(canonical_office(o, district, lex) for o in offices if visitable(o, lex)),
    }


def group_office(measure) -> str:
    """The office a measure is grouped under (按部门办理, handout): its first canonical office,
    else its first office as shown, else ""."""
    canon = list(getattr(measure, "offices_canonical", None) or [])
    offices = list(getattr(measure, "offices", None) or [])
    return (canon or offices or [""])[0]


# --------------------------------------------------------------------------- inferred offices


def _kinds(lex: Lexicons) -> dict[str, str]:
    c = lex.cache()
    if "office_kinds" not in c:
        c["office_kinds"] = {o.name: o.kind for o in lex.offices.office}
    return c["office_kinds"]


def fits_level(canonical: str, district: str | None, lex: Lexicons) -> bool:
    """Can this office serve a document of this level? City documents: city bodies (市…,
    customs, companies), never 区…; district documents: never 市… bodies."""
    kind = _kinds(lex).get(normalise_office(canonical, lex), "")
    if kind == "generic":
        return False
    if is_city(district):
        return kind in ("municipal", "city", "other") or (not kind and canonical.startswith("市"))
    return kind != "municipal" and not canonical.startswith("市")


_ACTOR_BEFORE = re.compile(r"(?:由|向|经|请|会同|并由|报)$")
_NOT_ACTOR_BEFORE = re.compile(r"(?:依托|发挥|借助|通过|与|联合|联动|对接|支持|协助)[^,，。;；]{0,4}$")


def named_offices(text: str, district: str | None, lex: Lexicons | None = None) -> list[tuple[int, str, str, bool]]:
    """Offices the text names, as (position, canonical, quote, actor?), in order. An office is
    an actor when it opens a clause (区发改委加强统筹…) or follows 由/向/经/会同 (向区商务委申报);
    one the text only relies on (依托区行政服务中心窗口, 发挥区工商联优势) is a mention."""
    lex = _lex(lex)
    out: list[tuple[int, str, str, bool]] = []
    seen: set[str] = set()
    for m in names_re(lex).finditer(text):
        canon = canonical_office(m.group(0), district, lex)
        if canon in seen or not fits_level(normalise_office(m.group(0), lex), district, lex):
            continue
        if not visitable(m.group(0), lex):
            continue  # a company or a mass organisation is not an office to visit
        seen.add(canon)
        before = text[max(0, m.start() - 8) : m.start()]
        before = re.sub(r"(?:上海市?)?(?:%s)?$" % _DISTRICTS, "", before)
        opens = not before or before[-1] in ',，。;；:：、“"\n' or re.search(r"[)）.、]\s*$", before)
        actor = bool((opens or _ACTOR_BEFORE.search(before)) and not _NOT_ACTOR_BEFORE.search(before))
        out.append((m.start(), canon, quote(text, m.start(), m.end()), actor))
    return out


def _counterparts(lex: Lexicons) -> dict[str, list[str]]:
    """A city body → the lexicon's district offices doing its work in a district (its ``city``)."""
    c = lex.cache()
    if "counterparts" not in c:
        out: dict[str, list[str]] = {}
        for o in lex.offices.office:
            if o.city and o.kind not in ("municipal", "generic"):
                out.setdefault(o.city, []).append(o.name)
        c["counterparts"] = out
    return c["counterparts"]


# what a city body does to the thing a district measure then supports (经市经信委认定的…,
# 通过市经济信息化委验收的…项目, 获市商务委资助的…): the district's part is its counterpart's
_CITY_GRANTS = re.compile(
    r"^[^,，。;；]{0,10}?(?:认定|验收|审核|审定|批准|评定|评审|立项|认证|资助|奖励|补贴|扶持|授牌|命名|备案)"
)


def counterpart_offices(text: str, district: str | None, lex: Lexicons | None = None) -> list[tuple[str, str]]:
    """City bodies that certify, approve or fund what a district measure supports
    (经市经信委等相关部门验收通过…予以区级配套) → the district's own body for the same work
    (区经委 in 松江, 区科技经济委 in 静安), with the words: the district's part of a city body's
    programme is its counterpart's (上下对口). A city body only mentioned (配合市工商联…,
    加强与市商务委…的联系) points nowhere."""
    lex = _lex(lex)
    if not district or is_city(district):
        return []
    reg = load_register()
    out: list[tuple[str, str]] = []
    for m in names_re(lex).finditer(text):
        norm = normalise_office(m.group(0), lex)
        if _kinds(lex).get(norm) != "municipal" or not _CITY_GRANTS.search(text[m.end() : m.end() + 16]):
            continue
        for office in _counterparts(lex).get(norm, []):
            body = district_body(office, district, lex)
            if body and reg.has(body, district) and body not in [b for b, _ in out]:
                out.append((body, quote(text, m.start(), m.end())))
    return out


def _audience_terms(lex: Lexicons) -> frozenset[str]:
    c = lex.cache()
    if "audience_terms" not in c:
        c["audience_terms"] = frozenset(t for a in lex.audiences.audience for t in a.terms)
    return c["audience_terms"]


def _lexicon_targets(lex: Lexicons, district: str | None) -> list[tuple[Office, str]]:
    """(office entry, the name to infer) for every office with terms, at this level."""
    key = ("lexicon_targets", is_city(district), district)
    c = lex.cache()
    if key not in c:
        out: list[tuple[Office, str]] = []
        reg = load_register()
        for office in lex.offices.office:
            if not office.terms or office.kind == "generic":
                continue
            if is_city(district):
                city = office.name if office.kind in ("municipal", "city", "other") else office.city
                if city and reg.has(city, CITY):
                    out.append((office, city))
            elif office.kind != "municipal":
                # the district's own body for this office's work; none where no source names one
                body = district_body(office.name, district, lex)
                if body and reg.has(body, district):
                    out.append((office, body))
                    local = _office_local(lex).get(office.name, {}).get(district or "")
                    if body != office.name and not local and reg.has(office.name, district):
                        # a vertical body the register gives a district body's part of (customs'
                        # 口岸 work → 区商务委) is still the office that certifies: named next
                        out.append((office, office.name))
        c[key] = out
    return c[key]


def _terms_by_char(lex: Lexicons, district: str | None) -> dict[str, list[tuple[int, str, float]]]:
    """The lexicon terms of :func:`_lexicon_targets` indexed by their first character."""
    key = ("terms_by_char", is_city(district), district)
    c = lex.cache()
    if key not in c:
        idx: dict[str, list[tuple[int, str, float]]] = {}
        for k, (office, _) in enumerate(_lexicon_targets(lex, district)):
            for term, w in office.terms.items():
                idx.setdefault(term[0], []).append((k, term, w))
        c[key] = idx
    return c[key]


def _occurrences(
    text: str, by_char: dict, cap_of, neutral: tuple[str, ...] = ()
) -> list[tuple[int, int, int, str, float]]:
    """(start, end, target index, term, weight) of every lexicon term in ``text``, each term
    counted at most its cap; an occurrence inside a longer term of another office does not
    count (工业互联网 is 区经委's, not also 互联网 for 区科委; 绿电交易 not also 绿电), nor one inside
    a phrase that points at no office (``[infer] neutral``: 依法合规给予支持 is not 合规 work)."""
    spans = [(m.start(), m.end()) for p in neutral for m in re.finditer(re.escape(p), text)]
    hits: list[tuple[int, int, int, str, float]] = []
    for ch in sorted(set(text).intersection(by_char)):  # only terms whose first character occurs
        for k, term, w in by_char[ch]:
            i = text.find(term)
            n = 0
            while i >= 0 and n < cap_of(term):
                if not any(a <= i and i + len(term) <= b for a, b in spans):
                    hits.append((i, i + len(term), k, term, w))
                    n += 1
                i = text.find(term, i + 1)
    hits.sort()  # deterministic: evidence and sums never follow set order
    if len(hits) > 1:
        hits = [
            h
            for h in hits
            if not any(o[2] != h[2] and o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)
        ]
    return hits


def lexicon_scores(
    text: str, heading: str, district: str | None, lex: Lexicons
) -> list[tuple[float, int, int, str, str]]:
    """(-score, first position, order, name, quote), best first, for every office with a score."""
    cfg = lex.offices.infer
    aud = _audience_terms(lex)
    targets = _lexicon_targets(lex, district)
    by_char = _terms_by_char(lex, district)

    def cap_of(term: str) -> int:
        return 1 if term in aud else cfg.count_cap

    def weight(term: str, w: float) -> float:
        return w * cfg.audience_factor if term in aud else w

    acc: dict[int, list] = {}  # target → [score, first, best weight, quote]
    neutral = tuple(cfg.neutral)
    for i, e, k, term, w in _occurrences(text, by_char, cap_of, neutral):
        a = acc.setdefault(k, [0.0, 10**9, 0.0, ""])
        a[0] += weight(term, w)
        a[1] = min(a[1], i)
        if w > a[2]:
            a[2], a[3] = w, quote(text, i, e)
    if heading:
        for _, _, k, term, w in sorted(
            {(0, 0, k, t, w) for _, _, k, t, w in _occurrences(heading, by_char, lambda t: 1, neutral)}
        ):
            a = acc.setdefault(k, [0.0, 10**9, 0.0, ""])
            a[0] += weight(term, w) * cfg.heading_weight
            if not a[3]:
                a[2], a[3] = w, heading
    best_of: dict[str, tuple] = {}
    for k, (score, first, _, q) in acc.items():
        if score <= 0:
            continue
        name = targets[k][1]
        if name not in best_of or -score < best_of[name][0]:
            best_of[name] = (-score, first, k, name, q)
    return sorted(best_of.values())


def infer_offices(
    text: str, heading: str, district: str, lex: Lexicons, doc_context: DocumentAssignments | None = None
) -> tuple[list[str], dict[str, str]]:
    """Offices for a measure whose document states none; returns (names, name → evidence).

    In order: offices the measure's own words name (区发改委加强统筹…); what the document says
    elsewhere (``doc_context``, from :func:`matcher.knowledge.office_context.document_assignments`):
    the office it assigns to the measure's field, its receiving office (受理/审核/咨询) and the
    issuer of a fund's rules or a notice; then the lexicon, whose field is mapped to the
    district's own body for it (the register). A name the document writes is kept; any other
    must be a body the register lists for the district.
    """
    cfg = lex.offices.infer
    reg = load_register()
    names: list[str] = []
    evidence: dict[str, str] = {}
    written: set[str] = set()  # offices the document itself names (they exist, whatever the register)

    def add(name: str, why: str, in_document: bool = False) -> None:
        if not name or name in names:
            return
        if not (in_document or name in written or reg.has(name, district)):
            return  # never an office the district does not have
        names.append(name)
        evidence[name] = why
        if in_document:
            written.add(name)

    scan = f"{heading}。{text}" if heading and heading not in text else text
    named = named_offices(scan, district, lex)
    for _, canon, q, actor in named:
        if actor:
            add(canon, q, True)
    scored = lexicon_scores(text, heading, district, lex)
    score_of = {s[3]: -s[0] for s in scored}
    defaults: list[tuple[str, str]] = []
    signed: list[tuple[str, str]] = []
    if doc_context:
        # an office_context.DocContext: fields its words name, the document's receiving office
        # and the issuer of a fund's rules or notice, its other offices
        fields, firsts, defaults, signed = doc_context.assigned(scan, score_of)
        for name, why in fields:
            add(name, why, True)
        for name, why in firsts:
            add(name, why, True)
        # the document's default offices go first where the measure's words point at them
        for name, why in defaults:
            if score_of.get(name, 0) > 0:
                add(name, why, True)
    for name, why in counterpart_offices(scan, district, lex):
        add(name, why)
    if scored:
        top = -scored[0][0]
        keep = [s for s in scored if -s[0] >= cfg.min_score and -s[0] >= cfg.ratio * top]
        if not keep and not names and not defaults:
            keep = scored[:1]
        for s in keep:
            add(s[3], s[4])
    for _, canon, q, actor in named:  # offices the text only mentions
        if not actor:
            add(canon, q, True)
    if not names:  # the document's other offices, where nothing else points anywhere
        for name, why in [*defaults, *signed]:
            add(name, why, True)
    names = names[: cfg.max_offices]
    return names, {n: evidence[n] for n in names}
