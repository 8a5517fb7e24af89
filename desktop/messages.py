"""What a person reads when something fails: a message they can act on, never a traceback
(the traceback goes to the log, :func:`log_path`). Used by the controller, the window's
presenters and the application's exception hook. No Qt."""

from __future__ import annotations

from pathlib import Path

from matcher.engine import Engine
from matcher.errors import PolicyDeskError


def user_message(err: BaseException) -> str:
    """A message a person can act on — never a traceback."""
    if isinstance(err, PolicyDeskError):
        return str(err)
    if isinstance(err, PermissionError):
        return f"没有权限访问文件:{getattr(err, 'filename', '') or err}。请换一个文件夹,或检查文件是否被其他程序占用。"
    if isinstance(err, FileNotFoundError):
        return f"找不到文件:{getattr(err, 'filename', '') or err}。"
    if isinstance(err, OSError):
        return f"文件读写失败:{Engine.os_reason(err)}。请检查磁盘空间和文件夹权限。"
    if isinstance(err, MemoryError):
        return "内存不足,操作未完成。请关闭其他程序后重试。"
    return f"程序内部出错({type(err).__name__}),这次操作没有完成,窗口仍可继续使用。详细信息已写入日志:{log_path()}"


def log_path() -> Path:
    return Engine.data_dir() / "policydesk.log"
