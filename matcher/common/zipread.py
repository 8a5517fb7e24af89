"""Reading zip members (a .docx's parts, a policy pack's files) with bounded work.

A zip's directory declares each member's size, but nothing makes the data agree: a member
declared as 1 MB may inflate to 1 GB, and :meth:`zipfile.ZipFile.read` inflates it whole
before cutting it to the declared size. :func:`read_member` reads through a counting
stream instead — a small chunk at a time — and stops at ``limit`` bytes of real output
whatever the directory says; every error of the zip or the decompressor (a flipped byte
gives ``zlib.error``, a wrong CRC ``BadZipFile`` …) becomes the caller's refusal.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Callable

from matcher.common import limits

#: Bytes inflated per read: memory per member stays about this much above what is kept.
CHUNK = 64 * 1024
#: Errors a damaged or hostile zip member raises while it is read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


class TooBig(Exception):
    """A member inflated past its limit, or past the ratio allowed (:data:`limits.MAX_PART_RATIO`)."""

    def __init__(self, size: int, why: str):
        super().__init__(size)
        self.size = size  # bytes inflated when it was stopped
        self.why = why  # "size" (the member's limit), "ratio" or "total" (the file's budget)


class Damaged(Exception):
    """A member that cannot be read (the zip or the compressed data is damaged)."""

    def __init__(self, cause: BaseException):
        super().__init__(type(cause).__name__)
        self.cause = cause


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, *, ratio: int | None = None, budget: list[int] | None = None
) -> bytes:
    """The bytes of ``info``, read a chunk at a time: :class:`TooBig` as soon as more than
    ``limit`` bytes come out, or (above 1 MB) more than ``ratio`` times the compressed size,
    or more than is left of ``budget`` (a one-item list: the bytes the members of one file
    may still inflate to, decreased as they are read); :class:`Damaged` for any error of the
    zip or the decompressor."""
    ratio = limits.MAX_PART_RATIO if ratio is None else ratio
    compressed = max(1, info.compress_size)
    parts: list[bytes] = []
    n = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                n += len(chunk)
                if n > limit:
                    raise TooBig(n, "size")
                if n > 1024 * 1024 and n / compressed > ratio:
                    raise TooBig(n, "ratio")
                if budget is not None:
                    budget[0] -= len(chunk)
                    if budget[0] < 0:
                        raise TooBig(n, "total")
                parts.append(chunk)
    except ZIP_ERRORS as e:
        raise Damaged(e) from None
    return b"".join(parts)


def damage_in_words(e: Damaged) -> str:
    """What went wrong inside a zip member, for a user: no Python class names."""
    cause = e.cause
    if isinstance(cause, zlib.error):
        return "压缩数据无法解开"
    if isinstance(cause, zipfile.BadZipFile) and "CRC" in str(cause):
        return "校验值不符"
    if isinstance(cause, EOFError):
        return "文件被截断"
    return "压缩包结构损坏"


def check_names(names: list[str], plain: Callable[[str], bool] | None = None) -> str | None:
    """The first member name that is not a plain relative path (absolute, a drive, ``..``,
    ``\\``, a control character), or that ``plain`` refuses; None when all are fine."""
    for name in names:
        parts = name.split("/")
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or any(ord(c) < 32 or c == "\x7f" for c in name)
            or (len(parts[0]) >= 2 and parts[0][1] == ":")
            or any(p in ("", ".", "..") for p in parts)
            or (plain is not None and not plain(name))
        ):
            return name
    return None


def directory_size(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(entries, bytes) of a zip's central directory as its end record declares them, read
    from the file's last 64 KB — before :class:`zipfile.ZipFile` parses the directory, which
    takes seconds and a hundred MB for 200,000 tiny entries. None: not a zip (let the reader
    say so)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            back = min(size, 65535 + 22)
            fh.seek(size - back)
            tail = fh.read(back)
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) - at < 22:
                return None
            _sig, _d, _dcd, _n_disk, entries, cd_bytes, _cd_off, _clen = struct.unpack("<4s4H2LH", tail[at : at + 22])
            if entries == 0xFFFF or cd_bytes == 0xFFFFFFFF:  # zip64: the record the locator names
                loc = tail[at - 20 : at] if at >= 20 else b""
                if len(loc) != 20 or loc[:4] != b"PK\x06\x07":
                    return None
                (rec_off,) = struct.unpack("<Q", loc[8:16])
                fh.seek(rec_off)
                rec = fh.read(56)
                if len(rec) != 56 or rec[:4] != b"PK\x06\x06":
                    return None
                entries, cd_bytes = struct.unpack("<QQ", rec[32:48])
            return int(entries), int(cd_bytes)
    except (OSError, struct.error, ValueError):
        return None
