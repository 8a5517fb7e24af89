"""The profiles and knowledge bases the vectorised matcher is checked on, and a snapshot of
the answers (every result of ``match(top=None, include_expired=True)``: id, score, tier,
status, in order) to compare with the one captured from the matcher before it was
vectorised (``tests/matcher/data/match_baseline.json``).

Run as a script to (re)write the snapshot with the code on ``PYTHONPATH``:
``python tests/matcher/match_baseline.py OUT.json``.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
AS_OF = _dt.date(2025, 6, 1)

_KEYWORDS = [
    "人才公寓",
    "融资担保",
    "贷款贴息",
    "专利质押",
    "破产重整",
    "一网通办",
    "首台套",
    "研发投入",
    "房租补贴",
    "知识产权",
    "跨境电商",
    "绿色低碳",
    "数字化转型",
    "人工智能",
    "集成电路",
    "航运",
    "船舶代理",
    "上市",
    "创业担保贷款",
    "稳岗",
    "技术改造",
    "总部",
    "展会",
    "人材公寓",
    "融资担报",
    "小额诉讼",
    "节能",
    "新能源",
    "直播",
    "首发经济",
]


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def profiles() -> list[dict]:
    """Dev profiles, the test cases and generated ones covering the form's values."""
    from matcher.rules.form import form_options

    out: list[dict] = []
    dev = json.loads((ROOT / "eval" / "dev_profiles.json").read_text(encoding="utf-8"))
    out += [p["profile"] for p in dev["profiles"]]
    for f in sorted((ROOT / "tests" / "cases").glob("*.json")):
        out.append(json.loads(f.read_text(encoding="utf-8"))["profile"])
    o = form_options()
    rng = random.Random(13)
    hot = [
        "虹口区",
        "徐汇区",
        "嘉定区",
        "浦东新区",
        "静安区",
        "松江区",
        "长宁区",
        "奉贤区",
        "金山区",
        "普陀区",
        "杨浦区",
    ]
    for k in range(48):
        d = rng.choice(hot) if k % 4 else rng.choice(o.districts)
        p: dict = {"district": d, "industry": rng.choice(o.industry_choices + o.key_industries)}
        if rng.random() < 0.8:
            p["size"] = rng.choice(o.sizes)
        p["zjtx"] = rng.choice(o.zjtx)
        p["flags"] = rng.sample(o.flags, rng.randrange(0, 4))
        p["needs"] = rng.sample(o.needs, rng.randrange(0, 5))
        if rng.random() < 0.4 and o.areas.get(d):
            p["area"] = rng.choice(o.areas[d])
        if rng.random() < 0.6:
            p["keywords"] = " ".join(rng.sample(_KEYWORDS, rng.randrange(1, 4)))
        out.append(p)
    return out


def snapshot(engine) -> list[dict]:
    """Per profile: every result of the whole answer, in order (id, score, tier, status);
    the measures hidden (a stated condition not met: ``match --all``'s ``fails`` rows)."""
    out = []
    for p in profiles():
        resp = engine.match(p, top=None, as_of=AS_OF, include_expired=True)
        every = engine.matcher.overview(engine.profile(p), as_of=AS_OF)
        out.append(
            {
                "profile": p,
                "results": [[r.measure.measure_id, r.score, r.tier, r.status] for r in resp.results],
                "hidden": sorted(row["measure_id"] for row in every if row["status"] == "fails"),
                "tiers": dict(resp.tiers),
            }
        )
    return out


def _main(dest: str) -> None:
    import os
    import tempfile

    from matcher.engine import Engine

    res = {}
    for name, files in (("seeds", []), ("corpus", corpus_files())):
        os.environ["POLICYDESK_HOME"] = tempfile.mkdtemp()
        with Engine.open() as e:
            if files:
                e.ingest(files)
            res[name] = snapshot(e)
    Path(dest).write_text(json.dumps(res, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    _main(sys.argv[1])
