"""The counter defects of issue 11, each as a person at the counter meets it, on the seed
knowledge base: the last client never stays on screen, the window fits a counter screen,
the detail follows the list in view, one selection, Enter, search order, Qt's Chinese."""

from __future__ import annotations

from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.itemmodels import ResultRole


def _rows(tree):
    out = []
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        out += [tree.proxy.index(r, 0, gi) for r in range(tree.proxy.rowCount(gi))]
    return out


def _wait_problem(qtbot, controller, win, profile):
    with qtbot.waitSignal(controller.profile_problem, timeout=10000, check_params_cb=lambda m: bool(m)) as blocker:
        win.apply_profile(profile)
    return blocker.args[0]


# -- never show the last client ------------------------------------------------------------


def test_invalid_profile_withdraws_the_previous_clients_results(qtbot, window):
    """After a valid Hongkou client, a profile that cannot be matched leaves no result,
    detail, near measure or printable handout of that client, and says why at the top of
    the results area."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    assert _rows(win.results_panel.applies) and win.detail.result is not None
    assert win.act_print.isEnabled() and win.act_pdf.isEnabled()

    message = _wait_problem(qtbot, controller, win, {"district": "火星区"})
    assert "火星区" in message
    rp = win.results_panel
    assert _rows(rp.applies) == [] and _rows(rp.near) == []
    assert _rows(win.office_view.tree) == []
    assert win.detail.result is None
    assert controller.response is None
    for action in (win.act_print, win.act_pdf, win.act_xlsx):
        assert not action.isEnabled()
    # the problem is the first thing in the results area, visible without scrolling
    banner = rp.problem
    assert banner.isVisible() and "火星区" in banner.text()
    assert banner.mapTo(rp, banner.rect().topLeft()).y() < rp.summary.mapTo(rp, rp.summary.rect().topLeft()).y()
    assert banner.mapTo(win, banner.rect().bottomLeft()).y() < win.height() // 2


def test_unknown_industry_is_matched_as_keywords_with_nearest_choices(qtbot, window):
    """An industry the rules do not know (a typo) still gives the new client's results —
    its text used as keywords, said so — and offers the nearest industries; one click on
    a choice takes it."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    response = apply_and_wait(qtbot, controller, win, {"district": "杨浦区", "industry": "物流仓储"})
    assert response is not None and response.results
    assert {r.measure.district for r in response.results} <= {"杨浦区", "上海市"}
    banner = win.results_panel.problem
    assert banner.isVisible() and "关键词" in banner.text() and "物流仓储" in banner.text()
    assert "物流仓储" in response.profile["keywords"]
    assert banner.buttons, "nearest industries offered"
    choice = banner.buttons[0].text()
    assert all("交通运输、仓储和邮政业" in b.text() for b in banner.buttons)
    with qtbot.waitSignal(controller.results_changed, timeout=10000):
        qtbot.mouseClick(banner.buttons[0], Qt.MouseButton.LeftButton)
    assert win.profile_panel.profile()["industry"] == choice
    assert not banner.isVisible()


def test_new_client_clears_everything(qtbot, window):
    """新客户 (Ctrl+N) leaves nothing of the previous person: form, company, results,
    detail, search."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, company="上海某某航运有限公司"))
    with qtbot.waitSignal(controller.search_changed, timeout=10000):
        win.search_box.setText("贷款")
    win.search_panel.tree.select_first()
    assert win.detail.result is not None
    win.activateWindow()
    win.setFocus()
    with qtbot.waitSignal(controller.results_changed, timeout=10000) as blocker:
        qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0] is None
    assert win.profile_panel.profile() == {"zjtx": "无"}
    assert win.profile_panel.company.text() == ""
    assert win.search_box.text() == "" and _rows(win.search_panel.tree) == []
    assert _rows(win.results_panel.applies) == [] and win.detail.result is None
    assert not win.act_print.isEnabled()


def test_company_name_is_a_profile_field(qtbot, window):
    """The optional company name goes through the engine's profile unchanged."""
    from matcher.profile.company import Profile

    controller, win = window
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, company="上海某某航运有限公司"))
    assert win.profile_panel.profile()["company"] == "上海某某航运有限公司"
    assert Profile.from_dict(dict(HONGKOU, company=" 上海某某航运有限公司 ")).company == "上海某某航运有限公司"


# -- the small ones -----------------------------------------------------------------------


def test_detail_follows_the_visible_list(qtbot, window):
    """Switching tabs shows that tab's selected measure, or clears the detail."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    first = win.results_panel.applies.current_result()
    assert win.detail.result is first
    win.center_tabs.setCurrentWidget(win.search_panel)  # nothing chosen there
    assert win.detail.result is None
    win.center_tabs.setCurrentWidget(win.office_view)
    tree = win.office_view.tree
    rows = _rows(tree)
    tree.setCurrentIndex(rows[-1])
    chosen = rows[-1].data(ResultRole)
    assert win.detail.result is chosen
    win.center_tabs.setCurrentWidget(win.results_panel)
    assert win.detail.result is first
    win.center_tabs.setCurrentWidget(win.office_view)
    assert win.detail.result is chosen


def test_one_selection_across_applies_and_near(qtbot, window):
    """Choosing a near measure unselects the applies list, and the other way round."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    rp = win.results_panel
    near_rows = _rows(rp.near)
    assert near_rows, "the Hongkou profile has near measures"
    rp.near.setCurrentIndex(near_rows[0])
    assert rp.applies.current_result() is None
    assert not rp.applies.selectionModel().hasSelection()
    assert win.detail.result is near_rows[0].data(ResultRole)
    rp.applies.setCurrentIndex(_rows(rp.applies)[1])
    assert rp.near.current_result() is None and not rp.near.selectionModel().hasSelection()
    assert win.detail.result is rp.applies.current_result()


def test_enter_on_a_result_opens_its_detail(qtbot, window):
    """Enter on a row of the by-office list shows that measure and moves to the detail."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    win.center_tabs.setCurrentWidget(win.office_view)
    tree = win.office_view.tree
    rows = _rows(tree)
    tree.setFocus()
    tree.setCurrentIndex(rows[2])
    win.detail.show_empty()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert win.detail.result is rows[2].data(ResultRole)
    assert win.detail.hasFocus()


def test_search_puts_clients_district_first_and_marks_what_applies(qtbot, window):
    """For a Yangpu client a search lists Yangpu's measures first and marks those that
    apply to the client."""
    from desktop.widgets.search_panel import APPLIES_MARK, OWN_DISTRICT

    controller, win = window
    response = apply_and_wait(qtbot, controller, win, {"district": "杨浦区", "size": "小型", "needs": ["人才"]})
    applies = {r.measure.measure_id for r in response.results if r.status == "applies"}
    with qtbot.waitSignal(controller.search_changed, timeout=10000) as blocker:
        win.search_box.setText("人才")
    results = blocker.args[1]
    assert {r.measure.district for r in results} > {"杨浦区"}, "other districts too"
    labels = win.search_panel.tree.source.group_labels()
    first = win.search_panel.tree.proxy.index(0, 0).data()
    assert "杨浦区" in first and OWN_DISTRICT in first
    shown = [i.data(ResultRole) for i in _rows(win.search_panel.tree)]
    districts = [r.measure.district for r in shown]
    assert districts.index(next(d for d in districts if d != "杨浦区")) > max(
        i for i, d in enumerate(districts) if d == "杨浦区"
    )
    marked = [r for r in shown if r.measure.measure_id in applies]
    assert marked and all(win.search_panel.tree.source.marks.get(r.measure.measure_id) == APPLIES_MARK for r in marked)
    row = next(i for i in _rows(win.search_panel.tree) if i.data(ResultRole).measure.measure_id in applies)
    assert APPLIES_MARK in row.siblingAtColumn(1).data()
    assert len(labels) >= 2


def test_qt_standard_buttons_are_chinese(qtbot, window):
    """Qt's own texts come from its Chinese translations: "Close" → "关闭"."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Close).text() == "关闭"
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_command_line_display_options_are_not_saved(qtbot, make_window, tmp_path):
    """--large-text and --size are for one run: the next start has neither."""
    from desktop.app import parse_args
    from desktop.settings import Settings

    controller, win = make_window(large_text=True)
    assert win.large_text is True
    assert Settings().large_text is False
    args = parse_args(["--size", "1024x700"])
    assert args.size_given and args.size == "1024x700"
    win.persist_layout = False
    win.resize(700, 500)
    win.close()
    assert Settings().geometry() is None


# -- fits a counter screen ----------------------------------------------------------------


def _assert_fits(qtbot, win, width, height):
    win.resize(width, height)
    qtbot.wait(50)
    assert win.minimumSizeHint().width() <= width
    assert win.width() <= width
    for tree in (win.results_panel.applies, win.results_panel.near, win.office_view.tree, win.search_panel.tree):
        assert tree.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        h = tree.header()
        assert sum(h.sectionSize(c) for c in range(4)) <= tree.viewport().width() + 1
    for checklist in (win.profile_panel.flags, win.profile_panel.needs):
        assert not checklist.verticalScrollBar().isVisible()
        last = checklist.visualItemRect(checklist.item(checklist.count() - 1))
        assert last.bottom() <= checklist.viewport().height()


def test_window_fits_1024_by_700(qtbot, window):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    _assert_fits(qtbot, win, 1024, 700)
    assert win.profile_panel.flags.columns() >= 2, "flags in a compact grid"


def test_window_fits_1366_by_768_in_large_text(qtbot, make_window):
    controller, win = make_window(large_text=True)
    apply_and_wait(qtbot, controller, win, HONGKOU)
    _assert_fits(qtbot, win, 1366, 768)


def test_long_names_elide_in_the_middle_with_full_tooltip(qtbot, window):
    """Office lists lose their middle, not their end, and the tooltip holds all; the
    industry field shows the whole chosen industry or elides its middle."""
    from desktop.widgets.result_tree import OFFICE_COLUMN

    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    tree = win.results_panel.applies
    delegate = tree.itemDelegateForColumn(OFFICE_COLUMN)
    from PySide6.QtWidgets import QStyleOptionViewItem

    row = max(_rows(tree), key=lambda i: len(i.data(ResultRole).measure.offices))
    idx = row.siblingAtColumn(OFFICE_COLUMN)
    opt = QStyleOptionViewItem()
    delegate.initStyleOption(opt, idx)
    assert opt.textElideMode == Qt.TextElideMode.ElideMiddle
    m = idx.data(ResultRole).measure
    assert all(o in idx.data(Qt.ItemDataRole.ToolTipRole) for o in m.offices)
    industry = win.profile_panel.industry
    win.detail.setFocus()
    assert industry.elided_text() == industry.text(), "fits: shown whole"
    industry.setFixedWidth(industry.fontMetrics().horizontalAdvance(industry.text()) * 2 // 3)
    shown = industry.elided_text()
    full = industry.text()
    assert full == "交通运输、仓储和邮政业 (航运)"
    assert shown != full and "…" in shown
    assert shown.startswith(full[:2]) and shown.endswith(full[-2:])
    assert industry.toolTip() == full


def test_large_text_switched_on_at_the_counter_still_fits(qtbot, window):
    """Ctrl+L at 1366×768 mid-session: the grids re-measure, nothing needs a horizontal
    scroll bar, every flag and need stays visible without an inner scroll bar."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    win.resize(1366, 768)
    cols = win.profile_panel.flags.columns()
    win.set_large_text(True, save=False)
    qtbot.wait(50)
    _assert_fits(qtbot, win, 1366, 768)
    assert win.profile_panel.flags.columns() <= cols


def test_new_results_keep_the_detail_on_the_list_in_view(qtbot, window):
    """A refined profile keeps the measure in view selected (in the list and the detail);
    while the search tab is in view, new results do not replace its detail."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    tree = win.results_panel.applies
    row = _rows(tree)[3]
    tree.setCurrentIndex(row)
    kept = row.data(ResultRole).measure.measure_id
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, keywords="航运"))
    assert tree.current_result().measure.measure_id == kept
    assert win.detail.result.measure.measure_id == kept
    with qtbot.waitSignal(controller.search_changed, timeout=10000):
        win.search_box.setText("人才公寓")
    win.search_panel.tree.select_first()
    found = win.search_panel.tree.current_result()
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, needs=["人才"]))
    assert win.center_tabs.currentWidget() is win.search_panel
    assert win.detail.result.measure.measure_id == found.measure.measure_id
