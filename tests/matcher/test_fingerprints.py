"""The derivation fingerprint hashes only the code that decides what is stored (issue 13):
a change to the matcher, search, the engine or the CLI must not re-derive every imported
document, and a change to the parser must."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from matcher import fingerprints

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "matcher"


def _type_only(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                out.update(id(n) for n in ast.walk(child))
    return out


def _imported(nodes: list[ast.AST], skip: set[int], mods: set[str]) -> set[str]:
    out: set[str] = set()
    for top in nodes:
        for node in ast.walk(top):
            if id(node) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                if node.level == 1 and node.module:
                    out.add(parts[0])
                elif node.level == 1:
                    out.update(a.name for a in node.names)
                elif parts[0] == "matcher":
                    out.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                out.update(a.name.split(".")[1] for a in node.names
                           if a.name.startswith("matcher.") and len(a.name.split(".")) > 1)
    return out & mods


def _derivation_modules() -> set[str]:
    """Every matcher module the derivation path runs: the roots and what they import,
    wherever the import is (a function-level import counts; ``if TYPE_CHECKING:`` does not).
    Of ``imports.py`` only the module level and :func:`matcher.imports.rederive` count: the
    rest of it (import, removal, history) writes rows through the same code but derives none."""
    mods = {p.stem for p in PKG.glob("*.py")}
    seen: set[str] = set()
    todo = list(fingerprints.DERIVATION_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((PKG / f"{name}.py").read_text(encoding="utf-8"))
        skip = _type_only(tree)
        if name == "imports":
            body = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            body += [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "rederive"]
            assert len(body) > len([n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))])
        else:
            body = [tree]
        todo.extend(_imported(body, skip, mods) - seen)
    return seen


def test_excluded_modules_are_not_on_the_derivation_path():
    reached = _derivation_modules()
    assert {"pipeline", "parse", "outline", "meta", "enrich", "offices", "conditions", "entitlements",
            "ids", "text", "readers", "kbstore"} <= reached
    wrongly = reached & fingerprints.NOT_STORED
    assert not wrongly, f"listed as not deciding stored rows, but the derivation path imports them: {wrongly}"


def test_the_fingerprint_hashes_the_derivation_code_and_not_the_matcher():
    hashed = {p.stem for p in fingerprints.code_files()}
    assert {"pipeline", "parse", "enrich", "kbstore", "imports", "readers"} <= hashed
    assert not hashed & {"match", "search", "index", "engine", "cli", "cli_match", "export", "tiers", "kb"}
    # a module nobody listed (say, one added tomorrow) is hashed: the safe default
    assert hashed == {p.stem for p in PKG.glob("*.py")} - fingerprints.NOT_STORED


@pytest.fixture()
def code_copy(tmp_path, monkeypatch):
    """The matcher sources copied, and the fingerprint computed over the copy."""
    pkg = tmp_path / "matcher"
    shutil.copytree(PKG, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprints, "__file__", str(pkg / "fingerprints.py"))

    def code_hash() -> str:
        fingerprints._code_hash.cache_clear()
        return fingerprints._code_hash()

    yield pkg, code_hash
    fingerprints._code_hash.cache_clear()


def test_a_change_to_the_matcher_keeps_the_fingerprint_and_a_change_to_the_parser_changes_it(code_copy):
    pkg, code_hash = code_copy
    before = code_hash()
    for name in ("match.py", "search.py", "engine.py", "cli_match.py", "kb.py"):
        (pkg / name).write_text((pkg / name).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert code_hash() == before
    (pkg / "parse.py").write_text((pkg / "parse.py").read_text(encoding="utf-8") + "\n# edited\n",
                                  encoding="utf-8")
    assert code_hash() != before
    after_parse = code_hash()
    (pkg / "brand_new_module.py").write_text("X = 1\n", encoding="utf-8")
    assert code_hash() != after_parse


def test_rules_files_left_out_are_read_only_by_modules_that_store_nothing():
    for name in fingerprints.RESOURCES_NOT_STORED:
        readers = {p.stem for p in PKG.glob("*.py") if name in p.read_text(encoding="utf-8")} - {"fingerprints"}
        assert readers, name
        assert readers <= fingerprints.NOT_STORED, (name, readers - fingerprints.NOT_STORED)
    assert {p.name for p in fingerprints.resource_files()} >= {"outline.toml", "offices.toml", "conditions.toml"}


def test_editing_the_match_rules_keeps_the_fingerprint_and_editing_a_lexicon_changes_it(tmp_path, monkeypatch):
    from matcher import paths

    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    monkeypatch.setattr(paths, "resources_dir", lambda: res)
    before = fingerprints.rules_fingerprint()
    (res / "match_rules.toml").write_text((res / "match_rules.toml").read_text(encoding="utf-8") + "\n# edited\n",
                                          encoding="utf-8")
    assert fingerprints.rules_fingerprint() == before
    (res / "offices.toml").write_text((res / "offices.toml").read_text(encoding="utf-8") + "\n# edited\n",
                                      encoding="utf-8")
    assert fingerprints.rules_fingerprint() != before


def test_the_engine_fingerprint_follows_every_module_and_every_rules_file(code_copy, tmp_path, monkeypatch):
    from matcher import paths

    pkg, _ = code_copy

    def engine_fp() -> str:
        fingerprints._all_code_hash.cache_clear()
        return fingerprints.engine_fingerprint()

    before = engine_fp()
    (pkg / "match.py").write_text((pkg / "match.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after_match = engine_fp()
    assert after_match != before
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    monkeypatch.setattr(paths, "resources_dir", lambda: res)
    assert engine_fp() == after_match
    (res / "match_rules.toml").write_text((res / "match_rules.toml").read_text(encoding="utf-8") + "\n# x\n",
                                          encoding="utf-8")
    assert engine_fp() != after_match
    fingerprints._all_code_hash.cache_clear()
