"""更新政策库 in the window: the plan is shown before anything changes, a conflict with the
counter's own import needs a tick, and after the import each saved client's changes are
listed; the shared library's name and date are in the status bar."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from packkeys import test_key, trust_test_key

ROOT = Path(__file__).resolve().parents[2]
SONGJIANG = ROOT / "tests" / "corpus" / "songjiang_jinrong_ruogan_2025.txt"
YANGPU = ROOT / "tests" / "corpus" / "yangpu_zongchengbao_zixun_shenbao_2026.txt"


def _maintainer_pack(tmp_path, monkeypatch, seed_cache) -> Path:
    """A pack exported by another home (the maintainer's): two corpus documents."""
    from matcher.cli.main import main

    home = tmp_path / "maintainer"
    shutil.copytree(seed_cache, home / "cache")
    with monkeypatch.context() as mp:
        mp.setenv("POLICYDESK_HOME", str(home))
        assert main(["ingest", str(SONGJIANG), str(YANGPU)]) == 0
        assert main(["pack", "export", str(tmp_path / "m.pdpack"), "--sign", str(test_key()[0])]) == 0
    trust_test_key()  # the window's counter trusts the maintainer's key
    return tmp_path / "m.pdpack"


def test_update_library_shows_plan_then_changes_per_saved_client(qtbot, window, tmp_path, monkeypatch, seed_cache):
    from matcher.store.userdata import profiles_dir

    pack = _maintainer_pack(tmp_path, monkeypatch, seed_cache)
    controller, win = window
    (profiles_dir() / "松江融资客户.json").write_text(
        json.dumps({"district": "松江区", "needs": ["融资"]}, ensure_ascii=False), encoding="utf-8"
    )
    docs_before = len(controller.snapshot.documents)
    win.packs.update_library_from(pack)
    qtbot.waitUntil(
        lambda: win.packs.pack_plan_dialog is not None and win.packs.pack_plan_dialog.isVisible(), timeout=30000
    )
    dlg = win.packs.pack_plan_dialog
    text = dlg.text.toPlainText()
    assert "新增:《松江区关于强化金融支持" in text and "新增:《关于开展2026年度杨浦区" in text
    assert len(controller.snapshot.documents) == docs_before  # nothing changed yet
    with qtbot.waitSignal(controller.kb_ready, timeout=30000):
        dlg.apply_button.click()
    assert len(controller.snapshot.documents) == docs_before + 2
    qtbot.waitUntil(
        lambda: win.packs.changes_dialog is not None and win.packs.changes_dialog.isVisible(), timeout=10000
    )
    shown = win.packs.changes_dialog.text()
    assert "松江融资客户" in shown and "新增适用" in shown
    assert "鼓励企业融资助力发展" in shown  # a Songjiang finance measure
    win.packs.changes_dialog.mark_button.click()
    from matcher.clients.changes import reviewed_at

    assert reviewed_at("松江融资客户")


def test_conflict_with_own_import_needs_the_tick(qtbot, window, tmp_path, monkeypatch, seed_cache):
    from matcher.cli.main import main

    controller, win = window
    edited = tmp_path / "own" / YANGPU.name
    edited.parent.mkdir()
    edited.write_text(YANGPU.read_text(encoding="utf-8").replace("申报", "申请", 3), encoding="utf-8")
    assert main(["ingest", str(edited)]) == 0  # this counter's own import
    pack = _maintainer_pack(tmp_path, monkeypatch, seed_cache)
    win.packs.update_library_from(pack)
    qtbot.waitUntil(
        lambda: win.packs.pack_plan_dialog is not None and win.packs.pack_plan_dialog.isVisible(), timeout=30000
    )
    dlg = win.packs.pack_plan_dialog
    assert "冲突:本机自行导入的《关于开展2026年度杨浦区" in dlg.text.toPlainText()
    assert "--replace-own" not in dlg.text.toPlainText() and "请勾选下面的" in dlg.text.toPlainText()
    assert dlg.replace_own.isVisible() and not dlg.apply_button.isEnabled()
    dlg.replace_own.setChecked(True)
    assert dlg.apply_button.isEnabled() and "将替换本机自行导入的" in dlg.text.toPlainText()


def test_damaged_pack_is_a_message_not_a_dialog(qtbot, window, tmp_path):
    controller, win = window
    bad = tmp_path / "bad.pdpack"
    bad.write_bytes(b"PK\x03\x04broken")
    before = len(controller.snapshot.documents)
    win.packs.update_library_from(bad)
    qtbot.waitUntil(lambda: win.error_bar.isVisible(), timeout=10000)
    assert "政策包未导入" in win.error_bar.label.text() and "未做任何更改" in win.error_bar.label.text()
    assert win.packs.pack_plan_dialog is None and len(controller.snapshot.documents) == before


def test_shared_library_named_with_its_date(qtbot, make_window, tmp_path, monkeypatch, seed_cache):
    pack = _maintainer_pack(tmp_path, monkeypatch, seed_cache)
    lib = tmp_path / "share"
    lib.mkdir()
    shutil.copyfile(pack, lib / "区政策库.pdpack")
    monkeypatch.setenv("POLICYDESK_LIBRARY", str(lib))
    controller, win = make_window()
    created = json.loads(__import__("zipfile").ZipFile(pack).read("manifest.json"))["created"][:10]
    assert "共享政策库 区政策库.pdpack" in win.kb_label.text() and created in win.kb_label.text()
    assert any(d.doc_id == "songjiang-2025" for d in controller.snapshot.documents)


def test_document_import_says_which_saved_clients_it_changed(qtbot, window):
    from matcher.store.userdata import profiles_dir

    controller, win = window
    (profiles_dir() / "松江融资客户.json").write_text(
        json.dumps({"district": "松江区", "needs": ["融资"]}, ensure_ascii=False), encoding="utf-8"
    )
    (profiles_dir() / "虹口客户.json").write_text(
        json.dumps({"district": "虹口区"}, ensure_ascii=False), encoding="utf-8"
    )
    with qtbot.waitSignal(controller.import_finished, timeout=30000):
        controller.import_files([SONGJIANG])
    qtbot.waitUntil(lambda: win.packs.clients_after_import is not None, timeout=30000)
    assert [c["name"] for c in win.packs.clients_after_import] == ["松江融资客户"]
    assert "1 位已存客户" in win.statusBar().currentMessage()
