"""PolicyDesk benchmark: prints a table of timings and memory (never a pass/fail test).

    python scripts/benchmark.py            # seed KB, 10,000 and 100,000 synthetic measures
    python scripts/benchmark.py --sizes 10000

Each size runs in a fresh subprocess so that peak memory (ru_maxrss) belongs to that size
alone. Targets (DESIGN.md): ingest five seeds < 1 s; match < 10 ms on the seeds and
< 100 ms at 100,000 measures; search < 50 ms per keystroke at 100,000; < 300 MB resident.
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


def run_size(n: int, repeat: int) -> dict:
    """Measure one KB size; ``n`` = 0 means the seed KB."""
    os.environ.setdefault("POLICYDESK_HOME", tempfile.mkdtemp(prefix="pd-bench-"))
    from matcher.kb import KnowledgeBase, build_synthetic
    from matcher.match import Matcher
    from matcher.pipeline import build_seed_documents
    from matcher.profile import Profile

    out: dict = {"size": n}
    t0 = time.perf_counter()
    docs = build_seed_documents()
    out["ingest_s"] = time.perf_counter() - t0
    seeds = [m for d in docs for m in d.measures]
    if n == 0:
        t0 = time.perf_counter()
        kb = KnowledgeBase.open_default()
        out["open_s"] = time.perf_counter() - t0
    else:
        path = Path(os.environ["POLICYDESK_HOME"]) / f"syn{n}.sqlite"
        if not path.exists():
            build_synthetic(path, seeds, n)
        del docs, seeds
        t0 = time.perf_counter()
        kb = KnowledgeBase.open_path(path)
        out["open_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    measures = kb.measures(include_internal=True)
    matcher = Matcher(measures, {"documents": len(kb.documents()), "measures": len(measures)},
                      fetch=kb.get_measure)
    out["index_s"] = time.perf_counter() - t0
    out["measures"] = len(measures)
    profiles = [Profile.from_dict(p) for p in PROFILES]
    lat = []
    for _ in range(repeat):
        for p in profiles:
            t = time.perf_counter()
            matcher.match(p, top=30)
            lat.append((time.perf_counter() - t) * 1000)
    out["match_med"], out["match_p95"] = statistics.median(lat), pct(lat, 0.95)
    lat = []
    for _ in range(repeat):
        for q in QUERIES:
            # as you type: every prefix of the query is one keystroke
            for k in range(1, len(q) + 1):
                t = time.perf_counter()
                matcher.search(q[:k], top=30)
                lat.append((time.perf_counter() - t) * 1000)
    out["search_med"], out["search_p95"] = statistics.median(lat), pct(lat, 0.95)
    out["rss_mb"] = rss_mb()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,10000,100000", help="comma-separated; 0 = the seed KB")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_size(args.one, args.repeat)))
        return 0
    home = tempfile.mkdtemp(prefix="pd-bench-")
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        env = dict(os.environ, POLICYDESK_HOME=home)
        r = subprocess.run([sys.executable, __file__, "--one", str(n), "--repeat", str(args.repeat)],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"PolicyDesk benchmark — {time.strftime('%Y-%m-%d')} — {platform.node()} "
          f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})")
    print(f"ingest of the five seeds (repair + parse + enrich, warm process): "
          + ", ".join(f"{r['ingest_s'] * 1000:.0f} ms" for r in rows))
    head = ["measures", "open KB", "build index", "match median", "match p95", "search median",
            "search p95", "peak RSS"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print(f"| {r['measures']:,} | {r['open_s'] * 1000:.0f} ms | {r['index_s'] * 1000:.0f} ms | "
              f"{r['match_med']:.1f} ms | {r['match_p95']:.1f} ms | {r['search_med']:.1f} ms | "
              f"{r['search_p95']:.1f} ms | {r['rss_mb']:.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
