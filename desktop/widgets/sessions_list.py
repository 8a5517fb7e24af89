"""Saved profiles and recent sessions; double click (or Enter) opens one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from matcher.engine import Engine


class SessionsList(QWidget):
    """Signals:
    open_requested(dict): a saved profile or recent session was opened.
    """

    open_requested = Signal(dict)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lab = QLabel("已存画像与最近记录(双击或回车打开)")
        lab.setObjectName("panelTitle")
        lay.addWidget(lab)
        self.list = QListWidget()
        self.list.setAccessibleName("已存画像与最近记录")
        self.list.setWordWrap(True)
        lay.addWidget(self.list, 1)
        self.notice = QLabel()  # damaged record files skipped at the last refresh
        self.notice.setObjectName("sessionsNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        lay.addWidget(self.notice)
        self.list.itemActivated.connect(self._on_list_item_activated)

    def refresh(self) -> None:
        self.list.clear()
        records = Engine.client_records()
        saved, recent, skipped = records.saved, records.recent, records.skipped
        if skipped:
            self.notice.setText(f"已跳过 {len(skipped)} 个无法读取的记录文件:" + ";".join(skipped[:3]))
            self.notice.setToolTip("\n".join(skipped))
            self.notice.show()
        else:
            self.notice.hide()
        self._header(f"已存画像({len(saved)})")
        for e in saved:
            self._add(f"【已存】{e.name} — {e.summary}", e)
        self._header(f"最近记录({len(recent)})")
        for e in recent:
            self._add(e.name, e)

    def _header(self, text: str) -> None:
        it = QListWidgetItem(text, self.list)
        it.setFlags(Qt.ItemFlag.NoItemFlags)
        f = it.font()
        f.setBold(True)
        it.setFont(f)

    def _add(self, text: str, entry) -> None:
        it = QListWidgetItem(text, self.list)
        it.setData(Qt.ItemDataRole.UserRole, entry.profile)
        it.setToolTip(str(entry.path))

    def entries(self) -> list[QListWidgetItem]:
        return [
            self.list.item(i)
            for i in range(self.list.count())
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) is not None
        ]

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        prof = item.data(Qt.ItemDataRole.UserRole)
        if prof is not None:
            self.open_requested.emit(dict(prof))
