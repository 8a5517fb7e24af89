"""Quoting a measure's own words: the clause around a term, as reasons and evidence show it."""

from __future__ import annotations

CLAUSE_DELIMS = ",。;:!?\n"


def quote(text: str, start: int, end: int, width: int = 12) -> str:
    """The clause of ``text`` around ``text[start:end]``, at most the term ± ``width`` chars."""
    cs = start
    while cs > 0 and text[cs - 1] not in CLAUSE_DELIMS:
        cs -= 1
    ce = end
    while ce < len(text) and text[ce] not in CLAUSE_DELIMS:
        ce += 1
    cs = max(cs, start - width)
    ce = min(ce, end + width)
    return text[cs:ce].strip()
