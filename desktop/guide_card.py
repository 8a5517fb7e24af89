"""The 申兑指南 card as HTML: what the engine built (:class:`matcher.models.GuideCard`, by
``Engine.guide_card`` / ``Engine.handout_of``), drawn for the detail pane and the handout.
Each heading only when the card holds something under it; every phone with whose it is.
No Qt, no decision."""

from __future__ import annotations

from html import escape

from matcher.models import GuideCard, Phone

# the card's headings in the 申兑指南 order, and the card field each shows
ROWS = (
    ("惠及对象", "audience"),
    ("申报条件", "conditions"),
    ("可获得", "gets"),
    ("兑现方式", "how"),
    ("受理地址", "address"),
    ("咨询电话", "phones"),
    ("申报时间", "when"),
    ("申报材料", "materials"),
)


def phone_text(p: Phone) -> str:
    """区商务委窗口 64178603 — a phone never without whose it is."""
    return f"{p.whose} {p.number}"


def card_rows(card: GuideCard, skip: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
    """[(heading, lines)] of the card, headings in ``skip`` (card field names) left out."""
    out: list[tuple[str, list[str]]] = []
    for head, field in ROWS:
        if field in skip:
            continue
        value = getattr(card, field)
        lines = [phone_text(p) for p in value] if field == "phones" else list(value)
        if lines:
            out.append((head, lines))
    return out


def rows_html(rows: list[tuple[str, list[str]]], materials_numbered: bool = True) -> str:
    """The rows as a two-column table ("" when there are none)."""
    if not rows:
        return ""
    out = ["<table class='card' cellspacing='0' cellpadding='1' width='100%'>"]
    for head, lines in rows:
        if head == "申报材料" and materials_numbered:
            body = "".join(f"{i}. {escape(x)}<br/>" for i, x in enumerate(lines, 1))
        else:
            body = "<br/>".join(escape(x) for x in lines)
        out.append(
            f"<tr><td width='14%' valign='top' style='white-space:nowrap'><b>{escape(head)}</b></td><td>{body}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def card_html(card: GuideCard, skip: tuple[str, ...] = ()) -> str:
    """The card's table, under the heading ``申兑指南`` (the detail pane)."""
    rows = card_rows(card, skip)
    if not rows:
        return "<p style='color:#555'><b>申兑指南</b>:原文未写明申报条件、金额、时间或办理方式,请向承办部门咨询。</p>"
    return "<p><b>申兑指南</b></p>" + rows_html(rows)
