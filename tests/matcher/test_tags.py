"""Tags with context (issue 9): audiences, categories, industries, areas and the internal flag
are decided from phrases and their role in the sentence, not from a single word anywhere.

Each defect class is tested on real paragraphs of the seeds (``seeds/``) and the development
corpus (``tests/corpus/``), read line by line from the files so the tests do not depend on
how the outline parser groups them; a few issue sentences are added where no document of
ours has the case.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from matcher.common.paths import resources_dir
from matcher.common.text import repair
from matcher.errors import RuleFileError
from matcher.knowledge.context import crossing_word, industry_role
from matcher.models import Measure, RawMeasure
from matcher.reading.enrich import enrich
from matcher.rules.lexicon import load_lexicons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
_LABEL = re.compile(r"^\s*(?:\d+[.、．]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*")


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


@cache
def _lines(path: str) -> list[str]:
    return repair(Path(path).read_text(encoding="utf-8")).text.splitlines()


def _file(name: str) -> Path:
    if (CORPUS / name).exists():
        return CORPUS / name
    return next((ROOT / "seeds").glob(f"{name}_*.txt"))


def para(name: str, phrase: str) -> tuple[str, str]:
    """(heading, text) of the one line of a seed or corpus file that contains ``phrase``."""
    found = [ln for ln in _lines(str(_file(name))) if phrase in ln]
    assert len(found) == 1, f"{phrase!r} in {name}: {len(found)} lines"
    body = _LABEL.sub("", found[0].strip(), count=1)
    head, _, rest = body.partition("。")
    heading = head if rest and len(head) <= 24 else ""
    return heading, body


def measure(name: str, phrase: str, district: str, lex, *, parents=(), section="task") -> Measure:
    heading, text = para(name, phrase)
    raw = RawMeasure(path=["1"], clause="1.", heading=heading, text=text, parents=list(parents), section=section)
    return enrich(raw, doc_id="t", district=district, document="t", issued=None, order=0, lex=lex)


def adhoc(text: str, district: str, lex, heading: str = "", parents=(), section="task") -> Measure:
    raw = RawMeasure(path=["1"], clause="1.", heading=heading, text=text, parents=list(parents), section=section)
    return enrich(raw, doc_id="t", district=district, document="t", issued=None, order=0, lex=lex)


# ------------------------------------------------------------------ areas: word boundaries


def test_short_area_name_inside_other_words_is_not_an_area(lex):
    """``海湾`` (海湾镇, 奉贤) inside ``上海湾区`` of a real Jinshan paragraph, read as if a
    Fengxian document said it; ``高行`` (高行镇, 浦东) inside ``提高行业`` (the issue's case)."""
    m = measure("jinshan_yingshang_huanjing_xingdong_2024.txt", "启动“上海湾区”人才计划评选", "奉贤区", lex)
    assert "海湾镇" not in m.areas
    t = "启动“上海湾区”人才计划评选"
    assert crossing_word(t, t.index("海湾"), t.index("海湾") + 2) == "上海/湾区"
    m = adhoc("加强行业自律,提高行业准入门槛和服务质量。", "浦东新区", lex)
    assert "高行镇" not in m.areas
    # … while the same names, written as places, are found
    assert "高行镇" in adhoc("在高行镇设立企业服务站。", "浦东新区", lex).areas
    assert "海湾镇" in adhoc("支持海湾镇建设特色产业园区。", "奉贤区", lex).areas


def test_street_short_names_at_the_start_of_sentences_still_count(lex):
    """The Yangpu street-by-street item (四)10 keeps every street (定海, 大桥, 平凉 …)."""
    m = measure("003", "殷行打造中小微企业", "杨浦区", lex)
    assert {
        "定海路街道",
        "大桥街道",
        "平凉路街道",
        "江浦路街道",
        "控江路街道",
        "延吉新村街道",
        "长白新村街道",
        "四平路街道",
        "殷行街道",
        "五角场街道",
        "长海路街道",
        "新江湾城街道",
    } <= set(m.areas)


# ------------------------------------------------------------------ categories: phrases


def test_engineering_category_needs_a_permitting_phrase(lex):
    """A talent measure (人才引育工程建设) is not 工程建设; a permit measure is."""
    m = measure("001", "强化人才引育工程建设", "徐汇区", lex)
    assert "工程建设" not in m.categories and "人才" in m.categories
    m = measure(
        "jinshan_yingshang_huanjing_xingdong_2024.txt", "提升金山区工程建设项目审批审查中心服务效能", "金山区", lex
    )
    assert "工程建设" in m.categories
    assert "工程建设" in m.evidence["categories"]
    # materials lists and grant sizes are not construction permitting
    m = measure("songjiang_jinrong_ruogan_2025.txt", "中介服务费用", "松江区", lex)
    assert "工程建设" not in m.categories


@pytest.mark.parametrize(
    "name, phrase, district, tag, inside",
    [
        ("jingan_ai_shifanqu_xingdong_2026.txt", "精准营销和舆情监测", "静安区", "证照审批", "精准营销"),
        ("jingan_ai_shifanqu_xingdong_2026.txt", "支持企业研发应用工业巡检机器人", "静安区", "用工就业", "应用工业"),
        ("001", "向纳税人提供电子完税证明", "徐汇区", "公共设施报装", "提供电子"),
        (
            "jinshan_yingshang_huanjing_xingdong_2024.txt",
            "加快实现精准推送和申报关联",
            "金山区",
            "跨境贸易",
            "申报关联",
        ),
    ],
)
def test_category_term_inside_another_word_does_not_count(lex, name, phrase, district, tag, inside):
    """准营 in 精准营销, 用工 in 应用工业, 供电 in 提供电子, 报关 in 申报关联."""
    m = measure(name, phrase, district, lex)
    assert tag not in m.categories, m.evidence["categories"].get(tag)


@pytest.mark.parametrize(
    "name, phrase, district, tag",
    [
        # the distance of an offshore wind farm from the shore is not offshore trade
        ("shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt", "场址中心离岸距离大于等于50公里", "上海市", "跨境贸易"),
        # a registration address condition is not a licensing or tax service
        ("jingan_dianjing_fuchi_2019.txt", "工商注册和税务登记在本区内", "静安区", "税务"),
        ("jingan_dianjing_fuchi_2019.txt", "工商注册和税务登记在本区内", "静安区", "证照审批"),
        # a scrapped truck's 注销证明 is not closing a company
        (
            "shi_laojiu_huoche_baofei_gengxin_xize_2026.txt",
            "申请新购置新能源城市冷链配送货车补贴资金的车辆所有人",
            "上海市",
            "市场准入退出",
        ),
        # a bank's credit approval is not a government approval
        ("jingan_ai_shifanqu_xingdong_2026.txt", "支持AI强化征信及信贷审批", "静安区", "证照审批"),
        # who measures the power a PV plant produced is not a utility hook-up
        ("songjiang_lvse_ditan_ruogan_2025.txt", "以国网供电公司提供的数据为准", "松江区", "公共设施报装"),
    ],
)
def test_context_vetoes(lex, name, phrase, district, tag):
    """unless / not_in / requires_any on real corpus lines."""
    lines = [ln for ln in _lines(str(_file(name))) if phrase in ln]
    assert lines
    m = adhoc(_LABEL.sub("", lines[0]), district, lex)
    assert tag not in m.categories, m.evidence["categories"].get(tag)


def test_requires_any_context(lex):
    """接入 is a utility hook-up only next to 水/电/气/宽带 … (接入教育大模型 is not)."""
    m = measure("jingan_ai_shifanqu_xingdong_2026.txt", "接入教育大模型", "静安区", lex)
    assert "公共设施报装" not in m.categories
    m = measure("jinshan_yingshang_huanjing_xingdong_2024.txt", "持续开展商务楼宇宽带接入整治行动", "金山区", lex)
    assert "公共设施报装" in m.categories


# ------------------------------------------------------------------ industries: beneficiaries


def test_school_building_is_not_the_education_industry(lex):
    """开工建设5所学校 (Yangpu) and 华师大二附中金山实验学校新建工程 (Jinshan) are the
    government building schools, not measures for education companies."""
    m = measure("003", "开工建设5所学校", "杨浦区", lex)
    assert "教育" not in m.industries and "医疗健康" not in m.industries
    m = measure("jinshan_yingshang_huanjing_xingdong_2024.txt", "金山实验学校新建工程", "金山区", lex)
    assert "教育" not in m.industries


def test_industry_named_as_beneficiary_is_kept(lex):
    """…产业 / …企业 / a list sharing its head / the heading keep the industry."""
    m = measure("001", "强化人才引育工程建设", "徐汇区", lex)  # 数字经济、生命健康、文化创意…等留学人员创业
    assert {"数字经济", "生物医药", "文化创意"} <= set(m.industries)
    m = measure("000", "推动国际物流与航运服务创新发展", "虹口区", lex)  # 物流 shares 创新
    assert {"物流", "航运"} <= set(m.industries)
    m = measure("003", "主动布局元宇宙、智能终端、绿色低碳等新赛道", "杨浦区", lex)
    assert "人工智能" in m.industries  # 智能终端 … 等新赛道
    m = measure("jingan_ai_shifanqu_xingdong_2026.txt", "AI+金融。", "静安区", lex)
    assert "金融" in m.industries  # 金融机构
    m = measure("jingan_ai_shifanqu_xingdong_2026.txt", "AI+工业软件。", "静安区", lex)
    assert "软件" in m.industries  # heading, 工业软件企业
    role = lex.industries.role
    t = "支持集成电路企业开展研发"
    assert industry_role(role, "集成电路", t, 2, 6) == "head"
    t = "开工建设5所学校,增加8140个学位"
    assert industry_role(role, "学校", t, 6, 8) == ""


# ------------------------------------------------------------------ internal vs enterprise


@pytest.mark.parametrize(
    "name, phrase, district, why",
    [
        ("003", "开工建设5所学校", "杨浦区", "政府的公共设施建设项目"),
        ("003", "附属绿地开放共享", "杨浦区", "政府机关的公共空间开放"),
        ("001", "搭建政务服务办件数据中台", "徐汇区", "政府自身的数据平台和管理系统"),
        ("changning_jieneng_jiantan_zhengce_2024.txt", "政府部门管理。", "长宁区", "资金用于政府部门自身的工作"),
        ("changning_jieneng_jiantan_zhengce_2024.txt", "数字智管平台。", "长宁区", "政府自身的数据平台和管理系统"),
    ],
)
def test_government_for_government_is_internal(lex, name, phrase, district, why):
    """Actor and beneficiary both government: internal, with the phrase kept as evidence."""
    m = measure(name, phrase, district, lex)
    assert m.internal and not m.enterprise_facing
    assert why in m.evidence["internal"]
    assert m.evidence["internal"][why]  # the words quoted


def test_statistics_and_organisation_items_are_internal(lex):
    """统计监测 and 组织保障 items, by their heading, even outside a 保障措施 chapter."""
    m = measure("changning_chanye_tixi_shishi_yijian_2024.txt", "加强组织保障。", "长宁区", lex)
    assert m.internal
    # a real 统计监测 item (a financial-services plan: banks report to the regulator)
    m = adhoc(
        "加强统计监测。银行业金融机构应当建立信贷统计监测制度,强化IT系统支持,定期监测"
        "包括银行贷款、票据融资、企业债券等在内的全口径资金支持情况,并及时向监管部门报送相关情况。",
        "虹口区",
        lex,
        heading="加强统计监测",
    )
    assert m.internal and "政府的统计监测工作" in m.evidence["internal"]


@pytest.mark.parametrize(
    "name, phrase, district, parents, section",
    [
        # a loan product and credit for AI firms, although in the 保障措施 chapter
        ("jingan_ai_shifanqu_xingdong_2026.txt", "开发算力贷等专项贷款产品", "静安区", ("保障措施",), "safeguard"),
        # 专项资金扶持 for enterprises in a chapter named 主要政策和保障措施
        (
            "shi_ziyuan_xunhuan_liyong_shishi_yijian_2021.txt",
            "专项资金扶持。",
            "上海市",
            ("主要政策和保障措施",),
            "safeguard",
        ),
        # 重点企业“服务包” in a 保障措施 chapter
        (
            "changning_chanye_tixi_shishi_yijian_2024.txt",
            "落实落细重点企业“服务包”制度",
            "长宁区",
            ("保障措施",),
            "safeguard",
        ),
        # brand cultivation for companies
        ("changning_chanye_tixi_shishi_yijian_2024.txt", "鼓励创意设计、时尚出品和品牌培育", "长宁区", (), "task"),
    ],
)
def test_a_benefit_to_enterprises_is_never_internal(lex, name, phrase, district, parents, section):
    """Money, a loan product, a service, a brand programme: enterprise-facing, with evidence."""
    m = measure(name, phrase, district, lex, parents=parents, section=section)
    assert m.enterprise_facing and not m.internal
    assert m.evidence["enterprise_facing"]


def test_a_policy_chapter_that_also_names_safeguards_is_not_government_work(lex):
    """主要政策和保障措施 is a policy chapter: its 鼓励技术创新 supports enterprises; its
    奖惩机制 (the city's assessment of the districts) is government work."""
    parents = ("主要政策和保障措施",)
    m = measure("shi_ziyuan_xunhuan_liyong_shishi_yijian_2021.txt", "鼓励技术创新。", "上海市", lex, parents=parents)
    assert m.enterprise_facing
    m = measure("shi_ziyuan_xunhuan_liyong_shishi_yijian_2021.txt", "奖惩机制。", "上海市", lex, parents=parents)
    assert m.internal and "对政府部门的考核" in m.evidence["internal"]


def test_brand_cultivation_is_not_internal(lex):
    """The issue's case: 加强优质民营品牌培育 was flagged internal (a 宣传/影响力 phrase won)."""
    m = adhoc("加强优质民营品牌培育,提升民营企业品牌影响力,组织开展品牌宣传推介活动。", "徐汇区", lex)
    assert m.enterprise_facing and "企业品牌培育" in m.evidence["enterprise_facing"]


def test_innovation_project_call_is_not_publicity(lex):
    """提升国际影响力 in a shipping innovation call is not 宣传推介本区营商环境."""
    m = measure("shi_jiaotong_hangyun_chuangxin_shenbao_2023.txt", "提升国际影响力", "上海市", lex)
    assert not m.internal


def test_seed_safeguard_chapters_stay_internal(lex):
    """The seeds' 保障措施 items name no benefit for enterprises: still internal."""
    for name, phrase, district in [
        ("000", "强化督查考核", "虹口区"),
        ("003", "配强人员力量", "杨浦区"),
        ("001", "注重宣传引导", "徐汇区"),
    ]:
        m = measure(name, phrase, district, lex, parents=("保障措施",), section="safeguard")
        assert m.internal, phrase


def test_jinshan_reform_tasks_are_enterprise_facing(lex):
    """The 27 Jinshan reform tasks are enterprise-relevant facilitation (MANIFEST): all are
    offered but 27 强化营商环境宣传推介 (publicity and the district's own assessment), which
    is government work by our reading."""
    lines = [
        ln for ln in _lines(str(CORPUS / "jinshan_yingshang_huanjing_xingdong_2024.txt")) if re.match(r"^\d+\.", ln)
    ]
    assert len(lines) == 27
    ms = [adhoc(_LABEL.sub("", ln), "金山区", lex) for ln in lines]
    assert [m.internal for m in ms].count(True) == 1 and ms[26].internal


# ------------------------------------------------------------------ data files


def _broken(tmp_path: Path, fname: str, old: str, new: str) -> Path:
    base = tmp_path / "res"
    shutil.copytree(resources_dir(), base)
    p = base / fname
    s = p.read_text(encoding="utf-8")
    assert old in s
    p.write_text(s.replace(old, new, 1), encoding="utf-8")
    return base


def test_context_for_unknown_term_names_file_and_field(tmp_path):
    base = _broken(tmp_path, "categories.toml", '"建设项目" = [', '"建设工程项目" = [')
    with pytest.raises(RuleFileError) as e:
        load_lexicons(base)
    msg = str(e.value)
    assert "categories.toml" in msg and "requires_any" in msg and "建设工程项目" in msg


def test_empty_context_word_names_file_and_field(tmp_path):
    base = _broken(
        tmp_path, "categories.toml", '[category.unless]\n"竣工验收" = ["报告"]', '[category.unless]\n"竣工验收" = [""]'
    )
    with pytest.raises(RuleFileError) as e:
        load_lexicons(base)
    assert "categories.toml" in str(e.value) and "unless" in str(e.value)


def test_strong_only_on_beneficiary_phrases(tmp_path):
    base = _broken(tmp_path, "internal.toml", 'why = "政府的统计监测工作"', 'why = "政府的统计监测工作"\nstrong = true')
    with pytest.raises(RuleFileError) as e:
        load_lexicons(base)
    assert "internal.toml" in str(e.value) and "strong" in str(e.value)


def test_industry_role_must_name_heads(tmp_path):
    base = _broken(tmp_path, "industries.toml", "heads = [", "headz = [")
    with pytest.raises(RuleFileError) as e:
        load_lexicons(base)
    assert "industries.toml" in str(e.value) and "role" in str(e.value)
