#!/usr/bin/env python
"""How often does office inference agree with the offices a document states?

For every document listed in ``eval/office_lexicon_sources.toml`` (the seeds and corpus
documents that state their offices), each paragraph that carries an office note (found by
:func:`matcher.knowledge.offices.split_note`, so the figure does not depend on the outline parser) is
one measure: its text is that paragraph plus the paragraphs since the previous note or
heading. Inference is run as if the document stated nothing: the notes are removed from the
whole text before the document-level assignments are read, and from the measure's text.

Per document and separately for the ``development`` documents (whose wording the lexicon
was written from) and the ``held_out`` ones (never tuned on), it prints:

* first: the first inferred office is among the stated ones (compared canonically);
* any: some inferred office is among the stated ones;
* verbatim: every stated office is kept exactly as the document writes it.

    python scripts/office_agreement.py [--json] [--misses] [--only held_out]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.common.text import repair  # noqa: E402
from matcher.knowledge.office_context import document_assignments  # noqa: E402
from matcher.knowledge.offices import canonical_office, infer_offices, split_note, stated_offices  # noqa: E402
from matcher.rules.lexicon import load_lexicons  # noqa: E402

SOURCES = ROOT / "eval" / "office_lexicon_sources.toml"


def _is_heading(line: str) -> bool:
    return len(line) <= 40 and not re.search(r"[。;；]$", line) and "。" not in line


def units(text: str) -> list[dict]:
    """The measures of a document that states its offices: one per paragraph with a note."""
    out: list[dict] = []
    heading = ""
    pending: list[str] = []
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        body, note = split_note(line)
        if note:
            out.append({"heading": heading, "text": "\n".join([*pending, body]).strip(), "note": note, "line": line})
            pending = []
        elif _is_heading(line):
            heading, pending = re.sub(r"^[((]?[一二三四五六七八九十\d]+[))、.．]\s*", "", line), []
        else:
            pending.append(line)
    return out


def without_notes(text: str) -> str:
    """The document as if it stated no offices: every trailing note removed."""
    return "\n".join(split_note(line)[0] for line in text.splitlines())


def agreement_for(path: Path, district: str) -> dict:
    lex = load_lexicons()
    generic = {o.name for o in lex.offices.office if o.kind == "generic"}
    text = repair(path.read_text(encoding="utf-8-sig")).text
    ctx = document_assignments(without_notes(text), district, lex)
    rows = []
    for u in units(text):
        st = stated_offices(u["note"], district, lex)
        if not st["offices"]:
            continue
        stated = set(st["canonical"])
        inferred, _ = infer_offices(u["text"], u["heading"], district, lex, ctx)
        inferred_c = [canonical_office(o, district, lex) for o in inferred]
        first = inferred_c[0] if inferred_c else ""
        rows.append(
            {
                "text": u["text"][:50],
                "stated": st["offices"],
                "canonical": st["canonical"],
                "inferred": inferred,
                "hit": first in stated,
                "any_hit": bool(stated & set(inferred_c)),
                "specific": any(s not in generic for s in stated),
                "verbatim": all(o in u["line"] for o in st["offices"]),
            }
        )
    n = len(rows)
    return {
        "file": str(path.relative_to(ROOT)),
        "district": district,
        "measures": n,
        "first": sum(r["hit"] for r in rows),
        "any": sum(r["any_hit"] for r in rows),
        "specific": sum(r["specific"] for r in rows),
        "first_specific": sum(r["hit"] for r in rows if r["specific"]),
        "verbatim": sum(r["verbatim"] for r in rows),
        "misses": [r for r in rows if not r["hit"]],
    }


def _sum(docs: list[dict]) -> dict:
    keys = ("measures", "first", "any", "specific", "first_specific", "verbatim")
    return {k: sum(d[k] for d in docs) for k in keys}


def run(sources: Path = SOURCES) -> dict:
    cfg = tomllib.loads(sources.read_text(encoding="utf-8"))
    out: dict = {}
    for group in ("development", "held_out"):
        docs = [agreement_for(ROOT / d["file"], d["district"]) for d in cfg.get(group, [])]
        out[group] = {"documents": docs, "total": _sum(docs)}
    return out


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.1f}%" if b else "0/0"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--only", choices=("development", "held_out"))
    args = ap.parse_args(argv)
    res = run()
    if args.only:
        res = {args.only: res[args.only]}
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    names = {"development": "开发集(词表据此编写)", "held_out": "留出集(未据此调整)"}
    for group, r in res.items():
        print(f"== {names[group]}")
        print(f"{'文件':<52} {'措施':>4}  {'首个推断部门正确':<18} {'任一推断部门正确':<18} 原样保留")
        for d in [*r["documents"], {"file": "合计", **r["total"]}]:
            print(
                f"{d['file'][-52:]:<52} {d['measures']:>4}  {pct(d['first'], d['measures']):<18} "
                f"{pct(d['any'], d['measures']):<18} {pct(d['verbatim'], d['measures'])}"
            )
            if args.misses and d.get("misses"):
                for m in d["misses"]:
                    print(
                        f"    所述 {'、'.join(m['stated'])}  推断 {'、'.join(m['inferred']) or '—'}"
                        f"\n        {m['text']}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
