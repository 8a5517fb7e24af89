"""The import run: the user's document files into the user KB and ``imports/``, and their
removal. A file is read (with the limits of :mod:`matcher.reading.readers`), repaired,
parsed and enriched (:func:`matcher.reading.pipeline.build_document`); a document whose
measures are the same as a document already in the KB (text normalised: whatever the
format or encoding) is refused unless ``replace``; then all of them are committed at once
by the protocol of :mod:`matcher.store.importfolder`, so that a killed, concurrent or
repeated import never loses, duplicates or resurrects a document. What is replaced or
removed is first kept in the KB history (:mod:`matcher.store.history`).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from matcher.errors import BadInput
from matcher.models import Document
from matcher.store import kbstore
from matcher.store.connections import Connections
from matcher.store.corrections import Corrections
from matcher.store.history import History
from matcher.store.importfolder import REMOVING, ImportFolder, Staged, pause
from matcher.store.kbstore import T_DOCS, Progress, content_key, content_keys
from matcher.store.reader import Reader


class Importer:
    """The import part of a :class:`~matcher.store.kb.KnowledgeBase`."""

    def __init__(
        self, conns: Connections, folder: ImportFolder, reader: Reader, corrections: Corrections, history: History
    ):
        self._c = conns
        self._folder = folder
        self._read = reader
        self._corr = corrections
        self._history = history

    # ------------------------------------------------------------ import

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
        """See :meth:`matcher.store.kb.KnowledgeBase.ingest`. ``front``: who asks — ``cli`` or
        ``window``; the hints name that front end's own way to remove or replace a document
        (the window has no ``--replace``)."""
        from matcher.reading import pipeline  # the readers and parsers load when first needed
        from matcher.reading.readers import read_document

        c = self._c
        c.writable("导入文件")
        paths = [Path(f) for f in files]
        if not paths:
            raise BadInput("没有指定要导入的文件。")
        with c.lock, c.writer:
            pause("locked")
            self._folder.reconcile()
            c.changed()
            # what is already here, read from the documents tables only (never the measures):
            # the cost of an import does not grow with the KB
            docs = self._known_documents()
            by_sha: dict[str, Document] = {d.sha256: d for d in docs if d.sha256}
            by_key: dict[str, Document] = {k: d for d in docs if (k := d.content_key)}
            taken = {d.doc_id for d in docs}
            staged: list[Staged] = []
            replaced: dict[str, Document] = {}
            for i, f in enumerate(paths):
                if progress:
                    progress(i, len(paths), f"正在读取 {f.name}…")
                text = read_document(f)
                data = f.read_bytes()
                sha = kbstore.sha256_hex(data)
                if progress:
                    progress(i, len(paths), f"正在解析 {f.name}({len(text):,} 字)…")
                try:
                    doc = pipeline.build_document(
                        text,
                        source_file=f.name,
                        sha256=sha,
                        district=district,
                        title=title,
                        issued=issued,
                        source="user",
                    )
                except BadInput as e:
                    msg = str(e)
                    if front == "window":
                        msg = msg.replace(pipeline.DISTRICT_HINT, pipeline.DISTRICT_HINT_WINDOW)
                    raise BadInput(msg if str(f) in msg or f.name in msg else f"文件 {f}:{msg}") from None
                key = content_key(doc.measures)
                old = by_sha.get(sha) or by_key.get(key)
                if old is not None and old.doc_id not in replaced:
                    is_seed = old.source == "seed"
                    if not replace or is_seed:
                        same = "内容完全相同" if old.sha256 == sha else "措施内容相同(格式或编码不同)"
                        if old.doc_id in {s.doc.doc_id for s in staged}:
                            what, how = "同一次导入中的另一个文件", ""
                        elif is_seed:
                            what, how = "内置政策文件", "这份内置政策文件已在知识库中,无需再导入。"
                        else:
                            what, how = "已导入的文件", _replace_hint(old, front)
                        # the window names a document by its title only (it shows no ids)
                        ref = "" if front == "window" else f",编号 {old.doc_id}"
                        raise BadInput(f"文件 {f} 与{what}《{old.title}》({old.district}{ref}){same},未重复导入。{how}")
                    replaced[old.doc_id] = old
                    new_id = old.doc_id
                else:
                    same_title = [
                        d
                        for d in by_sha.values()
                        if (d.district, d.title) == (doc.district, doc.title) and d.doc_id not in replaced
                    ]
                    if same_title:
                        c.notices.append(_same_title_notice(doc, same_title[0], front))
                    new_id = kbstore.unique_id(doc.doc_id, taken)
                doc = kbstore.reid(doc, new_id, "user")
                taken.add(doc.doc_id)
                by_sha[sha] = doc
                by_key[key] = doc
                options = {"district": district, "title": title, "issued": issued}
                staged.append(Staged(doc, f.name, _bytes(data), {"original_path": str(f.resolve()), **options}))
            if progress:
                n = sum(len(s.doc.measures) for s in staged)
                progress(len(paths), len(paths), f"正在写入知识库({n} 条措施)…")
            # the replaced documents whole, as the history keeps them
            gone = [self._read.document(d.doc_id) or d if isinstance(d, _Known) else d for d in replaced.values()]
            records = self._before_removing(gone)
            self._folder.commit(staged, gone, action="导入文件")
            self._remember(records)
            c.changed()
            self._corr.mirror()
            for d in gone:
                c.notices.append(f"已用新文件替换 {d.doc_id}《{d.title}》。")
            return [s.doc for s in staged]

    def _known_documents(self) -> list[_Known]:
        """Every document (seed, then user) with the fields an import compares — id, district,
        title, source, sha256 and content key — from the documents tables alone."""
        out: list[_Known] = []
        for db in self._c.dbs():
            keys = content_keys(db)
            for doc_id, district, title, source, sha in db.execute(
                f"SELECT doc_id, district, title, source, sha256 FROM {T_DOCS} ORDER BY rowid"
            ).fetchall():
                out.append(
                    _Known.model_construct(
                        doc_id=doc_id,
                        district=district or "",
                        title=title or "",
                        source=source or "seed",
                        sha256=sha or "",
                        content_key=keys.get(doc_id),
                        source_file="",
                    )
                )
        return out

    def _before_removing(self, docs: list[Document]) -> bytes:
        """The history records of what is about to be removed or replaced (read now)."""
        return self._history.removed_records(docs, kbstore.now()) if docs else b""

    def _remember(self, records: bytes) -> None:
        """Once the removal has committed: its records appended to the KB history ("what
        changed since" still sees them); a history that cannot be written never undoes it."""
        if not records:
            return
        try:
            self._history.append(records)
        except OSError:
            self._c.notices.append("变更记录无法写入,“客户变化”可能看不到这次删除或替换。")

    # ------------------------------------------------------------ removal

    def remove_documents(self, doc_ids: Sequence[str], *, keep_corrections: bool = False) -> list[Document]:
        """Remove imported documents, their measures, their stored copies (and their corrections)."""
        c = self._c
        user, _imports_dir = c.writable("删除文件")
        with c.lock, c.writer:
            self._folder.reconcile()
            mine = {d.doc_id: d for d in self._read.documents() if d.source == "user"}
            docs: list[Document] = []
            for doc_id in doc_ids:
                if doc_id not in mine:
                    seed = any(True for _ in c.seed.query(f"SELECT 1 FROM {T_DOCS} WHERE doc_id = ?", [doc_id]))
                    known = "、".join(mine) or "(没有导入的文件)"
                    raise BadInput(
                        f"文件 {doc_id} 是内置政策文件,不能删除。"
                        if seed
                        else f"知识库中没有编号为 {doc_id} 的导入文件。已导入的文件:{known}。"
                    )
                docs.append(mine[doc_id])
            records = self._before_removing(docs)
            marks = []
            try:
                for d in docs:
                    folder = self._folder.folder(d.sha256) if d.sha256 else None
                    if folder is not None and folder.is_dir():
                        (folder / REMOVING).write_text("", encoding="utf-8")
                        marks.append(folder)
                with user.atomic():
                    for d in docs:
                        if not keep_corrections:
                            self._corr.delete_for_measures_of(d.doc_id)
                        kbstore.delete_document(user, d.doc_id)
            except (OSError, sqlite3.Error) as e:
                for folder in marks:
                    (folder / REMOVING).unlink(missing_ok=True)
                raise c.write_error("删除文件", e) from None
            self._remember(records)  # only now: the removal has committed
            for folder in marks:
                shutil.rmtree(folder, ignore_errors=True)
            c.changed()
            self._corr.mirror()
            return docs

    def clear(self) -> int:
        """Remove every imported document and every stored copy; returns how many documents."""
        docs = [d.doc_id for d in self._read.documents() if d.source == "user"]
        if docs:
            self.remove_documents(docs)
        with self._c.lock, self._c.writer:
            imports_dir = self._c.imports_dir
            if imports_dir is not None and imports_dir.is_dir():
                for folder in imports_dir.iterdir():
                    if folder.is_dir():
                        shutil.rmtree(folder, ignore_errors=True)
        return len(docs)


def _bytes(data: bytes) -> Callable[[], bytes]:
    return lambda: data


class _Known(Document):
    """A document already in the KB, as an import compares it: no measures loaded, its
    stored content key instead."""

    content_key: str | None = None


def _replace_hint(old: Document, front: str) -> str:
    """How to replace or remove an imported document, in the asking front end's own terms."""
    if front == "window":
        return f"如要用这个文件替换它,请先在“文件”菜单的“知识库中的文件…”中删除《{old.title}》,再导入这个文件。"
    return (
        f"如要用这个文件替换它,请在命令行导入时加 --replace;或先删除旧的(policydesk kb remove "
        f"{old.doc_id},或窗口“文件”菜单中的“知识库中的文件…”)。"
    )


def _same_title_notice(doc: Document, old: Document, front: str) -> str:
    """A new document titled like one already in the KB: maybe another version of it. A
    built-in (seed) document cannot be removed; a user document can, in the front end's way."""
    head = f"《{doc.title}》({doc.district})与知识库中已有的"
    ref = "" if front == "window" else f" {old.doc_id}"  # the window shows no document ids
    if old.source == "seed":
        return (
            f"{head}内置政策文件{ref}标题相同,可能是同一文件的另一个版本;内置文件已在知识库中,不能删除,两者都会保留。"
        )
    how = (
        "可以在“文件”菜单的“知识库中的文件…”中删除它"
        if front == "window"
        else f"可以用 policydesk kb remove {old.doc_id} 删除"
    )
    return f"{head}文件{ref}标题相同,可能是同一文件的另一个版本;如不需要,{how}。"
