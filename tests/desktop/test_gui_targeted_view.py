"""Issue 21: the targeted list is the main thing on a counter screen — at least six of its
rows in sight at 1024×700 and at 1366×768 in large text, each with its title, the whole
office name, the sum and the deadline readable without a tooltip; the window stays within
its screen, 列出已过期 included."""

from __future__ import annotations

from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from desktop.itemmodels import CardRole, ResultRole, office_text

PAD = 1


def _visible_rows(tree) -> list:
    """The result rows (not group rows) wholly inside the list's viewport."""
    out = []
    p = tree.proxy
    view = tree.viewport().rect()
    for g in range(p.rowCount()):
        gi = p.index(g, 0)
        for r in range(p.rowCount(gi)):
            idx = p.index(r, tree.source.columns.index("title"), gi)
            rect = tree.visualRect(idx)
            if rect.isValid() and view.contains(rect):
                out.append((idx, rect))
    return out


def _check_readable(tree, rows) -> None:
    fm = QFontMetrics(tree.viewport().font())
    for idx, rect in rows:
        result = idx.data(ResultRole)
        detail = idx.data(CardRole)
        # the whole office name is on the card, and the card is tall enough for its text
        assert office_text(result.measure) in detail
        width = rect.width() - 2 * PAD
        need = fm.height() + fm.boundingRect(QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), detail).height()
        assert rect.height() >= need, (rect.height(), need, detail)


def _shown_at(qtbot, win, width, height) -> int:
    win.resize(width, height)
    qtbot.wait(100)
    rp = win.results_panel
    rp.share_heights()
    qtbot.wait(50)
    tree = rp.applies
    rows = _visible_rows(tree)
    _check_readable(tree, rows)
    # no column of the targeted list is cut off or left to a tooltip: office, sum and
    # deadline are on the card, their columns hidden
    for key in ("offices", "amount", "deadline"):
        assert tree.isColumnHidden(tree.source.columns.index(key))
    return len(rows)


def test_six_targeted_rows_in_sight_at_1024_by_700(qtbot, window):
    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    assert response.counts["targeted"] >= 10
    assert _shown_at(qtbot, win, 1024, 700) >= 6


def test_six_targeted_rows_in_sight_at_1366_by_768_in_large_text(qtbot, make_window):
    controller, win = make_window(large_text=True)
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    assert response.counts["targeted"] >= 10
    assert _shown_at(qtbot, win, 1366, 768) >= 6


def test_large_text_scales_the_lists_and_check_boxes(qtbot, make_window):
    controller, win = make_window()
    apply_and_wait(qtbot, controller, win, HONGKOU)
    tree = win.results_panel.applies
    flags = win.profile_panel.flags
    row_small = tree.sizeHintForIndex(tree.proxy.index(0, 0)).height()
    cell_small = flags.gridSize().height()
    win.set_large_text(True, save=False)
    qtbot.wait(50)
    assert tree.sizeHintForIndex(tree.proxy.index(0, 0)).height() > row_small
    assert flags.gridSize().height() > cell_small  # the rows grow with the text (the boxes do not yet)


def test_window_stays_within_its_screen(qtbot, window):
    """On a 1366×768 screen the window opens within it, and listing the expired measures
    does not make it grow past the screen."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    area = QRect(0, 0, 1366, 768)
    win.resize(1360, 820)
    win.keep_within(area)
    qtbot.wait(50)
    assert win.frameGeometry().height() <= 768 and win.frameGeometry().width() <= 1366
    with qtbot.waitSignal(controller.results_changed, timeout=20000):
        win.results_panel.show_expired.setChecked(True)
    qtbot.wait(100)
    assert win.frameGeometry().height() <= 768 and win.frameGeometry().width() <= 1366
    assert area.contains(win.frameGeometry())


def test_group_rows_only_where_they_gather_two_results_on_average(qtbot, window):
    """A short targeted list of many categories is one list in rank order (no group row
    costing a card's line, HONGKOU: 10 results in 6 categories); a list with two or more
    results per category keeps its groups, those serving the client's needs first."""
    from desktop.widgets.result_groups import by_category

    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    rp = win.results_panel
    tree = rp.applies
    targeted = rp.tier_results("targeted")
    groups = {g for r in targeted for g in by_category(r)}
    assert len(targeted) < 2 * len(groups)  # the client's list: flat, in rank order
    assert tree.flat and tree.rootIndex().isValid() and tree.proxy.rowCount() == 1
    shown = [i.data(ResultRole).measure.measure_id for i, _rect in _visible_rows(tree)]
    assert len(shown) >= 6 and shown == [r.measure.measure_id for r in targeted][: len(shown)]
    # a longer list (the targeted and general results together): two or more per category
    longer = targeted + rp.tier_results("general")
    many = {g for r in longer for g in by_category(r)}
    assert len(longer) >= 2 * len(many)
    original = rp.tier_results
    rp.tier_results = lambda tier: longer if tier == "targeted" else original(tier)
    try:
        rp._fill_targeted()
        qtbot.wait(50)
        assert not tree.flat and not tree.rootIndex().isValid() and tree.proxy.rowCount() == len(many)
    finally:
        del rp.tier_results
    rp._fill_targeted()
    assert tree.flat and tree.proxy.rowCount() == 1
