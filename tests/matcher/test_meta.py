"""Document metadata from a front-matter block or from the text; furniture; the city-level
CLI path (ingest a city document with no --district, a 徐汇 profile gets it as 市级)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.errors import RuleFileError
from matcher.reading.meta import (
    OutlineRules,
    find_docno,
    inner_title,
    level_and_district,
    signature,
    split_front_matter,
    strip_furniture,
    validity,
)
from matcher.reading.pipeline import build_document, district_forms
from matcher.rules.loader import load_toml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_front_matter_block():
    raw = (CORPUS / "huangpu_daikuan_tiexi_banfa_2026.txt").read_text(encoding="utf-8")
    fm, body = split_front_matter(raw)
    assert fm["文号"] == "黄发改规〔2026〕1号" and fm["层级"] == "区级"
    assert not body.lstrip().startswith("---") and "发布单位:" not in body[:200]
    text, dropped, md_title = strip_furniture(body)
    assert dropped >= 3 and md_title.startswith("关于印发")
    assert "本文正文由脚本" not in text and "siteId" not in text


def test_front_matter_added_to_a_seed():
    raw = SEEDS[2].read_text(encoding="utf-8-sig")
    block = (
        "---\n标题: 关于印发《嘉定区加强集成创新持续优化营商环境行动方案》的通知\n文号: 嘉府办发〔2023〕5号\n"
        "发布单位: 上海市嘉定区人民政府办公室\n发布日期: 2023-04-06\n层级: 区级\n---\n\n"
    )
    doc = build_document(block + raw, source_file="j.txt", source="user")
    assert doc.title == "嘉定区加强集成创新持续优化营商环境行动方案"
    assert (doc.doc_number, doc.issuer, doc.issued) == (
        "嘉府办发〔2023〕5号",
        "上海市嘉定区人民政府办公室",
        "2023-04-06",
    )
    assert (doc.district, doc.level) == ("嘉定区", "区级")
    assert len(doc.measures) == 27


@pytest.mark.parametrize(
    "text, issued, want",
    [
        ("本措施自2026年1月1日起施行,有效期至2027年12月31日。", None, ("2026-01-01", "2027-12-31")),
        ("本政策自2019年2月25日起施行,有效期为一年。", None, ("2019-02-25", "2020-02-24")),
        ("本政策自印发之日起执行,试行期2年,试行期满后视实施情况调整。", "2025-07-31", ("2025-07-31", "2027-07-30")),
        ("本办法自2024年2月29日起施行,有效期3年。", None, ("2024-02-29", "2027-02-27")),
        ("有效期为2024年3月10日至2026年12月31日。", None, ("2024-03-10", "2026-12-31")),
        ("本方案由区发展改革委负责解释。", "2024-01-01", (None, None)),
    ],
)
def test_validity(text, issued, want):
    assert validity(text, issued) == want


def test_title_doc_number_signature():
    assert inner_title("上海市松江区发展和改革委员会关于印发《松江区若干措施(试行)》的通知") == "松江区若干措施(试行)"
    assert inner_title("关于开展2026年度申报工作的通知") == "关于开展2026年度申报工作的通知"
    assert find_docno(["各有关单位:", "沪发改能源〔2024〕91号"]) == "沪发改能源〔2024〕91号"
    assert find_docno(["根据《办法》(沪府办规〔2023〕1号)要求"]) is None  # a cited document
    lines = ["特此通知。", "", "上海市发展和改革委员会  上海市财政局", "", "2022年11月18日"]
    assert signature(lines)[:2] == ("上海市发展和改革委员会", "2022-11-18")


def test_level_from_issuer_and_title_not_mentions():
    forms = district_forms()
    assert level_and_district(None, "上海市交通委员会", "关于开展航运项目申报的通知", forms)[:2] == ("市级", "上海市")
    assert level_and_district(None, "上海市松江区发展和改革委员会", None, forms)[:2] == ("区级", "松江区")
    assert level_and_district(None, None, "金山区坚持对标改革持续优化营商环境行动方案", forms)[:2] == ("区级", "金山区")
    assert level_and_district("市级", "上海市发展和改革委员会", "鼓励浦东新区先行先试", forms)[:2] == ("市级", "上海市")
    assert level_and_district(None, None, "关于进一步支持本市资源循环利用行业稳定发展的实施意见", forms)[:2] == (
        "市级",
        "上海市",
    )
    assert level_and_district(None, None, "关于做好申报工作的通知", forms)[:2] == (None, None)


def test_bad_outline_rule_is_named(tmp_path):
    bad = tmp_path / "outline.toml"
    bad.write_text('[sections]\nsomething = ["x"]\n[why]\nheading = "h"\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as e:
        load_toml(bad, OutlineRules)
    assert "sections" in str(e.value) and "outline.toml" in str(e.value)
    bad.write_text('[sections]\n[why]\n[furniture]\nline = ["(unclosed"]\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as e:
        load_toml(bad, OutlineRules)
    assert "furniture" in str(e.value)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_city_document_reaches_a_xuhui_profile(capsys):
    f = CORPUS / "shi_lvdian_xiaofei_shishi_yijian_2024.txt"
    code, out, err = run(capsys, "ingest", f)
    assert code == 0, err
    assert "层级:市级" in out and "未作为措施的编号条目" in out and "总体要求" in out
    code, out, err = run(capsys, "match", "--district", "徐汇区", "--top", "500", "--format", "json")
    assert code == 0, err
    results = json.loads(out)["results"]
    city = [r for r in results if r["level"] == "市级"]
    assert city and all(r["district"] == "上海市" for r in city)
    assert {r["level"] for r in results} == {"市级", "区级"}
    code, out, err = run(capsys, "kb", "list", "--format", "json")
    ms = [m for m in json.loads(out)["measures"] if m["level"] == "市级"]
    assert len(ms) == 20 and ms[0]["doc_number"] == "沪发改能源〔2024〕91号"
    assert ms[0]["issuer"] == "上海市发展和改革委员会"
    code, out, err = run(capsys, "kb", "stats", "--format", "json")
    d = json.loads(out)["documents"][-1]
    assert d["level"] == "市级" and d["district"] == "上海市" and d["unrepaired"] == []
    assert {"label": "一、", "snippet": "总体要求", "why": d["skipped"][0]["why"]} == d["skipped"][0]
    code, out, err = run(capsys, "search", "绿电", "--district", "徐汇区", "--format", "json")
    assert any(r["level"] == "市级" for r in json.loads(out)["results"])


def test_cli_refuses_unclear_district_and_accepts_city(capsys, tmp_path):
    text = (CORPUS / "songjiang_jinrong_ruogan_2025.txt").read_text(encoding="utf-8")
    plan = text[text.rindex("高质量发展的若干措施") :]
    f = tmp_path / "plan.txt"
    f.write_text(plan, encoding="utf-8")
    code, out, err = run(capsys, "ingest", f)
    assert code == 2 and "--district" in err and "上海市" in err and "Traceback" not in err
    code, out, err = run(capsys, "ingest", f, "--district", "全市")
    assert code == 0, err
    assert "区:上海市" in out and "层级:市级" in out


def test_markdown_saved_document():
    raw = (CORPUS / "songjiang_jinrong_ruogan_2025.txt").read_text(encoding="utf-8")
    md = raw.replace("\n一、实施对象", "\n## 一、实施对象").replace("\n二、实施内容", "\n**二、实施内容**")
    base = build_document(raw, source_file="a.txt", source="user")
    doc = build_document(md, source_file="a.md", source="user")
    assert [(m.clause, m.text) for m in doc.measures] == [(m.clause, m.text) for m in base.measures]
    assert [s.label for s in doc.skipped] == [s.label for s in base.skipped]
    assert doc.title == base.title


def test_cli_district_in_traditional_or_short_form(capsys):
    cases = (
        ("songjiang_jinrong_ruogan_2025", "松江", "松江区"),
        ("songjiang_lvse_ditan_ruogan_2025", "松江區", "松江区"),
        ("fengxian_haigui_xiaozhen_2025", "全市", "上海市"),
    )
    for name, value, want in cases:
        code, out, err = run(capsys, "ingest", CORPUS / f"{name}.txt", "--district", value, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["documents"][0]["district"] == want
