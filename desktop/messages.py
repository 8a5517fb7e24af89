"""What a person reads when something fails: a message they can act on, never a traceback
(the traceback goes to the log, :func:`log_path`). Used by the controller, the window's
presenters and the application's exception hook. No Qt.

The engine's messages are written for the command line too: they name a profile field by
its key ("字段 district 的值…"). :func:`plain` gives the window's wording — the form's label
for each field (from ``Engine.options().labels``), no program version, no document id in
front of a title; :func:`user_message` uses it, and never names an exception's class."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from matcher.engine import Engine
from matcher.errors import PolicyDeskError


def user_message(err: BaseException) -> str:
    """A message a person can act on — never a traceback."""
    if isinstance(err, PolicyDeskError):
        return plain(str(err))
    if isinstance(err, PermissionError):
        return f"没有权限访问文件:{getattr(err, 'filename', '') or err}。请换一个文件夹,或检查文件是否被其他程序占用。"
    if isinstance(err, FileNotFoundError):
        return f"找不到文件:{getattr(err, 'filename', '') or err}。"
    if isinstance(err, OSError):
        return f"文件读写失败:{Engine.os_reason(err)}。请检查磁盘空间和文件夹权限。"
    if isinstance(err, MemoryError):
        return "内存不足,操作未完成。请关闭其他程序后重试。"
    # the exception's name and text are for the log (written with the traceback), not the counter
    return f"程序内部出错,这次操作没有完成,窗口仍可继续使用。详细信息已写入日志:{log_path()}"


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    return dict(Engine.options().labels)


@lru_cache(maxsize=1)
def _key_pattern() -> re.Pattern[str]:
    keys = sorted(_labels(), key=len, reverse=True)
    # a field's key standing alone (not inside a longer ASCII word, a path or a file name)
    return re.compile(r"(?<![A-Za-z0-9_./\\-])(" + "|".join(map(re.escape, keys)) + r")(?![A-Za-z0-9_./\\-])")


_FIELD = re.compile(r"字段\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:[((]([^()()]*)[))])?")
_QUOTED = re.compile(r"(“[^“”]*”)")
_VERSION = re.compile(r"由\s*PolicyDesk\s*v?\d+(?:\.\d+)+\s*")
_DOC_ID = re.compile(r"(?<![A-Za-z0-9_.-])[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9_.-]+\s*(?=《)")


def plain(message: str) -> str:
    """``message`` as the window shows it: "字段 district(所在区)的值…" → "“所在区”的值…",
    a bare field key → its label, "由 PolicyDesk 0.1.0 导出" → "导出", "hongkou-2023《…》" → "《…》"."""
    if not message:
        return message
    labels = _labels()

    def field(m: re.Match[str]) -> str:
        label = labels.get(m.group(1)) or (m.group(2) or "").strip()
        return f"“{label}”" if label else m.group(0)

    text = _FIELD.sub(field, message)
    # a key standing alone outside quotes (what the person typed, in “…”, is left as typed)
    text = "".join(
        part if part.startswith("“") else _key_pattern().sub(lambda m: f"“{labels[m.group(1)]}”", part)
        for part in _QUOTED.split(text)
    )
    text = _VERSION.sub("", text)
    text = _DOC_ID.sub("", text)
    # no space between a label put in quotes and the Chinese around it
    text = re.sub(r"”[ \t]+(?=[\u4e00-\u9fff])", "”", text)
    return re.sub(r"(?<=[\u4e00-\u9fff])[ \t]+(?=[“《])", "", text)


def log_path() -> Path:
    return Engine.data_dir() / "policydesk.log"
