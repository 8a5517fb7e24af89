"""Cyclic garbage is collected on the GUI thread only (desktop/workers.py GuiThreadCollector):
a worker that allocates while the window runs never finalises the window's Qt objects."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.workers import GuiThreadCollector, Task, TaskRunner, collect_on_gui_thread


class _Holder:
    """A Qt object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.obj = QObject()
        self.me = self


def _garbage_cycle(where: list[str]) -> None:
    h = _Holder()
    weakref.finalize(h, lambda: where.append(threading.current_thread().name))


def _allocate_a_lot() -> list:
    """New objects kept alive, well past the youngest generation's threshold: with automatic
    collection on, the thread that makes them runs a collection (finalising the cycle)."""
    return [[i] for i in range(2 * gc.get_threshold()[0])]


def test_a_worker_never_collects_the_windows_garbage(qtbot):
    app = QApplication.instance()
    collector = collect_on_gui_thread(app)
    assert collect_on_gui_thread(app) is collector  # one per application
    assert not gc.isenabled()  # automatic collection is off while the window runs
    where: list[str] = []
    _garbage_cycle(where)
    runner = TaskRunner()
    task = Task(_allocate_a_lot)
    with qtbot.waitSignal(task.finished, timeout=20000):
        runner.start(task)
    assert runner.wait(10000)
    assert where == []  # the worker allocated, and collected nothing
    kept = _allocate_a_lot()  # the GUI thread's next tick finds a threshold passed
    qtbot.waitUntil(lambda: bool(where), timeout=10000)
    assert kept
    assert where == [threading.main_thread().name]


def test_each_generation_when_its_threshold_is_passed_and_the_full_one_spaced(qtbot):
    parent = QObject()
    collector = GuiThreadCollector(parent, interval_ms=60_000, full_every_s=3600)
    try:
        gc.collect()
        collector.collect_due()
        assert collector.collections == [0, 0, 0]  # nothing past a threshold: nothing done
        where: list[str] = []
        _garbage_cycle(where)
        kept = [_allocate_a_lot()]
        collector.collect_due()
        assert sum(collector.collections[:2]) == 1 and where == [threading.main_thread().name]
        _t0, t1, _t2 = gc.get_threshold()
        for _ in range(t1 + 2):  # past the middle threshold: generation 1 …
            kept.append(_allocate_a_lot())
            collector.collect_due()
        assert collector.collections[1] >= 1
        assert collector.collections[2] == 0  # … but a full pass waits its turn
        collector.policy.full_every_s = 0
        for _ in range((t1 + 2) * 12):
            kept.append(_allocate_a_lot())
            collector.collect_due()
        assert collector.collections[2] >= 1
    finally:
        collector._timer.stop()
        parent.deleteLater()
