"""Measure a built PolicyDesk folder: size, archive size, start-up times.

    python packaging/measure.py [packaging/dist/PolicyDesk] [--runs 5]

Prints ``du``-style size of the folder, the size of a .tar.gz of it, the wall time of the
packaged CLI ``kb stats`` (first start with an empty user folder, then warm) and of the
packaged GUI from launch to a saved screenshot (``--profile … --screenshot …``, offscreen),
each the median of ``--runs`` runs. Uses temporary ``POLICYDESK_HOME`` folders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXE = ".exe" if sys.platform == "win32" else ""
sys.path.insert(0, str(HERE))
from build import SAMPLE_PROFILE, folder_size  # noqa: E402


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}")
    return took, r


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("app", nargs="?", type=Path, default=HERE / "dist" / "PolicyDesk")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    app = args.app.resolve()
    cli, gui = str(app / f"policydesk{EXE}"), str(app / f"policydesk-gui{EXE}")
    n = args.runs

    size = folder_size(app)
    with tempfile.TemporaryDirectory() as tmp:
        tgz = Path(tmp) / "app.tar.gz"
        with tarfile.open(tgz, "w:gz") as tf:
            tf.add(app, arcname=app.name)
        print(f"size: {size / 2**20:.0f} MiB folder, {tgz.stat().st_size / 2**20:.1f} MiB .tar.gz")

        base = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        first, warm = [], []
        for i in range(n):
            env = {**base, "POLICYDESK_HOME": str(Path(tmp) / f"cli{i}")}
            first.append(_timed([cli, "kb", "stats"], env)[0])
            warm.append(_timed([cli, "kb", "stats"], env)[0])
        print(
            f"CLI kb stats: first start {statistics.median(first):.2f} s, "
            f"warm {statistics.median(warm):.2f} s (median of {n}; all warm: "
            f"{', '.join(f'{t:.2f}' for t in warm)})"
        )

        prof = Path(tmp) / "profile.json"
        prof.write_text(json.dumps(SAMPLE_PROFILE, ensure_ascii=False), encoding="utf-8")
        env = {**base, "POLICYDESK_HOME": str(Path(tmp) / "gui")}
        gfirst, _ = _timed([gui, "--profile", str(prof), "--screenshot", str(Path(tmp) / "first.png")], env)
        gwarm, lines = [], []
        for i in range(n):
            took, r = _timed([gui, "--profile", str(prof), "--screenshot", str(Path(tmp) / f"s{i}.png")], env)
            gwarm.append(took)
            lines.append(next((ln for ln in r.stderr.splitlines() if ln.startswith("启动计时")), ""))
        print(
            f"GUI launch -> screenshot saved: first start {gfirst:.2f} s, warm median {statistics.median(gwarm):.2f} s "
            f"(all: {', '.join(f'{t:.2f}' for t in gwarm)})"
        )
        print(f"GUI's own timing (last run): {lines[-1]}")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]  # cp1252 pipes on Windows (issue 22)
    sys.exit(main())
