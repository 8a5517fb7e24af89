"""Search results for the box in the tool bar: every measure, all districts, fuzzy — the
client's own district first, then city-level measures, then the other districts; what
applies to the client is marked."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .result_tree import ResultTree

APPLIES_MARK = "✔适用"
OWN_DISTRICT = "(本企业所在区)"
CITY_LEVEL = "(市级,各区适用)"
CITY_MARK = "〔市级〕"  # on each city-level row, as the CLI's search labels it 市级


def by_document(result) -> list[str]:
    m = result.measure
    return [f"{m.district} · {m.document}"]


def _is_city(measure) -> bool:
    from matcher.models import CITY

    return getattr(measure, "level", "") == "市级" or measure.district == CITY


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
        self._text = ""
        self._results: list = []
        self._applicable: set[str] = set()
        self._district: str | None = None

    def set_applicable(self, measure_ids: set[str], district: str | None = None) -> None:
        """The client's applicable measures (marked in the list) and district (first)."""
        district = district if measure_ids or district else None
        if set(measure_ids) == self._applicable and district == self._district:
            return
        self._applicable = set(measure_ids)
        self._district = district
        if self._text:
            self.set_results(self._text, self._results)

    def _grouping(self, result) -> list[str]:
        m = result.measure
        label = by_document(result)[0]
        if self._district and m.district == self._district:
            return [label + OWN_DISTRICT]
        if _is_city(m):
            return [label + CITY_LEVEL]
        return [label]

    def _mark(self, result) -> str:
        """The tags before a row's title: 适用 for this client, 市级 for a city-level measure."""
        m = result.measure
        return " ".join(
            t for t in (APPLIES_MARK if m.measure_id in self._applicable else "", CITY_MARK if _is_city(m) else "") if t
        )

    def _order_key(self, result) -> int:
        m = result.measure
        if self._district and m.district == self._district:
            return 0
        return 1 if _is_city(m) else 2

    def set_results(self, text: str, results: list) -> None:
        same_search = text == self._text
        self._text, self._results = text, list(results)
        # stable: within each part the engine's order stays
        ordered = sorted(self._results, key=self._order_key)
        groups = list(dict.fromkeys(self._grouping(r)[0] for r in ordered))
        self.tree.source.set_marks({r.measure.measure_id: mark for r in ordered if (mark := self._mark(r))})
        current = self.tree.current_result()
        self.tree.set_results(ordered, self._grouping, groups)
        if current is not None and same_search:
            # marks refreshed for a new client: the row being read stays selected
            self.tree.blockSignals(True)
            self.tree.select_measure(current.measure.measure_id)
            self.tree.blockSignals(False)
        self._say(text, results)

    def _say(self, text: str, results: list) -> None:
        n_applies = sum(1 for r in results if r.measure.measure_id in self._applicable)
        if not text:
            self.summary.setText("在上方搜索框输入关键词(Ctrl+F),搜索全部措施。")
        elif results:
            lead = f"{self._district}的措施在前,然后是市级措施;" if self._district else ""
            mine = (
                f"其中 {n_applies} 项适用于本企业(标“{APPLIES_MARK}”)。"
                if self._applicable
                else "填写企业画像后,适用于本企业的措施会标出。"
            )
            self.summary.setText(f"“{text}”:找到 {len(results)} 项措施。{lead}{mine}")
        else:
            self.summary.setText(f"“{text}”:没有找到相关措施。可以换个说法,或少输入几个字。")

    def add_results(self, text: str, results: list) -> None:
        """More results for the same search (scrolled down), appended below."""
        if text != self._text or not results:
            return
        ordered = sorted(results, key=self._order_key)
        self._results.extend(ordered)
        self.tree.source.set_marks(
            {**self.tree.source.marks, **{r.measure.measure_id: mark for r in ordered if (mark := self._mark(r))}}
        )
        self.tree.append_results(ordered)
        self._say(text, self._results)

    def _on_tree_result_selected(self, result) -> None:
        if result is not None:
            self.result_selected.emit(result)
