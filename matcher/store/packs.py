"""Policy packs: one maintainer's knowledge (imported documents with their source files,
corrections, hidden measures, office directory) carried to many offline counters.

* :func:`export_pack` writes a ``.pdpack`` (format: :mod:`matcher.store.packfile`).
* :func:`plan_pack` says what importing it would do, without changing anything:
  **adds** (new documents), **replaces** (a document an earlier pack brought, now in
  another version), **removes** (a document an earlier pack brought whose district the
  pack covers, and which the pack no longer has), **same** (already here) and
  **conflicts**: a document the counter imported itself (same id, other content) that the
  pack would replace — the same measures in another format count as *same*. A
  conflict is never overwritten silently: :func:`apply_pack` refuses unless
  ``replace_own=True`` (``--replace-own``, or the window's confirmation).
* :func:`apply_pack` applies the plan under the data folder's writer lock with the import
  run's protocol (:mod:`matcher.store.importfolder`): source copies written with *pending*
  manifests, then ONE database transaction (rows deleted and written, corrections
  added), then the manifests made final; any failure undoes the copies, so the knowledge
  base and ``imports/`` are exactly as before. Documents a pack brought are marked in
  their import manifest (``"pack": {...}``): that is how own imports are told apart.
  Documents replaced or removed are first written to the KB history
  (:mod:`matcher.store.history`), so "what changed since" can still see them.
* The **shared library** (:func:`sync_library`): ``POLICYDESK_LIBRARY`` (or ``[library]
  path`` in the data folder's ``settings.ini``) names a pack, or a folder whose newest
  ``.pdpack`` is used, on a shared drive. It is only ever read. When the KB is opened and
  the library's pack differs from the one last applied, it is applied like a pack import
  (never over the counter's own imports, which stay its local overlay together with its
  own corrections). :func:`library_status` says which library and which date is shown.

Built on a :class:`~matcher.store.kb.KnowledgeBase` (the one store module above it): it reads
through the KB's public methods and, being part of the store, applies a pack through the
KB's own parts — its connections, import folder, corrections and history.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import BadInput, KBError, PolicyDeskError
from matcher.models import CITY, Document
from matcher.store import kbstore, packfile
from matcher.store.importfolder import Staged, pause
from matcher.store.kb import KnowledgeBase
from matcher.store.kbfile import kb_error
from matcher.store.kbstore import Progress
from matcher.store.packfile import Pack, PackDocument

LIBRARY_ENV = "POLICYDESK_LIBRARY"
LIBRARY_STATE = "library_state.json"


def _city(d: Any) -> bool:
    return getattr(d, "district", None) == CITY or getattr(d, "level", None) == "市级"


# ---------------------------------------------------------------- export


def export_pack(
    kb: KnowledgeBase, out: str | Path, districts: list[str] | None = None, *, key: Any
) -> tuple[Path, dict]:
    """Write the KB's user knowledge to a pack signed with the private ``key``
    (:func:`matcher.store.signing.load_private`); returns (path, manifest). ``districts``
    limits it to those districts' documents, corrections and office entries (city-level
    documents are always included: they apply in every district)."""
    from matcher.store.office_directory import OfficeDirectory

    want = set(districts or [])

    def wanted(district: str, city: bool = False) -> bool:
        return not want or district in want or city

    docs = [d for d in kb.documents() if d.source == "user" and wanted(d.district, _city(d))]
    by_id = {str(m.get("doc_id")): m for m in kb._folder.manifests()}
    entries: list[dict[str, Any]] = []
    # each file read when it is written into the pack (and checked then): a library's
    # files are never all in memory at once (issue 24)
    files: dict[str, Callable[[], bytes]] = {}
    for d in docs:
        m = by_id.get(d.doc_id)
        if m is None:
            raise KBError(f"导入的文件 {d.doc_id}《{d.title}》的原文件记录缺失,无法导出。请重新导入该文件后再导出。")
        stored = Path(m["_folder"]) / m["file"]
        if not stored.is_file():
            raise kb_error("读取导入的原文件", stored, FileNotFoundError(2, "No such file or directory"))
        member = f"documents/{d.sha256[:16]}/{Path(m['file']).name}"
        files[member] = functools.partial(_checked_source, stored, d.sha256)
        entries.append(
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "district": d.district,
                "level": d.level,
                "issued": d.issued,
                "valid_until": d.valid_until,
                "sha256": d.sha256,
                "measures": 0,
                "file": Path(m["file"]).name,
                "path": member,
                "options": {k: m.get(k) for k in ("district", "title", "issued") if m.get(k)},
            }
        )
    counts = kb.document_counts()  # counted in SQL, hidden ones too (not 300,000 measures read)
    for entry in entries:
        entry["measures"] = counts.get(entry["doc_id"], (0, 0))[0]
    exported = {entry["doc_id"] for entry in entries}
    seed_docs = {d.doc_id: d for d in kb.documents() if d.source == "seed"}
    corrections: list[dict[str, Any]] = []
    for c in kb.corrections():
        doc_id = c["measure_id"].split("/", 1)[0]
        seed = seed_docs.get(doc_id)
        if doc_id in exported or (seed is not None and wanted(seed.district, _city(seed))):
            corrections.append({k: c.get(k) for k in ("measure_id", "kind", "field", "value", "note", "created_at")})
    hidden = sorted({str(c["measure_id"]) for c in corrections} & kb.hidden_ids())
    directory = [
        r
        for r in OfficeDirectory.load(_data_dir(kb) / "office_directory.json").to_json()["entries"]
        if wanted(r["district"])
    ]
    manifest: dict[str, Any] = {
        "districts": sorted(want),
        "documents": entries,
        "corrections": corrections,
        "hidden": hidden,
        "office_directory": directory,
    }
    path = packfile.write_pack(Path(out), manifest, files, key)
    return path, manifest


def _checked_source(stored: Path, sha256: str) -> bytes:
    """An imported file's bytes, as the KB recorded them (KBError when changed or unreadable)."""
    try:
        data = stored.read_bytes()
    except OSError as e:
        raise kb_error("读取导入的原文件", stored, e) from None
    if kbstore.sha256_hex(data) != sha256:
        raise KBError(f"导入的原文件 {stored} 与知识库记录不符(被改动过),无法导出。请重新导入该文件。")
    return data


def _data_dir(kb: KnowledgeBase) -> Path:
    if kb.imports_dir is None:
        raise KBError("这个知识库是只读打开的,没有用户数据文件夹。")
    return kb.imports_dir.parent


# ---------------------------------------------------------------- plan


@dataclass
class Plan:
    """What importing a pack does. Documents are the pack's (built by this program's rules)."""

    pack: Pack
    adds: list[Document] = field(default_factory=list)
    replaces: list[tuple[Document, Document]] = field(default_factory=list)  # (new, old)
    conflicts: list[tuple[Document, Document]] = field(default_factory=list)  # (new, counter's own)
    removes: list[Document] = field(default_factory=list)
    same: list[Document] = field(default_factory=list)
    id_map: dict[str, str] = field(default_factory=dict)  # pack doc_id → local doc_id
    corrections: list[dict[str, Any]] = field(default_factory=list)  # new ones, local ids
    office_entries: int = 0
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # measures of each document here (SQL)

    def measures_of(self, d: Document) -> int:
        """How many measures ``d`` has: one of the pack's, built here, its own; one already
        here (its measures not read), as the KB counts them."""
        return len(d.measures) if d.measures else self.counts.get(d.doc_id, 0)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.adds or self.replaces or self.conflicts or self.removes or self.corrections or self.office_entries
        )

    def lines(self, replace_own: bool = False) -> list[str]:
        """The plan for a person, in Chinese."""
        m = self.pack.manifest
        scope = "、".join(m.districts) or "全部区"
        signer = self.pack.signer
        signed = f",签名密钥 {signer.key_id}{'(' + signer.name + ')' if signer.name else ''}" if signer else ""
        out = [
            f"政策包 {self.pack.path.name}:{m.created[:10]} 由 PolicyDesk {m.producer.version} 导出{signed},"
            f"范围 {scope},{len(m.documents)} 份文件、{len(m.corrections)} 条更正、"
            f"{len(m.office_directory)} 条部门通讯录。"
        ]

        def doc(d: Document) -> str:
            return f"{d.doc_id}《{d.title}》({d.district},{self.measures_of(d)} 条措施)"

        out += [f"  新增:{doc(d)}" for d in self.adds]
        out += [f"  替换:{doc(old)} → 新版本 {len(new.measures)} 条措施" for new, old in self.replaces]
        out += [f"  删除:{doc(d)}(维护人员已从政策库中撤下)" for d in self.removes]
        verb = "将替换本机自行导入的" if replace_own else "冲突:本机自行导入的"
        out += [
            f"  {verb} {doc(old)}" + ("" if replace_own else "(不会覆盖;如确要用政策包中的版本替换,请加 --replace-own)")
            for _new, old in self.conflicts
        ]
        if self.same:
            out.append(f"  已是最新:{len(self.same)} 份文件")
        if self.corrections:
            out.append(f"  新的更正:{len(self.corrections)} 条")
        if self.office_entries:
            out.append(f"  部门通讯录:{self.office_entries} 条(同一部门以政策包为准)")
        if not self.changes_anything:
            out.append("  本机已与政策包一致,无需更新。")
        out += [f"  提示:{n}" for n in self.notes]
        return out


def _build(pack: Pack, d: PackDocument, tmp: Path) -> Document:
    from matcher.reading import pipeline
    from matcher.reading.readers import read_document

    folder = tmp / d.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / Path(d.file).name
    f.write_bytes(pack.source(d))
    try:
        text = read_document(f)
        return pipeline.build_document(
            text,
            source_file=f.name,
            sha256=d.sha256,
            doc_id=d.doc_id,
            district=d.options.get("district"),
            title=d.options.get("title"),
            issued=d.options.get("issued"),
            source="user",
        )
    except PolicyDeskError as e:
        raise BadInput(f"政策包 {pack.path.name} 中的文件 {d.file}(《{d.title}》)无法导入:{e} 未做任何更改。") from None


def _origins(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """doc_id → its committed import manifest."""
    return {str(m.get("doc_id")): m for m in kb._folder.manifests()}


def plan_pack(kb: KnowledgeBase, pack: Pack, progress: Progress | None = None) -> Plan:
    """What importing ``pack`` would do (nothing is changed)."""
    plan = Plan(pack)
    m = pack.manifest
    # the documents here as the tables list them, with their stored content keys and counts:
    # no measure is read (a library of 300,000 measures, issue 24)
    docs = kb._importer._known_documents()
    plan.counts = {k: n for k, (n, _internal) in kb.document_counts().items()}
    origins = _origins(kb)
    user = [d for d in docs if d.source == "user"]
    by_sha = {d.sha256: d for d in docs if d.sha256}
    by_id = {d.doc_id: d for d in user}
    by_key = {d.content_key: d for d in docs if d.content_key and plan.counts.get(d.doc_id)}
    taken = {d.doc_id for d in docs}
    matched: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="policydesk-pack-") as tmp:
        for i, pd in enumerate(m.documents):
            if progress:
                progress(i, len(m.documents), f"正在解析 {pd.file}…")
            # the same file: already here, read by this program's rules (a KB re-derives its
            # imports when the rules change), so it is not parsed again
            old = by_sha.get(pd.sha256)
            doc = _build(pack, pd, Path(tmp)) if old is None else None
            if doc is not None:
                got, title = len(doc.measures), doc.title
            else:
                assert old is not None
                got, title = plan.counts.get(old.doc_id, 0), old.title
            if got != pd.measures:
                plan.notes.append(
                    f"《{title}》在维护人员处有 {pd.measures} 条措施,本机按本版规则解析为 {got} 条(程序版本不同)。"
                )
            # or the same measures in another format or encoding: already here too
            if doc is not None:
                old = by_key.get(kbstore.content_key(doc.measures)) if doc.measures else None
            if old is not None:
                plan.same.append(old)
                plan.id_map[pd.doc_id] = old.doc_id
                matched.add(old.doc_id)
                continue
            assert doc is not None  # built: no file of the same bytes here
            old = by_id.get(pd.doc_id)  # another version of a document here
            if old is not None and old.doc_id not in matched:
                doc = kbstore.reid(doc, old.doc_id, "user")
                matched.add(old.doc_id)
                (plan.replaces if origins.get(old.doc_id, {}).get("pack") else plan.conflicts).append((doc, old))
            else:
                doc = kbstore.reid(doc, kbstore.unique_id(pd.doc_id, taken), "user")
                plan.adds.append(doc)
            taken.add(doc.doc_id)
            plan.id_map[pd.doc_id] = doc.doc_id
    covered = set(m.districts)
    for d in user:
        if d.doc_id in matched or not origins.get(d.doc_id, {}).get("pack"):
            continue
        if not covered or d.district in covered:
            plan.removes.append(d)
    _plan_corrections(kb, plan)
    plan.office_entries = _office_changes(kb, pack)
    return plan


def _corr_key(measure_id: str, kind: str, fld: Any, value: Any) -> tuple:
    return (measure_id, kind, fld or None, json.dumps(value, ensure_ascii=False, sort_keys=True))


def _plan_corrections(kb: KnowledgeBase, plan: Plan) -> None:
    mine = kb.corrections()
    have = {_corr_key(c["measure_id"], c["kind"], c.get("field"), c.get("value")) for c in mine}
    mine_on = {(c["measure_id"], c["kind"]) for c in mine}
    overrides = 0
    new_docs = plan.adds + [new for new, _old in plan.replaces + plan.conflicts]
    new_ids = {ms.measure_id for d in new_docs for ms in d.measures}
    skipped = 0
    for c in plan.pack.manifest.corrections:
        doc_id, _, rest = c.measure_id.partition("/")
        mid = f"{plan.id_map.get(doc_id, doc_id)}/{rest}" if rest else c.measure_id
        key = _corr_key(mid, c.kind, c.field, c.value)
        if key in have:
            continue
        if mid not in new_ids and kb.get_measure(mid) is None:
            skipped += 1
            continue
        have.add(key)
        if (mid, c.kind) in mine_on:
            overrides += 1
        plan.corrections.append(
            {"measure_id": mid, "kind": c.kind, "field": c.field, "value": c.value, "note": c.note or ""}
        )
    if skipped:
        plan.notes.append(f"{skipped} 条更正针对的措施在本机不存在(程序版本不同),未导入。")
    if overrides:
        plan.notes.append(
            f"{overrides} 条更正与本机已有的更正针对同一措施的同一项,导入后以政策包为准(本机的更正仍保留在更正记录中)。"
        )


def _office_changes(kb: KnowledgeBase, pack: Pack) -> int:
    from matcher.store.office_directory import OfficeDirectory

    try:
        mine = OfficeDirectory.load(_data_dir(kb) / "office_directory.json").to_json()["entries"]
    except BadInput:
        mine = []
    have = {json.dumps(r, ensure_ascii=False, sort_keys=True) for r in mine}
    return sum(
        1 for r in pack.manifest.office_directory if json.dumps(r, ensure_ascii=False, sort_keys=True) not in have
    )


# ---------------------------------------------------------------- apply


def apply_pack(kb: KnowledgeBase, pack: Pack, *, replace_own: bool = False, progress: Progress | None = None) -> Plan:
    """Apply a verified pack in one transaction (see the module docstring); returns the plan."""
    c = kb._conns
    c.writable("导入政策包")
    with c.lock, c.writer:
        pause("locked")
        kb._folder.reconcile()
        c.changed()
        plan = plan_pack(kb, pack, progress)
        if plan.conflicts and not replace_own:
            own = ";".join(f"{old.doc_id}《{old.title}》" for _n, old in plan.conflicts)
            raise BadInput(
                f"政策包中的文件会替换本机自行导入的文件:{own}。未做任何更改。"
                f"如确要用政策包中的版本替换,请加 --replace-own(窗口中会请您确认)。"
            )
        if not plan.changes_anything:
            return plan
        directory = _merged_directory(kb, pack) if plan.office_entries else None
        m = pack.manifest
        origin = {
            "file": pack.path.name,
            "created": m.created,
            "producer": m.producer.model_dump(),
            "content_sha256": m.content_sha256,
        }
        new_docs = plan.adds + [n for n, _o in plan.replaces + plan.conflicts]
        # the documents as stored (the plan's carry a content key, not measures)
        gone = [
            kb._reader.document(o.doc_id) or o for o in [o for _n, o in plan.replaces + plan.conflicts] + plan.removes
        ]
        pd_by_local = {plan.id_map[p.doc_id]: p for p in m.documents if p.doc_id in plan.id_map}
        now = kbstore.now()
        staged = []
        for d in new_docs:
            pd = pd_by_local[d.doc_id]
            manifest = {"original_path": str(pack.path.resolve()), **pd.options, "pack": origin}
            staged.append(Staged(d, Path(pd.file).name, functools.partial(pack.source, pd), manifest))

        def corrections(_db: Any) -> None:  # inside the transaction, after the documents
            for old in plan.removes:
                kb._corrections.delete_for_ids_under(old.doc_id)
            kb._corrections.insert(plan.corrections, now)

        records = kb._history.removed_records(gone, now)  # read now, appended once committed
        kb._folder.commit(staged, gone, action="导入政策包", at=now, also=corrections)
        if records:
            try:
                kb._history.append(records)
            except OSError:
                c.notices.append("变更记录无法写入,“客户变化”可能看不到这次删除或替换。")
        c.changed()
        kb._corrections.mirror()
        if directory is not None:
            try:
                directory.save()
            except OSError:
                c.notices.append("政策包已导入,但部门通讯录无法写入;请稍后重新导入该政策包。")
        return plan


def _merged_directory(kb: KnowledgeBase, pack: Pack):
    from matcher.store.office_directory import FORMAT, OfficeDirectory, read_file

    path = _data_dir(kb) / "office_directory.json"
    mine = OfficeDirectory.load(path)
    with tempfile.TemporaryDirectory(prefix="policydesk-dir-") as tmp:
        f = Path(tmp) / "office_directory.json"
        f.write_text(
            json.dumps({"format": FORMAT, "version": 1, "entries": pack.manifest.office_directory}, ensure_ascii=False),
            encoding="utf-8",
        )
        try:
            theirs = read_file(f)
        except BadInput as e:
            raise BadInput(f"政策包 {pack.path.name} 中的部门通讯录无效:{e} 未做任何更改。") from None
    mine.merge(theirs)
    mine.path = path
    return mine


def import_pack(
    kb: KnowledgeBase,
    path: str | Path,
    *,
    replace_own: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Read, verify and (unless ``dry_run``) apply a pack file."""
    pack = packfile.read_pack(path)
    try:
        if dry_run:
            with kb._conns.lock:
                return plan_pack(kb, pack, progress)
        return apply_pack(kb, pack, replace_own=replace_own, progress=progress)
    finally:
        pack.close()  # its private copy (the plan keeps the manifest)


# ---------------------------------------------------------------- shared library


def library_path() -> Path | None:
    """The shared library named by ``POLICYDESK_LIBRARY`` or ``[library] path`` in settings.ini."""
    raw = os.environ.get(LIBRARY_ENV)
    if not raw:
        from matcher.store.userdata import setting

        raw = setting("library", "path")
    return Path(raw).expanduser() if raw and raw.strip() else None


def library_pack(lib: Path) -> Path:
    """The pack a library names: the file itself, or a folder's newest ``.pdpack``."""
    if lib.is_dir():
        packs = sorted(lib.glob(f"*{packfile.SUFFIX}"), key=lambda p: (p.stat().st_mtime, p.name))
        if not packs:
            raise BadInput(f"共享政策库文件夹 {lib} 中没有 {packfile.SUFFIX} 政策包。")
        return packs[-1]
    if lib.is_file():
        return lib
    raise BadInput(f"找不到共享政策库 {lib}(由环境变量 {LIBRARY_ENV} 或设置指定):请检查共享盘是否已连接。")


def library_status(kb: KnowledgeBase | None = None) -> dict[str, Any] | None:
    """``{"library", "pack", "created", "applied_at"}`` of the library last applied, or None."""
    from matcher.common.paths import data_dir

    folder = _data_dir(kb) if kb is not None else data_dir()
    try:
        state = json.loads((folder / LIBRARY_STATE).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) else None
    except (OSError, ValueError):
        return None


def outside_change(kb: KnowledgeBase, stamp: Any) -> str | None:
    """What changed since ``stamp`` (:meth:`KnowledgeBase.stamp` when the KB was opened) that
    this process did not do — another window's or the CLI's import or removal, a new pack in
    the shared library — as a sentence, or None. Cheap: a meta row, and the library pack's
    manifest hash when a library is set."""
    lib = library_path()
    if lib is not None and kb.imports_dir is not None:
        state = library_status(kb) or {}
        try:
            current = packfile.peek_content_hash(library_pack(lib))
        except BadInput:
            current = None  # unplugged: the counter keeps what it has
        if current is not None and (state.get("library") != str(lib) or current != state.get("content_sha256")):
            return "共享政策库有新版本"
    if kb.stamp() != stamp:
        return "知识库已被另一个窗口或命令更改(导入或删除了文件)"
    return None


def sync_library(kb: KnowledgeBase, progress: Progress | None = None) -> str | None:
    """Apply the shared library's pack if it changed since last time; returns a notice for
    the user (what was done, or why not), or None when there is no library or nothing new.
    Never raises for a missing or bad library: the counter keeps working on what it has."""
    from matcher.store.kbfile import atomic_write_text

    lib = library_path()
    if lib is None or kb._conns.user is None or kb.imports_dir is None:
        return None
    state = library_status(kb) or {}
    try:
        path = library_pack(lib)
        if (
            state.get("library") == str(lib)
            and state.get("content_sha256")
            and packfile.peek_content_hash(path) == state.get("content_sha256")
        ):
            return None  # applied already (checked in full when it was)
        pack = packfile.read_pack(path)
        try:
            plan = apply_pack(kb, pack, replace_own=False, progress=progress)
        finally:
            pack.close()
    except PolicyDeskError as e:
        shown = state.get("created", "")[:10]
        return f"共享政策库未能更新:{e}" + (f" 仍使用 {shown} 的政策库。" if shown else "")
    state = {
        "library": str(lib),
        "pack": path.name,
        "created": pack.manifest.created,
        "content_sha256": pack.manifest.content_sha256,
        "applied_at": packfile.now(),
    }
    try:
        atomic_write_text(_data_dir(kb) / LIBRARY_STATE, json.dumps(state, ensure_ascii=False, indent=1))
    except OSError:
        pass
    n = len(plan.adds) + len(plan.replaces) + len(plan.removes)
    return f"已按共享政策库 {path.name}({pack.manifest.created[:10]})更新:{n} 份文件有变化。"
