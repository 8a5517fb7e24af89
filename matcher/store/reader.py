"""Reading the knowledge base: measures and documents as the matcher, the window and the
CLI see them — seed then user (a user row wins), in document order, the user's
corrections applied (:func:`matcher.store.corrections.apply_corrections`).

Two ways to read, and :class:`Reader` picks: every measure loaded once into memory
(:meth:`Reader.measures`, kept until the content changes), or straight from SQLite for the
few a caller asks for (:meth:`Reader.get_measures`, :meth:`Reader.document_measures`) and
as lean rows for the index (:meth:`Reader.index_rows`, :meth:`Reader.lean_rows`), so that
a KB of 100,000 measures is never loaded whole to be matched.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlite_utils import Database

from matcher.models import Document, Measure
from matcher.store.connections import Connections
from matcher.store.corrections import Correction, Corrections, apply_corrections
from matcher.store.kbstore import INDEX_ROW_SQL, T_DOCS, T_MEASURES, measure_reader, reader_for, row_doc
from matcher.store.rows import IndexRow

R = TypeVar("R")


class Reader:
    """The reading part of a :class:`~matcher.store.kb.KnowledgeBase` (thread-safe: every
    method holds the connections' lock)."""

    def __init__(self, conns: Connections, corrections: Corrections):
        self._c = conns
        self._corr = corrections
        self._cache: dict[tuple[bool, bool], list[Measure]] = {}
        self._by_id: dict[str, Measure] | None = None
        self._hidden: set[str] = set()
        conns.on_change(self.forget)

    def forget(self) -> None:
        self._by_id = None
        self._cache.clear()

    @property
    def loaded(self) -> bool:
        """Whether every measure is held in memory (:meth:`measures` was called)."""
        return self._by_id is not None

    # ------------------------------------------------------------ every measure, in memory

    def _load(self) -> None:
        if self._by_id is not None:
            return
        by_mid = self._corr.by_measure()
        hidden: set[str] = set()
        out: dict[str, Measure] = {}
        for db in self._c.dbs():
            cur = db.execute(
                f"SELECT m.* FROM {T_MEASURES} AS m LEFT JOIN {T_DOCS} AS d ON d.doc_id = m.doc_id "
                f"ORDER BY d.rowid, m.[order], m.rowid"
            )
            read = measure_reader([c[0] for c in cur.description])
            while True:
                batch = cur.fetchmany(2000)
                if not batch:
                    break
                for row in batch:
                    m = read(row)
                    cs = by_mid.get(m.measure_id)
                    if cs:
                        m, is_hidden = apply_corrections(m, cs)
                        if is_hidden:
                            hidden.add(m.measure_id)
                    out[m.measure_id] = m
        self._by_id = out
        self._hidden = hidden

    def measures(self, include_internal: bool = True, include_hidden: bool = False) -> list[Measure]:
        """Every measure, seed then user, in document order, corrections applied (loaded
        once and kept; do not modify the objects returned)."""
        key = (include_internal, include_hidden)
        with self._c.lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            try:
                self._load()
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
            assert self._by_id is not None
            ms = [
                m
                for m in self._by_id.values()
                if (include_internal or not m.internal) and (include_hidden or m.measure_id not in self._hidden)
            ]
            self._cache[key] = ms
            return ms

    def hidden_ids(self) -> set[str]:
        """Measures the user hid (of those held, once loaded; from the corrections, until then)."""
        if self._by_id is not None:
            return self._hidden
        return self._corr.hidden()

    # ------------------------------------------------------------ a few measures, from SQLite

    def _read_measures(self, ids: Sequence[str], corr: dict[str, list[Correction]]) -> dict[str, Measure]:
        out: dict[str, Measure] = {}
        for db in self._c.dbs():  # seed, then user: as in _load, a user row wins
            for i in range(0, len(ids), 500):
                chunk = list(ids[i : i + 500])
                _read_corrected(
                    db,
                    f"SELECT * FROM {T_MEASURES} WHERE measure_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                    corr,
                    out,
                )
        return out

    def get_measure(self, measure_id: str) -> Measure | None:
        """One measure by id (corrections applied; hidden ones too), or None; read from
        SQLite when the measures are not all loaded."""
        with self._c.lock:
            if self._by_id is not None:
                return self._by_id.get(measure_id)
            try:
                return self._read_measures([measure_id], self._corr.by_measure()).get(measure_id)
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    def get_measures(self, measure_ids: Sequence[str]) -> dict[str, Measure]:
        """:meth:`get_measure` for several ids at once: id → measure, for the ids that exist."""
        with self._c.lock:
            if self._by_id is not None:
                return {i: self._by_id[i] for i in measure_ids if i in self._by_id}
            try:
                return self._read_measures(list(dict.fromkeys(measure_ids)), self._corr.by_measure())
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    def raw_measures(self, measure_ids: Sequence[str]) -> dict[str, Measure]:
        """Measures as their documents give them, without corrections (read from SQLite)."""
        with self._c.lock:
            return self._read_measures(list(measure_ids), {})

    def document_measures(self, doc_ids: Sequence[str]) -> dict[str, list[Measure]]:
        """doc_id → its measures in document order (corrections applied, hidden ones too),
        read for these documents only (indexed by doc_id), not the whole KB."""
        with self._c.lock:
            if self._by_id is not None:
                want = set(doc_ids)
                out: dict[str, list[Measure]] = {}
                for m in self._by_id.values():
                    if m.doc_id in want:
                        out.setdefault(m.doc_id, []).append(m)
                return out
            corr = self._corr.by_measure()
            found: dict[str, Measure] = {}
            try:
                for db in self._c.dbs():  # seed, then user: a user row wins
                    for doc_id in dict.fromkeys(doc_ids):
                        _read_corrected(
                            db,
                            f"SELECT * FROM {T_MEASURES} WHERE doc_id = ? ORDER BY [order], rowid",
                            [doc_id],
                            corr,
                            found,
                        )
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
            out = {}
            for m in found.values():
                out.setdefault(m.doc_id, []).append(m)
            return out

    def is_hidden(self, measure_id: str) -> bool:
        with self._c.lock:
            if self._by_id is None and self.get_measure(measure_id) is None:
                return False
            return measure_id in self.hidden_ids()

    # ------------------------------------------------------------ lean rows, for the index

    def lean_rows(self, sql: str, lean: Callable[[tuple], R], full: Callable[[Measure], R]) -> dict[str, R]:
        """measure id → a light row for every measure ``sql`` lists (its first column the
        id; seed then user, a user row winning, in document order, hidden ones left out):
        ``lean(row)`` for a measure as stored, ``full(measure)`` for one an officer
        corrected (read whole, corrections applied)."""
        with self._c.lock:
            by_mid = self._corr.by_measure()
            hidden = self.hidden_ids()
            out: dict[str, R] = {}
            for db in self._c.dbs():
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
                            m = self._read_measures([mid], by_mid).get(mid)
                            if m is not None:
                                out[mid] = full(m)
                            continue
                        out[mid] = lean(row)
            return out

    def index_rows(self) -> list[IndexRow]:
        """What the matcher indexes: one :class:`IndexRow` per measure, in the order and
        with the corrections of :meth:`measures` (internal ones in, hidden ones out), read
        without building :class:`Measure` objects; tag lists are shared tuples."""
        with self._c.lock:
            try:
                if self._by_id is not None:
                    return [IndexRow.of(m) for m in self.measures(include_internal=True)]
                return list(self.lean_rows(INDEX_ROW_SQL, _lean_index_row(), IndexRow.of).values())
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    # ------------------------------------------------------------ for the segmented index

    def document_keys(self) -> list[tuple[int, str, int, str]]:
        """``(file, doc_id, rowid, content key)`` of every document, seed (file 0) then user
        (file 1), in the order added: what identifies a document's version to the index
        (a replaced document is deleted and inserted again, under a new rowid)."""
        with self._c.lock:
            out: list[tuple[int, str, int, str]] = []
            try:
                for k, db in enumerate((self._c.seed, self._c.user)):
                    if db is None:
                        continue
                    cols = {c.name for c in db.table(T_DOCS).columns}
                    ck = "content_key" if "content_key" in cols else "''"
                    for rowid, doc_id, key in db.execute(f"SELECT rowid, doc_id, {ck} FROM {T_DOCS} ORDER BY rowid"):
                        out.append((k, doc_id, int(rowid), key or ""))
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
            return out

    def file_rows(self, file: int, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """The rows ``sql`` selects from one file (0 the seed KB, 1 the user KB) as stored,
        without corrections; [] when that file is not open."""
        with self._c.lock:
            db = (self._c.seed, self._c.user)[file]
            if db is None:
                return []
            try:
                return db.execute(sql, list(params)).fetchall()
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    def index_rows_where(self, file: int, where: str, params: Sequence[object]) -> list[tuple[IndexRow, int, int]]:
        """The :class:`IndexRow` of each measure of one file that ``where`` (over ``m``, the
        measures, and ``d``, their documents) selects, as stored (no corrections), in
        document order, each with its document's rowid (-1: none) and its own rowid."""
        sql = INDEX_ROW_SQL.replace(" ORDER BY ", f" WHERE {where} ORDER BY ")
        keys = self.file_rows(
            file,
            f"SELECT COALESCE(d.rowid, -1), m.rowid FROM {T_MEASURES} AS m "
            f"LEFT JOIN {T_DOCS} AS d ON d.doc_id = m.doc_id WHERE {where} ORDER BY d.rowid, m.[order], m.rowid",
            params,
        )
        lean = _lean_index_row()
        rows = [lean(r) for r in self.file_rows(file, sql, params)]
        return [(r, int(k[0]), int(k[1])) for r, k in zip(rows, keys, strict=True)]

    def correction_state(self) -> tuple[str, set[str], set[str]]:
        """(a digest of every correction, the measures corrected, the measures hidden)."""
        with self._c.lock:
            by_mid = self._corr.by_measure()
            h = hashlib.sha256()
            for mid in sorted(by_mid):
                for c in by_mid[mid]:
                    h.update(json.dumps(dict(c), ensure_ascii=False, sort_keys=True, default=str).encode())
            return h.hexdigest()[:32], set(by_mid), set(self._corr.hidden())

    # ------------------------------------------------------------ documents and counts

    def documents(self, with_measures: bool = False) -> list[Document]:
        """Every document, seed then user, in the order added (``with_measures``: with
        their measures, corrections applied, hidden ones included)."""
        with self._c.lock:
            docs: list[Document] = []
            try:
                for db in self._c.dbs():
                    docs.extend(row_doc(r) for r in db.query(f"SELECT * FROM {T_DOCS} ORDER BY rowid"))
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
            if with_measures:
                by_doc: dict[str, list[Measure]] = {}
                for m in self.measures(include_hidden=True):
                    by_doc.setdefault(m.doc_id, []).append(m)
                docs = [d.model_copy(update={"measures": by_doc.get(d.doc_id, [])}) for d in docs]
            return docs

    def document(self, doc_id: str) -> Document | None:
        """One stored document (without its measures), the user's if both files hold it."""
        with self._c.lock:
            for db in reversed(self._c.dbs()):
                for row in db.query(f"SELECT * FROM {T_DOCS} WHERE doc_id = ?", [doc_id]):
                    return row_doc(row)
            return None

    def imported_at(self) -> dict[str, str]:
        """doc_id → when it was imported, for every document of the user KB."""
        with self._c.lock:
            user = self._c.user
            if user is None:
                return {}
            return {r[0]: r[1] or "" for r in user.execute(f"SELECT doc_id, imported_at FROM {T_DOCS}").fetchall()}

    def count_measures(self) -> int:
        """``len(self.measures(include_hidden=True))`` without loading them."""
        with self._c.lock:
            if self._by_id is not None:
                return len(self._by_id)
            try:
                return sum(
                    db.execute(f"SELECT count(DISTINCT measure_id) FROM {T_MEASURES}").fetchone()[0]
                    for db in self._c.dbs()
                )
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    def count_documents(self) -> int:
        """``len(self.documents())`` without reading them (every answer shows it)."""
        with self._c.lock:
            try:
                return sum(db.execute(f"SELECT count(*) FROM {T_DOCS}").fetchone()[0] for db in self._c.dbs())
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None

    def document_counts(self) -> dict[str, tuple[int, int]]:
        """``{doc_id: (measures, internal ones)}`` counted in SQL, hidden measures included."""
        out: dict[str, tuple[int, int]] = {}
        with self._c.lock:
            try:
                for db in self._c.dbs():
                    for doc_id, n, internal in db.execute(
                        f"SELECT doc_id, count(DISTINCT measure_id), sum(internal) FROM {T_MEASURES} GROUP BY doc_id"
                    ):
                        a, b = out.get(doc_id, (0, 0))
                        out[doc_id] = (a + int(n or 0), b + int(internal or 0))
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
        return out

    def document_tallies(self) -> dict[str, tuple[int, int, int]]:
        """``{doc_id: (measures, internal ones, ones with a stated office)}``, hidden measures
        included and corrections applied, as :meth:`documents` ``(with_measures=True)`` would
        count them — from three columns of each row; only a corrected measure is read whole
        (``kb stats`` had read every measure: 27 s and 1.5 GB at 100,000)."""
        with self._c.lock:
            by_mid = self._corr.by_measure()
            rows: dict[str, tuple[str, bool, bool]] = {}
            try:
                for db in self._c.dbs():
                    cur = db.execute(f"SELECT measure_id, doc_id, internal, office_source FROM {T_MEASURES}")
                    while batch := cur.fetchmany(4000):
                        for mid, doc_id, internal, source in batch:
                            rows[mid] = (doc_id, bool(internal), source == "stated")
            except sqlite3.Error as e:
                raise self._c.read_error(e) from None
            corrected = [mid for mid in by_mid if mid in rows]
            for mid, m in self._read_measures(corrected, by_mid).items():
                rows[mid] = (m.doc_id, m.internal, m.office_source == "stated")
            out: dict[str, tuple[int, int, int]] = {}
            for doc_id, internal, stated in rows.values():
                a, b, c = out.get(doc_id, (0, 0, 0))
                out[doc_id] = (a + 1, b + internal, c + stated)
            return out

    def version(self) -> str:
        """Short identity of the content, shown on exports: ``<fp8>[+<user4>]·<docs>/<measures>``."""
        with self._c.lock:
            fp = self._c.seed_meta.get("fingerprint", "")[:8] or "unknown"
            ndocs = self.count_documents()
            nmeas = self.count_measures()
            user = ""
            if self._c.user is not None:
                h = hashlib.sha1()
                for r in self._c.user.query(f"SELECT doc_id, sha256 FROM {T_DOCS} ORDER BY rowid"):
                    h.update(f"{r['doc_id']}:{r['sha256']};".encode())
                corrections = self._corr.rows()
                for c in corrections:  # what was corrected, not when or under which id
                    h.update(
                        json.dumps(
                            {k: c.get(k) for k in ("measure_id", "kind", "field", "value", "note")},
                            ensure_ascii=False,
                            sort_keys=True,
                        ).encode()
                    )
                if ndocs != len(list(self._c.seed.query(f"SELECT doc_id FROM {T_DOCS}"))) or corrections:
                    user = "+" + h.hexdigest()[:4]
            return f"{fp}{user}·{ndocs}/{nmeas}"


def _lean_index_row() -> Callable[[tuple], IndexRow]:
    """An :data:`~matcher.store.kbstore.INDEX_ROW_SQL` row → :class:`IndexRow`, sharing
    equal tag tuples and interning the short strings."""
    shared: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    share = shared.setdefault
    intern = sys.intern
    loads = json.loads

    def lean(row: tuple) -> IndexRow:
        mid, district, issued, order, internal, star, title, text, a, c, i, r, e = row
        aud, cat, ind, area, ment = loads(f"[{a or 'null'},{c or 'null'},{i or 'null'},{r or 'null'},{e or 'null'}]")
        audiences, categories, industries, areas = (
            share(t, t) for t in (tuple(map(intern, v)) if v else () for v in (aud, cat, ind, area))
        )
        mentions = tuple(ment) if ment else ()
        return IndexRow(
            mid,
            intern(district or ""),
            intern(issued or ""),
            order or 0,
            bool(internal),
            bool(star),
            audiences,
            categories,
            industries,
            areas,
            share(mentions, mentions),
            title or "",
            text or "",
        )

    return lean


def _read_corrected(
    db: Database, sql: str, args: list, corr: dict[str, list[Correction]], out: dict[str, Measure]
) -> None:
    """The measures ``sql`` selects (whole rows), each with its corrections applied, into
    ``out`` by id (a later database's row wins)."""
    cur = db.execute(sql, args)
    read = reader_for(tuple(c[0] for c in cur.description))
    for row in cur.fetchall():
        m = read(row)
        cs = corr.get(m.measure_id)
        if cs:
            m, _hidden = apply_corrections(m, cs)
        out[m.measure_id] = m
