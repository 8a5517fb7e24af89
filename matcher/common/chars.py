"""Characters: which are CJK, Private Use Area or odd (what a late-decoded GBK run leaves);
pinyin syllables and the readings of a character (pypinyin); Traditional→Simplified
(OpenCC). Shared by the repairer (:mod:`matcher.common.text`) and the mojibake solver
(:mod:`matcher.common.mojibake`)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --------------------------------------------------------------------------- helpers

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_CHARS = "a-z" + _TONED
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|uan|van|ian|iao|uai|ai|ei|ao|ou|an|en|in|un|vn|"
    "ia|ie|iu|ua|uo|ui|ve|ue|er|a|o|e|i|u|v|n|ng|m)"
)
_SYLLABLE_RE = re.compile(f"^{_INITIALS}{_FINALS}$")
_STRIP_TONES = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ēéěè", "e"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("ǖǘǚǜü", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        "ḿ": "m",
    }
)


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
        or 0x2460 <= o <= 0x24FF  # enclosed alphanumerics ⒖
        or 0x2500 <= o <= 0x257F  # box drawing
        or 0x2E80 <= o <= 0x2FFF  # radicals, ideographic description
        or 0x3040 <= o <= 0x30FF  # kana
        or 0x3100 <= o <= 0x312F  # bopomofo
        or 0x3200 <= o <= 0x33FF  # enclosed CJK, compatibility
        or 0xFE10 <= o <= 0xFE4F  # vertical / compatibility forms
        or o == 0xFFFD
        or 0x0250 <= o <= 0x02FF  # IPA, modifier letters
        or 0x0370 <= o <= 0x04FF  # Greek, Cyrillic
        or 0x2200 <= o <= 0x22FF  # maths operators ∫
        or o in (0x00A7, 0x00A8, 0x00B0, 0x00B1, 0x00D7, 0x00F7)
    )


# a reading in brackets after a character: ASCII or full-width brackets (環(huán), 環（huán）)
_PINYIN_ANNOT_RE = re.compile(f"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]([{_PINYIN_CHARS}]{{1,7}})[)）]")
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
