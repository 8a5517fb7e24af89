"""Company profiles: normalisation, near misses, clear errors, size from figures, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.errors import BadInput, RuleFileError
from matcher.profile.company import Profile
from matcher.rules.loader import load_toml
from matcher.rules.profile_rules import ProfileRules, load_profile_rules
from matcher.rules.sme import group_names

DEV = Path("/work/shared/eval/dev_profiles.json")
DISTRICTS = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
]


def P(**kw) -> Profile:
    kw.setdefault("district", "虹口区")
    return Profile.from_dict(kw)


# ── the rule file ──


def test_rules_list_districts_sections_and_tiers_in_order():
    """profile.toml holds the 16 districts, the 20 GB/T sections A–T, the four tiers in order."""
    r = load_profile_rules()
    assert r.district_names() == DISTRICTS
    assert [s.code for s in r.sections] == [chr(c) for c in range(ord("A"), ord("U"))]
    assert r.section("C").name == "制造业" and r.section("T").name == "国际组织"
    assert r.zjtx_names() == ["无", "创新型中小企业", "专精特新中小企业", "专精特新“小巨人”"]
    assert r.size_names() == ["大型", "中型", "小型", "微型"]
    for need in [
        "融资",
        "人才",
        "场地",
        "证照审批",
        "税务",
        "知识产权",
        "法律服务",
        "用工就业",
        "跨境贸易",
        "科技创新",
        "政策咨询",
    ]:
        assert need in r.need_names()
    assert "贷款" in r.need_synonyms("融资")


def test_every_sme_group_exists_and_every_row_is_reachable():
    """Each section maps to rows of sme_size.toml, and every row is used by some section."""
    r = load_profile_rules()
    used = {g for s in r.sections for g in s.sme_groups}
    assert used == set(group_names())
    assert r.section("F").sme_groups == ["批发业", "零售业"]
    assert r.section("B").sme_groups == r.section("D").sme_groups == ["工业"]


def test_rules_are_cached():
    """load_profile_rules returns the same object each time (GUI lists call it often)."""
    assert load_profile_rules() is load_profile_rules()


BROKEN = """
[[districts]]
name = "虹口区"
aliases = ["虹口"]
[[districts]]
name = "黄浦区"
aliases = ["虹口"]
[[sections]]
code = "C"
name = "制造业"
sme_groups = ["工业"]
[[sizes]]
name = "小型"
[[zjtx]]
name = "无"
"""


def test_broken_rule_file_names_file_and_alias(tmp_path):
    """An alias given to two districts is refused, naming the file and the alias."""
    p = tmp_path / "profile.toml"
    p.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RuleFileError) as e:
        load_toml(p, ProfileRules)
    assert "profile.toml" in str(e.value) and "虹口" in str(e.value)
    p.write_text(
        BROKEN.replace('aliases = ["虹口"]\n[[sections]]', 'aliases = ["黄浦"]\n[[sections]]'), encoding="utf-8"
    )
    assert load_toml(p, ProfileRules).district_names() == ["虹口区", "黄浦区"]


def test_unknown_key_in_rule_file_is_refused(tmp_path):
    """A misplaced key (e.g. a top-level key written after a [[table]]) is refused."""
    p = tmp_path / "profile.toml"
    p.write_text(
        BROKEN.replace('aliases = ["虹口"]\n[[sections]]', 'aliases = ["黄浦"]\nexclusive = 1\n[[sections]]'),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="exclusive"):
        load_toml(p, ProfileRules)


# ── the dev set ──


def test_every_dev_profile_loads():
    """All profiles of the development set are accepted and keep their values."""
    for case in json.loads(DEV.read_text(encoding="utf-8"))["profiles"]:
        raw = case["profile"]
        p = Profile.from_dict(raw)
        assert p.district == raw["district"]
        assert p.size == raw["size"] and p.size_decided_by == "直接填写"
        assert p.flags == [f for f in load_profile_rules().flag_names() if f in raw["flags"]]
        assert sorted(p.needs) == sorted(raw["needs"])
        assert p.corrections == []


def test_industry_with_specialisation_in_brackets():
    """'交通运输、仓储和邮政业 (航运)' → section + key industry + its SME row."""
    p = P(industry="交通运输、仓储和邮政业 (航运)")
    assert (p.industry, p.specialisation, p.sme_group) == ("交通运输、仓储和邮政业", "航运", "交通运输业")
    assert p.industry_label == "交通运输、仓储和邮政业 (航运)"
    # full-width brackets and Traditional characters give the same
    q = P(industry="交通運輸、倉儲和郵政業（航運）")
    assert (q.industry, q.specialisation) == (p.industry, p.specialisation)


def test_key_industry_alone_resolves_to_its_section():
    """'集成电路' alone → 制造业 with specialisation 集成电路; an alias works too."""
    p = P(industry="集成电路")
    assert (p.industry, p.specialisation, p.sme_group) == ("制造业", "集成电路", "工业")
    assert P(industry="芯片").specialisation == "集成电路"
    assert P(industry="人工智能").industry == "信息传输、软件和信息技术服务业"


def test_sub_industry_picks_the_sme_row():
    """'批发和零售业 (零售)' and '零售业' choose the 零售业 row; '餐饮' alone → 住宿和餐饮业."""
    p = P(industry="批发和零售业 (零售)")
    assert (p.industry, p.specialisation, p.sme_group) == ("批发和零售业", None, "零售业")
    assert P(industry="零售业").sme_group == "零售业"
    assert (P(industry="餐饮").industry, P(industry="餐饮").sme_group) == ("住宿和餐饮业", "餐饮业")
    assert P(industry="批发和零售业", sme_group="批发").sme_group == "批发业"
    with pytest.raises(BadInput, match="sme_group"):
        P(industry="批发和零售业", sme_group="餐饮业")


def test_free_specialisation_is_kept():
    """A specialisation that is no key industry is kept as written (normalised)."""
    p = P(industry="制造业 (精密仪器)")
    assert (p.industry, p.specialisation) == ("制造业", "精密仪器")


# ── normalisation and near misses ──


@pytest.mark.parametrize("typed", ["虹口区", "虹口", "虹口區", "  虹口区 ", "上海市虹口区", "Hongkou", "hongkou"])
def test_district_forms(typed):
    """Short, Traditional, padded, prefixed and pinyin forms all give 虹口区."""
    assert P(district=typed).district == "虹口区"


@pytest.mark.parametrize("typed", ["虹口去", "虹口曲"])
def test_district_near_miss_is_suggested_not_taken(typed):
    """The district decides every answer: a typo is refused with the suggestion (issue 12),
    never silently taken as the nearest district."""
    with pytest.raises(BadInput) as e:
        P(district=typed)
    assert str(e.value).endswith("最接近的是“虹口区”") and typed in str(e.value)
    assert P(district="浦东").corrections == []


def test_unknown_district_message():
    """The message names the field, the value, every accepted value and the nearest one."""
    with pytest.raises(BadInput) as e:
        P(district="洪口区")
    msg = str(e.value)
    assert msg.startswith("字段 district 的值“洪口区”无法识别。可选值:黄浦区、徐汇区、")
    assert all(d in msg for d in DISTRICTS)
    assert msg.endswith("最接近的是“虹口区”")
    assert e.value.exit_code == 2


def test_ambiguous_near_miss_is_an_error_naming_both():
    """'浦区' could be 黄浦区 or 杨浦区: no guess, both named."""
    with pytest.raises(BadInput) as e:
        P(district="浦区")
    assert "“黄浦区”" in str(e.value).split("最接近")[1] and "“杨浦区”" in str(e.value).split("最接近")[1]


def test_unknown_industry_lists_sections():
    """An unknown industry lists the 20 sections (separated so that 、 inside names is clear)."""
    with pytest.raises(BadInput) as e:
        P(industry="火星贸易")
    msg = str(e.value)
    assert "字段 industry" in msg and "火星贸易" in msg and "交通运输、仓储和邮政业" in msg and "最接近" in msg


def test_flags_needs_zjtx_aliases():
    """Aliases, Traditional forms and comma-separated text all become canonical values."""
    p = P(flags="高企, 個體戶、民企", needs=["贷款", "招聘", "融资"], zjtx="小巨人")
    assert p.flags == ["高新技术企业", "个体工商户", "民营企业"]  # canonical order
    assert p.needs == ["融资", "用工就业"]  # duplicates dropped
    assert p.zjtx == "专精特新“小巨人”" and p.zjtx_level == 3
    assert P(zjtx='专精特新"小巨人"').zjtx == "专精特新“小巨人”"
    assert P().zjtx == "无" and P().zjtx_level == 0
    assert P(flags=["外贸企业（进出口）"]).flags == ["外贸企业(进出口)"]


def test_unknown_flag_and_need_are_errors():
    """Unknown flags and needs name their field."""
    with pytest.raises(BadInput, match="字段 flags 的值“会飞的企业”"):
        P(flags=["会飞的企业"])
    with pytest.raises(BadInput, match="字段 needs"):
        P(needs=["火箭"])


def test_exclusive_flags():
    """国有企业 and 民营企业 together are refused."""
    with pytest.raises(BadInput, match="国有企业.*民营企业"):
        P(flags=["国企", "民营企业"])


def test_unknown_field_and_missing_district():
    """A misspelt field is refused with a suggestion; a missing district is named."""
    with pytest.raises(BadInput, match="neds.*needs"):
        Profile.from_dict({"district": "虹口区", "neds": ["融资"]})
    with pytest.raises(BadInput, match="district"):
        Profile.from_dict({"industry": "制造业"})


def test_area_and_keywords_normalised():
    """Area and keywords are free text, normalised (NFKC, Simplified)."""
    p = P(area="北外灘", keywords="航運　船舶代理，融資")
    assert p.area == "北外滩"
    assert p.keywords == "航运 船舶代理,融资"
    assert p.keyword_terms == ["航运", "船舶代理", "融资"]


# ── size ──


def test_size_given_directly():
    """A given size wins and says so; aliases work."""
    p = P(size="小型企业", employees=5000, revenue=99999, industry="制造业")
    assert p.size == "小型" and p.size_decided_by == "直接填写"


def test_size_computed_from_figures():
    """Without a size, the SME rule for the industry's row decides and is quoted."""
    p = P(industry="制造业", employees=300, revenue="2000万元")
    assert p.size == "中型"
    assert p.size_decided_by == "工业:从业人员300人及以上且营业收入2000万元及以上 → 中型"
    assert P(industry="批发和零售业 (零售)", employees=9, revenue=5000).size == "微型"
    assert P(industry="批发和零售业 (批发)", employees=9, revenue=5000).size == "小型"
    assert P(industry="制造业", employees=10, revenue="4.5亿").revenue == 45000


def test_size_missing_figure_is_not_guessed():
    """A figure the rule needs but is missing leaves size unknown and names the figure."""
    p = P(industry="制造业", employees=3000)
    assert p.size is None and p.size_needs_data == ["revenue"] and "营业收入" in p.size_decided_by


def test_size_needs_the_row_when_the_section_has_several():
    """批发和零售业 with figures but no 批发/零售 choice is a clear error, not a guess."""
    with pytest.raises(BadInput, match="批发业、零售业.*sme_group"):
        P(industry="批发和零售业", employees=30, revenue=600)
    with pytest.raises(BadInput, match="industry"):
        P(employees=30)


def test_no_size_at_all():
    """No size and no figures: size unknown, said plainly."""
    p = P()
    assert p.size is None and p.size_decided_by == "未填写"


@pytest.mark.parametrize(
    ("field", "value"),
    [("employees", -1), ("employees", "三百"), ("revenue", "300人"), ("employees", 12.5), ("assets", True)],
)
def test_bad_figures(field, value):
    """Negative, non-numeric, wrong-unit and fractional head counts are refused by field."""
    with pytest.raises(BadInput, match=field):
        P(industry="制造业", **{field: value})


# ── files and output ──


def test_json_round_trip(tmp_path):
    """to_json then from_json gives the same profile, a computed size included."""
    for p in [
        P(
            industry="批发和零售业 (零售)",
            employees=30,
            revenue=600,
            flags=["民企"],
            needs=["贷款"],
            area="北外滩",
            keywords="小店",
        ),
        P(district="嘉定", industry="汽车零部件", size="中型", zjtx="专精特新"),
        P(industry="制造业 (精密仪器)"),
    ]:
        f = tmp_path / "p.json"
        p.to_json(f)
        assert Profile.from_json(f) == p


def test_to_json_unwritable_is_bad_input(tmp_path):
    """Writing into a folder that does not exist is the user's error, naming the path."""
    with pytest.raises(BadInput, match="无法写入"):
        P().to_json(tmp_path / "no" / "such" / "p.json")


def test_from_json_accepts_a_wrapped_profile(tmp_path):
    """A file holding {"profile": {...}} (as in the dev set) is accepted."""
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"id": "x", "profile": {"district": "徐汇"}}, ensure_ascii=False), encoding="utf-8")
    assert Profile.from_json(f).district == "徐汇区"


def test_from_json_errors_name_the_file(tmp_path):
    """A missing file, bad JSON and a bad value are BadInput naming the file."""
    with pytest.raises(BadInput, match="无法读取"):
        Profile.from_json(tmp_path / "none.json")
    f = tmp_path / "bad.json"
    f.write_text('{"district": "虹口区",\n "flags": [}', encoding="utf-8")
    with pytest.raises(BadInput, match="第 2 行"):
        Profile.from_json(f)
    f.write_text('{"district": "火星区"}', encoding="utf-8")
    with pytest.raises(BadInput, match="bad.json.*火星区"):
        Profile.from_json(f)


def test_public_dict_reads_back():
    """A public dict fed back to from_dict gives the same profile; a computed size stays
    computed (not turned into a typed one)."""
    for p in [P(industry="制造业", employees=300, revenue=2000), P(size="微型", flags=["个体户"])]:
        assert Profile.from_dict(p.to_public_dict()) == p


def test_rules_industries_for_the_gui():
    """``rules.industries`` lists the 20 section names (read by desktop.backend)."""
    r = load_profile_rules()
    assert r.industries == r.section_names() and len(r.industries) == 20


def test_public_dict():
    """to_public_dict carries every field as plain JSON values, plus the display label."""
    d = P(industry="交通运输、仓储和邮政业 (航运)", size="小型", needs=["融资"]).to_public_dict()
    assert d["district"] == "虹口区" and d["industry"] == "交通运输、仓储和邮政业"
    assert d["specialisation"] == "航运" and d["industry_label"] == "交通运输、仓储和邮政业 (航运)"
    assert d["size_decided_by"] == "直接填写" and d["zjtx"] == "无" and d["needs"] == ["融资"]
    json.dumps(d, ensure_ascii=False)  # serialisable
