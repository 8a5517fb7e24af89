"""The knowledge base's index kept as segments, brought up to date document by document.

The index (issue 24) lives in ``<data>/match_index/``: immutable **segment** files, each the
stored index (:mod:`matcher.matching.stored_index`) of a few whole documents of one file
(the seed KB or the user KB), and ``manifest.json`` saying which segments make the index,
which of their documents still count, which of their records an officer's correction
took out, and the KB state (:meth:`KnowledgeBase.stamp`) it is current at. Opening reads
the manifest, maps the segments and merges their live records into one view
(:class:`~matcher.matching.segments.MergedIndex`).

When the KB changed (:func:`open_index` finds the stamp moved on), only what changed is
done, in time and memory proportional to it:

* a **new document** (a document is known by its file, id, rowid and content key — a
  replaced one is deleted and inserted again, under a new rowid) gets a new segment built
  from its own rows (read from SQLite with ``WHERE doc_id IN …``);
* a **removed or replaced document** is dropped from its segment's live documents: its
  records stop counting at once, the file is not touched;
* **corrections**: the measures an officer corrected are indexed, corrections applied, in
  one small corrections segment rebuilt when any correction changes (its size is the
  number of corrected measures); their records in the other segments, and hidden
  measures', are marked out;
* **merging**, size-tiered as Lucene's and tantivy's: a segment with more than half its
  records gone is rebuilt from its live documents, and when :data:`MERGE_FACTOR` segments
  of one file sit on the same size tier (tier ``k``: fewer than ``MERGE_FACTOR**(k+1)``
  records) they are rebuilt as one — never past :data:`SEGMENT_CAP` records, so no build
  holds more than that many measures in memory, whatever the library's size. A full
  build (a new app version, a library whose index was lost) is the same: documents in
  chunks of at most :data:`SEGMENT_CAP` measures.

Segments are written to a temporary file and moved into place under a new random name and
the manifest is replaced atomically, so a process that has mapped the old state keeps
reading it; files no manifest names are removed afterwards (best effort). A segment that is
missing or fails its check is rebuilt from its documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.matching import stored_index
from matcher.matching.segments import KEY_DOC, KEY_FILE, KEY_ROW, SEG_DOC, MergedIndex
from matcher.matching.tier_rows import TierRow, tier_rows_where
from matcher.matching.tierclass import features
from matcher.store.rows import IndexRow

FORMAT = 1
FOLDER = "match_index"
MANIFEST = "manifest.json"
SEGMENT_CAP = 16384  # measures per segment at most (a bigger document gets one of its own)
MERGE_FACTOR = 8
MID_HASH = "mid_hash"
_RETRIES = 4  # damaged segments set aside and rebuilt in one open, at most
_TIDY_AFTER_S = 60.0  # another process's temporary file is left alone this long (it may be writing it)

Progress = Callable[[int, int, str], None]
DocKey = tuple[int, str, int, str]  # file, doc_id, rowid, content key
_BUILDING = "正在建立索引 …"


def code_stamp() -> str:
    """What every segment depends on besides its documents: the index formats, all rules
    and all matcher code."""
    from matcher.store import fingerprints

    h = hashlib.sha256(f"segments {FORMAT}\0index {stored_index.FORMAT}\0".encode())
    h.update(fingerprints.engine_fingerprint().encode())
    return h.hexdigest()[:32]


def mid_hashes(mids: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each measure id (to find a measure's record in a segment)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(m.encode("utf-8"), digest_size=8).digest(), "little") for m in mids),
        dtype=np.uint64,
        count=len(mids),
    )


# ---------------------------------------------------------------------------- building segments


def _segment(
    rows: list[IndexRow],
    tier_of: Sequence[Any],
    file: int | Sequence[int],
    drow: Sequence[int],
    mrow: Sequence[int],
    doc: Sequence[int],
) -> stored_index.IndexData:
    n = len(rows)
    more: dict[str, np.ndarray] = {
        KEY_FILE: np.broadcast_to(np.asarray(file, dtype=np.int64), (n,)).copy(),
        KEY_DOC: np.asarray(drow, dtype=np.int64).reshape(n),
        KEY_ROW: np.asarray(mrow, dtype=np.int64).reshape(n),
        SEG_DOC: np.asarray(doc, dtype=np.uint32).reshape(n),
        MID_HASH: mid_hashes([r.measure_id for r in rows]),
    }
    return stored_index.build(rows, None, {}, tier=features(tier_of), more=more)


def build_documents(kb: Any, file: int, docs: Sequence[DocKey]) -> stored_index.IndexData:
    """The segment of ``docs`` (all of one file), their measures as stored."""
    ids = [d[1] for d in docs]
    where = f"m.doc_id IN ({','.join('?' * len(ids))})"
    got = kb.index_rows_where(file, where, ids)
    tiers: list[TierRow] = tier_rows_where(kb, file, where, ids)
    num = {d[2]: j for j, d in enumerate(docs)}
    rows = [r for r, _d, _m in got]
    if [r.measure_id for r in rows] != [t.measure_id for t in tiers]:
        raise RuntimeError("index_state: the two reads of a document disagree")
    return _segment(
        rows, tiers, file, [d for _r, d, _m in got], [m for _r, _d, m in got], [num.get(d, 0) for _r, d, _m in got]
    )


def build_corrected(kb: Any, mids: set[str]) -> stored_index.IndexData | None:
    """The corrections segment: the corrected measures that are not hidden, read whole with
    their corrections, each keyed where its stored row is; None when there are none."""
    if not mids:
        return None
    ms = kb.get_measures(sorted(mids))
    keys: dict[str, tuple[int, int, int]] = {}
    want = sorted(ms)
    for file in (0, 1):  # the user's row wins, as on read
        for i in range(0, len(want), 500):
            chunk = want[i : i + 500]
            for mid, drow, mrow in kb.file_rows(
                file,
                "SELECT m.measure_id, COALESCE(d.rowid, -1), m.rowid FROM measures AS m "
                f"LEFT JOIN documents AS d ON d.doc_id = m.doc_id WHERE m.measure_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                keys[mid] = (file, int(drow), int(mrow))
    found = [ms[m] for m in want if m in keys]
    if not found:
        return None
    rows = [IndexRow.of(m) for m in found]
    k = [keys[m.measure_id] for m in found]
    return _segment(rows, found, [x[0] for x in k], [x[1] for x in k], [x[2] for x in k], [0] * len(found))


# ---------------------------------------------------------------------------- the manifest


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        got = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return got if isinstance(got, dict) and got.get("format") == FORMAT else None


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


class _Seg:
    """A segment as the manifest names it, with its index once mapped or built."""

    def __init__(self, file: int, docs: list[DocKey], name: str | None, data: stored_index.IndexData | None):
        self.file, self.docs, self.name, self.data = file, docs, name, data
        self.live_docs: list[int] = list(range(len(docs)))
        self.dead: list[int] = []

    @property
    def n(self) -> int:
        return self.data.n if self.data is not None else 0

    def live(self) -> np.ndarray:
        assert self.data is not None
        a = self.data.arrays
        mask = np.isin(np.asarray(a[SEG_DOC]), np.asarray(self.live_docs, dtype=np.uint32))
        if self.dead:
            mask[np.asarray(self.dead, dtype=np.int64)] = False
        return mask

    def entry(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "docs": self.docs, "live": self.live_docs, "dead": self.dead}


def _open_segment(folder: Path, name: str) -> stored_index.IndexData | None:
    return stored_index.read(folder / name, name)


def segment_name(code: str, what: Any) -> str:
    """A segment's file name: a digest of what it holds (the code, its documents; for the
    corrections segment, the corrections and where their measures are), so the same
    content rebuilt (a damaged file) goes to the same name and other content never does."""
    h = hashlib.sha256(json.dumps([code, what], ensure_ascii=False).encode("utf-8"))
    return f"seg-{h.hexdigest()[:24]}.bin"


def _store(folder: Path, data: stored_index.IndexData, name: str) -> str:
    data.header["stamp"] = name
    stored_index.write(data, folder / name)
    got = _open_segment(folder, name)  # mapped: the built arrays can go
    if got is not None:
        data.close()
        data.__dict__.update(got.__dict__)
    return name


def _tidy(folder: Path, keep: set[str]) -> None:
    now = time.time()
    try:
        for f in folder.iterdir():
            if f.name in keep or f.name == MANIFEST:
                continue
            try:
                if ".tmp-" not in f.name or now - f.stat().st_mtime > _TIDY_AFTER_S:
                    f.unlink()
            except OSError:
                pass
        for old in folder.parent.glob(f"{stored_index.PREFIX}*"):  # the one-file index of format 3
            try:
                old.unlink()
            except OSError:
                pass
    except OSError:
        pass


# ---------------------------------------------------------------------------- opening and syncing


def _state(kb: Any) -> dict[str, Any] | None:
    st = kb.stamp()
    if st is None:
        return None
    return {
        "code": code_stamp(),
        "seed": [st.seed_fingerprint, st.seed_built_at],
        "epoch": st.user[0] if st.user else None,
        "user": list(st.user) if st.user else None,
    }


def open_index(kb: Any, progress: Progress | None = None) -> MergedIndex:
    """The KB's index: the stored segments when they are current, else brought up to date
    (only what changed is built) and stored. A segment found damaged while the view is
    made again (its tier features, its ids: checked at first use) is set aside and built
    again from its documents."""
    for _ in range(_RETRIES):
        try:
            return _open_index(kb, progress)
        except stored_index.IndexDamaged as e:
            stored_index.discard(e)
    return _open_index(kb, progress)


def _open_index(kb: Any, progress: Progress | None) -> MergedIndex:
    folder = stored_index.index_dir(kb) / FOLDER
    state = _state(kb)
    man = _read_manifest(folder)
    if state is not None and man is not None and all(man.get(k) == v for k, v in state.items()):
        segs: list[_Seg] = []
        for e in man["segments"]:
            data = _open_segment(folder, e["name"])
            if data is None:
                break
            s = _Seg(int(e["file"]), [tuple(d) for d in e["docs"]], e["name"], data)
            s.live_docs, s.dead = list(e["live"]), list(e["dead"])
            segs.append(s)
        else:
            datas = [s.data for s in segs if s.data is not None]
            view = stored_index.read(folder / man["view"], man["view"]) if man.get("view") else None
            if view is not None:
                try:
                    return MergedIndex.from_view(view, datas, man.get("info"))
                except (ValueError, KeyError):
                    view.close()
            # the view is missing or damaged: made again below (the segments are kept)
    return sync(kb, folder, man, state, progress)


def sync(
    kb: Any, folder: Path, man: dict[str, Any] | None, state: dict[str, Any] | None, progress: Progress | None
) -> MergedIndex:
    """Bring the stored segments up to the KB's content (see the module's docstring)."""
    tell = progress or (lambda _d, _t, _m: None)
    writable = state is not None
    if writable:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            writable = False
    docs_now: list[DocKey] = [tuple(d) for d in kb.document_keys()]
    now = set(docs_now)
    digest, corrected, hidden = kb.correction_state()
    # the segments still good for this KB: same code, same seed KB, same user KB file
    kept: list[_Seg] = []
    if man is not None and state is not None and man.get("code") == state["code"]:
        for e in man.get("segments", []):
            file = int(e["file"])
            if file == 0 and man.get("seed") != state["seed"]:
                continue
            if file == 1 and man.get("epoch") != state["epoch"]:
                continue
            s = _Seg(file, [tuple(d) for d in e["docs"]], e["name"], None)
            s.live_docs = [j for j, d in enumerate(s.docs) if d in now]
            if s.live_docs:
                kept.append(s)
    covered = {s.docs[j] for s in kept for j in s.live_docs}
    new_docs = [d for d in docs_now if d not in covered]
    # open what is kept; a missing or damaged segment is built again from its live documents
    todo: list[tuple[int, list[DocKey]]] = []
    segs: list[_Seg] = []
    for s in kept:
        s.data = _open_segment(folder, s.name) if s.name else None
        if s.data is None:
            todo.append((s.file, [s.docs[j] for j in s.live_docs]))
        else:
            segs.append(s)
    counts = _measure_counts(kb, new_docs) if new_docs else {}
    for file in (0, 1):
        todo.extend((file, chunk) for chunk in _chunks([d for d in new_docs if d[0] == file], counts))
    # merging: mostly gone → rebuilt; MERGE_FACTOR on one tier → one
    for s in list(segs):
        if s.n and int(s.live().sum()) * 2 < s.n:
            segs.remove(s)
            todo.append((s.file, [s.docs[j] for j in s.live_docs]))
    merged_todo = _merges(segs)
    for group in merged_todo:
        for s in group:
            segs.remove(s)
        todo.append((group[0].file, [s.docs[j] for s in group for j in s.live_docs]))
    total = len(todo) + 1
    for k, (file, docs) in enumerate(todo):
        tell(k, total, _BUILDING)
        data = build_documents(kb, file, docs)
        seg = _Seg(file, list(docs), None, data)
        if writable and state is not None:
            try:
                seg.name = _store(
                    folder,
                    data,
                    segment_name(state["code"], [file, state["seed"] if file == 0 else state["epoch"], docs]),
                )
            except OSError:
                writable = False
            else:
                # the stored segment mapped in place of the one built in memory: a build holds
                # one segment's texts and posting lists at a time, not the library's (issue 24:
                # 442 MB at 300,000 measures)
                mapped = _open_segment(folder, seg.name)
                if mapped is not None:
                    data.close()
                    seg.data = data = mapped
        segs.append(seg)
    tell(total - 1, total, _BUILDING)
    # corrections: the corrected measures' own segment; their records elsewhere, and hidden ones, out
    out_mids = sorted(corrected | hidden)
    want = mid_hashes(out_mids)
    for s in segs:
        s.dead = []
        if len(want) and s.data is not None:
            a = s.data.arrays
            at = np.flatnonzero(np.isin(np.asarray(a[MID_HASH]), want))
            out = set(out_mids)
            s.dead = [int(p) for p in at if s.data.mid(int(p)) in out]
    corr = build_corrected(kb, corrected - hidden)
    corr_seg = None
    if corr is not None:
        corr_seg = _Seg(-1, [], None, corr)
        if writable and state is not None:
            try:
                where = (
                    [corr.mid(p) for p in range(corr.n)],
                    [corr.arrays[k].tolist() for k in (KEY_FILE, KEY_DOC, KEY_ROW)],
                )
                corr_seg.name = _store(
                    folder, corr, segment_name(state["code"], [digest, state["seed"], state["epoch"], where])
                )
            except OSError:
                writable = False
    info = {"documents": len(docs_now), "version": str(kb.version), "corrections": digest}
    every = segs + ([corr_seg] if corr_seg is not None else [])
    merged = MergedIndex([(s.data, s.live() if s.file >= 0 else None) for s in every if s.data is not None], info)
    if writable and state is not None:
        try:
            entries = [s.entry() for s in every]
            view = segment_name(state["code"], ["view", entries]).replace("seg-", "view-")
            v = merged.view()
            v.header["stamp"] = view
            stored_index.write(v, folder / view)
            _write_json(folder / MANIFEST, {"format": FORMAT, **state, "info": info, "segments": entries, "view": view})
            _tidy(folder, {s.name for s in every if s.name} | {view})
        except OSError:
            pass
    tell(total, total, _BUILDING)
    return merged


def _measure_counts(kb: Any, docs: Sequence[DocKey]) -> dict[DocKey, int]:
    out: dict[DocKey, int] = {}
    for file in (0, 1):
        ids = [d for d in docs if d[0] == file]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            n = dict(
                kb.file_rows(
                    file,
                    f"SELECT doc_id, count(*) FROM measures WHERE doc_id IN ({','.join('?' * len(chunk))}) GROUP BY doc_id",
                    [d[1] for d in chunk],
                )
            )
            for d in chunk:
                out[d] = int(n.get(d[1], 0))
    return out


def _chunks(docs: list[DocKey], counts: dict[DocKey, int]) -> list[list[DocKey]]:
    """``docs`` in runs of at most :data:`SEGMENT_CAP` measures (a bigger document alone)."""
    out: list[list[DocKey]] = []
    run: list[DocKey] = []
    size = 0
    for d in docs:
        n = counts.get(d, 0)
        if run and size + n > SEGMENT_CAP:
            out.append(run)
            run, size = [], 0
        run.append(d)
        size += n
    if run:
        out.append(run)
    return out


def _tier(n: int) -> int:
    t = 0
    while n >= MERGE_FACTOR ** (t + 1) * 64:
        t += 1
    return t


def _merges(segs: list[_Seg]) -> list[list[_Seg]]:
    """Groups of segments to rebuild as one: :data:`MERGE_FACTOR` of one file on one size
    tier, the smallest first, while the result stays within :data:`SEGMENT_CAP`."""
    out: list[list[_Seg]] = []
    by: dict[tuple[int, int], list[_Seg]] = {}
    for s in segs:
        by.setdefault((s.file, _tier(s.n)), []).append(s)
    for (_f, _t), group in sorted(by.items()):
        group.sort(key=lambda s: s.n)
        while len(group) >= MERGE_FACTOR:
            take = group[:MERGE_FACTOR]
            if sum(s.n for s in take) > SEGMENT_CAP:
                break
            out.append(take)
            group = group[MERGE_FACTOR:]
    return out


def build_all(kb: Any) -> MergedIndex:
    """A fresh index of the KB, built in memory from nothing (what an incrementally kept
    index must answer exactly as)."""
    return sync(kb, Path(os.devnull), None, None, None)
