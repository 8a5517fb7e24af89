"""The import run: user documents into the user KB and ``imports/``, so that a killed,
concurrent or repeated import never loses, duplicates or resurrects a document.

The protocol (every step under the data folder's :class:`~matcher.store.kbfile.WriterLock`):

1. **Reconcile** what an interrupted run left (:func:`reconcile`): a folder
   ``imports/<sha16>/`` whose manifest is still ``manifest.pending.json`` is kept (the
   pending manifest renamed ``manifest.json``) only if the user KB holds a document with
   its sha256 — i.e. the transaction committed; otherwise it is deleted. A folder marked
   ``remove.pending`` (a removal or replacement) is deleted if its document is gone from
   the KB, else the mark is dropped. Only committed manifests are ever re-derived, so a
   killed import never comes back.
2. **Stage**: read (with the limits of :mod:`matcher.reading.readers`), repair, parse, enrich.
   A document whose measures are the same as a document already in the KB (text
   normalised: whatever the format or encoding) is refused unless ``replace``.
3. **Write the copies** with a *pending* manifest; then **one DB transaction** (the
   replaced documents deleted, the new ones written); then the manifests made final.

``POLICYDESK_TEST_IMPORT_PAUSE=<seconds>`` makes a run sleep between steps (and spill its
transaction to disk early, as a large import does), so a test can kill it at any point;
unset (the default) it does nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.errors import BadInput, KBError, PolicyDeskError
from matcher.models import Document
from matcher.store.kbfile import kb_error
from matcher.store.kbstore import content_key

if TYPE_CHECKING:
    from matcher.store.kb import KnowledgeBase, Progress

MANIFEST = "manifest.json"
PENDING = "manifest.pending.json"
REMOVING = "remove.pending"


def _pause(step: str) -> None:
    """Test hook: when POLICYDESK_TEST_IMPORT_PAUSE is set, say which step was reached (on
    stderr) and sleep that many seconds; inert by default."""
    v = os.environ.get("POLICYDESK_TEST_IMPORT_PAUSE")
    if v:
        try:
            secs = float(v)
        except ValueError:
            return
        print(f"POLICYDESK_TEST_STEP {step}", file=sys.stderr, flush=True)
        time.sleep(secs)


def _folder(kb: KnowledgeBase, sha: str) -> Path:
    assert kb.imports_dir is not None
    return kb.imports_dir / sha[:16]


def _user_shas(kb: KnowledgeBase) -> set[str]:
    from matcher.store.kbstore import _T_DOCS

    assert kb._user is not None
    return {r[0] for r in kb._user.execute(f"SELECT sha256 FROM {_T_DOCS}").fetchall() if r[0]}


def reconcile(kb: KnowledgeBase) -> list[str]:
    """Finish or undo what an interrupted import or removal left in ``imports/`` (caller holds
    the writer lock and the user KB is healthy). Returns the folders deleted."""
    if kb.imports_dir is None or not kb.imports_dir.is_dir() or kb._user is None:
        return []
    shas = _user_shas(kb)
    gone = []
    for folder in sorted(p for p in kb.imports_dir.iterdir() if p.is_dir()):
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


def _manifest_sha(p: Path) -> str | None:
    try:
        return str(json.loads(p.read_text(encoding="utf-8")).get("sha256") or "") or None
    except (OSError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------- import


def ingest(
    kb: KnowledgeBase,
    files: Sequence[str | Path],
    district: str | None = None,
    title: str | None = None,
    issued: str | None = None,
    progress: Progress | None = None,
    replace: bool = False,
    front: str = "cli",
) -> list[Document]:
    """``front``: who asks — ``cli`` or ``window``; the hints name that front end's own way
    to remove or replace a document (the window has no ``--replace``)."""
    from matcher.reading import pipeline
    from matcher.reading.readers import read_document
    from matcher.store.kbstore import _reid, _sha256, _unique_id

    if kb._user is None or kb.imports_dir is None:
        raise KBError("这个知识库是只读打开的,不能导入文件。")
    paths = [Path(f) for f in files]
    if not paths:
        raise BadInput("没有指定要导入的文件。")
    with kb._lock, kb._writer:
        _pause("locked")
        reconcile(kb)
        kb._invalidate()
        # what is already here, read from the documents tables only (never the measures):
        # the cost of an import does not grow with the KB
        docs = _known_documents(kb)
        by_sha = {d.sha256: d for d in docs if d.sha256}
        by_key = {k: d for d in docs if (k := d.content_key)}
        taken = {d.doc_id for d in docs}
        staged: list[tuple[Path, bytes, Document]] = []
        replaced: dict[str, Document] = {}
        for i, f in enumerate(paths):
            if progress:
                progress(i, len(paths), f"正在读取 {f.name}…")
            text = read_document(f)
            data = f.read_bytes()
            sha = _sha256(data)
            if progress:
                progress(i, len(paths), f"正在解析 {f.name}({len(text):,} 字)…")
            try:
                doc = pipeline.build_document(
                    text, source_file=f.name, sha256=sha, district=district, title=title, issued=issued, source="user"
                )
            except BadInput as e:
                msg = str(e)
                raise BadInput(msg if str(f) in msg or f.name in msg else f"文件 {f}:{msg}") from None
            key = content_key(doc.measures)
            old = by_sha.get(sha) or by_key.get(key)
            if old is not None and old.doc_id not in replaced:
                is_seed = old.source == "seed"
                if not replace or is_seed:
                    same = "内容完全相同" if old.sha256 == sha else "措施内容相同(格式或编码不同)"
                    if old.doc_id in {d.doc_id for _, _, d in staged}:
                        what, how = "同一次导入中的另一个文件", ""
                    elif is_seed:
                        what, how = "内置政策文件", "这份内置政策文件已在知识库中,无需再导入。"
                    else:
                        what, how = "已导入的文件", _replace_hint(old.doc_id, front)
                    raise BadInput(
                        f"文件 {f} 与{what}《{old.title}》({old.district},编号 {old.doc_id}){same},未重复导入。{how}"
                    )
                replaced[old.doc_id] = old
                new_id = old.doc_id
            else:
                same_title = [
                    d
                    for d in by_sha.values()
                    if (d.district, d.title) == (doc.district, doc.title) and d.doc_id not in replaced
                ]
                if same_title:
                    kb.notices.append(_same_title_notice(doc, same_title[0], front))
                new_id = _unique_id(doc.doc_id, taken)
            doc = _reid(doc, new_id, "user")
            taken.add(doc.doc_id)
            by_sha[sha] = doc
            by_key[key] = doc
            staged.append((f, data, doc))
        if progress:
            n = sum(len(d.measures) for _, _, d in staged)
            progress(len(paths), len(paths), f"正在写入知识库({n} 条措施)…")
        replaced = {i: _full_document(kb, d) for i, d in replaced.items()}
        _remember(kb, list(replaced.values()))
        _commit(kb, staged, list(replaced.values()), {"district": district, "title": title, "issued": issued})
        kb._invalidate()
        kb._mirror_corrections()
        for old in replaced.values():
            kb.notices.append(f"已用新文件替换 {old.doc_id}《{old.title}》。")
        return [d for _, _, d in staged]


class _Known(Document):
    """A document already in the KB, as an import compares it: no measures loaded, its
    stored content key instead."""

    content_key: str | None = None


def _known_documents(kb: KnowledgeBase) -> list[Document]:
    """Every document (seed, then user) with the fields an import compares — id, district,
    title, source, sha256 and content key — from the documents tables alone."""
    from matcher.store.kbstore import _T_DOCS, content_keys

    out: list[Document] = []
    for db in kb._dbs():
        keys = content_keys(db)
        for doc_id, district, title, source, sha in db.execute(
            f"SELECT doc_id, district, title, source, sha256 FROM {_T_DOCS} ORDER BY rowid"
        ).fetchall():
            out.append(
                _Known.model_construct(
                    doc_id=doc_id,
                    district=district or "",
                    title=title or "",
                    source=source or "seed",
                    sha256=sha or "",
                    content_key=keys.get(doc_id),
                )
            )
    return out


def _full_document(kb: KnowledgeBase, doc: Document) -> Document:
    """The stored document ``doc`` names, as :meth:`KnowledgeBase.documents` reads it."""
    if not isinstance(doc, _Known):
        return doc
    from matcher.store.kbstore import _T_DOCS, _row_doc

    for db in reversed(kb._dbs()):
        for row in db.query(f"SELECT * FROM {_T_DOCS} WHERE doc_id = ?", [doc.doc_id]):
            return _row_doc(row)
    return doc


def _replace_hint(doc_id: str, front: str) -> str:
    """How to replace or remove an imported document, in the asking front end's own terms."""
    if front == "window":
        return f"如要用这个文件替换它,请先在“文件”菜单的“知识库中的文件…”中删除 {doc_id},再导入这个文件。"
    return (
        f"如要用这个文件替换它,请在命令行导入时加 --replace;或先删除旧的(policydesk kb remove "
        f"{doc_id},或窗口“文件”菜单中的“知识库中的文件…”)。"
    )


def _same_title_notice(doc: Document, old: Document, front: str) -> str:
    """A new document titled like one already in the KB: maybe another version of it. A
    built-in (seed) document cannot be removed; a user document can, in the front end's way."""
    head = f"《{doc.title}》({doc.district})与知识库中已有的"
    if old.source == "seed":
        return (
            f"{head}内置政策文件 {old.doc_id} 标题相同,可能是同一文件的另一个版本;"
            f"内置文件已在知识库中,不能删除,两者都会保留。"
        )
    how = (
        "可以在“文件”菜单的“知识库中的文件…”中删除它"
        if front == "window"
        else f"可以用 policydesk kb remove {old.doc_id} 删除"
    )
    return f"{head}文件 {old.doc_id} 标题相同,可能是同一文件的另一个版本;如不需要,{how}。"


def _remember(kb: KnowledgeBase, docs: list[Document]) -> None:
    """Keep what is about to be removed or replaced in the KB history (matcher.clients.changes:
    "what changed since" still sees it); a history that cannot be written never stops the run."""
    if not docs:
        return
    from matcher.store.history import record_removed
    from matcher.store.kbstore import _now

    try:
        record_removed(kb, docs, _now())
    except OSError:
        kb.notices.append("变更记录无法写入,“客户变化”可能看不到这次删除或替换。")


def _commit(
    kb: KnowledgeBase, staged: list[tuple[Path, bytes, Document]], replaced: list[Document], options: dict[str, Any]
) -> None:
    from matcher.store.kbstore import _atomic_write_text, _now, _write_documents

    assert kb._user is not None and kb.imports_dir is not None
    created: list[Path] = []  # folders this run made: the only ones its clean-up may delete
    pendings: list[Path] = []
    marks: list[Path] = []
    extra: dict[str, dict[str, Any]] = {}
    new_folders = {_folder(kb, d.sha256) for _, _, d in staged}
    try:
        for f, data, doc in staged:
            folder = _folder(kb, doc.sha256)
            if not folder.exists():
                folder.mkdir(parents=True)
                created.append(folder)
            stored = folder / f.name
            stored.write_bytes(data)
            manifest = {
                "file": f.name,
                "sha256": doc.sha256,
                "doc_id": doc.doc_id,
                "imported_at": _now(),
                "original_path": str(f.resolve()),
                **options,
            }
            _atomic_write_text(folder / PENDING, json.dumps(manifest, ensure_ascii=False, indent=1))
            pendings.append(folder / PENDING)
            extra[doc.doc_id] = {
                "stored_file": str(stored.relative_to(kb.imports_dir)),
                "imported_at": manifest["imported_at"],
            }
        for old in replaced:
            folder = _folder(kb, old.sha256)
            if folder.is_dir() and folder not in new_folders:
                (folder / REMOVING).write_text("", encoding="utf-8")
                marks.append(folder / REMOVING)
        _pause("staged")
        if os.environ.get("POLICYDESK_TEST_IMPORT_PAUSE"):
            # test hook: a tiny page cache spills the transaction to the file as a big import
            # does, so a kill inside it leaves a hot journal behind
            kb._user.execute("PRAGMA cache_size = 1")
        with kb._user.atomic():
            for old in replaced:
                _delete_rows(kb, old.doc_id)
            _write_documents(kb._user, [d for _, _, d in staged], extra)
            _pause("in-transaction")
    except (OSError, sqlite3.Error) as e:
        _undo(created, pendings, marks)
        raise kb_error("导入文件", kb.user_path or Path("user_kb"), e) from None
    except BaseException:
        _undo(created, pendings, marks)
        raise
    _pause("committed")
    for p in pendings:
        os.replace(p, p.with_name(MANIFEST))
    for m in marks:
        shutil.rmtree(m.parent, ignore_errors=True)


def _undo(created: list[Path], pendings: list[Path], marks: list[Path]) -> None:
    for folder in created:
        shutil.rmtree(folder, ignore_errors=True)
    for p in pendings + marks:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _delete_rows(kb: KnowledgeBase, doc_id: str) -> None:
    """Delete one document's rows (caller holds the transaction)."""
    from matcher.store.kbstore import _T_DOCS, _T_MEASURES

    assert kb._user is not None
    kb._user.execute(f"DELETE FROM {_T_DOCS} WHERE doc_id = ?", [doc_id])
    kb._user.execute(f"DELETE FROM {_T_MEASURES} WHERE doc_id = ?", [doc_id])


# ---------------------------------------------------------------- removal


def remove_documents(kb: KnowledgeBase, doc_ids: Sequence[str], *, keep_corrections: bool = False) -> list[Document]:
    """Remove imported documents, their measures, their stored copies (and their corrections)."""
    from matcher.store.kbstore import _T_CORR, _T_DOCS

    if kb._user is None or kb.imports_dir is None:
        raise KBError("这个知识库是只读打开的,不能删除文件。")
    with kb._lock, kb._writer:
        reconcile(kb)
        user = {d.doc_id: d for d in kb.documents() if d.source == "user"}
        docs: list[Document] = []
        for doc_id in doc_ids:
            if doc_id not in user:
                seed = any(True for _ in kb._seed.query(f"SELECT 1 FROM {_T_DOCS} WHERE doc_id = ?", [doc_id]))
                known = "、".join(user) or "(没有导入的文件)"
                raise BadInput(
                    f"文件 {doc_id} 是内置政策文件,不能删除。"
                    if seed
                    else f"知识库中没有编号为 {doc_id} 的导入文件。已导入的文件:{known}。"
                )
            docs.append(user[doc_id])
        _remember(kb, docs)
        marks = []
        try:
            for d in docs:
                folder = _folder(kb, d.sha256) if d.sha256 else None
                if folder is not None and folder.is_dir():
                    (folder / REMOVING).write_text("", encoding="utf-8")
                    marks.append(folder)
            with kb._user.atomic():
                for d in docs:
                    if not keep_corrections:
                        kb._user.execute(
                            f"DELETE FROM {_T_CORR} WHERE measure_id IN (SELECT measure_id FROM measures "
                            f"WHERE doc_id = ?)",
                            [d.doc_id],
                        )
                    _delete_rows(kb, d.doc_id)
        except (OSError, sqlite3.Error) as e:
            for folder in marks:
                (folder / REMOVING).unlink(missing_ok=True)
            raise kb_error("删除文件", kb.user_path or Path("user_kb"), e) from None
        for folder in marks:
            shutil.rmtree(folder, ignore_errors=True)
        kb._invalidate()
        kb._mirror_corrections()
        return docs


def clear_imports(kb: KnowledgeBase) -> int:
    """Remove every imported document and every stored copy; returns how many documents."""
    docs = [d.doc_id for d in kb.documents() if d.source == "user"]
    if docs:
        remove_documents(kb, docs)
    with kb._lock, kb._writer:
        if kb.imports_dir is not None and kb.imports_dir.is_dir():
            for folder in kb.imports_dir.iterdir():
                if folder.is_dir():
                    shutil.rmtree(folder, ignore_errors=True)
    return len(docs)


# ---------------------------------------------------------------- re-derivation


def manifests(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The committed manifests in ``imports/`` (pending ones are not imports yet)."""
    if kb.imports_dir is None or not kb.imports_dir.is_dir():
        return []
    out = []
    for mf in kb.imports_dir.glob(f"*/{MANIFEST}"):
        if (mf.parent / REMOVING).exists():
            continue
        try:
            m = json.loads(mf.read_text(encoding="utf-8"))
            if not isinstance(m, dict) or not isinstance(m.get("file"), str):
                raise ValueError
            m["_folder"] = mf.parent
            out.append(m)
        except (OSError, ValueError):
            kb.notices.append(f"导入记录 {mf} 无法读取,已跳过。")
    out.sort(key=lambda m: (str(m.get("imported_at", "")), str(m.get("doc_id", ""))))
    return out


def rederive(kb: KnowledgeBase, fp: str, progress: Progress | None) -> None:
    """Rebuild the user's documents from the stored copies (rules changed or file restored)."""
    from matcher.reading import pipeline
    from matcher.reading.readers import read_document
    from matcher.store.kbstore import _T_DOCS, _T_MEASURES, _now, _reid, _set_meta, _unique_id, _write_documents

    assert kb._user is not None and kb.imports_dir is not None
    found = manifests(kb)
    docs: list[Document] = []
    extra: dict[str, dict[str, Any]] = {}
    seed_ids = {r["doc_id"] for r in kb._seed.query(f"SELECT doc_id FROM {_T_DOCS}")}
    failed = []
    for i, m in enumerate(found):
        if progress:
            progress(i, len(found), f"正在重新解析导入的文件 {m.get('file')}…")
        stored = m["_folder"] / m["file"]
        try:
            text = read_document(stored)
            doc = pipeline.build_document(
                text,
                source_file=m["file"],
                sha256=m["sha256"],
                doc_id=m.get("doc_id"),
                district=m.get("district"),
                title=m.get("title"),
                issued=m.get("issued"),
                source="user",
            )
        except PolicyDeskError as e:
            failed.append(f"{m.get('file')}({e})")
            continue
        doc_id = m.get("doc_id") or doc.doc_id
        if doc_id in seed_ids or doc_id in {d.doc_id for d in docs}:
            doc_id = _unique_id(doc_id, seed_ids | {d.doc_id for d in docs})
        docs.append(_reid(doc, doc_id, "user"))
        extra[doc_id] = {
            "stored_file": str(stored.relative_to(kb.imports_dir)),
            "imported_at": m.get("imported_at", ""),
        }
    with kb._user.atomic():
        for t in (_T_DOCS, _T_MEASURES):
            kb._user.execute(f"DELETE FROM {t}")
        written = 0
        for j, d in enumerate(docs):
            if progress:
                progress(j, len(docs), f"正在写入知识库(已写入 {written:,} 条措施)…")
            _write_documents(kb._user, [d], extra)
            written += len(d.measures)
        _set_meta(kb._user, fingerprint=fp, rederived_at=_now())
    if progress:
        progress(len(docs), len(docs), f"导入的文件已重新解析({len(docs)} 个文件,{written:,} 条措施)")
    if failed:
        kb.notices.append("以下导入的文件按新规则无法再解析,暂未列入(原文件仍保存在导入文件夹):" + ";".join(failed))
    kb._invalidate()
