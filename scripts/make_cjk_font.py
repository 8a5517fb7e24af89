"""Make the CJK font PolicyDesk ships (resources/fonts/), so the window and the PDF handout
show Chinese on any machine, with or without a system CJK font, and never need a download.

    pip install fonttools
    python scripts/make_cjk_font.py [/usr/share/fonts/opentype/noto]   # Debian: fonts-noto-cjk

Subsets Noto Sans CJK SC (SIL Open Font License 1.1) Regular and Bold to: all of GB2312
(the 6,763 hanzi of everyday Simplified Chinese and its symbols), every character in the
seed documents after repair and in resources/ and desktop/, ASCII, Latin-1, general and CJK
punctuation and full-width forms. The family is renamed "PolicyDesk CJK SC" so it never
shadows a full Noto installed on the machine. Characters outside the subset fall back to
the system's fonts. Run again when the seeds gain characters (tests check coverage).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILY = "PolicyDesk CJK SC"
OUT = ROOT / "resources" / "fonts"
FACES = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
SC_INDEX = 2  # the SC face inside Debian's .ttc collections


def charset() -> set[str]:
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):  # GB2312, both levels and symbols
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lo, hi in [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2000, 0x206F),
        (0x2100, 0x218F),
        (0x2190, 0x21FF),
        (0x2460, 0x24FF),
        (0x25A0, 0x26FF),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ]:
        chars.update(chr(c) for c in range(lo, hi + 1))
    from matcher.reading.pipeline import build_seed_documents

    for d in build_seed_documents():
        chars.update(d.title)
        for m in d.measures:
            chars.update(m.text + m.title + "".join(m.offices))
    for folder, pattern in (
        (ROOT / "resources", "*.toml"),
        (ROOT / "desktop", "**/*.py"),
        (ROOT / "matcher", "**/*.py"),
    ):
        for p in folder.glob(pattern):
            chars.update(p.read_text(encoding="utf-8"))
    return {c for c in chars if c.isprintable()}


def main() -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/opentype/noto")
    chars = charset()
    OUT.mkdir(parents=True, exist_ok=True)
    text = "".join(sorted(chars))
    (OUT / "charset.txt").write_text(text, encoding="utf-8")
    for style, name in FACES.items():
        font = TTCollection(str(src / name)).fonts[SC_INDEX]
        opts = subset.Options()
        opts.layout_features = ["*"]
        opts.name_IDs = ["*"]
        opts.name_languages = ["*"]
        opts.notdef_outline = True
        opts.hinting = False
        sub = subset.Subsetter(opts)
        sub.populate(text=text)
        sub.subset(font)
        names = font["name"]
        for rec in list(names.names):
            if rec.nameID in (1, 16):
                rec.string = FAMILY
            elif rec.nameID in (4,):
                rec.string = f"{FAMILY} {style}" if style != "Regular" else FAMILY
            elif rec.nameID == 6:
                rec.string = f"PolicyDeskCJKSC-{style}"
            elif rec.nameID in (2, 17):
                rec.string = style
        out = OUT / f"PolicyDeskCJKSC-{style}.otf"
        font.save(str(out))
        print(f"{out.relative_to(ROOT)}: {len(chars)} characters, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
