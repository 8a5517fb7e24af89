"""``policydesk match`` and ``policydesk search`` (see DESIGN.md, the CLI contract)."""

from __future__ import annotations

import argparse
import sys

from .cli import add_format_option, emit_json, fit, open_kb, print_table
from .errors import BadInput
from .export import export, response_dict, result_dict
from .match import matcher_for
from .profile import Profile

PROFILE_OPTIONS = ("district", "industry", "size", "zjtx", "area", "keywords")


def profile_from_args(args: argparse.Namespace) -> Profile:
    """A profile from --profile FILE, with any option given on the command line on top."""
    data: dict = {}
    carried: list[str] = []
    if args.profile:
        base = Profile.from_json(args.profile)
        carried = list(base.warnings)     # e.g. keywords capped: said once, from the file
        data = base.model_dump(exclude={"size_decided_by", "size_needs_data", "corrections"})
        if base.size_decided_by != "直接填写":
            data.pop("size", None)
    for k in PROFILE_OPTIONS:
        v = getattr(args, k)
        if v is not None:
            data[k] = v
    if args.flag:
        data["flags"] = list(dict.fromkeys([*data.get("flags", []), *args.flag]))
    if args.need:
        data["needs"] = list(dict.fromkeys([*data.get("needs", []), *args.need]))
    for k in ("employees", "revenue", "assets"):
        v = getattr(args, k)
        if v is not None:
            data[k] = v
    if not data.get("district"):
        raise BadInput("缺少所在区:请用 --district 指定(如 --district 虹口区),或用 --profile 给出企业档案 JSON 文件。")
    prof = Profile.from_dict(data)
    if carried:
        prof = prof.model_copy(update={"warnings": list(dict.fromkeys(carried + prof.warnings))})
    return prof


def _reasons_short(r) -> str:
    parts = [x.text for x in r.reasons if x.kind not in ("district", "general")]
    return ";".join(parts) or "面向本区各类企业"


def _run_match(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    if args.top is not None and args.top < 1:
        raise BadInput("--top 必须是正整数,例如 --top 20")
    with open_kb(args) as kb:
        m = matcher_for(kb)
        resp = m.match(profile, top=args.top)
        every = m.overview(profile) if args.all else None
        if every is not None:
            for row in every:
                ms = m.measure(row["measure_id"])
                row.update(clause=ms.clause, title=ms.title, document=ms.document,
                           issued=ms.issued, offices=list(ms.offices),
                           office_source=ms.office_source)
    if args.export:
        path = export(resp, args.export)
        print(f"已导出到 {path}", file=sys.stderr)
    if args.format == "json":
        out = response_dict(resp)
        if every is not None:
            out["all"] = every
        emit_json(out)
        return 0
    p = resp.profile
    print(f"企业:{p['district']} · {p.get('industry_label') or p.get('industry') or '未填行业'} · "
          f"{p.get('size') or '规模未知'} · 专精特新:{p.get('zjtx')} · 标签:{'、'.join(p.get('flags') or []) or '无'}"
          f" · 需求:{'、'.join(p.get('needs') or []) or '无'}")
    if p.get("size_decided_by") and p.get("size_decided_by") != "直接填写":
        print(f"规模判定:{p['size_decided_by']}")
    for n in resp.notes:
        print(f"提示:{n}")
    applies = [r for r in resp.results if r.status == "applies"]
    near = [r for r in resp.results if r.status == "near"]
    print(f"适用措施 {len(applies)} 条(知识库 {resp.kb.get('documents')} 份文件,{resp.kb.get('measures')} 条措施)")
    if applies:
        rows = [[r.rank, r.measure.district + " " + (r.measure.issued or "")[:4], r.measure.clause,
                 ("★" if r.measure.star else "") + r.measure.title,
                 "、".join(r.measure.offices) + ("(推断)" if r.measure.office_source == "inferred" else ""),
                 _reasons_short(r)] for r in applies]
        print_table(["#", "文件", "条款", "标题", "负责部门", "理由"], rows)
    if near:
        print(f"\n再具备一个条件即可享受 {len(near)} 条:")
        rows = [[r.rank, r.measure.clause, r.measure.title, "、".join(r.measure.offices), ";".join(r.missing)]
                for r in near]
        print_table(["#", "条款", "标题", "负责部门", "还差"], rows)
    if every is not None:
        _print_all(every)
    return 0


STATUS_LABELS = {"applies": "适用", "near": "差条件", "other": "不适用", "internal": "内部工作"}


def _print_all(rows: list[dict]) -> None:
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in STATUS_LABELS}
    print(f"\n所在区文件的全部措施 {len(rows)} 条:" + ",".join(
        f"{STATUS_LABELS[k]} {v}" for k, v in counts.items() if v))
    doc = None
    table: list[list] = []
    for r in rows:
        if r["document"] != doc:
            if table:
                print_table(["条款", "标题", "状态", "排名", "说明", "负责部门"], table)
                table = []
            doc = r["document"]
            print(f"\n《{doc}》{r['issued'] or ''}")
        table.append([r["clause"], r["title"], STATUS_LABELS[r["status"]], r["rank"] or "",
                      r["why"], "、".join(r["offices"])])
    if table:
        print_table(["条款", "标题", "状态", "排名", "说明", "负责部门"], table)


def _run_search(args: argparse.Namespace) -> int:
    from .cli import check_district

    district = check_district(args.district)
    text = " ".join(args.text).strip()
    if not text:
        raise BadInput("请给出要搜索的文字,例如:policydesk search 一网通办")
    with open_kb(args) as kb:
        m = matcher_for(kb)
        results = m.search(text, district=district, top=args.top or 20)
    if args.format == "json":
        emit_json({"query": text, "district": district, "kb": m.kb_info,
                   "results": [result_dict(r) for r in results]})
        return 0
    if not results:
        print(f"没有找到包含“{text}”的措施(已尝试同义词和近似写法)。")
        return 0
    rows = [[r.rank, r.measure.district, r.measure.clause, ("★" if r.measure.star else "") + r.measure.title,
             "、".join(r.measure.offices) + ("(推断)" if r.measure.office_source == "inferred" else ""),
             ("[内部] " if r.measure.internal else "") + (r.matched_sentences[0] if r.matched_sentences else r.measure.text)]
            for r in results]
    print_table(["#", "区", "条款", "标题", "负责部门", "原文"], rows)
    return 0


def add_match_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("match", help="为企业匹配适用的措施",
                       description="为企业匹配适用的措施:先列出适用的,再列出再具备一个条件即可享受的。")
    p.add_argument("--profile", metavar="FILE.json", help="企业档案 JSON 文件")
    p.add_argument("--district", help="所在区,如 虹口区(可写简称 虹口)")
    p.add_argument("--industry", help="行业(国民经济行业门类,或重点产业如 集成电路)")
    p.add_argument("--size", help="规模:大型 中型 小型 微型")
    p.add_argument("--employees", type=int, help="从业人员(人),用于计算规模")
    p.add_argument("--revenue", type=float, help="营业收入(万元),用于计算规模")
    p.add_argument("--assets", type=float, help="资产总额(万元),用于计算规模")
    p.add_argument("--zjtx", help="专精特新:无 创新型中小企业 专精特新中小企业 专精特新“小巨人”")
    p.add_argument("--flag", action="append", default=[], help="企业标签,可多次给出,如 --flag 高新技术企业")
    p.add_argument("--need", action="append", default=[], help="需求,可多次给出,如 --need 融资")
    p.add_argument("--area", help="街道、镇或园区,如 北外滩")
    p.add_argument("--keywords", help="关键词,空格分开")
    p.add_argument("--top", type=int, default=30, help="最多列出的适用措施条数(默认 30)")
    p.add_argument("--export", metavar="FILE", help="同时导出到文件(.json .csv .xlsx)")
    p.add_argument("--all", action="store_true",
                   help="另列出所在区文件的全部措施及其对本企业的状态(适用、还差条件、不适用、内部工作)")
    add_format_option(p)
    p.set_defaults(run=_run_match)


def add_search_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="在全部措施中搜索", description="在全部措施中模糊搜索(标题和原文)。")
    p.add_argument("text", nargs="+", help="要搜索的文字")
    p.add_argument("--district", help="只搜索这个区的措施")
    p.add_argument("--top", type=int, default=20, help="最多列出的条数(默认 20)")
    add_format_option(p)
    p.set_defaults(run=_run_search)


del fit
