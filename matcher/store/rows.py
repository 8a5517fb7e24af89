"""What the matcher's index is built from: lean index rows.

:class:`IndexRow` is what ranking needs of a measure — its id, district, date, order,
flags, tags and text — without sentences, offices or evidence quotes. The knowledge base
reads these straight from SQLite (:meth:`matcher.store.kb.KnowledgeBase.index_rows`), so a
100,000-measure KB never holds 100,000 pydantic :class:`~matcher.models.Measure` objects;
the matcher fetches full measures only for the results it shows.
"""

from __future__ import annotations

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
