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


def test_corrections_through_the_engine_reach_the_answers():
    """A correction made at the door is kept, read back, and changes what search finds
    (the index follows at once); removing it restores the measure."""
    with Engine.open() as e:
        m = e.measures(district="虹口")[0]
        word = m.title[:4]
        assert m.measure_id in [r.measure.measure_id for r in e.search(word, top=1000)]
        cid = e.correct(m.measure_id, "hide", note="窗口核实:已停止")
        (c,) = e.corrections(m.measure_id)
        assert (c["id"], c["kind"], c["note"]) == (cid, "hide", "窗口核实:已停止")
        assert e.is_hidden(m.measure_id)
        assert m.measure_id not in [r.measure.measure_id for r in e.search(word, top=1000)]
        e.remove_correction(cid)
        assert e.corrections() == [] and not e.is_hidden(m.measure_id)
        assert m.measure_id in [r.measure.measure_id for r in e.search(word, top=1000)]


def test_client_records_and_the_office_directory_need_no_knowledge_base():
    e = Engine()
    saved = e.save_profile("客户甲", {"district": "虹口区", "needs": ["融资"], "keywords": ""})
    assert saved.is_file() and saved.parent.name == "profiles"
    e.add_recent({"district": "杨浦区"}, 3, 1)
    records = e.client_records()
    assert [x.name for x in records.saved] == ["客户甲"] and records.saved[0].summary == "虹口区 · 需融资"
    assert len(records.recent) == 1 and "杨浦区" in records.recent[0].name and records.skipped == []
    assert (e.clear_profiles(), e.clear_sessions()) == (1, 1)
    assert e.client_records().saved == []
    directory = e.office_directory()
    assert len(directory) == 0 and any(o.name == "区市场监管局" for o in e.known_offices())
    assert e.parse_as_of("2026-03-01").isoformat() == "2026-03-01"
    with pytest.raises(BadInput):
        e.parse_as_of("明天")
    assert e._kb is None  # none of it opened the knowledge base


def test_what_changed_for_saved_clients_after_an_import():
    """The window's 客户变化 after an import, through the door: a saved client whose
    district the new document is for is named; one of another district is not."""
    doc = Path(__file__).resolve().parents[1] / "corpus" / "songjiang_jinrong_ruogan_2025.txt"
    Engine.save_profile("松江融资客户", {"district": "松江区", "needs": ["融资"]})
    Engine.save_profile("虹口客户", {"district": "虹口区"})
    with Engine.open() as e:
        (d,) = e.ingest([doc])
        changed = e.clients_changed_by([d.doc_id])
        assert [c["name"] for c in changed] == ["松江融资客户"]
        assert changed[0]["diff"]["newly_targeted"]
        assert all(r["measure_id"].startswith(d.doc_id) for r in changed[0]["diff"]["newly_targeted"])
        assert e.clients_changed_by(["no-such-doc"]) == []
