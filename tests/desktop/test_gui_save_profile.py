"""保存画像 (issue 21): the dialog was 200×109 and proposed "虹口区_交通运输…"; it proposes the
company's name (企业名称) when the form has one, and is wide enough to read and edit it."""

from __future__ import annotations

import pytest
from gui_helpers import HONGKOU, apply_and_wait
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

COMPANY = "上海北外滩国际航运船舶代理服务有限公司"


def _when_asked(act) -> list:
    seen: list = []

    def look():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QInputDialog):
            QTimer.singleShot(20, look)
            return
        edit = dlg.findChild(QLineEdit)
        seen.append((dlg.textValue(), dlg.size(), edit.fontMetrics().horizontalAdvance(dlg.textValue()), edit.width()))
        act(dlg)

    QTimer.singleShot(0, look)
    return seen


@pytest.mark.parametrize("large", [False, True])
def test_save_proposes_the_company_name_in_a_dialog_it_fits(qtbot, make_window, large):
    controller, win = make_window(large_text=large)
    apply_and_wait(qtbot, controller, win, {**HONGKOU, "company": COMPANY})
    seen = _when_asked(lambda dlg: dlg.accept())
    win.act_save.trigger()
    assert seen, "no dialog was shown"
    text, size, text_width, edit_width = seen[0]
    assert text == COMPANY
    assert size.width() >= 400 and size.height() >= 100
    assert edit_width >= text_width  # the whole name in sight
    assert any(e.text().startswith(f"【已存】{COMPANY}") for e in win.sessions_list.entries())


def test_without_a_company_name_the_district_and_industry(qtbot, window):
    controller, win = window
    apply_and_wait(qtbot, controller, win, HONGKOU)
    seen = _when_asked(lambda dlg: dlg.reject())
    win.act_save.trigger()
    assert seen and seen[0][0].startswith("虹口区_交通运输")
    assert not any(e.text().startswith("【已存】") for e in win.sessions_list.entries())  # 取消: nothing saved
