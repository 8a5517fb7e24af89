"""Exports of a match answer: the CLI's JSON shape, and JSON / CSV / Excel files.

Every export carries the profile, the date, the knowledge-base version and, per result in
the CLI table's order (targeted, general, near, unknown), its tier, the clause, text,
offices (stated or inferred), what it gives (amounts), when (window, deadline, validity,
expired), what to bring, how to apply, whom to call, and the reasons. No cell is ever a
formula (:func:`safe_cell`).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from matcher.common.paths import os_reason
from matcher.errors import BadInput
from matcher.models import MatchResponse, Measure, Result

SOURCE_LABEL = {"stated": "文件明确", "inferred": "系统推断", "none": "未注明"}

#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(v: Any) -> bool:
    return isinstance(v, str) and v.startswith(FORMULA_STARTS)


def safe_cell(v: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with = + - @ (or a
    tab or CR, or their full-width forms) is prefixed with an apostrophe, as OWASP advises."""
    return "'" + v if is_formula_like(v) else v


def _literal_cells(ws: Any) -> None:
    """Every text cell of an Excel sheet stored as text, never as a formula."""
    for row in ws.iter_rows():
        for c in row:
            if is_formula_like(c.value):
                c.value = safe_cell(c.value)
                c.data_type = "s"


def condition_dict(c: dict[str, Any]) -> dict[str, Any]:
    """One condition as JSON shows it; ``met`` is decided per profile (None: not judged)."""
    return {"text": c.get("text", ""), "met": c.get("met"), "quote": c.get("quote", ""), "kind": c.get("kind", "")}


def entitlement_dict(m: Measure) -> dict[str, Any]:
    """What a measure gives and how to get it, as stated (absent stays empty / None)."""
    return {
        "amounts": [
            {"text": a["text"], "kind": a["kind"], "value": a["value"], "unit": a["unit"], "quote": a["quote"]}
            for a in m.amounts
        ],
        "window": dict(m.window) or None,
        "valid_until": m.valid_until,
        "materials": list(m.materials),
        "how_to_apply": dict(m.how_to_apply) or None,
        "contact": dict(m.contact) or None,
    }


def measure_dict(m: Measure, *, with_inferred: bool = False) -> dict[str, Any]:
    """The public fields of a measure (``kb list`` and each match result): where it comes
    from, what it says, its offices and tags, its stated conditions (``met`` None until a
    profile is judged) and its entitlements."""
    d: dict[str, Any] = {
        "measure_id": m.measure_id,
        "district": m.district,
        "level": m.level,
        "document": m.document,
        "issued": m.issued,
        "clause": m.clause,
        "title": m.title,
        "text": m.text,
        "offices": m.offices,
        "offices_canonical": m.offices_canonical,
        "office_source": m.office_source,
        "offices_lead": m.offices_lead,
        "offices_support": m.offices_support,
        "categories": m.categories,
        "audiences": m.audiences,
        "industries": m.industries,
        "areas": m.areas,
        "star": m.star,
        "internal": m.internal,
        "role": m.role or ("internal" if m.internal else "service"),
        "audience": dict(m.audience),
        "sentences": m.sentences,
        "conditions": [condition_dict(c) for c in m.conditions],
        **entitlement_dict(m),
    }
    if with_inferred:
        d["offices_inferred"] = m.offices_inferred
    return d


def result_dict(r: Result) -> dict[str, Any]:
    d = {"rank": r.rank, **measure_dict(r.measure)}
    d.pop("sentences")
    d.update(
        {
            "matched_sentences": r.matched_sentences,
            "matched_terms": r.matched_terms,
            "score": r.score,
            "status": r.status,
            "missing": r.missing,
            "reasons": [x.text for x in r.reasons],
        }
    )
    d.update(result_fields(r))
    return d


def result_fields(r: Result) -> dict[str, Any]:
    """The decision fields of one result in ``match --format json`` (issue 10): its tier,
    its conditions as judged for the profile, the questions to ask, and the measure's
    entitlements (:func:`entitlement_dict`, as ``kb list`` shows them)."""
    return {
        "tier": r.tier,
        # judged conditions, then the programme's stated requirements (shown, never judged)
        "conditions": [condition_dict(c) for c in r.conditions]
        + [condition_dict(c) for c in r.measure.conditions if c.get("kind") == "requirement"],
        "questions": list(r.questions),
        "level": r.measure.level,
        **entitlement_dict(r.measure),
        "expired": r.expired,
    }


def response_dict(resp: MatchResponse) -> dict[str, Any]:
    """``policydesk match --format json``: one object, applies first then near."""
    out = {
        "profile": resp.profile,
        "kb": resp.kb,
        "as_of": resp.as_of,
        "tiers": resp.tiers,
        "results": [result_dict(r) for r in resp.results],
    }
    if resp.notes:
        out["notes"] = resp.notes
    from matcher.matching.questions import question_groups_dict

    asked = question_groups_dict(resp.results)
    if asked:  # 待确认 grouped: one question each, the listed measures it unlocks
        out["questions"] = asked
    from matcher.matching.general import general_groups_dict

    sections = general_groups_dict(resp.results)
    if sections:  # 普惠服务 grouped: one line per section of a document
        out["general_groups"] = sections
    return out


def _header(resp: MatchResponse) -> dict[str, Any]:
    return {
        "exported": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "kb_version": resp.kb.get("version", ""),
        "kb_documents": resp.kb.get("documents"),
        "kb_measures": resp.kb.get("measures"),
    }


def _library_text(h: dict[str, Any]) -> str:
    """What the answer was read from, in words (the version hash stays in the JSON, for support)."""
    if h["kb_documents"] is None:
        return "政策库:本机知识库"
    return f"政策库:文件 {h['kb_documents']} 份,措施 {h['kb_measures']} 条"


def export_json(resp: MatchResponse, path: str | Path) -> Path:
    p = Path(path)
    # in the CLI table's order (targeted, general, near, unknown, expired); each keeps its rank
    data = {**_header(resp), **response_dict(resp.model_copy(update={"results": ordered_results(resp)}))}
    _write(p, lambda: p.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"))
    return p


ROW_HEADERS = [
    "序号",
    "分类",
    "还差条件/要问企业",
    "区",
    "文件",
    "发布日期",
    "条款",
    "标题",
    "负责部门",
    "部门来源",
    "类别",
    "金额",
    "申报时间",
    "截止日期",
    "有效期至",
    "是否过期",
    "申报材料",
    "如何申报",
    "联系方式",
    "原文",
    "匹配理由",
    "得分",
    "措施编号",
]
COLUMN_WIDTHS = [6, 10, 18, 8, 30, 11, 10, 20, 26, 9, 16, 18, 24, 11, 11, 8, 30, 30, 26, 60, 50, 6, 22]
#: the order of the CLI table's sections (matcher.cli.match): targeted first, then general, near, unknown
TIER_ORDER = ("targeted", "general", "near", "unknown", "expired")


def _tier_label(r: Result) -> str:
    from matcher.matching.tiers import TIER_LABELS

    return TIER_LABELS.get(r.tier, r.tier)


def _amount_text(m: Measure) -> str:
    """The headline sum (the largest stated), then the others; "" when none is stated."""
    if not m.amounts:
        return ""
    best = max(m.amounts, key=lambda a: wan if (wan := a.get("wan")) is not None else -1)
    rest = [a["text"] for a in m.amounts if a["text"] != best["text"]]
    return "\n".join(dict.fromkeys([best["text"], *rest]))


def _window_text(m: Measure) -> str:
    w = m.window or {}
    span = " 至 ".join(x for x in (w.get("start"), w.get("end")) if x)
    text = (w.get("text") or "").strip()
    return text + (f"({span})" if span and span not in text else "") if text else span


def how_to_apply_lines(m: Measure) -> list[str]:
    """The measure's stated way to apply, one line each (一网通办 item, who applies where,
    receiving office, address, e-mail); [] when the document states none. Shared by the
    exports and the window's application block."""
    how = m.how_to_apply or {}
    lines = []
    if how.get("online"):
        lines.append("网上办理:" + "、".join(how["online"]))
    lines += [f"{p.get('who', '')}:向{p.get('office', '')}申报" for p in how.get("by_applicant") or []]
    if how.get("offices"):
        lines.append("受理部门:" + "、".join(how["offices"]))
    if how.get("address"):
        lines.append("地点:" + "、".join(how["address"]))
    if how.get("email"):
        lines.append("材料发送至:" + "、".join(how["email"]))
    return lines


def contact_lines(m: Measure, skip_email: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The stated contacts, one line each (people, office phones, other phones, e-mail not in
    ``skip_email``); [] when none."""
    c = m.contact or {}
    lines = []
    if c.get("people"):
        lines.append("联系人:" + "、".join(c["people"]))
    lines += [f"{p.get('office', '')}:{p.get('phone', '')}" for p in c.get("offices") or []]
    paired = {p.get("phone") for p in c.get("offices") or []}
    phones = [x for x in c.get("phones") or [] if x not in paired]
    if phones:
        lines.append("电话:" + "、".join(phones))
    mails = [e for e in c.get("email") or [] if e not in skip_email]
    if mails:
        lines.append("邮箱:" + "、".join(mails))
    return lines


def _how_text(m: Measure) -> str:
    return "\n".join(how_to_apply_lines(m))


def _contact_text(m: Measure) -> str:
    return "\n".join(contact_lines(m))


def ordered_results(resp: MatchResponse) -> list[Result]:
    """The results as the CLI table lists them: by tier (targeted, general, near, unknown,
    expired), each tier in the answer's order."""
    rank = {t: i for i, t in enumerate(TIER_ORDER)}
    return sorted(resp.results, key=lambda r: rank.get(r.tier, len(rank)))  # stable


def _rows(resp: MatchResponse) -> list[list[Any]]:
    rows = []
    seen: dict[str, int] = {}
    for r in ordered_results(resp):
        m = r.measure
        seen[r.tier] = seen.get(r.tier, 0) + 1
        todo = list(dict.fromkeys([*r.missing, *r.questions]))
        rows.append(
            [
                seen[r.tier],
                _tier_label(r),
                ";".join(todo),
                m.district,
                m.document,
                m.issued or "",
                m.clause,
                m.title,
                "、".join(m.offices),
                SOURCE_LABEL.get(m.office_source, m.office_source),
                "、".join(m.categories),
                _amount_text(m),
                _window_text(m),
                (m.window or {}).get("end") or "",
                m.valid_until or "",
                "已过期" if r.expired else "",
                "\n".join(m.materials),
                _how_text(m),
                _contact_text(m),
                m.text,
                "\n".join(x.text for x in r.reasons),
                r.score,
                m.measure_id,
            ]
        )
    return rows


def _profile_lines(resp: MatchResponse) -> list[tuple[str, str]]:
    p = resp.profile

    def j(v: Any) -> str:
        return "、".join(v) if isinstance(v, list) else ("" if v is None else str(v))

    from matcher.rules.form import field_label  # the labels of resources/profile.toml, as the window shows them

    values = {"industry": p.get("industry_label") or p.get("industry")}
    return [
        (field_label(k), j(values.get(k, p.get(k))))
        for k in ("district", "industry", "size", "size_decided_by", "zjtx", "flags", "needs", "area", "keywords")
    ]


def export_csv(resp: MatchResponse, path: str | Path) -> Path:
    p = Path(path)
    h = _header(resp)

    def write() -> None:
        with open(p, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens it right
            w = csv.writer(fh)
            w.writerow(
                ["惠企政策直通车 匹配结果", f"判断日期 {resp.as_of}", f"导出时间 {h['exported']}", _library_text(h)]
            )
            for k, v in _profile_lines(resp):
                w.writerow([k, safe_cell(v)])
            w.writerow([])
            w.writerow(ROW_HEADERS)
            w.writerows([safe_cell(c) for c in row] for row in _rows(resp))

    _write(p, write)
    return p


def export_xlsx(resp: MatchResponse, path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    p = Path(path)
    h = _header(resp)
    wb = Workbook()
    ws = wb.active
    ws.title = "匹配结果"
    ws.append(["惠企政策直通车 匹配结果"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"判断日期:{resp.as_of}(是否有效、截止均按此日期判断)", f"导出时间:{h['exported']}", _library_text(h)])
    start = ws.max_row + 2
    ws.append([])
    ws.append(ROW_HEADERS)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    header_row = ws.max_row
    for row in _rows(resp):
        ws.append(row)
    from openpyxl.utils import get_column_letter

    for i, wdt in enumerate(COLUMN_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = wdt
    for row in ws.iter_rows(min_row=header_row + 1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    del start
    prof = wb.create_sheet("企业档案")
    for k, v in _profile_lines(resp):
        prof.append([k, v])
    prof.column_dimensions["A"].width = 12
    prof.column_dimensions["B"].width = 60
    if resp.notes:
        prof.append([])
        for n in resp.notes:
            prof.append(["提示", n])
    for sheet in wb.worksheets:
        _literal_cells(sheet)
    _write(p, lambda: wb.save(p))
    return p


def export(resp: MatchResponse, path: str | Path) -> Path:
    """Export by file extension: .json, .csv or .xlsx."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".json":
        return export_json(resp, p)
    if ext == ".csv":
        return export_csv(resp, p)
    if ext == ".xlsx":
        return export_xlsx(resp, p)
    raise BadInput(f"无法导出为“{p.name}”:支持的格式是 .json、.csv、.xlsx(PDF 讲义请在窗口中导出)")


def _write(p: Path, fn) -> None:
    """Run ``fn`` (which writes ``p``) on a file readable by the user only (0600, as every
    other record of a client); a folder that does not exist is refused, never made."""
    if not p.parent.is_dir():
        raise BadInput(f"无法写入 {p}:文件夹 {p.parent} 不存在。请先建立它,或换一个位置。")
    try:
        private(p)
        fn()
    except PermissionError:
        raise BadInput(f"无法写入 {p}:没有权限,或文件正被其他程序(如 Excel)打开。") from None
    except OSError as e:
        raise BadInput(f"无法写入 {p}:{os_reason(e)}") from None


def private(p: Path) -> None:
    """Make ``p`` (created empty if missing) readable and writable by its owner only, before
    anything is written into it: the export holds a client's profile and answer."""
    import os

    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    try:
        os.chmod(p, 0o600)
    except OSError:
        pass  # e.g. a file system without POSIX modes
