"""Asking before what cannot be undone (issue 21): 清除客户记录 says 不能撤销, so Enter out of
habit, or Esc, must keep the records — 否 is the default button and Esc's."""

from __future__ import annotations

import pytest
from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox


def _answer_with(qtbot, key, seen: list) -> None:
    """When the question shows, note its default and Esc buttons, then press ``key``."""

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append((box.text(), box.defaultButton().text(), box.escapeButton().text()))
        QTest.keyClick(box, key)

    QTimer.singleShot(0, press)


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_clear_client_records_defaults_to_keeping_them(qtbot, window, key):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    assert controller.save_profile("客户甲") is not None
    seen: list = []
    _answer_with(qtbot, key, seen)
    win.act_clear_records.trigger()
    assert seen, "no question was asked"
    text, default, escape = seen[0]
    assert "不能撤销" in text
    assert default.startswith("否") and escape.startswith("否")
    assert any("客户甲" in e.text() for e in win.sessions_list.entries())


def test_clear_client_records_when_the_person_says_so(qtbot, window):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    assert controller.save_profile("客户乙") is not None

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        named = [b for b in box.buttons() if b.text() == "清除"]
        (named[0] if named else box.buttons()[0]).click()  # never left open: a test waits on it

    QTimer.singleShot(0, press)
    win.act_clear_records.trigger()
    assert win.sessions_list.entries() == []


def test_deleting_an_imported_document_defaults_to_keeping_it(qtbot):
    from desktop.dialogs.documents import DocumentsDialog

    seen: list = []
    _answer_with(qtbot, Qt.Key.Key_Return, seen)
    dlg = DocumentsDialog(None)
    qtbot.addWidget(dlg)
    assert dlg._ask("user-1", "本区扶持办法") is False
    assert seen and seen[0][1].startswith("否") and "不能撤销" in seen[0][0]
