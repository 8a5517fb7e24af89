"""The lexicon files in resources/ load, hold what others rely on, and a broken one is refused
with its file and field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matcher.common.paths import resources_dir
from matcher.errors import RuleFileError
from matcher.rules.lexicon import FILES, NEEDS, load_lexicons, normalise_office, short_forms


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A private copy of the lexicon files, to break one at a time."""
    for name in FILES.values():
        shutil.copy(resources_dir() / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_default_load_is_cached(lex):
    """The default lexicons are loaded once and shared."""
    assert load_lexicons() is lex


def test_a_copy_loads_from_another_folder(rules):
    """load_lexicons(base) reads that folder, not the cached default."""
    other = load_lexicons(rules)
    assert other is not load_lexicons()
    assert other.office_names() == load_lexicons().office_names()


def test_every_need_is_a_category_and_maps_to_categories(lex):
    """Each of the profile's 11 needs is a category and maps to existing categories."""
    names = {c.name for c in lex.categories.category}
    for need in NEEDS:
        assert need in names
        cats = lex.categories_for_need(need)
        assert need in cats and set(cats) <= names


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("区发改委", "区发展改革委"),
        ("区人社局", "区人力资源社会保障局"),
        ("区市场局", "区市场监管局"),
        ("区府办", "区政府办公室"),
        ("区科技委", "区科委"),
        ("区住房保障和房屋管理局", "区住房保障房屋管理局"),
        ("虹口区市场监管局", "区市场监管局"),
        ("上海市徐汇区发改委", "区发展改革委"),
        ("虹口海关", "虹口海关"),
        ("各有关部门", "各相关部门"),
        ("区人民法院", "区法院"),
    ],
)
def test_normalise_office(written, canonical):
    """Aliases and district prefixes fold to the canonical office name."""
    assert normalise_office(written) == canonical


def test_every_hongkou_office_is_canonical(lex):
    """Every office the Hongkou seed states is already a canonical name (nothing unknown)."""
    import re

    text = (Path(__file__).resolve().parents[2] / "seeds" / "000_a62ab19f388f276b.txt").read_text(encoding="utf-8")
    names = set()
    for note in re.findall(r"\(牵头责任部门:(.*?)\)", text):
        names.update(n for n in note.split("、") if n)
    known = set(lex.office_names())
    assert names and names <= known, sorted(names - known)


def test_all_16_districts_with_areas(lex):
    """Shanghai's 16 districts are listed, each with streets or towns; short forms work."""
    assert len(lex.district_names()) == 16
    for d in lex.district_names():
        assert [a for a in lex.areas_for(d) if a.kind in ("street", "town")], d
    yangpu = {a.name: a for a in lex.areas_for("杨浦")}
    assert "殷行" in yangpu["殷行街道"].aliases
    assert "长白" in yangpu["长白新村街道"].aliases
    assert {"五角场街道", "新江湾城街道", "定海路街道"} <= set(yangpu)
    assert "北外滩" in {a.name for a in lex.areas_for("虹口区")}
    assert lex.areas_for("火星区") == []


def test_short_forms():
    """Street suffixes are dropped to give the short forms people write."""
    assert short_forms("殷行街道") == ["殷行"]
    assert short_forms("江湾镇街道") == ["江湾镇", "江湾"]
    assert short_forms("四平路街道") == ["四平路", "四平"]
    assert short_forms("华泾镇") == ["华泾"]


# ------------------------------------------------------------------ broken files


def _refused(rules: Path, *needles: str) -> str:
    with pytest.raises(RuleFileError) as ei:
        load_lexicons(rules)
    msg = str(ei.value)
    for n in needles:
        assert n in msg, msg
    return msg


def test_refuses_invalid_toml(rules):
    """A syntax error is refused naming the file."""
    _edit(rules / "offices.toml", "[labels]", "[labels")
    _refused(rules, "offices.toml", "TOML")


def test_refuses_non_positive_weight(rules):
    """A responsibility term with weight 0 is refused naming the file, the field and the term."""
    _edit(rules / "offices.toml", '"纳税" = 3', '"纳税" = 0')
    _refused(rules, "offices.toml", "terms", "纳税")


def test_refuses_unknown_field(rules):
    """A misspelt field is refused, not silently ignored."""
    _edit(rules / "audiences.toml", 'terms = ["小规模纳税人"]', 'termz = ["小规模纳税人"]')
    _refused(rules, "audiences.toml", "termz")


def test_refuses_missing_need(rules):
    """categories.toml must map every need."""
    _edit(rules / "categories.toml", '"知识产权" = ["知识产权"]\n', "")
    _refused(rules, "categories.toml", "needs", "知识产权")


def test_refuses_need_mapped_to_unknown_category(rules):
    """A need that points at a category that does not exist is refused."""
    _edit(rules / "categories.toml", '"融资" = ["融资"]', '"融资" = ["融资", "贷款类"]')
    _refused(rules, "categories.toml", "贷款类")


def test_refuses_bad_regex(rules):
    """An internal marker that is not a valid regular expression is refused at load."""
    _edit(rules / "internal.toml", 'pattern = "专人专岗"', 'pattern = "专人(专岗"')
    _refused(rules, "internal.toml", "pattern", "正则")


def test_refuses_empty_neutral_phrase(rules):
    """A neutral phrase that is empty would silence every term; it is refused, naming the field."""
    _edit(rules / "offices.toml", 'neutral = ["依法合规给予"', 'neutral = ["", "依法合规给予"')
    _refused(rules, "offices.toml", "neutral")


def test_refuses_alias_of_two_offices(rules):
    """One alias may not name two different offices."""
    _edit(rules / "offices.toml", 'aliases = ["区发改委"', 'aliases = ["区人社局", "区发改委"')
    _refused(rules, "offices.toml", "区人社局")


def test_refuses_empty_term(rules):
    """An empty term would match everywhere; it is refused."""
    _edit(rules / "industries.toml", 'terms = ["航运"', 'terms = ["", "航运"')
    _refused(rules, "industries.toml", "terms")


def test_refuses_missing_file(rules):
    """A missing lexicon file is refused naming it."""
    (rules / "areas.toml").unlink()
    _refused(rules, "areas.toml")


def test_industries_relate_to_profile_values(lex):
    """A profile's key industry or GB/T section finds the industry tags that serve it."""
    assert "汽车" in lex.industries_for("汽车零部件")
    assert lex.industries_for("航运") == ["航运"]
    assert {"航运", "物流"} <= set(lex.industries_for_section("交通运输、仓储和邮政业"))
    assert lex.industries_for_section("金融业") == ["金融"]
