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
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


_gc_lock = threading.Lock()
_gc_quiet = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the engine works (nested and from several
    threads: on again when the last one ends). A match makes tens of thousands of objects
    and no cycles; the collector's passes over them (up to half a second each at 100,000
    measures) would hold the interpreter, and with it the GUI thread. Memory is still
    freed as objects go (reference counting)."""
    global _gc_quiet
    with _gc_lock:
        _gc_quiet += 1
        if _gc_quiet == 1:
            was = gc.isenabled()
            gc.disable()
            _gc_state.append(was)
    try:
        yield
    finally:
        with _gc_lock:
            _gc_quiet -= 1
            if _gc_quiet == 0 and _gc_state.pop():
                gc.enable()


_gc_state: list[bool] = []


class _Runnable(QRunnable):
    def __init__(self, task: Task, quiet_gc: bool = False) -> None:
        super().__init__()
        self._task = task
        self._quiet_gc = quiet_gc
        self.setAutoDelete(True)

    def run(self) -> None:
        if self._quiet_gc:
            with gc_paused():
                self._task.run()
        else:
            self._task.run()


class TaskRunner(QObject):
    """Owns a thread pool and keeps running tasks alive until they report.

    ``serial=True`` runs one task at a time, in order (used for the engine's work, so
    the engine is never used by two threads at once), with the cyclic garbage collector
    paused while a task runs (:func:`gc_paused`).
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
        self._pool.start(_Runnable(task, quiet_gc=self._serial))
        return task

    @Slot()
    def _on_task_done(self) -> None:
        self._live.discard(self.sender())

    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every task finished (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)
