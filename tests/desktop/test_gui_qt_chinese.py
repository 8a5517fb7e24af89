"""Qt's own dialogs speak Chinese (issue 21): the file dialog said "Look in:" and "Files of
type:" (Qt 6 spells them "&Look in:", "Files of &type:", which qtbase_zh_CN.qm lacks)."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QLabel

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _texts(dlg) -> list[str]:
    out = [w.text() for w in dlg.findChildren(QLabel) if w.isVisibleTo(dlg) and w.text()]
    out += [w.text() for w in dlg.findChildren(QAbstractButton) if w.isVisibleTo(dlg) and w.text()]
    return out


def _open_and_read(qtbot, start) -> list[str]:
    """Run ``start`` (which opens a modal file dialog), read its texts, cancel it."""
    seen: list = []

    def read():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QFileDialog):
            QTimer.singleShot(20, read)
            return
        seen.append(_texts(dlg))
        dlg.reject()

    QTimer.singleShot(0, read)
    start()
    assert seen, "no file dialog was shown"
    return seen[0]


def test_the_import_file_dialog_is_chinese(qtbot, window):
    _controller, win = window
    texts = _open_and_read(qtbot, win.files.ask_import)
    # Qt 6.10+ writes these with a mnemonic (filled by GapTranslator); 6.9 without (its .qm has them)
    assert {"查找范围(&L)：", "查找范围："} & set(texts) and {"文件类型(&T)：", "文件类型："} & set(texts), texts
    assert [t for t in texts if ENGLISH.search(t.replace("&", ""))] == []


def test_every_kind_of_file_dialog_is_chinese(qtbot, window):
    """Open, save and folder dialogs: no English label or button."""
    for mode in ("open", "save", "folder"):
        dlg = QFileDialog(None, "测试")
        qtbot.addWidget(dlg)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if mode == "save":
            dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if mode == "folder":
            dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setNameFilters(["政策文件 (*.txt)", "所有文件 (*)"])
        dlg.show()
        english = [t for t in _texts(dlg) if ENGLISH.search(t.replace("&", "").replace("*.txt", ""))]
        assert english == [], (mode, english)
        dlg.close()


def test_the_gaps_leave_qts_own_texts_alone(qtbot, window):
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QApplication.translate("QFileDialog", "File &name:") == "文件名称(&N)："
    assert QApplication.translate("没有这个", "Untranslated") == "Untranslated"
