"""Client records and imported documents in the window (issue 12): damaged record files never
stop the window, 清除客户记录 empties the list, a recent session is kept only when the
officer prints, exports or saves, and an imported document can be deleted."""

from __future__ import annotations

import json
from pathlib import Path

from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"


def _records(home: Path) -> tuple[Path, Path]:
    s, p = home / "data" / "sessions", home / "data" / "profiles"
    s.mkdir(parents=True, exist_ok=True)
    p.mkdir(parents=True, exist_ok=True)
    return s, p


def test_damaged_records_do_not_stop_the_window(qtbot, make_window, policydesk_home):
    s, p = _records(policydesk_home)
    (s / "20260101-090000-000000.json").write_text('{"profile": 5}', encoding="utf-8")
    (s / "20260101-090001-000000.json").write_bytes(b"\xff\xfe\x00garbage")
    (p / "坏的.json").write_text('{"district": "虹口区", "needs": 5}', encoding="utf-8")
    (p / "好的.json").write_text(
        json.dumps({"district": "虹口区", "needs": ["融资"]}, ensure_ascii=False), encoding="utf-8"
    )
    controller, win = make_window()
    lst = win.sessions_list
    assert [i.text() for i in lst.entries()] and any("好的" in i.text() for i in lst.entries())
    assert not lst.notice.isHidden() and "3 个" in lst.notice.text()


def test_recent_session_only_on_save_and_clear_client_records(qtbot, window, policydesk_home, tmp_path):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    sdir, pdir = _records(policydesk_home)
    assert not list(sdir.glob("*.json"))  # a match alone keeps nothing
    with qtbot.waitSignal(controller.export_finished, timeout=30000):
        win.output.export_xlsx_to(tmp_path / "x.xlsx")
    assert len(list(sdir.glob("*.json"))) == 1  # an export keeps the session
    assert controller.save_profile("客户甲") is not None
    assert list(pdir.glob("*.json"))
    win.files.clear_records(confirm=False)
    assert not list(sdir.glob("*.json")) and not list(pdir.glob("*.json"))
    assert win.sessions_list.entries() == []


def test_delete_an_imported_document_from_the_window(qtbot, window):
    from desktop.dialogs.documents import DocumentsDialog

    controller, win = window
    with qtbot.waitSignal(controller.import_finished, timeout=60000) as blocker:
        controller.import_files([DOC])
    assert blocker.args[0].ok
    qtbot.waitUntil(lambda: any(d.source == "user" for d in controller.snapshot.documents), timeout=30000)
    n = len(controller.snapshot.documents)
    dlg = DocumentsDialog(controller.snapshot, win, confirm=lambda doc_id, title: True)
    qtbot.addWidget(dlg)
    dlg.remove_requested.connect(controller.remove_document)
    seeds = [
        dlg.list.item(i) for i in range(dlg.list.count()) if not dlg.list.item(i).data(Qt.ItemDataRole.UserRole)[1]
    ]
    dlg.list.setCurrentItem(seeds[0])
    assert not dlg.delete_button.isEnabled()  # a built-in document cannot be deleted
    user = next(dlg.list.item(i) for i in range(dlg.list.count()) if dlg.list.item(i).data(Qt.ItemDataRole.UserRole)[1])
    dlg.list.setCurrentItem(user)
    assert dlg.delete_button.isEnabled()
    with qtbot.waitSignal(controller.kb_ready, timeout=60000) as ready:
        dlg.delete_button.click()
    assert len(ready.args[0].documents) == n - 1
    assert not any(d.source == "user" for d in ready.args[0].documents)
