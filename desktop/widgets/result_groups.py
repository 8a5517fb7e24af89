"""How the result lists group their rows: by the need a measure serves, by the condition
missing, by the question to ask, by expiry."""

from __future__ import annotations

from ..tier_text import TIER_TITLES


def by_category(result) -> list[str]:
    """The group of a result: the category that serves one of the company's needs (as the
    matcher's reasons say), else the measure's main category."""
    for reason in result.reasons:
        if reason.kind == "need" and reason.category:
            return [reason.category]
    cats = result.measure.categories
    return [cats[0]] if cats else ["综合服务"]


def need_groups_first(results) -> list[str]:
    """Groups that serve a stated need lead, in the order of their best result."""
    order: list[str] = []
    for r in results:
        for reason in r.reasons:
            if reason.kind == "need" and reason.category and reason.category not in order:
                order.append(reason.category)
    return order


def by_missing(result) -> list[str]:
    missing = "、".join(result.missing) or "其他条件"
    return [f"如果再具备“{missing}”,还可享受"]


def by_question(result) -> list[str]:
    qs = list(getattr(result, "questions", None) or []) or list(result.missing) or ["其他情况"]
    return ["待确认:" + ";".join(qs)]


def by_expiry(result) -> list[str]:
    return [";".join(result.missing) or TIER_TITLES["expired"]]


def general_group(_result) -> list[str]:
    return [TIER_TITLES["general"]]


def targeted_flat(_result) -> list[str]:
    return [TIER_TITLES["targeted"]]
