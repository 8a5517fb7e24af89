"""The window's side of asking for what it shows (issue 13): the first page of a new
answer on screen at once, the next page of a list appended when the list is scrolled to
its end, search pages, a measure fetched by id, the progress of the whole answer a print
or an export needs. A mixin of :class:`desktop.main_window.MainWindow` (which provides
``controller``, the panels, ``detail`` and ``statusBar``)."""

from __future__ import annotations

TIERS = ("targeted", "general", "near", "unknown", "expired")
OFFICE_TIERS = ("targeted", "general", "unknown")  # the status-"applies" tiers


class PageActions:
    def _connect_pages(self) -> None:
        c = self.controller
        c.first_page.connect(self._on_controller_first_page)
        c.page_added.connect(self._on_controller_page_added)
        c.search_added.connect(self.search_panel.add_results)
        c.measure_fetched.connect(self._on_controller_measure_fetched)
        c.whole_progress.connect(self._on_controller_whole_progress)
        # each list asks for its next page when its last row comes into sight
        for tier, tree in zip(TIERS, self.results_panel.trees()):
            tree.set_fetcher(lambda t=tier: c.can_fetch(t), lambda t=tier: c.fetch_more(t))
        self.office_view.tree.set_fetcher(
            lambda: any(c.can_fetch(t) for t in OFFICE_TIERS), lambda: any(c.fetch_more(t) for t in OFFICE_TIERS)
        )
        self.search_panel.tree.set_fetcher(c.can_search_more, c.search_more)
        self.results_panel.whole_lists_wanted.connect(lambda: c.set_fetch_whole(True))

    def _on_controller_first_page(self, answer) -> None:
        """The first results of a new answer (not yet counted): on screen at once. With a
        filter or an order other than relevance chosen, its lists are loaded whole."""
        self._on_controller_results_changed(answer, self.controller.response_profile)
        self.controller.set_fetch_whole(self.results_panel.wants_whole_lists())

    def _on_controller_page_added(self, tier: str, results: list) -> None:
        """The next page of a tier: appended to its list (and to 按部门办理)."""
        self.results_panel.add_page(tier, results)
        self.office_view.add_rows(results)
        self._mark_applicable(self.controller.response)

    def _on_controller_measure_fetched(self, result) -> None:
        if result is None:
            self.statusBar().showMessage("知识库中没有这项措施。", 8000)
            return
        self.detail.show_result(result)

    def _on_controller_whole_progress(self, done: int, total: int, what: str) -> None:
        self.statusBar().showMessage(f"正在准备清单:{what}({done}/{total})" if what and done < total else "", 8000)

    def _mark_applicable(self, response) -> None:
        self.search_panel.set_applicable(
            {r.measure.measure_id for r in response.results if r.status == "applies"},
            response.profile.get("district") if isinstance(response.profile, dict) else None,
        )
