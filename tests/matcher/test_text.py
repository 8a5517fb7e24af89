"""Text repair: each kind of damage, on the real seeds and on text made elsewhere."""

import re
from pathlib import Path

import pytest

from matcher.common.gbk_legacy import char_bytes
from matcher.common.text import is_pinyin, normalize, repair, residual_problems, to_simplified

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def one_byte_off(original: str, lost: int = 0xA1) -> str:
    """Damage ``original`` the way 004 was damaged: GBK bytes, first byte replaced by "?"."""
    b = original.encode("gb18030")
    assert b[0] == lost
    return "?" + b[1:].decode("gb18030", errors="replace")


@pytest.fixture(scope="module")
def repaired():
    return {p: repair(seed(p)) for p in ["000", "001", "002", "003", "004"]}


def test_seed_texts_have_no_residual_damage(repaired):
    """After repair no seed holds PUA, "?", pinyin annotations or Traditional characters."""
    for prefix, rep in repaired.items():
        assert residual_problems(rep.text) == [], prefix
        assert rep.unrepaired == [], (prefix, rep.unrepaired)


def test_004_headings_repaired(repaired):
    """The mojibake headings of Xuhui 2025 come back as "(一)激发科创生态活力" etc."""
    text = repaired["004"].text
    assert "(一)激发科创生态活力" in text
    assert "(三)保障企业合法权益" in text  # a run that ASCII-folded a full-width letter
    assert "(一)优化空间布局" in text  # a run whose last byte was swallowed
    assert "(三)实施评价“晾晒”" in text  # PUA from the legacy GBK table
    assert repaired["004"].repairs["mojibake"] >= 24
    headings = re.findall(r"^\([一二三四]\)", text, re.M)
    assert len(headings) == 34


def test_004_mid_sentence_spots(repaired):
    text = repaired["004"].text
    assert "投资上海”等营商环境" in text
    assert "拓展营商环境专栏" in text
    assert "纳入区级住所标准化登记信息库" in text
    assert "项目库和专家库,鼓励" in text


def test_002_traditional_pinyin_and_lost_spaces(repaired):
    rep = repaired["002"]
    assert rep.text.startswith("嘉定区加强集成创新持续优化营商环境行动方案")
    assert rep.repairs["pinyin"] > 800
    assert rep.repairs["lost_space"] > 50
    assert rep.repairs["traditional"] > 2000
    assert "推动重点领域实现信用监管全覆盖" in rep.text
    assert "土地等领域审批管理流程" in rep.text


def test_page_furniture_dropped(repaired):
    assert "点赞" not in repaired["003"].text
    for p in ("000", "002"):
        assert "字号" not in repaired[p].text
        assert "相关附件" not in repaired[p].text
        assert "分享" not in repaired[p].text.splitlines()[-1]


def test_clean_text_untouched(repaired):
    """Xuhui 2022 is clean: nothing to repair, text kept."""
    assert repaired["001"].repairs.get("mojibake", 0) == 0
    assert "着力打造公平竞争的市场环境" in repaired["001"].text


# --- each repair kind on text it did not come from ------------------------------------


def test_mojibake_heading_on_new_text():
    original = "\u3000（二）推進綠色金融發展。支持企業發行綠色債券。"
    damaged = "前文。\n" + one_byte_off(original) + "\n"
    assert "?" in damaged
    rep = repair(damaged)
    assert "(二)推进绿色金融发展。支持企业发行绿色债券。" in rep.text
    assert rep.repairs.get("mojibake") == 1


def test_mojibake_unrepairable_is_reported_not_dropped():
    text = "第一段。\n本市将推动?\ue000\ue001\ue002\ue003工作落实。\n"
    rep = repair(text)
    assert rep.unrepaired, "a spot that cannot be repaired must be reported"
    assert rep.unrepaired[0].line == 2
    assert "推动" in rep.unrepaired[0].snippet


def test_question_mark_in_url_left_alone():
    rep = repair("详见 https://example.org/a.php?id=3 网页。\n")
    assert "a.php?id=3" in rep.text


def test_pinyin_annotation_on_new_text():
    rep = repair("支持優(yōu)質企業擴(kuò)大投資。\n")
    assert rep.text.strip() == "支持优质企业扩大投资。"
    assert rep.repairs["pinyin"] == 2


def test_bracketed_latin_that_is_not_pinyin_kept():
    rep = repair("推广电子营业执照(APP)和随申办(ai)应用。\n")
    assert "(APP)" in rep.text


def test_lost_spaces_on_new_text():
    rep = repair("??一、总体要求\n??以人民为中心。\n")
    assert rep.text.splitlines()[0] == "一、总体要求"
    assert rep.repairs["lost_space"] == 4


def test_traditional_to_simplified_and_punctuation():
    rep = repair("（一）優化營商環境：支持企業，擴大開放。\n")
    assert rep.text.strip() == "(一)优化营商环境:支持企业,扩大开放。"
    assert to_simplified(rep.text) == rep.text


def test_normalize_user_input():
    assert normalize(" 融資擔保 ") == "融资担保"
    assert normalize("ＡＢＣ１２３") == "ABC123"


def test_is_pinyin():
    assert is_pinyin("huán") and is_pinyin("lǐng") and is_pinyin("de")
    assert not is_pinyin("app") and not is_pinyin("xyz")


def test_legacy_gbk_pua_bytes():
    """PUA characters made by legacy GBK decoders map back to their bytes."""
    assert char_bytes("\ue7ea") == b"\xa9\x8c"
    assert char_bytes("\ue40c") == b"\xfd\xa3"
    assert char_bytes("。") == b"\xa1\xa3"
