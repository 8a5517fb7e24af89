"""The stored index as a match reads it (:class:`IndexReader`).

The index (:mod:`matcher.matching.stored_index`) holds per-record arrays, tag sets as bit
masks, the texts with their posting lists, and each record's tier features
(:mod:`matcher.matching.tierclass`). A match asks it a few things over and over: the records
a profile of one district may be offered, tag names as a bit mask, which distinct tag sets
share a tag with a mask, the records of a scope holding a word, and one record's fields.
The reader answers those and keeps what depends only on the words and masks asked (the
needs' words are the same from one profile to the next).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import numpy as np

from matcher.matching.stored_index import IndexData
from matcher.matching.tierclass import TierFeatures
from matcher.models import CITY

_KEPT = 4096  # (district, word) → records holding it, and (space, mask) → tag-set table, kept


class IndexReader:
    """Queries over one stored index that carries tier features."""

    def __init__(self, ix: IndexData) -> None:
        if "tier_cond" not in ix.arrays:
            raise ValueError("IndexReader: the index holds no tier features (stored_index.build(..., tier=...))")
        self.ix = ix
        self.n = ix.n
        self._district_id = {d: k for k, d in enumerate(ix.districts)}
        self._words: dict[tuple[str, str], np.ndarray] = {}
        self._tables: dict[tuple[str, int], np.ndarray] = {}

    @cached_property
    def tier(self) -> TierFeatures:
        """Every record's tier features, in record order (row ``pos`` for record ``pos``)."""
        return TierFeatures.from_arrays(self.ix.arrays)

    # ── districts ──

    def district_id(self, district: str | None) -> int:
        """The index's code of ``district`` (-1: no record of it)."""
        return self._district_id.get(district or "", -1)

    def in_district(self, district: str | None) -> np.ndarray:
        k = self._district_id.get(district or "")
        if k is None:
            return np.zeros(self.n, dtype=bool)
        return self.ix.arrays["district"] == k

    def scope(self, district: str | None) -> np.ndarray:
        """Records a profile of ``district`` may be offered: its own and the city's."""
        return self.in_district(district) | self.in_district(CITY)

    # ── tags ──

    def known(self, space: str, names: Iterable[str]) -> int:
        """The bit mask of those ``names`` the index knows (tag space ``space``)."""
        pos = self.ix.bits[space]
        m = 0
        for n in names:
            b = pos.get(n)
            if b is not None:
                m |= 1 << b
        return m

    def names(self, space: str, mask: int) -> list[str]:
        """The names of tag space ``space`` in ``mask``, in bit order."""
        return [n for n, b in self.ix.bits[space].items() if mask >> b & 1]

    def mask_table(self, space: str, mask: int) -> np.ndarray:
        """Per distinct tag set of ``space``: whether it shares a tag with ``mask``."""
        key = (space, mask)
        got = self._tables.get(key)
        if got is None:
            if len(self._tables) >= _KEPT:
                self._tables.clear()
            ms = self.ix.masks[space]
            got = self._tables[key] = np.fromiter((bool(mk & mask) for mk in ms), dtype=bool, count=len(ms))
        return got

    # ── words ──

    def containing(self, word: str, district: str, scope: np.ndarray) -> np.ndarray:
        """Records of a district's ``scope`` whose text holds ``word`` (kept for the next
        match of that district)."""
        key = (district, word)
        got = self._words.get(key)
        if got is None:
            if len(self._words) >= _KEPT:
                self._words.clear()
            got = self._words[key] = self.ix.text.containing(word, scope)
        return got

    # ── records ──

    def mid(self, pos: int) -> str:
        return self.ix.mid(pos)

    def record(self, pos: int) -> tuple:
        """Record ``pos`` as a :class:`~matcher.matching.records._Rec` tuple (to explain or show it)."""
        ix = self.ix
        a = ix.arrays
        m = ix.masks
        return (
            int(a["idx"][pos]),
            pos,
            ix.mid(pos),
            ix.districts[int(a["district"][pos])],
            ix.issued_table[int(a["issued"][pos])],
            int(a["order"][pos]),
            bool(a["internal"][pos]),
            bool(a["star"][pos]),
            m["aud"][int(a["aud"][pos])],
            m["cat"][int(a["cat"][pos])],
            m["cat"][int(a["pcat"][pos])],
            m["aud"][int(a["ment"][pos])],
            m["ind"][int(a["ind"][pos])],
            m["area"][int(a["area"][pos])],
            int(a["tlen"][pos]),
            ix.text_of(pos),
            int(a["mrank"][pos]),
        )
