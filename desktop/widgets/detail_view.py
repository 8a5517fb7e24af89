"""The detail pane: what the measure is for this company (its tier), the application
block (可获得, 申报时间, 申报材料, 如何申报, 联系方式 — only what the document states), its
conditions with ✔ ✘ ?, the questions still to ask (each a link to the field that answers
it), the reasons, the full text with the matched sentences and keywords highlighted, the
document title, date and clause, the offices."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTextBrowser

from ..itemmodels import office_tooltip
from ..tier_text import FIELD_LABELS, TIER_TITLES, application_html, conditions_lines, question_fields

TIER_NOTES = {
    "targeted": "为本企业:面向本企业的条件或可申领的支持",
    "general": "普惠服务:本区各类企业都能享受",
    "unknown": "待确认:问清企业情况后才能判断",
    "expired": "已过期",
}
MARK_COLORS = {"✔": "#15803d", "✘": "#b91c1c", "?": "#b45309"}

SOURCE_LABEL = {"stated": "原文写明", "inferred": "系统推断(原文未写明)", "none": "原文未写明"}
REASON_LABEL = {
    "district": "地区",
    "audience": "对象",
    "need": "需求",
    "industry": "行业",
    "area": "区域",
    "keyword": "关键词",
    "general": "普适",
    "condition": "条件",
    "amount": "金额",
}


def highlight(text: str, sentences: list[str], terms: list[str]) -> str:
    """``text`` as HTML: matched sentences on a tint, matched words in bold."""
    n = len(text)
    sent = [False] * n
    term = [False] * n
    for s in sentences or []:
        s = s.strip()
        if not s:
            continue
        start = text.find(s)
        while start >= 0:
            for i in range(start, start + len(s)):
                sent[i] = True
            start = text.find(s, start + len(s))
    for t in sorted({t for t in terms or [] if t and t.strip()}, key=len, reverse=True):
        start = text.find(t)
        while start >= 0:
            for i in range(start, start + len(t)):
                term[i] = True
            start = text.find(t, start + len(t))
    out, i = [], 0
    while i < n:
        j = i
        while j < n and sent[j] == sent[i] and term[j] == term[i]:
            j += 1
        chunk = escape(text[i:j])
        if term[i]:
            chunk = f"<b style='color:#9a3412'>{chunk}</b>"
        if sent[i]:
            chunk = f"<span style='background-color:#fff3b0'>{chunk}</span>"
        out.append(chunk)
        i = j
    return "".join(out)


def detail_html(result) -> str:
    m = result.measure
    star = " ★" if m.star and "★" not in m.clause else ""
    status = ""
    if result.status == "near" and getattr(result, "tier", "near") in ("near", None):
        status = (
            f"<p style='background:#e8f0fe;padding:4px'><b>如果再具备:"
            f"{escape('、'.join(result.missing) or '某项条件')}</b>,还可享受本项措施。</p>"
        )
    tier = getattr(result, "tier", "")
    badge = ""
    if tier in TIER_NOTES:
        color = "#b91c1c" if tier == "expired" or getattr(result, "expired", False) else "#1f3a5f"
        badge = (
            f"<p style='color:{color}'><b>〔{escape(TIER_TITLES.get(tier, tier))}〕</b>"
            f"{escape(TIER_NOTES[tier].split(':', 1)[-1])}</p>"
        )
    parts = [
        f"<h2>{escape(m.clause)}{star} {escape(m.title)}</h2>",
        f"<p style='color:#555'>{escape(m.document)}<br/>"
        f"{escape(m.district)} · {escape(m.issued or '日期不详')} · 第 {escape(m.clause.rstrip('、.．'))} 条"
        f"{(' · ' + escape(' / '.join(m.parents))) if m.parents else ''}</p>",
        badge,
        status,
        questions_html(result),
        application_html(result, materials_limit=12),
        conditions_html(result),
        f"<p><b>承办部门</b>:{escape('、'.join(m.offices) or '原文未写明')}"
        f"  <span style='color:#6b5b2e'>({SOURCE_LABEL.get(m.office_source, '')})</span></p>",
    ]
    if m.office_source == "stated" and m.offices_inferred and set(m.offices_inferred) - set(m.offices):
        parts.append(
            f"<p style='color:#555'>按内容还可能涉及:"
            f"{escape('、'.join(sorted(set(m.offices_inferred) - set(m.offices))))}</p>"
        )
    if result.reasons:
        parts.append("<p><b>为什么适用</b></p><ul>")
        for r in result.reasons:
            parts.append(f"<li>〔{REASON_LABEL.get(r.kind, r.kind)}〕{escape(r.text)}</li>")
        parts.append("</ul>")
    parts.append("<p><b>原文</b></p>")
    parts.append(f"<p style='line-height:150%'>{highlight(m.text, result.matched_sentences, result.matched_terms)}</p>")
    tags = [("适用对象", m.audiences), ("类别", m.categories), ("行业", m.industries), ("区域", m.areas)]
    tag_txt = ";".join(f"{k}:{'、'.join(v)}" for k, v in tags if v)
    if tag_txt:
        parts.append(f"<p style='color:#555'>{escape(tag_txt)}</p>")
    return "".join(parts)


def questions_html(result) -> str:
    """The questions to ask, each with a link to the profile field that answers it."""
    if getattr(result, "tier", "") != "unknown" or not getattr(result, "questions", None):
        return ""
    fields = dict((q, f) for f, q in question_fields(result))
    lines = []
    for q in result.questions:
        f = fields.get(q)
        link = f" <a href='ask:{f}'>填写{escape(FIELD_LABELS[f])}</a>" if f else ""
        lines.append(f"<li>{escape(q)}{link}</li>")
    return (
        "<p style='background:#fff7ed;padding:4px'><b>要问企业</b>(回答后即可判断是否适用):</p>"
        f"<ul>{''.join(lines)}</ul>"
    )


def conditions_html(result) -> str:
    lines = conditions_lines(result)
    if not lines:
        return ""
    out = ["<p><b>条件</b>(✔ 符合 ✘ 不符合 ? 待确认)</p><ul>"]
    for mark, text, quote in lines:
        said = f" <span style='color:#555'>原文“{escape(quote[:80])}”</span>" if quote else ""
        out.append(f"<li><b style='color:{MARK_COLORS.get(mark, '#000')}'>{mark}</b> {escape(text)}{said}</li>")
    out.append("</ul>")
    return "".join(out)


class DetailView(QTextBrowser):
    """Signals:
    field_requested(str): a question's link was followed: the profile field to fill.
    """

    field_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("detailView")
        self.setAccessibleName("措施详情")
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.result = None
        self.show_empty()

    def _on_anchor_clicked(self, url) -> None:
        if url.scheme() == "ask" and url.path():
            self.field_requested.emit(url.path())

    def show_empty(self) -> None:
        self.result = None
        self.setHtml("<p style='color:#666'>选中左侧列表中的一项措施,这里显示原文、适用理由和承办部门。</p>")

    def show_result(self, result, note: str = "") -> None:
        """``result`` in full; ``note``, when given, first (why it is shown here)."""
        self.result = result
        html = detail_html(result)
        if note:
            html = f"<p style='color:#b45309'><b>{escape(note)}</b></p>" + html
        self.setHtml(html)
        self.setToolTip(office_tooltip(result.measure))
