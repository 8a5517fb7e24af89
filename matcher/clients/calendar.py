"""A client's 政策月历: the coming dates of its targeted and 待确认 measures, in date order,
and the same as an iCalendar file (RFC 5545, written by the ``icalendar`` library) that a
phone's calendar opens.

Dates come from the measure as parsed (the window's start and end, the document's 有效期);
a date before the 判断日期 is not coming and is left out, as is a window the document gives
with no date (每年2月底前 …: said on the card, not guessed into a day).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

from matcher.common.paths import os_reason
from matcher.errors import BadInput
from matcher.knowledge.offices import group_office
from matcher.models import CalendarEntry, Handout, Result

TIERS = ("targeted", "unknown")
REMIND_DAYS = 7  # the calendar reminds this many days before each date


def entries(results: Iterable[Result], as_of: _dt.date) -> list[CalendarEntry]:
    """The coming dates of the targeted and unknown results (expired ones never), one entry
    per date, kind and document (a guide's items share their deadline), in date order."""
    day = as_of.isoformat()
    grouped: dict[tuple[str, str, str, str], CalendarEntry] = {}
    for r in results:
        if r.tier not in TIERS or r.expired:
            continue
        m = r.measure
        w = m.window or {}
        dates = [("申报开始", w.get("start")), ("申报截止", w.get("end")), ("政策到期", m.valid_until)]
        for kind, when in dates:
            if not when or when < day or (kind == "申报开始" and when == day):
                continue
            key = (when, kind, m.doc_id, r.tier)
            e = grouped.get(key)
            if e is None:
                e = grouped[key] = CalendarEntry(
                    date=when,
                    kind=kind,
                    tier=r.tier,
                    office=group_office(m),
                    document=m.document,
                    titles=[],
                    measure_ids=[],
                )
            e.titles.append(m.title or m.clause)
            e.measure_ids.append(m.measure_id)
    order = {"申报截止": 0, "申报开始": 1, "政策到期": 2}
    return sorted(grouped.values(), key=lambda e: (e.date, order[e.kind], e.tier != "targeted", e.document))


def summary(e: CalendarEntry) -> str:
    """One line for the entry: 申报截止:title(等 N 项) · office."""
    first = e.titles[0] if e.titles else ""
    more = f"等 {len(e.titles)} 项" if len(e.titles) > 1 else ""
    ask = "(待确认)" if e.tier == "unknown" else ""
    return f"{e.kind}:{first}{more}{ask}" + (f" · {e.office}" if e.office else "")


def to_ics(handout: Handout) -> bytes:
    """The handout's calendar as an iCalendar file: one all-day event per entry, with a
    reminder ``REMIND_DAYS`` days before; UIDs stable for the same entry."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//PolicyDesk//惠企政策直通车//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    who = handout.company or "企业"
    cal.add("x-wr-calname", f"{who} · 政策月历")
    stamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    for e in handout.calendar:
        day = _dt.date.fromisoformat(e.date)
        ev = Event()
        key = "|".join([handout.company, e.date, e.kind, *e.measure_ids])
        ev.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@policydesk")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + _dt.timedelta(days=1))
        ev.add("summary", summary(e))
        lines = [f"《{e.document}》", *(f"· {t}" for t in e.titles)]
        if e.office:
            lines.append(f"承办部门:{e.office}")
        lines.append(f"判断日期:{handout.as_of}(由惠企政策直通车生成,以受理部门公布为准)")
        ev.add("description", "\n".join(lines))
        ev.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary(e))
        alarm.add("trigger", _dt.timedelta(days=-REMIND_DAYS))
        ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()


def write_ics(handout: Handout, path: str | Path) -> Path:
    """Write the calendar to ``path`` (.ics); BadInput in Chinese when it cannot be written."""
    p = Path(path)
    if p.suffix.lower() != ".ics":
        raise BadInput(f"日历文件“{p.name}”的扩展名应为 .ics,例如 政策月历.ics。")
    try:
        p.write_bytes(to_ics(handout))
    except OSError as err:
        raise BadInput(f"无法写入日历文件 {p}:{os_reason(err)}。") from None
    return p
