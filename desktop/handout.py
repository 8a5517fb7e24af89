"""The printed handout: the engine's :class:`~matcher.models.Handout` (``Engine.handout`` /
``Engine.handout_of``) drawn as HTML → QTextDocument → QPrinter (paper or PDF).

The engine decides what is in it (下一步 per office, the 申兑指南 cards, 待确认, 政策月历, the
services every firm gets, all as of the 判断日期); this module only draws it: the company and
the date on every page with page numbers, the 判断日期 printed at the top. The same
renderer serves the window's print and preview and ``policydesk handout`` (which runs
:mod:`desktop.print_handout` in a subprocess). Uses only Qt's own printing, so it works
with no network and no browser.

Painting on a QPrinter is allowed off the GUI thread (Qt docs, "Threads and QObjects":
QPainter on QImage, QPrinter and QPicture), so :func:`write_pdf` may run in a worker.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from matcher.models import Handout, VisitStep
from matcher.presentation import field_label, size_computed

from .fonts import cjk_families
from .guide_card import card_rows, phone_text, rows_html
from .handout_text import head_count, money_wan, readable_date
from .pdftext import fix_to_unicode

# the profile's fields in handout order; their labels are the engine's (resources/profile.toml)
PROFILE_FIELDS = (
    "company",
    "district",
    "industry",
    "size",
    "employees",
    "revenue",
    "assets",
    "zjtx",
    "flags",
    "needs",
    "area",
    "keywords",
    "founded",
    "tax",
    "rnd",
    "investment",
)
FORMATTERS = {
    "employees": head_count,
    "revenue": money_wan,
    "assets": money_wan,
    "tax": money_wan,
    "rnd": money_wan,
    "investment": money_wan,
    "founded": lambda y: f"{y} 年",
}

CSS = """
body { font-size: 10pt; color: #000; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; }
h2 { font-size: 12.5pt; margin: 10pt 0 3pt 0; border-bottom: 1px solid #444; }
h3 { font-size: 10.5pt; margin: 6pt 0 1pt 0; }
.meta { color: #333; font-size: 9pt; }
.asof { font-size: 10.5pt; font-weight: bold; }
.note { color: #444; font-size: 8.5pt; }
.step { margin: 3pt 0 3pt 0; }
table.card td { font-size: 9pt; padding: 0pt 4pt 0pt 0; }
table.cal td, table.cal th { font-size: 9pt; padding: 1pt 6pt 1pt 0; }
table.ask td { font-size: 9pt; padding: 1pt 6pt 1pt 0; }
"""


def profile_rows(profile: dict) -> list[tuple[str, str]]:  # the profile block of the handout
    """The profile as the owner reads it: the engine's canonical values where the answer
    carries them (industry with its key industry, a computed size with its reason),
    amounts in 万元 or 亿元, head counts in 人."""
    rows = []
    for key in PROFILE_FIELDS:
        label = field_label(key)
        v = profile.get(key)
        if key == "industry" and profile.get("industry_label"):
            v = profile["industry_label"]
        if v in (None, "", [], "无") and key != "district":
            continue
        if key in FORMATTERS:
            v = FORMATTERS[key](v)
        elif key == "size" and size_computed(profile.get("size_decided_by")):
            v = f"{v}(按填写的从业人员、营业收入等计算)"
        if isinstance(v, (list, tuple)):
            v = "、".join(str(x) for x in v)
        rows.append((label, str(v if v is not None else "")))
    return rows


def handout_profile(response, form_profile: dict) -> dict:
    """The profile to print: the engine's canonical one (from the answer) when it has one,
    with the form's company name."""
    canon = getattr(response, "profile", None)
    p = dict(canon) if isinstance(canon, dict) and canon.get("district") else dict(form_profile)
    if form_profile.get("company") and not p.get("company"):
        p["company"] = form_profile["company"]
    return p


def _by(step: VisitStep) -> str:
    if not step.by:
        return ""
    kind = "申报截止" if step.by_kind == "申报截止" else "政策有效期截止"
    return f",在 <b>{escape(readable_date(step.by))}</b> 之前({kind})"


def _has_detail(s: VisitStep) -> bool:
    """A step with something to act on: a deadline, materials, a way online, an address or phone."""
    return bool(s.by or s.bring or s.online or s.address or s.phones)


def _titles(titles: list[str], n: int = 4) -> str:
    return "、".join(f"“{t}”" for t in titles[:n]) + (f" 等 {len(titles)} 项" if len(titles) > n else "")


def _step_html(i: int, s: VisitStep) -> str:
    where = f"到 <b>{escape(s.office)}</b>"
    if s.online:
        where += f"(或网上办理:{escape('、'.join(s.online))})"
    if s.by and s.due:
        others = [t for t in s.measures if t not in s.due]
        also = f";同一部门还可咨询 {escape(_titles(others, 3))}" if others else ""
        text = f"{_by(s)}申请 {escape(_titles(s.due))}{also}"
    else:
        text = f"申请 {escape(_titles(s.measures))}(文件未写明截止日期)"
    parts = [f"<p class='step'><b>{i}.</b> {where}{text}。"]
    if s.bring:
        parts.append("<br/>带上:" + escape(";".join(s.bring)) + "。")
    else:
        parts.append("<br/>带上:文件未列出申报材料,请先向该部门确认。")
    if s.address:
        parts.append("<br/>地址:" + escape(";".join(s.address)))
    if s.phones:
        parts.append("<br/>电话:" + escape(";".join(phone_text(p) for p in s.phones[:4])))
    parts.append("</p>")
    return "".join(parts)


def _card_html(card, skip: tuple[str, ...] = ("materials",)) -> str:
    # the document and clause, unless the measure is the whole document (a notice)
    # and the office to take it to (the owner reads a card on its own)
    source = "" if card.title in card.document else f"{card.document} {card.clause}"
    meta = " — " + " · ".join(x for x in (card.office, source) if x) if card.office or source else ""
    head = f"<h3>{escape(card.title)}<span class='note'>{escape(meta)}</span></h3>"
    rows = card_rows(card, skip)
    return head + (rows_html(rows) if rows else "<p class='note'>原文未写明条件、金额或办理方式,请向承办部门咨询。</p>")


def _calendar_html(h: Handout) -> list[str]:
    if not h.calendar:
        return []
    out = ["<h2>政策月历</h2><table class='cal' width='100%'>"]
    out.append("<tr><th align='left'>日期</th><th align='left'>事项</th><th align='left'>部门</th></tr>")
    for e in h.calendar:
        titles = "、".join(e.titles[:2]) + (f" 等 {len(e.titles)} 项" if len(e.titles) > 2 else "")
        ask = "(待确认)" if e.tier == "unknown" else ""
        out.append(
            f"<tr><td width='17%'>{escape(readable_date(e.date))}</td>"
            f"<td>{escape(e.kind)}:{escape(titles)}{ask}</td><td width='20%'>{escape(e.office)}</td></tr>"
        )
    out.append("</table>")
    return out


def count_line(h: Handout) -> str:
    n = h.counts
    parts = [f"为本企业 {len(h.cards)} 项"]
    if n.get("unknown"):
        parts.append(f"待确认 {n['unknown']} 项" + (f"(列出 {len(h.ask)} 项)" if n["unknown"] > len(h.ask) else ""))
    if n.get("near"):
        parts.append(f"补足一个条件可享受 {n['near']} 项")
    if h.general_count:
        parts.append(f"普惠服务 {h.general_count} 项")
    return ",".join(parts)


def page_header(profile: dict, today: date) -> str:
    """The line at the top of every page: who it is for and when."""
    who = (profile.get("company") or "").strip() or "贵企业"
    return f"{who} · 政策服务清单 · {readable_date(today.isoformat())}"


def header_of(h: Handout) -> str:
    """The page header of a handout: the company and the 判断日期 it was judged on."""
    who = h.company or "贵企业"
    return f"{who} · 政策服务清单 · 判断日期 {readable_date(h.as_of)}"


def build_html(h: Handout) -> str:
    """The handout as HTML (also the on-screen preview)."""
    company = h.company
    as_of = readable_date(h.as_of)
    printed = "" if h.printed == h.as_of else f"打印日期:{readable_date(h.printed)}。"
    out = [
        f"<html><head><style>{CSS}</style></head><body>",
        f"<h1>{escape(company) + ' · ' if company else ''}政策服务清单</h1>",
        f"<p class='asof'>判断日期:{as_of}(本清单中措施是否有效、截止日期均按此日期判断)</p>",
        f"<p class='meta'>{escape(printed)}{escape(h.knowledge) + '。' if h.knowledge else ''}{escape(count_line(h))}。<br/>",
        "企业画像:" + escape(";".join(f"{k}:{v}" for k, v in profile_rows(h.profile) if v)) + "</p>",
    ]
    if not h.cards and not h.ask:
        out.append("<p>按当前画像,没有找到专门面向贵企业的措施。</p>")
    if h.steps:
        out.append("<h2>下一步</h2>")
        out.append("<p class='note'>按截止日期先后排列:到哪个部门、带什么材料、在什么时候之前。</p>")
        full = [s for s in h.steps if _has_detail(s)]
        out.extend(_step_html(i, s) for i, s in enumerate(full, 1))
        rest = [s for s in h.steps if not _has_detail(s)]
        if rest:
            out.append(f"<p class='step'><b>{len(full) + 1}.</b> 文件未写明截止日期和申报材料的,可直接向部门咨询:")
            out.append(escape(";".join(f"{s.office}({_titles(s.measures, 3)})" for s in rest)) + "。</p>")
    if h.cards:
        out.append(f"<h2>为本企业:申兑指南({len(h.cards)} 项)</h2>")
        stated = [c for c in h.cards if card_rows(c, ("materials",))]
        out.extend(_card_html(c) for c in stated)
        bare = [c for c in h.cards if not card_rows(c, ("materials",))]
        if bare:
            out.append(
                (f"<h3>另 {len(bare)} 项</h3>" if stated else "")
                + "<p class='note'>原文未写明条件、金额或办理方式,请向所列部门咨询:</p><p>"
                + escape(";".join(f"{c.title}({c.office or '部门未写明'})" for c in bare))
                + "。</p>"
            )
    out.extend(_calendar_html(h))
    if h.ask:
        out.append("<h2>待确认:请核对以下情况</h2>")
        out.append("<p class='note'>逐一问清;符合的,可向所列部门申请。</p><table class='ask' width='100%'>")
        for q, cards in _ask_groups(h.ask):
            items = ";".join(f"{c.title}({c.office or '部门未写明'})" for c in cards)
            out.append(
                f"<tr><td width='38%' valign='top'><b>{escape(q)}</b></td><td valign='top'>{escape(items)}</td></tr>"
            )
        out.append("</table>")
        if h.counts.get("unknown", 0) > len(h.ask):
            out.append(f"<p class='note'>另有 {h.counts['unknown'] - len(h.ask)} 项待确认的措施,可在系统中查看。</p>")
    if h.near:
        out.append("<h2>补足一个条件还可享受</h2><table class='ask' width='100%'>")
        for c in h.near:
            out.append(
                f"<tr><td width='38%' valign='top'><b>{escape(c.title)}</b></td>"
                f"<td valign='top'>还差:{escape('、'.join(c.missing) or '一个条件')}</td></tr>"
            )
        out.append("</table>")
    if h.general:
        out.append("<h2>普惠服务</h2>")
        out.append(f"<p>{escape(h.general)}</p>")
    if h.notes:
        out.extend(f"<p class='note'>{escape(n)}</p>" for n in h.notes)
    if h.documents:
        out.append("<p class='note'><b>政策依据</b>:" + escape(";".join(h.documents)) + "</p>")
    out.append(
        "<p class='note'>本清单由惠企政策直通车根据企业自报信息生成,仅供参考;"
        "是否符合条件以受理部门审核为准。</p></body></html>"
    )
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
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 16, 18, 16),
            QPageLayout.Unit.Millimeter,
        )
    )


BAND_MM = 9  # the height of the header and of the footer band on each page


def print_html(html: str, printer: QPrinter, header: str = "") -> int:
    """Lay out and print ``html`` on ``printer`` (paper, or PDF if so set up), with
    ``header`` (company and date) at the top and "第 n 页,共 N 页" at the foot of every
    page. Returns the number of pages."""
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    painter = QPainter()
    doc = _laid_out(html, printer, page.width(), page.height(), printer.resolution())
    if not painter.begin(printer):
        from matcher.errors import PolicyDeskError

        raise PolicyDeskError("无法开始打印:打印机或 PDF 文件不可用。")
    try:
        return paint_pages(doc, painter, page.width(), printer.resolution(), header, printer.newPage)
    finally:
        painter.end()


def _laid_out(html: str, device, width: float, height: float, dpi: float) -> QTextDocument:
    doc = make_document(html)
    # lay the text out in the device's own units, so fonts keep their point sizes
    doc.documentLayout().setPaintDevice(device)
    band = BAND_MM / 25.4 * dpi
    doc.setPageSize(QSizeF(width, height - 2 * band))
    return doc


def paint_pages(doc: QTextDocument, painter: QPainter, w: float, dpi: float, header: str, new_page, only=None) -> int:
    """Paint the laid-out ``doc`` page by page (``new_page()`` between pages; ``only``: a
    page index, for drawing one page on an image). Returns the number of pages."""
    band = BAND_MM / 25.4 * dpi
    body_h = doc.pageSize().height()
    pages = max(doc.pageCount(), 1)
    font = QFont()
    font.setFamilies(cjk_families())
    font.setPointSizeF(8.5)
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    for i in range(pages) if only is None else (only,):
        if i and only is None:
            new_page()
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.darkGray)
        if header:
            painter.drawText(
                QRectF(0, 0, w, band * 0.75), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), header
            )
            painter.drawLine(0, int(band * 0.85), int(w), int(band * 0.85))
        painter.drawText(
            QRectF(0, band + body_h + band * 0.2, w, band * 0.7),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            f"第 {i + 1} 页,共 {pages} 页",
        )
        painter.save()
        painter.translate(0, band - i * body_h)
        doc.drawContents(painter, QRectF(0, i * body_h, w, body_h))
        painter.restore()
    return pages


def write_pngs(html: str, prefix: Path, header: str = "", dpi: int = 110) -> list[Path]:
    """Every page as a PNG (``<prefix>-1.png`` …): laid out for the same printer as the PDF
    (so the pages break where the PDF's do), drawn by :func:`paint_pages`, scaled to ``dpi``."""
    from PySide6.QtGui import QColor, QImage

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    setup_printer(printer)
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    doc = _laid_out(html, printer, page.width(), page.height(), printer.resolution())
    scale = dpi / printer.resolution()
    mm = dpi / 25.4
    size = (int(210 * mm), int(297 * mm))
    margin = printer.pageLayout().marginsPixels(dpi)
    out = []
    for i in range(max(doc.pageCount(), 1)):
        img = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        img.setDotsPerMeterX(round(printer.resolution() / 0.0254))  # fonts sized as on the printer,
        img.setDotsPerMeterY(round(printer.resolution() / 0.0254))  # then scaled with the page
        img.fill(QColor("white"))
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(margin.left(), margin.top())
        painter.scale(scale, scale)
        paint_pages(doc, painter, page.width(), printer.resolution(), header, None, only=i)
        painter.end()
        path = Path(f"{prefix}-{i + 1}.png")
        img.save(str(path))
        out.append(path)
    return out


def _private(path: Path) -> None:
    """The file readable by the user only (0600), as every record of a client (issue 23)."""
    import os

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    except OSError:
        pass  # said below: the PDF is not written


def write_pdf(html: str, path: Path, title: str = "惠企政策服务清单", header: str = "") -> Path:
    path = Path(path)
    _private(path)  # before the client's handout goes in
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setDocName(title)
    printer.setCreator("惠企政策直通车 PolicyDesk")
    setup_printer(printer)
    from matcher.errors import PolicyDeskError

    try:
        print_html(html, printer, header)
    except PolicyDeskError:
        pass  # named below, with the file
    if not path.is_file() or path.stat().st_size == 0:
        from matcher.errors import PolicyDeskError

        try:
            path.unlink()  # the empty file made above
        except OSError:
            pass

        raise PolicyDeskError(f"无法写入 PDF 文件 {path}:请检查文件夹是否存在、是否有写入权限。")
    fix_to_unicode(path, tuple(cjk_families()))
    _private(path)  # whatever rewrote it
    return path


def _ask_groups(cards: list) -> list[tuple[str, list]]:
    """待确认 as the officer reads it out: one row per question with the measures it unlocks
    (a measure asking two questions under both), the question unlocking most first."""
    groups: dict[str, list] = {}
    for c in cards:
        for q in dict.fromkeys(c.questions or ["请向承办部门确认是否符合条件"]):
            groups.setdefault(q, []).append(c)
    order = list(groups)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), order.index(kv[0])))
