"""Re-deriving the user's documents: when the rules change (the derivation fingerprint,
:mod:`matcher.store.fingerprints`) or a damaged user KB is recreated, every committed import
is read again from its stored copy in ``imports/`` and parsed by today's rules, and the
user KB's documents and measures are rewritten in one transaction. Corrections are kept
apart (by measure id) and apply to the new rows as before.

A derivation root of the fingerprint: what this module runs decides stored rows."""

from __future__ import annotations

from matcher.errors import PolicyDeskError
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
    seed_ids = {r["doc_id"] for r in conns.seed.query(f"SELECT doc_id FROM {T_DOCS}")}
    failed = []
    taken: set[str] = set()
    written = 0
    # one document at a time, parsed and written inside the one transaction: the old rows
    # stay what readers see until it commits, and memory holds one document, not the library
    # (all of them held before writing took 1.2 GB at 100,000 measures)
    with user.atomic():
        for t in (T_DOCS, T_MEASURES):
            user.execute(f"DELETE FROM {t}")
        for i, m in enumerate(found):
            if progress:
                progress(i, len(found), f"正在重新解析导入的文件 {m.get('file')}(已写入 {written:,} 条措施)…")
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
            if doc_id in seed_ids or doc_id in taken:
                doc_id = kbstore.unique_id(doc_id, seed_ids | taken)
            taken.add(doc_id)
            extra = {
                doc_id: {"stored_file": str(stored.relative_to(imports_dir)), "imported_at": m.get("imported_at", "")}
            }
            kbstore.write_documents(user, [kbstore.reid(doc, doc_id, "user")], extra)
            written += len(doc.measures)
        kbstore.set_meta(user, fingerprint=fp, rederived_at=kbstore.now())
    if progress:
        progress(len(found), len(found), f"导入的文件已重新解析({len(taken)} 个文件,{written:,} 条措施)")
    if failed:
        conns.notices.append("以下导入的文件按新规则无法再解析,暂未列入(原文件仍保存在导入文件夹):" + ";".join(failed))
    conns.changed()
