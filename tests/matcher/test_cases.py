"""Golden cases: profiles as a 帮办 officer meets them, against the real seed KB.

Parametrised over ``tests/cases/*.json`` (the project's own cases) and
``eval/dev_profiles.json`` (the development sample). For each case:

* every ``must_include`` phrase is in one of the top 30 ``applies`` results, in a measure of
  the named seed document, and that result's offices share one with ``office_any``;
* no ``must_exclude`` phrase is in an ``applies`` result;
* every phrase occurs in some measure of its seed document (a case that names text the KB
  does not have is a broken case, not a matcher failure).

The judging is :func:`scripts/evaluate.py:judge`, the same code that prints the report, so
the test and the report can never disagree. Seeds are built and each case matched once per
session.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP = 30


def _load_evaluate():
    name = "policydesk_evaluate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "evaluate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


ev = _load_evaluate()
CASES = ev.load_cases(ROOT / "tests" / "cases") + ev.load_cases(ROOT / "eval" / "dev_profiles.json")
BY_ID = {c["id"]: c for c in CASES}


def _params(kind: str) -> list:
    out = []
    for c in CASES:
        for i, item in enumerate(c.get(kind, [])):
            # ASCII ids (pytest escapes CJK); the phrase is in the assertion message
            out.append(pytest.param(c["id"], i, id=f"{c['id']}:{kind[5:8]}{i}:{item['doc']}"))
    return out


@cache
def _outcome(case_id: str):
    return ev.judge(BY_ID[case_id], top=TOP)


@pytest.fixture(scope="session")
def judged():
    """Case id → CaseOutcome; seeds built once (evaluate.seed_kb is cached)."""
    ev.seed_kb()
    return _outcome


def test_case_ids_are_unique():
    """Ensures no two cases share an id (a later one would silently shadow the first)."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_enough_own_cases_across_districts():
    """Ensures the project's own cases cover the four districts with documents and one without."""
    own = ev.load_cases(ROOT / "tests" / "cases")
    assert len(own) >= 12
    districts = {ev.Profile.from_dict(c["profile"]).district for c in own}
    assert {"虹口区", "杨浦区", "嘉定区", "徐汇区"} <= districts
    assert districts - {"虹口区", "杨浦区", "嘉定区", "徐汇区"}, "no case for a district without a document"


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES])
def test_case_profile_reads_and_phrases_exist(case_id, judged):
    """Ensures the case itself is sound: its profile is accepted and every phrase occurs in
    a measure of the seed document it names."""
    o = judged(case_id)
    assert not o.error, o.error
    bad = [f"[{p.doc}] {p.phrase}" for p in o.include + o.exclude if not p.in_kb]
    assert not bad, f"phrases not in their seed document: {bad}"


@pytest.mark.parametrize(("case_id", "i"), _params("must_include"))
def test_must_include_in_top_applies(case_id, i, judged):
    """Ensures a measure a competent officer would hand this company is among the top 30
    applicable results, with a right office where the case names them."""
    p = judged(case_id).include[i]
    assert p.status == "applies", f"{case_id}: [{p.doc}] “{p.phrase}” ({p.measure_id}) is " + {
        "near": f"near #{p.rank}",
        "beyond-top": f"applies #{p.rank}, beyond the top {TOP}",
    }.get(p.status, "internal, not offered" if p.internal else "not returned")
    if p.office_any:
        assert p.office_ok, f"{case_id}: {p.measure_id} offices {p.offices}, expected one of {p.office_any}"


@pytest.mark.parametrize(("case_id", "i"), _params("must_exclude"))
def test_must_exclude_not_applies(case_id, i, judged):
    """Ensures a measure this company must not be offered (other district, internal work,
    an audience it is not in) is not among its applicable results."""
    p = judged(case_id).exclude[i]
    assert p.status != "applies", (
        f"{case_id}: [{p.doc}] “{p.phrase}” ({p.measure_id}) offered as applies #{p.rank}: {p.why}"
    )
