"""What a measure gives, where the document states it: :func:`amounts` — money a measure
grants (最高…万元, 按…%给予, 每…元, …元/千瓦时), each with the sentence it comes from — and the
reading of numbers and text it shares with the other extractors (:func:`normalize`,
:func:`cn_number`).

Structural rules only: a figure counts as an amount when its clause (the words between two
commas) grants something (给予, 补贴, 奖励 …) and the figure is not a threshold (…以上, 不低于
…). What the text does not state stays absent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from matcher.common.text import normalize as _normalize


@lru_cache(maxsize=8192)
def normalize(s: str) -> str:
    """:func:`matcher.common.text.normalize`, remembered: the extractors read each sentence several times."""
    return _normalize(s)


# ── numbers ──────────────────────────────────────────────────────────────────

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def cn_number(s: str) -> int | None:
    """一 … 九十九 → int (and plain digits)."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in _CN_DIGITS for c in s):
        return None
    a, ten, b = s.partition("十")
    if not ten:
        return _CN_DIGITS[s] if len(s) == 1 else None
    if len(a) > 1 or len(b) > 1 or "十" in (a + b):
        return None  # not a number a policy writes (三十三十 …)
    return (_CN_DIGITS[a] if a else 1) * 10 + (_CN_DIGITS[b] if b else 0)


_NUM = r"\d+(?:\.\d+)?"
# a sum of money: 500万元, 1.5亿元, 300元, 5-10万元, 1000万元~2000万元; per unit: 0.3元/千瓦时
_MONEY = re.compile(
    rf"(?P<a>{_NUM})(?:\s*(?P<ua>亿元|万元|亿|万|元)?\s*[-~～—至到]\s*(?P<b>{_NUM}))?\s*"
    r"(?P<u>亿元|万元|元|亿(?![人吨千平])|万(?!人|平|吨|千瓦|户|家|个|套|辆|名|次|张|件|台|元))"
    r"(?:\s*/\s*(?P<per>千瓦时|千瓦|kWh|kW|吨标准煤|吨二氧化碳|吨|平方米|㎡|辆|人|户|家|年|个|次|台))?"
)
_PCT = re.compile(rf"(?P<a>{_NUM})\s*%")
_PER_BEFORE = re.compile(r"每(?P<per>[^\d,;。]{1,8}?)(?:最高|最多)?(?:补贴|奖励|资助|给予|补助|支持)?$")
_GRANT = re.compile(
    r"给予|补贴|补助|奖励|资助|扶持|贴息|奖补|支持金额|支持资金|一次性|资金支持|予以支持|予以扶持|予以补贴|予以奖励|给予支持|发放"
)
_CAP = re.compile(r"最高|不超过|不高于|最多|上限|封顶|以内")
_THRESHOLD_AFTER = re.compile(r"^\s*(?:\(含\)|(含))?\s*(?:及)?以上|^\s*\(含\)\s*以上|^\s*(?:\(含[^)]*\))?\s*以上")
_THRESHOLD_BEFORE = re.compile(r"(?:不低于|不少于|达到|(?<!不)超过|(?<!不)大于|(?<!不)高于|满|≥)\s*$")
_NOT_GRANT_SUBJECT = re.compile(
    r"(?:贷款|借款|融资)(?:额度|金额|规模)|注册资本|营业收入|营收|销售收入|纳税|投资额|总投资|规模的"
)
_CLAUSE_SPLIT = re.compile(r"[,;:,;:。!?]")


def _to_wan(value: float, unit: str) -> float | None:
    if unit in ("亿元", "亿"):
        return value * 10000
    if unit in ("万元", "万"):
        return value
    if unit == "元":
        return value / 10000
    return None


def clauses(sentence: str) -> list[tuple[int, str]]:
    """A sentence cut at its commas and stops: ``(offset, clause)`` pairs."""
    out, start = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        out.append((start, sentence[start : m.start()]))
        start = m.end()
    out.append((start, sentence[start:]))
    return out


def amounts(sentences: list[str]) -> list[dict[str, Any]]:
    """Money the sentences grant, in order: ``{"text", "kind", "value", "unit", "wan", "quote"}``.

    ``kind``: ``cap`` (最高/不超过 …), ``range`` (5-10万元), ``fixed``, ``rate`` (a %),
    ``per_unit`` (0.3元/千瓦时, 每平方米300元). ``wan`` is the sum in 万元 (the upper end of
    a range), None for rates and per-unit sums."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for sent in sentences:
        s = normalize(sent)
        for _off, clause in clauses(s):
            if not _GRANT.search(clause) and not _CAP.search(clause):
                continue
            grants = bool(_GRANT.search(clause))
            for m in _MONEY.finditer(clause):
                before, after = clause[: m.start()], clause[m.end() :]
                if _THRESHOLD_AFTER.match(after) or _THRESHOLD_BEFORE.search(before):
                    continue
                # the subject of the figure: the words just before it
                if _NOT_GRANT_SUBJECT.search(before[-12:]):
                    continue
                if re.search(r"(?:获得|取得|达到|收到)[^,;。]*$", before) and re.match(r"\s*的", after):
                    continue  # 获得市级奖励10万元至20万元的: what the company already has
                if not grants and not re.search(r"补贴|奖励|资助|扶持|补助|支持", clause):
                    continue
                cap = bool(_CAP.search(before[-10:]))
                a = float(m.group("a"))
                b = float(m.group("b")) if m.group("b") else None
                unit = m.group("u")
                if unit in ("亿", "万"):
                    unit += "元"
                ua = m.group("ua")
                per = m.group("per")
                pb = _PER_BEFORE.search(before[-10:])
                if per:
                    kind, wan, unit_s = "per_unit", None, f"{unit}/{per}"
                elif pb and unit == "元":
                    kind, wan, unit_s = "per_unit", None, f"元/{pb.group('per')}"
                else:
                    hi = b if b is not None else a
                    lo_unit = (ua + "元") if ua else unit
                    wan = _to_wan(hi, unit)
                    kind = "range" if b is not None else ("cap" if cap else "fixed")
                    unit_s = unit
                    if b is not None and lo_unit != unit:
                        pass
                lead = "最高" if kind == "cap" and "最高" in before[-10:] else ("不超过" if kind == "cap" else "")
                text = (lead + m.group(0).strip()) if lead else m.group(0).strip()
                if kind == "per_unit" and pb and not per:
                    unit_word = re.sub(r"(?:最高|最多|可享受|可|补贴|奖励|给予|资助|支持|分别)+$", "", pb.group("per"))
                    unit_s = f"元/{unit_word}"
                    text = f"每{unit_word}{'最高' if cap else ''}{m.group(0).strip()}"
                key = (text, s)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    {
                        "text": text,
                        "kind": kind,
                        "value": b if b is not None else a,
                        "unit": unit_s,
                        "wan": wan,
                        "quote": sent.strip(),
                    }
                )
            if not grants:
                continue
            for m in _PCT.finditer(clause):
                before, after = clause[: m.start()], clause[m.end() :]
                if _THRESHOLD_AFTER.match(after) or _THRESHOLD_BEFORE.search(before):
                    continue
                # a rate someone is paid: 按…的30%, 30%的补贴, 给予…30%
                if not (
                    re.search(r"按|给予|的$|予以", before)
                    or re.match(r"\s*(?:的)?(?:补贴|奖励|资助|扶持|贴息|补助|给予|予以)", after)
                ):
                    continue
                if re.search(r"(?:下降|降低|提高|增长|节能率|占比|比例|比重)\s*(?:达到)?\s*$", before):
                    continue
                if re.search(r"(?:扶持|补贴|奖励|资助|支持)(?:总额|资金)的?\s*$", before):
                    continue  # 第一笔资金按扶持总额的20%拨付: a payment schedule
                text = m.group(0).replace(" ", "")
                lead = "最高" if "最高" in before[-12:] else ("不超过" if _CAP.search(before[-12:]) else "")
                key = (lead + text, s)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    {
                        "text": lead + text,
                        "kind": "rate",
                        "value": float(m.group("a")),
                        "unit": "%",
                        "wan": None,
                        "quote": sent.strip(),
                    }
                )
    return out


def top_amount(items: list[dict[str, Any]]) -> float | None:
    """The largest sum in 万元 among ``amounts`` (for sorting), None when none is a sum."""
    vals = [a["wan"] for a in items if a.get("wan") is not None]
    return max(vals) if vals else None


# ── dates ────────────────────────────────────────────────────────────────────
