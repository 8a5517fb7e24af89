"""Stated offices: every way a document writes the offices of a measure.

* a labelled tag ending the paragraph — ``（责任单位：区商务委、区科经委）``,
  ``（牵头单位：区发展改革委，责任单位：区财政局）``, with any label of ``offices.toml``
  [labels], half- or full-width brackets and colons, a time note after it
  (``。时间节点：2025年4月``) left out;
* an unlabelled list ending the paragraph — ``（市经济信息化委、市发展改革委、市委组织部，
  各区政府）`` — when every name in it is an office, a group of offices, a company or a
  mass organisation, and one of them is a recognised office;
* an office at the head of the paragraph followed by a colon or a head verb
  (``市交通委：统筹协调…``, ``区发改委负责…``); the paragraph keeps its words.

Inside a tag, names are separated by 、，,；; (and by 和/及/与 between two office names, never
inside a known name: 区住房保障和房屋管理局); ``牵头`` / ``配合`` / ``按职责分工负责`` / ``等``
are read as roles and left out of the names. The lead office is the one a 牵头 label or verb
marks (all of them, if several), else the first listed not marked as supporting (配合单位:…);
the others support.

:func:`split_note` finds the tag, :func:`split_offices` reads it into (lead, support) names
exactly as written; :mod:`matcher.knowledge.offices` recognises them.
"""

from __future__ import annotations

import re

from matcher.rules.lexicon import Lexicons, load_lexicons, normalise_office
from matcher.rules.office_register import load_register
from matcher.rules.profile_rules import district_stems

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
    "街镇",
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
_ANGLE = re.compile(r"[<＜〈《][^<>〈〉《》＜＞]*[>＞〉》]")
# a role written after names (A、B按职责分工负责 / A牵头 / B配合) or before them (由A牵头)
_ROLE_TAIL = re.compile(
    r"(?:按职责分工负责|按照职责分工负责|按职责分工落实|按职责负责|分别负责|共同负责|负责|"
    r"牵头负责|牵头|配合|参与|协助|协同|协办)$"
)
_LEAD_WORDS = ("牵头", "牵头负责")
_SUPPORT_WORDS = ("配合", "参与", "协助", "协同", "协办")
# a note that goes on with something other than offices (时间节点：2025年4月)
_AFTER_NOTE = re.compile(r"[。;；,，]?\s*(?:时间节点|完成时限|完成时间|时间安排|完成期限)\s*[:：].*$")
_ETC = re.compile(r"等(?:相关|有关)?(?:部门|单位)?$")
_TRAILING = re.compile(r"[(（]((?:[^()（）]|[(（][^()（）]*[)）])*)[)）]\s*[。;；.]?\s*$")
# words that make a bracket an explanation, not a list of offices
_NOT_A_LIST = re.compile(r"[。:：“”\"]|简称|以下|即|是指|系指|含|包括|例如|比如|如下|详见|见附件|\d")


def _lex(lex: Lexicons | None) -> Lexicons:
    return lex or load_lexicons()


def _dedup(xs) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


def label_kinds(lex: Lexicons | None = None) -> dict[str, str]:
    """Every label of offices.toml [labels] → lead | responsible | support."""
    lab = _lex(lex).offices.labels
    return {
        **dict.fromkeys(lab.support, "support"),
        **dict.fromkeys(lab.responsible, "responsible"),
        **dict.fromkeys(lab.lead, "lead"),
    }


def note_re(lex: Lexicons | None = None) -> re.Pattern[str]:
    """The trailing labelled tag: ``(牵头单位:A,责任单位:B)`` with any label, half- or
    full-width brackets and colons, one level of brackets inside (区政府办公室(区审改办))."""
    lex = _lex(lex)
    c = lex.cache()
    if "note_re" not in c:
        labels = "|".join(map(re.escape, sorted(label_kinds(lex), key=len, reverse=True)))
        inner = r"(?:[^()（）]|[(（][^()（）]*[)）])*"
        c["note_re"] = re.compile(rf"[(（]\s*((?:{labels})[^()（）:：]{{0,8}}[:：]{inner}?)\s*[)）]\s*[。;；]?\s*$")
    return c["note_re"]


def names_re(lex: Lexicons | None = None) -> re.Pattern[str]:
    """Every recognised name of a specific (not generic) office, longest first."""
    lex = _lex(lex)
    c = lex.cache()
    if "names_re" not in c:
        names = [n for o in lex.offices.office if o.kind != "generic" for n in (o.name, *o.aliases)]
        reg = load_register()
        for bodies in [reg.common, reg.city.body, *(d.body for d in reg.district)]:
            names += [n for b in bodies for n in (b.name, *b.aliases, *b.former)]
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


def is_recognised(name: str, lex: Lexicons | None = None) -> bool:
    """A name the lexicon or the register knows as an office (any district, any spelling)."""
    lex = _lex(lex)
    main = _ANGLE.sub("", name).strip()
    main = re.sub(r"[(（][^()（）]*[)）]$", "", main) or main
    if normalise_office(main, lex) in lex.office_alias_map().values():
        return True
    folded = re.sub(rf"^(?:上海市)?(?:{_DISTRICTS})(?:新)?区(?=.)", "区", main)
    return bool(names_re(lex).fullmatch(folded) or names_re(lex).fullmatch(main))


def _office_like(name: str, lex: Lexicons) -> bool:
    return is_recognised(name, lex) or _ANGLE.sub("", name).endswith(_OFFICE_SUFFIX)


def _unlabelled_note(para: str, lex: Lexicons) -> tuple[str, str] | None:
    """A trailing bracket listing offices without a label: ``（市经济信息化委、市发展改革委、
    市委组织部，各区政府）``, ``（区发展改革委牵头，区财政局配合）``."""
    m = _TRAILING.search(para)
    if not m:
        return None
    content = m.group(1).strip()
    if not content or _NOT_A_LIST.search(_ANGLE.sub("", content)):
        return None
    pieces = [_piece_name(p) for p in re.split(r"[、,，;；]", content)]
    pieces = [p for p in pieces if p]
    if not pieces or len("".join(pieces)) > 160:
        return None
    reg = load_register()
    ok = all(
        len(p) <= 24 and (_office_like(p, lex) or reg.not_visited.covers(p))
        for p in (x for piece in pieces for x in _split_joined(piece, lex))
    )
    if not ok or not any(is_recognised(x, lex) for piece in pieces for x in _split_joined(piece, lex)):
        return None
    return para[: m.start()].rstrip(), content


def split_note(para: str, lex: Lexicons | None = None) -> tuple[str, str]:
    """A paragraph → (paragraph without its trailing office tag, the tag as written or "").

    A labelled tag, an unlabelled trailing list of offices, or an office named at the head of
    the paragraph and followed by a colon or a head verb (``市交通委:统筹协调…``,
    ``区发改委负责…``: the paragraph keeps its words then).
    """
    lex = _lex(lex)
    m = note_re(lex).search(para)
    if m:
        return para[: m.start()].rstrip(), m.group(1).strip()
    u = _unlabelled_note(para, lex)
    if u:
        return u
    h = _head_re(lex).match(para)
    if h:
        return para, h.group(1)
    return para, ""


# --------------------------------------------------------------------------- reading a tag


def _label_re(lex: Lexicons) -> re.Pattern[str]:
    c = lex.cache()
    if "label_re" not in c:
        labels = sorted(label_kinds(lex), key=len, reverse=True)
        c["label_re"] = re.compile("(" + "|".join(map(re.escape, labels)) + r")[^:：,，;；、]{0,8}?\s*[:：]\s*")
    return c["label_re"]


def _joined_names(lex: Lexicons) -> list[str]:
    """Known names with 和/及/与 inside (区规划和自然资源局), longest first."""
    c = lex.cache()
    if "joined" not in c:
        c["joined"] = sorted((a for a in lex.office_alias_map() if re.search(r"和|及|与", a)), key=lambda a: -len(a))
    return c["joined"]


def _trim(p: str) -> str:
    """Edge punctuation off, and a bracket only where it is not closed inside the name
    (``区政府办公室(区审改办)`` keeps its nameplate)."""
    p = p.strip().strip("。.:：").strip()
    while p and p[0] in "(（" and not re.search(r"[)）]", p[1:]):
        p = p[1:].strip()
    while p and p[-1] in ")）" and not re.search(r"[(（]", p[:-1]):
        p = p[:-1].strip()
    return p


def _piece_name(piece: str) -> str:
    """One listed piece without its role words: ``由区发展改革委牵头`` → ``区发展改革委``,
    ``各区政府等`` → ``各区政府``."""
    p = _trim(piece)
    p = re.sub(r"^(?:由|请|并由)", "", p)
    for _ in range(2):
        p = _ETC.sub("", _ROLE_TAIL.sub("", p)).strip()
    return p


def _split_joined(piece: str, lex: Lexicons) -> list[str]:
    """``区府办和区科技委`` → both; never inside a known name (区住房保障和房屋管理局)."""
    protected: list[str] = []

    def hide(m: re.Match) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    def restore(s: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], s)

    joined = _joined_names(lex)
    seg = re.sub("|".join(map(re.escape, joined)), hide, piece) if joined else piece
    seg = _ANGLE.sub(hide, seg)
    seg = re.sub(r"(?<=\S)[(（][^()（）]*[)）]", hide, seg)  # 区政府办公室(区审改办)
    if re.search(r"以及|和|及|与", seg):
        parts = [p for p in re.split(r"以及|和|及|与", seg) if p]
        out = [restore(p) for p in parts]
        if len(parts) > 1 and all(_office_like(_ANGLE.sub("", p), lex) for p in out):
            return out
    return [restore(seg)]


def _clauses(segment: str, lex: Lexicons) -> list[tuple[str, str | None]]:
    """A run of names → [(name as written, role)], role 'lead' (牵头), 'support' (配合…) or None.
    Clauses are separated by ,，;；/ and names within a clause by 、 (and 和/及/与)."""
    out: list[tuple[str, str | None]] = []
    for clause in re.split(r"[,，;；/]", segment):
        clause = _trim(clause)
        if not clause:
            continue
        m = _ROLE_TAIL.search(re.sub(r"等(?:相关|有关)?(?:部门|单位)?(?=[^、]*$)", "", clause))
        role = None
        if m:
            role = "lead" if m.group(0) in _LEAD_WORDS else "support" if m.group(0) in _SUPPORT_WORDS else None
        for piece in re.split(r"[、\s]+", clause):
            name = _piece_name(piece)
            if name:
                out.extend((n, role) for n in _split_joined(name, lex))
    return out


def split_offices(note: str, lex: Lexicons | None = None) -> tuple[list[str], list[str]]:
    """A tag → (lead, support) names exactly as written.

    ``牵头单位:区发改委,责任单位:区财政局、区税务局`` → (["区发改委"], ["区财政局", "区税务局"]);
    ``市发展改革委、市商务委按职责分工负责`` → (["市发展改革委"], ["市商务委"]);
    ``区发展改革委牵头,区财政局配合`` → (["区发展改革委"], ["区财政局"]).

    Lead: the offices a lead label (牵头单位 …) or a 牵头 verb marks; else the first listed.
    Responsible labels (责任单位, 执行单位 …) support when the tag also has a lead label.
    """
    lex = _lex(lex)
    note = note.strip()
    while note and note[0] in "(（" and note[-1] in ")）":
        note = note[1:-1].strip()
    note = _AFTER_NOTE.sub("", note)
    kinds = label_kinds(lex)
    matches = list(_label_re(lex).finditer(note))
    has_lead_label = any(kinds[m.group(1)] == "lead" for m in matches)
    entries: list[tuple[str, str | None]] = []  # (name, role)
    spans: list[tuple[str | None, str]] = []
    if not matches:
        spans.append((None, note))
    else:
        if matches[0].start() > 0:
            spans.append((None, note[: matches[0].start()]))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(note)
            spans.append((kinds[m.group(1)], note[m.end() : end]))
    for kind, text in spans:
        for name, role in _clauses(text, lex):
            if kind == "lead":
                role = role or "lead"
            elif kind == "support" or (kind == "responsible" and has_lead_label):
                role = role if role == "lead" else "support"
            entries.append((name, role))
    names = _dedup(n for n, _ in entries)
    if not names:
        return [], []
    # the 牵头 ones; else the first listed that no label or verb marks as supporting
    lead = _dedup(n for n, r in entries if r == "lead") or [n for n, r in entries if r != "support"][:1]
    support = [n for n in names if n not in lead]
    return lead, support
