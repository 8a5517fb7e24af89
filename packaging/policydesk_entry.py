"""Start-up guard shared by the packaged executables (``policydesk`` and ``policydesk-gui``).

The engine's own entry points already turn expected errors into Chinese messages and
exit codes (CLI: 0 done, 2 bad input, 3 knowledge-base problem, 1 unexpected, 130
interrupted; GUI ``--screenshot``: 2, 3, 4). This guard catches what would escape them in
a frozen app — a module missing from the bundle, a broken Qt installation, a user folder
that cannot be created before the window exists — so a user never sees a traceback: the
details go to ``policydesk-crash.log`` in the user data folder (or the temp folder), the
user gets one sentence (and, for the GUI, a message box), and the exit code follows the
CLI's (3 for a file or folder problem, 1 otherwise). ``POLICYDESK_DEBUG=1`` prints the
traceback as well; ``POLICYDESK_NO_DIALOG=1`` suppresses the message box.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path


def _crash_log(text: str) -> Path | None:
    folders: list[Path] = []
    try:
        from matcher.engine import Engine

        folders.append(Engine.data_dir())
    except Exception:
        pass
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        try:
            p = folder / "policydesk-crash.log"
            with open(p, "a", encoding="utf-8") as fh:
                fh.write(text + "\n")
            return p
        except OSError:
            continue
    return None


def _message(err: BaseException, log: Path | None) -> tuple[str, int]:
    """One sentence for the user and the exit code (the CLI's: 3 for files and folders)."""
    where = f"详细信息已写入 {log}。" if log else ""
    try:
        from matcher.errors import PolicyDeskError
    except Exception:
        PolicyDeskError = ()  # type: ignore[assignment]
    if PolicyDeskError and isinstance(err, PolicyDeskError):
        return f"错误:{err}", int(getattr(err, "exit_code", 1))
    if isinstance(err, ImportError):
        return (f"程序文件不完整,无法启动(缺少 {getattr(err, 'name', '') or err})。{where}请重新安装本程序。"), 1
    if isinstance(err, OSError):
        name = getattr(err, "filename", None) or ""
        return (
            f"无法访问文件或文件夹 {name}:{err.strerror or err}。请检查该文件夹是否存在、是否可写,"
            f"或设置环境变量 POLICYDESK_HOME 指向一个可写的文件夹。{where}"
        ), 3
    return (
        f"惠企政策直通车出现意外错误,无法继续({type(err).__name__}:{err})。{where}"
        "请重试;如果仍然出错,请把该文件发给维护人员。"
    ), 1


def _silence_broken_pipe() -> None:
    """Output piped into a program that stopped reading (``| head``): no noise at exit."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    except (OSError, ValueError):
        pass


def _show_dialog(text: str) -> None:
    """A message box for the GUI (a windowed app on Windows/macOS has no console)."""
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.critical(None, "惠企政策直通车", text)
        del app
    except Exception:
        pass


def _print(text: str) -> None:
    stream = sys.stderr
    if stream is None:  # a windowed app on Windows
        return
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        pass


def run(kind: str) -> None:
    """Run the CLI (``kind="cli"``) or the GUI (``kind="gui"``) and exit with its code."""
    try:
        if kind == "cli":
            from matcher.cli.main import main
        else:
            from desktop.app import main
        code = main()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _print("已中断。")
        code = 130
    except BaseException as err:
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        log = _crash_log(tb)
        if os.environ.get("POLICYDESK_DEBUG") == "1":
            _print(tb)
        msg, code = _message(err, log)
        _print(msg)
        if kind == "gui" and not os.environ.get("POLICYDESK_NO_DIALOG") and "--screenshot" not in sys.argv:
            _show_dialog(msg)
    _silence_broken_pipe()
    sys.exit(code if isinstance(code, int) else 0)
