"""The window's result lists and detail pane, kept in step with the controller's answer
(:class:`ResultsPresenter`): the first page of a new answer on screen at once, the tiers'
counts and first pages when they come, the next page of a list appended when it is scrolled
to its end, the search list, a measure fetched by id; the detail follows the list in view.
Never shows the last client: an answer withdrawn empties every list and the detail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar, QTabWidget

if TYPE_CHECKING:
    from .controller import Controller
    from .widgets.detail_view import DetailView
    from .widgets.office_view import OfficeView
    from .widgets.result_tree import ResultTree
    from .widgets.results_panel import ResultsPanel
    from .widgets.search_panel import SearchPanel

TIERS = ("targeted", "general", "near", "unknown", "expired")
OFFICE_TIERS = ("targeted", "general", "unknown")  # the status-"applies" tiers
UNLISTED_NOTE = "按刚填写的情况重新判断后,这项措施已不在左侧清单中。以下是它的原文。"


class ResultsPresenter(QObject):
    """Wires the controller's answers to 适用措施, 按部门办理, 搜索 and the detail pane."""

    def __init__(
        self,
        controller: Controller,
        tabs: QTabWidget,
        results: ResultsPanel,
        offices: OfficeView,
        search: SearchPanel,
        detail: DetailView,
        status: QStatusBar,
    ) -> None:
        super().__init__(tabs)
        self.controller = controller
        self.tabs, self.results, self.offices, self.search, self.detail = tabs, results, offices, search, detail
        self.status = status
        # the measure whose question is being answered (填写): a new answer keeps it in the detail
        self.answering: str | None = None
        self._fetching_unlisted: str | None = None  # the measure asked for by _show_unlisted
        c = controller
        c.first_page.connect(self._on_controller_first_page)
        c.results_changed.connect(self.show_answer)
        c.page_added.connect(self._on_controller_page_added)
        c.search_changed.connect(self.search.set_results)
        c.search_added.connect(self.search.add_results)
        c.measure_fetched.connect(self._on_controller_measure_fetched)
        c.whole_progress.connect(self._on_controller_whole_progress)
        # each list asks for its next page when its last row comes into sight
        for tier, tree in zip(TIERS, results.trees()):
            tree.set_fetcher(lambda t=tier: c.can_fetch(t), lambda t=tier: c.fetch_more(t))
        offices.tree.set_fetcher(
            lambda: any(c.can_fetch(t) for t in OFFICE_TIERS), lambda: any(c.fetch_more(t) for t in OFFICE_TIERS)
        )
        search.tree.set_fetcher(c.search.can_fetch_more, c.search.fetch_more)
        results.whole_lists_wanted.connect(lambda: c.set_fetch_whole(True))
        for w in (results, offices, search):
            w.result_selected.connect(self.detail.show_result)
            w.result_selected.connect(self._on_result_selected)
        for tree in self.trees():
            tree.result_activated.connect(self._on_result_activated)
        tabs.currentChanged.connect(self._on_tabs_current_changed)

    def trees(self) -> tuple[ResultTree, ...]:
        return (*self.results.trees(), self.offices.tree, self.search.tree)

    def visible_tree(self) -> ResultTree:
        """The result list the officer is looking at: the current tab's (in 适用措施, the
        list that holds the selection)."""
        w = self.tabs.currentWidget()
        if w is self.results:
            return next((t for t in self.results.trees() if t.current_result() is not None), self.results.applies)
        if w is self.offices:
            return self.offices.tree
        return self.search.tree

    # -- the controller's answers ----------------------------------------------------------
    def _on_controller_first_page(self, answer) -> None:
        """The first results of a new answer (not yet counted): on screen at once. With a
        filter or an order other than relevance chosen, its lists are loaded whole."""
        self.show_answer(answer, self.controller.response_profile)
        self.controller.set_fetch_whole(self.results.wants_whole_lists())

    def show_answer(self, response, _profile: dict | None = None) -> None:
        """An answer (counted, or only its first page) in every list; None empties them."""
        current = self.detail.result.measure.measure_id if self.detail.result else None
        if response is None:
            # never show the last client: lists, detail and the near list all go
            self.results.set_response(None)
            self.results.show_message("请在左侧填写企业画像:至少选择所在区。")
            self.offices.set_response(None)
            self.search.set_applicable(set())
            if self.tabs.currentWidget() is not self.search:
                self.detail.show_empty()
            return
        held = self.answering
        self._mark_applicable(response)
        self.results.set_response(response)
        self.offices.set_response(response)
        # the measure in view stays in view if the new answer has it; else the best result —
        # unless its question is being answered (填写): then it stays, judged again
        current = held or current
        trees = self.results.trees()
        found = bool(current and any(t.select_measure(current) for t in trees))
        self.answering = held
        if not found and held and self.tabs.currentWidget() is self.results:
            self._show_unlisted(held, response)
            return
        if not found:
            any(t.select_first() for t in trees)
        chosen = self.results.current_result()
        if chosen is not None:
            self.offices.tree.select_measure(chosen.measure.measure_id)
        self._on_tabs_current_changed(self.tabs.currentIndex())

    def hold_detail(self) -> None:
        """A question of the measure in the detail is being answered (填写): the answers
        that follow keep that measure in the detail."""
        self.answering = self.detail.result.measure.measure_id if self.detail.result else None

    def release_detail(self) -> None:
        self.answering = None

    def _show_unlisted(self, measure_id: str, response) -> None:
        """The measure being answered is in no list of the new answer: the detail keeps it
        (as the answer judged it when it has it, else as written) and says so."""
        judged = next((r for r in response.results if r.measure.measure_id == measure_id), None)
        if judged is not None:
            self.detail.show_result(judged, note=UNLISTED_NOTE)
        else:
            self._fetching_unlisted = measure_id
            self.controller.show_measure(measure_id)

    def _on_result_selected(self, result) -> None:
        # the officer chose another measure: it is no longer the one being answered
        if result is not None and result.measure.measure_id != self.answering:
            self.answering = None

    def _on_controller_page_added(self, tier: str, results: list) -> None:
        """The next page of a tier: appended to its list (and to 按部门办理)."""
        self.results.add_page(tier, results)
        self.offices.add_rows(results)
        self._mark_applicable(self.controller.response)

    def _on_controller_measure_fetched(self, result) -> None:
        if result is None:
            self.status.showMessage("知识库中没有这项措施。", 8000)
            return
        unlisted, self._fetching_unlisted = self._fetching_unlisted, None
        if unlisted is not None and unlisted == self.answering == result.measure.measure_id:
            self.detail.show_result(result, note=UNLISTED_NOTE)
            return
        self.detail.show_result(result)

    def _on_controller_whole_progress(self, done: int, total: int, what: str) -> None:
        self.status.showMessage(f"正在准备清单:{what}({done}/{total})" if what and done < total else "", 8000)

    def _mark_applicable(self, response) -> None:
        self.search.set_applicable(
            {r.measure.measure_id for r in response.results if r.status == "applies"},
            response.profile.get("district") if isinstance(response.profile, dict) else None,
        )

    # -- the officer's moves ---------------------------------------------------------------
    def _on_result_activated(self, result) -> None:
        """Enter (or a double click) on a result: its detail, with the focus on it."""
        self.detail.show_result(result)
        self.detail.setFocus()

    def _on_tabs_current_changed(self, _i: int) -> None:
        """The detail follows the visible list: that tab's selected measure, or nothing."""
        result = self.visible_tree().current_result()
        if result is not None:
            self.detail.show_result(result)
        else:
            self.detail.show_empty()
