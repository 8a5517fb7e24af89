"""The window from the keyboard (issue 21): 新客户 shows the field it puts the cursor in;
Alt+F is the 文件 menu; every menu command used at the counter has a shortcut, shown in
the menu; a 判断日期 typed whole is that date."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fake_backend import FakeBackend
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu

from desktop import hotkeys


def test_new_client_scrolls_the_form_to_the_company_name(qtbot, make_window):
    """Ensures 新客户 (Ctrl+N) with the form scrolled down brings 企业名称 into sight."""
    controller, win = make_window(FakeBackend(), large_text=True)
    win.resize(1024, 700)
    win.profile_panel.more_button.setChecked(True)  # a long form: it has to scroll
    qtbot.wait(50)
    bar = win.profile_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    win.profile_panel.more_edits["investment"].setFocus()
    bar.setValue(bar.maximum())
    qtbot.wait(20)
    QTest.keySequence(win, hotkeys.NEW_CLIENT)
    qtbot.wait(20)
    company = win.profile_panel.company
    assert company.hasFocus()
    top_left = company.mapTo(win.profile_scroll.viewport(), QPoint(0, 0))
    assert win.profile_scroll.viewport().rect().contains(top_left)
    assert top_left.y() + company.height() <= win.profile_scroll.viewport().height()


def _mnemonics(win) -> dict[str, list[str]]:
    """Alt+letter keys of the window: menu titles, labels with a buddy, buttons."""
    seen: dict[str, list[str]] = {}

    def add(text: str) -> None:
        for key in re.findall(r"&([^&])", text.replace("&&", "")):
            seen.setdefault(key.upper(), []).append(text)

    for action in win.menuBar().actions():
        add(action.text())
    for lab in win.findChildren(QLabel):
        if lab.buddy() is not None:
            add(lab.text())
    for button in win.findChildren(QAbstractButton):
        add(button.text())
    return seen


def test_alt_letters_are_each_used_once(qtbot, window):
    """Ensures no two things in the window share an Alt+letter (Alt+F went to a form field,
    not the 文件 menu)."""
    _controller, win = window
    clashes = {k: v for k, v in _mnemonics(win).items() if len(v) > 1}
    assert clashes == {}


def test_alt_f_opens_the_file_menu_from_a_form_field(qtbot, window):
    """Ensures Alt+F, with the cursor in the form, opens 文件."""
    _controller, win = window
    win.profile_panel.company.setFocus()
    qtbot.wait(20)
    QTest.keyClick(win.profile_panel.company, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=2000)
    menu = QApplication.activePopupWidget()
    assert menu.title() == "文件(&F)"
    menu.close()


COUNTER_COMMANDS = ("act_documents", "act_update", "act_changes", "act_clear_records")


def test_counter_commands_have_shortcuts_shown_in_the_menu(qtbot, window):
    """Ensures 知识库中的文件, 更新政策库, 客户变化 and 清除客户记录 have shortcuts, every
    shortcut is the window's only one for its keys, and the menu shows it."""
    _controller, win = window
    menu = next(m for m in win.menuBar().findChildren(QMenu) if m.title() == "文件(&F)")
    in_menu = set(menu.actions())
    for name in COUNTER_COMMANDS:
        action = getattr(win, name)
        assert not action.shortcut().isEmpty(), action.text()
        assert action in in_menu
        assert action.isShortcutVisibleInContextMenu() or not QApplication.testAttribute(
            Qt.ApplicationAttribute.AA_DontShowShortcutsInContextMenus
        )
    keys = [a.shortcut().toString() for a in win.actions() if not a.shortcut().isEmpty()]
    keys += [w.shortcut().toString() for w in win.findChildren(QAbstractButton) if not w.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_a_counter_shortcut_works_from_a_text_field(qtbot, window):
    """Ensures the 知识库中的文件 shortcut works while the cursor is in a line edit (a line
    edit keeps some Ctrl keys for itself)."""
    _controller, win = window
    win.profile_panel.keywords.setFocus()
    qtbot.wait(20)
    QTest.keySequence(win.profile_panel.keywords, win.act_documents.shortcut())
    qtbot.waitUntil(lambda: _dialog_titled(win, "知识库中的文件") is not None, timeout=3000)
    _dialog_titled(win, "知识库中的文件").close()


def _dialog_titled(win, title):
    from PySide6.QtWidgets import QDialog

    return next((d for d in win.findChildren(QDialog) if d.isVisible() and title in d.windowTitle()), None)


@pytest.mark.parametrize("typed", ["2023-05-01", "20230501", "2023/5/1", "2023年5月1日"])
def test_a_whole_judging_date_typed_is_that_date(qtbot, make_window, typed):
    """Ensures 判断日期 typed whole (after Alt+T, or after a click) is that date, and the
    results are judged on it."""
    controller, win = make_window(FakeBackend())
    field = win.results_panel.as_of
    for how in ("mnemonic", "click"):
        win.results_panel.set_as_of(date(2026, 12, 7))
        controller.set_as_of(date(2026, 12, 7))
        win.profile_panel.company.setFocus()
        qtbot.wait(20)
        if how == "mnemonic":
            QTest.keyClick(win, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
        else:
            QTest.mouseClick(field, Qt.MouseButton.LeftButton)
        qtbot.wait(20)
        assert field.hasFocus()
        for ch in typed:  # keyClicks knows ASCII only: 年 月 日 as text
            QApplication.sendEvent(field, _key(ch))
        QTest.keyClick(field, Qt.Key.Key_Return)
        assert win.results_panel.as_of_date() == date(2023, 5, 1), (how, field.text())
        assert controller.as_of == date(2023, 5, 1)
        assert field.text() == "2023-05-01"


def _key(ch: str):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    key = Qt.Key.Key_0 + int(ch) if ch.isdigit() else Qt.Key.Key_unknown
    return QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)


def test_a_date_that_is_not_one_keeps_the_last(qtbot, make_window):
    """Ensures text that is no date leaves the last date in force, shown again."""
    controller, win = make_window(FakeBackend())
    field = win.results_panel.as_of
    win.results_panel.set_as_of(date(2026, 5, 1))
    field.setFocus()
    qtbot.wait(20)
    for ch in "2023-02-30":
        QApplication.sendEvent(field, _key(ch))
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert win.results_panel.as_of_date() == date(2026, 5, 1)
    assert field.text() == "2026-05-01"
    QTest.keyClick(field, Qt.Key.Key_Up)
    assert win.results_panel.as_of_date() == date(2026, 5, 2)
