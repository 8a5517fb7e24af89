"""The printed handout: HTML → QTextDocument → QPrinter (paper or PDF).

One clear document for the business owner to take away: the profile, the date, the
measures grouped by the office to visit, each with its clause and the reasons it applies,
the "if you also …" measures, and the knowledge-base version. Uses only Qt's own
printing, so it works with no network and no browser.

Painting on a QPrinter is allowed off the GUI thread (Qt docs, "Threads and QObjects":
QPainter on QImage, QPrinter and QPicture), so :func:`write_pdf` may run in a worker.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from matcher.offices import canonical_office, group_office

from .fonts import cjk_families
from .itemmodels import INFERRED_MARK
from .pdftext import fix_to_unicode


PROFILE_LABELS = [("district", "所在区"), ("industry", "行业"), ("size", "规模"),
                  ("employees", "从业人员(人)"), ("revenue", "营业收入(万元)"),
                  ("assets", "资产总额(万元)"), ("zjtx", "专精特新"), ("flags", "企业类型"),
                  ("needs", "需求"), ("area", "街镇/园区"), ("keywords", "关键词")]

CSS = """
body { font-size: 10.5pt; color: #000; }
h1 { font-size: 17pt; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #444; }
h3 { font-size: 11pt; margin: 8pt 0 2pt 0; }
.meta { color: #333; font-size: 9.5pt; }
table.profile td { padding: 1pt 8pt 1pt 0; }
.reason { color: #222; font-size: 9.5pt; }
.note { color: #444; font-size: 9pt; }
.missing { font-weight: bold; }
table.brief td, table.brief th { padding: 1pt 6pt 1pt 0; font-size: 9.5pt; }
"""


def profile_rows(profile: dict) -> list[tuple[str, str]]:
    rows = []
    for key, label in PROFILE_LABELS:
        v = profile.get(key)
        if v in (None, "", [], "无") and key != "district":
            continue
        if isinstance(v, (list, tuple)):
            v = "、".join(str(x) for x in v)
        rows.append((label, str(v if v is not None else "")))
    return rows


FOCUS_KINDS = {"need", "keyword", "industry", "area"}   # reasons that are about this company
DETAIL_LIMIT = 20   # measures printed in full; the rest of what applies is listed one line each


def _office_groups(results) -> "OrderedDict[str, list]":
    """Each result under its lead office (the first named), offices in order of their best
    result — so a measure is printed once and the busiest counter is not always first."""
    groups: OrderedDict[str, list] = OrderedDict()
    for r in results:
        groups.setdefault(group_office(r.measure) or "(原文未写明部门)", []).append(r)
    return groups


def split_for_handout(applies: list) -> tuple[list, list]:
    """(printed in full, listed briefly): the results that answer something the company
    said — a need, a keyword, its industry or area — come first in full, up to
    DETAIL_LIMIT; with none of those, the best-ranked ones. The matcher's order is kept."""
    focus = [r for r in applies if any(x.kind in FOCUS_KINDS for x in r.reasons)]
    if not focus:
        focus = [r for r in applies if any(x.kind == "audience" for x in r.reasons)] or applies
    full = focus[:DETAIL_LIMIT]
    chosen = {id(r) for r in full}
    return full, [r for r in applies if id(r) not in chosen]


def _measure_html(r, with_missing: bool = False, lead: str = "") -> str:
    m = r.measure
    star = "★" if m.star and "★" not in m.clause else ""
    inferred = INFERRED_MARK if m.office_source == "inferred" else ""
    parts = [f"<p><b>{escape(m.clause)}{star} {escape(m.title or '')}</b>"
             f"<span class='meta'> — {escape(m.document)}"
             f"{'(' + escape(m.issued) + ')' if m.issued else ''}</span><br/>"]
    text = m.text if len(m.text) <= 220 else m.text[:218] + "…"
    parts.append(escape(text))
    others = [o for o in m.offices if o != lead and canonical_office(o, m.district) != lead]
    if others or inferred:
        label = "同时涉及" if lead else "承办部门"
        parts.append(f"<br/><span class='note'>{label}:{escape('、'.join(others or m.offices))}"
                     f"{inferred}</span>")
    if with_missing and r.missing:
        parts.append(f"<br/><span class='missing'>还需具备:{escape('、'.join(r.missing))}</span>")
    # the district and "open to all" reasons say what the document line already says
    for reason in [x for x in r.reasons if x.kind not in ("district", "general")] or r.reasons[:1]:
        parts.append(f"<br/><span class='reason'>· {escape(reason.text)}</span>")
    parts.append("</p>")
    return "".join(parts)


def _brief_rows(results) -> str:
    """One line per measure, under its lead office: clause, heading and opening words."""
    rows = ["<table class='brief' width='100%'>"]
    for office, rs in _office_groups(results).items():
        rows.append(f"<tr><td colspan='2'><b>{escape(office)}</b>"
                    f"{INFERRED_MARK if rs[0].measure.office_source == 'inferred' else ''}"
                    f"({len(rs)} 项)</td></tr>")
        for r in rs:
            m = r.measure
            star = "★" if m.star and "★" not in m.clause else ""
            opening = m.text if len(m.text) <= 40 else m.text[:38] + "…"
            what = f"{m.title}:{opening}" if m.title and not m.text.startswith(m.title) else opening
            rows.append(f"<tr><td width='12%'>{escape(m.clause)}{star}</td>"
                        f"<td>{escape(what)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def build_html(response, profile: dict, kb_version: str, today: date | None = None,
               documents: list | None = None) -> str:
    """The handout as HTML (also used for the on-screen preview)."""
    today = today or date.today()
    applies = [r for r in response.results if r.status == "applies"]
    near = [r for r in response.results if r.status == "near"]
    full, brief = split_for_handout(applies)
    out = [f"<html><head><style>{CSS}</style></head><body>",
           "<h1>惠企政策直通车 · 政策服务清单</h1>",
           f"<p class='meta'>打印日期:{today:%Y年%m月%d日}  知识库版本:{escape(kb_version or '未知')}"
           f"  共 {len(applies)} 项适用措施"
           f"{f',另有 {len(near)} 项补足条件后可享受' if near else ''}</p>",
           "<h2>企业画像</h2><table class='profile'>"]
    for label, value in profile_rows(profile):
        out.append(f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>")
    out.append("</table>")
    if not applies:
        out.append("<p>按当前画像,没有找到适用的措施。</p>")
    else:
        groups = _office_groups(full)
        out.append("<h2>按部门办理</h2>")
        out.append("<p class='note'>与贵企业需求最相关的措施,按应前往的牵头部门分组,每项只列一次;"
                   f"部门名后标“{INFERRED_MARK}”的,原文未写明部门,由系统根据内容推断,"
                   "请以实际受理部门为准。</p>")
        out.append("<p><b>去哪里办:</b>" + ";".join(
            f"{escape(o)}({len(rs)} 项)" for o, rs in groups.items()) + "</p>")
        for office, rs in groups.items():
            out.append(f"<h3>{escape(office)}({len(rs)} 项)</h3>")
            out.extend(_measure_html(r, lead=office) for r in rs)
        if brief:
            out.append(f"<h2>其他适用措施({len(brief)} 项)</h2>")
            out.append("<p class='note'>以下措施也适用于贵企业(多为面向本区各类企业的普遍性措施),"
                       "详情可在系统中查看或向承办部门咨询。</p>")
            out.append(_brief_rows(brief))
    if near:
        out.append("<h2>如果再具备以下条件,还可享受</h2>")
        for r in near:
            out.append(_measure_html(r, with_missing=True))
    if response.notes:
        out.append("<h2>说明</h2>")
        out.extend(f"<p class='note'>{escape(n)}</p>" for n in response.notes)
    if documents:
        out.append("<h2>政策依据</h2>")
        for d in documents:
            out.append(f"<p class='note'>{escape(d.title)}({escape(d.district)},"
                       f"{escape(d.issued or '日期不详')})</p>")
    out.append("<p class='note'>本清单由惠企政策直通车根据企业自报信息生成,仅供参考;"
               "是否符合条件以受理部门审核为准。</p></body></html>")
    return "".join(out)


def make_document(html: str, font_point_size: float = 10.5) -> QTextDocument:
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(cjk_families())
    font.setPointSizeF(font_point_size)
    # no OpenType shaping: CJK fonts otherwise swap in alternate glyphs (digits after
    # Latin letters, …) that Qt's PDF writer cannot map back to text, so the PDF would
    # not search, copy or extract correctly
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc


def setup_printer(printer: QPrinter) -> None:
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                      QPageLayout.Orientation.Portrait,
                                      QMarginsF(18, 16, 18, 16), QPageLayout.Unit.Millimeter))


def print_html(html: str, printer: QPrinter) -> None:
    """Lay out and print ``html`` on ``printer`` (paper, or PDF if so set up)."""
    doc = make_document(html)
    doc.setPageSize(QSizeF(printer.pageRect(QPrinter.Unit.Point).size()))
    doc.print_(printer)


def write_pdf(html: str, path: Path, title: str = "惠企政策服务清单") -> Path:
    path = Path(path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setDocName(title)
    printer.setCreator("惠企政策直通车 PolicyDesk")
    setup_printer(printer)
    print_html(html, printer)
    if not path.is_file() or path.stat().st_size == 0:
        from matcher.errors import PolicyDeskError
        raise PolicyDeskError(f"无法写入 PDF 文件 {path}:请检查文件夹是否存在、是否有写入权限。")
    fix_to_unicode(path, tuple(cjk_families()))
    return path
