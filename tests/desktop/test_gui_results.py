"""Results, detail pane, by-office view, filters and search, on the seed knowledge base."""

from __future__ import annotations

from gui_helpers import HONGKOU, apply_and_wait, type_text
from PySide6.QtCore import Qt

from desktop.itemmodels import INFERRED_MARK, ResultRole
from matcher.knowledge.offices import group_office


def _rows(tree):
    out = []
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        out += [tree.proxy.index(r, 0, gi) for r in range(tree.proxy.rowCount(gi))]
    return out


def test_detail_shows_text_reasons_and_highlight(qtbot, window):
    """Ensures opening a result shows its full text with matched words highlighted, the
    reasons, the document title, date and clause."""
    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    tree = win.results_panel.applies
    idx = _rows(tree)[0]
    tree.setCurrentIndex(idx)
    result = idx.data(ResultRole)
    html = win.detail.toHtml()
    text = win.detail.toPlainText()
    m = result.measure
    assert m.document in text and m.clause in text
    assert (m.issued or "日期不详") in text
    assert "为什么适用" in text and result.reasons[0].text[:8] in text
    assert "#fff3b0" in html or "color:#9a3412" in html  # something is highlighted
    assert response.results[0].measure.district == "虹口区"


def test_near_results_listed_apart_with_missing_condition(qtbot, window):
    """Ensures `near` results sit in their own list, grouped by what is missing."""
    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    near = [r for r in response.results if r.status == "near"]
    assert near, "the Hongkou shipping profile has measures it could get with one more condition"
    tree = win.results_panel.near
    groups = [tree.proxy.index(i, 0).data() for i in range(tree.proxy.rowCount())]
    assert groups and all(g.startswith("如果再具备") for g in groups)
    assert all(r.status == "near" for r in (i.data(ResultRole) for i in _rows(tree)))
    assert all(r.status == "applies" for r in (i.data(ResultRole) for i in _rows(win.results_panel.applies)))


def test_group_counts_and_office_filter(qtbot, window):
    """Ensures each group shows its count and the office filter keeps only that office's
    measures (counts follow the filter)."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    panel = win.results_panel
    tree = panel.applies
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        assert gi.data().endswith(f"({tree.proxy.rowCount(gi)})")
    office = panel.office_filter.itemData(1)
    panel.office_filter.setCurrentIndex(1)
    rows = _rows(tree)
    assert rows and all(office in i.data(ResultRole).measure.offices for i in rows)
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        assert gi.data().endswith(f"({tree.proxy.rowCount(gi)})")
    panel.office_filter.setCurrentIndex(0)
    panel.sort.setCurrentIndex(panel.sort.findData("clause"))
    assert len(_rows(tree)) > len(rows)


def test_by_office_view_routes_every_applicable_measure(qtbot, window):
    """Ensures the by-office view lists every applicable measure exactly once, under its
    lead office (inferred offices visibly marked), and that the office of the best-ranked
    measure comes first."""
    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    view = win.office_view
    model = view.tree.source
    labels = model.group_labels()
    applies = [r for r in response.results if r.status == "applies"]
    seen = []
    for g in range(model.rowCount()):
        gi = model.index(g, 0)
        for i in range(model.rowCount(gi)):
            r = model.index(i, 0, gi).data(ResultRole)
            m = r.measure
            mark = INFERRED_MARK if m.office_source == "inferred" else ""
            assert labels[g] == group_office(m) + mark, (labels[g], m.measure_id)
            seen.append(m.measure_id)
    assert sorted(seen) == sorted(r.measure.measure_id for r in applies)
    best = min(applies, key=lambda r: r.rank).measure
    assert labels[0].startswith(best.offices[0])
    assert "个部门" in view.summary.text()


def test_search_as_you_type(qtbot, window):
    """Ensures typing in the search box fuzzy-searches all measures and shows them."""
    controller, win = window
    win.search_box.setFocus()
    with qtbot.waitSignal(
        controller.search_changed, timeout=10000, check_params_cb=lambda t, rs: t == "知识产权"
    ) as blocker:
        type_text(win.search_box, "知识产权")
    results = blocker.args[1]
    assert results and any("知识产权" in r.measure.text for r in results)
    assert win.center_tabs.currentWidget() is win.search_panel
    assert "找到" in win.search_panel.summary.text()
    qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
    assert win.detail.result is not None


def test_large_text_mode_enlarges_font(qtbot, window):
    """Ensures large-text mode makes the text bigger and is remembered."""
    controller, win = window
    before = win.results_panel.summary.font().pointSizeF()
    win.act_large.trigger()
    after = win.results_panel.summary.font().pointSizeF()
    assert after > before * 1.3
    assert win.settings.large_text is True
    win.act_large.trigger()
    assert win.results_panel.summary.font().pointSizeF() == before


def test_about_box_lists_documents(qtbot, window):
    """Ensures the about box names each knowledge-base document with its date."""
    from desktop.dialogs.about import AboutDialog

    controller, win = window
    dlg = AboutDialog(controller.snapshot, "test", win)
    qtbot.addWidget(dlg)
    text = dlg.browser.toPlainText()
    for d in controller.snapshot.documents:
        assert d.title in text
    assert "2023-03-13" in text and controller.snapshot.version in text


def test_item_models_pass_qt_model_tester(qtbot, qtmodeltester, window):
    """Ensures the result tree model and its proxy keep Qt's model contracts."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    qtmodeltester.check(win.results_panel.applies.source)
    qtmodeltester.check(win.results_panel.applies.proxy)


def test_clause_column_fits_its_labels_in_large_text(qtbot, make_window):
    """Ensures every clause label fits its column — in the results and in the 'near' list,
    which is filled while hidden — when the window starts in large-text mode."""
    controller, win = make_window(large_text=True)
    apply_and_wait(qtbot, controller, win, HONGKOU)
    qtbot.wait(200)
    for tree in (win.results_panel.applies, win.results_panel.near):
        if not tree.isVisible():
            continue
        fm = tree.viewport().fontMetrics()
        width = tree.header().sectionSize(0)
        for g in range(tree.proxy.rowCount()):
            gi = tree.proxy.index(g, 0)
            for r in range(tree.proxy.rowCount(gi)):
                label = str(tree.proxy.index(r, 0, gi).data())
                # text + the two indentations of a row under a group + the item's margins
                # (measured: with less than 16 px of margin Qt elides "12.(4)" to "12.…")
                assert fm.horizontalAdvance(label) + 2 * tree.indentation() + 16 <= width, (label, width)
