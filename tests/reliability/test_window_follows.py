"""The window follows the knowledge base (issue 23): a change made by another process — the
CLI's import, another counter, a new pack in the shared library — is noticed at the next
match, the window shows the knowledge base as it now is, and says that it changed.

Before: the window kept saying 知识库中没有静安区的政策文件 until it was restarted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JINGAN = ROOT / "tests" / "corpus" / "jingan_ai_shifanqu_xingdong_2026.txt"
AI = "信息传输、软件和信息技术服务业"  # the 静安 plan is for AI firms, not for any firm of the district

pytest.importorskip("PySide6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qtbot, policydesk_home):
    from desktop.app import build
    from desktop.backend import Backend

    backend = Backend()
    controller, win = build(backend=backend)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(controller.kb_ready, timeout=120000):
        controller.start()
    yield controller, win
    controller.wait(10000)
    backend.close()


def _match(qtbot, controller, profile: dict):
    """Set the profile and wait for the first page of its answer (or an error)."""
    got: list = []
    errors: list[str] = []
    controller.first_page.connect(got.append)
    controller.error.connect(errors.append)
    try:
        controller.set_profile(profile, immediate=True)
        qtbot.waitUntil(lambda: bool(got or errors), timeout=120000)
    finally:
        controller.first_page.disconnect(got.append)
        controller.error.disconnect(errors.append)
    assert got, errors
    return got[-1]


def _cli(home: Path, *argv) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env.update(POLICYDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "matcher", *map(str, argv)], env=env, cwd=ROOT, capture_output=True, text=True
    )


def _ids(answer) -> set[str]:
    return {r.measure.measure_id for r in answer.results}


def test_an_import_by_the_cli_is_seen_at_the_next_match(qtbot, window, policydesk_home):
    controller, win = window
    notices: list[str] = []
    controller.notice.connect(notices.append)
    before = _match(qtbot, controller, {"district": "静安区", "industry": AI, "needs": ["融资"]})
    assert not any(i.startswith("jingan") for i in _ids(before))
    assert any("没有静安区的政策文件" in n for n in before.notes), before.notes
    assert not any("已重新载入" in n for n in notices), notices  # nothing changed yet
    documents = len(controller.snapshot.documents)
    r = _cli(policydesk_home, "ingest", JINGAN)  # another process
    assert r.returncode == 0, r.stderr
    after = _match(qtbot, controller, {"district": "静安区", "industry": AI, "needs": ["融资", "人才"]})
    assert any(i.startswith("jingan") for i in _ids(after))
    assert len(controller.snapshot.documents) == documents + 1
    assert any("另一个窗口或命令" in n and "已重新载入" in n for n in notices), notices
    assert str(documents + 1) in win.kb_label.text() or "份" in win.kb_label.text()
    notices.clear()
    _match(qtbot, controller, {"district": "静安区", "industry": AI, "needs": ["融资"]})
    assert not any("已重新载入" in n for n in notices)  # nothing new: not said again


def test_a_new_pack_in_the_shared_library_is_applied_at_the_next_match(qtbot, policydesk_home, tmp_path, monkeypatch):
    import shutil

    from packkeys import test_key, trust_test_key

    from desktop.app import build
    from desktop.backend import Backend
    from matcher.store import packs

    # the maintainer's pack, signed; the counter trusts the key and follows a library folder
    maint = tmp_path / "maint"
    (maint / "cache").mkdir(parents=True)
    shutil.copyfile(policydesk_home / "cache" / "seed_kb.sqlite", maint / "cache" / "seed_kb.sqlite")
    assert _cli(maint, "ingest", JINGAN).returncode == 0
    r = _cli(maint, "pack", "export", tmp_path / "v1.pdpack", "--sign", test_key()[0])
    assert r.returncode == 0, r.stderr
    trust_test_key()
    lib = tmp_path / "share"
    lib.mkdir()
    monkeypatch.setenv(packs.LIBRARY_ENV, str(lib))
    backend = Backend()
    controller, win = build(backend=backend)
    qtbot.addWidget(win)
    with qtbot.waitSignal(controller.kb_ready, timeout=120000):
        controller.start()
    notices: list[str] = []
    controller.notice.connect(notices.append)
    try:
        before = _match(qtbot, controller, {"district": "静安区", "industry": AI, "needs": ["融资"]})
        assert not any(i.startswith("jingan") for i in _ids(before))
        shutil.copyfile(tmp_path / "v1.pdpack", lib / "2026-12.pdpack")  # the library is updated
        after = _match(qtbot, controller, {"district": "静安区", "industry": AI, "needs": ["融资", "人才"]})
        assert any(i.startswith("jingan") for i in _ids(after))
        assert any("共享政策库有新版本" in n and "已重新载入" in n for n in notices), notices
    finally:
        controller.wait(10000)
        backend.close()
