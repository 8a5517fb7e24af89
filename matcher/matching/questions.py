"""待确认 as an officer reads it out (issue 19): one question each, with the measures it unlocks.

A measure of the ``unknown`` tier carries the questions its open conditions raise (its size,
a figure, whether the firm has a PV or truck project …). Listed measure by measure, the same
"贵企业是否有光伏发电项目或业务?" comes back once per item of a city document. Grouped here:

* one group per question, holding every listed measure that asks it (a measure asking two
  questions is under both), in the answer's order;
* questions about the firm itself (its size, industry, figures, age, place: ``kind``
  ``"profile"``) come first — the officer can answer them from what the owner knows — then
  those about an activity (``"activity"``: a project or line of business the profile does
  not state); within each, the question that unlocks the most measures first, then the one
  whose best measure ranks highest.

Nothing is decided here: the groups are the answer's own questions, reordered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matcher.knowledge.conditions import question_for


def _activity_questions(result: Any) -> set[str]:
    return {
        question_for(c)
        for c in getattr(result, "conditions", None) or []
        if c.get("kind") == "activity" and c.get("met") is None
    }


def question_groups(results: Iterable[Any]) -> list[dict[str, Any]]:
    """``[{"question", "kind": "profile"|"activity", "results": [Result …]}]`` for the
    ``unknown`` results among ``results`` (see the module docstring for the order)."""
    groups: dict[str, dict[str, Any]] = {}
    first: dict[str, int] = {}
    for k, r in enumerate(results):
        if getattr(r, "tier", None) != "unknown":
            continue
        activity = _activity_questions(r)
        for q in dict.fromkeys(getattr(r, "questions", None) or []):
            g = groups.get(q)
            if g is None:
                g = groups[q] = {"question": q, "kind": "activity" if q in activity else "profile", "results": []}
                first[q] = k
            g["results"].append(r)
    return sorted(groups.values(), key=lambda g: (g["kind"] != "profile", -len(g["results"]), first[g["question"]]))


def question_groups_dict(results: Iterable[Any]) -> list[dict[str, Any]]:
    """The groups as the JSON answer gives them: ``[{"question", "kind", "measure_ids"}]``."""
    return [
        {"question": g["question"], "kind": g["kind"], "measure_ids": [r.measure.measure_id for r in g["results"]]}
        for g in question_groups(results)
    ]
