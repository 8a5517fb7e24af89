"""Clean text out: what a file, an argument or a profile field carries is printed and shown
without anything that could drive a terminal or reorder what a person reads.

:func:`strip_controls` removes whole terminal escape sequences first (CSI ``ESC[31m``, OSC
``ESC]0;title BEL``, DCS/SOS/PM/APC strings, 8-bit CSI) — so no remnant such as ``[31m`` or
``]0;title`` is left behind once the ESC is gone — then the remaining C0/C1 controls
(newline and tab kept) and the bidirectional controls (U+200E/F LRM/RLM, U+202A–202E
embeddings and overrides, U+2066–2069 isolates: one U+202E in a company name prints the
handout's header backwards). :func:`clean_field` also folds a one-line field's white space
and :func:`clip` caps what is echoed (a 100,000-character field is not repeated whole).
"""

from __future__ import annotations

import re

_ESCAPE_SEQ = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c\n]*(?:\x07|\x9c)?"  # 8-bit OSC
)
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI + "]"
_STRIP = re.compile(_ESCAPE_SEQ + "|" + _CONTROLS)


def strip_controls(s: str) -> str:
    """``s`` without escape sequences, control characters (newline and tab kept) or
    bidirectional controls."""
    return _STRIP.sub("", s)


def has_controls(s: str) -> bool:
    return _STRIP.search(s) is not None


def clip(s: str, limit: int = 200) -> str:
    """``s`` cut to ``limit`` characters, saying how much was left out."""
    if len(s) <= limit:
        return s
    return f"{s[:limit]}…(共 {len(s):,} 个字符,只显示前 {limit} 个)"


def clean_field(s: str, limit: int | None = None) -> str:
    """A one-line field (a name, a title, a value echoed in a message): escapes and controls
    removed, white space folded to single spaces, and cut to ``limit`` characters if given."""
    out = " ".join(strip_controls(s).split())
    return clip(out, limit) if limit is not None else out
