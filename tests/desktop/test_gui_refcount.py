"""The window survives a long session at the counter.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every call of a Qt
method returning void; after a few dozen profile changes the interpreter aborted with
``none_dealloc``. pyproject.toml keeps that release out; this test catches any Qt binding
(or our own code) that loses references to ``None`` while the profile is edited."""

from __future__ import annotations

import sys

import pytest
from gui_helpers import HONGKOU


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_qt_setters_keep_references_to_none(qtbot):
    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    qtbot.addWidget(edit)
    before = sys.getrefcount(None)
    for _ in range(2000):
        edit.setText("虹口区")
    assert sys.getrefcount(None) - before > -100


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_editing_the_profile_many_times_loses_no_references(window):
    _controller, win = window
    panel = win.profile_panel
    other = dict(HONGKOU, needs=["人才"], keywords="人才公寓")
    panel.set_profile(HONGKOU)
    before = sys.getrefcount(None)
    for i in range(50):
        panel.set_profile(other if i % 2 else HONGKOU)
    assert sys.getrefcount(None) - before > -200
