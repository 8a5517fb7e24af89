"""Re-deriving the user's documents: when the rules change (the derivation fingerprint,
:mod:`matcher.store.fingerprints`) or a damaged user KB is recreated, every committed import
is read again from its stored copy in ``imports/`` and parsed by today's rules, and the
user KB's documents and measures are rewritten in one transaction. Corrections are kept
apart (by measure id) and apply to the new rows as before.

A derivation root of the fingerprint: what this module runs decides stored rows."""

from __future__ import annotations

from typing import Any

from matcher.errors import PolicyDeskError
from matcher.models import Document
from matcher.store import kbstore
from matcher.store.connections import Connections
from matcher.store.importfolder import ImportFolder
from matcher.store.kbstore import T_DOCS, T_MEASURES, Progress


def rederive(conns: Connections, folder: ImportFolder, fp: str, progress: Progress | None) -> None:
    """Rebuild the user's documents from the stored copies, and record ``fp`` as what they
    were derived by (caller holds the writer lock; a copy that no longer parses is left
    out and named in a notice)."""
    from matcher.reading import pipeline  # the readers and parsers load when first needed
    from matcher.reading.readers import read_document

    user, imports_dir = conns.user, conns.imports_dir
    assert user is not None and imports_dir is not None
    found = folder.manifests()
    docs: list[Document] = []
    extra: dict[str, dict[str, Any]] = {}
    seed_ids = {r["doc_id"] for r in conns.seed.query(f"SELECT doc_id FROM {T_DOCS}")}
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
            doc_id = kbstore.unique_id(doc_id, seed_ids | {d.doc_id for d in docs})
        docs.append(kbstore.reid(doc, doc_id, "user"))
        extra[doc_id] = {"stored_file": str(stored.relative_to(imports_dir)), "imported_at": m.get("imported_at", "")}
    with user.atomic():
        for t in (T_DOCS, T_MEASURES):
            user.execute(f"DELETE FROM {t}")
        written = 0
        for j, d in enumerate(docs):
            if progress:
                progress(j, len(docs), f"正在写入知识库(已写入 {written:,} 条措施)…")
            kbstore.write_documents(user, [d], extra)
            written += len(d.measures)
        kbstore.set_meta(user, fingerprint=fp, rederived_at=kbstore.now())
    if progress:
        progress(len(docs), len(docs), f"导入的文件已重新解析({len(docs)} 个文件,{written:,} 条措施)")
    if failed:
        conns.notices.append("以下导入的文件按新规则无法再解析,暂未列入(原文件仍保存在导入文件夹):" + ";".join(failed))
    conns.changed()
