"""The import graph of ``matcher/`` and ``desktop/``, read from the source (for the
architecture and fingerprint tests). Every import counts, wherever it is written (module
level, inside a function, under ``if TYPE_CHECKING:``) unless a caller asks to leave the
type-only ones out. Modules are named by dotted path without the top package:
``matcher/store/kb.py`` → ``store.kb``; a package's ``__init__`` is the package."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules(top: str = "matcher") -> dict[str, Path]:
    pkg = ROOT / top
    out: dict[str, Path] = {}
    for p in sorted(pkg.rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        parts = [x for x in p.relative_to(pkg).with_suffix("").parts if x != "__init__"]
        out[".".join(parts)] = p
    return out


def type_only(tree: ast.AST) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                out.update(id(n) for n in ast.walk(child))
    return out


def _resolve(name: str, mods: dict[str, Path]) -> str | None:
    """The longest known module a dotted name (relative to the top package) starts with."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in mods:
            return cand
        parts.pop()
    return None


def imports_in(
    nodes: Iterable[ast.AST], here: str, mods: dict[str, Path], top: str = "matcher", skip: set[int] | None = None
) -> set[str]:
    """The ``top`` modules imported by the statements under ``nodes`` of module ``here``."""
    skip = skip or set()
    is_pkg = mods.get(here, Path()).name == "__init__.py"
    base = here.split(".") if here else []
    if not is_pkg:
        base = base[:-1]
    out: set[str] = set()
    for root in nodes:
        for node in ast.walk(root):
            if id(node) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                    mod = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    full = (node.module or "").split(".")
                    if full[0] != top:
                        continue
                    mod = ".".join(full[1:])
                for a in node.names:
                    target = _resolve(f"{mod}.{a.name}" if mod else a.name, mods)
                    if target is None or target == "" and not mod:
                        target = _resolve(mod, mods) if mod else None
                    if target:
                        out.add(target)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    full = a.name.split(".")
                    if full[0] == top and len(full) > 1:
                        t = _resolve(".".join(full[1:]), mods)
                        if t:
                            out.add(t)
    out.discard(here)
    out.discard("")
    return out


def graph(top: str = "matcher", type_checking: bool = True) -> dict[str, set[str]]:
    mods = modules(top)
    g: dict[str, set[str]] = {}
    for name, p in mods.items():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        skip = set() if type_checking else type_only(tree)
        g[name] = imports_in([tree], name, mods, top, skip)
    return g


def package_of(name: str) -> str:
    return name.split(".")[0] if "." in name else name


def package_graph(g: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, bs in g.items():
        pa = package_of(a)
        out.setdefault(pa, set())
        out[pa].update(package_of(b) for b in bs if package_of(b) != pa)
    return out


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None
