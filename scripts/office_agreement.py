#!/usr/bin/env python
"""How often does the office lexicon agree with the offices a document states?

For every measure of the Hongkou seed (the only seed that states its offices), the first
inferred office (matcher.offices.infer_offices, resources/offices.toml) is compared with the
stated ones (牵头责任部门). Prints the agreement and every miss.

    .venv/bin/python scripts/office_agreement.py [--seed seeds/000_….txt] [--quiet] [--json]

Two figures are printed: over all measures, and over those whose stated offices include at
least one specific office (not only 各相关部门 / 各产业部门 … which no lexicon can infer).
The measures come from matcher.parse.parse_document when it is available; otherwise from a
small Hongkou-only item reader kept here for bootstrapping.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.lexicon import load_lexicons  # noqa: E402
from matcher.models import RawMeasure  # noqa: E402

HONGKOU = ROOT / "seeds" / "000_a62ab19f388f276b.txt"

_TOPIC = re.compile(r"^\s*(\d+)\.\s*(.+?)\s*$")
_ITEM = re.compile(r"^\s*\((\d+)(★?)\)(.*?)\((牵头责任部门[::].*?)\)\s*$")
_NOTE = re.compile(r"\((牵头责任部门[::].*?)\)\s*$")
_CHAPTER = re.compile(r"^\s*([一二三四五六七八九十]+)、(.+?)\s*$")
_SUB = re.compile(r"^\s*\(([一二三四五六七八九十]+)\)(.+?)\s*$")


def hongkou_items(text: str) -> list[RawMeasure]:
    """Bootstrap reader for the Hongkou seed only (clean Simplified, one item per line)."""
    out: list[RawMeasure] = []
    chapter = sub = ""
    chapter_label = sub_label = ""
    topic_label = topic = ""
    for line in text.splitlines():
        if m := _CHAPTER.match(line):
            chapter_label, chapter, sub_label, sub = m.group(1), m.group(2), "", ""
            continue
        if m := _SUB.match(line):
            sub_label, sub = m.group(1), m.group(2)
            continue
        if m := _TOPIC.match(line):
            topic_label, topic = m.group(1), m.group(2)
            continue
        section = "safeguard" if "保障" in chapter else "task"
        parents = [p for p in (f"{chapter_label}、{chapter}", f"({sub_label}){sub}" if sub else "",
                               f"{topic_label}. {topic}") if p]
        path = [p for p in (chapter_label, f"({sub_label})" if sub_label else "", topic_label) if p]
        if m := _ITEM.match(line):
            body = m.group(3).strip()
            out.append(RawMeasure(
                path=[*path, f"({m.group(1)})"], clause=f"{topic_label}.({m.group(1)})",
                heading=topic, parents=parents, text=body, star=bool(m.group(2)),
                section=section, office_note=m.group(4)))
        elif topic_label and (m := _NOTE.search(line)):
            # a topic with no numbered items (25. 强化协同配合): its paragraph is the measure
            body = line[: m.start()].strip()
            out.append(RawMeasure(path=path, clause=f"{topic_label}.", heading=topic,
                                  parents=parents[:-1], text=body, section=section,
                                  office_note=m.group(1)))
    return out


def measures_of(path: Path) -> list[RawMeasure]:
    text = path.read_text(encoding="utf-8")
    try:
        from matcher.parse import parse_document  # type: ignore[import-not-found]
    except ImportError:
        return hongkou_items(text)
    try:
        from matcher.text import repair
        text = repair(text).text
    except ImportError:
        pass
    return parse_document(text).measures


def agreement(measures: list[RawMeasure], district: str = "虹口区") -> dict:
    from matcher.offices import infer_offices, split_offices

    lex = load_lexicons()
    generic = {o.name for o in lex.offices.office if o.kind == "generic"}
    rows = []
    for raw in measures:
        lead, support = split_offices(raw.office_note, lex)
        stated = [*lead, *support]
        if not stated:
            continue
        inferred, _ = infer_offices(raw.text, raw.heading, district, lex)
        first = inferred[0] if inferred else ""
        rows.append({
            "clause": raw.clause, "text": raw.text[:60], "stated": stated, "inferred": inferred,
            "hit": first in stated, "any_hit": bool(set(inferred) & set(stated)),
            "specific": any(s not in generic for s in stated),
        })
    n = len(rows)
    hits = sum(r["hit"] for r in rows)
    spec = [r for r in rows if r["specific"]]
    return {
        "measures": n, "agree": hits,
        "specific_measures": len(spec), "specific_agree": sum(r["hit"] for r in spec),
        "any_agree": sum(r["any_hit"] for r in rows),
        "misses": [r for r in rows if not r["hit"]],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--seed", type=Path, default=HONGKOU)
    ap.add_argument("--quiet", action="store_true", help="only the figures")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = agreement(measures_of(args.seed))
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    pct = lambda a, b: f"{a}/{b} = {100 * a / b:.1f}%" if b else "0/0"  # noqa: E731
    print(f"首个推断部门属于所述牵头部门(全部措施):          {pct(res['agree'], res['measures'])}")
    print(f"首个推断部门属于所述牵头部门(所述含具体部门的措施):{pct(res['specific_agree'], res['specific_measures'])}")
    print(f"任一推断部门属于所述牵头部门(全部措施):          {pct(res['any_agree'], res['measures'])}")
    if not args.quiet:
        print("\n未命中:")
        for r in res["misses"]:
            print(f"  {r['clause']:<8} 所述 {'、'.join(r['stated'])}  推断 {'、'.join(r['inferred']) or '—'}"
                  f"{'' if r['specific'] else '  (所述仅泛指部门)'}\n           {r['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
