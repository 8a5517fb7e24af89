"""The strip at the top of the results area that says why nothing (or not quite what was
typed) is being matched: an invalid profile, or an industry the rules do not know — with
the nearest industries as buttons, so a typo is one click from fixed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

MAX_CHOICES = 4


class ProblemBanner(QFrame):
    """Signals:
    choice_made(str): one of the offered values was clicked.
    """

    choice_made = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        self.label = QLabel("", wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._row)
        self.buttons: list[QPushButton] = []
        self._problem = ""
        self._industry_text = ""
        self._choices: list[str] = []
        self.setVisible(False)

    def set_problem(self, message: str) -> None:
        """The profile cannot be matched: ``message`` names the field and what is accepted."""
        self._problem = message
        self._refresh()

    def set_industry_unknown(self, text: str, choices: list[str]) -> None:
        """The industry ``text`` is not known: it is matched as keywords meanwhile."""
        self._industry_text = text
        self._choices = list(choices)[:MAX_CHOICES]
        self._refresh()

    def text(self) -> str:
        return self.label.text()

    def _refresh(self) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.buttons = []
        if self._problem:
            self.setProperty("kind", "error")
            self.label.setText("画像有误,未显示任何结果:" + self._problem)
        elif self._industry_text:
            self.setProperty("kind", "notice")
            near = "请点选最接近的行业:" if self._choices else "请换一种说法。"
            self.label.setText(f"行业“{self._industry_text}”不在行业目录中,暂把它当作关键词匹配。{near}")
            for c in self._choices:
                b = QPushButton(c)
                b.setToolTip(f"行业改为“{c}”")
                b.clicked.connect(lambda _=False, c=c: self.choice_made.emit(c))
                self._row.addWidget(b)
                self.buttons.append(b)
            if self.buttons:
                self._row.addStretch(1)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setVisible(bool(self._problem or self._industry_text))
