"""What the window's 更新政策库 and 客户变化 run on a worker thread (no widgets here): read
and plan a policy pack, apply it, and list what changed for each saved client — each with
an engine of its own (:meth:`Engine.import_pack`, :meth:`Engine.saved_clients_changes`,
:meth:`Engine.clients_changed_by`)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.engine import Engine, Progress
from matcher.models import ClientChanges

if TYPE_CHECKING:
    from matcher.engine import Plan

    from .backend import Backend, Snapshot


def plan_file(path: Path, report: Progress | None = None) -> Plan:
    """The pack read, verified and planned (nothing changed)."""
    with Engine.open() as engine:
        return engine.import_pack(path, dry_run=True, progress=report)


def apply_file(
    backend: Backend, path: Path, replace_own: bool, report: Progress | None = None, as_of: _dt.date | None = None
) -> tuple[Plan, Snapshot, list[ClientChanges]]:
    """Apply the pack (the stored index rebuilt with the import's progress); returns (plan,
    snapshot, what changed for each saved client since just before the import, judged on the
    window's 判断日期 ``as_of``; today when None)."""
    before = _dt.datetime.now().isoformat(timespec="seconds")
    with Engine.open() as engine:
        plan = engine.import_pack(path, replace_own=replace_own, progress=report)
        clients = engine.saved_clients_changes(since=before, as_of=as_of) if plan.changes_anything else []
        backend.kb_changed()
        return plan, backend.snapshot(engine), clients


def clients_changes(as_of: _dt.date | None = None) -> list[ClientChanges]:
    """What changed for each saved client since it was last reviewed, judged on the window's
    判断日期 ``as_of`` (today when None), as the results are."""
    with Engine.open() as engine:
        return engine.saved_clients_changes(as_of=as_of)


def clients_changed_by(doc_ids: list[str], as_of: _dt.date | None = None) -> list[ClientChanges]:
    """Saved clients for whom the documents just imported changed something (since the
    moment they were imported), judged on the window's 判断日期 ``as_of``."""
    with Engine.open() as engine:
        return engine.clients_changed_by(doc_ids, as_of=as_of)


def library_line() -> str:
    """Which shared library and which date the window shows, or ""."""
    try:
        lib = Engine.library_path()
        st = Engine.library_status()
    except Exception:
        return ""
    if lib is None:
        return ""
    if not st:
        return f"共享政策库 {lib}(尚未载入)"
    return f"共享政策库 {st.get('pack', '')}({str(st.get('created', ''))[:10]})"
