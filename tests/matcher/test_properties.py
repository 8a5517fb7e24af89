"""Laws, checked by Hypothesis on inputs nobody wrote by hand (issue 18).

* :func:`matcher.common.text.repair` is idempotent, and keeps every CJK character it does
  not say it repaired;
* :func:`matcher.common.text.normalize` is idempotent;
* :func:`matcher.profile.resolver.resolve_district` maps every spelling of a district (the
  name, each alias of ``resources/profile.toml``, their Traditional forms, with spaces,
  full-width letters, quotes and a 上海市 prefix) to the district's canonical name;
* :func:`matcher.common.encodings.decode_text` never raises anything but ``BadInput``;
* :func:`matcher.rules.sme.classify` is monotone: with every figure a row uses given, more
  employees, revenue or assets never give a smaller class (the 2011 standard's conditions
  are "以下" ceilings for 中小微 and "及以上" floors for 中型/小型, each monotone in its figure,
  so the class is — /work/shared/facts/sme-size-2011.md).

A counterexample Hypothesis found once is kept as an ``@example`` under the law it broke.
"""

from __future__ import annotations

import codecs
import unicodedata

import opencc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matcher.common.chars import is_cjk
from matcher.common.encodings import decode_text
from matcher.common.text import normalize, repair
from matcher.errors import BadInput
from matcher.profile.resolver import resolve_district
from matcher.rules.profile_rules import load_profile_rules
from matcher.rules.sme import SIZES, load_size_table
from matcher.rules.sme import classify as classify_size


# The autouse fixture (a POLICYDESK_HOME per test) is set up once per test, not per example:
# none of these functions reads or writes the user's folders.
def laws(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ── text: the kinds of damage repair() knows, and characters from everywhere else ──────────

_SIMPLIFIED = "的一是在不了有和人这中大为上个国我以要企业支持发展资金补贴人才项目区市"
_TRADITIONAL = "這個們來時為說對會發動國與頭邊條義變結題數員總處還見計別運農區強專職務營環創優質讓經濟資"
_PIECES = [
    *_SIMPLIFIED,
    *_TRADITIONAL,
    "?",
    "??",
    "？",
    "？？",
    " ",
    "\u3000",
    "\t",
    "\n",
    "\r\n",
    "\n\n\n",
    "(",
    ")",
    "（",
    "）",
    "(huán)",
    "(yōu)",
    "（kuò）",
    "(ai)",
    "(APP)",
    *"aeiouüāáǎàōóǒò",
    *",。、;:!“”《》",
    *"ＡＢ１２：，",
    *"①②⑳",
    *"ㄅㄆ─│あアΩ",  # odd characters: what a late-decoded GBK run leaves
    "\ue000",
    "\ufffd",
    "\uf900",  # a CJK compatibility ideograph (NFKC: 豈)
    "\u2f9e",  # a Kangxi radical (NFKC: 車, a Traditional character)
    "字号:",
    "分享:",
    "来源:",
    "点赞3 收藏2",
    "https://example.org/a?id=1",
]

texts = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.characters(exclude_categories=["Cs"])), max_size=30).map("".join),
)


def _cjk(s: str) -> list[str]:
    return [c for c in s if is_cjk(c)]


@laws(200)
@given(texts)
@example("的（kuò）")  # a reading in full-width brackets was left, then dropped by the second pass
@example("？？")  # NFKC made a question mark "?", which the second pass took for lost characters
@example("﹖﹖正文")  # the same with the small question mark
@example("⾞")  # NFKC after Traditional → Simplified: the Kangxi radical became 車, left Traditional
@example("的(huán)(huán)")  # the second reading came next to the character once the first was dropped
@example("的(huán)??")  # the second pass decoded "??" (nothing but lost bytes) into 确, from context alone
@example("的(huán)??(huán)")  # a "?" after a reading was not read as next to Chinese text, until the reading went
@example("的??人時(huán)")  # a solved run left the other "?" next to new neighbours: the next pass solved it again
def test_repair_is_idempotent(raw):
    once = repair(raw).text
    twice = repair(once)
    assert twice.text == once
    assert not twice.repairs, f"repaired text was repaired again: {twice.repairs}"


def test_a_full_width_question_mark_is_a_question_not_a_lost_character():
    rep = repair("企业如何申请？请咨询窗口。\n")
    assert rep.text == "企业如何申请？请咨询窗口。\n"
    assert not rep.unrepaired and not rep.repairs
    rep = repair("如何申请﹖符合条件吗⁇\n")
    assert rep.text == "如何申请？符合条件吗？？\n" and not rep.unrepaired


@laws(200)
@given(texts)
def test_repair_keeps_every_cjk_character_it_does_not_repair(raw):
    """Only the repairs that rewrite or drop Chinese characters (mojibake, Traditional →
    Simplified, page furniture) may change the document's CJK characters; NFKC (reported as
    punctuation) only folds compatibility forms. Without them, the CJK characters come out
    exactly as they went in, in order."""
    rep = repair(raw)
    if {"mojibake", "traditional", "furniture"} & set(rep.repairs):
        return
    assert _cjk(rep.text) == _cjk(unicodedata.normalize("NFKC", raw))


@laws(200)
@given(
    st.text(alphabet=st.sampled_from([*_SIMPLIFIED, *",。、(1)"]), min_size=1, max_size=120),
    st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["?", "??"])), min_size=1, max_size=6),
)
@example("支持企业的研发发展。", [(5, "??")])  # was "支持企业的并发展。": a character made up from the context
def test_lost_characters_are_reported_never_invented(text, losses):
    """Characters lost in transcoding ("?" for each, in clean text: no odd characters, no
    readings) leave no trace of what they were: repair keeps every other character and
    reports each "?" it cannot place, and decodes nothing."""
    chars = list(text)
    for at, mark in losses:
        i = at % len(chars)
        chars[i] = mark
    damaged = "".join(chars)
    rep = repair(damaged)
    assert "mojibake" not in rep.repairs
    assert _cjk(rep.text) == _cjk(damaged)
    assert rep.text.count("?") + rep.repairs.get("lost_space", 0) == damaged.count("?")
    assert len(rep.unrepaired) >= (1 if "?" in rep.text else 0)


@laws(300)
@given(texts)
@example("的(huán)(huán)")  # the second reading came next to the character once the first was dropped
def test_normalize_is_idempotent(s):
    once = normalize(s)
    assert normalize(once) == once


# ── districts: every spelling resolves to the canonical name ───────────────────────────────

_T = opencc.OpenCC("s2t")
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def _spellings() -> list[tuple[str, str]]:
    """(spelling, canonical district) for the name and every alias, and their Traditional forms."""
    out = []
    for d in load_profile_rules().districts:
        for word in [d.name, *d.aliases]:
            out += [(word, d.name), (_T.convert(word), d.name)]
    return out


SPELLINGS = _spellings()


@st.composite
def district_spellings(draw):
    word, canonical = draw(st.sampled_from(SPELLINGS))
    if draw(st.booleans()):
        word = "".join(_FULL_WIDTH.get(c, c) for c in word)
    if word.isascii() or all(ord(c) > 0xFF00 for c in word):
        word = draw(st.sampled_from([word, word.upper(), word.lower(), word.swapcase()]))
    if draw(st.booleans()):  # the city written before the district
        word = draw(st.sampled_from(["上海市", "上海", "上海 市", "上海\u3000", "上海市 "])) + word
    chars = list(word)
    for _ in range(draw(st.integers(0, 3))):  # spaces anywhere: ASCII, full-width, tabs
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\u3000", "\t", "  "])))
    if draw(st.booleans()):
        q = draw(st.sampled_from(['""', "“”", "「」", "''"]))
        chars = [q[0], *chars, q[1]]
    return "".join(chars), canonical


@laws(200)
@given(district_spellings(), st.booleans())
@example(("上海 市虹口区", "虹口区"), False)  # the city prefix was matched before spaces were dropped
def test_every_district_spelling_resolves_to_its_name(spelling, city):
    written, canonical = spelling
    assert resolve_district(written, city=city) == canonical


def test_the_spellings_cover_every_district():
    rules = load_profile_rules()
    assert {c for _, c in SPELLINGS} == set(rules.district_names())
    assert len(rules.district_names()) == 16
    assert ("虹口區", "虹口区") in SPELLINGS and ("闸北", "静安区") in SPELLINGS


# ── decoding bytes: a clear refusal or text, never a crash ─────────────────────────────────

_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-32", "latin-1"]


@st.composite
def file_bytes(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:  # bytes without NUL (most of them reach the trial decodings)
        return draw(st.binary(max_size=200)).replace(b"\x00", b"")
    text = draw(texts)
    data = text.encode(draw(st.sampled_from(_ENCODINGS)), errors="replace")
    if kind == 3 and data:  # damaged: cut, spliced or with a BOM that lies
        cut = draw(st.integers(0, len(data)))
        data = draw(st.sampled_from([data[:cut], data[cut:], codecs.BOM_UTF8 + data, codecs.BOM_UTF16_LE + data]))
    return data


@laws(300)
@given(file_bytes())
def test_decoding_any_bytes_gives_text_or_bad_input(data):
    try:
        text = decode_text(data, "x.txt")
    except BadInput as e:
        assert "x.txt" in str(e) and "可接受的格式" in str(e)
    else:
        assert isinstance(text, str)


_WRITING = st.text(alphabet=st.sampled_from([*_SIMPLIFIED, *_TRADITIONAL, *"abc 123,.\n", *",。、:“”"]), max_size=80)


@laws(200)
@given(_WRITING, st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]))
def test_text_with_a_byte_order_mark_decodes_to_itself(text, enc):
    assert decode_text(text.encode(enc)) == text


# ── the SME size classes: monotone in every figure ─────────────────────────────────────────

_RANK = {s: i for i, s in enumerate(reversed(SIZES))}  # 微型 0 … 大型 3
GROUPS = [g.name for g in load_size_table().groups]
figures = st.one_of(st.integers(0, 300_000).map(float), st.floats(0, 300_000, allow_nan=False))
thresholds = sorted(
    {c.value for g in load_size_table().groups for c in [*g.sme_any, *g.medium_all, *g.small_all, *g.micro_any]}
)
near_threshold = st.sampled_from(thresholds).flatmap(lambda v: st.sampled_from([v - 1, v, v + 0.5, v + 1]))
figure = st.one_of(figures, near_threshold.filter(lambda v: v >= 0))


@laws(200)
@given(
    st.sampled_from(GROUPS),
    st.tuples(figure, figure, figure),
    st.sampled_from(["employees", "revenue", "assets"]),
    figure,
)
def test_more_employees_revenue_or_assets_never_give_a_smaller_class(group, base, which, more):
    x, y, z = base
    before = classify_size(group, x, y, z)
    bigger = {"employees": x, "revenue": y, "assets": z}
    bigger[which] += more
    after = classify_size(group, **bigger)
    assert before.size is not None and after.size is not None, "every figure given: a size is decided"
    assert _RANK[after.size] >= _RANK[before.size], (before.rule, after.rule)


@pytest.mark.parametrize("group", GROUPS)
def test_the_extremes_are_micro_and_large(group):
    """The floor and the ceiling of each row: nothing at all is 微型, everything huge is 大型."""
    assert classify_size(group, 0, 0, 0).size == "微型"
    assert classify_size(group, 10**7, 10**9, 10**9).size == "大型"
