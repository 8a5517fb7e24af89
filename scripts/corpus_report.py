#!/usr/bin/env python
"""One row per document of tests/corpus (the 20 unseen Shanghai documents) plus the seeds:
what the reader found, next to a careful reading.

    python scripts/corpus_report.py [--corpus DIR] [--json]

Columns: level and district (from front matter, issuing body and title), measures found
(of which in 保障措施/组织实施 chapters: kept, marked internal, never offered), my reading
(tests/corpus_reading.toml: what the parser should find under the project's counting rule),
the MANIFEST's count, headings, other skipped numbered items, numbering problems, measures
whose stated office note was kept verbatim, and numbered lines lost in silence (a numbered
line that became neither a measure nor a skipped entry — must be 0).

Counting rule (DESIGN.md "A measure" and docs/corpus-notes.md): the smallest numbered unit
is a measure, unless its section is the opening (总体要求/目标/原则), scope (适用范围/支持对象/
申报条件), materials, procedure, contact or closing (附则, 使用管理, 注意事项); a numbered item
whose paragraphs each carry their own 责任部门 note holds one measure per paragraph; 保障措施
chapters are kept as internal measures (the MANIFEST leaves them out: the difference is
shown in its own column). Where the reading differs from the MANIFEST, corpus_reading.toml
says why.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.cli.main import print_table  # noqa: E402
from matcher.common.text import normalize, repair  # noqa: E402
from matcher.reading.meta import split_front_matter, strip_furniture  # noqa: E402
from matcher.reading.outline import marker  # noqa: E402
from matcher.reading.parse import parse_document  # noqa: E402
from matcher.reading.pipeline import build_document, build_seed_documents, district_forms  # noqa: E402

READING = ROOT / "tests" / "corpus_reading.toml"


def reading() -> dict[str, dict]:
    return tomllib.loads(READING.read_text(encoding="utf-8")).get("documents", {})


def lost_lines(raw: str) -> tuple[list[int], object]:
    """Numbered lines of the repaired text that are neither a measure nor a skipped entry."""
    fm, body = split_front_matter(raw)
    body, _n, md_title = strip_furniture(body)
    text = repair(body).text
    parsed = parse_document(
        text,
        district_forms(),
        fm={k: normalize(v) for k, v in fm.items()},
        md_title=normalize(md_title) if md_title else None,
    )
    accounted = {m.line for m in parsed.measures} | {s.line for s in parsed.skipped}
    lost = [i for i, line in enumerate(text.split("\n"), 1) if marker(line.strip()) and i not in accounted]
    return lost, parsed


def row_for(name: str, raw: str, doc, read: dict | None) -> dict:
    lost, parsed = lost_lines(raw)
    safeguard = sum(1 for m in parsed.measures if m.section == "safeguard")
    return {
        "file": name,
        "level": doc.level,
        "district": doc.district,
        "measures": len(doc.measures),
        "safeguard": safeguard,
        "reading": (read or {}).get("measures"),
        "manifest": (read or {}).get("manifest"),
        "headings": sum(1 for s in doc.skipped if s.kind == "heading"),
        "skipped": sum(1 for s in doc.skipped if s.kind != "heading"),
        "numbering": len(doc.numbering),
        "office_notes": sum(1 for m in parsed.measures if m.office_note),
        "lost": len(lost),
        "unrepaired": len(doc.unrepaired),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "tests" / "corpus"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    reads = reading()
    rows = []
    for path in sorted(Path(args.corpus).glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        doc = build_document(raw, source_file=path.name, source="user")
        rows.append(row_for(path.stem, raw, doc, reads.get(path.stem)))
    seed_counts = tomllib.loads(READING.read_text(encoding="utf-8")).get("seeds", {})
    for doc in build_seed_documents():
        path = ROOT / "seeds" / doc.source_file
        raw = path.read_bytes().decode("utf-8-sig")
        expected = seed_counts.get(doc.doc_id)
        read = {"measures": expected, "manifest": expected}
        rows.append(row_for(doc.doc_id, raw, doc, read))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    heads = [
        "文件",
        "层级",
        "区",
        "措施",
        "其中保障",
        "人工阅读",
        "MANIFEST",
        "标题",
        "跳过",
        "编号问题",
        "写明部门",
        "遗漏",
        "未修复",
    ]
    print_table(
        heads,
        [
            [
                r["file"],
                r["level"],
                r["district"],
                r["measures"],
                r["safeguard"],
                r["reading"] if r["reading"] is not None else "—",
                r["manifest"] if r["manifest"] is not None else "—",
                r["headings"],
                r["skipped"],
                r["numbering"],
                r["office_notes"],
                r["lost"],
                r["unrepaired"],
            ]
            for r in rows
        ],
    )
    agree = sum(1 for r in rows if r["reading"] == r["measures"])
    print(
        f"\n{len(rows)} 份文件:措施数与人工阅读一致 {agree} 份;遗漏的编号条目 {sum(r['lost'] for r in rows)} 条;"
        f"措施共 {sum(r['measures'] for r in rows)} 条。"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
