"""Handout (PDF), Excel export, importing documents, saved profiles and recent sessions."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import HONGKOU, apply_and_wait, whole
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def test_export_pdf_handout_text(qtbot, window, tmp_path):
    """Ensures the PDF handout holds the profile, the 判断日期, 下一步 by office, the 申兑指南
    cards, and a readable knowledge-base date (not its fingerprint) — as real, extractable
    Chinese text."""
    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    out = tmp_path / "清单.pdf"
    with qtbot.waitSignal(controller.export_finished, timeout=30000) as blocker:
        win.output.export_pdf_to(out)
    assert blocker.args == ["pdf", str(out)]
    text = _pdf_text(out).replace("\t", " ")
    flat = "".join(text.split())
    assert "政策服务清单" in flat and "虹口区" in flat and "北外滩" in flat
    assert "下一步" in flat and "为本企业:申兑指南" in flat and "判断日期:" in flat
    assert controller.snapshot.version.split("·")[0] not in flat
    assert "政策知识库共5份政策文件,最新一份发布于2025年" in flat
    first = next(r for r in response.results if r.tier == "targeted")
    assert "".join(first.measure.title.split()) in flat
    assert first.measure.offices_canonical[0] in flat
    if any(r.tier == "near" for r in response.results):
        assert "补足一个条件还可享受" in flat
    # no Kangxi radicals in place of ideographs (口 U+53E3, not ⼝ U+2F1D)
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in text)


def test_handout_prints_each_measure_once_needs_first(qtbot, window):
    """Ensures the handout a business owner takes away stays short and complete: every
    measure for this company (the targeted tier) has its card once and is under one office
    of 下一步; the services every firm gets are counted in one paragraph, not listed."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    response = whole(qtbot, controller)  # what the handout is made of, fetched whole
    targeted = [r.measure.measure_id for r in response.results if r.tier == "targeted"]
    general = [r for r in response.results if r.tier == "general"]
    assert targeted and general  # Hongkou: services open to all too
    h = controller.output.handout_model()
    assert [c.measure_id for c in h.cards] == targeted
    assert sorted(m for s in h.steps for m in s.measure_ids) == sorted(targeted)
    assert h.general_count == len(general) and f"等 {len(general)} 项" in h.general
    html = controller.output.handout_html()
    assert "普惠服务" in html and html.count("<h2>") <= 7


def test_export_without_results_is_a_message(qtbot, window):
    """Ensures exporting before any result explains what to do instead of failing."""
    controller, win = window
    with qtbot.waitSignal(controller.error, timeout=5000) as blocker:
        win.output.export_pdf_to(Path("/nonexistent/x.pdf"))
    assert "画像" in blocker.args[0]


def test_export_pdf_to_unwritable_place_is_a_message(qtbot, window, tmp_path):
    """Ensures a PDF that cannot be written gives a message, and the window keeps working."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    with qtbot.waitSignal(controller.error, timeout=30000) as blocker:
        win.output.export_pdf_to(tmp_path / "no-such-folder" / "x.pdf")
    assert "PDF" in blocker.args[0] and "Traceback" not in blocker.args[0]
    assert win.error_bar.isVisible()
    apply_and_wait(qtbot, controller, win, dict(HONGKOU, needs=["人才"]))


def test_export_xlsx(qtbot, window, tmp_path):
    """Ensures the Excel export (matcher.export) writes the measures."""
    import openpyxl

    controller, win = window
    response = apply_and_wait(qtbot, controller, win, HONGKOU)
    out = tmp_path / "清单.xlsx"
    with qtbot.waitSignal(controller.export_finished, timeout=30000):
        win.output.export_xlsx_to(out)
    wb = openpyxl.load_workbook(out)
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    assert response.results[0].measure.clause in cells


def _damaged_document(tmp_path: Path) -> Path:
    """The first lines of the damaged Xuhui 2025 seed (Traditional, pinyin annotations,
    one-byte-off GBK mojibake), re-labelled as a 静安区 document."""
    src = (ROOT / "seeds" / "004_582d36715f3e095f.txt").read_text(encoding="utf-8")
    text = "\n".join(src.splitlines()[:40]).replace("徐匯", "靜安")
    p = tmp_path / "静安区行动方案.txt"
    p.write_text(text, encoding="utf-8")
    return p


def test_import_damaged_document_shows_report(qtbot, window, tmp_path):
    """Ensures importing a damaged document shows a progress dialog, then a report of what
    was parsed and repaired, and the new measures become matchable."""
    controller, win = window
    path = _damaged_document(tmp_path)
    before = controller.snapshot.measure_count
    with qtbot.waitSignal(controller.import_finished, timeout=60000) as blocker:
        win.files.import_paths([path])
        assert win.files.progress is not None and win.files.progress.isVisible()
    report = blocker.args[0]
    assert report.ok, report.refused
    qtbot.waitUntil(lambda: controller.snapshot.measure_count > before, timeout=10000)
    dlg = win.files.report_dialog
    assert dlg is not None and dlg.isVisible()
    text = dlg.text()
    assert "已导入 1 份文件" in text and "静安区" in text
    assert "删除拼音注音" in text and "繁体转简体" in text and "修复乱码" in text
    response = apply_and_wait(qtbot, controller, win, {"district": "静安区"})
    assert any(r.measure.district == "静安区" for r in response.results)
    dlg.close()


def test_import_refused_document_explains_why(qtbot, window, tmp_path):
    """Ensures a file that is not a policy document is refused with a reason, the KB is
    unchanged, and the report offers to retry with the district given by hand."""
    controller, win = window
    bad = tmp_path / "菜单.txt"
    bad.write_text("今日午餐:红烧肉、青菜、米饭。\n晚餐:面条。\n", encoding="utf-8")
    before = controller.snapshot.version
    with qtbot.waitSignal(controller.import_finished, timeout=30000) as blocker:
        win.files.import_paths([bad])
    report = blocker.args[0]
    assert not report.ok and report.refused and "Traceback" not in report.refused
    dlg = win.files.report_dialog
    assert "未导入" in dlg.text() and "知识库没有改变" in dlg.text()
    assert dlg.retry_box.isVisible()
    assert controller.snapshot.version == before
    dlg.close()


def test_drop_file_on_window_imports_it(qtbot, window, tmp_path):
    """Ensures dropping a document on the window starts an import."""
    controller, win = window
    path = _damaged_document(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(win.width() // 2, win.height() // 2)
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(win, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(controller.import_finished, timeout=60000):
        drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(win, drop)
    win.files.report_dialog.close()


def test_unrepaired_spots_are_listed(qtbot):
    """Ensures the import report lists spots the engine could not repair, with line and
    snippet."""
    from desktop.controller import ImportReport
    from desktop.dialogs.import_report import ImportReportDialog
    from matcher.models import Document, Spot

    doc = Document(
        doc_id="x",
        district="静安区",
        title="某方案",
        source_file="x.txt",
        sha256="0" * 64,
        repairs={"mojibake": 2},
        unrepaired=[Spot(line=12, snippet="推动?\ue000企业", why="无法还原的乱码")],
    )
    dlg = ImportReportDialog(ImportReport([Path("x.txt")], [doc], None), ["静安区"])
    qtbot.addWidget(dlg)
    text = dlg.text()
    assert "无法修复 1 处" in text and "第 12 行" in text and "修复乱码 2 处" in text


def test_saved_profile_opens_with_double_click(qtbot, window):
    """Ensures a saved profile appears in the list and a double click opens it; saving
    records a recent session, a match alone does not (issue 12: client data kept only
    when the officer prints, exports or saves)."""
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    assert controller.save_profile("北外滩航运代理") is not None
    apply_and_wait(qtbot, controller, win, {"district": "杨浦区"})
    lst = win.sessions_list
    items = lst.entries()
    saved = next(i for i in items if "北外滩航运代理" in i.text())
    assert not any("杨浦区" in i.text() for i in items)  # a match alone: no record
    assert any(i.text().startswith("20") and "虹口区" in i.text() for i in items)  # saved → recent
    win.left_tabs.setCurrentWidget(lst)
    rect = lst.list.visualItemRect(saved)
    with qtbot.waitSignal(controller.results_changed, timeout=20000) as blocker:
        # a real double click: press/release, then the second press arrives as DblClick
        qtbot.mouseClick(lst.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(lst.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[1]["district"] == "虹口区"
    assert win.profile_panel.profile()["keywords"] == HONGKOU["keywords"]
