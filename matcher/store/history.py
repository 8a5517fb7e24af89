"""The knowledge base's history: documents removed or replaced (with their measures as they
were) are appended to ``kb_history.jsonl`` in the data folder before they go, so the KB
**as it was at a moment** can be rebuilt (:meth:`History.as_of`, for "what changed for a
client since …", :mod:`matcher.clients.changes`)."""

from __future__ import annotations

import json
from typing import Any

from matcher.models import Document, Measure
from matcher.store.connections import Connections
from matcher.store.corrections import Corrections, apply_corrections
from matcher.store.reader import Reader

HISTORY_FILE = "kb_history.jsonl"


class History:
    """The history part of a :class:`~matcher.store.kb.KnowledgeBase`."""

    def __init__(self, conns: Connections, reader: Reader, corrections: Corrections):
        self._c = conns
        self._read = reader
        self._corr = corrections

    def record_removed(self, docs: list[Document], at: str) -> None:
        """Append removed/replaced documents (with their measures as they are now) to the history."""
        folder = self._c.data_dir
        if folder is None or not docs:
            return
        by_doc = self._read.document_measures([d.doc_id for d in docs])  # these documents only
        imported = self._read.imported_at()
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

    def entries(self) -> list[dict[str, Any]]:
        """Every entry of the history file, oldest first (a torn last line skipped)."""
        folder = self._c.data_dir
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

    def as_of(self, moment: str) -> tuple[list[Measure], dict[str, Document]]:
        """The measures (hidden ones left out) and documents the KB held at ``moment``."""
        read = self._read
        docs = {d.doc_id: d for d in read.documents()}
        imported = read.imported_at()
        later = {i for i, at in imported.items() if at and at >= moment}
        corr = self._corr.rows()
        early: dict[str, list[dict[str, Any]]] = {}
        for c in corr:
            if (c.get("created_at") or "") < moment:
                early.setdefault(c["measure_id"], []).append(c)
        late = {c["measure_id"] for c in corr if (c.get("created_at") or "") >= moment}
        raw = read.raw_measures(sorted(late)) if late else {}
        hidden_now = read.hidden_ids()
        out: dict[str, Measure] = {}
        for m in read.measures(include_hidden=True):
            if m.doc_id in later:
                continue
            if m.measure_id in late and m.measure_id in raw:
                m, hidden = apply_corrections(raw[m.measure_id], early.get(m.measure_id, []))
            else:
                hidden = m.measure_id in hidden_now
            if not hidden:
                out[m.measure_id] = m
        past_docs = {i: d for i, d in docs.items() if i not in later}
        restored: set[str] = set()
        for e in sorted(self.entries(), key=lambda e: str(e.get("at", ""))):
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
