"""Fuzzy matching of typed values and of short Chinese keywords inside real seed sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.common import fuzzy
from matcher.common.fuzzy import MIN_FUZZY_LEN, best_choice, find_in_text, ranked, score_term, suggest
from matcher.common.paths import seeds_dir
from matcher.common.text import normalize as normalise_text


def _line(prefix: str, needle: str) -> str:
    """The first line of seed ``prefix_*.txt`` holding ``needle``."""
    (path,) = seeds_dir().glob(f"{prefix}_*.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        if needle in line:
            return line
    raise AssertionError(f"{needle} not in {path.name}")


HONGKOU_LOANS = _line("000", "三贷联动")  # …解决中小微企业融资难题…
HONGKOU_IP = _line("000", "知识产权质押融资银企对接会")  # 知识产权质押融资 twice
YANGPU_GUARANTEE = _line("003", "首次获得普惠贷款")  # 融资担保 three times
JIADING_TRAD = _line("002", "加大政府性融資擔保支持力度")  # Traditional, as collected


def test_exact_occurrences_all_found_at_their_offsets():
    """Every exact occurrence is returned with score 100 and offsets that slice the term."""
    hits = find_in_text("融资担保", YANGPU_GUARANTEE)
    assert len(hits) == YANGPU_GUARANTEE.count("融资担保") == 3
    for s, e, score in hits:
        assert YANGPU_GUARANTEE[s:e] == "融资担保" and score == 100.0
    assert [h[0] for h in hits] == sorted(h[0] for h in hits)


def test_one_typo_in_a_four_character_term_is_found():
    """'融姿担保' (one wrong character) is found where '融资担保' is, scoring 75."""
    hits = find_in_text("融姿担保", YANGPU_GUARANTEE)
    assert hits, "typo not found"
    exact_starts = {s for s, _, _ in find_in_text("融资担保", YANGPU_GUARANTEE)}
    assert {s for s, _, _ in hits} == exact_starts
    assert all(score == pytest.approx(75.0) for _, _, score in hits)
    assert score_term("融姿担保", YANGPU_GUARANTEE) == pytest.approx(75.0)


def test_typo_in_hongkou_sentences():
    """Near spellings of Hongkou phrases are found at the right place."""
    ((s, e, score),) = find_in_text("融资难提", HONGKOU_LOANS)
    assert HONGKOU_LOANS[s:e] == "融资难题" and score == pytest.approx(75.0)
    hits = find_in_text("知识产权质压融资", HONGKOU_IP)
    assert len(hits) == 2 and all(HONGKOU_IP[s:e] == "知识产权质押融资" for s, e, _ in hits)
    assert score_term("知识产权质押融资", HONGKOU_IP) == 100.0


def test_traditional_term_after_normalisation():
    """'融資擔保' matches Simplified text once both sides are normalised, not before."""
    assert score_term("融資擔保", YANGPU_GUARANTEE) == 0.0
    assert score_term("融資擔保", YANGPU_GUARANTEE, processor=normalise_text) == 100.0
    # and a Simplified term inside a Traditional seed sentence
    assert score_term("融资担保", JIADING_TRAD) == 0.0
    assert score_term("融资担保", JIADING_TRAD, processor=normalise_text) == 100.0


def test_short_terms_match_exactly_only():
    """Terms under MIN_FUZZY_LEN characters never match fuzzily: '融姿' and '融姿担' are
    not found although '融资' and '融资担' are in the sentence."""
    assert MIN_FUZZY_LEN == 4
    assert score_term("融资", YANGPU_GUARANTEE) == 100.0
    assert score_term("融姿", YANGPU_GUARANTEE) == 0.0
    assert find_in_text("融姿担", YANGPU_GUARANTEE) == []
    assert score_term("担", YANGPU_GUARANTEE) == 100.0  # exact still counts
    assert score_term("债", YANGPU_GUARANTEE) == 0.0


def test_unrelated_four_character_term_is_not_found():
    """A term sharing only two characters with the text stays below the cutoff."""
    assert "融资租赁" not in YANGPU_GUARANTEE
    assert find_in_text("融资租赁", YANGPU_GUARANTEE) == []
    assert score_term("融资租赁", YANGPU_GUARANTEE) == 0.0


def test_text_shorter_than_term_is_not_a_match():
    """'融资' as the whole text does not 'contain' '融资担保' (partial_ratio would say 100)."""
    assert find_in_text("融资担保", "融资") == []
    assert score_term("融资担保", "融资") == 0.0
    assert score_term("融资担保", "融担保") > 75  # one character missing, whole text


def test_hits_do_not_overlap():
    """Fuzzy hits in the stretches between exact ones never overlap them."""
    text = "融资担保和融姿担保以及融资但保"
    hits = find_in_text("融资担保", text)
    assert [text[s:e] for s, e, _ in hits] == ["融资担保", "融姿担保", "融资但保"]
    assert [h[2] for h in hits] == [100.0, 75.0, 75.0]
    for (_s1, e1, _), (s2, _e2, _) in zip(hits, hits[1:]):
        assert e1 <= s2


def test_empty_inputs():
    """Empty term or text finds nothing."""
    assert find_in_text("", YANGPU_GUARANTEE) == []
    assert find_in_text("融资", "") == []
    assert score_term("  ", "融资") == 0.0


DISTRICTS = {
    "虹口区": "虹口区",
    "虹口": "虹口区",
    "黄浦区": "黄浦区",
    "黄浦": "黄浦区",
    "杨浦区": "杨浦区",
    "杨浦": "杨浦区",
}


def test_best_choice_near_miss_and_mapping():
    """A near miss maps through its alias to the canonical value."""
    assert best_choice("虹口去", DISTRICTS) == ("虹口区", 80.0)
    assert best_choice("虹口区", list(DISTRICTS.values())) == ("虹口区", 100.0)


def test_best_choice_refuses_ties_and_far_values():
    """'浦区' is as close to 黄浦区 as to 杨浦区: no guess. '火星区' is close to nothing."""
    assert best_choice("浦区", DISTRICTS) is None
    assert [v for v, _ in ranked("浦区", DISTRICTS, limit=2)] == ["黄浦区", "杨浦区"]
    assert best_choice("火星区", DISTRICTS) is None
    assert best_choice("虹口去", DISTRICTS, cutoff=90) is None
    # a clear winner within the margin is refused too
    assert best_choice("虹口去", DISTRICTS, margin=80) is None  # 80 vs 0
    assert best_choice("虹口去", DISTRICTS, margin=79) == ("虹口区", 80.0)


def test_suggest_orders_prefix_substring_then_near():
    """As-you-type: equal, then starting with, then containing, then near spellings;
    Traditional input normalised; one character never fuzzy-matches."""
    ch = ["黄浦区", "徐汇区", "虹口区", "杨浦区", "浦东新区", "制造业"]
    assert suggest("浦", ch) == ["浦东新区", "黄浦区", "杨浦区"]
    assert suggest("虹口去", ch) == ["虹口区"]
    assert suggest("製造業", ch) == ["制造业"]
    assert suggest("", ch, limit=2) == ["黄浦区", "徐汇区"]
    assert suggest("火", ch) == []
    assert suggest("高企", {"高新技术企业": "高新技术企业", "高企": "高新技术企业"}) == ["高新技术企业"]


def test_rapidfuzz_is_imported_only_here():
    """fuzzy.py is the only module of the engine that imports rapidfuzz."""
    pkg = Path(fuzzy.__file__).parent
    users = [
        p.name
        for p in pkg.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+rapidfuzz", p.read_text(encoding="utf-8"), re.M)
    ]
    assert users == ["fuzzy.py"]
