"""PolicyDesk benchmark (issue 13): prints a table of timings and memory, never pass/fail.

    python scripts/benchmark.py                          # seeds, 10,000 and 100,000 measures
    python scripts/benchmark.py --sizes seeds,10000,100000,300000
    python scripts/benchmark.py --sizes seeds --quick    # end to end in seconds (tests)

Large knowledge bases are made of VARIED real text: the sentences, item titles, chapter
headings and stated offices of the five seeds and the development corpus (tests/corpus/)
recombined into new documents (``scripts/synthetic.py``), for the 16 districts and the city
level (上海市), about 120 documents per 100,000 measures. The document texts are written
to files and imported the way a user imports them (``Engine.ingest``, one batch per
district), into a POLICYDESK_HOME of their own, cached under ``--cache``
(/tmp/policydesk-bench/<size>-<fingerprint>) and reused while the generator and the engine
code are unchanged. The import rate is printed.

Each measurement runs in a fresh process (peak RSS is its own):

* PolicyDesk in process — open (Engine.open + the matcher built), match six profiles
  (top 30 and all), search as you type (every prefix of 1–4 characters of a few queries);
* baselines on the same measures — SQLite FTS5 (trigram; LIKE for 1–2 characters, which a
  trigram index cannot serve) with the rows fetched, and a naive Python scan;
* ``python -m matcher match`` as a whole process (three runs, median);
* the window (``python -m desktop.app --profile … --screenshot … --timing``, offscreen):
  time to first results and the longest block of the UI thread.

Targets (issue 13) are printed beside the figures; the machine is shared and noisy, so the
load average is printed before and after, and ratios to the seed row matter more than
absolutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROFILES = [
    {
        "district": "虹口区",
        "industry": "交通运输、仓储和邮政业 (航运)",
        "size": "小型",
        "needs": ["融资", "政策咨询"],
        "keywords": "航运 船舶代理",
        "area": "北外滩",
    },
    {
        "district": "徐汇区",
        "industry": "住宿和餐饮业",
        "size": "中型",
        "needs": ["证照审批"],
        "keywords": "连锁餐饮 外摆",
    },
    {
        "district": "嘉定区",
        "industry": "制造业",
        "size": "中型",
        "zjtx": "专精特新中小企业",
        "flags": ["高新技术企业"],
        "needs": ["融资", "用工就业", "法律服务"],
        "keywords": "汽车零部件",
    },
    {
        "district": "杨浦区",
        "industry": "批发和零售业",
        "size": "微型",
        "flags": ["个体工商户"],
        "needs": ["税务"],
        "area": "殷行街道",
        "keywords": "个体户 小店",
    },
    {
        "district": "浦东新区",
        "industry": "信息传输、软件和信息技术服务业",
        "size": "小型",
        "needs": ["人才", "知识产权"],
        "keywords": "专利 質押",
    },
    {"district": "静安区", "industry": "金融业", "size": "大型", "flags": ["外资企业"], "needs": ["跨境贸易"]},
]
QUERIES = ["一网通办", "融资担保", "人才公寓", "知识产权", "跨境", "贷款", "帮办", "告知承诺制"]
NEED_WORDS = {
    "融资": ["融资", "贷款", "担保"],
    "政策咨询": ["咨询"],
    "证照审批": ["审批", "许可"],
    "用工就业": ["就业", "用工"],
    "法律服务": ["法律"],
    "税务": ["税"],
    "人才": ["人才"],
    "知识产权": ["知识产权", "专利"],
    "跨境贸易": ["跨境", "进出口"],
}
DOCS_PER_100K = 120
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "policydesk-bench"
TARGETS = {  # issue 13, at 100,000 measures
    "match30": "≤ 20 ms, < FTS5",
    "search": "≤ 10 ms, < FTS5",
    "cli": "≤ 1.5× seeds",
    "win_results": "≤ 1.5× seeds",
    "win_block": "≤ 100 ms",
    "win_rss": "< 300 MB",
}


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 1024 / 1024


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(round(q * (len(xs) - 1)))))] if xs else float("nan")


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def fingerprint() -> str:
    """What a cached KB was made from: the generator (``scripts/synthetic.py``, this script's
    recipe, the seeds and corpus it recombines) and what decides the STORED rows (the
    derivation fingerprint, :func:`matcher.store.fingerprints.rules_fingerprint`: rules, schema,
    version and the derivation code only). A change to the matcher, search, the engine or
    the window reuses the cached 100,000/300,000-measure KBs."""
    from matcher.store.fingerprints import rules_fingerprint

    h = hashlib.sha256()
    h.update(f"derivation {rules_fingerprint()}\0recipe {DOCS_PER_100K}\0".encode())
    for folder, pat in (("scripts", "synthetic.py"), ("seeds", "*.txt"), ("tests/corpus", "*.txt")):
        for f in sorted((ROOT / folder).glob(pat)):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------- in the subprocesses


def profile_words(p: dict) -> list[str]:
    """The words a plain SQL implementation would look for: the profile's needs (as the
    words they stand for) and its keywords."""
    return list(
        dict.fromkeys([w for n in p.get("needs", []) for w in NEED_WORDS.get(n, [n])] + p.get("keywords", "").split())
    )


def fts_match_sql(p: dict, top: int | None) -> tuple[str, list]:
    """The FTS5 match baseline, as a competent SQL implementation would rank: the profile's
    district and the city level, not internal, any need/keyword word (OR), ordered by
    relevance — FTS5 bm25 (``rank``, negative: lower is better) for words of 3+ characters,
    minus one point per 1–2-character word found by LIKE (a trigram index cannot serve
    those) — and the top rows fetched. Tables: ``m(id, district, title, text, internal)``
    and the trigram index ``f(title, text)`` on it."""
    words = profile_words(p)
    long = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3]
    args: list = []
    score = ["COALESCE(h.r, 0)" if long else "0"]
    for w in short:
        score.append("(CASE WHEN m.title LIKE ? OR m.text LIKE ? THEN -1.0 ELSE 0 END)")
        args += [f"%{w}%", f"%{w}%"]
    sql = f"SELECT m.id, m.title, m.text, {' + '.join(score)} AS score FROM m "
    if long:
        sql += "LEFT JOIN (SELECT rowid, rank AS r FROM f WHERE f MATCH ?) AS h ON h.rowid = m.rowid "
        args.append(" OR ".join(f'"{w}"' for w in long))
    sql += "WHERE m.district IN (?, '上海市') AND m.internal = 0"
    args.append(p["district"])
    ors = (["h.rowid IS NOT NULL"] if long else []) + ["m.title LIKE ? OR m.text LIKE ?" for _ in short]
    for w in short:
        args += [f"%{w}%", f"%{w}%"]
    if ors:
        sql += f" AND ({' OR '.join(ors)})"
    sql += " ORDER BY score, m.rowid" + (f" LIMIT {top}" if top else "")
    return sql, args


def run_make(n: int, home: Path) -> dict:
    """Write ~n measures of recombined real text as documents; import them as a user does."""
    from matcher.engine import Engine
    from scripts.synthetic import CITY, sentence_pool, write_texts

    t0 = time.perf_counter()
    pool = sentence_pool(ROOT / "tests" / "corpus")
    n_docs = max(2, round(n * DOCS_PER_100K / 100_000))
    files = write_texts(home / "texts", pool, n, n_docs)
    out = {"pool_sentences": len(pool.sentences), "documents": len(files), "gen_s": time.perf_counter() - t0}
    by_district: dict[str, list[Path]] = {}
    for d, p in files:
        by_district.setdefault(d, []).append(p)
    t0 = time.perf_counter()
    eng = Engine.open()
    done = 0
    rates = []  # measures/s of each batch: flat if an import's cost does not grow with the KB
    for d, paths in by_district.items():
        t1 = time.perf_counter()
        # reindex=False: the stored index is built once, at the first open after the import
        n = sum(len(doc.measures) for doc in eng.ingest(paths, district="上海市" if d == CITY else d, reindex=False))
        done += n
        rates.append(n / max(time.perf_counter() - t1, 1e-9))
        print(
            f"  imported {done:,} measures, {time.perf_counter() - t0:.0f} s ({rates[-1]:,.0f} measures/s)",
            file=sys.stderr,
            flush=True,
        )
    out["import_s"] = time.perf_counter() - t0
    out["batch_rates"] = [round(r) for r in rates]
    out["measures"] = eng.counts().get("measures", done) if isinstance(eng.counts(), dict) else done
    out["imported"] = done
    eng.close()
    return out


def _profiles():
    from matcher.engine import Engine

    return [Engine.profile(p) for p in PROFILES]


def run_first_open() -> dict:
    """The first open after the import (or after a copy): whatever the engine keeps beside
    the KB and finds missing or stale (the stored index, the health record) is built now.
    Reported apart from "open", which is every later start."""
    from matcher.common import paths
    from matcher.engine import Engine

    data, cache = paths.data_dir(), paths.cache_dir()
    before = {p for d in (data, cache) for p in d.iterdir()}
    t0 = time.perf_counter()
    eng = Engine.open()
    eng.matcher  # noqa: B018
    out = {"first_open_s": time.perf_counter() - t0}
    eng.close()
    out["made"] = sorted(p.name for d in (data, cache) for p in d.iterdir() if p not in before)
    return out


def run_engine(repeat: int) -> dict:
    from matcher.engine import Engine

    out: dict = {"rss_start_mb": rss_mb()}
    t0 = time.perf_counter()
    eng = Engine.open()
    eng.matcher  # noqa: B018 - the index matching and search need
    out["open_s"] = time.perf_counter() - t0
    profiles = _profiles()
    eng.match(profiles[0], top=30)  # lexicons loaded
    for top, key in ((30, "match30"), (None, "match_all")):
        lat = []
        for _ in range(repeat):
            for p in profiles:
                t = time.perf_counter()
                r = eng.match(p, top=top)
                lat.append((time.perf_counter() - t) * 1000)
        out[key] = statistics.median(lat)
        out[key + "_p95"] = pct(lat, 0.95)
    out["all_results"] = len(getattr(r, "results", []) or [])
    lat = []
    for _ in range(repeat):
        for q in QUERIES:
            for k in range(1, min(4, len(q)) + 1):
                t = time.perf_counter()
                eng.search(q[:k], top=30)
                lat.append((time.perf_counter() - t) * 1000)
    out["search"], out["search_p95"] = statistics.median(lat), pct(lat, 0.95)
    out["rss_mb"] = rss_mb()  # before anything else loads the measures
    out["measures"] = eng.counts()["measures"]  # counted in SQL: loading 300,000 measures takes a minute
    eng.close()
    return out


def run_baselines(repeat: int, work: Path) -> dict:
    """FTS5 trigram and a naive scan over the same measures (title + text, district, internal)."""
    from matcher.engine import Engine

    with Engine.open() as eng:  # lean rows straight from SQLite (no Measure objects: 300,000 fit)
        rows = [(r.measure_id, r.district, r.title, r.text, int(r.internal)) for r in eng.kb.index_rows()]
    out: dict = {"measures": len(rows)}
    db = work / "fts5-baseline.sqlite"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE m(id TEXT, district TEXT, title TEXT, text TEXT, internal INT)")
    con.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, text, content='m', content_rowid='rowid', tokenize='trigram')"
    )
    con.executemany("INSERT INTO m VALUES (?,?,?,?,?)", rows)
    con.execute("INSERT INTO f(rowid, title, text) SELECT rowid, title, text FROM m")
    con.execute("CREATE INDEX m_d ON m(district)")
    con.commit()
    con.close()
    out["fts_build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("SELECT count(*) FROM m").fetchone()
    out["fts_open_s"] = time.perf_counter() - t0

    def fts_search(q: str, top: int | None = 30) -> list:
        lim = f" LIMIT {top}" if top else ""
        if len(q) >= 3:
            return con.execute(
                f"SELECT m.id, m.title, m.text FROM f JOIN m ON m.rowid = f.rowid WHERE f MATCH ? ORDER BY rank{lim}",
                ('"' + q + '"',),
            ).fetchall()
        return con.execute(
            f"SELECT id, title, text FROM m WHERE title LIKE ? OR text LIKE ?{lim}", (f"%{q}%", f"%{q}%")
        ).fetchall()

    def fts_match(p: dict, top: int | None) -> list:
        return con.execute(*fts_match_sql(p, top)).fetchall()

    def naive_search(q: str, top: int = 30) -> list:
        return [r for r in rows if q in r[2] or q in r[3]][:top]

    def naive_match(p: dict, top: int | None) -> list:
        words = profile_words(p)
        hits = [
            r
            for r in rows
            if r[1] in (p["district"], "上海市") and not r[4] and (not words or any(w in r[3] for w in words))
        ]
        return hits[:top] if top else hits

    for name, search, match in (("fts", fts_search, fts_match), ("naive", naive_search, naive_match)):
        for top, key in ((30, "match30"), (None, "match_all")):
            lat = []
            for _ in range(repeat):
                for p in PROFILES:
                    t = time.perf_counter()
                    match(p, top)
                    lat.append((time.perf_counter() - t) * 1000)
            out[f"{name}_{key}"] = statistics.median(lat)
        lat = []
        for _ in range(repeat):
            for q in QUERIES:
                for k in range(1, min(4, len(q)) + 1):
                    t = time.perf_counter()
                    search(q[:k])
                    lat.append((time.perf_counter() - t) * 1000)
        out[f"{name}_search"], out[f"{name}_search_p95"] = statistics.median(lat), pct(lat, 0.95)
    con.close()
    db.unlink(missing_ok=True)
    out["rss_mb"] = rss_mb()
    return out


def run_keywords() -> dict:
    """Hostile keywords on the seed KB: the fuzzy prefilter of the stored index
    (``Postings.may_align``) on a 20,000-character and a 1 MB term (linear in the length
    since issue 12), and a match with a 1 MB keyword."""
    import random

    import numpy as np

    from matcher.common import fuzzy
    from matcher.matching.match import matcher_for
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

    kb = KnowledgeBase.open_default()
    m = matcher_for(kb)
    ix = m.ix
    everywhere = np.ones(ix.n, dtype=bool)
    alphabet = "".join(sorted(set("".join(ix.text_of(q) for q in range(ix.n)))))
    rng = random.Random(1)
    out: dict = {}
    for label, n in (("align_20k_s", 20_000), ("align_1m_s", 1_000_000)):
        term = "".join(rng.choice(alphabet) for _ in range(n))
        t0 = time.perf_counter()
        ix.text.may_align(term, fuzzy.TERM_CUTOFF, everywhere)
        out[label] = time.perf_counter() - t0
    m.match(Profile.from_dict({"district": "虹口区", "keywords": "贷款"}))  # warm: lexicons loaded
    big = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    t0 = time.perf_counter()
    m.match(Profile.from_dict({"district": "虹口区", "keywords": big}))
    out["match_1m_s"] = time.perf_counter() - t0
    kb.close()
    return out


def run_child(cmd: list[str], timeout: float) -> dict:
    """Run ``cmd``; its wall time, exit code, stderr and peak RSS (this wrapper runs nothing else)."""
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        rc, err = r.returncode, r.stderr
    except subprocess.TimeoutExpired:
        rc, err = -1, f"timed out after {timeout:.0f} s"
    return {"s": time.perf_counter() - t0, "rc": rc, "stderr": err[-2000:], "rss_mb": rss_mb(resource.RUSAGE_CHILDREN)}


# ---------------------------------------------------------------- driver


def _sub(args: list[str], home: Path, timeout: float | None = None) -> dict:
    env = dict(os.environ, POLICYDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines:
        raise SystemExit(f"benchmark step {args} failed (exit {r.returncode})")
    return json.loads(lines[-1])


def prepare(size: str, cache: Path, fp: str) -> tuple[Path, dict]:
    if size == "seeds":
        home = Path(tempfile.mkdtemp(prefix="pd-bench-seeds-"))
        t0 = time.perf_counter()
        _sub(["--child", "60", "--", sys.executable, "-m", "matcher", "kb", "stats"], home)  # builds the seed KB
        return home, {"first_start_s": time.perf_counter() - t0}
    n = int(size)
    home = cache / f"{n}-{fp}"
    done = home / "bench-made.json"
    if done.exists():
        info = json.loads(done.read_text(encoding="utf-8"))
        info["cached"] = True
        return home, info
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    print(f"making {n:,} measures under {home} …", file=sys.stderr, flush=True)
    info = _sub(["--make", str(n)], home)
    done.write_text(json.dumps(info), encoding="utf-8")
    return home, info


def measure(size: str, home: Path, repeat: int, runs: int, window: bool) -> dict:
    prof = home / "bench-profile.json"
    prof.write_text(json.dumps(PROFILES[0], ensure_ascii=False), encoding="utf-8")
    row: dict = {"size": size}
    row["first"] = _sub(["--first-open"], home)
    row["engine"] = _sub(["--engine", "--repeat", str(repeat)], home)
    row["base"] = _sub(["--baselines", "--repeat", str(repeat)], home)
    cli = [
        _sub(
            [
                "--child",
                "300",
                "--",
                sys.executable,
                "-m",
                "matcher",
                "match",
                "--profile",
                str(prof),
                "--format",
                "json",
            ],
            home,
        )
        for _ in range(runs)
    ]
    row["cli_s"] = statistics.median(c["s"] for c in cli)
    row["cli_rss"] = max(c["rss_mb"] for c in cli)
    row["cli_rc"] = [c["rc"] for c in cli]
    if window:
        shot = home / "bench-window.png"
        w = _sub(
            [
                "--child",
                "600",
                "--",
                sys.executable,
                "-m",
                "desktop.app",
                "--profile",
                str(prof),
                "--screenshot",
                str(shot),
                "--timing",
            ],
            home,
        )
        row["win_rc"], row["win_rss"], row["win_s"] = w["rc"], w["rss_mb"], w["s"]
        m1 = re.search(r"首个结果 (\d+) ms", w["stderr"])
        m2 = re.search(r"界面线程最长阻塞 (\d+) ms", w["stderr"])
        row["win_results_ms"] = float(m1.group(1)) if m1 else None
        row["win_block_ms"] = float(m2.group(1)) if m2 else None
        if row["win_results_ms"] is None:
            row["win_note"] = w["stderr"].strip().splitlines()[-1:] or [f"exit {w['rc']}"]
    return row


def _f(x: float | None, unit: str = "ms", nd: int = 1) -> str:
    if x is None:
        return "—"
    return f"{x:,.{nd}f} {unit}"


def _r(x: float | None, base: float | None) -> str:
    return f" (×{x / base:.1f})" if x and base else ""


def _batches(info: dict) -> str:
    r = info.get("batch_rates") or []
    return f"; first batch {r[0]:,}/s, last {r[-1]:,}/s" if len(r) > 1 else ""


def report(rows: list[dict], made: dict, load0: str, load1: str, cache: Path, fp: str) -> None:
    print(f"PolicyDesk benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')} — {machine_line()}")
    print(f"Load average (1/5/15 min) before: {load0}; after: {load1} (shared machine: compare ratios).")
    print(f"Generated knowledge bases cached under {cache} (fingerprint {fp}).")
    for size, info in made.items():
        if size == "keywords":
            print(
                f"  hostile keywords (seed KB): fuzzy prefilter on a 20,000-character term "
                f"{info['align_20k_s'] * 1000:.0f} ms, on a 1 MB term {info['align_1m_s'] * 1000:.0f} ms; "
                f"a whole match with a 1 MB keyword {info['match_1m_s'] * 1000:.0f} ms"
            )
            continue
        if size == "seeds":
            print(f"  seeds: first start (builds the seed KB) {info['first_start_s']:.1f} s")
            continue
        rate = info["imported"] / info["import_s"] if info.get("import_s") else 0
        print(
            f"  {int(size):,}: {info['documents']} documents from {info['pool_sentences']:,} real sentences, "
            f"imported through Engine.ingest ({info['imported']:,} measures in {info['import_s']:.0f} s, "
            f"{rate:,.0f} measures/s{_batches(info)}){' — cached' if info.get('cached') else ''}"
        )
    print()
    seed = rows[0] if rows and rows[0]["size"] == "seeds" else None
    lines = [
        ("measures in KB", lambda r: f"{r['engine']['measures']:,}", None, None),
        ("first open after import (builds what is missing)", lambda r: r["first"]["first_open_s"] * 1000, None, None),
        ("open (Engine + index)", lambda r: r["engine"]["open_s"] * 1000, "fts_open_s", None),
        ("match top 30, median", lambda r: r["engine"]["match30"], "match30", "match30"),
        ("match all, median", lambda r: r["engine"]["match_all"], "match_all", None),
        ("search per keystroke (1–4 chars), median", lambda r: r["engine"]["search"], "search", None),
        ("search per keystroke, p95", lambda r: r["engine"]["search_p95"], "search_p95", "search"),
        ("engine peak RSS (MB)", lambda r: r["engine"]["rss_mb"], None, None),
        ("CLI match, whole process", lambda r: r["cli_s"] * 1000, None, "cli"),
        ("CLI peak RSS (MB)", lambda r: r["cli_rss"], None, None),
        ("window: first results", lambda r: r.get("win_results_ms"), None, "win_results"),
        ("window: longest UI block", lambda r: r.get("win_block_ms"), None, "win_block"),
        ("window peak RSS (MB)", lambda r: r.get("win_rss"), None, "win_rss"),
    ]
    head = ["", *[("seeds" if r["size"] == "seeds" else f"{int(r['size']):,}") for r in rows], "target at 100,000"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "|".join("---:" for _ in head[1:-1]) + "|---|")
    for label, get, base_key, tkey in lines:
        cells = []
        for r in rows:
            v = get(r)
            if isinstance(v, str) or v is None:
                cell = v if isinstance(v, str) else "—"
            else:
                unit = "MB" if "MB" in label else "ms"
                cell = _f(v, "" if unit == "MB" else "ms", 0 if unit == "MB" or v >= 100 else 1).strip()
                if seed is not None and r is not seed:
                    cell += _r(v, get(seed))
            if base_key:
                b = r["base"].get(f"fts_{base_key}" if base_key != "fts_open_s" else "fts_open_s")
                n = r["base"].get(f"naive_{base_key}")
                if base_key == "fts_open_s":
                    cell += f" · FTS5 {b * 1000:.1f} ms"
                else:
                    cell += f" · FTS5 {b:.1f} · scan {n:.1f}"
            cells.append(cell)
        print(f"| {label} | " + " | ".join(cells) + f" | {TARGETS.get(tkey, '') if tkey else ''} |")
    print()
    print("Match: six profiles. PolicyDesk judges every measure in scope (audiences, industries, conditions,")
    print("tiers, reasons) and returns the ranked top 30 (or all). FTS5 baseline (a competent SQL ranking, no")
    print("reasons): district IN (profile's, 上海市) AND internal = 0 AND any need/keyword word (OR), ordered by")
    print("relevance — FTS5 bm25 rank of the 3+-character words (trigram MATCH, OR-ed) minus one point per")
    print("1–2-character word found by LIKE in title or text — top 30 rows (or all) fetched. Scan baseline: a")
    print("Python loop over the rows in memory, same district/internal filter, any word in the text, first 30,")
    print("unranked (a floor). Search: 8 queries, every prefix of 1–4 characters, top 30 rows fetched; FTS5:")
    print("trigram MATCH ordered by rank for 3+ characters, LIKE on title or text (unranked) below 3; scan: a")
    print("substring test over the rows in memory. 'first open after import' is the first start on a KB just")
    print("made or copied (it builds the stored index and health record if missing); 'open' is every later one.")
    for r in rows:
        made_now = r.get("first", {}).get("made")
        if made_now:
            print(f"first open at {r['size']} made: {', '.join(made_now)}")
    for r in rows:
        if r.get("win_note"):
            print(f"window at {r['size']}: no results timing ({r['win_note']})")
        if any(rc != 0 for rc in r.get("cli_rc", [])):
            print(f"CLI at {r['size']}: exit codes {r['cli_rc']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="seeds,10000,100000", help="comma-separated: seeds and/or measure counts")
    ap.add_argument("--repeat", type=int, default=5, help="rounds over the profiles and queries (default 5)")
    ap.add_argument("--runs", type=int, default=3, help="whole-process CLI runs per size (default 3)")
    ap.add_argument("--quick", action="store_true", help="one round, one CLI run (smoke test)")
    ap.add_argument("--no-window", action="store_true", help="skip the window measurement")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"generated KBs (default {DEFAULT_CACHE})")
    ap.add_argument("--make", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--engine", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--first-open", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--baselines", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--keywords", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    home = Path(os.environ.get("POLICYDESK_HOME", "."))
    if args.make is not None:
        print(json.dumps(run_make(args.make, home)))
        return 0
    if args.engine:
        print(json.dumps(run_engine(args.repeat)))
        return 0
    if args.first_open:
        print(json.dumps(run_first_open()))
        return 0
    if args.baselines:
        print(json.dumps(run_baselines(args.repeat, home)))
        return 0
    if args.keywords:
        print(json.dumps(run_keywords()))
        return 0
    if args.child is not None:
        print(json.dumps(run_child(args.cmd, args.child)))
        return 0

    if args.quick:
        args.repeat, args.runs = 1, 1
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "seeds" and not s.isdigit():
            ap.error(f"--sizes: {s!r} is neither 'seeds' nor a number of measures")
    fp = fingerprint()
    load0 = loadavg()
    rows, made = [], {}
    for s in sizes:
        home_s, info = prepare(s, args.cache, fp)
        made[s] = info
        print(f"measuring {s} …", file=sys.stderr, flush=True)
        rows.append(measure(s, home_s, args.repeat, args.runs, not args.no_window))
        if s == "seeds":
            made["keywords"] = _sub(["--keywords"], home_s)
            shutil.rmtree(home_s, ignore_errors=True)
    report(rows, made, load0, loadavg(), args.cache, fp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
