"""Helpers shared by the GUI tests."""

from __future__ import annotations

HONGKOU = {
    "district": "虹口区",
    "industry": "交通运输、仓储和邮政业 (航运)",
    "size": "小型",
    "zjtx": "无",
    "flags": ["民营企业"],
    "needs": ["融资", "政策咨询"],
    "keywords": "航运 船舶代理",
    "area": "北外滩",
}


def apply_and_wait(qtbot, controller, window, profile, timeout=20000):
    """Apply a profile and wait for its results; returns the MatchResponse."""
    with qtbot.waitSignal(controller.results_changed, timeout=timeout) as blocker:
        window.apply_profile(profile)
    return blocker.args[0]


def type_text(widget, text: str) -> None:
    """Type ``text`` the way Chinese is typed: committed by an input method, one word at
    a time (QTest.keyClicks only knows ASCII keys)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        ev = QInputMethodEvent("", [])
        ev.setCommitString(ch)
        QApplication.sendEvent(widget, ev)


def key_text(widget, text: str) -> None:
    """Key presses that carry non-ASCII text (e.g. keyboard search in a combo box)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def whole(qtbot, controller, kind: str = "handout", timeout: int = 30000):
    """The whole answer a handout (or an export: ``kind="all"``) is made of, fetched on the
    worker as the print and export commands do; afterwards ``controller.output.handout_html()``
    works. Returns the MatchResponse."""
    got: list = []
    controller.output.with_whole(kind, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=timeout)
    return got[0]


def scroll_all(qtbot, tree, total: int, timeout: int = 30000) -> None:
    """Scroll ``tree`` down until it holds ``total`` results (each time its last row
    comes into sight the list asks for the next page)."""

    def rows() -> int:
        return len(tree.source.results())

    def more() -> bool:
        tree.scrollToBottom()
        return rows() >= total

    qtbot.waitUntil(more, timeout=timeout)
