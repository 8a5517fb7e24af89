#!/usr/bin/env python
"""Write ``docs/CLI.md``, the command-line reference, from the argument parser itself
(:func:`matcher.cli.main.build_parser`): every command and subcommand, its usage, its
arguments with their values, defaults and help, and the exit codes (the ones
:mod:`matcher.cli.main` states, with the error classes of :mod:`matcher.errors` that give
each). ``tests/matcher/test_cli_reference.py`` fails when the file is not current.

    python scripts/cli_reference.py            # (re)write docs/CLI.md
    python scripts/cli_reference.py --check    # exit 1 if docs/CLI.md is not current
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "CLI.md"
WIDTH = 100  # usage lines are wrapped at this width, whatever the terminal

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _usage(parser: argparse.ArgumentParser) -> str:
    fmt = argparse.HelpFormatter(parser.prog, width=WIDTH)
    fmt.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return fmt.format_help().strip()


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "—"
    if action.choices is not None:
        shown = " \\| ".join(f"`{c}`" for c in action.choices)
    else:
        shown = f"`{action.metavar or action.dest.upper()}`"
    if action.nargs in ("+", "*"):
        shown += " …"
    if isinstance(action, argparse._AppendAction):
        shown += " (repeatable)"
    return shown


def _default(action: argparse.Action) -> str:
    d = action.default
    if d is None or d is False or d == [] or d == argparse.SUPPRESS:
        return ""
    return f"`{d}`"


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            continue
        name = ", ".join(f"`{o}`" for o in a.option_strings) or f"`{a.metavar or a.dest}`"
        if a.required and not a.option_strings:
            name += " (required)"
        rows.append(f"| {name} | {_value(a)} | {_default(a)} | {_cell(a.help or '')} |")
    if not rows:
        return []
    return ["| argument | value | default | help |", "| --- | --- | --- | --- |", *rows]


def _anchor(prog: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", prog.lower()).replace(" ", "-")


def _section(parser: argparse.ArgumentParser, level: int, out: list[str]) -> None:
    out += [f"{'#' * level} `{parser.prog}`", ""]
    if parser.description:
        out += [parser.description, ""]
    out += ["```", _usage(parser), "```", ""]
    args = _arguments(parser)
    if args:
        out += [*args, ""]
    sub = _subcommands(parser)
    if sub is None:
        return
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    out += ["| command | what it does |", "| --- | --- |"]
    for name, child in sub.choices.items():
        out.append(f"| [`{child.prog}`](#{_anchor(child.prog)}) | {_cell(helps.get(name, ''))} |")
    out.append("")
    for child in sub.choices.values():
        _section(child, min(level + 1, 5), out)


def _exit_codes() -> list[str]:
    """The codes :mod:`matcher.cli.main` documents ("Exit codes: 0 done, 2 bad input, …"),
    with the error classes that give each (``exit_code`` in :mod:`matcher.errors`)."""
    import matcher.cli.main as cli_main
    from matcher import errors

    said = re.search(r"Exit codes:\s*(.+?)\.", " ".join((cli_main.__doc__ or "").split()))
    if said is None:
        raise SystemExit("matcher/cli/main.py's docstring no longer states its exit codes (“Exit codes: …”)")
    codes = [(int(m.group(1)), m.group(2).strip()) for m in re.finditer(r"(\d+)\s+([^,]+)", said.group(1))]
    by_code: dict[int, list[str]] = {}
    seen: list[type] = [errors.PolicyDeskError]
    while seen:
        cls = seen.pop(0)
        by_code.setdefault(cls.exit_code, []).append(f"`{cls.__name__}`")
        seen += sorted(cls.__subclasses__(), key=lambda c: c.__name__)
    rows = ["| code | meaning | raised as |", "| --- | --- | --- |"]
    for code, meaning in sorted(codes):
        raised = ", ".join(by_code.get(code, []))
        if code == 130:
            raised = "Ctrl+C (`KeyboardInterrupt`)"
        if code == 1:
            raised = ", ".join([*by_code.get(code, []), "any other exception"])
        if code == 2:
            raised = ", ".join([*by_code.get(code, []), "an argument the parser refuses"])
        rows.append(f"| {code} | {meaning} | {raised} |")
    return rows


def render() -> str:
    from matcher.cli.main import build_parser

    parser = build_parser()
    out = [
        "# Command-line reference",
        "",
        "<!-- Generated by scripts/cli_reference.py from matcher.cli.main.build_parser; do not edit. -->",
        "",
        "Generated from the argument parser (`matcher.cli.main.build_parser`) by",
        "`python scripts/cli_reference.py`; `tests/matcher/test_cli_reference.py` fails when this",
        "file is not current. Every command is also `python -m matcher …`. Results go to stdout",
        "(`--format json`: UTF-8, not escaped; the shapes are in [ARCHITECTURE.md](ARCHITECTURE.md#the-json-contract)),",
        "messages to stderr, in Simplified Chinese.",
        "",
        "## Exit codes",
        "",
        *_exit_codes(),
        "",
        "No traceback reaches the user unless `POLICYDESK_DEBUG=1`.",
        "",
        "## Commands",
        "",
    ]
    _section(parser, 3, out)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write docs/CLI.md from the argument parser.")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/CLI.md is not current; write nothing")
    args = ap.parse_args(argv)
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is not current: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
