#!/usr/bin/env python
"""How well does the matcher serve the evaluation profiles?

Every profile of an eval file (``eval/dev_profiles.json`` by default; ``--cases tests/cases``
adds the project's own golden cases) is matched by the real matcher against the seed
knowledge base (``matcher.reading.pipeline.build_seed_documents()``), and compared with what a
competent 帮办 officer would hand the company:

* recall — each ``must_include`` phrase is found when it occurs in the text of one of the
  top-N ``applies`` results whose measure comes from the named seed document
  (``"doc": "000"`` is the seed file ``000_….txt``);
* office agreement — for the phrases found that name ``office_any``, the result's offices
  share at least one office with it;
* excluded — ``must_exclude`` phrases returned anywhere (``applies`` or ``near``), and
  among ``applies`` alone;
* tiers — per profile, how many measures are ``targeted`` / ``general`` / ``near`` /
  ``unknown`` in an unlimited match (``applies`` = targeted + general, ranked together, so
  recall is counted within the targeted+general top N), and the median targeted count.

Prints a table per profile and in total, then every miss with where it ranked. It is a
report: the exit code is 0 whatever the figures.

    .venv/bin/python scripts/evaluate.py [FILE.json …] [--cases tests/cases] [--top 30] [--json]

An eval file is ``{"profiles": [case, …]}``, a list of cases, or one case; a case is
``{"id", "why", "profile", "must_include": [{"phrase", "doc", "office_any"?, "why"}],
"must_exclude": [{"phrase", "doc", "why"}]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.common.text import normalize  # noqa: E402
from matcher.matching.match import Matcher, matcher_of  # noqa: E402
from matcher.models import Document, MatchResponse, Result  # noqa: E402
from matcher.profile.company import Profile  # noqa: E402
from matcher.reading.pipeline import build_seed_documents  # noqa: E402

DEFAULT_EVAL = ROOT / "eval" / "dev_profiles.json"


# ── loading ──────────────────────────────────────────────────────────────────


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """The cases of one eval file, or of every ``*.json`` in a folder (sorted by name).
    Each case gets ``"source"``: the file it came from."""
    p = Path(path)
    files = sorted(p.glob("*.json")) if p.is_dir() else [p]
    out: list[dict[str, Any]] = []
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "profiles" in data:
            data = data["profiles"]
        cases = data if isinstance(data, list) else [data]
        for c in cases:
            out.append({**c, "source": str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)})
    return out


@dataclass
class SeedKB:
    """The seed documents, the matcher over all their measures, and seed-file prefixes."""

    docs: list[Document]
    matcher: Matcher
    prefix_of: dict[str, str]  # doc_id → "000"

    def doc_ids(self, prefix: str) -> list[str]:
        return [d for d, p in self.prefix_of.items() if p == prefix]


@lru_cache(maxsize=1)
def seed_kb() -> SeedKB:
    docs = build_seed_documents()
    measures = [m for d in docs for m in d.measures]
    matcher = matcher_of(measures, {"documents": len(docs), "measures": len(measures)})
    prefix_of = {d.doc_id: d.source_file.split("_", 1)[0] for d in docs}
    return SeedKB(docs=docs, matcher=matcher, prefix_of=prefix_of)


# ── judging one profile ──────────────────────────────────────────────────────


def phrase_in(result_or_text: Result | str, phrase: str) -> bool:
    text = result_or_text if isinstance(result_or_text, str) else result_or_text.measure.text
    return normalize(phrase) in normalize(text)


@dataclass
class PhraseOutcome:
    phrase: str
    doc: str
    why: str = ""
    office_any: list[str] = field(default_factory=list)
    status: str = ""  # "applies", "near", "beyond-top", "" (not returned)
    rank: int | None = None  # rank among applies (1-based), or among near
    measure_id: str = ""
    offices: list[str] = field(default_factory=list)
    office_ok: bool | None = None  # None: no office_any given, or not found
    in_kb: bool = True  # the phrase occurs in some measure of the named doc
    internal: bool = False  # … and that measure is internal


@dataclass
class CaseOutcome:
    id: str
    district: str
    source: str
    include: list[PhraseOutcome]
    exclude: list[PhraseOutcome]
    notes: list[str]
    applies: int
    near: int
    error: str = ""
    tiers: dict[str, int] = field(default_factory=dict)  # tier → count, unlimited match

    @property
    def found(self) -> int:
        return sum(1 for o in self.include if o.status == "applies")

    @property
    def office_given(self) -> int:
        return sum(1 for o in self.include if o.office_ok is not None)

    @property
    def office_agree(self) -> int:
        return sum(1 for o in self.include if o.office_ok)

    @property
    def excl_anywhere(self) -> int:
        return sum(1 for o in self.exclude if o.status in ("applies", "near"))

    @property
    def excl_applies(self) -> int:
        return sum(1 for o in self.exclude if o.status == "applies")


def _locate(kb: SeedKB, resp: MatchResponse, phrase: str, doc: str) -> tuple[str, int | None, Result | None]:
    applies = [r for r in resp.results if r.status == "applies"]
    near = [r for r in resp.results if r.status == "near"]
    for status, rows in (("applies", applies), ("near", near)):
        for i, r in enumerate(rows, 1):
            if kb.prefix_of.get(r.measure.doc_id) == doc and phrase_in(r, phrase):
                return status, i, r
    return "", None, None


def _kb_measure(kb: SeedKB, phrase: str, doc: str):
    for d in kb.docs:
        if kb.prefix_of[d.doc_id] != doc:
            continue
        for m in d.measures:
            if phrase_in(m.text, phrase):
                return m
    return None


def judge(case: dict[str, Any], top: int = 30, kb: SeedKB | None = None) -> CaseOutcome:
    """Match one case's profile and judge the answer (see the module docstring)."""
    kb = kb or seed_kb()
    cid = str(case.get("id", "?"))
    src = str(case.get("source", ""))
    try:
        profile = Profile.from_dict(case["profile"])
    except Exception as e:  # a bad case is reported, not raised
        return CaseOutcome(
            cid,
            str(case.get("profile", {}).get("district", "")),
            src,
            [],
            [],
            [],
            0,
            0,
            error=f"{type(e).__name__}: {e}",
        )
    resp = kb.matcher.match(profile, top=top)
    # the full ranking, to tell "beyond the top N" from "not offered at all"
    full = kb.matcher.match(profile, top=None)
    full_applies = [r for r in full.results if r.status == "applies"]

    def outcome(item: dict[str, Any], with_office: bool) -> PhraseOutcome:
        o = PhraseOutcome(
            phrase=item["phrase"],
            doc=str(item["doc"]),
            why=item.get("why", ""),
            office_any=list(item.get("office_any") or []) if with_office else [],
        )
        m = _kb_measure(kb, o.phrase, o.doc)
        o.in_kb = m is not None
        o.internal = bool(m and m.internal)
        status, rank, r = _locate(kb, resp, o.phrase, o.doc)
        if r is None:
            for i, fr in enumerate(full_applies, 1):
                if kb.prefix_of.get(fr.measure.doc_id) == o.doc and phrase_in(fr, o.phrase):
                    status, rank, r = "beyond-top", i, fr
                    break
        o.status, o.rank = status, rank
        canonical: list[str] = []  # offices as written, and as recognised
        district = None
        if r is not None:
            o.measure_id, o.offices = r.measure.measure_id, list(r.measure.offices)
            canonical, district = list(r.measure.offices_canonical), r.measure.district
        elif m is not None:
            o.measure_id, o.offices = m.measure_id, list(m.offices)
            canonical, district = list(m.offices_canonical), m.district
        if with_office and o.office_any and o.status == "applies":
            from matcher.knowledge.offices import canonical_office  # the case's offices, recognised there

            wanted = set(o.office_any) | {canonical_office(x, district) for x in o.office_any}
            o.office_ok = bool((set(o.offices) | set(canonical)) & wanted)
        return o

    return CaseOutcome(
        id=cid,
        district=profile.district,
        source=src,
        include=[outcome(i, True) for i in case.get("must_include", [])],
        exclude=[outcome(e, False) for e in case.get("must_exclude", [])],
        notes=list(resp.notes),
        applies=sum(1 for r in resp.results if r.status == "applies"),
        near=sum(1 for r in resp.results if r.status == "near"),
        tiers={t: sum(1 for r in full.results if r.tier == t) for t in ("targeted", "general", "near", "unknown")},
    )


# ── totals and printing ──────────────────────────────────────────────────────


def totals(outcomes: list[CaseOutcome]) -> dict[str, Any]:
    inc = sum(len(o.include) for o in outcomes)
    found = sum(o.found for o in outcomes)
    og = sum(o.office_given for o in outcomes)
    oa = sum(o.office_agree for o in outcomes)
    return {
        "profiles": len(outcomes),
        "errors": sum(1 for o in outcomes if o.error),
        "must_include": inc,
        "found": found,
        "recall": round(found / inc, 4) if inc else None,
        "office_given": og,
        "office_agree": oa,
        "office_agreement": round(oa / og, 4) if og else None,
        "must_exclude": sum(len(o.exclude) for o in outcomes),
        "excluded_returned_anywhere": sum(o.excl_anywhere for o in outcomes),
        "excluded_returned_applies": sum(o.excl_applies for o in outcomes),
        "phrases_not_in_kb": sum(1 for o in outcomes for p in o.include + o.exclude if not p.in_kb),
        "median_targeted": _median([o.tiers.get("targeted", 0) for o in outcomes if not o.error]),
        "median_general": _median([o.tiers.get("general", 0) for o in outcomes if not o.error]),
    }


def _median(xs: list[int]) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    k = len(xs) // 2
    return float(xs[k]) if len(xs) % 2 else (xs[k - 1] + xs[k]) / 2


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def pad(s: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - width(s))
    return fill + s if right else s + fill


def table(rows: list[list[str]], right: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    ws = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(pad(c, ws[i], i in right) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in ws))
    return "\n".join(lines)


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} {100 * a / b:.0f}%" if b else "–"


def _where(p: PhraseOutcome, top: int) -> str:
    if not p.in_kb:
        return f"短语不在 {p.doc} 号文件的任何措施中(用例有误)"
    if p.status == "applies":
        return f"applies #{p.rank}"
    if p.status == "near":
        return f"near #{p.rank}"
    if p.status == "beyond-top":
        return f"applies #{p.rank}(在前 {top} 名之外)"
    return "内部措施,未提供" if p.internal else "未返回"


def report(outcomes: list[CaseOutcome], top: int) -> str:
    rows = [
        [
            "profile",
            "district",
            "recall",
            "office",
            "excl any",
            "excl applies",
            "results",
            "targeted/general/near/unknown (all)",
        ]
    ]
    for o in outcomes:
        if o.error:
            rows.append([o.id, o.district, "ERROR", "", "", "", "", ""])
            continue
        rows.append(
            [
                o.id,
                o.district,
                _pct(o.found, len(o.include)),
                _pct(o.office_agree, o.office_given),
                f"{o.excl_anywhere}/{len(o.exclude)}",
                f"{o.excl_applies}/{len(o.exclude)}",
                f"{o.applies}+{o.near}near",
                "/".join(str(o.tiers.get(k, 0)) for k in ("targeted", "general", "near", "unknown")),
            ]
        )
    t = totals(outcomes)
    rows.append(
        [
            "TOTAL",
            f"{t['profiles']} 个",
            _pct(t["found"], t["must_include"]),
            _pct(t["office_agree"], t["office_given"]),
            f"{t['excluded_returned_anywhere']}/{t['must_exclude']}",
            f"{t['excluded_returned_applies']}/{t['must_exclude']}",
            "",
            f"median targeted {t['median_targeted']}, general {t['median_general']}",
        ]
    )
    out = [table(rows, right={2, 3, 4, 5}), ""]
    problems: list[str] = []
    for o in outcomes:
        lines: list[str] = []
        if o.error:
            lines.append(f"  档案无法读取:{o.error}")
        for p in o.include:
            if p.status != "applies":
                lines.append(f"  漏  [{p.doc}] “{p.phrase}” — {_where(p, top)} {p.measure_id}")
            elif p.office_ok is False:
                lines.append(
                    f"  部门 [{p.doc}] “{p.phrase}” — applies #{p.rank} {p.measure_id}:"
                    f"结果部门 {'、'.join(p.offices) or '无'},应为 {'、'.join(p.office_any)} 之一"
                )
        for p in o.exclude:
            if p.status in ("applies", "near") or not p.in_kb:
                lines.append(
                    f"  误给 [{p.doc}] “{p.phrase}” — {_where(p, top)} {p.measure_id}" + (f"({p.why})" if p.why else "")
                )
        if lines:
            problems.append(f"{o.id} ({o.source})")
            problems += lines
    if problems:
        out += [
            "Misses (漏 = must_include not among applies top %d; 部门 = office disagrees; "
            "误给 = must_exclude returned):" % top,
            *problems,
        ]
    else:
        out.append("No misses.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help=f"eval files (default {DEFAULT_EVAL.relative_to(ROOT)})")
    ap.add_argument(
        "--cases",
        action="append",
        default=[],
        metavar="DIR",
        help="also run the cases in this folder (*.json), e.g. tests/cases",
    )
    ap.add_argument("--top", type=int, default=30, help="how many applies results count (default 30)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args(argv)

    cases: list[dict[str, Any]] = []
    for src in (args.files or [str(DEFAULT_EVAL)]) + args.cases:
        try:
            cases += load_cases(src)
        except (OSError, ValueError) as e:
            print(f"evaluate: cannot read {src}: {e}", file=sys.stderr)
    kb = seed_kb()
    t0 = time.perf_counter()
    outcomes = [judge(c, top=args.top, kb=kb) for c in cases]
    elapsed = time.perf_counter() - t0
    if args.json:
        print(
            json.dumps(
                {
                    "top": args.top,
                    "totals": totals(outcomes),
                    "profiles": [{**asdict(o), "found": o.found} for o in outcomes],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(report(outcomes, args.top))
        print(f"\n{len(outcomes)} profiles, {elapsed * 1000:.0f} ms (two matches each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
