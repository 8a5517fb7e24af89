"""What :func:`matcher.matching.tierclass.features` reads of every measure, straight from SQLite.

The stored index (:mod:`matcher.matching.stored_index`) keeps each measure's tier features beside its
match features, built when the knowledge base changes. Reading 100,000 full
:class:`~matcher.models.Measure` objects for that takes half a minute; this reads only the
columns the tier decision needs (the audience, mention and category evidence, not all of
it; who the item is for; the first 40 characters of the text) into light rows. A measure an officer corrected
is read whole, corrections applied, as :meth:`KnowledgeBase.index_rows` does; hidden ones
are left out.
"""

from __future__ import annotations

import json
from typing import Any

_SQL = (
    "SELECT m.measure_id, m.title, substr(m.text, 1, 40), m.audiences, m.categories, m.industries, "
    "json_extract(m.evidence, '$.audiences'), json_extract(m.evidence, '$.audience_mentions'), "
    "json_extract(m.evidence, '$.categories'), m.conditions, m.valid_until, m.window, "
    "CASE WHEN m.amounts IS NULL OR m.amounts IN ('', '[]') THEN 0 ELSE 1 END, m.audience, m.role, m.issued, m.parents "
    "FROM measures AS m LEFT JOIN documents AS d ON d.doc_id = m.doc_id "
    "ORDER BY d.rowid, m.[order], m.rowid"
)


class TierRow:
    """The attributes of a measure :func:`matcher.matching.tierclass.features` reads."""

    __slots__ = (
        "measure_id",
        "title",
        "text",
        "audiences",
        "categories",
        "industries",
        "evidence",
        "conditions",
        "valid_until",
        "window",
        "amounts",
        "audience",
        "role",
        "issued",
        "parents",
    )

    def __init__(
        self,
        measure_id: str,
        title: str,
        text: str,
        audiences: list,
        categories: list,
        industries: list,
        evidence: dict,
        conditions: list,
        valid_until: str | None,
        window: dict,
        amounts: bool,
        audience: dict | None = None,
        role: str = "",
        issued: str | None = None,
        parents: list | None = None,
    ):
        self.measure_id, self.title, self.text = measure_id, title, text
        self.audiences, self.categories, self.industries = audiences, categories, industries
        self.evidence, self.conditions = evidence, conditions
        self.valid_until, self.window, self.amounts = valid_until, window, amounts
        self.audience = audience or {}
        self.role = role
        self.issued = issued
        self.parents = parents or []  # a title that is its section's heading is not its own

    @classmethod
    def of(cls, m: Any) -> TierRow:
        return cls(
            m.measure_id,
            m.title,
            m.text[:40],
            list(m.audiences),
            list(m.categories),
            list(m.industries),
            dict(m.evidence or {}),
            list(m.conditions),
            m.valid_until,
            dict(m.window or {}),
            bool(m.amounts),
            dict(m.audience or {}),
            m.role or "",
            m.issued,
            list(m.parents or []),
        )


def tier_rows(kb: Any) -> dict[str, TierRow]:
    """measure id → its :class:`TierRow`, for every measure :meth:`index_rows` lists."""
    return kb.lean_rows(_SQL, tier_row_reader(), TierRow.of)


def tier_rows_where(kb: Any, file: int, where: str, params: Any) -> list[TierRow]:
    """The :class:`TierRow` of each measure of one file (0 seed, 1 user) that ``where``
    selects, as stored (no corrections), in document order — as
    :meth:`~matcher.store.kb.KnowledgeBase.index_rows_where` lists them."""
    lean = tier_row_reader()
    return [lean(r) for r in kb.file_rows(file, _SQL.replace(" ORDER BY ", f" WHERE {where} ORDER BY "), params)]


def tier_row_reader() -> Any:
    """A function: one row of the tier query → its :class:`TierRow` (parsed JSON shared)."""
    cache: dict[str | None, Any] = {None: None, "": None, "[]": [], "{}": {}}

    def load(s: str | None) -> Any:  # tag lists and condition sets repeat a lot
        got = cache.get(s, cache)
        if got is cache:
            assert s is not None  # None is in the cache
            got = cache[s] = json.loads(s)
        return got

    def lean(row: tuple) -> TierRow:
        mid, title, head, a, c, i, ea, em, ec, cond, vu, win, amt, aud, role, issued, parents = row
        ev = {"audiences": load(ea) or {}, "audience_mentions": load(em) or {}, "categories": load(ec) or {}}
        return TierRow(
            mid,
            title or "",
            head or "",
            load(a) or [],
            load(c) or [],
            load(i) or [],
            ev,
            load(cond) or [],
            vu or None,
            load(win) or {},
            bool(amt),
            load(aud) or {},
            role or "",
            issued or None,
            load(parents) or [],
        )

    return lean
