"""The knowledge base's history: documents removed or replaced (with their measures as they
were) are appended to ``kb_history.jsonl`` in the data folder, so the KB **as it was at a
moment** can be rebuilt (:meth:`History.as_of`, for "what changed for a client since …",
:mod:`matcher.clients.changes`).

The records are made before the documents go (:meth:`History.removed_records`: their
measures are read then) and appended only once the transaction that removes them has
committed (:meth:`History.append`): a removal that fails leaves no "removed" record. A line
torn by a crash or a full disk is never merged into: the next append starts on a line of
its own, and reading skips the torn line and says so (a notice)."""

from __future__ import annotations

import json
import os
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
        self.append(self.removed_records(docs, at))

    def removed_records(self, docs: list[Document], at: str) -> bytes:
        """The history lines of documents about to be removed or replaced, with their measures
        as they are now: made before the transaction, appended after it commits."""
        if self._c.data_dir is None or not docs:
            return b""
        by_doc = self._read.document_measures([d.doc_id for d in docs])  # these documents only
        imported = self._read.imported_at()
        lines = []
        for d in docs:
            full = d.model_copy(update={"measures": by_doc.get(d.doc_id, [])})
            record = {
                "at": at,
                "event": "removed",
                "imported_at": imported.get(d.doc_id, ""),
                "doc": full.model_dump(mode="json"),
            }
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        return "".join(lines).encode("utf-8")

    def append(self, records: bytes) -> None:
        """Append ``records`` (whole lines) to the history file; after a torn last line they
        start on a line of their own. OSError when the file cannot be written."""
        folder = self._c.data_dir
        if folder is None or not records:
            return
        with open(folder / HISTORY_FILE, "ab+") as fh:
            end = fh.seek(0, os.SEEK_END)
            if end:
                fh.seek(end - 1)
                if fh.read(1) != b"\n":
                    records = b"\n" + records  # the torn line stays torn: skipped when read
            fh.write(records)
            fh.flush()
            os.fsync(fh.fileno())

    def entries(self) -> list[dict[str, Any]]:
        """Every entry of the history file, oldest first (a torn last line skipped)."""
        folder = self._c.data_dir
        if folder is None or not (folder / HISTORY_FILE).is_file():
            return []
        out = []
        torn = 0
        for line in (folder / HISTORY_FILE).read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                e = json.loads(line)
            except ValueError:
                torn += 1  # torn (killed or a full disk while appending): skipped
                continue
            if isinstance(e, dict) and isinstance(e.get("doc"), dict):
                out.append(e)
            else:
                torn += 1
        if torn:
            note = (
                f"变更记录 {HISTORY_FILE} 中有 {torn} 行不完整(写入时被中断或磁盘已满),已跳过;"
                f"“客户变化”可能看不到其中记录的删除或替换。"
            )
            if note not in self._c.notices:
                self._c.notices.append(note)
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
