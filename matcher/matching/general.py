"""普惠服务 as an owner reads it (issue 19): one line per section of a document, not per item.

A district's business-environment plan writes its general services section by section —
纳税 (1)…(7), 市场准入退出 (1)…(6) — and each item's own title is often only that heading.
Listed item by item, a micro firm's 普惠服务 runs to 30 lines that say "纳税" seven times.
Grouped here:

* one group per document and parent section (the measure's clause path without its last
  step), named by that section's heading, holding every listed ``general`` result under it
  in the answer's order; a measure with no parent section is a group of its own;
* groups in the order of their first result (the answer's rank), so the most relevant
  section leads;
* the offices of a group are its results' first offices, in order, without repeats.

Nothing is decided here: the groups are the answer's own general results, gathered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _key(result: Any) -> tuple[str, tuple[str, ...]]:
    m = result.measure
    path = list(getattr(m, "path", None) or [])
    parents = list(getattr(m, "parents", None) or [])
    if len(path) > 1 and parents:
        return m.doc_id, tuple(path[:-1])
    return m.doc_id, ("#", m.measure_id)


def general_groups(results: Iterable[Any]) -> list[dict[str, Any]]:
    """``[{"heading", "document", "doc_id", "results": [Result …], "offices"}]`` for the
    ``general`` results among ``results`` (see the module docstring)."""
    groups: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for r in results:
        if getattr(r, "tier", None) != "general":
            continue
        key = _key(r)
        g = groups.get(key)
        if g is None:
            m = r.measure
            parents = list(getattr(m, "parents", None) or [])
            heading = parents[-1] if key[1][:1] != ("#",) else (m.title or m.text[:20])
            g = groups[key] = {
                "heading": heading.strip("。;;: "),
                "document": m.document,
                "doc_id": m.doc_id,
                "results": [],
            }
        g["results"].append(r)
    for g in groups.values():
        g["offices"] = list(
            dict.fromkeys(o for r in g["results"] for o in (r.measure.offices_canonical or r.measure.offices)[:2])
        )
    return list(groups.values())


def general_groups_dict(results: Iterable[Any]) -> list[dict[str, Any]]:
    """The groups as the JSON answer gives them: ``[{"heading", "document", "measure_ids", "offices"}]``."""
    return [
        {
            "heading": g["heading"],
            "document": g["document"],
            "measure_ids": [r.measure.measure_id for r in g["results"]],
            "offices": g["offices"],
        }
        for g in general_groups(results)
    ]
