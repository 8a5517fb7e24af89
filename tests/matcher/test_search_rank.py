"""Search ranking on the seed KB (issue 13): a query's own word outranks its synonyms (a
synonym in a title no longer ties the word in a text), synonym expansion makes no junk
forms (担保担保), and the posting-list search ranks exactly as a scan of every text does."""

from __future__ import annotations

import pytest

from matcher.common.text import normalize
from matcher.matching import search as search_mod
from matcher.matching.match import matcher_for
from matcher.store.kb import KnowledgeBase


@pytest.fixture
def m():
    kb = KnowledgeBase.open_default()
    yield matcher_for(kb)
    kb.close()


def _doubles(form: str) -> set[str]:
    return {
        form[i : i + 2 * k]
        for k in range(1, len(form) // 2 + 1)
        for i in range(len(form) - 2 * k + 1)
        if form[i : i + k] == form[i + k : i + 2 * k]
    }


def test_expansion_makes_no_junk_forms(m):
    assert "担保担保" not in m.vocab.expand("融资担保") and "融资融资" not in m.vocab.expand("融资担保")
    assert "贷款担保" in m.vocab.expand("融资担保")  # the real synonym forms stay
    assert "知识产权质押" in m.vocab.expand("专利质押")
    words = sorted(m.vocab.synonyms)
    compounds = words + [a + b for a in words for b in words if a != b and len(a) >= 2 and len(b) >= 2]
    for t in compounds:
        for f in m.vocab.expand(t)[1:]:
            assert not (_doubles(f) - _doubles(t)), (t, f)
            if t not in m.vocab.synonyms:  # a compound: no part replaced by a synonym holding that part
                for part in m.vocab.synonyms:
                    if len(part) >= 2 and part in t and part != t:
                        assert not any(f == t.replace(part, s) for s in m.vocab.synonyms[part] if part in s), (t, f)


@pytest.mark.parametrize("q", ["人才公寓", "融资担保", "知识产权", "就业", "外贸", "贷款", "楼宇"])
def test_the_word_itself_outranks_its_synonyms(m, q):
    got = m.search(q, top=None)
    has = [q in normalize(f"{r.measure.title}。{r.measure.text}") for r in got]
    assert any(has)
    first_syn = has.index(False) if False in has else len(has)
    assert all(has[:first_syn]) and not any(has[first_syn:]), q
    if q == "人才公寓":
        assert False in has  # the synonyms still find more, after the word


def _reference(m, query: str) -> list[str]:
    """Every record scored by a scan of its text, as search() scores it; best first, ties in
    search order."""
    terms = normalize(query).split()
    forms = {t: m.vocab.expand(t) for t in terms}
    scored = []
    for q in range(m.ix.n):
        text, tlen = m.ix.text_of(q), int(m.ix.arrays["tlen"][q])
        total = 0.0
        for t in terms:
            best = 0.0
            for k, f in enumerate(forms[t]):
                if f in text:
                    s = search_mod.EXACT if k == 0 else search_mod.SYNONYM
                    if text.find(f, 0, tlen) >= 0:
                        s += search_mod.IN_TITLE
                    best = max(best, s)
            if best:
                total += best
        if total:
            scored.append((-(total / len(terms)), q, m.ix.mid(q)))
    scored.sort()
    return [mid for _s, _q, mid in scored]


@pytest.mark.parametrize(
    "query", ["人才公寓", "融资 担保", "一网通办", "专利质押 融资", "的", "首贷 人才 外贸", "知识产权质押融资"]
)
def test_posting_search_ranks_as_a_scan(m, query):
    want = _reference(m, query)
    assert want
    assert [r.measure.measure_id for r in m.search(query, top=None)] == want
    assert [r.measure.measure_id for r in m.search(query, top=30)] == want[:30]


@pytest.mark.parametrize("first", ["虹口区", "杨浦区", "上海市"])
@pytest.mark.parametrize("query", ["人才公寓", "融资 担保", "的", "首贷 人才 外贸", "知识产全质押"])
def test_the_windows_one_pass_ranks_district_then_city_then_others(m, query, first):
    """The window's search (issue 24: one call per keystroke, before three): the client's
    district first, then the city-level measures, then the others, each part in the order
    the whole search gives it — for exact words and for a near spelling alike."""
    from matcher.models import CITY

    whole = m.search(query, top=None)
    assert whole
    rank = {first: 0, CITY: 1} if first != CITY else {CITY: 0}
    want = sorted(whole, key=lambda r: rank.get(r.measure.district, len(rank)))  # stable
    want_ids = [r.measure.measure_id for r in want]
    assert {r.measure.district for r in whole} - {first, CITY}, "others' measures found too"
    for top in (None, 5, 30, 100):
        got = m.search(query, top=top, first=first)
        assert [r.measure.measure_id for r in got] == want_ids[:top], top
    assert [r.score for r in m.search(query, top=None, first=first)] == [r.score for r in want]


def test_keystrokes_answer_as_a_fresh_matcher_does():
    """What a search keeps from one keystroke to the next (issue 24: the district's scope and
    groups, the normalised texts, the rows decided for the client) never changes an answer:
    every prefix typed after others answers exactly as a matcher that answers it first."""
    import datetime as _dt

    from matcher.profile.company import Profile

    day = _dt.date(2026, 12, 1)
    client = Profile.from_dict({"district": "虹口区", "industry": "制造业", "size": "小型", "needs": ["融资", "人才"]})
    queries = [q[:k] for q in ("融资担保", "人才公寓", "一网通办", "贷款") for k in range(1, len(q) + 1)]
    kb = KnowledgeBase.open_default()
    try:
        typed = matcher_for(kb)
        typed.match(client, as_of=day)
        for district in ("虹口区", "浦东新区"):
            for q in queries:
                for top in (25, 50):
                    got = typed.search(q, top=top, first=district, profile=client, as_of=day)
                    want = matcher_for(kb).search(q, top=top, first=district, profile=client, as_of=day)
                    assert got and [r.model_dump() for r in got] == [r.model_dump() for r in want], (district, q, top)
    finally:
        kb.close()
