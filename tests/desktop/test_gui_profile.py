"""The profile form driven from the keyboard, and results following it."""

from __future__ import annotations

from gui_helpers import HONGKOU, apply_and_wait, key_text, type_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def _focused():
    return QApplication.focusWidget()


def _tab(qtbot):
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)


def test_fill_profile_with_keyboard_shows_results(qtbot, window):
    """Ensures a profile typed with the keyboard only (short district name, Traditional
    industry, Tab between fields, Space to tick a need) produces grouped results."""
    controller, win = window
    win.activateWindow()
    panel = win.profile_panel
    panel.district.setFocus()
    qtbot.waitUntil(lambda: _focused() is not None)
    type_text(_focused(), "虹口")
    _tab(qtbot)
    assert panel.district.currentText() == "虹口区"  # short form completed
    assert _focused() is panel.industry
    type_text(panel.industry, "製造業")  # Traditional input
    _tab(qtbot)
    assert panel.industry.text() == "制造业"
    assert _focused() is panel.size
    key_text(panel.size, "小型")
    assert panel.size.currentText() == "小型"
    _tab(qtbot)
    assert _focused() is panel.calc_button
    _tab(qtbot)  # calculator is hidden: skipped
    assert _focused() is panel.zjtx
    _tab(qtbot)
    assert _focused() is panel.flags
    _tab(qtbot)
    assert _focused() is panel.needs
    first_need = panel.needs.item(0).text()
    with qtbot.waitSignal(controller.results_changed, timeout=20000) as blocker:
        qtbot.keyClick(panel.needs, Qt.Key.Key_Space)
    assert panel.needs.checked() == [first_need]
    response, profile = blocker.args
    assert profile["district"] == "虹口区" and profile["needs"] == [first_need]
    assert response.results, "a Hongkou company gets Hongkou measures"
    tree = win.results_panel.applies
    assert tree.proxy.rowCount() > 0
    group = tree.proxy.index(0, 0)
    assert "(" in group.data()  # "融资信贷(3)": a count per group
    assert tree.proxy.rowCount(group) > 0
    assert "为本企业" in win.results_panel.summary.text()  # counts per tier
    assert all(r.measure.district == "虹口区" for r in response.results)


def test_short_and_saved_forms_round_trip(qtbot, window):
    """Ensures a profile put into the form reads back unchanged (the form loses nothing)."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    got = win.profile_panel.profile()
    for key, value in HONGKOU.items():
        assert got[key] == value, key


def test_clear_button_empties_profile(qtbot, window):
    """Ensures 清空画像 clears every field and the results ask for a district again."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    with qtbot.waitSignal(controller.results_changed, timeout=10000) as blocker:
        qtbot.mouseClick(win.profile_panel.clear_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is None
    assert win.profile_panel.profile() == {"zjtx": "无"}
    assert "所在区" in win.results_panel.placeholder.text()


def test_unknown_value_is_a_message_not_a_crash(qtbot, window):
    """Ensures an impossible value shows the engine's message (field, nearest value) in the
    form, and the window keeps working."""
    controller, win = window
    with qtbot.waitSignal(controller.profile_problem, timeout=10000, check_params_cb=lambda m: bool(m)) as blocker:
        win.apply_profile({"district": "火星区"})
    assert "district" in blocker.args[0] or "所在区" in blocker.args[0]
    assert win.profile_panel.problem.isVisible()
    apply_and_wait(qtbot, controller, win, HONGKOU)
    assert not win.profile_panel.problem.isVisible()


def test_size_calculator_shows_deciding_rule(qtbot, window):
    """Ensures the size calculator computes the size from the figures and names the rule."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, {"district": "虹口区", "industry": "制造业"})
    panel = win.profile_panel
    qtbot.mouseClick(panel.calc_button, Qt.MouseButton.LeftButton)
    assert panel.calculator.isVisible()
    with qtbot.waitSignal(controller.results_changed, timeout=10000) as blocker:
        qtbot.keyClicks(panel.calculator.employees, "50")
        qtbot.keyClicks(panel.calculator.revenue, "3000")
    assert panel.calculator.size == "小型"
    assert "小型" in panel.calculator.rule.text() and "工业" in panel.calculator.rule.text()
    assert blocker.args[1]["employees"] == 50 and "size" not in blocker.args[1]
    canonical = blocker.args[0].profile  # the engine's profile: what is shown and printed
    assert canonical["size"] == "小型" and canonical["size_decided_by"] != "直接填写"
    assert "工业" in canonical["size_decided_by"]


def test_area_offered_for_chosen_district(qtbot, window):
    """Ensures the area box offers the chosen district's streets and zones only."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, {"district": "杨浦区"})
    items = [win.profile_panel.area.itemText(i) for i in range(win.profile_panel.area.count())]
    assert "五角场街道" in items or any("五角场" in i for i in items)
    assert "北外滩" not in items
