"""Two small window items: 新客户 (Ctrl+N) puts 判断日期 back to today, and the search
list tags city-level (上海市) hits 市级 — on their group and on each row. A real city-level
corpus document is imported into the test's knowledge base."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parents[2]
CITY_DOC = ROOT / "tests" / "corpus" / "shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt"
CHANGNING_DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"


def _rows(tree):
    out = []
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        out += [tree.proxy.index(r, 0, gi) for r in range(tree.proxy.rowCount(gi))]
    return out


def test_new_client_resets_the_date_to_today(qtbot, window):
    controller, win = window
    win.set_as_of(date(2025, 1, 15))
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    assert response.as_of == "2025-01-15" and controller.as_of == date(2025, 1, 15)
    win.activateWindow()
    win.setFocus()
    with qtbot.waitSignal(controller.results_changed, timeout=10000):
        qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert win.results_panel.as_of_date() == date.today()
    assert controller.as_of is None  # None: today
    nxt = apply_and_wait(qtbot, controller, win, HONGKOU)
    assert nxt.as_of == date.today().isoformat()


def test_search_list_tags_city_level_hits(qtbot, make_window):
    from desktop.widgets.search_panel import CITY_LEVEL, CITY_MARK
    from matcher.store.kb import KnowledgeBase

    kb = KnowledgeBase.open_default()
    try:
        kb.ingest([CITY_DOC, CHANGNING_DOC])
    finally:
        kb.close()
    controller, win = make_window()
    apply_and_wait(qtbot, controller, win, {"district": "长宁区", "size": "小型"})
    with qtbot.waitSignal(
        controller.search_changed, timeout=20000, check_params_cb=lambda text, results: bool(results)
    ):
        win.search_box.setText("补贴")
    tree = win.search_panel.tree
    from desktop.itemmodels import ResultRole

    results = [(i.data(ResultRole), i) for i in _rows(tree)]
    city = [(r, i) for r, i in results if r.measure.district == "上海市"]
    local = [(r, i) for r, i in results if r.measure.district == "长宁区"]
    assert city and local
    for _r, i in city:
        assert CITY_MARK in i.siblingAtColumn(1).data()
        assert CITY_LEVEL in i.parent().data() and "上海市" in i.parent().data()
    for _r, i in local:
        assert CITY_MARK not in (i.siblingAtColumn(1).data() or "")
    # the client's district first, then the city level
    order = [r.measure.district for r, _ in results]
    assert order.index("上海市") > order.index("长宁区")
    assert max(k for k, d in enumerate(order) if d == "长宁区") < min(k for k, d in enumerate(order) if d == "上海市")


def test_window_duplicate_import_offers_the_windows_own_way(qtbot, make_window, tmp_path):
    """The window has no --replace: a duplicate of an imported document points to
    知识库中的文件…; a duplicate of a built-in document says it is already there."""
    from matcher.store.kb import KnowledgeBase

    kb = KnowledgeBase.open_default()
    try:
        first = kb.ingest([CHANGNING_DOC])[0]
    finally:
        kb.close()
    controller, win = make_window()
    again = tmp_path / "again.txt"
    again.write_bytes(CHANGNING_DOC.read_bytes())
    with qtbot.waitSignal(controller.import_finished, timeout=60000) as blocker:
        win.files.import_paths([again])
    refused = blocker.args[0].refused
    # by its title, as 知识库中的文件 lists it (the window shows no document ids)
    assert refused and first.doc_id not in refused and f"《{first.title}》" in refused and "知识库中的文件" in refused
    assert "--replace" not in refused and "policydesk" not in refused
    seed = tmp_path / "seed.txt"
    seed.write_bytes(sorted((ROOT / "seeds").glob("*.txt"))[0].read_bytes())
    with qtbot.waitSignal(controller.import_finished, timeout=60000) as blocker:
        win.files.import_paths([seed])
    refused = blocker.args[0].refused
    assert refused and "已在知识库中" in refused and "删除" not in refused
