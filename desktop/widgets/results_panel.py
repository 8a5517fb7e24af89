"""The answer for one company, in the engine's tiers (``matcher.matching.tiers``): the measures
for this company first (grouped by benefit category, with 金额 and 截止 columns), then the
services every firm of the district gets (a few lines, "更多 N 条" shows all), then the
measures one condition away ("如果再具备…,还可享受"), then those waiting for an answer,
grouped by the question to ask — with a button that takes the officer to the field that
answers it. Filters (office, category, document), sorting (relevance, amount, deadline,
clause order, office) and the date expiry is judged on."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..itemmodels import INFERRED_MARK, TARGETED_COLUMNS, ResultFilterProxy
from ..tier_text import FIELD_LABELS, TIER_TITLES, question_fields, tier_header
from .date_field import DateField
from .problem_banner import ProblemBanner
from .result_groups import (
    by_category,
    by_expiry,
    by_missing,
    by_question,
    general_group,
    need_groups_first,
    targeted_flat,
)
from .result_tree import ResultTree

ALL = "全部"
GENERAL_SHORT = 3  # general services shown before "更多 N 条"
TARGETED_SHARES = {"title": 0.38, "offices": 0.22, "amount": 0.19, "deadline": 0.21}
LOWER_ROWS = 4  # rows a lower list (near, unknown) shows before it scrolls
TARGETED_ROWS = 6  # targeted rows kept in sight before a lower list gets more than its title
FLAT_SORTS = ("amount", "deadline")  # sorted as one list, not within categories


class _Stack(QStackedWidget):
    """The lists' stack asks for no more height than its minimum: its natural height (five
    lists of rows) would otherwise, through the summary's height-for-width, make the whole
    window taller than a counter screen."""

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(self.minimumSizeHint().height())
        return hint


def _section(title: QLabel, tree, extra: QWidget | None = None) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    if extra is None:
        lay.addWidget(title)
    else:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(title, 1)
        row.addWidget(extra)
        extra.setSizePolicy(extra.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Ignored)
        lay.addLayout(row)
    lay.addWidget(tree, 1)
    return box


class ResultsPanel(QWidget):
    """Signals:
    result_selected(object): a Result became current (in any of the lists).
    field_requested(str): the officer wants to answer a question: the profile field
        (founded, revenue, tax, rnd, investment, size, industry, area …).
    as_of_changed(object): the date expiry is judged on (a datetime.date).
    expired_toggled(bool): list the expired measures too (marked 已过期), or not.
    whole_lists_wanted(): a filter or an order other than relevance was chosen: it
        means something only over the whole targeted and general lists, not a page.
    """

    result_selected = Signal(object)
    field_requested = Signal(str)
    as_of_changed = Signal(object)
    expired_toggled = Signal(bool)
    whole_lists_wanted = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self._results: list = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)

        self.problem = ProblemBanner()  # first thing in the results area: never below a fold
        lay.addWidget(self.problem)
        self.summary = QLabel("请在左侧填写企业画像。")
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(1)
        self.as_of = DateField(QDate.currentDate())
        self.as_of.setAccessibleName("判断日期(是否过期按这一天判断)")
        self.as_of.setToolTip("按这一天判断申报是否截止、政策是否过期(默认今天)")
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.summary, 1)
        date_label = QLabel("判断日期(&T):")
        date_label.setBuddy(self.as_of)
        self.show_expired = QCheckBox("列出已过期(&X)")
        self.show_expired.setToolTip("也列出申报已截止、政策已过有效期的措施(标明“已过期”,不计入为本企业)")
        when = QGridLayout()
        when.setContentsMargins(0, 0, 0, 0)
        when.setVerticalSpacing(0)
        when.addWidget(date_label, 0, 0)
        when.addWidget(self.as_of, 0, 1)
        self.filters_button = QToolButton()
        self.filters_button.setText("筛选…")
        self.filters_button.setCheckable(True)
        self.filters_button.setAutoRaise(True)
        self.filters_button.setToolTip("按部门、类别、文件筛选,或换一种排序")
        self.filters_button.setAccessibleName("显示筛选与排序")
        row2 = QHBoxLayout()
        row2.setContentsMargins(0, 0, 0, 0)
        row2.addWidget(self.filters_button)
        row2.addWidget(self.show_expired)
        when.addLayout(row2, 1, 0, 1, 2, Qt.AlignmentFlag.AlignRight)
        head.addLayout(when)
        lay.addLayout(head)

        # two rows of two filters: one row of four would set the window's minimum width
        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setHorizontalSpacing(4)
        bar.setVerticalSpacing(2)
        self.office_filter = QComboBox()
        self.office_filter.setAccessibleName("按部门筛选")
        self.category_filter = QComboBox()
        self.category_filter.setAccessibleName("按类别筛选")
        self.document_filter = QComboBox()
        self.document_filter.setAccessibleName("按文件筛选")
        for combo in (self.office_filter, self.category_filter, self.document_filter):
            # long office and document names must not widen the pane
            combo.setMinimumContentsLength(4)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sort = QComboBox()
        self.sort.setAccessibleName("排序")
        for key, label in ResultFilterProxy.SORT_MODES.items():
            self.sort.addItem(label, key)
        self.sort.setMinimumContentsLength(4)
        self.sort.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for i, (lab_text, w) in enumerate(
            (
                ("部门(&B):", self.office_filter),
                ("类别(&C):", self.category_filter),
                ("文件(&W):", self.document_filter),
                ("排序(&P):", self.sort),
            )
        ):
            lab = QLabel(lab_text)
            lab.setBuddy(w)
            bar.addWidget(lab, i // 2, 2 * (i % 2))
            bar.addWidget(w, i // 2, 2 * (i % 2) + 1)
        bar.setColumnStretch(1, 1)
        bar.setColumnStretch(3, 1)
        # the filters stay folded until asked for: the targeted list gets their height
        self.filter_bar = QWidget()
        self.filter_bar.setLayout(bar)
        self.filter_bar.setVisible(False)
        self.filters_button.toggled.connect(self.filter_bar.setVisible)
        lay.addWidget(self.filter_bar)

        self.stack = _Stack()
        self.placeholder = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.placeholder.setObjectName("placeholder")
        self.stack.addWidget(self.placeholder)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.setHandleWidth(2)
        self.applies = ResultTree(columns=TARGETED_COLUMNS, shares=TARGETED_SHARES)
        self.applies.setAccessibleName("为本企业的措施")
        self.applies.set_stacked(True)
        self.targeted_title = QLabel(TIER_TITLES["targeted"])
        self.targeted_title.setObjectName("nearTitle")
        self.targeted_title.setVisible(False)  # the summary above counts it: the rows get the line
        self.general = ResultTree()
        self.general.setAccessibleName("普惠服务:本区各类企业都能享受")
        self.general.setRootIsDecorated(False)
        self.general.flat = True  # the title above names the list: no group row
        self.general_title = QLabel(TIER_TITLES["general"])
        self.general_title.setObjectName("nearTitle")
        self.more_button = QPushButton("更多")
        self.more_button.setCheckable(True)
        self.more_button.setFlat(True)
        self.more_button.setObjectName("moreButton")
        self.more_button.setToolTip("展开或收起全部普惠服务")
        self.near_title = QLabel("如果再具备…,还可享受")
        self.near_title.setObjectName("nearTitle")
        self.near = ResultTree()
        self.near.setAccessibleName("补足条件后还可享受的措施")
        self.unknown_title = QLabel(TIER_TITLES["unknown"])
        self.unknown_title.setObjectName("nearTitle")
        self.unknown = ResultTree()
        self.unknown.setAccessibleName("待确认的措施:问清企业情况后可判断")
        self.expired_title = QLabel(TIER_TITLES["expired"])
        self.expired_title.setObjectName("nearTitle")
        self.expired = ResultTree(
            columns=("clause", "title", "offices", "deadline"), shares={"title": 0.45, "offices": 0.3}
        )
        self.expired.setAccessibleName("已过期的措施")
        self.expired.setHeaderHidden(True)
        self.fill_button = QPushButton("填写")
        self.fill_button.setObjectName("fillButton")
        self.fill_button.setEnabled(False)
        self.fill_button.setToolTip("转到画像中回答这个问题的栏目")
        self.sections = {
            "targeted": _section(self.targeted_title, self.applies),
            "general": _section(self.general_title, self.general, self.more_button),
            "near": _section(self.near_title, self.near),
            "unknown": _section(self.unknown_title, self.unknown, self.fill_button),
            "expired": _section(self.expired_title, self.expired),
        }
        for tree in (self.general, self.near, self.unknown, self.expired):
            tree.setHeaderHidden(True)  # the title above says what the list is
            tree.setMinimumHeight(1)  # a lower list may shrink to its title (it scrolls)
        for i, key in enumerate(("targeted", "general", "near", "unknown", "expired")):
            split.addWidget(self.sections[key])
            split.setStretchFactor(i, 4 if key == "targeted" else 1)
            # shown when they have rows: five empty lists would make the window too tall
            self.sections[key].setVisible(key == "targeted")
        self.splitter = split
        self.stack.addWidget(split)
        lay.addWidget(self.stack, 1)

        # one line at most: the rows above get the height (the whole text is its tooltip)
        legend = QLabel(f"★ 创新举措  {INFERRED_MARK}部门系推断,原文未写明")
        legend.setObjectName("legend")
        legend.setToolTip(f"★ 原文标注的创新举措   部门后标“{INFERRED_MARK}”:原文未写明,系统推断")
        legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lay.addWidget(legend)
        self.legend = legend

        for combo in (self.office_filter, self.category_filter, self.document_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.sort.currentIndexChanged.connect(self._on_sort_changed)
        for tree in self.trees():
            tree.result_selected.connect(self._on_tree_result_selected)
        self.more_button.toggled.connect(self._on_more_button_toggled)
        self.fill_button.clicked.connect(self._on_fill_button_clicked)
        self.as_of.dateChanged.connect(self._on_as_of_date_changed)
        self.show_expired.toggled.connect(self.expired_toggled)
        self._response = None
        self.show_message("请在左侧填写企业画像:至少选择所在区。")

    def trees(self) -> tuple:
        return (self.applies, self.general, self.near, self.unknown, self.expired)

    def current_result(self):
        for tree in self.trees():
            r = tree.current_result()
            if r is not None:
                return r
        return None

    def as_of_date(self) -> date:
        return self.as_of.date().toPython()

    def set_as_of(self, day: date) -> None:
        """Show ``day`` as the date used (without asking for a new match)."""
        self.as_of.blockSignals(True)
        self.as_of.setDate(QDate(day.year, day.month, day.day))
        self.as_of.blockSignals(False)

    # -- content ------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def tier_results(self, tier: str) -> list:
        """The results of ``tier`` loaded so far."""
        return [r for r in self._results if getattr(r, "tier", None) == tier]

    def tier_total(self, tier: str) -> int | None:
        """How many results ``tier`` has in all: the engine's count (None until counted);
        an answer without counts (a plain match answer) has them all."""
        counts = getattr(self._response, "counts", "whole")
        if counts == "whole":
            return len(self.tier_results(tier))
        if counts is None:
            return None
        if tier == "expired" and not getattr(self._response, "include_expired", False):
            return 0
        return int(counts.get(tier, 0))

    def tree_of(self, tier: str):
        return dict(zip(("targeted", "general", "near", "unknown", "expired"), self.trees()))[tier]

    def add_page(self, tier: str, results: list) -> None:
        """The next page of ``tier``, appended below its rows (the selection stays)."""
        results = list(results)
        if not results:
            return
        self._results.extend(results)
        self.tree_of(tier).append_results(results)
        if self._fill_filters():
            self._apply_filters()
        self.sections[tier].setVisible(True)
        if tier == "general":
            self._update_more_button()

    def set_response(self, response) -> None:
        """Show an answer (its pages so far). The same answer again (counted now) keeps
        the 更多 state."""
        same = response is not None and response is self._response
        self._response = response
        self._results = list(response.results) if response is not None else []
        targeted = self.tier_results("targeted")
        general = self.tier_results("general")
        near = self.tier_results("near")
        unknown = self.tier_results("unknown")
        expired = self.tier_results("expired")
        # the same answer again (now counted): only the lists that got rows are filled again
        fill = [
            t
            for t, rows in (
                ("targeted", targeted),
                ("general", general),
                ("near", near),
                ("unknown", unknown),
                ("expired", expired),
            )
            if not same or self.tree_of(t).source.result_count() != len(rows)
        ]
        moved = self._fill_filters() if fill else False
        if "targeted" in fill:
            self._fill_targeted()
        for tier, tree, rows, grouping in (
            ("general", self.general, general, general_group),
            ("near", self.near, near, by_missing),
            ("unknown", self.unknown, unknown, by_question),
            ("expired", self.expired, expired, by_expiry),
        ):
            if tier in fill:
                tree.set_results(rows, grouping)
        if not same:
            self.more_button.blockSignals(True)
            self.more_button.setChecked(False)
            self.more_button.blockSignals(False)
        if moved:
            self._apply_filters()
        if not self._results and getattr(response, "counts", "whole") is not None:
            self.show_message("按当前画像没有找到适用的措施。\n可以补充需求、企业类型,或换一些关键词。")
        else:
            self.stack.setCurrentWidget(self.splitter)
        for key, rows in (
            ("targeted", targeted),
            ("general", general),
            ("near", near),
            ("unknown", unknown),
            ("expired", expired),
        ):
            self.sections[key].setVisible(bool(rows))
        n = {t: self.tier_total(t) for t in ("targeted", "general", "near", "unknown", "expired")}
        say = {t: "(正在统计)" if v is None else f" {v} 项" for t, v in n.items()}
        self.targeted_title.setText(f"{TIER_TITLES['targeted']}{say['targeted']}:面向本企业的条件或可申领的支持")
        self.general_title.setText(f"{TIER_TITLES['general']}{say['general']}:本区各类企业都能享受")
        self.near_title.setText(f"{TIER_TITLES['near']}{say['near']}:如果再具备…,还可享受")
        self.unknown_title.setText(f"{TIER_TITLES['unknown']}{say['unknown']}:问清以下情况即可判断")
        self.expired_title.setText(f"{TIER_TITLES['expired']}{say['expired']}:申报已截止或政策已过有效期")
        self._update_more_button()
        self._update_fill_button(None)
        self.share_heights()
        if response is None:
            self.summary.setText("请在左侧填写企业画像。")
            return
        all_tiers = getattr(response, "tiers", None) or {}
        hidden = {k: all_tiers.get(k, 0) for k in ("expired", "fails")}
        notes = "".join(f"\n{n}" for n in response.notes)
        # the date used is in the date box beside it
        if any(v is None for v in n.values()):
            self.summary.setText("正在统计各类措施的数目…" + notes)
        else:
            self.summary.setText(tier_header(counts=n, hidden=hidden) + notes)

    def share_heights(self) -> None:
        """The targeted list first: room for its first TARGETED_ROWS rows (and their group
        rows); the lower lists as tall as their few rows (general: its short list; near and
        unknown: up to LOWER_ROWS) when there is room, else down to their titles (they
        scroll); the targeted list gets whatever is left."""
        total = self.splitter.height()
        if total <= 0:
            return
        want, least, bare = [], [], []
        lists = (("general", self.general), ("near", self.near), ("unknown", self.unknown), ("expired", self.expired))
        for key, tree in lists:
            if not self.sections[key].isVisibleTo(self):
                want.append(0)
                least.append(0)
                bare.append(0)
                continue
            rows = sum(
                (0 if tree.flat else 1) + min(tree.proxy.rowCount(tree.proxy.index(g, 0)), LOWER_ROWS)
                for g in range(tree.proxy.rowCount())
            )
            if key != "general":
                rows = min(rows, LOWER_ROWS + 1)
            rh = max(tree.sizeHintForRow(0), tree.fontMetrics().height() + 4)
            title = self.sections[key].layout().itemAt(0)
            head = (title.sizeHint().height() if title is not None else rh) + 6
            frame = 2 * tree.frameWidth() + 8
            want.append(head + rows * rh + frame)
            least.append(head + min(rows, 1) * rh + frame)
            bare.append(self.sections[key].minimumSizeHint().height())
        need = self.targeted_need() if self.sections["targeted"].isVisibleTo(self) else 0
        room = max(total - need, 0)
        lower = list(want)
        if sum(lower) > room:
            # shrink each towards its least height, in proportion to what it could give
            spare = sum(w - m for w, m in zip(want, least))
            cut = sum(want) - room
            lower = [w - (int(cut * (w - m) / spare) if spare else 0) for w, m in zip(want, least)]
            lower = [max(x, m) for x, m in zip(lower, least)]
            if sum(lower) > room:
                # still too tall: the lower lists keep their titles, and share what is left
                shown = sum(1 for b in bare if b) or 1
                extra = max(room - sum(bare), 0) // shown
                lower = [min(m, b + extra) if b else 0 for m, b in zip(least, bare)]
        self.splitter.setSizes([max(total - sum(lower), total // 4), *lower])

    def targeted_need(self) -> int:
        """The height the targeted list needs to show its first TARGETED_ROWS results (with
        the group rows above them) and its title."""
        tree = self.applies
        p = tree.proxy
        col = tree.source.columns.index("title")
        height, shown = 0, 0
        for g in range(p.rowCount()):
            gi = p.index(g, 0)
            if not tree.flat:
                height += tree.sizeHintForIndex(gi).height()
            for r in range(p.rowCount(gi)):
                if shown >= TARGETED_ROWS:
                    break
                idx = p.index(r, col, gi)
                height += max(
                    tree.sizeHintForIndex(idx).height(), tree.sizeHintForIndex(idx.siblingAtColumn(0)).height()
                )
                shown += 1
            if shown >= TARGETED_ROWS:
                break
        title = self.sections["targeted"].layout().itemAt(0)
        head = (title.sizeHint().height() if title is not None else 0) + 6
        return head + height + 2 * tree.frameWidth() + 8

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.share_heights()

    def _fill_targeted(self) -> None:
        targeted = self.tier_results("targeted")
        groups = {label for r in targeted for label in by_category(r)}
        # a group row is worth its line on a counter screen only where it gathers two results
        # on average; a short list of many categories reads best as one list in rank order
        if self.sort.currentData() in FLAT_SORTS or len(targeted) < 2 * len(groups):
            self.applies.set_flat(True)
            self.applies.set_results(targeted, targeted_flat)
        else:
            self.applies.set_flat(False)
            self.applies.set_results(targeted, by_category, need_groups_first(targeted))

    def _update_more_button(self) -> None:
        total = self.tier_total("general")
        n = len(self.tier_results("general")) if total is None else total
        if n <= GENERAL_SHORT:
            self.more_button.setVisible(False)
            self.general.proxy.set_limit(None)
        else:
            self.more_button.setVisible(True)
            self.general.proxy.set_limit(None if self.more_button.isChecked() else GENERAL_SHORT)
            self.more_button.setText("收起" if self.more_button.isChecked() else f"更多 {n - GENERAL_SHORT} 条")
        self.general.expandAll()

    def _on_more_button_toggled(self, _on: bool) -> None:
        self._update_more_button()
        self.share_heights()

    def _update_fill_button(self, result) -> None:
        fields = question_fields(result) if result is not None and getattr(result, "tier", None) == "unknown" else []
        self._fill_fields = fields
        self.fill_button.setEnabled(bool(fields))
        self.fill_button.setText("填写:" + FIELD_LABELS[fields[0][0]] if fields else "填写")

    def _on_fill_button_clicked(self) -> None:
        fields = getattr(self, "_fill_fields", [])
        if fields:
            self.field_requested.emit(fields[0][0])

    def _on_as_of_date_changed(self, _d) -> None:
        self.as_of_changed.emit(self.as_of_date())

    def _fill_filters(self) -> bool:
        """The filters offer what the loaded results hold; True when a filter's choice had
        to change (the one chosen is no longer offered)."""
        before = (
            self.office_filter.currentData(),
            self.category_filter.currentData(),
            self.document_filter.currentData(),
        )
        offices, cats, docs = set(), set(), {}
        for r in self._results:
            offices.update(r.measure.offices)
            cats.update(r.measure.categories)
            docs[r.measure.doc_id] = f"{r.measure.district} {r.measure.document}"
        for combo, items in (
            (self.office_filter, sorted(offices)),
            (self.category_filter, sorted(cats)),
            (self.document_filter, sorted(docs.items(), key=lambda kv: kv[1])),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for it in items:
                if isinstance(it, tuple):
                    combo.addItem(it[1], it[0])
                else:
                    combo.addItem(it, it)
            i = combo.findData(keep) if keep else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        return before != (
            self.office_filter.currentData(),
            self.category_filter.currentData(),
            self.document_filter.currentData(),
        )

    def _apply_filters(self) -> None:
        f = dict(
            office=self.office_filter.currentData(),
            category=self.category_filter.currentData(),
            document=self.document_filter.currentData(),
        )
        for tree in self.trees():
            tree.proxy.set_filters(**f)
            tree.expandAll()

    def wants_whole_lists(self) -> bool:
        """A filter, or an order other than relevance, is chosen."""
        return self.sort.currentData() != "score" or any(
            c.currentData() for c in (self.office_filter, self.category_filter, self.document_filter)
        )

    def _on_filter_changed(self, _i: int) -> None:
        self._apply_filters()
        if self.wants_whole_lists():
            self.whole_lists_wanted.emit()

    def _on_sort_changed(self, _i: int) -> None:
        if self.wants_whole_lists():
            self.whole_lists_wanted.emit()
        current = self.applies.current_result()
        self._fill_targeted()
        for tree in self.trees():
            tree.proxy.set_sort_mode(self.sort.currentData())
            tree.expandAll()
        if current is not None:
            self.applies.select_measure(current.measure.measure_id)

    def _on_tree_result_selected(self, result) -> None:
        if result is not None:
            # one selection across the lists: choosing in one clears the others
            for other in self.trees():
                if other is not self.sender():
                    other.clear_selection()
            self._update_fill_button(result)
            self.result_selected.emit(result)
