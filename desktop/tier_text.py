"""What a measure gives and how to get it, as the window and the handout show it.

The engine decides (a result's ``tier``, ``conditions``, ``questions``, ``expired``) and
extracts (a measure's ``amounts``, ``window``, ``valid_until``, ``materials``,
``how_to_apply``, ``contact``); :mod:`matcher.presentation` words what both front ends
share (tier labels, questions, the way to apply, contacts). This module only words
them: the 金额 and 截止 cells of a list row, the conditions with ✔ ✘ ?, and which profile
field answers an open question (the 申兑指南 card of the detail pane and the handout is the
engine's, drawn by :mod:`desktop.guide_card`). A field the document does not
state is left out — nothing is invented here. No Qt.
"""

from __future__ import annotations

from typing import Any

from matcher.presentation import TIER_LABELS, question_for, top_amount

TIER_ORDER = ("targeted", "general", "near", "unknown")
TIER_TITLES = {
    "targeted": "为本企业",
    "general": "普惠服务",
    "near": "差一个条件",
    "unknown": "待确认",
    "expired": "已过期",
}
assert set(TIER_TITLES) == set(TIER_LABELS)

# the profile field that answers an open condition (a condition's kind and field)
FIELD_LABELS = {
    "founded": "成立年份",
    "revenue": "年营业收入",
    "tax": "年纳税额",
    "rnd": "研发投入",
    "investment": "投资额",
    "employees": "从业人员",
    "size": "规模",
    "industry": "行业",
    "area": "街镇园区",
}
_KIND_FIELD = {"age": "founded", "size": "size", "industry": "industry", "area": "area"}
_THRESHOLD_FIELD = {"rnd_ratio": "rnd"}  # 研发投入占营业收入比例: the form asks 研发投入 first


# -- list cells --------------------------------------------------------------------------
def amount_cell(measure) -> str:
    """The headline sum of a row: the largest stated (最高500万元), else the first stated
    rate or amount; "等N项" when the measure states several. "" when it states none."""
    items = list(getattr(measure, "amounts", None) or [])
    if not items:
        return ""
    best = max(items, key=lambda a: a.get("wan") if a.get("wan") is not None else -1)
    more = len({a.get("text") for a in items})
    return best.get("text", "") + (f" 等{more}项" if more > 1 else "")


def amount_key(result) -> float | None:
    """The largest sum in 万元 (None when the measure states no sum)."""
    return top_amount(list(getattr(result.measure, "amounts", None) or []))


def deadline_key(result) -> str | None:
    """The application deadline (YYYY-MM-DD), else the document's 有效期 end, else None."""
    m = result.measure
    return (m.window or {}).get("end") or m.valid_until or None


def deadline_cell(result) -> str:
    """截止 of a row: 已过期, the deadline, the document's validity, or the window's words."""
    m = result.measure
    w = m.window or {}
    if getattr(result, "expired", False):
        return "已过期"
    if w.get("end"):
        return w["end"]
    if m.valid_until:
        return f"有效期至{m.valid_until}"
    text = (w.get("text") or "").strip()
    return text[:14] + ("…" if len(text) > 14 else "")


# -- questions ----------------------------------------------------------------------------
def question_fields(result) -> list[tuple[str, str]]:
    """[(profile field, question)] for the conditions the profile does not answer yet —
    what the window offers to fill. A question no form field answers is left out."""
    out: list[tuple[str, str]] = []
    open_conds = [c for c in getattr(result, "conditions", None) or [] if c.get("met") is None]
    for c in open_conds:
        kind = c.get("kind", "")
        field = _KIND_FIELD.get(kind) or (
            _THRESHOLD_FIELD.get(c.get("field", ""), c.get("field", "")) if kind == "threshold" else ""
        )
        if field not in FIELD_LABELS:
            continue
        try:
            q = question_for(c)
        except (KeyError, TypeError):
            q = c.get("text", "")
        if field not in [f for f, _ in out]:
            out.append((field, q))
    return out


MARKS = {True: "✔", False: "✘", None: "?"}


def conditions_lines(result) -> list[tuple[str, str, str]]:
    """[(mark, condition, quote)] of the measure's conditions as judged for this company."""
    out = []
    for c in getattr(result, "conditions", None) or []:
        out.append((MARKS.get(c.get("met"), "?"), c.get("text", ""), (c.get("quote") or "").strip()))
    return out


def tier_counts(results: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(TIER_TITLES, 0)
    for r in results:
        t = getattr(r, "tier", "general")
        counts[t] = counts.get(t, 0) + 1
    return counts


def tier_header(
    results: list[Any] | None = None,
    as_of: str = "",
    today: str = "",
    hidden: dict | None = None,
    counts: dict | None = None,
) -> str:
    """为本企业 N 项 · 普惠服务 N 项 · 差一个条件 N 项 · 待确认 N 项 (+ the date used):
    of ``results``, or ``counts`` (tier → number listed) when the results are paged."""
    n = dict(counts) if counts is not None else tier_counts(results or [])
    line = " · ".join(f"{TIER_TITLES[t]} {n[t]} 项" for t in TIER_ORDER)
    if n.get("expired"):
        line += f" · 已过期 {n['expired']} 项"
    extra = []
    if hidden:
        if hidden.get("expired") and not n.get("expired"):
            extra.append(f"已过期 {hidden['expired']} 项")
        if hidden.get("fails"):
            extra.append(f"不符合条件 {hidden['fails']} 项")
    if extra:
        line += "(另有" + "、".join(extra) + "未列出)"
    if as_of:
        line += f"\n判断日期:{as_of}" + ("(今天)" if as_of == today else "")
    return line
