"""About PolicyDesk: version, knowledge-base version, its documents and dates."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout


def about_html(snapshot, app_version: str) -> str:
    out = [
        "<h2>惠企政策直通车</h2>",
        "<p>离线匹配区级惠企政策措施:根据企业画像列出适用措施、承办部门、原文条款和适用理由。无需联网。</p>",
    ]
    if snapshot is None:
        out.append("<p>知识库尚未载入。</p>")
        return "".join(out)
    out.append(
        f"<p>知识库共 {len(snapshot.documents)} 份文件,{snapshot.measure_count} 项措施"
        f"(面向企业 {snapshot.enterprise_count} 项)</p>"
    )
    out.append(
        "<table cellpadding='3' border='0'><tr><th align='left'>文件</th>"
        "<th align='left'>区</th><th align='left'>发布日期</th><th align='left'>措施</th>"
        "<th align='left'>来源</th></tr>"
    )
    for d in snapshot.documents:
        src = "用户导入" if getattr(d, "source", "seed") == "user" else "内置"
        out.append(
            f"<tr><td>{escape(d.title)}</td><td>{escape(d.district)}</td>"
            f"<td>{escape(d.issued or '不详')}</td><td>{snapshot.count_of(d.doc_id)}</td>"
            f"<td>{src}</td></tr>"
        )
    out.append("</table>")
    for n in snapshot.notices:
        out.append(f"<p style='color:#b45309'>{escape(n)}</p>")
    # for a support call only, in small print at the end
    out.append(
        f"<p style='color:#888;font-size:small'>供技术支持:程序版本 {escape(app_version or '未知')},"
        f"知识库版本 {escape(snapshot.version or '未知')}</p>"
    )
    return "".join(out)


class AboutDialog(QDialog):
    def __init__(self, snapshot, app_version: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于惠企政策直通车")
        self.resize(640, 420)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setHtml(about_html(snapshot, app_version))
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
