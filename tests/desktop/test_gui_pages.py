"""The window asks for what it shows (issue 13): the snapshot holds no measures; the first
page of results shows first, then the tiers' counts; each list asks for its next page when
scrolled down, rows appended in rank order; a page for an older answer is dropped; the
detail pane can show a measure fetched by id; search asks for more on scroll. With the
real engine on the seed knowledge base and with the fake backend (many measures)."""

from __future__ import annotations

import pytest
from fake_backend import MEASURES, FakeBackend, _m
from gui_helpers import HONGKOU, apply_and_wait, scroll_all

from desktop.itemmodels import ResultRole
from matcher.engine import Engine

FINANCE = {"district": "虹口区", "needs": ["融资"]}


def _many(n_targeted: int = 40, n_general: int = 50) -> list:
    """Hongkou measures: ``n_targeted`` for a firm that needs 融资, ``n_general`` for all."""
    out = []
    for i in range(n_targeted):
        out.append(
            _m(
                f"30.({i + 1})",
                ["30", str(i + 1)],
                f"融资支持{i + 1}",
                f"对中小微企业给予第{i + 1}类贷款贴息支持。",
                ["区财政局"],
                ["融资信贷"],
                order=100 + i,
            )
        )
    for i in range(n_general):
        out.append(
            _m(
                f"40.({i + 1})",
                ["40", str(i + 1)],
                f"营商服务{i + 1}",
                f"优化第{i + 1}项政务服务,提高企业办事便利度。",
                ["区政府办公室"],
                ["帮办服务"],
                order=200 + i,
            )
        )
    return out


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 7 and a first reply of 10, so that a few dozen measures make several pages."""
    import desktop.controller as c

    monkeypatch.setattr(c, "FIRST_TOP", 10)
    monkeypatch.setattr(c, "PAGE", 7)


def _rows(tree) -> list:
    out = []
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        out.extend(tree.proxy.index(r, 0, gi).data(ResultRole) for r in range(tree.proxy.rowCount(gi)))
    return out


def test_snapshot_holds_documents_and_counts_not_measures(qtbot, window):
    """No list of every measure and no matcher in the snapshot; each document's count (and
    the status bar's enterprise count) as ``kb stats`` counts them."""
    controller, win = window
    snap = controller.snapshot
    assert not hasattr(snap, "measures") and not hasattr(snap, "engine")
    with Engine.open() as engine:
        stats = engine.stats()
    assert {d["id"]: d["measures"] for d in stats["documents"]} == {
        d.doc_id: snap.count_of(d.doc_id) for d in snap.documents
    }
    assert snap.measure_count == stats["measures"] == 281
    enterprise = stats["measures"] - sum(d["internal"] for d in stats["documents"])
    assert f"{enterprise} 项面向企业的措施" in win.kb_label.text()


def test_first_page_shows_before_the_counts(qtbot, make_window):
    """The first results (targeted, general) are on screen before the tiers are counted;
    then the header counts every tier (as tier_counts does) and the near list arrives."""
    controller, win = make_window()
    firsts = []
    controller.first_page.connect(lambda a: firsts.append((a, a.counts, win.results_panel.summary.text())))
    answer = apply_and_wait(qtbot, controller, win, HONGKOU)
    assert len(firsts) == 1 and firsts[0][0] is answer
    assert firsts[0][1] is None and "正在统计" in firsts[0][2]
    with Engine.open() as engine:
        counts = engine.tier_counts(answer.resolved)
        whole = engine.match(answer.resolved, top=None)
    assert answer.counts == counts
    rp = win.results_panel
    for tier, tree in zip(("targeted", "general", "near"), rp.trees()):
        want = [r.measure.measure_id for r in whole.results if r.tier == tier]
        got = (
            [r.measure.measure_id for r in sorted(_rows(tree), key=lambda r: r.rank)]
            if tier != "general"
            else [r.measure.measure_id for r in answer.pages["general"]]
        )
        assert got and got == want[: len(got)], tier  # the engine's order, from the top
    assert f"普惠服务 {counts['general']} 项" in rp.summary.text()


def test_scrolling_appends_the_next_pages_in_rank_order(qtbot, make_window, small_pages):
    """Scrolling the targeted list down asks for page after page (never the whole answer);
    the rows arrive in rank order, each once, until the count in the header is reached."""
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    answer = apply_and_wait(qtbot, controller, win, FINANCE)
    total = answer.counts["targeted"]
    assert total == 43 and answer.loaded("targeted") < total
    assert f"为本企业 {total} 项" in win.results_panel.targeted_title.text()
    tree = win.results_panel.applies
    scroll_all(qtbot, tree, total)
    rows = sorted(_rows(tree), key=lambda r: r.rank)
    assert [r.rank for r in rows] == list(range(1, total + 1))
    pages = [c for c in backend.fake.calls if c[0] == "page" and c[1] == "targeted"]
    expected = backend.fake.tier_page(FINANCE, "targeted", 0, 100)
    assert [r.measure.measure_id for r in rows] == [r.measure.measure_id for r in expected]
    assert pages and all(c[3] == 7 for c in pages)
    assert [c[2] for c in pages] == sorted({c[2] for c in pages})  # each start once, in order
    assert ("match", None) not in backend.fake.calls  # never every result at once
    assert not controller.can_fetch("targeted")


def test_more_button_and_office_view_fetch_pages(qtbot, make_window, small_pages):
    """更多 N 条 counts the whole general tier; opened and scrolled, the general list fills
    a page at a time; 按部门办理 scrolled down lists every applicable measure."""
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    answer = apply_and_wait(qtbot, controller, win, FINANCE)
    rp = win.results_panel
    n_general = answer.counts["general"]
    assert rp.more_button.text() == f"更多 {n_general - 3} 条"
    assert len(_rows(rp.general)) == 3
    rp.more_button.click()
    scroll_all(qtbot, rp.general, n_general)
    assert len({r.measure.measure_id for r in _rows(rp.general)}) == n_general
    win.center_tabs.setCurrentWidget(win.office_view)
    total = answer.counts["targeted"] + answer.counts["general"]
    scroll_all(qtbot, win.office_view.tree, total)
    assert f"{total} 项措施按牵头部门分组" in win.office_view.summary.text()


def test_a_page_for_an_older_answer_is_dropped(qtbot, make_window, small_pages):
    """A page asked for one client that comes back after the next client's profile is
    never shown: the new answer's lists hold only the new answer's rows."""
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    old = apply_and_wait(qtbot, controller, win, FINANCE)
    controller.wait(10000)
    loaded = old.loaded("targeted")
    backend.fake.delay = 0.4
    added = []
    controller.page_added.connect(lambda tier, rows: added.append((controller.response, tier, rows)))
    assert controller.fetch_more("targeted")
    new = apply_and_wait(qtbot, controller, win, {"district": "虹口区", "needs": ["人才"]})
    controller.wait(10000)
    qtbot.wait(50)
    assert ("page", "targeted", loaded, 7) in backend.fake.calls  # it was asked, and came
    assert old.loaded("targeted") == loaded  # the late page went nowhere
    assert all(a is new for a, _t, _r in added)
    shown = {r.measure.measure_id for t in win.results_panel.trees() for r in _rows(t)}
    assert shown <= {r.measure.measure_id for r in new.results}
    assert not any("融资支持" in r.measure.title for r in _rows(win.results_panel.applies))


def test_new_client_clears_the_pages(qtbot, make_window, small_pages):
    """新客户: no page, count or row of the previous client stays, and nothing more is asked."""
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    apply_and_wait(qtbot, controller, win, FINANCE)
    win.new_client()
    assert controller.response is None and not controller.can_fetch("targeted")
    assert all(not _rows(t) for t in win.results_panel.trees())
    assert not _rows(win.office_view.tree)


def test_detail_pane_shows_a_measure_fetched_by_id(qtbot, window):
    """A measure the lists have not loaded is fetched by id on the worker and shown whole
    in the detail pane (title, document, full text)."""
    controller, win = window
    with Engine.open() as engine:
        m = engine.measures(district="杨浦区")[3]
    with qtbot.waitSignal(controller.measure_fetched, timeout=20000) as blocker:
        controller.show_measure(m.measure_id)
    result = blocker.args[0]
    assert result.measure.measure_id == m.measure_id and result.measure.text == m.text
    text = win.detail.toPlainText()
    assert m.title in text and m.document in text and m.text[:30] in text
    assert "为本企业" not in text and "普惠服务" not in text  # not judged for anyone
    with qtbot.waitSignal(controller.measure_fetched, timeout=20000) as blocker:
        controller.show_measure("no-such/1")
    assert blocker.args[0] is None


def test_search_asks_for_more_on_scroll(qtbot, make_window, monkeypatch):
    """Search shows its first results; scrolled down, it asks for a longer list and appends
    the rows not shown yet, each once."""
    import desktop.search_commands as c

    monkeypatch.setattr(c, "SEARCH_TOP", 6)
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    with qtbot.waitSignal(controller.search_changed, timeout=10000) as blocker:
        controller.set_search("贷款")
    first = blocker.args[1]
    assert len(first) == 6
    tree = win.search_panel.tree
    scroll_all(qtbot, tree, 40)
    ids = [r.measure.measure_id for r in _rows(tree)]
    assert len(ids) == len(set(ids)) == 40
    assert any(call[0] == "search" and call[3] > 6 for call in backend.fake.calls)
    assert "找到 40 项措施" in win.search_panel.summary.text()


def test_sorting_by_amount_loads_the_whole_lists(qtbot, make_window, small_pages):
    """An order other than relevance (or a filter) means something only over the whole
    list: choosing it loads the targeted and general lists whole, page after page; the
    next answer too."""
    backend = FakeBackend(measures=MEASURES + _many())
    controller, win = make_window(backend)
    answer = apply_and_wait(qtbot, controller, win, FINANCE)
    rp = win.results_panel
    assert answer.loaded("targeted") < answer.counts["targeted"]
    rp.sort.setCurrentIndex(rp.sort.findData("amount"))
    qtbot.waitUntil(lambda: answer.left("targeted") == 0 and answer.left("general") == 0, timeout=20000)
    assert len({r.measure.measure_id for r in _rows(rp.applies)}) == answer.counts["targeted"]
    again = apply_and_wait(qtbot, controller, win, dict(FINANCE, keywords="贷款"))
    qtbot.waitUntil(lambda: again.left("targeted") == 0, timeout=20000)
    rp.sort.setCurrentIndex(rp.sort.findData("score"))
    third = apply_and_wait(qtbot, controller, win, FINANCE)
    controller.wait(10000)
    qtbot.wait(50)
    assert third.left("targeted") > 0  # relevance again: a page at a time
