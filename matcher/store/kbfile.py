"""The knowledge-base files on disk: health check, setting a damaged file aside, the
writer lock, and SQLite errors in plain Chinese.

* :func:`check_file` opens the file **read-write** when it can, so that SQLite rolls back
  a hot journal left by a killed import before the check reads the file (a read-only
  connection cannot, and would call a healthy file corrupt). The full check reads the
  whole file, so it runs only when the file is not known to be good: a small record in
  ``<cache>/checked/`` (size, mtime, inode, SQLite header) of the last clean check is compared
  at every open (constant time); any write, an interrupted transaction or a change behind
  our back makes them differ.
* :class:`WriterLock` is one lock file per data folder (``kb.lock``): every write to the
  user KB and to ``imports/`` — an import, a removal, a re-derivation, a clean-up — holds
  it. A second writer waits (bounded, :data:`matcher.common.limits.LOCK_WAIT_SECONDS`) and is
  then told plainly that another import is running.
* :func:`set_aside` renames a damaged file ``*.corrupt-<time>`` and keeps only the newest
  :data:`matcher.common.limits.KEEP_CORRUPT_COPIES` of those copies.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from matcher.common import limits
from matcher.errors import KBError

LOCK_FILE = "kb.lock"
_SIDECARS = ("-journal", "-wal", "-shm")


# ---------------------------------------------------------------- SQLite errors


def plain_reason(e: BaseException) -> str:
    """An OSError or sqlite3.Error as a short Chinese phrase (no English fragments)."""
    why = str(getattr(e, "strerror", None) or e)
    low = why.lower()
    if "locked" in low or "busy" in low:
        return "另一个导入正在进行(另一个窗口或命令正在写入知识库),请等它完成后再试"
    if "readonly" in low or "read-only" in low or isinstance(e, PermissionError):
        return "没有写入权限(文件夹或文件是只读的)"
    if "unable to open" in low:
        return "无法打开或创建文件(文件夹不存在或没有权限)"
    if "disk" in low and ("full" in low or "space" in low) or "no space" in low:
        return "磁盘空间不足"
    if "unique constraint" in low:
        return "措施编号重复(文件中有编号完全相同的条目),未写入"
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return "知识库文件已损坏"
    if "interrupted" in low:
        return "操作被中断"
    if isinstance(e, sqlite3.Error):
        return "数据库操作失败(" + type(e).__name__ + ")"
    if isinstance(e, OSError):
        import errno

        return {
            errno.ENOENT: "文件或文件夹不存在",
            errno.ENOSPC: "磁盘空间不足",
            errno.EROFS: "文件系统是只读的",
            errno.EACCES: "没有权限",
            errno.EPERM: "没有权限",
        }.get(e.errno or 0, f"文件系统错误(错误号 {e.errno})")
    return why


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def kb_error(action: str, path: Path, e: BaseException) -> KBError:
    return KBError(f"{action}失败:{path}:{plain_reason(e)}。")


# ---------------------------------------------------------------- health check

CHECKED_DIR = "checked"
_HEADER_BYTES = 100


def _stamp(path: Path) -> dict[str, object] | None:
    """What identifies the file's present state without reading it: size, mtime, inode and
    the SQLite header (its file change counter moves at every commit, its schema cookie at
    every schema change). None when the file cannot be read."""
    try:
        st = path.stat()
        with open(path, "rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except OSError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino, "head": head.hex()}


def _record_path(path: Path) -> Path:
    """Where the known-good record of ``path`` lives: in the cache folder (derived data; the
    data folder holds only the user's own files), named after the file and its full path."""
    from matcher.common import paths

    try:
        key = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:12]
    except OSError:
        key = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]
    return paths.cache_dir() / CHECKED_DIR / f"{path.name}-{key}.json"


def _unfinished(path: Path) -> bool:
    """A journal or WAL beside the file: a transaction was interrupted (or is running)."""
    for suffix in ("-journal", "-wal"):
        try:
            if path.with_name(path.name + suffix).stat().st_size > 0:
                return True
        except OSError:
            continue
    return False


def known_good(path: Path) -> bool:
    """True when ``path`` is, byte for byte as far as its stamp tells, the file that last
    passed a full check: same size, mtime, inode and header, no journal beside it."""
    if _unfinished(path):
        return False
    try:
        recorded = json.loads(_record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KBError):
        return False
    now = _stamp(path)
    return now is not None and recorded == now


def _remember_good(path: Path, checked: dict[str, object] | None) -> None:
    """Record the stamp of a file that just passed the full check — only if it is still the
    state that was checked (another process may have written since). Best effort: a
    read-only folder simply checks in full at every open."""
    stamp = _stamp(path)
    if stamp is None or stamp != checked or _unfinished(path):
        return
    try:
        record = _record_path(path)
        record.parent.mkdir(exist_ok=True)
        atomic_write_text(record, json.dumps(stamp))
    except (OSError, KBError):
        pass


def file_stamp(path: Path) -> dict[str, object] | None:
    """The stamp :func:`checked_sections` records a file's checked parts under (size, mtime,
    inode, first bytes): any write, replacement or copy changes it."""
    return _stamp(path)


def checked_sections(path: Path, stamp: dict[str, object] | None) -> set[str]:
    """The sections of a file of its own format (the match index) that passed their check
    in the file's present state ``stamp``: the same bytes need not be read again at every
    open. Empty when the file changed since, or nothing was recorded."""
    if stamp is None:
        return set()
    try:
        recorded = json.loads(_record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KBError):
        return set()
    if not isinstance(recorded, dict) or recorded.get("stamp") != stamp:
        return set()
    names = recorded.get("sections")
    return {str(n) for n in names} if isinstance(names, list) else set()


def remember_sections(path: Path, stamp: dict[str, object] | None, names: set[str]) -> None:
    """Record ``names`` as the checked sections of ``path`` in state ``stamp`` — only while
    the file is still in that state. Best effort, as :func:`_remember_good`: a read-only cache
    folder checks again at the next open; two processes writing at once may drop a name
    (checked again, never trusted wrongly)."""
    if stamp is None or _stamp(path) != stamp:
        return
    try:
        record = _record_path(path)
        record.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(record, json.dumps({"stamp": stamp, "sections": sorted(names)}))
    except (OSError, KBError):
        pass


def forget_checked(path: Path) -> None:
    """Drop the known-good record of ``path`` (it was replaced, set aside or written)."""
    try:
        _record_path(path).unlink()
    except (OSError, KBError):
        pass


def full_check(con: sqlite3.Connection) -> bool:
    """``PRAGMA quick_check``: reads every page (linear in the file's size)."""
    rows = con.execute("PRAGMA quick_check").fetchall()
    return [r[0] for r in rows] == ["ok"]


def check_file(path: Path, *, required: Iterable[str], schema_version: int) -> tuple[str, dict[str, str]]:
    """('ok'|'missing'|'corrupt'|'old'|'busy', meta) for a KB file; never raises on damage.

    Opened read-write when the file and its folder are writable: reading a file with a hot
    journal then rolls the interrupted transaction back (what SQLite is for), instead of
    failing. 'busy' means another process holds a write lock right now.

    The full check (``PRAGMA quick_check``, which reads the whole file) runs only when the
    file is not known to be good (:func:`known_good`): the first time, after any write
    (an import, a re-derivation: the header's change counter and the mtime move), after an
    interrupted transaction (a journal beside the file), or when the file was changed
    behind our back. Otherwise the open costs the same at 300 measures as at 300,000: the
    header, the schema, the meta table and one row are still read at every open.
    """
    if not path.exists():
        return "missing", {}
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    trusted = known_good(path)
    uri = f"file:{path.as_posix()}?mode={'rw' if writable else 'ro'}"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=limits.BUSY_TIMEOUT_SECONDS)
        try:
            checked = None
            if not trusted:
                if not full_check(con):
                    return "corrupt", {}
                checked = _stamp(path)  # the state just checked (a hot journal rolled back)
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not set(required) <= tables:
                return "corrupt", {}
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if version != schema_version:
                return "old", meta
            con.execute("SELECT measure_id FROM measures LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            return "busy", {}
        return "corrupt", {}
    except sqlite3.DatabaseError:
        return "corrupt", {}
    if checked is not None and writable:
        _remember_good(path, checked)
    return "ok", meta


# ---------------------------------------------------------------- damaged files


def remove_sidecars(path: Path) -> None:
    forget_checked(path)
    for suffix in _SIDECARS:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()


def corrupt_copies(path: Path) -> list[Path]:
    """The ``<name>.corrupt-*`` copies of ``path`` (not their journals), newest first."""
    out = [p for p in path.parent.glob(f"{path.name}.corrupt-*") if not any(p.name.endswith(s) for s in _SIDECARS)]
    return sorted(out, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def prune_corrupt(path: Path, keep: int | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` set-aside copies of ``path``; returns those deleted."""
    keep = limits.KEEP_CORRUPT_COPIES if keep is None else keep
    gone = []
    for old in corrupt_copies(path)[keep:]:
        for p in [old] + [old.with_name(old.name + s) for s in _SIDECARS]:
            try:
                p.unlink()
                gone.append(p)
            except FileNotFoundError:
                pass
            except OSError:
                break
    return gone


def set_aside(path: Path) -> Path:
    """Rename a damaged ``path`` (and its journal) to ``*.corrupt-<time>``; prune old copies."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    forget_checked(path)
    try:
        os.replace(path, target)
        for suffix in _SIDECARS:
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except OSError as e:
        raise KBError(f"知识库文件 {path} 已损坏,且无法移到一旁:{plain_reason(e)}。请手动删除该文件后重试。") from None
    try:
        prune_corrupt(path)
    except OSError:
        pass
    return target


# ---------------------------------------------------------------- the writer lock


def _try_lock(fh: IO[bytes]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class WriterLock:
    """Exclusive lock on ``<folder>/kb.lock``, held by one writer at a time (re-entrant
    within one KnowledgeBase). The OS releases it when the process dies, so a killed
    import never leaves the folder locked."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_FILE
        self._fh: IO[bytes] | None = None
        self._depth = 0
        self.error: OSError | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self, wait: float | None = None) -> bool:
        """Take the lock, waiting up to ``wait`` seconds (default from limits); False on timeout."""
        if self._fh is not None:
            self._depth += 1
            return True
        wait = limits.lock_wait() if wait is None else wait
        self.error = None
        try:
            fh = open(self.path, "a+b")
        except OSError as e:  # a read-only data folder: nobody can write, readers carry on
            self.error = e
            return False
        deadline = time.monotonic() + wait
        while True:
            if _try_lock(fh):
                self._fh, self._depth = fh, 1
                return True
            if time.monotonic() >= deadline:
                fh.close()
                return False
            time.sleep(0.05)

    def release(self) -> None:
        if self._fh is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fh, self._fh = self._fh, None
        try:
            _unlock(fh)
        finally:
            fh.close()

    def __enter__(self) -> WriterLock:
        if not self.acquire():
            if self.error is not None:
                raise kb_error("写入知识库", self.path.parent, self.error)
            raise KBError(
                "另一个导入正在进行(另一个窗口或命令正在写入知识库),"
                f"已等待 {limits.lock_wait():.0f} 秒仍未完成。请等它完成后再试。"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
