"""The window's output commands: 打印清单 (choose the measures, print preview), 导出 PDF,
导出 Excel and the 部门通讯录 editor. A mixin of :class:`desktop.main_window.MainWindow`
(which provides ``controller``, ``error_bar``, ``statusBar`` and the file-name helpers)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from .controller import user_message
from .dialogs.handout_dialog import HandoutDialog
from .dialogs.office_directory import OfficeDirectoryDialog


class OutputActions:
    def _on_print_triggered(self) -> None:
        self.open_handout_dialog()

    def open_handout_dialog(self) -> HandoutDialog | None:
        """打印清单: choose the measures, then a print preview (or a PDF). The results the
        handout needs are fetched first, on the worker (progress in the status bar); the
        dialog opens when they are here (returned when they already were)."""
        if self.controller.response is None:
            self.error_bar.show_message("还没有匹配结果:请先填写企业画像(至少选择所在区)。")
            return None
        self.handout_dialog = None
        self.controller.with_whole("handout", lambda _r: self._show_handout_dialog())
        return self.handout_dialog

    def _show_handout_dialog(self) -> HandoutDialog:
        dlg = HandoutDialog(self.controller, self)
        dlg.pdf_requested.connect(self._on_handout_pdf_requested)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.handout_dialog = dlg
        dlg.open()
        return dlg

    def _on_handout_pdf_requested(self) -> None:
        self._on_pdf_triggered()

    def open_office_directory(self) -> OfficeDirectoryDialog:
        """部门通讯录: the hall fills in each office's address, window, phone and hours."""
        from .office_directory import OfficeDirectory

        try:
            directory = OfficeDirectory.load()
        except Exception as err:
            self.error_bar.show_message("部门通讯录文件无法读取,已按空白打开:" + user_message(err))
            directory = OfficeDirectory()
        snap = self.controller.snapshot
        districts = snap.options.districts if snap else []
        current = (
            self.controller.response.profile.get("district", "")
            if self.controller.response is not None and isinstance(self.controller.response.profile, dict)
            else ""
        )
        dlg = OfficeDirectoryDialog(directory, districts, current, self)
        dlg.saved.connect(lambda: self.statusBar().showMessage("部门通讯录已保存", 5000))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.office_directory_dialog = dlg
        dlg.open()
        return dlg

    def _on_pdf_triggered(self) -> None:
        if self.controller.response is None:
            self.error_bar.show_message("还没有匹配结果:请先填写企业画像(至少选择所在区)。")
            return
        path, _ = QFileDialog.getSaveFileName(self, "导出 PDF", self._default_name("pdf"), "PDF 文件 (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.export_pdf_to(Path(path))

    def _on_xlsx_triggered(self) -> None:
        if self.controller.response is None:
            self.error_bar.show_message("还没有匹配结果:请先填写企业画像(至少选择所在区)。")
            return
        path, _ = QFileDialog.getSaveFileName(self, "导出 Excel", self._default_name("xlsx"), "Excel 文件 (*.xlsx)")
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_xlsx_to(Path(path))
