"""What the window's 更新政策库 and 客户变化 run on a worker thread (no widgets here): read
and plan a policy pack, apply it, and list what changed for each saved client
(:mod:`matcher.store.packs`, :mod:`matcher.clients.changes`). Each opens its own knowledge base."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any


def plan_file(path: Path, report=None):
    """The pack read, verified and planned (nothing changed): a :class:`matcher.store.packs.Plan`."""
    from matcher.engine import Engine
    from matcher.store.packs import import_pack

    with Engine.open() as engine:
        kb = engine.kb
        return import_pack(kb, path, dry_run=True, progress=report)


def apply_file(backend, path: Path, replace_own: bool, report=None) -> tuple[Any, Any, list[dict]]:
    """Apply the pack; returns (plan, snapshot, what changed for each saved client since
    just before the import)."""
    from matcher.clients.changes import saved_clients_changes
    from matcher.engine import Engine
    from matcher.store.packs import import_pack

    before = _dt.datetime.now().isoformat(timespec="seconds")
    with Engine.open() as engine:
        kb = engine.kb
        plan = import_pack(kb, path, replace_own=replace_own, progress=report)
        if plan.changes_anything:
            engine.reindex(report)  # the stored index now, with the import's progress
        clients = saved_clients_changes(kb, since=before) if plan.changes_anything else []
        backend.kb_changed()
        return plan, backend._snapshot(engine), clients


def clients_changes() -> list[dict]:
    """What changed for each saved client since it was last reviewed."""
    from matcher.clients.changes import saved_clients_changes
    from matcher.engine import Engine

    with Engine.open() as engine:
        kb = engine.kb
        return saved_clients_changes(kb)


def clients_changed_by(doc_ids: list[str]) -> list[dict]:
    """Saved clients for whom the documents just imported changed something (since the
    moment they were imported)."""
    from matcher.clients.changes import LABELS, saved_clients_changes
    from matcher.engine import Engine

    with Engine.open() as engine:
        kb = engine.kb
        times = [t for i, t in kb.imported_at().items() if i in set(doc_ids) and t]
        if not times:
            return []
        clients = saved_clients_changes(kb, since=min(times))
    return [c for c in clients if any(c["diff"][k] for k in LABELS)]


def library_line() -> str:
    """Which shared library and which date the window shows, or ""."""
    from matcher.store.packs import library_path, library_status

    try:
        lib = library_path()
        st = library_status()
    except Exception:
        return ""
    if lib is None:
        return ""
    if not st:
        return f"共享政策库 {lib}(尚未载入)"
    return f"共享政策库 {st.get('pack', '')}({str(st.get('created', ''))[:10]})"
