"""A tree view of grouped results (model + filter proxy), expanded, keyboard-friendly."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)

from ..itemmodels import DEFAULT_COLUMNS, CardRole, ResultFilterProxy, ResultRole, ResultTreeModel

OFFICE_COLUMN = 2
# the share of the width after the clause column, by column (normalised over those shown)
SHARES = {"title": 0.37, "offices": 0.42, "document": 0.21, "amount": 0.22, "deadline": 0.18}
# columns as wide as their widest cell (a sum, a date), never more than this share of the rest
FIT_COLUMNS = {"amount": 0.26, "deadline": 0.27}
COLUMN_SHARES = tuple(SHARES[c] for c in DEFAULT_COLUMNS[1:])


class MiddleElideDelegate(QStyledItemDelegate):
    """Long office lists lose their middle, not their end: "区发展改革委、…、各产业部门"
    (the whole text is in the tooltip)."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


# the columns a stacked row carries on its second line (hidden as columns)
CARD_COLUMNS = ("offices", "amount", "deadline", "document")
PAD = 1  # pixels around a stacked row's text


class CardDelegate(QStyledItemDelegate):
    """A stacked row: its title on the first line (one line), then the whole office name,
    the sum and the deadline (:data:`~desktop.itemmodels.CardRole`), wrapped to the column's
    width — nothing the officer reads out is cut off or left to a tooltip."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def _text_width(self, index) -> int:
        return max(self.view.header().sectionSize(index.column()) - 2 * PAD, 40)

    def _detail_rect(self, fm, width: int, detail: str) -> QRect:
        return fm.boundingRect(QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), detail)

    def sizeHint(self, option, index) -> QSize:
        detail = index.data(CardRole)
        base = super().sizeHint(option, index)
        if not detail:
            return base
        fm = option.fontMetrics
        h = fm.height() + self._detail_rect(fm, self._text_width(index), detail).height() + 2 * PAD
        return QSize(base.width(), max(base.height(), h))

    def paint(self, painter, option, index) -> None:
        detail = index.data(CardRole)
        if not detail:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        style = self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, self.view)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        pen = opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        fm = opt.fontMetrics
        r = opt.rect.adjusted(PAD, PAD, -PAD, -PAD)
        painter.save()
        painter.setPen(pen)
        f = opt.font
        f.setBold(True)
        painter.setFont(f)
        painter.drawText(
            QRect(r.left(), r.top(), r.width(), fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, r.width()),
        )
        f.setBold(False)
        painter.setFont(f)
        if not selected:
            painter.setPen(opt.palette.color(group, QPalette.ColorRole.PlaceholderText).darker(130))
        painter.drawText(
            QRect(r.left(), r.top() + fm.height(), r.width(), r.height() - fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
            detail,
        )
        painter.restore()


class ResultTree(QTreeView):
    """Signals:
    result_selected(object): the current row's Result (None on a group row).
    result_activated(object): Enter or double click on a result.
    """

    result_selected = Signal(object)
    result_activated = Signal(object)

    def __init__(self, parent=None, columns=DEFAULT_COLUMNS, shares: dict | None = None) -> None:
        super().__init__(parent)
        self.source = ResultTreeModel(self, columns)
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
        # the columns share the width of the view: never a horizontal scroll bar
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.flat = False  # one group: show its rows without the group row above them
        self._bulk = False  # filling: the view is tidied once, at the end
        self._office_delegate = MiddleElideDelegate(self)
        self.setItemDelegateForColumn(self.source.columns.index("offices"), self._office_delegate)
        shares = [(shares or SHARES).get(c, SHARES[c]) for c in self.source.columns[1:]]
        self._shares = [x / sum(shares) for x in shares]
        h = self.header()
        h.setStretchLastSection(False)
        h.setMinimumSectionSize(40)
        for col in range(len(self.source.columns)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        h.resizeSection(0, 96)
        self.stacked = False  # rows stacked as cards (see set_stacked)
        self.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self.activated.connect(self._on_self_activated)
        for sig in (self.proxy.modelReset, self.proxy.layoutChanged, self.proxy.rowsInserted):
            sig.connect(self._on_proxy_changed)

    def set_stacked(self, on: bool = True) -> None:
        """Rows as two-line cards: the title, then office · sum · deadline wrapped whole
        (the columns those come from are hidden, and so is the header)."""
        self.stacked = on
        self.setUniformRowHeights(not on)
        self.setWordWrap(on)
        col = self.source.columns.index("title")
        self._card_delegate = CardDelegate(self) if on else None
        self.setItemDelegateForColumn(col, self._card_delegate)
        self.setHeaderHidden(on)
        if on:
            self.setIndentation(12)
        self._fit_clause_column()

    def set_results(self, results, grouping, group_order=None) -> None:
        self._bulk = True  # one expansion at the end, not one per model signal
        try:
            self.source.set_results(results, grouping, group_order)
            self.proxy.sort(0)
        finally:
            self._bulk = False
        self._on_proxy_changed()
        self._fit_clause_column()

    def append_results(self, results) -> None:
        """The next page's rows, added below those shown (the selection stays)."""
        results = list(results)
        if not results:
            return
        self._bulk = True
        try:
            self.source.append_results(results)
        finally:
            self._bulk = False
        self._on_proxy_changed()
        self._fit_clause_column()

    def set_flat(self, flat: bool) -> None:
        """Show one group's rows without its group row (``flat``), or every group's row."""
        self.flat = flat
        self.source.fetch_in_groups = flat
        if not flat and self.rootIndex().isValid():
            self.setRootIndex(QModelIndex())

    def set_fetcher(self, can_fetch, fetch) -> None:
        """``can_fetch()``: more rows exist than are here, none on their way; ``fetch()``:
        ask for them (they come back through :meth:`append_results`). Qt asks when the
        last row comes into sight (scrolling down)."""
        self.source.fetcher = (lambda: bool(can_fetch()) and self._last_row_in_sight(), fetch)
        self.source.fetch_in_groups = self.flat

    def _last_row_in_sight(self) -> bool:
        """The last result row (not merely the last group's heading: Qt looks at that, and
        a long last group would be fetched whole) is within the visible part of the list."""
        p = self.proxy
        root = self.rootIndex()
        n = p.rowCount(root)
        if n == 0:
            return True
        last = p.index(n - 1, 0, root)
        while p.rowCount(last) and self.isExpanded(last):
            last = p.index(p.rowCount(last) - 1, 0, last)
        rect = self.visualRect(last)
        return rect.isValid() and rect.top() <= self.viewport().height()

    def _fit_clause_column(self) -> None:
        self.ensurePolished()  # the style sheet's font (large-text mode) first
        fm = self.viewport().fontMetrics()
        widest = 0
        cols = self.source.columns
        fit = {c: fm.horizontalAdvance(self.source.COLUMNS[c]) for c, key in enumerate(cols) if key in FIT_COLUMNS}
        filled: set[int] = set()
        for g in range(self.proxy.rowCount()):
            gi = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(gi)):
                widest = max(widest, fm.horizontalAdvance(str(self.proxy.index(r, 0, gi).data())))
                for c in fit:
                    text = str(self.proxy.index(r, c, gi).data() or "")
                    if text:
                        filled.add(c)
                    fit[c] = max(fit[c], fm.horizontalAdvance(text))
        # a sum or a deadline column with nothing in it (action plans state none) gives its
        # width to the office names
        for c in fit:
            self.setColumnHidden(c, c not in filled or self.stacked)
        if self.stacked:
            for c, key in enumerate(cols):
                if key in CARD_COLUMNS:
                    self.setColumnHidden(c, True)
        self._fit = {c: w + 16 for c, w in fit.items() if c in filled and not self.stacked}
        # rows sit one level down, under a decorated root: two indentations before the text
        floor = 56 if self.stacked else 90
        spare = 18 if self.stacked else 24
        self.header().resizeSection(0, max(floor, widest + 2 * self.indentation() + spare))
        self._share_columns()

    def _share_columns(self) -> None:
        self._shared_width = self.viewport().width()
        h = self.header()
        rest = max(self.viewport().width() - h.sectionSize(0), 3 * h.minimumSectionSize())
        cols = self.source.columns
        fixed = {
            c: max(min(w, int(rest * FIT_COLUMNS[cols[c]])), h.minimumSectionSize())
            for c, w in getattr(self, "_fit", {}).items()
        }
        free = rest - sum(fixed.values())
        flex = [c for c in range(1, len(cols)) if c not in fixed and not self.isColumnHidden(c)]
        total = sum(self._shares[c - 1] for c in flex) or 1.0
        widths = {c: int(free * self._shares[c - 1] / total) for c in flex}
        if flex:
            widths[flex[-1]] = free - sum(widths[c] for c in flex[:-1])
        widths.update(fixed)
        for col in range(1, len(cols)):
            if col in widths:
                h.resizeSection(col, max(widths[col], h.minimumSectionSize()))
        if self.stacked:
            self.scheduleDelayedItemsLayout()  # the cards' heights follow the new width

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._share_columns()

    def updateGeometries(self) -> None:
        # the viewport narrows when rows arrive and a scroll bar appears (a page appended),
        # in a hidden tab too (whose resize events wait until it is shown): the columns
        # share the new width
        super().updateGeometries()
        if getattr(self, "_shared_width", None) not in (None, self.viewport().width()):
            self._share_columns()

    def showEvent(self, event) -> None:
        # a tree filled while hidden measured its clauses before the style sheet's font
        # (large-text mode) reached it
        super().showEvent(event)
        self._fit_clause_column()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_clause_column()

    def _on_proxy_changed(self, *_args) -> None:
        if self._bulk:
            return
        # group rows span every column, so a long group name is never cut off
        for i in range(self.proxy.rowCount()):
            self.setFirstColumnSpanned(i, QModelIndex(), True)
        if self.flat:
            one = self.proxy.rowCount() == 1
            root = self.proxy.index(0, 0) if one else QModelIndex()
            if root != self.rootIndex():
                self.setRootIndex(root)
        self.expandAll()

    def clear(self) -> None:
        self.source.clear()

    def clear_selection(self) -> None:
        """No current row and no selection (without announcing a result)."""
        sm = self.selectionModel()
        self.blockSignals(True)
        sm.clearSelection()
        sm.setCurrentIndex(QModelIndex(), sm.SelectionFlag.NoUpdate)
        self.blockSignals(False)

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

    def select_measure(self, measure_id: str) -> bool:
        """Make the row of ``measure_id`` current (False when the list does not show it)."""
        for g in range(self.proxy.rowCount()):
            gi = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(gi)):
                idx = self.proxy.index(r, 0, gi)
                res = idx.data(ResultRole)
                if res is not None and res.measure.measure_id == measure_id:
                    self.setCurrentIndex(idx)
                    return True
        return False

    def _on_selection_current_changed(self, current: QModelIndex, _prev) -> None:
        self.result_selected.emit(current.data(ResultRole) if current.isValid() else None)

    def _on_self_activated(self, index: QModelIndex) -> None:
        r = index.data(ResultRole)
        if r is not None:
            self.result_activated.emit(r)
