"""Measures how long the GUI thread is kept from its event loop (a diagnostic for the
"never block more than 100 ms" target; used by --timing and by the tests)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class StallMonitor(QObject):
    def __init__(self, parent=None, interval_ms: int = 10) -> None:
        super().__init__(parent)
        self._interval = interval_ms / 1000
        self._last = time.perf_counter()
        self.max_gap_ms = 0.0
        self.stalls: list[float] = []  # gaps over 100 ms
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self.max_gap_ms = 0.0
        self.stalls = []
        self._last = time.perf_counter()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last - self._interval) * 1000
        self._last = now
        if gap > self.max_gap_ms:
            self.max_gap_ms = gap
        if gap > 100:
            self.stalls.append(gap)
