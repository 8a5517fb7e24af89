"""The window's policy-pack commands (:class:`PackPresenter`): 更新政策库… (choose a pack,
check it, see the plan, confirm, import in one go, then see what changed for each saved
client), 客户变化… (what changed for each saved client since last reviewed), and the shared
library's name and date in the status bar. The work runs on a worker
(:mod:`desktop.pack_tasks`); this holds the dialogs and the status line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow

from matcher.engine import Engine

from . import pack_tasks
from .dialogs.pack_dialogs import ChangesDialog, PackPlanDialog
from .messages import user_message
from .settings import documents_dir
from .workers import Task

if TYPE_CHECKING:
    from .controller import Controller
    from .widgets.error_bar import ErrorBar


class PackPresenter(QObject):
    """Policy packs and saved clients' changes, for the window ``window``."""

    def __init__(self, controller: Controller, window: QMainWindow, error_bar: ErrorBar, kb_label: QLabel) -> None:
        super().__init__(window)
        self.controller, self.window, self.error_bar, self.kb_label = controller, window, error_bar, kb_label
        self.pack_plan_dialog: PackPlanDialog | None = None
        self.changes_dialog: ChangesDialog | None = None
        self.clients_after_import: list | None = None
        controller.import_finished.connect(self.check_clients_after_import)

    def _status(self, text: str = "", msecs: int = 0) -> None:
        """A status line ("" clears it)."""
        if text:
            self.window.statusBar().showMessage(text, msecs)
        else:
            self.window.statusBar().clearMessage()

    # -- 更新政策库 ---------------------------------------------------------------------------
    def ask_update_library(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "更新政策库:选择维护人员的政策包", documents_dir(), "政策包 (*.pdpack);;所有文件 (*)"
        )
        if path:
            self.update_library_from(Path(path))

    def update_library_from(self, path: Path) -> Task:
        """Check the pack and show its plan (nothing is changed until the officer confirms)."""
        self._status(f"正在检查政策包 {path.name}…")
        task = Task(lambda report: pack_tasks.plan_file(path, report), with_progress=True, name="检查政策包")
        task.finished.connect(lambda plan: self._on_pack_planned(path, plan))
        task.failed.connect(self._on_pack_failed)
        self.controller.start_background(task)
        return task

    def _on_pack_planned(self, path: Path, plan) -> None:
        self._status()
        dlg = PackPlanDialog(plan, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.apply_requested.connect(lambda replace_own: self._apply_pack(path, replace_own))
        self.pack_plan_dialog = dlg
        dlg.open()

    def _apply_pack(self, path: Path, replace_own: bool) -> Task:
        backend, as_of = self.controller.backend, self.controller.as_of
        self._status(f"正在导入政策包 {path.name}…")
        task = Task(
            lambda report: pack_tasks.apply_file(backend, path, replace_own, report, as_of),
            with_progress=True,
            name="导入政策包",
        )
        task.finished.connect(self._on_pack_applied)
        task.failed.connect(self._on_pack_failed)
        self.controller.start_background(task)
        return task

    def _on_pack_applied(self, value) -> None:
        plan, snapshot, clients = value
        self.controller.set_snapshot(snapshot)
        self._status("政策库已更新" if plan.changes_anything else "政策库已是最新", 8000)
        if clients:
            self.show_changes(clients, "政策库更新后各客户的变化")

    def _on_pack_failed(self, err: BaseException, _tb: str) -> None:
        self._status()
        self.error_bar.show_message("政策包未导入:" + user_message(err))

    # -- 客户变化 -----------------------------------------------------------------------------
    def ask_client_changes(self) -> None:
        as_of = self.controller.as_of  # the window's 判断日期, as the results are judged
        task = Task(lambda: pack_tasks.clients_changes(as_of), name="客户变化")
        task.finished.connect(lambda clients: self.show_changes(clients, "客户变化"))
        task.failed.connect(lambda err, _tb: self.error_bar.show_message("无法列出客户变化:" + user_message(err)))
        self.controller.start_background(task)

    def show_changes(self, clients: list[dict], title: str) -> ChangesDialog:
        dlg = ChangesDialog(clients, title, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.reviewed.connect(self._on_changes_reviewed)
        self.changes_dialog = dlg
        dlg.open()
        return dlg

    def _on_changes_reviewed(self, names: list) -> None:
        try:
            for n in names:
                Engine.mark_reviewed(n)
        except OSError as err:
            self.error_bar.show_message("无法记录查看时间:" + user_message(err))

    def check_clients_after_import(self, report) -> Task | None:
        """After an import of documents: say in the status bar how many saved clients it
        changed something for (客户变化… lists them)."""
        ids = [d.doc_id for d in getattr(report, "documents", []) or []]
        if not getattr(report, "ok", False) or not ids:
            return None
        as_of = self.controller.as_of
        task = Task(lambda: pack_tasks.clients_changed_by(ids, as_of), name="客户变化")
        task.finished.connect(self._on_clients_checked)
        self.controller.start_background(task)
        return task

    def _on_clients_checked(self, clients: list) -> None:
        if clients:
            names = "、".join(c["name"] for c in clients[:3]) + ("等" if len(clients) > 3 else "")
            self._status(f"这次导入给 {len(clients)} 位已存客户({names})带来变化:见“文件 → 客户变化…”", 15000)
        self.clients_after_import = clients

    def show_library(self) -> None:
        """Say in the status bar which shared library, of which date, the window shows."""
        line = pack_tasks.library_line()
        if line:
            self.kb_label.setText(f"{self.kb_label.text()} · {line}")
            self.kb_label.setToolTip(f"{self.kb_label.toolTip()}\n{line}".strip())
