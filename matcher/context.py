"""Tags from phrases in context, not from a single word anywhere.

A lexicon term found in a measure's text (:func:`matcher.enrich._find_tags`) is only a
candidate. This module decides whether it counts, from the words around it:

* **clause context** — ``requires_any`` / ``unless`` of a lexicon entry (categories,
  industries, audiences): a term counts only when one of its context words is in the
  same clause, or not when one of its veto words is (``工程建设`` from
  ``工程建设项目审批``, not from ``人才引育工程建设``);
* **word boundaries** — an area name must start and end where words do: ``高行`` is not
  found in ``提高行业`` because ``提高`` and ``行业`` are words of the general dictionary
  (jieba's, read by :func:`matcher.text._words`) that cross its edges;
* **the industry's role** — an industry tag means "for companies of that industry": the
  term is followed by a head noun (``…企业``, ``…产业``, ``…行业``), or a verb of support
  governs it (``支持…``, ``鼓励…``), or it is in the measure's heading; and never when
  the government builds or runs the thing (``开工建设5所学校``).

Everything a rule reads is data in ``resources/*.toml`` (see :mod:`matcher.lexicon`).
"""

from __future__ import annotations

import re

from .lexicon import IndustryRole, TagEntry
from .text import _words

CLAUSE_DELIMS = ",。;:!?\n,;:!?"
_LIST_TAIL = re.compile(r"(?:[、和及与][^,。;、]{1,10})*等?")


def clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``text`` around ``text[start:end]`` (between two delimiters)."""
    cs = start
    while cs > 0 and text[cs - 1] not in CLAUSE_DELIMS:
        cs -= 1
    ce = end
    while ce < len(text) and text[ce] not in CLAUSE_DELIMS:
        ce += 1
    return cs, ce


def context_ok(entry: TagEntry, term: str, text: str, start: int, end: int) -> bool:
    """Do the entry's ``requires_any`` / ``unless`` words for ``term`` allow this hit?"""
    need = entry.requires_any.get(term)
    veto = entry.unless.get(term)
    if not need and not veto:
        return True
    cs, ce = clause_span(text, start, end)
    around = text[cs:start] + "\0" + text[end:ce]   # the term itself does not count
    if need and not any(w in around for w in need):
        return False
    return not (veto and any(w in around for w in veto))


# --------------------------------------------------------------------------- boundaries


def crossing_word(text: str, start: int, end: int, max_len: int = 4) -> str:
    """A dictionary word that straddles an edge of ``text[start:end]`` (``提高`` for ``高行``
    in ``提高行业``), or "" when the span starts and ends at word boundaries.

    Only words that lie partly outside the span count, and only when they are not part of
    the span's own words (a word that contains the whole span is a longer name, which the
    lexicon would list if it meant it)."""
    words = _words()
    if not words:
        return ""
    n = len(text)
    for edge in (start, end):
        if edge <= 0 or edge >= n:
            continue
        # words text[a:b] with a < edge < b, b - a ≤ max_len, not containing the whole span
        for a in range(max(0, edge - max_len + 1), edge):
            for b in range(edge + 1, min(n, a + max_len) + 1):
                if a <= start and b >= end:
                    continue
                w = text[a:b]
                if w in words:
                    return w
    return ""


# --------------------------------------------------------------------------- industries


def industry_role(role: IndustryRole, term: str, text: str, start: int, end: int,
                  in_heading: bool = False) -> str:
    """Why this industry hit names the measure's beneficiaries ("" when it does not):
    ``head`` (…企业/产业/行业 follows), ``term`` (the term is itself such a noun),
    ``verb`` (支持/鼓励… governs it), ``heading``."""
    cs, ce = clause_span(text, start, end)
    if any(term.endswith(h) for h in role.term_suffixes):
        return "term"
    # one item of a list shares the list's head: 数字经济、生命健康、文化创意等留学人员创业
    rest = text[end:ce]
    skip = _LIST_TAIL.match(rest)
    for k0 in {0, skip.end() if skip else 0}:
        after = rest[k0:k0 + role.head_gap + max(len(h) for h in role.heads)]
        for h in role.heads:
            k = after.find(h)
            if 0 <= k <= role.head_gap:
                return "head"
    near = text[max(cs, start - role.build_gap):start] + "\0" + text[end:min(ce, end + role.build_gap)]
    if role.build and any(b in near for b in role.build):
        return ""               # the government builds or runs it: 开工建设5所学校
    if in_heading:
        return "heading"
    before = text[max(cs, start - role.verb_gap):start]
    if any(v in before for v in role.support):
        return "verb"
    return ""
