"""填写 keeps the measure in the detail (issue 21): answering a question from a result (the
填写 button, or the link in the detail) changes the profile and brings a new answer; the
detail jumped to an unrelated measure. It stays on the measure whose question was answered,
judged again: in the list where the new answer puts it, or alone when no list shows it."""

from __future__ import annotations

import pytest
from gui_helpers import apply_and_wait
from PySide6.QtWidgets import QApplication
from test_gui_tiers import PUTUO_DAY, PUTUO_GUIDE, _import, _rows


def _settled(qtbot, controller):
    qtbot.waitUntil(lambda: not controller._pending and controller.response is not None, timeout=30000)
    qtbot.wait(300)  # the counts and pages that follow a first page


@pytest.mark.parametrize("answer", ["800", "100"])  # meets 500万元 or more; does not
def test_fill_keeps_the_measure_whose_question_was_answered(qtbot, make_window, answer):
    _import(PUTUO_GUIDE)
    controller, win = make_window()
    win.set_as_of(PUTUO_DAY)
    apply_and_wait(qtbot, controller, win, {"district": "普陀区"})
    _settled(qtbot, controller)
    rp = win.results_panel
    rows = _rows(rp.unknown)
    assert rows
    rp.unknown.setCurrentIndex(rows[-1])  # the last: not the one a new answer puts first
    chosen = win.detail.result.measure.measure_id
    rp.fill_button.click()
    QApplication.processEvents()
    edit = win.profile_panel.more_edits["investment"]
    assert QApplication.focusWidget() is edit
    for ch in answer:  # typed a key at a time, each answered: 8 and 80 are below 500, 800 is not
        with qtbot.waitSignal(controller.results_changed, timeout=20000):
            edit.insert(ch)
        _settled(qtbot, controller)
        assert win.detail.result is not None, edit.text()
        assert win.detail.result.measure.measure_id == chosen, edit.text()
    shown = win.detail.result
    if answer == "800":  # judged again: it now applies, and its list shows it selected
        assert shown.tier in ("targeted", "general")
        assert win.results.visible_tree().current_result().measure.measure_id == chosen
    else:  # no list shows it now: the detail says so, above the measure as written
        assert "不在左侧清单中" in win.detail.toPlainText()
    assert QApplication.focusWidget() is edit  # the cursor stays in the field being filled
