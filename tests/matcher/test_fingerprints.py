"""The derivation fingerprint hashes only the code that decides what is stored (issue 13):
a change to the matcher, search, the engine or the CLI must not re-derive every imported
document, and a change to the parser must."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import importgraph
import pytest

from matcher.store import fingerprints

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "matcher"


def _derivation_modules() -> set[str]:
    """Every matcher module the derivation path runs: the roots and what they import,
    wherever the import is (a function-level import counts; ``if TYPE_CHECKING:`` does not)."""
    mods = importgraph.modules()
    seen: set[str] = set()
    todo = list(fingerprints.DERIVATION_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse(mods[name].read_text(encoding="utf-8"))
        skip = importgraph.type_only(tree)
        todo.extend(importgraph.imports_in([tree], name, mods, skip=skip) - seen)
    return seen


def _listed(name: str) -> bool:
    return any(name == n or name.startswith(n + ".") for n in fingerprints.NOT_STORED)


def test_excluded_modules_are_not_on_the_derivation_path():
    reached = _derivation_modules()
    assert {
        "reading.pipeline",
        "reading.parse",
        "reading.outline",
        "reading.meta",
        "reading.enrich",
        "knowledge.offices",
        "knowledge.conditions",
        "knowledge.entitlements",
        "common.ids",
        "common.text",
        "reading.readers",
        "store.kbstore",
        "store.rederive",
        "store.importfolder",
    } <= reached
    wrongly = {n for n in reached if _listed(n)}
    assert not wrongly, f"listed as not deciding stored rows, but the derivation path imports them: {wrongly}"


def test_the_fingerprint_hashes_the_derivation_code_and_not_the_matcher():
    hashed = {fingerprints.module_name(p) for p in fingerprints.code_files()}
    assert {
        "reading.pipeline",
        "reading.parse",
        "reading.enrich",
        "store.kbstore",
        "store.imports",
        "store.rederive",
        "reading.readers",
    } <= hashed
    assert not hashed & {
        "matching.match",
        "matching.search",
        "store.rows",
        "engine",
        "cli.main",
        "cli.match",
        "export",
        "matching.tiers",
        "store.kb",
        "store.reader",
    }
    # a module nobody listed (say, one added tomorrow) is hashed: the safe default
    assert hashed == {n for n in importgraph.modules() if not _listed(n)}


@pytest.fixture()
def code_copy(tmp_path, monkeypatch):
    """The matcher sources copied, and the fingerprint computed over the copy."""
    pkg = tmp_path / "matcher"
    shutil.copytree(PKG, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprints, "__file__", str(pkg / "store" / "fingerprints.py"))

    def code_hash() -> str:
        fingerprints.code_hash.cache_clear()
        return fingerprints.code_hash()

    yield pkg, code_hash
    fingerprints.code_hash.cache_clear()


def test_a_change_to_the_matcher_keeps_the_fingerprint_and_a_change_to_the_parser_changes_it(code_copy):
    pkg, code_hash = code_copy
    before = code_hash()
    for name in ("matching/match.py", "matching/search.py", "engine/__init__.py", "cli/match.py", "store/kb.py"):
        (pkg / name).write_text((pkg / name).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert code_hash() == before
    (pkg / "reading/parse.py").write_text(
        (pkg / "reading/parse.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert code_hash() != before
    after_parse = code_hash()
    (pkg / "brand_new_module.py").write_text("X = 1\n", encoding="utf-8")
    assert code_hash() != after_parse


def test_rules_files_left_out_are_read_only_by_modules_that_store_nothing():
    for name in fingerprints.RESOURCES_NOT_STORED:
        readers = {n for n, p in importgraph.modules().items() if name in p.read_text(encoding="utf-8")} - {
            "store.fingerprints"
        }
        assert readers, name
        assert all(_listed(n) for n in readers), (name, readers)
    assert {p.name for p in fingerprints.resource_files()} >= {"outline.toml", "offices.toml", "conditions.toml"}


def test_editing_the_match_rules_keeps_the_fingerprint_and_editing_a_lexicon_changes_it(tmp_path, monkeypatch):
    from matcher.common import paths

    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    monkeypatch.setattr(paths, "resources_dir", lambda: res)
    before = fingerprints.rules_fingerprint()
    (res / "match_rules.toml").write_text(
        (res / "match_rules.toml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert fingerprints.rules_fingerprint() == before
    (res / "offices.toml").write_text(
        (res / "offices.toml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert fingerprints.rules_fingerprint() != before


def test_the_engine_fingerprint_follows_every_module_and_every_rules_file(code_copy, tmp_path, monkeypatch):
    from matcher.common import paths

    pkg, _ = code_copy

    def engine_fp() -> str:
        fingerprints.all_code_hash.cache_clear()
        return fingerprints.engine_fingerprint()

    before = engine_fp()
    (pkg / "matching/match.py").write_text(
        (pkg / "matching/match.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    after_match = engine_fp()
    assert after_match != before
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    monkeypatch.setattr(paths, "resources_dir", lambda: res)
    assert engine_fp() == after_match
    (res / "match_rules.toml").write_text(
        (res / "match_rules.toml").read_text(encoding="utf-8") + "\n# x\n", encoding="utf-8"
    )
    assert engine_fp() != after_match
    fingerprints.all_code_hash.cache_clear()
