"""Make the text of Qt-written PDFs extract as the characters that were printed.

Fonts such as Noto Sans CJK / Source Han Sans draw a Kangxi radical (U+2F00…) and the
unified ideograph it looks like (口 U+53E3) with one glyph. Qt's PDF writer builds each
font's ToUnicode map by scanning code points upwards and keeping the first one that maps
to a glyph, so "虹口区" is copied or extracted from the PDF as "虹⼝区". Search, copy and
paste, screen readers and text extraction then all see the wrong characters.

:func:`fix_to_unicode` rewrites those ToUnicode maps after printing: a radical
(CJK Radicals Supplement or Kangxi Radicals) is replaced by the unified ideograph drawn
with the same glyph in the font, or by its NFKC form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

RADICALS = range(0x2E80, 0x2FE0)
_TOKEN = re.compile(r"<([0-9A-Fa-f]{4,8})>")
_RANGE_LINE = re.compile(r"^<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*$")


@lru_cache(maxsize=8)
def radical_map(families: tuple[str, ...]) -> dict[int, int]:
    """Radical code point → unified ideograph with the same glyph in this font."""
    from PySide6.QtGui import QFont, QRawFont

    out: dict[int, int] = {}
    for cp in RADICALS:
        n = unicodedata.normalize("NFKC", chr(cp))
        if len(n) == 1 and n != chr(cp):
            out[cp] = ord(n)
    font = QFont()
    font.setFamilies(list(families))
    raw = QRawFont.fromFont(font)
    if not raw.isValid():
        return out
    ideographs = "".join(chr(c) for c in range(0x4E00, 0xA000))
    by_glyph: dict[int, int] = {}
    for ch, g in zip(ideographs, raw.glyphIndexesForString(ideographs)):
        if g and g not in by_glyph:
            by_glyph[g] = ord(ch)
    radicals = "".join(chr(c) for c in RADICALS)
    for ch, g in zip(radicals, raw.glyphIndexesForString(radicals)):
        if g and g in by_glyph:
            out[ord(ch)] = by_glyph[g]
    return out


def _fix_cmap(text: str, rmap: dict[int, int]) -> tuple[str, int]:
    changed = 0

    def dst(tok: str) -> str:
        nonlocal changed
        cp = int(tok, 16)
        if cp in rmap:
            changed += 1
            return f"<{rmap[cp]:04X}>"
        return f"<{tok}>"

    lines_out = []
    section = None
    for line in text.splitlines():
        s = line.strip()
        if s.endswith("beginbfrange"):
            section = "range"
        elif s.endswith("beginbfchar"):
            section = "char"
        elif s in ("endbfrange", "endbfchar"):
            section = None
        elif section == "range" and "[" in s:
            head, _, arr = s.partition("[")
            line = head + "[" + _TOKEN.sub(lambda m: dst(m.group(1)), arr)
        elif section == "range":
            m = _RANGE_LINE.match(s)
            if m and m.group(1) == m.group(2):
                line = f"<{m.group(1)}> <{m.group(2)}> {dst(m.group(3))}"
        elif section == "char":
            toks = _TOKEN.findall(s)
            if len(toks) == 2:
                line = f"<{toks[0]}> {dst(toks[1])}"
        lines_out.append(line)
    return "\n".join(lines_out) + ("\n" if text.endswith("\n") else ""), changed


def fix_to_unicode(path: Path, families: tuple[str, ...]) -> int:
    """Rewrite the PDF's ToUnicode maps in place; returns how many entries changed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    path = Path(path)
    rmap = radical_map(tuple(families))
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    total = 0
    seen: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            tu = font.get(NameObject("/ToUnicode"))
            if tu is None:
                continue
            stream = tu.get_object()
            if id(stream) in seen:
                continue
            seen.add(id(stream))
            text = stream.get_data().decode("latin-1")
            new, n = _fix_cmap(text, rmap)
            if n:
                stream.set_data(new.encode("latin-1"))
                total += n
    if total:
        tmp = path.with_suffix(path.suffix + ".tmp")
        with open(tmp, "wb") as fh:
            writer.write(fh)
        tmp.replace(path)
    return total
