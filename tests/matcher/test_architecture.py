"""The shape of the engine (issue 11): no import cycles in ``matcher/``, no Qt in it, no
module over ~600 lines, and lists that are data written once (in ``resources/``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "matcher"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PKG.glob("*.py"))}


def _type_only(tree: ast.AST) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                out.update(id(n) for n in ast.walk(child))
    return out


def _imports(path: Path) -> set[str]:
    """Every matcher module ``path`` imports, wherever the import statement is (a
    function-level import is an import too; one under ``if TYPE_CHECKING:`` is not)."""
    mods = _modules()
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or (node.level == 0 and (node.module or "").split(".")[0] == "matcher"):
                base = (node.module or "") if node.level == 1 else (node.module or "").partition(".")[2]
                if base:
                    out.add(base.split(".")[0])
                else:                      # from . import fuzzy, limits
                    out.update(a.name for a in node.names if a.name in mods)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "matcher" and len(parts) > 1:
                    out.add(parts[1])
    return {m for m in out if m in mods and m != path.stem}


def graph() -> dict[str, set[str]]:
    return {name: _imports(p) for name, p in _modules().items()}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
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


def test_the_graph_reads_real_imports():
    g = graph()
    assert "engine" in g and "kb" in g
    assert {"cli_common", "cli_match", "cli_data", "engine"} <= g["cli"]
    assert "resolver" in g["profile"] and "sme" in g["resolver"]


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_matcher():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_matcher_never_imports_qt():
    for p in PKG.glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for n in names:
                assert not re.match(r"(PySide\d|PyQt\d|shiboken\d|qtpy)\b", n), f"{p.name} imports {n}"


def test_no_matcher_module_over_600_lines():
    long = {p.name: n for p in PKG.glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_district_list_is_written_once():
    """Shanghai's 16 districts are data (resources/profile.toml, resources/areas.toml),
    not a list in code: no Python file of the product names more than three of them."""
    names = re.findall(r'name = "(\S+?区)"', (ROOT / "resources" / "profile.toml").read_text(encoding="utf-8"))
    assert len(names) == 16
    shorts = [n.removesuffix("新区").removesuffix("区") for n in names]
    for folder in ("matcher", "desktop"):
        for p in (ROOT / folder).rglob("*.py"):
            text = p.read_text(encoding="utf-8")
            named = [s for s in shorts if s in text]
            assert len(named) <= 3, f"{p.relative_to(ROOT)} lists districts: {named}"
