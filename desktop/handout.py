"""The printed handout: HTML → QTextDocument → QPrinter (paper or PDF).

One clear document for the business owner to take away: the company and the date on every
page with page numbers, the profile, the measures grouped by the office to visit (with the
office's address, window, phone and hours from the hall's directory), each with its clause
and the reasons it applies in plain words, the "if you also …" measures, the documents
cited, and the date of the knowledge base. The officer may leave measures out. Uses only
Qt's own printing, so it works with no network and no browser.

Painting on a QPrinter is allowed off the GUI thread (Qt docs, "Threads and QObjects":
QPainter on QImage, QPrinter and QPicture), so :func:`write_pdf` may run in a worker.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from matcher.presentation import canonical_office, field_label, group_office, size_computed

from .fonts import cjk_families
from .handout_text import head_count, kb_description, money_wan, plain_condition, plain_reasons, readable_date
from .itemmodels import INFERRED_MARK
from .pdftext import fix_to_unicode
from .tier_text import application_html

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
body { font-size: 10.5pt; color: #000; }
h1 { font-size: 17pt; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #444; }
h3 { font-size: 11pt; margin: 8pt 0 2pt 0; }
.meta { color: #333; font-size: 9.5pt; }
table.profile td { padding: 1pt 8pt 1pt 0; }
.reason { color: #222; font-size: 9.5pt; }
.note { color: #444; font-size: 9pt; }
.missing { font-weight: bold; }
.contact { font-size: 9.5pt; background-color: #f1f5f9; }
table.apply td { font-size: 9.5pt; padding: 1pt 4pt 1pt 0; }
.ask { font-weight: bold; }
table.brief td, table.brief th { padding: 1pt 6pt 1pt 0; font-size: 9.5pt; }
"""


def profile_rows(profile: dict) -> list[tuple[str, str]]:
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


def contact_html(directory, district: str, office: str) -> str:
    """The office's address, window, phone and hours from the hall's directory ("" when
    the hall has not filled them in)."""
    if directory is None:
        return ""
    c = directory.get(district, office)
    if c is None:
        return ""
    return "<p class='contact'>" + ";".join(f"{escape(k)}:{escape(v)}" for k, v in c.lines()) + "</p>"


FOCUS_KINDS = {"need", "keyword", "industry", "area"}  # reasons that are about this company
DETAIL_LIMIT = 25  # measures printed in full; the rest of what applies is listed one line each


def _office_groups(results) -> OrderedDict[str, list]:
    """Each result under its lead office (the first named), offices in order of their best
    result — so a measure is printed once and the busiest counter is not always first."""
    groups: OrderedDict[str, list] = OrderedDict()
    for r in results:
        groups.setdefault(group_office(r.measure) or "(原文未写明部门)", []).append(r)
    return groups


def split_for_handout(applies: list) -> tuple[list, list]:
    """(printed in full, listed briefly): the measures for this company (the engine's
    ``targeted`` tier) in full, up to DETAIL_LIMIT; the services every firm of the district
    gets (``general``) one line each. An answer without tiers: the results that answer
    something the company said — a need, a keyword, its industry or area — in full; with
    none of those, the best-ranked ones. The matcher's order is kept."""
    targeted = [r for r in applies if getattr(r, "tier", None) == "targeted"]
    if targeted:
        full = targeted[:DETAIL_LIMIT]
        chosen = {id(r) for r in full}
        return full, [r for r in applies if id(r) not in chosen]
    focus = [r for r in applies if any(x.kind in FOCUS_KINDS for x in r.reasons)]
    if not focus:
        focus = [r for r in applies if any(x.kind == "audience" for x in r.reasons)] or applies
    full = focus[:DETAIL_LIMIT]
    chosen = {id(r) for r in full}
    return full, [r for r in applies if id(r) not in chosen]


def shared_materials(results) -> dict[tuple, int]:
    """Materials lists that several printed measures share (a 申报指南's one list for all
    its items) → their number in the closing 申报材料 section, so each is printed once."""
    seen: dict[tuple, int] = {}
    for r in results:
        key = tuple(r.measure.materials or ())
        if key:
            seen[key] = seen.get(key, 0) + 1
    shared = [k for k, n in seen.items() if n > 1]
    return {k: i for i, k in enumerate(shared, 1)}


def _materials_note(r, shared: dict[tuple, int] | None) -> str:
    key = tuple(r.measure.materials or ())
    if not shared or key not in shared:
        return ""
    n = f" {shared[key]}" if len(shared) > 1 else ""
    return f"共 {len(key)} 项,见本清单末尾“申报材料清单{n}”"


def _materials_section(shared: dict[tuple, int], results) -> list[str]:
    out = ["<h2>申报材料清单</h2>"]
    for key, i in shared.items():
        docs = list(dict.fromkeys(r.measure.document for r in results if tuple(r.measure.materials or ()) == key))
        title = f"申报材料清单{' ' + str(i) if len(shared) > 1 else ''}"
        out.append(f"<h3>{escape(title)}(《{escape('》《'.join(docs))}》)</h3><p>")
        out.append("".join(f"{k}. {escape(x)}<br/>" for k, x in enumerate(key, 1)))
        out.append("</p>")
    return out


def _measure_html(
    r,
    with_missing: bool = False,
    lead: str = "",
    profile: dict | None = None,
    apply_block: bool = True,
    shared: dict[tuple, int] | None = None,
) -> str:
    m = r.measure
    star = "★" if m.star and "★" not in m.clause else ""
    inferred = INFERRED_MARK if m.office_source == "inferred" else ""
    parts = [
        f"<p><b>{escape(m.clause)}{star} {escape(m.title or '')}</b>"
        f"<span class='meta'> — {escape(m.document)}"
        f"{'(' + escape(readable_date(m.issued)) + ')' if m.issued else ''}</span><br/>"
    ]
    text = m.text if len(m.text) <= 220 else m.text[:218] + "…"
    parts.append(escape(text))
    others = [o for o in m.offices if o != lead and canonical_office(o, m.district) != lead]
    if others or inferred:
        label = "同时涉及" if lead else "承办部门"
        parts.append(f"<br/><span class='note'>{label}:{escape('、'.join(others or m.offices))}{inferred}</span>")
    if with_missing and getattr(r, "tier", None) == "unknown" and r.questions:
        parts.append(
            "<br/><span class='ask'>请先确认:" + escape(";".join(r.questions)) + "(符合文件条件即可申请)</span>"
        )
    elif with_missing and r.missing:
        cond = "、".join(plain_condition(x) for x in r.missing)
        parts.append(f"<br/><span class='missing'>如果贵企业{escape(cond)},即可申请</span>")
    # a measure for this company is not also "for every firm" (the matcher's open-audience note)
    skip = ("general",) if getattr(r, "tier", None) == "targeted" else ()
    for reason in plain_reasons(r, profile, skip=skip):
        parts.append(f"<br/><span class='reason'>· {escape(reason)}</span>")
    parts.append("</p>")
    # what you get, by when, what to bring, where, whom to call — as the document states it
    block = application_html(r, plain=True, materials_note=_materials_note(r, shared)) if apply_block else ""
    if block:
        parts.append(block)
    return "".join(parts)


def _brief_rows(results, directory=None) -> str:
    """One line per measure, under its lead office: clause, heading and opening words."""
    rows = ["<table class='brief' width='100%'>"]
    for office, rs in _office_groups(results).items():
        c = directory.get(rs[0].measure.district, office) if directory is not None else None
        contact = (
            ("<br/><span class='note'>" + ";".join(f"{escape(k)}:{escape(v)}" for k, v in c.lines()) + "</span>")
            if c
            else ""
        )
        rows.append(
            f"<tr><td colspan='2'><b>{escape(office)}</b>"
            f"{INFERRED_MARK if rs[0].measure.office_source == 'inferred' else ''}"
            f"({len(rs)} 项){contact}</td></tr>"
        )
        for r in rs:
            m = r.measure
            star = "★" if m.star and "★" not in m.clause else ""
            opening = m.text if len(m.text) <= 40 else m.text[:38] + "…"
            what = f"{m.title}:{opening}" if m.title and not m.text.startswith(m.title) else opening
            rows.append(f"<tr><td width='12%'>{escape(m.clause)}{star}</td><td>{escape(what)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _count_line(full: list, brief: list, near: list, ask: list, totals: dict | None = None) -> str:
    """How much the handout holds, in plain words (``totals``: the tiers counted whole,
    when the handout prints only the first of the near and unknown ones)."""
    has_tiers = any(getattr(r, "tier", None) == "targeted" for r in full)
    if has_tiers:
        parts = [f"专门面向贵企业的措施 {len(full)} 项"]
        if brief:
            parts.append(f"本区各类企业都能享受的服务 {len(brief)} 项")
    else:
        parts = [f"共 {len(full) + len(brief)} 项适用措施"]
    n_near = max(len(near), int((totals or {}).get("near", 0)))
    n_ask = max(len(ask), int((totals or {}).get("unknown", 0)))
    if near:
        parts.append(f"另有 {n_near} 项补足条件后可享受" + (f"(列出前 {len(near)} 项)" if n_near > len(near) else ""))
    if ask:
        parts.append(f"{n_ask} 项需确认企业情况" + (f"(列出前 {len(ask)} 项)" if n_ask > len(ask) else ""))
    return ",".join(parts)


def handout_profile(response, form_profile: dict) -> dict:
    """The profile to print: the engine's canonical one (from the answer) when it has one,
    with the form's company name."""
    canon = getattr(response, "profile", None)
    p = dict(canon) if isinstance(canon, dict) and canon.get("district") else dict(form_profile)
    if form_profile.get("company") and not p.get("company"):
        p["company"] = form_profile["company"]
    return p


def page_header(profile: dict, today: date) -> str:
    """The line at the top of every page: who it is for and when."""
    who = (profile.get("company") or "").strip() or "贵企业"
    return f"{who} · 政策服务清单 · {readable_date(today.isoformat())}"


def build_html(
    response,
    profile: dict,
    kb_version: str = "",
    today: date | None = None,
    documents: list | None = None,
    directory=None,
    exclude: frozenset[str] | set[str] = frozenset(),
    totals: dict | None = None,
) -> str:
    """The handout as HTML (also used for the on-screen preview). ``exclude``: measure ids
    the officer unticked; ``directory``: the hall's office directory; ``totals``: every
    tier counted whole (the answer may hold only the first near and unknown measures)."""
    today = today or date.today()
    profile = handout_profile(response, profile)
    results = [r for r in response.results if r.measure.measure_id not in exclude]
    applies = [r for r in results if r.status == "applies"]
    # expired measures (列出已过期) are for the officer's screen, not for the owner to apply
    near = [r for r in results if r.status == "near" and getattr(r, "tier", None) not in ("unknown", "expired")]
    ask = [r for r in results if getattr(r, "tier", None) == "unknown"]
    full, brief = split_for_handout(applies)
    shared = shared_materials(full)
    cited = {r.measure.doc_id for r in results}
    cited_docs = [d for d in documents or [] if d.doc_id in cited]
    kb_text = kb_description(documents) if documents else (kb_version or "")
    company = (profile.get("company") or "").strip()
    out = [
        f"<html><head><style>{CSS}</style></head><body>",
        f"<h1>{escape(company) + ' · ' if company else ''}政策服务清单</h1>",
        f"<p class='meta'>打印日期:{readable_date(today.isoformat())}。{escape(kb_text)}。"
        f"<br/>{_count_line(full, brief, near, ask, totals)}。</p>",
        "<h2>企业画像</h2><table class='profile'>",
    ]
    for label, value in profile_rows(profile):
        out.append(f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>")
    out.append("</table>")
    if not applies:
        out.append("<p>按当前画像,没有找到适用的措施。</p>")
    else:
        groups = _office_groups(full)
        out.append("<h2>按部门办理</h2>")
        out.append(
            "<p class='note'>与贵企业需求最相关的措施,按应前往的牵头部门分组,每项只列一次;"
            f"部门名后标“{INFERRED_MARK}”的,原文未写明部门,由系统根据内容推断,"
            "请以实际受理部门为准。</p>"
        )
        out.append("<p><b>去哪里办:</b>" + ";".join(f"{escape(o)}({len(rs)} 项)" for o, rs in groups.items()) + "</p>")
        for office, rs in groups.items():
            out.append(f"<h3>{escape(office)}({len(rs)} 项)</h3>")
            out.append(contact_html(directory, rs[0].measure.district, office))
            out.extend(_measure_html(r, lead=office, profile=profile, shared=shared) for r in rs)
        if brief:
            out.append(f"<h2>其他适用措施({len(brief)} 项)</h2>")
            out.append(
                "<p class='note'>以下措施也适用于贵企业(多为面向本区各类企业的普遍性措施),"
                "详情可在系统中查看或向承办部门咨询。</p>"
            )
            out.append(_brief_rows(brief, directory))
    if near:
        out.append("<h2>如果再具备以下条件,还可享受</h2>")
        for r in near:
            out.append(_measure_html(r, with_missing=True, profile=profile, apply_block=False))
    if ask:
        out.append("<h2>还需确认的情况</h2>")
        out.append(
            "<p class='note'>以下措施对企业的营业收入、纳税、研发投入、成立年限等有要求;"
            "请核对自身情况,符合的可向承办部门申请。</p>"
        )
        for r in ask:
            out.append(_measure_html(r, with_missing=True, profile=profile, apply_block=False))
    if shared:
        out.extend(_materials_section(shared, full))
    if response.notes:
        out.append("<h2>说明</h2>")
        out.extend(f"<p class='note'>{escape(n)}</p>" for n in response.notes)
    if cited_docs:
        out.append("<h2>政策依据</h2>")
        for d in cited_docs:
            out.append(
                f"<p class='note'>《{escape(d.title)}》({escape(d.district)},"
                f"{escape(readable_date(d.issued) or '日期不详')})</p>"
            )
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
    doc = make_document(html)
    # lay the text out in the printer's own units, so fonts keep their point sizes
    doc.documentLayout().setPaintDevice(printer)
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    band = BAND_MM / 25.4 * printer.resolution()
    body = QSizeF(page.width(), page.height() - 2 * band)
    doc.setPageSize(body)
    pages = max(doc.pageCount(), 1)
    font = QFont()
    font.setFamilies(cjk_families())
    font.setPointSizeF(8.5)
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    painter = QPainter()
    if not painter.begin(printer):
        from matcher.errors import PolicyDeskError

        raise PolicyDeskError("无法开始打印:打印机或 PDF 文件不可用。")
    try:
        w = page.width()
        for i in range(pages):
            if i:
                printer.newPage()
            painter.setFont(font)
            painter.setPen(Qt.GlobalColor.darkGray)
            if header:
                painter.drawText(
                    QRectF(0, 0, w, band * 0.75), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), header
                )
                painter.drawLine(0, int(band * 0.85), int(w), int(band * 0.85))
            painter.drawText(
                QRectF(0, band + body.height() + band * 0.2, w, band * 0.7),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                f"第 {i + 1} 页,共 {pages} 页",
            )
            painter.save()
            painter.translate(0, band - i * body.height())
            doc.drawContents(painter, QRectF(0, i * body.height(), w, body.height()))
            painter.restore()
    finally:
        painter.end()
    return pages


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
