"""The bundled CJK font: the window and the handout show Chinese on a machine with no CJK
font of its own (a fresh Linux counter PC, a CI machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_font_registers_and_covers_the_knowledge_base(qapp):
    """Ensures the bundled font loads and has a glyph for every character of every seed
    measure, every office, and the interface's own Chinese text."""
    from PySide6.QtGui import QFont, QRawFont

    from desktop.fonts import BUNDLED_FAMILY, cjk_families, register_bundled_fonts
    from matcher.reading.pipeline import build_seed_documents

    assert BUNDLED_FAMILY in register_bundled_fonts()
    assert cjk_families()[0] == BUNDLED_FAMILY
    raw = QRawFont.fromFont(QFont(BUNDLED_FAMILY))
    assert raw.isValid() and raw.familyName() == BUNDLED_FAMILY
    chars = set()
    for d in build_seed_documents():
        chars.update(d.title)
        for m in d.measures:
            chars.update(m.text + m.title + "".join(m.offices))
    for p in (ROOT / "desktop").rglob("*.py"):
        chars.update(c for c in p.read_text(encoding="utf-8") if ord(c) >= 0x3000)
    chars = {c for c in chars if c.isprintable() and not c.isspace()}
    missing = sorted(c for c in chars if not raw.supportsCharacter(ord(c)))
    assert not missing, f"not in the bundled font (run scripts/make_cjk_font.py): {''.join(missing)}"


PDF_SCRIPT = r"""
import sys
from pathlib import Path
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from desktop import handout
handout.write_pdf("<html><body><h1>惠企政策直通车 · 政策服务清单</h1>"
                  "<p>虹口区北外滩:区发展改革委、区人力资源社会保障局</p></body></html>",
                  Path(sys.argv[1]))
"""


def test_handout_pdf_has_chinese_text_without_system_cjk_fonts(tmp_path):
    """Ensures a handout printed where the system has no CJK font at all (fontconfig sees
    only an empty folder) still holds real, extractable Chinese text."""
    from pypdf import PdfReader

    empty = tmp_path / "nofonts"
    empty.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'>"
        f"<fontconfig><dir>{empty}</dir><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    out = tmp_path / "h.pdf"
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", PDF_SCRIPT, str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = "".join("".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "政策服务清单" in text and "虹口区北外滩" in text and "区人力资源社会保障局" in text
