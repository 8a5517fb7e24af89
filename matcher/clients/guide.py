"""The 申兑指南 card of one measure for one company: 惠及对象, 申报条件, 可获得, 兑现方式/如何申报,
受理地址, 咨询电话, 申报时间 — each only when the document states it (or, for the office's
address and phone, the hall's office directory holds it).

Built from what the :class:`~matcher.models.Measure` carries today (``audiences``,
``conditions``, ``amounts``, ``how_to_apply``, ``contact``, ``window``, ``valid_until``,
``materials``) and the :class:`~matcher.models.Result`'s judged conditions and questions; a
richer field the reader fills later slots into the same headings. Nothing is invented: a
heading with nothing stated is left out.

The words are cleaned by general rules, never by one document's wording:

* a date is printed from the parsed date (``2026年7月10日``) with the time of day the source
  writes right after it (``24:00``, ``17:30``), not from the clipped window text ("…24",
  "2023年7月27日17");
* a window text that starts inside a bracket ("含材料清单)原则上于…") starts after it, and a
  trailing number cut from a time is dropped;
* every phone is printed with whose it is: the person or role written before it (联系人 …,
  技术支持 …), the office it is listed under, the hall's window of an office — and a phone
  the document gives with no name is "文件所列咨询电话".
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from matcher.knowledge.offices import group_office
from matcher.models import GuideCard, Phone, Result

# what a heading of the card is called (the 申兑指南 format of the provincial platforms)
HEADINGS = ("惠及对象", "申报条件", "可获得", "兑现方式", "受理地址", "咨询电话", "申报时间", "申报材料")
_AUDIENCE_KINDS = ("audience", "size", "ownership", "stage")
_OPEN = "((【《“["
_CLOSE = "))】》”]"
_PAIR = dict(zip(_CLOSE, _OPEN))
# a role written before a phone: 技术支持, 咨询电话, 业务咨询, 系统操作 …
_ROLE = re.compile(r"(技术支持|系统支持|技术咨询|业务咨询|政策咨询|申报咨询|系统操作|平台咨询|咨询电话|咨询)")
_PERSON_LABEL = re.compile(r"联\s*系\s*人")
_DATE_IN_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TIME_AFTER = re.compile(r"^\s*(?:[((]\s*(?:周|星期)[一二三四五六日天]\s*[))])?\s*(\d{1,2}[::]\d{2})")
_TICK_NEED = re.compile(r"勾选需求“([^”]+)”")


def plain_condition(missing: str) -> str:
    """A missing condition as something the company can do (the rules word it for the
    officer): 勾选需求“人才”(引进海外人才) → 有“人才”方面的需求(引进海外人才)."""
    return _TICK_NEED.sub(lambda m: f"有“{m.group(1)}”方面的需求", missing or "").strip()


def readable_date(iso: str | None) -> str:
    """2023-03-13 → 2023年3月13日 (a text that is no date is kept as it is)."""
    if not iso:
        return ""
    try:
        d = _dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def balanced(text: str) -> str:
    """``text`` from after a closing bracket that opens nowhere in it (a window text cut
    from the middle of a bracket), without a trailing bracket that closes nowhere."""
    depth: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth.append(ch)
        elif ch in _PAIR:
            if depth and depth[-1] == _PAIR[ch]:
                depth.pop()
            elif not depth:
                start = i + 1  # closes something before the text began
    out = text[start:].strip(" ,,;;、")
    if depth:  # an opened bracket never closed: cut there
        cut = min(out.rfind(ch) for ch in set(depth) if out.rfind(ch) >= 0)
        out = out[:cut].rstrip(" ,,;;、") if cut > 0 else out
    return out


def _time_after(quote: str, iso: str) -> str:
    """The time of day the source writes right after the date ``iso`` (``24:00``), or ""."""
    for m in _DATE_IN_TEXT.finditer(quote or ""):
        try:
            d = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if d.isoformat() == iso:
            t = _TIME_AFTER.match(quote[m.end() :])
            return t.group(1).replace(":", ":") if t else ""
    return ""


def when_lines(measure: Any, as_of: _dt.date) -> tuple[list[str], str | None, str]:
    """(申报时间 lines, the coming deadline as YYYY-MM-DD or None, its kind: 申报截止 or
    政策到期) as of ``as_of``."""
    w = measure.window or {}
    lines: list[str] = []
    deadline: str | None = None
    kind = ""
    end, start = w.get("end"), w.get("start")
    if end:
        t = _time_after(w.get("quote") or w.get("text") or "", end)
        head = f"{readable_date(start)}起," if start and start > as_of.isoformat() else ""
        lines.append(f"{head}{readable_date(end)}{(' ' + t) if t else ''}前申报")
        if end >= as_of.isoformat():
            deadline, kind = end, "申报截止"
    elif w.get("text"):
        text = balanced(
            re.sub(r"^\s*(?:\d{1,2}\s*[.、.)]|[((]\s*\d{1,2}\s*[))]|[一二三四五六七八九十]+、)\s*", "", w["text"])
        )
        text = re.sub(r"(日|时)\s*\d{1,2}$", r"\1", text)  # a time cut after its hour: 7月27日17
        if text:
            lines.append(("每年:" if w.get("recurring") and "每年" not in text else "") + text)
    if measure.valid_until:
        lines.append(f"政策有效期至{readable_date(measure.valid_until)}")
        if deadline is None and measure.valid_until >= as_of.isoformat():
            deadline, kind = measure.valid_until, "政策到期"
    return lines, deadline, kind


def _segments(quote: str) -> list[str]:
    return [s for s in re.split(r"[;;。\n]", quote or "") if s.strip()]


def stated_phones(measure: Any) -> list[Phone]:
    """The phones the document states for the measure, each with whose it is."""
    c = measure.contact or {}
    out: list[Phone] = []
    seen: set[str] = set()
    for o in c.get("offices") or []:
        if o.get("phone") and o["phone"] not in seen:
            seen.add(o["phone"])
            out.append(Phone(whose=o.get("office", "") or "文件所列咨询电话", number=o["phone"]))
    people = list(c.get("people") or [])
    who = ""
    for seg in _segments(c.get("quote") or ""):
        role = _ROLE.search(seg)
        names = [p for p in people if p in seg]
        if role and not _PERSON_LABEL.search(seg[: role.start()]):
            # 技术支持:史老师 — a role, with the name written after it if any
            rest = re.sub(r"^[::\s]*", "", seg[role.end() :])
            name = re.match(r"([\u4e00-\u9fff]{1,3}(?:老师|先生|女士|同志))", rest)
            who = role.group(1) + (f"({name.group(1)})" if name else "")
        elif names:
            who = "联系人" + "、".join(names)
        for p in c.get("phones") or []:
            if p in seg and p not in seen:
                seen.add(p)
                out.append(Phone(whose=who or "文件所列咨询电话", number=p))
    for p in c.get("phones") or []:  # a phone the quote does not hold as written
        if p not in seen:
            seen.add(p)
            out.append(
                Phone(whose=("联系人" + "、".join(people)) if len(people) == 1 else "文件所列咨询电话", number=p)
            )
    return out


def _audience(result: Result) -> list[str]:
    m = result.measure
    # the audiences the rules recognise (专精特新企业, 中小微企业 …) and the audience conditions
    # as the rules word them — not the free words before 企业 in a sentence, which are often
    # no audience at all ("20%的", "每个项目")
    out = [c.get("text", "") for c in result.conditions or m.conditions if c.get("kind") in _AUDIENCE_KINDS]
    out = [x for x in out if not x.startswith("面向") or len(x) > 4]
    out += [a for a in m.audiences if not any(a in x for x in out)]
    return list(dict.fromkeys(x.strip() for x in out if x and x.strip()))


def _conditions(result: Result) -> list[str]:
    conds = result.conditions or result.measure.conditions
    return list(
        dict.fromkeys(c.get("text", "") for c in conds if c.get("kind") not in _AUDIENCE_KINDS and c.get("text"))
    )


def _gets(measure: Any) -> list[str]:
    amounts = list(measure.amounts or [])
    if not amounts:
        return []
    texts = list(dict.fromkeys(a.get("text", "") for a in amounts if a.get("text")))
    best = max(amounts, key=lambda a: a.get("wan") if a.get("wan") is not None else -1)
    quote = balanced((best.get("quote") or "").strip())
    if len(quote) > 70:
        quote = quote[:69] + "…"
    head = "、".join(texts[:4]) + (f" 等 {len(texts)} 项" if len(texts) > 4 else "")
    return [head + (f"(原文:“{quote}”)" if quote else "")]


def _how(measure: Any) -> list[str]:
    how = measure.how_to_apply or {}
    lines = []
    if how.get("online"):
        lines.append("网上办理:" + "、".join(how["online"]))
    lines += [
        f"{p.get('who', '')}向{p.get('office', '')}申报" for p in how.get("by_applicant") or [] if p.get("office")
    ]
    if how.get("offices"):
        lines.append("受理部门:" + "、".join(how["offices"]))
    if how.get("email"):
        lines.append("材料发送至:" + "、".join(how["email"]))
    return lines


def build_card(result: Result, as_of: _dt.date, directory: Any = None) -> GuideCard:
    """The 申兑指南 card of ``result`` (a measure as judged for a company) as of ``as_of``;
    ``directory``: the hall's office directory (its address, window and phone for the
    measure's lead office), or None."""
    m = result.measure
    office = group_office(m)
    contact = directory.get(m.district, office) if directory is not None and office else None
    address = list((m.how_to_apply or {}).get("address") or [])
    phones = stated_phones(m)
    if contact is not None:
        place = "".join(x for x in (contact.address, (" " + contact.window) if contact.window else "") if x).strip()
        if place:
            address.append(f"{office}:{place}" + (f"(办公时间:{contact.hours})" if contact.hours else ""))
        if contact.phone:
            phones.append(Phone(whose=f"{office}窗口", number=contact.phone))
    when, deadline, kind = when_lines(m, as_of)
    return GuideCard(
        measure_id=m.measure_id,
        title=m.title or m.text[:30],
        clause=m.clause,
        document=m.document,
        district=m.district,
        office=office,
        offices=list(m.offices),
        tier=result.tier,
        audience=_audience(result),
        conditions=_conditions(result),
        gets=_gets(m),
        how=_how(m),
        address=list(dict.fromkeys(address)),
        phones=phones,
        when=when,
        deadline=deadline,
        deadline_kind=kind,
        materials=list(m.materials or []),
        questions=list(result.questions or []),
        missing=[plain_condition(x) for x in result.missing or []] if result.tier == "near" else [],
        expired=bool(result.expired),
    )
