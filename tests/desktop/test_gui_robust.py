"""Failures become messages; the screenshot command; start-up time and UI-thread stalls
(measured and printed, not asserted — see DESIGN.md, performance targets)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gui_helpers import HONGKOU, apply_and_wait


def test_crash_in_background_task_is_reported_and_window_keeps_working(qtbot, make_window):
    """Ensures an exception inside a background match shows a message (no traceback) and
    the next profile still gets results."""
    from fake_backend import FakeBackend

    controller, win = make_window(FakeBackend(fail_on="爆炸"))
    with qtbot.waitSignal(controller.error, timeout=10000) as blocker:
        win.apply_profile({"district": "虹口区", "keywords": "爆炸"})
    msg = blocker.args[0]
    assert (
        "窗口仍可继续使用" in msg and "Traceback" not in msg and "RuntimeError" not in msg
    )  # the class is for the log
    assert "policydesk.log" in msg
    assert win.error_bar.isVisible()
    response = apply_and_wait(qtbot, controller, win, {"district": "虹口区", "needs": ["融资"]})
    assert response.results


def test_exception_in_a_slot_is_shown_not_raised(qtbot, window, monkeypatch):
    """Ensures an exception on the GUI thread (a slot) goes to the error bar via the app's
    exception hook instead of ending the program."""
    from desktop import app as app_mod

    controller, win = window
    ref = [win]
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_mod._install_excepthook(ref)
    try:
        raise ValueError("boom")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    shown = win.error_bar.label.text()
    assert win.error_bar.isVisible() and "程序内部出错" in shown and "ValueError" not in shown and "boom" not in shown


def test_kb_failure_is_a_message(qtbot, make_window):
    """Ensures a knowledge base that cannot be opened is explained in the window."""
    from matcher.errors import KBError

    class Broken:
        def load(self, report=None):
            raise KBError("知识库文件已损坏,且无法重建:磁盘已满。")

    controller, win = make_window(Broken(), wait_ready=False)
    with qtbot.waitSignal(controller.kb_failed, timeout=10000):
        controller.start()
    assert "磁盘已满" in win.results_panel.placeholder.text()
    assert not win.profile_panel.isEnabled()


def test_window_usable_quickly_and_ui_thread_free(qtbot, backend):
    """Measures (prints) how long the window takes to appear and become usable, and the
    longest UI-thread stall while loading, matching, searching and exporting."""
    from desktop.app import build
    from desktop.stall import StallMonitor

    t0 = time.perf_counter()
    controller, win = build(backend=backend)
    qtbot.addWidget(win)
    monitor = StallMonitor()
    monitor.start()
    win.show()
    qtbot.waitExposed(win)
    shown = time.perf_counter() - t0
    with qtbot.waitSignal(controller.kb_ready, timeout=60000):
        controller.start()
    usable = time.perf_counter() - t0
    apply_and_wait(qtbot, controller, win, HONGKOU)
    matched = time.perf_counter() - t0
    with qtbot.waitSignal(controller.search_changed, timeout=10000):
        win.search_box.setText("贷款")
    with qtbot.waitSignal(controller.export_finished, timeout=30000):
        win.output.export_pdf_to(Path(os.environ["POLICYDESK_HOME"]) / "h.pdf")
    monitor.stop()
    controller.wait()
    print(
        f"\n[timing] window shown {shown * 1000:.0f} ms; usable (KB ready) {usable * 1000:.0f} ms; "
        f"first results {matched * 1000:.0f} ms; longest UI-thread stall "
        f"{monitor.max_gap_ms:.0f} ms; stalls over 100 ms: {len(monitor.stalls)}"
    )


def test_screenshot_command(tmp_path, policydesk_home, seed_cache):
    """Ensures `policydesk-gui --profile F --screenshot OUT` saves a PNG and exits 0."""
    import shutil

    shutil.copytree(seed_cache, policydesk_home / "cache", dirs_exist_ok=True)
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps(HONGKOU, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "shot.png"
    env = dict(os.environ, POLICYDESK_HOME=str(policydesk_home))
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.app", "--profile", str(prof), "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    wall = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    timing = [ln for ln in proc.stderr.splitlines() if "启动计时" in ln]
    print(f"\n[timing] screenshot run {wall * 1000:.0f} ms wall; {timing[0] if timing else ''}")


def test_screenshot_command_bad_profile_exits_2(tmp_path, policydesk_home):
    """Ensures a bad profile file is a message on stderr and exit code 2."""
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"district": "火星区"}, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, POLICYDESK_HOME=str(policydesk_home))
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.app", "--profile", str(prof), "--screenshot", str(tmp_path / "x.png")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "火星区" in proc.stderr and "Traceback" not in proc.stderr
