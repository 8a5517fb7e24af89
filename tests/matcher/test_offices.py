"""Responsible offices on real seed and corpus lines: every label form, names kept as written
and recognised per district, inference order (named in the text, assigned by the document,
lexicon), city documents, and the agreement script."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from matcher.common.paths import resources_dir
from matcher.common.text import repair
from matcher.errors import RuleFileError
from matcher.knowledge.office_context import document_assignments
from matcher.knowledge.offices import canonical_office, group_office, infer_offices, note_re, split_note, stated_offices
from matcher.reading.pipeline import build_document
from matcher.rules.lexicon import FILES, load_lexicons

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
HONGKOU = ROOT / "seeds" / "000_a62ab19f388f276b.txt"


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


def raw(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def doc(name: str) -> Path:
    return CORPUS / f"{name}.txt"


def line_with(path: Path, phrase: str, repaired: bool = False) -> str:
    text = repair(raw(path)).text if repaired else raw(path)
    found = [ln.strip() for ln in text.splitlines() if phrase in ln]
    assert found, f"test setup: {phrase!r} not in {path.name}"
    return found[0]


# ------------------------------------------------------------------ notes, every document


# documents that state their offices → (district, paragraphs carrying a note, counted by hand
# with grep over the files)
STATED = {
    "songjiang_lvse_ditan_ruogan_2025": ("松江区", 15),
    "fengxian_chanjiao_ronghe_fangan_2024": ("奉贤区", 10),
    "changning_chanye_tixi_shishi_yijian_2024": ("长宁区", 17),
    "jingan_ai_shifanqu_xingdong_2026": ("静安区", 32),
    "shi_lvdian_xiaofei_shishi_yijian_2024": ("上海市", 16),
}


@pytest.mark.parametrize("name", sorted(STATED))
@pytest.mark.parametrize("repaired", [False, True], ids=["as-published", "repaired"])
def test_every_stated_note_found_and_kept_verbatim(name, repaired, lex):
    """Every office note of a corpus document is found, full-width (as published) and after
    repair; every office it names is kept exactly as written and recognised."""
    district, expected = STATED[name]
    text = raw(doc(name))
    text = repair(text).text if repaired else text
    notes = 0
    for line in text.splitlines():
        body, note = split_note(line.strip(), lex)
        if not note or body == line.strip():
            continue
        notes += 1
        st = stated_offices(note, district, lex)
        assert st["offices"], line
        assert all(o in line for o in st["offices"]), (st["offices"], line)
        assert len(st["canonical"]) <= len(st["offices"])
    assert notes == expected


def test_hongkou_notes_all_found(lex):
    """All 138 Hongkou items carry their 牵头责任部门 note, names as written."""
    text = repair(raw(HONGKOU)).text
    notes = [split_note(ln.strip(), lex)[1] for ln in text.splitlines()]
    notes = [n for n in notes if n.startswith("牵头责任部门")]
    assert len(notes) == 138
    assert all(stated_offices(n, "虹口区", lex)["offices"] for n in notes)


@pytest.mark.parametrize(
    "label, kind",
    [
        ("执行单位", "lead"),
        ("责任单位", "lead"),
        ("责任部门", "lead"),
        ("牵头单位", "lead"),
        ("牵头部门", "lead"),
        ("牵头责任部门", "lead"),
        ("主管部门", "lead"),
        ("受理部门", "lead"),
        ("配合单位", "support"),
        ("协办单位", "support"),
    ],
)
@pytest.mark.parametrize("width", ["full", "half"])
def test_every_label(label, kind, width, lex):
    """A real Songjiang line with its label replaced by each label form, with full- and
    half-width brackets and colon."""
    line = line_with(doc("songjiang_lvse_ditan_ruogan_2025"), "（执行单位：区建设管理委）")
    line = line.replace("执行单位", label)
    if width == "half":
        line = line.replace("（", "(").replace("）", ")").replace("：", ":")
    body, note = split_note(line, lex)
    assert note.startswith(label) and "区建设管理委" not in body
    st = stated_offices(note, "松江区", lex)
    assert st[kind] == ["区建设管理委"] and st["canonical"] == ["区建设管理委"]


def test_lead_and_responsible_in_one_note(lex):
    """牵头单位:A,责任单位:B — 责任单位 supports when a lead label is present (Fengxian)."""
    line = line_with(doc("fengxian_chanjiao_ronghe_fangan_2024"), "首期规模为10亿元")
    body, note = split_note(line, lex)
    assert body.endswith("院校企深度合作。")
    st = stated_offices(note, "奉贤区", lex)
    assert (st["lead"], st["support"]) == (["区发展改革委"], ["区财政局"])


def test_second_nameplate_in_angle_brackets(lex):
    """区财政局<区金融办> is kept as written and recognised as 区财政局."""
    note = split_note(line_with(doc("fengxian_chanjiao_ronghe_fangan_2024"), "种子基金"), lex)[1]
    st = stated_offices(note, "奉贤区", lex)
    assert st["lead"] == ["区财政局<区金融办>"]
    assert st["support"] == ["奉投集团", "开伦集团"]  # companies kept as written
    assert st["canonical"] == ["区财政局"]  # companies are not offices a firm visits (issue 20)
    note = split_note(line_with(doc("fengxian_chanjiao_ronghe_fangan_2024"), "区建设管理委<区交通委>"), lex)[1]
    assert stated_offices(note, "奉贤区", lex)["canonical"][0] == "区建设管理委"


def test_office_at_the_head_of_a_paragraph(lex):
    """市交通委:统筹协调… / A、B、C分别负责… / 区发改委会同…负责… state the offices; the
    paragraph keeps its words."""
    line = line_with(doc("shi_laojiu_huoche_baofei_gengxin_xize_2026"), "市交通委：统筹协调")
    assert split_note(line, lex) == (line, "市交通委")
    line = line_with(doc("songjiang_jinrong_ruogan_2025"), "分别负责落实")
    body, note = split_note(line, lex)
    assert body == line
    assert stated_offices(note, "松江区", lex)["offices"] == ["区发展改革委", "区经委", "区财政局"]
    assert split_note("区商务委：64178603", lex)[1] == ""  # a contact line states nothing
    line = line_with(doc("changning_jieneng_jiantan_zhengce_2024"), "区发改委会同各项目管理部门")
    st = stated_offices(split_note(line, lex)[1], "长宁区", lex)
    assert (st["offices"], st["canonical"]) == (["区发改委"], ["区发展改革委"])


def test_paragraph_not_starting_with_an_office_states_nothing(lex):
    """A measure that merely mentions an office states nothing (Xuhui, Yangpu seeds)."""
    for p in ROOT.glob("seeds/00[1-4]_*.txt"):
        text = repair(raw(p)).text
        assert not any(split_note(ln.strip(), lex)[1] for ln in text.splitlines()), p.name


# ------------------------------------------------------------------ recognised names


@pytest.mark.parametrize(
    "written, district, canonical",
    [
        ("区科经委", "静安区", "区科技经济委"),
        ("区科技经济委", "静安区", "区科技经济委"),
        ("区科委", "静安区", "区科技经济委"),
        ("区科委", "长宁区", "区科委"),
        ("区科委", "杨浦区", "区科技经济委"),  # 杨科经规〔2026〕3号: Yangpu's merged commission
        ("区经委", "松江区", "区经委"),
        ("区投资办", "静安区", "区投资办"),
        ("区投资办", "长宁区", "区投促办"),
        ("区投资促进办", "奉贤区", "区投促办"),
        ("区发改委", "长宁区", "区发展改革委"),
        ("区发展和改革委员会", "松江区", "区发展改革委"),
        ("上海市静安区发展和改革委员会", "静安区", "区发展改革委"),
        ("区政务服务中心", "虹口区", "区政务服务中心"),
        ("区人社局", "长宁区", "区人力资源社会保障局"),
        ("区消防救援局", "静安区", "区消防救援支队"),
        ("市发改委", "上海市", "市发展改革委"),
        ("上海市发展和改革委员会", "上海市", "市发展改革委"),
        ("市经信委", "上海市", "市经济信息化委"),
        ("上海市交通委员会", "上海市", "市交通委"),
        ("市电力公司", "上海市", "国网上海市电力公司"),
        ("开伦集团", "奉贤区", "开伦集团"),
        ("区委网信办", "静安区", "区委网信办"),
        ("相关发电企业", "上海市", "相关发电企业"),
    ],
)
def test_canonical_office(written, district, canonical, lex):
    """Aliases per district and for city bodies; an unknown name stays as written."""
    assert canonical_office(written, district, lex) == canonical


def test_second_nameplate_in_brackets(lex):
    """A nameplate in brackets after a name stays in the written name; the recognised office is
    the main name when known, else the whole name as written (never a cut-off bracket)."""
    line = line_with(HONGKOU, "(牵头责任部门:区发展改革委、区财政局、各产业部门)").replace(
        "区发展改革委、", "区政府办公室(区审改办)、"
    )
    st = stated_offices(split_note(line, lex)[1], "虹口区", lex)
    assert st["offices"] == ["区政府办公室(区审改办)", "区财政局", "各产业部门"]
    assert st["canonical"] == ["区政府办公室", "区财政局"]  # 各产业部门: a group, not an office to visit
    # the register knows 区委宣传部: recognised, its second nameplate dropped (issue 20)
    assert canonical_office("区委宣传部（区新闻办）", "静安区", lex) == "区委宣传部"
    assert canonical_office("区某某委（区新闻办）", "静安区", lex) == "区某某委（区新闻办）"


def test_issue_example_kept_verbatim(lex):
    """The issue's example: written names are kept, recognised names are the district's own."""
    st = stated_offices("（责任单位：区科经委、各相关单位）", "静安区", lex)
    assert st["offices"] == ["区科经委", "各相关单位"]
    assert st["canonical"] == ["区科技经济委"]  # 各相关单位 kept as written, not an office to visit


def test_city_note_keeps_companies(lex):
    """A city note lists companies and an exchange: kept as written, city bodies recognised."""
    note = split_note(line_with(doc("shi_lvdian_xiaofei_shishi_yijian_2024"), "市水务局"), lex)[1]
    st = stated_offices(note, "上海市", lex)
    assert {"市发展改革委", "市规划资源局", "市电力公司", "上海电力交易中心", "相关发电企业"} <= set(st["offices"])
    # companies and 各区政府 are kept as written but are not offices a firm visits (issue 20)
    assert "各区政府" in st["offices"] and "市电力公司" in st["offices"]
    assert not {"国网上海市电力公司", "市电力公司", "上海电力交易中心", "相关发电企业", "各区政府"} & set(
        st["canonical"]
    )
    assert st["canonical"][0] == "市发展改革委"


def test_pipeline_keeps_stated_offices_verbatim():
    """Through the whole pipeline: offices as written, canonical recognised, a note at the end
    of the last of several paragraphs found (Jingan AI plan)."""
    p = doc("jingan_ai_shifanqu_xingdong_2026")
    d = build_document(raw(p), source_file=p.name, district="静安区")
    stated = [m for m in d.measures if m.office_source == "stated"]
    assert len(stated) == 32
    text = raw(p)
    assert all(o in text for m in stated for o in m.offices)
    talent = next(m for m in stated if "静英科创人才专项计划" in m.text)
    assert "\n" in talent.text and talent.offices[0] == "区科技经济委"
    ai = next(m for m in stated if "区投资办" in m.offices)
    assert "区投资办" in ai.offices_canonical and group_office(ai) == ai.offices_canonical[0]


# ------------------------------------------------------------------ inference


def test_office_named_in_the_text_comes_first(lex):
    """区发改委会同区商务委…: the offices the measure names, in order, before the lexicon."""
    line = line_with(
        doc("jingan_dianjing_fuchi_2019"), "区发改委会同区商务委等产业部门制定本政策实施细则", repaired=True
    )
    names, why = infer_offices(line, "", "静安区", lex)
    assert names[:2] == ["区发展改革委", "区商务委"]
    assert "区发改委" in why["区发展改革委"]


def test_office_only_relied_on_is_not_the_actor(lex):
    """Jiading: 证明事项告知承诺 relies on 区行政服务中心's window; 区司法局 (the lexicon's
    answer for 证明事项) stays first, the service centre follows as a mention."""
    body = line_with(ROOT / "seeds" / "002_471461ea355489e1.txt", "證明事項", repaired=False)
    body = repair(body).text
    names, _ = infer_offices(body, "证明事项更简化", "嘉定区", lex)
    assert names[0] == "区司法局" and "区政务服务中心" in names


def test_city_body_named_in_a_district_text_is_not_its_office(lex):
    """A district measure that mentions the city commission that certifies does not go to it."""
    names, _ = infer_offices("对经市经信委认定的专精特新企业给予奖励,支持企业技术改造。", "", "松江区", lex)
    assert names and not any(n.startswith("市") for n in names)


def test_document_assignment_used(lex):
    """Jingan's 申报指南 says which office takes which field; a measure about 工业企业 goes
    to 区科技经济委 (区科经委 in the text), one about 商业 to 区商务委."""
    text = repair(raw(doc("jingan_jieneng_jiantan_shenbao_zhinan_2026"))).text
    ctx = document_assignments(text, "静安区", lex)
    fields = {(a.office, t) for a in ctx for t in a.terms}
    assert ("区科技经济委", "工业") in fields and ("区商务委", "商业") in fields
    names, why = infer_offices("对工业企业实施节能技术改造的项目给予补贴。", "", "静安区", lex, ctx)
    assert names[0] == "区科技经济委" and "向区科经委申报" in why["区科技经济委"]
    names, _ = infer_offices("对商业企业实施节能技术改造的项目给予补贴。", "", "静安区", lex, ctx)
    assert names[0] == "区商务委"


def test_pipeline_passes_the_document_context():
    """build_document reads the document's assignments and enrich uses them, marked inferred."""
    p = doc("jingan_jieneng_jiantan_shenbao_zhinan_2026")
    d = build_document(raw(p), source_file=p.name, district="静安区")
    used = [m for m in d.measures if any("文件另行写明" in v for v in m.evidence["offices_inferred"].values())]
    assert used and all(m.office_source == "inferred" for m in used)
    assert all(m.offices_canonical == m.offices for m in used)


def test_city_document_gets_city_offices(lex):
    """A city document (district 上海市): its duties article assigns 市交通委 the lead, and no
    measure of two city documents is given a district (区…) office."""
    text = repair(raw(doc("shi_laojiu_huoche_baofei_gengxin_xize_2026"))).text
    ctx = document_assignments(text, "上海市", lex)
    assert ctx and ctx[0].office == "市交通委" and ctx[0].kind == "lead"
    assert {a.office for a in ctx} >= {"市交通委", "市发展改革委", "市公安局", "市商务委"}
    for name in ("shi_laojiu_huoche_baofei_gengxin_xize_2026", "shi_lvdian_xiaofei_shishi_yijian_2024"):
        text = repair(raw(doc(name))).text
        ctx = document_assignments(text, "上海市", lex)
        inferred = [
            infer_offices(split_note(ln)[0], "", "上海市", lex, ctx)[0] for ln in text.splitlines() if len(ln) > 60
        ]
        assert sum(bool(x) for x in inferred) >= 5
        assert not any(n.startswith("区") for x in inferred for n in x), name


def test_private_enterprise_measures_not_defaulting_to_the_federation(lex):
    """民营企业 names who benefits, not who runs the measure: measures that mention it go to
    their field's office; a measure about the 民营经济 environment itself still reaches 区工商联."""
    cases = [
        (doc("changning_chanye_tixi_shishi_yijian_2024"), "民营企业总部落地", "长宁区"),
        (ROOT / "seeds" / "004_582d36715f3e095f.txt", "发挥好民营企业座谈会", "徐汇区"),
        (doc("huangpu_daikuan_tiexi_banfa_2026"), "促进民营经济发展壮大", "黄浦区"),
    ]
    for path, phrase, district in cases:
        body = split_note(line_with(path, phrase, repaired=True), lex)[0]
        names, _ = infer_offices(body, "", district, lex)
        assert names and names[0] != "区工商联", (phrase, names)
    body = split_note(line_with(HONGKOU, "优化民营经济发展环境", repaired=True), lex)[0]
    assert "区工商联" in infer_offices(body, "", "虹口区", lex)[0]


# ------------------------------------------------------------------ labels are data


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    for name in FILES.values():
        shutil.copy(resources_dir() / name, tmp_path / name)
    return tmp_path


def test_labels_are_data(rules):
    """A label added to offices.toml is recognised; a duplicated one is refused, naming it."""
    path = rules / "offices.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('responsible = ["责任部门"', 'responsible = ["督办单位", "责任部门"', 1), encoding="utf-8"
    )
    assert note_re(load_lexicons(rules)).search("给予补贴。(督办单位:区经委)")
    path.write_text(
        text.replace('responsible = ["责任部门"', 'responsible = ["配合单位", "责任部门"', 1), encoding="utf-8"
    )
    with pytest.raises(RuleFileError) as ei:
        load_lexicons(rules)
    assert "offices.toml" in str(ei.value) and "配合单位" in str(ei.value)


def test_unknown_city_body_or_local_name_refused(rules):
    """A district office's city body, and a district's local names, must name listed offices."""
    path = rules / "offices.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('city = "市发展改革委"', 'city = "市不存在委"', 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as ei:
        load_lexicons(rules)
    assert "offices.toml" in str(ei.value) and "市不存在委" in str(ei.value)
    path.write_text(text.replace('"区投促办" = "区投资办"', '"区投资局" = "区投资办"', 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as ei:
        load_lexicons(rules)
    assert "区投资局" in str(ei.value)


# ------------------------------------------------------------------ agreement script


def test_agreement_script_runs():
    """The script scores development and held-out documents apart; figures are numbers and
    every stated office is kept verbatim (a hard target, unlike the inference figure)."""
    spec = importlib.util.spec_from_file_location("office_agreement", ROOT / "scripts" / "office_agreement.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.run()
    assert set(res) == {"development", "held_out"}
    held = res["held_out"]["total"]
    assert held["measures"] >= 50
    assert 0 <= held["first"] / held["measures"] <= 1
    for group in res.values():
        for d in group["documents"]:
            assert d["verbatim"] == d["tagged"] > 0, d["file"]
