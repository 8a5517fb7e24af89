"""Byte values of characters as a legacy GBK decoder produced them.

Mojibake in collected documents was made by decoders that map GBK's user-defined areas
and a list of then-unassigned codes to Private Use Area code points (the GB18030-2000 /
Windows code page 936 convention). Python's ``gb18030`` codec maps several of those codes
to assigned characters instead, so it cannot always turn a mojibake character back into
its bytes. :func:`char_bytes` can: it knows both conventions.
"""

from __future__ import annotations

from functools import lru_cache


def _trails(with_low: bool) -> list[int]:
    low = [t for t in range(0x40, 0x7F)] + [t for t in range(0x80, 0xA1)]
    high = list(range(0xA1, 0xFF))
    return (low + high) if with_low else high


# (first PUA code point, list of byte codes) for the PUA blocks of the legacy tables.
def _pua_table() -> dict[int, bytes]:
    table: dict[int, bytes] = {}
    cp = 0xE000
    for lead in range(0xAA, 0xB0):  # user-defined area 1: AAA1–AFFE
        for t in range(0xA1, 0xFF):
            table[cp] = bytes([lead, t])
            cp += 1
    for lead in range(0xF8, 0xFF):  # user-defined area 2: F8A1–FEFE
        for t in range(0xA1, 0xFF):
            table[cp] = bytes([lead, t])
            cp += 1
    for lead in range(0xA1, 0xA8):  # user-defined area 3: A140–A7A0
        for t in list(range(0x40, 0x7F)) + list(range(0x80, 0xA1)):
            table[cp] = bytes([lead, t])
            cp += 1
    # codes unassigned in GB 2312/GBK that GB18030-2000 put at U+E766–U+E864
    ranges = [
        (0xA2AB, 0xA2B0),
        (0xA2E3, 0xA2E4),
        (0xA2EF, 0xA2F0),
        (0xA2FD, 0xA2FE),
        (0xA4F4, 0xA4FE),
        (0xA5F7, 0xA5FE),
        (0xA6B9, 0xA6C0),
        (0xA6D9, 0xA6DF),
        (0xA6EC, 0xA6ED),
        (0xA6F3, 0xA6F3),
        (0xA6F6, 0xA6FE),
        (0xA7C2, 0xA7D0),
        (0xA7F2, 0xA7FE),
        (0xA896, 0xA8A0),
        (0xA8BC, 0xA8BC),
        (0xA8BF, 0xA8BF),
        (0xA8C1, 0xA8C4),
        (0xA8EA, 0xA8FE),
        (0xA958, 0xA958),
        (0xA95B, 0xA95B),
        (0xA95D, 0xA95F),
        (0xA989, 0xA995),
        (0xA997, 0xA9A3),
        (0xA9F0, 0xA9FE),
        (0xD7FA, 0xD7FE),
        (0xFE50, 0xFEA0),
    ]
    cp = 0xE766
    for lo, hi in ranges:
        for code in range(lo, hi + 1):
            if code & 0xFF == 0x7F:
                continue
            table[cp] = bytes([code >> 8, code & 0xFF])
            cp += 1
    return table


_PUA = _pua_table()


@lru_cache(maxsize=8192)
def char_bytes(ch: str) -> bytes | None:
    """The bytes a legacy GBK decoder read as ``ch``; None if ``ch`` is not a GBK character."""
    o = ord(ch)
    if o < 0x80:
        return ch.encode("ascii")
    if o in _PUA:
        return _PUA[o]
    for codec in ("gbk", "gb18030"):
        try:
            b = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(b) == 2:
            return b
    return None


def decode_pair(lead: int, trail: int) -> str | None:
    """Decode one two-byte GBK code strictly, or None."""
    try:
        return bytes([lead, trail]).decode("gb18030")
    except UnicodeDecodeError:
        return None


LEAD_BYTES = range(0x81, 0xFF)
TRAIL_BYTES = [t for t in range(0x40, 0xFF) if t != 0x7F]
