"""PolicyDesk benchmark: prints a table of timings and memory (never a pass/fail test).

    python scripts/benchmark.py            # seed KB, 10,000 and 100,000 synthetic measures
    python scripts/benchmark.py --sizes 0,10000 --repeat 3

Every measurement runs in a fresh subprocess, so that peak memory (``ru_maxrss``) belongs
to it alone:

* ingest — the five seeds, cold: a new process imports the engine and builds the seed
  documents (repair + parse + enrich, loading jieba / pypinyin / OpenCC on first use),
  then builds them once more (warm), then writes the seed KB file from scratch;
* one process per KB size — open the KB, read the lean rows the matcher indexes
  (``KnowledgeBase.index_rows``), build the matcher's index, then match a set of profiles
  and search as you type (every prefix of a few short queries is one keystroke).
  Synthetic KBs (``matcher.synthetic.build_synthetic``: the real measures varied across the 16
  districts) are made beforehand in a process of their own.

Targets (DESIGN.md): ingest five seeds < 1 s; match < 10 ms on the seeds and < 100 ms at
100,000 measures; search < 50 ms per keystroke at 100,000; < 300 MB resident.
The figures depend on the machine, so compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROFILES = [
    {"district": "虹口区", "industry": "交通运输、仓储和邮政业 (航运)", "size": "小型", "needs": ["融资", "政策咨询"],
     "keywords": "航运 船舶代理", "area": "北外滩"},
    {"district": "徐汇区", "industry": "住宿和餐饮业", "size": "中型", "needs": ["证照审批"], "keywords": "连锁餐饮 外摆"},
    {"district": "嘉定区", "industry": "制造业", "size": "中型", "zjtx": "专精特新中小企业", "flags": ["高新技术企业"],
     "needs": ["融资", "用工就业", "法律服务"], "keywords": "汽车零部件"},
    {"district": "杨浦区", "industry": "批发和零售业", "size": "微型", "flags": ["个体工商户"], "needs": ["税务"],
     "area": "殷行街道", "keywords": "个体户 小店"},
    {"district": "浦东新区", "industry": "信息传输、软件和信息技术服务业", "size": "小型", "needs": ["人才", "知识产权"],
     "keywords": "专利 質押"},
    {"district": "静安区", "industry": "金融业", "size": "大型", "flags": ["外资企业"], "needs": ["跨境贸易"]},
]
QUERIES = ["一网通办", "融资担保", "人才公寓", "知识产权", "跨境", "贷款", "帮办", "告知承诺制"]


def rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 1024 / 1024


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(q * (len(xs) - 1)))))
    return xs[k]


def cpu_model() -> str:
    try:
        if sys.platform.startswith("linux"):
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
        elif sys.platform == "darwin":
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                  text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    return (f"{cpu_model()}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()} "
            f"({platform.machine()}), Python {platform.python_version()}")


# ---------------------------------------------------------------- in the subprocesses


def run_ingest() -> dict:
    """The five seeds, in a fresh process (POLICYDESK_HOME is an empty folder)."""
    t0 = time.perf_counter()
    from matcher.kb import KnowledgeBase
    from matcher.pipeline import build_seed_documents

    out: dict = {"import_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    docs = build_seed_documents()
    out["cold_s"] = time.perf_counter() - t0
    out["measures"] = sum(len(d.measures) for d in docs)
    t0 = time.perf_counter()
    build_seed_documents()
    out["warm_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    KnowledgeBase.open_default().close()          # builds the seed KB file (and the user KB)
    out["kb_file_s"] = time.perf_counter() - t0
    out["rss_mb"] = rss_mb()
    return out


def run_keywords() -> dict:
    """Hostile keywords on the seed KB: the fuzzy prefilter on a 20,000-character and a
    1 MB term (linear in the length since issue 12), and a match with a 1 MB keyword."""
    import random

    from matcher import fuzzy
    from matcher.index import CharIndex
    from matcher.kb import KnowledgeBase
    from matcher.match import matcher_for
    from matcher.profile import Profile

    kb = KnowledgeBase.open_default()
    ms = kb.measures(include_internal=True)
    texts = [f"{m.title}。{m.text}" for m in ms]
    idx = CharIndex(texts, [len(m.title) for m in ms])
    alphabet = "".join(sorted(set("".join(texts))))
    rng = random.Random(1)
    out: dict = {}
    for label, n in (("align_20k_s", 20_000), ("align_1m_s", 1_000_000)):
        term = "".join(rng.choice(alphabet) for _ in range(n))
        t0 = time.perf_counter()
        idx.may_align(term, fuzzy.TERM_CUTOFF)
        out[label] = time.perf_counter() - t0
    m = matcher_for(kb)
    m.match(Profile.from_dict({"district": "虹口区", "keywords": "贷款"}))   # warm: lexicons loaded
    big = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    t0 = time.perf_counter()
    m.match(Profile.from_dict({"district": "虹口区", "keywords": big}))
    out["match_1m_s"] = time.perf_counter() - t0
    kb.close()
    return out


def make_synthetic(n: int, path: Path) -> None:
    from matcher.kb import KnowledgeBase
    from matcher.synthetic import build_synthetic

    with KnowledgeBase.open_default() as kb:
        build_synthetic(path, kb.measures(include_internal=True), n)


def run_size(n: int, path: Path | None, repeat: int) -> dict:
    """Measure one KB; ``path`` None means the seed KB."""
    from matcher.kb import KnowledgeBase
    from matcher.match import Matcher
    from matcher.profile import Profile

    out: dict = {"size": n, "rss_start_mb": rss_mb()}
    t0 = time.perf_counter()
    kb = KnowledgeBase.open_default() if path is None else KnowledgeBase.open_path(path)
    out["open_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = kb.index_rows()
    out["rows_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = Matcher(rows, {"documents": len(kb.documents()), "measures": len(rows)},
                      fetch=kb.get_measure, fetch_many=kb.get_measures)
    out["index_s"] = time.perf_counter() - t0
    out["measures"] = len(rows)
    del rows
    profiles = [Profile.from_dict(p) for p in PROFILES]
    lat = []
    for _ in range(repeat):
        for p in profiles:
            t = time.perf_counter()
            matcher.match(p, top=30)
            lat.append((time.perf_counter() - t) * 1000)
    out["match_med"], out["match_p95"], out["match_max"] = statistics.median(lat), pct(lat, 0.95), max(lat)
    lat = []
    for _ in range(repeat):
        for q in QUERIES:
            # as you type: every prefix of the query is one keystroke
            for k in range(1, len(q) + 1):
                t = time.perf_counter()
                matcher.search(q[:k], top=30)
                lat.append((time.perf_counter() - t) * 1000)
    out["search_med"], out["search_p95"], out["search_max"] = statistics.median(lat), pct(lat, 0.95), max(lat)
    out["rss_mb"] = rss_mb()
    kb.close()
    return out


# ---------------------------------------------------------------- driver


def _cap() -> int:
    from matcher.limits import MAX_KEYWORD_CHARS

    return MAX_KEYWORD_CHARS


def _loadavg() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):     # Windows
        return "n/a"


def _sub(args: list[str], home: str) -> dict:
    env = dict(os.environ, POLICYDESK_HOME=home)
    r = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(1)
    lines = r.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,10000,100000", help="comma-separated; 0 = the seed KB")
    ap.add_argument("--repeat", type=int, default=5, help="rounds over the profiles and queries (default 5)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--make", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--ingest", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--keywords", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.ingest:
        print(json.dumps(run_ingest()))
        return 0
    if args.keywords:
        print(json.dumps(run_keywords()))
        return 0
    if args.make is not None:
        make_synthetic(args.make, Path(args.path))
        return 0
    if args.one is not None:
        print(json.dumps(run_size(args.one, Path(args.path) if args.path else None, args.repeat)))
        return 0

    home = tempfile.mkdtemp(prefix="pd-bench-")
    load_before = _loadavg()
    ing = _sub(["--ingest"], home)
    kw = _sub(["--keywords"], home)
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        path = None
        if n:
            path = Path(home) / f"syn{n}.sqlite"
            _sub(["--make", str(n), "--path", str(path)], home)
        rows.append(_sub(["--one", str(n), "--repeat", str(args.repeat)]
                         + (["--path", str(path)] if path else []), home))
        if path:
            path.unlink(missing_ok=True)

    print(f"PolicyDesk benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {machine_line()}")
    print(f"Load average (1 min) before / after: {load_before} / {_loadavg()} "
          f"(other work on the machine slows the figures).")
    print()
    print(f"Ingest of the five seeds ({ing['measures']} measures), fresh process: "
          f"first build {ing['cold_s'] * 1000:.0f} ms (loads jieba / pypinyin / OpenCC), "
          f"second build {ing['warm_s'] * 1000:.0f} ms, writing the seed KB file {ing['kb_file_s'] * 1000:.0f} ms; "
          f"importing the engine {ing['import_s'] * 1000:.0f} ms; peak RSS {ing['rss_mb']:.0f} MB.")
    print()
    print(f"Hostile keywords (seed KB): fuzzy prefilter on a 20,000-character term "
          f"{kw['align_20k_s'] * 1000:.0f} ms, on a 1 MB term {kw['align_1m_s'] * 1000:.0f} ms; "
          f"a whole match with a 1 MB keyword (capped to {_cap()} characters) {kw['match_1m_s'] * 1000:.0f} ms.")
    print()
    head = ["measures", "open KB", "load rows", "build index", "match median", "match p95",
            "search median", "search p95", "peak RSS"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print(f"| {r['measures']:,} | {r['open_s'] * 1000:.0f} ms | {r['rows_s'] * 1000:.0f} ms | "
              f"{r['index_s'] * 1000:.0f} ms | {r['match_med']:.1f} ms | {r['match_p95']:.1f} ms | "
              f"{r['search_med']:.1f} ms | {r['search_p95']:.1f} ms | {r['rss_mb']:.0f} MB |")
    print()
    n_match = len(PROFILES) * args.repeat
    n_keys = sum(len(q) for q in QUERIES) * args.repeat
    print(f"{n_match} matches (top 30) and {n_keys} keystrokes per size; slowest match / keystroke: "
          + "; ".join(f"{r['measures']:,}: {r['match_max']:.1f} / {r['search_max']:.1f} ms" for r in rows) + ".")
    print("Peak RSS includes the interpreter and libraries: "
          + ", ".join(f"{r['rss_start_mb']:.0f} MB at start" for r in rows[:1]) + ".")
    base = rows[0]
    if len(rows) > 1 and base["match_med"] > 0 and base["search_med"] > 0:
        print("Ratios to the first row (median): " + "; ".join(
            f"{r['measures']:,}: match ×{r['match_med'] / base['match_med']:.1f}, "
            f"search ×{r['search_med'] / base['search_med']:.1f}" for r in rows[1:]) + ".")
    print("Targets (DESIGN.md): ingest < 1 s; match < 10 ms (seeds), < 100 ms (100,000); "
          "search < 50 ms per keystroke (100,000); < 300 MB resident (100,000).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
