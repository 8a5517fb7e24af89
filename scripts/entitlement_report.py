#!/usr/bin/env python
"""What the entitlement extractors find in each document, printed for a person to check.

For every document of ``tests/corpus/`` (and ``seeds/`` with ``--seeds``) the report reads the
repaired text the way ingest does and prints, per kind, each extracted value beside the
sentence it came from:

* amounts   — per measure (matcher.knowledge.amounts.amounts over the measure's sentences), or
              over the whole text when the document cannot be ingested;
* window    — the application window (measure-level first, else the document's);
* valid     — the document's 有效期 end;
* materials — the 申报材料 items;
* how       — online platforms / items, receiving offices, addresses, submission e-mail;
* contact   — people, phone numbers, e-mail;
* conditions— thresholds, age and area conditions (document scope and per measure).

A summary table (one row per document, counts per kind) comes first. It is a report: the
exit code is 0 whatever it finds.

    python scripts/entitlement_report.py [--seeds] [--doc NAME] [--summary]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.common.text import repair  # noqa: E402
from matcher.errors import PolicyDeskError  # noqa: E402
from matcher.knowledge import amounts as A  # noqa: E402
from matcher.knowledge import conditions as C  # noqa: E402
from matcher.knowledge import entitlements as E  # noqa: E402
from matcher.reading.pipeline import build_document  # noqa: E402


def _issued(raw: str) -> str | None:
    m = re.search(r"发布日期:\s*(\d{4}-\d{2}-\d{2})", raw.replace(":", ":"))
    return m.group(1) if m else None


def analyse(path: Path) -> dict:
    raw = path.read_bytes().decode("utf-8-sig")
    text = repair(raw).text
    issued = _issued(raw)
    row: dict = {"file": path.name, "issued": issued, "ingest": "", "amounts": [], "conditions": []}
    try:
        doc = build_document(raw, source_file=path.name, district=None, source="user")
        issued = issued or doc.issued
        row["ingest"] = f"{len(doc.measures)} 条措施"
        for m in doc.measures:
            for a in m.amounts:
                row["amounts"].append((m.clause, a))
            for c in m.conditions:
                if c["kind"] in ("threshold", "age", "area") and c.get("source") != "document":
                    row["conditions"].append((m.clause, c))
    except PolicyDeskError as e:
        row["ingest"] = "未能导入:" + str(e)[:40]
        sents = [s for s in re.split(r"(?<=[。;;\n])", text) if s.strip()]
        row["amounts"] = [("全文", a) for a in A.amounts(sents)]
        row["conditions"] = [("全文", c) for c in C.thresholds(sents) + C.ages(sents) + C.areas(sents)]
    d = E.document_entitlements(text, issued)
    row.update(
        window=d["window"],
        valid=d["valid_until"],
        materials=d["materials"],
        how=d["how_to_apply"],
        contact=d["contact"],
    )
    row["scope"] = C.document_conditions(text)
    return row


def summary(rows: list[dict]) -> str:
    lines = [
        "| 文件 | 导入 | 金额 | 申报期 | 有效期至 | 材料 | 办理方式 | 联系方式 | 条件(文件/措施) |",
        "|---|---|---:|---|---|---:|---|---|---|",
    ]
    for r in rows:
        how = "、".join(r["how"].get("online", []) + r["how"].get("offices", []) + r["how"].get("email", []))
        con = "、".join(r["contact"].get("people", []) + r["contact"].get("phones", []))
        w = r["window"]
        win = (w.get("end") or ("每年" if w.get("recurring") else "")) if w else ""
        lines.append(
            f"| {r['file'][:40]} | {r['ingest'][:14]} | {len(r['amounts'])} | {win or '—'} | "
            f"{r['valid'] or '—'} | {len(r['materials'])} | {how[:30] or '—'} | {con[:30] or '—'} | "
            f"{len(r['scope'])}/{len(r['conditions'])} |"
        )
    return "\n".join(lines)


def detail(r: dict) -> str:
    out = [f"\n== {r['file']}  ({r['ingest']})"]
    for clause, a in r["amounts"]:
        out.append(f"  金额 [{clause}] {a['text']}  ({a['kind']})  ← {a['quote'][:90]}")
    if r["window"]:
        w = r["window"]
        out.append(
            f"  申报期 {w.get('start', '')}→{w.get('end', '')} {'(每年)' if w.get('recurring') else ''}"
            f"  ← {w['quote'][:90]}"
        )
    if r["valid"]:
        out.append(f"  有效期至 {r['valid']}")
    for i, m in enumerate(r["materials"], 1):
        out.append(f"  材料 {i}. {m[:90]}")
    if r["how"]:
        h = {k: v for k, v in r["how"].items() if k != "quote"}
        out.append(f"  办理 {h}  ← {r['how']['quote'][:90]}")
    if r["contact"]:
        c = {k: v for k, v in r["contact"].items() if k != "quote"}
        out.append(f"  联系 {c}  ← {r['contact']['quote'][:90]}")
    for c in r["scope"]:
        out.append(f"  条件(全文件) {c['text']}  ← {c['quote']}")
    for clause, c in r["conditions"]:
        out.append(f"  条件 [{clause}] {c['text']}  ← {c['quote']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", action="store_true", help="also the seed documents")
    ap.add_argument("--doc", help="only files whose name contains this")
    ap.add_argument("--summary", action="store_true", help="only the summary table")
    args = ap.parse_args(argv)
    files = sorted((ROOT / "tests" / "corpus").glob("*.txt"))
    if args.seeds:
        files += sorted((ROOT / "seeds").glob("*.txt"))
    if args.doc:
        files = [f for f in files if args.doc in f.name]
    rows = [analyse(f) for f in files]
    print(summary(rows))
    if not args.summary:
        for r in rows:
            print(detail(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
