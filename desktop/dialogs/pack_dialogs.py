"""更新政策库: the plan of a policy pack (what it adds, replaces, removes, and conflicts
with this counter's own imports: those need an explicit tick), and 客户变化: per saved
client, what became targeted, changed (amount, deadline, office), expired since the
officer last looked."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from matcher.presentation import CHANGE_LABELS, change_summary, describe_change, has_changes

from ..messages import plain


def _plan_text(plan, replace_own: bool = False) -> str:
    """The plan in the window's words: no document ids or program version, and the tick
    below instead of the command line's --replace-own."""
    text = plain("\n".join(plan.lines(replace_own=replace_own)))
    return text.replace("请加 --replace-own", "请勾选下面的“用政策包中的版本替换”")


class PackPlanDialog(QDialog):
    """Signals:
    apply_requested(bool): the officer confirmed; the value is "replace own imports"."""

    apply_requested = Signal(bool)

    def __init__(self, plan, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("更新政策库")
        self.resize(720, 420)
        self.plan = plan
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("导入前请核对政策包会做的更改:"))
        self.text = QPlainTextEdit(_plan_text(plan))
        self.text.setReadOnly(True)
        self.text.setAccessibleName("政策包的更改")
        lay.addWidget(self.text, 1)
        self.replace_own = QCheckBox("用政策包中的版本替换本机自行导入的文件(见上面的“冲突”)")
        self.replace_own.setVisible(bool(plan.conflicts))
        lay.addWidget(self.replace_own)
        box = QDialogButtonBox()
        self.apply_button = box.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.setEnabled(plan.changes_anything and not plan.conflicts)
        self.replace_own.toggled.connect(self._on_replace_own_toggled)
        box.accepted.connect(self._on_accepted)
        box.rejected.connect(self.reject)
        lay.addWidget(box)

    def _on_replace_own_toggled(self, on: bool) -> None:
        self.text.setPlainText(_plan_text(self.plan, replace_own=on))
        self.apply_button.setEnabled(self.plan.changes_anything and (on or not self.plan.conflicts))

    def _on_accepted(self) -> None:
        if not self.apply_button.isEnabled():
            return
        self.apply_requested.emit(self.replace_own.isChecked())
        self.accept()


class ChangesDialog(QDialog):
    """Signals:
    reviewed(list): names of the clients the officer marked as reviewed."""

    reviewed = Signal(list)

    def __init__(self, clients: list[dict], title: str = "客户变化", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 480)
        self.clients = clients
        lay = QVBoxLayout(self)
        changed = [c for c in clients if has_changes(c["diff"])]
        lay.addWidget(
            QLabel(
                f"已存画像 {len(clients)} 个,其中 {len(changed)} 个有变化。"
                if clients
                else "还没有已存画像:保存画像后,这里会列出政策库更新给每位客户带来的变化。"
            )
        )
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["客户 / 措施", "说明", "负责部门"])
        self.tree.setAccessibleName("各客户的变化")
        for c in clients:
            top = QTreeWidgetItem(self.tree, [c["name"], f"自 {c['since'][:10]} 以来:{change_summary(c['diff'])}", ""])
            for key, label in CHANGE_LABELS.items():
                for r in c["diff"][key]:
                    note = (
                        describe_change(r)
                        if key == "changed"
                        else f"有效期至 {r['valid_until']}"
                        if key == "expired"
                        else r.get("why", "")
                    )
                    QTreeWidgetItem(top, [f"[{label}] {r['clause']} {r['title']}", note, "、".join(r["offices"])])
            top.setExpanded(bool(top.childCount()))
        self.tree.resizeColumnToContents(0)
        lay.addWidget(self.tree, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.mark_button = QPushButton("全部标记为已查看")
        self.mark_button.setEnabled(bool(clients))
        box.addButton(self.mark_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.mark_button.clicked.connect(self._on_mark_button_clicked)
        box.rejected.connect(self.reject)
        lay.addWidget(box)

    def text(self) -> str:
        """Everything the tree shows, as text (for tests and copying)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out.append(" ".join(top.text(k) for k in range(3)))
            for j in range(top.childCount()):
                out.append("  " + " ".join(top.child(j).text(k) for k in range(3)))
        return "\n".join(out)

    def _on_mark_button_clicked(self) -> None:
        self.reviewed.emit([c["name"] for c in self.clients])
        self.mark_button.setEnabled(False)
