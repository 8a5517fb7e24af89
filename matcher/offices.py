"""Responsible offices: the office note a document writes after a measure, the offices it
states (lead / supporting), and the offices inferred for measures whose document states none.

Driven by ``resources/offices.toml`` (:mod:`matcher.lexicon`).
"""

from __future__ import annotations

import re

from .lexicon import Lexicons, load_lexicons, normalise_office

_OFFICE_SUFFIX = ("局", "委", "办", "院", "会", "中心", "部门", "单位", "集团", "海关", "街道", "镇",
                  "联", "室", "处", "队", "所", "公司", "组", "部", "分局", "支队")

OFFICE_NOTE_RE = re.compile(
    r"[((]\s*((?:牵头)?(?:责任|牵头|配合|协办|参与)?(?:部门|单位)(?:及?[^()()]{0,6})?[::][^()()]*)[))]\s*$"
)


def split_note(para: str) -> tuple[str, str]:
    """A paragraph → (paragraph without its trailing office note, the note as written or "")."""
    m = OFFICE_NOTE_RE.search(para)
    if not m:
        return para, ""
    return para[: m.start()].rstrip(), m.group(1).strip()


def _dedup(xs) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


def quote(text: str, start: int, end: int, width: int = 12) -> str:
    from .enrich import quote as _q
    return _q(text, start, end, width)


# --------------------------------------------------------------------------- stated offices


def _label_re(lex: Lexicons) -> re.Pattern[str]:
    c = lex.cache()
    if "label_re" not in c:
        labels = sorted([*lex.offices.labels.lead, *lex.offices.labels.support], key=len, reverse=True)
        c["label_re"] = re.compile("(" + "|".join(map(re.escape, labels)) + r")\s*[::]?\s*")
    return c["label_re"]


def _office_like(name: str, lex: Lexicons) -> bool:
    return normalise_office(name, lex) in lex.office_alias_map().values() or name.endswith(_OFFICE_SUFFIX)


def _joined_aliases(lex: Lexicons) -> list[tuple[str, str]]:
    """Known names with 和/及/与 inside (区规划和自然资源局), longest first, → canonical."""
    c = lex.cache()
    if "joined" not in c:
        amap = lex.office_alias_map()
        c["joined"] = sorted(((a, n) for a, n in amap.items() if re.search(r"和|及|与", a)),
                             key=lambda x: -len(x[0]))
    return c["joined"]


def _split_names(segment: str, lex: Lexicons) -> list[str]:
    out: list[str] = []
    amap = lex.office_alias_map()
    for alias, canonical in _joined_aliases(lex):
        segment = segment.replace(alias, canonical)
    for piece in re.split(r"[、,,;;/\s]+", segment):
        piece = piece.strip("()()。.::").removesuffix("等").strip()
        if not piece:
            continue
        if piece not in amap and re.search(r"以及|和|及|与", piece):
            parts = [p for p in re.split(r"以及|和|及|与", piece) if p]
            if len(parts) > 1 and all(_office_like(p, lex) for p in parts):
                out.extend(parts)
                continue
        out.append(piece)
    return [normalise_office(n, lex) for n in out]


def split_offices(note: str, lex: Lexicons | None = None) -> tuple[list[str], list[str]]:
    """``牵头单位:区发改委;配合单位:区财政局、区税务局`` → (["区发展改革委"], ["区财政局", "区税务局"]).

    Labels come from ``offices.toml`` ([labels] lead / support); text with no label is lead.
    Every name is normalised (:func:`matcher.lexicon.normalise_office`).
    """
    lex = lex or load_lexicons()
    note = note.strip()
    while note[:1] in "((" and note[-1:] in "))":
        note = note[1:-1].strip()
    lead: list[str] = []
    support: list[str] = []
    support_labels = set(lex.offices.labels.support)
    matches = list(_label_re(lex).finditer(note))
    if not matches:
        lead = _split_names(note, lex)
    else:
        if matches[0].start() > 0:
            lead.extend(_split_names(note[: matches[0].start()], lex))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(note)
            names = _split_names(note[m.end():end], lex)
            (support if m.group(1) in support_labels else lead).extend(names)
    lead = _dedup(lead)
    support = [s for s in _dedup(support) if s not in lead]
    return lead, support


# --------------------------------------------------------------------------- inferred offices


def infer_offices(text: str, heading: str, district: str, lex: Lexicons) -> tuple[list[str], dict[str, str]]:
    """Offices ranked by the responsibility lexicon; returns (names, evidence name → quote)."""
    cfg = lex.offices.infer
    scored: list[tuple[float, int, int, str, str]] = []   # (-score, first pos, order, name, quote)
    for order, office in enumerate(lex.offices.office):
        if not office.terms:
            continue
        score = 0.0
        first = 10**9
        best: tuple[float, str] = (0.0, "")
        for term, w in office.terms.items():
            n = 0
            i = text.find(term)     # most terms are absent: one C-level search says so
            while i >= 0:
                n += 1
                if i < first:
                    first = i
                if w > best[0]:
                    best = (w, quote(text, i, i + len(term)))
                if n >= cfg.count_cap:
                    break
                i = text.find(term, i + 1)
            if heading and term in heading:
                score += w * cfg.heading_weight
                if not best[1]:
                    best = (w, heading)
            score += w * n
        if score > 0:
            name = office.local.get(district, office.name)
            scored.append((-score, first, order, name, best[1]))
    if not scored:
        return [], {}
    scored.sort()
    top = -scored[0][0]
    keep = [s for s in scored if -s[0] >= cfg.min_score and -s[0] >= cfg.ratio * top]
    if not keep:
        keep = scored[:1]
    keep = keep[: cfg.max_offices]
    return [s[3] for s in keep], {s[3]: s[4] for s in keep}


