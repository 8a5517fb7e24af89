"""Build the PolicyDesk application folder with PyInstaller (Windows, macOS, Linux).

    python packaging/build.py                 # → packaging/dist/PolicyDesk/
    python packaging/build.py --check         # … then start the built app and check it
    python packaging/build.py --archive       # … and pack it (.tar.gz; .zip on Windows)
    python packaging/build.py --dist D --work W --clean

Steps: the prebuilt knowledge base (``packaging/prebuilt.py``) → the icon for this platform
(rendered from ``resources/icon.svg`` with Qt: ``.ico`` on Windows, ``.icns`` on macOS) →
``pyinstaller packaging/policydesk.spec`` → optional smoke check and archive. Prints the
build time and the size of the result. Needs the project installed with the ``package``
extra (``pip install -e '.[package]'``). Never touches the user's PolicyDesk folders: the
prebuilt KB and the checks use temporary ``POLICYDESK_HOME`` folders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "policydesk.spec"
APP = "PolicyDesk"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""

SAMPLE_PROFILE = {
    "district": "虹口区",
    "industry": "科学研究和技术服务业",
    "size": "小型",
    "zjtx": "专精特新中小企业",
    "flags": ["高新技术企业", "民营企业"],
    "needs": ["科技创新", "融资", "政策咨询"],
    "keywords": "科技履约贷",
}

_ICON_SCRIPT = r"""
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication([])
src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = QSvgRenderer(src)
if not r.isValid():
    sys.exit(f"cannot read {src}")
img = QImage(size, size, QImage.Format.Format_ARGB32)
img.fill(Qt.GlobalColor.transparent)
p = QPainter(img)
r.render(p)
p.end()
sys.exit(0 if img.save(out) else f"cannot write {out}")
"""


def say(text: str, *, err: bool = False) -> None:
    """Print ``text`` whatever the console's code page: a Windows build writing into a pipe
    (a CI log) encodes in the ANSI code page (cp1252), which has no "→" or Chinese; what it
    cannot encode is replaced, never raised (an error here would fail a finished build)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    enc = getattr(stream, "encoding", None) or "utf-8"
    print(text.encode(enc, "replace").decode(enc, "replace"), file=stream, flush=True)


def app_dir(dist: Path) -> Path:
    """The built one-folder application inside ``dist``."""
    return dist / APP


def exe(dist: Path, name: str) -> Path:
    """``policydesk`` or ``policydesk-gui`` inside the built folder."""
    return app_dir(dist) / f"{name}{EXE_SUFFIX}"


def render_icon(fmt: str, out: Path) -> Path | None:
    """resources/icon.svg → ``out`` (ico, icns or png) via Qt offscreen; None if that fails."""
    src = ROOT / "resources" / "icon.svg"
    if not src.is_file():
        return None
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    size = "256" if fmt == "ico" else "512"  # ICO holds at most 256 px
    r = subprocess.run(
        [sys.executable, "-c", _ICON_SCRIPT, str(src), str(out), size], env=env, capture_output=True, text=True
    )
    if r.returncode != 0 or not out.is_file():
        say(f"warning: no {fmt} icon ({(r.stderr or r.stdout).strip()[-300:]})", err=True)
        return None
    return out


def folder_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total


def build(dist: Path, work: Path, *, clean: bool = False, quiet: bool = False) -> float:
    """Build into ``dist/PolicyDesk``; returns the seconds it took."""
    t0 = time.perf_counter()
    if clean:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    prebuilt = work / "prebuilt"
    subprocess.run([sys.executable, str(HERE / "prebuilt.py"), str(prebuilt)], check=True)

    env = {**os.environ, "POLICYDESK_PREBUILT_DIR": str(prebuilt), "QT_QPA_PLATFORM": "offscreen"}
    fmt = {"win32": "ico", "darwin": "icns"}.get(sys.platform)
    if fmt:
        icon = render_icon(fmt, work / f"policydesk.{fmt}")
        if icon:
            env["POLICYDESK_ICON"] = str(icon)
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        str(SPEC),
    ]
    if clean:
        cmd.insert(3, "--clean")
    if quiet:
        cmd.insert(3, "--log-level=WARN")
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return time.perf_counter() - t0


def check(dist: Path) -> None:
    """Start the built app with an empty user folder: CLI ``kb stats``, GUI screenshot."""
    with tempfile.TemporaryDirectory(prefix="policydesk-check-") as tmp:
        env = {**os.environ, "POLICYDESK_HOME": str(Path(tmp) / "home"), "QT_QPA_PLATFORM": "offscreen"}
        t0 = time.perf_counter()
        r = subprocess.run(
            [str(exe(dist, "policydesk")), "kb", "stats", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        if r.returncode != 0:
            raise SystemExit(f"check: kb stats failed ({r.returncode}): {r.stderr}")
        stats = json.loads(r.stdout)
        say(
            f"check: policydesk kb stats -> {stats['measures']} measures in "
            f"{len(stats['documents'])} documents, {time.perf_counter() - t0:.2f} s (first start)"
        )
        prof = Path(tmp) / "profile.json"
        prof.write_text(json.dumps(SAMPLE_PROFILE, ensure_ascii=False), encoding="utf-8")
        shot = Path(tmp) / "shot.png"
        t0 = time.perf_counter()
        r = subprocess.run(
            [str(exe(dist, "policydesk-gui")), "--profile", str(prof), "--screenshot", str(shot)],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        if r.returncode != 0 or not shot.is_file():
            raise SystemExit(f"check: GUI screenshot failed ({r.returncode}): {r.stderr}")
        say(
            f"check: policydesk-gui --screenshot -> {shot.stat().st_size // 1024} KiB PNG, "
            f"{time.perf_counter() - t0:.2f} s"
        )


def archive(dist: Path) -> Path:
    """Pack the folder as PolicyDesk-<version>-<platform>.tar.gz (.zip on Windows)."""
    import platform
    import re

    version = re.search(r'__version__\s*=\s*"([^"]+)"', (ROOT / "matcher" / "__init__.py").read_text("utf-8")).group(1)
    plat = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    base = dist / f"{APP}-{version}-{plat}-{platform.machine().lower()}"
    fmt = "zip" if sys.platform == "win32" else "gztar"
    return Path(shutil.make_archive(str(base), fmt, root_dir=dist, base_dir=APP))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the PolicyDesk one-folder app with PyInstaller.")
    p.add_argument("--dist", type=Path, default=HERE / "dist", help="output folder (default packaging/dist)")
    p.add_argument("--work", type=Path, default=HERE / "build", help="work folder (default packaging/build)")
    p.add_argument("--clean", action="store_true", help="start from an empty work folder and PyInstaller cache")
    p.add_argument("--quiet", action="store_true", help="PyInstaller prints warnings only")
    p.add_argument("--check", action="store_true", help="start the built app and check it")
    p.add_argument("--archive", action="store_true", help="also pack the folder (.tar.gz / .zip)")
    args = p.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        say("PyInstaller is not installed: pip install -e '.[package]'", err=True)
        return 2
    dist, work = args.dist.resolve(), args.work.resolve()
    seconds = build(dist, work, clean=args.clean, quiet=args.quiet)
    size = folder_size(app_dir(dist))
    say(f"built {app_dir(dist)} in {seconds:.1f} s: {size / 2**20:.0f} MiB")
    if args.check:
        check(dist)
    if args.archive:
        a = archive(dist)
        say(f"archive {a}: {a.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
