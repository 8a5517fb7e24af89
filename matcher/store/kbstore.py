"""The knowledge base's storage: the SQLite schema, and how a document and its measures
become rows and rows become measures again; the stamp triggers; the clock (:func:`now`,
the one every stored time comes from); writing a whole seed-format file (:func:`build_file`).
The bottom of :mod:`matcher.store` after :mod:`matcher.store.kbfile`: every other store
module reads and writes rows through it, and it imports none of them.

Schema 4: ``meta`` (key, value), ``documents``, ``measures`` (one column per field of
:class:`~matcher.models.Measure`, lists and dicts as JSON) and, in the user KB,
``corrections``. No full-text index: search runs on the matcher's character index
(:mod:`matcher.store.rows`), so the FTS5/bigram tables of schema 3 are no longer built; a
file of an older schema is set aside and rebuilt (seed KB) or restored from the stored
imports (user KB). Schema 6: a measure's ``sentences`` are stored as offsets into its
``text`` (:func:`sentence_spans`), not as a second copy of the text.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import re
import sqlite3
import sys
import typing
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from matcher import __version__
from matcher.common import limits
from matcher.common.ids import rebase
from matcher.models import Document, Measure, Skipped, Spot
from matcher.store import kbfile

SCHEMA_VERSION = 6  # 3: measures carry conditions and entitlements (issue 10); 4: no full-text index (no reader);
# 5: every item has a role and an audience (issue 19); 6: a measure's sentences stored as offsets into its text
# (issue 24: the text was stored twice, as ``text`` and again as ``sentences``)
SEED_FILE = "seed_kb.sqlite"
USER_FILE = "user_kb.sqlite"
IMPORTS_DIR = "imports"

Progress = Callable[[int, int, str], None]
"""``progress(done, total, message)``; called from the thread doing the work."""

#: the tag lists of a measure (what a correction may add a tag to or take one from)
TAG_FIELDS = ("audiences", "categories", "industries", "areas")


T_DOCS = "documents"
T_MEASURES = "measures"
T_META = "meta"
T_CORR = "corrections"
_REQUIRED = (T_DOCS, T_MEASURES, T_META)

_DOC_JSON = ("repairs", "unrepaired")


def _measure_columns() -> tuple[dict[str, str], set[str], set[str]]:
    """Column types for Measure, derived from the model so new fields are stored too."""
    cols: dict[str, Any] = {}
    json_fields: set[str] = set()
    bool_fields: set[str] = set()
    for name, field in Measure.model_fields.items():
        ann = field.annotation
        origin = typing.get_origin(ann)
        if origin in (list, dict):
            cols[name] = str
            json_fields.add(name)
        elif ann is bool:
            cols[name] = int
            bool_fields.add(name)
        elif ann is int:
            cols[name] = int
        else:
            cols[name] = str
    return cols, json_fields, bool_fields


M_COLS, _M_JSON, _M_BOOL = _measure_columns()


# ---------------------------------------------------------------- low-level helpers


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def connect(path: Path) -> Database:
    con = sqlite3.connect(str(path), check_same_thread=False, timeout=limits.BUSY_TIMEOUT_SECONDS)
    db = Database(con)
    db.execute("PRAGMA foreign_keys = OFF")
    return db


def sentence_spans(text: str, sentences: Sequence[str]) -> list[int] | None:
    """Where each sentence is in ``text``, as ``[start, end, start, end, …]`` (each found
    after the one before it), or None when one is not a piece of the text in order (then the
    sentences are stored as they are). Schema 6 stores these offsets instead of the
    sentences, which repeat the text (issue 24)."""
    out: list[int] = []
    pos = 0
    for sent in sentences:
        at = text.find(sent, pos)
        if at < 0:
            return None
        pos = at + len(sent)
        out += (at, pos)
    return out


def sentences_from(text: str, stored: list[Any]) -> list[Any]:
    """The sentences of a stored ``sentences`` value: offsets (:func:`sentence_spans`)
    cut from the text, or the sentences themselves (stored so when they were not pieces
    of the text)."""
    if not stored or not isinstance(stored[0], int):
        return stored
    return [text[stored[k] : stored[k + 1]] for k in range(0, len(stored) - 1, 2)]


def _measure_row(m: Measure) -> dict[str, Any]:
    row = m.model_dump()
    spans = sentence_spans(m.text, m.sentences)
    if spans is not None:
        row["sentences"] = spans
    for k in _M_JSON:
        row[k] = json.dumps(row[k], ensure_ascii=False)
    for k in _M_BOOL:
        row[k] = int(bool(row[k]))
    return row


def _construct_direct(data: dict[str, Any], fields_set: frozenset[str]) -> Measure:
    """What ``Measure.model_construct`` does for complete data, minus its per-field loop."""
    m = Measure.__new__(Measure)
    object.__setattr__(m, "__dict__", data)
    object.__setattr__(m, "__pydantic_fields_set__", set(fields_set))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def _pick_constructor() -> Callable[[dict[str, Any], frozenset[str]], Measure]:
    probe = Measure(measure_id="a/1", doc_id="a", district="d", document="t", clause="1", text="x")
    data = probe.model_dump()
    try:
        direct = _construct_direct(dict(data), frozenset(data))
        if direct == probe and direct.model_dump() == data and direct.model_copy(update={"text": "y"}).text == "y":
            return _construct_direct
    except Exception:
        pass
    return lambda data, fields_set: Measure.model_construct(**data)


_construct = _pick_constructor()

_INTERNED = ("district", "document", "doc_id", "issued", "office_source", "source")


def measure_reader(columns: Sequence[str]) -> Callable[[tuple], Measure]:
    """A fast row → Measure converter for ``SELECT <columns> FROM measures``.

    All JSON columns of a row are decoded with one ``json.loads`` (joined into one
    array); repeated short strings (districts, tags, offices) are interned to save
    memory at 100,000 measures. Rows were written from valid models, so no validation.
    """
    fields = Measure.model_fields
    names = [c for c in columns if c in fields]
    json_idx = [i for i, c in enumerate(names) if c in _M_JSON]
    json_names = [names[i] for i in json_idx]
    plain = [(i, c) for i, c in enumerate(names) if c not in _M_JSON]
    defaults = {
        k: f.get_default(call_default_factory=True) for k, f in fields.items() if k not in names and not f.is_required()
    }
    missing_required = {k: "" for k, f in fields.items() if k not in names and f.is_required()}
    intern = sys.intern
    loads = json.loads

    tag_fields = {"path", "parents", "offices", "offices_lead", "offices_support", "offices_inferred", *TAG_FIELDS}
    field_set = frozenset(fields)
    has_sentences = "sentences" in json_names

    def read(row: tuple) -> Measure:
        data: dict[str, Any] = dict(defaults)
        data.update(missing_required)
        for i, c in plain:
            v = row[i]
            if c in _M_BOOL:
                v = bool(v)
            elif c in _INTERNED and isinstance(v, str):
                v = intern(v)
            if v is None and fields[c].is_required():
                v = ""
            data[c] = v
        if json_idx:
            decoded = loads("[" + ",".join(row[i] if row[i] is not None else "null" for i in json_idx) + "]")
            for c, v in zip(json_names, decoded):
                if v is None:
                    v = fields[c].get_default(call_default_factory=True)
                elif c in tag_fields and v:
                    v = [intern(x) if isinstance(x, str) else x for x in v]
                data[c] = v
            if has_sentences:
                data["sentences"] = sentences_from(data.get("text") or "", data["sentences"])
        return _construct(data, field_set)

    return read


@functools.lru_cache(maxsize=8)
def reader_for(columns: tuple[str, ...]) -> Callable[[tuple], Measure]:
    return measure_reader(columns)


#: what :meth:`KnowledgeBase.index_rows` reads: plain columns, then JSON ones decoded together
INDEX_ROW_SQL = (
    "SELECT m.measure_id, m.district, m.issued, m.[order], m.internal, m.star, m.title, m.text, "
    "m.audiences, m.categories, m.industries, m.areas, "
    "json_extract(m.evidence, '$.audience_mentions') "
    "FROM measures AS m LEFT JOIN documents AS d ON d.doc_id = m.doc_id "
    "ORDER BY d.rowid, m.[order], m.rowid"
)


def content_key_of_texts(texts: Sequence[str]) -> str:
    """:func:`content_key` of measure texts already in document order."""
    h = hashlib.sha256()
    for text in texts:
        h.update(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def content_key(measures: Sequence[Measure]) -> str:
    """A fingerprint of a document's measures (texts normalised: NFKC, no whitespace), the
    same for a GB18030 .txt and a .docx of the same text. Stored with each document
    (``documents.content_key``), so an import finds a duplicate without reading the KB."""
    return content_key_of_texts([m.text for m in sorted(measures, key=lambda m: m.order)])


def content_keys(db: Database) -> dict[str, str]:
    """doc_id → content key of every document of ``db`` that has measures: the stored keys;
    a document written before keys were stored is keyed from its measure texts (indexed
    by doc_id) and the key written back when the file is writable (the caller holds the
    writer lock for a user KB)."""
    cols = {r[1] for r in db.execute(f"PRAGMA table_info({T_DOCS})").fetchall()}
    if "content_key" in cols:
        rows = db.execute(f"SELECT doc_id, content_key FROM {T_DOCS}").fetchall()
    else:
        rows = [(r[0], None) for r in db.execute(f"SELECT doc_id FROM {T_DOCS}").fetchall()]
    out: dict[str, str] = {}
    missing: dict[str, str] = {}
    for doc_id, key in rows:
        if not key:
            texts = [
                r[0] or ""
                for r in db.execute(
                    f"SELECT text FROM {T_MEASURES} WHERE doc_id = ? ORDER BY [order], rowid", [doc_id]
                ).fetchall()
            ]
            if not texts:
                continue
            key = missing[doc_id] = content_key_of_texts(texts)
        out[doc_id] = key
    if missing:
        try:
            with db.atomic():
                if "content_key" not in cols:
                    db.execute(f"ALTER TABLE {T_DOCS} ADD COLUMN content_key TEXT")
                db.conn.executemany(
                    f"UPDATE {T_DOCS} SET content_key = ? WHERE doc_id = ?", [(k, d) for d, k in missing.items()]
                )
        except sqlite3.Error:
            pass  # read-only: computed again next time
    return out


def _doc_row(d: Document, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    row = d.model_dump(exclude={"measures"})
    row["repairs"] = json.dumps(row["repairs"], ensure_ascii=False)
    row["unrepaired"] = json.dumps(row["unrepaired"], ensure_ascii=False)
    row["skipped"] = json.dumps(row["skipped"], ensure_ascii=False)
    row["numbering"] = json.dumps(row["numbering"], ensure_ascii=False)
    row["measure_count"] = len(d.measures)
    row["content_key"] = content_key(d.measures) if d.measures else None
    row.update(extra or {})
    return row


def row_doc(row: dict[str, Any]) -> Document:
    return Document(
        doc_id=row["doc_id"],
        district=row["district"],
        level=row.get("level") or "区级",
        title=row["title"],
        issued=row.get("issued"),
        issuer=row.get("issuer"),
        doc_number=row.get("doc_number"),
        valid_from=row.get("valid_from"),
        valid_until=row.get("valid_until"),
        skipped=[Skipped(**s) for s in json.loads(row.get("skipped") or "[]")],
        numbering=json.loads(row.get("numbering") or "[]"),
        source_file=row.get("source_file") or "",
        sha256=row.get("sha256") or "",
        source=row.get("source") or "seed",
        repairs=json.loads(row.get("repairs") or "{}"),
        unrepaired=[Spot(**s) for s in json.loads(row.get("unrepaired") or "[]")],
    )


def create_schema(db: Database, *, user: bool) -> None:
    db.table(T_META).create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db.table(T_DOCS).create(
        {
            "doc_id": str,
            "district": str,
            "level": str,
            "title": str,
            "issued": str,
            "issuer": str,
            "doc_number": str,
            "valid_from": str,
            "valid_until": str,
            "source_file": str,
            "sha256": str,
            "source": str,
            "repairs": str,
            "unrepaired": str,
            "skipped": str,
            "numbering": str,
            "measure_count": int,
            "stored_file": str,
            "imported_at": str,
            "content_key": str,
        },
        pk="doc_id",
        if_not_exists=True,
    )
    cols = dict(M_COLS)
    db.table(T_MEASURES).create(cols, pk="measure_id", if_not_exists=True)
    db.table(T_MEASURES).create_index(["doc_id"], if_not_exists=True)
    db.table(T_MEASURES).create_index(["district"], if_not_exists=True)
    if user:
        db.table(T_CORR).create(
            {"id": int, "measure_id": str, "kind": str, "field": str, "value": str, "note": str, "created_at": str},
            pk="id",
            if_not_exists=True,
        )
        db.table(T_CORR).create_index(["measure_id"], if_not_exists=True)
        _add_stamp_triggers(db.conn)  # the caller holds the transaction
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# The KB stamp: a counter in ``meta`` that triggers bump inside the very transaction that
# changes documents, measures or corrections (no write path can forget it), and a random
# epoch set when the triggers are added (a restored or recreated file starts a new one).
# The stored match index (matcher.matching.stored_index) is trusted only under the same stamp.
STAMP_KEY = "kb_stamp"
EPOCH_KEY = "kb_stamp_epoch"
_STAMPED = (T_DOCS, T_MEASURES, T_CORR)


def _stamp_triggers() -> list[tuple[str, str]]:
    out = []
    for t in _STAMPED:
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = f"pd_stamp_{t}_{op.lower()}"
            out.append(
                (
                    name,
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {op} ON {t} BEGIN "
                    f"UPDATE {T_META} SET value = CAST(value AS INTEGER) + 1 WHERE key = '{STAMP_KEY}'; END",
                )
            )
    return out


def has_stamp_triggers(conn: sqlite3.Connection) -> bool:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return (
        all(n in names for n, _sql in _stamp_triggers())
        and conn.execute(f"SELECT COUNT(*) FROM {T_META} WHERE key IN (?, ?)", [STAMP_KEY, EPOCH_KEY]).fetchone()[0]
        == 2
    )


def ensure_stamp_triggers(conn: sqlite3.Connection) -> None:
    """Add the stamp triggers and counter to a user KB that lacks them (old files too)."""
    if has_stamp_triggers(conn):
        return
    with conn:
        _add_stamp_triggers(conn)


def read_stamp(conn: sqlite3.Connection) -> tuple[str, str]:
    """The user KB's stamp ``(epoch, counter)``, the triggers added first if the file lacks
    them. Raises :class:`sqlite3.Error` when they cannot be (a read-only folder)."""
    ensure_stamp_triggers(conn)
    got = dict(conn.execute(f"SELECT key, value FROM {T_META} WHERE key IN (?, ?)", [STAMP_KEY, EPOCH_KEY]).fetchall())
    return str(got.get(EPOCH_KEY, "")), str(got.get(STAMP_KEY, ""))


def _add_stamp_triggers(conn: sqlite3.Connection) -> None:
    import uuid

    conn.execute(f"INSERT OR IGNORE INTO {T_META} (key, value) VALUES (?, '0')", [STAMP_KEY])
    conn.execute(f"INSERT OR REPLACE INTO {T_META} (key, value) VALUES (?, ?)", [EPOCH_KEY, uuid.uuid4().hex])
    for _name, sql in _stamp_triggers():
        conn.execute(sql)


def write_documents(db: Database, docs: Sequence[Document], extra: dict[str, dict[str, Any]] | None = None) -> None:
    """Insert documents and their measures (caller holds the transaction)."""
    extra = extra or {}
    # alter: a file written before a column was added (content_key) gains it
    db.table(T_DOCS).insert_all((_doc_row(d, extra.get(d.doc_id)) for d in docs), batch_size=200, alter=True)
    ms = [m for d in docs for m in d.measures]
    db.table(T_MEASURES).insert_all((_measure_row(m) for m in ms), batch_size=500)


def delete_document(db: Database, doc_id: str) -> None:
    """Delete one document's rows and its measures' (caller holds the transaction)."""
    db.execute(f"DELETE FROM {T_DOCS} WHERE doc_id = ?", [doc_id])
    db.execute(f"DELETE FROM {T_MEASURES} WHERE doc_id = ?", [doc_id])


def set_meta(db: Database, **values: str) -> None:
    db.table(T_META).upsert_all([{"key": k, "value": v} for k, v in values.items()], pk="key")


def get_meta(db: Database) -> dict[str, str]:
    return {r["key"]: r["value"] for r in db.query(f"SELECT key, value FROM {T_META}")}


def check_file(path: Path, *, user: bool = False) -> tuple[str, dict[str, str]]:
    """('ok'|'missing'|'corrupt'|'old'|'busy', meta) for a KB file; never raises on damage."""
    need = set(_REQUIRED) | ({T_CORR} if user else set())
    return kbfile.check_file(path, required=need, schema_version=SCHEMA_VERSION)


def build_file(path: Path, docs: Sequence[Document], meta: dict[str, str]) -> None:
    """Write a complete seed-format KB to ``path`` via a temporary file."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        if tmp.exists():
            tmp.unlink()
        db = connect(tmp)
        try:
            with db.atomic():
                create_schema(db, user=False)
                write_documents(db, docs)
                set_meta(db, built_at=now(), version=__version__, schema=str(SCHEMA_VERSION), **meta)
        finally:
            db.close()
        kbfile.remove_sidecars(path)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as e:
        try:
            if tmp.exists():
                tmp.unlink()
        except OSError:
            pass
        raise kbfile.kb_error("生成知识库", path, e) from None


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def reid(doc: Document, new_id: str, source: str) -> Document:
    """A copy of ``doc`` under another doc_id (measure ids follow), marked ``source``."""
    old = doc.doc_id
    measures = []
    for m in doc.measures:
        mid = rebase(m.measure_id, old, new_id)
        measures.append(m.model_copy(update={"measure_id": mid, "doc_id": new_id, "source": source}))
    return doc.model_copy(update={"doc_id": new_id, "source": source, "measures": measures})


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
