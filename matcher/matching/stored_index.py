"""The matcher's index, built once when the knowledge base changes and stored beside it.

Everything matching and search read of a measure — district, internal, star, the order
ties are broken in, tag sets, title length, the text, and character unigram + bigram
postings over the texts and over the titles (:mod:`matcher.matching.postings`) — is laid out as
numpy arrays in one file, ``match_index-<stamp>.bin`` next to the user KB:

    8 bytes  magic ``PDIDX03\\n``
    8 bytes  header length (little-endian)
    8 bytes  CRC-32 of the header (little-endian)
    header   JSON: format, stamp, counts, the district / date tables, each tag space's
             names (in bit order) and its distinct tag sets (as bit masks), for every
             array its dtype, length and offset, and the CRC-32 of every array
    arrays   each at a 64-byte boundary; texts and ids as UTF-8 blobs with offsets

Opening reads the header and maps the file (:class:`mmap.mmap`): constant time, and
memory only for the pages a query touches. The file is trusted only under the KB's stamp
(:func:`kb_stamp`: the user KB's trigger-kept change counter and epoch, the seed KB's
fingerprint and build time, the rules fingerprint and this format); a missing, stale or
damaged file is rebuilt, never read. It is written to a temporary file and moved into
place, and its name carries the stamp, so a file another process has mapped is never
overwritten.

**Every section is checked** (issue 23): the header and the small arrays a query indexes
with when the file is opened; the large sections — the texts, the measure ids, the posting
records and the tier matrices, most of the file — at first use (:class:`_Sections`,
:class:`_Blob`), so opening stays constant-time. A large section that passed is recorded
with the file's stamp (size, mtime, inode, first bytes; :func:`matcher.store.kbfile.checked_sections`,
as the KB's own full check is): the next process trusts it while the file is unchanged and
checks it again once the file was written, replaced or copied. A section that fails its check raises
:class:`IndexDamaged`; the engine then sets the file aside (:func:`discard`), rebuilds it
with progress as it would a missing one, and answers again (:func:`answered`, through which
the engine asks).

Record numbers (``pos``) are in search order: enterprise-facing first, then newest
document, document order, the order given.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from matcher.matching import postings
from matcher.matching.tierclass import TierFeatures
from matcher.store import kbfile
from matcher.store.rows import IndexRow

FORMAT = 3
MAGIC = b"PDIDX03\n"
_PREFIX_BYTES = 24  # magic, header length, header CRC
PREFIX = "match_index-"
_ALIGN = 64
SPACES = ("aud", "cat", "ind", "area")

Progress = Callable[[int, int, str], None]
_T = TypeVar("_T")


def _neg_date(issued: str) -> str:
    # newest first: invert the digits of the date so an ascending sort puts it first
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in (issued or "0000"))


def lexicon_order() -> dict[str, list[str]]:
    """Per tag space, the names the lexicons list, in their order: the canonical bit
    positions of those names (any other name comes after them)."""
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    return {
        "aud": [a.name for a in lex.audiences.audience],
        "cat": [c.name for c in lex.categories.category],
        "ind": [i.name for i in lex.industries.industry],
        "area": [],
    }


class _Bits:
    """Names ↔ bit positions, so tag sets are ints (``first``: names given the first
    positions, in order)."""

    def __init__(self, first: Iterable[str] = ()) -> None:
        self.pos: dict[str, int] = {n: b for b, n in enumerate(dict.fromkeys(first))}
        self._memo: dict[tuple[str, ...], int] = {}

    def mask(self, names: Iterable[str]) -> int:
        if isinstance(names, tuple):  # tag tuples repeat: work each out once
            m = self._memo.get(names)
            if m is None:
                m = self._memo[names] = self._mask(names)
            return m
        return self._mask(names)

    def _mask(self, names: Iterable[str]) -> int:
        m = 0
        for n in names:
            if n not in self.pos:
                self.pos[n] = len(self.pos)
            m |= 1 << self.pos[n]
        return m


class _Primary:
    """The categories a measure is mainly about: named (any of the category's terms) in
    its title or the first 40 characters of its text."""

    def __init__(self) -> None:
        from matcher.common.text import normalize
        from matcher.rules.lexicon import load_lexicons

        lex = load_lexicons()
        self._terms = {c.name: [normalize(t) for t in c.terms] for c in lex.categories.category}
        self._rxs: dict[str, re.Pattern[str]] = {}

    def rx(self, category: str) -> re.Pattern[str]:
        rx = self._rxs.get(category)
        if rx is None:
            terms = self._terms.get(category, [category])
            rx = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) if terms else "(?!)")
            self._rxs[category] = rx
        return rx

    def __call__(self, text: str, tlen: int, categories: Iterable[str]) -> tuple[str, ...]:
        head = text[: tlen + 41]
        return tuple(c for c in categories if self.rx(c).search(head))


class IndexDamaged(Exception):
    """A section of a stored index failed its checksum when it was first used."""

    def __init__(self, path: Path | None, section: str):
        super().__init__(f"{path}: {section}")
        self.path = path
        self.section = section


_CRC_CHUNK = 4 << 20  # bytes checked at a time (then let go: see _crc_of_mapped)


def _crc_of_mapped(mm: mmap.mmap, base: int, length: int) -> int:
    """The CRC-32 of ``length`` bytes of the map from ``base``, read a few MB at a time; each
    part's pages are let go of once read (``madvise(MADV_DONTNEED)``: a file's pages stay in
    the system's cache, and a later read maps them again). A check touches every byte of a
    section, while a match reads only a few postings and texts of it: without letting go, a
    check of the texts alone would keep 150 MB of a 300,000-measure library in the process."""
    crc = 0
    release = getattr(mm, "madvise", None) if hasattr(mmap, "MADV_DONTNEED") else None
    page = mmap.PAGESIZE
    done = -(-base // page) * page  # let go of up to here (whole pages of the section only)
    with memoryview(mm) as whole:
        for at in range(base, base + length, _CRC_CHUNK):
            end = min(at + _CRC_CHUNK, base + length)
            with whole[at:end] as part:
                crc = zlib.crc32(part, crc)
            hi = end // page * page
            if release is not None and hi > done:
                try:
                    release(mmap.MADV_DONTNEED, done, hi - done)
                except (OSError, ValueError):
                    release = None
                done = hi
    return crc


class _Sections(dict):
    """The arrays of a mapped index: each large section checked against its CRC-32 when it
    is first looked up (:class:`IndexDamaged` if it fails), then as any dict. ``where``:
    a mapped section's (map, offset, bytes), checked without keeping it in memory."""

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        pending: dict[str, int],
        path: Path,
        where: dict[str, tuple[mmap.mmap, int, int]] | None = None,
        passed: Callable[[str], None] | None = None,
    ):
        super().__init__(arrays)
        self._pending = dict(pending)
        self._path = path
        self._where = where or {}
        self._passed = passed  # told each section that passed (recorded for the next open)

    def __getitem__(self, key: str) -> np.ndarray:
        value = dict.__getitem__(self, key)
        want = self._pending.get(key)
        if want is not None:
            at = self._where.get(key)
            got = _crc_of_mapped(*at) if at is not None else zlib.crc32(np.ascontiguousarray(value).data)
            if got != want:
                raise IndexDamaged(self._path, key)
            self._pending.pop(key, None)
            if self._passed is not None:
                self._passed(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


class IndexData:
    """The index's arrays (numpy, in memory or mapped) and its header."""

    def __init__(self, header: dict[str, Any], arrays: dict[str, np.ndarray], blob: Any, mids: Any, keep: Any = None):
        self.header = header
        self.arrays = arrays
        self.n = int(header["n"])
        self._blob = blob  # UTF-8 texts (bytes or a mmap)
        self._mids = mids  # UTF-8 measure ids
        self._keep = keep  # the mmap, kept open while the arrays are used
        a = arrays
        self._toff = a["text_off"]
        self._moff = a["mid_off"]
        self.masks = {k: [int(x) for x in header["masks"][k]] for k in SPACES}
        self.bits = {k: {name: b for b, name in enumerate(header["bits"][k])} for k in SPACES}
        self.districts: list[str] = header["districts"]
        self.issued_table: list[str] = header["issued"]
        self._tlen_b = a["tlen_b"]
        self._text: postings.Postings | None = None
        self._title: postings.Postings | None = None

    @property
    def text(self) -> postings.Postings:
        """Postings over the texts (made at first use: their records are checked then)."""
        if self._text is None:
            self._text = postings.Postings(self.arrays, "t", self.n, self._text_holds)
        return self._text

    @property
    def title(self) -> postings.Postings:
        if self._title is None:
            self._title = postings.Postings(self.arrays, "h", self.n, self._title_holds)
        return self._title

    def _text_holds(self, word: bytes, pos: int) -> bool:
        off = self._toff
        return word in self._blob[int(off[pos]) : int(off[pos + 1])]

    def _title_holds(self, word: bytes, pos: int) -> bool:
        a = int(self._toff[pos])
        return word in self._blob[a : a + int(self._tlen_b[pos])]

    def text_of(self, pos: int) -> str:
        """``title。text`` of record ``pos``."""
        off = self._toff
        return self._blob[int(off[pos]) : int(off[pos + 1])].decode("utf-8")

    def mid(self, pos: int) -> str:
        off = self._moff
        return self._mids[int(off[pos]) : int(off[pos + 1])].decode("utf-8")

    def close(self) -> None:
        if self._keep is not None:
            self.arrays = {}
            self._text = self._title = None
            self._blob = self._mids = b""
            try:
                self._keep.close()
            except (BufferError, ValueError):
                pass  # a view is still alive: the map goes with it
            self._keep = None


# ---------------------------------------------------------------------------- building


def build(
    rows: Sequence[IndexRow],
    progress: Progress | None = None,
    extra: dict[str, Any] | None = None,
    *,
    tier: TierFeatures,
    more: dict[str, np.ndarray] | None = None,
) -> IndexData:
    """The index of ``rows`` (in the order given, as :meth:`KnowledgeBase.index_rows`);
    ``tier``: their :class:`~matcher.matching.tierclass.TierFeatures` (row ``i`` for ``rows[i]``),
    stored in search order beside the match features; ``more``: further per-row arrays
    (row ``i`` for ``rows[i]``), stored in search order too (a segment's sort keys)."""
    if len(tier) != len(rows):
        raise ValueError(f"stored_index.build: {len(tier)} rows of tier features for {len(rows)} rows")
    n = len(rows)
    tell = progress or (lambda _d, _t, _m: None)
    tell(0, 4, "正在建立索引 …")
    primary = _Primary()
    canonical = lexicon_order()
    bits = {k: _Bits(canonical[k]) for k in SPACES}
    tables: dict[str, dict[int, int]] = {k: {} for k in SPACES}

    def sid(space: str, mask: int) -> int:
        t = tables[space]
        i = t.get(mask)
        if i is None:
            i = t[mask] = len(t)
        return i

    districts: dict[str, int] = {}
    issued: dict[str, int] = {}
    cols = {
        k: np.zeros(n, dtype=np.uint32)
        for k in ("idx", "district", "aud", "cat", "pcat", "ment", "ind", "area", "tlen", "mrank", "issued")
    }
    cols["order"] = np.zeros(n, dtype=np.int64)
    internal = np.zeros(n, dtype=np.uint8)
    star = np.zeros(n, dtype=np.uint8)
    texts: list[str] = []
    neg_dates: dict[str, str] = {}
    keys: list[tuple[str, int]] = []
    for i, row in enumerate(rows):
        text = f"{row.title}。{row.text}"
        tlen = len(row.title)
        # the same calls, in the same order, as the matcher always made: bit positions
        # (and so the order names are listed in) stay as they were
        a = bits["aud"].mask(row.audiences)
        c = bits["cat"].mask(row.categories)
        pc = bits["cat"].mask(primary(text, tlen, row.categories))
        me = bits["aud"].mask(row.mentions)
        ind = bits["ind"].mask(row.industries)
        ar = bits["area"].mask(row.areas)
        cols["aud"][i] = sid("aud", a)
        cols["cat"][i] = sid("cat", c)
        cols["pcat"][i] = sid("cat", pc)
        cols["ment"][i] = sid("aud", me)
        cols["ind"][i] = sid("ind", ind)
        cols["area"][i] = sid("area", ar)
        cols["district"][i] = districts.setdefault(row.district, len(districts))
        cols["issued"][i] = issued.setdefault(row.issued, len(issued))
        cols["tlen"][i] = tlen
        cols["order"][i] = row.order
        internal[i] = bool(row.internal)
        star[i] = bool(row.star)
        texts.append(text)
        nd = neg_dates.get(row.issued)
        if nd is None:
            nd = neg_dates[row.issued] = _neg_date(row.issued)
        keys.append((nd, row.order))
    tell(1, 4, "正在建立索引 …")
    rank = {k: j for j, k in enumerate(sorted(set(keys)))}
    mrank = [rank[k] for k in keys]
    order = sorted(range(n), key=lambda i: (internal[i], mrank[i], i))
    perm = np.array(order, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    cols["mrank"][:] = mrank
    cols["idx"][:] = np.arange(n, dtype=np.uint32)
    arrays: dict[str, np.ndarray] = {k: v[perm] for k, v in cols.items()}
    arrays["internal"] = internal[perm]
    arrays["star"] = star[perm]
    arrays.update(tier.take(perm).to_arrays())
    for k, v in (more or {}).items():
        if len(v) != n:
            raise ValueError(f"stored_index.build: {len(v)} values of {k} for {n} rows")
        arrays[k] = np.asarray(v)[perm]
    texts = [texts[i] for i in order]
    enc = [t.encode("utf-8") for t in texts]
    arrays["tlen_b"] = np.fromiter(
        (len(t[: int(k)].encode("utf-8")) for t, k in zip(texts, arrays["tlen"])), dtype=np.uint32, count=n
    )
    arrays["text_off"] = np.concatenate([[0], np.cumsum([len(b) for b in enc], dtype=np.int64)]).astype(np.int64)
    blob = b"".join(enc)
    del enc
    menc = [rows[i].measure_id.encode("utf-8") for i in order]
    arrays["mid_off"] = np.concatenate([[0], np.cumsum([len(b) for b in menc], dtype=np.int64)]).astype(np.int64)
    mids = b"".join(menc)
    del menc
    tell(2, 4, "正在建立索引 …")
    arrays.update(postings.build(texts, "t"))
    tell(3, 4, "正在建立索引 …")
    arrays.update(postings.build([t[: int(k)] for t, k in zip(texts, arrays["tlen"])], "h"))
    del texts
    header = {
        "format": FORMAT,
        "n": n,
        "districts": list(districts),
        "issued": list(issued),
        "bits": {k: list(bits[k].pos) for k in SPACES},
        "masks": {k: list(tables[k]) for k in SPACES},
        **(extra or {}),
    }
    tell(4, 4, "正在建立索引 …")
    return IndexData(header, arrays, blob, mids)


# ---------------------------------------------------------------------------- the file


def write(data: IndexData, path: Path) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file moved into place)."""
    arrays = dict(data.arrays)
    arrays["text_blob"] = np.frombuffer(bytes(data._blob), dtype=np.uint8)
    arrays["mid_blob"] = np.frombuffer(bytes(data._mids), dtype=np.uint8)
    layout: dict[str, list] = {}
    off = 0
    for name, arr in arrays.items():
        off = -(-off // _ALIGN) * _ALIGN
        layout[name] = [arr.dtype.str, int(arr.size), off]
        off += arr.nbytes
    header = dict(
        data.header, arrays=layout, crc={k: zlib.crc32(np.ascontiguousarray(v).data) for k, v in arrays.items()}
    )
    hb = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    start = -(-(_PREFIX_BYTES + len(hb)) // _ALIGN) * _ALIGN
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC + len(hb).to_bytes(8, "little") + zlib.crc32(hb).to_bytes(8, "little") + hb)
            f.write(b"\0" * (start - _PREFIX_BYTES - len(hb)))
            pos = 0
            for name, arr in arrays.items():
                at = layout[name][2]
                f.write(b"\0" * (at - pos))
                f.write(np.ascontiguousarray(arr).tobytes())
                pos = at + arr.nbytes
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


def read(path: Path, stamp: str) -> IndexData | None:
    """The index stored at ``path`` if it is whole and built under ``stamp``; else None.
    The header and the small arrays are checked here, the large sections at first use."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if _DISCARDED.get(path) == (st.st_ino, st.st_mtime_ns, st.st_size):
                return None  # found damaged, and could not be removed
            head = f.read(_PREFIX_BYTES)
            if len(head) < _PREFIX_BYTES or head[:8] != MAGIC:
                return None
            hlen = int.from_bytes(head[8:16], "little")
            size = os.fstat(f.fileno()).st_size
            if hlen <= 0 or _PREFIX_BYTES + hlen > size:
                return None
            hb = f.read(hlen)
            if zlib.crc32(hb) != int.from_bytes(head[16:24], "little"):
                return None
            header = json.loads(hb.decode("utf-8"))
            if header.get("format") != FORMAT or header.get("stamp") != stamp:
                return None
            start = -(-(_PREFIX_BYTES + hlen) // _ALIGN) * _ALIGN
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        arrays: dict[str, np.ndarray] = {}
        layout = header["arrays"]
        crcs = header["crc"]
        if set(crcs) != set(layout):
            return None
        for name, (dt, count, off) in layout.items():
            dtype = np.dtype(dt)
            if off < 0 or count < 0 or start + off + count * dtype.itemsize > size:
                return None
            arrays[name] = np.frombuffer(mm, dtype=dtype, count=count, offset=start + off)
        n = int(header["n"])
        if len(arrays["text_off"]) != n + 1 or len(arrays["mid_off"]) != n + 1:
            return None
        if any(zlib.crc32(np.ascontiguousarray(v).data) != crcs[k] for k, v in arrays.items() if not _large(k)):
            return None
        tb = arrays.pop("text_blob")
        mb = arrays.pop("mid_blob")
        if int(arrays["text_off"][-1]) != len(tb) or int(arrays["mid_off"][-1]) != len(mb):
            return None
        # the large sections already checked in this very state of the file (a process
        # before this one read them) are not read again: a CLI match reads 165 MB of a
        # 100,000-measure library's index to check it, 0.1 s at every start
        state = kbfile.file_stamp(path)
        known = kbfile.checked_sections(path, state)

        def passed(name: str) -> None:  # the record grows with each section that passes
            known.add(name)
            kbfile.remember_sections(path, state, known)

        pending = {k: int(crcs[k]) for k in arrays if _large(k) and k not in known}
        where = {k: (mm, start + layout[k][2], arrays[k].nbytes) for k in pending}

        def blob(name: str, length: int) -> _Blob:
            crc = None if name in known else int(crcs[name])
            return _Blob(mm, start + layout[name][2], length, crc, path, name, passed)

        return IndexData(
            header,
            _Sections(arrays, pending, path, where, passed),
            blob("text_blob", len(tb)),
            blob("mid_blob", len(mb)),
            keep=mm,
        )
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None


def _large(name: str) -> bool:
    """The sections checked at first use: texts and ids, posting records, tier matrices
    (most of the file); the others, small, at open."""
    return name.endswith(("_recs", "_blob")) or (name.startswith("tier_") and name != "tier_tables")


#: Files found damaged in this process (path → inode, mtime, size): never read again, even
#: where they cannot be removed (a read-only folder); a file rebuilt in their place is new.
_DISCARDED: dict[Path, tuple[int, int, int]] = {}


def discard(err: IndexDamaged) -> None:
    """Set aside the file a failed check came from, so that it is rebuilt."""
    if err.path is None:
        return
    kbfile.forget_checked(err.path)
    try:
        st = err.path.stat()
        _DISCARDED[err.path] = (st.st_ino, st.st_mtime_ns, st.st_size)
        err.path.unlink()
    except OSError:
        pass


def answered(ask: Callable[[], _T], rebuild: Callable[[], object]) -> _T:
    """``ask()``; when a section of the index it reads fails its check at first use
    (:class:`IndexDamaged`), the file is set aside (:func:`discard`), ``rebuild()`` makes it
    again — with progress, as for a missing file — and ``ask()`` is asked again."""
    try:
        return ask()
    except IndexDamaged as e:
        discard(e)
        rebuild()
        return ask()


def sections(path: Path) -> dict[str, tuple[int, int]]:
    """Every section of a stored index file: name → (offset, length), the header included
    (for tests that damage them one at a time)."""
    raw = path.read_bytes()
    hlen = int.from_bytes(raw[8:16], "little")
    header = json.loads(raw[_PREFIX_BYTES : _PREFIX_BYTES + hlen])
    start = -(-(_PREFIX_BYTES + hlen) // _ALIGN) * _ALIGN
    out = {"(header)": (_PREFIX_BYTES, hlen)}
    for name, (dt, count, off) in header["arrays"].items():
        if count:
            out[name] = (start + off, np.dtype(dt).itemsize * count)
    return out


class _Blob:
    """A region of the map read as bytes (what ``bytes[a:b]`` gives), copied per slice;
    checked against its CRC-32 at first use (:class:`IndexDamaged` if it fails)."""

    __slots__ = ("_mm", "_base", "_len", "_crc", "_path", "_name", "_passed")

    def __init__(
        self,
        mm: mmap.mmap,
        base: int,
        length: int,
        crc: int | None,
        path: Path | None,
        name: str,
        passed: Callable[[str], None] | None = None,
    ):
        self._mm, self._base, self._len = mm, base, length
        self._crc, self._path, self._name = crc, path, name
        self._passed = passed

    def _check(self) -> None:
        ok = _crc_of_mapped(self._mm, self._base, self._len) == self._crc
        if not ok:
            raise IndexDamaged(self._path, self._name)
        self._crc = None
        if self._passed is not None:
            self._passed(self._name)

    def __getitem__(self, s: slice) -> bytes:
        if self._crc is not None:
            self._check()
        return self._mm[self._base + s.start : self._base + s.stop]

    def __bytes__(self) -> bytes:
        if self._crc is not None:
            self._check()
        return self._mm[self._base : self._base + self._len]


# ---------------------------------------------------------------------------- where


def index_dir(kb: Any) -> Path:
    user_path = getattr(kb, "user_path", None)
    return Path(user_path).parent if user_path else Path(kb.seed_path).parent
