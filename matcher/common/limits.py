"""Limits on hostile or accidental input, in one place (see the README's reliability section).

A policy document is tens of kilobytes and a few hundred measures; the limits sit far
above that and far below what would exhaust a counter PC. Each refusal names the limit.
"""

from __future__ import annotations

import os
from pathlib import Path

from matcher.errors import BadInput

#: Largest document file accepted (bytes on disk).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest total declared size of the parts of a .docx (decompressed), checked before reading.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
#: Largest single part of a .docx (decompressed), and largest compression ratio of a part.
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_PART_RATIO = 200
#: Most parts (zip members) a .docx may have, and most XML elements in its main part (a
#: long policy document has tens of thousands; each costs parse time and memory).
MAX_DOCX_PARTS = 5_000
MAX_DOCX_ELEMENTS = 400_000
#: Largest central directory of a zip (.docx, .pdpack), checked from its end record before
#: the directory is parsed.
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
#: Largest number of pages read from a PDF (pypdf itself caps a decompressed stream at 75 MB).
MAX_PDF_PAGES = 1000
#: Most characters of text a document may have (after decoding).
MAX_CHARS = 2_000_000
#: Most measures one document may have; most lines starting like a numbered item, counted
#: before the document is repaired and parsed (a data table is refused in milliseconds).
MAX_MEASURES = 5_000
MAX_NUMBERED_LINES = 5_000
#: Most keyword terms a profile may carry, and the longest term (characters).
MAX_KEYWORD_TERMS = 30
MAX_KEYWORD_CHARS = 40
#: Deepest nesting of a profile or session JSON file, and its largest size.
MAX_JSON_DEPTH = 20
MAX_JSON_BYTES = 8 * 1024 * 1024
#: Set-aside copies of a damaged KB kept (``*.corrupt-*``), newest first.
KEEP_CORRUPT_COPIES = 3
#: How long a writer waits for another writer's lock, and SQLite's busy timeout.
LOCK_WAIT_SECONDS = 30.0
BUSY_TIMEOUT_SECONDS = 10.0


def lock_wait() -> float:
    """Seconds a writer waits for the lock (``POLICYDESK_LOCK_WAIT`` overrides, e.g. in tests)."""
    try:
        return max(0.0, float(os.environ.get("POLICYDESK_LOCK_WAIT", LOCK_WAIT_SECONDS)))
    except ValueError:
        return LOCK_WAIT_SECONDS


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_chars(text: str, p: Path | str) -> None:
    """Refuse a text longer than :data:`MAX_CHARS` characters (readers, and the .docx reader as it streams)."""
    if len(text) > MAX_CHARS:
        raise BadInput(
            f"无法导入文件 {p}:文字太多({len(text):,} 个字符),上限是 {MAX_CHARS:,} 个字符。"
            f"一份政策文件通常只有几万字;请确认选对了文件,或把文件拆分后分别导入。"
        )
