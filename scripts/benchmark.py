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

What users run, each in a fresh process (peak RSS and CPU time are its own), with CPU
time beside wall time:

* ``python -m matcher ingest`` of one new 800-measure document into the library, and
  ``policydesk kb remove`` of it again (the library is as before afterwards);
* the first open after the library was copied (its data and cache folders copied to a new
  POLICYDESK_HOME: whatever the engine finds missing or not known to be good is done now);
* PolicyDesk in process — open (Engine.open + the matcher built), match six profiles
  (top 30 and all), search as you type (every prefix of 1–4 characters of a few queries),
  and the window's search per keystroke (``desktop.answer.ranked_search``: what the
  window runs, the client's district first);
* baselines on the same measures — SQLite FTS5 (trigram; LIKE for 1–2 characters, which a
  trigram index cannot serve) with the rows fetched, and a naive Python scan;
* ``python -m matcher match`` as a whole process (three runs, median);
* the window (``python -m desktop.app --profile … --screenshot … --timing``, offscreen):
  time to first results and the longest block of the UI thread.

The sizes are interleaved within each of ``--rounds`` rounds (seeds, 10,000, 100,000, then
again), so a change of load on a shared machine hits every size alike; each figure is the
median over the rounds with its spread (min–max). Targets (issues 13 and 24) are printed
beside the figures; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import gc
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
from typing import Any

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
TARGETS = {  # issues 13 and 24, at 100,000 measures
    "match30": "≤ 20 ms, < FTS5",
    "search": "≤ 10 ms, < FTS5",
    "wsearch": "≤ 10 ms",
    "ingest": "≤ 2× seeds (at 300,000)",
    "ingest_rss": "< 400 MB (at 300,000)",
    "copy_rss": "< 400 MB (at 300,000)",
    "pack_rss": "< 400 MB (at 300,000)",
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
    t0, c0 = time.perf_counter(), time.process_time()
    eng = Engine.open()
    eng.matcher  # noqa: B018
    out = {"first_open_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "rss_mb": rss_mb()}
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
    by_len: dict[int, list[float]] = {}
    for _ in range(repeat):
        for q in QUERIES:
            for k in range(1, min(4, len(q)) + 1):
                t = time.perf_counter()
                eng.search(q[:k], top=30)
                lat.append((time.perf_counter() - t) * 1000)
                by_len.setdefault(k, []).append(lat[-1])
    out["search"], out["search_p95"] = statistics.median(lat), pct(lat, 0.95)
    out["search_len"] = {k: statistics.median(v) for k, v in by_len.items()}
    from desktop.answer import ranked_search  # the window's search (Qt-free), as it runs it

    # as the window runs it: the client's answer on screen (its profile and district), then
    # every keystroke of the queries typed one after another; each pass another client, so
    # what one client's keystrokes leave behind (its decided rows) does not serve the next
    # and with the window's garbage collection (desktop.collection): the engine's objects
    # frozen when it opened (Backend.engine), automatic collection off, and what is due
    # collected between keystrokes, as the GUI thread's timer does (timed apart)
    from desktop.collection import CollectionPolicy

    gc.freeze()
    gc.disable()
    policy = CollectionPolicy()
    lat, cpu = [], []
    by_len = {}
    for i in range(max(repeat, 3)):
        client = PROFILES[i % len(PROFILES)]
        resolved = profiles[i % len(PROFILES)]
        eng.match(resolved, top=30)  # the window asks the answer first (not timed)
        for q in QUERIES:
            for k in range(1, min(4, len(q)) + 1):
                t, c = time.perf_counter(), time.process_time()
                ranked_search(eng, q[:k], client["district"], profile=resolved)
                lat.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                by_len.setdefault(k, []).append(lat[-1])
                policy.collect_due()
    gc.enable()
    gc.unfreeze()
    out["wsearch_gc_ms"] = policy.longest_s * 1000
    out["wsearch_gc_n"] = sum(policy.collections)
    out["wsearch"], out["wsearch_p95"], out["wsearch_cpu"], out["wsearch_cpu_p95"] = (
        statistics.median(lat),
        pct(lat, 0.95),
        statistics.median(cpu),
        pct(cpu, 0.95),
    )
    out["wsearch_len"] = {k: statistics.median(v) for k, v in by_len.items()}
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
        # 1–2 characters (a trigram index cannot serve them): ranked as bm25 would weigh
        # them — in the title first, then by how often the text holds them per character
        return con.execute(
            "SELECT id, title, text FROM m WHERE title LIKE ?1 OR text LIKE ?1 "
            "ORDER BY (instr(title, ?2) > 0) DESC, "
            "(length(text) - length(replace(text, ?2, ''))) * 1.0 / (length(text) + 1) DESC, rowid" + lim,
            (f"%{q}%", q),
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
        by_len: dict[int, list[float]] = {}
        for _ in range(repeat):
            for q in QUERIES:
                for k in range(1, min(4, len(q)) + 1):
                    t = time.perf_counter()
                    search(q[:k])
                    lat.append((time.perf_counter() - t) * 1000)
                    by_len.setdefault(k, []).append(lat[-1])
        out[f"{name}_search"], out[f"{name}_search_p95"] = statistics.median(lat), pct(lat, 0.95)
        out[f"{name}_search_len"] = {k: statistics.median(v) for k, v in by_len.items()}
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
    out = ""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        rc, err, out = r.returncode, r.stderr, r.stdout
    except subprocess.TimeoutExpired:
        rc, err = -1, f"timed out after {timeout:.0f} s"
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "s": time.perf_counter() - t0,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "rc": rc,
        "stderr": err[-2000:],
        "stdout": out[-4000:],
        "rss_mb": rss_mb(resource.RUSAGE_CHILDREN),
    }


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


ONE_DOCUMENT = 800  # measures in the document a user imports into each library


def one_document(cache: Path, fp: str) -> tuple[str, Path]:
    """The new document the CLI imports into each size: about 800 measures of recombined
    real text (another seed than the libraries'), written once."""
    folder = cache / f"one-document-{fp}"
    meta = folder / "one.json"
    if meta.exists():
        d = json.loads(meta.read_text(encoding="utf-8"))
        return d["district"], Path(d["path"])
    from scripts.synthetic import CITY, sentence_pool, write_texts

    ((district, path),) = write_texts(folder, sentence_pool(ROOT / "tests" / "corpus"), ONE_DOCUMENT, 1, seed=24)
    district = "上海市" if district == CITY else district
    meta.write_text(json.dumps({"district": district, "path": str(path)}, ensure_ascii=False), encoding="utf-8")
    return district, path


def pack_key(home: Path) -> Path:
    """A maintainer's signing key (made once per library) that the library trusts."""
    key = home / "bench-pack-key"
    if not key.exists():
        _cli(home, "pack", "keygen", str(key))
        _cli(home, "pack", "trust", str(key) + ".pub")
    return key


def _cli(home: Path, *args: str, timeout: float = 1800) -> dict:
    return _sub(["--child", str(timeout), "--", sys.executable, "-m", "matcher", *args], home)


def first_open_after_copy(home: Path) -> dict:
    """The library's data and cache folders copied to a new POLICYDESK_HOME, then opened."""
    dst = Path(tempfile.mkdtemp(prefix="pd-bench-copy-"))
    try:
        for sub in ("data", "cache"):
            if (home / sub).is_dir():
                shutil.copytree(home / sub, dst / sub)
        return _sub(["--first-open"], dst)
    finally:
        shutil.rmtree(dst, ignore_errors=True)


def measure(size: str, home: Path, repeat: int, runs: int, window: bool, doc: tuple[str, Path], base: bool) -> dict:
    """One round of every measurement at one size (``base``: the baselines too)."""
    prof = home / "bench-profile.json"
    prof.write_text(json.dumps(PROFILES[0], ensure_ascii=False), encoding="utf-8")
    row: dict = {"size": size}
    row["copy"] = first_open_after_copy(home)
    district, path = doc
    row["ingest"] = _cli(home, "ingest", str(path), "--district", district, "--format", "json")
    ids = re.findall(r'"id":\s*"([^"]+)"', row["ingest"]["stdout"])[:1]
    # a maintainer's pack of the whole library with the new document, signed …
    key = pack_key(home)
    pack = home / "bench-library.pdpack"
    pack.unlink(missing_ok=True)
    row["pack_export"] = _cli(home, "pack", "export", "--sign", str(key), str(pack), "--format", "json")
    row["remove"] = _cli(home, "kb", "remove", *ids) if ids else None  # the library as before
    # … imported by a counter that has the library without it (the new document added;
    # every other file known already), then the library as before again
    row["pack_import"] = _cli(home, "pack", "import", str(pack), "--format", "json")
    if ids:  # the pack's document comes back under its own id (the library no longer has it)
        _cli(home, "kb", "remove", *ids)
    row["pack_mb"] = pack.stat().st_size / 1e6 if pack.exists() else None
    pack.unlink(missing_ok=True)
    row["first"] = _sub(["--first-open"], home)
    row["engine"] = _sub(["--engine", "--repeat", str(repeat)], home)
    if base:
        row["base"] = _sub(["--baselines", "--repeat", str(repeat)], home)
    cli = [_cli(home, "match", "--profile", str(prof), "--format", "json", timeout=300) for _ in range(runs)]
    row["cli_s"] = statistics.median(c["s"] for c in cli)
    row["cli_cpu"] = statistics.median(c["cpu_s"] for c in cli)
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


def _num(x: float, mb: bool) -> str:
    return f"{x:,.0f}" if mb or x >= 100 else f"{x:,.1f}"


def _cell(vals: list[float], mb: bool) -> str:
    """The median over the rounds, with its spread (min–max) when there are several."""
    med = statistics.median(vals)
    out = _num(med, mb) + ("" if mb else " ms")
    if len(vals) > 1:
        out += f" ({_num(min(vals), mb)}–{_num(max(vals), mb)})"
    return out


def _batches(info: dict) -> str:
    r = info.get("batch_rates") or []
    return f"; first batch {r[0]:,}/s, last {r[-1]:,}/s" if len(r) > 1 else ""


def _ms(*keys: str):
    """A getter of seconds at ``keys`` (nested), in ms."""

    def get(r: dict) -> float | None:
        v: Any = r
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        return None if v is None else float(v) * 1000

    return get


LINES: list[tuple[str, Any, str | None, str | None]] = [
    # label, getter (ms, or MB when the label says MB), baseline key, target key
    ("CLI ingest of one 800-measure document, wall", _ms("ingest", "s"), None, "ingest"),
    ("CLI ingest, CPU", _ms("ingest", "cpu_s"), None, None),
    ("CLI ingest peak RSS (MB)", lambda r: r["ingest"]["rss_mb"], None, "ingest_rss"),
    ("CLI kb remove of it, wall", _ms("remove", "s"), None, None),
    ("CLI kb remove peak RSS (MB)", lambda r: (r.get("remove") or {}).get("rss_mb"), None, None),
    ("CLI pack export of the library, wall", _ms("pack_export", "s"), None, None),
    ("CLI pack export, CPU", _ms("pack_export", "cpu_s"), None, None),
    ("CLI pack export peak RSS (MB)", lambda r: (r.get("pack_export") or {}).get("rss_mb"), None, "pack_rss"),
    ("CLI pack import (the new document), wall", _ms("pack_import", "s"), None, None),
    ("CLI pack import, CPU", _ms("pack_import", "cpu_s"), None, None),
    ("CLI pack import peak RSS (MB)", lambda r: (r.get("pack_import") or {}).get("rss_mb"), None, "pack_rss"),
    ("first open after a copy, wall", _ms("copy", "first_open_s"), None, None),
    ("first open after a copy, CPU", _ms("copy", "cpu_s"), None, None),
    ("first open after a copy, peak RSS (MB)", lambda r: r["copy"]["rss_mb"], None, "copy_rss"),
    ("first open after the ingest and removal", _ms("first", "first_open_s"), None, None),
    ("open (Engine + index)", _ms("engine", "open_s"), "fts_open_s", None),
    ("match top 30, median", lambda r: r["engine"]["match30"], "match30", "match30"),
    ("match all, median", lambda r: r["engine"]["match_all"], "match_all", None),
    ("window search per keystroke (1–4 chars), median", lambda r: r["engine"]["wsearch"], None, None),
    ("window search per keystroke, p95", lambda r: r["engine"]["wsearch_p95"], None, "wsearch"),
    (
        "GUI-thread garbage collection between keystrokes, longest",
        lambda r: r["engine"].get("wsearch_gc_ms"),
        None,
        None,
    ),
    ("window search per keystroke, CPU median", lambda r: r["engine"]["wsearch_cpu"], None, None),
    ("window search per keystroke, CPU p95", lambda r: r["engine"].get("wsearch_cpu_p95"), None, None),
    *[
        (
            f"window search, {k}-character queries, median",
            (lambda k: lambda r: (r["engine"].get("wsearch_len") or {}).get(str(k)))(k),
            f"search_len:{k}",
            None,
        )
        for k in (1, 2, 3, 4)
    ],
    ("one Engine.search per keystroke, median", lambda r: r["engine"]["search"], "search", None),
    ("one Engine.search per keystroke, p95", lambda r: r["engine"]["search_p95"], "search_p95", "search"),
    ("engine peak RSS (MB)", lambda r: r["engine"]["rss_mb"], None, None),
    ("CLI match, whole process, wall", lambda r: r["cli_s"] * 1000, None, "cli"),
    ("CLI match, CPU", lambda r: r["cli_cpu"] * 1000, None, None),
    ("CLI peak RSS (MB)", lambda r: r["cli_rss"], None, None),
    ("window: first results", lambda r: r.get("win_results_ms"), None, "win_results"),
    ("window: longest UI block", lambda r: r.get("win_block_ms"), None, "win_block"),
    ("window peak RSS (MB)", lambda r: r.get("win_rss"), None, "win_rss"),
]


def report(per: list[list[dict]], made: dict, loads: list[str], cache: Path, fp: str) -> None:
    """``per``: for each size, its rounds' rows."""
    rounds = max(len(x) for x in per) if per else 0
    print(f"PolicyDesk benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')} — {machine_line()}")
    print(
        f"Load average (1/5/15 min) at the start of each round and at the end: {' → '.join(loads)} "
        f"(shared machine). {rounds} round(s), sizes interleaved within each; median (min–max)."
    )
    print(f"Generated knowledge bases cached under {cache} (fingerprint {fp}).")
    for size, info in made.items():
        if size == "keywords":
            print(
                f"  hostile keywords (seed KB): fuzzy prefilter on a 20,000-character term "
                f"{info['align_20k_s'] * 1000:.0f} ms, on a 1 MB term {info['align_1m_s'] * 1000:.0f} ms; "
                f"a whole match with a 1 MB keyword {info['match_1m_s'] * 1000:.0f} ms"
            )
            continue
        built = info.get("index_built") or {}
        opened = (
            f"; the first open after it {built['first_open_s']:.1f} s ({built['cpu_s']:.1f} s CPU, "
            f"{built['rss_mb']:,.0f} MB; made: {', '.join(built['made']) or 'nothing'})"
            if built
            else ""
        )
        if size == "seeds":
            print(f"  seeds: first start (builds the seed KB) {info['first_start_s']:.1f} s{opened}")
            continue
        rate = info["imported"] / info["import_s"] if info.get("import_s") else 0
        print(
            f"  {int(size):,}: {info['documents']} documents from {info['pool_sentences']:,} real sentences, "
            f"imported through Engine.ingest ({info['imported']:,} measures in {info['import_s']:.0f} s, "
            f"{rate:,.0f} measures/s{_batches(info)}){' — cached' if info.get('cached') else ''}{opened}"
        )
    for rs in per:
        du = rs[0].get("disk")
        if du:
            split = ", ".join(f"{k} {v:.1f}" for k, v in (du.get("parts") or {}).items())
            print(
                f"  {rs[0]['size']}: library on disk {du['mb']:,.0f} MB, {du['kb_per_measure']:.1f} KB per measure"
                + (f" ({split})" if split else "")
            )
    print()
    seed = per[0] if per and per[0][0]["size"] == "seeds" else None
    head = ["", *[("seeds" if rs[0]["size"] == "seeds" else f"{int(rs[0]['size']):,}") for rs in per], "target"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "|".join("---:" for _ in head[1:-1]) + "|---|")
    print("| measures in KB | " + " | ".join(f"{rs[0]['engine']['measures']:,}" for rs in per) + " | |")
    for label, get, base_key, tkey in LINES:
        mb = "MB" in label
        cells = []
        seed_vals = [v for v in (get(r) for r in seed) if v is not None] if seed else []
        for rs in per:
            vals = [v for v in (get(r) for r in rs) if v is not None]
            if not vals:
                cells.append("—")
                continue
            cell = _cell(vals, mb)
            if seed is not None and rs is not seed and seed_vals and not mb:
                cell += f" ×{statistics.median(vals) / statistics.median(seed_vals):.1f}"
            b = rs[0].get("base")
            if base_key and b:
                if base_key == "fts_open_s":
                    cell += f" · FTS5 {b['fts_open_s'] * 1000:.1f} ms"
                elif base_key.startswith("search_len:"):
                    k = base_key.split(":")[1]
                    cell += f" · FTS5 {b['fts_search_len'][k]:.1f} · scan {b['naive_search_len'][k]:.1f}"
                else:
                    cell += f" · FTS5 {b[f'fts_{base_key}']:.1f} · scan {b[f'naive_{base_key}']:.1f}"
            cells.append(cell)
        print(f"| {label} | " + " | ".join(cells) + f" | {TARGETS.get(tkey, '') if tkey else ''} |")
    print()
    print("×: the median's ratio to the seeds'. Ingest: `python -m matcher ingest` of one new document of")
    print(f"about {ONE_DOCUMENT} measures (recombined real text) into the library, then `kb remove` of it; both whole")
    print("processes (CPU: user + system of the process). First open after a copy: the library's data and cache")
    print("folders copied to a new home, then Engine.open and the matcher. Window search: what the window runs per")
    print("keystroke (desktop.answer.ranked_search: one Engine.search, the client's district, then the city, then")
    print("the others, each row judged for the client on screen), every prefix of 1–4 characters of 8 queries")
    print("typed one after another, for three clients in turn (each with its answer asked first, not timed),")
    print("with the window's garbage collection (desktop.collection): the engine frozen, automatic collection")
    print("off, and what is due collected between keystrokes as the GUI thread's timer does, timed apart.")
    print("Match: six profiles. PolicyDesk judges every measure in scope (audiences, industries, conditions,")
    print("tiers, reasons) and returns the ranked top 30 (or all). FTS5 baseline (a competent SQL ranking, no")
    print("reasons): district IN (profile's, 上海市) AND internal = 0 AND any need/keyword word (OR), ordered by")
    print("relevance — FTS5 bm25 rank of the 3+-character words (trigram MATCH, OR-ed) minus one point per")
    print("1–2-character word found by LIKE in title or text — top 30 rows (or all) fetched. Scan baseline: a")
    print("Python loop over the rows in memory, same district/internal filter, any word in the text, first 30,")
    print("unranked (a floor). Search: 8 queries, every prefix of 1–4 characters, top 30 rows fetched; FTS5:")
    print("trigram MATCH ordered by rank for 3+ characters; below 3 (which a trigram index cannot serve) LIKE on")
    print("title or text ranked in SQL — in the title first, then by the share of the text the word makes up;")
    print("scan: a substring test over the rows in memory, unranked. Baselines measured in the first round.")
    for rs in per:
        for r in rs:
            made_now = r.get("copy", {}).get("made")
            if made_now:
                print(f"first open after a copy at {r['size']} made: {', '.join(made_now)}")
                break
        for r in rs:
            if r.get("win_note"):
                print(f"window at {r['size']}: no results timing ({r['win_note']})")
            if any(rc != 0 for rc in r.get("cli_rc", [])):
                print(f"CLI match at {r['size']}: exit codes {r['cli_rc']}")
            for step in ("ingest", "remove", "pack_export", "pack_import"):
                got = r.get(step)
                if got is None or got["rc"] != 0:
                    print(f"CLI {step} at {r['size']}: {'not run' if got is None else 'exit ' + str(got['rc'])}")


def disk(home: Path, measures: int) -> dict:
    """The library's size on disk (its data folder: KBs, saved sources, the index), and its parts."""
    parts = {"SQLite": 0, "index": 0, "source files": 0, "other": 0}
    for f in (home / "data").rglob("*"):
        if f.is_file():
            rel = f.relative_to(home / "data")
            part = (
                "SQLite"
                if f.name.endswith(".sqlite")
                else "index"
                if rel.parts[0].startswith("match_index")
                else "source files"
                if rel.parts[0] == "imports"
                else "other"
            )
            parts[part] += f.stat().st_size
    total = sum(parts.values())
    return {
        "mb": total / 1e6,
        "kb_per_measure": total / 1e3 / max(1, measures),
        "parts": {k: v / 1e3 / max(1, measures) for k, v in parts.items()},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="seeds,10000,100000", help="comma-separated: seeds and/or measure counts")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the profiles and queries per round (default 3)")
    ap.add_argument("--runs", type=int, default=1, help="whole-process CLI match runs per size and round (default 1)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds, the sizes interleaved within each (default 3)")
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
        args.repeat, args.runs, args.rounds = 1, 1, 1
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "seeds" and not s.isdigit():
            ap.error(f"--sizes: {s!r} is neither 'seeds' nor a number of measures")
    fp = fingerprint()
    made: dict = {}
    homes: dict[str, Path] = {}
    for s in sizes:
        homes[s], made[s] = prepare(s, args.cache, fp)
        # the first open after the import builds the index (the rounds measure what follows)
        made[s]["index_built"] = _sub(["--first-open"], homes[s])
    doc = one_document(args.cache, fp)
    per: dict[str, list[dict]] = {s: [] for s in sizes}
    loads = []
    try:
        for k in range(args.rounds):
            loads.append(loadavg())
            for s in sizes:  # interleaved: a change of load hits every size alike
                print(f"round {k + 1}/{args.rounds}: measuring {s} …", file=sys.stderr, flush=True)
                per[s].append(measure(s, homes[s], args.repeat, args.runs, not args.no_window, doc, base=k == 0))
        loads.append(loadavg())
        for s in sizes:
            per[s][0]["disk"] = disk(homes[s], per[s][0]["engine"]["measures"])
        if "seeds" in homes:
            made["keywords"] = _sub(["--keywords"], homes["seeds"])
    finally:
        if "seeds" in homes:
            shutil.rmtree(homes["seeds"], ignore_errors=True)
    report([per[s] for s in sizes], made, loads, args.cache, fp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
