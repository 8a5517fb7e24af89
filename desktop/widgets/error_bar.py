"""A message strip at the top of the window: errors and notices a person can act on,
without a modal box that blocks the counter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton


class ErrorBar(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.close_button = QToolButton(text="关闭")
        self.close_button.setToolTip("关闭提示(Esc)")
        self.close_button.clicked.connect(self.hide)
        lay.addWidget(self.close_button)
        self.setVisible(False)
        self.messages: list[str] = []

    def show_message(self, text: str, kind: str = "error") -> None:
        self.messages.append(text)
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(True)
