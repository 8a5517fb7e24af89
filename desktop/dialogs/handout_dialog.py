"""打印清单: before printing, the officer sees every measure the handout would carry and
may untick those the business owner does not need; then a print preview (Qt's
QPrintPreviewDialog) with its own 打印 button, or a PDF."""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QTextLayout, QTextOption
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QVBoxLayout,
)

from .. import handout
from ..itemmodels import clause_label, office_text, row_title
from ..messages import user_message

IdRole = Qt.ItemDataRole.UserRole + 1


def wrapped_text_height(view, option: QStyleOptionViewItem) -> int:
    """The height ``option``'s text needs wrapped the way the style paints it (a text layout
    in the rectangle beside the check box, inside the text margins), for ``option.rect``'s width."""
    style = view.style()
    text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, option, view) + 1
    width = max(40, text_rect.width() - 2 * margin)
    layout = QTextLayout(option.text, option.font)
    text_option = QTextOption()
    text_option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(text_option)
    height = 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        height += line.height()
    layout.endLayout()
    return math.ceil(height)


class _WrappingDelegate(QStyledItemDelegate):
    """Each row as tall as its text wrapped beside its check box: Qt's own size for a
    wrapped row leaves the check box's width out, so a title's last line (the office) was cut."""

    def sizeHint(self, option, index) -> QSize:
        base = super().sizeHint(option, index)
        view = self.parent()
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = QRect(0, 0, view.viewport().width(), base.height())
        need = wrapped_text_height(view, opt) + 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameVMargin)
        return QSize(base.width(), max(base.height(), need))


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
        # a long title wraps within the list instead of running off to the right
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setItemDelegate(_WrappingDelegate(self.list))
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


# not needed for a handout, left out so every other button fits a counter screen: the
# page-layout modes (one page, facing pages, all pages) and the orientation (the handout
# sets its own page: handout.setup_printer)
_LAYOUT_MODES = ("singleModeAction", "facingModeAction", "overviewModeAction")
_ORIENTATIONS = ("Portrait", "Landscape")  # unnamed actions: known by their (translated) text


def readable_preview(dlg: QPrintPreviewDialog) -> None:
    """Qt's print preview as an officer reads it: every button with its name under its icon
    (they were icons only; beside the icons they need 1039 px, wider than a 1024 screen), the
    page-layout and orientation buttons left out, opening at the page's width (it opened at
    the whole page, about 38%), as large as the screen it is on allows."""
    orientations = {QCoreApplication.translate("QPrintPreviewDialog", t) for t in _ORIENTATIONS}
    for bar in dlg.findChildren(QToolBar):
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        for action in bar.actions():
            if action.objectName() in _LAYOUT_MODES or (action.isCheckable() and action.text() in orientations):
                action.setVisible(False)
    fit_width = dlg.findChild(QAction, "fitWidthAction")
    if fit_width is not None:
        fit_width.trigger()
    near = dlg.parentWidget()
    screen = (near.screen() if near is not None else None) or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        dlg.resize(min(1280, room.width() - 40), max(400, room.height() - 80))
