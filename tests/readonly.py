"""Run a command with a folder read-only — for root too, as CI runs the tests.

Root ignores file permissions, so ``chmod`` alone proves nothing there. In order:

* not root: the folder's permissions are taken away (and given back afterwards);
* root, where the kernel allows user namespaces: ``unshare -rm`` and a read-only bind
  mount of the folder over itself — writes fail with EROFS, as on a read-only share;
* root otherwise: the folder (and the way to it) is made readable by others and the command
  runs as ``nobody`` (``os.setuid`` in the child) — writes fail with EACCES.

:func:`how` says which, or why none works (the tests then skip, saying so).
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

NOBODY = 65534


@functools.cache
def how() -> str:
    """``chmod``, ``mount`` or ``setuid``; or ``none: <why>``."""
    if not hasattr(os, "geteuid"):
        return "none: not a POSIX system"
    if os.geteuid() != 0:
        return "chmod"
    probe = Path(tempfile.mkdtemp(prefix="policydesk-ro-"))
    try:
        r = subprocess.run(
            ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && ! touch "$0/x" 2>/dev/null', str(probe)],
            capture_output=True,
            timeout=30,
        )
        if r.returncode == 0 and not (probe / "x").exists():
            return "mount"
    except (OSError, subprocess.SubprocessError):
        pass
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    try:
        r = subprocess.run(["true"], preexec_fn=lambda: os.setuid(NOBODY), timeout=30)
        if r.returncode == 0:
            return "setuid"
    except (OSError, subprocess.SubprocessError):
        pass
    return "none: running as root, and the kernel allows neither a user namespace (unshare -rm) nor setuid"


def run(folder: Path, argv: Sequence[object], *, env: dict[str, str], cwd: Path, timeout: float = 300):
    """``argv`` run (in ``cwd``, with ``env``) while ``folder`` is read-only for it."""
    argv = [str(a) for a in argv]
    mode = how()
    if mode == "chmod":
        saved = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        try:
            for p in saved:
                p.chmod(stat.S_IMODE(saved[p]) & ~0o222)
            return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        finally:
            for p, m in saved.items():
                p.chmod(stat.S_IMODE(m))
    if mode == "mount":
        cmd = ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *argv]
        return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if mode == "setuid":
        for p in [folder, *folder.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        for parent in folder.parents:  # nobody must be able to reach it
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o005)
        env = dict(env, HOME=str(folder))
        return subprocess.run(
            argv,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=lambda: (os.setgid(NOBODY), os.setuid(NOBODY)),
        )
    raise RuntimeError(mode)
