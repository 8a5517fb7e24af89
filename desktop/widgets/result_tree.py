"""A tree view of grouped results (model + filter proxy), expanded, keyboard-friendly."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from ..itemmodels import ResultFilterProxy, ResultRole, ResultTreeModel


class ResultTree(QTreeView):
    """Signals:
        result_selected(object): the current row's Result (None on a group row).
        result_activated(object): Enter or double click on a result.
    """

    result_selected = Signal(object)
    result_activated = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source = ResultTreeModel(self)
        self.proxy = ResultFilterProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAllColumnsShowFocus(True)
        self.setSortingEnabled(False)
        h = self.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(0, 96)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(2, 170)
        h.resizeSection(3, 150)
        self.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self.activated.connect(self._on_self_activated)
        for sig in (self.proxy.modelReset, self.proxy.layoutChanged, self.proxy.rowsInserted):
            sig.connect(self._on_proxy_changed)

    def set_results(self, results, grouping, group_order=None) -> None:
        self.source.set_results(results, grouping, group_order)
        self.proxy.sort(0)
        self._on_proxy_changed()
        self._fit_clause_column()

    def _fit_clause_column(self) -> None:
        self.ensurePolished()            # the style sheet's font (large-text mode) first
        fm = self.viewport().fontMetrics()
        widest = 0
        for g in range(self.proxy.rowCount()):
            gi = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(gi)):
                widest = max(widest, fm.horizontalAdvance(str(self.proxy.index(r, 0, gi).data())))
        # rows sit one level down, under a decorated root: two indentations before the text
        self.header().resizeSection(0, max(90, widest + 2 * self.indentation() + 24))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # a tree filled while hidden measured its clauses before the style sheet's font
        # (large-text mode) reached it
        super().showEvent(event)
        self._fit_clause_column()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_clause_column()

    def _on_proxy_changed(self, *_args) -> None:
        # group rows span every column, so a long group name is never cut off
        for i in range(self.proxy.rowCount()):
            self.setFirstColumnSpanned(i, QModelIndex(), True)
        self.expandAll()

    def clear(self) -> None:
        self.source.clear()

    def current_result(self):
        idx = self.currentIndex()
        return idx.data(ResultRole) if idx.isValid() else None

    def select_first(self) -> bool:
        """Make the first result current (not a group row)."""
        if self.proxy.rowCount() == 0:
            return False
        g = self.proxy.index(0, 0)
        if self.proxy.rowCount(g) == 0:
            return False
        self.setCurrentIndex(self.proxy.index(0, 0, g))
        return True

    def _on_selection_current_changed(self, current: QModelIndex, _prev) -> None:
        self.result_selected.emit(current.data(ResultRole) if current.isValid() else None)

    def _on_self_activated(self, index: QModelIndex) -> None:
        r = index.data(ResultRole)
        if r is not None:
            self.result_activated.emit(r)
