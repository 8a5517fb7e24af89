"""打印清单 and its print preview at the counter (issue 21): the tick list wrapped long
measure titles off to the right (a sideways scroll bar); the preview opened at the whole
page (about 38%) with buttons that were icons only."""

from __future__ import annotations

import re

import pytest
from gui_helpers import HONGKOU, apply_and_wait, whole
from PySide6.QtCore import QSize
from PySide6.QtPrintSupport import QPrintPreviewWidget
from PySide6.QtWidgets import QStyleOptionViewItem, QToolBar, QToolButton

from desktop.dialogs.handout_dialog import wrapped_text_height

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _handout_dialog(qtbot, window):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    whole(qtbot, controller)
    dlg = win.output.open_handout_dialog()
    qtbot.waitExposed(dlg)
    return dlg


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_the_tick_list_wraps_instead_of_scrolling_sideways(qtbot, make_window, large_text):
    dlg = _handout_dialog(qtbot, make_window(large_text=large_text))
    try:
        for width in (760, 520):
            dlg.resize(QSize(width, 560))
            qtbot.wait(50)
            view = dlg.list
            port = view.viewport().width()
            assert view.horizontalScrollBar().maximum() == 0, width
            assert not view.horizontalScrollBar().isVisible()
            items = dlg.measure_items()
            longest = max(items, key=lambda it: len(it.text()))
            rect = view.visualItemRect(longest)
            one_line = view.fontMetrics().height()
            # the whole title is there, on more lines, within the list's width
            assert view.fontMetrics().horizontalAdvance(longest.text()) > port
            assert rect.height() >= 2 * one_line, (width, rect)
            assert all(view.visualItemRect(it).width() <= port + 12 for it in items), width
            # and no row cuts its last line (the office): the text, wrapped where the style
            # paints it beside the check box, fits the row's height
            for it in items:
                opt = QStyleOptionViewItem()
                view.initViewItemOption(opt)
                view.itemDelegate().initStyleOption(opt, view.indexFromItem(it))
                rect = view.visualItemRect(it)
                opt.rect = rect.intersected(view.viewport().rect().translated(0, rect.top()))  # what is painted
                assert wrapped_text_height(view, opt) <= opt.rect.height(), (width, it.text())
    finally:
        dlg.reject()


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_the_print_preview_opens_at_the_page_width_with_named_buttons(qtbot, make_window, large_text):
    dlg = _handout_dialog(qtbot, make_window(large_text=large_text))
    preview = dlg.preview()
    assert preview is not None
    try:
        widget = preview.findChild(QPrintPreviewWidget)
        qtbot.waitUntil(lambda: widget.pageCount() >= 1, timeout=20000)
        qtbot.waitExposed(preview)
        assert widget.zoomMode() == QPrintPreviewWidget.ZoomMode.FitToWidth
        # the page's width fills the view: well over the whole-page zoom it opened at
        assert widget.zoomFactor() > 0.8
        (bar,) = preview.findChildren(QToolBar)
        buttons = [
            bar.widgetForAction(a)
            for a in bar.actions()
            if a.isVisible() and not a.isSeparator() and isinstance(bar.widgetForAction(a), QToolButton)
        ]
        # fit width/page, zoom out/in, four page moves, setup, print; the page-layout
        # modes and the orientation (the handout sets its page) are left out
        assert len(buttons) == 10, [b.text() for b in buttons]
        for b in buttons:
            assert b.toolButtonStyle() != b.toolButtonStyle().ToolButtonIconOnly
            assert b.text() and not ENGLISH.search(b.text()), b.text()
        assert "打印" in [b.text() for b in buttons]
        # every button in sight: on a 1024-wide screen, on a 1366-wide one in large text
        assert bar.sizeHint().width() <= (1366 if large_text else 1024) - 40
        assert bar.sizeHint().width() <= preview.width()
    finally:
        preview.reject()
        dlg.reject()
