"""The handout a business owner takes away, on the seed knowledge base: company and date on
every page, page numbers, plain words, formatted numbers, only the documents cited, the
hall's office directory under each office, measures left out, a print preview."""

from __future__ import annotations

import json
import re

import pytest
from gui_helpers import HONGKOU, apply_and_wait, whole
from PySide6.QtCore import Qt

COMPANY = "上海北外滩远洋船务代理有限公司"
JARGON = ("匹配到", "(类别:", "勾选需求", "关键词“")


def _pages(path):
    from pypdf import PdfReader

    return ["".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]


def test_pdf_pages_carry_company_date_and_page_numbers(qtbot, window, tmp_path):
    """Every page names the company and the date and says 第 n 页,共 N 页; the words are
    the owner's, amounts are formatted, and only the documents cited are listed."""
    from datetime import date

    from desktop.handout_text import readable_date

    controller, win = window
    response = apply_and_wait(qtbot, controller, win, dict(HONGKOU, company=COMPANY, revenue=18000, employees=60))
    out = tmp_path / "清单.pdf"
    with qtbot.waitSignal(controller.export_finished, timeout=30000):
        win.output.export_pdf_to(out)
    pages = _pages(out)
    assert len(pages) >= 2
    today = readable_date(date.today().isoformat())
    for i, page in enumerate(pages, 1):
        assert COMPANY in page and today in page, i
        assert f"第{i}页,共{len(pages)}页" in page, i
    flat = "".join(pages)
    for word in JARGON:
        assert word not in flat, word
    assert "1.8亿元" in flat and "18000.0" not in flat and "60人" in flat
    # 政策依据: the Hongkou plan only, not the other four documents of the knowledge base
    cited = {r.measure.document for r in response.results}
    tail = flat[flat.rindex("政策依据") :]
    assert tail.count("《") == len(cited) == 1
    assert "徐汇" not in tail and "杨浦" not in tail
    assert "87e78f27" not in flat and controller.snapshot.version.split("·")[0] not in flat


def test_plain_words_for_every_handout(qtbot, window):
    """No line of the handout of three profiles uses the matcher's terms (关键词“…”, 匹配到,
    (类别:…), 勾选需求); a missing condition is said as something the company can do."""
    from desktop.handout_text import plain_condition

    controller, win = window
    profiles = [
        HONGKOU,
        {"district": "徐汇区", "size": "小型", "needs": ["融资", "人才"], "keywords": "贷款"},
        {"district": "杨浦区", "flags": ["外资企业"], "needs": ["跨境贸易", "知识产权"]},
    ]
    for prof in profiles:
        apply_and_wait(qtbot, controller, win, prof)
        whole(qtbot, controller)
        html = controller.output.handout_html()
        assert not any(w in html for w in JARGON), prof
        h = controller.output.handout_model()
        assert all(not any(w in m for w in JARGON) for c in h.near for m in c.missing)
    assert plain_condition("勾选需求“人才”(引进海外人才)") == "有“人才”方面的需求(引进海外人才)"


def test_office_directory_edited_saved_and_printed_under_the_office(qtbot, window, tmp_path):
    """The hall fills in an office once in the editor; it is stored in the user data folder
    and printed under that office; the directory exports and imports as a file."""
    from matcher.engine import Contact, Engine, OfficeDirectory
    from matcher.errors import BadInput
    from matcher.store.office_directory import default_path

    read_file = Engine.read_office_directory

    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    whole(qtbot, controller)
    office = controller.output.handout_model().cards[0].office
    dlg = win.output.open_office_directory()
    assert dlg.district.currentText() == "虹口区"
    names = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())]
    assert "区市场监管局" in names and "各相关部门" not in names  # from resources/offices.toml
    contact = Contact(address="飞虹路518号 1楼", window="B12 窗口", phone="021-6500 0000", hours="工作日 9:00–17:00")
    assert dlg.set_contact(office, contact)
    assert dlg.save()
    assert default_path().is_file()
    assert OfficeDirectory.load().get("虹口区", office) == contact
    # an office as a document may write it (alias, district prefix) finds the same entry
    d = OfficeDirectory.load()
    d.set("虹口区", "区市场监管局", Contact(phone="021-1234 5678"))
    assert d.get("虹口区", "虹口区市场监督管理局").phone == "021-1234 5678"
    assert d.get("杨浦区", "区市场监管局") is None  # per district

    html = controller.output.handout_html()
    at = html.index(f"到 <b>{office}</b>")  # its step of 下一步
    block = html[at : html.index("</p>", at)]
    for value in ("飞虹路518号 1楼", "B12 窗口", f"{office}窗口 021-6500 0000", "工作日 9:00–17:00"):
        assert value in block

    exported = tmp_path / "部门通讯录.json"
    OfficeDirectory.load().save(exported)
    again = read_file(exported)
    assert again.get("虹口区", office) == contact
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"format": "policydesk-office-directory", "entries": [{"district": "虹口区", "office": office, "fax": "1"}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(BadInput, match="bad.json.*fax"):
        read_file(bad)


def test_untick_measures_and_preview_before_printing(qtbot, window):
    """The officer unticks a measure; the handout and its print preview leave it out."""
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    response = whole(qtbot, controller)
    dlg = win.output.open_handout_dialog()
    items = dlg.measure_items()
    assert len(items) == len(response.results)
    first = next(r for r in response.results if r.tier == "targeted")
    mid = first.measure.measure_id

    def printed() -> set[str]:
        h = controller.output.handout_model()
        return {c.measure_id for c in [*h.cards, *h.ask, *h.near]} | {m for s in h.steps for m in s.measure_ids}

    assert mid in printed()
    item = next(i for i in items if i.data(Qt.ItemDataRole.UserRole + 1) == mid)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert controller.output.handout_exclude == {mid}
    assert mid not in printed()
    assert "将打印 %d / %d 项" % (len(items) - 1, len(items)) == dlg.count_label.text()
    preview = dlg.preview()
    assert preview is not None
    widget = preview.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() >= 1, timeout=20000)
    # opens readable: the page as wide as the window, the buttons worded under their icons (issue 21)
    assert widget.zoomMode() == QPrintPreviewWidget.ZoomMode.FitToWidth
    from PySide6.QtWidgets import QToolBar

    assert all(
        b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon for b in preview.findChildren(QToolBar)
    )
    # the tick list never scrolls sideways: long titles wrap
    assert dlg.list.wordWrap() and dlg.list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    preview.reject()
    dlg.reject()
    # new results: nothing left out any more
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, needs=["人才"]))
    assert controller.output.handout_exclude == set()


def test_money_and_dates_formatting():
    from desktop.handout_text import head_count, money_wan, readable_date

    assert money_wan(18000.0) == "1.8 亿元"
    assert money_wan(2500) == "2,500 万元"
    assert money_wan(12345.5) == "1.23 亿元"
    assert money_wan(0.5) == "0.5 万元"
    assert head_count(300.0) == "300 人"
    assert readable_date("2023-03-13") == "2023年3月13日"
    assert re.fullmatch(r"日期不详|", readable_date("")) is not None


def test_office_directory_dialog_keeps_each_districts_entries_and_round_trips(qtbot, window, tmp_path):
    """Entries typed for two districts stay apart; the dialog exports a file that another
    counter's dialog imports; a file that is not a directory is refused by name."""
    from desktop.dialogs.office_directory import OfficeDirectoryDialog
    from matcher.engine import Contact, OfficeDirectory
    from matcher.errors import BadInput

    controller, win = window
    dlg = OfficeDirectoryDialog(OfficeDirectory(), ["虹口区", "杨浦区"], "虹口区")
    qtbot.addWidget(dlg)
    assert dlg.set_contact("区税务局", Contact(phone="021-1111"))
    dlg.district.setCurrentText("杨浦区")
    assert (
        dlg.table.item(
            next(r for r in range(dlg.table.rowCount()) if dlg.table.item(r, 0).text() == "区税务局"), 3
        ).text()
        == ""
    )
    assert dlg.set_contact("区税务局", Contact(phone="021-2222"))
    out = dlg.export_file(tmp_path / "hall.json")
    other = OfficeDirectoryDialog(OfficeDirectory(), ["虹口区", "杨浦区"], "杨浦区")
    qtbot.addWidget(other)
    assert other.import_file(out) == 2
    assert other.directory.get("虹口区", "区税务局").phone == "021-1111"
    assert other.directory.get("杨浦区", "上海市杨浦区税务局").phone == "021-2222"
    rows = [r for r in range(other.table.rowCount()) if other.table.item(r, 0).text() == "区税务局"]
    assert other.table.item(rows[0], 3).text() == "021-2222"  # the table shows it
    other.filter.setText("税务")
    visible = [other.table.item(r, 0).text() for r in range(other.table.rowCount()) if not other.table.isRowHidden(r)]
    assert visible == ["区税务局"]
    notdir = tmp_path / "profile.json"
    notdir.write_text('{"district": "虹口区"}', encoding="utf-8")
    with pytest.raises(BadInput, match="profile.json.*不是部门通讯录"):
        other.import_file(notdir)
