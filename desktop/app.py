"""Composition root: QApplication, settings, engine, controller, window.

``policydesk-gui [--profile FILE.json] [--screenshot OUT.png] [--large-text] [--timing]
[--size WxH] [--as-of YYYY-MM-DD] [--select MEASURE_ID]``

With ``--screenshot`` the window opens offscreen, applies the profile, waits for the
results, saves a PNG and exits 0 (2: bad profile, 3: knowledge base unusable or the match failed —
the shot is then not an answer —, 4: timed out).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before Qt is imported: start-up timing starts here

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

SCREENSHOT_TIMEOUT_MS = 60_000
GIL_SWITCH_S = 0.001


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="policydesk-gui", description="惠企政策直通车(桌面版)")
    p.add_argument("--profile", type=Path, help="启动时打开的企业画像 JSON 文件")
    p.add_argument("--screenshot", type=Path, help="离屏打开窗口,等待结果后把窗口截图保存到此 PNG 文件并退出")
    p.add_argument("--large-text", action="store_true", help="大字模式")
    p.add_argument("--timing", action="store_true", help="在标准错误输出打印启动计时")
    p.add_argument("--size", default=None, help="本次运行的窗口大小,如 1024x700(不保存)")
    p.add_argument(
        "--as-of", default=None, metavar="YYYY-MM-DD", help="按这一天判断申报是否截止、政策是否过期(默认今天)"
    )
    p.add_argument("--select", default=None, metavar="措施编号", help="截图时在详情中显示这项措施(如 jingan-2026/二.2)")
    args = p.parse_args(argv)
    args.size_given = args.size is not None
    if args.size is None:
        args.size = "1360x820"
    return args


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().replace("×", "x").split("x"))
        if w > 0 and h > 0:
            return w, h
    except ValueError:
        pass
    return 1360, 820


def offscreen_platform(width: int, height: int) -> str:
    """The offscreen platform with one screen of ``width`` × ``height`` (Qt's offscreen
    plugin reads its screens from a JSON file): a screenshot at 1024×700 is taken on a
    1024×700 screen, so the window is kept within it as on a real one."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "policydesk-offscreen"
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / f"screen-{width}x{height}.json"
    screen = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    conf.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    path = qt_platform_path(conf, Path.cwd())
    return f"offscreen:configfile={path}" if path else "offscreen"


def qt_platform_path(conf, cwd) -> str | None:
    """``conf`` as Qt can read it inside QT_QPA_PLATFORM, whose arguments are separated by
    colons: a Windows drive ("C:/…") would cut it and Qt would not start at all (issue 22, the
    installed app under Wine). Without the drive the path is read on the current drive, so
    that is used when the drive is the current one; otherwise None (the default screen)."""
    if not conf.drive:
        return conf.as_posix()
    if conf.drive.lower() != cwd.drive.lower():
        return None
    return conf.as_posix()[len(conf.drive) :]


def _setup_logging() -> None:
    from .messages import log_path

    try:
        logging.basicConfig(
            filename=str(log_path()),
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            encoding="utf-8",
        )
    except OSError:
        logging.basicConfig(level=logging.WARNING)


def _install_excepthook(window_ref: list) -> None:
    """An exception in a slot on the GUI thread becomes a message, never a crash."""
    import traceback

    from .messages import user_message

    def hook(etype, value, tb):
        logging.getLogger("policydesk").error(
            "未处理的异常:\n%s", "".join(traceback.format_exception(etype, value, tb))
        )
        if window_ref and window_ref[0] is not None:
            try:
                window_ref[0].error_bar.show_message(user_message(value))
                return
            except Exception:
                pass
        sys.__excepthook__(etype, value, tb)

    sys.excepthook = hook


_SYSTEM_FONT: list = []  # the application font before PolicyDesk changed it


def app_font():
    """The window's font: the bundled CJK font, at the system size (at least 10 pt) —
    measured from the font the system gave, so a second window in the same process (the
    tests) does not grow from an enlarged (large-text) application font."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from .fonts import cjk_families

    if not _SYSTEM_FONT:
        _SYSTEM_FONT.append(QFont(QApplication.font()))
    f = QFont(_SYSTEM_FONT[0])
    f.setFamilies(cjk_families()[:-1] + [f.family()])
    if f.pointSizeF() < 10:
        f.setPointSizeF(10)
    return f


def load_style() -> str:
    try:
        from matcher.engine import Engine

        return (Engine.resources_dir() / "style.qss").read_text(encoding="utf-8")
    except (OSError, FileNotFoundError):
        return ""


def load_icon():
    from PySide6.QtGui import QIcon

    try:
        from matcher.engine import Engine

        for name in ("icon.svg", "icon.png"):
            p = Engine.resources_dir() / name
            if p.is_file():
                return QIcon(str(p))
    except FileNotFoundError:
        pass
    return QIcon()


def build(backend=None, large_text: bool | None = None, settings=None):
    """Create controller and window around an existing QApplication (tests use this)."""
    from PySide6.QtWidgets import QApplication

    from matcher import __version__

    from .backend import Backend
    from .controller import Controller
    from .main_window import MainWindow
    from .qt_chinese import load_qt_translations
    from .settings import Settings
    from .workers import collect_on_gui_thread

    app = QApplication.instance()
    # cycles are collected on this thread only, never on a worker (desktop/workers.py)
    collect_on_gui_thread(app)
    if not getattr(app, "_policydesk_translators", None):
        load_qt_translations(app)
    app.setFont(app_font())
    app.setStyleSheet(load_style())
    settings = settings or Settings()
    controller = Controller(backend or Backend())
    # a display option given on the command line is for this run only: never saved
    window = MainWindow(controller, settings, app_version=__version__, icon=load_icon(), large_text=large_text)
    return controller, window


def main(argv: list[str] | None = None) -> int:
    """Start the window; a problem found before it is up (a user folder that cannot be
    created, …) is a message and an exit code, not a traceback. ``--print-handout …``: draw
    a handout to PDF with no window (:mod:`desktop.print_handout`, for ``policydesk handout``
    in the packaged app)."""
    from matcher.errors import PolicyDeskError

    args_in = sys.argv[1:] if argv is None else argv
    if "--print-handout" in args_in:
        from .print_handout import main as print_main

        return print_main(args_in)

    try:
        return _main(argv)
    except PolicyDeskError as err:
        print(str(err), file=sys.stderr)
        if not os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is not None:
                QMessageBox.critical(None, "惠企政策直通车无法启动", str(err))
        return err.exit_code


def _read_profile(path: Path) -> dict:
    """A profile file for the form. An industry the rules do not know is not a dead end
    (the window matches its text as keywords and offers the nearest industries), so a
    file whose only problem is its industry is opened as written; anything else wrong is
    refused (BadInput naming the field)."""
    from matcher.errors import BadInput

    from .backend import Backend

    backend = Backend()
    try:
        return backend.read_profile(path)
    except BadInput:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            raise
        if not isinstance(raw, dict) or not raw.get("industry"):
            raise
        rest = {k: v for k, v in raw.items() if k not in ("industry", "employees", "revenue", "assets")}
        try:
            backend.make_profile(rest)
        except BadInput:
            raise
        return raw


def _main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.screenshot:
        # a screen as large as the shot: the window fits it as it fits a real screen
        os.environ["QT_QPA_PLATFORM"] = offscreen_platform(*_parse_size(args.size))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from matcher.errors import PolicyDeskError

    # the engine works on a worker thread: the GUI thread waits at most 1 ms (not 5) for the
    # interpreter each time it has something to do, so the window stays responsive
    sys.setswitchinterval(GIL_SWITCH_S)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PolicyDesk")
    app.setApplicationDisplayName("惠企政策直通车")
    _setup_logging()
    timing = args.timing or bool(args.screenshot)

    profile = None
    if args.profile:
        try:
            profile = _read_profile(args.profile)
        except (PolicyDeskError, OSError, ValueError) as err:
            print(f"画像文件 {args.profile} 无法使用:{err}", file=sys.stderr)
            return 2

    as_of = None
    if args.as_of:
        from matcher.engine import Engine

        try:
            as_of = Engine.parse_as_of(args.as_of)
        except PolicyDeskError as err:
            print(str(err), file=sys.stderr)
            return 2

    window_ref: list = [None]
    _install_excepthook(window_ref)
    controller, window = build(large_text=True if args.large_text else None)
    if as_of is not None:
        window.set_as_of(as_of)
    window_ref[0] = window
    size = _parse_size(args.size) if (args.screenshot or args.size_given) else None
    if size is not None:
        window.persist_layout = False  # a size from the command line is for this run only
        window.resize(*size)
    else:
        window.restore_layout()
    window.show()
    t_shown = time.perf_counter()
    stamps: dict[str, float] = {}
    exit_code = [0]

    def report() -> None:
        if not timing:
            return
        parts = [f"窗口显示 {1000 * (t_shown - T0):.0f} ms"]
        if "ready" in stamps:
            parts.append(f"可用(知识库就绪){1000 * (stamps['ready'] - T0):.0f} ms")
        if "results" in stamps:
            parts.append(f"首个结果 {1000 * (stamps['results'] - T0):.0f} ms")
        if "counted" in stamps:
            parts.append(f"计数完成 {1000 * (stamps['counted'] - T0):.0f} ms")
        if "last_match_s" in controller.timings:
            parts.append(f"匹配耗时 {1000 * controller.timings['last_match_s']:.1f} ms")
        if monitor is not None:
            parts.append(f"界面线程最长阻塞 {monitor.max_gap_ms:.0f} ms")
        print("启动计时:" + ",".join(parts), file=sys.stderr)

    monitor = None
    if timing:
        from .stall import StallMonitor

        monitor = StallMonitor(app)
        monitor.start()

    def on_ready(_snap) -> None:
        stamps.setdefault("ready", time.perf_counter())
        if not profile:
            report() if not args.screenshot else None

    controller.kb_ready.connect(on_ready)

    if args.screenshot:
        out = args.screenshot

        def shoot(selected: bool = False) -> None:
            if args.select and not selected:
                trees = window.results_panel.trees()
                if any(t.select_measure(args.select) for t in trees):
                    window.detail.show_result(window.results_panel.current_result())
                else:
                    # a measure the lists have not loaded: fetched by id for the detail pane
                    def fetched(result) -> None:
                        if result is None:
                            print(f"知识库中没有措施 {args.select}", file=sys.stderr)
                        QTimer.singleShot(150, lambda: shoot(True))

                    controller.measure_fetched.connect(fetched)
                    controller.show_measure(args.select)
                    return
            out.parent.mkdir(parents=True, exist_ok=True)
            ok = window.grab().save(str(out))
            if not ok:
                print(f"无法保存截图到 {out}", file=sys.stderr)
                exit_code[0] = 1
            report()
            app.exit(exit_code[0])

        def on_results(resp, _prof) -> None:
            stamps.setdefault("results", time.perf_counter())
            stamps.setdefault("counted", time.perf_counter())
            QTimer.singleShot(150, shoot)

        def on_problem(msg: str) -> None:
            if msg and profile:
                print(f"画像有误:{msg}", file=sys.stderr)
                exit_code[0] = 2
                QTimer.singleShot(150, shoot)

        def on_failed(msg: str) -> None:
            print(msg, file=sys.stderr)
            exit_code[0] = 3
            QTimer.singleShot(150, shoot)

        def on_timeout() -> None:
            print("等待结果超时", file=sys.stderr)
            exit_code[0] = 4
            shoot()

        def on_error(msg: str) -> None:  # a match (or a page of it) failed: the shot is not the answer
            print(msg, file=sys.stderr)
            exit_code[0] = exit_code[0] or 3

        controller.kb_failed.connect(on_failed)
        controller.error.connect(on_error)
        controller.notice.connect(lambda msg: print(f"提示:{msg}", file=sys.stderr))  # e.g. read-only
        if profile:
            # the first page on screen is the first result; the shot waits for the counts
            controller.first_page.connect(lambda _a: stamps.setdefault("results", time.perf_counter()))
            controller.results_changed.connect(on_results)
            controller.profile_problem.connect(on_problem)
        else:
            controller.kb_ready.connect(lambda _s: QTimer.singleShot(150, shoot))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, on_timeout)
    elif profile:
        controller.first_page.connect(lambda _a: stamps.setdefault("results", time.perf_counter()))
        controller.results_changed.connect(
            lambda *_: (
                stamps.setdefault("results", time.perf_counter()),
                stamps.setdefault("counted", time.perf_counter()),
                report() if "reported" not in stamps else None,
                stamps.setdefault("reported", 1),
            )
        )

    if profile:
        window.apply_profile(profile)
    QTimer.singleShot(0, controller.start)
    rc = app.exec()
    controller.wait(5000)
    close = getattr(controller.backend, "close", None)
    if callable(close):
        close()
    return exit_code[0] if args.screenshot else rc


if __name__ == "__main__":
    sys.exit(main())
