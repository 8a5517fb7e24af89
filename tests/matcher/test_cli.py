"""policydesk CLI: JSON shapes, table output, exit codes and error messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.cli import main as cli
from matcher.cli.common import fit, text_width
from matcher.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

MEASURE_FIELDS = {
    "measure_id",
    "district",
    "document",
    "issued",
    "clause",
    "title",
    "text",
    "offices",
    "offices_canonical",
    "office_source",
    "offices_inferred",
    "categories",
    "audiences",
    "industries",
    "areas",
    "star",
    "internal",
    "sentences",
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kb_stats_json_shape(capsys):
    code, out, err = run(capsys, "kb", "stats", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"measures", "documents"}
    assert len(data["documents"]) == 5
    assert data["measures"] == sum(d["measures"] for d in data["documents"])
    for d in data["documents"]:
        assert set(d) == {
            "id",
            "district",
            "title",
            "issued",
            "measures",
            "internal",
            "stated_offices",
            "repairs",
            "unrepaired",
            "level",
            "issuer",
            "doc_number",
            "valid_from",
            "valid_until",
            "skipped",
            "numbering",
        }
        assert d["level"] == "区级"
        assert all(set(s) == {"label", "snippet", "why"} for s in d["skipped"])
        assert isinstance(d["repairs"], dict) and isinstance(d["unrepaired"], list)
    assert "\\u" not in out  # ensure_ascii=False


def test_kb_stats_table(capsys):
    code, out, err = run(capsys, "kb", "stats")
    assert code == 0, err
    assert "份文件" in out and "措施" in out and "层级" in out and "未作措施" in out


def test_kb_list_json_shape(capsys):
    code, out, err = run(capsys, "kb", "list", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"measures"}
    stats = json.loads(run(capsys, "kb", "stats", "--format", "json")[1])
    assert len(data["measures"]) == stats["measures"]
    match = json.loads(run(capsys, "match", "--district", "虹口", "--format", "json")[1])["results"][0]
    result_only = {
        "rank",
        "matched_sentences",
        "matched_terms",
        "score",
        "status",
        "missing",
        "reasons",
        "tier",
        "conditions",
        "questions",
        "amounts",
        "window",
        "valid_until",
        "materials",
        "how_to_apply",
        "contact",
        "expired",
    }
    for m in data["measures"]:
        assert MEASURE_FIELDS <= set(m)
        assert set(match) - result_only <= set(m)  # the same measure fields as a match result
        assert m["office_source"] in ("stated", "inferred", "none")
        assert isinstance(m["star"], bool) and isinstance(m["internal"], bool)


def test_kb_list_district_short_form(capsys):
    code, out, err = run(capsys, "kb", "list", "--format", "json", "--district", "虹口")
    assert code == 0, err
    ms = json.loads(out)["measures"]
    assert ms and {m["district"] for m in ms} == {"虹口区"}


def test_kb_list_hidden_only_with_all(capsys):
    from matcher.store.kb import KnowledgeBase

    k = KnowledgeBase.open_default()
    mid = k.measures()[0].measure_id
    k.add_correction(mid, "hide")
    k.close()
    shown = [m["measure_id"] for m in json.loads(run(capsys, "kb", "list", "--format", "json")[1])["measures"]]
    assert mid not in shown
    everything = json.loads(run(capsys, "kb", "list", "--format", "json", "--all")[1])["measures"]
    assert [m for m in everything if m["measure_id"] == mid][0]["hidden"] is True


def test_kb_list_table_fits_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = run(capsys, "kb", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert all(text_width(ln) <= 100 for ln in lines[:-1]), max(lines, key=text_width)
    assert "…" in out
    assert lines[-1].startswith("共 ")


def test_unknown_district_names_value_and_nearest(capsys):
    code, out, err = run(capsys, "kb", "list", "--district", "虹口去")
    assert code == 2
    assert "虹口去" in err and "虹口区" in err and "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize("argv", [["kb", "stats", "--format", "xml"], ["frobnicate"], ["kb"], [], ["ingest"]])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err and "Traceback" not in err


def test_help_exits_0(capsys):
    code, out, err = run(capsys, "--help")
    assert code == 0 and "用法" in out


def test_kb_problem_exit_3(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("POLICYDESK_HOME", str(blocker))
    code, out, err = run(capsys, "kb", "stats")
    assert code == 3
    assert str(blocker) in err and "Traceback" not in err


def test_unexpected_error_one_line_exit_1(capsys, monkeypatch):
    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "_run_kb_stats", boom)
    code, out, err = run(capsys, "kb", "stats")
    assert code == 1
    assert "Traceback" not in err and "kaboom" in err and "POLICYDESK_DEBUG" in err
    assert len(err.strip().splitlines()) == 1


def test_unexpected_error_traceback_with_debug(capsys, monkeypatch):
    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "_run_kb_stats", boom)
    monkeypatch.setenv("POLICYDESK_DEBUG", "1")
    code, out, err = run(capsys, "kb", "stats")
    assert code == 1 and "Traceback" in err


def test_python_m_matcher_help():
    """``python -m matcher`` runs the same command line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "matcher", "--help"], capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 0
    assert "ingest" in r.stdout.decode("utf-8")


def test_check_district_forms():
    assert cli.check_district("浦东") == "浦东新区"
    assert cli.check_district("上海市虹口区") == "虹口区"
    assert cli.check_district("徐汇区") == "徐汇区"


def test_fit_is_width_aware():
    assert text_width("虹口区ab") == 8
    assert text_width(fit("虹口区加强集成创新", 9)) == 9
    assert fit("虹口区加强集成创新", 9).rstrip().endswith("…")
    assert fit("ab", 5) == "ab   "


def test_match_and_search_are_registered(capsys):
    """The match and search commands (matcher.cli.match) are reachable from policydesk."""
    code, out, err = run(capsys, "match", "--district", "虹口", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {"profile", "kb", "results"} <= set(data)
    code, out, err = run(capsys, "search", "代办专员", "--format", "json")
    assert code == 0, err


def test_match_all_lists_whole_district_with_internal_marked(capsys):
    """Ensures ``match --all`` lists every measure of the district's documents exactly once,
    internal work marked and never counted as applying, the applying ones agreeing with an
    unlimited match, and the ones for other audiences saying whom they are for."""
    code, out, err = run(capsys, "kb", "list", "--district", "徐汇区", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    listed = listed["measures"] if isinstance(listed, dict) else listed
    code, out, err = run(
        capsys,
        "match",
        "--district",
        "徐汇",
        "--size",
        "小型",
        "--need",
        "融资",
        "--top",
        "5",
        "--all",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    rows = data["all"]
    assert sorted(r["measure_id"] for r in rows) == sorted(m["measure_id"] for m in listed)
    internal = {m["measure_id"] for m in listed if m["internal"]}
    assert internal and {r["measure_id"] for r in rows if r["status"] == "internal"} == internal
    applies = [r for r in rows if r["status"] == "applies"]
    assert len(applies) > 5  # --top limits results, not the overview
    assert [r["measure_id"] for r in sorted(applies, key=lambda r: r["rank"])][:5] == [
        r["measure_id"] for r in data["results"] if r["status"] == "applies"
    ]
    other = [r for r in rows if r["status"] == "other"]
    assert other and all(r["why"].startswith("只面向") for r in other)
    assert any("外资企业" in r["why"] for r in other)
    code, out, err = run(capsys, "match", "--district", "徐汇", "--size", "小型", "--all")
    assert code == 0, err
    assert "内部工作" in out and "全部措施" in out


def test_unusable_user_folder_is_a_message_exit_3(tmp_path, monkeypatch, capsys):
    """Ensures a user folder that cannot be created (a file in the way) gives exit code 3
    and a Chinese message naming the folder and why — from the CLI and from the GUI."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("POLICYDESK_HOME", str(blocker))
    code, out, err = run(capsys, "kb", "stats")
    assert code == 3
    assert str(blocker) in err and "不是文件夹" in err and "Traceback" not in err
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from desktop.app import main; sys.exit(main(['--screenshot', 'x.png']))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr[-1500:]
    assert "不是文件夹" in proc.stderr and "Traceback" not in proc.stderr
