"""Enterprise size (大型/中型/小型/微型) by the 2011 SME classification standard.

The thresholds live in ``resources/sme_size.toml`` (one row per industry group); this
module only reads them. Reading of the standard: ``below`` is "以下" (strictly below),
``at_least`` is "及以上" (inclusive). A company is 中小微 if any of the row's SME
conditions holds, else 大型; among SMEs, 中型 and 小型 need every lower bound met (else
the company drops a class) and 微型 needs only one condition. A figure the decision needs
but that was not given makes the answer "needs data" — never a guess.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.errors import BadInput
from matcher.rules.loader import load_toml

Figure = Literal["employees", "revenue", "assets"]

#: Chinese label and unit of each figure, as the standard words them.
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "employees": ("从业人员", "人"),
    "revenue": ("营业收入", "万元"),
    "assets": ("资产总额", "万元"),
}
SIZES = ("大型", "中型", "小型", "微型")


class Condition(BaseModel):
    """``figure`` below a value ("以下") or at least a value ("及以上")."""

    model_config = ConfigDict(extra="forbid")

    figure: Figure
    below: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Condition:
        if (self.below is None) == (self.at_least is None):
            raise ValueError("每个条件须且只须给出 below 或 at_least 之一")
        return self

    @property
    def value(self) -> float:
        if self.below is not None:
            return self.below
        assert self.at_least is not None  # _one_bound: exactly one of the two is given
        return self.at_least

    def holds(self, figures: dict[str, float | None]) -> bool | None:
        """True/False, or None when the figure is missing."""
        x = figures.get(self.figure)
        if x is None:
            return None
        return x < self.below if self.below is not None else x >= self.value

    def negated(self) -> Condition:
        if self.below is not None:
            return Condition(figure=self.figure, at_least=self.below)
        return Condition(figure=self.figure, below=self.at_least)

    def text(self) -> str:
        label, unit = FIGURE_LABELS[self.figure]
        v = self.value
        num = str(int(v)) if float(v).is_integer() else f"{v:g}"
        return f"{label}{num}{unit}{'以下' if self.below is not None else '及以上'}"


def _all3(conds: list[Condition], figures: dict[str, float | None]) -> bool | None:
    vals = [c.holds(figures) for c in conds]
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def _any3(conds: list[Condition], figures: dict[str, float | None]) -> bool | None:
    vals = [c.holds(figures) for c in conds]
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


class SizeGroup(BaseModel):
    """One row of the standard."""

    model_config = ConfigDict(extra="forbid")

    no: int
    name: str
    note: str = ""
    covers: list[str] = Field(default_factory=list)  # GB/T 4754 industries this row covers
    sme_any: list[Condition] = Field(min_length=1)
    medium_all: list[Condition] = Field(min_length=1)
    small_all: list[Condition] = Field(min_length=1)
    micro_any: list[Condition] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SizeGroup:
        if any(c.below is None for c in self.sme_any + self.micro_any):
            raise ValueError(f"{self.name}:sme_any 与 micro_any 只能用 below(以下)")
        if any(c.at_least is None for c in self.medium_all + self.small_all):
            raise ValueError(f"{self.name}:medium_all 与 small_all 只能用 at_least(及以上)")
        key = lambda c: (c.figure, c.value)
        if sorted(map(key, self.micro_any)) != sorted(key(c.negated()) for c in self.small_all):
            raise ValueError(f"{self.name}:micro_any 必须恰好是 small_all 的反面(不满足小型即为微型)")
        small = {c.figure: c.value for c in self.small_all}
        medium = {c.figure: c.value for c in self.medium_all}
        if set(small) != set(medium) or any(medium[f] < small[f] for f in small):
            raise ValueError(f"{self.name}:中型的下限须与小型同指标且不低于小型")
        return self

    @property
    def figures(self) -> list[str]:
        """The figures this row uses, in a stable order."""
        seen = {c.figure for c in self.sme_any + self.medium_all + self.small_all}
        return [f for f in FIGURE_LABELS if f in seen]


class SizeTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    issued: str = ""
    groups: list[SizeGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SizeTable:
        seen: dict[str, str] = {}
        for g in self.groups:
            for name in [g.name, *g.covers]:
                if name in seen:
                    raise ValueError(f"名称“{name}”同时出现在 {seen[name]} 与 {g.name}")
                seen[name] = g.name
        return self

    def group(self, name: str) -> SizeGroup | None:
        for g in self.groups:
            if name == g.name or name in g.covers:
                return g
        return None


class SizeDecision(BaseModel):
    """The outcome of :func:`classify`. ``size`` is None when data is missing."""

    size: str | None
    needs_data: list[str] = Field(default_factory=list)  # figure names: employees/revenue/assets
    rule: str  # which row and condition decided, in Chinese
    group: str = ""
    row: int = 0


@lru_cache(maxsize=1)
def load_size_table() -> SizeTable:
    """The validated ``resources/sme_size.toml`` (cached)."""
    return load_toml("sme_size.toml", SizeTable)


def group_names() -> list[str]:
    """The 16 group names, in the standard's order."""
    return [g.name for g in load_size_table().groups]


def _missing(conds: list[Condition], figures: dict[str, float | None]) -> list[str]:
    return [f for f in FIGURE_LABELS if any(c.figure == f for c in conds) and figures.get(f) is None]


def _check_figure(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"字段 {name} 的值“{value}”不是数字") from None
    if v != v or v < 0:
        raise BadInput(f"字段 {name} 的值“{value}”不能为负数或非数字")
    return v


def classify(
    group_or_industry: str, employees: float | None = None, revenue: float | None = None, assets: float | None = None
) -> SizeDecision:
    """Size by the standard's row for ``group_or_industry``: a row name such as "工业" or
    "零售业", or an industry the row covers such as "制造业". (An industry as a profile
    writes it — "金融业", "批发和零售业 (零售)", "集成电路" — goes through
    :func:`matcher.profile.resolver.classify_size`, which finds the row.)

    Raises :class:`BadInput` for an unknown group or a negative figure. Missing figures
    the decision needs give ``size=None`` and name them in ``needs_data``.
    """
    table = load_size_table()
    g = table.group(group_or_industry)
    if g is None:
        names = "、".join(group_names())
        raise BadInput(f"“{group_or_industry}”不是划型标准中的行业。可选值:{names}")
    figs = {
        "employees": _check_figure("employees", employees),
        "revenue": _check_figure("revenue", revenue),
        "assets": _check_figure("assets", assets),
    }

    def need(conds: list[Condition], what: str) -> SizeDecision:
        miss = _missing(conds, figs)
        labels = "、".join(FIGURE_LABELS[f][0] for f in miss)
        cond = "或".join(c.text() for c in conds) if what == "中小微" else "且".join(c.text() for c in conds)
        return SizeDecision(
            size=None, needs_data=miss, group=g.name, row=g.no, rule=f"{g.name}:缺少{labels},无法判断是否{what}({cond})"
        )

    def decided(size: str, cond_text: str, extra: str = "") -> SizeDecision:
        return SizeDecision(size=size, group=g.name, row=g.no, rule=f"{g.name}:{cond_text} → {size}{extra}")

    sme = _any3(g.sme_any, figs)
    if sme is None:
        return need(g.sme_any, "中小微")
    if sme is False:
        big = "且".join(c.negated().text() for c in g.sme_any)
        return decided("大型", big, "(超出中小微企业标准)")

    medium = _all3(g.medium_all, figs)
    if medium is None:
        return need(g.medium_all, "中型")
    if medium:
        return decided("中型", "且".join(c.text() for c in g.medium_all))
    failed = [c.negated().text() for c in g.medium_all if c.holds(figs) is False]
    short_of_medium = f"(未达中型:{'、'.join(failed)})"

    small = _all3(g.small_all, figs)
    if small is None:
        return need(g.small_all, "小型")
    if small:
        return decided("小型", "且".join(c.text() for c in g.small_all), short_of_medium)

    micro = _any3(g.micro_any, figs)
    if micro:
        return decided("微型", "且".join(c.text() for c in g.micro_any if c.holds(figs)))
    # unreachable with a table that passed validation (micro_any is the negation of small_all)
    return SizeDecision(size=None, group=g.name, row=g.no, rule=f"{g.name}:划型数据不完整,无法判定")
