"""普惠服务 grouped (issue 19): one line per section of a document, on the 虹口 business-
environment plan (seeds/000), whose general services are written section by section
(纳税 (1)…(7), 市场准入退出 (1)…(6)) with the section heading as each item's only title."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from matcher.export import response_dict
from matcher.matching.general import general_groups
from matcher.matching.match import matcher_of
from matcher.profile.company import Profile
from matcher.reading.pipeline import build_document

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_a62ab19f388f276b.txt"
MICRO = {
    "district": "虹口区",
    "industry": "租赁和商务服务业",
    "size": "微型",
    "flags": ["新设立企业", "民营企业"],
    "needs": ["证照审批", "税务", "政策咨询"],
}


def _answer(profile: dict):
    measures = build_document(SEED.read_text(encoding="utf-8"), source_file=SEED.name).measures
    return matcher_of(measures).match(Profile.from_dict(profile), top=None, as_of=dt.date(2026, 6, 1))


def test_general_services_are_one_line_per_section_of_the_document():
    resp = _answer(MICRO)
    general = [r for r in resp.results if r.tier == "general"]
    groups = general_groups(resp.results)
    assert len(general) > 15  # item by item, this client's 普惠 would run past 15 lines
    assert len(groups) <= 15 < len(general)
    # every general result is in exactly one group, in the answer's order within it
    flat = [r for g in groups for r in g["results"]]
    assert sorted(id(r) for r in flat) == sorted(id(r) for r in general)
    for g in groups:
        ranks = [general.index(r) for r in g["results"]]
        assert ranks == sorted(ranks)
        if len(g["results"]) > 1:  # a section: its items share the parent clause path and heading
            assert len({tuple(r.measure.path[:-1]) for r in g["results"]}) == 1
            assert all(r.measure.parents[-1].strip("。;;: ") == g["heading"] for r in g["results"])
    tax = next(g for g in groups if g["heading"] == "纳税")
    assert len(tax["results"]) >= 3 and tax["offices"][0] == "区税务局"
    # groups come in the order of their best result
    firsts = [general.index(g["results"][0]) for g in groups]
    assert firsts == sorted(firsts)


def test_the_json_answer_carries_the_groups_and_the_text_prints_them(tmp_path):
    resp = _answer(MICRO)
    out = response_dict(resp)
    ids = [i for g in out["general_groups"] for i in g["measure_ids"]]
    assert sorted(ids) == sorted(r["measure_id"] for r in out["results"] if r["tier"] == "general")
    assert all(g["document"] and g["heading"] for g in out["general_groups"])
    # the CLI text: one numbered line per group, saying how many items it holds
    import json
    import os

    prof = tmp_path / "p.json"
    prof.write_text(json.dumps(MICRO, ensure_ascii=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env.update(POLICYDESK_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), COLUMNS="160")
    r = subprocess.run(
        [sys.executable, "-m", "matcher", "match", "--profile", str(prof), "--top", "80", "--as-of", "2026-06-01"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("【普惠服务】")[1].split("【")[0]
    lines = [ln for ln in block.splitlines() if ln.strip()[:1].isdigit()]
    assert "按文件章节归并为" in block and 0 < len(lines) <= 15
    assert any("纳税:" in ln and " 项(" in ln and "区税务局" in ln for ln in lines), block
