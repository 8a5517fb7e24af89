"""Enterprise size from employees, revenue and assets, by the engine's 2011 SME rules
(``matcher.rules.sme.classify``), showing which rule decided."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit

from ..messages import user_message

Classify = Callable[..., object]


class SizeCalculator(QFrame):
    """Signals:
    decided(str): the computed size ("" when the figures do not decide one).
    """

    decided = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sizeCalculator")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._classify: Classify | None = None
        self._industry = ""
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        self.employees = QLineEdit(placeholderText="人")
        self.employees.setValidator(QIntValidator(0, 10_000_000, self))
        self.revenue = QLineEdit(placeholderText="万元")
        self.revenue.setValidator(QDoubleValidator(0, 1e12, 2, self))
        self.assets = QLineEdit(placeholderText="万元")
        self.assets.setValidator(QDoubleValidator(0, 1e12, 2, self))
        for w, name in ((self.employees, "从业人员"), (self.revenue, "营业收入"), (self.assets, "资产总额")):
            w.setClearButtonEnabled(True)
            w.setAccessibleName(name)
            w.textChanged.connect(self._on_figures_changed)
        form.addRow("从业人员(&E):", self.employees)
        form.addRow("营业收入(&R):", self.revenue)
        form.addRow("资产总额(&A):", self.assets)
        for label_row, field in ((0, self.employees), (1, self.revenue), (2, self.assets)):
            lab = form.itemAt(label_row, QFormLayout.ItemRole.LabelRole).widget()
            lab.setBuddy(field)
        self.rule = QLabel("填写数据后自动判定规模。", wordWrap=True)
        self.rule.setObjectName("ruleLabel")
        form.addRow(self.rule)
        self.size = ""

    def set_classifier(self, classify: Classify) -> None:
        self._classify = classify

    def set_industry(self, industry: str) -> None:
        self._industry = industry or ""
        self._on_figures_changed()

    def figures(self) -> dict:
        def num(edit, cast):
            t = edit.text().strip().replace(",", "")
            try:
                return cast(t) if t else None
            except ValueError:
                return None

        return {
            "employees": num(self.employees, int),
            "revenue": num(self.revenue, float),
            "assets": num(self.assets, float),
        }

    def set_figures(self, employees=None, revenue=None, assets=None) -> None:
        for edit, v in ((self.employees, employees), (self.revenue, revenue), (self.assets, assets)):
            edit.blockSignals(True)
            edit.setText("" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)))
            edit.blockSignals(False)
        self._on_figures_changed()

    def has_figures(self) -> bool:
        return any(v is not None for v in self.figures().values())

    def _on_figures_changed(self, *_args) -> None:
        figs = self.figures()
        old = self.size
        if not any(v is not None for v in figs.values()):
            self.size = ""
            self.rule.setText("填写数据后自动判定规模。")
        elif not self._industry:
            self.size = ""
            self.rule.setText("请先填写行业:不同行业的划型标准不同。")
        elif self._classify is None:
            self.size = ""
        else:
            try:
                d = self._classify(self._industry, **figs)
            except Exception as err:
                self.size = ""
                self.rule.setText(f"无法判定:{user_message(err)}")
            else:
                self.size = getattr(d, "size", None) or ""
                rule = getattr(d, "rule", "") or ""
                needs = getattr(d, "needs_data", None)
                if self.size:
                    self.rule.setText(f"判定为 <b>{self.size}</b>:{rule}")
                else:
                    need_txt = "、".join(needs) if isinstance(needs, (list, tuple)) else ""
                    self.rule.setText(f"还不能判定:{rule or ''}{'(还需:' + need_txt + ')' if need_txt else ''}")
        if self.size != old:
            self.decided.emit(self.size)
