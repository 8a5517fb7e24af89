"""A compact grid of check boxes (flags, needs) — one tab stop, arrows to move, Space to
tick. As many columns as the widest choice allows; always tall enough for every choice, so
it never holds a scroll bar of its own inside the scrolling profile form."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QSizePolicy, QStyle


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
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemChanged.connect(self._on_self_item_changed)

    def set_choices(self, choices: list[str]) -> None:
        ticked = set(self.checked())
        self.blockSignals(True)
        self.clear()
        for c in choices:
            item = QListWidgetItem(c, self)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if c in ticked else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self._fit()

    def columns(self) -> int:
        grid = self.gridSize()
        return max(1, (self.viewport().width() - 2) // grid.width()) if grid.width() > 0 else 1

    def _cell(self) -> QSize:
        self.ensurePolished()  # the style sheet's font (large-text mode) first
        fm = self.fontMetrics()
        box = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
        widest = max((fm.horizontalAdvance(self.item(i).text()) for i in range(self.count())), default=40)
        return QSize(widest + box + 12, fm.height() + 10)

    def _fit(self) -> None:
        # a grid of equal cells, as many columns as fit; tall enough for every item, so no
        # inner scroll bar hides a choice
        cell = self._cell()
        # (one pixel spare: a row exactly as wide as the view wraps before its first item)
        room = self.viewport().width() - 2
        cols = max(1, room // cell.width())
        self.setGridSize(QSize(max(room // cols, cell.width()), cell.height()))
        rows = -(-self.count() // cols) if self.count() else 1
        h = rows * cell.height() + 2 * self.frameWidth() + 6
        if h != self.height():
            self.setFixedHeight(h)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._cell().width() + 2 * self.frameWidth(), super().minimumSizeHint().height())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def focusInEvent(self, event) -> None:
        # arriving with Tab: put the cursor on the first item so Space ticks it at once
        if self.currentRow() < 0 and self.count():
            self.setCurrentRow(0)
        super().focusInEvent(event)

    def checked(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count()) if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, values: list[str]) -> None:
        want = set(values or [])
        self.blockSignals(True)
        for i in range(self.count()):
            it = self.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.text() in want else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def unknown(self, values: list[str]) -> list[str]:
        names = {self.item(i).text() for i in range(self.count())}
        return [v for v in values or [] if v not in names]

    def _on_self_item_changed(self, _item) -> None:
        self.changed.emit()
