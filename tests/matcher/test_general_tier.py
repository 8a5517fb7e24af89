"""普惠服务 (general) is only what every firm of the district can go and get (issue 19), on the
seeds' real sentences: government work, a plan's goals, a district's project and items written
for one kind of firm are not; the heading of a section is not what each of its items gives."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from matcher.knowledge.audience import for_every_firm, read_audience
from matcher.matching.tiers import measure_head, named_in_head
from matcher.reading.pipeline import build_document

ROOT = Path(__file__).resolve().parents[2]


@cache
def seed(prefix: str):
    path = next((ROOT / "seeds").glob(f"{prefix}_*.txt"))
    return build_document(path.read_text(encoding="utf-8-sig"), source_file=prefix)


def item(d, words: str):
    for m in d.measures:
        if words in m.text.replace(" ", ""):
            return m
    raise AssertionError(f"no measure with {words!r}")


def test_government_work_in_a_business_plan_is_internal():
    hk = seed("000")  # 虹口 营商环境 plan
    for words in (
        "组织对现有涉企政策进行梳理",  # the government tidying its own policies
        "全面实施全流程网上办案",  # the courts' own work
        "加大劳动保障监察执法力度",  # enforcement
        "着力构建虹口区优质中小企业",  # a cultivation target
        "根据市高院统一部署",  # the district carrying out a city body's plan
        "促进创新生态活跃",  # a plan's slogan
        "加强告知承诺事中事后核查",  # checking what firms promised
    ):
        m = item(hk, words)
        assert m.role == "internal" and m.internal, (words, m.role)


def test_a_service_a_firm_can_use_stays_offered_in_a_long_mixed_paragraph():
    # 杨浦 (003) 二.三.2 tidies policies too, but it opens a 惠企政策综合窗口 firms can walk into
    assert item(seed("003"), "加快资金拨付速度").role == "service"
    # 虹口 13.2: a window of the district service centre
    assert item(seed("000"), "设立惠企政策集中咨询、办理窗口").role == "service"
    # 嘉定 (002) 17: courts' work, but 司法问诊 for the car industry is a service to firms
    assert item(seed("002"), "围绕汽车行业开展").role == "service"


def test_a_sections_heading_is_not_the_items_own():
    hk = seed("000")
    m = item(hk, "规范适用小额诉讼程序")  # under 解决商业纠纷, titled with it
    assert m.title in m.parents
    assert not measure_head(m).startswith(m.title)
    # its own words still name what it gives: 信易贷 is 融资, quoted or not
    m = item(hk, "大数据普惠金融应用")
    assert named_in_head("融资", "", measure_head(m))
    assert not named_in_head("融资", "", "。规范适用小额诉讼程序")


def test_every_firm_is_not_a_named_few():
    assert for_every_firm("", "", ["为企业提供政策咨询。"]) == "为企业"
    # 重点企业 are chosen firms, not every firm (徐汇 2022 九.2)
    assert for_every_firm("", "", ["集成资源为重点企业提供“一站式”服务。"]) == ""
    # 市场主体可预期 says the rules are predictable, not that firms can do something (虹口 11.2)
    assert for_every_firm("", "", ["明确精准高效监管范围内容和市场主体可预期。"]) == ""
    # 服务企业 as the government's way of working (虹口 14.1)
    assert for_every_firm("", "", ["全面推行体系化服务企业模式,逐步实现重点园区和商务楼宇全覆盖。"]) == ""


def test_construction_projects_are_an_activity_to_ask_about():
    # 徐汇 2022 二.三.1: a reform of construction-project approvals is for firms that build
    a = read_audience("持续推进建设项目审批改革", ["巩固建设项目行政审批事项改革成效,进一步简化优化控规编制流程。"])
    assert a.get("activity") == "建筑节能或建筑工程"
    a = read_audience(
        "", ["在建筑工地夜间施工作业审批中,继续落实“一件事”改革,满足企业办理跨部门、跨层级事项的数据和证照需求。"]
    )
    assert a.get("activity") == "建筑节能或建筑工程"


# --------------------------------------------------------------------------- no industry: ask


def test_no_industry_is_one_question_never_a_silent_hide():
    """静安 人工智能创新应用示范区 行动方案 (tests/corpus): its items are written for AI firms (its
    title) or a trade they name ("AI+专业服务。支持开发法律服务AI大模型…"). A restaurant is not
    offered them; a profile that states no industry is asked — one industry question for all of
    them, as with size."""
    import datetime as dt

    from matcher.matching.match import matcher_of
    from matcher.matching.tiers import industry_question
    from matcher.profile.company import Profile

    path = ROOT / "tests" / "corpus" / "jingan_ai_shifanqu_xingdong_2026.txt"
    d = build_document(path.read_text(encoding="utf-8"), source_file=path.name)
    m = matcher_of(d.measures)
    day = dt.date(2026, 12, 1)
    other = m.match(
        Profile.from_dict({"district": "静安区", "industry": "住宿和餐饮业", "size": "小型"}), top=None, as_of=day
    )
    none = m.match(Profile.from_dict({"district": "静安区", "size": "小型"}), top=None, as_of=day)
    shown_other = {r.measure.measure_id for r in other.results}
    asked = [r for r in none.results if industry_question() in r.questions]
    assert len(asked) >= 5
    assert any("法律服务AI大模型" in r.measure.text for r in asked)  # a trade the item names
    assert all(r.tier == "unknown" for r in asked)
    # the ones asked about are those a firm of another trade is not offered at all
    assert not {r.measure.measure_id for r in asked} & shown_other
    # one question whatever the industries: never "属于文件支持的行业(…)" item by item
    qs = {q for r in none.results for q in r.questions if "行业" in q}
    assert qs == {industry_question()}


def test_a_batch_of_demonstrations_is_an_opportunity_for_the_trades_firms():
    """静安 AI plan 三、(一): "…打造一批面向具体任务、可持续运行的行业智能体示范" names no firm, but
    its demonstrations are chosen among AI firms: offered (to firms of the plan's trade), not
    the government's own work."""
    path = ROOT / "tests" / "corpus" / "jingan_ai_shifanqu_xingdong_2026.txt"
    d = build_document(path.read_text(encoding="utf-8"), source_file=path.name)
    m = item(d, "加快推进智能体在重点场景中的落地实践应用")
    assert m.role == "service" and not m.internal
    assert m.audience.get("industries") == ["人工智能"]
