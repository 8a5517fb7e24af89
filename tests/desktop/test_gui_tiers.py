"""The window and the handout show the engine's tiers (issue 10): the targeted list first
with 金额 and 截止, the general list short, near, unknown with the question to ask (and a
way to answer it), the application block in the detail pane and in the handout, sorting
by amount and deadline. Real seeds and real corpus documents, imported into the test home."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from gui_helpers import HONGKOU, apply_and_wait, scroll_all, whole
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from desktop.itemmodels import CardRole, ResultRole
from matcher.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
JINGAN_GUIDE = CORPUS / "jingan_chuhai_fuwu_pingtai_shenbao_zhinan_2026.txt"
PUTUO_GUIDE = CORPUS / "putuo_fuwuye_yindao_zijin_shenbao_2026.txt"
JINGAN = {
    "company": "上海静安远帆跨境科技有限公司",
    "district": "静安区",
    "industry": "批发和零售业 (批发)",
    "size": "小型",
    "flags": ["民营企业", "外贸企业(进出口)"],
    "needs": ["跨境贸易", "融资"],
    "keywords": "出海 境外",
}
OPEN_DAY = date(2026, 5, 1)  # the 出海 guide (issued 2026-04-23) takes applications until 2026-06-30
CLOSED_DAY = date(2026, 12, 1)
PUTUO_DAY = date(2026, 6, 15)  # 普陀's notice (issued 2026-06-02) takes applications until 2026-07-10


def _import(*paths: Path) -> None:
    """Import corpus documents into this test's knowledge base (before the window opens)."""
    from matcher.store.kb import KnowledgeBase

    kb = KnowledgeBase.open_default()
    try:
        kb.ingest(list(paths))
    finally:
        kb.close()


def _rows(tree):
    out = []
    for g in range(tree.proxy.rowCount()):
        gi = tree.proxy.index(g, 0)
        out.extend(tree.proxy.index(r, 0, gi) for r in range(tree.proxy.rowCount(gi)))
    return out


def _cell(tree, row, key: str) -> str:
    col = tree.source.columns.index(key)
    return str(row.siblingAtColumn(col).data() or "")


def _window_on(qtbot, make_window, profile: dict, day: date | None = None):
    controller, win = make_window()
    if day is not None:
        win.set_as_of(day)
    response = apply_and_wait(qtbot, controller, win, profile)
    return controller, win, response


def test_tier_sections_and_counts_in_header(qtbot, window):
    """Each list holds one tier; the header counts each tier; the general list is short
    until "更多 N 条" opens it."""
    from desktop.widgets.results_panel import GENERAL_SHORT

    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    rp = win.results_panel
    counts = response.counts  # every tier counted whole by the engine
    with Engine.open() as engine:  # an engine of the test's own (the window's is its worker's)
        assert counts == engine.tier_counts(response.resolved)
        every = engine.tier_page(response.resolved, "general", 0, 1000)
    by_tier = {t: [r for r in response.results if r.tier == t] for t in ("targeted", "general", "near", "unknown")}
    assert by_tier["targeted"] and counts["general"] > GENERAL_SHORT and by_tier["near"]
    header = rp.summary.text()
    assert (
        f"为本企业 {counts['targeted']} 项 · 普惠服务 {counts['general']} 项 · "
        f"差一个条件 {counts['near']} 项 · 待确认 {counts['unknown']} 项"
    ) in header
    assert rp.general_title.text().startswith(f"普惠服务 {counts['general']} 项")
    for tree, tier in ((rp.applies, "targeted"), (rp.general, "general"), (rp.near, "near")):
        assert {i.data(ResultRole).tier for i in _rows(tree)} == {tier}
    assert len(_rows(rp.applies)) == len(by_tier["targeted"]) == counts["targeted"]
    # general: a few lines, the most relevant first; "更多 N 条" shows them all (a page at a
    # time, as the list is scrolled)
    shown = [i.data(ResultRole) for i in _rows(rp.general)]
    assert shown == by_tier["general"][:GENERAL_SHORT]
    n_more = counts["general"] - GENERAL_SHORT
    assert rp.more_button.isVisibleTo(rp) and rp.more_button.text() == f"更多 {n_more} 条"
    rp.more_button.click()
    assert rp.more_button.text() == "收起"
    scroll_all(qtbot, rp.general, counts["general"])
    assert [i.data(ResultRole).measure.measure_id for i in _rows(rp.general)] == [r.measure.measure_id for r in every]
    # the targeted list sits above the general one, which sits above near
    y = {k: rp.sections[k].mapTo(rp, rp.sections[k].rect().topLeft()).y() for k in ("targeted", "general", "near")}
    assert y["targeted"] < y["general"] < y["near"]
    assert not rp.sections["unknown"].isVisibleTo(rp) or by_tier["unknown"]


def test_amount_and_deadline_columns_from_a_corpus_guide(qtbot, make_window):
    """A 静安 firm with the 出海 guide imported: the targeted rows show the guide's sums and
    its deadline; on a day after the deadline they are not offered, and the header says
    how many expired measures were left out."""
    _import(JINGAN_GUIDE)
    controller, win, response = _window_on(qtbot, make_window, JINGAN, OPEN_DAY)
    assert response.as_of == "2026-05-01"
    assert win.results_panel.as_of_date() == OPEN_DAY
    tree = win.results_panel.applies
    rows = {i.data(ResultRole).measure.measure_id: i for i in _rows(tree)}
    guide = [mid for mid in rows if mid.startswith("jingan-2026/")]
    assert guide, "the 出海 guide's measures are targeted for a 静安 exporter"
    sub = rows["jingan-2026/二.2"]  # 支持设立境外运营实体: 最高不超过50万元
    assert _cell(tree, sub, "amount") == "最高50万元"
    assert _cell(tree, sub, "deadline") == "2026-06-30"
    filled = [mid for mid in guide if _cell(tree, rows[mid], "amount")]
    assert len(filled) >= 3
    assert all(_cell(tree, rows[mid], "deadline") == "2026-06-30" for mid in guide)
    assert tree.model().headerData(3, Qt.Orientation.Horizontal) == "金额"
    assert tree.model().headerData(4, Qt.Orientation.Horizontal) == "截止"
    # stacked on the row's card (issue 21): office, sum and deadline readable without a tooltip
    card = sub.siblingAtColumn(tree.source.columns.index("title")).data(CardRole)
    assert "最高50万元" in card and "2026-06-30" in card
    assert tree.isColumnHidden(3) and tree.isColumnHidden(4)

    # after the deadline: kept out of the lists, counted in the header
    with qtbot.waitSignal(controller.results_changed, timeout=20000) as blocker:
        win.results_panel.as_of.setDate(CLOSED_DAY)
    later = blocker.args[0]
    assert later.as_of == "2026-12-01"
    assert not [r for r in later.results if r.measure.doc_id == "jingan-2026"]
    assert later.tiers["expired"] >= len(guide)
    assert f"已过期 {later.tiers['expired']} 项" in win.results_panel.summary.text()
    # 列出已过期: they come back marked 已过期, in their own list, never in the targeted one
    rp = win.results_panel
    with qtbot.waitSignal(controller.results_changed, timeout=20000) as blocker:
        rp.show_expired.setChecked(True)
    listed = blocker.args[0]
    gone = [r for r in listed.results if r.measure.doc_id == "jingan-2026"]
    assert gone and all(r.tier == "expired" and r.expired for r in gone)
    rows = {i.data(ResultRole).measure.measure_id: i for i in _rows(rp.expired)}
    assert set(guide) <= set(rows)
    assert _cell(rp.expired, rows["jingan-2026/二.2"], "deadline") == "已过期"
    assert not [i for i in _rows(rp.applies) if i.data(ResultRole).measure.doc_id == "jingan-2026"]
    assert rp.sections["expired"].isVisibleTo(rp)
    rp.expired.select_measure("jingan-2026/二.2")
    assert "已过期" in "".join(win.detail.toPlainText().split())


def test_detail_pane_shows_the_application_block(qtbot, make_window):
    """The detail of a targeted measure: its 申兑指南 card — what it gives (with the
    sentence), by when, what to bring, how to apply, whom to call (with whose phone it is) —
    as the guide states them."""
    _import(JINGAN_GUIDE)
    controller, win, _ = _window_on(qtbot, make_window, JINGAN, OPEN_DAY)
    assert win.results_panel.applies.select_measure("jingan-2026/二.2")
    assert win.detail.result.measure.measure_id == "jingan-2026/二.2"
    text = win.detail.toPlainText()
    flat = "".join(text.split())
    for head in ("申兑指南", "可获得", "申报时间", "申报材料", "兑现方式", "咨询电话"):
        assert head in flat, head
    assert "最高50万元" in flat and "对在境外新设运营实体并实质性开展业务" in flat
    assert "联系人栾贺021-33371797" in flat
    assert "2026年6月30日" in flat
    assert "企业营业执照复印件" in flat
    assert "jafgw_cyk@126.com" in flat and "021-33371797" in flat and "栾贺" in flat
    assert "为本企业" in flat
    # the block comes before the full text, so it is seen without scrolling far
    assert flat.index("可获得") < flat.index("原文")


def test_empty_amount_and_deadline_columns_give_way_to_offices(qtbot, window):
    """The seeds are action plans that state no sums or deadlines: the targeted rows' cards
    carry the whole office name and no empty 金额/截止; the title column takes the width."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    tree = win.results_panel.applies
    cols = tree.source.columns
    rows = _rows(tree)
    assert rows
    for row in rows:
        m = row.data(ResultRole).measure
        card = row.siblingAtColumn(cols.index("title")).data(CardRole)
        assert all(o in card for o in m.offices) and "截止" not in card
    for key in ("offices", "amount", "deadline"):
        assert tree.isColumnHidden(cols.index(key))
    h = tree.header()
    shown = sum(h.sectionSize(c) for c in range(len(cols)) if not tree.isColumnHidden(c))
    assert shown >= tree.viewport().width() - 4  # the hidden columns' width went to the others


def test_absent_entitlements_are_not_shown(qtbot, window):
    """A seed measure that states no sum, window, materials or contact shows none of those
    headings: nothing is invented."""
    from desktop.widgets.detail_view import detail_html

    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    bare = [
        r
        for r in response.results
        if r.tier == "targeted"
        and not r.measure.amounts
        and not r.measure.window
        and not r.measure.materials
        and not r.measure.contact
        and not r.measure.how_to_apply
        and not r.measure.valid_until
    ]
    assert bare, "虹口's action plan states no sums or deadlines for most measures"
    win.results_panel.applies.select_measure(bare[0].measure.measure_id)
    flat = "".join(win.detail.toPlainText().split())
    for head in ("可获得", "申报时间", "申报材料", "如何申报", "联系方式"):
        assert head not in flat, head
    # a measure with a sum but no materials: the sum, and no 申报材料 heading
    some = [r for r in response.results if r.measure.amounts and not r.measure.materials]
    for r in some:
        html = detail_html(r)
        assert "可获得" in html and "申报材料" not in html
    # the list cells stay empty too
    row = next(
        i
        for i in _rows(win.results_panel.applies)
        if i.data(ResultRole).measure.measure_id == bare[0].measure.measure_id
    )
    tree = win.results_panel.applies
    assert _cell(tree, row, "amount") == "" and _cell(tree, row, "deadline") == ""


def test_sort_by_amount_and_by_deadline(qtbot, make_window):
    """按金额: the largest stated sum first, rows without a sum after, in one list;
    按截止日期: the soonest deadline first."""
    from desktop.tier_text import amount_key, deadline_key

    _import(JINGAN_GUIDE, PUTUO_GUIDE)
    controller, win, _ = _window_on(qtbot, make_window, JINGAN, OPEN_DAY)
    rp = win.results_panel
    rp.sort.setCurrentIndex(rp.sort.findData("amount"))
    rows = [i.data(ResultRole) for i in _rows(rp.applies)]
    assert rp.applies.proxy.rowCount() == 1  # one list, not within categories
    wan = [amount_key(r) for r in rows]
    sums = [w for w in wan if w is not None]
    assert len(sums) >= 2 and sums == sorted(sums, reverse=True)
    assert wan[: len(sums)] == sums  # those without a sum come after
    assert amount_key(rows[0]) == max(sums)  # the largest stated sum of the targeted list first
    rp.sort.setCurrentIndex(rp.sort.findData("deadline"))
    ends = [deadline_key(i.data(ResultRole)) for i in _rows(rp.applies)]
    dated = [e for e in ends if e]
    assert dated and dated == sorted(dated) and ends[: len(dated)] == dated
    rp.sort.setCurrentIndex(rp.sort.findData("score"))
    assert rp.applies.proxy.rowCount() >= 1
    ranks = [i.data(ResultRole).rank for i in _rows(rp.applies)]
    assert len(ranks) == len(rows)


def test_unknown_result_asks_its_question_and_focuses_the_field(qtbot, make_window):
    """普陀's 服务业引导资金 asks for a project investment of 500万元 or more: with no
    investment in the profile, its measures wait under the question; 填写 (or the link in
    the detail) opens 更多情况 with the cursor in 投资额; an answer decides them."""
    _import(PUTUO_GUIDE)
    controller, win, response = _window_on(qtbot, make_window, {"district": "普陀区"}, PUTUO_DAY)
    rp = win.results_panel
    unknown = [r for r in response.results if r.tier == "unknown"]
    assert unknown and rp.sections["unknown"].isVisibleTo(rp)
    groups = [rp.unknown.proxy.index(g, 0).data() for g in range(rp.unknown.proxy.rowCount())]
    assert any("投资额" in g and g.startswith("待确认") for g in groups)
    assert "待确认 " + str(len(unknown)) + " 项" in rp.summary.text()
    panel = win.profile_panel
    assert not panel.more.isVisible()
    rp.unknown.setCurrentIndex(_rows(rp.unknown)[0])
    assert rp.fill_button.isEnabled() and rp.fill_button.text() == "填写:投资额"
    flat = "".join(win.detail.toPlainText().split())
    assert "要问企业" in flat and "计划申报的项目投资额是多少" in flat
    assert "?项目投资额不低于500万元" in flat  # the open condition, marked ?
    assert not re.search(r"〔[a-z_]+〕", flat)  # no engine words as labels
    assert "如果再具备" not in flat  # a question, not a missing condition
    rp.fill_button.click()
    QApplication.processEvents()
    assert panel.more.isVisible()
    assert QApplication.focusWidget() is panel.more_edits["investment"]
    # the link in the detail pane does the same
    win.detail.setFocus()
    win.detail.anchorClicked.emit(QUrl("ask:investment"))
    assert QApplication.focusWidget() is panel.more_edits["investment"]
    # answering it decides the measures: 800万元 meets 500万元 or more
    with qtbot.waitSignal(controller.results_changed, timeout=20000) as blocker:
        panel.more_edits["investment"].setText("800")
    answered = blocker.args[0]
    assert not [r for r in answered.results if r.tier == "unknown"]
    ids = {r.measure.measure_id for r in unknown}
    decided = [r for r in answered.results if r.measure.measure_id in ids]
    assert decided and all(r.tier in ("targeted", "general") for r in decided)
    assert all(c["met"] is True for r in decided for c in r.conditions if c["kind"] == "threshold")


def test_more_fields_round_trip_and_are_validated(qtbot, window):
    """更多情况 holds 成立年份, 年营业收入, 年纳税额, 研发投入, 投资额: a profile with them
    unfolds the group and reads back the same; the revenue is one figure with the size
    calculator's; a bad year is refused with the field named."""
    controller, win = window
    prof = dict(HONGKOU, founded=2019, tax=120, rnd=300.5, investment=800)
    apply_and_wait(qtbot, controller, win, prof)
    panel = win.profile_panel
    assert panel.more.isVisibleTo(panel)
    got = panel.profile()
    assert (got["founded"], got["tax"], got["rnd"], got["investment"]) == (2019, 120, 300.5, 800)
    assert controller.response.profile["founded"] == 2019
    panel.more_edits["revenue"].setText("2500")
    assert panel.calculator.revenue.text() == "2500"
    assert panel.profile()["revenue"] == 2500
    with qtbot.waitSignal(controller.profile_problem, timeout=20000, check_params_cb=lambda m: bool(m)) as blocker:
        panel.more_edits["founded"].setText("1800")
    assert "founded" in blocker.args[0] or "成立年份" in blocker.args[0]


def test_handout_pdf_carries_the_application_block(qtbot, make_window, tmp_path):
    """The PDF handout prints each targeted measure's 申兑指南 card — what it gives, by when,
    how to apply and whom to call (with whose phone it is) — and 下一步 says what to bring
    by when; the general services as one paragraph; no matcher words."""
    from pypdf import PdfReader

    _import(JINGAN_GUIDE)
    controller, win, response = _window_on(qtbot, make_window, JINGAN, OPEN_DAY)
    out = tmp_path / "清单.pdf"
    with qtbot.waitSignal(controller.export_finished, timeout=30000):
        win.output.export_pdf_to(out)
    flat = "".join("".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    for head in ("下一步", "带上", "可获得", "申报时间", "兑现方式", "咨询电话"):
        assert head in flat, head
    assert "最高50万元" in flat and "2026年6月30日" in flat
    assert "联系人栾贺021-33371797" in flat and "jafgw_cyk@126.com" in flat
    assert "企业营业执照复印件" in flat
    targeted = [r for r in response.results if r.tier == "targeted"]
    assert f"为本企业{len(targeted)}项" in flat
    general = [r for r in response.results if r.tier == "general"]
    assert "普惠服务" in flat and general
    html = controller.output.handout_html()
    # each targeted measure has its card (a table of what it states) or is named in the list
    # of those stating nothing; a general one is in the paragraph only
    assert html.count("class='card'") + html.count("原文未写明条件") >= 1
    for word in ("targeted", "general", "tier", "threshold", "met"):
        assert not re.search(rf"(?<![a-z_]){word}(?![a-z_])", flat), word


@pytest.mark.parametrize("large, size", [(False, (1024, 700)), (True, (1366, 768))])
def test_tier_lists_keep_the_window_on_a_counter_screen(qtbot, make_window, large, size):
    """Five lists (targeted, general, near, unknown, expired) never make the window taller
    than a counter screen, in large-text mode too; the targeted list keeps the most room."""
    _import(JINGAN_GUIDE, PUTUO_GUIDE)
    controller, win = make_window(large_text=large)
    win.resize(*size)
    win.set_as_of(CLOSED_DAY)
    win.results_panel.show_expired.setChecked(True)
    apply_and_wait(qtbot, controller, win, HONGKOU)
    qtbot.wait(100)
    assert win.height() <= size[1] and win.minimumSizeHint().height() <= size[1]
    rp = win.results_panel
    shown = [k for k, sec in rp.sections.items() if sec.isVisible()]
    assert shown[:3] == ["targeted", "general", "near"]
    heights = rp.splitter.sizes()
    assert heights[0] == max(heights)
    # a 静安 firm on a day after the guide's deadline: the expired list is shown too
    apply_and_wait(qtbot, controller, win, JINGAN)
    qtbot.wait(100)
    assert rp.sections["expired"].isVisible()
    assert win.height() <= size[1] and win.minimumSizeHint().height() <= size[1]


def test_handout_leaves_out_expired_and_says_no_open_audience_for_targeted(qtbot, make_window):
    """列出已过期 shows expired measures on screen only: the handout does not offer them
    ("如果贵企业…已过期,即可申请" would be nonsense); a targeted entry does not also say it is
    for every firm."""
    _import(JINGAN_GUIDE)
    controller, win = make_window()
    win.set_as_of(CLOSED_DAY)
    win.results_panel.show_expired.setChecked(True)
    response = apply_and_wait(qtbot, controller, win, JINGAN)
    assert [r for r in response.results if r.tier == "expired"]
    whole(qtbot, controller)
    html = controller.output.handout_html()
    assert "jingan-2026" not in html and "已过期" not in html and "二、2. 支持设立境外运营实体" not in html
    win.results_panel.show_expired.setChecked(False)
    win.set_as_of(OPEN_DAY)
    qtbot.waitUntil(
        lambda: controller.response is not None and controller.response.as_of == "2026-05-01", timeout=20000
    )
    whole(qtbot, controller)
    html = controller.output.handout_html()
    targeted = [r for r in controller.response.results if r.tier == "targeted"]
    assert targeted
    assert "面向本区各类企业,没有限定对象" not in html
