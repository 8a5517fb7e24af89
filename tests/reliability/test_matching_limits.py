"""Keywords of any size (issue 12, point 4 and the 20,000-keyword item of point 10).

The fuzzy prefilter ``CharIndex.may_align`` must give exactly what the quadratic version
gave, with work linear in the keyword length; profiles cap keywords (length and count) and
say so; a profile of any size answers. Times are measured by scripts/benchmark.py, not
asserted here on a clock, except as a generous bound against a hang.
"""

from __future__ import annotations

import math
import random

import pytest

from matcher.common import fuzzy, limits
from matcher.matching.match import matcher_for
from matcher.profile.company import Profile
from matcher.store.kb import KnowledgeBase
from matcher.store.rows import CharIndex, positions


def _reference_may_align(idx: CharIndex, term: str, cutoff: float, scope: int | None = None) -> int:
    """The algorithm as it was (quadratic in the term's length), for comparison."""
    scope = idx.all if scope is None else scope
    n = len(term)
    c = cutoff / 100.0
    need = max(1, math.ceil(c * n / (2.0 - c) - 1e-6))
    if need > n:
        return 0
    acc = [scope] + [0] * need
    for ch in term:
        b = idx._text.get(ch, 0)
        if not b:
            continue
        for k in range(need, 0, -1):
            acc[k] |= acc[k - 1] & b
    return acc[need] & scope


@pytest.fixture(scope="module")
def index():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        old = os.environ.get("POLICYDESK_HOME")
        os.environ["POLICYDESK_HOME"] = home
        try:
            k = KnowledgeBase.open_default()
            ms = k.measures(include_internal=True)
            k.close()
        finally:
            if old is None:
                os.environ.pop("POLICYDESK_HOME", None)
            else:
                os.environ["POLICYDESK_HOME"] = old
    texts = [f"{m.title}。{m.text}" for m in ms]
    return CharIndex(texts, [len(m.title) for m in ms]), texts


def test_may_align_gives_what_the_quadratic_version_gave(index):
    idx, texts = index
    rng = random.Random(4)
    terms = ["告知承若制", "一网通半", "融资单保", "首贷续贷中心", "zzzz", "的的的的的的"]
    for _ in range(150):
        t = rng.choice(texts)
        i = rng.randrange(max(1, len(t) - 40))
        w = list(t[i : i + rng.choice([4, 5, 7, 12, 25, 40])])
        for _ in range(rng.randrange(4)):
            w[rng.randrange(len(w))] = rng.choice("的一是在人有我他这中贷融资")
        terms.append("".join(w))
    scopes = [None, int("10" * (idx.n // 2), 2) & idx.all]
    for term in terms:
        for cutoff in (fuzzy.TERM_CUTOFF, 50.0, 90.0):
            for scope in scopes:
                assert idx.may_align(term, cutoff, scope) == _reference_may_align(idx, term, cutoff, scope), term


def test_may_align_is_linear_in_the_keyword_length(index):
    """A 1 MB keyword: the quadratic version did ~10^11 steps (over 10 minutes); the
    linear one finishes (and finds nothing that could align)."""
    idx, texts = index
    rng = random.Random(9)
    alphabet = "".join(sorted(set("".join(texts))))
    term = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    got = idx.may_align(term, fuzzy.TERM_CUTOFF)
    assert positions(got) == []  # no measure is anywhere near 1 MB long


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
