"""Semantic tests of :class:`matcher.matching.match.Matcher` on the real seed documents.

Each test states what it ensures in plain words (DESIGN.md, "Matching"). The seeds are
built once per session (shared with tests/matcher/test_cases.py through
``scripts/evaluate.py``'s cached ``seed_kb``); nothing here asserts the exact ranking, only
what must hold whatever the weights.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from matcher.common.text import normalize
from matcher.matching.match import Matcher
from matcher.matching.tiers import TIERS
from matcher.models import MatchResponse, Result
from matcher.profile.company import Profile

ROOT = Path(__file__).resolve().parents[2]
DISTRICTS_WITH_DOCS = ["虹口区", "徐汇区", "嘉定区", "杨浦区"]
ALL_NEEDS = [
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
]


def _load_evaluate():
    name = "policydesk_evaluate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "evaluate.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


@pytest.fixture(scope="session")
def seed():
    """(documents, matcher over all their measures), built once."""
    kb = _load_evaluate().seed_kb()
    return kb.docs, kb.matcher


@pytest.fixture(scope="session")
def matcher(seed) -> Matcher:
    return seed[1]


@pytest.fixture(scope="session")
def measures(seed):
    return {m.measure_id: m for d in seed[0] for m in d.measures}


def run(matcher: Matcher, top: int | None = None, **profile) -> MatchResponse:
    return matcher.match(Profile.from_dict(profile), top=top)


def applies(resp: MatchResponse) -> list[Result]:
    return [r for r in resp.results if r.status == "applies"]


def near(resp: MatchResponse) -> list[Result]:
    return [r for r in resp.results if r.status == "near"]


def ids(results) -> list[str]:
    return [r.measure.measure_id for r in results]


def by_text(measures, district: str, phrase: str) -> str:
    """The id of the measure of ``district`` whose text holds ``phrase`` (exactly one)."""
    hits = [m.measure_id for m in measures.values() if m.district == district and phrase in m.text]
    assert len(hits) == 1, (phrase, hits)
    return hits[0]


# ── district ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("district", DISTRICTS_WITH_DOCS, ids=["hongkou", "xuhui", "jiading", "yangpu"])
def test_district_gets_only_its_own_documents(matcher, district):
    """Ensures a company is only offered measures of its own district's documents (no
    city-level document is in the seeds), applies and near alike, whatever it needs."""
    resp = run(matcher, district=district, needs=ALL_NEEDS, size="小型", flags=["民营企业"])
    assert resp.results
    assert {r.measure.district for r in resp.results} == {district}


def test_district_without_document_gets_nothing_and_a_note(matcher):
    """Ensures a district with no document (静安区) gets no measure at all — not its
    neighbours' — and a note that says why."""
    resp = run(matcher, district="静安", needs=ALL_NEEDS, keywords="贷款 人才公寓", size="小型")
    assert resp.results == []
    assert resp.notes and any("静安区" in n for n in resp.notes), resp.notes


# ── internal measures ───────────────────────────────────────────────────────


@pytest.mark.parametrize("district", DISTRICTS_WITH_DOCS, ids=["hongkou", "xuhui", "jiading", "yangpu"])
def test_internal_measures_are_never_offered(matcher, measures, district):
    """Ensures a government body's internal work (review mechanisms, a court's own targets,
    保障措施 chapters) is never offered, even to a profile with every need and keywords
    taken from those very measures."""
    internal = [m for m in measures.values() if m.district == district and m.internal]
    assert internal, "the seeds should have internal measures in every district"
    resp = run(
        matcher,
        district=district,
        needs=ALL_NEEDS,
        size="中型",
        flags=["高新技术企业", "外资企业", "外贸企业(进出口)", "重点企业", "总部企业"],
        zjtx="专精特新“小巨人”",
        keywords="公平竞争审查 营商环境 督查考核 宣传推介",
    )
    offered = {r.measure.measure_id for r in resp.results}
    assert not offered & {m.measure_id for m in internal}
    assert not [r for r in resp.results if r.measure.internal]


# ── audiences ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("district", "phrase"),
    [("虹口区", "保障外资企业公平竞争"), ("徐汇区", "优化外资项目服务")],
    ids=["hongkou", "xuhui"],
)
def test_foreign_measure_not_for_domestic_firm_but_for_foreign_one(matcher, measures, district, phrase):
    """Ensures a measure naming 外资企业 as its audience is not offered to a domestic firm —
    not even as near, since ownership is not something a company changes at the counter —
    and applies to a foreign-invested firm of the same district."""
    mid = by_text(measures, district, phrase)
    assert "外资企业" in measures[mid].audiences
    base = dict(district=district, industry="制造业", size="中型", needs=["跨境贸易"])
    domestic = run(matcher, **base, flags=["民营企业"])
    assert mid not in ids(domestic.results)
    foreign = run(matcher, **base, flags=["外资企业"])
    assert mid in ids(applies(foreign))


def test_ownership_and_size_never_make_a_measure_near(matcher):
    """Ensures every near result is one changeable condition away (专精特新, 高新, a need
    not ticked …): a domestic firm never sees 外资企业 measures, a large firm never sees
    中小微企业 measures, and a state-owned firm never sees 民营企业 measures, even as near."""
    fixed = {"外资企业", "中小微企业", "中小企业", "小规模纳税人", "个体工商户", "民营企业", "国有企业", "新设立企业"}
    for district in DISTRICTS_WITH_DOCS:
        resp = run(matcher, district=district, size="大型", flags=["国有企业"], needs=ALL_NEEDS)
        for r in near(resp):  # near and unknown (a question to ask) ones
            assert r.missing, r.measure.measure_id
            aud = set(r.measure.audiences)
            assert not (aud and aud <= fixed), (r.measure.measure_id, r.measure.audiences)
        for r in resp.results:
            aud = set(r.measure.audiences)
            if aud and aud <= fixed:
                assert aud & {"国有企业"}, (r.measure.measure_id, aud)


def test_near_names_missing_zjtx_and_zjtx_turns_it_into_applies(matcher, measures):
    """Ensures a measure for 专精特新 firms is offered to a firm that is not (yet) one as
    `near`, with what is missing naming 专精特新; once the firm is recognised 专精特新 the
    same measure applies."""
    mid = by_text(measures, "虹口区", "为重点企业和专精特新企业提供")
    base = dict(district="虹口区", industry="制造业", size="小型", flags=["民营企业"], needs=["政策咨询"])
    before = run(matcher, **base, zjtx="无")
    hit = [r for r in before.results if r.measure.measure_id == mid]
    assert hit and hit[0].status == "near"
    assert any("专精特新" in m for m in hit[0].missing), hit[0].missing
    assert any("专精特新" in x.text for x in hit[0].reasons if x.kind == "audience")
    after = run(matcher, **base, zjtx="专精特新中小企业")
    assert mid in ids(applies(after))


def test_need_not_ticked_makes_near_and_ticking_it_applies(matcher, measures):
    """Ensures a measure for firms bringing in overseas talent (外国人来华工作许可) is near
    for a firm that has not ticked the need 人才, naming that need as missing, and applies
    once the need is ticked."""
    mid = by_text(measures, "虹口区", "优化外国人来华工作许可服务")
    assert "留学人员/海外人才" in measures[mid].audiences
    base = dict(district="虹口区", industry="制造业", size="小型", flags=["民营企业"])
    before = [r for r in run(matcher, **base, needs=["融资"]).results if r.measure.measure_id == mid]
    assert before and before[0].status == "near"
    assert any("人才" in m for m in before[0].missing), before[0].missing
    assert mid in ids(applies(run(matcher, **base, needs=["融资", "人才"])))


# ── keywords ────────────────────────────────────────────────────────────────


def test_keyword_found_nowhere_yields_note_and_no_noise(matcher):
    """Ensures a keyword that occurs in no measure (not even by synonym or near spelling)
    is reported in a note, and changes nothing else: same results, same order, no keyword
    reason."""
    base = dict(district="杨浦区", industry="制造业", size="小型", needs=["融资"])
    plain = run(matcher, **base)
    odd = run(matcher, **base, keywords="量子引力波望远镜")
    assert any("量子引力波望远镜" in n for n in odd.notes), odd.notes
    assert ids(odd.results) == ids(plain.results)
    assert not [x for r in odd.results for x in r.reasons if x.kind == "keyword"]


@pytest.mark.parametrize(
    ("district", "phrase", "word"),
    [
        ("虹口区", "持续深化“信易贷”等大数据普惠金融应用", "信易贷"),
        ("嘉定区", "加大政府性融资担保支持力度", "融资担保"),
        ("杨浦区", "首次获得普惠贷款的中小微企业提供贴息支持", "贴息"),
    ],
    ids=["xinyidai", "guarantee", "subsidy"],
)
def test_loan_keyword_finds_financing_synonyms(matcher, measures, district, phrase, word):
    """Ensures the keyword 贷款 also finds measures worded 信易贷 / 融资担保 / 贴息 (synonyms),
    with a keyword reason saying what it matched."""
    mid = by_text(measures, district, phrase)
    assert word in measures[mid].text
    resp = run(matcher, district=district, size="小型", keywords="贷款")
    r = [x for x in applies(resp) if x.measure.measure_id == mid]
    assert r, f"{mid} not offered for 贷款"
    kw = [x for x in r[0].reasons if x.kind == "keyword"]
    assert kw and "贷款" in kw[0].text


def test_compound_keyword_finds_synonym_of_its_part(matcher, measures):
    """Ensures a compound keyword holding a known word (专利质押) finds a measure that writes
    the compound with that word's synonym (知识产权质押) — Jiading never says 专利 — with a
    keyword reason quoting it and no 'not found' note."""
    mid = by_text(measures, "嘉定区", "推进知识产权质押融资")
    assert "专利质押" not in measures[mid].text
    resp = run(matcher, district="嘉定区", size="中型", keywords="专利质押")
    assert not [n for n in resp.notes if "专利质押" in n], resp.notes
    r = [x for x in applies(resp) if x.measure.measure_id == mid]
    assert r and r[0].rank == 1, ids(resp.results)[:5]
    kw = [x for x in r[0].reasons if x.kind == "keyword"]
    assert kw and "知识产权质押" in kw[0].text


def test_loan_keyword_ranks_financing_first(matcher):
    """Ensures 贷款 lifts financing measures to the top: the first result mentions a
    financing word."""
    resp = run(matcher, district="虹口区", size="小型", keywords="贷款")
    top = applies(resp)[0].measure.text
    assert any(w in top for w in ("贷", "融资", "担保", "贴息")), top


def test_traditional_keyword_matches_like_simplified(matcher):
    """Ensures a keyword typed in Traditional characters (貸款) finds the same measures, in
    the same order, as the Simplified one (贷款)."""
    base = dict(district="徐汇区", size="小型", needs=["融资"])
    simp = run(matcher, **base, keywords="贷款")
    trad = run(matcher, **base, keywords="貸款")
    assert ids(trad.results) == ids(simp.results)
    assert [r.score for r in trad.results] == [r.score for r in simp.results]


@pytest.mark.parametrize(
    ("district", "typo", "phrase"),
    [
        ("虹口区", "无陪同察验", "推广无陪同查验作业改革"),  # 察 for 查
        ("杨浦区", "知识产权资押", "知识产权质押贷款"),  # 资 for 质
    ],
    ids=["hongkou-chayan", "yangpu-zhiya"],
)
def test_keyword_with_typo_still_matches(matcher, measures, district, typo, phrase):
    """Ensures a keyword with one wrong character still finds the measure (fuzzy
    matching), the reason naming what it matched, without a 'not found' note."""
    mid = by_text(measures, district, phrase)
    resp = run(matcher, district=district, size="小型", keywords=typo)
    r = [x for x in applies(resp) if x.measure.measure_id == mid]
    assert r, f"{typo!r} did not find {mid}"
    assert any(x.kind == "keyword" for x in r[0].reasons)
    assert not [n for n in resp.notes if typo in n], resp.notes


# ── reasons and order ───────────────────────────────────────────────────────


PROFILES = [
    dict(
        district="虹口区",
        industry="交通运输、仓储和邮政业 (航运)",
        size="小型",
        flags=["民营企业"],
        needs=["融资", "政策咨询"],
        keywords="航运",
        area="北外滩",
    ),
    dict(district="徐汇区", industry="住宿和餐饮业", size="中型", needs=["证照审批"], keywords="外摆"),
    dict(district="嘉定区", industry="制造业", size="中型", zjtx="专精特新中小企业", needs=["融资", "用工就业"]),
    dict(
        district="杨浦区", industry="批发和零售业", size="微型", flags=["个体工商户"], needs=["税务"], area="殷行街道"
    ),
]


def _quote_in(quote: str, text: str) -> bool:
    """The quote, cut at its ellipses (before NFKC turns … into ...), occurs in the text."""
    return all(normalize(part) in text for part in quote.split("…") if part)


@pytest.mark.parametrize("profile", PROFILES, ids=["hongkou", "xuhui", "jiading", "yangpu"])
def test_every_result_has_district_reason_and_a_quoting_reason(matcher, profile):
    """Ensures each result says why in plain Chinese: one reason names the district and
    document, and at least one quotes the measure's own words (the quote occurs in the
    measure's text)."""
    resp = run(matcher, top=30, **profile)
    assert resp.results
    for r in resp.results:
        kinds = [x.kind for x in r.reasons]
        assert "district" in kinds and r.measure.district in r.reasons[kinds.index("district")].text
        text = normalize(f"{r.measure.title}。{r.measure.text}")
        quoting = [x for x in r.reasons if x.quote and _quote_in(x.quote, text)]
        assert quoting, (r.rank, r.measure.measure_id, [x.text for x in r.reasons])


@pytest.mark.parametrize("profile", PROFILES, ids=["hongkou", "xuhui", "jiading", "yangpu"])
def test_reason_quotes_are_real_text(matcher, profile):
    """Ensures no reason invents a quote: every quote given occurs in the measure."""
    resp = run(matcher, top=30, **profile)
    for r in resp.results:
        text = normalize(f"{r.measure.title}。{r.measure.text}")
        for x in r.reasons:
            if x.quote:
                assert _quote_in(x.quote, text), (r.measure.measure_id, x.text)


@pytest.mark.parametrize("profile", PROFILES, ids=["hongkou", "xuhui", "jiading", "yangpu"])
def test_results_are_applies_first_then_near_ranked(matcher, profile):
    """Ensures results list every applies result before any near one, the targeted ones
    before the general (what is for this firm first), ranks run 1..n, and scores do not
    rise down each tier's list (of each status within it)."""
    resp = run(matcher, top=30, **profile)
    st = [r.status for r in resp.results]
    assert st == sorted(st, key=lambda s: s != "applies")
    tiers = [r.tier for r in resp.results]
    assert tiers == sorted(tiers, key=TIERS.index)
    assert [r.rank for r in resp.results] == list(range(1, len(resp.results) + 1))
    for t in TIERS:
        for s in ("applies", "near"):
            sc = [r.score for r in resp.results if r.tier == t and r.status == s]
            assert sc == sorted(sc, reverse=True), t
    assert len(applies(resp)) <= 30


def test_equal_scores_put_newer_document_first(matcher):
    """Ensures that among equally scored results the newer document comes first: for a
    Xuhui firm with nothing to rank by, every 2025 measure precedes every 2022 one of the
    same score."""
    resp = run(matcher, district="徐汇区", size="中型")
    rows = applies(resp)
    years = {r.measure.doc_id[-4:] for r in rows}
    assert years == {"2022", "2025"}
    for a, b in zip(rows, rows[1:]):
        if a.score == b.score:
            assert (a.measure.issued or "") >= (b.measure.issued or ""), (a.measure.measure_id, b.measure.measure_id)


# ── search ──────────────────────────────────────────────────────────────────


def test_search_finds_yiwangtongban_across_districts_and_filter_restricts(matcher):
    """Ensures search("一网通办") finds measures in several districts, each containing the
    words, and that a district filter keeps only that district's measures."""
    res = matcher.search("一网通办", top=100)
    districts = {r.measure.district for r in res}
    assert len(districts) >= 3, districts
    assert all("一网通办" in normalize(f"{r.measure.title}。{r.measure.text}") for r in res)
    jd = matcher.search("一网通办", district="嘉定区", top=100)
    assert jd and {r.measure.district for r in jd} == {"嘉定区"}
    assert set(ids(jd)) == {r.measure.measure_id for r in res if r.measure.district == "嘉定区"}


def test_search_traditional_text(matcher):
    """Ensures search typed in Traditional characters (一網通辦) finds the same measures."""
    assert ids(matcher.search("一網通辦", top=100)) == ids(matcher.search("一网通办", top=100))


# ── speed (reported, not asserted) ─────────────────────────────────────────


def test_match_speed_on_seed_kb_is_printed(matcher, capsys):
    """Reports how long one match takes on the seed KB (target: a few ms). Printed only:
    timing is measured by the benchmark, not asserted in tests."""
    p = Profile.from_dict(PROFILES[0])
    matcher.match(p)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        matcher.match(p)
    ms = (time.perf_counter() - t0) / n * 1000
    with capsys.disabled():
        print(f"\n[timing] match on the seed KB: {ms:.2f} ms per profile ({n} runs)")
