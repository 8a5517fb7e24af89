#!/usr/bin/env python
"""Tags per document, for a person to review: the seeds and the development corpus.

For every document of ``seeds/`` and ``tests/corpus/`` (built in-process, nothing written):
measures, internal, enterprise-facing, and per tag kind (audiences, categories, industries,
areas) how many measures carry at least one tag and how many tags in all. Then every
internal measure with the evidence that decided it, so the decisions can be read by hand.

    python scripts/tag_report.py                 # table + internal measures with evidence
    python scripts/tag_report.py --table         # the table only
    python scripts/tag_report.py --doc jinshan   # one document (substring of the file name)
    python scripts/tag_report.py --all           # every measure, internal or not, with its tags
    python scripts/tag_report.py --json          # machine-readable

Documents are built with :func:`matcher.reading.pipeline.build_document`; where that refuses one
(a city-level document on a branch that does not know ``上海市`` yet, duplicate clause
ids while outline parsing is being reworked) the measures are parsed and enriched
directly, and the table says so in the ``via`` column.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.common.text import repair  # noqa: E402
from matcher.models import Measure  # noqa: E402
from matcher.reading.enrich import enrich  # noqa: E402
from matcher.reading.parse import parse_document  # noqa: E402
from matcher.reading.pipeline import build_document, build_seed_documents  # noqa: E402
from matcher.rules.lexicon import load_lexicons  # noqa: E402

KINDS = ("audiences", "categories", "industries", "areas")
CORPUS_DISTRICTS = {
    "huangpu": "黄浦区",
    "xuhui": "徐汇区",
    "changning": "长宁区",
    "jingan": "静安区",
    "putuo": "普陀区",
    "hongkou": "虹口区",
    "yangpu": "杨浦区",
    "minhang": "闵行区",
    "baoshan": "宝山区",
    "jiading": "嘉定区",
    "pudong": "浦东新区",
    "jinshan": "金山区",
    "songjiang": "松江区",
    "qingpu": "青浦区",
    "fengxian": "奉贤区",
    "chongming": "崇明区",
    "shi": "上海市",
}


def corpus_measures(path: Path) -> tuple[list[Measure], str]:
    """The measures of one corpus document, and how they were built."""
    district = CORPUS_DISTRICTS.get(path.name.split("_")[0], "上海市")
    text = path.read_text(encoding="utf-8")
    # the front matter's title, in case the parser of this branch does not read it yet
    m = re.search(r"^标题[::]\s*(.+?)\s*$", text, re.M)
    title = m.group(1) if m else None
    try:
        doc = build_document(text, source_file=path.name, district=district, doc_id=path.stem, title=title)
        return doc.measures, "pipeline"
    except Exception:
        lex = load_lexicons()
        parsed = parse_document(repair(text).text)
        ms = [
            enrich(r, doc_id=path.stem, district=district, document=title or path.stem, issued=None, order=i, lex=lex)
            for i, r in enumerate(parsed.measures)
        ]
        return ms, "direct"


def all_documents(only: str = "") -> list[tuple[str, str, list[Measure]]]:
    out: list[tuple[str, str, list[Measure]]] = []
    for doc in build_seed_documents():
        if only in doc.source_file or only in doc.doc_id:
            out.append((doc.doc_id, "seed", doc.measures))
    for path in sorted((ROOT / "tests" / "corpus").glob("*.txt")):
        if only in path.name:
            ms, via = corpus_measures(path)
            out.append((path.stem, via, ms))
    return out


def row(name: str, via: str, ms: list[Measure]) -> dict:
    r = {
        "document": name,
        "via": via,
        "measures": len(ms),
        "internal": sum(m.internal for m in ms),
        "enterprise_facing": sum(m.enterprise_facing for m in ms),
    }
    for k in KINDS:
        r[k] = {"measures": sum(1 for m in ms if getattr(m, k)), "tags": sum(len(getattr(m, k)) for m in ms)}
    return r


def fmt_evidence(ev: dict[str, str]) -> str:
    return ";".join(f"{why}〔{q}〕" for why, q in ev.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doc", default="", help="only documents whose file name contains this")
    ap.add_argument("--table", action="store_true", help="the table only")
    ap.add_argument("--all", action="store_true", help="list every measure with its tags")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    docs = all_documents(a.doc)
    rows = [row(n, v, ms) for n, v, ms in docs]
    if a.json:
        out = {
            "documents": rows,
            "internal": [
                {"measure_id": m.measure_id, "title": m.title, "evidence": m.evidence.get("internal", {})}
                for _, _, ms in docs
                for m in ms
                if m.internal
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    head = f"{'document':44} {'via':8} {'meas':>4} {'int':>4} {'ent':>4}  " + "  ".join(f"{k[:4]:>9}" for k in KINDS)
    print(head)
    print("-" * len(head))
    tot = {"measures": 0, "internal": 0, "enterprise_facing": 0}
    for r in rows:
        print(
            f"{r['document'][:44]:44} {r['via']:8} {r['measures']:>4} {r['internal']:>4} "
            f"{r['enterprise_facing']:>4}  " + "  ".join(f"{r[k]['measures']:>4}/{r[k]['tags']:<4}" for k in KINDS)
        )
        for k in tot:
            tot[k] += r[k]
    print(f"{'TOTAL':44} {'':8} {tot['measures']:>4} {tot['internal']:>4} {tot['enterprise_facing']:>4}")
    print("(per tag kind: measures with ≥1 tag / tags in all)")
    if a.table:
        return 0
    for name, _, ms in docs:
        shown = [m for m in ms if m.internal or a.all]
        if not shown:
            continue
        print(f"\n== {name}")
        for m in shown:
            flag = "内部" if m.internal else "面向企业"
            print(f"  [{flag}] {m.measure_id}  {m.title[:30]}")
            if m.internal:
                print(f"      依据:{fmt_evidence(m.evidence.get('internal', {}))}")
            else:
                print(f"      依据:{fmt_evidence(m.evidence.get('enterprise_facing', {}))}")
            if a.all:
                for k in KINDS:
                    if getattr(m, k):
                        print(
                            f"      {k}: "
                            + ";".join(f"{t}〔{m.evidence.get(k, {}).get(t, '')}〕" for t in getattr(m, k))
                        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
