"""Every test here carries the ``reliability`` marker: ``-m "not reliability"`` skips the
fault-injection suite (about a minute) when iterating on something else."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).resolve().parent == HERE:
            item.add_marker(pytest.mark.reliability)
