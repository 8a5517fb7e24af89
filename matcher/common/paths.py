"""Every file location PolicyDesk uses, resolved in one place.

Read-only data (``resources/``, ``seeds/``) is found, in order: inside a PyInstaller
bundle (``sys._MEIPASS``), next to the source tree (development / editable install), or
under ``<prefix>/share/policydesk`` (wheel install). User data lives in platformdirs
folders; ``POLICYDESK_HOME`` redirects all of them (tests, portable use).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "PolicyDesk"


def _data_roots() -> list[Path]:
    roots: list[Path] = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        roots.append(Path(meipass))
    roots.append(Path(__file__).resolve().parents[2])
    roots.append(Path(sys.prefix) / "share" / "policydesk")
    return roots


def _find(name: str) -> Path:
    for root in _data_roots():
        p = root / name
        if p.is_dir():
            return p
    raise FileNotFoundError(f"找不到数据目录 {name}/(已查找:{', '.join(str(r) for r in _data_roots())})")


def resources_dir() -> Path:
    return _find("resources")


def seeds_dir() -> Path:
    return _find("seeds")


def _home() -> Path | None:
    h = os.environ.get("POLICYDESK_HOME")
    return Path(h) if h else None


def _ensure(p: Path, what: str) -> Path:
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        import errno

        from matcher.errors import KBError

        why = {
            errno.ENOTDIR: "路径中有同名文件,不是文件夹",
            errno.EACCES: "没有写入权限",
            errno.EPERM: "没有写入权限",
            errno.EROFS: "位于只读的磁盘上",
            errno.ENOSPC: "磁盘已满",
        }.get(err.errno or 0, err.strerror or str(err))
        hint = "(由环境变量 POLICYDESK_HOME 指定)" if _home() else ""
        raise KBError(
            f"无法使用{what} {p}{hint}:{why}。"
            "请检查该位置是否是可写的文件夹,或用环境变量 POLICYDESK_HOME 指定另一个文件夹。"
        ) from err
    return p


def os_reason(err: OSError) -> str:
    """An OSError as a short Chinese phrase — never the system's English words
    (No such file or directory …)."""
    import errno

    return {
        errno.ENOENT: "文件或文件夹不存在",
        errno.ENOTDIR: "路径中有同名文件,不是文件夹",
        errno.EISDIR: "这是一个文件夹,不是文件",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EROFS: "文件系统是只读的",
        errno.ENOSPC: "磁盘空间不足",
        errno.ENAMETOOLONG: "文件名或路径太长",
        errno.EBUSY: "文件正被其他程序占用",
        errno.EIO: "读写出错(磁盘或网络盘可能有问题)",
        errno.ELOOP: "路径中的链接太多(可能循环)",
        errno.EEXIST: "文件已存在",
    }.get(err.errno or 0, f"文件系统错误(错误号 {err.errno})")


def cache_dir() -> Path:
    h = _home()
    return _ensure(h / "cache" if h else Path(platformdirs.user_cache_dir(APP, appauthor=False)), "缓存文件夹")


def data_dir() -> Path:
    h = _home()
    return _ensure(h / "data" if h else Path(platformdirs.user_data_dir(APP, appauthor=False)), "用户数据文件夹")


def prebuilt_kb() -> Path | None:
    """A knowledge base shipped with a packaged app, if any."""
    for root in _data_roots():
        p = root / "prebuilt" / "seed_kb.sqlite"
        if p.is_file():
            return p
    return None


def bundled_code_hash() -> str:
    """In a packaged app: the hash of the matcher code it was built from, written at build
    time (``packaging/prebuilt.py``), so a rebuilt app with changed code rebuilds the
    user's caches; "" when not packaged or unknown."""
    meipass = getattr(sys, "_MEIPASS", None)
    if not meipass:
        return ""
    try:
        return (Path(meipass) / "prebuilt" / "code_hash.txt").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def remove_older_than(folder: Path, pattern: str, seconds: float, now: float) -> int:
    """Delete the files of ``folder`` matching ``pattern`` last changed more than ``seconds``
    before ``now``; a file that cannot be read or removed is skipped. Returns how many went."""
    try:
        found = list(folder.glob(pattern))
    except OSError:
        return 0
    gone = 0
    for f in found:
        try:
            if now - f.stat().st_mtime > seconds:
                f.unlink()
                gone += 1
        except OSError:
            continue
    return gone
