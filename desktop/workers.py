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

import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from desktop.collection import CollectionPolicy

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

    def __init__(self, fn: Callable[..., Any], *, with_progress: bool = False, name: str = "task") -> None:
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
        except BaseException as err:
            tb = traceback.format_exc()
            log.error("后台任务 %s 失败:\n%s", self.name, tb)
            if not self.cancelled:
                self.failed.emit(err, tb)
            self.done.emit()
            return
        if not self.cancelled:
            self.finished.emit(value)
        self.done.emit()


class GuiThreadCollector(QObject):
    """Python's cyclic garbage collector, run on the GUI thread only.

    Left to itself the collector runs in whichever thread crosses its allocation threshold
    — a worker in the middle of a match, most often (a match makes tens of thousands of
    objects). A collection there finalises whatever cyclic garbage is pending, windows,
    dialogs and thread pools of the GUI thread among it: Qt objects destroyed off their
    thread, which can crash or hang the program (a thread pool destroyed from a thread
    that must then wait for itself). So automatic collection is off while the window runs,
    and a timer on the GUI thread collects each generation when its threshold is passed,
    as the interpreter would (the pattern calibre, nexpy and novelWriter use). A full
    collection (all the engine's objects: up to half a second at 100,000 measures) runs
    at most once every ``full_every_s``, so the window never stalls on it twice in a row.
    Memory is still freed as objects go (reference counting); only cycles wait for a tick.
    """

    def __init__(self, parent: QObject, interval_ms: int = 1000, full_every_s: float = 30.0) -> None:
        super().__init__(parent)
        self.policy = CollectionPolicy(full_every_s)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    @property
    def collections(self) -> list[int]:
        """Collections run so far, per generation."""
        return self.policy.collections

    @Slot()
    def collect_due(self) -> None:
        """Collect the generations whose thresholds are passed (the youngest first)."""
        self.policy.collect_due()

    def stop(self) -> None:
        """Back to the interpreter's own collection (what was pending collected here first)."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """The application's :class:`GuiThreadCollector`, started on first use (one per app);
    call it from the GUI thread."""
    got = getattr(app, "_policydesk_collector", None)
    if got is None:
        got = GuiThreadCollector(app)
        app._policydesk_collector = got  # type: ignore[attr-defined]
    return got


def stop_collecting_on_gui_thread(app: QObject | None) -> None:
    """The interpreter's own collection back (tests that end with the window)."""
    got = getattr(app, "_policydesk_collector", None) if app is not None else None
    if got is not None:
        got.stop()
        app._policydesk_collector = None  # type: ignore[union-attr]


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self._task.run()


class TaskRunner(QObject):
    """Owns a thread pool and keeps running tasks alive until they report.

    ``serial=True`` runs one task at a time, in order (used for the engine's work, so
    the engine is never used by two threads at once). The cyclic garbage collector never
    runs on these threads while the window is up (:class:`GuiThreadCollector`).
    """

    def __init__(self, parent: QObject | None = None, *, serial: bool = False) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._serial = serial
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
