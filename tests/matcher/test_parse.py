"""Parsing the real seeds into metadata and measures."""

from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.errors import BadInput
from matcher.reading.parse import clause_id, parse_document, sentences
from matcher.reading.pipeline import build_document, build_seed_documents, district_forms

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def parsed(prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return parse_document(repair(path.read_text(encoding="utf-8")).text, district_forms())


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in build_seed_documents()}


def test_measure_counts(docs):
    counts = {k: len(d.measures) for k, d in docs.items()}
    assert counts == {"hongkou-2023": 138, "xuhui-2022": 39, "jiading-2023": 27, "yangpu-2023": 43, "xuhui-2025": 34}
    assert sum(counts.values()) == 281


def test_metadata(docs):
    hk = docs["hongkou-2023"]
    assert (hk.district, hk.issued) == ("虹口区", "2023-03-13")
    assert hk.title == "虹口区加强集成创新持续优化营商环境行动方案"
    yp = docs["yangpu-2023"]
    assert yp.issued == "2023-02-16" and yp.district == "杨浦区"
    assert yp.title == "聚焦“四大行动” 深化集成创新 全面推进杨浦一流营商环境建设的实施方案"
    x25 = docs["xuhui-2025"]
    assert x25.title == "徐汇区聚焦提升企业感受 持续打造国际一流营商环境行动方案"
    assert x25.issued == "2025-02-11"
    assert docs["xuhui-2022"].issued == "2022"  # from the seed manifest


def test_ids_unique_and_stable(docs):
    ids = [m.measure_id for d in docs.values() for m in d.measures]
    assert len(ids) == len(set(ids))
    assert "hongkou-2023/12.4" in ids
    again = [m.measure_id for d in build_seed_documents() for m in d.measures]
    assert ids == again


def test_clause_labels():
    hk = parsed("000")
    labels = [m.clause for m in hk.measures]
    assert "12.(4)" in labels and "24.(1★)" in labels
    assert "25." in labels  # a safeguard topic with no items is one measure
    x22 = [m.clause for m in parsed("001").measures]
    assert "(七)2." in x22
    jd = [m.clause for m in parsed("002").measures]
    assert "5、" in jd and "三、(一)" in jd
    yp = [m.clause for m in parsed("003").measures]
    assert "(三)3." in yp
    x25 = [m.clause for m in parsed("004").measures]
    assert "十、(一)" in x25


def test_opening_is_not_a_measure():
    for p in ["000", "001", "002", "003", "004"]:
        for m in parsed(p).measures:
            assert "指导思想" not in m.heading and "主要目标" not in m.heading
            assert not m.text.startswith("以习近平新时代中国特色社会主义思想为指导")


def test_hongkou_items_and_offices():
    hk = {m.clause: m for m in parsed("000").measures}
    m = hk["1.(3)"]
    assert m.text == "全面推行企业名称申报承诺制,提高一次核准率。"
    assert m.office_note == "牵头责任部门:区市场监管局"
    assert m.heading == "市场准入退出"
    assert hk["24.(1★)"].star and not hk["24.(8)"].star
    assert hk["25."].section == "safeguard"
    assert hk["25."].text.startswith("发挥区营商环境工作联席会议")


def test_safeguard_chapters():
    counts = {p: sum(m.section == "safeguard" for m in parsed(p).measures) for p in ["000", "001", "002", "003", "004"]}
    assert counts == {"000": 5, "001": 4, "002": 3, "003": 3, "004": 0}


def test_yangpu_street_item_keeps_sentences():
    yp = {m.clause: m for m in parsed("003").measures}
    m = yp["(四)10."]
    assert "殷行" in m.text and "定海" in m.text
    assert len(m.sentences) >= 5
    assert all(s in m.text for s in m.sentences)


def test_sentences_split():
    assert sentences("第一句。第二句;第三句") == ["第一句。", "第二句;", "第三句"]


def test_clause_id():
    assert clause_id("12.(4★)") == "12.4"
    assert clause_id("十、(一)") == "十.一"


def test_refuses_text_without_measures():
    with pytest.raises(BadInput, match="没有找到编号的措施"):
        build_document(
            "虹口区关于做好春节期间安全生产工作的通知。请各单位认真做好安全检查,落实值班制度,确保节日平安。" * 3,
            source_file="x.txt",
        )


def test_refuses_non_chinese():
    with pytest.raises(BadInput, match="不像一份政策文件"):
        build_document("hello world " * 50, source_file="x.txt")


def test_unknown_district_needs_option():
    text = "关于支持企业发展的若干措施\n一、重点任务\n1.支持企业融资,提供贷款贴息。\n2.支持人才引进,提供住房补贴。\n"
    with pytest.raises(BadInput, match="--district"):
        build_document(text, source_file="x.txt")
    doc = build_document(text, source_file="x.txt", district="静安")
    assert doc.district == "静安区" and len(doc.measures) == 2
