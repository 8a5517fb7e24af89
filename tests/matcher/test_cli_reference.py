"""docs/CLI.md is the argument parser, written out (scripts/cli_reference.py): it is current,
it names every command, subcommand and option, and its exit codes are the ones the errors
carry."""

from __future__ import annotations

import argparse
import importlib.util

from importgraph import ROOT

from matcher import errors
from matcher.cli.main import build_parser

_spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
assert _spec and _spec.loader
cli_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli_reference)


def test_docs_cli_md_is_current():
    written = (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
    assert written == cli_reference.render(), "docs/CLI.md is not current: run python scripts/cli_reference.py"


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for child in a.choices.values():
                yield from _parsers(child)


def test_every_command_and_option_is_in_the_reference():
    text = cli_reference.render()
    progs = [p.prog for p in _parsers(build_parser())]
    assert len(progs) >= 12 and "policydesk pack import" in progs
    for p in _parsers(build_parser()):
        assert f"`{p.prog}`" in text
        for a in p._actions:
            for opt in a.option_strings:
                assert f"`{opt}`" in text
            if a.help and not isinstance(a, argparse._SubParsersAction):
                assert a.help.replace("|", "\\|") in text


def test_every_error_exits_with_a_documented_code():
    rows = [line for line in cli_reference.render().splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    documented = {int(line.split("|")[1]) for line in rows}
    assert {0, 1, 2, 3, 130} <= documented
    stack = [errors.PolicyDeskError]
    while stack:
        cls = stack.pop()
        assert cls.exit_code in documented, cls
        stack += cls.__subclasses__()
    assert "| 2 | bad input | `BadInput`" in "\n".join(rows)
