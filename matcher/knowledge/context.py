"""Tags from phrases in context, not from a single word anywhere.

A lexicon term found in a measure's text (:func:`matcher.reading.enrich._find_tags`) is only a
candidate. This module decides whether it counts, from the words around it:

* **clause context** — ``requires_any`` / ``unless`` of a lexicon entry (categories,
  industries, audiences): a term counts only when one of its context words is in the
  same clause, or not when one of its veto words is (``工程建设`` from
  ``工程建设项目审批``, not from ``人才引育工程建设``);
* **word boundaries** — an area name must start and end where words do: ``高行`` is not
  found in ``提高行业`` because ``提高`` and ``行业`` are words of the general dictionary
  (jieba's, read by :func:`matcher.common.mojibake.dictionary_words`) that cross its edges;
* **the industry's role** — an industry tag means "for companies of that industry": the
  term is followed by a head noun (``…企业``, ``…产业``, ``…行业``), or a verb of support
  governs it (``支持…``, ``鼓励…``), or it is in the measure's heading; and never when
  the government builds or runs the thing (``开工建设5所学校``).

Everything a rule reads is data in ``resources/*.toml`` (see :mod:`matcher.rules.lexicon`).
"""

from __future__ import annotations

import re

from matcher.common.mojibake import dictionary_words as _words
from matcher.rules.lexicon import IndustryRole, TagEntry

CLAUSE_DELIMS = ",。;:!?\n,;:!?"
_LIST_TAIL = re.compile(r"(?:[、和及与][^,。;、]{1,10})*等?")
_LIST_HEAD = re.compile(r"(?:[^,。;、]{1,10}、)+$")
_LIST_SEPS = "、和及与"
_ITEM_LEN = 4  # the next item of a list (航运服务) before the head it shares


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
    around = text[cs:start] + "\0" + text[end:ce]  # the term itself does not count
    if need and not any(w in around for w in need):
        return False
    return not (veto and any(w in around for w in veto))


# --------------------------------------------------------------------------- boundaries


def _crossing(text: str, start: int, end: int, edge: int, words: frozenset[str], max_len: int) -> str:
    """A dictionary word text[a:b] with a < edge < b that does not contain the whole span."""
    n = len(text)
    if edge <= 0 or edge >= n:
        return ""
    for a in range(max(0, edge - max_len + 1), edge):
        for b in range(edge + 1, min(n, a + max_len) + 1):
            if a <= start and b >= end:
                continue
            if text[a:b] in words:
                return text[a:b]
    return ""


def crossing_word(text: str, start: int, end: int, max_len: int = 4) -> str:
    """``"提高/行业"`` when ``text[start:end]`` lies across words of the general dictionary
    (jieba's, read by :func:`matcher.common.mojibake.dictionary_words`) at *both* its edges (``高行`` in
    ``提高行业``, ``准营`` in ``精准营销``); "" when it is a word of its own there.

    One crossed edge is not enough: compounds abound in the dictionary (``科技园`` crosses
    the start of ``园区`` in ``科技园区``, ``法力`` the end of ``执法`` in ``执法力度``)."""
    words = _words()
    if not words:
        return ""
    left = _crossing(text, start, end, start, words, max_len)
    if not left:
        return ""
    right = _crossing(text, start, end, end, words, max_len)
    return f"{left}/{right}" if right else ""


# --------------------------------------------------------------------------- industries


def industry_role(role: IndustryRole, term: str, text: str, start: int, end: int, in_heading: bool = False) -> str:
    """Why this industry hit names the measure's beneficiaries ("" when it does not):
    ``head`` (…企业/产业/行业 follows), ``term`` (the term is itself such a noun),
    ``verb`` (支持/鼓励… governs it), ``heading``."""
    cs, ce = clause_span(text, start, end)
    if any(term.endswith(h) for h in role.term_suffixes):
        return "term"
    # one item of a list shares the list's head: 生命健康、文化创意等产业; 物流与航运服务创新
    rest = text[end:ce]
    starts = [0]
    skip = _LIST_TAIL.match(rest)
    if skip and skip.end():
        starts.append(skip.end())
        starts += [k + 1 for k, ch in enumerate(rest[: skip.end()]) if ch in _LIST_SEPS]
    longest = max(len(h) for h in role.heads)
    for k0 in starts:
        gap = role.head_gap + (_ITEM_LEN if k0 else 0)
        after = rest[k0 : k0 + gap + longest]
        for h in role.heads:
            k = after.find(h)
            if 0 <= k <= gap:
                return "head"
    near = text[max(cs, start - role.build_gap) : start] + "\0" + text[end : min(ce, end + role.build_gap)]
    if role.build and any(b in near for b in role.build):
        return ""  # the government builds or runs it: 开工建设5所学校
    if in_heading:
        return "heading"
    # a verb before the list the term is one item of governs every item
    lm = _LIST_HEAD.search(text, cs, start)
    ls = lm.start() if lm else start
    before = text[max(cs, ls - role.verb_gap) : start]
    if any(v in before for v in role.support):
        return "verb"
    return ""
