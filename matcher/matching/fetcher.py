"""The full measures of the results shown (:class:`MeasureFetcher`).

The index ranks and classifies records without reading a full
:class:`~matcher.models.Measure`; the rows an answer shows are fetched together (one query
of the knowledge base), and those of a page-sized answer are kept for the next answers:
the knowledge base does not change under a matcher (its index would be stale), and the
window asks the same rows again as it pages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from matcher.models import Measure

MEASURES_KEPT = 512  # full measures kept between answers (a few pages)

FetchMany = Callable[[list[str]], dict[str, Measure]]


class MeasureFetcher:
    """``fetch_many(ids)`` (such as :meth:`KnowledgeBase.get_measures`: id → measure for the
    ids that exist), with the last pages' measures kept."""

    def __init__(self, fetch_many: FetchMany) -> None:
        self._fetch_many = fetch_many
        self._kept_at_most = MEASURES_KEPT
        self._kept: OrderedDict[str, Measure] = OrderedDict()

    def get_many(self, ids: Iterable[str]) -> dict[str, Measure]:
        """id → measure for those of ``ids`` that exist."""
        kept = self._kept
        out: dict[str, Measure] = {}
        todo: list[str] = []
        for i in ids:
            got = kept.get(i)
            if got is None:
                todo.append(i)
            else:
                out[i] = got
                kept.move_to_end(i)
        if todo:
            new = self._fetch_many(todo)
            out.update(new)
            if len(new) <= self._kept_at_most // 4:  # a page's worth, not a whole list
                kept.update(new)
                while len(kept) > self._kept_at_most:
                    kept.popitem(last=False)
        return out
