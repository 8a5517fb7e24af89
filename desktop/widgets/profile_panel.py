"""The company profile form: district, industry, size (or a calculator), 专精特新, flags,
needs, area, keywords, and — folded under 更多情况 — the figures some measures ask
(成立年份, 年营业收入, 年纳税额, 研发投入, 投资额). Fully usable from the keyboard;
Alt+letter jumps to each field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..backend import ProfileOptions
from .checklist import ChecklistWidget
from .fuzzy_line_edit import FuzzyLineEdit
from .size_calculator import SizeCalculator

NO_SIZE = "(未填)"
CALC = "按数据计算…"
# 更多情况: profile field → (label, placeholder); figures in 万元 (matcher/profile/company.py)
MORE_FIELDS = {
    "founded": ("成立年份", "如 2019"),
    "revenue": ("年营业收入", "万元"),
    "tax": ("年纳税额", "万元"),
    "rnd": ("研发投入", "万元"),
    "investment": ("投资额", "万元,计划申报的项目"),
}


def _searchable_combo(placeholder: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.lineEdit().setPlaceholderText(placeholder)
    combo.lineEdit().setClearButtonEnabled(True)
    comp = combo.completer()
    comp.setFilterMode(Qt.MatchFlag.MatchContains)
    comp.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return combo


class ProfilePanel(QWidget):
    """Signals:
    changed(dict): the profile as the form now holds it (empty fields left out).
    save_requested(): the user asked to save this profile.
    """

    changed = Signal(dict)
    save_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("profilePanel")
        self._options = ProfileOptions()
        self._backend = None
        self._loading = False
        self._pending: dict | None = None  # a profile set before the choices arrived

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        title = QLabel("企业画像")
        title.setObjectName("panelTitle")
        outer.addWidget(title)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        outer.addLayout(form)

        self.company = QLineEdit(placeholderText="可选:打印在服务清单上")
        self.company.setClearButtonEnabled(True)
        self.company.setAccessibleName("企业名称")
        self.district = _searchable_combo("输入或选择,如:虹口")
        self.district.setAccessibleName("所在区")
        self.industry = FuzzyLineEdit()
        self.industry.setPlaceholderText("输入行业关键字,如:软件、制造、航运")
        self.industry.setAccessibleName("行业")
        self.size = QComboBox()
        self.size.setAccessibleName("企业规模")
        self.calc_button = QToolButton(text="计算", checkable=True)
        self.calc_button.setToolTip("根据从业人员、营业收入、资产总额判定规模(Alt+J)")
        self.calc_button.setShortcut("Alt+J")
        self.calc_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.calculator = SizeCalculator()
        self.calculator.setVisible(False)
        self.zjtx = QComboBox()
        self.zjtx.setAccessibleName("专精特新")
        self.flags = ChecklistWidget()
        self.flags.setAccessibleName("企业类型(空格勾选)")
        self.needs = ChecklistWidget()
        self.needs.setAccessibleName("需求(空格勾选)")
        self.area = _searchable_combo("可选:街道、镇或园区")
        self.area.setAccessibleName("街镇或园区")
        self.keywords = QLineEdit(placeholderText="可选:如 航运 船舶代理")
        self.keywords.setClearButtonEnabled(True)
        self.keywords.setAccessibleName("关键词")

        size_row = QHBoxLayout()
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.addWidget(self.size, 1)
        size_row.addWidget(self.calc_button)

        from matcher.presentation import field_label  # the fields' labels: resources/profile.toml

        def label(field: str, key: str) -> str:
            return f"{field_label(field)}(&{key})"

        def row(text, widget):
            lab = QLabel(text)
            lab.setBuddy(widget)
            form.addRow(lab, widget)

        row(label("company", "M"), self.company)
        row(label("district", "D"), self.district)
        row(label("industry", "I"), self.industry)
        lab = QLabel(label("size", "S"))
        lab.setBuddy(self.size)
        form.addRow(lab, size_row)
        form.addRow(self.calculator)
        row(label("zjtx", "Z"), self.zjtx)
        for text, widget in ((label("flags", "L"), self.flags), (label("needs", "N"), self.needs)):
            lab = QLabel(text)  # the grid of choices takes the whole width, under its label
            lab.setBuddy(widget)
            form.addRow(lab)
            form.addRow(widget)
        row(label("area", "Q"), self.area)
        row(label("keywords", "K"), self.keywords)

        # 更多情况: folded by default, so the form still fits a counter screen
        self.more_button = QToolButton(text="更多情况(&G)", checkable=True)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button.setArrowType(Qt.ArrowType.RightArrow)
        self.more_button.setAutoRaise(True)
        self.more_button.setToolTip(
            "成立年份、营业收入、纳税额、研发投入、投资额:有些措施按这些条件判断(可不填,不填则列为“待确认”)"
        )
        self.more_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        form.addRow(self.more_button)
        self.more = QWidget()
        self.more.setObjectName("moreFields")
        more_form = QFormLayout(self.more)
        more_form.setContentsMargins(12, 0, 0, 0)
        more_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.more_edits: dict[str, QLineEdit] = {}
        for key, (label, hint) in MORE_FIELDS.items():
            edit = QLineEdit(placeholderText=hint)
            edit.setClearButtonEnabled(True)
            edit.setAccessibleName(label + ("" if key == "founded" else "(万元)"))
            edit.setValidator(
                QIntValidator(1900, 2100, edit) if key == "founded" else QDoubleValidator(0, 1e12, 2, edit)
            )
            more_form.addRow(label + ":", edit)
            self.more_edits[key] = edit
        self.more.setVisible(False)
        form.addRow(self.more)

        self.problem = QLabel("", wordWrap=True)
        self.problem.setObjectName("problemLabel")
        self.problem.setVisible(False)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problem)

        buttons = QHBoxLayout()
        self.clear_button = QPushButton("清空画像")
        self.clear_button.setToolTip("清空画像中填写的全部内容(Ctrl+Shift+Del)")
        self.clear_button.setShortcut("Ctrl+Shift+Del")
        self.save_button = QPushButton("保存画像…")
        self.save_button.setToolTip("保存到“已存画像”(Ctrl+S)")
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        outer.addStretch(1)

        for a, b in (
            (self.company, self.district),
            (self.district, self.industry),
            (self.industry, self.size),
            (self.size, self.calc_button),
            (self.calc_button, self.calculator.employees),
            (self.calculator.employees, self.calculator.revenue),
            (self.calculator.revenue, self.calculator.assets),
            (self.calculator.assets, self.zjtx),
            (self.zjtx, self.flags),
            (self.flags, self.needs),
            (self.needs, self.area),
            (self.area, self.keywords),
            (self.keywords, self.more_button),
            (self.more_button, self.more_edits["founded"]),
            (self.more_edits["founded"], self.more_edits["revenue"]),
            (self.more_edits["revenue"], self.more_edits["tax"]),
            (self.more_edits["tax"], self.more_edits["rnd"]),
            (self.more_edits["rnd"], self.more_edits["investment"]),
            (self.more_edits["investment"], self.clear_button),
            (self.clear_button, self.save_button),
        ):
            QWidget.setTabOrder(a, b)

        self.district.currentTextChanged.connect(self._on_district_changed)
        self.district.lineEdit().returnPressed.connect(self._on_district_editing_finished)
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)
        self.industry.value_changed.connect(self._on_industry_value_changed)
        self.size.currentIndexChanged.connect(self._on_size_changed)
        self.calc_button.toggled.connect(self._on_calc_button_toggled)
        self.calculator.decided.connect(self._on_calculator_decided)
        for edit in (self.calculator.employees, self.calculator.revenue, self.calculator.assets):
            edit.textChanged.connect(self._on_field_changed)
        self.zjtx.currentIndexChanged.connect(self._on_field_changed)
        self.flags.changed.connect(self._on_field_changed)
        self.needs.changed.connect(self._on_field_changed)
        self.area.currentTextChanged.connect(self._on_field_changed)
        self.keywords.textChanged.connect(self._on_field_changed)
        self.company.textChanged.connect(self._on_field_changed)
        self.company.textChanged.connect(self.company.setToolTip)  # a long name, whole
        self.more_button.toggled.connect(self._on_more_button_toggled)
        for edit in self.more_edits.values():
            edit.textChanged.connect(self._on_field_changed)
        # one 营业收入: the calculator's and 更多情况's show the same figure
        self.more_edits["revenue"].textChanged.connect(self._on_more_revenue_text_changed)
        self.calculator.revenue.textChanged.connect(self._on_calc_revenue_text_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.save_button.clicked.connect(self.save_requested)

    # -- setup ---------------------------------------------------------------------------
    def set_options(self, options: ProfileOptions, backend=None) -> None:
        """Fill the choices from the engine's rules. Keeps what the user entered."""
        current = self.profile()
        self._pending = None
        self._options = options
        self._backend = backend
        self._loading = True
        self.district.clear()
        self.district.addItems(options.districts)
        self.industry.set_choices(
            options.industry_choices or options.industries,
            backend.suggest if backend is not None else None,
            aliases=options.industry_aliases,
        )
        self.size.clear()
        self.size.addItems([NO_SIZE] + list(options.sizes))
        self.zjtx.clear()
        self.zjtx.addItems(options.zjtx or ["无"])
        self.flags.set_choices(options.flags)
        self.needs.set_choices(options.needs)
        if backend is not None:
            self.calculator.set_classifier(backend.classify)
        self._loading = False
        self.set_profile(current, emit=False)

    # -- reading and writing the form ------------------------------------------------------
    def profile(self) -> dict:
        if self._pending is not None:
            return dict(self._pending)
        d: dict = {}
        district = self.district.currentText().strip()
        if district:
            d["district"] = district
        industry = self.industry.text().strip()
        if industry:
            d["industry"] = industry
        size = self.size.currentText()
        if self.calc_button.isChecked() and self.calculator.has_figures():
            # the figures, not the size: the engine works the size out again and records the
            # rule that decided (a size typed here would be recorded as 直接填写)
            d.update({k: v for k, v in self.calculator.figures().items() if v is not None})
        elif size and size != NO_SIZE:
            d["size"] = size
        for key, edit in self.more_edits.items():
            text = edit.text().strip()
            if text and key not in d:
                d[key] = int(text) if key == "founded" and text.isdigit() else _number(text)
        zj = self.zjtx.currentText()
        if zj:
            d["zjtx"] = zj
        if self.flags.checked():
            d["flags"] = self.flags.checked()
        if self.needs.checked():
            d["needs"] = self.needs.checked()
        area = self.area.currentText().strip()
        if area:
            d["area"] = area
        kw = self.keywords.text().strip()
        if kw:
            d["keywords"] = kw
        company = self.company.text().strip()
        if company:
            d["company"] = company
        return d

    def set_profile(self, profile: dict, emit: bool = True) -> None:
        """Show ``profile`` in the form; values the form does not offer are kept as typed,
        so the engine can name what is wrong."""
        if not self._options.districts:
            self._pending = dict(profile or {})
            return
        self._loading = True
        try:
            p = profile or {}
            self.district.setEditText(p.get("district", "") or "")
            self._fill_areas(p.get("district", "") or "")
            self.industry.setText(p.get("industry", "") or "")
            self.industry.setCursorPosition(0)  # a long industry shows its beginning
            self.calculator.set_industry(p.get("industry", "") or "")
            figs = {k: p.get(k) for k in ("employees", "revenue", "assets")}
            has_figs = any(v is not None for v in figs.values())
            self.calculator.set_figures(**figs)
            self.calc_button.setChecked(has_figs)
            self.calculator.setVisible(has_figs)
            size = p.get("size") or NO_SIZE
            i = self.size.findText(size)
            self.size.setCurrentIndex(max(i, 0))
            zi = self.zjtx.findText(p.get("zjtx") or "无")
            self.zjtx.setCurrentIndex(max(zi, 0))
            self.flags.set_checked(p.get("flags") or [])
            self.needs.set_checked(p.get("needs") or [])
            self.area.setEditText(p.get("area", "") or "")
            self.keywords.setText(p.get("keywords", "") or "")
            self.company.setText(p.get("company", "") or "")
            self.company.setCursorPosition(0)
            for key, edit in self.more_edits.items():
                v = p.get(key)
                edit.setText("" if v in (None, "") else _figure_text(v))
            # 营业收入 alone (no calculator) belongs to 更多情况; any figure there unfolds it
            if any(p.get(k) not in (None, "") for k in ("founded", "tax", "rnd", "investment")) or (
                p.get("revenue") not in (None, "") and not has_figs
            ):
                self.more_button.setChecked(True)
        finally:
            self._loading = False
        if emit:
            self._emit()

    def clear(self) -> None:
        self.set_profile({})

    def choose_industry(self, industry: str) -> None:
        """Take one of the offered industries (for a text the rules did not know)."""
        self.industry.setText(industry)
        self.industry.setCursorPosition(0)
        self.calculator.set_industry(industry)
        self._emit()

    def field_widget(self, field: str) -> QWidget | None:
        """The widget that answers ``field`` (a profile field name)."""
        if field in self.more_edits:
            return self.more_edits[field]
        if field == "employees":
            return self.calculator.employees
        if field == "size":
            return self.calculator.employees if self.calc_button.isChecked() else self.size
        return {
            "industry": self.industry,
            "area": self.area,
            "district": self.district,
            "zjtx": self.zjtx,
            "flags": self.flags,
            "needs": self.needs,
        }.get(field)

    def focus_field(self, field: str) -> QWidget | None:
        """Unfold what hides ``field`` and put the cursor in it (a question being answered)."""
        if field in self.more_edits:
            self.more_button.setChecked(True)
        elif field == "employees":
            self.calc_button.setChecked(True)
        w = self.field_widget(field)
        if w is None:
            return None
        w.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(w, QLineEdit):
            w.selectAll()
        return w

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    # -- slots ------------------------------------------------------------------------------
    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit(self.profile())

    def _fill_areas(self, district: str) -> None:
        areas = self._options.areas.get(district) or []
        if not areas:  # short forms: 虹口 → 虹口区
            for d, a in self._options.areas.items():
                if district and d.startswith(district):
                    areas = a
                    break
        text = self.area.currentText()
        self.area.blockSignals(True)
        self.area.clear()
        self.area.addItems(areas)
        self.area.setEditText(text if text in areas or not areas else "")
        self.area.blockSignals(False)
        self.area.setToolTip("本区可选:" + "、".join(areas[:40]) if areas else "本区没有可选的街镇园区")

    def _on_district_changed(self, text: str) -> None:
        if not self._loading:
            self._fill_areas(text.strip())
        self._emit()

    def _on_app_focus_changed(self, old, new) -> None:
        # leaving the district box (not for its own completion popup): tidy what was typed
        popup = self.district.completer().popup() if self.district.completer() else None
        if (
            old in (self.district, self.district.lineEdit())
            and new is not popup
            and new not in (self.district, self.district.lineEdit())
        ):
            self._on_district_editing_finished()

    def _on_district_editing_finished(self) -> None:
        """A short form or Traditional spelling (虹口, 虹口區) becomes the district's name."""
        text = self.district.currentText().strip()
        names = self._options.districts
        if not text or text in names or self._backend is None:
            return
        try:
            found = self._backend.suggest(text, names, limit=2)
        except Exception:
            return
        if len(found) == 1 or (found and found[0].startswith(text)):
            self.district.setEditText(found[0])

    def _on_industry_value_changed(self, text: str) -> None:
        self.calculator.set_industry(text.strip())
        self._emit()

    def _on_size_changed(self, _i: int) -> None:
        self._emit()

    def _on_calc_button_toggled(self, on: bool) -> None:
        self.calculator.setVisible(on)
        self.size.setEnabled(not on)
        if on:
            self.calculator.set_industry(self.industry.text().strip())
            if not self._loading:
                self.calculator.employees.setFocus()
        self._emit()

    def _on_calculator_decided(self, size: str) -> None:
        if size:
            i = self.size.findText(size)
            if i >= 0:
                self.size.blockSignals(True)
                self.size.setCurrentIndex(i)
                self.size.blockSignals(False)
        self._emit()

    def _on_field_changed(self, *_args) -> None:
        self._emit()

    def _on_more_button_toggled(self, on: bool) -> None:
        self.more.setVisible(on)
        self.more_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def _on_more_revenue_text_changed(self, text: str) -> None:
        if self.calculator.revenue.text() != text:
            self.calculator.revenue.blockSignals(True)
            self.calculator.revenue.setText(text)
            self.calculator.revenue.blockSignals(False)

    def _on_calc_revenue_text_changed(self, text: str) -> None:
        if self.more_edits["revenue"].text() != text:
            self.more_edits["revenue"].blockSignals(True)
            self.more_edits["revenue"].setText(text)
            self.more_edits["revenue"].blockSignals(False)

    def _on_clear_button_clicked(self) -> None:
        self.clear()
        self.district.setFocus()


def _number(text: str):
    """A figure as typed: a number when it is one, else the text (the engine names it)."""
    try:
        v = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(v) if v.is_integer() else v


def _figure_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
