"""When: the application window (:func:`window`: 申报时间, 截止, 即日起至…, …前提交), a
document's 有效期 end (:func:`validity`: 有效期至…, 自…起施行,有效期为N年, 试行期N年) and whether
a measure has expired on a day (:func:`is_expired`).

A date counts as a deadline when its sentence is about applying (申报, 申请, 受理, 提交 …).
Action-plan target dates (2023年底前完成) are never windows. What the text does not state stays
absent."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from matcher.knowledge.amounts import clauses, cn_number, normalize

_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日|(?P<end>底|末))")
_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:底|年底|末)")
_APPLY = re.compile(r"申报|申请|受理|提交|报送|递交|登录|截止|截至|集中申报|网上填报|填报")
_APPLY_DATE_CUE = re.compile(r"截止|截至|止|前|以前|之前|即日起至|起至|至")


def _iso(y: int, m: int, d: int | None) -> str | None:
    try:
        if d is None:
            nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
            return (nxt - _dt.timedelta(days=1)).isoformat()
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _dates(s: str, year: int | None) -> list[tuple[int, int, str, bool]]:
    """(start, end, ISO date, year_written) of each date in ``s``; a date with no year takes
    the year of the date before it in the sentence, else ``year``."""
    out = []
    last_year = None
    for m in _DATE.finditer(s):
        if not m.group("y") and last_year is None:
            ys = re.findall(r"((?:19|20)\d{2})\s*年", s[: m.start()])
            last_year = int(ys[-1]) if ys else None
        y = int(m.group("y")) if m.group("y") else (last_year or year)
        if m.group("y"):
            last_year = int(m.group("y"))
        if y is None:
            continue
        d = int(m.group("d")) if m.group("d") else None
        iso = _iso(y, int(m.group("m")), d)
        if iso:
            out.append((m.start(), m.end(), iso, bool(m.group("y"))))
    return out


def window(sentences: list[str], year: int | None = None, source: str = "measure") -> dict[str, Any]:
    """The application window the sentences state: ``{"text", "start"?, "end"?, "quote",
    "source"}``; {} when none. Only a sentence about applying counts (申报, 受理, 提交 …);
    a target date of government work (2023年底前完成) is not a window."""
    for sent in sentences:
        s = normalize(sent)
        if not _APPLY.search(s):
            continue
        if re.search(r"获得|取得|认定|并网|竣工|投产|建成|完成|发生|实施", s) and not re.search(
            r"申报(?:时间|截止|期)|截止|即日起|前(?:将|登录|提交|报送|向)|提交材料时间|受理截止", s
        ):
            continue
        if re.search(r"每年|每季度|每月", s):
            out_r: dict[str, Any] = {"text": _trim(s), "quote": sent.strip(), "source": source, "recurring": True}
            if re.search(r"申报|提交|报送", s) and re.search(r"底前|以前|之前|前", s):
                return out_r
            continue
        ds = _dates(s, year)
        if not ds:
            continue
        start = end = None
        text = ""
        # D1—D2 / D1至D2 (受理时间:2023年7月21日—8月22日): a range, the second date's year the first's
        for (a1, b1, iso1, _y1), (a2, b2, iso2, _y2) in zip(ds, ds[1:]):
            if re.fullmatch(r"\s*(?:—{1,2}|–|-|~|～|至|到)\s*", s[b1:a2]) and iso1 <= iso2:
                return {"text": _trim(s[a1:b2]), "start": iso1, "end": iso2, "quote": sent.strip(), "source": source}
        # 即日起至 D / 自 D1 起 … D2 截止 / D 前 / 截止(时间)为 D
        for a, b, iso, _yw in ds:
            tail = s[b : b + 16]
            head = s[max(0, a - 8) : a]
            if re.search(r"自\s*$", head) or re.match(r"\s*(?:\([^)]*\))?\s*起", tail):
                if not re.match(r"\s*(?:\([^)]*\))?\s*起至", tail):
                    start = iso
                    continue
            if re.search(r"至\s*$|截止|截至|止$", head) or re.match(
                r"\s*(?:\([^)]*\))?\s*(?:\d{1,2}:\d{2})?\s*(?:\([^)]*\))?\s*(?:前|以前|之前|止|截止|申报截止)", tail
            ):
                end = iso
                text = next((c for o, c in clauses(s) if o <= a < o + len(c) + 1), s)
        if end is None and start is None:
            continue
        if end is None and not re.search(r"即日起|开通|开始|起", s):
            continue
        out: dict[str, Any] = {"text": _trim(text or s), "quote": sent.strip(), "source": source}
        if start:
            out["start"] = start
        if end:
            out["end"] = end
        return out
    return {}


def _trim(s: str, width: int = 40) -> str:
    s = s.strip(" ,;,。;")
    return s if len(s) <= width else s[:width] + "…"


_VALID_UNTIL = re.compile(
    r"有效期(?:至|到|截至|截止)(?:到)?\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_FROM = re.compile(r"自\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起(?:施行|执行|实施|生效)")
_SPAN = re.compile(r"(?:有效期|试行期)(?:为|是)?\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*年")


def validity(text: str, issued: str | None = None) -> str | None:
    """The last day the document is in force, where it says so: 有效期至 D; or 自 D 起施行
    (else the issue date, for 自印发之日起) plus 有效期/试行期 N 年. None when not stated."""
    # only sentences about the document itself (本办法…自…起施行), not a licence's 有效期
    own = [
        x
        for x in re.split(r"(?<=[。;;\n])", normalize(text))
        if re.search(
            r"本(?:办法|政策|措施|方案|实施方案|意见|实施意见|细则|规定|通知|指南|若干)|《[^》]{1,12}》自|施行|生效", x
        )
    ]
    s = "".join(own)
    m = _VALID_UNTIL.search(s)
    if m:
        ds = _dates(m.group("date"), None)
        return ds[0][2] if ds else None
    span = _SPAN.search(s)
    if not span:
        return None
    n = cn_number(span.group("n"))
    if not n or n > 20:
        return None
    f = _FROM.search(s)
    start = None
    if f:
        ds = _dates(f.group("date"), None)
        start = ds[0][2] if ds else None
    elif re.search(r"自(?:印发|发布)之日起", s) and issued and len(issued) == 10:
        start = issued
    if not start:
        return None
    d = _dt.date.fromisoformat(start)
    try:
        end = d.replace(year=d.year + n)
    except ValueError:  # 29 February
        end = d.replace(year=d.year + n, day=28)
    return (end - _dt.timedelta(days=1)).isoformat()


def is_expired(valid_until: str | None, win: dict[str, Any] | None, as_of: _dt.date) -> str:
    """Why the measure is no longer open on ``as_of`` ("" when it is)."""
    if valid_until:
        try:
            if _dt.date.fromisoformat(valid_until) < as_of:
                return f"文件有效期至{valid_until},已过期"
        except ValueError:
            pass
    end = (win or {}).get("end")
    if end:
        try:
            if _dt.date.fromisoformat(end) < as_of:
                return f"申报截止{end},已过期"
        except ValueError:
            pass
    return ""


# ── document-level sections of a 申报指南 ──────────────────────────────────────
