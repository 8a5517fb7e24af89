"""部门通讯录: the editor in which a district hall fills in, once, each office's address,
window, phone and hours (:meth:`matcher.engine.Engine.office_directory`). Import and export to a
file, so that every counter of the hall prints the same directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from matcher.engine import Contact, Engine, OfficeDirectory
from matcher.errors import PolicyDeskError
from matcher.presentation import DIRECTORY_FIELDS as FIELDS
from matcher.presentation import DIRECTORY_LABELS as FIELD_LABELS

from ..messages import user_message


class OfficeDirectoryDialog(QDialog):
    """Signals:
    saved(): the directory was written to the user data folder.
    """

    saved = Signal()

    def __init__(self, directory: OfficeDirectory, districts: list[str], district: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("部门通讯录(打印在服务清单上)")
        self.setObjectName("officeDirectoryDialog")
        self.directory = directory
        self._offices = Engine.known_offices()
        self._shown_district = ""
        lay = QVBoxLayout(self)
        intro = QLabel(
            "本大厅各部门的地址、窗口、电话和办公时间,只需填写一次;"
            "打印服务清单时印在对应部门下面。留空的部门不打印联系方式。",
            wordWrap=True,
        )
        lay.addWidget(intro)

        top = QHBoxLayout()
        self.district = QComboBox()
        self.district.setAccessibleName("所在区")
        self.district.addItems(list(districts) + (["上海市"] if "上海市" not in districts else []))
        if district:
            i = self.district.findText(district)
            self.district.setCurrentIndex(max(i, 0))
        lab = QLabel("所在区(&D):")
        lab.setBuddy(self.district)
        top.addWidget(lab)
        top.addWidget(self.district)
        self.filter = QLineEdit(placeholderText="查找部门,如:市场监管、人社")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("查找部门")
        top.addWidget(self.filter, 1)
        lay.addLayout(top)

        self.table = QTableWidget(0, 1 + len(FIELDS))
        self.table.setHorizontalHeaderLabels(["部门"] + [FIELD_LABELS[f] for f in FIELDS])
        self.table.setAccessibleName("部门通讯录")
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        lay.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.import_button = QPushButton("导入…")
        self.import_button.setToolTip("从部门通讯录文件导入(同名部门以文件为准)")
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("导出为文件,供本大厅其他窗口导入")
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        bottom.addWidget(self.buttons)
        lay.addLayout(bottom)
        self.resize(900, 560)

        self.district.currentTextChanged.connect(self._on_district_changed)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._fill()

    # -- table ------------------------------------------------------------------------------
    def _office_names(self, district: str) -> list[str]:
        names = [o.name for o in self._offices]
        extra = sorted(o for d, o in self.directory.entries if d == district and o not in names)
        return names + extra

    def _fill(self) -> None:
        district = self.district.currentText()
        self._shown_district = district
        names = self._office_names(district)
        aliases = {o.name: o.aliases for o in self._offices}
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            item = QTableWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            if aliases.get(name):
                item.setToolTip("也写作:" + "、".join(aliases[name]))
            self.table.setItem(row, 0, item)
            c = self.directory.entries.get((district, name)) or Contact()
            for col, f in enumerate(FIELDS, start=1):
                self.table.setItem(row, col, QTableWidgetItem(getattr(c, f)))
        self._on_filter_changed(self.filter.text())

    def commit(self) -> None:
        """The table's contents into the directory (in memory)."""
        district = self._shown_district
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0).text()
            values = {
                f: (self.table.item(row, col).text() if self.table.item(row, col) else "")
                for col, f in enumerate(FIELDS, start=1)
            }
            self.directory.set(district, name, Contact(**values))

    def set_contact(self, office: str, contact: Contact) -> bool:
        """Fill one office's row (tests and import use it); False when not listed."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == office:
                for col, f in enumerate(FIELDS, start=1):
                    self.table.item(row, col).setText(getattr(contact, f))
                return True
        return False

    # -- slots -------------------------------------------------------------------------------
    def _on_district_changed(self, _text: str) -> None:
        self.commit()
        self._fill()

    def _on_filter_changed(self, text: str) -> None:
        text = text.strip()
        aliases = {o.name: " ".join(o.aliases) for o in self._offices}
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0).text()
            hit = not text or text in name or text in aliases.get(name, "")
            self.table.setRowHidden(row, not hit)

    def save(self) -> bool:
        self.commit()
        try:
            self.directory.save()
        except OSError as err:
            QMessageBox.warning(self, "未保存", f"部门通讯录无法保存:{Engine.os_reason(err)}")
            return False
        self.saved.emit()
        self.accept()
        return True

    def import_file(self, path: Path) -> int:
        """Merge a directory file; returns the number of entries taken."""
        self.commit()
        n = self.directory.merge(Engine.read_office_directory(Path(path)))
        self._fill()
        return n

    def export_file(self, path: Path) -> Path:
        self.commit()
        return self.directory.save(Path(path))

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入部门通讯录", "", "部门通讯录 (*.json)")
        if not path:
            return
        try:
            n = self.import_file(Path(path))
        except PolicyDeskError as err:
            QMessageBox.warning(self, "无法导入", user_message(err))
            return
        QMessageBox.information(self, "已导入", f"已导入 {n} 个部门的联系方式;点“保存”后生效。")

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出部门通讯录", "部门通讯录.json", "部门通讯录 (*.json)")
        if not path:
            return
        try:
            self.export_file(Path(path))
        except OSError as err:
            QMessageBox.warning(self, "无法导出", f"无法写入 {path}:{Engine.os_reason(err)}")
