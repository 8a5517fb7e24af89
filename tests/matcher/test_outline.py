"""The outline reader on each failure class of issue 9, on text it was not written from:
documents assembled from seeds and corpus texts (a notice with an attachment, a web page's
footer, a signature and footnotes, sub-headings inserted into a plan, a numbering gap),
plus the markers 第X章/第N条, 1), ① and full-width numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.common.text import repair
from matcher.errors import BadInput
from matcher.models import CITY
from matcher.reading.outline import marker
from matcher.reading.parse import parse_document
from matcher.reading.pipeline import build_document, district_forms

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def corpus_body(name: str) -> str:
    """A corpus document without its front matter and notice lines (a plain saved text)."""
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    return "\n".join(ln for ln in body.split("\n") if not ln.startswith(("> ", "# ")))


def plan_only(name: str, title: str) -> str:
    """The plan of a corpus document: from its own title line on (no covering notice)."""
    body = corpus_body(name)
    return body[body.rindex(title) :]


def build(text: str, **kw):
    return build_document(text, source_file="t.txt", source="user", **kw)


def seed_doc(i: int):
    return build(
        SEEDS[i].read_text(encoding="utf-8-sig"), district=["虹口区", "徐汇区", "嘉定区", "杨浦区", "徐汇区"][i]
    )


# ---------------------------------------------------------------- attachments


LVSE_TITLE = "松江区关于支持经济社会绿色低碳发展的若干措施(试行)"


@pytest.mark.parametrize("attach_line", ["附件:", "附件1", "附件"])
def test_notice_with_its_own_items_and_an_attached_plan(attach_line):
    plan = plan_only("songjiang_lvse_ditan_ruogan_2025", "松江区关于支持经济社会绿色低碳发展的若干措施")
    alone = build(plan)
    notice = (
        "上海市松江区发展和改革委员会关于做好绿色低碳政策落实工作的通知\n\n各街镇、各有关部门:\n\n"
        "一、提高认识。各单位要充分认识做好绿色低碳工作的重要性。\n\n"
        "二、加强组织。各单位要明确专人负责政策宣传和受理。\n\n"
        "三、抓好落实。请按照附件要求认真组织实施。\n\n"
        f"{attach_line}\n\n"
    )
    doc = build(notice + plan)
    assert len(doc.measures) == len(alone.measures) == 15
    assert [m.text for m in doc.measures] == [m.text for m in alone.measures]
    notes = [s for s in doc.skipped if s.kind == "notice"]
    assert [s.label for s in notes] == ["一、", "二、", "三、"]
    assert doc.district == "松江区"


def test_attachment_names_are_not_a_plan():
    text = (
        "关于开展2026年度松江区绿色低碳项目申报的通知\n\n各有关单位:\n\n"
        "一、支持对象\n\n在松江区依法登记注册的企业。\n\n"
        "二、支持内容\n\n1.节能技术改造项目。给予最高100万元补贴。\n\n2.合同能源管理项目。给予最高20万元奖励。\n\n"
        "三、申报材料\n\n1.申请表;\n\n2.营业执照复印件。\n\n"
        "附件:1.项目申请表\n2.项目汇总表\n\n上海市松江区发展和改革委员会\n\n2026年3月1日\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["二、1.", "二、2."]
    assert [s.snippet for s in doc.skipped if s.kind == "attachment"] == ["1.项目申请表", "2.项目汇总表"]
    assert {s.kind for s in doc.skipped} >= {"scope", "materials", "heading"}
    assert "上海市松江区发展和改革委员会" not in doc.measures[-1].text
    assert doc.issuer == "上海市松江区发展和改革委员会" and doc.issued == "2026-03-01"


# ---------------------------------------------------------------- closing matter


def test_signature_copies_and_footnotes_do_not_join_the_last_measure():
    base = seed_doc(1)
    raw = SEEDS[1].read_text(encoding="utf-8-sig").rstrip("\n")
    tail = (
        "\n\n本方案自印发之日起施行。\n\n上海市徐汇区人民政府办公室\n\n2022年6月1日\n\n"
        "抄送:区委各部门,区人大常委会办公室。\n\n注:1.本方案所称企业指在徐汇区登记注册的企业。\n"
        "2.“一网通办”指上海市政务服务总门户。\n"
    )
    doc = build(raw + tail, district="徐汇区")
    assert [m.text for m in doc.measures] == [m.text for m in base.measures]
    kinds = [s.kind for s in doc.skipped]
    assert "closing" in kinds and "footnote" in kinds


def test_web_footer_and_source_link_are_dropped_not_damage():
    base = seed_doc(3)
    raw = SEEDS[3].read_text(encoding="utf-8-sig").rstrip("\n")
    page = (
        "首页 > 政务公开 > 政策文件\n\n"
        + raw
        + "\n\n原文链接:https://www.shyp.gov.cn/shypq/xxgk/detail?businessId=3f2a&siteId=0082\n\n"
        "打印本页 关闭窗口\n\n点赞 收藏\n\n主办:上海市杨浦区人民政府办公室 网站地图 | 联系我们\n\n"
        "沪ICP备12345678号 沪公网安备 31011002000000号\n"
    )
    doc = build(page, district="杨浦区")
    assert [m.text for m in doc.measures] == [m.text for m in base.measures]
    assert doc.unrepaired == []
    assert "网站地图" not in doc.measures[-1].text and "主办" not in doc.measures[-1].text


def test_url_query_string_in_a_measure_is_not_damage():
    rep = repair("一、申报方式\n\n登录 https://zwdt.sh.gov.cn/govPortals/index?code=2&siteId=0082 申报。\n")
    assert rep.unrepaired == []
    rep2 = repair("企业在申报时须提交?材料。\n")
    assert len(rep2.unrepaired) == 1  # a real lost character is still reported


# ---------------------------------------------------------------- outline


def test_sub_headings_inserted_into_a_continuous_list():
    """jinshan numbers 1.–27. straight through four chapters; insert (一)(二) sub-headings into
    chapter 一: no item is swallowed, the sub-headings are headings."""
    body = corpus_body("jinshan_yingshang_huanjing_xingdong_2024")
    base = build(body)
    assert len(base.measures) == 27
    text = body.replace("\n1.", "\n(一)市场准入和经营场所\n\n1.", 1).replace(
        "\n3.", "\n(二)公用设施和劳动关系\n\n3.", 1
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == [m.clause for m in base.measures]
    assert "公用设施和劳动关系" not in doc.measures[1].text
    assert sum(1 for s in doc.skipped if s.kind == "heading") == sum(1 for s in base.skipped if s.kind == "heading") + 2


def test_numbering_gap_is_reported():
    body = corpus_body("songjiang_jinrong_ruogan_2025")
    start = body.index("\n4、")
    end = body.index("\n(三)") if "\n(三)" in body else body.index("\n（三）")
    doc = build(body[:start] + body[end:])
    assert len(doc.measures) == 6
    assert any("从第 3 项跳到第 5 项,缺 1 项" in n for n in doc.numbering), doc.numbering


def test_markers():
    assert marker("第三章 支持措施")[:2] == ("zhang", "三")
    assert marker("第十二条(监督和管理)")[:2] == ("tiao", "十二")
    assert marker("第五条规定的")[0] == "tiao"
    assert marker("1)太阳能光伏补贴")[:2] == ("ar_paren", "1")
    assert marker("①依法设立的法人")[:2] == ("circled", "①")
    assert marker("2.2024年度企业财务审计报告")[:2] == ("ar_dot", "2")
    assert marker("2023年起实施") is None
    assert marker("1、项目单位应符合以下基本条件")[:2] == ("ar_dot", "1")


def test_articles_chapters_and_full_width_numbers():
    text = (
        "上海市促进某产业发展办法\n\n第一章 总则\n\n第一条(目的和依据)为促进某产业发展,制定本办法。\n\n"
        "第二章 支持措施\n\n第二条(支持方式)\n\n（一）对企业新建项目给予补贴。\n\n（二）对企业研发投入给予奖励:\n\n"
        "１．研发费用奖励。按研发投入的10%给予奖励。\n\n２．首台套奖励。给予最高100万元奖励。\n\n"
        "第三条(申报材料)\n\n①申请表;\n\n②营业执照。\n\n第三章 附则\n\n第四条 本办法自2026年1月1日起施行,有效期5年。\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["(一)", "1.", "2."]  # 1. 2. run once: no prefix
    kinds = {s.label: s.kind for s in doc.skipped}
    assert kinds["第一章"] == "preamble" and kinds["第三章第四条"] == "closing"
    assert kinds["第二章第三条①"] == "materials"
    assert (doc.level, doc.district) == ("市级", CITY)
    assert (doc.valid_from, doc.valid_until) == ("2026-01-01", "2030-12-31")


def test_clashing_labels_are_lengthened():
    text = (
        "某区若干措施\n\n一、产业支持\n\n(一)制造业\n\n1.技改补贴。给予补贴。\n\n2.首台套奖励。给予奖励。\n\n"
        "二、人才支持\n\n(一)引进人才\n\n1.安家补贴。给予补贴。\n\n2.租房补贴。给予补贴。\n"
    )
    doc = build(text, district="闵行区")
    assert [m.clause for m in doc.measures] == ["一、(一)1.", "一、(一)2.", "二、(一)1.", "二、(一)2."]
    assert len({m.measure_id for m in doc.measures}) == 4


# ---------------------------------------------------------------- level and district


def test_city_plan_that_mentions_a_district_is_city_level():
    plan = plan_only("shi_lvdian_xiaofei_shishi_yijian_2024", "上海市促进绿色电力消费加快能源低碳转型实施意见")
    plan = plan.replace("探索海洋能利用试点示范。", "探索海洋能利用试点示范,鼓励浦东新区先行先试。", 1)
    doc = build(plan)
    assert (doc.level, doc.district) == ("市级", CITY)
    assert all(m.level == "市级" for m in doc.measures)


def test_district_and_city_options():
    plan = plan_only("songjiang_jinrong_ruogan_2025", "高质量发展的若干措施")
    with pytest.raises(BadInput) as e:
        build(plan)  # nothing says which district: ask
    assert "--district" in str(e.value) and "上海市" in str(e.value)
    for v in ("上海市", "全市", "市级"):
        d = build(plan, district=v)
        assert (d.district, d.level) == (CITY, "市级")
    d = build(plan, district="松江")
    assert (d.district, d.level) == ("松江区", "区级")
    with pytest.raises(BadInput):
        build(plan, district="火星区")


def test_zone_documents_name_their_districts():
    text = (
        "中国(上海)自由贸易试验区临港新片区管理委员会关于支持企业发展的若干措施\n\n"
        "一、支持内容\n\n1.落户奖励。对新落户企业给予最高100万元奖励。\n\n2.租金补贴。给予租金补贴。\n"
    )
    parsed = parse_document(repair(text).text, district_forms())
    assert parsed.level == "区级" and parsed.district == "浦东新区"
    assert "奉贤区" in parsed.districts and "闵行区" in parsed.districts


def test_attached_form_fields_are_not_measures():
    text = (
        "关于开展2026年度闵行区人才安居补贴申报的通知\n\n各有关单位:\n\n"
        "一、支持内容\n\n1.租房补贴。对符合条件的人才按每月最高3000元给予租房补贴,期限三年。\n\n"
        "2.购房补贴。对首次购房的人才给予一次性购房补贴最高50万元。\n\n"
        "上海市闵行区人才工作局\n\n2026年3月1日\n\n附件\n\n1.姓名\n\n2.身份证号\n\n3.工作单位\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["1.", "2."]
    assert sum(1 for s in doc.skipped if s.kind == "attachment") == 3
    assert doc.district == "闵行区"


def test_a_measure_that_mentions_validity_is_not_closing_matter():
    text = (
        "闵行区支持高新技术企业发展的若干措施\n\n一、支持内容\n\n1.高企奖励。对首次认定的高新技术企业给予20万元奖励。\n\n"
        "本市高新技术企业证书有效期内迁入本区的,给予10万元奖励。\n\n2.研发补贴。按研发投入的10%给予补贴。\n\n"
        "二、附则\n\n本措施自2026年1月1日起施行,有效期至2027年12月31日。\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["1.", "2."]
    assert "证书有效期内迁入本区" in doc.measures[0].text
    assert doc.valid_until == "2027-12-31"


def test_attachment_heading_with_its_name_starts_the_plan():
    plan = plan_only("songjiang_lvse_ditan_ruogan_2025", "松江区关于支持经济社会绿色低碳发展的若干措施")
    body = plan.split("\n", 1)[1]  # without its own title line
    notice = (
        "上海市松江区发展和改革委员会关于做好绿色低碳政策落实工作的通知\n\n"
        "一、提高认识。各单位要充分认识做好绿色低碳工作的重要性。\n\n二、抓好落实。请按附件要求组织实施。\n\n"
    )
    doc = build(notice + "附件1:松江区关于支持经济社会绿色低碳发展的若干措施(试行)\n\n" + body)
    assert len(doc.measures) == 15
    assert [s.label for s in doc.skipped if s.kind == "notice"] == ["一、", "二、"]


def test_a_plan_followed_by_a_second_plan_keeps_both():
    a = (
        "闵行区支持集成电路产业发展的若干措施\n\n一、支持内容\n\n1.流片补贴。对企业首轮流片费用给予最高30%的补贴。\n\n"
        "2.设备补贴。对购置关键设备给予最高20%的补贴。\n\n3.人才奖励。对核心团队给予最高100万元奖励。\n\n"
        "4.场地补贴。对租赁研发用房给予三年租金补贴。\n\n"
    )
    b = (
        "附件\n\n闵行区支持生物医药产业发展的若干措施\n\n一、支持内容\n\n1.临床试验补贴。对开展临床试验的项目给予最高500万元补贴。\n\n"
        "2.上市奖励。对获批上市的创新药给予最高1000万元奖励。\n"
    )
    doc = build(a + b)
    assert len(doc.measures) == 6
    assert [m.clause for m in doc.measures][-2:] == ["附件/1.", "附件/2."]
    assert len({m.measure_id for m in doc.measures}) == 6


def test_parts_sections_and_numeral_dots():
    text = (
        "奉贤区促进某产业发展的实施细则\n\n第一部分 总体要求\n\n坚持市场主导。\n\n第二部分 支持政策\n\n"
        "第一节 产业扶持\n\n一.研发补贴。按研发投入给予最高10%的补贴。\n\n二.首台套奖励。给予最高200万元奖励。\n\n"
        "第二节 人才扶持\n\n一.安家补贴。给予最高50万元安家补贴。\n\n第三部分 附则\n\n本细则由区经委负责解释。\n"
    )
    doc = build(text)
    assert len(doc.measures) == 3
    assert len({m.clause for m in doc.measures}) == 3
    labels = {s.label: s.kind for s in doc.skipped}
    assert labels["第一部分"] == "preamble" and labels["第三部分"] == "closing"
    assert labels["第二部分第一节"] == "heading"
    assert doc.district == "奉贤区"


def test_document_order_where_it_deviates():
    """Topics 1. 2. 3. with (一)(二) items under each: here (一) ranks below 1."""
    text = (
        "宝山区促进某产业发展的若干措施\n\n1.支持研发\n\n(一)研发补贴。按研发投入给予10%补贴。\n\n(二)平台奖励。给予最高100万元奖励。\n\n"
        "2.支持人才\n\n(一)安家补贴。给予最高50万元。\n\n(二)租房补贴。给予三年租房补贴。\n\n"
        "3.支持融资\n\n(一)贷款贴息。给予50%贴息。\n"
    )
    doc = build(text)
    assert len(doc.measures) == 5
    assert [s.label for s in doc.skipped if s.kind == "heading"] == ["1.", "2.", "3."]
    assert "支持人才" not in doc.measures[1].text


def test_standard_order_kept_when_numbering_restarts_under_sub_headings():
    """3. (一) 1. 2. (二) 1.: the items restart under each (一), so (一) is not under 3."""
    text = (
        "宝山区某专项资金申报指南\n\n一、支持内容\n\n1.研发补贴。按研发投入给予10%补贴。\n\n2.平台奖励。给予最高100万元奖励。\n\n"
        "二、申报材料\n\n1.申请表;\n\n2.营业执照;\n\n3.专项材料:\n\n(一)研发补贴\n\n1.研发费用审计报告;\n\n2.发票。\n\n"
        "(二)平台奖励\n\n1.平台认定文件;\n\n2.运营报告。\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["一、1.", "一、2."]
    assert doc.numbering == []


def test_items_without_any_chapter():
    text = (
        "青浦区关于支持跨境电商发展的若干措施\n\n为支持跨境电商发展,制定本措施。\n\n"
        "1.支持平台落户。对新落户的跨境电商平台给予最高200万元奖励。\n\n"
        "2.支持海外仓建设。对自建海外仓给予最高100万元补贴。\n\n本措施自2026年1月1日起施行,有效期三年。\n"
    )
    doc = build(text)
    assert [m.clause for m in doc.measures] == ["1.", "2."]
    assert "有效期" not in doc.measures[-1].text
    assert (doc.valid_from, doc.valid_until) == ("2026-01-01", "2028-12-31")


def test_application_notice_items_are_work_instructions_unless_they_grant():
    head = "关于开展2026年度长宁区文化创意产业项目申报工作的通知\n\n各有关单位:\n\n为促进文化创意产业发展,现就申报工作通知如下:\n\n"
    work = (
        "一、加强组织。各街道要做好政策宣传和项目初审,于2026年5月底前报送区文旅局。\n\n"
        "二、严格把关。区文旅局会同区财政局做好项目审核和资金拨付。\n\n"
        "三、联系方式\n\n联系人:张老师,联系电话:22050000。\n\n上海市长宁区文化和旅游局\n\n2026年4月1日\n"
    )
    doc = build(head + work)
    assert [m.clause for m in doc.measures] == ["通知"]
    assert [s.kind for s in doc.skipped if s.label in ("一、", "二、")] == ["notice", "notice"]
    assert "联系电话:22050000" in doc.measures[0].text
    grant = (
        "一、支持内容\n\n1.原创作品奖励。对获得国家级奖项的作品给予最高50万元奖励。\n\n"
        "2.平台补贴。对新建文创平台给予最高100万元补贴。\n\n二、申报材料\n\n1.申请表。\n\n"
        "上海市长宁区文化和旅游局\n\n2026年4月1日\n"
    )
    doc = build(head + grant)
    assert [m.clause for m in doc.measures] == ["一、1.", "一、2."]


def test_contact_lines_after_the_last_item_are_the_documents():
    body = corpus_body("jinshan_yingshang_huanjing_xingdong_2024")  # ends with item 27.
    base = build(body)
    doc = build(body.rstrip("\n") + "\n\n联系人:李老师\n\n联系电话:57700000\n")
    assert [m.text for m in doc.measures] == [m.text for m in base.measures]


def test_damaged_and_spliced_documents_never_crash():
    """Corpus and seed texts cut, shuffled, thinned and spliced into each other: every one is
    read (unique ids) or refused with a BadInput message — never another exception."""
    import random

    rnd = random.Random(7)
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8-sig") for p in SEEDS]
    read = 0
    for it in range(60):
        lines = rnd.choice(texts).split("\n")
        op = it % 5
        if op == 0:
            rnd.shuffle(lines)
        elif op == 1:
            lines = lines[: rnd.randint(1, len(lines))]
        elif op == 2:
            lines = lines[rnd.randint(0, len(lines) - 1) :]
        elif op == 3:
            lines = [ln for ln in lines if rnd.random() > 0.3]
        else:
            k = rnd.randint(0, len(lines))
            lines = lines[:k] + rnd.choice(texts).split("\n") + lines[k:]
        try:
            doc = build("\n".join(lines), district=rnd.choice([None, "上海市", "徐汇区"]))
        except BadInput as e:
            assert str(e)
            continue
        ids = [m.measure_id for m in doc.measures]
        assert len(ids) == len(set(ids))
        read += 1
    assert read > 30
