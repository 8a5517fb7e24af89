"""Search results for the box in the tool bar: every measure, all districts, fuzzy."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .result_tree import ResultTree


def by_document(result) -> list[str]:
    m = result.measure
    return [f"{m.district} · {m.document}"]


class SearchPanel(QWidget):
    """Signals:
        result_selected(object): a Result became current.
    """

    result_selected = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("在上方搜索框输入关键词(Ctrl+F),搜索全部措施。", wordWrap=True)
        self.summary.setObjectName("summaryLabel")
        lay.addWidget(self.summary)
        self.tree = ResultTree()
        self.tree.setAccessibleName("搜索结果")
        lay.addWidget(self.tree, 1)
        self.tree.result_selected.connect(self._on_tree_result_selected)

    def set_results(self, text: str, results: list) -> None:
        self.tree.set_results(results, by_document)
        if not text:
            self.summary.setText("在上方搜索框输入关键词(Ctrl+F),搜索全部措施。")
        elif results:
            self.summary.setText(f"“{text}”:找到 {len(results)} 项措施(按相关度)。")
        else:
            self.summary.setText(f"“{text}”:没有找到相关措施。可以换个说法,或少输入几个字。")

    def _on_tree_result_selected(self, result) -> None:
        if result is not None:
            self.result_selected.emit(result)
