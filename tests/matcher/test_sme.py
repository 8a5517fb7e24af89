"""SME size classification (中小企业划型标准规定, 2011) — data and boundaries.

The expected thresholds below are typed in from ../shared/facts/sme-size-2011.md on
their own, not read from resources/sme_size.toml, so a typo in the data file fails here.
"""

from __future__ import annotations

import pytest

from matcher.errors import BadInput, RuleFileError
from matcher.profile.resolver import classify_size
from matcher.rules.loader import load_toml
from matcher.rules.sme import SizeTable, classify, group_names, load_size_table

# name: (SME if any of …  (below), 中型 all of (at least), 小型 all of (at least)); X/Y/Z
FACTS: dict[str, tuple[dict[str, float], dict[str, float], dict[str, float]]] = {
    "农、林、牧、渔业": ({"Y": 20000}, {"Y": 500}, {"Y": 50}),
    "工业": ({"X": 1000, "Y": 40000}, {"X": 300, "Y": 2000}, {"X": 20, "Y": 300}),
    "建筑业": ({"Y": 80000, "Z": 80000}, {"Y": 6000, "Z": 5000}, {"Y": 300, "Z": 300}),
    "批发业": ({"X": 200, "Y": 40000}, {"X": 20, "Y": 5000}, {"X": 5, "Y": 1000}),
    "零售业": ({"X": 300, "Y": 20000}, {"X": 50, "Y": 500}, {"X": 10, "Y": 100}),
    "交通运输业": ({"X": 1000, "Y": 30000}, {"X": 300, "Y": 3000}, {"X": 20, "Y": 200}),
    "仓储业": ({"X": 200, "Y": 30000}, {"X": 100, "Y": 1000}, {"X": 20, "Y": 100}),
    "邮政业": ({"X": 1000, "Y": 30000}, {"X": 300, "Y": 2000}, {"X": 20, "Y": 100}),
    "住宿业": ({"X": 300, "Y": 10000}, {"X": 100, "Y": 2000}, {"X": 10, "Y": 100}),
    "餐饮业": ({"X": 300, "Y": 10000}, {"X": 100, "Y": 2000}, {"X": 10, "Y": 100}),
    "信息传输业": ({"X": 2000, "Y": 100000}, {"X": 100, "Y": 1000}, {"X": 10, "Y": 100}),
    "软件和信息技术服务业": ({"X": 300, "Y": 10000}, {"X": 100, "Y": 1000}, {"X": 10, "Y": 50}),
    "房地产开发经营": ({"Y": 200000, "Z": 10000}, {"Y": 1000, "Z": 5000}, {"Y": 100, "Z": 2000}),
    "物业管理": ({"X": 1000, "Y": 5000}, {"X": 300, "Y": 1000}, {"X": 100, "Y": 500}),
    "租赁和商务服务业": ({"X": 300, "Z": 120000}, {"X": 100, "Z": 8000}, {"X": 10, "Z": 100}),
    "其他未列明行业": ({"X": 300}, {"X": 100}, {"X": 10}),
}
ARG = {"X": "employees", "Y": "revenue", "Z": "assets"}
# "以下" is strict: the smallest step below a threshold that a figure can take
STEP = {"X": 1, "Y": 0.01, "Z": 0.01}


def kwargs(figs: dict[str, float]) -> dict[str, float]:
    return {ARG[k]: v for k, v in figs.items()}


def test_table_has_the_sixteen_rows_in_the_standards_order():
    """The data file holds exactly the standard's 16 rows, numbered 1–16 in order."""
    assert group_names() == list(FACTS)
    assert [g.no for g in load_size_table().groups] == list(range(1, 17))


@pytest.mark.parametrize("name", list(FACTS))
def test_data_file_matches_the_facts(name):
    """Each row's thresholds in resources/sme_size.toml equal the standard's."""
    g = load_size_table().group(name)
    sme, medium, small = FACTS[name]
    inv = {v: k for k, v in ARG.items()}
    assert {inv[c.figure]: c.below for c in g.sme_any} == sme
    assert {inv[c.figure]: c.at_least for c in g.medium_all} == medium
    assert {inv[c.figure]: c.at_least for c in g.small_all} == small
    assert {inv[c.figure]: c.below for c in g.micro_any} == small  # 微型 = not 小型


def _cases():
    for name, (sme, medium, small) in FACTS.items():
        # at every 中型 lower bound → 中型; one figure just below one bound → 小型
        yield name, medium, "中型", "at medium"
        for k in medium:
            yield name, {**medium, k: medium[k] - STEP[k]}, "小型", f"{k} just below medium"
        # at every 小型 lower bound → 小型; one figure just below → 微型
        yield name, small, "小型", "at small"
        for k in small:
            yield name, {**small, k: small[k] - STEP[k]}, "微型", f"{k} just below small"
        # at the SME ceiling on every figure → 大型; one just below → still SME (中型 here)
        ceiling = {k: v for k, v in sme.items()}
        yield name, ceiling, "大型", "at ceiling"
        for k in sme:
            yield name, {**ceiling, k: ceiling[k] - STEP[k]}, "中型", f"{k} just below ceiling"
        # nothing at all but the figures the row uses, all zero → 微型
        yield name, dict.fromkeys(small, 0), "微型", "zeros"


@pytest.mark.parametrize(("name", "figs", "size", "why"), list(_cases()), ids=[f"{c[0]}-{c[3]}" for c in _cases()])
def test_boundaries(name, figs, size, why):
    """Just below / at each threshold of each row gives the class the standard says."""
    d = classify(name, **kwargs(figs))
    assert d.size == size, d.rule
    assert d.needs_data == []
    assert d.rule.startswith(f"{name}:") and d.rule.split(" → ")[1].startswith(size)


@pytest.mark.parametrize("name", list(FACTS))
def test_missing_figure_is_needs_data_not_a_guess(name):
    """With every used figure at the 中型 bounds but one missing, no size is given and the
    missing figure is named."""
    _, medium, _ = FACTS[name]
    for k in medium:
        figs = {kk: v for kk, v in medium.items() if kk != k}
        d = classify(name, **kwargs(figs))
        assert d.size is None, d.rule
        assert d.needs_data == [ARG[k]]
        assert "缺少" in d.rule


def test_no_figures_at_all_needs_data():
    """Nothing given: size unknown, all the row's figures named."""
    d = classify("工业")
    assert d.size is None and d.needs_data == ["employees", "revenue"]


def test_micro_needs_only_one_condition():
    """微型 is an any-of: 从业人员 below 20 decides even without revenue."""
    d = classify("工业", employees=19)
    assert d.size == "微型"
    assert d.rule == "工业:从业人员20人以下 → 微型"


def test_large_needs_every_figure():
    """大型 needs every SME condition to fail, so a missing revenue cannot give 大型."""
    d = classify("工业", employees=5000)
    assert d.size is None and d.needs_data == ["revenue"]


def test_rule_text_names_row_and_condition():
    """The rule text quotes the standard's wording for the deciding condition."""
    assert (
        classify("工业", employees=300, revenue=2000).rule == "工业:从业人员300人及以上且营业收入2000万元及以上 → 中型"
    )
    small = classify("工业", employees=299, revenue=5000)
    assert small.rule == "工业:从业人员20人及以上且营业收入300万元及以上 → 小型(未达中型:从业人员300人以下)"
    big = classify("工业", employees=1000, revenue=40000)
    assert big.rule.startswith("工业:从业人员1000人及以上且营业收入40000万元及以上 → 大型")
    assert big.row == 2 and big.group == "工业"


def test_either_sme_condition_is_enough():
    """工业 with 5000 staff but revenue under 40000 is still an SME (the ceiling is an or)."""
    assert classify("工业", employees=5000, revenue=39999).size == "中型"
    assert classify("工业", employees=5000, revenue=1000).size == "小型"


def test_industry_names_covered_by_a_row():
    """A GB/T industry the row covers (制造业 → 工业) is accepted."""
    assert classify("制造业", employees=10).size == "微型"
    assert classify("科学研究和技术服务业", employees=150).size == "中型"


def test_industries_as_a_profile_writes_them():
    """Sections the standard does not name, bracketed sub-industries and key industries
    find their row through the profile rules (the resolver; ``sme.classify`` itself takes
    only the standard's rows, so that the size table does not import the profile rules)."""
    assert classify_size("金融业", employees=150).group == "其他未列明行业"
    assert classify_size("批发和零售业 (零售)", employees=50, revenue=500).size == "中型"
    assert classify_size("批发和零售业 (批发)", employees=50, revenue=500).size == "微型"
    assert classify_size("集成电路", employees=300, revenue=2000).group == "工业"
    assert classify_size("工业", employees=19).size == classify("工业", employees=19).size
    with pytest.raises(BadInput, match="划型标准"):
        classify("金融业", employees=150)


def test_unknown_group_and_bad_figures_are_bad_input():
    """An unknown row, a negative or non-numeric figure are the user's error (exit 2)."""
    with pytest.raises(BadInput, match="划型标准"):
        classify("火星产业", employees=3)
    with pytest.raises(BadInput, match="划型标准"):
        classify_size("火星产业", employees=3)
    with pytest.raises(BadInput, match="批发业、零售业"):
        classify_size("批发和零售业", employees=3)  # two rows: the caller must choose
    with pytest.raises(BadInput, match="employees"):
        classify("工业", employees=-1)
    with pytest.raises(BadInput, match="revenue"):
        classify("工业", revenue="很多")  # type: ignore[arg-type]
    assert BadInput("x").exit_code == 2


BROKEN_ROW = """
source = "test"
[[groups]]
no = 1
name = "工业"
sme_any = [{ figure = "employees", below = 1000 }]
medium_all = [{ figure = "employees", at_least = 300 }]
small_all = [{ figure = "employees", at_least = 20 }]
micro_any = [{ figure = "employees", below = %s }]
"""


def test_broken_data_file_is_refused(tmp_path):
    """A micro row that is not the negation of the small row is refused, naming the file."""
    p = tmp_path / "sme_size.toml"
    p.write_text(BROKEN_ROW % 10, encoding="utf-8")
    with pytest.raises(RuleFileError) as e:
        load_toml(p, SizeTable)
    assert "sme_size.toml" in str(e.value) and "micro_any" in str(e.value)
    p.write_text(BROKEN_ROW % 20, encoding="utf-8")
    assert load_toml(p, SizeTable).groups[0].name == "工业"


def test_condition_needs_exactly_one_bound(tmp_path):
    """A condition with neither or both bounds is refused."""
    p = tmp_path / "sme_size.toml"
    p.write_text((BROKEN_ROW % 20).replace("below = 1000", "below = 1000, at_least = 5"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="below 或 at_least"):
        load_toml(p, SizeTable)
