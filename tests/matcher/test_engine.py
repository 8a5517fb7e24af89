"""The engine (issue 11): one entry point that the CLI and the window both call, and
whose answers are the CLI's answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.engine import Engine
from matcher.errors import BadInput

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "hongkou-shipping-sme.json"


def test_resolving_and_options_need_no_knowledge_base():
    e = Engine()
    p = e.read_profile(EXAMPLE)
    assert p.district == "虹口区" and e.options().districts[0] == "黄浦区"
    assert e.classify_size("制造业", employees=50, revenue=3000).size == "小型"
    assert e._kb is None  # nothing opened yet
    with pytest.raises(BadInput):
        e.profile({"district": "上海市"})  # the city is a document's, not a company's


def test_match_is_the_cli_answer(capsys):
    code = main(["match", "--profile", str(EXAMPLE), "--format", "json"])
    cli = json.loads(capsys.readouterr().out)
    assert code == 0
    with Engine.open() as e:
        answer = e.response_dict(e.match(e.read_profile(EXAMPLE)))
    assert answer["profile"] == cli["profile"]
    assert [r["measure_id"] for r in answer["results"]] == [r["measure_id"] for r in cli["results"]]
    assert answer["tiers"] == cli["tiers"] and answer["kb"] == cli["kb"]


def test_window_matcher_gives_the_same_results():
    """The window asks its worker's engine (``desktop.backend.Backend.engine``, opened by
    the load); the answer is the CLI's, built by the same engine."""
    from desktop.backend import Backend

    backend = Backend()
    backend.load()
    with Engine.open() as e:
        profile = e.read_profile(EXAMPLE)
        lean = e.match(profile, top=None)
    try:
        full = backend.engine().match(profile, top=None)
    finally:
        backend.close()
    assert [r.measure.measure_id for r in full.results] == [r.measure.measure_id for r in lean.results]
    assert [r.tier for r in full.results] == [r.tier for r in lean.results]


def test_ingest_and_remove_through_the_engine():
    doc = Path(__file__).resolve().parents[1] / "corpus" / "yangpu_zongchengbao_zixun_shenbao_2026.txt"
    with Engine.open() as e:
        before = e.counts()
        (d,) = e.ingest([doc], district="楊浦")  # Traditional, short
        assert d.district == "杨浦区"
        assert any(r.measure.doc_id == d.doc_id for r in e.search("总承包", district="杨浦", top=50))
        e.remove([d.doc_id])
        assert e.counts() == before
