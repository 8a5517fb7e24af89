"""Tiers (matcher.matching.tiers via Matcher.match): targeted, general, near, unknown, not shown —
and expiry judged as of a date. Real seed and corpus documents throughout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from matcher.matching.match import matcher_of
from matcher.profile.company import Profile
from matcher.reading.pipeline import build_document, build_seed_documents

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "corpus"


def corpus_doc(name: str):
    return build_document((CORPUS / name).read_text(encoding="utf-8"), source_file=name, source="user")


@pytest.fixture(scope="module")
def seeds():
    return [m for d in build_seed_documents() for m in d.measures]


@pytest.fixture(scope="module")
def seed_matcher(seeds):
    return matcher_of(seeds)


def hongkou_sme() -> Profile:
    return Profile.from_json(ROOT / "docs" / "examples" / "hongkou-shipping-sme.json")


def test_a_hongkou_sme_gets_a_short_targeted_list(seed_matcher):
    resp = seed_matcher.match(hongkou_sme(), top=None, as_of=dt.date(2026, 6, 1))
    tiers = {t: [r for r in resp.results if r.tier == t] for t in ("targeted", "general", "near", "unknown")}
    assert 5 <= len(tiers["targeted"]) <= 25
    assert tiers["general"] and len(tiers["targeted"]) + len(tiers["general"]) == sum(
        1 for r in resp.results if r.status == "applies"
    )
    assert resp.tiers["targeted"] == len(tiers["targeted"]) and resp.as_of == "2026-06-01"
    for r in tiers["targeted"]:  # each says why it is for this company
        head = r.measure.title + "。" + r.measure.text[:40]
        assert (
            any(x.kind in ("audience", "industry", "area") for x in r.reasons)
            or any(c["met"] for c in r.conditions)
            or r.measure.amounts
            or any(x.kind == "need" and x.category in ("融资", "人才") and x.quote in head for x in r.reasons)
        ), r.measure.measure_id
    general_needs = [r for r in tiers["general"] if any(x.kind == "need" for x in r.reasons)]
    assert general_needs  # a need served in passing does not make a measure targeted
    by_id = {r.measure.measure_id: r for r in resp.results}
    sme = by_id["hongkou-2023/4.2"]  # 解决中小微企业融资难题
    assert sme.tier == "targeted" and sme.conditions[0]["met"] is True
    assert all(r.tier == "near" for r in tiers["near"]) and all(r.status == "near" for r in tiers["near"])


def test_general_service_for_any_firm(seed_matcher):
    """A measure naming nobody and nothing of this company (企业开办 …) is general."""
    resp = seed_matcher.match(Profile.from_dict({"district": "徐汇区", "size": "小型"}), top=None)
    general = [r for r in resp.results if r.tier == "general"]
    assert general
    for r in general:
        assert not r.measure.audiences and not r.measure.amounts


def test_a_large_firm_is_not_offered_the_sme_measure(seed_matcher):
    resp = seed_matcher.match(Profile.from_dict({"district": "虹口区", "size": "大型"}), top=None)
    assert "hongkou-2023/4.2" not in {r.measure.measure_id for r in resp.results}
    rows = {
        r["measure_id"]: r for r in seed_matcher.overview(Profile.from_dict({"district": "虹口区", "size": "大型"}))
    }
    assert rows["hongkou-2023/4.2"]["status"] == "other"


@pytest.fixture(scope="module")
def putuo():
    return matcher_of(corpus_doc("putuo_fuwuye_yindao_zijin_shenbao_2026.txt").measures)


def test_unknown_names_the_question_then_decides(putuo):
    day = dt.date(2026, 6, 15)
    base = {"district": "普陀区", "size": "中型"}
    resp = putuo.match(Profile.from_dict(base), top=None, as_of=day)
    assert resp.results and all(r.tier == "unknown" and r.status == "near" for r in resp.results)
    q = "计划申报的项目投资额是多少(万元)?"
    assert all(q in r.questions and q in r.missing for r in resp.results)
    cond = resp.results[0].conditions[0]
    assert cond["met"] is None and "500" in cond["quote"]
    yes = putuo.match(Profile.from_dict({**base, "investment": 600}), top=None, as_of=day)
    assert yes.results and all(r.status == "applies" and r.tier in ("targeted", "general") for r in yes.results)
    assert all(r.conditions[0]["met"] is True for r in yes.results)
    no_profile = Profile.from_dict({**base, "investment": 100})
    assert putuo.match(no_profile, top=None, as_of=day).results == []
    rows = putuo.overview(no_profile, as_of=day)
    offered = [r for r in rows if not r["internal"]]
    assert offered and all(r["status"] == "fails" and "项目投资额" in r["why"] for r in offered)


def test_window_closed_is_expired(putuo):
    """普陀's guide closes on 2026-07-10: open the day before, expired the day after."""
    p = Profile.from_dict({"district": "普陀区", "size": "中型", "investment": 600})
    before = putuo.match(p, top=None, as_of=dt.date(2026, 7, 10))
    assert before.results and all(r.measure.window["end"] == "2026-07-10" and not r.expired for r in before.results)
    after = putuo.match(p, top=None, as_of=dt.date(2026, 7, 11))
    assert after.results == [] and after.tiers["expired"] == len(before.results)
    shown = putuo.match(p, top=None, as_of=dt.date(2026, 7, 11), include_expired=True)
    assert shown.results and all(r.tier == "expired" and r.expired for r in shown.results)
    assert all(r.status == "near" and "2026-07-10" in r.missing[0] for r in shown.results)
    rows = putuo.overview(p, as_of=dt.date(2026, 7, 11))
    assert {r["status"] for r in rows if not r["internal"]} == {"expired"}
    assert all("2026-07-10" in r["why"] for r in rows if not r["internal"])


def test_document_past_its_validity_is_expired():
    """静安's 2019 电竞 policy: 自2019年2月25日起施行,有效期为一年."""
    m = matcher_of(corpus_doc("jingan_dianjing_fuchi_2019.txt").measures)
    p = Profile.from_dict({"district": "静安区", "size": "小型", "industry": "文化、体育和娱乐业", "keywords": "电竞"})
    then = m.match(p, top=None, as_of=dt.date(2019, 6, 1))
    assert any(r.status == "applies" and r.measure.amounts for r in then.results)
    now = m.match(p, top=None, as_of=dt.date(2026, 6, 1))
    assert [r for r in now.results if r.status == "applies"] == []
    offered = {r.measure.measure_id for r in then.results if r.tier in ("targeted", "general")}
    gone = {x["measure_id"] for x in m.overview(p, as_of=dt.date(2026, 6, 1)) if x["status"] == "expired"}
    assert len(offered) >= 5 and offered <= gone and now.tiers["expired"] == len(gone)


def test_expiry_of_a_constructed_validity(seeds):
    """valid_until as the parser will fill it (Document.valid_until): the rule, not the parser."""
    ms = [m.model_copy(update={"valid_until": "2024-12-31"}) if m.doc_id == "yangpu-2023" else m for m in seeds]
    matcher = matcher_of(ms)
    p = Profile.from_dict({"district": "杨浦区", "size": "小型"})
    then = matcher.match(p, top=None, as_of=dt.date(2024, 12, 31))
    assert len(then.results) > 10
    late = matcher.match(p, top=None, as_of=dt.date(2025, 1, 1))
    assert late.results == [] and late.tiers["expired"] == len(then.results)


def test_targeted_first_in_the_table_json_contract(capsys):
    from matcher.cli.main import main

    code = main(
        [
            "match",
            "--profile",
            str(ROOT / "docs/examples/hongkou-shipping-sme.json"),
            "--as-of",
            "2026-06-01",
            "--format",
            "json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2026-06-01" and data["tiers"]["targeted"] > 0
    r = data["results"][0]
    for k in (
        "tier",
        "conditions",
        "amounts",
        "window",
        "valid_until",
        "materials",
        "how_to_apply",
        "contact",
        "expired",
        "status",
        "missing",
        "reasons",
        "offices",
        "level",
    ):
        assert k in r, k
    assert {x["status"] for x in data["results"] if x["tier"] in ("targeted", "general")} == {"applies"}
    code = main(["match", "--profile", str(ROOT / "docs/examples/hongkou-shipping-sme.json"), "--as-of", "2026-06-01"])
    table = capsys.readouterr().out
    assert code == 0 and "判断日期 2026-06-01" in table
    assert table.index("【为本企业】") < table.index("【普惠服务】")


def test_service_needs_stay_general(seed_matcher):
    """证照审批 / 税务 / 政策咨询 are services every firm gets: a need for them alone does
    not make a measure targeted (resources/conditions.toml, tiers.need_categories). (Since
    issue 19's 普惠 rules the government's own work in the same chapters — 监管抽查, 执法,
    政策梳理 — is no longer among them: about 30, not over 30.)"""
    p = Profile.from_dict({"district": "虹口区", "needs": ["证照审批", "税务", "政策咨询"]})
    resp = seed_matcher.match(p, top=None)
    assert sum(1 for r in resp.results if r.tier == "targeted") <= 10
    assert sum(1 for r in resp.results if r.tier == "general") >= 25


@pytest.mark.parametrize(
    "args,words",
    [(["--as-of", "2026-13-01"], "--as-of"), (["--founded", "明年"], "founded"), (["--tax", "很多"], "tax")],
)
def test_bad_decision_input_is_exit_2(capsys, args, words):
    from matcher.cli.main import main

    code = main(["match", "--district", "虹口", *args])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err


def test_sort_by_deadline_and_amount():
    from matcher.matching.tiers import deadline, sort_results

    docs = [
        corpus_doc(n) for n in ("putuo_fuwuye_yindao_zijin_shenbao_2026.txt", "songjiang_lvse_ditan_ruogan_2025.txt")
    ]
    m = matcher_of([x for d in docs for x in d.measures])
    firm = {"district": "松江区", "size": "小型", "industry": "制造业", "keywords": "节能 技术改造 光伏 绿色工厂"}
    sj = m.match(Profile.from_dict(firm), top=None, as_of=dt.date(2026, 3, 1))
    by_amount = sort_results(sj.results, "amount")
    sums = [
        max((a["wan"] or 0) for a in r.measure.amounts) for r in by_amount if any(a["wan"] for a in r.measure.amounts)
    ]
    assert sums and sums == sorted(sums, reverse=True)
    # the deadline is the application window's end, else the document's 有效期
    yp = corpus_doc("yangpu_zongchengbao_zixun_shenbao_2026.txt").measures
    city = corpus_doc("shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt").measures  # 有效期至2026年12月31日
    m2 = matcher_of(yp + city)
    builder = {"district": "杨浦区", "size": "中型", "industry": "建筑业", "keywords": "工程总承包 光伏"}
    res = m2.match(Profile.from_dict(builder), top=None, as_of=dt.date(2026, 7, 10)).results
    ends = [deadline(r) for r in sort_results(res, "deadline")]
    assert ends[0] == "2026-07-31" and ends == sorted(ends, key=lambda e: (e is None, e or ""))
    assert any(r.measure.valid_until and not (r.measure.window or {}).get("end") and deadline(r) for r in res)


def test_sort_orders_the_whole_tier_not_the_relevance_top():
    """``--sort amount`` with ``--top 3``: the three largest sums of the whole tier, not the
    relevance top three re-ordered."""
    from matcher.matching.tiers import sort_answer

    m = matcher_of(corpus_doc("songjiang_lvse_ditan_ruogan_2025.txt").measures)
    firm = {"district": "松江区", "size": "小型", "industry": "制造业", "keywords": "节能 技术改造 光伏 绿色工厂"}
    whole = m.match(Profile.from_dict(firm), top=None, as_of=dt.date(2026, 3, 1)).results
    main = [r for r in whole if r.tier in ("targeted", "general")]
    best = sorted((top_wan(r) for r in main), reverse=True)[:3]
    assert len(main) > 3 and best != [top_wan(r) for r in main[:3]]  # relevance order is not amount order
    cut = sort_answer([r.model_copy() for r in whole], "amount", 3)
    assert [top_wan(r) for r in cut if r.tier in ("targeted", "general")] == best
    assert [r.rank for r in cut] == list(range(1, len(cut) + 1))


def top_wan(r) -> float:
    return max((a.get("wan") or 0 for a in r.measure.amounts), default=0)


def test_a_documents_scope_section_decides_for_all_its_measures():
    """黄浦's 贴息 rules: 一、支持对象 limits them to 中小微 firms of listed industries."""
    m = matcher_of(corpus_doc("huangpu_daikuan_tiexi_banfa_2026.txt").measures)
    day = dt.date(2026, 8, 1)
    small = m.match(
        Profile.from_dict({"district": "黄浦区", "size": "小型", "industry": "租赁和商务服务业"}), top=None, as_of=day
    )
    assert small.results and all(r.tier == "targeted" for r in small.results)
    large = Profile.from_dict({"district": "黄浦区", "size": "大型", "industry": "租赁和商务服务业"})
    assert m.match(large, top=None, as_of=day).results == []
    assert all("中小微" in r["why"] for r in m.overview(large, as_of=day) if r["status"] == "fails")
    ask = m.match(Profile.from_dict({"district": "黄浦区", "size": "小型"}), top=None, as_of=day)
    assert ask.results and all(r.tier == "unknown" and "行业" in r.questions[0] for r in ask.results)


def test_a_documents_audience_the_company_can_join_is_near():
    """奉贤海归小镇: firms founded by returnees; a firm that is not (yet) one is `near`."""
    m = matcher_of(corpus_doc("fengxian_haigui_xiaozhen_2025.txt").measures)
    resp = m.match(
        Profile.from_dict({"district": "奉贤区", "size": "小型", "area": "海归小镇"}),
        top=None,
        as_of=dt.date(2026, 8, 1),
    )
    assert resp.results and all(r.tier == "near" and r.status == "near" and r.missing for r in resp.results)


def test_profile_figures_for_conditions_round_trip(tmp_path):
    p = Profile.from_dict(
        {
            "district": "虹口",
            "industry": "制造业",
            "founded": "2019年",
            "tax": "120万元",
            "rnd": 300,
            "investment": "0.1亿元",
            "revenue": 1800,
        }
    )
    assert (p.founded, p.tax, p.rnd, p.investment, p.revenue) == (2019, 120.0, 300.0, 1000.0, 1800.0)
    f = tmp_path / "p.json"
    p.to_json(f)
    again = Profile.from_json(f)
    assert (again.founded, again.tax, again.rnd, again.investment) == (2019, 120.0, 300.0, 1000.0)
    from matcher.errors import BadInput

    with pytest.raises(BadInput, match="founded"):
        Profile.from_dict({"district": "虹口", "founded": 1850})
    with pytest.raises(BadInput, match="investment"):
        Profile.from_dict({"district": "虹口", "investment": "-3"})


def test_median_targeted_count_of_the_eval_profiles():
    """scripts/evaluate.py's figure: the targeted list of a typical profile stays short
    (aim ≤ 25), while recall of must-include measures is kept by test_cases."""
    import importlib.util
    import sys

    name = "policydesk_evaluate_tiers"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "evaluate.py")
    ev = importlib.util.module_from_spec(spec)
    sys.modules[name] = ev  # dataclasses look their module up
    spec.loader.exec_module(ev)
    cases = ev.load_cases(ROOT / "tests" / "cases") + ev.load_cases(ROOT / "eval" / "dev_profiles.json")
    outcomes = [ev.judge(c) for c in cases]
    t = ev.totals(outcomes)
    assert t["median_targeted"] is not None and 3 <= t["median_targeted"] <= 25
    assert t["excluded_returned_applies"] == 0


def test_a_sum_for_another_industry_is_not_targeted():
    """长宁 节能减排: 5.(3) 绿色建筑示范 (tagged 建筑) states 每平方米补贴50-100元 — targeted for a
    builder; for a restaurant its audience (green-building projects) is an activity it has not
    stated: the question, never a match; 4.(2) 清洁生产 (no industry, no audience the restaurant
    is shown to be in, no word saying it serves any firm) is not offered to it: its sum alone
    does not target it, nor make it general."""
    m = matcher_of(corpus_doc("changning_jieneng_jiantan_zhengce_2024.txt").measures)
    day = dt.date(2026, 3, 1)

    def tier(industry: str, mid: str) -> str:
        resp = m.match(
            Profile.from_dict({"district": "长宁区", "size": "小型", "industry": industry}), top=None, as_of=day
        )
        return next((r.tier for r in resp.results if r.measure.measure_id == mid), "not offered")

    assert tier("建筑业", "changning-2024/5.3") == "targeted"
    assert tier("住宿和餐饮业", "changning-2024/5.3") == "unknown"
    assert tier("住宿和餐饮业", "changning-2024/4.2") == "not offered"


def test_an_officers_audience_correction_is_followed(seeds):
    """The audience condition is the measure's audiences as they are now: removing 中小微企业
    from hongkou 4.(2) (a correction) offers it to a large firm that asks for 融资 too."""
    ms = [m.model_copy(update={"audiences": []}) if m.measure_id == "hongkou-2023/4.2" else m for m in seeds]
    big = Profile.from_dict({"district": "虹口区", "size": "大型", "needs": ["融资"]})
    got = {r.measure.measure_id: r for r in matcher_of(ms).match(big, top=None).results}
    assert "hongkou-2023/4.2" in got and got["hongkou-2023/4.2"].status == "applies"
    assert all(c["kind"] != "size" for c in got["hongkou-2023/4.2"].conditions)


def test_a_documents_size_limit_is_asked_when_the_size_is_unknown():
    m = matcher_of(corpus_doc("huangpu_daikuan_tiexi_banfa_2026.txt").measures)
    resp = m.match(
        Profile.from_dict({"district": "黄浦区", "industry": "租赁和商务服务业"}), top=None, as_of=dt.date(2026, 8, 1)
    )
    assert resp.results and all(r.tier == "unknown" for r in resp.results)
    assert all(any("企业规模" in q for q in r.questions) for r in resp.results)


def test_cli_sort_with_top_takes_the_largest_of_the_whole_tier(capsys):
    """``match --sort amount --top 3`` (松江's 绿色低碳 measures ingested): the first three of
    the main part are the first three of the whole tier sorted, not the relevance top three
    re-ordered (四.2, third by relevance, states no sum)."""
    from matcher.cli.main import main

    assert main(["ingest", str(CORPUS / "songjiang_lvse_ditan_ruogan_2025.txt"), "--format", "json"]) == 0
    capsys.readouterr()
    firm = ["--district", "松江", "--size", "小型", "--industry", "制造业", "--keywords", "节能 技术改造 光伏 绿色工厂"]

    def main_part(*extra: str) -> list[tuple[str, bool]]:
        assert main(["match", *firm, "--as-of", "2026-03-01", *extra, "--format", "json"]) == 0
        res = json.loads(capsys.readouterr().out)["results"]
        return [(r["measure_id"], bool(r["amounts"])) for r in res if r["tier"] in MAIN]

    relevance = main_part("--top", "1000")
    whole = main_part("--sort", "amount", "--top", "1000")
    assert len(whole) > 3 and sorted(whole) == sorted(relevance)
    assert [had for _, had in whole] == sorted((had for _, had in whole), reverse=True)  # no sum: last
    assert not all(had for _, had in relevance[:3])  # the relevance top three hold one with no sum
    assert main_part("--sort", "amount", "--top", "3") == whole[:3] and all(had for _, had in whole[:3])


MAIN = ("targeted", "general")


def test_general_for_a_firm_the_item_names_among_those_it_helps(seed_matcher):
    """杨浦 二.(5) 数字经济政策 (a 数字经济/绿色低碳 paragraph) ends "开展中小企业数字化转型赋能
    专项行动…解决中小企业和个体商户不会转、不敢转": for a 个体户 shop that asks about it, 普惠服务;
    for a large state-owned firm it names no firm like it, so it is not offered."""
    day = dt.date(2026, 6, 1)
    shop = {"district": "杨浦区", "industry": "批发和零售业", "size": "微型", "flags": ["个体工商户"]}
    got = {
        r.measure.measure_id: r.tier
        for r in seed_matcher.match(Profile.from_dict({**shop, "keywords": "个体户"}), top=None, as_of=day).results
    }
    assert got.get("yangpu-2023/二.5") == "general"
    big = {
        "district": "杨浦区",
        "industry": "批发和零售业",
        "size": "大型",
        "flags": ["国有企业"],
        "keywords": "数字化转型",
    }
    got = {
        r.measure.measure_id: r.tier for r in seed_matcher.match(Profile.from_dict(big), top=None, as_of=day).results
    }
    assert "yangpu-2023/二.5" not in got


def test_small_energy_resources_are_not_small_firms():
    """ "加快分散式小微资源聚合" (上海 绿电 五.(2)) names energy resources, not 小微企业."""
    d = corpus_doc("shi_lvdian_xiaofei_shishi_yijian_2024.txt")
    m = next(x for x in d.measures if "小微资源聚合" in x.text)
    assert "中小微企业" not in (m.evidence or {}).get("audience_mentions", {}) and "中小微企业" not in m.audiences


def test_general_only_for_what_the_firm_asked_being_what_the_item_is_about(seed_matcher):
    """A 虹口 shipping firm asking for 融资 and 法律服务: 4.(1) 获取金融服务 and 18.(3) 解决商业纠纷
    (the need in the heading) are 普惠服务; 24.(5) 双北联动 (推动创投机构集聚发展, one clause deep
    in a paragraph about the district's innovation ecosystem) is not offered, nor 11.(4)
    精准高效监管 and 20.(1) 规范监管执法 (supervision is not a legal service a firm asks for)."""
    p = {"district": "虹口区", "industry": "交通运输、仓储和邮政业", "size": "中型", "needs": ["融资", "法律服务"]}
    got = {r.measure.measure_id: r.tier for r in seed_matcher.match(Profile.from_dict(p), top=None).results}
    assert got.get("hongkou-2023/4.1") == got.get("hongkou-2023/18.3") == "general"
    assert not {"hongkou-2023/24.5", "hongkou-2023/11.4", "hongkou-2023/20.1"} & set(got)


def test_a_theme_documents_every_firm_words_are_not_general():
    """上海 绿电 opinions (a 绿色低碳 document): (三)1. "支持各类企业使用绿电" and (五)1.
    "为经营主体提供…交易服务" serve firms that buy green power, not every firm: a 黄浦
    restaurant is not offered them as 普惠服务; a 营商环境 plan's 惠企 window stays general."""
    m = matcher_of(corpus_doc("shi_lvdian_xiaofei_shishi_yijian_2024.txt").measures)
    p = Profile.from_dict({"district": "黄浦区", "size": "小型", "industry": "住宿和餐饮业"})
    got = m.match(p, top=None, as_of=dt.date(2026, 6, 1)).results
    texts = {r.measure.text[:40]: r.tier for r in got}
    assert not [t for t, tier in texts.items() if tier == "general"], texts
    green = next(
        x.measure_id
        for x in corpus_doc("shi_lvdian_xiaofei_shishi_yijian_2024.txt").measures
        if "支持各类企业使用绿电" in x.text
    )
    row = next(x for x in m.overview(p, as_of=dt.date(2026, 6, 1)) if x["measure_id"] == green)
    assert row["status"] == "fails" and "普惠" in row["why"]


def test_a_business_environment_plans_every_firm_service_is_general(seed_matcher):
    """虹口's plan, 13.(2): 区行政服务中心设立惠企政策集中咨询、办理窗口 — for every firm."""
    p = Profile.from_dict({"district": "虹口区", "size": "小型", "industry": "住宿和餐饮业"})
    got = {r.measure.measure_id: r.tier for r in seed_matcher.match(p, top=None).results}
    assert got.get("hongkou-2023/13.2") == "general"
