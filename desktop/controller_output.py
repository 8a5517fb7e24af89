"""The controller's print and export commands (a mixin of
:class:`desktop.controller.Controller`, which provides the signals, the runners, the
backend and the current answer).

The window holds only the pages it shows (issue 13); a handout or an export needs more:
every targeted and general result, and (for the handout, at most ``HANDOUT_LOWER`` each)
the near and unknown ones. :meth:`with_whole` asks for them on the engine's worker, with
progress, and hands the whole answer (a ``MatchResponse``) to the GUI thread — never a
wait on the GUI thread. The whole answer is kept until the next answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Slot

from matcher.errors import BadInput, PolicyDeskError

from . import handout, sessions
from .office_directory import OfficeDirectory
from .tier_text import TIER_TITLES
from .workers import Task

log = logging.getLogger(__name__)

HANDOUT_LOWER = 100  # near and unknown measures a handout prints at most, each
NO_RESULTS = "还没有匹配结果:请先填写企业画像(至少选择所在区)。"


def _user_message(err: BaseException) -> str:
    from .controller import user_message

    return user_message(err)


class OutputCommands:
    # -- the whole answer ----------------------------------------------------------------
    def whole_response(self, kind: str = "handout"):
        """The whole answer fetched for the current answer (None when not fetched yet)."""
        w = self._whole
        return w[2] if w is not None and w[0] is self.response and w[1] in (kind, "all") else None

    def with_whole(self, kind: str, then: Callable) -> Task | None:
        """Call ``then(response)`` with the whole answer: ``kind`` ``"handout"`` (near and
        unknown capped at HANDOUT_LOWER) or ``"all"`` (every listed result). Fetched on
        the engine's worker unless already here; None when ``then`` ran at once."""
        answer = self.response
        if answer is None:
            self.error.emit(NO_RESULTS)
            return None
        have = self.whole_response(kind)
        if have is not None:
            then(have)
            return None
        gen, backend = self._match_gen, self.backend

        def work(report):
            engine = backend.engine()
            counts = answer.counts or engine.tier_counts(answer.resolved, **answer.when)
            tiers = answer.listed_tiers()
            whole = {}
            for i, tier in enumerate(tiers):
                report(i, len(tiers), TIER_TITLES[tier])
                n = int(counts.get(tier, 0))
                if kind == "handout" and tier not in ("targeted", "general"):
                    n = min(n, HANDOUT_LOWER)
                whole[tier] = engine.tier_page(answer.resolved, tier, 0, n, **answer.when) if n else []
            report(len(tiers), len(tiers), "")
            return gen, answer, kind, counts, answer.response(whole, counts)

        def finished(value) -> None:
            g, a, k, counts, response = value
            if g != self._match_gen or a is not self.response:
                self.notice.emit("画像已改变,请重新打印或导出。")
                return
            if a.counts is None:
                a.counts = dict(counts)
            self._whole = (a, k, response)
            then(response)

        task = Task(work, with_progress=True, name="准备清单")
        task.progress.connect(self.whole_progress)
        task.finished.connect(finished)
        task.failed.connect(self._on_export_failed)
        self._start_serial(task)
        return task

    # -- handout ---------------------------------------------------------------------------
    def handout_html(self) -> str:
        return self.handout()[0]

    def handout(self) -> tuple[str, str]:
        """(HTML, page header) of the handout for the current answer (fetched whole by
        :meth:`with_whole`), without the measures the officer unticked
        (``handout_exclude``), with the hall's office directory."""
        if self.response is None:
            raise BadInput(NO_RESULTS)
        response = self.whole_response()
        if response is None:
            raise BadInput("清单还在准备中,请稍候再试。")
        snap = self.snapshot
        try:
            directory = OfficeDirectory.load()
        except PolicyDeskError as err:
            self.notice.emit("部门通讯录无法读取,清单中不印联系方式:" + str(err))
            directory = None
        today = date.today()
        html = handout.build_html(
            response,
            self.response_profile,
            snap.version if snap else "",
            today,
            documents=snap.documents if snap else None,
            directory=directory,
            exclude=frozenset(self.handout_exclude),
            totals={t: n for t, n in (self.response.counts or {}).items() if n > HANDOUT_LOWER},
        )
        header = handout.page_header(handout.handout_profile(response, self.response_profile), today)
        return html, header

    def record_session(self) -> None:
        """Keep this client's profile among the recent sessions (after a print, export or save)."""
        answer = self.response
        if answer is None:
            return
        try:
            sessions.add_recent(self.response_profile, answer.applicable(), answer.others())
            self.sessions_changed.emit()
        except OSError as err:
            log.warning("无法保存最近记录:%s", err)

    # -- files -------------------------------------------------------------------------------
    def export_pdf(self, path: Path) -> Task | None:
        """The handout as a PDF (the whole answer fetched first, on the worker)."""
        return self.with_whole("handout", lambda _r: self._write_pdf(Path(path)))

    def _write_pdf(self, path: Path) -> None:
        try:
            html, header = self.handout()
        except PolicyDeskError as err:
            self.error.emit(str(err))
            return
        self.record_session()
        task = Task(lambda: ("pdf", str(handout.write_pdf(html, path, header=header))), name="导出PDF")
        task.finished.connect(self._on_export_finished)
        task.failed.connect(self._on_export_failed)
        self._runner.start(task)

    def export_xlsx(self, path: Path) -> Task | None:
        """Every listed result to Excel (fetched whole first, on the worker)."""
        backend = self.backend

        def write(response) -> None:
            self.record_session()
            task = Task(lambda: ("xlsx", str(backend.export_xlsx(response, Path(path)) or path)), name="导出Excel")
            task.finished.connect(self._on_export_finished)
            task.failed.connect(self._on_export_failed)
            self._runner.start(task)

        return self.with_whole("all", write)

    @Slot(object)
    def _on_export_finished(self, value) -> None:
        kind, path = value
        self.export_finished.emit(kind, path)

    @Slot(object, str)
    def _on_export_failed(self, err: BaseException, _tb: str) -> None:
        self.error.emit("导出失败:" + _user_message(err))

    # -- a measure by id -------------------------------------------------------------------
    def show_measure(self, measure_id: str) -> Task:
        """Fetch one measure by id on the worker (a row the lists have not loaded): its
        result in the current answer's terms when loaded, else the measure alone; arrives
        by ``measure_fetched`` (None when the knowledge base has no such measure)."""
        backend = self.backend

        def work():
            from matcher.models import Result

            m = backend.engine().measure(measure_id)
            # no tier: the measure is shown as written, not judged for this company
            return (
                None if m is None else Result.model_construct(rank=0, measure=m, score=0.0, status="applies", tier="")
            )

        task = Task(work, name="措施")
        task.finished.connect(self.measure_fetched)
        task.failed.connect(self._on_export_failed)
        self._start_serial(task)
        return task
