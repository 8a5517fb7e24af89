"""The search's score levels (matcher.matching.search.Search._exact_levels), worked on the
candidates' positions only, give exactly what the plain dense computation over every
record gives: each record's bound, its group and the order they come in."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.common.text import normalize
from matcher.matching.match import matcher_for
from matcher.matching.search import EXACT, IN_TITLE, SYNONYM
from matcher.store.kb import KnowledgeBase


@pytest.fixture(scope="module")
def searcher(_seed_kb_template):
    kb = KnowledgeBase.open_default()
    yield matcher_for(kb).searcher
    kb.close()


def dense_levels(s, terms, forms, scope, group):
    """The reference: a float per record and term, added over the terms in order."""
    ix = s.ix
    out = []
    for g in range(int(group.max()) + 1) if group is not None else [0]:
        sc = scope & (group == g) if group is not None else scope
        total = np.zeros(ix.n)
        for t in terms:
            level = np.zeros(ix.n)
            for k, f in enumerate(forms[t]):
                x = ix.text.candidates(f, sc) if f else []
                if not len(x):
                    continue
                v = EXACT if k == 0 else SYNONYM
                level[x] = np.maximum(level[x], v)
                t_in = np.intersect1d(x, ix.title.candidates(f))
                level[t_in] = np.maximum(level[t_in], v + IN_TITLE)
            total += level
        hit = np.flatnonzero(total > 0)
        # best first, ties in search (position) order
        for p in sorted(hit.tolist(), key=lambda p: (-total[p], p)):
            out.append((p, g, total[p] / len(terms)))
    return out


@pytest.mark.parametrize(
    "query", ["融", "融资", "融资担保", "人才 公寓", "一网通办", "贷款 担保 知识产权", "告知承诺制", "税", "外资 总部"]
)
@pytest.mark.parametrize(
    ("district", "first"), [(None, None), (None, "虹口区"), ("虹口区", "虹口区"), (None, "上海市")]
)
def test_sparse_levels_are_the_dense_ones(searcher, query, district, first):
    terms = [t for t in normalize(query).split() if t]
    forms = {t: searcher.vocab.expand(t) for t in terms}
    got = list(searcher._exact_levels(terms, forms, searcher._split_scope(district, first)))
    want = dense_levels(searcher, terms, forms, searcher._scope(district), searcher._groups(first) if first else None)
    assert len(got) == len(want)
    if district is None:
        assert got  # every query finds something in the seeds
    assert [(p, g) for p, g, _b in got] == [(p, g) for p, g, _b in want]
    assert [b for _p, _g, b in got] == pytest.approx([b for _p, _g, b in want], abs=0)
