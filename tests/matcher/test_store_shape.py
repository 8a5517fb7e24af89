"""The shape of ``matcher/store`` (issue 18): the KnowledgeBase's parts get what they need
(:class:`~matcher.store.connections.Connections`) instead of importing the KB, so the
store has no import circle (every import counts, as in test_architecture); and the names
the store keeps to itself (``_…``) are used by no other package — not imported, not read
off a KnowledgeBase, not fetched by name with ``getattr``."""

from __future__ import annotations

import ast
from pathlib import Path

import importgraph as ig

ROOT = ig.ROOT
STORE = ROOT / "matcher" / "store"


def _store_graph() -> dict[str, set[str]]:
    return {a: {b for b in bs if b.startswith("store.")} for a, bs in ig.graph().items() if a.startswith("store.")}


def test_no_import_circle_inside_the_store():
    cycle = ig.find_cycle(_store_graph())
    assert cycle is None, "store circle: " + " → ".join(cycle or [])


def test_the_parts_of_the_kb_never_import_it():
    """Only what is built on a KnowledgeBase (policy packs) imports it; its parts do not."""
    above = {a for a, bs in _store_graph().items() if "store.kb" in bs}
    assert above == {"store.packs"}


def test_the_kb_is_one_face_over_its_parts():
    kb = ig.graph()["store.kb"]
    assert {"store.connections", "store.corrections", "store.reader", "store.history", "store.imports"} <= kb


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree: ast.AST) -> set[str]:
    """The private names a module defines: functions, classes, module-level names, and
    attributes it sets on ``self``."""
    out: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _private(n.name):
            out.add(n.name)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if _private(n.attr):
                out.add(n.attr)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            out.update(t.id for t in targets if isinstance(t, ast.Name) and _private(t.id))
    return out


def _outside_files() -> list[Path]:
    files = [p for p in (ROOT / "matcher").rglob("*.py") if STORE not in p.parents]
    for folder in ("desktop", "scripts", "packaging"):
        files += [p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


def _store_names() -> set[str]:
    names: set[str] = set()
    for p in STORE.glob("*.py"):
        names |= _defined(ast.parse(p.read_text(encoding="utf-8")))
    return names


def _scan(label: str, tree: ast.AST, store_names: set[str]) -> list[str]:
    """The uses of the store's private names in one module outside the store."""
    theirs = store_names - _defined(tree)  # a module's `obj._x` of a name it defines itself is its business
    found: list[str] = []
    store_aliases: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("matcher.store"):
            for a in n.names:
                if _private(a.name):
                    found.append(f"{label}:{n.lineno}: from {n.module} import {a.name}")
                elif n.module == "matcher.store":
                    store_aliases.add(a.asname or a.name)
        elif isinstance(n, ast.Import):
            store_aliases.update(a.asname for a in n.names if a.name.startswith("matcher.store.") and a.asname)
    for n in ast.walk(tree):
        where = f"{label}:{getattr(n, 'lineno', 0)}"
        if isinstance(n, ast.Attribute) and _private(n.attr):
            base = n.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            if n.attr in theirs or (isinstance(base, ast.Name) and base.id in store_aliases):
                found.append(f"{where}: {ast.unparse(n)}")
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in ("getattr", "hasattr", "setattr")
            and len(n.args) >= 2
            and isinstance(n.args[1], ast.Constant)
            and n.args[1].value in theirs
        ):
            found.append(f"{where}: {ast.unparse(n)}")
    return found


def test_the_scan_sees_every_kind_of_private_use():
    """Not blind: each way of reaching a store private is found, and a module's own are not."""
    names = _store_names()
    assert {"_conns", "_reader", "_folder", "_Known", "_undo"} <= names
    planted = """
from matcher.store import kbstore
from matcher.store.imports import _Known
import matcher.store.importfolder as folder
x = kb._conns.user
y = getattr(kb, "_reader")
z = kbstore._measure_row
folder._undo([], [], [])
"""
    assert len(_scan("planted", ast.parse(planted), names)) == 5
    own = "class Mine:\n    def __init__(self):\n        self._reader = 1\n\ndef f(m):\n    return m._reader\n"
    assert _scan("own", ast.parse(own), names) == []


def test_no_store_private_name_is_used_outside_the_store():
    names = _store_names()
    found = [
        hit
        for p in _outside_files()
        for hit in _scan(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8")), names)
    ]
    assert not found, f"{len(found)} uses of the store's private names outside matcher/store: {found}"
