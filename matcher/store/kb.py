"""The knowledge base: storage and reading (imports: matcher/store/imports.py; file health and
locks: matcher/store/kbfile.py; corrections: matcher/store/corrections.py; synthetic KBs:
matcher/synthetic.py).

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

The matcher works on :meth:`KnowledgeBase.measures`, loaded once into memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from matcher.common import paths
from matcher.errors import KBError, PolicyDeskError
from matcher.models import Document, Measure
from matcher.reading.meta import document_fields
from matcher.store import imports, kbfile
from matcher.store.corrections import CorrectionsMixin, _apply_corrections
from matcher.store.fingerprints import _code_hash, data_fingerprint, rules_fingerprint, seed_fingerprint  # noqa: F401
from matcher.store.kbstore import (
    _ROW_SQL,
    _T_DOCS,
    _T_MEASURES,
    IMPORTS_DIR,
    SEED_FILE,
    USER_FILE,
    Progress,
    _build_file,
    _check_file,
    _connect,
    _create_schema,
    _get_meta,
    _kb_error,
    _measure_reader,
    _now,
    _reader_for,
    _remove_sidecars,
    _row_doc,
    _set_aside,
    _set_meta,
)
from matcher.store.rows import IndexRow

# ---------------------------------------------------------------- the knowledge base


class KnowledgeBase(CorrectionsMixin):
    """Seed measures + user imports + the user's corrections, read as one collection.

    Open it with :meth:`open_default` (the app's own files, built or repaired as needed)
    or :meth:`open_path` (an existing KB file as is, e.g. a synthetic benchmark KB).
    A KnowledgeBase may be used from any one thread at a time (a lock guards it).

    Attributes:
        notices: messages for the user about what happened at open (a rebuild, a damaged
            file set aside), in Chinese.
    """

    def __init__(
        self,
        seed_path: Path,
        user_path: Path | None = None,
        *,
        imports_dir: Path | None = None,
        notices: list[str] | None = None,
    ):
        self.seed_path = Path(seed_path)
        self.user_path = Path(user_path) if user_path else None
        self.imports_dir = Path(imports_dir) if imports_dir else None
        self.notices: list[str] = list(notices or [])
        self._lock = threading.RLock()
        self._cache: dict[tuple[bool, bool], list[Measure]] = {}
        self._by_id: dict[str, Measure] | None = None
        self._hidden: set[str] = set()
        self._corr_by_mid: dict[str, list[dict[str, Any]]] | None = None
        self._writer = kbfile.WriterLock(self.imports_dir.parent if self.imports_dir else Path("."))
        try:
            self._seed = _connect(self.seed_path)
            self._user = _connect(self.user_path) if self.user_path else None
            self._seed_meta = _get_meta(self._seed)
        except sqlite3.Error as e:
            raise _kb_error("打开知识库", self.seed_path, e) from None

    # ------------------------------------------------------------ opening

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
            raise _kb_error("创建缓存文件夹", Path(str(getattr(e, "filename", "") or "缓存文件夹")), e) from None
        try:
            data = paths.data_dir()
        except OSError as e:
            raise _kb_error("创建数据文件夹", Path(str(getattr(e, "filename", "") or "数据文件夹")), e) from None
        if not os.access(cache, os.W_OK):
            seed_path = cache / SEED_FILE
            status, meta = _check_file(seed_path)
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
        status, _ = _check_file(p)
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
        status, meta = _check_file(seed_path)
        if status == "ok" and meta.get("fingerprint") == fp:
            return
        if status == "corrupt":
            aside = _set_aside(seed_path)
            notices.append(f"知识库文件已损坏,已移到 {aside.name},并已重新生成。")
        pre = paths.prebuilt_kb()
        if pre is not None:
            pstatus, pmeta = _check_file(pre)
            if pstatus == "ok" and pmeta.get("data_fingerprint") == data_fingerprint():
                try:
                    tmp = seed_path.with_name(f"{seed_path.name}.tmp-{os.getpid()}")
                    shutil.copyfile(pre, tmp)
                    db = _connect(tmp)
                    try:
                        with db.atomic():
                            _set_meta(db, fingerprint=fp, copied_from=str(pre))
                    finally:
                        db.close()
                    _remove_sidecars(seed_path)
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
        _build_file(
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
        self._writer = kbfile.WriterLock(user_path.parent)
        if not self._writer.acquire(wait=0):
            # another process is writing right now: open as it is, repair nothing
            status, _ = _check_file(user_path, user=True)
            if status not in ("ok", "busy"):
                raise KBError("另一个导入正在进行(另一个窗口或命令正在写入知识库),请等它完成后再试。")
            try:
                self._user = _connect(user_path)
                self.user_path = user_path
            except sqlite3.Error as e:
                raise _kb_error("打开用户数据", user_path, e) from None
            return
        try:
            self._ensure_user_locked(user_path, progress)
        finally:
            self._writer.release()

    def _ensure_user_locked(self, user_path: Path, progress: Progress | None) -> None:
        fp = rules_fingerprint()
        status, meta = _check_file(user_path, user=True)
        restore = False
        if status == "busy":
            raise KBError("另一个导入正在进行(另一个窗口或命令正在写入知识库),请等它完成后再试。")
        if status == "corrupt":
            aside = _set_aside(user_path)
            self.notices.append(
                f"用户数据文件已损坏,已移到 {aside.name};已从导入文件夹和更正记录中恢复导入的文件和更正。"
            )
            status, restore = "missing", True
        if status == "old":
            aside = _set_aside(user_path)
            self.notices.append(f"用户数据文件是旧版本格式,已移到 {aside.name} 并按新格式恢复。")
            status, restore = "missing", True
        try:
            self._user = _connect(user_path)
            self.user_path = user_path
            if status == "missing":
                with self._user.atomic():
                    _create_schema(self._user, user=True)
                    _set_meta(self._user, fingerprint=fp, created_at=_now())
                imports.reconcile(self)  # nothing is committed yet: pending folders go
                if restore:
                    self._restore_corrections()
                if self._manifests():
                    self._rederive_user(fp, progress)
            else:
                imports.reconcile(self)
                if meta.get("fingerprint") != fp:
                    self._rederive_user(fp, progress)
        except (OSError, sqlite3.Error) as e:
            raise _kb_error("打开用户数据", user_path, e) from None

    def close(self) -> None:
        with self._lock:
            for db in (self._seed, self._user):
                if db is not None:
                    db.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ reading

    def _dbs(self) -> list[Database]:
        return [db for db in (self._seed, self._user) if db is not None]

    def _load(self) -> None:
        if self._by_id is not None:
            return
        corrections = self.corrections()
        by_mid: dict[str, list[dict[str, Any]]] = {}
        for c in corrections:
            by_mid.setdefault(c["measure_id"], []).append(c)
        hidden: set[str] = set()
        out: dict[str, Measure] = {}
        for db in self._dbs():
            cur = db.execute(
                f"SELECT m.* FROM {_T_MEASURES} AS m LEFT JOIN {_T_DOCS} AS d ON d.doc_id = m.doc_id "
                f"ORDER BY d.rowid, m.[order], m.rowid"
            )
            read = _measure_reader([c[0] for c in cur.description])
            while True:
                batch = cur.fetchmany(2000)
                if not batch:
                    break
                for row in batch:
                    m = read(row)
                    cs = by_mid.get(m.measure_id)
                    if cs:
                        m, is_hidden = _apply_corrections(m, cs)
                        if is_hidden:
                            hidden.add(m.measure_id)
                    out[m.measure_id] = m
        self._by_id = out
        self._hidden = hidden

    def _invalidate(self) -> None:
        self._by_id = None
        self._corr_by_mid = None
        self._cache.clear()

    def _corrections_by_measure(self) -> dict[str, list[dict[str, Any]]]:
        """measure_id → its corrections, oldest first (kept until the KB changes)."""
        if self._corr_by_mid is None:
            by_mid: dict[str, list[dict[str, Any]]] = {}
            for c in self.corrections():
                by_mid.setdefault(c["measure_id"], []).append(c)
            self._corr_by_mid = by_mid
        return self._corr_by_mid

    def _hidden_ids(self) -> set[str]:
        """Measures the user hid (the last of their hide/unhide corrections is a hide)."""
        if self._by_id is not None:
            return self._hidden
        hidden: set[str] = set()
        for c in self.corrections():
            if c["kind"] == "hide":
                hidden.add(c["measure_id"])
            elif c["kind"] == "unhide":
                hidden.discard(c["measure_id"])
        return hidden

    def _read_measure(self, measure_id: str) -> Measure | None:
        """One measure straight from SQLite, corrections applied (hidden ones too)."""
        return self._read_measures([measure_id]).get(measure_id)

    def _read_measures(self, ids: Sequence[str]) -> dict[str, Measure]:
        corr = self._corrections_by_measure()
        out: dict[str, Measure] = {}
        for db in self._dbs():  # seed, then user: as in _load, a user row wins
            for i in range(0, len(ids), 500):
                chunk = list(ids[i : i + 500])
                _read_corrected(
                    db,
                    f"SELECT * FROM {_T_MEASURES} WHERE measure_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                    corr,
                    out,
                )
        return out

    def get_measures(self, measure_ids: Sequence[str]) -> dict[str, Measure]:
        """:meth:`get_measure` for several ids at once (one query): id → measure, for the
        ids that exist."""
        with self._lock:
            if self._by_id is not None:
                return {i: self._by_id[i] for i in measure_ids if i in self._by_id}
            try:
                return self._read_measures(list(dict.fromkeys(measure_ids)))
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None

    def index_rows(self) -> list[IndexRow]:
        """What the matcher indexes (:class:`matcher.store.rows.IndexRow`): one lean row per
        measure, in the order and with the corrections of :meth:`measures`
        (``include_internal=True``; hidden measures left out).

        Read straight from SQLite without building :class:`Measure` objects, so that a KB
        of 100,000 measures fits in a few tens of megabytes; tag lists are shared tuples.
        Not kept: the matcher holds what it needs. Fetch a full measure with :meth:`get_measure`.
        """
        with self._lock:
            try:
                if self._by_id is not None:
                    return [IndexRow.of(m) for m in self.measures(include_internal=True)]
                return self._read_rows()
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None

    def lean_rows(self, sql: str, lean: Callable[[tuple], Any], full: Callable[[Measure], Any]) -> dict[str, Any]:
        """measure id → a light row for every measure ``sql`` lists (its first column the
        id; seed then user, a user row winning, in document order, hidden ones left out):
        ``lean(row)`` for a measure as stored, ``full(measure)`` for one an officer
        corrected (read whole, corrections applied). Caller holds the lock."""
        by_mid = self._corrections_by_measure()
        hidden = self._hidden_ids()
        out: dict[str, Any] = {}
        for db in self._dbs():
            cur = db.execute(sql)
            while True:
                batch = cur.fetchmany(2000)
                if not batch:
                    break
                for row in batch:
                    mid = row[0]
                    if by_mid.get(mid):  # corrected: the full measure, then its row
                        if mid in hidden:
                            out.pop(mid, None)
                            continue
                        m = self._read_measure(mid)
                        if m is not None:
                            out[mid] = full(m)
                        continue
                    out[mid] = lean(row)
        return out

    def _read_rows(self) -> list[IndexRow]:
        shared: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
        share = shared.setdefault
        intern = sys.intern
        loads = json.loads

        def lean(row: tuple) -> IndexRow:
            mid, district, issued, order, internal, star, title, text, a, c, i, r, e = row
            aud, cat, ind, area, ment = loads(
                f"[{a or 'null'},{c or 'null'},{i or 'null'},{r or 'null'},{e or 'null'}]"
            )
            tags = [share(t, t) for t in (tuple(map(intern, v)) if v else () for v in (aud, cat, ind, area))]
            mentions = tuple(ment) if ment else ()
            return IndexRow(
                mid,
                intern(district or ""),
                intern(issued or ""),
                order or 0,
                bool(internal),
                bool(star),
                *tags,
                share(mentions, mentions),
                title or "",
                text or "",
            )

        return list(self.lean_rows(_ROW_SQL, lean, IndexRow.of).values())

    def measures(self, include_internal: bool = True, include_hidden: bool = False) -> list[Measure]:
        """Every measure, seed then user, in document order, corrections applied.

        Loaded once and kept in memory; do not modify the objects returned.
        ``include_internal=False`` leaves out measures marked internal;
        ``include_hidden=True`` also returns measures the user hid.
        """
        key = (include_internal, include_hidden)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            try:
                self._load()
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None
            assert self._by_id is not None
            ms = [
                m
                for m in self._by_id.values()
                if (include_internal or not m.internal) and (include_hidden or m.measure_id not in self._hidden)
            ]
            self._cache[key] = ms
            return ms

    def get_measure(self, measure_id: str) -> Measure | None:
        """One measure by id (corrections applied; hidden ones too), or None.

        Read from SQLite when the measures are not all loaded (the matcher asks for the
        few it shows), so it never loads the whole KB."""
        with self._lock:
            if self._by_id is not None:
                return self._by_id.get(measure_id)
            try:
                return self._read_measure(measure_id)
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None

    def document_measures(self, doc_ids: Sequence[str]) -> dict[str, list[Measure]]:
        """doc_id → its measures in document order (corrections applied, hidden ones too),
        read for these documents only (indexed by doc_id), not the whole KB."""
        with self._lock:
            if self._by_id is not None:
                want = set(doc_ids)
                out: dict[str, list[Measure]] = {}
                for m in self._by_id.values():
                    if m.doc_id in want:
                        out.setdefault(m.doc_id, []).append(m)
                return out
            corr = self._corrections_by_measure()
            found: dict[str, Measure] = {}
            try:
                for db in self._dbs():  # seed, then user: a user row wins
                    for doc_id in dict.fromkeys(doc_ids):
                        _read_corrected(
                            db,
                            f"SELECT * FROM {_T_MEASURES} WHERE doc_id = ? ORDER BY [order], rowid",
                            [doc_id],
                            corr,
                            found,
                        )
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None
            out = {}
            for m in found.values():
                out.setdefault(m.doc_id, []).append(m)
            return out

    def is_hidden(self, measure_id: str) -> bool:
        with self._lock:
            if self._by_id is None and self.get_measure(measure_id) is None:
                return False
            return measure_id in self._hidden_ids()

    def _count_measures(self) -> int:
        """``len(self.measures(include_hidden=True))`` without loading them."""
        if self._by_id is not None:
            return len(self._by_id)
        try:
            return sum(
                db.execute(f"SELECT count(DISTINCT measure_id) FROM {_T_MEASURES}").fetchone()[0] for db in self._dbs()
            )
        except sqlite3.Error as e:
            raise _kb_error("读取知识库", self.seed_path, e) from None

    def _count_documents(self) -> int:
        """``len(self.documents())`` without reading them (every answer shows it)."""
        try:
            return sum(db.execute(f"SELECT count(*) FROM {_T_DOCS}").fetchone()[0] for db in self._dbs())
        except sqlite3.Error as e:
            raise _kb_error("读取知识库", self.seed_path, e) from None

    def documents(self, with_measures: bool = False) -> list[Document]:
        """Every document, seed then user, in the order added.

        ``with_measures=True`` fills ``Document.measures`` (corrections applied, hidden
        measures included).
        """
        with self._lock:
            docs: list[Document] = []
            try:
                for db in self._dbs():
                    docs.extend(_row_doc(r) for r in db.query(f"SELECT * FROM {_T_DOCS} ORDER BY rowid"))
            except sqlite3.Error as e:
                raise _kb_error("读取知识库", self.seed_path, e) from None
            if with_measures:
                by_doc: dict[str, list[Measure]] = {}
                for m in self.measures(include_hidden=True):
                    by_doc.setdefault(m.doc_id, []).append(m)
                docs = [d.model_copy(update={"measures": by_doc.get(d.doc_id, [])}) for d in docs]
            return docs

    def counts(self) -> dict[str, Any]:
        """``{"documents": N, "measures": N, "version": "..."}`` (the ``kb`` part of a match answer)."""
        with self._lock:
            return {"documents": self._count_documents(), "measures": self._count_measures(), "version": self.version}

    def stats(self) -> dict[str, Any]:
        """The shape of ``policydesk kb stats --format json`` (see docs/ARCHITECTURE.md)."""
        with self._lock:
            docs = self.documents(with_measures=True)
            out = []
            total = 0
            for d in docs:
                total += len(d.measures)
                out.append(
                    {
                        "id": d.doc_id,
                        "district": d.district,
                        "title": d.title,
                        "issued": d.issued,
                        "measures": len(d.measures),
                        "internal": sum(1 for m in d.measures if m.internal),
                        "stated_offices": sum(1 for m in d.measures if m.office_source == "stated"),
                        "repairs": dict(d.repairs),
                        "unrepaired": [s.model_dump() for s in d.unrepaired],
                        **document_fields(d),
                    }
                )
            return {"measures": total, "documents": out}

    @property
    def version(self) -> str:
        """Short identity of the KB's content, shown on exports: ``<fp8>[+<user4>]·<docs>/<measures>``."""
        with self._lock:
            fp = self._seed_meta.get("fingerprint", "")[:8] or "unknown"
            ndocs = self._count_documents()
            nmeas = self._count_measures()
            user = ""
            if self._user is not None:
                h = hashlib.sha1()
                for r in self._user.query(f"SELECT doc_id, sha256 FROM {_T_DOCS} ORDER BY rowid"):
                    h.update(f"{r['doc_id']}:{r['sha256']};".encode())
                for c in self.corrections():  # what was corrected, not when or under which id
                    h.update(
                        json.dumps(
                            {k: c.get(k) for k in ("measure_id", "kind", "field", "value", "note")},
                            ensure_ascii=False,
                            sort_keys=True,
                        ).encode()
                    )
                if ndocs != len(list(self._seed.query(f"SELECT doc_id FROM {_T_DOCS}"))) or self.corrections():
                    user = "+" + h.hexdigest()[:4]
            return f"{fp}{user}·{ndocs}/{nmeas}"

    # ------------------------------------------------------------ imports

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
        See :mod:`matcher.store.imports` for how a killed or concurrent import is made safe.
        """
        return imports.ingest(
            self, files, district=district, title=title, issued=issued, progress=progress, replace=replace, front=front
        )

    def remove_document(self, doc_id: str) -> None:
        """Remove an imported document, its measures, its stored copy and its corrections."""
        imports.remove_documents(self, [doc_id])

    def clear_imports(self) -> int:
        """Remove every imported document and stored copy; returns how many documents."""
        return imports.clear_imports(self)

    def _manifests(self) -> list[dict[str, Any]]:
        return imports.manifests(self)

    def _rederive_user(self, fp: str, progress: Progress | None) -> None:
        imports.rederive(self, fp, progress)


def _read_corrected(
    db: Database, sql: str, args: list, corr: dict[str, list[dict[str, Any]]], out: dict[str, Measure]
) -> None:
    """The measures ``sql`` selects (whole rows), each with its corrections applied, into
    ``out`` by id (a later database's row wins)."""
    cur = db.execute(sql, args)
    read = _reader_for(tuple(c[0] for c in cur.description))
    for row in cur.fetchall():
        m = read(row)
        cs = corr.get(m.measure_id)
        if cs:
            m, _hidden = _apply_corrections(m, cs)
        out[m.measure_id] = m
