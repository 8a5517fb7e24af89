"""The one normaliser and repairer, used at ingest and at query time.

:func:`repair` takes a whole document as collected and returns clean Simplified Chinese
with a count of every repair made and a list of the spots it could not repair.
:func:`normalize` is the light normaliser for what a user types (and for lookups):
NFKC, Traditional→Simplified, punctuation and white space.

Damage handled (all detected, never placed by position):

``mojibake``
    a run of GBK text decoded one byte late: a ``?`` where a lead byte was lost, then odd
    characters (bopomofo, box drawing, kana, Private Use Area …). The run is re-encoded to
    its bytes (:mod:`matcher.common.gbk_legacy`), the lost byte is put back and the bytes are
    decoded again. Which lost byte, where the run ends, whether an ASCII letter was a
    half-width copy of a full-width one, and a byte swallowed by a second ``?`` are chosen
    by a small search scored on how ordinary the decoded text is in this very document
    (its own characters and character pairs) and on the pinyin annotations that follow.
``pinyin``
    ``環(huán)``: a reading in ASCII brackets after a character; the reading is dropped.
``lost_space``
    ``??`` standing for lost full-width indentation spaces at the start of a line.
``traditional``
    characters OpenCC's t2s changes.
``punctuation`` / ``whitespace``
    NFKC folding (full-width brackets, colons, commas, digits, letters), stray spaces. Kept
    as written: circled numbers (list markers) and the full-width question mark, which the
    other question marks (﹖ ⁇ …) become (NFKC's ``?`` is what a lost character looks like).
``furniture``
    web-page furniture lines: ``字号:``, ``分享:``, ``相关附件``, ``点赞0 收藏0`` …
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from matcher.common.chars import _PINYIN_ANNOT_RE, _PINYIN_CHARS, _TONED, is_odd, is_pinyin, is_pua, to_simplified
from matcher.common.mojibake import _as_is_score, _Context, _in_chinese_context, _solve
from matcher.models import RepairReport, Spot

# --------------------------------------------------------------------------- repair

_FURNITURE_RE = re.compile(
    r"^\s*(?:字号\s*[::].*|分享\s*[::]?.*|相关附件\s*|打印本页|关闭窗口|【?(?:打印|关闭)】?|"
    r"(?:点赞\s*\d+\s*)?(?:收藏\s*\d+\s*)?|浏览次数\s*[::]?\s*\d*|"
    r"(?:来源|发布时间|访问量)\s*[::].{0,40})\s*$"
)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _snippet(text: str, index: int, width: int = 12) -> str:
    a = max(0, index - width)
    return text[a : index + width].replace("\n", "⏎")


# What each repair kind is called in the product's output (CLI, GUI, reports).
REPAIR_LABELS = {
    "pinyin": "删除拼音注音",
    "mojibake": "修复乱码",
    "traditional": "繁体转简体",
    "punctuation": "标点规范化",
    "whitespace": "空白整理",
    "lost_space": "修复丢失的空格",
    "furniture": "删除网页残留",
}


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: characters NFKC would fold into something else that means something else: circled numbers
#: are list markers (NFKC: plain digits), and a full-width question mark is a question (NFKC:
#: "?", which in repaired text stands for a character lost in transcoding)
_NOT_FOLDED = _CIRCLED + "？"
#: the other question marks NFKC would make "?" of: the full-width one instead
_QUESTION_MARKS = str.maketrans({"﹖": "？", "︖": "？", "⁇": "？？", "⁈": "？!", "⁉": "!？"})


def repair_label(kind: str) -> str:
    return REPAIR_LABELS.get(kind, kind)


def _drop_all(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern.sub`` until nothing changes: dropping 環(huán) from 環(huán)(huán) puts the
    second reading right after the character."""
    while (out := pattern.sub(repl, text)) != text:
        text = out
    return text


_MAX_PASSES = 8


def repair(raw: str) -> RepairReport:
    """Repair a whole document. See the module docstring for the kinds of damage.

    One pass can leave damage the next one reads differently: a solved mojibake run or a
    dropped reading puts a lost ``?`` next to new neighbours. So the passes are repeated
    while they still change the text (at most ``_MAX_PASSES``; the second pass of an
    ordinary document changes nothing and costs ~10 ms), and repairing the result again
    changes nothing. The counts add up over the passes; what is left unrepaired is the
    last pass's, with the guesses of every pass."""
    rep = _repair_once(raw)
    counts: Counter = Counter(rep.repairs)
    guesses = [s for s in rep.unrepaired if s.why.startswith(_GUESS)]
    for _ in range(_MAX_PASSES - 1):
        if not rep.repairs:
            break
        again = _repair_once(rep.text)
        if again.text == rep.text:
            break
        counts.update(again.repairs)
        guesses += [s for s in again.unrepaired if s.why.startswith(_GUESS)]
        rep = again
    uniq: dict[tuple[int, str], Spot] = {}
    for spot in [*guesses, *rep.unrepaired]:
        uniq.setdefault((spot.line, spot.snippet), spot)
    return RepairReport(text=rep.text, repairs=dict(counts), unrepaired=list(uniq.values()))


_GUESS = "乱码已解开"


def _repair_once(raw: str) -> RepairReport:
    """One pass of every step over ``raw``."""
    counts: Counter = Counter()
    spots: list[Spot] = []
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    # 1. lost full-width indentation spaces: "??" at the start of a line, then plain text
    def _lost_space(m: re.Match) -> str:
        after = m.string[m.end() : m.end() + 8]
        if any(is_odd(c) for c in after[:6]):
            return m.group(0)  # a mojibake run starts here; leave it to step 2
        counts["lost_space"] += len(m.group(2))
        return m.group(1)

    text = re.sub(r"(?m)^([ \t\u3000]*)(\?+)(?=\S)", _lost_space, text)

    # 2. one-byte-off GBK runs
    ctx = _Context.of(text)
    guess_notes: list[tuple[int, str, list[str]]] = []
    pieces: list[str] = []
    pos = 0
    i = text.find("?")
    while i != -1:
        if i >= pos and _in_chinese_context(text, i):
            fix = _solve(text, i, ctx)
            if fix is not None and fix.score - _as_is_score(text[i : fix.end], ctx, text[max(0, i - 3) : i]) >= 6.0:
                pieces.append(text[pos:i])
                pieces.append(fix.replacement)
                pos = fix.end
                counts["mojibake"] += 1
                if fix.alternatives:
                    guess_notes.append((i, fix.replacement[:1], fix.alternatives))
                i = text.find("?", pos)
                continue
        i = text.find("?", i + 1)
    pieces.append(text[pos:])
    text = "".join(pieces)

    for _i, guess, alts in guess_notes:
        g = to_simplified(guess)
        at = text.find(guess, max(0, _i - 20))
        spots.append(
            Spot(
                line=_line_of(text, at if at >= 0 else _i),
                snippet=to_simplified(_snippet(text, at if at >= 0 else _i)),
                why=f"{_GUESS},但丢失字节所在的字无法确定:按上下文取“{g}”,也可能是"
                + "、".join(f"“{to_simplified(a)}”" for a in alts)
                + ",请核对原文",
            )
        )

    # 3. punctuation (NFKC), before the steps that read characters: it makes brackets ASCII
    # and can turn a compatibility form into a Traditional character (⾞ → 車)
    nf = "".join(
        p if p and p in _NOT_FOLDED else unicodedata.normalize("NFKC", p)
        for p in re.split(f"([{_NOT_FOLDED}])", text.translate(_QUESTION_MARKS))
    )
    if nf != text:
        counts["punctuation"] += sum(1 for a, b in zip(text, nf) if a != b) if len(nf) == len(text) else 1
    text = nf

    # 4. pinyin annotations
    def _pinyin(m: re.Match) -> str:
        if is_pinyin(m.group(1)):
            counts["pinyin"] += 1
            return ""
        return m.group(0)

    text = _drop_all(_PINYIN_ANNOT_RE, _pinyin, text)

    # 5. Traditional → Simplified
    simp = to_simplified(text)
    if simp != text:
        counts["traditional"] += sum(1 for a, b in zip(text, simp) if a != b) if len(simp) == len(text) else 1
    text = simp

    # 6. white space
    lines_out = []
    for line in text.split("\n"):
        stripped = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        # no spaces between CJK characters and Chinese punctuation
        stripped2 = re.sub(r"\s+(?=[、。,:;)!?？])|(?<=[、。,:;(])\s+", "", stripped)
        if stripped2 != line:
            counts["whitespace"] += 1
        lines_out.append(stripped2)
    # 7. page furniture
    kept = []
    for line in lines_out:
        if line and _FURNITURE_RE.match(line):
            counts["furniture"] += 1
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    # 8. what is left: report every spot that still looks damaged
    urls = [m.span() for m in re.finditer(r"https?://[\x21-\x7e]+", text)]
    for m in re.finditer(r"\?+", text):
        if any(a <= m.start() < b for a, b in urls):
            continue  # the query string of a link, not a lost character
        spots.append(
            Spot(
                line=_line_of(text, m.start()),
                snippet=_snippet(text, m.start()),
                why="“?”代表一个丢失的字符,无法确定原字",
            )
        )
    for idx, ch in enumerate(text):
        if is_pua(ch) or ch == "\ufffd":
            spots.append(
                Spot(line=_line_of(text, idx), snippet=_snippet(text, idx), why=f"无法还原的乱码字符 U+{ord(ch):04X}")
            )
    for m in re.finditer(f"\\(([{_PINYIN_CHARS}]{{1,7}})\\)", text):
        if is_pinyin(m.group(1)) and re.search(f"[{_TONED}]", m.group(1)):
            spots.append(
                Spot(
                    line=_line_of(text, m.start()),
                    snippet=_snippet(text, m.start()),
                    why="残留的拼音注音,前面的字已丢失",
                )
            )
    # merge spots on the same line and position
    uniq: dict[tuple[int, str], Spot] = {}
    for s in spots:
        uniq.setdefault((s.line, s.snippet), s)
    return RepairReport(text=text, repairs=dict(counts), unrepaired=list(uniq.values()))


def normalize(s: str) -> str:
    """Normalise user input or a short string the same way documents are: NFKC, t2s, spaces."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)  # first, as in repair(): ⾞ → 車 is Traditional
    s = to_simplified(_drop_all(_PINYIN_ANNOT_RE, lambda m: "" if is_pinyin(m.group(1)) else m.group(0), s))
    s = re.sub(r"\s+", " ", s).strip()
    return s


def residual_problems(s: str) -> list[str]:
    """What still looks damaged in ``s`` (used by tests and kb stats)."""
    probs = []
    if any(is_pua(c) for c in s):
        probs.append("私用区字符")
    if "?" in s or "\ufffd" in s:
        probs.append("问号/替换字符")
    if re.search(f"[\u3400-\u9fff]\\([{_PINYIN_CHARS}]*[{_TONED}][{_PINYIN_CHARS}]*\\)", s):
        probs.append("拼音注音")
    if to_simplified(s) != s:
        probs.append("繁体字")
    return probs
