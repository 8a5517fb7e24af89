"""Print and export of the answer the window shows: the object the controller holds as
``controller.output`` (:class:`OutputCommands`).

The window holds only the pages it shows (issue 13); a handout or an export needs more:
every targeted and general result, and (for the handout, at most ``HANDOUT_LOWER`` each)
the near and unknown ones. :meth:`OutputCommands.with_whole` asks for them on the engine's
worker, with progress, and hands the whole answer (a ``MatchResponse``) to the GUI thread —
never a wait on the GUI thread. The whole answer is kept until the next answer.

It reads the current answer from its host (the controller, :class:`AnswerHost`) and
reports by its own signals, which the controller passes on as its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from matcher.engine import Engine
from matcher.errors import BadInput, PolicyDeskError

from . import handout
from .messages import user_message
from .tier_text import TIER_TITLES
from .workers import Task

if TYPE_CHECKING:
    from matcher.models import MatchResponse

    from .answer import Answer
    from .backend import Backend, Snapshot

log = logging.getLogger(__name__)

HANDOUT_LOWER = 100  # near and unknown measures a handout prints at most, each
NO_RESULTS = "还没有匹配结果:请先填写企业画像(至少选择所在区)。"


class AnswerHost(Protocol):
    """What the output commands read of the controller: the answer shown and its workers."""

    backend: Backend
    snapshot: Snapshot | None
    response: Answer | None
    response_profile: dict

    def generation(self) -> int: ...
    def start_serial(self, task: Task) -> None: ...
    def start_background(self, task: Task) -> None: ...
    def record_session(self) -> None: ...


class OutputCommands(QObject):
    """Signals:
    error(str): a print or an export failed; a message for a person.
    notice(str): a short status message.
    whole_progress(int, int, str): the whole answer is being fetched.
    export_finished(str, str): kind ("pdf", "xlsx") and path.
    """

    error = Signal(str)
    notice = Signal(str)
    whole_progress = Signal(int, int, str)
    export_finished = Signal(str, str)

    def __init__(self, host: AnswerHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._whole: tuple | None = None  # (answer, kind, MatchResponse) for print/export
        self.handout_exclude: set[str] = set()  # measure ids unticked for the handout

    def reset(self) -> None:
        """A new answer (or none): nothing fetched or unticked for the last one stays."""
        self._whole = None
        self.handout_exclude = set()

    # -- the whole answer ----------------------------------------------------------------
    def whole_response(self, kind: str = "handout") -> MatchResponse | None:
        """The whole answer fetched for the current answer (None when not fetched yet)."""
        w = self._whole
        return w[2] if w is not None and w[0] is self.host.response and w[1] in (kind, "all") else None

    def with_whole(self, kind: str, then: Callable) -> Task | None:
        """Call ``then(response)`` with the whole answer: ``kind`` ``"handout"`` (near and
        unknown capped at HANDOUT_LOWER) or ``"all"`` (every listed result). Fetched on
        the engine's worker unless already here; None when ``then`` ran at once."""
        answer = self.host.response
        if answer is None:
            self.error.emit(NO_RESULTS)
            return None
        have = self.whole_response(kind)
        if have is not None:
            then(have)
            return None
        gen, backend = self.host.generation(), self.host.backend

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
            if g != self.host.generation() or a is not self.host.response:
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
        self.host.start_serial(task)
        return task

    # -- handout ---------------------------------------------------------------------------
    def handout_html(self) -> str:
        return self.handout()[0]

    def handout(self) -> tuple[str, str]:
        """(HTML, page header) of the handout for the current answer (fetched whole by
        :meth:`with_whole`), without the measures the officer unticked
        (``handout_exclude``), with the hall's office directory."""
        answer = self.host.response
        if answer is None:
            raise BadInput(NO_RESULTS)
        response = self.whole_response()
        if response is None:
            raise BadInput("清单还在准备中,请稍候再试。")
        snap = self.host.snapshot
        try:
            directory = Engine.office_directory()
        except PolicyDeskError as err:
            self.notice.emit("部门通讯录无法读取,清单中不印联系方式:" + user_message(err))
            directory = None
        today = date.today()
        html = handout.build_html(
            response,
            self.host.response_profile,
            snap.version if snap else "",
            today,
            documents=snap.documents if snap else None,
            directory=directory,
            exclude=frozenset(self.handout_exclude),
            totals={t: n for t, n in (answer.counts or {}).items() if n > HANDOUT_LOWER},
        )
        header = handout.page_header(handout.handout_profile(response, self.host.response_profile), today)
        return html, header

    def record_session(self) -> None:
        """Keep this client among the recent sessions (printed, exported)."""
        self.host.record_session()

    # -- files -------------------------------------------------------------------------------
    def export_pdf(self, path: Path) -> Task | None:
        """The handout as a PDF (the whole answer fetched first, on the worker)."""
        return self.with_whole("handout", lambda _r: self._write_pdf(Path(path)))

    def _write_pdf(self, path: Path) -> None:
        try:
            html, header = self.handout()
        except PolicyDeskError as err:
            self.error.emit(user_message(err))
            return
        self.record_session()
        task = Task(lambda: ("pdf", str(handout.write_pdf(html, path, header=header))), name="导出PDF")
        task.finished.connect(self._on_export_finished)
        task.failed.connect(self._on_export_failed)
        self.host.start_background(task)

    def export_xlsx(self, path: Path) -> Task | None:
        """Every listed result to Excel (fetched whole first, on the worker)."""
        backend = self.host.backend

        def write(response) -> None:
            self.record_session()
            task = Task(lambda: ("xlsx", str(backend.export_xlsx(response, Path(path)) or path)), name="导出Excel")
            task.finished.connect(self._on_export_finished)
            task.failed.connect(self._on_export_failed)
            self.host.start_background(task)

        return self.with_whole("all", write)

    @Slot(object)
    def _on_export_finished(self, value) -> None:
        kind, path = value
        self.export_finished.emit(kind, path)

    @Slot(object, str)
    def _on_export_failed(self, err: BaseException, _tb: str) -> None:
        self.error.emit("导出失败:" + user_message(err))
