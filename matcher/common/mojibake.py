"""The mojibake solver: a run of GBK text decoded one byte late (a ``?`` where a lead byte
was lost, then odd characters) is re-encoded to its bytes (:mod:`matcher.common.gbk_legacy`),
the lost byte put back and the bytes decoded again. Which lost byte, where the run ends,
whether an ASCII letter was a half-width copy of a full-width one, and a byte swallowed by a
second ``?`` are chosen by a small search scored on how ordinary the decoded text is in this
very document (its own characters and character pairs) and on the pinyin annotations that
follow. Used by :func:`matcher.common.text.repair`."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.common.chars import (
    _ORPHAN_PINYIN_RE,
    _PINYIN_ANNOT_RE,
    _PINYIN_CHARS,
    is_cjk,
    is_odd,
    is_pinyin,
    reads_as,
    to_simplified,
)
from matcher.common.gbk_legacy import TRAIL_BYTES, char_bytes, decode_pair

# --------------------------------------------------------------------------- mojibake


@dataclass
class _Context:
    """Character statistics of the undamaged part of a document."""

    uni: Counter
    bi: Counter
    memo: dict = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> _Context:
        plain = _PINYIN_ANNOT_RE.sub("", text)
        kinds = set(plain)
        odd = {c for c in kinds if is_odd(c)}
        cjk = {c for c in kinds if is_cjk(c)}  # never odd
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
            s += math.log1p(f) - 1.5  # a character the document never uses is suspect
            if prev and self.bi.get(prev[-1] + ch):
                s += 3.0
            # common words ending in ch, from a general dictionary (jieba's)
            words = dictionary_words()
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
def dictionary_words() -> frozenset[str]:
    """Two- to four-character words of jieba's general dictionary (bundled, offline)."""
    try:
        # find the file without importing jieba (its import pulls in pkg_resources: 0.25 s)
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec("jieba")
        if spec is None or spec.origin is None:
            return frozenset()
        path = Path(spec.origin).parent / "dict.txt"
        data = path.read_text(encoding="utf-8")
        # one "word frequency tag" line per entry: every third token is a word
        tokens = data.split()
        if len(tokens) != 3 * data.count("\n") + (0 if data.endswith("\n") else 3):
            return frozenset(re.findall(r"^([^\s]{2,4}) ", data, re.M))  # another layout
        return frozenset(w for w in tokens[0::3] if 1 < len(w) < 5)
    except Exception:  # the dictionary only sharpens guesses; repair works without it
        return frozenset()


@lru_cache(maxsize=20000)
def _simp_char(ch: str) -> str:
    return to_simplified(ch) if not ch.isascii() else ch


@dataclass(order=True)
class _State:
    neg: float
    i: int = field(compare=False)  # next index in the damaged text
    pending: int | None = field(compare=False)
    out: str = field(compare=False)
    restore_paren: bool = field(compare=False, default=False)


def _interpretations(ch: str) -> list[bytes]:
    o = ord(ch)
    if o < 0x80:
        opts = [bytes([o])]
        if 0x21 <= o <= 0x7E:  # a full-width form folded to ASCII on the way
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
    start: int  # index of the "?" in the text
    end: int  # index after the damaged region
    replacement: str
    score: float
    alternatives: list[str] = field(default_factory=list)  # other readings nearly as good


def _following_pinyin(text: str, j: int) -> str | None:
    m = re.match(f"\\(([{_PINYIN_CHARS}]{{1,7}})\\)", text[j : j + 10])
    return m.group(1) if m and is_pinyin(m.group(1)) else None


#: a reading after a run ("(huán)"), or after a swallowed byte ("?huán)")
_READING_NEAR = re.compile(f"[(?][{_PINYIN_CHARS}]{{1,7}}\\)")


def _solve(text: str, q: int, ctx: _Context, max_len: int = 40) -> _Fix | None:
    """Best repair of the damaged run starting at the "?" at index ``q``."""
    j = q + 1
    skip = 0
    m = _ORPHAN_PINYIN_RE.match(text[j : j + 10])
    if m and is_pinyin(m.group(1)):
        skip = m.end()  # a reading whose character was lost with the byte
    start = j + skip
    limit = min(len(text), start + max_len)
    # A late-decoded run leaves odd characters, or a reading of what was lost. Without either,
    # a "?" is a lost character or a question mark: decoding it, or the ordinary text after it,
    # would invent characters from the context alone (的??发展 → 的并发展, 的?企业 → 的伷笠单).
    first_odd = next((k for k in range(q, limit) if is_odd(text[k])), limit)
    if not skip and first_odd == limit and not _READING_NEAR.search(text, q, limit + 10):
        return None

    def evidenced(end: int, paren: bool) -> bool:
        """Does a run ending at ``end`` show evidence of damage?"""
        return bool(skip) or paren or first_odd < end or _following_pinyin(text, end) is not None

    prev_char = text[q - 1] if q > 0 else ""
    left_ctx = _PINYIN_ANNOT_RE.sub("", text[max(0, q - 12) : q])[-3:]
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
                rest = text[st.i : st.i + 6]
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
                syl = _following_pinyin("(" + text[st.i + 1 :], 0)
                if not syl and not evidenced(st.i + 1, False):
                    continue  # two bytes lost and nothing to read them by
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
                    finished.append((done.neg, done))  # the swallowed byte ends the run
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
                    s -= 0.3  # prefer the literal reading when equal
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
    tails: dict[int, float] = {}

    def rest_as_is(i: int, prev: str) -> float:
        """``_as_is_score(text[i:limit], ctx, prev)``: only the first three characters
        see ``prev``; the rest, the same for every candidate ending at ``i``, is kept."""
        if i not in tails:
            tails[i] = _as_is_score(text[i + 3 : limit], ctx, text[i : i + 3]) if i + 3 < limit else 0.0
        return _as_is_score(text[i : min(i + 3, limit)], ctx, prev) + tails[i]

    best, best_h = None, 0.0
    for neg, st in finished:
        if not evidenced(st.i, st.restore_paren):
            continue
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
        horizon = total + rest_as_is(st.i, (left_ctx + out)[-3:])
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
    supported = (
        first == "\u3000"
        or bool(prev_char and ctx.bi.get(prev_char + first))
        or any(
            len(left_ctx) >= k
            and "".join(_simp_char(c) for c in left_ctx[-k:]) + _simp_char(first) in dictionary_words()
            for k in (1, 2)
        )
    )
    if rivals and not supported:
        best.alternatives = sorted(set(rivals))[:4]
    return best


def _in_chinese_context(text: str, q: int) -> bool:
    """A "?" next to Chinese text (a "?" between ASCII characters, as in a URL, is left alone)."""
    before = _PINYIN_ANNOT_RE.sub("", text[max(0, q - 12) : q])[-1:]  # 的(huán)?: after 的
    after = text[q + 1 : q + 12]
    m = _ORPHAN_PINYIN_RE.match(after)
    if m:
        after = after[m.end() :]
    return (bool(before) and not before.isascii()) or any(not c.isascii() for c in after[:2])


def _as_is_score(segment: str, ctx: _Context, prev: str) -> float:
    s = 0.0
    for c in segment:
        s += -12.0 if c == "?" else ctx.char_score(c, prev)
        prev = (prev + c)[-3:]
    return s
