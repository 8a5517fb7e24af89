"""The smoke test of an installed PolicyDesk, the same on every system (issue 22).

``packaging/release.py`` runs it on the app as a user got it — installed by the Windows
installer (natively, or under Wine on Linux), the macOS ``.app`` from the disk image, the Linux
package unpacked — through a :class:`Runner` that knows how to start a program there:

1. ``policydesk kb stats`` on an empty user folder (the first start, timed): 5 documents, >200 measures;
2. ``policydesk match --format json`` for golden profiles: the same answer as the source install
   on the build machine, apart from line ends (Windows prints CRLF);
3. ``policydesk-gui --profile … --screenshot …`` offscreen: exits 0 with results shown (the
   screenshot waits for them), a PNG of the drawn window on a 1360×820 screen, no internal error in the log;
4. ``policydesk ingest X.docx``: a Word document is imported as the source install imports it,
   and ``kb stats`` then counts it.

Every step has a time limit; a failure raises :class:`SmokeFailure` naming the step, the
command, its exit code and the end of its output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
GOLDEN = ("hk-zjtx-hightech-domestic", "xh-foreign-biomed-rnd")
SHOT_SIZE = (1360, 820)
INTERNAL_ERROR = "未处理的异常"  # what desktop.app logs for an exception that reached the window


class SmokeFailure(RuntimeError):
    """A smoke check failed: the message says which, with the command and its output."""


def same_answer(got: bytes | str, want: bytes | str) -> bool:
    """Two printed JSON answers are the same apart from line ends (CRLF on Windows, LF elsewhere).

    Compares the text with line ends normalised — every other byte counts, so a changed
    number, order or escape is still a difference — and the parsed JSON too.
    """

    def text(x: bytes | str) -> str:
        s = x.decode("utf-8") if isinstance(x, bytes) else x
        return s.replace("\r\n", "\n")

    a, b = text(got), text(want)
    return a == b and json.loads(a) == json.loads(b)


@dataclass
class Runner:
    """Starts the installed programs. ``prefix`` goes before the program (``["wine"]`` under
    Wine); ``path`` turns a host path into one the program understands; ``env`` is added."""

    prefix: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    drive: str = ""  # "Z:" under Wine: host paths as Windows paths
    cwd: Path = ROOT  # where the programs start (Windows: the install folder, as the Start menu does)
    # Under Wine only: a program that ends non-zero having printed nothing at all is started once
    # more. The app itself never fails silently (``matcher.cli.main`` prints every error it ends
    # on), so such an exit is the host's: seen once in CI, exit 1 with empty output, from a
    # ``match`` that had passed in every run before. The retry runs with Wine's own error
    # messages on, and ``retried`` records it for the build's report.
    retry_silent_exit: bool = False
    retried: list[str] = field(default_factory=list)

    def path(self, p: Path | str) -> str:
        if not self.drive:
            return str(p)
        return self.drive + str(Path(p).resolve()).replace("/", "\\")

    def run(
        self, exe: Path, args: Sequence[str], *, timeout: float, home: Path | None = None, what: str = ""
    ) -> subprocess.CompletedProcess:
        env = {**os.environ, **self.env, "QT_QPA_PLATFORM": "offscreen", "POLICYDESK_NO_DIALOG": "1"}
        env.pop("POLICYDESK_HOME", None)
        if home is not None:
            env["POLICYDESK_HOME"] = self.path(home)
        cmd = [*self.prefix, str(exe), *args]
        try:
            r = subprocess.run(
                cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, cwd=self.cwd
            )
            if self.retry_silent_exit and r.returncode != 0 and not r.stdout and not r.stderr:
                time.sleep(3)
                env = {**env, "WINEDEBUG": "err+all", "POLICYDESK_DEBUG": "1"}
                again = subprocess.run(
                    cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, cwd=self.cwd
                )
                self.retried.append(
                    f"{what or exe.name}: exit {r.returncode} with no output; second try exit {again.returncode}"
                )
                print(f"smoke: {self.retried[-1]}", flush=True)
                r = again
            return r
        except subprocess.TimeoutExpired as ex:
            raise SmokeFailure(
                f"{what or 'a step'} did not finish within {timeout:.0f} s: {' '.join(cmd)}\n"
                f"{_tail(ex.stdout)}{_tail(ex.stderr)}"
            ) from None


def _tail(b: bytes | str | None, n: int = 1500) -> str:
    if not b:
        return ""
    s = b.decode("utf-8", "replace") if isinstance(b, bytes) else b
    return s[-n:] + ("\n" if not s.endswith("\n") else "")


def _check(r: subprocess.CompletedProcess, what: str, ok: bool = True) -> None:
    if r.returncode != 0 or not ok:
        raise SmokeFailure(
            f"{what} failed (exit code {r.returncode}): {' '.join(map(str, r.args))}\n"
            f"--- stdout\n{_tail(r.stdout)}--- stderr\n{_tail(r.stderr)}"
        )


def png_size(p: Path) -> tuple[int, int]:
    head = p.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"{p} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def profile_file(case: str, folder: Path) -> Path:
    p = folder / f"{case}.json"
    prof = json.loads((CASES / f"{case}.json").read_text("utf-8"))["profile"]
    p.write_text(json.dumps(prof, ensure_ascii=False), encoding="utf-8")
    return p


def make_docx(out: Path) -> Path:
    """A Word document of a district action plan (the Hongkou seed, as from another district)."""
    import docx  # python-docx: a dependency of the app

    seed = sorted((ROOT / "seeds").glob("000_*.txt"))[0]
    d = docx.Document()
    for line in seed.read_text("utf-8").replace("虹口", "静安").splitlines():
        d.add_paragraph(line)
    d.save(str(out))
    return out


DOCX_ARGS = ("--district", "静安区", "--title", "静安区测试行动方案", "--format", "json")


def _without_file(answer: bytes | str) -> dict:
    data = json.loads(answer.decode("utf-8") if isinstance(answer, bytes) else answer)
    for d in data.get("documents", []):
        d.pop("file", None)  # the path as given: a Windows path there, a POSIX one here
    return data


def reference(work: Path, docx_file: Path) -> dict[str, bytes]:
    """The source install's answers on this machine (``python -m matcher``), each with its
    own empty user folder: what the installed app must print."""
    out: dict[str, bytes] = {}
    env = {k: v for k, v in os.environ.items() if k != "POLICYDESK_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    jobs = {f"match:{c}": ["match", "--profile", str(profile_file(c, work)), "--format", "json"] for c in GOLDEN}
    jobs["ingest"] = ["ingest", str(docx_file), *DOCX_ARGS]
    for key, args in jobs.items():
        env["POLICYDESK_HOME"] = str(work / "reference-home" / key.replace(":", "-"))
        r = subprocess.run(
            [sys.executable, "-m", "matcher", *args], env=env, capture_output=True, timeout=300, cwd=ROOT
        )
        _check(r, f"the source install's answer ({key})")
        out[key] = r.stdout
    return out


@dataclass
class Figures:
    first_start_s: float = 0.0
    measures: int = 0
    gui_s: float = 0.0
    screenshot: Path | None = None
    docx_measures: int = 0
    lines: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        self.lines.append(line)
        print(f"smoke: {line}", flush=True)


def run_smoke(
    runner: Runner,
    cli: Path,
    gui: Path,
    work: Path,
    *,
    home: Path | None = None,
    data_dir: Path | None = None,
    timeout: float = 180,
) -> Figures:
    """The five checks on the installed ``cli`` and ``gui``. ``home``: a POLICYDESK_HOME for
    the app (None: the system's own user folders, which must be empty, as after a fresh
    install); ``data_dir``: where the app's data folder is then, for the log check."""
    work.mkdir(parents=True, exist_ok=True)
    fig = Figures()
    docx_file = make_docx(work / "静安区测试行动方案.docx")
    want = reference(work, docx_file)
    data = data_dir if home is None else home / "data"

    t0 = time.perf_counter()
    r = runner.run(cli, ["kb", "stats", "--format", "json"], timeout=timeout, home=home, what="kb stats")
    fig.first_start_s = time.perf_counter() - t0
    _check(r, "policydesk kb stats (first start)")
    stats = json.loads(r.stdout.decode("utf-8"))
    fig.measures = stats["measures"]
    if len(stats["documents"]) != 5 or stats["measures"] <= 200:
        raise SmokeFailure(f"kb stats: expected the 5 seed documents and >200 measures, got {stats}")
    fig.note(f"kb stats (first start) -> {stats['measures']} measures, 5 documents, {fig.first_start_s:.1f} s")

    for case in GOLDEN:
        prof = profile_file(case, work)
        r = runner.run(
            cli, ["match", "--profile", runner.path(prof), "--format", "json"], timeout=timeout, home=home, what="match"
        )
        _check(r, f"policydesk match ({case})")
        if not json.loads(r.stdout.decode("utf-8"))["results"]:
            raise SmokeFailure(f"match {case}: no results (the comparison would prove little)")
        if not same_answer(r.stdout, want[f"match:{case}"]):
            (work / f"{case}.installed.json").write_bytes(r.stdout)
            (work / f"{case}.source.json").write_bytes(want[f"match:{case}"])
            raise SmokeFailure(
                f"match {case}: the installed app's JSON differs from the source install's "
                f"(beyond line ends); both are in {work}"
            )
        crlf = b"\r\n" in r.stdout
        fig.note(f"match {case}: same JSON as the source install ({'CRLF' if crlf else 'LF'} line ends)")

    shot = work / "window.png"
    shot.unlink(missing_ok=True)
    prof = profile_file(GOLDEN[0], work)
    size = f"{SHOT_SIZE[0]}x{SHOT_SIZE[1]}"
    t0 = time.perf_counter()
    r = runner.run(
        gui,
        ["--profile", runner.path(prof), "--screenshot", runner.path(shot), "--size", size],
        timeout=timeout,
        home=home,
        what="the window's screenshot",
    )
    fig.gui_s = time.perf_counter() - t0
    _check(r, "policydesk-gui --screenshot (exit 0 means the results were shown)", shot.is_file())
    w, h = png_size(shot)
    # the window is kept within its screen (--size sets the screen), its frame included: a few pixels less
    if not (SHOT_SIZE[0] * 0.97 <= w <= SHOT_SIZE[0] and SHOT_SIZE[1] * 0.97 <= h <= SHOT_SIZE[1]):
        raise SmokeFailure(f"screenshot {shot}: {w}x{h}, not the window on a {SHOT_SIZE[0]}x{SHOT_SIZE[1]} screen")
    if shot.stat().st_size < 20_000:
        raise SmokeFailure(f"screenshot {shot}: {shot.stat().st_size} bytes: not a drawn window")
    log = data / "policydesk.log" if data else None
    if log is not None and not log.is_file():
        raise SmokeFailure(f"the window wrote no log at {log}: the internal-error check would prove nothing")
    if log is not None and INTERNAL_ERROR in log.read_text("utf-8", "replace"):
        raise SmokeFailure(f"the window logged an internal error:\n{_tail(log.read_text('utf-8', 'replace'))}")
    fig.screenshot = shot
    fig.note(f"window with results -> {shot} ({shot.stat().st_size // 1024} KiB), {fig.gui_s:.1f} s")

    r = runner.run(
        cli, ["ingest", runner.path(docx_file), *DOCX_ARGS], timeout=timeout, home=home, what="the .docx import"
    )
    _check(r, "policydesk ingest X.docx")
    got = _without_file(r.stdout)
    if got != _without_file(want["ingest"]):
        (work / "ingest.installed.json").write_bytes(r.stdout)
        (work / "ingest.source.json").write_bytes(want["ingest"])
        raise SmokeFailure(f"ingest .docx: the installed app imported it differently from the source install ({work})")
    fig.docx_measures = got["documents"][0]["measures"]
    r = runner.run(cli, ["kb", "stats", "--format", "json"], timeout=timeout, home=home, what="kb stats")
    _check(r, "policydesk kb stats after the import")
    if len(json.loads(r.stdout.decode("utf-8"))["documents"]) != 6:
        raise SmokeFailure("kb stats after the .docx import does not count the imported document")
    fig.note(f"ingest .docx -> {fig.docx_measures} measures, as the source install; kb stats counts 6 documents")
    signed_pack_round_trip(runner, cli, work, home=home, timeout=timeout)
    fig.note("signed pack: keygen, export --sign, trust, import; one byte altered -> refused (exit 2)")
    return fig


def signed_pack_round_trip(runner: Runner, cli: Path, work: Path, *, home: Path | None, timeout: float) -> None:
    """The Ed25519 signatures of policy packs work in the installed app (they need the
    ``cryptography`` package's compiled part, which a build can lack or fail to load): a key
    made, the library exported signed, the key trusted, the pack imported; the same pack with
    one byte changed is refused with exit 2."""
    key, pack = work / "pack-key", work / "library.pdpack"
    for f in (key, key.with_name(key.name + ".pub"), pack):
        f.unlink(missing_ok=True)
    steps = [
        (["pack", "keygen", runner.path(key)], "policydesk pack keygen"),
        (["pack", "export", "--sign", runner.path(key), runner.path(pack)], "policydesk pack export --sign"),
        (["pack", "trust", runner.path(key.with_name(key.name + ".pub"))], "policydesk pack trust"),
        (["pack", "import", runner.path(pack)], "policydesk pack import (signed by the trusted key)"),
    ]
    for args, what in steps:
        _check(runner.run(cli, args, timeout=timeout, home=home, what=what), what)
    raw = bytearray(pack.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    altered = work / "altered.pdpack"
    altered.write_bytes(bytes(raw))
    r = runner.run(cli, ["pack", "import", runner.path(altered)], timeout=timeout, home=home, what="altered pack")
    if r.returncode != 2:
        raise SmokeFailure(
            f"policydesk pack import of an altered pack: exit {r.returncode}, expected 2 (refused)\n"
            f"--- stdout\n{_tail(r.stdout)}--- stderr\n{_tail(r.stderr)}"
        )
