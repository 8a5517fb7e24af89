"""The ``policydesk`` command line (also ``python -m matcher``).

Exit codes: 0 done, 2 bad input, 3 knowledge-base problem, 1 unexpected error, 130
interrupted. Messages go to stderr, results to stdout; no traceback reaches the user
unless ``POLICYDESK_DEBUG=1``.

Adding a command: write ``def add_<name>_command(sub)`` that calls
``sub.add_parser(...)`` and ``set_defaults(run=<function(args) -> int>)``, and list it
in :data:`COMMANDS`. Helpers for commands (:mod:`matcher.cli.common`): :func:`open_engine`, :func:`emit_json`,
:func:`print_table`, :func:`measure_to_dict`, :func:`check_district`,
:func:`add_format_option`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import sys
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from matcher import __version__
from matcher.cli.common import (  # fit, text_width: re-exported
    _chinese,
    _missing_subcommand,
    _progress,
    add_format_option,
    clip,
    emit_json,
    open_engine,
    print_table,
)
from matcher.cli.data import CleanStream, add_data_command, add_kb_remove
from matcher.cli.handout import add_handout_command
from matcher.cli.match import add_match_command, add_search_command
from matcher.cli.packs import add_pack_command
from matcher.engine import Engine
from matcher.errors import BadInput, PolicyDeskError
from matcher.models import Document, Measure
from matcher.presentation import measure_dict, repair_label

# ---------------------------------------------------------------- helpers for commands


def check_district(value: str | None, option: str = "--district", *, city: bool = False) -> str | None:
    """The full district name for ``value`` (``虹口`` → ``虹口区``, ``虹口區``, ``闸北区`` →
    ``静安区`` …) by the engine's one resolver, or BadInput; ``city=True`` where a document's
    district is asked (上海市 / 全市 / 市级 name the city level)."""
    return Engine.district(value, option=option, city=city)


def check_issued(value: str | None, option: str = "--issued") -> str | None:
    """Validate a YYYY-MM-DD (or YYYY) issue date."""
    if value is None:
        return None
    v = unicodedata.normalize("NFKC", value).strip()
    if re.fullmatch(r"\d{4}", v) and 1949 <= int(v) <= 2100:
        return v
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        try:
            _dt.date.fromisoformat(v)
            return v
        except ValueError:
            pass
    raise BadInput(f"{option} 的值“{value}”不是有效日期:请写成 YYYY-MM-DD,例如 2023-03-13。")


def check_ingest_district(value: str | None) -> str | None:
    """Like :func:`check_district`, and 上海市 / 全市 / 市级 for a city-level (市级) document."""
    return check_district(value, city=True)


def measure_to_dict(m: Measure, doc: Document | None = None) -> dict[str, Any]:
    """The measure fields of the CLI contract (``kb list``): the fields of a match result
    (:func:`matcher.presentation.measure_dict`, one definition) and ``offices_inferred``; with
    ``doc``, also its document's 文号, issuing body and validity."""
    d = measure_dict(m, with_inferred=True)
    if doc is not None:
        d.update(doc_number=doc.doc_number, issuer=doc.issuer, valid_until=m.valid_until or doc.valid_until)
    return d


# ---------------------------------------------------------------- kb


def _run_kb_stats(args: argparse.Namespace) -> int:
    with open_engine(args) as engine:
        stats = engine.stats()
        if args.format == "json":
            emit_json(stats)
            return 0
        print(f"知识库 {engine.version}:{len(stats['documents'])} 份文件,{stats['measures']} 条措施")
        rows = []
        for d in stats["documents"]:
            repairs = ",".join(f"{repair_label(k)} {v}" for k, v in d["repairs"].items() if v) or "—"
            rows.append(
                [
                    d["id"],
                    d["district"],
                    d.get("level") or "—",
                    d["issued"] or "—",
                    d["measures"],
                    d["internal"],
                    d["stated_offices"],
                    repairs,
                    len(d["unrepaired"]),
                    len(d.get("skipped") or []),
                    d["title"],
                ]
            )
        print_table(
            ["编号", "区", "层级", "发布日期", "措施", "内部", "写明部门", "已修复", "未修复", "未作措施", "文件"], rows
        )
        for d in stats["documents"]:
            for n in d.get("numbering") or []:
                print(f"{d['id']} 编号提示:{n}")
            if d["unrepaired"]:
                print(f"\n{d['id']} 未能修复的地方:")
                for s in d["unrepaired"]:
                    print(f"  第 {s['line']} 行:{s['snippet']}({s['why']})")
    return 0


def _run_kb_list(args: argparse.Namespace) -> int:
    district = check_ingest_district(args.district)  # 上海市 lists the city-level measures
    with open_engine(args) as engine:
        ms = engine.measures(include_internal=True, include_hidden=args.all)
        if district:
            ms = [m for m in ms if m.district == district]
        if args.format == "json":
            rows = []
            docs = {d.doc_id: d for d in engine.documents()}
            for m in ms:
                d = measure_to_dict(m, docs.get(m.doc_id))
                d["source"] = m.source
                d["hidden"] = engine.is_hidden(m.measure_id)
                rows.append(d)
            emit_json({"measures": rows})
            return 0
        table: list[list[str]] = []
        for m in ms:
            flags = (
                ("★" if m.star else "")
                + ("内部" if m.internal else "")
                + ("隐藏" if engine.is_hidden(m.measure_id) else "")
            )
            offices = "、".join(m.offices) + ("(推断)" if m.office_source == "inferred" else "")
            table.append([m.measure_id, m.district, m.clause, flags, m.title, offices or "—", m.text])
        print_table(["编号", "区", "条款", "标记", "标题", "负责部门", "内容"], table)
        print(f"共 {len(table)} 条措施")
    return 0


def add_kb_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kb", help="查看知识库", description="查看知识库里的文件和措施。")
    _chinese(p)
    kbsub = p.add_subparsers(dest="kb_command", metavar="{stats,list,remove}", title="子命令")
    s = kbsub.add_parser("stats", help="各文件的措施数量、修复情况", description="各文件的措施数量、修复情况。")
    _chinese(s)
    add_format_option(s)
    s.set_defaults(run=_run_kb_stats)
    ls = kbsub.add_parser("list", help="列出措施", description="列出知识库中的措施(含内部工作措施,带 internal 标记)。")
    _chinese(ls)
    add_format_option(ls)
    ls.add_argument("--district", help="只列出这个区的措施,如 虹口区;上海市 列出市级措施")
    ls.add_argument("--all", action="store_true", help="也列出被用户隐藏的措施")
    ls.set_defaults(run=_run_kb_list)
    add_kb_remove(kbsub)
    p.set_defaults(run=lambda args: _missing_subcommand(p))


# ---------------------------------------------------------------- ingest


def _run_ingest(args: argparse.Namespace) -> int:
    district = check_ingest_district(args.district)
    issued = check_issued(args.issued)
    title = args.title
    if title is not None and not title.strip():
        raise BadInput("--title 不能为空。")
    with open_engine(args) as engine:
        seen = len(engine.notices)
        docs = engine.ingest(
            args.files,
            district=district,
            title=title.strip() if title else None,
            issued=issued,
            progress=_progress,
            replace=args.replace,
        )
        for note in engine.notices[seen:]:
            print(f"提示:{note}", file=sys.stderr)
        report: list[dict[str, Any]] = []
        for f, d in zip(args.files, docs):
            report.append(
                {
                    "file": str(f),
                    "id": d.doc_id,
                    "district": d.district,
                    "title": d.title,
                    "issued": d.issued,
                    "measures": len(d.measures),
                    "internal": sum(1 for m in d.measures if m.internal),
                    "stated_offices": sum(1 for m in d.measures if m.office_source == "stated"),
                    "repairs": dict(d.repairs),
                    "unrepaired": [s.model_dump() for s in d.unrepaired],
                    **Engine.document_fields(d),
                }
            )
        if args.format == "json":
            emit_json({"documents": report, "kb": engine.counts()})
            return 0
        for r in report:
            repairs = ",".join(f"{repair_label(k)} {v} 处" for k, v in r["repairs"].items() if v) or "无"
            print(f"已导入 {r['file']}")
            print(f"  编号:{r['id']}  区:{r['district']}  发布日期:{r['issued'] or '未知'}")
            print(f"  标题:{r['title']}")
            print(
                f"  层级:{r['level']}  发布单位:{r['issuer'] or '未知'}  文号:{r['doc_number'] or '无'}"
                f"  有效期至:{r['valid_until'] or '未写明'}"
            )
            print(f"  措施:{r['measures']} 条(其中内部工作 {r['internal']} 条)  修复:{repairs}")
            if r["skipped"]:
                print(f"  未作为措施的编号条目 {len(r['skipped'])} 项:")
                for s in r["skipped"]:
                    print(f"    {s['label']} {s['snippet']}({s['why']})")
            for n in r["numbering"]:
                print(f"  编号提示:{n}")
            if r["unrepaired"]:
                print(f"  未能修复 {len(r['unrepaired'])} 处,请人工核对:")
                for s in r["unrepaired"]:
                    print(f"    第 {s['line']} 行:{s['snippet']}({s['why']})")
        c = engine.counts()
        print(f"知识库现有 {c['documents']} 份文件,{c['measures']} 条措施。")
    return 0


def add_ingest_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="导入政策文件(.txt .docx .pdf .html)",
        description="导入政策文件到知识库。所有文件一次导入:任何一个文件不能导入时,全部不导入。",
    )
    _chinese(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="政策文件(.txt .docx .pdf .html .htm)")
    p.add_argument("--district", help="文件所属的区(文件中看不出时必填),如 虹口区;市级文件写 上海市")
    p.add_argument("--title", help="文件标题(不填则从文件中识别)")
    p.add_argument("--issued", help="发布日期 YYYY-MM-DD(不填则从文件中识别)")
    p.add_argument(
        "--replace", action="store_true", help="文件已在知识库中(措施相同,无论格式和编码)时,用它替换已导入的那一份"
    )
    add_format_option(p)
    p.set_defaults(run=_run_ingest)


# ---------------------------------------------------------------- the parser

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_match_command,
    add_search_command,
    add_handout_command,
    add_kb_command,
    add_ingest_command,
    add_data_command,
    add_pack_command,
]


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法:" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are in Chinese and exit with code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        _chinese(self)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}:参数有误:{clip(_translate(message), 300)}\n")


_ARGPARSE_MSGS = [
    (r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", r"无效的选项值“\1”(可选:\2)"),
    (r"invalid int value: '?([^']*)'?", r"“\1”不是整数"),
    (r"invalid float value: '?([^']*)'?", r"“\1”不是数字"),
    (r"invalid (\w+) value: '?([^']*)'?", r"值“\2”无效"),
    (r"expected at least one argument", r"至少需要一个值"),
    (r"expected (\d+) arguments?", r"需要 \1 个值"),
    (r"ignored explicit argument '?([^']*)'?", r"不接受值“\1”"),
    (r"not allowed with argument (\S+)", r"不能与 \1 同时使用"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 不明确,可能是:\2"),
    (r"one of the arguments (.*) is required", r"需要以下参数之一:\1"),
    (r"the following arguments are required: (.*)", r"缺少必需的参数:\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数:\1"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"argument (\S+): ", r"参数 \1:"),
]


def _translate(message: str) -> str:
    for pat, rep in _ARGPARSE_MSGS:
        message = re.sub(pat, rep, message)
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="policydesk", formatter_class=_Formatter, description="惠企政策直通车:把区里的惠企政策措施匹配到企业。"
    )
    _chinese(parser)
    parser.add_argument("--version", action="version", version=f"policydesk {__version__}", help="显示版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", title="命令", parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    parser.set_defaults(run=lambda args: _missing_subcommand(parser))
    return parser


def _setup_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if not stream.isatty():
                stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
            else:
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _setup_streams()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanStream(sys.stdout), CleanStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (code 2)
        return int(e.code or 0)
    debug = os.environ.get("POLICYDESK_DEBUG") == "1"
    try:
        return int(args.run(args) or 0)
    except PolicyDeskError as e:
        if debug:
            traceback.print_exc()
        print(f"错误:{clip(str(e))}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``| head``): point stdout at devnull so the interpreter's
        # final flush does not print "Exception ignored … BrokenPipeError"
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except Exception as e:
        if debug:
            traceback.print_exc()
        print(
            f"出现意外错误({type(e).__name__}:{clip(str(e), 300)})。请重试;如果仍然出错,"
            f"请设置环境变量 POLICYDESK_DEBUG=1 重新运行,并把输出发给维护人员。",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
