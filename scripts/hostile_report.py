"""What each hostile file costs to refuse (issue 23): prints the README's table, never pass/fail.

    PYTHONPATH=. python scripts/hostile_report.py [--runs 3]

Each file is made small on disk (what it declares or nests is large) by the generators of
``tests/reliability/hostile.py``, then handed to ``policydesk ingest`` or ``policydesk pack
import`` in a child process of its own, against a copy of a home with the seed knowledge
base (an import is then never a duplicate). Per file: the exit code, the time of the
command inside the process (the knowledge base opened; the interpreter's start and the
imports not — ``kb stats`` is the row to compare with), the whole process's wall time, and
its peak resident memory (VmHWM). Median of ``--runs``. The machine is shared: the load
average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "reliability")]

import hostile  # noqa: E402
from packkeys import test_key  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="policydesk-hostile-"))
    home = work / "home"
    os.environ["POLICYDESK_HOME"] = str(home)
    from matcher.store import signing
    from matcher.store.kb import KnowledgeBase

    KnowledgeBase.open_default().close()  # the seed KB, built once
    signing.trust(signing.read_public(str(test_key()[1])))
    bomb = hostile.docx_liar(work / "liar-1mb.docx", real=1024**3, declared=1024 * 1024)
    cases = [
        ("(for comparison) `kb stats`: the knowledge base opened, nothing refused", ["kb", "stats"]),
        ("50,000 nested `<div>` (.html, 550 KB)", ["ingest", hostile.nested_divs(work / "nested.html")]),
        ("`<a` × 200,000 (.html, 400 KB)", ["ingest", hostile.malformed_html(work / "lt.html")]),
        (".docx declaring 1 MB for a 1 GB member", ["ingest", bomb]),
        (
            ".docx declaring 30 MB for a 1 GB member",
            ["ingest", hostile.docx_liar(work / "liar-30mb.docx", real=1024**3, declared=30 * 1024 * 1024)],
        ),
        (".docx, one paragraph of 300,000 runs (1.8 MB)", ["ingest", hostile.docx_many_elements(work / "runs.docx")]),
        (".docx of 190,000 empty parts (16 MB)", ["ingest", hostile.docx_many_parts(work / "parts.docx")]),
        ("20,000 numbered items (.txt, 1 MB)", ["ingest", hostile.numbered_items(work / "items.txt")]),
        ("50 MB text", ["ingest", hostile.big_text(work / "big.txt")]),
        (
            "the 1 GB .docx inside a signed .pdpack",
            [
                "pack",
                "import",
                hostile.signed_pack_with(work / "bomb.pdpack", test_key()[0], {"liar.docx": bomb.read_bytes()}),
            ],
        ),
        (
            ".pdpack member declaring 20 MB, holding 1 GB",
            [
                "pack",
                "import",
                hostile.signed_pack_with(
                    work / "liar.pdpack",
                    test_key()[0],
                    {"a.txt": hostile.DOC.read_bytes()},
                    liar=("b.txt", 1024**3, 20 * 1024 * 1024),
                ),
            ],
        ),
    ]
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median of {args.runs} runs")
    print()
    print("| hostile file | exit | refusal (in process) | whole process | peak memory |")
    print("|---|---:|---:|---:|---:|")
    for label, argv in cases:
        got = []
        for i in range(args.runs):  # a home of its own each time: an import is not a duplicate
            run_home = work / f"run-{len(label)}-{i}"
            shutil.copytree(home, run_home)
            got.append(hostile.measure(argv, run_home))
            shutil.rmtree(run_home, ignore_errors=True)
        codes = {m.code for m in got}
        secs = statistics.median(m.secs for m in got)
        wall = statistics.median(m.wall for m in got)
        peak = max(m.peak_mb for m in got)
        print(f"| {label} | {'/'.join(map(str, sorted(codes)))} | {secs:.2f} s | {wall:.2f} s | {peak:.0f} MB |")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
