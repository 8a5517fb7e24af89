"""``policydesk kb remove`` and ``policydesk data clear``, and the cleaning of what the CLI
prints (control characters and terminal escape sequences never reach the terminal)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, TextIO

from matcher.cli.common import _chinese, open_engine
from matcher.engine import Engine
from matcher.errors import BadInput

# ---------------------------------------------------------------- output cleaning

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # controls, bidi overrides
)


def clean_output(s: str) -> str:
    """``s`` without terminal escape sequences, control characters (newline and tab kept)
    or bidirectional overrides, so text from a file or an argument cannot drive the terminal."""
    return _ESCAPES.sub("", s)


class CleanStream:
    """A text stream that cleans everything written through it (see :func:`clean_output`)."""

    def __init__(self, inner: TextIO):
        self._inner = inner

    def write(self, s: str) -> int:
        self._inner.write(clean_output(s))
        return len(s)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


# ---------------------------------------------------------------- kb remove


def _run_kb_remove(args: argparse.Namespace) -> int:
    with open_engine(args) as engine:
        # counted in SQL (before: every measure of the library read, 1.5 GB at 100,000)
        counts = {d: n for d, (n, _internal) in engine.document_counts().items()}
        seen = len(engine.notices)
        docs = engine.remove(args.docs)
        for note in engine.notices[seen:]:  # e.g. the history could not be written
            print(f"提示:{note}", file=sys.stderr)
        for d in docs:
            print(
                f"已删除 {d.doc_id}《{d.title}》({d.district},{counts.get(d.doc_id, 0)} 条措施),"
                f"连同保存的原文件和对这些措施的更正。"
            )
        c = engine.counts()
        print(f"知识库现有 {c['documents']} 份文件,{c['measures']} 条措施。")
    return 0


def add_kb_remove(kbsub: argparse._SubParsersAction) -> None:
    r = kbsub.add_parser(
        "remove",
        help="删除导入的文件",
        description="删除导入的文件(其措施、保存的原文件和更正)。"
        "内置政策文件不能删除。文件编号见 policydesk kb stats。",
    )
    _chinese(r)
    r.add_argument("docs", nargs="+", metavar="DOC", help="文件编号,如 changning-2024")
    r.set_defaults(run=_run_kb_remove)


# ---------------------------------------------------------------- data clear


def _run_data_clear(args: argparse.Namespace) -> int:
    every = not (args.profiles or args.sessions or args.imports)
    done = []
    if args.profiles or every:
        done.append(f"已存画像 {Engine.clear_profiles()} 份")
    if args.sessions or every:
        done.append(f"最近记录 {Engine.clear_sessions()} 条")
    if args.imports:
        with open_engine(args) as engine:
            n = sum(1 for d in engine.documents() if d.source == "user")
            if (
                n
                and not args.yes
                and not _confirmed(
                    f"将删除全部 {n} 份导入的政策文件(连同保存的原文件和对其措施的更正),不能撤销。确定吗?"
                )
            ):
                raise BadInput(
                    f"未删除导入的文件({n} 份)。删除全部导入的文件不能撤销:请在终端中确认,或加 --yes 表示已确认。"
                )
            done.append(f"导入的文件 {engine.clear_imports()} 份")
    print("已清除:" + ",".join(done) + "。")
    if every:
        print("导入的政策文件未删除(如需删除,请加 --imports)。")
    return 0


def _confirmed(question: str) -> bool:
    """Ask on the terminal (y/N); False when nobody can answer (no terminal)."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是", "确定")


def _run_data_missing(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    print("\n请指定一个子命令,如 policydesk data clear。", file=sys.stderr)
    return 2


def add_data_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "data", help="用户数据(已存画像、最近记录、导入的文件)", description="管理保存在本机数据文件夹中的用户数据。"
    )
    _chinese(p)
    dsub = p.add_subparsers(dest="data_command", metavar="{clear}", title="子命令")
    c = dsub.add_parser(
        "clear",
        help="清除客户记录和/或导入的文件",
        description="清除保存在本机的数据。不加选项时清除已存画像和最近记录(客户信息),导入的文件保留。",
    )
    _chinese(c)
    c.add_argument("--profiles", action="store_true", help="清除已存画像")
    c.add_argument("--sessions", action="store_true", help="清除最近记录")
    c.add_argument("--imports", action="store_true", help="删除全部导入的政策文件(内置文件不受影响;会先请您确认)")
    c.add_argument("--yes", action="store_true", help="已确认:删除导入的文件时不再询问(用于脚本)")
    c.set_defaults(run=_run_data_clear)
    p.set_defaults(run=lambda args: _run_data_missing(p))
