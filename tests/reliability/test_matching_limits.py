"""Keywords of any size (issue 12, point 4 and the 20,000-keyword item of point 10).

The fuzzy prefilter (:meth:`matcher.matching.postings.Postings.may_align`, on the stored
index) must give exactly the records where enough of the term's characters occur, with work
linear in the keyword length; profiles cap keywords (length and count) and say so; a
profile of any size answers. Times are measured by scripts/benchmark.py, not asserted here
on a clock, except as a generous bound against a hang.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from matcher.common import fuzzy, limits
from matcher.matching.match import matcher_for
from matcher.profile.company import Profile
from matcher.store.kb import KnowledgeBase


def _reference_may_align(texts: list[str], term: str, cutoff: float, scope: np.ndarray) -> list[int]:
    """Record by record: an alignment scoring ``cutoff`` needs ``c·n/(2−c)`` of the term's
    characters (counted by position) in the text."""
    n = len(term)
    c = cutoff / 100.0
    need = max(1, math.ceil(c * n / (2.0 - c) - 1e-6))
    if need > n:
        return []
    return [q for q, t in enumerate(texts) if scope[q] and sum(ch in set(t) for ch in term) >= need]


@pytest.fixture(scope="module")
def index():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        old = os.environ.get("POLICYDESK_HOME")
        os.environ["POLICYDESK_HOME"] = home
        try:
            k = KnowledgeBase.open_default()
            ix = matcher_for(k).ix
            texts = [ix.text_of(q) for q in range(ix.n)]
            yield ix, texts
            k.close()
        finally:
            if old is None:
                os.environ.pop("POLICYDESK_HOME", None)
            else:
                os.environ["POLICYDESK_HOME"] = old


def test_may_align_gives_the_records_holding_enough_of_the_term(index):
    ix, texts = index
    rng = random.Random(4)
    terms = ["告知承若制", "一网通半", "融资单保", "首贷续贷中心", "zzzz", "的的的的的的"]
    for _ in range(150):
        t = rng.choice(texts)
        i = rng.randrange(max(1, len(t) - 40))
        w = list(t[i : i + rng.choice([4, 5, 7, 12, 25, 40])])
        for _ in range(rng.randrange(4)):
            w[rng.randrange(len(w))] = rng.choice("的一是在人有我他这中贷融资")
        terms.append("".join(w))
    everywhere = np.ones(ix.n, dtype=bool)
    half = np.arange(ix.n) % 2 == 0
    found = 0
    for term in terms:
        for cutoff in (fuzzy.TERM_CUTOFF, 50.0, 90.0):
            for scope in (everywhere, half):
                got = ix.text.may_align(term, cutoff, scope).tolist()
                assert got == _reference_may_align(texts, term, cutoff, scope), term
                found += len(got)
    assert found > 1000


def test_may_align_is_linear_in_the_keyword_length(index):
    """A 1 MB keyword: a quadratic prefilter did ~10^11 steps (over 10 minutes); this one
    finishes (and finds nothing that could align)."""
    ix, texts = index
    rng = random.Random(9)
    alphabet = "".join(sorted(set("".join(texts))))
    term = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    got = ix.text.may_align(term, fuzzy.TERM_CUTOFF, np.ones(ix.n, dtype=bool))
    assert got.tolist() == []  # no measure is anywhere near 1 MB long


def test_a_one_megabyte_keyword_answers(tmp_path):
    k = KnowledgeBase.open_default()
    m = matcher_for(k)
    p = Profile.from_dict({"district": "虹口区", "keywords": "贷" * 1_000_000})
    resp = m.match(p, top=5)
    k.close()
    assert len(p.keywords) == limits.MAX_KEYWORD_CHARS
    assert any("超过 40 个字" in n for n in resp.notes)


def test_twenty_thousand_unknown_keywords_give_one_line(capsys, tmp_path):
    import json

    from matcher.cli.main import main

    f = tmp_path / "p.json"
    f.write_text(
        json.dumps({"district": "虹口区", "keywords": " ".join(f"zq{i}x" for i in range(20000))}), encoding="utf-8"
    )
    code = main(["match", "--profile", str(f), "--top", "3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = [ln for ln in out.splitlines() if ln.startswith("提示:")]
    assert len(lines) == 2, lines
    assert "关键词共 20000 个,只使用前 30 个" in lines[0]
    assert lines[1].startswith("提示:有 30 个关键词在虹口区的措施中没有找到")


def test_keywords_within_the_caps_are_untouched():
    p = Profile.from_dict({"district": "虹口区", "keywords": "贷款 人才公寓 知识产权质押"})
    assert p.keywords == "贷款 人才公寓 知识产权质押" and p.warnings == []
