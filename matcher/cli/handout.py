"""``policydesk handout``: the handout a client takes away, as a PDF, from the command line.

The engine builds the handout (``Engine.handout``: 下一步, 申兑指南 cards, 待确认, 政策月历,
as of the 判断日期); the PDF is drawn by the window's own renderer (Qt,
:mod:`desktop.print_handout`), so the command line and the window print the same pages.
The command line may not import Qt or the desktop (the layers), so the renderer runs in a
child process with ``QT_QPA_PLATFORM=offscreen``, given the handout as JSON in a temporary
file, and answering in a small status file:

* from source: ``python -m desktop.print_handout …`` with this interpreter;
* frozen (PyInstaller, ``sys.frozen``): the windowed executable beside this one,
  ``policydesk-gui --print-handout …`` (``desktop.app.main`` hands it on), since a frozen
  executable cannot ``-m`` a module; both executables share one folder (and, on macOS, the
  app bundle's ``Contents/MacOS``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from matcher.cli.common import add_format_option, emit_json, open_engine
from matcher.engine import Engine
from matcher.errors import BadInput, PolicyDeskError

RENDER_TIMEOUT_S = 300


def renderer_command() -> list[str]:
    """The command that draws a handout to PDF (see the module's note)."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable).with_name("policydesk-gui" + (".exe" if os.name == "nt" else ""))
        return [str(exe), "--print-handout"]
    return [sys.executable, "-m", "desktop.print_handout"]


def check_out(value: str) -> Path:
    out = Path(value)
    if out.suffix.lower() != ".pdf":
        raise BadInput(f"--out 的值“{value}”应是 .pdf 文件,例如 --out 清单.pdf。")
    if out.is_dir():
        raise BadInput(f"--out 的值“{value}”是一个文件夹:请写 PDF 文件的名字,例如 {out / '清单.pdf'}。")
    if not out.parent.exists() and str(out.parent) not in ("", "."):
        raise BadInput(f"--out 的文件夹“{out.parent}”不存在:请先建好它,或换一个文件夹。")
    return out


def render(handout_json: str, out: Path) -> dict:
    """Run the renderer on the handout (JSON) → its status ({"pages", "pdf"})."""
    with tempfile.TemporaryDirectory(prefix="policydesk-handout-") as tmp:
        src, status = Path(tmp) / "handout.json", Path(tmp) / "status.json"
        src.write_text(handout_json, encoding="utf-8")
        cmd = [*renderer_command(), "--handout", str(src), "--out", str(out.resolve()), "--status", str(status)]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", POLICYDESK_NO_DIALOG="1")
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise PolicyDeskError(f"找不到绘制清单的程序 {cmd[0]}:请重新安装本程序。") from None
        except subprocess.TimeoutExpired:
            raise PolicyDeskError("绘制清单超时,未能写出 PDF。请重试。") from None
        try:
            answer = json.loads(status.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            missing = b"No module named" in (proc.stderr or b"")
            answer = {
                "error": "本机安装的程序不含绘制清单的窗口部分(desktop、PySide6),无法写出 PDF。"
                if missing
                else f"绘制清单的程序异常退出(退出码 {proc.returncode}),未能写出 PDF。"
            }
    if "error" in answer:
        err = PolicyDeskError(str(answer["error"]))
        raise (BadInput(str(answer["error"])) if proc.returncode == 2 else err)
    return answer


def _run_handout(args: argparse.Namespace) -> int:
    out = check_out(args.out)
    as_of = Engine.parse_as_of(args.as_of)
    profile = Engine.read_profile(args.profile)
    if args.ics and Path(args.ics).suffix.lower() != ".ics":
        raise BadInput(f"--ics 的值“{args.ics}”应是 .ics 文件,例如 --ics 政策月历.ics。")
    with open_engine(args) as engine:
        h = engine.handout(profile, as_of=as_of)
    done = render(h.model_dump_json(), out)
    if args.ics:
        Engine.write_calendar(h, args.ics)
    if args.format == "json":
        emit_json(
            {
                "pdf": str(out),
                "pages": done.get("pages"),
                "as_of": h.as_of,
                "targeted": len(h.cards),
                "steps": len(h.steps),
                "calendar": [e.model_dump() for e in h.calendar],
                "ics": str(args.ics) if args.ics else None,
            }
        )
    else:
        print(f"已写入 {out}(共 {done.get('pages')} 页,判断日期 {h.as_of})")
        if args.ics:
            print(f"已写入政策月历 {args.ics}({len(h.calendar)} 个日期)")
    return 0


def add_handout_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "handout",
        help="为企业生成政策服务清单(PDF)",
        description="按企业画像生成与窗口打印相同的政策服务清单 PDF:下一步、申兑指南、待确认、政策月历,"
        "均按判断日期判断。",
    )
    p.add_argument("--profile", required=True, metavar="FILE.json", help="企业画像 JSON 文件")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="写入的 PDF 文件")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="判断日期:按这一天判断是否有效、截止(默认今天)")
    p.add_argument("--ics", metavar="FILE.ics", help="同时把政策月历写成 .ics 日历文件(手机日历可打开)")
    add_format_option(p)
    p.set_defaults(run=_run_handout)
