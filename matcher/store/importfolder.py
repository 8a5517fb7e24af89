"""The ``imports/`` folder and the protocol that keeps it and the user KB in step, so that
a killed, concurrent or repeated import never loses, duplicates or resurrects a document.
Used by the import run (:mod:`matcher.store.imports`), the re-derivation
(:mod:`matcher.store.rederive`) and the policy-pack import (:mod:`matcher.store.packs`).

Every imported document has a folder ``imports/<sha16>/`` holding its source file, byte for
byte, and a manifest (``manifest.json``: file, sha256, doc_id, imported_at, the options it
was imported with; a pack's documents also name the pack). Every step below runs under the
data folder's :class:`~matcher.store.kbfile.WriterLock`.

1. **Reconcile** what an interrupted run left (:meth:`ImportFolder.reconcile`): a folder
   whose manifest is still ``manifest.pending.json`` is kept (the pending manifest renamed
   ``manifest.json``) only if the user KB holds a document with its sha256 — i.e. the
   transaction committed; otherwise it is deleted. A folder marked ``remove.pending`` (a
   removal or replacement) is deleted if its document is gone from the KB, else the mark
   is dropped. Only committed manifests are ever re-derived
   (:meth:`ImportFolder.manifests`), so a killed import never comes back.
2. **Commit** (:meth:`ImportFolder.commit`): the copies written with a *pending* manifest,
   the folders of the documents going marked ``remove.pending``; then **one database
   transaction** (the old rows deleted, the new ones written); then the manifests made
   final and the marked folders deleted. Any failure before the transaction commits undoes
   the copies and the marks: the KB and ``imports/`` are exactly as before.

``POLICYDESK_TEST_IMPORT_PAUSE=<seconds>`` makes a run sleep between steps (and spill its
transaction to disk early, as a large import does), so a test can kill it at any point;
unset (the default) it does nothing (:func:`pause`).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from matcher.models import Document
from matcher.store import kbfile, kbstore
from matcher.store.connections import Connections
from matcher.store.kbstore import T_DOCS

MANIFEST = "manifest.json"
PENDING = "manifest.pending.json"
REMOVING = "remove.pending"
PAUSE_ENV = "POLICYDESK_TEST_IMPORT_PAUSE"


def pause(step: str) -> None:
    """Test hook: when POLICYDESK_TEST_IMPORT_PAUSE is set, say which step was reached (on
    stderr) and sleep that many seconds; inert by default."""
    v = os.environ.get(PAUSE_ENV)
    if v:
        try:
            secs = float(v)
        except ValueError:
            return
        print(f"POLICYDESK_TEST_STEP {step}", file=sys.stderr, flush=True)
        time.sleep(secs)


@dataclass
class Staged:
    """A document about to be committed with its source file.

    ``name``: the file's name in its folder; ``read()``: its bytes; ``manifest``: what its
    manifest says besides file, sha256, doc_id and imported_at (``original_path``, the
    import options, a pack's origin), in that order."""

    doc: Document
    name: str
    read: Callable[[], bytes]
    manifest: dict[str, Any] = field(default_factory=dict)


class ImportFolder:
    """``imports/`` of one KB's data folder, kept in step with its user KB."""

    def __init__(self, conns: Connections):
        self._c = conns

    def folder(self, sha: str) -> Path:
        assert self._c.imports_dir is not None
        return self._c.imports_dir / sha[:16]

    # ------------------------------------------------------------ what is there

    def manifests(self) -> list[dict[str, Any]]:
        """The committed manifests (pending ones are not imports yet), oldest import first;
        each with ``_folder``, the folder it is in."""
        imports_dir = self._c.imports_dir
        if imports_dir is None or not imports_dir.is_dir():
            return []
        out = []
        for mf in imports_dir.glob(f"*/{MANIFEST}"):
            if (mf.parent / REMOVING).exists():
                continue
            try:
                m = json.loads(mf.read_text(encoding="utf-8"))
                if not isinstance(m, dict) or not isinstance(m.get("file"), str):
                    raise ValueError
                m["_folder"] = mf.parent
                out.append(m)
            except (OSError, ValueError):
                self._c.notices.append(f"导入记录 {mf} 无法读取,已跳过。")
        out.sort(key=lambda m: (str(m.get("imported_at", "")), str(m.get("doc_id", ""))))
        return out

    def reconcile(self) -> list[str]:
        """Finish or undo what an interrupted import or removal left (caller holds the writer
        lock and the user KB is healthy). Returns the folders deleted."""
        imports_dir, user = self._c.imports_dir, self._c.user
        if imports_dir is None or not imports_dir.is_dir() or user is None:
            return []
        shas = {r[0] for r in user.execute(f"SELECT sha256 FROM {T_DOCS}").fetchall() if r[0]}
        gone = []
        for folder in sorted(p for p in imports_dir.iterdir() if p.is_dir()):
            mf, pending, removing = folder / MANIFEST, folder / PENDING, folder / REMOVING
            sha = _manifest_sha(pending) or _manifest_sha(mf)
            committed = sha is not None and sha in shas
            if removing.exists():
                if committed:
                    removing.unlink(missing_ok=True)
                else:
                    shutil.rmtree(folder, ignore_errors=True)
                    gone.append(folder.name)
                    continue
            if pending.exists():
                if committed:
                    os.replace(pending, mf)
                elif mf.exists():
                    pending.unlink(missing_ok=True)  # a replacement of the same file that did not commit
                else:
                    shutil.rmtree(folder, ignore_errors=True)
                    gone.append(folder.name)
            elif not mf.exists():
                shutil.rmtree(folder, ignore_errors=True)  # killed before its manifest was written
                gone.append(folder.name)
        return gone

    # ------------------------------------------------------------ the commit

    def commit(
        self,
        staged: Sequence[Staged],
        gone: Sequence[Document],
        *,
        action: str,
        at: str | None = None,
        also: Callable[[Database], None] | None = None,
    ) -> None:
        """Write ``staged`` and delete ``gone`` (documents of the user KB) by the protocol of
        the module docstring. ``at``: the import time of every manifest (default: the clock
        when each is written); ``also(db)`` runs inside the transaction after the rows are
        written; ``action`` names the run in an error (``导入文件``). The caller holds the
        lock and the writer lock, and announces the change."""
        user, imports_dir = self._c.writable(action)
        created: list[Path] = []  # folders this run made: the only ones its clean-up may delete
        pendings: list[Path] = []
        marks: list[Path] = []
        extra: dict[str, dict[str, Any]] = {}
        new_folders = {self.folder(s.doc.sha256) for s in staged}
        try:
            for s in staged:
                folder = self.folder(s.doc.sha256)
                if not folder.exists():
                    folder.mkdir(parents=True)
                    created.append(folder)
                stored = folder / s.name
                stored.write_bytes(s.read())
                manifest = {
                    "file": stored.name,
                    "sha256": s.doc.sha256,
                    "doc_id": s.doc.doc_id,
                    "imported_at": at if at is not None else kbstore.now(),
                    **s.manifest,
                }
                kbfile.atomic_write_text(folder / PENDING, json.dumps(manifest, ensure_ascii=False, indent=1))
                pendings.append(folder / PENDING)
                extra[s.doc.doc_id] = {
                    "stored_file": str(stored.relative_to(imports_dir)),
                    "imported_at": manifest["imported_at"],
                }
            for old in gone:
                folder = self.folder(old.sha256)
                if old.sha256 and folder.is_dir() and folder not in new_folders:
                    (folder / REMOVING).write_text("", encoding="utf-8")
                    marks.append(folder / REMOVING)
            pause("staged")
            if os.environ.get(PAUSE_ENV):
                # test hook: a tiny page cache spills the transaction to the file as a big import
                # does, so a kill inside it leaves a hot journal behind
                user.execute("PRAGMA cache_size = 1")
            with user.atomic():
                for old in gone:
                    kbstore.delete_document(user, old.doc_id)
                kbstore.write_documents(user, [s.doc for s in staged], extra)
                if also is not None:
                    also(user)
                pause("in-transaction")
        except (OSError, sqlite3.Error) as e:
            _undo(created, pendings, marks)
            raise self._c.write_error(action, e) from None
        except BaseException:
            _undo(created, pendings, marks)
            raise
        pause("committed")
        for p in pendings:
            os.replace(p, p.with_name(MANIFEST))
        for m in marks:
            shutil.rmtree(m.parent, ignore_errors=True)


def _manifest_sha(p: Path) -> str | None:
    try:
        return str(json.loads(p.read_text(encoding="utf-8")).get("sha256") or "") or None
    except (OSError, ValueError, AttributeError):
        return None


def _undo(created: list[Path], pendings: list[Path], marks: list[Path]) -> None:
    for folder in created:
        shutil.rmtree(folder, ignore_errors=True)
    for p in pendings + marks:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass
