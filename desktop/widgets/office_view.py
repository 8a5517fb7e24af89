"""The routing list a counter officer reads out: for this company, which office to visit
for what. Each applicable measure once, under its lead office (the first the document or
the inference names; the others stay visible in the 承办部门 column), offices in the
order of their most relevant measure."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from matcher.presentation import group_office

from ..itemmodels import INFERRED_MARK
from .result_tree import ResultTree

NO_OFFICE = "(原文未写明部门)"


def by_office(result) -> list[str]:
    m = result.measure
    if not m.offices:
        return [NO_OFFICE]
    mark = INFERRED_MARK if m.office_source == "inferred" else ""
    return [group_office(m) + mark]  # the recognised office: one group per body


class OfficeView(QWidget):
    """Signals:
    result_selected(object): a Result became current.
    """

    result_selected = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("填写企业画像后,这里按部门列出该去哪里办什么。", wordWrap=True)
        self.summary.setObjectName("summaryLabel")
        lay.addWidget(self.summary)
        self.tree = ResultTree()
        self.tree.setAccessibleName("按部门办理清单")
        lay.addWidget(self.tree, 1)
        self.tree.result_selected.connect(self._on_tree_result_selected)
        self._response = None

    def set_response(self, response) -> None:
        applies = [r for r in (response.results if response else []) if r.status == "applies"]
        if response is None or response is not self._response or len(applies) != self.tree.source.result_count():
            self.tree.set_results(applies, by_office)
        self._response = response
        self._say()

    def add_rows(self, results: list) -> None:
        """More applicable results of the answer shown (a page of a tier)."""
        self.tree.append_results([r for r in results if r.status == "applies"])
        self._say()

    def _say(self) -> None:
        shown = len(self.tree.source.results())
        counts = getattr(self._response, "counts", None)
        total = sum(int(counts.get(t, 0)) for t in ("targeted", "general", "unknown")) if counts else shown
        # the office of the best-ranked measure first (the model orders groups by best rank)
        n = len(self.tree.source.group_labels())
        more = f"已列出 {shown} 项,向下滚动列出其余。" if total > shown else ""
        self.summary.setText(
            f"{total} 项措施按牵头部门分组,{'已列出的' if more else '共 '}{n} 个部门;"
            f"{more}同一措施涉及的其他部门见“承办部门”列。"
            f"部门后标“{INFERRED_MARK}”的为系统推断,请以实际受理部门为准。"
            if shown or total
            else "按当前画像没有适用的措施。"
        )

    def _on_tree_result_selected(self, result) -> None:
        if result is not None:
            self.result_selected.emit(result)
