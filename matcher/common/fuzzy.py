"""Near-miss matching. The only module that imports rapidfuzz.

rapidfuzz >= 3 does no preprocessing unless asked, and its ``token_*`` scorers split on
spaces, which unsegmented Chinese does not have. So every call here names its scorer and
passes ``processor=None``; callers normalise both sides first with the same normaliser
(NFKC + Traditional→Simplified), or hand one in as ``processor``.

Scores are 0–100. Two uses:

* :func:`best_choice` — a value typed by a person against a closed list (districts,
  flags …), compared whole with ``fuzz.ratio`` (Indel similarity).
* :func:`find_in_text` / :func:`score_term` — a short keyword inside a sentence, with
  ``fuzz.partial_ratio_alignment``. Exact substrings always win (score 100). Terms shorter
  than :data:`MIN_FUZZY_LEN` characters are matched exactly only: with Indel scoring a
  3-character term that shares any two adjacent characters with the text already scores
  66.7, the same as a one-character typo, so fuzzy matching would find them everywhere.
  From 4 characters on, one wrong character scores 75 (4 chars), 80 (5), 83.3 (6) …,
  so the default cutoff :data:`TERM_CUTOFF` = 75 admits one typo in a 4-character term.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rapidfuzz import fuzz

#: Shortest term that may match fuzzily; shorter terms need an exact substring.
MIN_FUZZY_LEN = 4
#: Default cutoff for a keyword inside a sentence (one typo in four characters).
TERM_CUTOFF = 75.0
#: Default cutoff for a typed value against a closed list.
CHOICE_CUTOFF = 70.0

Processor = Callable[[str], str] | None


def _pairs(choices: Iterable[str] | Mapping[str, str]) -> list[tuple[str, str]]:
    """(text compared, value returned) pairs."""
    if isinstance(choices, Mapping):
        return [(str(k), str(v)) for k, v in choices.items()]
    return [(str(c), str(c)) for c in choices]


def ranked(
    query: str, choices: Iterable[str] | Mapping[str, str], limit: int = 3, processor: Processor = None
) -> list[tuple[str, float]]:
    """The ``limit`` best distinct values for ``query``, best first, ties in input order.

    ``choices`` is a list of strings, or a mapping alias → value (scores are computed on
    the aliases, each value appears once with its best alias's score).
    """
    pairs = _pairs(choices)
    if not pairs or not query:
        return []
    q = processor(query) if processor else query
    keys = [processor(k) if processor else k for k, _ in pairs]
    best: dict[str, float] = {}
    for key, (_, value) in zip(keys, pairs):
        s = fuzz.ratio(q, key, processor=None)
        if s > best.get(value, -1.0):
            best[value] = s
    order = {v: i for i, v in enumerate(dict.fromkeys(v for _, v in pairs))}
    out = sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    return out[:limit]


def best_choice(
    query: str,
    choices: Iterable[str] | Mapping[str, str],
    cutoff: float = CHOICE_CUTOFF,
    *,
    margin: float = 0.0,
    processor: Processor = None,
) -> tuple[str, float] | None:
    """The one value ``query`` is a near miss of, with its score; ``None`` if none is.

    ``None`` when the best score is below ``cutoff``, or when another value scores within
    ``margin`` of it (a tie is always ambiguous): a guess between two districts is worse
    than asking.
    """
    top = ranked(query, choices, limit=2, processor=processor)
    if not top or top[0][1] < cutoff:
        return None
    if len(top) > 1 and top[0][1] - top[1][1] <= margin:
        return None
    return top[0]


def _align(term: str, text: str, lo: int, hi: int, cutoff: float, out: list[tuple[int, int, float]]) -> None:
    """Collect non-overlapping fuzzy hits of ``term`` in ``text[lo:hi]``."""
    stack = [(lo, hi)]
    n = len(term)
    while stack:
        a, b = stack.pop()
        seg = text[a:b]
        if len(seg) < n - 1 or not seg:
            continue
        if len(seg) < n:
            # partial_ratio would look for the segment inside the term; compare whole instead
            s = fuzz.ratio(term, seg, processor=None)
            if s >= cutoff:
                out.append((a, b, s))
            continue
        res = fuzz.partial_ratio_alignment(term, seg, processor=None, score_cutoff=cutoff)
        if res is None or res.dest_end <= res.dest_start:
            continue
        out.append((a + res.dest_start, a + res.dest_end, res.score))
        stack.append((a, a + res.dest_start))
        stack.append((a + res.dest_end, b))


def find_in_text(term: str, text: str, cutoff: float = TERM_CUTOFF) -> list[tuple[int, int, float]]:
    """Where ``term`` occurs in ``text``: ``[(start, end, score)]`` sorted by start.

    Exact occurrences score 100. In the stretches between them, a term of at least
    :data:`MIN_FUZZY_LEN` characters is also looked for fuzzily with
    ``fuzz.partial_ratio_alignment`` (scorer Indel, no processor), keeping every
    non-overlapping alignment scoring at least ``cutoff``. Offsets index ``text`` as given,
    so normalise it before calling if it may hold Traditional or full-width characters.
    """
    if not term or not text:
        return []
    hits: list[tuple[int, int, float]] = []
    i = text.find(term)
    while i != -1:
        hits.append((i, i + len(term), 100.0))
        i = text.find(term, i + len(term))
    if len(term) >= MIN_FUZZY_LEN:
        gaps, pos = [], 0
        for s, e, _ in hits:
            gaps.append((pos, s))
            pos = e
        gaps.append((pos, len(text)))
        for a, b in gaps:
            _align(term, text, a, b, cutoff, hits)
    hits.sort()
    return hits


def score_term(term: str, text: str, cutoff: float = TERM_CUTOFF, processor: Processor = None) -> float:
    """How well ``term`` occurs in ``text``: 100 for an exact substring, else the best
    fuzzy alignment score (terms of :data:`MIN_FUZZY_LEN`+ characters only), 0 below
    ``cutoff``. ``processor``, if given, is applied to both sides first."""
    if processor:
        term, text = processor(term), processor(text)
    term = term.strip()
    if not term or not text:
        return 0.0
    if term in text:
        return 100.0
    if len(term) < MIN_FUZZY_LEN:
        return 0.0
    # one alignment is enough for a score: the best one over the whole text
    if len(text) < len(term):
        s = fuzz.ratio(term, text, processor=None)
        return s if s >= cutoff else 0.0
    res = fuzz.partial_ratio_alignment(term, text, processor=None, score_cutoff=cutoff)
    return res.score if res is not None else 0.0


def suggest(text: str, choices: Iterable[str] | Mapping[str, str], limit: int = 12, cutoff: float = 50.0) -> list[str]:
    """Values to offer while a person types ``text``, best first (search-as-you-type).

    Both sides go through :func:`matcher.common.text.normalize` (so Traditional and full-width
    input work). A value equal to the text comes first, then values starting with it,
    then values containing it, then — for texts of two or more characters — near
    spellings scoring at least ``cutoff`` with ``fuzz.ratio``. Ties keep input order.
    ``choices`` may be a mapping alias → value, so that typing an alias offers its value.
    """
    from matcher.common.text import normalize

    q = normalize(text).casefold()
    pairs = _pairs(choices)
    if not q:
        return list(dict.fromkeys(v for _, v in pairs))[:limit]
    best: dict[str, float] = {}
    for key, value in pairs:
        k = normalize(key).casefold()
        if k == q:
            s = 300.0
        elif k.startswith(q):
            s = 200.0 + len(q) / len(k)
        elif q in k:
            s = 100.0 + len(q) / len(k)
        elif len(q) >= 2:
            s = fuzz.ratio(q, k, processor=None)
            if s < cutoff:
                continue
        else:
            continue
        if s > best.get(value, -1.0):
            best[value] = s
    order = {v: i for i, v in enumerate(dict.fromkeys(v for _, v in pairs))}
    return [v for v, _ in sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))][:limit]
