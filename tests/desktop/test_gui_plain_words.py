"""Nothing the officer or the client reads names a field by its key ("字段 district 的值…"),
an exception's class, a measure's or document's id, or a program version (issue 21). Each
test drives the window down a realistic path — a bad profile file, a failing task, an
exception in a slot, a pack — and reads every text the window then shows."""

from __future__ import annotations

import json
import re
import sys

import pytest
from fake_backend import FakeBackend
from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QTreeView,
    QWidget,
)

from matcher.engine import Engine

KEYS = sorted(Engine.options().labels, key=len, reverse=True) + ["specialisation", "sme_group"]
FORBIDDEN = {
    "a field's key": re.compile(r"(?<![A-Za-z_])(" + "|".join(KEYS) + r")(?![A-Za-z_])"),
    "the word 字段": re.compile("字段"),
    "an exception's class": re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b"),
    "a measure's id": re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+/[0-9一二三四五六七八九十(（]"),
    "a document's id": re.compile(r"(?<![A-Za-z0-9_./-])[a-z]+-(?:19|20)\d\d(?![A-Za-z0-9_./-])"),
    "a version": re.compile(r"\b\d+\.\d+\.\d+\b|PolicyDesk\s*v?\d"),
}
PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s:,。;]*")  # a file's path (the log's) is not a word


def shown_texts(win) -> list[str]:
    """Every text on screen: the window's and every visible dialog's labels, buttons, text
    panes and list cells (with their tooltips), the status bar."""
    out = [win.statusBar().currentMessage()]
    tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for top in tops:
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible():
                continue
            if isinstance(w, QLabel | QAbstractButton):
                out.append(w.text())
            elif isinstance(w, QTextEdit | QPlainTextEdit):
                out.append(w.toPlainText())
            elif isinstance(w, QAbstractItemView) and w.model() is not None:
                out += _cells(w.model(), tree=isinstance(w, QTreeView))
            if w.toolTip():
                out.append(w.toolTip())
    return [t for t in out if t]


def _cells(model, parent=None, depth=0, tree=False) -> list[str]:
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    out = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model: one column, its count not public
        columns = 1
    for r in range(min(model.rowCount(parent), 200)):
        for c in range(columns):
            idx = model.index(r, c, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                v = idx.data(role)
                if isinstance(v, str):
                    out.append(v)
        if tree and depth < 2:
            out += _cells(model, model.index(r, 0, parent), depth + 1, tree)
    return out


def offending(texts: list[str]) -> list[tuple[str, str]]:
    bad = []
    for t in texts:
        flat = PATH.sub(" ", t)
        for what, pat in FORBIDDEN.items():
            if pat.search(flat):
                bad.append((what, t[:160]))
    return bad


def test_the_checks_catch_what_the_window_used_to_show():
    """The patterns find what issue 21 saw (so a clean window is a finding, not luck)."""
    seen = [
        "字段 district 的值“北京”无法识别",
        "程序内部出错(AttributeError),这次操作没有完成",
        "编号 hongkou-2023/2.9",
        "[用户导入] hongkou-2023 · 虹口区",
        "政策包 m.pdpack:2026-01-01 由 PolicyDesk 0.1.0 导出",
    ]
    assert len(offending(seen)) >= len(seen)


BAD_PROFILES = [
    {"district": "北京市朝阳区"},
    {"district": "虹口区", "founded": 1800},
    {"district": "虹口区", "industry": "制造业", "employees": "很多"},
    {"district": "虹口区", "flags": ["民营企业", "国有企业"]},
    {"district": "虹口区", "revenue": -5},
]


@pytest.mark.parametrize("profile", BAD_PROFILES, ids=lambda p: "-".join(map(str, p.values()))[:30])
def test_a_bad_profile_file_is_told_in_the_forms_words(qtbot, window, tmp_path, profile):
    controller, win = window
    path = tmp_path / "客户.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    opened = controller.read_profile_file(path)
    if opened is not None:
        with qtbot.waitSignal(controller.profile_problem, timeout=10000) as blocker:
            win.apply_profile(opened)
        assert blocker.args[0]  # the problem is told
    qtbot.wait(50)
    assert offending(shown_texts(win)) == []


def test_a_failing_task_and_a_failing_slot_name_no_exception(qtbot, make_window, monkeypatch):
    from desktop import app as app_mod

    controller, win = make_window(FakeBackend(fail_on="爆炸"))
    with qtbot.waitSignal(controller.error, timeout=10000):
        win.apply_profile({"district": "虹口区", "keywords": "爆炸"})
    assert win.error_bar.isVisible()
    assert offending(shown_texts(win)) == []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_mod._install_excepthook([win])
    try:
        raise AttributeError("'NoneType' object has no attribute 'setLabelText'")
    except AttributeError:
        sys.excepthook(*sys.exc_info())
    assert "程序内部出错" in win.error_bar.label.text()
    assert offending(shown_texts(win)) == []


def test_a_result_its_detail_and_the_documents_show_no_ids(qtbot, window):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    win.results_panel.applies.select_first()
    assert win.detail.result is not None
    docs = win.files.show_documents()
    qtbot.waitExposed(docs)
    about = win.show_about()
    about.close()  # 关于 keeps the versions, in small print, for a support call
    assert offending(shown_texts(win)) == []
    docs.close()


def test_a_pack_plan_shows_no_ids_or_versions(qtbot, window, tmp_path, monkeypatch, seed_cache):
    from test_gui_packs import _maintainer_pack

    pack = _maintainer_pack(tmp_path, monkeypatch, seed_cache)
    _controller, win = window
    win.packs.update_library_from(pack)
    qtbot.waitUntil(
        lambda: win.packs.pack_plan_dialog is not None and win.packs.pack_plan_dialog.isVisible(), timeout=30000
    )
    text = win.packs.pack_plan_dialog.text.toPlainText()
    assert "新增:" in text and "《" in text
    assert offending(shown_texts(win)) == []
    win.packs.pack_plan_dialog.close()
