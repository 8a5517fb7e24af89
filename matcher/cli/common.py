"""What every command of the ``policydesk`` command line shares: opening the engine,
printing JSON and tables, the Chinese argparse texts. Imported by :mod:`matcher.cli.main`,
:mod:`matcher.cli.match` and :mod:`matcher.cli.data`; imports none of them.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from matcher.engine import Engine


def clip(text: str, limit: int = 2000) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out: a message never
    echoes a 100,000-character argument whole."""
    return text if len(text) <= limit else f"{text[:limit]}…(共 {len(text):,} 个字符,只显示前 {limit} 个)"


def emit_json(obj: Any, out: TextIO | None = None) -> None:
    """Print ``obj`` as JSON (UTF-8 text, not \\u escapes)."""
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False, indent=2))
    out.write("\n")


def text_width(s: str) -> int:
    """Columns ``s`` takes in a terminal (CJK wide characters count 2)."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def fit(s: str, width: int) -> str:
    """``s`` on one line, shortened with … and padded to exactly ``width`` columns."""
    s = re.sub(r"\s+", " ", s or "").strip()
    if text_width(s) > width:
        out, w = [], 0
        for ch in s:
            cw = text_width(ch)
            if w + cw > width - 1:
                break
            out.append(ch)
            w += cw
        s = "".join(out) + "…"
    return s + " " * (width - text_width(s))


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    flex: int | None = None,
    max_width: int | None = None,
    out: TextIO | None = None,
) -> None:
    """Print an aligned table; column ``flex`` (default the last) takes the remaining width."""
    out = out or sys.stdout
    cells = [[("" if c is None else str(c)) for c in r] for r in rows]
    n = len(headers)
    flex = n - 1 if flex is None else flex
    total = max_width or shutil.get_terminal_size((120, 24)).columns
    widths = [max([text_width(headers[i])] + [text_width(re.sub(r"\s+", " ", r[i])) for r in cells]) for i in range(n)]
    for i in range(n):
        if i != flex:
            widths[i] = min(widths[i], 40)
    want_flex = widths[flex]
    others = [i for i in range(n) if i != flex]
    # narrow the widest other columns until the flexible one gets a fair share
    while others and sum(widths[i] for i in others) + 2 * (n - 1) + min(want_flex, 20) > total:
        widest = max(others, key=lambda i: widths[i])
        if widths[widest] <= 6:
            break
        widths[widest] -= 1
    rest = total - sum(widths[i] for i in others) - 2 * (n - 1)
    widths[flex] = max(10, min(want_flex, rest))
    line = "  ".join(fit(h, widths[i]) for i, h in enumerate(headers)).rstrip()
    out.write(line + "\n")
    out.write("  ".join("─" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(fit(c, widths[i]) for i, c in enumerate(r)).rstrip() + "\n")


def add_format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式:table(表格,默认)或 json")


def _progress(done: int, total: int, message: str) -> None:
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def open_engine(args: argparse.Namespace | None = None) -> Engine:
    """The engine on the app's knowledge base, telling the user (stderr) about any rebuild
    or repair at open."""
    engine = Engine.open(progress=_progress)
    for note in engine.notices:
        print(f"提示:{note}", file=sys.stderr)
    return engine


def _chinese(p: argparse.ArgumentParser) -> None:
    p._positionals.title = "参数"
    p._optionals.title = "选项"
    for a in p._actions:
        if isinstance(a, argparse._HelpAction):
            a.help = "显示帮助并退出"


def _missing_subcommand(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    print("\n请指定一个子命令。", file=sys.stderr)
    return 2
