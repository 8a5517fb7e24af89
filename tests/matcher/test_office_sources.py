"""Issue 20, sources of an inferred office beyond the measure's own words, on real documents:
the district counterpart of a city body a measure names, and the signatories of a joint
印发 notice (the document's offices, named where nothing else points anywhere)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.knowledge.office_context import document_assignments
from matcher.knowledge.offices import counterpart_offices, infer_offices
from matcher.rules.lexicon import load_lexicons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


def raw(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def sentence(path: Path, phrase: str) -> str:
    """The paragraph with ``phrase``, its stated tag taken away (what inference sees blind)."""
    found = [ln.strip() for ln in repair(raw(path)).text.splitlines() if phrase in ln]
    assert found, f"test setup: {phrase!r} not in {path.name}"
    text = re.sub(r"[(（][^()（）]*(?:单位|部门)[:：][^()（）]*[)）]$", "", found[0])
    assert not re.search(r"(?:单位|部门)[:：]", text), "test setup: the tag is still there"
    return text


# ------------------------------------------------------------------ a city body's counterpart


def test_a_city_body_that_certifies_points_at_its_district_counterpart(lex):
    """松江 绿色低碳: “经市经信委等相关部门验收通过并获得市级财政补后…予以区级配套补贴” —
    stated (执行单位): 区经委, the counterpart of 市经信委; never a 市… body."""
    text = sentence(CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt", "经市经信委等相关部门验收通过")
    names, why = infer_offices(text, "", "松江区", lex)
    assert names[0] == "区经委", names
    assert not any(n.startswith("市") for n in names) and "市经信委" in why["区经委"]


def test_a_city_body_only_mentioned_points_nowhere(lex):
    """嘉定 seed: “配合开展由市工商联等第三方机构主导、企业家…” at the end of a measure on policy
    services: 市工商联 neither certifies nor funds anything there — 区工商联 is not first."""
    text = sentence(ROOT / "seeds" / "002_471461ea355489e1.txt", "配合开展由市工商联等第三方机构主导")
    assert counterpart_offices(text, "嘉定区", lex) == []
    names, _ = infer_offices(text, "", "嘉定区", lex)
    assert names[0] != "区工商联"


def test_counterpart_is_the_districts_own_body(lex):
    """静安 has no 区经委: the counterpart of 市经济信息化委 there is 区科技经济委 (静安 节能
    申报指南: “对于通过市经济信息化委验收的能源管理中心项目”); a city document has none."""
    text = sentence(CORPUS / "jingan_jieneng_jiantan_shenbao_zhinan_2026.txt", "通过市经济信息化委验收的能源管理中心")
    assert [b for b, _ in counterpart_offices(text, "静安区", lex)] == ["区科技经济委"]
    assert counterpart_offices(text, "上海市", lex) == []


# ------------------------------------------------------------------ a joint notice's signatories


def test_signatories_of_a_joint_notice_are_the_documents_offices(lex):
    """长宁 产业体系 (development): ten bodies sign the 印发 notice before the plan; the
    coordinating 区发展改革委 is its drafter, the others are kept, in the order they sign."""
    text = repair(raw(CORPUS / "changning_chanye_tixi_shishi_yijian_2024.txt")).text
    ctx = document_assignments(
        text,
        "长宁区",
        lex,
        issuer="上海市长宁区发展和改革委员会",
        title="长宁区加快构建现代化产业体系促进经济高质量发展的实施意见",
    )
    signed = [a.office for a in ctx if a.kind == "co_issuer"]
    assert signed[:3] == ["区人才工作局", "区商务委", "区科委"]
    assert {"区司法局", "区财政局", "区市场监管局", "区数据局", "区投促办"} <= set(signed)
    assert "区发展改革委" not in signed


def test_signatories_answer_where_nothing_else_does(lex):
    """奉贤 产教融合: a measure on 赛事、论坛、峰会 names no field the lexicon knows; the
    document's signatories answer (stated: 区科委、区发展改革委、区经委、区投资促进办), while a
    measure whose words name a field keeps its field's office first."""
    path = CORPUS / "fengxian_chanjiao_ronghe_fangan_2024.txt"
    text = repair(raw(path)).text
    ctx = document_assignments(
        text, "奉贤区", lex, issuer="上海市奉贤区发展和改革委员会", title="奉贤区促进产教融合高质量发展实施方案"
    )
    names, why = infer_offices(sentence(path, "高端产教融合赛事、论坛、峰会"), "", "奉贤区", lex, ctx)
    assert names and names[0] in {"区经委", "区科委"} and "上海市奉贤区" in why[names[0]]
    names, _ = infer_offices(sentence(path, "在奉实体企业录用应届毕业生就业和落户"), "", "奉贤区", lex, ctx)
    assert names[0] == "区人力资源社会保障局"


# ------------------------------------------------------------------ a line department's regulation


def test_a_line_departments_regulation_is_run_by_its_issuer(lex):
    """黄浦 外摆位实施意见, issued by 区城管执法局 (states no offices): neither a programme nor a
    plan, a line department's own rules for shops — every rule of it is the issuer's, also where
    its words name another field (不得损坏、占用绿化 is not a 绿化市容 application)."""
    path = ROOT / "tests" / "corpus2" / "huangpu_waibaiwei_shishi_yijian_2026.txt"
    text = repair(raw(path)).text
    ctx = document_assignments(
        text, "黄浦区", lex, issuer="上海市黄浦区城市管理行政执法局", title="上海市黄浦区外摆位实施意见"
    )
    assert [a.office for a in ctx if a.kind == "issuer"] == ["区城管执法局"]
    names, why = infer_offices("不得损坏、占用绿化;", "", "黄浦区", lex, ctx)
    assert names[0] == "区城管执法局" and "城市管理行政执法局" in why["区城管执法局"], names
    assert infer_offices("不得损坏、占用绿化;", "", "黄浦区", lex)[0][0] == "区绿化市容局"  # without it


def test_a_coordinating_issuers_opinion_is_not_run_by_it(lex):
    """市 绿电 实施意见 (development), issued by 市发展改革委: a coordinating body's 实施意见 sets
    out other bodies' work; it is not the issuer of every measure."""
    path = CORPUS / "shi_lvdian_xiaofei_shishi_yijian_2024.txt"
    ctx = document_assignments(
        repair(raw(path)).text,
        "上海市",
        lex,
        issuer="上海市发展和改革委员会",
        title="上海市促进绿色电力消费加快能源低碳转型实施意见",
    )
    assert not [a for a in ctx if a.kind == "issuer"]
