"""The window's part of issue 21's handout work: the detail pane shows the engine's 申兑指南 card
(each phone with whose it is), 政策月历 lists the client's coming dates and writes an .ics a
phone opens, and search judges on the same 判断日期 and in the same tier as the results."""

from __future__ import annotations

from datetime import date

from gui_helpers import apply_and_wait, whole
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from test_gui_tiers import CORPUS, JINGAN, JINGAN_GUIDE, OPEN_DAY, _import

CLOSED_DAY = date(2026, 7, 1)  # the 出海 guide closed on 2026-06-30


def test_detail_pane_shows_the_guide_card(qtbot, make_window):
    _import(JINGAN_GUIDE)
    controller, win = make_window()
    win.set_as_of(OPEN_DAY)
    response = apply_and_wait(qtbot, controller, win, JINGAN)
    guided = [r for r in response.results if r.tier == "targeted" and r.measure.contact]
    assert guided
    win.detail.show_result(guided[0])
    text = win.detail.toPlainText()
    assert "申兑指南" in text and "咨询电话" in text and "申报时间" in text
    assert "联系人栾贺 021-33371797" in text  # the phone with whose it is
    assert "2026年6月30日前申报" in text


def test_calendar_dialog_and_ics_export(qtbot, make_window, tmp_path):
    from icalendar import Calendar

    _import(JINGAN_GUIDE)
    controller, win = make_window()
    win.set_as_of(OPEN_DAY)
    apply_and_wait(qtbot, controller, win, JINGAN)
    whole(qtbot, controller)
    dlg = win.output.open_calendar()
    assert dlg is not None and dlg.table.rowCount() >= 1
    rows = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())]
    assert "2026年6月30日" in rows and rows == sorted(rows, key=lambda t: tuple(map(int, _digits(t))))
    out = tmp_path / "月历.ics"
    with qtbot.waitSignal(controller.export_finished, timeout=30000) as blocker:
        win.output.export_ics_to(out)
    assert blocker.args == ["ics", str(out)]
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert date(2026, 6, 30) in {e.decoded("dtstart") for e in events}
    dlg.reject()


def _digits(text: str) -> list[str]:
    import re

    return re.findall(r"\d+", text)


def test_search_marks_measures_expired_on_the_judging_day(qtbot, make_window):
    """After the guide's deadline (判断日期 2026-07-01) search finds its items marked 已过期,
    not 为本企业 nor 普惠服务; on an open day in the tier the results give them."""
    _import(JINGAN_GUIDE, CORPUS / "putuo_fuwuye_yindao_zijin_shenbao_2026.txt")
    controller, win = make_window()
    for day, want in ((CLOSED_DAY, {"expired"}), (OPEN_DAY, None)):
        win.set_as_of(day)
        response = apply_and_wait(qtbot, controller, win, JINGAN)
        tiers = {r.measure.measure_id: r.tier for r in whole(qtbot, controller, kind="all").results}
        with qtbot.waitSignal(controller.search_changed, timeout=20000) as blocker:
            win.search_box.setText("出海")
        found = [r for r in blocker.args[1] if r.measure.doc_id.startswith("jingan-2026")]
        assert found
        for r in found:
            if want is not None:
                assert r.tier in want, (r.measure.measure_id, r.tier)
            elif r.measure.measure_id in tiers:
                assert r.tier == tiers[r.measure.measure_id]
        win.detail.show_result(found[0])
        if want is not None:
            assert "〔已过期〕" in win.detail.toPlainText()
        assert response.as_of == day.isoformat()
        win.search_box.setText("")
        qtbot.keyClick(win.search_box, Qt.Key.Key_Escape)


def test_client_changes_are_judged_on_the_window_judging_day(qtbot, make_window):
    """文件 › 客户变化… judges each saved client on the window's 判断日期, as the results are:
    the 出海 guide imported after the client was saved is new for it while open, and on a
    判断日期 after its deadline nothing of it is new (nor changed) for the client."""
    import os
    import time

    from matcher.engine import Engine

    saved = Engine.save_profile("静安远帆", JINGAN)
    hour_ago = time.time() - 3600  # saved (last looked at) an hour before the import
    os.utime(saved, (hour_ago, hour_ago))
    _import(JINGAN_GUIDE)
    controller, win = make_window()
    for day, open_ in ((OPEN_DAY, True), (CLOSED_DAY, False)):
        win.set_as_of(day)
        response = apply_and_wait(qtbot, controller, win, JINGAN)
        targeted = {r.measure.measure_id for r in response.results if r.tier == "targeted"}
        win.packs.changes_dialog = None
        win.packs.ask_client_changes()
        qtbot.waitUntil(lambda: win.packs.changes_dialog is not None, timeout=30000)
        dlg = win.packs.changes_dialog
        assert f"判断日期 {day.isoformat()}" in " ".join(w.text() for w in dlg.findChildren(QLabel))
        top = dlg.tree.topLevelItem(0)
        rows = [top.child(i).text(0) for i in range(top.childCount())]
        new = [t for t in rows if t.startswith("[新增适用]")]
        assert bool(new) is open_ and bool(targeted) is open_, (day, rows)
        assert not any("出海" in t for t in rows if not t.startswith("[新增适用]"))
        dlg.reject()
