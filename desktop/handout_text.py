"""Words for the printed handout, written for a business owner: money and head counts
formatted, dates and a knowledge-base date a person can read, a missing condition as
something the company can do (the engine's wording, :func:`plain_condition`). Nothing here
matches or decides.
"""

from __future__ import annotations

from datetime import date

from matcher.presentation import plain_condition as plain_condition  # one wording, the engine's


def money_wan(value) -> str:
    """An amount in 万元 as people write it: 18000 → "1.8 亿元", 2500 → "2,500 万元"."""
    if value in (None, ""):
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v >= 10000:
        yi = v / 10000
        return f"{yi:,.2f}".rstrip("0").rstrip(".") + " 亿元"
    if v == int(v):
        return f"{int(v):,} 万元"
    return f"{v:,.2f}".rstrip("0").rstrip(".") + " 万元"


def head_count(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{int(float(value)):,} 人"
    except (TypeError, ValueError):
        return str(value)


def readable_date(iso: str | None) -> str:
    """2023-03-13 → 2023年3月13日 (other text is kept as it is)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def kb_description(documents: list) -> str:
    """The knowledge base as a person reads it: how many documents, the newest one's date
    — not an internal fingerprint."""
    docs = list(documents or [])
    if not docs:
        return "政策知识库(无文件信息)"
    dates = sorted(d.issued for d in docs if getattr(d, "issued", None))
    newest = f",最新一份发布于 {readable_date(dates[-1])}" if dates else ""
    return f"政策知识库共 {len(docs)} 份政策文件{newest}"
