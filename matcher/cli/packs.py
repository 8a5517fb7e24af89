"""``policydesk pack export|import`` and ``policydesk match --since`` (the engine's
:meth:`~matcher.engine.Engine.export_pack`, :meth:`~matcher.engine.Engine.import_pack` and
:meth:`~matcher.engine.Engine.changes_since`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from matcher.cli.common import (
    _chinese,
    _missing_subcommand,
    _progress,
    add_format_option,
    emit_json,
    open_engine,
    print_table,
)
from matcher.engine import Engine
from matcher.errors import BadInput
from matcher.models import JSONObject, JSONValue, KeyInfo
from matcher.presentation import CHANGE_LABELS, change_summary, describe_change

if TYPE_CHECKING:
    from matcher.engine import Plan, Profile
    from matcher.models import Document


def _run_export(args: argparse.Namespace) -> int:
    districts = [Engine.district(d, option="--district") for d in args.district or []]
    Engine.check_pack_export(args.out, args.sign)  # no key, a folder, a missing folder: said at once
    with open_engine(args) as engine:
        done = engine.export_pack(args.out, [d for d in districts if d], key=args.sign)
    docs = done["documents"]
    if args.format == "json":
        emit_json(
            {
                "pack": done["path"],
                "documents": len(docs),
                "corrections": done["corrections"],
                "office_directory": done["office_directory"],
                "districts": done["districts"],
                "signed_by": done["signed_by"],
            }
        )
        return 0
    print(
        f"已导出并签名(密钥 {done['signed_by']})政策包 {done['path']}:{len(docs)} 份文件、{done['corrections']} 条更正、"
        f"{done['office_directory']} 条部门通讯录(范围:{'、'.join(done['districts']) or '全部区'})。"
    )
    for d in docs:
        print(f"  {d['doc_id']}《{d['title']}》({d['district']},{d['measures']} 条措施)")
    return 0


def _plan_dict(plan: Plan) -> JSONObject:
    def doc(d: Document) -> JSONObject:
        return {"id": d.doc_id, "district": d.district, "title": d.title, "measures": plan.measures_of(d)}

    m = plan.pack.manifest
    signer = plan.pack.signer
    return {
        "pack": str(plan.pack.path),
        "signed_by": {"id": signer.key_id, "name": signer.name} if signer else None,
        "created": m.created,
        "producer": m.producer.model_dump(),
        "districts": list[JSONValue](m.districts),
        "adds": [doc(d) for d in plan.adds],
        "replaces": [doc(o) | {"new_measures": len(n.measures)} for n, o in plan.replaces],
        "removes": [doc(d) for d in plan.removes],
        "conflicts": [doc(o) for _n, o in plan.conflicts],
        "same": [doc(d) for d in plan.same],
        "corrections": len(plan.corrections),
        "office_directory": plan.office_entries,
        "notes": list[JSONValue](plan.notes),
    }


def _run_import(args: argparse.Namespace) -> int:
    with open_engine(args) as engine:
        seen = len(engine.notices)
        # applied: the index is rebuilt now, not at the next start
        plan = engine.import_pack(args.file, replace_own=args.replace_own, dry_run=args.dry_run, progress=_progress)
        for note in engine.notices[seen:]:
            print(f"提示:{note}", file=sys.stderr)
        counts = engine.counts()
        if args.format == "json":
            emit_json({"plan": _plan_dict(plan), "applied": not args.dry_run, "kb": counts})
            return 0
        for line in plan.lines(replace_own=args.replace_own):
            print(line)
        if args.dry_run:
            print("(仅预览,未做任何更改。去掉 --dry-run 即可导入。)")
        elif plan.changes_anything:
            print(f"已导入。知识库现有 {counts['documents']} 份文件,{counts['measures']} 条措施。")
    return 0


def add_pack_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pack",
        help="政策包:导出给各窗口,或导入维护人员的政策包",
        description="政策包(.pdpack):维护人员导出导入的文件、更正、隐藏的措施和部门通讯录,"
        "各窗口导入后即与维护人员一致。",
    )
    _chinese(p)
    psub = p.add_subparsers(dest="pack_command", metavar="{export,import,keygen,trust}", title="子命令")
    e = psub.add_parser(
        "export",
        help="导出政策包(用私钥签名)",
        description="把本机导入的文件、更正和部门通讯录导出为一个政策包,用维护人员的私钥签名。",
    )
    _chinese(e)
    e.add_argument("out", metavar="OUT.pdpack", help="要写入的政策包文件")
    e.add_argument("--sign", metavar="KEY", help="维护人员的私钥文件(policydesk pack keygen 生成;必需)")
    e.add_argument("--district", action="append", help="只导出这个区的(可多次给出;市级文件总会导出)")
    add_format_option(e)
    e.set_defaults(run=_run_export)
    i = psub.add_parser(
        "import",
        help="导入政策包",
        description="检查并导入政策包:列出新增、替换、删除的文件,一次性导入;"
        "损坏、不完整或更新版本的政策包会被拒绝,不做任何更改。",
    )
    _chinese(i)
    i.add_argument("file", metavar="FILE.pdpack", help="政策包文件")
    i.add_argument("--dry-run", action="store_true", help="只列出会做的更改,不导入")
    i.add_argument(
        "--replace-own", action="store_true", help="政策包中的文件与本机自行导入的文件冲突时,用政策包中的版本替换"
    )
    add_format_option(i)
    i.set_defaults(run=_run_import)
    k = psub.add_parser(
        "keygen",
        help="生成维护人员的签名密钥",
        description="生成一对签名密钥:KEY 是私钥(只留在维护人员的电脑上,用于 pack export --sign),"
        "KEY.pub 是公钥(交给各窗口,用 pack trust 添加)。",
    )
    _chinese(k)
    k.add_argument("key", metavar="KEY", help="要写入的私钥文件(公钥写入同名的 .pub 文件)")
    k.add_argument("--name", help="密钥名称,例如 静安区维护人员(默认:文件名)")
    k.set_defaults(run=_run_keygen)
    t = psub.add_parser(
        "trust",
        help="信任维护人员的公钥(列出、移除)",
        description="本机只导入由信任的密钥签名的政策包。添加维护人员提供的公钥文件(.pub),"
        "或用 --list 列出、--remove 移除信任的密钥。",
    )
    _chinese(t)
    t.add_argument("key", metavar="KEY.pub", nargs="?", help="维护人员提供的公钥文件(或其中的一行文字)")
    t.add_argument("--name", help="给这个密钥起的名称(默认:公钥中的名称)")
    t.add_argument("--list", action="store_true", help="列出信任的密钥")
    t.add_argument("--remove", metavar="ID", help="不再信任这个密钥(编号或名称,见 --list)")
    add_format_option(t)
    t.set_defaults(run=_run_trust)
    p.set_defaults(run=lambda args: _missing_subcommand(p))


def _named(key: KeyInfo) -> str:
    return f"{key['id']}({key['name']})" if key["name"] else key["id"]


def _run_keygen(args: argparse.Namespace) -> int:
    key = Engine.make_signing_key(args.key, args.name or "")
    print(f"已生成签名密钥 {_named(key)}:")
    print(
        f"  私钥 {key['private']}:只留在本机,导出时用 policydesk pack export OUT.pdpack --sign {key['private']};不要发给别人。"
    )
    print(f"  公钥 {key['public']}:交给各窗口,由各窗口运行 policydesk pack trust {key['public']} 添加。")
    return 0


def _run_trust(args: argparse.Namespace) -> int:
    if sum(bool(x) for x in (args.key, args.list, args.remove)) != 1:
        raise BadInput("请给出一个公钥文件(添加),或 --list(列出),或 --remove ID(移除)其中之一。")
    if args.key:
        key, added = Engine.trust_key(args.key, args.name)
        print(f"{'已信任' if added else '本机已信任'}密钥 {_named(key)}:由它签名的政策包可以导入。")
        return 0
    if args.remove:
        print(f"已不再信任密钥 {_named(Engine.untrust_key(args.remove))}。")
        return 0
    rows = Engine.trusted_keys()
    if args.format == "json":
        emit_json({"trusted_keys": [dict(r) for r in rows]})
        return 0
    if not rows:
        print("本机还没有信任任何密钥:政策包都不能导入。请用 policydesk pack trust KEY.pub 添加维护人员提供的公钥。")
        return 0
    print_table(["编号", "名称", "添加时间"], [[r["id"], r["name"] or "—", r["added_at"][:16]] for r in rows])
    return 0


# ---------------------------------------------------------------- match --since


def run_since(args: argparse.Namespace, profile: Profile) -> int:
    since = Engine.parse_since(args.since)
    as_of = Engine.parse_as_of(getattr(args, "as_of", None))  # the 判断日期: "now" of the comparison
    with open_engine(args) as engine:
        diff = engine.changes_since(profile, since, as_of=as_of)
    if args.format == "json":
        emit_json({"profile": profile.model_dump(mode="json"), **diff})
        return 0
    print(f"{profile.district} 企业自 {since[:10]} 以来的变化:{change_summary(diff)}")
    for key, label in CHANGE_LABELS.items():
        rows = cast("Mapping[str, Any]", diff)[key]
        if not rows:
            continue
        print(f"\n{label} {len(rows)} 条:")
        table = []
        for r in rows:
            note = (
                describe_change(r)
                if key == "changed"
                else (f"有效期至 {r['valid_until']}" if key == "expired" else r.get("why", ""))
            )
            table.append([r["measure_id"], r["clause"], r["title"], "、".join(r["offices"]) or "—", note])
        print_table(["编号", "条款", "标题", "负责部门", "说明"], table)
    return 0
