"""The one background-task helper: run a function on a worker thread, get the answer on
the GUI thread.

A :class:`Task` wraps a plain callable. It runs on a :class:`QThreadPool`; its result, its
error (any exception, caught — a crash in a task never takes the window down) and its
progress reports arrive as Qt signals, delivered on the GUI thread because the signal
holder lives there. The callable must not touch widgets; a task that needs the knowledge
base opens its own connection (sqlite connections are bound to their thread).

Example::

    task = Task(lambda report: slow(report), with_progress=True)
    task.finished.connect(self._on_task_finished)
    task.failed.connect(self._on_task_failed)
    runner.start(task)
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class Task(QObject):
    """A callable run off the GUI thread.

    Signals:
        finished(object): the callable's return value.
        failed(object, str): the exception and its formatted traceback (for the log only).
        progress(int, int, str): done, total, what — reported by the callable through the
            ``report`` argument it receives when ``with_progress`` is true.
        done(): always, last.
    """

    finished = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int, str)
    done = Signal()

    def __init__(self, fn: Callable[..., Any], *, with_progress: bool = False,
                 name: str = "task") -> None:
        super().__init__()
        self._fn = fn
        self._with_progress = with_progress
        self.name = name
        self.cancelled = False

    def cancel(self) -> None:
        """Ask for the result to be dropped (the function itself runs to its end)."""
        self.cancelled = True

    def _report(self, done: int, total: int, what: str = "") -> None:
        self.progress.emit(int(done), int(total), str(what))

    def run(self) -> None:
        """Run the callable here and now (on whatever thread calls this)."""
        try:
            value = self._fn(self._report) if self._with_progress else self._fn()
        except BaseException as err:  # noqa: BLE001 — every failure becomes a signal
            tb = traceback.format_exc()
            log.error("后台任务 %s 失败:\n%s", self.name, tb)
            if not self.cancelled:
                self.failed.emit(err, tb)
            self.done.emit()
            return
        if not self.cancelled:
            self.finished.emit(value)
        self.done.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self._task.run()


class TaskRunner(QObject):
    """Owns a thread pool and keeps running tasks alive until they report.

    ``serial=True`` runs one task at a time, in order (used for matching, so the
    matcher is never used by two threads at once).
    """

    def __init__(self, parent: QObject | None = None, *, serial: bool = False) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        if serial:
            self._pool.setMaxThreadCount(1)
        self._live: set[Task] = set()

    def start(self, task: Task) -> Task:
        self._live.add(task)
        # a bound slot of a GUI-thread object: delivered queued, on the GUI thread
        task.done.connect(self._on_task_done)
        self._pool.start(_Runnable(task))
        return task

    @Slot()
    def _on_task_done(self) -> None:
        self._live.discard(self.sender())

    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every task finished (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)
