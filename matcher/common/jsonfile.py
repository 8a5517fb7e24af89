"""Reading a small JSON file a person or the program wrote (a profile, a session), safely.

Any encoding the text import accepts (UTF-8 with or without BOM, GB18030/GBK, Big5,
UTF-16/32 with a BOM, and UTF-16 without a BOM, recognised by its zero bytes); at most
:data:`matcher.common.limits.MAX_JSON_BYTES`; nesting at most :data:`matcher.common.limits.MAX_JSON_DEPTH`
deep (checked on the text before parsing, so no RecursionError). Every failure is a
:class:`BadInput` naming the file and what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matcher.common import limits
from matcher.common.paths import os_reason
from matcher.errors import BadInput


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: zero bytes in every other position (ASCII punctuation of JSON)."""
    if len(data) < 2 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) >= len(zeros) * 0.3:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
    return None


def decode_json_bytes(data: bytes, p: Path | str) -> str:
    from matcher.common.encodings import decode_text

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        text = _utf16_without_bom(data)
        if text is not None:
            return text
    try:
        return data.decode("utf-8-sig")  # JSON's own encoding first: a short text decodes in many ways
    except UnicodeDecodeError:
        pass
    try:
        return decode_text(data, p)
    except BadInput:
        raise BadInput(
            f"文件 {p} 的文字编码无法识别,或不是文本文件。可接受 UTF-8、GB18030/GBK、Big5、"
            f"UTF-16(有无 BOM 均可)编码的 JSON 文本。"
        ) from None


def nesting_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of a JSON text (outside strings)."""
    depth = deepest = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.MAX_JSON_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def read_json(path: str | Path, what: str = "文件") -> Any:
    """The parsed JSON of ``path``; BadInput (naming ``what`` and the file) on any problem."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.MAX_JSON_BYTES:
            raise BadInput(f"{what} {p} 太大({limits.mb(size)}),上限是 {limits.mb(limits.MAX_JSON_BYTES)}。")
        data = p.read_bytes()
    except OSError as e:
        raise BadInput(f"{what} {p} 无法读取:{os_reason(e)}") from None
    if not data.strip():
        raise BadInput(f"{what} {p} 是空的。")
    text = decode_json_bytes(data, p).lstrip("\ufeff")
    if nesting_depth(text) > limits.MAX_JSON_DEPTH:
        raise BadInput(f"{what} {p} 嵌套层数超过 {limits.MAX_JSON_DEPTH} 层,不是有效的企业档案。")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{what} {p} 不是有效的 JSON:第 {e.lineno} 行第 {e.colno} 列,{_msg(e.msg)}") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise BadInput(f"{what} {p} 嵌套层数过多。") from None


_MSGS = {
    "Expecting value": "这里缺少一个值",
    "Expecting property name enclosed in double quotes": "字段名需要用英文双引号括起来",
    "Expecting ',' delimiter": "这里缺少逗号",
    "Expecting ':' delimiter": "这里缺少冒号",
    "Extra data": "有多余的内容",
    "Unterminated string starting at": "字符串没有结束的引号",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义符",
}


def _msg(m: str) -> str:
    return _MSGS.get(m, "格式错误")
