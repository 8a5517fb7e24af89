"""The main window: profile on the left, results in the middle (by category, by office,
search), the selected measure on the right. Talks only to the controller.

The window builds the widgets, the menus and the toolbar, and holds one presenter per
concern, each wired to the controller and the widgets it needs: :attr:`MainWindow.results`
(:class:`~desktop.results_presenter.ResultsPresenter`: the lists and the detail),
:attr:`MainWindow.files` (imports, profile files, client records), :attr:`MainWindow.output`
(print, PDF, Excel, the office directory) and :attr:`MainWindow.packs` (policy packs, what
changed for saved clients). What is left here is the window itself: its layout, its
actions, the knowledge base's state in the status bar, the profile's problems, large text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from . import hotkeys
from .controller import Controller
from .dialogs.about import AboutDialog
from .files_presenter import IMPORT_SUFFIXES, FilesPresenter
from .output_presenter import OutputPresenter
from .pack_presenter import PackPresenter
from .results_presenter import ResultsPresenter
from .settings import Settings
from .widgets.detail_view import DetailView
from .widgets.error_bar import ErrorBar
from .widgets.office_view import OfficeView
from .widgets.profile_panel import ProfilePanel
from .widgets.results_panel import ResultsPanel
from .widgets.search_panel import SearchPanel
from .widgets.sessions_list import SessionsList

LARGE_SCALE = 1.45


def large_sheet(font: QFont) -> str:
    """Large text: every widget's font, and the check boxes and the lists' rows with it
    (a check box's indicator does not follow the font by itself)."""
    from PySide6.QtGui import QFontMetrics

    box = max(16, int(QFontMetrics(font).height() * 0.8))
    return (
        f"* {{ font-size: {font.pointSizeF():.1f}pt; }}\n"
        f"QCheckBox::indicator, QGroupBox::indicator "
        f"{{ width: {box}px; height: {box}px; }}"
    )


class MainWindow(QMainWindow):
    def __init__(
        self,
        controller: Controller,
        settings: Settings,
        app_version: str = "",
        icon: QIcon | None = None,
        large_text: bool | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.app_version = app_version
        self.setWindowTitle("惠企政策直通车")
        self.setObjectName("mainWindow")
        if icon is not None:
            self.setWindowIcon(icon)
        self.setAcceptDrops(True)
        self.resize(1360, 820)
        self._base_font: QFont = QApplication.font()
        self._panes_shared = False  # set once shown, or once a saved layout is restored
        self.persist_layout = True  # False: a size given for this run is not saved

        # -- widgets --------------------------------------------------------------------
        self.profile_panel = ProfilePanel()
        self.profile_panel.setEnabled(False)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.profile_panel)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.profile_scroll = scroll
        self.sessions_list = SessionsList()
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(scroll, "企业画像")
        self.left_tabs.addTab(self.sessions_list, "已存/最近")

        self.results_panel = ResultsPanel()
        self.office_view = OfficeView()
        self.search_panel = SearchPanel()
        self.center_tabs = QTabWidget()
        self.center_tabs.addTab(self.results_panel, "适用措施")
        self.center_tabs.addTab(self.office_view, "按部门办理")
        self.center_tabs.addTab(self.search_panel, "搜索")

        self.detail = DetailView()
        self.detail.setMinimumWidth(240)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.center_tabs)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([340, 620, 400])

        self.error_bar = ErrorBar()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(self.error_bar)
        lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.kb_label = QLabel("正在载入政策知识库…")
        # a long status text is cut, never a reason for a wider window
        self.kb_label.setMinimumWidth(1)
        self.kb_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.busy_label = QLabel("")
        self.statusBar().addWidget(self.kb_label, 1)
        self.statusBar().addPermanentWidget(self.busy_label)
        # the marks' legend on the status line: the result rows get its height
        legend = self.results_panel.legend
        legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.statusBar().addPermanentWidget(legend)

        # -- presenters: one per concern ------------------------------------------------------
        self.results = ResultsPresenter(
            controller,
            self.center_tabs,
            self.results_panel,
            self.office_view,
            self.search_panel,
            self.detail,
            self.statusBar(),
        )
        self.files = FilesPresenter(controller, self, self.error_bar, self.profile_panel.profile, self.apply_profile)
        self.output = OutputPresenter(controller, self, self.error_bar)
        self.packs = PackPresenter(controller, self, self.error_bar, self.kb_label)

        self._build_actions()
        self._connect()
        self.sessions_list.refresh()
        # listing prunes recent sessions past their retention: hourly too, for a window left open
        self._prune_timer = QTimer(self, interval=3_600_000, timeout=self.sessions_list.refresh)
        self._prune_timer.start()
        # large_text given by the caller (--large-text) is for this run only
        self.set_large_text(settings.large_text if large_text is None else large_text, save=False)
        self.results_panel.show_message("正在载入政策知识库…")

    # -- construction ------------------------------------------------------------------------
    def _action(self, text: str, shortcut, slot, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(shortcut)
        a.setToolTip(f"{tip or text}({shortcut.toString()})" if shortcut is not None else tip)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        self.act_import = self._action(
            "导入政策文件…", hotkeys.IMPORT, self.files.ask_import, "导入 .txt .docx .pdf .html 政策文件,也可拖入窗口"
        )
        self.act_new = self._action(
            "新客户", hotkeys.NEW_CLIENT, self.new_client, "清空画像、结果、详情和搜索,接待下一位"
        )
        self.act_open = self._action("打开画像文件…", hotkeys.OPEN_PROFILE, self.files.ask_open_profile)
        self.act_save = self._action("保存画像…", hotkeys.SAVE_PROFILE, self.files.ask_save_profile)
        self.act_print = self._action("打印清单…", hotkeys.PRINT, self.output.open_handout_dialog)
        self.act_pdf = self._action("导出 PDF…", hotkeys.EXPORT_PDF, self.output.ask_pdf, "把服务清单导出为 PDF")
        self.act_xlsx = self._action("导出 Excel…", hotkeys.EXPORT_XLSX, self.output.ask_xlsx)
        self.output.actions = [self.act_print, self.act_pdf, self.act_xlsx]
        self.act_directory = self._action(
            "部门通讯录…",
            hotkeys.OFFICE_DIRECTORY,
            self.output.open_office_directory,
            "填写各部门的地址、窗口、电话、办公时间,打印在清单上",
        )
        self.act_large = self._action(
            "大字模式", hotkeys.LARGE_TEXT, self.set_large_text, "放大全部文字,便于柜台双方阅读"
        )
        self.act_large.setCheckable(True)
        self.act_about = self._action("关于…", hotkeys.ABOUT, self.show_about)
        self.act_quit = self._action("退出", hotkeys.QUIT, self.close)
        self.act_documents = self._action(
            "知识库中的文件…", hotkeys.DOCUMENTS, self.files.show_documents, "查看知识库中的文件,删除导入的文件"
        )
        self.act_update = self._action(
            "更新政策库…",
            hotkeys.UPDATE_LIBRARY,
            self.packs.ask_update_library,
            "导入维护人员的政策包(.pdpack):文件、更正和部门通讯录",
        )
        self.act_changes = self._action(
            "客户变化…",
            hotkeys.CLIENT_CHANGES,
            self.packs.ask_client_changes,
            "已存画像的客户自上次查看以来:新增适用、有变化、已过期的措施",
        )
        self.act_clear_records = self._action(
            "清除客户记录…", hotkeys.CLEAR_RECORDS, self.files.clear_records, "删除全部已存画像和最近记录"
        )
        self.act_focus_search = self._action("搜索措施", hotkeys.SEARCH, self._on_focus_search)
        self.act_focus_profile = self._action("画像", hotkeys.PROFILE, lambda: self._focus_tab(self.left_tabs, 0))
        self.act_tab_results = self._action("适用措施", hotkeys.RESULTS, lambda: self._focus_tab(self.center_tabs, 0))
        self.act_tab_offices = self._action("按部门办理", hotkeys.OFFICES, lambda: self._focus_tab(self.center_tabs, 1))
        self.act_tab_search = self._action("搜索结果", hotkeys.SEARCH_TAB, lambda: self._focus_tab(self.center_tabs, 2))
        self.act_detail = self._action("详情", hotkeys.DETAIL, self.detail.setFocus)

        m = self.menuBar().addMenu("文件(&F)")
        for a in (
            self.act_new,
            None,
            self.act_open,
            self.act_save,
            None,
            self.act_import,
            self.act_documents,
            self.act_update,
            self.act_changes,
            None,
            self.act_print,
            self.act_pdf,
            self.act_xlsx,
            None,
            self.act_directory,
            None,
            self.act_clear_records,
            None,
            self.act_quit,
        ):
            m.addSeparator() if a is None else m.addAction(a)
        v = self.menuBar().addMenu("视图(&V)")
        for a in (
            self.act_large,
            None,
            self.act_focus_profile,
            self.act_tab_results,
            self.act_tab_offices,
            self.act_tab_search,
            self.act_detail,
            self.act_focus_search,
        ):
            v.addSeparator() if a is None else v.addAction(a)
        h = self.menuBar().addMenu("帮助(&H)")
        h.addAction(self.act_about)

        tb = QToolBar("工具栏")
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("搜索全部措施(Ctrl+F):如 贷款、人才公寓、知识产权")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("搜索全部措施")
        self.search_box.setMinimumWidth(220)
        tb.addWidget(self.search_box)
        tb.addSeparator()
        for a in (
            self.act_new,
            None,
            self.act_print,
            self.act_pdf,
            self.act_xlsx,
            None,
            self.act_save,
            self.act_import,
            None,
            self.act_large,
            self.act_about,
        ):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.addToolBar(tb)
        self.toolbar = tb

    def _connect(self) -> None:
        c = self.controller
        c.kb_loading.connect(self.kb_label.setText)
        c.kb_ready.connect(self._on_controller_kb_ready)
        c.kb_failed.connect(self._on_controller_kb_failed)
        c.profile_problem.connect(self._on_controller_profile_problem)
        c.industry_unknown.connect(self._on_controller_industry_unknown)
        self.results_panel.problem.choice_made.connect(self.profile_panel.choose_industry)
        c.busy_changed.connect(self._on_controller_busy_changed)
        c.error.connect(self._on_controller_error)
        c.notice.connect(self._on_controller_notice)
        c.sessions_changed.connect(self.sessions_list.refresh)
        self.profile_panel.changed.connect(self.controller.set_profile)
        self.profile_panel.save_requested.connect(self.files.ask_save_profile)
        self.sessions_list.open_requested.connect(self._on_sessions_list_open_requested)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.returnPressed.connect(self._on_search_box_return_pressed)
        self.results_panel.field_requested.connect(self.ask_field)
        self.results_panel.as_of_changed.connect(self.controller.set_as_of)
        self.results_panel.expired_toggled.connect(self.controller.set_include_expired)
        self.detail.field_requested.connect(self.ask_field)
        self.output.set_enabled(False)

    # -- public API (also used by app.main and the tests) -------------------------------------
    def new_client(self) -> None:
        """新客户 (Ctrl+N): clear everything of the previous person for the next one."""
        self.profile_panel.set_profile({}, emit=False)
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.results.release_detail()
        self.controller.new_client()
        # 判断日期 back to today: a date set for the last client (or by --as-of) is not the next one's
        self.results_panel.set_as_of(date.today())
        self.controller.set_as_of(None)
        self.error_bar.hide()
        self.detail.show_empty()
        self.left_tabs.setCurrentIndex(0)
        self.center_tabs.setCurrentWidget(self.results_panel)
        self.profile_panel.company.setFocus()
        # the form from its top: the cursor is in 企业名称, which must be in sight
        self.profile_scroll.verticalScrollBar().setValue(0)
        self.profile_scroll.ensureWidgetVisible(self.profile_panel.company)
        self.statusBar().showMessage("已清空,请接待下一位客户。", 5000)

    def apply_profile(self, profile: dict) -> None:
        """Show ``profile`` in the form and match it."""
        self.profile_panel.set_profile(profile, emit=False)
        self.controller.set_profile(self.profile_panel.profile(), immediate=True)

    def ask_field(self, field: str) -> None:
        """An open question is being answered: the profile form, with the cursor in the
        field that answers it (更多情况 unfolded when the field is there)."""
        self.results.hold_detail()  # the answers that follow keep this measure in the detail
        self.left_tabs.setCurrentIndex(0)
        w = self.profile_panel.focus_field(field)
        if w is not None:
            self.profile_scroll.ensureWidgetVisible(w)

    def set_as_of(self, day: date) -> None:
        """Judge expiry on ``day`` (``--as-of``); the results panel shows the date used."""
        self.results_panel.set_as_of(day)
        self.controller.set_as_of(day)

    def set_large_text(self, on: bool, save: bool = True) -> None:
        app = QApplication.instance()
        f = QFont(self._base_font)
        if on:
            size = self._base_font.pointSizeF()
            f.setPointSizeF((size if size > 0 else 10) * LARGE_SCALE)
        app.setFont(f)  # new windows and dialogs
        # this window's widgets: with an application style sheet a font change does not
        # reach widgets the sheet styles, so the size is set by a sheet of its own
        self.setStyleSheet(large_sheet(f) if on else "")
        self.setProperty("largeText", on)
        self.share_panes()
        self.style().unpolish(self)
        self.style().polish(self)
        self.act_large.blockSignals(True)
        self.act_large.setChecked(on)
        self.act_large.blockSignals(False)
        if save:
            self.settings.large_text = on
        self.large_text = on

    def share_panes(self) -> None:
        """Profile, results and detail side by side: the profile as wide as its form
        needs (at least a quarter), the detail a little less than the results."""
        total = self.splitter.width() if self.splitter.isVisible() else self.width() - 8
        left = max(int(total * 0.30), self.left_tabs.minimumSizeHint().width())
        detail = max(int((total - left) * 0.34), self.detail.minimumWidth())
        self.splitter.setSizes([left, total - left - detail, detail])

    # -- controller slots ------------------------------------------------------------------
    def _on_controller_kb_ready(self, snap) -> None:
        first = not self.profile_panel.isEnabled()
        self.profile_panel.set_options(snap.options, self.controller.backend)
        self.profile_panel.setEnabled(True)
        enterprise = snap.enterprise_count
        from .handout_text import kb_description

        self.kb_label.setText(f"{kb_description(snap.documents)};{enterprise} 项面向企业的措施")
        self.kb_label.setToolTip("全部文件及其发布日期见“关于”(F1)")
        self.packs.show_library()
        if first:
            if not self.controller.profile:
                self.results_panel.show_message("请在左侧填写企业画像:至少选择所在区。")
            if QApplication.focusWidget() is None or not self.profile_panel.isAncestorOf(QApplication.focusWidget()):
                self.profile_panel.district.setFocus()

    def _on_controller_kb_failed(self, message: str) -> None:
        self.kb_label.setText("知识库不可用")
        self.results_panel.show_message(message)
        self.error_bar.show_message(message)

    def _on_controller_profile_problem(self, message: str) -> None:
        self.profile_panel.show_problem(message)
        if not self.controller.profile.get("district"):
            # an empty form is not an error: ask for the district
            self.results_panel.problem.set_problem("")
            return
        self.results_panel.problem.set_problem(message)
        if message:
            self.results_panel.show_message("画像有误,请按上方提示修改。")

    def _on_controller_industry_unknown(self, text: str, choices: list) -> None:
        self.results_panel.problem.set_industry_unknown(text, list(choices))

    def _on_controller_busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("正在更新结果…" if busy else "")

    def _on_controller_error(self, message: str) -> None:
        self.error_bar.show_message(message)
        self.statusBar().showMessage(message, 8000)

    def _on_controller_notice(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- widget slots --------------------------------------------------------------------------
    def _on_sessions_list_open_requested(self, profile: dict) -> None:
        self.apply_profile(profile)
        self.left_tabs.setCurrentIndex(0)
        self.statusBar().showMessage("已打开画像", 5000)

    def _on_search_box_text_changed(self, text: str) -> None:
        self.controller.set_search(text)
        if text.strip():
            self.center_tabs.setCurrentWidget(self.search_panel)

    def _on_search_box_return_pressed(self) -> None:
        self.center_tabs.setCurrentWidget(self.search_panel)
        if self.search_panel.tree.select_first():
            self.search_panel.tree.setFocus()

    def _on_focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _focus_tab(self, tabs: QTabWidget, i: int) -> None:
        tabs.setCurrentIndex(i)
        w = tabs.currentWidget()
        if tabs is self.left_tabs and i == 0:
            self.profile_panel.district.setFocus()
        elif w is self.results_panel:
            self.results_panel.applies.setFocus()
            if not self.results_panel.applies.currentIndex().isValid():
                self.results_panel.applies.select_first()
        elif w is self.office_view:
            self.office_view.tree.setFocus()
        elif w is self.search_panel:
            self.search_panel.tree.setFocus()

    def show_about(self) -> AboutDialog:
        dlg = AboutDialog(self.controller.snapshot, self.app_version, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    # -- Qt overrides ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(
            Path(u.toLocalFile()).suffix.lower() in IMPORT_SUFFIXES for u in event.mimeData().urls()
        ):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.import_paths(paths))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.error_bar.isVisible():
            self.error_bar.hide()
            return
        super().keyPressEvent(event)

    def keep_within(self, area=None) -> None:
        """The window within ``area`` (the available geometry of the screen it is on, by
        default) and never larger: a long text or a list shown later (列出已过期) cannot
        push it past the screen's edge."""
        if area is None:
            screen = self.screen() or QApplication.primaryScreen()
            if screen is None:
                return
            area = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()
        most = QSize(max(area.width() - frame.width(), 200), max(area.height() - frame.height(), 200))
        self.setMaximumSize(most)
        if self.width() > most.width() or self.height() > most.height():
            self.resize(min(self.width(), most.width()), min(self.height(), most.height()))
        g = self.frameGeometry()
        if not area.contains(g):
            x = min(max(g.left(), area.left()), area.right() - g.width() + 1)
            y = min(max(g.top(), area.top()), area.bottom() - g.height() + 1)
            self.move(max(x, area.left()), max(y, area.top()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.keep_within()
        handle = self.windowHandle()
        if handle is not None and not getattr(self, "_watching_screen", False):
            self._watching_screen = True
            handle.screenChanged.connect(lambda _s: self.keep_within())
        if not self._panes_shared:
            self._panes_shared = True
            self.share_panes()

    def closeEvent(self, event) -> None:
        if self.persist_layout:
            self.settings.set_geometry(self.saveGeometry())
            self.settings.set_state("splitter", self.splitter.saveState())
            self.settings.sync()
        super().closeEvent(event)

    def restore_layout(self) -> None:
        g = self.settings.geometry()
        if g is not None:
            self.restoreGeometry(g)
        s = self.settings.state("splitter")
        if s is not None:
            self._panes_shared = self.splitter.restoreState(s)
