"""Client data the program keeps in the data folder, readable by the user only, and how it
is cleared (``policydesk data clear`` and 清除客户记录 in the window).

What is stored where, and for how long:

* ``profiles/<name>.json`` — profiles the officer saved on purpose; kept until deleted.
* ``sessions/<time>.json`` — a recent session (profile and result counts), written only
  when the officer prints, exports or saves; kept at most :func:`retention_days` days
  (default 1: a counter PC serves many clients a day), then deleted at the next start
  or listing.
* ``imports/<sha>/`` and ``user_kb.sqlite`` — imported documents (not client data).

Files are written with mode 0600 and folders 0700 (on POSIX). Qt-free: the CLI uses it too.
"""

from __future__ import annotations

import configparser
import os
import shutil
import time
from pathlib import Path

from matcher.common.paths import data_dir, remove_older_than

PROFILES_DIR = "profiles"
SESSIONS_DIR = "sessions"
DEFAULT_RETENTION_DAYS = 1.0
SETTINGS_FILE = "settings.ini"


def _private_dir(name: str) -> Path:
    """The folder, made (mode 0700) if missing; on a read-only data folder it is returned
    as it is — missing, it lists nothing — and writing into it fails where it is tried."""
    p = data_dir() / name
    try:
        p.mkdir(parents=True, exist_ok=True)
        os.chmod(p, 0o700)
    except OSError:
        pass
    return p


def read_only_reason() -> str | None:
    """Why the data folder cannot be written (a read-only disk or share, no permission), in
    Chinese, or None when it can: a file is created and removed there to find out (the only
    test that holds for root too)."""
    import tempfile

    folder = data_dir()
    try:
        fd, name = tempfile.mkstemp(prefix=".write-test-", dir=folder)
    except OSError as e:
        from matcher.store.kbfile import plain_reason

        return f"数据文件夹 {folder} 无法写入({plain_reason(e)})"
    os.close(fd)
    try:
        os.unlink(name)
    except OSError:
        pass
    return None


def profiles_dir() -> Path:
    return _private_dir(PROFILES_DIR)


def sessions_dir() -> Path:
    return _private_dir(SESSIONS_DIR)


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable and writable by the user only (atomically)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def setting(section: str, key: str) -> str | None:
    """``[section] key`` of the data folder's settings.ini (written by the window), or None
    when the file, the key or a readable file is missing."""
    ini = data_dir() / SETTINGS_FILE
    if not ini.is_file():
        return None
    cp = configparser.ConfigParser()
    try:
        cp.read(ini, encoding="utf-8")
        return cp.get(section, key, fallback=None)
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None


def retention_days() -> float:
    """Days a recent session is kept: ``POLICYDESK_SESSION_DAYS``, else ``[privacy]
    session_days`` in the data folder's settings.ini, else 1. 0 keeps none."""
    raw = os.environ.get("POLICYDESK_SESSION_DAYS")
    if raw is None:
        raw = setting("privacy", "session_days")
    try:
        days = float(raw) if raw is not None else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS
    return days if days == days and days >= 0 else DEFAULT_RETENTION_DAYS


def at_open(notices: list[str]) -> None:
    """What the data folder needs whenever the engine opens the knowledge base (each command,
    each start of the window): a notice when it cannot be written, and recent sessions past
    their retention deleted — not only when the window starts."""
    reason = read_only_reason()
    if reason:
        notices.append(f"{reason}:可以匹配、查看和打印,但不能导入文件、保存画像或记录。")
        return
    try:
        prune_sessions()
    except OSError:
        pass


def prune_sessions(now: float | None = None) -> int:
    """Delete recent sessions older than :func:`retention_days`; returns how many."""
    limit = retention_days() * 86400
    now = time.time() if now is None else now
    folder = data_dir() / SESSIONS_DIR
    if not folder.is_dir():
        return 0
    return remove_older_than(folder, "*.json", limit, now)


def _clear_folder(p: Path) -> int:
    if not p.is_dir():
        return 0
    n = 0
    for f in p.iterdir():
        try:
            if f.is_dir():
                shutil.rmtree(f)
            else:
                f.unlink()
            n += 1
        except OSError:
            continue
    return n


def clear_profiles() -> int:
    """Delete every saved profile (and when each was last reviewed); returns how many files."""
    try:
        (data_dir() / "profile_reviews.json").unlink(missing_ok=True)  # client names: matcher.clients.changes
    except OSError:
        pass
    return _clear_folder(data_dir() / PROFILES_DIR)


def clear_sessions() -> int:
    """Delete every recent session; returns how many files."""
    return _clear_folder(data_dir() / SESSIONS_DIR)
