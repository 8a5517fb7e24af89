"""What the matcher keeps in memory: lean index rows and a character index.

* :class:`IndexRow` is what ranking needs of a measure — its id, district, date, order,
  flags, tags and text — without sentences, offices or evidence quotes. The knowledge base
  reads these straight from SQLite (:meth:`matcher.store.kb.KnowledgeBase.index_rows`), so a
  100,000-measure KB never holds 100,000 pydantic :class:`~matcher.models.Measure`
  objects; the matcher fetches full measures only for the results it shows.
* :class:`CharIndex` (no longer the matcher's: it reads the stored posting lists of
  :mod:`matcher.matching.postings`; kept for the benchmark's naive baseline) maps every character to a bit set (a Python ``int``) of the records
  whose text contains it, and another for their titles. The records containing a word
  are then the AND of its characters' sets, checked with ``in`` — exact for a single
  character, and it cuts a scan of 100,000 texts down to the few that can match. It works
  for one- and two-character queries, which a trigram index (FTS5) cannot answer.

Bit ``p`` of a set stands for record position ``p`` (the caller's order).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from matcher.models import Measure


class IndexRow(NamedTuple):
    """One measure as the matcher's index needs it (tags are tuples, safe to share)."""

    measure_id: str
    district: str
    issued: str
    order: int
    internal: bool
    star: bool
    audiences: tuple[str, ...]
    categories: tuple[str, ...]
    industries: tuple[str, ...]
    areas: tuple[str, ...]
    mentions: tuple[str, ...]  # audiences mentioned without limiting the measure
    title: str
    text: str

    @classmethod
    def of(cls, m: Measure) -> IndexRow:
        return cls(
            m.measure_id,
            m.district,
            m.issued or "",
            m.order,
            m.internal,
            m.star,
            tuple(m.audiences),
            tuple(m.categories),
            tuple(m.industries),
            tuple(m.areas),
            tuple((m.evidence or {}).get("audience_mentions", {}).keys()),
            m.title,
            m.text,
        )


_ONE = re.compile("1")
_BITS = bytes.maketrans(b"\x00\x01", b"01")
_CHUNK = 8192


def positions(x: int) -> list[int]:
    """The set bits of ``x``, lowest first."""
    if not x:
        return []
    s = bin(x)
    top = len(s) - 1
    out = [top - m.start() for m in _ONE.finditer(s, 2)]
    out.reverse()
    return out


def first_positions(x: int, k: int) -> list[int]:
    """The ``k`` lowest set bits of ``x``, lowest first."""
    out: list[int] = []
    while x and len(out) < k:
        low = x & -x
        out.append(low.bit_length() - 1)
        x ^= low
    return out


def bits_of(ps: Iterable[int], n: int) -> int:
    """A bit set with the given positions (all below ``n``)."""
    ba = bytearray(n)
    deque(map(ba.__setitem__, ps, repeat(1)), 0)
    return int(ba.translate(_BITS)[::-1], 2) if n else 0


def _char_sets(texts: Sequence[str]) -> dict[str, int]:
    """character → bit set of the texts containing it."""
    out: dict[str, int] = {}
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start : start + _CHUNK]
        where: defaultdict[str, list[int]] = defaultdict(list)
        get = where.__getitem__
        for p, s in enumerate(chunk):
            deque(map(list.append, map(get, set(s)), repeat(p)), 0)
        m = len(chunk)
        for c, ps in where.items():
            x = bits_of(ps, m) << start
            out[c] = out.get(c, 0) | x
    return out


class CharIndex:
    """Character bit sets over ``texts`` and over their first ``title_lens[i]`` characters
    (the titles), for finding every record that contains a word."""

    def __init__(self, texts: Sequence[str], title_lens: Sequence[int]):
        self.texts = texts
        self.title_lens = title_lens
        self.n = len(texts)
        self.all = (1 << self.n) - 1
        self._text = _char_sets(texts)
        self._title = _char_sets([t[:k] for t, k in zip(texts, title_lens)])

    def _filter(self, cand: int, word: str, titles: bool) -> int:
        if len(word) == 1 or not cand:
            return cand
        texts, tl = self.texts, self.title_lens
        ps = positions(cand)
        if titles:
            bad = [p for p in ps if texts[p].find(word, 0, tl[p]) < 0]
        else:
            bad = [p for p in ps if word not in texts[p]]
        if not bad:
            return cand
        return cand & ~bits_of(bad, bad[-1] + 1)

    def _cand(self, sets: dict[str, int], word: str, scope: int) -> int:
        x = scope
        for c in set(word):
            x &= sets.get(c, 0)
            if not x:
                break
        return x

    def containing(self, word: str, scope: int | None = None) -> int:
        """Records (within ``scope``) whose text contains ``word``."""
        if not word:
            return self.all if scope is None else scope
        scope = self.all if scope is None else scope
        return self._filter(self._cand(self._text, word, scope), word, False)

    def in_title(self, word: str, scope: int | None = None) -> int:
        """Records (within ``scope``) whose title contains ``word``."""
        if not word:
            return self.all if scope is None else scope
        scope = self.all if scope is None else scope
        return self._filter(self._cand(self._title, word, scope), word, True)

    def may_align(self, term: str, cutoff: float, scope: int | None = None) -> int:
        """Records that *may* hold a fuzzy alignment of ``term`` scoring ``cutoff`` (0–100)
        or more with Indel similarity (``fuzz.partial_ratio`` / ``fuzz.ratio``).

        Such an alignment against a window of ``m`` characters has ``2·LCS/(n+m) ≥ c``
        with ``LCS ≤ m``, so ``LCS ≥ c·n/(2−c)``; and every character of the LCS is a
        character of the term found in the text. The records where at least that many
        of the term's characters (counted by position) occur are a superset of the hits.

        Counted with a bit-sliced counter: each distinct character of the term adds its
        number of positions to the records containing it, so the work is linear in the
        term's length (plus a few big-integer operations per distinct character), where
        a table of "records with ≥ k positions so far" was quadratic.
        """
        scope = self.all if scope is None else scope
        n = len(term)
        c = cutoff / 100.0
        need = max(1, math.ceil(c * n / (2.0 - c) - 1e-6))
        if need > n:
            return 0
        weights = Counter(term)
        total = sum(k for ch, k in weights.items() if ch in self._text)
        if total < need:
            return 0
        width = total.bit_length()
        digits = [0] * width  # digits[j]: bit j of each record's count
        for ch, k in weights.items():
            b = self._text.get(ch, 0) & scope
            if not b:
                continue
            j = 0
            while k:  # add k to the records in b, bit by bit
                if k & 1:
                    carry, i = b, j
                    while carry and i < width:
                        carry, digits[i] = digits[i] & carry, digits[i] ^ carry
                        i += 1
                k >>= 1
                j += 1
        above, equal = 0, scope  # count > need so far / count == need so far
        for j in range(width - 1, -1, -1):
            if need >> j & 1:
                equal &= digits[j]
            else:
                above |= equal & digits[j]
                equal &= ~digits[j]
        return (above | equal) & scope
