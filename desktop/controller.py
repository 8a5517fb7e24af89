"""Application state and commands. Calls the engine (through :mod:`desktop.backend`);
owns every background task; never touches a widget. Print and export of the answer shown
are its :attr:`Controller.output` (:class:`desktop.output_commands.OutputCommands`), search
as you type its :attr:`Controller.search` (:class:`desktop.search_commands.SearchCommands`).

The window sends profile edits, search text and commands here; the controller answers
with signals. Matching and search are debounced and run one at a time on a worker
thread; an answer that arrives after a newer request is dropped.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from matcher.engine import Engine
from matcher.errors import BadInput, PolicyDeskError
from matcher.models import Result

from .answer import FIRST_ROWS, FIRST_TOP, PAGE, Answer
from .backend import Snapshot
from .messages import plain, user_message
from .output_commands import OutputCommands
from .search_commands import SearchCommands
from .workers import Task, TaskRunner

log = logging.getLogger(__name__)

MATCH_DELAY_MS = 250
COUNT_AFTER_MS = 40


class Controller(QObject):
    """Signals:
    kb_loading(str): the knowledge base is being opened; a status text.
    kb_ready(object): a :class:`Snapshot` (after start and after each import).
    kb_failed(str): the knowledge base could not be opened.
    first_page(object): the first results of a new :class:`~desktop.answer.Answer`
        (targeted and general, not yet counted): what the window shows first.
    results_changed(object, dict): the :class:`~desktop.answer.Answer` with its tiers
        counted and the first page of each (or None), and the profile it is for.
    page_added(str, list): more results of the current answer's tier, appended.
    profile_problem(str): the profile cannot be matched as it is ("" when fine); the
        results of the previous profile are withdrawn first (results_changed(None, …)).
    industry_unknown(str, list): the industry typed is not known: the text, and the
        nearest industries to offer ("", [] when the industry is fine). Meanwhile the
        text is matched as keywords.
    search_changed(str, list): search text and its results.
    search_added(str, list): more results for the same search text, appended.
    measure_fetched(object): a Result for a measure asked by id (``show_measure``).
    whole_progress(int, int, str): the whole answer (print, export) is being fetched.
    busy_changed(bool): a match or search is running.
    error(str): something failed; a message for a person.
    notice(str): a short status message.
    import_progress(int, int, str): done, total, what.
    import_finished(object): an ImportReport.
    export_finished(str, str): kind ("pdf", "xlsx", "json") and path.
    sessions_changed(): saved profiles or recent sessions changed.
    """

    kb_loading = Signal(str)
    kb_ready = Signal(object)
    kb_failed = Signal(str)
    first_page = Signal(object)
    results_changed = Signal(object, dict)
    page_added = Signal(str, list)
    profile_problem = Signal(str)
    industry_unknown = Signal(str, list)
    search_changed = Signal(str, list)
    search_added = Signal(str, list)
    measure_fetched = Signal(object)
    whole_progress = Signal(int, int, str)
    busy_changed = Signal(bool)
    error = Signal(str)
    notice = Signal(str)
    import_progress = Signal(int, int, str)
    import_finished = Signal(object)
    export_finished = Signal(str, str)
    sessions_changed = Signal()

    def __init__(self, backend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.snapshot: Snapshot | None = None
        self.profile: dict = {}
        self.response: Answer | None = None  # the answer shown, as far as it is loaded
        self.response_profile: dict = {}
        self._fetching: set[str] = set()  # tiers with a page on its way
        self._fetch_all: set[str] = set()  # tiers to load whole, page after page
        self.client_district: str | None = None  # the resolved district of the profile
        self.as_of: date | None = None  # the day expiry is judged on (None: today)
        self.include_expired = False  # list expired measures too (marked 已过期)
        self._match_gen = 0
        self._pending = 0
        self._serial = TaskRunner(self, serial=True)  # load, match, pages, search: the engine's thread
        self._runner = TaskRunner(self)  # import, export
        self._match_timer = QTimer(self, singleShot=True, interval=MATCH_DELAY_MS)
        self._match_timer.timeout.connect(self._on_match_timer_timeout)
        self.timings: dict[str, float] = {}
        self.output = OutputCommands(self, self)  # print and export of the answer shown
        self.search = SearchCommands(self, self)  # search as you type
        for mine, theirs in (
            (self.search_changed, self.search.changed),
            (self.search_added, self.search.added),
            (self.error, self.search.error),
            (self.error, self.output.error),
            (self.notice, self.output.notice),
            (self.whole_progress, self.output.whole_progress),
            (self.export_finished, self.output.export_finished),
        ):
            theirs.connect(mine)

    # -- for the output commands and the window's presenters ------------------------------
    def generation(self) -> int:
        """The number of the current answer: a reply for an older one is dropped."""
        return self._match_gen

    def start_serial(self, task: Task) -> None:
        """Run ``task`` on the engine's own worker (one at a time, in order; busy shown)."""
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        task.done.connect(self._on_serial_done)
        self._serial.start(task)

    def start_background(self, task: Task) -> None:
        """Run ``task`` on another worker (imports, exports, packs: an engine of its own)."""
        self._runner.start(task)

    # -- knowledge base ----------------------------------------------------------------
    def start(self) -> None:
        """Open the knowledge base in the background."""
        self.kb_loading.emit("正在载入政策知识库…")
        self.timings["kb_start"] = time.perf_counter()
        task = Task(self.backend.load, with_progress=True, name="载入知识库")
        task.finished.connect(self._on_load_finished)
        task.failed.connect(self._on_load_failed)
        task.progress.connect(self._on_load_progress)
        self._serial.start(task)

    @Slot(int, int, str)
    def _on_load_progress(self, done: int, total: int, what: str) -> None:
        self.kb_loading.emit(f"正在载入政策知识库… {what} ({done}/{total})" if total else f"正在载入政策知识库… {what}")

    @Slot(object)
    def _on_load_finished(self, snapshot: Snapshot) -> None:
        self.timings["kb_ready"] = time.perf_counter()
        self.set_snapshot(snapshot)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """The knowledge base as now opened (after start, an import, a removal, a pack)."""
        self.snapshot = snapshot
        self.kb_ready.emit(snapshot)
        for n in snapshot.notices:
            self.notice.emit(n)
        if self.profile:
            self._schedule_match(immediate=True)
        self.search.refresh()

    @Slot(object, str)
    def _on_load_failed(self, err: BaseException, _tb: str) -> None:
        msg = user_message(err)
        if not isinstance(err, PolicyDeskError):
            msg = "政策知识库无法打开。" + msg
        self.kb_failed.emit(msg)

    # -- profile and matching ------------------------------------------------------------
    def set_profile(self, profile: dict, immediate: bool = False) -> None:
        """The profile form changed; match again after a short pause."""
        self.profile = dict(profile)
        self._schedule_match(immediate)

    def set_as_of(self, day: date | None) -> None:
        """Judge expiry (申报截止, 有效期) on ``day`` (None or today: today) and match again."""
        day = None if day is None or day == date.today() else day
        if day == self.as_of:
            return
        self.as_of = day
        if self.profile:
            self._schedule_match(immediate=True)

    def set_include_expired(self, on: bool) -> None:
        """List the expired measures too (tier ``expired``, never targeted), or not."""
        if bool(on) == self.include_expired:
            return
        self.include_expired = bool(on)
        if self.profile:
            self._schedule_match(immediate=True)

    def _schedule_match(self, immediate: bool = False) -> None:
        self._match_gen += 1
        if immediate:
            self._match_timer.start(0)
        else:
            self._match_timer.start()

    def _withdraw(self, profile: dict, message: str) -> None:
        """Never show the last client: a profile that cannot be matched takes the previous
        results (and with them print and export) off the screen."""
        self._match_gen += 1  # an answer still on its way is for an old profile
        self.client_district = None
        self.response, self.response_profile = None, dict(profile)
        self._fetching = set()
        self.output.reset()
        self.results_changed.emit(None, dict(profile))
        self.industry_unknown.emit("", [])
        self.profile_problem.emit(message)

    def industry_suggestions(self, text: str, limit: int = 5) -> list[str]:
        """The industries nearest to ``text`` (aliases and Traditional input count)."""
        opts = self.snapshot.options if self.snapshot is not None else None
        if opts is None or not text.strip():
            return []
        choices = opts.industry_aliases or opts.industry_choices or opts.industries
        try:
            found = self.backend.suggest(text, choices, limit=limit * 3)
        except Exception:
            return []
        if isinstance(choices, dict):
            found = [choices.get(f, f) for f in found]
        return list(dict.fromkeys(found))[:limit]

    def _resolve(self, profile: dict):
        """(engine profile, industry text used as keywords or "") — or raises BadInput.
        An industry the rules do not know is not a dead end: the profile is matched with
        the text as keywords, and the nearest industries are offered."""
        try:
            return self.backend.make_profile(profile), ""
        except BadInput:
            industry = str(profile.get("industry") or "").strip()
            if not industry:
                raise
            fallback = {k: v for k, v in profile.items() if k not in ("industry", "employees", "revenue", "assets")}
            fallback["keywords"] = " ".join(x for x in (profile.get("keywords"), industry) if x)
            try:
                resolved = self.backend.make_profile(fallback)
            except BadInput:
                raise BadInput(self._first_problem(profile)) from None
            return resolved, industry

    def _first_problem(self, profile: dict) -> str:
        try:
            self.backend.make_profile(profile)
        except BadInput as err:
            return plain(str(err))
        return ""

    @Slot()
    def _on_match_timer_timeout(self) -> None:
        if self.snapshot is None:
            return
        profile = dict(self.profile)
        if not profile.get("district"):
            self._withdraw(profile, "请先选择企业所在区。")
            return
        try:
            resolved, as_keywords = self._resolve(profile)
        except BadInput as err:
            self._withdraw(profile, plain(str(err)))
            return
        district = _field(resolved, "district")
        if district != self.client_district:
            self.client_district = district
            self.search.refresh()  # the client's district leads the search
        self.industry_unknown.emit(as_keywords, self.industry_suggestions(as_keywords) if as_keywords else [])
        gen = self._match_gen
        backend = self.backend
        when = {"as_of": self.as_of} if self.as_of is not None else {}
        if self.include_expired:
            when["include_expired"] = True

        def work():
            # the first page only: the best targeted and general results; counted next
            t0 = time.perf_counter()
            engine, outside = backend.engine_for_match()  # reopened if changed elsewhere
            first = engine.match(resolved, top=FIRST_TOP, **when)
            return gen, profile, Answer(first, resolved, when), time.perf_counter() - t0, outside

        task = Task(work, name="匹配")
        task.finished.connect(self._on_match_finished)
        task.failed.connect(self._on_match_failed)
        self.start_serial(task)

    @Slot()
    def _on_serial_done(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    @Slot(object)
    def _on_match_finished(self, value) -> None:
        gen, profile, answer, secs, outside = value
        if outside is not None:  # the knowledge base changed elsewhere: show it as it is now
            note, snapshot = outside
            self.snapshot = snapshot
            self.kb_ready.emit(snapshot)
            self.notice.emit(f"{note},已重新载入:现有 {len(snapshot.documents)} 份文件。" + "".join(snapshot.notices))
        self.timings["last_match_s"] = secs
        if gen != self._match_gen:
            return  # a newer profile is on its way
        self.response, self.response_profile = answer, profile
        self._fetching = set()
        self.output.reset()
        self.profile_problem.emit("")
        self.first_page.emit(answer)
        # counted once the first page is painted: the worker's work would slow the painting
        QTimer.singleShot(
            COUNT_AFTER_MS,
            self,
            lambda: self._count(gen, answer) if gen == self._match_gen and answer is self.response else None,
        )
        # no recent session here: one is kept only when the officer prints, exports or saves

    def _count(self, gen: int, answer: Answer) -> None:
        """Count every tier, and ask for the first page of the tiers the first reply did
        not bring (near, unknown, expired; more targeted or general when few came)."""
        backend = self.backend

        def work():
            engine = backend.engine()
            counts = engine.tier_counts(answer.resolved, **answer.when)
            pages = {}
            for tier in answer.listed_tiers():
                have = answer.loaded(tier)
                if min(int(counts.get(tier, 0)), FIRST_ROWS[tier]) > have:
                    pages[tier] = (have, engine.tier_page(answer.resolved, tier, have, PAGE, **answer.when))
            return gen, answer, counts, pages

        task = Task(work, name="统计")
        task.finished.connect(self._on_count_finished)
        task.failed.connect(self._on_match_failed)
        self.start_serial(task)

    @Slot(object)
    def _on_count_finished(self, value) -> None:
        gen, answer, counts, pages = value
        if gen != self._match_gen or answer is not self.response:
            return  # an older profile's
        answer.counts = dict(counts)
        for tier, (start, rows) in pages.items():
            answer.add(tier, start, rows)
        self.results_changed.emit(answer, self.response_profile)
        for tier in self._fetch_all:
            self.fetch_more(tier)

    def set_fetch_whole(self, on: bool, tiers=("targeted", "general")) -> None:
        """Load ``tiers`` whole, page after page, or not (a filter or a sort order means
        something only over a whole list); for this answer and the next ones."""
        self._fetch_all = set(tiers) if on else set()
        for tier in self._fetch_all:
            self.fetch_more(tier)

    # -- more of a tier, on scroll or 更多 ------------------------------------------------
    def can_fetch(self, tier: str) -> bool:
        """The current answer has more of ``tier`` than loaded, and none is on its way."""
        a = self.response
        return a is not None and tier not in self._fetching and a.left(tier) > 0

    def fetch_more(self, tier: str) -> bool:
        """Ask for the next page of ``tier`` (rows arrive by ``page_added``)."""
        if not self.can_fetch(tier):
            return False
        answer, gen, backend = self.response, self._match_gen, self.backend
        start = answer.loaded(tier)
        self._fetching.add(tier)

        def work():
            return (
                gen,
                answer,
                tier,
                start,
                backend.engine().tier_page(answer.resolved, tier, start, PAGE, **answer.when),
            )

        task = Task(work, name="载入更多")
        task.finished.connect(self._on_page_finished)
        task.failed.connect(self._on_page_failed)
        self.start_serial(task)
        return True

    @Slot(object)
    def _on_page_finished(self, value) -> None:
        gen, answer, tier, start, rows = value
        if gen != self._match_gen or answer is not self.response:
            return  # a page of an older answer: never shown
        self._fetching.discard(tier)
        new = answer.add(tier, start, rows)
        if new:
            self.page_added.emit(tier, new)
        if tier in self._fetch_all:
            self.fetch_more(tier)

    @Slot(object, str)
    def _on_page_failed(self, err: BaseException, _tb: str) -> None:
        self._fetching.clear()
        self.error.emit("载入更多结果失败:" + user_message(err))

    @Slot(object, str)
    def _on_match_failed(self, err: BaseException, _tb: str) -> None:
        if isinstance(err, BadInput):
            self._withdraw(self.profile, plain(str(err)))
            return
        self._withdraw(self.profile, "")
        self.error.emit("匹配失败:" + user_message(err))

    def new_client(self) -> None:
        """新客户: nothing of the previous person stays — profile, results, search."""
        self._match_timer.stop()
        self.search.stop()
        self.profile = {}
        self._withdraw({}, "")
        self.search.clear()

    # -- search (controller.search) -------------------------------------------------------
    def set_search(self, text: str) -> None:
        self.search.set_text(text)

    @property
    def search_text(self) -> str:
        return self.search.text

    # -- import ---------------------------------------------------------------------------
    def import_files(
        self, paths: list[Path], district: str | None = None, title: str | None = None, issued: str | None = None
    ) -> Task:
        paths = [Path(p) for p in paths]
        backend = self.backend

        def work(report):
            return backend.ingest(paths, district=district, title=title, issued=issued, report=report)

        task = Task(work, with_progress=True, name="导入文件")
        task.progress.connect(self._on_import_progress)
        task.finished.connect(self._on_import_finished)
        task.failed.connect(self._on_import_failed)
        task.paths = paths  # type: ignore[attr-defined]  # each import reports its own files
        self._runner.start(task)
        return task

    @Slot(int, int, str)
    def _on_import_progress(self, done: int, total: int, what: str) -> None:
        self.import_progress.emit(done, total, what)

    @Slot(object)
    def _on_import_finished(self, value) -> None:
        docs, snapshot = value
        self.import_finished.emit(ImportReport(self._sender_paths(), list(docs), None))
        self.set_snapshot(snapshot)

    @Slot(object, str)
    def _on_import_failed(self, err: BaseException, _tb: str) -> None:
        self.import_finished.emit(ImportReport(self._sender_paths(), [], user_message(err)))

    def _sender_paths(self) -> list[Path]:
        return list(getattr(self.sender(), "paths", []))

    def remove_document(self, doc_id: str) -> Task:
        """Delete an imported document; a new snapshot follows (kb_ready)."""
        backend = self.backend
        task = Task(lambda: backend.remove_document(doc_id), name="删除文件")
        task.finished.connect(self._on_remove_finished)
        task.failed.connect(self._on_remove_failed)
        self._removing = doc_id
        self._runner.start(task)
        return task

    @Slot(object)
    def _on_remove_finished(self, snapshot) -> None:
        self.notice.emit(f"已删除导入的文件 {self._removing}")
        self.set_snapshot(snapshot)

    @Slot(object, str)
    def _on_remove_failed(self, err: BaseException, _tb: str) -> None:
        self.error.emit("删除失败:" + user_message(err))

    def clear_client_records(self) -> None:
        """清除客户记录: delete every saved profile and recent session."""
        try:
            n_prof, n_sess = Engine.clear_profiles(), Engine.clear_sessions()
        except OSError as err:
            self.error.emit("客户记录未能全部清除:" + user_message(err))
            return
        self.sessions_changed.emit()
        self.notice.emit(f"已清除客户记录:已存画像 {n_prof} 份,最近记录 {n_sess} 条")

    # -- saved profiles -----------------------------------------------------------------------
    def save_profile(self, name: str) -> Path | None:
        try:
            self.backend.make_profile(self.profile)  # refuse to save what cannot be matched
            path = Engine.save_profile(name, self.profile)
        except (PolicyDeskError, OSError) as err:
            self.error.emit("画像未保存:" + user_message(err))
            return None
        self.record_session()
        self.sessions_changed.emit()
        self.notice.emit(f"画像已保存:{path.stem}")
        return path

    def record_session(self) -> None:
        """Keep this client's profile among the recent sessions (after a print, export or save)."""
        answer = self.response
        if answer is None:
            return
        try:
            Engine.add_recent(self.response_profile, answer.applicable(), answer.others())
            self.sessions_changed.emit()
        except OSError as err:
            log.warning("无法保存最近记录:%s", err)

    # -- a measure by id -------------------------------------------------------------------
    def show_measure(self, measure_id: str) -> Task:
        """Fetch one measure by id on the worker (a row the lists have not loaded): the
        measure as written, not judged for this company (no tier); arrives by
        ``measure_fetched`` (None when the knowledge base has no such measure)."""
        backend = self.backend

        def work():
            m = backend.engine().measure(measure_id)
            return (
                None if m is None else Result.model_construct(rank=0, measure=m, score=0.0, status="applies", tier="")
            )

        task = Task(work, name="措施")
        task.finished.connect(self.measure_fetched)
        task.failed.connect(lambda err, _tb: self.error.emit("无法显示这项措施:" + user_message(err)))
        self.start_serial(task)
        return task

    def read_profile_file(self, path: Path) -> dict | None:
        try:
            return self.backend.read_profile(Path(path))
        except Exception as err:
            self.error.emit(f"无法打开画像文件 {Path(path).name}:" + user_message(err))
            return None

    def wait(self, msecs: int = 30000) -> None:
        """Wait for background work (shutdown and tests)."""
        self._serial.wait(msecs)
        self._runner.wait(msecs)


def _field(obj, name: str):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


class ImportReport:
    """What an import did: the documents parsed (with repairs and unrepaired spots), or
    the reason it was refused."""

    def __init__(self, paths: list[Path], documents: list, refused: str | None) -> None:
        self.paths = paths
        self.documents = documents
        self.refused = refused

    @property
    def ok(self) -> bool:
        return self.refused is None
