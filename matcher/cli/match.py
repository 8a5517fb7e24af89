"""``policydesk match`` and ``policydesk search`` (see docs/ARCHITECTURE.md, the CLI contract)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from matcher.cli.common import add_format_option, clip, emit_json, fit, open_engine, print_table
from matcher.engine import Engine
from matcher.errors import BadInput
from matcher.models import CITY, JSONValue
from matcher.presentation import SIZE_GIVEN, TIER_LABELS, general_groups, question_groups, result_dict

if TYPE_CHECKING:
    from matcher.engine import Profile

PROFILE_OPTIONS = ("district", "industry", "size", "zjtx", "area", "keywords")


def profile_from_args(args: argparse.Namespace) -> Profile:
    """A profile from --profile FILE, with any option given on the command line on top."""
    data: dict = {}
    carried: list[str] = []
    if args.profile:
        base = Engine.read_profile(args.profile)
        carried = list(base.warnings)  # e.g. keywords capped: said once, from the file
        data = base.model_dump(exclude={"size_decided_by", "size_needs_data", "corrections"})
        if base.size_decided_by != SIZE_GIVEN:
            data.pop("size", None)
    for k in PROFILE_OPTIONS:
        v = getattr(args, k)
        if v is not None:
            data[k] = v
    if args.flag:
        data["flags"] = list(dict.fromkeys([*data.get("flags", []), *args.flag]))
    if args.need:
        data["needs"] = list(dict.fromkeys([*data.get("needs", []), *args.need]))
    for k in ("employees", "revenue", "assets", "founded", "tax", "rnd", "investment"):
        v = getattr(args, k)
        if v is not None:
            data[k] = v
    if not data.get("district"):
        raise BadInput("缺少所在区:请用 --district 指定(如 --district 虹口区),或用 --profile 给出企业档案 JSON 文件。")
    prof = Engine.profile(data)
    if carried:
        prof = prof.model_copy(update={"warnings": list(dict.fromkeys(carried + prof.warnings))})
    return prof


def _reasons_short(r) -> str:
    parts = [x.text for x in r.reasons if x.kind not in ("district", "general")]
    return ";".join(parts) or "面向本区各类企业"


def _amount_cell(r) -> str:
    a = r.measure.amounts
    if not a:
        return ""
    best = max(a, key=lambda x: x.get("wan") or -1)
    return best["text"] + (f" 等{len(a)}项" if len(a) > 1 else "")


def _deadline_cell(r) -> str:
    w = r.measure.window or {}
    if w.get("end"):
        return w["end"] + ("(已过期)" if r.expired else "")
    if w.get("text"):
        return w["text"][:16]
    return f"有效期至{r.measure.valid_until}" if r.measure.valid_until else ""


def _offices_cell(r) -> str:
    return "、".join(r.measure.offices) + ("(推断)" if r.measure.office_source == "inferred" else "")


def _run_match(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    as_of = Engine.parse_as_of(args.as_of)
    if args.since:
        from matcher.cli.packs import run_since

        return run_since(args, profile)
    if args.top is not None and args.top < 1:
        raise BadInput("--top 必须是正整数,例如 --top 20")
    with open_engine(args) as engine:
        resp = engine.match(profile, top=args.top, as_of=as_of, include_expired=args.include_expired, sort=args.sort)
        every = engine.overview(profile, as_of=as_of) if args.all else None
        # the table's header counts every measure of each tier, not only those within --top
        whole = engine.tier_counts(profile, as_of=as_of) if args.format != "json" else None
    if args.export:
        path = Engine.export(resp, args.export)
        print(f"已导出到 {path}", file=sys.stderr)
    if args.format == "json":
        out = Engine.response_dict(resp)
        out["sort"] = args.sort
        if every is not None:
            out["all"] = cast("JSONValue", every)
        emit_json(out)
        return 0
    p = resp.profile
    print(
        f"企业:{p['district']} · {p.get('industry_label') or p.get('industry') or '未填行业'} · "
        f"{p.get('size') or '规模未知'} · 专精特新:{p.get('zjtx')} · 标签:{'、'.join(p.get('flags') or []) or '无'}"
        f" · 需求:{'、'.join(p.get('needs') or []) or '无'}"
    )
    if p.get("size_decided_by") and p.get("size_decided_by") != "直接填写":
        print(f"规模判定:{p['size_decided_by']}")
    for n in resp.notes:
        print(f"提示:{n}")
    by = {t: [r for r in resp.results if r.tier == t] for t in TIER_LABELS}
    assert whole is not None
    total = {t: whole.get(t, 0) for t in TIER_LABELS}
    if not args.include_expired:
        total["expired"] = 0  # counted in the header's note, not listed
    t = whole
    print(
        f"判断日期 {resp.as_of}(可用 --as-of 改);知识库 {resp.kb.get('documents')} 份文件,"
        f"{resp.kb.get('measures')} 条措施"
    )
    print(
        f"为本企业 {total['targeted']} 条 · 普惠服务 {total['general']} 条 · 差一个条件 {total['near']} 条"
        f" · 待确认 {total['unknown']} 条"
        + (
            f"(另有已过期 {t.get('expired', 0)} 条、不符合条件 {t.get('fails', 0)} 条未列出,见 --all)"
            if t.get("expired") or t.get("fails")
            else ""
        )
    )
    shown = sum(len(v) for v in by.values())
    if shown < sum(total.values()):
        print(f"下面列出其中按相关度排前的 {shown} 条(用 --top 列出更多)")
    if by["targeted"]:
        print(f"\n【{TIER_LABELS['targeted']}】")
        rows = [
            [
                i,
                r.measure.district + " " + (r.measure.issued or "")[:4],
                r.measure.clause,
                ("★" if r.measure.star else "") + r.measure.title,
                _amount_cell(r),
                _deadline_cell(r),
                _offices_cell(r),
                _reasons_short(r),
            ]
            for i, r in enumerate(by["targeted"], 1)
        ]
        print_table(["#", "文件", "条款", "标题", "金额", "截止", "负责部门", "理由"], rows)
    if by["general"]:
        sections = general_groups(by["general"])
        print(
            f"\n【{TIER_LABELS['general']}】本区各类企业都能享受的服务"
            + (f"(按文件章节归并为 {len(sections)} 行):" if len(sections) < len(by["general"]) else ":")
        )
        for i, g in enumerate(sections, 1):
            rs = g["results"]
            if len(rs) == 1:
                r = rs[0]
                print(f"  {i}. {r.measure.clause} {fit(r.measure.title, 40).rstrip()} — {_offices_cell(r)}")
                continue
            clauses = "、".join(r.measure.clause for r in rs[:4]) + ("…" if len(rs) > 4 else "")
            offices = "、".join(g["offices"][:3]) + ("等" if len(g["offices"]) > 3 else "")
            print(f"  {i}. {fit(g['heading'], 24).rstrip()}:{len(rs)} 项({clauses})— {offices or '(未写明部门)'}")
    if by["near"]:
        print(f"\n【{TIER_LABELS['near']}】再具备一个条件即可享受 {len(by['near'])} 条:")
        rows = [
            [i, r.measure.clause, r.measure.title, _offices_cell(r), ";".join(r.missing)]
            for i, r in enumerate(by["near"], 1)
        ]
        print_table(["#", "条款", "标题", "负责部门", "还差"], rows)
    if by["unknown"]:
        groups = question_groups(by["unknown"])
        print(f"\n【{TIER_LABELS['unknown']}】还需问清企业的情况:{len(groups)} 个问题,涉及 {len(by['unknown'])} 条措施")
        for i, g in enumerate(groups, 1):
            print(f"  {i}. {g['question']}(问清后可判断 {len(g['results'])} 条)")
            for r in g["results"]:
                amount = _amount_cell(r)
                print(
                    f"     - {r.measure.clause} {fit(r.measure.title, 36).rstrip()}"
                    + (f" · {amount}" if amount else "")
                )
    if by["expired"]:
        print(f"\n【{TIER_LABELS['expired']}】{len(by['expired'])} 条:")
        rows = [[i, r.measure.clause, r.measure.title, _deadline_cell(r)] for i, r in enumerate(by["expired"], 1)]
        print_table(["#", "条款", "标题", "截止/有效期"], rows)
    if every is not None:
        _print_all(every)
    return 0


STATUS_LABELS = {
    "applies": "适用",
    "near": "差条件",
    "unknown": "待确认",
    "fails": "不符合条件",
    "pending": "尚未生效",
    "expired": "已过期",
    "other": "不适用",
    "internal": "内部工作",
}


def _print_all(rows: Sequence[Mapping[str, Any]]) -> None:
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in STATUS_LABELS}
    print(
        f"\n所在区文件的全部措施 {len(rows)} 条:" + ",".join(f"{STATUS_LABELS[k]} {v}" for k, v in counts.items() if v)
    )
    doc = None
    table: list[list] = []
    for r in rows:
        if r["document"] != doc:
            if table:
                print_table(["条款", "标题", "状态", "排名", "说明", "负责部门"], table)
                table = []
            doc = r["document"]
            print(f"\n《{doc}》{r['issued'] or ''}")
        label = STATUS_LABELS[r["status"]]
        if r.get("tier") in ("targeted", "general"):
            label += "·为本企业" if r["tier"] == "targeted" else "·普惠"
        table.append([r["clause"], r["title"], label, r["rank"] or "", r["why"], "、".join(r["offices"])])
    if table:
        print_table(["条款", "标题", "状态", "排名", "说明", "负责部门"], table)


def _where(m) -> str:
    """The 区 column of the search table: a city-level (市级) measure is labelled so."""
    return f"{CITY}(市级)" if m.district == CITY or m.level == "市级" else m.district


def _run_search(args: argparse.Namespace) -> int:
    district = Engine.district(args.district, city=True)  # 上海市 / 全市 / 市级: the city-level measures
    text = " ".join(args.text).strip()
    if not text:
        raise BadInput("请给出要搜索的文字,例如:policydesk search 一网通办")
    as_of = Engine.parse_as_of(args.as_of)
    profile = Engine.read_profile(args.profile) if args.profile else None
    with open_engine(args) as engine:
        results = engine.search(text, district=district, top=args.top or 20, profile=profile, as_of=as_of)
        kb_info = engine.kb_info()
    if args.format == "json":
        emit_json(
            {
                "query": text,
                "district": district,
                "as_of": as_of.isoformat(),
                "kb": kb_info,
                "results": [result_dict(r) for r in results],
            }
        )
        return 0
    if not results:
        print(f"没有找到包含“{clip(text, 60)}”的措施(已尝试同义词和近似写法)。")
        return 0
    rows = [
        [
            r.rank,
            _where(r.measure),
            r.measure.clause,
            ("★" if r.measure.star else "") + r.measure.title,
            "、".join(r.measure.offices) + ("(推断)" if r.measure.office_source == "inferred" else ""),
            _search_state(r),
            ("[内部] " if r.measure.internal else "")
            + (r.matched_sentences[0] if r.matched_sentences else r.measure.text),
        ]
        for r in results
    ]
    print(f"判断日期 {as_of.isoformat()}(可用 --as-of 改)" + ("" if profile else ";加 --profile 可按企业判断是否适用"))
    print_table(["#", "区", "条款", "标题", "负责部门", "状态", "原文"], rows)
    return 0


SEARCH_STATES = {**TIER_LABELS, "other": "不适用本企业", "": ""}


def _search_state(r) -> str:
    """The 状态 of a search row: the tier on the 判断日期 (已过期 whatever the company)."""
    return SEARCH_STATES.get(r.tier, r.tier)


def add_match_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "match",
        help="为企业匹配适用的措施",
        description="为企业匹配适用的措施:先列出适用的,再列出再具备一个条件即可享受的。",
    )
    p.add_argument("--profile", metavar="FILE.json", help="企业档案 JSON 文件")
    p.add_argument("--district", help="所在区,如 虹口区(可写简称 虹口)")
    p.add_argument("--industry", help="行业(国民经济行业门类,或重点产业如 集成电路)")
    p.add_argument("--size", help="规模:大型 中型 小型 微型")
    p.add_argument("--employees", type=int, help="从业人员(人),用于计算规模")
    p.add_argument("--revenue", type=float, help="营业收入(万元),用于计算规模")
    p.add_argument("--assets", type=float, help="资产总额(万元),用于计算规模")
    p.add_argument("--founded", help="成立年份,如 2019")
    p.add_argument("--tax", help="上年度纳税额(万元)")
    p.add_argument("--rnd", help="上年度研发投入(万元)")
    p.add_argument("--investment", help="计划申报项目的投资额(万元)")
    p.add_argument("--zjtx", help="专精特新:无 创新型中小企业 专精特新中小企业 专精特新“小巨人”")
    p.add_argument("--flag", action="append", default=[], help="企业标签,可多次给出,如 --flag 高新技术企业")
    p.add_argument("--need", action="append", default=[], help="需求,可多次给出,如 --need 融资")
    p.add_argument("--area", help="街道、镇或园区,如 北外滩")
    p.add_argument("--keywords", help="关键词,空格分开")
    p.add_argument("--top", type=int, default=30, help="最多列出的适用措施条数(默认 30)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="按这一天判断是否过期(默认今天)")
    p.add_argument(
        "--sort",
        choices=("relevance", "amount", "deadline"),
        default="relevance",
        help="排序:relevance(相关度,默认)、amount(金额从高到低)、deadline(申报截止日,无则文件有效期,从近到远);"
        "按整个档次排序后再取前 --top 条",
    )
    p.add_argument("--include-expired", action="store_true", help="也列出已过期的措施")
    p.add_argument("--export", metavar="FILE", help="同时导出到文件(.json .csv .xlsx)")
    p.add_argument(
        "--all",
        action="store_true",
        help="另列出所在区文件的全部措施及其对本企业的状态(适用、还差条件、不适用、内部工作)",
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="列出自这一天以来本企业的变化:新增适用、有变化(金额、期限、部门)、已过期、不再适用",
    )
    add_format_option(p)
    p.set_defaults(run=_run_match)


def add_search_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="在全部措施中搜索", description="在全部措施中模糊搜索(标题和原文)。")
    p.add_argument("text", nargs="+", help="要搜索的文字")
    p.add_argument("--district", help="只搜索这个区的措施(含市级措施);写 上海市(或 全市、市级)只搜索市级措施")
    p.add_argument("--top", type=int, default=20, help="最多列出的条数(默认 20)")
    p.add_argument(
        "--profile", metavar="FILE.json", help="企业档案 JSON 文件:按这家企业判断每条是否适用(与 match 相同)"
    )
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="判断日期:按这一天判断是否过期(默认今天)")
    add_format_option(p)
    p.set_defaults(run=_run_search)
