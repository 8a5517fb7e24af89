"""The CJK font PolicyDesk ships (resources/fonts/, a subset of Noto Sans CJK SC renamed
"PolicyDesk CJK SC"), so the window and the printed handout show Chinese on any machine —
a Linux counter PC with no CJK font included — with nothing to download.

Registered once per process with Qt's application font database, before any window or
handout is laid out; characters it lacks fall back to the system fonts listed after it.
"""

from __future__ import annotations

import logging

BUNDLED_FAMILY = "PolicyDesk CJK SC"
SYSTEM_CJK = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimSun",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
]

_registered: list[str] | None = None
log = logging.getLogger(__name__)


def register_bundled_fonts() -> list[str]:
    """Add the bundled font files to Qt (needs a QGuiApplication); returns the families
    that loaded. Safe to call again: the files are added once."""
    global _registered
    if _registered is not None:
        return _registered
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    try:
        from matcher.engine import Engine

        for path in sorted((Engine.resources_dir() / "fonts").glob("*.otf")):
            fid = QFontDatabase.addApplicationFont(str(path))
            if fid < 0:
                log.warning("could not load font %s", path)
                continue
            for fam in QFontDatabase.applicationFontFamilies(fid):
                if fam not in families:
                    families.append(fam)
    except (OSError, FileNotFoundError) as err:  # an install without resources/fonts
        log.warning("bundled fonts unavailable: %s", err)
    _registered = families
    return families


def cjk_families() -> list[str]:
    """Font families for Chinese text, best first: the bundled one when it loaded."""
    bundled = [BUNDLED_FAMILY] if BUNDLED_FAMILY in register_bundled_fonts() else []
    return bundled + SYSTEM_CJK + ["sans-serif"]
