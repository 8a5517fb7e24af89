"""One resolver (issue 11): every CLI command accepts what the window accepts.

One table of what a person may type as a district, run through each way in: the CLI's
``match``, ``search``, ``kb list`` and ``ingest`` (``search``, like ``kb list``, takes the
city level as a scope), the window's doorway
(``desktop.backend.Backend``: the profile form and the import dialog) and the engine
itself. Before the engine, ``match --district 虹口區`` was accepted while ``search``,
``kb list`` and ``ingest`` refused it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.engine import Engine
from matcher.errors import BadInput

CITY = "上海市"
DOC = Path(__file__).resolve().parents[1] / "corpus" / "yangpu_zongchengbao_zixun_shenbao_2026.txt"

# typed → (a company's district, a document's district); None: refused
TABLE: list[tuple[str, str | None, str | None]] = [
    ("虹口区", "虹口区", "虹口区"),
    ("虹口", "虹口区", "虹口区"),
    ("虹口區", "虹口区", "虹口区"),  # Traditional
    ("上海市虹口区", "虹口区", "虹口区"),
    ("  虹口区 ", "虹口区", "虹口区"),
    ("Hongkou", "虹口区", "虹口区"),
    ("徐匯", "徐汇区", "徐汇区"),
    ("浦东", "浦东新区", "浦东新区"),
    ("闸北区", "静安区", "静安区"),  # former districts, merged
    ("閘北", "静安区", "静安区"),
    ("南汇区", "浦东新区", "浦东新区"),
    ("卢湾区", "黄浦区", "黄浦区"),
    ("崇明县", "崇明区", "崇明区"),
    ("上海市", None, CITY),  # the city level: a document's, never a company's
    ("全市", None, CITY),
    ("市级", None, CITY),
    ("虹口曲", None, None),  # a near miss is never taken silently
    ("北京市朝阳区", None, None),
    ("火星", None, None),
]
IDS = [t[0].strip() or "blank" for t in TABLE]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, err: str, typed: str) -> None:
    assert code == 2, err
    assert typed.strip() in err and "可选值" in err and "Traceback" not in err


@pytest.mark.parametrize("typed,company,document", TABLE, ids=IDS)
def test_engine(typed, company, document):
    for city, want in ((False, company), (True, document)):
        if want is None:
            with pytest.raises(BadInput) as e:
                Engine.district(typed, city=city)
            assert ("是市级" in str(e.value)) == (document == CITY and not city)
        else:
            assert Engine.district(typed, city=city) == want


@pytest.mark.parametrize("typed,company,document", TABLE, ids=IDS)
def test_cli_match_and_search(capsys, typed, company, document):
    code, out, err = run(capsys, "match", "--district", typed, "--format", "json", "--top", "3")
    if company is None:
        _refused(code, err, typed)
    else:
        assert code == 0, err
        assert json.loads(out)["profile"]["district"] == company
    # search's scope is the measures' district: 上海市 (全市, 市级) the city-level ones only
    code, out, err = run(capsys, "search", "融资", "--district", typed, "--format", "json")
    if document is None:
        _refused(code, err, typed)
    else:
        assert code == 0, err
        data = json.loads(out)
        assert data["district"] == document
        assert {r["district"] for r in data["results"]} <= {document, CITY}
        if document in ("虹口区", "徐汇区"):  # districts with seed documents
            assert data["results"]


@pytest.mark.parametrize("typed,company,document", TABLE, ids=IDS)
def test_cli_kb_list(capsys, typed, company, document):
    code, out, err = run(capsys, "kb", "list", "--district", typed, "--format", "json")
    if document is None:
        _refused(code, err, typed)
        return
    assert code == 0, err
    districts = {m["district"] for m in json.loads(out)["measures"]}
    assert districts <= {document}
    if document == "虹口区":
        assert districts == {"虹口区"}


@pytest.mark.parametrize("typed,company,document", TABLE, ids=IDS)
def test_cli_ingest_and_window_import(capsys, typed, company, document):
    """The same file imported with the district typed, by the CLI and by the window."""
    from desktop.backend import Backend

    code, out, err = run(capsys, "ingest", DOC, "--district", typed, "--format", "json")
    if document is None:
        _refused(code, err, typed)
        with pytest.raises(BadInput):
            Backend().ingest([DOC], district=typed)
        return
    assert code == 0, err
    assert json.loads(out)["documents"][0]["district"] == document
    Engine.open().remove([json.loads(out)["documents"][0]["id"]])
    docs, snapshot = Backend().ingest([DOC], district=typed)
    assert docs[0].district == document
    assert snapshot.count_of(docs[0].doc_id) > 0  # the window's snapshot counts, not lists
    assert {d.district for d in snapshot.documents if d.doc_id == docs[0].doc_id} == {document}
    with Engine.open() as e:
        assert {m.district for m in e.measures() if m.doc_id == docs[0].doc_id} == {document}


@pytest.mark.parametrize("typed,company,document", TABLE, ids=IDS)
def test_window_profile_form(typed, company, document):
    from desktop.backend import Backend

    if company is None:
        with pytest.raises(BadInput):
            Backend().make_profile({"district": typed})
    else:
        assert Backend().make_profile({"district": typed}).district == company


# industries: the form's completion offers exactly what the resolver reads back
INDUSTRIES = [
    ("制造业", "制造业", None),
    ("集成电路", "制造业", "集成电路"),
    ("軟件和信息技術服務業", "信息传输、软件和信息技术服务业", None),
    ("批发和零售业 (零售)", "批发和零售业", None),
]


@pytest.mark.parametrize("typed,section,spec", INDUSTRIES, ids=[i[0] for i in INDUSTRIES])
def test_industry_through_cli_and_window(capsys, typed, section, spec):
    from desktop.backend import Backend

    code, out, err = run(capsys, "match", "--district", "虹口", "--industry", typed, "--format", "json", "--top", "1")
    assert code == 0, err
    cli = json.loads(out)["profile"]
    window = Backend().make_profile({"district": "虹口", "industry": typed})
    assert cli["industry"] == window.industry == section
    if spec:
        assert cli["specialisation"] == window.specialisation == spec


def test_every_industry_the_form_offers_resolves():
    """The completion list is built from the same rules the resolver reads, so every
    value offered (and every alias typed) resolves to the value shown."""
    opts = Engine.options()
    assert len(opts.districts) == 16 and opts.city == CITY
    for typed, shown in opts.industry_aliases.items():
        p = Engine.profile({"district": "虹口区", "industry": typed})
        assert p.industry_label == shown or p.industry == shown.split(" (")[0], (typed, shown)
    assert opts.labels["district"] == "所在区" and opts.labels["flags"]
    assert set(opts.areas) == set(opts.districts) and "北外滩" in opts.areas["虹口区"]
