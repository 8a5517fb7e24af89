"""The register of real offices (resources/office_register.toml): it loads, every body's
sources name it, the districts' bodies answer for their fields, and a broken file is refused
with its file and field named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from matcher.common.paths import resources_dir
from matcher.common.text import repair
from matcher.errors import RuleFileError
from matcher.models import CITY
from matcher.rules.office_register import FILE, district_names, load_register

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reg():
    return load_register()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    shutil.copy(resources_dir() / FILE, tmp_path / FILE)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_default_load_is_cached(reg):
    assert load_register() is reg


def test_a_copy_loads_from_another_folder(rules, reg):
    other = load_register(rules)
    assert other is not reg and other.bodies("静安区") == reg.bodies("静安区")


def test_every_district_and_the_city_are_listed(reg):
    """The 16 districts and 临港新片区, each once; the city's bodies."""
    assert sorted(d.name for d in reg.district) == sorted(district_names()) and len(district_names()) == 17
    assert {"市发展改革委", "市经济信息化委", "市交通委"} <= set(reg.bodies(CITY))


def _text(rel: str) -> str:
    raw = (ROOT / rel).read_text(encoding="utf-8-sig")
    return repair(raw).text if rel.startswith("seeds/") else raw


def test_every_repository_source_names_its_body(reg):
    """A body is listed only where a source names it: each source that is a document of the
    repository writes one of the body's names (short, alias, former or full; a district's full
    name may carry its district before it: 上海市奉贤区经济委员会). Public pages are URLs."""
    groups = [("common", reg.common), ("city", reg.city.body)] + [(d.name, d.body) for d in reg.district]
    checked = 0
    for where, bodies in groups:
        for b in bodies:
            names = [n for n in b.names() if n]
            stems = [re.sub(r"^区", "", n) for n in names if n.startswith("区")]
            for src in b.sources:
                if src.startswith("http"):
                    continue
                text = _text(src)
                assert any(n in text for n in names + stems), f"{where} {b.name}: {src} does not name it"
                checked += 1
    assert checked >= 100


def test_district_bodies_for_fields(reg):
    """Where districts differ: science, industry, finance, investment."""
    assert reg.body_for_office("区科委", "静安区") == "区科技经济委"
    assert reg.body_for_office("区经委", "静安区") == "区科技经济委"
    assert reg.body_for_office("区金融工作局", "静安区") == "区投资办"
    assert reg.body_for_office("区科委", "浦东新区") == "区科经委"
    assert reg.body_for_office("区科委", "杨浦区") == "区科技经济委"
    assert reg.body_named("区科委", "杨浦区") == "区科技经济委"  # its former name
    assert reg.body_for_office("区金融工作局", "虹口区") == "区金融工作局"
    assert reg.body_for_office("区金融工作局", "奉贤区") == "区财政局"  # 区财政局<区金融办>
    assert reg.body_for_office("区科委", "长宁区") == "区科委"
    assert reg.body_for_office("区经委", "松江区") == "区经委"
    # finance written under the investment office (长宁, as 静安) or the development commission
    # (松江, as 普陀): the documents that state it are the sources
    assert reg.body_for_office("区金融工作局", "长宁区") == "区投促办"
    assert reg.body_for_office("区金融工作局", "松江区") == "区发展改革委"
    assert reg.body_for_office("区金融工作局", "普陀区") == "区发展改革委"


def test_customs_work_in_a_district_is_its_commerce_commission(reg):
    """口岸: customs is a vertical body; a district's part of its work (通关, 保税) is the
    district's commerce commission's, while 海关 written in a text stays 海关."""
    assert reg.body_for_office("海关(上海海关)", "静安区") == "区商务委"
    assert reg.body_for_office("海关(上海海关)", "松江区") == "区商务委"
    assert reg.body_named("海关", "静安区") == "海关(上海海关)" and reg.has("海关(上海海关)", "静安区")
    assert reg.body_for_office("海关(上海海关)", CITY) == "海关(上海海关)"
    assert reg.body_for_office("海关(上海海关)", "临港新片区") is None


def test_unknown_fields_have_no_body(reg):
    """A field no source names a body for is left unknown: no body is answered."""
    for d in reg.district:
        for field in d.unknown:
            office = reg.field_office()[field]
            assert reg.body_for_office(office, d.name) is None, (d.name, field)
    assert not reg.has("区科委", "静安区") and not reg.has("区金融工作局", "黄浦区")
    assert reg.bodies("临港新片区") == []


def test_not_visited(reg):
    nv = reg.not_visited
    assert all(nv.covers(n) for n in ("各区政府", "各街镇", "城投公司", "西部集团", "团区委", "相关发电企业"))
    assert not any(nv.covers(n) for n in ("区商务委", "市发展改革委", "区工商联", "区城运中心"))


# ------------------------------------------------------------------ a broken file is refused


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('name = "崇明区"', 'name = "崇明县"', ["[[district]]", "崇明县"]),
        (
            'fields = ["金融"]\nsources = ["https://jjdf',
            'fields = ["金融业"]\nsources = ["https://jjdf',
            ["金融业", "fields"],
        ),
        ('name = "临港新片区"\ncommon = false', 'name = "临港新片区"\ncommon = "maybe"', ["common"]),
        ('sources = ["tests/corpus2/minhang', 'sources = []\nsourcez = ["tests/corpus2/minhang', ["sources"]),
        ('office = "区科委"', 'office = "区科委"\nweight = 2', ["weight"]),
        ('suffixes = ["公司"', 'suffixes = ["", "公司"', ["not_visited", "suffixes"]),
    ],
)
def test_broken_register_is_refused(rules, old, new, words):
    """A wrong district, an unknown field, a wrong type, missing sources, an unknown key or an
    empty name ending: refused with the file named and the entry or field."""
    _edit(rules / FILE, old, new)
    with pytest.raises(RuleFileError) as ei:
        load_register(rules)
    msg = str(ei.value)
    assert FILE in msg
    assert all(w in msg for w in words), msg


def test_missing_district_is_refused(rules):
    text = (rules / FILE).read_text(encoding="utf-8")
    start = text.index('[[district]]\nname = "宝山区"')
    end = text.index("[[district]]", start + 5)
    (rules / FILE).write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RuleFileError) as ei:
        load_register(rules)
    assert "宝山区" in str(ei.value) and FILE in str(ei.value)


def test_not_toml_is_refused(rules):
    (rules / FILE).write_text("[[district]\nname = ", encoding="utf-8")
    with pytest.raises(RuleFileError) as ei:
        load_register(rules)
    assert "TOML" in str(ei.value) and FILE in str(ei.value)
