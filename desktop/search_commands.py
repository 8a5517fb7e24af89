"""Search as you type, for the controller (``controller.search``, :class:`SearchCommands`):
the text debounced, searched on the engine's worker (the client's district first, then the
rest), more rows asked for when the list is scrolled to its end; an answer for an older
text is dropped. Reports by its own signals, which the controller passes on as its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from .answer import SEARCH_TOP, ranked_search, search_cap
from .messages import user_message
from .workers import Task

if TYPE_CHECKING:
    from .backend import Backend, Snapshot

SEARCH_DELAY_MS = 150


class SearchHost(Protocol):
    """What the search reads of the controller."""

    backend: Backend
    snapshot: Snapshot | None
    client_district: str | None

    def start_serial(self, task: Task) -> None: ...


class SearchCommands(QObject):
    """Signals:
    changed(str, list): search text and its results ("" and [] when cleared).
    added(str, list): more results for the same text, appended.
    error(str): the search failed; a message for a person.
    """

    changed = Signal(str, list)
    added = Signal(str, list)
    error = Signal(str)

    def __init__(self, host: SearchHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.text = ""
        self._gen = 0
        self._top = SEARCH_TOP
        self._shown: list = []
        self._more = False
        self._fetching = False
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def set_text(self, text: str) -> None:
        """The search box changed: search again after a short pause ("" clears the list)."""
        self.text = text.strip()
        self._gen += 1
        if not self.text:
            self._timer.stop()
            self.changed.emit("", [])
            return
        self._timer.start()

    def refresh(self) -> None:
        """Search the same text again now (a new knowledge base, another client district)."""
        if self.text:
            self._gen += 1
            self._timer.start(0)

    def clear(self) -> None:
        """新客户: no text, no list."""
        self._timer.stop()
        self.text = ""
        self._gen += 1
        self._shown, self._more = [], False
        self.changed.emit("", [])

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.host.snapshot is None or not self.text:
            return
        self._top = SEARCH_TOP
        self._ask(more=False)

    def _ask(self, more: bool) -> None:
        gen, text, top = self._gen, self.text, self._top
        backend, district = self.host.backend, self.host.client_district
        # the same 判断日期 and the same client as the results (issue 21)
        answer = getattr(self.host, "response", None)
        profile = getattr(answer, "resolved", None)
        as_of = getattr(self.host, "as_of", None)

        def work():
            return gen, text, more, ranked_search(backend.engine(), text, district, top, profile, as_of)

        task = Task(work, name="搜索")
        task.finished.connect(self._on_finished)
        task.failed.connect(self._on_failed)
        self._fetching = more
        self.host.start_serial(task)

    def can_fetch_more(self) -> bool:
        return bool(self.text) and self._more and not self._fetching

    def fetch_more(self) -> bool:
        """More results for the same text (on scroll): the search asked for a longer list,
        the rows not shown yet appended."""
        if not self.can_fetch_more():
            return False
        self._top += SEARCH_TOP
        self._ask(more=True)
        return True

    @Slot(object)
    def _on_finished(self, value) -> None:
        gen, text, more, results = value
        if gen != self._gen:
            return
        self._fetching = False
        full = search_cap(self._top, self.host.client_district)
        if not more:
            self._shown = list(results)
            self._more = len(results) >= full
            self.changed.emit(text, list(results))
            return
        seen = {r.measure.measure_id for r in self._shown}
        new = [r for r in results if r.measure.measure_id not in seen]
        self._shown.extend(new)
        self._more = bool(new) and len(results) >= full
        if new:
            self.added.emit(text, new)

    @Slot(object, str)
    def _on_failed(self, err: BaseException, _tb: str) -> None:
        self._fetching = False
        self.error.emit("搜索失败:" + user_message(err))
