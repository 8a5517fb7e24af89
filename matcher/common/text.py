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
    NFKC folding (full-width brackets, colons, commas, digits, letters), stray spaces.
``furniture``
    web-page furniture lines: ``字号:``, ``分享:``, ``相关附件``, ``点赞0 收藏0`` …
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.common.gbk_legacy import TRAIL_BYTES, char_bytes, decode_pair
from matcher.models import RepairReport, Spot

# --------------------------------------------------------------------------- helpers

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_CHARS = "a-z" + _TONED
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|uan|van|ian|iao|uai|ai|ei|ao|ou|an|en|in|un|vn|"
    "ia|ie|iu|ua|uo|ui|ve|ue|er|a|o|e|i|u|v|n|ng|m)"
)
_SYLLABLE_RE = re.compile(f"^{_INITIALS}{_FINALS}$")
_STRIP_TONES = str.maketrans({
    **{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěè"}, **{c: "i" for c in "īíǐì"},
    **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "ǖǘǚǜü"},
    **{c: "n" for c in "ńňǹ"}, "ḿ": "m",
})


def is_pinyin(s: str) -> bool:
    """True for one pinyin syllable with tone marks (or neutral tone), as annotations write it."""
    if not s or len(s) > 7 or not re.fullmatch(f"[{_PINYIN_CHARS}]+", s):
        return False
    return bool(_SYLLABLE_RE.match(s.translate(_STRIP_TONES)))


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF


def is_pua(ch: str) -> bool:
    o = ord(ch)
    return 0xE000 <= o <= 0xF8FF or 0xF0000 <= o <= 0x10FFFF


@lru_cache(maxsize=65536)
def is_odd(ch: str) -> bool:
    """Characters that ordinary Chinese policy prose does not contain but mojibake does."""
    o = ord(ch)
    return (
        is_pua(ch)
        or 0x2460 <= o <= 0x24FF      # enclosed alphanumerics ⒖
        or 0x2500 <= o <= 0x257F      # box drawing
        or 0x2E80 <= o <= 0x2FFF      # radicals, ideographic description
        or 0x3040 <= o <= 0x30FF      # kana
        or 0x3100 <= o <= 0x312F      # bopomofo
        or 0x3200 <= o <= 0x33FF      # enclosed CJK, compatibility
        or 0xFE10 <= o <= 0xFE4F      # vertical / compatibility forms
        or o == 0xFFFD
        or 0x0250 <= o <= 0x02FF      # IPA, modifier letters
        or 0x0370 <= o <= 0x04FF      # Greek, Cyrillic
        or 0x2200 <= o <= 0x22FF      # maths operators ∫
        or o in (0x00A7, 0x00A8, 0x00B0, 0x00B1, 0x00D7, 0x00F7)
    )


_PINYIN_ANNOT_RE = re.compile(f"(?<=[\u3400-\u9fff\uf900-\ufaff])\\(([{_PINYIN_CHARS}]{{1,7}})\\)")
_ORPHAN_PINYIN_RE = re.compile(f"^([{_PINYIN_CHARS}]{{1,7}})\\)")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(s: str) -> str:
    return _t2s().convert(s)


@lru_cache(maxsize=1)
def _char_readings() -> dict[int, str]:
    """pypinyin's single-character table, loaded without its (slow) phrase tables."""
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        return {}
    import json

    path = f"{list(spec.submodule_search_locations)[0]}/pinyin_dict.json"
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return {int(k): v for k, v in data.items()}


@lru_cache(maxsize=4096)
def _readings(ch: str) -> frozenset[str]:
    r = _char_readings().get(ord(ch))
    return frozenset(r.split(",")) if r else frozenset()


def reads_as(ch: str, syllable: str) -> bool | None:
    """Whether ``ch`` can be read ``syllable``; None if the dictionary does not know ``ch``."""
    rs = _readings(ch)
    if not rs:
        rs = _readings(to_simplified(ch))
    if not rs:
        return None
    syl = unicodedata.normalize("NFC", syllable)
    return syl in rs or syl.replace("ü", "u") in {unicodedata.normalize("NFC", r) for r in rs}


# --------------------------------------------------------------------------- mojibake

@dataclass
class _Context:
    """Character statistics of the undamaged part of a document."""

    uni: Counter
    bi: Counter
    memo: dict = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "_Context":
        plain = _PINYIN_ANNOT_RE.sub("", text)
        kinds = set(plain)
        odd = {c for c in kinds if is_odd(c)}
        cjk = {c for c in kinds if is_cjk(c)}          # never odd
        uni = Counter(plain)
        for c in odd:
            del uni[c]
        # adjacent CJK pairs (an odd character between two breaks the pair by itself)
        bi = Counter(a + b for a, b in zip(plain, plain[1:]) if a in cjk and b in cjk)
        return cls(uni, bi)

    def char_score(self, ch: str, prev: str) -> float:
        """How ordinary ``ch`` is here; ``prev`` is up to three characters before it."""
        key = (ch, prev)
        v = self.memo.get(key)
        if v is None:
            v = self.memo[key] = self._char_score(ch, prev)
        return v

    def _char_score(self, ch: str, prev: str) -> float:
        if is_odd(ch):
            return -12.0
        s = 0.0
        if is_cjk(ch):
            f = min(self.uni.get(ch, 0), 12)
            s += math.log1p(f) - 1.5   # a character the document never uses is suspect
            if prev and self.bi.get(prev[-1] + ch):
                s += 3.0
            # common words ending in ch, from a general dictionary (jieba's)
            words = _words()
            if words and prev:
                sc = _simp_char(ch)
                left = "".join(_simp_char(c) for c in prev[-3:])
                for k in (1, 2, 3):
                    if len(left) >= k and left[-k:] + sc in words:
                        s += 2.0
        elif ch in "\u3000()（）、,，。;；:：“”":
            s += 0.5
        elif ch.isascii():
            s -= 0.5
        else:
            s -= 2.0
        return s


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """Two- to four-character words of jieba's general dictionary (bundled, offline)."""
    try:
        # find the file without importing jieba (its import pulls in pkg_resources: 0.25 s)
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec("jieba")
        path = Path(spec.origin).parent / "dict.txt"
        data = path.read_text(encoding="utf-8")
        # one "word frequency tag" line per entry: every third token is a word
        tokens = data.split()
        if len(tokens) != 3 * data.count("\n") + (0 if data.endswith("\n") else 3):
            return frozenset(re.findall(r"^([^\s]{2,4}) ", data, re.M))   # another layout
        return frozenset(w for w in tokens[0::3] if 1 < len(w) < 5)
    except Exception:  # the dictionary only sharpens guesses; repair works without it
        return frozenset()


@lru_cache(maxsize=20000)
def _simp_char(ch: str) -> str:
    return to_simplified(ch) if not ch.isascii() else ch


@dataclass(order=True)
class _State:
    neg: float
    i: int = field(compare=False)            # next index in the damaged text
    pending: int | None = field(compare=False)
    out: str = field(compare=False)
    restore_paren: bool = field(compare=False, default=False)


def _interpretations(ch: str) -> list[bytes]:
    o = ord(ch)
    if o < 0x80:
        opts = [bytes([o])]
        if 0x21 <= o <= 0x7E:              # a full-width form folded to ASCII on the way
            opts.append(bytes([0xA3, o + 0x80]))
        return opts
    b = char_bytes(ch)
    return [b] if b else []


def _feed(pending: int | None, data: bytes) -> tuple[int | None, str] | None:
    out = []
    for byte in data:
        if pending is None:
            if byte < 0x80:
                out.append(chr(byte))
            else:
                pending = byte
        else:
            c = decode_pair(pending, byte)
            if c is None:
                return None
            out.append(c)
            pending = None
    return pending, "".join(out)


@dataclass
class _Fix:
    start: int          # index of the "?" in the text
    end: int            # index after the damaged region
    replacement: str
    score: float
    alternatives: list[str] = field(default_factory=list)  # other readings nearly as good


def _following_pinyin(text: str, j: int) -> str | None:
    m = re.match(f"\\(([{_PINYIN_CHARS}]{{1,7}})\\)", text[j:j + 10])
    return m.group(1) if m and is_pinyin(m.group(1)) else None


def _solve(text: str, q: int, ctx: _Context, max_len: int = 40) -> _Fix | None:
    """Best repair of the damaged run starting at the "?" at index ``q``."""
    j = q + 1
    skip = 0
    m = _ORPHAN_PINYIN_RE.match(text[j:j + 10])
    if m and is_pinyin(m.group(1)):
        skip = m.end()                  # a reading whose character was lost with the byte
    start = j + skip
    limit = min(len(text), start + max_len)
    prev_char = text[q - 1] if q > 0 else ""
    left_ctx = _PINYIN_ANNOT_RE.sub("", text[max(0, q - 12):q])[-3:]
    leads = [0xA1] + [b for b in range(0x81, 0xFF) if b != 0xA1]
    beam: list[_State] = []
    for lead in leads:
        beam.append(_State(0.0 if lead == 0xA1 else 0.8, start, lead, ""))
    finished: list[tuple[float, _State]] = []
    width = 60
    while beam:
        nxt: list[_State] = []
        for st in beam:
            if st.pending is None and st.i > start:
                # the decoder is aligned again: may the region end here?
                rest = text[st.i:st.i + 6]
                ok_rest = not any(is_odd(c) for c in rest[:4])
                if ok_rest:
                    bonus = 0.0
                    finished.append((st.neg - bonus, st))
            if st.i >= limit:
                continue
            ch = text[st.i]
            if ch == "\n":
                continue
            if ch == "?" and st.pending is not None:
                # a lead byte whose trail byte was lost together with the next byte
                syl = _following_pinyin("(" + text[st.i + 1:], 0)
                cands = []
                for t in TRAIL_BYTES:
                    c = decode_pair(st.pending, t)
                    if c is None or not is_cjk(c):
                        continue
                    if syl:
                        r = reads_as(c, syl)
                        if not r:
                            continue
                    cands.append(c)
                # several characters of one reading: keep the ones the document knows
                for c in cands:
                    prev = (left_ctx + st.out)[-3:]
                    s = ctx.char_score(c, prev) + (4.0 if syl else 0.0)
                    done = _State(st.neg - s, st.i + 1, None, st.out + c, bool(syl))
                    finished.append((done.neg, done))   # the swallowed byte ends the run
                continue
            for data in _interpretations(ch):
                fed = _feed(st.pending, data)
                if fed is None:
                    continue
                pending, out = fed
                s = 0.0
                prev = (left_ctx + st.out)[-3:]
                for c in out:
                    s += ctx.char_score(c, prev)
                    prev = (prev + c)[-3:]
                if len(data) == 2 and data[0] == 0xA3 and ch.isascii():
                    s -= 0.3                  # prefer the literal reading when equal
                nxt.append(_State(st.neg - s, st.i + 1, pending, st.out + out))
        nxt.sort()
        # collapse states that are the same situation
        seen = set()
        beam = []
        for st in nxt:
            key = (st.i, st.pending, st.out[-2:])
            if key in seen:
                continue
            seen.add(key)
            beam.append(st)
            if len(beam) >= width:
                break
    if not finished:
        return None
    best, best_h = None, 0.0
    for neg, st in finished:
        out = st.out + ("(" if st.restore_paren else "")
        # pinyin annotations right after the region must fit the last decoded character
        syl = _following_pinyin(text, st.i) if not st.restore_paren else None
        adj = 0.0
        if syl and out and is_cjk(out[-1]):
            r = reads_as(out[-1], syl)
            adj = 4.0 if r else (-8.0 if r is False else 0.0)
        # every annotation inside the decoded text must fit too
        for mm in re.finditer(f"([\u3400-\u9fff])\\(([{_PINYIN_CHARS}]+)\\)", out):
            r = reads_as(mm.group(1), mm.group(2))
            adj += 3.0 if r else (-8.0 if r is False else 0.0)
        total = -neg + adj
        # compare candidates over the same stretch of text: what a candidate leaves
        # undecoded up to the horizon counts as it stands
        horizon = total + _as_is_score(text[st.i:limit], ctx, (left_ctx + out)[-3:])
        if best is None or horizon > best_h:
            best, best_h = _Fix(q, st.i, out, total), horizon
    if best is None or any(is_odd(c) for c in best.replacement):
        return None
    # the lost byte decides the first character; when the document gives no clear
    # preference between candidates, say so rather than pretend
    rivals = []
    for neg, st in finished:
        out = st.out + ("(" if st.restore_paren else "")
        if st.i == best.end and out[1:] == best.replacement[1:] and out[:1] != best.replacement[:1]:
            if -neg >= best.score - 1.5 and is_cjk(out[:1] or " "):
                rivals.append(out[:1])
    first = best.replacement[:1]
    supported = first == "\u3000" or bool(prev_char and ctx.bi.get(prev_char + first)) or any(
        len(left_ctx) >= k and "".join(_simp_char(c) for c in left_ctx[-k:]) + _simp_char(first) in _words()
        for k in (1, 2))
    if rivals and not supported:
        best.alternatives = sorted(set(rivals))[:4]
    return best


def _in_chinese_context(text: str, q: int) -> bool:
    """A "?" next to Chinese text (a "?" between ASCII characters, as in a URL, is left alone)."""
    before = text[q - 1] if q > 0 else ""
    after = text[q + 1:q + 12]
    m = _ORPHAN_PINYIN_RE.match(after)
    if m:
        after = after[m.end():]
    return (bool(before) and not before.isascii()) or any(not c.isascii() for c in after[:2])


def _as_is_score(segment: str, ctx: _Context, prev: str) -> float:
    s = 0.0
    for c in segment:
        s += -12.0 if c == "?" else ctx.char_score(c, prev)
        prev = (prev + c)[-3:]
    return s


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
    return text[a:index + width].replace("\n", "⏎")


# What each repair kind is called in the product's output (CLI, GUI, reports).
REPAIR_LABELS = {
    "pinyin": "删除拼音注音", "mojibake": "修复乱码", "traditional": "繁体转简体",
    "punctuation": "标点规范化", "whitespace": "空白整理", "lost_space": "修复丢失的空格",
    "furniture": "删除网页残留",
}


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def repair_label(kind: str) -> str:
    return REPAIR_LABELS.get(kind, kind)


def repair(raw: str) -> RepairReport:
    """Repair a whole document. See the module docstring for the kinds of damage."""
    counts: Counter = Counter()
    spots: list[Spot] = []
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    # 1. lost full-width indentation spaces: "??" at the start of a line, then plain text
    def _lost_space(m: re.Match) -> str:
        after = m.string[m.end():m.end() + 8]
        if any(is_odd(c) for c in after[:6]):
            return m.group(0)          # a mojibake run starts here; leave it to step 2
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
            if fix is not None and fix.score - _as_is_score(
                text[i:fix.end], ctx, text[max(0, i - 3):i]
            ) >= 6.0:
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
        spots.append(Spot(
            line=_line_of(text, at if at >= 0 else _i),
            snippet=to_simplified(_snippet(text, at if at >= 0 else _i)),
            why=f"乱码已解开,但丢失字节所在的字无法确定:按上下文取“{g}”,也可能是"
                + "、".join(f"“{to_simplified(a)}”" for a in alts) + ",请核对原文",
        ))

    # 3. pinyin annotations
    def _pinyin(m: re.Match) -> str:
        if is_pinyin(m.group(1)):
            counts["pinyin"] += 1
            return ""
        return m.group(0)

    text = _PINYIN_ANNOT_RE.sub(_pinyin, text)

    # 4. Traditional → Simplified
    simp = to_simplified(text)
    if simp != text:
        counts["traditional"] += sum(1 for a, b in zip(text, simp) if a != b) if len(simp) == len(text) else 1
    text = simp

    # 5. punctuation and white space
    # circled numbers (①…⑳) are list markers: NFKC would turn them into plain digits
    nf = "".join(p if p and p in _CIRCLED else unicodedata.normalize("NFKC", p)
                 for p in re.split(f"([{_CIRCLED}])", text))
    if nf != text:
        counts["punctuation"] += sum(1 for a, b in zip(text, nf) if a != b) if len(nf) == len(text) else 1
    text = nf
    lines_out = []
    for line in text.split("\n"):
        stripped = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        # no spaces between CJK characters and Chinese punctuation
        stripped2 = re.sub(r"\s+(?=[、。,:;)!?])|(?<=[、。,:;(])\s+", "", stripped)
        if stripped2 != line:
            counts["whitespace"] += 1
        lines_out.append(stripped2)
    # 6. page furniture
    kept = []
    for line in lines_out:
        if line and _FURNITURE_RE.match(line):
            counts["furniture"] += 1
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    # 7. what is left: report every spot that still looks damaged
    urls = [m.span() for m in re.finditer(r"https?://[\x21-\x7e]+", text)]
    for m in re.finditer(r"\?+", text):
        if any(a <= m.start() < b for a, b in urls):
            continue            # the query string of a link, not a lost character
        spots.append(Spot(line=_line_of(text, m.start()), snippet=_snippet(text, m.start()),
                          why="“?”代表一个丢失的字符,无法确定原字"))
    for idx, ch in enumerate(text):
        if is_pua(ch) or ch == "\ufffd":
            spots.append(Spot(line=_line_of(text, idx), snippet=_snippet(text, idx),
                              why=f"无法还原的乱码字符 U+{ord(ch):04X}"))
    for m in re.finditer(f"\\(([{_PINYIN_CHARS}]{{1,7}})\\)", text):
        if is_pinyin(m.group(1)) and re.search(f"[{_TONED}]", m.group(1)):
            spots.append(Spot(line=_line_of(text, m.start()), snippet=_snippet(text, m.start()),
                              why="残留的拼音注音,前面的字已丢失"))
    # merge spots on the same line and position
    uniq: dict[tuple[int, str], Spot] = {}
    for s in spots:
        uniq.setdefault((s.line, s.snippet), s)
    return RepairReport(text=text, repairs=dict(counts), unrepaired=list(uniq.values()))


def normalize(s: str) -> str:
    """Normalise user input or a short string the same way documents are: NFKC, t2s, spaces."""
    if not s:
        return ""
    s = _PINYIN_ANNOT_RE.sub(lambda m: "" if is_pinyin(m.group(1)) else m.group(0), s)
    s = unicodedata.normalize("NFKC", to_simplified(s))
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
