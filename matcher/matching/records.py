"""The matcher's record layout: one measure in the index as a plain tuple (see :class:`_Rec`),
its field positions, and two small text helpers shared by matching and search."""

from __future__ import annotations

from typing import NamedTuple


class _Rec(NamedTuple):
    """One measure in the index: the fields. The index stores each as a plain ``tuple``
    of plain values (read as ``r[_TEXT]`` …), which the garbage collector stops tracking;
    100,000 tracked objects made every full collection a 100 ms pause mid-match."""

    idx: int  # position in the order the measures were given
    pos: int  # position in search order (bit of the character index)
    measure_id: str
    district: str
    issued: str
    order: int
    internal: bool
    star: bool
    aud: int
    cat: int
    pcat: int  # categories the measure is mainly about (named in its title or opening)
    ment: int  # audiences mentioned without limiting the measure (a ranking hint)
    ind: int
    area: int
    tlen: int  # the title is text[:tlen]
    text: str  # title + "。" + text, as stored (already normalised), for keyword search
    mrank: int  # rank of (date, newest first; order in the document)


# field positions of a stored _Rec tuple
_IDX = 0
_POS = 1
_MID = 2
_DISTRICT = 3
_ISSUED = 4
_ORDER = 5
_INTERNAL = 6
_STAR = 7
_AUD = 8
_CAT = 9
_PCAT = 10
_MENT = 11
_IND = 12
_AREA = 13
_TLEN = 14
_TEXT = 15
_MRANK = 16


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
