"""政策月历: the client's coming dates (the engine's ``Handout.calendar``: deadlines, openings
and the documents' 有效期 of its targeted and 待确认 measures, as of the 判断日期), in date
order, with a button that writes them to an .ics file a phone's calendar opens."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from matcher.models import Handout

from ..handout_text import readable_date


class CalendarDialog(QDialog):
    """Signals:
    ics_requested(): the officer chose 导出日历文件 (the window asks for the file).
    """

    ics_requested = Signal()

    def __init__(self, handout: Handout, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("政策月历")
        self.setObjectName("calendarDialog")
        lay = QVBoxLayout(self)
        who = handout.company or "本企业"
        lay.addWidget(
            QLabel(
                f"{who}的政策月历:为本企业和待确认措施的申报截止、开始日期和政策到期日,"
                f"按判断日期 {readable_date(handout.as_of)} 之后的先后排列。",
                wordWrap=True,
            )
        )
        self.table = QTableWidget(len(handout.calendar), 3)
        self.table.setHorizontalHeaderLabels(["日期", "事项", "部门"])
        self.table.setAccessibleName("政策月历")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, e in enumerate(handout.calendar):
            titles = "、".join(e.titles[:3]) + (f" 等 {len(e.titles)} 项" if len(e.titles) > 3 else "")
            ask = "(待确认)" if e.tier == "unknown" else ""
            cells = (readable_date(e.date), f"{e.kind}:{titles}{ask}", e.office)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"《{e.document}》\n" + "\n".join(e.titles))
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        lay.addWidget(self.table, 1)
        if not handout.calendar:
            lay.addWidget(QLabel("按判断日期,没有写明日期的申报截止或政策到期。", wordWrap=True))
        self.buttons = QDialogButtonBox()
        self.ics_button = self.buttons.addButton("导出日历文件(.ics)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.ics_button.setEnabled(bool(handout.calendar))
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        lay.addWidget(self.buttons)
        self.ics_button.clicked.connect(self.ics_requested)
        self.buttons.rejected.connect(self.reject)
        self.resize(760, 420)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
