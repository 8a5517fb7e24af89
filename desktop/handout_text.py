"""Words for the printed handout, written for a business owner, not for the matcher's
author: why a measure applies in plain Chinese (no "关键词…(匹配到…)", "(类别:…)",
"勾选需求…"), money and head counts formatted, a knowledge-base date a person can read.

Everything here reads the engine's records (``Reason.kind``, ``Reason.quote``, the profile
values); nothing matches or decides.
"""

from __future__ import annotations

import re
from datetime import date

from matcher.presentation import plain_condition as plain_condition  # one wording, the engine's

# the label the matcher puts in quotes at the start of a reason: 满足需求“融资”… → 融资
_LABEL = re.compile(r"^[^“]*“([^”]+)”")


def _label(text: str) -> str:
    m = _LABEL.match(text or "")
    return m.group(1) if m else ""


def _quote(q: str, limit: int = 60) -> str:
    q = (q or "").strip()
    if not q:
        return ""
    return q if len(q) <= limit else q[: limit - 1] + "…"


def plain_reason(reason, profile: dict | None = None) -> str:
    """One reason as a sentence for the owner; "" for a reason the handout says otherwise
    (the district, already in the document line)."""
    kind = getattr(reason, "kind", "")
    quote = _quote(getattr(reason, "quote", ""))
    text = getattr(reason, "text", "") or ""
    said = f",文件原文:“{quote}”" if quote else ""
    if kind == "district":
        return ""
    if kind == "need":
        need = _label(text)
        return f"对应贵企业提出的“{need}”需求{said}" if need else f"对应贵企业提出的需求{said}"
    if kind == "keyword":
        word = _label(text)
        return f"与贵企业关心的“{word}”有关{said}" if word else f"与贵企业关心的内容有关{said}"
    if kind == "industry":
        return f"与贵企业所在行业有关{said}"
    if kind == "area":
        area = _label(text) or (profile or {}).get("area", "")
        return f"涉及贵企业所在的{area}{said}" if area else f"涉及贵企业所在区域{said}"
    if kind == "general":
        if text.startswith("已过期"):
            return text  # 已过期:申报截止2026-06-30,已过期
        return "面向本区各类企业,没有限定对象"
    if kind == "audience":
        if text.startswith("还差一个条件"):
            return ""  # the handout names the condition itself
        who = re.match(r"^(?:面向|提到)([^::]+)", text)
        if who:
            return f"面向{who.group(1)}{said}"
        return f"适用对象符合{said}"
    return re.sub(r"(类别:[^)]*)", "", text)


def plain_reasons(result, profile: dict | None = None, limit: int = 3, skip: tuple[str, ...] = ()) -> list[str]:
    """The reasons in plain words, at most ``limit``; reasons of the kinds in ``skip`` left out."""
    out: list[str] = []
    for reason in getattr(result, "reasons", []) or []:
        if getattr(reason, "kind", "") in skip:
            continue
        s = plain_reason(reason, profile)
        if s and s not in out:
            out.append(s)
    return out[:limit]


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
