"""The detail pane: the measure's full text with the matched sentences and keywords
highlighted, the reasons, the document title, date and clause, the offices."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from ..itemmodels import office_tooltip

SOURCE_LABEL = {"stated": "原文写明", "inferred": "系统推断(原文未写明)", "none": "原文未写明"}
REASON_LABEL = {"district": "地区", "audience": "对象", "need": "需求", "industry": "行业",
                "area": "区域", "keyword": "关键词", "general": "普适"}


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
    if result.status == "near":
        status = (f"<p style='background:#e8f0fe;padding:4px'><b>如果再具备:"
                  f"{escape('、'.join(result.missing) or '某项条件')}</b>,还可享受本项措施。</p>")
    parts = [f"<h2>{escape(m.clause)}{star} {escape(m.title)}</h2>",
             f"<p style='color:#555'>{escape(m.document)}<br/>"
             f"{escape(m.district)} · {escape(m.issued or '日期不详')} · 第 {escape(m.clause.rstrip('、.．'))} 条"
             f"{(' · ' + escape(' / '.join(m.parents))) if m.parents else ''}</p>",
             status,
             f"<p><b>承办部门</b>:{escape('、'.join(m.offices) or '原文未写明')}"
             f"  <span style='color:#6b5b2e'>({SOURCE_LABEL.get(m.office_source, '')})</span></p>"]
    if m.office_source == "stated" and m.offices_inferred and \
            set(m.offices_inferred) - set(m.offices):
        parts.append(f"<p style='color:#555'>按内容还可能涉及:"
                     f"{escape('、'.join(sorted(set(m.offices_inferred) - set(m.offices))))}</p>")
    if result.reasons:
        parts.append("<p><b>为什么适用</b></p><ul>")
        for r in result.reasons:
            parts.append(f"<li>〔{REASON_LABEL.get(r.kind, r.kind)}〕{escape(r.text)}</li>")
        parts.append("</ul>")
    parts.append("<p><b>原文</b></p>")
    parts.append(f"<p style='line-height:150%'>{highlight(m.text, result.matched_sentences, result.matched_terms)}</p>")
    tags = [("适用对象", m.audiences), ("类别", m.categories), ("行业", m.industries),
            ("区域", m.areas)]
    tag_txt = ";".join(f"{k}:{'、'.join(v)}" for k, v in tags if v)
    if tag_txt:
        parts.append(f"<p style='color:#555'>{escape(tag_txt)}</p>")
    parts.append(f"<p style='color:#888'>编号 {escape(m.measure_id)}</p>")
    return "".join(parts)


class DetailView(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("detailView")
        self.setAccessibleName("措施详情")
        self.setOpenLinks(False)
        self.result = None
        self.show_empty()

    def show_empty(self) -> None:
        self.result = None
        self.setHtml("<p style='color:#666'>选中左侧列表中的一项措施,这里显示原文、适用理由和承办部门。</p>")

    def show_result(self, result) -> None:
        self.result = result
        self.setHtml(detail_html(result))
        self.setToolTip(office_tooltip(result.measure))
