"""The knowledge base: the one face of :mod:`matcher.store` — opened, built and repaired
here, read and written through its parts.

Two SQLite files, both written through sqlite-utils, every write one transaction:

* the **seed KB** (``paths.cache_dir()/seed_kb.sqlite``) is derived data: built from
  ``seeds/*.txt`` by :func:`matcher.reading.pipeline.build_seed_documents` and rebuilt whenever
  the fingerprint of its inputs (seeds, ``resources/*.toml``, the matcher version and
  schema, and in a source checkout the matcher code) changes, or when the file is
  damaged. A rebuild is written to a temporary file and moved into place, so a crash
  never leaves half a KB. A packaged app may ship a prebuilt copy
  (``paths.prebuilt_kb()``), used when its fingerprint matches.
* the **user KB** (``paths.data_dir()/user_kb.sqlite``) holds what the user added:
  imported documents (each source file is also copied to ``data_dir()/imports/`` with a
  small manifest, so the user KB can be re-derived when the rules change or the file is
  damaged) and an overlay of corrections (offices, tags, hidden measures, keyed by
  ``measure_id``) applied on read. Corrections are mirrored to ``corrections.json``.

A :class:`KnowledgeBase` opens the files (:class:`~matcher.store.connections.Connections`)
and hands them to its parts, each of which gets what it needs and none of which imports
this module:

* :class:`~matcher.store.corrections.Corrections` — the corrections table;
* :class:`~matcher.store.reader.Reader` — measures and documents as everyone reads them;
* :class:`~matcher.store.history.History` — what was removed, and the KB as it was;
* :class:`~matcher.store.imports.Importer` over :class:`~matcher.store.importfolder.ImportFolder`
  — the import run and removal, kept in step with ``imports/``;
* :func:`~matcher.store.rederive.rederive` — the user's documents parsed again by new rules.

Below them: the schema and row codec (:mod:`matcher.store.kbstore`), the files on disk
(:mod:`matcher.store.kbfile`). Above the KB: policy packs (:mod:`matcher.store.packs`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from matcher.common import paths
from matcher.errors import KBError, PolicyDeskError
from matcher.models import Document, Measure
from matcher.reading.meta import document_fields
from matcher.store import kbfile, kbstore
from matcher.store.connections import Connections
from matcher.store.corrections import Correction, Corrections
from matcher.store.fingerprints import data_fingerprint, rules_fingerprint, seed_fingerprint
from matcher.store.history import History
from matcher.store.importfolder import ImportFolder
from matcher.store.imports import Importer
from matcher.store.kbstore import IMPORTS_DIR, SEED_FILE, USER_FILE, Progress, check_file
from matcher.store.reader import Reader
from matcher.store.rederive import rederive
from matcher.store.rows import IndexRow

R = TypeVar("R")


class Stamp(NamedTuple):
    """What the KB's content is, for a cache derived from it (the stored match index): the
    seed KB's fingerprint, build time and path, and the user KB's stamp ``(epoch, counter)``
    — a counter the database's triggers bump in every transaction that changes documents,
    measures or corrections — or None when there is no user KB."""

    seed_fingerprint: str
    seed_built_at: str
    seed_path: Path
    user: tuple[str, str] | None


class KnowledgeBase:
    """Seed measures + user imports + the user's corrections, read as one collection.

    Open it with :meth:`open_default` (the app's own files, built or repaired as needed)
    or :meth:`open_path` (an existing KB file as is, e.g. a synthetic benchmark KB).
    A KnowledgeBase may be used from any one thread at a time (a lock guards it).

    Attributes:
        notices: messages for the user about what happened (a rebuild, a damaged file set
            aside, a replaced document), in Chinese.
    """

    def __init__(
        self,
        seed_path: Path,
        user_path: Path | None = None,
        *,
        imports_dir: Path | None = None,
        notices: list[str] | None = None,
    ):
        c = self._conns = Connections(seed_path, imports_dir=imports_dir, notices=list(notices or []))
        self._corrections = Corrections(c, exists=lambda mid: self._reader.get_measure(mid) is not None)
        self._reader = Reader(c, self._corrections)
        self._history = History(c, self._reader, self._corrections)
        self._folder = ImportFolder(c)
        self._importer = Importer(c, self._folder, self._reader, self._corrections, self._history)
        if user_path:
            try:
                c.open_user(Path(user_path))
            except sqlite3.Error as e:
                raise kbfile.kb_error("打开知识库", c.seed_path, e) from None

    @property
    def seed_path(self) -> Path:
        return self._conns.seed_path

    @property
    def user_path(self) -> Path | None:
        return self._conns.user_path

    @property
    def imports_dir(self) -> Path | None:
        return self._conns.imports_dir

    @property
    def notices(self) -> list[str]:
        return self._conns.notices

    @classmethod
    def open_default(cls, progress: Progress | None = None) -> KnowledgeBase:
        """The app's KB: seed KB in the cache folder, user KB in the data folder.

        Builds the seed KB when it is missing, out of date or damaged (a damaged file is
        renamed ``*.corrupt-<time>`` first and ``notices`` says so); re-derives the user's
        imported documents when the rules changed; restores a damaged user KB from the
        copies in ``imports/`` and ``corrections.json``.
        """
        notices: list[str] = []
        try:
            cache = paths.cache_dir()
        except OSError as e:
            raise kbfile.kb_error("创建缓存文件夹", Path(str(getattr(e, "filename", "") or "缓存文件夹")), e) from None
        try:
            data = paths.data_dir()
        except OSError as e:
            raise kbfile.kb_error("创建数据文件夹", Path(str(getattr(e, "filename", "") or "数据文件夹")), e) from None
        if not os.access(cache, os.W_OK):
            seed_path = cache / SEED_FILE
            status, meta = check_file(seed_path)
            if status != "ok" or meta.get("fingerprint") != seed_fingerprint():
                raise KBError(
                    f"缓存文件夹 {cache} 是只读的,无法生成知识库。请检查文件夹权限,"
                    f"或设置环境变量 POLICYDESK_HOME 指向一个可写的文件夹。"
                )
        seed_path = cache / SEED_FILE
        cls._ensure_seed(seed_path, notices, progress)
        user_path = data / USER_FILE
        imports = data / IMPORTS_DIR
        kb = cls(seed_path, None, imports_dir=imports, notices=notices)
        try:
            kb._ensure_user(user_path, progress)
        except BaseException:
            kb.close()
            raise
        return kb

    @classmethod
    def open_path(cls, path: str | Path, user_path: str | Path | None = None) -> KnowledgeBase:
        """Open an existing seed-format KB file as it is (no rebuild), e.g. a synthetic one."""
        p = Path(path)
        status, _ = check_file(p)
        if status != "ok":
            what = {
                "missing": "不存在",
                "corrupt": "已损坏或不是知识库文件",
                "old": "是旧版本格式",
                "busy": "正被另一个程序写入,请稍后再试",
            }.get(status, "无法使用")
            raise KBError(f"知识库文件 {p} {what}。")
        kb = cls(p, None)
        if user_path is not None:
            kb._ensure_user(Path(user_path), None)
        return kb

    @staticmethod
    def _ensure_seed(seed_path: Path, notices: list[str], progress: Progress | None) -> None:
        fp = seed_fingerprint()
        status, meta = check_file(seed_path)
        if status == "ok" and meta.get("fingerprint") == fp:
            return
        if status == "corrupt":
            aside = kbfile.set_aside(seed_path)
            notices.append(f"知识库文件已损坏,已移到 {aside.name},并已重新生成。")
        pre = paths.prebuilt_kb()
        if pre is not None:
            pstatus, pmeta = check_file(pre)
            if pstatus == "ok" and pmeta.get("data_fingerprint") == data_fingerprint():
                try:
                    tmp = seed_path.with_name(f"{seed_path.name}.tmp-{os.getpid()}")
                    shutil.copyfile(pre, tmp)
                    db = kbstore.connect(tmp)
                    try:
                        with db.atomic():
                            kbstore.set_meta(db, fingerprint=fp, copied_from=str(pre))
                    finally:
                        db.close()
                    kbfile.remove_sidecars(seed_path)
                    os.replace(tmp, seed_path)
                    return
                except (OSError, sqlite3.Error):
                    pass  # fall back to building
        if progress:
            progress(0, 1, "正在生成政策知识库…")
        from matcher.reading import pipeline

        t0 = time.perf_counter()
        try:
            docs = pipeline.build_seed_documents()
        except PolicyDeskError as e:
            raise KBError(f"无法从内置政策文件生成知识库:{e}") from None
        kbstore.build_file(
            seed_path,
            docs,
            {
                "fingerprint": fp,
                "data_fingerprint": data_fingerprint(),
                "build_seconds": f"{time.perf_counter() - t0:.3f}",
            },
        )
        if progress:
            progress(1, 1, "知识库已生成")

    def _ensure_user(self, user_path: Path, progress: Progress | None) -> None:
        c = self._conns
        c.writer = kbfile.WriterLock(user_path.parent)
        if not c.writer.acquire(wait=0):
            # another process is writing right now: open as it is, repair nothing
            status, _ = check_file(user_path, user=True)
            if status not in ("ok", "busy"):
                raise KBError("另一个导入正在进行(另一个窗口或命令正在写入知识库),请等它完成后再试。")
            try:
                c.open_user(user_path)
            except sqlite3.Error as e:
                raise kbfile.kb_error("打开用户数据", user_path, e) from None
            return
        try:
            self._ensure_user_locked(user_path, progress)
        finally:
            c.writer.release()

    def _ensure_user_locked(self, user_path: Path, progress: Progress | None) -> None:
        fp = rules_fingerprint()
        status, meta = check_file(user_path, user=True)
        restore = False
        if status == "busy":
            raise KBError("另一个导入正在进行(另一个窗口或命令正在写入知识库),请等它完成后再试。")
        if status == "corrupt":
            aside = kbfile.set_aside(user_path)
            self.notices.append(
                f"用户数据文件已损坏,已移到 {aside.name};已从导入文件夹和更正记录中恢复导入的文件和更正。"
            )
            status, restore = "missing", True
        if status == "old":
            aside = kbfile.set_aside(user_path)
            self.notices.append(f"用户数据文件是旧版本格式,已移到 {aside.name} 并按新格式恢复。")
            status, restore = "missing", True
        try:
            user = self._conns.open_user(user_path)
            if status == "missing":
                with user.atomic():
                    kbstore.create_schema(user, user=True)
                    kbstore.set_meta(user, fingerprint=fp, created_at=kbstore.now())
                self._folder.reconcile()  # nothing is committed yet: pending folders go
                if restore:
                    self._corrections.restore()
                if self._folder.manifests():
                    rederive(self._conns, self._folder, fp, progress)
            else:
                self._folder.reconcile()
                if meta.get("fingerprint") != fp:
                    rederive(self._conns, self._folder, fp, progress)
        except (OSError, sqlite3.Error) as e:
            raise kbfile.kb_error("打开用户数据", user_path, e) from None

    def close(self) -> None:
        self._conns.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ reading (matcher.store.reader)

    def measures(self, include_internal: bool = True, include_hidden: bool = False) -> list[Measure]:
        """Every measure, seed then user, in document order, corrections applied.

        Loaded once and kept in memory; do not modify the objects returned.
        ``include_internal=False`` leaves out measures marked internal;
        ``include_hidden=True`` also returns measures the user hid.
        """
        return self._reader.measures(include_internal, include_hidden)

    @property
    def loaded(self) -> bool:
        """Whether every measure is held in memory (:meth:`measures` was called)."""
        return self._reader.loaded

    def get_measure(self, measure_id: str) -> Measure | None:
        """One measure by id (corrections applied; hidden ones too), or None.

        Read from SQLite when the measures are not all loaded (the matcher asks for the
        few it shows), so it never loads the whole KB."""
        return self._reader.get_measure(measure_id)

    def get_measures(self, measure_ids: Sequence[str]) -> dict[str, Measure]:
        """:meth:`get_measure` for several ids at once (one query): id → measure, for the
        ids that exist."""
        return self._reader.get_measures(measure_ids)

    def document_measures(self, doc_ids: Sequence[str]) -> dict[str, list[Measure]]:
        """doc_id → its measures in document order (corrections applied, hidden ones too),
        read for these documents only (indexed by doc_id), not the whole KB."""
        return self._reader.document_measures(doc_ids)

    def is_hidden(self, measure_id: str) -> bool:
        return self._reader.is_hidden(measure_id)

    def hidden_ids(self) -> set[str]:
        """The measures the user hid."""
        return set(self._reader.hidden_ids())

    def index_rows(self) -> list[IndexRow]:
        """What the matcher indexes (:class:`matcher.store.rows.IndexRow`): one lean row per
        measure, in the order and with the corrections of :meth:`measures`
        (``include_internal=True``; hidden measures left out).

        Read straight from SQLite without building :class:`Measure` objects, so that a KB
        of 100,000 measures fits in a few tens of megabytes; tag lists are shared tuples.
        Not kept: the matcher holds what it needs. Fetch a full measure with :meth:`get_measure`.
        """
        return self._reader.index_rows()

    def document_keys(self) -> list[tuple[int, str, int, str]]:
        """``(file, doc_id, rowid, content key)`` of every document (file 0 seed, 1 user),
        in the order added: what the segmented index keys its segments by."""
        return self._reader.document_keys()

    def file_rows(self, file: int, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """The rows ``sql`` selects from the seed KB (``file`` 0) or the user KB (1), as
        stored (no corrections): what a segment of the index is built from."""
        return self._reader.file_rows(file, sql, params)

    def index_rows_where(self, file: int, where: str, params: Sequence[object]) -> list[tuple[IndexRow, int, int]]:
        """(row, document rowid, measure rowid) of the measures of one file ``where`` selects,
        as stored, in document order (:meth:`Reader.index_rows_where`)."""
        return self._reader.index_rows_where(file, where, params)

    def correction_state(self) -> tuple[str, set[str], set[str]]:
        """(digest of the corrections, measures corrected, measures hidden)."""
        return self._reader.correction_state()

    def lean_rows(self, sql: str, lean: Callable[[tuple], R], full: Callable[[Measure], R]) -> dict[str, R]:
        """measure id → a light row for every measure ``sql`` (a SELECT over ``measures``)
        lists, its first column the id; seed then user, a user row winning, in document
        order, hidden ones left out: ``lean(row)`` for a measure as stored,
        ``full(measure)`` for one an officer corrected (read whole, corrections applied).
        What the index builder reads (:mod:`matcher.matching.tier_rows`)."""
        return self._reader.lean_rows(sql, lean, full)

    def documents(self, with_measures: bool = False) -> list[Document]:
        """Every document, seed then user, in the order added.

        ``with_measures=True`` fills ``Document.measures`` (corrections applied, hidden
        measures included).
        """
        return self._reader.documents(with_measures)

    def imported_at(self) -> dict[str, str]:
        """doc_id → when it was imported (ISO time), for every imported document."""
        return self._reader.imported_at()

    def document_counts(self) -> dict[str, tuple[int, int]]:
        """``{doc_id: (measures, internal ones)}`` counted in SQL, hidden measures included
        (as ``kb stats`` counts them), without reading a single measure."""
        return self._reader.document_counts()

    def counts(self) -> dict[str, Any]:
        """``{"documents": N, "measures": N, "version": "..."}`` (the ``kb`` part of a match answer)."""
        with self._conns.lock:
            r = self._reader
            return {"documents": r.count_documents(), "measures": r.count_measures(), "version": r.version()}

    @property
    def version(self) -> str:
        """Short identity of the KB's content, shown on exports: ``<fp8>[+<user4>]·<docs>/<measures>``."""
        return self._reader.version()

    def stamp(self) -> Stamp | None:
        """What the content is (:class:`Stamp`), for a cache derived from it; None when it
        cannot be known (a user KB the stamp triggers cannot be added to, e.g. in a
        read-only folder). Adds the triggers to a user KB written before they existed."""
        c = self._conns
        with c.lock:
            user = None
            if c.user is not None:
                try:
                    user = kbstore.read_stamp(c.user.conn)
                except sqlite3.Error:
                    return None
            meta = c.seed_meta
            return Stamp(meta.get("fingerprint", ""), meta.get("built_at", ""), c.seed_path, user)

    def stats(self) -> dict[str, Any]:
        """The shape of ``policydesk kb stats --format json`` (see docs/ARCHITECTURE.md)."""
        with self._conns.lock:
            docs = self.documents()
            tallies = self._reader.document_tallies()
            out = []
            total = 0
            for d in docs:
                n, internal, stated = tallies.get(d.doc_id, (0, 0, 0))
                total += n
                out.append(
                    {
                        "id": d.doc_id,
                        "district": d.district,
                        "title": d.title,
                        "issued": d.issued,
                        "measures": n,
                        "internal": internal,
                        "stated_offices": stated,
                        "repairs": dict(d.repairs),
                        "unrepaired": [s.model_dump() for s in d.unrepaired],
                        **document_fields(d),
                    }
                )
            return {"measures": total, "documents": out}

    # ------------------------------------------------------------ corrections (matcher.store.corrections)

    def corrections(self, measure_id: str | None = None) -> list[Correction]:
        """The user's corrections, oldest first: dicts with id, measure_id, kind, field, value, note, created_at."""
        return self._corrections.rows(measure_id)

    def add_correction(
        self, measure_id: str, kind: str, value: Any = None, *, field: str | None = None, note: str = ""
    ) -> int:
        """Record a correction of one measure; returns its id.

        ``kind`` is one of :data:`~matcher.store.corrections.CORRECTION_KINDS`:
        ``offices`` (value: list of office names), ``add_tag``/``remove_tag`` (field: one
        of :data:`~matcher.store.kbstore.TAG_FIELDS`, value: the tag), ``hide``/``unhide``
        (no value), ``internal`` (value: bool). Corrections are kept apart from the
        documents and applied on read, so they survive rebuilds.
        """
        return self._corrections.add(measure_id, kind, value, field=field, note=note)

    def remove_correction(self, correction_id: int) -> None:
        """Undo one correction by its id."""
        self._corrections.remove(correction_id)

    # ------------------------------------------------------------ history (matcher.store.history)

    def as_of(self, moment: str) -> tuple[list[Measure], dict[str, Document]]:
        """The measures (hidden ones left out) and the documents the KB held at ``moment``
        (an ISO time), documents removed since read back from the KB history."""
        return self._history.as_of(moment)

    # ------------------------------------------------------------ imports (matcher.store.imports)

    def ingest(
        self,
        files: Sequence[str | Path],
        district: str | None = None,
        title: str | None = None,
        issued: str | None = None,
        progress: Progress | None = None,
        replace: bool = False,
        front: str = "cli",
    ) -> list[Document]:
        """Import document files into the user KB, all in one transaction.

        Each file is read (:func:`matcher.reading.readers.read_document`), repaired, parsed and
        enriched (:func:`matcher.reading.pipeline.build_document`). If any file is refused —
        unreadable, over a limit, not a policy document, already in the KB (same measures,
        whatever the format) unless ``replace`` — nothing is written and the
        :class:`BadInput` propagates. Returns the new documents with their measures.
        See :mod:`matcher.store.importfolder` for how a killed or concurrent import is made safe.
        """
        return self._importer.ingest(
            files, district=district, title=title, issued=issued, progress=progress, replace=replace, front=front
        )

    def remove_documents(self, doc_ids: Sequence[str]) -> list[Document]:
        """Remove imported documents, their measures, their stored copies and their
        corrections; returns the documents removed."""
        return self._importer.remove_documents(doc_ids)

    def remove_document(self, doc_id: str) -> None:
        """Remove an imported document, its measures, its stored copy and its corrections."""
        self._importer.remove_documents([doc_id])

    def clear_imports(self) -> int:
        """Remove every imported document and stored copy; returns how many documents."""
        return self._importer.clear()
