"""Responsible offices: the office note a document writes after a measure, the offices it
states (verbatim, and recognised as canonical offices per district), and the offices
inferred for measures whose document states none.

* :func:`split_note` — a paragraph → (text, note): a trailing ``(责任单位:…)`` note with
  any label of ``offices.toml`` [labels], or an office named at the head of the paragraph
  (``市交通委:统筹协调…``, ``区发改委负责…``; the paragraph keeps its words then).
* :func:`split_offices` — a note → (lead, support) names exactly as written.
* :func:`canonical_office` — a name as written → the recognised office in a district
  (``区科经委`` → ``区科技经济委``; ``区投资办`` in 静安区 → ``区投资办``, elsewhere
  ``区投促办``). Unknown names stay as written.
* :func:`infer_offices` — offices named in the measure's own words first, then the offices
  the document assigns elsewhere (:mod:`matcher.knowledge.office_context`), then the responsibility
  lexicon. City-level documents (district ``上海市``) get city offices (市…), never 区….

Driven by ``resources/offices.toml`` (:mod:`matcher.rules.lexicon`).
"""

from __future__ import annotations

import re
from typing import Protocol

from matcher.common.quotes import quote
from matcher.models import CITY
from matcher.rules.lexicon import Lexicons, Office, load_lexicons, normalise_office
from matcher.rules.profile_rules import district_stems


class DocumentAssignments(Protocol):
    """What :func:`infer_offices` needs of a document's assignments (an
    ``office_context.DocContext``, which imports this module): whether there are any, and
    the offices they assign to one measure's words as (fields, defaults) of (name, why)."""

    def __len__(self) -> int: ...

    def assigned(
        self, scan: str, score_of: dict[str, float] | None = None
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]: ...


_OFFICE_SUFFIX = (
    "局",
    "委",
    "办",
    "院",
    "会",
    "中心",
    "部门",
    "单位",
    "集团",
    "海关",
    "街道",
    "镇",
    "联",
    "室",
    "处",
    "队",
    "所",
    "公司",
    "组",
    "部",
    "分局",
    "支队",
    "企业",
    "政府",
    "开发区",
    "功能区",
    "交易中心",
)
_DISTRICTS = district_stems()  # 黄浦|徐汇|… from resources/profile.toml
_CLAUSE_HEAD = r"(?:[(（]?[一二三四五六七八九十\d]+[)）、.．]\s*)?"
# a name written with its second nameplate in angle brackets: 区财政局<区金融办>
_NAMEPLATE = re.compile(r"(.+?)[(（]([^()（）]+)[)）]")
_ANGLE = re.compile(r"[<＜〈《][^<>〈〉《》＜＞]*[>＞〉》]")


def _lex(lex: Lexicons | None) -> Lexicons:
    return lex or load_lexicons()


def _dedup(xs) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


def is_city(district: str | None) -> bool:
    return district == CITY


# --------------------------------------------------------------------------- the note


def label_kinds(lex: Lexicons | None = None) -> dict[str, str]:
    """Every label of offices.toml [labels] → lead | responsible | support."""
    lab = _lex(lex).offices.labels
    return {
        **dict.fromkeys(lab.support, "support"),
        **dict.fromkeys(lab.responsible, "responsible"),
        **dict.fromkeys(lab.lead, "lead"),
    }


def note_re(lex: Lexicons | None = None) -> re.Pattern[str]:
    """The trailing office note: ``(牵头单位:A,责任单位:B)`` with any label, half- or
    full-width brackets and colons, one level of brackets inside (区政府办公室(区审改办))."""
    lex = _lex(lex)
    c = lex.cache()
    if "note_re" not in c:
        labels = "|".join(map(re.escape, sorted(label_kinds(lex), key=len, reverse=True)))
        inner = r"(?:[^()（）]|[(（][^()（）]*[)）])*"
        c["note_re"] = re.compile(rf"[(（]\s*((?:{labels})[^()（）:：]{{0,8}}[:：]{inner}?)\s*[)）]\s*[。;；]?\s*$")
    return c["note_re"]


def __getattr__(name: str):
    if name == "OFFICE_NOTE_RE":  # built from the labels of the default offices.toml
        return note_re()
    raise AttributeError(name)


def names_re(lex: Lexicons | None = None) -> re.Pattern[str]:
    """Every recognised name of a specific (not generic) office, longest first."""
    lex = _lex(lex)
    c = lex.cache()
    if "names_re" not in c:
        names = [n for o in lex.offices.office if o.kind != "generic" for n in (o.name, *o.aliases)]
        names = [n for n in names if len(n) >= 3]
        c["names_re"] = re.compile("|".join(map(re.escape, sorted(set(names), key=len, reverse=True))))
    return c["names_re"]


def _head_re(lex: Lexicons) -> re.Pattern[str]:
    c = lex.cache()
    if "head_re" not in c:
        verbs = "|".join(map(re.escape, lex.offices.labels.head_verbs)) or "(?!)"
        name = rf"(?:上海市?)?(?:(?:{_DISTRICTS})(?=区))?(?:{names_re(lex).pattern})"
        c["head_re"] = re.compile(
            rf"^\s*{_CLAUSE_HEAD}({name}(?:[、和及与]{name})*)"
            # a colon followed by duties (not a phone number: 区商务委:64178603), or a verb
            rf"(?:\s*[:：](?=\s*[\u4e00-\u9fff]{{2}})|(?:分别)?(?={verbs}))"
        )
    return c["head_re"]


def split_note(para: str, lex: Lexicons | None = None) -> tuple[str, str]:
    """A paragraph → (paragraph without its trailing office note, the note as written or "").

    An office named at the head of the paragraph and followed by a colon or a head verb
    (``市交通委:统筹协调…``, ``区发改委负责…``) is the note too; the paragraph keeps its words.
    """
    lex = _lex(lex)
    m = note_re(lex).search(para)
    if m:
        return para[: m.start()].rstrip(), m.group(1).strip()
    h = _head_re(lex).match(para)
    if h:
        return para, h.group(1)
    return para, ""


# --------------------------------------------------------------------------- stated offices


def _label_re(lex: Lexicons) -> re.Pattern[str]:
    c = lex.cache()
    if "label_re" not in c:
        labels = sorted(label_kinds(lex), key=len, reverse=True)
        c["label_re"] = re.compile("(" + "|".join(map(re.escape, labels)) + r")[^:：,，;；、]{0,8}?\s*[:：]\s*")
    return c["label_re"]


def _office_like(name: str, lex: Lexicons) -> bool:
    return normalise_office(name, lex) in lex.office_alias_map().values() or name.endswith(_OFFICE_SUFFIX)


def _joined_names(lex: Lexicons) -> list[str]:
    """Known names with 和/及/与 inside (区规划和自然资源局), longest first."""
    c = lex.cache()
    if "joined" not in c:
        c["joined"] = sorted((a for a in lex.office_alias_map() if re.search(r"和|及|与", a)), key=lambda a: -len(a))
    return c["joined"]


def _split_names(segment: str, lex: Lexicons) -> list[str]:
    """Names as written: split on 、,,;;/ and on 和/及/与 between two office-like names,
    never inside a known name (区住房保障和房屋管理局)."""
    protected: list[str] = []

    def hide(m: re.Match) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    joined = _joined_names(lex)
    if joined:
        segment = re.sub("|".join(map(re.escape, joined)), hide, segment)
    segment = _ANGLE.sub(hide, segment)
    segment = re.sub(r"(?<=\S)[(（][^()（）]*[)）]", hide, segment)  # 区政府办公室(区审改办)
    out: list[str] = []
    for piece in re.split(r"[、,，;；/\s]+", segment):
        piece = piece.strip("()（）。.:：").removesuffix("等").strip()
        if not piece:
            continue
        if re.search(r"以及|和|及|与", piece):
            parts = [p for p in re.split(r"以及|和|及|与", piece) if p]
            restore = [re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], p) for p in parts]
            if len(parts) > 1 and all(_office_like(_ANGLE.sub("", p), lex) for p in restore):
                out.extend(restore)
                continue
        out.append(piece)
    return [re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], n) for n in out]


def split_offices(note: str, lex: Lexicons | None = None) -> tuple[list[str], list[str]]:
    """``牵头单位:区发改委,责任单位:区财政局、区税务局`` → (["区发改委"], ["区财政局", "区税务局"]).

    Names come back exactly as written. Labels come from ``offices.toml`` [labels]: lead
    labels (牵头…) are lead; responsible labels (责任单位, 执行单位, 主管部门 …) are lead
    unless the note also has a lead label, then they support; support labels (配合…) support.
    Text with no label is lead.
    """
    lex = _lex(lex)
    note = note.strip()
    while note[:1] in "(（" and note[-1:] in ")）":
        note = note[1:-1].strip()
    kinds = label_kinds(lex)
    matches = list(_label_re(lex).finditer(note))
    has_lead = any(kinds[m.group(1)] == "lead" for m in matches)
    lead: list[str] = []
    support: list[str] = []
    if not matches:
        lead = _split_names(note, lex)
    else:
        if matches[0].start() > 0:
            lead.extend(_split_names(note[: matches[0].start()], lex))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(note)
            names = _split_names(note[m.end() : end], lex)
            kind = kinds[m.group(1)]
            is_support = kind == "support" or (kind == "responsible" and has_lead)
            (support if is_support else lead).extend(names)
    lead = _dedup(lead)
    support = [s for s in _dedup(support) if s not in lead]
    return lead, support


def _district_local(lex: Lexicons) -> dict[str, dict[str, str]]:
    c = lex.cache()
    if "district_local" not in c:
        c["district_local"] = {d.name: dict(d.local) for d in lex.offices.district}
        c["office_local"] = {o.name: dict(o.local) for o in lex.offices.office if o.local}
    return c["district_local"]


def local_name(canonical: str, district: str | None, lex: Lexicons | None = None) -> str:
    """A canonical office → the name its body bears in ``district`` (静安区: 区科委 → 区科技经济委)."""
    lex = _lex(lex)
    if not district:
        return canonical
    loc = _district_local(lex).get(district, {}).get(canonical)
    if loc:
        return loc
    return lex.cache()["office_local"].get(canonical, {}).get(district, canonical)


def canonical_office(name: str, district: str | None = None, lex: Lexicons | None = None) -> str:
    """One office as written → the recognised office in ``district``.

    ``区财政局<区金融办>`` → ``区财政局``; ``区发改委`` → ``区发展改革委``; in 静安区
    ``区科经委`` and ``区科委`` → ``区科技经济委``. A name the lexicon does not know stays
    as written (trimmed, district prefix folded), never rewritten into another office.
    """
    lex = _lex(lex)
    main = _ANGLE.sub("", name).strip() or name
    amap = lex.office_alias_map()
    if main in amap:
        return local_name(amap[main], district, lex)
    m = _NAMEPLATE.fullmatch(main)
    if m:  # a second nameplate in brackets: 区发展改革委(区营商办), 区委宣传部(区新闻办)
        base = normalise_office(m.group(1), lex)
        return local_name(base, district, lex) if base in amap else main
    return local_name(normalise_office(main, lex), district, lex)


def stated_offices(note: str, district: str | None = None, lex: Lexicons | None = None) -> dict[str, list[str]]:
    """A note → {"lead", "support", "offices" (verbatim, lead first), "canonical"}."""
    lex = _lex(lex)
    lead, support = split_offices(note, lex) if note.strip() else ([], [])
    offices = _dedup([*lead, *support])
    return {
        "lead": lead,
        "support": support,
        "offices": offices,
        "canonical": _dedup(canonical_office(o, district, lex) for o in offices),
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
        seen.add(canon)
        before = text[max(0, m.start() - 8) : m.start()]
        before = re.sub(r"(?:上海市?)?(?:%s)?$" % _DISTRICTS, "", before)
        opens = not before or before[-1] in ',，。;；:：、“"\n' or re.search(r"[)）.、]\s*$", before)
        actor = bool((opens or _ACTOR_BEFORE.search(before)) and not _NOT_ACTOR_BEFORE.search(before))
        out.append((m.start(), canon, quote(text, m.start(), m.end()), actor))
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
        for office in lex.offices.office:
            if not office.terms or office.kind == "generic":
                continue
            if is_city(district):
                if office.kind in ("municipal", "city", "other"):
                    out.append((office, office.name))
                elif office.city:
                    out.append((office, office.city))
            elif office.kind != "municipal":
                out.append((office, local_name(office.name, district, lex)))
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


def _occurrences(text: str, by_char: dict, cap_of) -> list[tuple[int, int, int, str, float]]:
    """(start, end, target index, term, weight) of every lexicon term in ``text``, each term
    counted at most its cap; an occurrence inside a longer term of another office does not
    count (工业互联网 is 区经委's, not also 互联网 for 区科委; 绿电交易 not also 绿电)."""
    hits: list[tuple[int, int, int, str, float]] = []
    for ch in sorted(set(text).intersection(by_char)):  # only terms whose first character occurs
        for k, term, w in by_char[ch]:
            i = text.find(term)
            n = 0
            while i >= 0 and n < cap_of(term):
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
    for i, e, k, term, w in _occurrences(text, by_char, cap_of):
        a = acc.setdefault(k, [0.0, 10**9, 0.0, ""])
        a[0] += weight(term, w)
        a[1] = min(a[1], i)
        if w > a[2]:
            a[2], a[3] = w, quote(text, i, e)
    if heading:
        for _, _, k, term, w in sorted(
            {(0, 0, k, t, w) for _, _, k, t, w in _occurrences(heading, by_char, lambda t: 1)}
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

    In order: offices the measure's own words name (区发改委加强统筹…), offices the document
    assigns to the measure's field elsewhere (``doc_context``, from
    :func:`matcher.knowledge.office_context.document_assignments`), then the responsibility lexicon.
    """
    cfg = lex.offices.infer
    names: list[str] = []
    evidence: dict[str, str] = {}

    def add(name: str, why: str) -> None:
        if name and name not in names:
            names.append(name)
            evidence[name] = why

    scan = f"{heading}。{text}" if heading and heading not in text else text
    named = named_offices(scan, district, lex)
    for _, canon, q, actor in named:
        if actor:
            add(canon, q)
    scored = lexicon_scores(text, heading, district, lex)
    score_of = {s[3]: -s[0] for s in scored}
    defaults: list[tuple[str, str]] = []
    if doc_context:
        fields, defaults = doc_context.assigned(scan, score_of)
        for name, why in fields:
            add(name, why)
        # the document's default offices go first where the measure's words point at them
        for name, why in defaults:
            if score_of.get(name, 0) > 0:
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
            add(canon, q)
    if not names:  # the document's other offices, where nothing else points anywhere
        for name, why in defaults:
            add(name, why)
    names = names[: cfg.max_offices]
    return names, {n: evidence[n] for n in names}
