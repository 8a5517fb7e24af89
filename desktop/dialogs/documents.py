"""The documents in the knowledge base, with 删除 for an imported one (built-in documents
cannot be deleted). Deleting asks first; the controller does the work."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from .confirm import ask_destructive


def document_label(d, n_measures: int) -> str:
    src = "用户导入" if getattr(d, "source", "seed") == "user" else "内置"
    return f"[{src}] {d.district} · {d.title} · {d.issued or '日期不详'} · {n_measures} 条措施"


class DocumentsDialog(QDialog):
    """Signals:
    remove_requested(str): the doc_id the officer confirmed for deletion.
    """

    remove_requested = Signal(str)

    def __init__(self, snapshot, parent=None, *, confirm=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("知识库中的文件")
        self.resize(760, 420)
        self._confirm = confirm or self._ask
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("内置文件不能删除;导入的文件可以删除(其措施、保存的原文件和更正一并删除)。"))
        self.list = QListWidget()
        self.list.setAccessibleName("知识库中的文件")
        lay.addWidget(self.list, 1)
        self.delete_button = QPushButton("删除所选导入文件…")
        self.delete_button.setEnabled(False)
        lay.addWidget(self.delete_button)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.set_snapshot(snapshot)

    def set_snapshot(self, snapshot) -> None:
        self.list.clear()
        if snapshot is None:
            return
        for d in snapshot.documents:
            it = QListWidgetItem(document_label(d, snapshot.count_of(d.doc_id)), self.list)
            it.setData(Qt.ItemDataRole.UserRole, (d.doc_id, getattr(d, "source", "seed") == "user", d.title))

    def _on_list_current_item_changed(self, item, _prev) -> None:
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.delete_button.setEnabled(bool(data and data[1]))

    def _ask(self, doc_id: str, title: str) -> bool:
        return ask_destructive(
            self, "删除导入的文件", f"删除《{title}》?\n其措施、保存的原文件和对这些措施的更正都会删除,不能撤销。"
        )

    def _on_delete_button_clicked(self) -> None:
        item = self.list.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not data or not data[1]:
            return
        doc_id, _user, title = data
        if self._confirm(doc_id, title):
            self.remove_requested.emit(doc_id)
            self.list.takeItem(self.list.row(item))
