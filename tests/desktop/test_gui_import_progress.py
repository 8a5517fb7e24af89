"""The import's progress dialog and the worker's signals (issue 21).

Seen at the counter: after an import the red bar said 程序内部出错(AttributeError) while the
report said 已导入 1 份文件, about one import in seven. A window-modal QProgressDialog's
``setValue`` runs the event loop itself; when the import's "finished" signal was already
queued behind its last "progress", it was delivered inside ``setValue``, closed and dropped
the dialog, and the progress slot then called ``setLabelText`` on nothing. The tests below
put the two signals in exactly that order, every time."""

from __future__ import annotations

import sys

from fake_backend import FakeBackend
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _held_import(win, monkeypatch, paths):
    """Start an import in the window whose worker never runs: the test sends its signals."""
    started: list = []
    monkeypatch.setattr(win.controller, "import_files", lambda *a, **k: started.append(a))
    win.files.import_paths(paths)
    assert started
    QTest.qWait(50)  # the GUI thread's loop runs while the worker reads (the dialog's own timers)
    return win.files.progress


def test_finished_queued_behind_the_last_progress_is_no_error(qtbot, make_window, tmp_path, monkeypatch):
    """Ensures the last progress report, with the import's end already waiting in the queue,
    neither raises nor shows an error, and the report dialog follows."""
    from desktop import app as app_mod
    from desktop.controller import ImportReport

    controller, win = make_window(FakeBackend())
    raised: list = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_mod._install_excepthook([win])
    monkeypatch.setattr(sys, "excepthook", lambda *exc, _hook=sys.excepthook: (raised.append(exc[1]), _hook(*exc)))
    docs = [tmp_path / f"通知{i}.txt" for i in range(3)]
    progress = _held_import(win, monkeypatch, docs)
    assert progress is not None and progress.isVisible()
    report = ImportReport(docs, [], "测试:未导入")
    controller.import_progress.emit(0, 3, docs[0].name)
    controller.import_progress.emit(1, 3, docs[1].name)
    # the worker's order: "reading the last file" and then finished, both queued before the
    # GUI thread runs: the first is being handled while the second waits
    QTimer.singleShot(0, lambda: controller.import_finished.emit(report))
    controller.import_progress.emit(2, 3, docs[2].name)
    QApplication.processEvents()
    assert raised == []
    assert not win.error_bar.isVisible(), win.error_bar.text()
    assert win.files.progress is None
    qtbot.waitUntil(lambda: win.files.report_dialog is not None and win.files.report_dialog.isVisible())
    win.files.report_dialog.close()


def test_progress_shows_the_file_being_read(qtbot, make_window, tmp_path, monkeypatch):
    """Ensures the dialog still says which file is being read and how far the import is."""
    controller, win = make_window(FakeBackend())
    progress = _held_import(win, monkeypatch, [tmp_path / "甲.txt", tmp_path / "乙.txt"])
    controller.import_progress.emit(1, 2, "乙.txt")
    assert "乙.txt" in progress.labelText()
    assert (progress.value(), progress.maximum()) == (1, 2)


def test_a_real_import_closes_its_dialog(qtbot, make_window, tmp_path):
    """Ensures a whole import through the worker ends with its dialog gone and no error."""
    controller, win = make_window(FakeBackend())
    docs = []
    for i in range(3):
        p = tmp_path / f"通知{i}.txt"
        p.write_text("虹口区 企业 补贴", encoding="utf-8")
        docs.append(p)
    with qtbot.waitSignal(controller.import_finished, timeout=10000) as blocker:
        win.files.import_paths(docs)
    assert blocker.args[0].ok
    qtbot.waitUntil(lambda: win.files.report_dialog is not None and win.files.report_dialog.isVisible())
    assert win.files.progress is None and not win.error_bar.isVisible()
    assert [p.name for p in blocker.args[0].paths] == [p.name for p in docs]
    win.files.report_dialog.close()
