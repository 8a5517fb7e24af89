"""Entitlements (matcher.knowledge.entitlements): amounts, windows, validity, materials, how to apply
and contacts, read from real sentences of the seeds and of tests/corpus — and nothing
invented where a document states none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.knowledge import amounts as A
from matcher.knowledge import dates as D
from matcher.knowledge import entitlements as E
from matcher.reading.pipeline import build_document

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "corpus"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def corpus_text(name: str) -> str:
    return repair((CORPUS / name).read_text(encoding="utf-8")).text


def sentence(name: str, words: str) -> str:
    """The sentence of a corpus document that holds ``words`` (fails if none does)."""
    text = corpus_text(name)
    for s in re.split(r"(?<=[。;;\n])", text):
        if words in s:
            return s.strip()
    raise AssertionError(f"{words!r} not in {name}")


def texts(items):
    return [a["text"] for a in items]


# ── amounts ──────────────────────────────────────────────────────────────────


def test_cap_in_wan_yuan_with_its_sentence():
    s = sentence("jingan_chuhai_fuwu_pingtai_shenbao_zhinan_2026.txt", "给予最高不超过500万元的奖励")
    got = A.amounts([s])
    cap = [a for a in got if a["wan"] == 500]
    assert cap and cap[0]["kind"] == "cap" and cap[0]["text"].startswith("最高")
    assert cap[0]["quote"] == s


def test_per_kilowatt_hour_and_per_square_metre():
    s = sentence("songjiang_lvse_ditan_ruogan_2025.txt", "0.3元/千瓦时")
    got = A.amounts([s])
    assert any(a["kind"] == "per_unit" and a["unit"] == "元/千瓦时" and a["value"] == 0.3 for a in got)
    assert any(a["wan"] == 300 for a in got)  # 单个项目一次性补贴总额不超过300万元
    s2 = sentence("changning_jieneng_jiantan_zhengce_2024.txt", "每平方米最高补贴300元")
    per = [a for a in A.amounts([s2]) if a["kind"] == "per_unit"]
    assert per and per[0]["unit"] == "元/平方米" and per[0]["value"] == 300


def test_rate_and_range():
    s = sentence("jingan_dianjing_fuchi_2019.txt", "按租金的30%给予三年资助")
    got = A.amounts([s])
    assert any(a["kind"] == "rate" and a["value"] == 30 for a in got)
    assert any(a["wan"] == 100 for a in got)  # 三年补贴总额不超过100万元
    s2 = sentence("fengxian_chanjiao_ronghe_fangan_2024.txt", "1000万元~2000万元")
    rng = [a for a in A.amounts([s2]) if a["kind"] == "range"]
    assert rng and rng[0]["wan"] == 2000


def test_threshold_and_loan_size_are_not_amounts():
    s = sentence("fengxian_haigui_xiaozhen_2025.txt", "设备投资1000万元以上")
    got = A.amounts([s])
    assert 1000 not in [a["wan"] for a in got]  # the threshold of the condition
    assert 5000 in [a["wan"] for a in got]  # 最高扶持5000万元
    loan = sentence("huangpu_daikuan_tiexi_banfa_2026.txt", "贷款额度最高不超过2000万元")
    assert A.amounts([loan]) == []  # the loan the bank gives, not a grant
    sub = sentence("huangpu_daikuan_tiexi_banfa_2026.txt", "利息补贴每年最高不超过20万元")
    assert [a["wan"] for a in A.amounts([sub]) if a["wan"] is not None] == [20]


def test_target_figures_are_not_amounts():
    """An action plan of government work (金山, 静安 AI) states targets, not sums to claim."""
    for name in ("jinshan_yingshang_huanjing_xingdong_2024.txt", "jingan_ai_shifanqu_xingdong_2026.txt"):
        sents = [s for s in re.split(r"(?<=[。;;\n])", corpus_text(name)) if s.strip()]
        assert A.amounts(sents) == [], name


# ── windows and validity ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "name,words,start,end",
    [
        ("yangpu_zongchengbao_zixun_shenbao_2026.txt", "即日起至2026年7月31日", None, "2026-07-31"),
        ("putuo_fuwuye_yindao_zijin_shenbao_2026.txt", "申报受理截止时间", None, "2026-07-10"),
        ("shi_jiaotong_hangyun_chuangxin_shenbao_2023.txt", "申报截止", "2023-04-27", "2023-07-27"),
        ("jingan_chuhai_fuwu_pingtai_shenbao_zhinan_2026.txt", "提交材料时间为即日起至", None, "2026-06-30"),
        ("shi_laojiu_huoche_baofei_gengxin_xize_2026.txt", "2026年12月31日(含)前", None, "2026-12-31"),
    ],
)
def test_window(name, words, start, end):
    w = D.window([sentence(name, words)], 2026)
    assert w.get("end") == end and w.get("start") == start
    assert words.replace("(", "").split("2026")[0][:4] in w["quote"].replace("(", "")


def test_window_without_year_takes_the_documents():
    s = sentence("jingan_jieneng_jiantan_shenbao_zhinan_2026.txt", "4月3日(周五)前")
    assert D.window([s], 2026)["end"] == "2026-04-03"


def test_target_dates_of_government_work_are_no_window():
    """The seeds are action plans: “2023年底前完成…” are targets, never an application window."""
    for f in SEEDS:
        text = repair(f.read_bytes().decode("utf-8-sig")).text
        sents = [s for s in re.split(r"(?<=[。;;\n])", text) if s.strip()]
        assert D.window(sents, 2023) == {}, f.name


@pytest.mark.parametrize(
    "name,issued,until",
    [
        ("songjiang_jinrong_ruogan_2025.txt", "2025-11-28", "2027-12-31"),  # 有效期至2027年12月31日
        ("jingan_dianjing_fuchi_2019.txt", "2019-01-31", "2020-02-24"),  # 自2019年2月25日起施行,有效期为一年
        ("fengxian_haigui_xiaozhen_2025.txt", "2025-07-31", "2027-07-30"),  # 自印发之日起执行,试行期2年
        ("jinshan_yingshang_huanjing_xingdong_2024.txt", "2024-03-22", None),  # not stated
    ],
)
def test_validity(name, issued, until):
    assert D.validity(corpus_text(name), issued) == until


# ── document sections: materials, how to apply, contact ──────────────────────


def test_materials_of_a_guide():
    got = E.materials(corpus_text("jingan_jieneng_jiantan_shenbao_zhinan_2026.txt"))
    assert len(got) == 7 and "项目开工报告和竣工验收报告" in got
    yp = E.materials(corpus_text("yangpu_zongchengbao_zixun_shenbao_2026.txt"))
    assert yp[0] == "杨浦区工程总承包、全过程工程咨询政策申请报告" and len(yp) == 3
    lj = E.materials(corpus_text("shi_laojiu_huoche_baofei_gengxin_xize_2026.txt"))
    assert "《报废机动车回收证明》" in lj


def test_contacts_and_how_to_apply():
    c = E.contact(corpus_text("jingan_chuhai_fuwu_pingtai_shenbao_zhinan_2026.txt"))
    assert c["people"] == ["栾贺"] and "021-33371797" in c["phones"]
    p = E.contact(corpus_text("putuo_fuwuye_yindao_zijin_shenbao_2026.txt"))
    assert p["people"] == ["王芊芊", "俞冰清"] and p["phones"] == ["52564588-2357"]
    h = E.how_to_apply(corpus_text("yangpu_zongchengbao_zixun_shenbao_2026.txt"))
    assert h["email"] == ["ypkwqyk@163.com"] and "区科技经济委" in h["offices"]
    assert any("江浦路627号" in a for a in h["address"])
    assert "一网通办" in E.how_to_apply(corpus_text("putuo_fuwuye_yindao_zijin_shenbao_2026.txt"))["online"]
    yc = E.contact(corpus_text("yangpu_zongchengbao_zixun_shenbao_2026.txt"))
    assert yc["phones"] == ["65690561"]  # the 举报 line's address is not a contact


def test_every_measure_of_a_guide_carries_the_document_sections():
    name = "yangpu_zongchengbao_zixun_shenbao_2026.txt"
    doc = build_document((CORPUS / name).read_text(encoding="utf-8"), source_file=name, source="user")
    offered = [m for m in doc.measures if not m.internal]
    assert offered
    for m in offered:
        assert m.window.get("end") == "2026-07-31"
        assert len(m.materials) == 3 and m.contact.get("phones") == ["65690561"]


def test_absent_entitlements_stay_empty():
    """金山's 营商环境 plan states no amounts, window, materials or contacts: none invented."""
    name = "jinshan_yingshang_huanjing_xingdong_2024.txt"
    doc = build_document((CORPUS / name).read_text(encoding="utf-8"), source_file=name, source="user")
    assert doc.measures
    for m in doc.measures:
        assert m.amounts == [] and m.window == {} and m.materials == []
        assert m.contact == {} and m.how_to_apply == {} and m.valid_until is None


def test_seed_measures_state_no_sums_or_windows():
    from matcher.reading.pipeline import build_seed_documents

    docs = build_seed_documents()
    assert sum(len(d.measures) for d in docs) == 281
    for d in docs:
        for m in d.measures:
            assert m.window == {} and m.materials == [] and m.valid_until is None, m.measure_id


def test_materials_written_inside_a_sentence():
    got = E.materials(corpus_text("shi_kezaisheng_nengyuan_fuchi_banfa_2022.txt"))
    assert got == [
        "项目申请表",
        "项目立项文件",
        "单位承诺文件",
        "竞争配置文件落实报告",
        "并网证明文件",
        "电力业务许可证",
    ]


def test_a_reform_that_mentions_yiwangtongban_is_no_how_to_apply():
    """The seeds describe 一网通办 reforms; none of that tells an applicant where to apply."""
    for f in SEEDS:
        text = repair(f.read_bytes().decode("utf-8-sig")).text
        assert E.how_to_apply(text) == {} and E.contact(text) == {} and E.materials(text) == [], f.name


def test_a_date_without_a_year_takes_the_year_named_before_it():
    s = sentence("shi_kezaisheng_nengyuan_jiangli_shenbao_2026.txt", "于2026年2月和8月底前")
    assert D.window([s], 2025)["end"] == "2026-08-31"


def test_payment_schedule_and_sums_already_received_are_not_amounts():
    s = sentence("fengxian_haigui_xiaozhen_2025.txt", "第一笔资金按扶持总额的20%")
    assert "20%" not in texts(A.amounts([s]))
    s2 = sentence("songjiang_lvse_ditan_ruogan_2025.txt", "获得市级奖励10万元至20万元的")
    assert texts(A.amounts([s2])) == ["5万元"]


def test_a_licences_validity_is_not_the_documents():
    text = "对营业执照有效期至2030年1月1日的企业,给予续办提醒。"
    assert D.validity(text, "2025-01-01") is None
    assert D.validity(corpus_text("huangpu_daikuan_tiexi_banfa_2026.txt"), "2026-06-02") == "2028-12-31"


def test_office_phone_pairs():
    """静安 节能 guide, 五、咨询受理: each receiving office with its number."""
    c = E.contact(corpus_text("jingan_jieneng_jiantan_shenbao_zhinan_2026.txt"))
    assert {"office": "区商务委", "phone": "64178603"} in c["offices"]
    assert {"office": "区发展改革委", "phone": "33371736"} in c["offices"]
    assert "offices" not in E.contact(corpus_text("putuo_fuwuye_yindao_zijin_shenbao_2026.txt"))


def test_which_applicant_goes_to_which_office():
    h = E.how_to_apply(corpus_text("jingan_jieneng_jiantan_shenbao_zhinan_2026.txt"))
    assert {"who": "工业企业", "office": "区科经委"} in h["by_applicant"]
    assert {"who": "商业企业和含有商业零售业的楼宇", "office": "区商务委"} in h["by_applicant"]
