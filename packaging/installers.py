"""What wraps the built PolicyDesk folder for each system, and the optional code signing.

- Windows: the NSIS installer (``windows/policydesk.nsi``; ``makensis`` from Debian or on
  Windows), its silent install and uninstall, and where it puts things.
- macOS: the ``.dmg`` (``hdiutil``), with ``PolicyDesk.app`` and a link to /Applications.
- Linux: the ``.deb`` (``dpkg-deb``): /opt/PolicyDesk, commands in /usr/bin, a menu entry,
  and the system libraries Qt needs as dependencies, so apt installs them.
- Signing: each signing step runs when its certificate is configured (environment variables,
  set from the CI service's secrets) and otherwise prints that it is skipped and why.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from winebuild import BuildFailure, run

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP = "PolicyDesk"
NSI = HERE / "windows" / "policydesk.nsi"
DESKTOP = HERE / "linux" / "policydesk.desktop"
TIMESTAMP_URL = os.environ.get("POLICYDESK_TIMESTAMP_URL", "http://timestamp.digicert.com")
SETUP_REFUSED = 3  # the installer's exit code on an unsupported Windows (policydesk.nsi)
START_MENU = "惠企政策直通车"

# What the Qt xcb platform plugin and the bundle load from the system (not bundled by
# PyInstaller, or not on a minimal desktop install); libxcb-cursor0 is the one a fresh
# Debian/Ubuntu desktop most often lacks (Qt 6.5+ will not start without it).
DEB_DEPENDS = [
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-randr0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0",
]


def version() -> str:
    text = (ROOT / "matcher" / "__init__.py").read_text("utf-8")
    m = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not m:
        raise BuildFailure("matcher/__init__.py has no __version__")
    return m.group(1)


def skipped(what: str, why: str) -> None:
    print(f"{what}: skipped — {why}", flush=True)


# ------------------------------------------------------------------ Windows


def windows_signing() -> tuple[Path, str] | None:
    """The code-signing certificate (a .pfx) if configured: POLICYDESK_WINDOWS_PFX_BASE64 and
    POLICYDESK_WINDOWS_PFX_PASSWORD. None (and says so) when not."""
    data = os.environ.get("POLICYDESK_WINDOWS_PFX_BASE64", "").strip()
    if not data:
        skipped(
            "Windows code signing",
            "POLICYDESK_WINDOWS_PFX_BASE64 is not set (unsigned: SmartScreen warns before the first start)",
        )
        return None
    pfx = Path(tempfile.mkdtemp(prefix="policydesk-sign-")) / "cert.pfx"
    pfx.write_bytes(base64.b64decode(data))
    return pfx, os.environ.get("POLICYDESK_WINDOWS_PFX_PASSWORD", "")


def sign_windows(files: list[Path], cert: tuple[Path, str], *, timestamp: str | None = TIMESTAMP_URL) -> None:
    """Authenticode-sign ``files`` in place: signtool on Windows, osslsigncode elsewhere."""
    pfx, password = cert
    for f in files:
        if sys.platform == "win32":
            cmd = ["signtool", "sign", "/fd", "sha256", "/f", pfx, "/p", password]
            cmd += ["/tr", timestamp, "/td", "sha256"] if timestamp else []
            run([*cmd, f], timeout=300, what=f"signtool {f.name}")
        else:
            out = f.with_name(f.name + ".signed")
            cmd = ["osslsigncode", "sign", "-pkcs12", pfx, "-pass", password, "-h", "sha256", "-n", "惠企政策直通车"]
            cmd += ["-ts", timestamp] if timestamp else []
            run([*cmd, "-in", f, "-out", out], timeout=300, what=f"osslsigncode sign {f.name}")
            os.replace(out, f)
        print(f"signed {f.name}", flush=True)


def find_makensis() -> str:
    """makensis on PATH, or where the NSIS installer puts it on Windows."""
    for cand in ("makensis", r"C:\Program Files (x86)\NSIS\makensis.exe", r"C:\Program Files\NSIS\makensis.exe"):
        found = shutil.which(cand) or (cand if Path(cand).is_file() else None)
        if found:
            return found
    raise BuildFailure("makensis is not installed (Debian: apt-get install nsis; Windows: choco install nsis)")


def make_nsis(app: Path, out_dir: Path, icon: Path | None = None) -> Path:
    """The installer ``PolicyDesk-<version>-windows-x64-setup.exe`` from the built folder ``app``."""
    makensis = find_makensis()
    out_dir.mkdir(parents=True, exist_ok=True)
    setup = out_dir / f"{APP}-{version()}-windows-x64-setup.exe"
    opt = "/" if sys.platform == "win32" else "-"
    cmd = [makensis, f"{opt}V2", f"{opt}INPUTCHARSET", "UTF8", f"{opt}DVERSION={version()}"]
    cmd += [f"{opt}DSRCDIR={app}", f"{opt}DOUTFILE={setup}"]
    if icon is not None and icon.is_file():
        cmd.append(f"{opt}DICON={icon}")
    run([*cmd, NSI], timeout=900, what="makensis (the Windows installer)")
    return setup


class WindowsInstall:
    """The installer's effects on one Windows user (natively, or under Wine: ``prefix`` runs
    programs there and ``user`` is that user's folder on the host)."""

    def __init__(self, user: Path, prefix: list[str], env: dict[str, str]) -> None:
        self.user, self.prefix, self.env = user, prefix, env
        local = user / "AppData" / "Local"
        self.install_dir = local / "Programs" / APP
        self.data_dir = local / APP  # platformdirs: %LOCALAPPDATA%\PolicyDesk
        self.start_menu = user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"

    def setup(self, setup: Path, timeout: float = 600) -> int:
        """Run the installer silently (/S); returns its exit code."""
        r = subprocess.run(
            [*self.prefix, str(setup), "/S"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
        return r.returncode

    def install(self, setup: Path, timeout: float = 600) -> float:
        t0 = time.perf_counter()
        code = self.setup(setup, timeout)
        took = time.perf_counter() - t0
        if code != 0:
            raise BuildFailure(f"silent install failed: {setup.name} /S exited with {code}")
        for f in ("policydesk.exe", "policydesk-gui.exe", "uninstall.exe"):
            if not (self.install_dir / f).is_file():
                raise BuildFailure(f"silent install: {self.install_dir / f} is missing")
        for lnk in (f"{START_MENU}.lnk", f"{START_MENU} 命令行.lnk"):
            if not (self.start_menu / lnk).is_file():
                raise BuildFailure(f"silent install: no Start-menu entry {self.start_menu / lnk}")
        if not self.registered():
            raise BuildFailure("silent install: no uninstall entry in the registry (HKCU …\\Uninstall\\PolicyDesk)")
        return took

    def registered(self) -> bool:
        key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\PolicyDesk"
        r = subprocess.run(
            [*self.prefix, "reg", "query", key],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
        )
        return r.returncode == 0

    def uninstall(self, timeout: float = 300) -> float:
        """``uninstall.exe /S`` (it restarts itself from the temp folder and returns at once:
        wait until the install folder is gone), then check what it left: user data only."""
        t0 = time.perf_counter()
        subprocess.run(
            [*self.prefix, str(self.install_dir / "uninstall.exe"), "/S"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
        while self.install_dir.exists() and time.perf_counter() - t0 < timeout:
            time.sleep(1)
        if self.install_dir.exists():
            left = sorted(str(p.relative_to(self.install_dir)) for p in self.install_dir.rglob("*"))[:10]
            raise BuildFailure(f"uninstall: {self.install_dir} still there after {timeout:.0f} s: {left}")
        if any(self.start_menu.glob(f"{START_MENU}*.lnk")):
            raise BuildFailure("uninstall: the Start-menu entries are still there")
        if self.registered():
            raise BuildFailure("uninstall: the uninstall entry is still in the registry")
        return time.perf_counter() - t0


# ------------------------------------------------------------------ macOS


MACOS_MINIMUM = "13.0"  # Qt 6.10/6.11; the spec's LSMinimumSystemVersion


def otool_minimum(otool_l: str) -> str | None:
    """The minimum macOS a Mach-O file states, from ``otool -l`` output (LC_BUILD_VERSION's
    ``minos``, or the older LC_VERSION_MIN_MACOSX's ``version``)."""
    m = re.search(r"cmd LC_BUILD_VERSION.*?\n\s*minos (\d+(?:\.\d+)*)", otool_l, re.S)
    if not m:
        m = re.search(r"cmd LC_VERSION_MIN_MACOSX.*?\n\s*version (\d+(?:\.\d+)*)", otool_l, re.S)
    return m.group(1) if m else None


def _vtuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def check_macos_minimum(app_bundle: Path, minimum: str = MACOS_MINIMUM) -> int:
    """Every library and program in the .app runs on macOS ``minimum``: a wheel built for a
    newer macOS (pip picks the build machine's best) would make the app fail to start on a
    supported Mac — refuse to ship it. Returns how many files were checked."""
    checked, too_new = 0, []
    for f in sorted(app_bundle.rglob("*")):
        if f.is_symlink() or not f.is_file() or not (f.suffix in (".so", ".dylib") or os.access(f, os.X_OK)):
            continue
        with open(f, "rb") as fh:
            magic = fh.read(4)
        if magic not in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):  # Mach-O 64-bit, universal
            continue
        r = subprocess.run(["otool", "-l", str(f)], capture_output=True, text=True, timeout=60)
        need = otool_minimum(r.stdout)
        checked += 1
        if need and _vtuple(need) > _vtuple(minimum):
            too_new.append(f"{f.relative_to(app_bundle)} needs macOS {need}")
    if too_new:
        raise BuildFailure(
            f"these files need a newer macOS than the supported {minimum}: "
            + "; ".join(too_new[:10])
            + " — install an older build of that package (e.g. pip install --only-binary=:all: --platform "
            f"macosx_{minimum.replace('.', '_')}_$(uname -m) …) or raise the supported version in packaging/README.md"
        )
    return checked


def make_dmg(app_bundle: Path, out_dir: Path) -> Path:
    """``PolicyDesk-<version>-macos-<arch>.dmg``: the .app and a link to /Applications."""
    import platform

    out_dir.mkdir(parents=True, exist_ok=True)
    dmg = out_dir / f"{APP}-{version()}-macos-{platform.machine().lower()}.dmg"
    stage = Path(tempfile.mkdtemp(prefix="policydesk-dmg-"))
    run(["ditto", app_bundle, stage / app_bundle.name], timeout=600, what="ditto (dmg staging)")
    (stage / "Applications").symlink_to("/Applications")
    dmg.unlink(missing_ok=True)
    run(
        ["hdiutil", "create", "-volname", "惠企政策直通车", "-srcfolder", stage, "-ov", "-format", "UDZO", dmg],
        timeout=900,
        what="hdiutil create",
    )
    return dmg


def notarize(dmg: Path) -> bool:
    """Notarise and staple the .dmg when POLICYDESK_NOTARY_APPLE_ID, …_TEAM_ID and …_PASSWORD
    (an app-specific password) are set; otherwise say it is skipped."""
    who = {k: os.environ.get(f"POLICYDESK_NOTARY_{k}", "") for k in ("APPLE_ID", "TEAM_ID", "PASSWORD")}
    if not all(who.values()) or not os.environ.get("POLICYDESK_CODESIGN_IDENTITY"):
        skipped(
            "macOS notarisation",
            "POLICYDESK_CODESIGN_IDENTITY / POLICYDESK_NOTARY_* are not set "
            "(unsigned: users open it the first time with right-click → Open)",
        )
        return False
    run(
        ["xcrun", "notarytool", "submit", dmg, "--apple-id", who["APPLE_ID"], "--team-id", who["TEAM_ID"],
         "--password", who["PASSWORD"], "--wait"],
        timeout=3600, what="notarytool submit",
    )  # fmt: skip
    run(["xcrun", "stapler", "staple", dmg], timeout=600, what="stapler staple")
    return True


class MountedDmg:
    """``with MountedDmg(dmg) as volume:`` — the disk image attached read-only, as a user opens it."""

    def __init__(self, dmg: Path) -> None:
        self.dmg = dmg
        self.mount = Path(tempfile.mkdtemp(prefix="policydesk-vol-"))

    def __enter__(self) -> Path:
        run(
            ["hdiutil", "attach", "-nobrowse", "-readonly", "-mountpoint", self.mount, self.dmg],
            timeout=300,
            what="hdiutil attach",
        )
        return self.mount

    def __exit__(self, *exc) -> None:
        subprocess.run(["hdiutil", "detach", str(self.mount)], capture_output=True, timeout=120, check=False)


# ------------------------------------------------------------------ Linux


def glibc_dependency() -> str:
    """The bundle needs a glibc at least as new as the build machine's."""
    import platform

    lib, ver = platform.libc_ver()
    return f"libc6 (>= {ver})" if lib == "glibc" and ver else "libc6"


def make_deb(app: Path, out_dir: Path, arch: str = "amd64") -> Path:
    """``policydesk_<version>_amd64.deb``: /opt/PolicyDesk, /usr/bin/policydesk[-gui], a menu
    entry and the icon; the system libraries Qt needs are its dependencies."""
    if shutil.which("dpkg-deb") is None:
        raise BuildFailure("dpkg-deb is not installed (Debian/Ubuntu: apt-get install dpkg)")
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix="policydesk-deb-"))
    opt = stage / "opt" / APP
    shutil.copytree(app, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    for name in ("policydesk", "policydesk-gui"):
        (stage / "usr" / "bin" / name).symlink_to(f"/opt/{APP}/{name}")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    desktop = "".join(line for line in DESKTOP.read_text("utf-8").splitlines(True) if not line.startswith("#"))
    desktop = desktop.replace(f"Icon=/opt/{APP}/_internal/resources/icon.svg", "Icon=policydesk")
    (apps / "policydesk.desktop").write_text(desktop, encoding="utf-8")
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icon.svg", icons / "policydesk.svg")
    size_kib = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    debian = stage / "DEBIAN"
    debian.mkdir()
    control = (
        f"Package: policydesk\nVersion: {version()}\nArchitecture: {arch}\nMaintainer: PolicyDesk <policydesk@localhost>\n"
        f"Installed-Size: {size_kib}\nDepends: {', '.join([glibc_dependency(), *DEB_DEPENDS])}\nSection: misc\nPriority: optional\n"
        "Description: 惠企政策直通车 — offline policy-to-enterprise matching\n"
        " Finds the district business-environment measures that apply to a company, each with\n"
        " the office that handles it and why. Works offline; user data stays in ~/.local/share/PolicyDesk.\n"
    )
    (debian / "control").write_text(control, encoding="utf-8")
    for d in [stage, *[p for p in stage.rglob("*") if p.is_dir()]]:
        d.chmod(0o755)
    deb = out_dir / f"policydesk_{version()}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", stage, deb], timeout=900, what="dpkg-deb --build")
    shutil.rmtree(stage, ignore_errors=True)
    return deb
