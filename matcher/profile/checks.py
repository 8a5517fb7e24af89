"""Checks on a profile's values that protect the answer from hostile or mistaken input
(the district, which decides everything, is checked by :func:`matcher.profile.resolver.resolve_district`).

* :func:`cap_keywords` — at most :data:`matcher.common.limits.MAX_KEYWORD_TERMS` terms of at most
  :data:`matcher.common.limits.MAX_KEYWORD_CHARS` characters reach matching; what was cut is said.
* :func:`size_conflict` — a size typed by hand that the figures given contradict
  (``微型`` with 5000 employees) gives a warning (the typed size is kept).
"""

from __future__ import annotations

import re

from matcher.common import limits

_SPLIT = re.compile(r"[\s,,、;;/|。]+")


def cap_keywords(keywords: str) -> tuple[str, list[str]]:
    """(keywords within the caps, warnings)."""
    terms = [t for t in _SPLIT.split(keywords) if t]
    warnings = []
    long = [t for t in terms if len(t) > limits.MAX_KEYWORD_CHARS]
    if long:
        terms = [t[: limits.MAX_KEYWORD_CHARS] for t in terms]
        warnings.append(
            f"有 {len(long)} 个关键词超过 {limits.MAX_KEYWORD_CHARS} 个字,只取前 {limits.MAX_KEYWORD_CHARS} 个字匹配。"
        )
    terms = list(dict.fromkeys(terms))
    if len(terms) > limits.MAX_KEYWORD_TERMS:
        warnings.append(f"关键词共 {len(terms)} 个,只使用前 {limits.MAX_KEYWORD_TERMS} 个。")
        terms = terms[: limits.MAX_KEYWORD_TERMS]
    if not warnings:
        return keywords, []
    return " ".join(terms), warnings


_ORDER = ("大型", "中型", "小型", "微型")


def _band(group, figure: str, value: float) -> str | None:
    """The size class one figure alone points to in an SME row, or None if the row ignores it."""

    def bound(conds, attr):
        return next((getattr(c, attr) for c in conds if c.figure == figure and getattr(c, attr) is not None), None)

    sme = bound(group.sme_any, "below")
    if sme is None:
        return None
    if value >= sme:
        return "大型"
    medium = bound(group.medium_all, "at_least")
    if medium is not None and value >= medium:
        return "中型"
    small = bound(group.small_all, "at_least")
    if small is not None and value >= small:
        return "小型"
    return "微型"


def size_conflict(size: str, sme_group: str | None, figures: dict[str, float | None]) -> str | None:
    """A warning when ``size`` (typed) is two classes or more from what a figure points to in
    every row of the SME standard that uses it (only the company's row when it is known)."""
    from matcher.rules.sme import FIGURE_LABELS, load_size_table

    if size not in _ORDER:
        return None
    table = load_size_table()
    groups = [g for g in table.groups if sme_group is None or g.name == sme_group]
    for figure, value in figures.items():
        if value is None:
            continue
        bands = [b for g in groups if (b := _band(g, figure, value)) is not None]
        if bands and all(abs(_ORDER.index(b) - _ORDER.index(size)) >= 2 for b in bands):
            label, unit = FIGURE_LABELS[figure]
            seen = "、".join(dict.fromkeys(bands))
            return (
                f"规模填写为“{size}”,但{label} {value:g}{unit}按划型标准属于{seen}企业,两者不符;"
                f"请核对。本次按填写的“{size}”匹配。"
            )
    return None
