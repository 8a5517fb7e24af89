"""Fault injection on the import run (issue 12, points 1 and 2).

* SIGKILL at random points of an import, 20 runs: afterwards ``PRAGMA integrity_check`` is
  ok and ``kb stats`` equals the state before the import or the state after it — never in
  between — and stays so when the user's documents are re-derived from ``imports/`` (the
  way a killed import used to come back).
* Two imports at once, of the same file and of different files: one writer at a time,
  nothing lost, the shared copy kept.

The child imports run ``python -m matcher ingest`` with ``POLICYDESK_TEST_IMPORT_PAUSE``,
a test-only hook (inert by default) that sleeps between steps and names them on stderr.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from matcher.store import kb as kbmod
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DOC = CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt"
DOC2 = CORPUS / "jinshan_yingshang_huanjing_xingdong_2024.txt"
PAUSE = 0.2

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _env(home: Path, pause: float | None = PAUSE, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env["POLICYDESK_HOME"] = str(home)
    if pause:
        env["POLICYDESK_TEST_IMPORT_PAUSE"] = str(pause)
    env.update(extra)
    return env


def _start(home: Path, *files: Path, pause: float | None = PAUSE, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", "ingest", *map(str, files)],
        cwd=ROOT,
        env=_env(home, pause, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def _state(home: Path, monkeypatch, *, rederive: bool = False) -> dict:
    """``kb stats`` of the KB in ``home`` as the next start sees it (optionally forcing the
    user documents to be re-derived from imports/)."""
    monkeypatch.setenv("POLICYDESK_HOME", str(home))
    with monkeypatch.context() as m:
        if rederive:
            m.setattr(kbmod, "rules_fingerprint", lambda: "rules-changed")
        k = KnowledgeBase.open_default()
        try:
            # a killed import is rolled back, never mistaken for a damaged file
            assert not [n for n in k.notices if "损坏" in n], k.notices
            return k.stats()
        finally:
            k.close()


def _integrity(home: Path) -> str:
    con = sqlite3.connect(home / "data" / "user_kb.sqlite")
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _wait_for(proc: subprocess.Popen, step: str, timeout: float = 60) -> str:
    """Read the child's stderr until it reports ``step``; returns what was read."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.strip() == f"POLICYDESK_TEST_STEP {step}":
            break
    return "".join(seen)


def _committed_folders(home: Path) -> set[str]:
    imports = home / "data" / "imports"
    return {p.parent.name for p in imports.glob("*/manifest.json")} if imports.is_dir() else set()


@pytest.fixture
def base_home(policydesk_home, tmp_path, monkeypatch):
    """A home with the seed KB and an empty user KB, and the stats before and after an import."""
    before = _state(policydesk_home, monkeypatch)
    ref = tmp_path / "ref"
    shutil.copytree(policydesk_home, ref)
    monkeypatch.setenv("POLICYDESK_HOME", str(ref))
    k = KnowledgeBase.open_default()
    k.ingest([DOC])
    k.close()
    after = _state(ref, monkeypatch)
    assert after != before and len(after["documents"]) == len(before["documents"]) + 1
    return policydesk_home, before, after


def test_sigkill_at_random_points_never_leaves_half_an_import(base_home, tmp_path, monkeypatch):
    home, before, after = base_home
    rng = random.Random(12)
    runs = 20
    # 2 runs killed while starting; the others after a random delay from a random step
    # (the lock taken, the copies staged, inside the transaction, just committed)
    steps = ["locked", "staged", "in-transaction", "committed"]
    plan: list[tuple[str | None, float]] = [(None, rng.random() * 0.3) for _ in range(2)]
    plan += [(steps[i % 4], rng.random() * PAUSE * 1.5) for i in range(runs - 2)]
    steps_hit: list[str] = []
    journals: list[int] = []

    def one(i: int) -> tuple[int, str]:
        step, delay = plan[i]
        run_home = tmp_path / f"run{i}"
        proc = _start(run_home, DOC)
        seen = _wait_for(proc, step) if step else ""
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if (run_home / "data" / "user_kb.sqlite-journal").exists():
            journals.append(i)
        _, err = proc.communicate(timeout=120)
        reached = [ln.split()[-1] for ln in (seen + err).splitlines() if ln.startswith("POLICYDESK_TEST_STEP")]
        return proc.returncode, (reached[-1] if reached else "start")

    for i in range(runs):
        shutil.copytree(home, tmp_path / f"run{i}")
    results: dict[int, tuple[int, str]] = {}
    for batch in range(0, runs, 5):  # five at a time keeps the suite quick
        threads = [
            threading.Thread(target=lambda i=i: results.__setitem__(i, one(i)))
            for i in range(batch, min(runs, batch + 5))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    outcomes = []
    for i in range(runs):
        run_home = tmp_path / f"run{i}"
        code, step = results[i]
        steps_hit.append(step)
        first = _state(run_home, monkeypatch)
        assert _integrity(run_home) == "ok", i
        assert first in (before, after), (i, step, code)
        assert _state(run_home, monkeypatch) == first, (i, step)  # stable on reopen
        assert _state(run_home, monkeypatch, rederive=True) == first, (i, step)  # never resurrected
        n_user = len(first["documents"]) - len(before["documents"])
        assert len(_committed_folders(run_home)) == n_user, (i, step)  # folders match the KB
        outcomes.append("after" if first == after else "before")
    # the kills landed in different places, inside the transaction among them
    assert {"staged", "in-transaction", "committed"} <= set(steps_hit), steps_hit
    assert journals, "no kill left a hot journal: the health check was not exercised"
    assert "before" in outcomes and "after" in outcomes, list(zip(steps_hit, outcomes))


def test_two_imports_of_the_same_file_keep_it(base_home, monkeypatch):
    home, before, after = base_home
    a = _start(home, DOC)
    time.sleep(0.1)
    b = _start(home, DOC)
    ra, rb = a.communicate(timeout=120), b.communicate(timeout=120)
    codes = sorted([a.returncode, b.returncode])
    assert codes == [0, 2], (ra, rb)
    loser = ra if a.returncode == 2 else rb
    assert "内容完全相同" in loser[1] and "database is locked" not in loser[1]
    assert _state(home, monkeypatch) == after
    folders = _committed_folders(home)
    assert len(folders) == 1
    (folder,) = folders
    assert (home / "data" / "imports" / folder / DOC.name).read_bytes() == DOC.read_bytes()
    assert _state(home, monkeypatch, rederive=True) == after  # the copy is there to rebuild from


def test_two_imports_of_different_files_both_land(base_home, monkeypatch):
    home, before, _after = base_home
    a = _start(home, DOC)
    time.sleep(0.1)
    b = _start(home, DOC2)
    ra, rb = a.communicate(timeout=120), b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0, (ra, rb)
    state = _state(home, monkeypatch)
    assert len(state["documents"]) == len(before["documents"]) + 2
    assert len(_committed_folders(home)) == 2
    assert _state(home, monkeypatch, rederive=True) == state


def test_second_writer_is_told_plainly_when_it_cannot_wait(base_home, monkeypatch):
    home, before, after = base_home
    a = _start(home, DOC, pause=1.0)
    _wait_for(a, "locked")  # the first one holds the lock
    b = _start(home, DOC2, pause=None, POLICYDESK_LOCK_WAIT="0")
    out, err = b.communicate(timeout=120)
    a.communicate(timeout=120)
    assert b.returncode == 3, err
    assert "另一个导入正在进行" in err and "locked" not in err and "Traceback" not in err
    assert a.returncode == 0
    assert _state(home, monkeypatch) == after
