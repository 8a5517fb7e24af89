"""Filling a measure with what its text (and its document) states: conditions
(:mod:`matcher.knowledge.conditions`), amounts, the application window, materials, how to apply,
contacts and validity (:mod:`matcher.knowledge.entitlements`). Its own module so that neither of
those two imports the other's caller back (no import cycle).
"""

from __future__ import annotations

from typing import Any

from matcher.knowledge.amounts import amounts
from matcher.knowledge.audience import activity_condition
from matcher.knowledge.conditions import document_conditions, extract, programme_requirements
from matcher.knowledge.dates import window
from matcher.knowledge.entitlements import document_entitlements


def fill_measure(m, heading: str = ""):
    """``m`` (a :class:`~matcher.models.Measure`) with the conditions, amounts and window
    its own text states. Called at the end of :func:`matcher.reading.enrich.enrich`."""
    sents = list(m.sentences) or [m.text]
    year = int(m.issued[:4]) if m.issued and m.issued[:4].isdigit() else None
    return m.model_copy(
        update={
            "conditions": extract(sents, list(m.audiences), m.evidence, heading) + activity_condition(m.audience),
            "amounts": [] if m.internal else amounts(sents),
            "window": window(sents, year),
        }
    )


def fill_document(measures: list, text: str, issued: str | None, valid_until: str | None) -> list:
    """The measures of one document with what the document states once for all of them:
    its 适用范围 conditions, application window (where a measure states none), materials,
    how to apply, contacts and validity. ``valid_until`` is the parser's, when it found one;
    else the document's own 有效期 words are read here."""
    doc = document_entitlements(text, issued)
    doc_conds = document_conditions(text) + programme_requirements(text)
    until = valid_until or doc["valid_until"]
    out = []
    for m in measures:
        upd: dict[str, Any] = {"valid_until": until}
        if m.internal:
            out.append(m.model_copy(update=upd))
            continue
        have = {(c.get("kind"), c.get("text")) for c in m.conditions}
        extra = [c for c in doc_conds if (c["kind"], c["text"]) not in have]
        if extra:
            upd["conditions"] = [*m.conditions, *extra]
        if not m.window and doc["window"]:
            upd["window"] = doc["window"]
        upd["materials"] = doc["materials"]
        upd["how_to_apply"] = doc["how_to_apply"]
        upd["contact"] = doc["contact"]
        out.append(m.model_copy(update=upd))
    return out
