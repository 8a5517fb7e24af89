"""The window's file commands (:class:`FilesPresenter`): 导入政策文件 (a file dialog or files
dropped on the window; progress, then the import report with a retry), 打开画像文件,
保存画像, 知识库中的文件 (remove an import) and 清除客户记录."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMainWindow, QProgressBar, QProgressDialog

from .dialogs.confirm import ask_destructive
from .dialogs.documents import DocumentsDialog
from .dialogs.import_report import ImportReportDialog
from .settings import documents_dir

if TYPE_CHECKING:
    from collections.abc import Callable

    from .controller import Controller
    from .widgets.error_bar import ErrorBar

IMPORT_SUFFIXES = {".txt", ".docx", ".pdf", ".html", ".htm"}


class FilesPresenter(QObject):
    """Imports, profile files and client records, for the window ``window``.
    ``form_profile`` gives the profile as the form holds it; ``open_profile`` shows one."""

    def __init__(
        self,
        controller: Controller,
        window: QMainWindow,
        error_bar: ErrorBar,
        form_profile: Callable[[], dict],
        open_profile: Callable[[dict], None],
    ) -> None:
        super().__init__(window)
        self.controller, self.window, self.error_bar = controller, window, error_bar
        self.form_profile, self.open_profile = form_profile, open_profile
        self.progress: QProgressDialog | None = None  # the running import's dialog
        self.progress_bar: QProgressBar | None = None
        self.report_dialog: ImportReportDialog | None = None
        controller.import_progress.connect(self._on_controller_import_progress)
        controller.import_finished.connect(self._on_controller_import_finished)

    # -- importing documents -------------------------------------------------------------
    def ask_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "导入政策文件", documents_dir(), "政策文件 (*.txt *.docx *.pdf *.html *.htm);;所有文件 (*)"
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def import_paths(self, paths: list[Path], district: str = "", title: str = "", issued: str = "") -> None:
        paths = [Path(p) for p in paths]
        bad = [p.name for p in paths if p.suffix.lower() not in IMPORT_SUFFIXES]
        if bad:
            self.error_bar.show_message(f"不能导入 {'、'.join(bad)}:只支持 .txt .docx .pdf .html 文件。")
            paths = [p for p in paths if p.suffix.lower() in IMPORT_SUFFIXES]
        if not paths:
            return
        # The dialog belongs to this import: made here, closed by its end. Its bar is moved
        # directly: a window-modal QProgressDialog's own setValue runs the event loop, which
        # delivered the import's end (closing the dialog) in the middle of a progress report.
        dlg = QProgressDialog("正在导入政策文件…", "", 0, 0, self.window)
        dlg.setWindowTitle("导入")
        dlg.setCancelButton(None)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        self.progress_bar = QProgressBar(dlg)
        self.progress_bar.setRange(0, 0)
        dlg.setBar(self.progress_bar)
        self.progress = dlg
        dlg.show()
        self.controller.import_files(paths, district or None, title or None, issued or None)

    def _on_controller_import_progress(self, done: int, total: int, what: str) -> None:
        dlg, bar = self.progress, self.progress_bar
        if dlg is None or bar is None:
            return
        # neither call runs the event loop (see import_paths): the dialog is still this import's
        dlg.setLabelText(f"正在导入:{what}")
        if total:
            bar.setRange(0, total)
            bar.setValue(done)

    def _on_controller_import_finished(self, report) -> None:
        progress, self.progress, self.progress_bar = self.progress, None, None
        if progress is not None:
            progress.close()
            progress.deleteLater()
        snap = self.controller.snapshot
        # the districts, then the city level (上海市): a document's district, as `ingest --district` takes it
        dlg = ImportReportDialog(report, [*snap.options.districts, snap.options.city] if snap else [], self.window)
        dlg.retry_requested.connect(self.import_paths)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_dialog = dlg
        dlg.open()
        if report.ok:
            self.window.statusBar().showMessage(f"已导入 {len(report.documents)} 份文件", 8000)

    def show_documents(self) -> DocumentsDialog:
        """知识库中的文件: the documents, an imported one removed on request."""
        dlg = DocumentsDialog(self.controller.snapshot, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.remove_requested.connect(self.controller.remove_document)
        self.controller.kb_ready.connect(dlg.set_snapshot)
        dlg.open()
        return dlg

    # -- profiles and client records -------------------------------------------------------
    def ask_open_profile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "打开画像文件", documents_dir(), "画像文件 (*.json)")
        if path:
            prof = self.controller.read_profile_file(Path(path))
            if prof is not None:
                self.open_profile(prof)

    def ask_save_profile(self) -> None:
        dlg = self.save_profile_dialog()
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.textValue().strip():
            self.controller.save_profile(dlg.textValue().strip())

    def save_profile_dialog(self) -> QInputDialog:
        """保存画像's question: the name proposed is the company's (企业名称) when the form
        has one; the dialog wide enough for a long company name, at any text size."""
        p = self.form_profile()
        default = (
            (p.get("company") or "").strip()
            or "_".join(x for x in (p.get("district"), p.get("industry")) if x)
            or "画像"
        )
        dlg = QInputDialog(self.window)
        dlg.setWindowTitle("保存画像")
        dlg.setLabelText("画像名称(默认为企业名称,可修改):")
        dlg.setTextValue(default)
        dlg.setOkButtonText("保存")
        dlg.setCancelButtonText("取消")
        edit = dlg.findChild(QLineEdit)  # made by setTextValue; the dialog's layout sizes it
        fm = edit.fontMetrics()
        # room for a long company name (30 characters), or the one proposed, whichever is longer
        width = max(fm.horizontalAdvance("中" * 30), fm.horizontalAdvance(default) + 2 * fm.height())
        screen = self.window.screen()
        if screen is not None:
            width = min(width, int(screen.availableGeometry().width() * 0.8))
        edit.setMinimumWidth(width)
        edit.setCursorPosition(0)
        return dlg

    def clear_records(self, *, confirm: bool = True) -> None:
        """清除客户记录 (asked first unless ``confirm`` is False). Keyword-only: a menu action's
        ``triggered(bool checked)`` passed False as ``confirm`` and cleared without asking."""
        if confirm and not ask_destructive(
            self.window, "清除客户记录", "删除全部已存画像和最近记录(含关键词等客户信息)?此操作不能撤销。", yes="清除"
        ):
            return
        self.controller.clear_client_records()
