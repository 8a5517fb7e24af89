"""Issue 20, round 3: lexicon words and register fields on real sentences. A field's own word
points at the body doing that work (能源计量 is metrology, 可再生能源与建筑一体化 the
construction commission's programme, 天然气分布式供能 the development commission's), a
phrase that points at no office (依法合规给予支持) points nowhere, and a field that only some
districts give a body of its own (talent, data, finance) is inferred only there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.knowledge.offices import infer_offices
from matcher.rules.lexicon import load_lexicons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
CORPUS2 = ROOT / "tests" / "corpus2"


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


def sentence(path: Path, phrase: str) -> str:
    """The repaired paragraph of a document with ``phrase`` in it, its stated tag taken away
    (what inference sees blind)."""
    found = [ln.strip() for ln in repair(path.read_text(encoding="utf-8-sig")).text.splitlines() if phrase in ln]
    assert found, f"test setup: {phrase!r} not in {path.name}"
    text = re.sub(r"[(（][^()（）]*(?:单位|部门)[:：][^()（）]*[)）]$", "", found[0])
    assert not re.search(r"(?:单位|部门)[:：]", text), "test setup: the tag is still there"
    return text


# ------------------------------------------------------------------ a phrase pointing nowhere


@pytest.mark.parametrize(
    "path, phrase, district",
    [
        # 静安 三聚集 (states no offices): 瞪羚、独角兽 … “对符合条件的企业依法合规给予支持”
        (CORPUS2 / "jingan_sanjuji_zhuanye_fuwu_fangan_2026.txt", "建立潜力瞪羚、独角兽企业发现与培育机制", "静安区"),
        # 徐汇 节能 资金办法: “对符合条件的绿色低碳企业依法合规给予支持”
        (CORPUS2 / "xuhui_jieneng_jiantan_zijin_banfa_2024.txt", "对符合条件的绿色低碳企业依法合规给予支持", "徐汇区"),
    ],
)
def test_granting_formula_is_not_legal_work(path, phrase, district, lex):
    """依法合规给予支持 is how any office grants what it grants: not 区司法局's 合规 work."""
    names, _ = infer_offices(sentence(path, phrase), "", district, lex)
    assert "区司法局" not in names, names


def test_compliance_itself_is_still_legal_work(lex):
    """嘉定 seed: “促进市场主体依法合规开展生产经营活动” in a 免罚清单 measure — compliance as the
    measure's subject still points at 区司法局 (only the granting formula is neutral)."""
    text = sentence(ROOT / "seeds" / "001_d6033ad3c430145f.txt", "构建包容审慎监管体系")
    assert "依法合规开展" in text
    names, _ = infer_offices(text, "", "嘉定区", lex)
    assert "区司法局" in names[:2], names


# ------------------------------------------------------------------ a field's own words


@pytest.mark.parametrize(
    "path, phrase, district, first",
    [
        # energy metering of 重点用能单位 (能耗在线监测, 国家城市能源计量中心) is metrology
        (
            CORPUS2 / "xuhui_jieneng_jiantan_zijin_banfa_2024.txt",
            "对新接入能源计量数据采集联网的单位",
            "徐汇区",
            "区市场监管局",
        ),
        (CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt", "三级能源计量数据采集并联网", "松江区", "区市场监管局"),
        # the construction commission's demonstration programme, listed among 建筑节能 projects
        (CORPUS2 / "xuhui_jieneng_jiantan_zijin_banfa_2024.txt", "可再生能源与建筑一体化", "徐汇区", "区建设管理委"),
        (CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt", "浅层地热能等可再生能源建筑一体化", "松江区", "区建设管理委"),
        # 天然气分布式供能和燃气空调: the development commission's energy programme, not gas supply
        (CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt", "天然气分布式供能和燃气空调项目", "松江区", "区发展改革委"),
        # writing standards (标准制修订) is 标准化 work
        (
            CORPUS2 / "jingan_sanjuji_zhuanye_fuwu_fangan_2026.txt",
            "参与国际、国家及行业标准制修订",
            "静安区",
            "区市场监管局",
        ),
    ],
)
def test_a_fields_own_word_points_at_its_body(path, phrase, district, first, lex):
    names, why = infer_offices(sentence(path, phrase), "", district, lex)
    assert names and names[0] == first, names
    assert why[first]


def test_paying_a_fund_out_is_not_the_finance_bureau(lex):
    """松江 金融 若干措施: “对持牌金融机构的扶持资金分三年拨付” — paying out is every fund's last
    step; the finance measure is the district's finance body's (松江: 区发展改革委)."""
    text = sentence(CORPUS / "songjiang_jinrong_ruogan_2025.txt", "支持金融业发展")
    assert "拨付" in text
    names, _ = infer_offices(text, "", "松江区", lex)
    assert names[0] == "区发展改革委", names
    assert "区财政局" not in names


# ------------------------------------------------------------------ fields some districts have


def test_blockchain_is_the_data_bureaus_where_a_district_has_one(lex):
    """长宁 产业体系 (development) states 区科委、区数据局 on its 区块链 paragraph; 静安 人工智能
    states 区数据局 on “AI+区块链”. 虹口 has no data bureau the register knows: none is named."""
    para = sentence(CORPUS / "changning_chanye_tixi_shishi_yijian_2024.txt", "鼓励区块链创新应用")
    text = next(s for s in para.split("。") if "区块链" in s)  # 推动数据流通…鼓励区块链创新应用…
    assert infer_offices(text, "", "长宁区", lex)[0][0] == "区数据局"
    ai = sentence(CORPUS / "jingan_ai_shifanqu_xingdong_2026.txt", "推动人工智能技术与区块链结合")
    assert infer_offices(ai, "AI+区块链", "静安区", lex)[0][0] == "区数据局"
    assert "区数据局" not in infer_offices(ai, "AI+区块链", "虹口区", lex)[0]


def test_talent_programmes_are_the_talent_offices_where_a_district_has_one(lex):
    """静安 三聚集 (states no offices): “精准引进国际高端人才…吸引海外高层次人才” — 静安 has a
    区人才工作局 (the register); 虹口 has none the register knows, and its 区人社局 answers."""
    text = sentence(CORPUS2 / "jingan_sanjuji_zhuanye_fuwu_fangan_2026.txt", "精准引进国际高端人才")
    names, why = infer_offices(text, "", "静安区", lex)
    assert names[0] == "区人才工作局" and "人才" in why["区人才工作局"], names
    names, _ = infer_offices(text, "", "虹口区", lex)
    assert "区人才工作局" not in names and names[0] == "区人力资源社会保障局", names


def test_finance_is_the_body_a_district_writes_it_under(lex):
    """长宁 产业体系 states its 金融服务业 paragraph under 区投促办 alone; the register gives
    长宁's finance field to it (as 静安's to 区投资办), so the stripped paragraph gets it first."""
    text = sentence(CORPUS / "changning_chanye_tixi_shishi_yijian_2024.txt", "鼓励金融服务业集聚发展")
    names, _ = infer_offices(text, "", "长宁区", lex)
    assert names[0] == "区投促办", names
