"""What an import did: documents parsed (measures, repairs made), spots that could not be
repaired, or why the file was refused — with a way to retry giving the district, title and
date by hand."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
)

from matcher.presentation import repair_label  # one name per repair kind, shared with the CLI


def report_html(report) -> str:
    names = "、".join(p.name for p in report.paths)
    if not report.ok:
        return (
            f"<h3 style='color:#b91c1c'>未导入:{escape(names)}</h3>"
            f"<p>{escape(report.refused)}</p>"
            "<p>知识库没有改变。可以在下方指定所在区、标题或发布日期后重新导入。</p>"
        )
    out = [f"<h3>已导入 {len(report.documents)} 份文件</h3>"]
    for d in report.documents:
        measures = getattr(d, "measures", []) or []
        internal = sum(1 for m in measures if getattr(m, "internal", False))
        out.append(
            f"<h4>{escape(d.title)}</h4><p>{escape(d.district)} · "
            f"{escape(d.issued or '日期不详')} · 解析出 {len(measures)} 项措施"
            f"{f'(其中 {internal} 项为政府内部工作,不向企业推荐)' if internal else ''}</p>"
        )
        if d.repairs:
            out.append(
                "<p><b>已修复</b>:"
                + ";".join(f"{escape(repair_label(k))} {n} 处" for k, n in d.repairs.items() if n)
                + "</p>"
            )
        else:
            out.append("<p>文本无需修复。</p>")
        if d.unrepaired:
            out.append(
                f"<p style='color:#b45309'><b>无法修复 {len(d.unrepaired)} 处</b>(原样保留,请对照原件核对):</p><ul>"
            )
            for s in d.unrepaired[:50]:
                out.append(f"<li>第 {s.line} 行:“{escape(s.snippet)}” — {escape(s.why)}</li>")
            if len(d.unrepaired) > 50:
                out.append(f"<li>……另有 {len(d.unrepaired) - 50} 处</li>")
            out.append("</ul>")
    return "".join(out)


class ImportReportDialog(QDialog):
    """Signals:
    retry_requested(list, str, str, str): paths, district, title, issued.
    """

    retry_requested = Signal(list, str, str, str)

    def __init__(self, report, districts: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入结果")
        self.resize(560, 420)
        self.report = report
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setHtml(report_html(report))
        lay.addWidget(self.browser, 1)
        self.retry_box = QGroupBox("重新导入(可选)")
        form = QFormLayout(self.retry_box)
        self.district = QComboBox()
        self.district.addItems(["(自动识别)"] + list(districts))
        self.title = QLineEdit(placeholderText="自动识别")
        self.issued = QLineEdit(placeholderText="YYYY-MM-DD,自动识别")
        form.addRow("所在区:", self.district)
        form.addRow("标题:", self.title)
        form.addRow("发布日期:", self.issued)
        self.retry_box.setVisible(not report.ok)
        lay.addWidget(self.retry_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        if not report.ok:
            self.retry_button = buttons.addButton("重新导入", QDialogButtonBox.ButtonRole.ApplyRole)
            self.retry_button.clicked.connect(self._on_retry_button_clicked)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def text(self) -> str:
        return self.browser.toPlainText()

    def _on_retry_button_clicked(self) -> None:
        d = self.district.currentText() if self.district.currentIndex() > 0 else ""
        self.retry_requested.emit(list(self.report.paths), d, self.title.text().strip(), self.issued.text().strip())
        self.accept()
