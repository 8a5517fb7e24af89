"""Character unigram + bigram posting lists over many texts, built and queried with numpy.

A posting list is the sorted array of record numbers (``uint32``) whose text holds a key:
a character (unigram) or two adjacent characters (bigram, ``cp1 << 21 | cp2``). Keys are
kept sorted with the start of each key's records, so a lookup is a binary search.

The records holding a word are then:

* one character: its unigram list (exact);
* two characters: its bigram list (exact);
* three or more: the intersection of its bigrams' lists, then each of those few candidates'
  text checked (:class:`Postings` is given a ``holds(word, record)`` for that) — a text can hold
  every bigram of a word without the word.

The arrays are plain numpy arrays, so they can be written to a file and memory-mapped
(:mod:`matcher.matching.stored_index`); nothing here holds a Python object per record.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

_REC_BITS = 20  # records per index: up to 1,048,576
_REC_MASK = (1 << _REC_BITS) - 1
_CHUNK = 8192
_SEP = 0  # code point between texts (never in a stored text)


def _pairs(texts: Sequence[str], first: int, kind: str) -> np.ndarray:
    """Distinct (unigram key << 20 | record) (``kind`` "u") or (bigram key << 20 | record)
    ("b") of a chunk of texts numbered from ``first``."""
    joined = "\0".join(texts) + "\0"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    del joined
    lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    rec = np.repeat(np.arange(first, first + len(texts), dtype=np.uint64), lens)
    real = cps != _SEP
    if kind == "u":
        return _sorted_distinct((cps[real] << np.uint64(_REC_BITS)) | rec[real])
    both = real[:-1] & real[1:]
    key = (cps[:-1][both] << np.uint64(21)) | cps[1:][both]
    key <<= np.uint64(_REC_BITS)
    key |= rec[:-1][both]
    return _sorted_distinct(key)


def _sorted_distinct(a: np.ndarray) -> np.ndarray:
    """``a``'s distinct values, sorted (np.unique hashes: many times slower on these)."""
    a = np.sort(a)
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _split(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted distinct (key << 20 | record) → (keys, starts, records); ``pairs`` is used up."""
    recs = (pairs & np.uint64(_REC_MASK)).astype(np.uint32)
    pairs >>= np.uint64(_REC_BITS)  # the keys, in place
    if len(pairs):
        new = np.empty(len(pairs), dtype=bool)
        new[0] = True
        np.not_equal(pairs[1:], pairs[:-1], out=new[1:])
        at = np.flatnonzero(new)
        del new
    else:
        at = np.zeros(0, dtype=np.int64)
    keys = pairs[at]
    starts = np.append(at, len(recs)).astype(np.int64)
    return keys, starts, recs


def build(texts: Sequence[str], prefix: str) -> dict[str, np.ndarray]:
    """The posting arrays of ``texts`` (record ``i`` is ``texts[i]``), named
    ``<prefix>u_keys`` … ``<prefix>b_recs``."""
    if len(texts) > _REC_MASK:
        raise ValueError("too many records for one index")
    out: dict[str, np.ndarray] = {}
    for kind in ("u", "b"):  # one kind at a time: half the memory at the peak
        parts = [_pairs(texts[start : start + _CHUNK], start, kind) for start in range(0, len(texts), _CHUNK)]
        allp = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        del parts
        allp.sort()
        keys, starts, recs = _split(allp)
        del allp
        out[f"{prefix}{kind}_keys"] = keys
        out[f"{prefix}{kind}_starts"] = starts
        out[f"{prefix}{kind}_recs"] = recs
    return out


_EMPTY = np.zeros(0, dtype=np.uint32)


def _within(got: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The values of sorted ``got`` that sorted ``other`` holds: a binary search per value,
    which reads (maps in) only the pages of ``other`` it lands on."""
    if not len(other):
        return got[:0]
    i = np.searchsorted(other, got)
    np.minimum(i, len(other) - 1, out=i)
    return got[other[i] == got]


class Postings:
    """Queries over one set of posting arrays (see :func:`build`).

    ``holds(word_utf8, record)`` tells whether a record's text holds a word (given as
    UTF-8: a byte match of whole UTF-8 characters is a character match), to check the
    candidates of words of three or more characters; ``n`` is the number of records."""

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str, n: int, holds: Callable[[bytes, int], bool]):
        self.n = n
        self._u = (arrays[f"{prefix}u_keys"], arrays[f"{prefix}u_starts"], arrays[f"{prefix}u_recs"])
        self._b = (arrays[f"{prefix}b_keys"], arrays[f"{prefix}b_starts"], arrays[f"{prefix}b_recs"])
        self._holds = holds

    @staticmethod
    def _get(table: tuple[np.ndarray, np.ndarray, np.ndarray], key: int) -> np.ndarray:
        keys, starts, recs = table
        # the key as the array's own type: a Python int makes numpy convert the whole
        # array to compare (25 µs a lookup instead of 0.6 µs, issue 24)
        i = int(keys.searchsorted(keys.dtype.type(key)))
        if i >= len(keys) or int(keys[i]) != key:
            return _EMPTY
        return recs[int(starts[i]) : int(starts[i + 1])]

    def char(self, c: str) -> np.ndarray:
        """Records holding the character ``c`` (sorted)."""
        return self._get(self._u, ord(c))

    def pair(self, a: str, b: str) -> np.ndarray:
        return self._get(self._b, ord(a) << 21 | ord(b))

    def candidates(self, word: str, scope: np.ndarray | None = None) -> np.ndarray:
        """Records (sorted) that may hold ``word``: exact for one or two characters.
        ``scope``, if given, is a boolean array over the records."""
        if len(word) == 1:
            got = self.char(word)
        else:
            lists = sorted((self.pair(a, b) for a, b in dict.fromkeys(zip(word, word[1:]))), key=len)
            got = lists[0]
            if scope is not None and len(got):
                got = got[scope[got]]
            for other in lists[1:]:
                if not len(got):
                    break
                got = _within(got, other)
            return got
        return got[scope[got]] if scope is not None and len(got) else got

    def containing(self, word: str, scope: np.ndarray | None = None) -> np.ndarray:
        """Records (sorted ``uint32``) holding ``word`` (within ``scope``)."""
        if not word:
            return np.flatnonzero(scope).astype(np.uint32) if scope is not None else np.arange(self.n, dtype=np.uint32)
        return self.holding(word, self.candidates(word, scope))

    def holding(self, word: str, recs: np.ndarray) -> np.ndarray:
        """Those of the candidate records ``recs`` whose text holds ``word`` (one or two
        characters: all of them, the posting lists are exact)."""
        if len(word) <= 2 or not len(recs):
            return recs
        holds, wb = self._holds, word.encode("utf-8")
        keep = [holds(wb, p) for p in recs.tolist()]
        return recs[np.array(keep, dtype=bool)]

    def char_counts(self, term: str, scope: np.ndarray) -> np.ndarray:
        """Per record: how many of ``term``'s characters (counted by position) its text holds."""
        counts = np.zeros(self.n, dtype=np.int32)
        for ch, k in Counter(term).items():
            counts[self.char(ch)] += k
        counts[~scope] = 0
        return counts

    def may_align(self, term: str, cutoff: float, scope: np.ndarray) -> np.ndarray:
        """Records (sorted) that *may* hold a fuzzy alignment of ``term`` scoring ``cutoff``
        (0–100) or more with Indel similarity: such an alignment against a window of ``m``
        characters has ``2·LCS/(n+m) ≥ c`` with ``LCS ≤ m``, so ``LCS ≥ c·n/(2−c)``, and
        every character of the LCS is a character of the term found in the text."""
        n = len(term)
        c = cutoff / 100.0
        need = max(1, math.ceil(c * n / (2.0 - c) - 1e-6))
        if need > n:
            return _EMPTY
        return np.flatnonzero(self.char_counts(term, scope) >= need).astype(np.uint32)
