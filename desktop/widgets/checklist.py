"""A compact list of check boxes (flags, needs) — one tab stop, arrows to move, Space to
tick."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QSizePolicy


class ChecklistWidget(QListWidget):
    """Signals:
        changed(): an item was ticked or unticked.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSpacing(2)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemChanged.connect(self._on_self_item_changed)

    def set_choices(self, choices: list[str]) -> None:
        ticked = set(self.checked())
        self.blockSignals(True)
        self.clear()
        for c in choices:
            item = QListWidgetItem(c, self)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                          | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if c in ticked else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self._fit()

    def _fit(self) -> None:
        # tall enough for every item, so no inner scroll bar hides a choice
        self.doItemsLayout()
        h = min(max(self.contentsSize().height(), 20) + 2 * self.frameWidth() + 4, 420)
        if h != self.height():
            self.setFixedHeight(h)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # arriving with Tab: put the cursor on the first item so Space ticks it at once
        if self.currentRow() < 0 and self.count():
            self.setCurrentRow(0)
        super().focusInEvent(event)

    def checked(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, values: list[str]) -> None:
        want = set(values or [])
        self.blockSignals(True)
        for i in range(self.count()):
            it = self.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.text() in want
                             else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def unknown(self, values: list[str]) -> list[str]:
        names = {self.item(i).text() for i in range(self.count())}
        return [v for v in values or [] if v not in names]

    def _on_self_item_changed(self, _item) -> None:
        self.changed.emit()
