"""Small gaps closed after issues 9–12 and 14: exports carry each result's tier and
application block in the CLI table's order; ``kb list`` carries the measure's conditions
and entitlements; ``search --district 上海市`` lists the city-level measures (labelled
市级); the CLI table numbers rows within each tier; the duplicate/same-title hints at
import fit the document (a built-in seed cannot be removed) and the front end (no
``--replace`` in the window). Real seed and corpus documents throughout."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.errors import BadInput
from matcher.export import ROW_HEADERS, export_csv, export_xlsx
from matcher.matching.match import matcher_of
from matcher.profile.company import Profile
from matcher.reading.pipeline import build_document, build_seed_documents

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "corpus"
PUTUO = "putuo_fuwuye_yindao_zijin_shenbao_2026.txt"  # window, 一网通办, contact
CITY_RE = "shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt"  # 市级: amounts, materials
HONGKOU = ROOT / "docs" / "examples" / "hongkou-shipping-sme.json"
TIER_ORDER = ["为本企业", "普惠服务", "差一个条件", "待确认", "已过期"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def corpus_doc(name: str):
    return build_document((CORPUS / name).read_text(encoding="utf-8"), source_file=name, source="user")


@pytest.fixture(scope="module")
def seeds():
    return [m for d in build_seed_documents() for m in d.measures]


def _csv_table(path: Path) -> list[dict[str, str]]:
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    assert rows[h] == ROW_HEADERS
    return [dict(zip(rows[h], r)) for r in rows[h + 1 :] if r]


# ---------------------------------------------------------------- 1. exports


def test_export_rows_follow_the_cli_tiers_numbered_within_each(seeds, tmp_path):
    resp = matcher_of(seeds).match(Profile.from_json(HONGKOU), as_of=dt.date(2026, 6, 1))
    tiers = [r.tier for r in resp.results]
    # the answer lists what is for this firm first, each tier in rank order: so does the export
    assert tiers == sorted(tiers, key=["targeted", "general", "near", "unknown", "expired"].index)
    assert {"targeted", "general"} <= set(tiers)
    rows = _csv_table(export_csv(resp, tmp_path / "out.csv"))
    assert len(rows) == len(resp.results)
    labels = [r["分类"] for r in rows]
    assert labels == sorted(labels, key=TIER_ORDER.index) and labels[0] == "为本企业"
    for label in set(labels):
        numbers = [int(r["序号"]) for r in rows if r["分类"] == label]
        assert numbers == list(range(1, len(numbers) + 1))
    # each tier keeps the answer's order (the CLI table's)
    targeted = [r.measure.measure_id for r in resp.results if r.tier == "targeted"]
    assert [r["措施编号"] for r in rows if r["分类"] == "为本企业"] == targeted
    from matcher.export import export_json

    data = json.loads(export_json(resp, tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [r["measure_id"] for r in data["results"]] == [r["措施编号"] for r in rows]
    assert sorted(r["rank"] for r in data["results"]) == [r.rank for r in resp.results]  # ranks kept


def test_export_carries_window_how_to_apply_contact_and_expiry(tmp_path):
    from openpyxl import load_workbook

    m = matcher_of(corpus_doc(PUTUO).measures)
    p = Profile.from_dict({"district": "普陀区", "size": "中型", "investment": 600})
    after = m.match(p, top=None, as_of=dt.date(2026, 7, 11), include_expired=True)
    assert after.results and all(r.expired for r in after.results)
    rows = _csv_table(export_csv(after, tmp_path / "out.csv"))
    assert {r["分类"] for r in rows} == {"已过期"} and {r["是否过期"] for r in rows} == {"已过期"}
    r = rows[0]
    assert r["截止日期"] == "2026-07-10" and "2026年7月10日" in r["申报时间"]
    assert "一网通办" in r["如何申报"] and "区发改委" in r["如何申报"]
    assert "王芊芊" in r["联系方式"] and "52564588-2357" in r["联系方式"]
    wb = load_workbook(export_xlsx(after, tmp_path / "out.xlsx"))
    ws = wb["匹配结果"]
    header = next(row for row in ws.iter_rows(values_only=True) if row and row[0] == "序号")
    assert list(header) == ROW_HEADERS
    body = [dict(zip(header, row)) for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], int)]
    assert body[0]["联系方式"] == r["联系方式"] and body[0]["截止日期"] == "2026-07-10"


def test_export_amounts_materials_and_absent_stays_empty(tmp_path):
    doc = corpus_doc(CITY_RE)
    m = matcher_of(doc.measures)
    resp = m.search("补贴", top=50)
    from matcher.models import MatchResponse

    rows = _csv_table(
        export_csv(MatchResponse(profile={"district": "上海市"}, kb={}, results=resp), tmp_path / "x.csv")
    )
    by_id = {r["措施编号"]: r for r in rows}
    for r in resp:
        row = by_id[r.measure.measure_id]
        assert bool(row["金额"]) == bool(r.measure.amounts)
        assert row["申报材料"].split("\n") == (r.measure.materials or [""])
        if not r.measure.contact:
            assert row["联系方式"] == ""
    assert any(r["金额"] for r in rows) and any(r["申报材料"] for r in rows)
    several = next(r for r in resp if len({a["text"] for a in r.measure.amounts}) > 1)
    best = max(several.measure.amounts, key=lambda a: a.get("wan") or -1)["text"]
    assert by_id[several.measure.measure_id]["金额"].split("\n")[0] == best  # the headline sum first


def test_export_formula_cells_in_new_columns_are_neutralised(tmp_path):
    doc = corpus_doc(PUTUO)
    evil = doc.measures[0].model_copy(
        update={
            "materials": ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2", "\t3"],
            "contact": {"people": ["王"], "phones": ["=1+2"]},
        }
    )
    from matcher.models import MatchResponse, Result

    resp = MatchResponse(
        profile={"district": "普陀区"},
        kb={},
        results=[Result(rank=1, measure=evil, score=1.0, status="applies", tier="targeted")],
    )
    rows = _csv_table(export_csv(resp, tmp_path / "e.csv"))
    assert all(v[:1] not in ("=", "+", "-", "@", "\t", "\r") for v in rows[0].values())
    from openpyxl import load_workbook

    ws = load_workbook(export_xlsx(resp, tmp_path / "e.xlsx"))["匹配结果"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# ---------------------------------------------------------------- 2. kb list


def test_kb_list_carries_conditions_and_entitlements_as_match_does(capsys):
    code, out, err = run(capsys, "ingest", CORPUS / PUTUO, "--format", "json")
    assert code == 0, err
    listed = {m["measure_id"]: m for m in json.loads(run(capsys, "kb", "list", "--format", "json")[1])["measures"]}
    code, out, err = run(
        capsys,
        "match",
        "--district",
        "普陀",
        "--size",
        "中型",
        "--investment",
        "600",
        "--as-of",
        "2026-06-15",
        "--format",
        "json",
    )
    assert code == 0, err
    results = json.loads(out)["results"]
    assert results
    for r in results:
        m = listed[r["measure_id"]]
        for k in ("amounts", "window", "valid_until", "materials", "how_to_apply", "contact"):
            assert m[k] == r[k], k
        assert [c["text"] for c in m["conditions"]] == [c["text"] for c in r["conditions"]]
        assert all(c["met"] is None for c in m["conditions"])  # not judged without a profile
        assert any(c["met"] is True for c in r["conditions"])
    putuo = [m for m in listed.values() if m["district"] == "普陀区" and not m["internal"]]
    assert putuo and all(m["window"]["end"] == "2026-07-10" for m in putuo)
    assert all("王芊芊" in m["contact"]["people"] for m in putuo)
    seed = listed["hongkou-2023/4.2"]
    assert seed["contact"] is None and seed["window"] is None  # absent stays absent


# ---------------------------------------------------------------- 3 and 7. search the city level


@pytest.mark.parametrize("typed", ["上海市", "全市", "市级"])
def test_search_city_level_only(capsys, typed):
    assert run(capsys, "ingest", CORPUS / CITY_RE, CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt")[0] == 0
    code, out, err = run(capsys, "search", "补贴", "--district", typed, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["district"] == "上海市" and data["results"]
    assert {r["district"] for r in data["results"]} == {"上海市"}
    assert {r["level"] for r in data["results"]} == {"市级"}
    code, table, err = run(capsys, "search", "补贴", "--district", typed)
    assert code == 0 and "上海市(市级)" in table and "长宁区" not in table


def test_district_search_labels_city_hits(capsys):
    assert run(capsys, "ingest", CORPUS / CITY_RE, CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt")[0] == 0
    code, table, err = run(capsys, "search", "补贴", "--district", "长宁", "--top", "60")
    assert code == 0, err
    assert "长宁区" in table and "上海市(市级)" in table
    code, out, err = run(capsys, "search", "补贴", "--district", "虹口區", "--format", "json")
    assert code == 0 and json.loads(out)["district"] == "虹口区"
    code, out, err = run(capsys, "search", "补贴", "--district", "北京市朝阳区")
    assert code == 2 and "上海" in err


# ---------------------------------------------------------------- 4. table numbering


def test_cli_table_numbers_each_tier_from_one(capsys):
    code, table, err = run(capsys, "match", "--profile", HONGKOU, "--as-of", "2026-06-01")
    assert code == 0, err
    data = json.loads(run(capsys, "match", "--profile", HONGKOU, "--as-of", "2026-06-01", "--format", "json")[1])
    ranks = [r["rank"] for r in data["results"] if r["tier"] == "targeted"]
    g_ranks = [r["rank"] for r in data["results"] if r["tier"] == "general"]
    # JSON rank stays global (targeted first): the general rows go on from the targeted ones
    assert ranks == list(range(1, len(ranks) + 1)) and g_ranks[0] == len(ranks) + 1
    section = table.split("【为本企业】")[1].split("【")[0]
    numbers = [int(m.group(1)) for m in re.finditer(r"^(\d+)\s", section, re.M)]
    assert numbers == list(range(1, len(ranks) + 1))
    general = table.split("【普惠服务】")[1].split("【")[0]
    g = [int(m.group(1)) for m in re.finditer(r"^\s+(\d+)\.", general, re.M)]
    assert g == list(range(1, data["tiers"]["general"] + 1)) or g == list(range(1, len(g) + 1))
    assert g[0] == 1


# ---------------------------------------------------------------- 5. import hints


def test_duplicate_of_a_seed_never_offers_removal(tmp_path):
    from matcher.engine import Engine

    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    copy = tmp_path / "again.txt"
    copy.write_bytes(seed.read_bytes())
    with Engine() as engine, pytest.raises(BadInput) as e:
        engine.ingest([copy])
    msg = str(e.value)
    assert "内置" in msg and "已在知识库中" in msg
    assert "kb remove" not in msg and "--replace" not in msg and "删除" not in msg


def test_same_title_hint_for_a_seed_says_it_is_built_in(tmp_path):
    from matcher.engine import Engine

    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    lines = seed.read_text(encoding="utf-8").splitlines()
    # the same document with one measure dropped: another version, same title
    cut = next(i for i, ln in enumerate(lines) if i > 40 and ln.strip())
    changed = tmp_path / "v2.txt"
    changed.write_text("\n".join(lines[:cut] + lines[cut + 1 :]), encoding="utf-8")
    with Engine() as engine:
        docs = engine.ingest([changed])
        notes = [n for n in engine.notices if "标题相同" in n]
    assert docs and notes
    assert "内置" in notes[0] and "kb remove" not in notes[0]
    # another version again, imported in the window
    other = tmp_path / "v3.txt"
    cut2 = next(i for i, ln in enumerate(lines) if i > cut + 10 and ln.strip())
    other.write_text("\n".join(lines[:cut] + lines[cut + 1 : cut2] + lines[cut2 + 1 :]), encoding="utf-8")
    with Engine() as engine:
        engine.ingest([other], front="window")
        shown = [n for n in engine.notices if "标题相同" in n]
    assert shown and not re.search(r"[a-z]+-(?:19|20)\d\d", shown[0]), shown[0]  # no document id in the window


def test_duplicate_of_a_user_document_hint_per_front_end(tmp_path):
    from matcher.engine import Engine

    doc = CORPUS / PUTUO
    again = tmp_path / "again.txt"
    again.write_bytes(doc.read_bytes())
    with Engine() as engine:
        first = engine.ingest([doc])[0]
        with pytest.raises(BadInput) as cli:
            engine.ingest([again])
        with pytest.raises(BadInput) as window:
            engine.ingest([again], front="window")
    assert f"policydesk kb remove {first.doc_id}" in str(cli.value) and "--replace" in str(cli.value)
    w = str(window.value)
    assert "--replace" not in w and "policydesk" not in w and "知识库中的文件" in w
    # the window shows no document ids (知识库中的文件 lists titles): the document by its title
    assert first.doc_id not in w and f"删除《{first.title}》" in w


def test_a_document_of_no_known_district_is_told_per_front_end(tmp_path):
    """No district in the issuer, title or text: the command line is told --district, the
    window its import report's 所在区 box (it has no --district)."""
    from matcher.engine import Engine

    doc = tmp_path / "无区.txt"
    doc.write_text(
        "关于支持中小企业发展的若干措施\n\n"
        "一、支持企业融资。对符合条件的中小企业给予贷款贴息,最高 50 万元。\n"
        "二、支持企业招用人才。对引进的高层次人才给予安家补贴。\n"
        "三、支持企业开拓市场。对参加展会的企业给予展位费补贴。\n",
        encoding="utf-8",
    )
    with Engine() as engine:
        with pytest.raises(BadInput) as cli:
            engine.ingest([doc])
        with pytest.raises(BadInput) as window:
            engine.ingest([doc], front="window")
    assert "--district" in str(cli.value)
    w = str(window.value)
    assert "哪个区" in w and "--district" not in w and "下方“所在区”" in w


def test_cli_table_header_counts_every_measure_of_each_tier(capsys):
    """The table lists the top N, but its header counts each tier whole, as the window
    does (a 虹口 SME has more than 10 targeted and general measures): the counts equal an
    unlimited JSON match, and the table says how many it lists."""
    code, table, err = run(capsys, "match", "--profile", HONGKOU, "--as-of", "2026-06-01", "--top", "10")
    assert code == 0, err
    data = json.loads(
        run(capsys, "match", "--profile", HONGKOU, "--as-of", "2026-06-01", "--format", "json", "--top", "100000")[1]
    )
    count = {t: sum(1 for r in data["results"] if r["tier"] == t) for t in ("targeted", "general", "near", "unknown")}
    assert count["targeted"] + count["general"] > 10
    assert (
        f"为本企业 {count['targeted']} 条 · 普惠服务 {count['general']} 条 · "
        f"差一个条件 {count['near']} 条 · 待确认 {count['unknown']} 条"
    ) in table
    assert "按相关度排前的" in table and "--top" in table


def test_exports_say_what_the_library_holds_in_words_not_its_version_hash(seeds, tmp_path):
    """Issue 21: no version strings in what an officer reads — the CSV's and the Excel's
    header give the library's documents and measures; the hash stays in the JSON (support)."""
    from openpyxl import load_workbook

    resp = matcher_of(seeds).match(Profile.from_json(HONGKOU), as_of=dt.date(2026, 6, 1))
    resp = resp.model_copy(update={"kb": {"version": "3ab351ab", "documents": 5, "measures": 281}})
    head = next(csv.reader(export_csv(resp, tmp_path / "a.csv").open(encoding="utf-8-sig")))
    sheet = load_workbook(export_xlsx(resp, tmp_path / "a.xlsx")).active
    top = [str(c.value) for row in sheet.iter_rows(max_row=3) for c in row if c.value is not None]
    for cells in (head, top):
        text = " ".join(cells)
        assert "文件 5 份,措施 281 条" in text and "3ab351ab" not in text and "版本" not in text, cells
