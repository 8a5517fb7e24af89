"""Thin Qt item models over plain engine records (``matcher.models.Result``).

:class:`ResultTreeModel` is a two-level tree: groups (a category, an office, a missing
condition, a document …) and, under each, the results that belong to it. Which groups a
result belongs to is decided by a *grouping* function handed in by the view — the model
itself knows nothing about matching. :class:`ResultFilterProxy` filters rows by office,
category and document, sorts them, and shows each group's count of visible rows.

A model holds the pages the window was given (issue 13): :meth:`ResultTreeModel.append_results`
adds the next page's rows, and Qt's ``canFetchMore``/``fetchMore`` (asked by the view when
its last row comes into sight) call the ``fetcher`` the view installs, which asks the
controller for the next page on its worker — the model never waits for one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from matcher.presentation import group_office

from .tier_text import amount_cell, amount_key, deadline_cell, deadline_key

ResultRole = Qt.ItemDataRole.UserRole + 1  # the Result object (rows) / None (groups)
GroupRole = Qt.ItemDataRole.UserRole + 2
TIER_INDEX = {
    "targeted": 0,
    "general": 1,
    "near": 2,
    "unknown": 3,
    "expired": 4,
}  # the group label (groups) / its group (rows)
IsGroupRole = Qt.ItemDataRole.UserRole + 3
CardRole = Qt.ItemDataRole.UserRole + 4  # a row's second line: office · amount · deadline

INFERRED_MARK = "〔推断〕"
STAR = "★"

Grouping = Callable[[Any], Iterable[str]]


def office_text(measure) -> str:
    """Offices as shown in lists: inferred ones carry a visible mark."""
    offices = list(getattr(measure, "offices", []) or [])
    if not offices:
        return "(未写明)"
    if getattr(measure, "office_source", "none") == "inferred":
        return "、".join(offices) + INFERRED_MARK
    return "、".join(offices)


def office_tooltip(measure) -> str:
    src = getattr(measure, "office_source", "none")
    offices = "、".join(getattr(measure, "offices", []) or []) or "无"
    if src == "stated":
        return f"原文写明的牵头责任部门:{offices}"
    if src == "inferred":
        return f"原文未写明部门;根据措施内容推断:{offices}(请以实际受理部门为准)"
    return "原文未写明部门,也无法推断"


def clause_label(measure) -> str:
    """The clause with the document's ★ (some labels already carry it: "23.(3★)")."""
    return measure.clause + (STAR if measure.star and STAR not in measure.clause else "")


def row_title(measure) -> str:
    """A short title for a list row: the heading, then the opening words of the text
    (headings are often shared by a whole topic, so they alone do not tell rows apart)."""
    title = (measure.title or "").strip()
    text = (measure.sentences[0] if measure.sentences else measure.text or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("。:,、 ")
    text = text[:40] + ("…" if len(text) > 40 else "")
    if title and text:
        return f"{title} · {text}"
    return title or text


def card_detail(result) -> str:
    """The second line of a stacked row: the whole office name, what it gives and by when
    (each only when stated) — read out at the counter without a tooltip."""
    m = result.measure
    parts = [office_text(m)]
    amount = amount_cell(m)
    if amount:
        parts.append(amount)
    deadline = deadline_cell(result)
    if deadline:
        parts.append(deadline if deadline == "已过期" or deadline.startswith("有效期") else f"截止 {deadline}")
    return " · ".join(parts)


def short_document(measure) -> str:
    issued = getattr(measure, "issued", None) or ""
    return f"{measure.document}({issued})" if issued else measure.document


@dataclass
class _Group:
    label: str
    rows: list = field(default_factory=list)


COLUMN_LABELS = {
    "clause": "条款",
    "title": "措施",
    "offices": "承办部门",
    "document": "文件",
    "amount": "金额",
    "deadline": "截止",
}
DEFAULT_COLUMNS = ("clause", "title", "offices", "document")
# the targeted list: what it gives and by when instead of the document (in the tooltip)
TARGETED_COLUMNS = ("clause", "title", "offices", "amount", "deadline")


class ResultTreeModel(QAbstractItemModel):
    """Groups → results. Internal ids: 0 for a group row, group number + 1 for a result.
    ``columns``: keys of :data:`COLUMN_LABELS`, in order."""

    def __init__(self, parent=None, columns=DEFAULT_COLUMNS) -> None:
        super().__init__(parent)
        self._groups: list[_Group] = []
        self.marks: dict[str, str] = {}  # measure id → a short mark before its title
        self.columns = tuple(columns)
        self.COLUMNS = [COLUMN_LABELS[c] for c in self.columns]
        self._grouping: Grouping | None = None
        # (more available?, ask for it) — installed by the view; None: everything is here
        self.fetcher: tuple[Callable[[], bool], Callable[[], bool]] | None = None
        self.fetch_in_groups = False  # a flat view's root is its one group

    # -- plain-object API -----------------------------------------------------------
    def set_results(self, results: Iterable[Any], grouping: Grouping, group_order: list[str] | None = None) -> None:
        """Replace the contents. ``grouping(result)`` names the groups a result is in."""
        groups: dict[str, _Group] = {}
        for r in results:
            for label in grouping(r) or ["其他"]:
                groups.setdefault(label, _Group(label)).rows.append(r)
        order = {g: i for i, g in enumerate(group_order or [])}
        # named order first; otherwise the group holding the best-ranked result leads
        ordered = sorted(
            groups.values(),
            key=lambda g: (order.get(g.label, len(order)), min(getattr(r, "rank", 0) for r in g.rows), g.label),
        )
        self.beginResetModel()
        self._groups = ordered
        self._grouping = grouping
        self.endResetModel()

    def append_results(self, results: Iterable[Any], grouping: Grouping | None = None) -> None:
        """Add the next page's results: each at the end of its group, a new group after the
        others (its results rank after those already here)."""
        grouping = grouping or self._grouping or (lambda _r: ["其他"])
        by_label = {g.label: i for i, g in enumerate(self._groups)}
        new_groups: list[_Group] = []
        rows: dict[int, list] = {}
        for r in results:
            for label in grouping(r) or ["其他"]:
                i = by_label.get(label)
                if i is None:
                    i = by_label[label] = len(self._groups) + len(new_groups)
                    new_groups.append(_Group(label))
                if i < len(self._groups):
                    rows.setdefault(i, []).append(r)
                else:
                    new_groups[i - len(self._groups)].rows.append(r)
        for i, add in rows.items():
            parent = self.index(i, 0)
            n = len(self._groups[i].rows)
            self.beginInsertRows(parent, n, n + len(add) - 1)
            self._groups[i].rows.extend(add)
            self.endInsertRows()
        if new_groups:
            n = len(self._groups)
            self.beginInsertRows(QModelIndex(), n, n + len(new_groups) - 1)
            self._groups.extend(new_groups)
            self.endInsertRows()

    def results(self) -> list:
        """Every result held, once each, group after group."""
        seen: set[int] = set()
        return [r for g in self._groups for r in g.rows if not (id(r) in seen or seen.add(id(r)))]

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        if self.fetcher is None:
            return False
        if parent.isValid() and not (self.fetch_in_groups and parent.internalId() == 0):
            return False
        return bool(self.fetcher[0]())

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self.fetcher[1]()

    def clear(self) -> None:
        self.beginResetModel()
        self._groups = []
        self.endResetModel()

    def set_marks(self, marks: dict[str, str]) -> None:
        self.marks = dict(marks)
        if self._groups:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, len(self.COLUMNS) - 1))
            for g in range(len(self._groups)):
                parent = self.index(g, 0)
                n = self.rowCount(parent)
                if n:
                    self.dataChanged.emit(self.index(0, 1, parent), self.index(n - 1, 1, parent))

    def group_labels(self) -> list[str]:
        return [g.label for g in self._groups]

    def result_count(self) -> int:
        return len({id(r) for g in self._groups for r in g.rows})

    # -- Qt overrides -----------------------------------------------------------------
    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        if parent.internalId() == 0:
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index=QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, 0)

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0:
            return len(self._groups[parent.row()].rows)
        return 0

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _node(self, index):
        if index.internalId() == 0:
            return self._groups[index.row()], None
        g = self._groups[int(index.internalId()) - 1]
        return g, g.rows[index.row()]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        group, result = self._node(index)
        col = index.column()
        if result is None:  # a group row
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return f"{group.label}({len(group.rows)})"
            if role == GroupRole:
                return group.label
            if role == IsGroupRole:
                return True
            if role == Qt.ItemDataRole.FontRole:
                f = QFont()
                f.setBold(True)
                return f
            if role == Qt.ItemDataRole.AccessibleTextRole and col == 0:
                return f"{group.label},{len(group.rows)} 项"
            return None
        m = result.measure
        key = self.columns[col] if col < len(self.columns) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if key == "clause":
                return clause_label(m)
            if key == "title":
                mark = self.marks.get(m.measure_id)
                return f"{mark} {row_title(m)}" if mark else row_title(m)
            if key == "offices":
                return office_text(m)
            if key == "document":
                return short_document(m)
            if key == "amount":
                return amount_cell(m)
            if key == "deadline":
                return deadline_cell(result)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "clause" and m.star:
                return "★ 原文标注的区级创新举措"
            if key == "offices":
                return office_tooltip(m)
            if key == "document" or (key == "clause" and "document" not in self.columns):
                return f"{m.document},{m.issued or '日期不详'},第 {m.clause.rstrip('、.．')} 条"
            if key == "amount" and m.amounts:
                return "\n".join(f"{a.get('text', '')}:{a.get('quote', '')[:80]}" for a in m.amounts[:4])
            if key == "deadline" and (m.window or {}).get("text"):
                return m.window["text"]
            if getattr(result, "tier", None) == "unknown" and result.questions:
                return "要问企业:" + ";".join(result.questions)
            missing = getattr(result, "missing", None)
            if missing:
                return "还需具备:" + "、".join(missing)
            if key == "title":
                return (m.sentences[0] if m.sentences else m.text)[:200]
            return None
        if role == Qt.ItemDataRole.ForegroundRole and key == "deadline" and getattr(result, "expired", False):
            return QBrush(QColor("#b91c1c"))
        if role == Qt.ItemDataRole.ForegroundRole and key == "offices" and m.office_source != "stated":
            return QBrush(QColor("#6b5b2e"))
        if role == Qt.ItemDataRole.FontRole and key == "offices" and m.office_source == "inferred":
            f = QFont()
            f.setItalic(True)
            return f
        if role == ResultRole:
            return result
        if role == CardRole:
            return card_detail(result)
        if role == GroupRole:
            return group.label
        if role == IsGroupRole:
            return False
        return None


class ResultFilterProxy(QSortFilterProxyModel):
    """Filters results by office / category / document; groups show their visible count.

    Sort modes: ``score`` (the engine's rank), ``clause`` (document, then clause order),
    ``office`` (first office, then rank), ``amount`` (the largest stated sum first) and
    ``deadline`` (the soonest deadline first); rows without a sum or a deadline follow in
    rank order.
    """

    SORT_MODES = {
        "score": "按相关度",
        "amount": "按金额",
        "deadline": "按截止日期",
        "clause": "按文件条款顺序",
        "office": "按部门",
    }

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(True)
        self._office: str | None = None
        self._category: str | None = None
        self._document: str | None = None
        self._sort_mode = "score"
        self._limit: int | None = None  # show only the first N rows of each group

    def set_filters(self, office: str | None = None, category: str | None = None, document: str | None = None) -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt ≥ 6.9
        if begin is not None:
            begin()
        self._office, self._category, self._document = office or None, category or None, document or None
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def set_sort_mode(self, mode: str) -> None:
        self._sort_mode = mode if mode in self.SORT_MODES else "score"
        self.invalidate()
        self.sort(0, Qt.SortOrder.AscendingOrder)

    def set_limit(self, limit: int | None) -> None:
        """Show only the first ``limit`` results of each group (None: all)."""
        begin = getattr(self, "beginFilterChange", None)  # Qt ≥ 6.9
        if begin is not None:
            begin()
        self._limit = limit
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def canFetchMore(self, parent) -> bool:
        # a list cut to its first rows (更多 not pressed) asks for no more
        return self._limit is None and super().canFetchMore(parent)

    def filters_active(self) -> bool:
        return bool(self._office or self._category or self._document)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not source_parent.isValid():
            # a group: shown when it has any accepted row (recursive filtering)
            return False
        idx = self.sourceModel().index(source_row, 0, source_parent)
        r = idx.data(ResultRole)
        if r is None:
            return False
        m = r.measure
        if self._office and self._office not in m.offices:
            return False
        if self._category and self._category not in m.categories:
            return False
        if self._document and self._document != m.doc_id:
            return False
        if self._limit is not None and source_row >= self._limit:
            return False
        return True

    def lessThan(self, left, right) -> bool:
        if not left.parent().isValid():  # groups keep the model's order
            return left.row() < right.row()
        a, b = left.data(ResultRole), right.data(ResultRole)
        if a is None or b is None:
            return left.row() < right.row()
        return self._key(a) < self._key(b)

    def _key(self, r):
        m = r.measure
        if self._sort_mode == "clause":
            return (m.doc_id, m.order, r.rank)
        if self._sort_mode == "office":
            return (group_office(m) or "~", r.rank)
        if self._sort_mode == "amount":
            wan = amount_key(r)
            return (wan is None, -(wan or 0), r.rank)
        if self._sort_mode == "deadline":
            end = deadline_key(r)
            return (end is None, end or "", r.rank)
        # ranks count within a tier: a list of several tiers (按部门) keeps the tiers' order
        return (TIER_INDEX.get(getattr(r, "tier", ""), 0), r.rank)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if (
            role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
            and index.isValid()
            and not index.parent().isValid()
            and index.column() == 0
        ):
            label = super().data(index, GroupRole)
            n = self.rowCount(index)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{label},{n} 项"
            return f"{label}({n})"
        return super().data(index, role)

    def visible_results(self) -> list:
        out = []
        for g in range(self.rowCount()):
            gi = self.index(g, 0)
            for r in range(self.rowCount(gi)):
                out.append(self.index(r, 0, gi).data(ResultRole))
        return out
