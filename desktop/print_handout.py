"""Draw a handout the engine built into a PDF, with the window's own renderer
(:mod:`desktop.handout`), without a window: what ``policydesk handout`` runs.

The command line may not import Qt or the desktop (the layers), so it builds the handout
with the engine (``Engine.handout``), writes it as JSON to a temporary file and runs this
module in a child process with ``QT_QPA_PLATFORM=offscreen``::

    python -m desktop.print_handout --handout H.json --out FILE.pdf --status S.json [--png PREFIX]

In the packaged app the same code runs as ``policydesk-gui --print-handout …`` (the
windowed executable beside ``policydesk``; :func:`desktop.app.main` hands these
arguments here). Whatever happens, the child writes ``S.json``: ``{"pages": N, "pdf":
path}`` or ``{"error": message}`` — a windowed program on Windows has no console to say it
on — and exits 0, or 2 (the file cannot be written), 1 (anything else).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="policydesk-gui --print-handout", add_help=False)
    p.add_argument("--print-handout", action="store_true")
    p.add_argument("--handout", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--status", type=Path, required=True)
    p.add_argument("--png", type=Path, default=None)
    return p.parse_args(argv)


def render(handout_json: Path, out: Path, png: Path | None = None) -> dict:
    """Draw the handout in ``handout_json`` to the PDF ``out`` (and each page to
    ``<png>-N.png``); {"pages", "pdf", "png"}."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from matcher.models import Handout

    from . import handout as ho

    app = QApplication.instance() or QApplication(sys.argv[:1])  # fonts need an application
    h = Handout.model_validate_json(Path(handout_json).read_text(encoding="utf-8"))
    html = ho.build_html(h)
    header = ho.header_of(h)
    ho.write_pdf(html, out, header=header)
    from pypdf import PdfReader

    pages = len(PdfReader(str(out)).pages)
    pngs = [str(p) for p in ho.write_pngs(html, png, header)] if png else []
    del app
    return {"pages": pages, "pdf": str(out), "png": pngs}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    from matcher.errors import PolicyDeskError

    try:
        status, code = render(args.handout, args.out, args.png), 0
    except PolicyDeskError as err:
        status, code = {"error": str(err)}, 2
    except ImportError:
        status, code = {"error": "本机安装的程序不含绘制清单所需的 Qt(PySide6),无法写出 PDF。"}, 1
    except Exception as err:  # said to the parent in Chinese; the details on stderr
        import traceback

        traceback.print_exc()
        status, code = {"error": f"绘制清单时出错,未能写出 PDF:{err}"}, 1
    try:
        args.status.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    except OSError:
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
