"""Issue 20, the lexicon's fields on real sentences: each field word points at the body that
does that work in a district, never at a body the sentence only names as money or as a
partner (获得市级财政补贴 is not 区财政局's work)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.knowledge.offices import infer_offices
from matcher.rules.lexicon import load_lexicons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
CORPUS2 = ROOT / "tests" / "corpus2"


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


def sentence(path: Path, phrase: str) -> str:
    """The paragraph with ``phrase``, without its stated tag (what inference sees blind)."""
    found = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines() if phrase in ln]
    assert found, f"test setup: {phrase!r} not in {path.name}"
    text = re.sub(r"[(（][^()（）]*(?:单位|部门)[:：][^()（）]*[)）]$", "", found[0])
    assert not re.search(r"(?:单位|部门)[:：]", text), "test setup: the tag is still there"
    return text


@pytest.mark.parametrize(
    "phrase, first",
    [
        # “在项目建成并网后给予适当的补贴…一次性补贴” (stated: 区发展改革委)
        ("农光互补和渔光互补光伏系统", "区发展改革委"),
        # “在获得市级财政补贴后,按照1:1的比例予以区级配套补贴” (stated: 区市场监管局: 能源计量 is
        # metrology, round 3)
        ("实现一级（关口）、二级和三级能源计量数据采集并联网", "区市场监管局"),
    ],
)
def test_subsidy_money_is_not_the_finance_bureau(phrase, first, lex):
    """松江 绿色低碳: a subsidy's money (给予补贴, 获得市级财政补贴) is not 区财政局's work."""
    text = sentence(CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt", phrase)
    assert "补贴" in text
    names, _ = infer_offices(text, "", "松江区", lex)
    assert names and "区财政局" not in names
    if first:
        assert names[0] == first


@pytest.mark.parametrize(
    "path, phrase, district, first",
    [
        # 化妆品 (注册备案, 个性化定制) is market regulation's (药品 and 化妆品 监管)
        (
            CORPUS2 / "jingan_liandong_chuangxinqu_fangan_2026.txt",
            "稳步开展化妆品个性化定制服务试点",
            "静安区",
            "区市场监管局",
        ),
        # 入出境 and 签证 for foreigners are the public security bureau's exit-entry work
        (
            CORPUS2 / "jingan_liandong_chuangxinqu_fangan_2026.txt",
            "提供长期多次入出境有效的访问",
            "静安区",
            "区公安分局",
        ),
        # a district's bus routes are its 建设和交通 commission's (奉贤 区建设管理委<区交通委>)
        (CORPUS / "fengxian_chanjiao_ronghe_fangan_2024.txt", "增加与奉贤新城的公交班次", "奉贤区", "区建设管理委"),
        # 人工智能安全 is the cyberspace office's (区委网信办), not the science body's
        (CORPUS / "jingan_ai_shifanqu_xingdong_2026.txt", "提升全社会的人工智能安全意识", "静安区", "区委网信办"),
    ],
)
def test_field_words_point_at_the_body_doing_the_work(path, phrase, district, first, lex):
    names, why = infer_offices(sentence(path, phrase), "", district, lex)
    assert names and names[0] == first, names
    assert why[first]


@pytest.mark.parametrize(
    "path, phrase, district, first",
    [
        # a district plan's 通关 measure (stated: 区商务委、区文化旅游局)
        (CORPUS2 / "jingan_liandong_chuangxinqu_fangan_2026.txt", "提升贸易通关便利化水平", "静安区", "区商务委"),
        # 虹口 has its own customs office: its 查验 measure is 虹口海关's (stated so)
        (ROOT / "seeds" / "000_a62ab19f388f276b.txt", "推广无陪同查验作业改革", "虹口区", "虹口海关"),
    ],
)
def test_customs_work_goes_to_the_districts_own_body(path, phrase, district, first, lex):
    names, _ = infer_offices(sentence(path, phrase), "", district, lex)
    assert names[0] == first, names
    if first == "区商务委":  # customs, which certifies (AEO, 通关), is still named, next
        assert names[1] == "海关(上海海关)", names


def test_customs_stays_customs_in_a_city_document(lex):
    names, _ = infer_offices("推广进出口货物“两步申报”,提升通关便利化水平。", "", "上海市", lex)
    assert names[0] == "海关(上海海关)"


def test_transport_is_the_city_transport_commissions_in_a_city_document(lex):
    """The district's transport field (区建设管理委) must not turn a city document's transport
    measure to 市住房城乡建设管理委 (市 大件运输: “本市交通运输、公安交管部门要完成相关业务系统的
    升级改造”)."""
    text = sentence(CORPUS2 / "shi_dajian_yunshu_yijianshi_2025.txt", "本市交通运输、公安交管部门要完成相关业务系统")
    names, _ = infer_offices(text, "", "上海市", lex)
    assert "市交通委" in names and "市住房城乡建设管理委" not in names
