"""The window's output commands (:class:`OutputPresenter`): 打印清单 (choose the measures,
print preview), 导出 PDF, 导出 Excel and the 部门通讯录 editor — the file dialogs and the
status line around the controller's print and export (:attr:`Controller.output`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow

from matcher.engine import Engine, OfficeDirectory

from .dialogs.calendar_dialog import CalendarDialog
from .dialogs.handout_dialog import HandoutDialog
from .dialogs.office_directory import OfficeDirectoryDialog
from .messages import user_message
from .settings import documents_dir

if TYPE_CHECKING:
    from .controller import Controller
    from .widgets.error_bar import ErrorBar

NO_RESULTS = "还没有匹配结果:请先填写企业画像(至少选择所在区)。"


class OutputPresenter(QObject):
    """Print, PDF, Excel and the office directory, for the window ``window``."""

    def __init__(self, controller: Controller, window: QMainWindow, error_bar: ErrorBar) -> None:
        super().__init__(window)
        self.controller, self.window, self.error_bar = controller, window, error_bar
        self.handout_dialog: HandoutDialog | None = None
        self.calendar_dialog: CalendarDialog | None = None
        self.office_directory_dialog: OfficeDirectoryDialog | None = None
        self.last_export: tuple[str, str] | None = None
        self.actions: list[QAction] = []  # print, PDF, Excel: enabled while there is an answer
        controller.first_page.connect(self._on_controller_first_page)
        controller.results_changed.connect(self._on_controller_results_changed)
        controller.export_finished.connect(self._on_controller_export_finished)

    def set_enabled(self, on: bool) -> None:
        """Print, PDF and Excel only while there is an answer to print."""
        for a in self.actions:
            a.setEnabled(on)

    def _on_controller_first_page(self, answer) -> None:
        self.set_enabled(answer is not None)

    def _on_controller_results_changed(self, answer, _profile: dict) -> None:
        self.set_enabled(answer is not None)

    def default_name(self, suffix: str) -> str:
        p = self.controller.response_profile or {}
        return str(Path(documents_dir()) / f"政策服务清单_{p.get('district', '')}_{date.today():%Y%m%d}.{suffix}")

    # -- print -------------------------------------------------------------------------------
    def open_handout_dialog(self) -> HandoutDialog | None:
        """打印清单: choose the measures, then a print preview (or a PDF). The results the
        handout needs are fetched first, on the worker (progress in the status bar); the
        dialog opens when they are here (returned when they already were)."""
        if self.controller.response is None:
            self.error_bar.show_message(NO_RESULTS)
            return None
        self.handout_dialog = None
        self.controller.output.with_whole("handout", lambda _r: self._show_handout_dialog())
        return self.handout_dialog

    def _show_handout_dialog(self) -> HandoutDialog:
        dlg = HandoutDialog(self.controller.output, self.window)
        dlg.pdf_requested.connect(self.ask_pdf)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.handout_dialog = dlg
        dlg.open()
        return dlg

    # -- 政策月历 ----------------------------------------------------------------------------
    def open_calendar(self) -> CalendarDialog | None:
        """政策月历: the client's coming dates (fetched whole first, on the worker)."""
        if self.controller.response is None:
            self.error_bar.show_message(NO_RESULTS)
            return None
        self.calendar_dialog = None
        self.controller.output.with_whole("handout", lambda _r: self._show_calendar())
        return self.calendar_dialog

    def _show_calendar(self) -> CalendarDialog | None:
        try:
            h = self.controller.output.handout_model()
        except Exception as err:
            self.error_bar.show_message(user_message(err))
            return None
        dlg = CalendarDialog(h, self.window)
        dlg.ics_requested.connect(self.ask_ics)
        self.calendar_dialog = dlg
        dlg.open()
        return dlg

    def ask_ics(self) -> None:
        """导出日历文件…: the .ics asked for, then the calendar written to it."""
        if self.controller.response is None:
            self.error_bar.show_message(NO_RESULTS)
            return
        name = self.default_name("ics").replace("政策服务清单", "政策月历")
        path, _ = QFileDialog.getSaveFileName(self.window, "导出日历文件", name, "日历文件 (*.ics)")
        if path:
            if not path.lower().endswith(".ics"):
                path += ".ics"
            self.export_ics_to(Path(path))

    def export_ics_to(self, path: Path) -> None:
        self.controller.output.export_calendar(Path(path))

    # -- files -------------------------------------------------------------------------------
    def ask_pdf(self) -> None:
        """导出 PDF…: the file asked for, then the handout written to it."""
        if self.controller.response is None:
            self.error_bar.show_message(NO_RESULTS)
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "导出 PDF", self.default_name("pdf"), "PDF 文件 (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.export_pdf_to(Path(path))

    def ask_xlsx(self) -> None:
        """导出 Excel…: the file asked for, then every listed result written to it."""
        if self.controller.response is None:
            self.error_bar.show_message(NO_RESULTS)
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, "导出 Excel", self.default_name("xlsx"), "Excel 文件 (*.xlsx)"
        )
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_xlsx_to(Path(path))

    def export_pdf_to(self, path: Path) -> None:
        self.controller.output.export_pdf(Path(path))

    def export_xlsx_to(self, path: Path) -> None:
        self.controller.output.export_xlsx(Path(path))

    def _on_controller_export_finished(self, kind: str, path: str) -> None:
        self.last_export = (kind, path)
        label = {"pdf": "PDF", "xlsx": "Excel", "ics": "日历文件"}.get(kind, kind)
        self.window.statusBar().showMessage(f"已导出 {label}:{path}", 10000)

    # -- the office directory ----------------------------------------------------------------
    def open_office_directory(self) -> OfficeDirectoryDialog:
        """部门通讯录: the hall fills in each office's address, window, phone and hours."""
        try:
            directory = Engine.office_directory()
        except Exception as err:
            self.error_bar.show_message("部门通讯录文件无法读取,已按空白打开:" + user_message(err))
            directory = OfficeDirectory()
        snap = self.controller.snapshot
        districts = snap.options.districts if snap else []
        response = self.controller.response
        current = (
            response.profile.get("district", "") if response is not None and isinstance(response.profile, dict) else ""
        )
        dlg = OfficeDirectoryDialog(directory, districts, current, self.window)
        dlg.saved.connect(lambda: self.window.statusBar().showMessage("部门通讯录已保存", 5000))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.office_directory_dialog = dlg
        dlg.open()
        return dlg
