"""Applicable measures grouped by benefit category, with filters (office, category,
document) and sorting; the `near` measures ("如果再具备…,还可享受") listed apart."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QSplitter, QStackedWidget,
                               QVBoxLayout, QWidget)

from ..itemmodels import INFERRED_MARK, ResultFilterProxy
from .problem_banner import ProblemBanner
from .result_tree import ResultTree

ALL = "全部"


def by_category(result) -> list[str]:
    """The group of a result: the category that serves one of the company's needs (as the
    matcher's reasons say), else the measure's main category."""
    for reason in result.reasons:
        if reason.kind == "need" and reason.category:
            return [reason.category]
    cats = result.measure.categories
    return [cats[0]] if cats else ["综合服务"]


def need_groups_first(results) -> list[str]:
    """Groups that serve a stated need lead, in the order of their best result."""
    order: list[str] = []
    for r in results:
        for reason in r.reasons:
            if reason.kind == "need" and reason.category and reason.category not in order:
                order.append(reason.category)
    return order


def by_missing(result) -> list[str]:
    missing = "、".join(result.missing) or "其他条件"
    return [f"如果再具备“{missing}”,还可享受"]


class ResultsPanel(QWidget):
    """Signals:
        result_selected(object): a Result became current (in either list).
    """

    result_selected = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self._results: list = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)

        self.problem = ProblemBanner()     # first thing in the results area: never below a fold
        lay.addWidget(self.problem)
        self.summary = QLabel("请在左侧填写企业画像。")
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)

        # two rows of two filters: one row of four would set the window's minimum width
        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setHorizontalSpacing(4)
        bar.setVerticalSpacing(2)
        self.office_filter = QComboBox()
        self.office_filter.setAccessibleName("按部门筛选")
        self.category_filter = QComboBox()
        self.category_filter.setAccessibleName("按类别筛选")
        self.document_filter = QComboBox()
        self.document_filter.setAccessibleName("按文件筛选")
        for combo in (self.office_filter, self.category_filter, self.document_filter):
            # long office and document names must not widen the pane
            combo.setMinimumContentsLength(4)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sort = QComboBox()
        self.sort.setAccessibleName("排序")
        for key, label in ResultFilterProxy.SORT_MODES.items():
            self.sort.addItem(label, key)
        self.sort.setMinimumContentsLength(4)
        self.sort.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for i, (lab_text, w) in enumerate((("部门(&B):", self.office_filter),
                                           ("类别(&C):", self.category_filter),
                                           ("文件(&W):", self.document_filter),
                                           ("排序(&P):", self.sort))):
            lab = QLabel(lab_text)
            lab.setBuddy(w)
            bar.addWidget(lab, i // 2, 2 * (i % 2))
            bar.addWidget(w, i // 2, 2 * (i % 2) + 1)
        bar.setColumnStretch(1, 1)
        bar.setColumnStretch(3, 1)
        lay.addLayout(bar)

        self.stack = QStackedWidget()
        self.placeholder = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.placeholder.setObjectName("placeholder")
        self.stack.addWidget(self.placeholder)

        split = QSplitter(Qt.Orientation.Vertical)
        self.applies = ResultTree()
        self.applies.setAccessibleName("适用措施")
        box = QWidget()
        near_lay = QVBoxLayout(box)
        near_lay.setContentsMargins(0, 4, 0, 0)
        self.near_title = QLabel("如果再具备…,还可享受")
        self.near_title.setObjectName("nearTitle")
        near_lay.addWidget(self.near_title)
        self.near = ResultTree()
        self.near.setAccessibleName("补足条件后还可享受的措施")
        near_lay.addWidget(self.near)
        split.addWidget(self.applies)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.splitter = split
        self.stack.addWidget(split)
        lay.addWidget(self.stack, 1)

        legend = QLabel(f"★ 原文标注的创新举措   部门后标“{INFERRED_MARK}”:原文未写明,系统推断")
        legend.setObjectName("legend")
        legend.setWordWrap(True)
        lay.addWidget(legend)

        for combo in (self.office_filter, self.category_filter, self.document_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.sort.currentIndexChanged.connect(self._on_sort_changed)
        self.applies.result_selected.connect(self._on_tree_result_selected)
        self.near.result_selected.connect(self._on_tree_result_selected)
        self.show_message("请在左侧填写企业画像:至少选择所在区。")

    # -- content ------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def set_response(self, response) -> None:
        self._results = list(response.results) if response is not None else []
        applies = [r for r in self._results if r.status == "applies"]
        near = [r for r in self._results if r.status == "near"]
        self._fill_filters()
        self.applies.set_results(applies, by_category, need_groups_first(applies))
        self.near.set_results(near, by_missing)
        self._apply_filters()
        if not self._results:
            self.show_message("按当前画像没有找到适用的措施。\n可以补充需求、企业类型,或换一些关键词。")
        else:
            self.stack.setCurrentWidget(self.splitter)
        self.near.parentWidget().setVisible(bool(near))
        notes = "" if response is None else "".join(f"\n{n}" for n in response.notes)
        self.summary.setText(f"适用措施 {len(applies)} 项"
                             + (f",补足条件后还可享受 {len(near)} 项" if near else "") + notes)

    def _fill_filters(self) -> None:
        offices, cats, docs = set(), set(), {}
        for r in self._results:
            offices.update(r.measure.offices)
            cats.update(r.measure.categories)
            docs[r.measure.doc_id] = f"{r.measure.district} {r.measure.document}"
        for combo, items in ((self.office_filter, sorted(offices)),
                             (self.category_filter, sorted(cats)),
                             (self.document_filter, sorted(docs.items(), key=lambda kv: kv[1]))):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for it in items:
                if isinstance(it, tuple):
                    combo.addItem(it[1], it[0])
                else:
                    combo.addItem(it, it)
            i = combo.findData(keep) if keep else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def _apply_filters(self) -> None:
        f = dict(office=self.office_filter.currentData(),
                 category=self.category_filter.currentData(),
                 document=self.document_filter.currentData())
        for tree in (self.applies, self.near):
            tree.proxy.set_filters(**f)
            tree.expandAll()

    def _on_filter_changed(self, _i: int) -> None:
        self._apply_filters()

    def _on_sort_changed(self, _i: int) -> None:
        for tree in (self.applies, self.near):
            tree.proxy.set_sort_mode(self.sort.currentData())
            tree.expandAll()

    def _on_tree_result_selected(self, result) -> None:
        if result is not None:
            # one selection across both lists: choosing in one clears the other
            other = self.near if self.sender() is self.applies else self.applies
            other.clear_selection()
            self.result_selected.emit(result)
