"""打印清单: before printing, the officer sees every measure the handout would carry and
may untick those the business owner does not need; then a print preview (Qt's
QPrintPreviewDialog) with its own 打印 button, or a PDF."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from .. import handout
from ..itemmodels import clause_label, office_text, row_title
from ..messages import user_message

IdRole = Qt.ItemDataRole.UserRole + 1


def readable_preview(dlg: QPrintPreviewDialog) -> None:
    """Qt's preview as an officer reads it: the page as wide as the window (not 38%), one
    page at a time, and the tool buttons with their words beside the icons."""
    from PySide6.QtPrintSupport import QPrintPreviewWidget
    from PySide6.QtWidgets import QToolBar

    for bar in dlg.findChildren(QToolBar):
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for w in dlg.findChildren(QPrintPreviewWidget):
        w.setViewMode(QPrintPreviewWidget.ViewMode.SinglePageView)
        w.setZoomMode(QPrintPreviewWidget.ZoomMode.FitToWidth)
    dlg.resize(900, 760)


class HandoutDialog(QDialog):
    """Signals:
    pdf_requested(): the officer chose 导出 PDF (the window asks for the file).
    """

    pdf_requested = Signal()

    def __init__(self, output, parent=None) -> None:
        """``output``: the controller's print and export (:class:`desktop.output_commands.OutputCommands`)."""
        super().__init__(parent)
        self.output = output
        self.setWindowTitle("打印政策服务清单")
        self.setObjectName("handoutDialog")
        self.preview_dialog: QPrintPreviewDialog | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("勾选要印在清单上的措施(默认全部);取消勾选的不打印。", wordWrap=True))
        self.list = QListWidget()
        self.list.setAccessibleName("清单中的措施(空格勾选)")
        # long titles wrap: the list never scrolls sideways (issue 21)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.all_button = QPushButton("全部勾选")
        self.none_button = QPushButton("全部取消")
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        self.count_label = QLabel("")
        row.addWidget(self.count_label)
        lay.addLayout(row)
        self.buttons = QDialogButtonBox()
        self.preview_button = self.buttons.addButton("打印预览…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.pdf_button = self.buttons.addButton("导出 PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button.setDefault(True)
        lay.addWidget(self.buttons)
        self.resize(760, 560)

        self._fill()
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self.preview_button.clicked.connect(self.preview)
        self.pdf_button.clicked.connect(self._on_pdf_clicked)
        self.buttons.rejected.connect(self.reject)

    def _fill(self) -> None:
        response = self.output.whole_response()  # fetched before the dialog opened
        results = list(response.results) if response is not None else []
        excluded = self.output.handout_exclude
        self.list.blockSignals(True)
        self.list.clear()
        tiered = any(getattr(r, "tier", None) == "targeted" for r in results)
        sections = (
            (
                (("targeted",), "为本企业(印出全文和申报信息)"),
                (("general",), "普惠服务(每项印一行)"),
                (("near",), "补足条件后还可享受"),
                (("unknown",), "还需确认企业情况"),
            )
            if tiered
            else ((("applies",), "适用措施"), (("near",), "补足条件后还可享受"))
        )
        for keys, title in sections:
            rs = [r for r in results if (getattr(r, "tier", None) if tiered else r.status) in keys]
            if not rs:
                continue
            head = QListWidgetItem(f"{title}({len(rs)} 项)")
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            f = head.font()
            f.setBold(True)
            head.setFont(f)
            self.list.addItem(head)
            for r in rs:
                m = r.measure
                it = QListWidgetItem(f"{clause_label(m)}  {row_title(m)}  —  {office_text(m)}")
                it.setData(IdRole, m.measure_id)
                it.setToolTip(f"{m.document}:{m.text[:200]}")
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
                it.setCheckState(Qt.CheckState.Unchecked if m.measure_id in excluded else Qt.CheckState.Checked)
                self.list.addItem(it)
        self.list.blockSignals(False)
        self._update_count()

    def measure_items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count()) if self.list.item(i).data(IdRole)]

    def unticked(self) -> set[str]:
        return {it.data(IdRole) for it in self.measure_items() if it.checkState() != Qt.CheckState.Checked}

    def _tick_all(self, on: bool) -> None:
        self.list.blockSignals(True)
        for it in self.measure_items():
            it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._on_list_item_changed(None)

    def _update_count(self) -> None:
        items = self.measure_items()
        kept = len(items) - len(self.unticked())
        self.count_label.setText(f"将打印 {kept} / {len(items)} 项")
        self.preview_button.setEnabled(kept > 0)
        self.pdf_button.setEnabled(kept > 0)

    def _on_list_item_changed(self, _item) -> None:
        self.output.handout_exclude = self.unticked()
        self._update_count()

    def preview(self) -> QPrintPreviewDialog | None:
        """Qt's print preview of the handout as ticked; its 打印 button prints."""
        self.output.handout_exclude = self.unticked()
        try:
            html, header = self.output.handout()
        except Exception as err:
            self.output.error.emit(user_message(err))
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        handout.setup_printer(printer)
        printer.setDocName("惠企政策服务清单")
        dlg = QPrintPreviewDialog(printer, self)
        dlg.setWindowTitle("打印预览 · 政策服务清单")
        dlg.paintRequested.connect(lambda p: handout.print_html(html, p, header))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        readable_preview(dlg)
        dlg.finished.connect(self._on_preview_finished)
        self.preview_dialog = dlg
        dlg.open()
        return dlg

    def _on_preview_finished(self, result: int) -> None:
        self.preview_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.output.record_session()  # printed: this client is kept among the recent sessions
            self.accept()  # printed

    def _on_pdf_clicked(self) -> None:
        self.output.handout_exclude = self.unticked()
        self.pdf_requested.emit()
