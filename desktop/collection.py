"""When the window collects cyclic garbage (Qt-free, so the benchmark runs the same policy).

Python's cyclic collector, left to itself, runs on whichever thread crosses its allocation
threshold — most often a worker in the middle of a match or a search. The window turns
automatic collection off and collects on the GUI thread between tasks instead
(:class:`desktop.workers.GuiThreadCollector` ticks this policy once a second); the matcher's
long-lived objects are frozen out of full passes when its engine opens
(:meth:`desktop.backend.Backend.engine`). ``scripts/benchmark.py`` times the window's
search per keystroke the same way: frozen engine, automatic collection off, a tick between
keystrokes (its time reported apart, as the GUI thread's).
"""

from __future__ import annotations

import gc
import time


class CollectionPolicy:
    """Collect each generation when its threshold is passed, as the interpreter would, but
    a full pass at most once every ``full_every_s``. Counts and the longest tick are kept."""

    def __init__(self, full_every_s: float = 30.0) -> None:
        self.full_every_s = full_every_s
        self.collections = [0, 0, 0]
        self.longest_s = 0.0
        self._last_full = time.monotonic()

    def due(self) -> int | None:
        """The generation to collect now (None: nothing due)."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return None
        gen = 0
        if c1 > t1:
            gen = 1
            if c2 > t2 and time.monotonic() - self._last_full >= self.full_every_s:
                gen = 2
        return gen

    def collect_due(self) -> int | None:
        """Collect what is due; the generation collected (None: nothing was)."""
        gen = self.due()
        if gen is None:
            return None
        t = time.perf_counter()
        gc.collect(gen)
        self.longest_s = max(self.longest_s, time.perf_counter() - t)
        self.collections[gen] += 1
        if gen == 2:
            self._last_full = time.monotonic()
        return gen
