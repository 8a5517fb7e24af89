"""The knowledge base's history: documents removed or replaced (with their measures as they
were) are appended to ``kb_history.jsonl`` in the data folder before they go, so the KB
**as it was at a moment** can be rebuilt (:func:`kb_as_of`, for "what changed for a client
since …", :mod:`matcher.clients.changes`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.models import Document, Measure
from matcher.store.corrections import _apply_corrections

if TYPE_CHECKING:
    from matcher.store.kb import KnowledgeBase

HISTORY_FILE = "kb_history.jsonl"


def _folder(kb: KnowledgeBase) -> Path | None:
    return kb.imports_dir.parent if kb.imports_dir is not None else None


def record_removed(kb: KnowledgeBase, docs: list[Document], at: str) -> None:
    """Append removed/replaced documents (with their measures as they are now) to the history."""
    folder = _folder(kb)
    if folder is None or not docs:
        return
    by_doc = kb.document_measures([d.doc_id for d in docs])  # these documents only
    imported = imported_at(kb)
    with open(folder / HISTORY_FILE, "a", encoding="utf-8") as fh:
        for d in docs:
            full = d.model_copy(update={"measures": by_doc.get(d.doc_id, [])})
            fh.write(
                json.dumps(
                    {
                        "at": at,
                        "event": "removed",
                        "imported_at": imported.get(d.doc_id, ""),
                        "doc": full.model_dump(mode="json"),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def read_history(kb: KnowledgeBase) -> list[dict[str, Any]]:
    folder = _folder(kb)
    if folder is None or not (folder / HISTORY_FILE).is_file():
        return []
    out = []
    for line in (folder / HISTORY_FILE).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            e = json.loads(line)
            if isinstance(e, dict) and isinstance(e.get("doc"), dict):
                out.append(e)
        except ValueError:
            continue  # a torn last line (killed while appending): skipped
    return out


def imported_at(kb: KnowledgeBase) -> dict[str, str]:
    from matcher.store.kbstore import _T_DOCS

    if kb._user is None:
        return {}
    return {r[0]: r[1] or "" for r in kb._user.execute(f"SELECT doc_id, imported_at FROM {_T_DOCS}").fetchall()}


def kb_as_of(kb: KnowledgeBase, moment: str) -> tuple[list[Measure], dict[str, Document]]:
    """The measures (hidden ones left out) and documents the KB held at ``moment``."""
    docs = {d.doc_id: d for d in kb.documents()}
    imported = imported_at(kb)
    later = {i for i, at in imported.items() if at and at >= moment}
    corr = kb.corrections()
    early: dict[str, list[dict[str, Any]]] = {}
    for c in corr:
        if (c.get("created_at") or "") < moment:
            early.setdefault(c["measure_id"], []).append(c)
    late = {c["measure_id"] for c in corr if (c.get("created_at") or "") >= moment}
    raw = _raw_measures(kb, sorted(late)) if late else {}
    hidden_now = kb._hidden_ids()
    out: dict[str, Measure] = {}
    for m in kb.measures(include_hidden=True):
        if m.doc_id in later:
            continue
        if m.measure_id in late and m.measure_id in raw:
            m, hidden = _apply_corrections(raw[m.measure_id], early.get(m.measure_id, []))
        else:
            hidden = m.measure_id in hidden_now
        if not hidden:
            out[m.measure_id] = m
    past_docs = {i: d for i, d in docs.items() if i not in later}
    restored: set[str] = set()
    for e in sorted(read_history(kb), key=lambda e: str(e.get("at", ""))):
        if str(e.get("at", "")) < moment or not str(e.get("imported_at", "")) or str(e["imported_at"]) >= moment:
            continue
        try:
            d = Document.model_validate(e["doc"])
        except ValueError:
            continue
        if d.doc_id in restored or (d.doc_id in docs and d.doc_id not in later):
            continue
        restored.add(d.doc_id)
        past_docs[d.doc_id] = d.model_copy(update={"measures": []})
        for m in d.measures:
            out[m.measure_id] = m
    return list(out.values()), past_docs


def _raw_measures(kb: KnowledgeBase, ids: list[str]) -> dict[str, Measure]:
    """Measures as their documents give them, without corrections."""
    with kb._lock:
        saved = kb._corr_by_mid
        kb._corr_by_mid = {}
        try:
            return kb._read_measures(ids)
        finally:
            kb._corr_by_mid = saved
