"""Internal (government's own work) or enterprise-facing: who acts, and who receives.

A measure whose actor and beneficiary are both government — a review mechanism, a court's
own targets, building a school, a government data platform, 组织保障, 统计监测, 考核 — is
*internal*: kept in the knowledge base, never offered to a profile. One that gives anything
to enterprises — money, a loan product, a subsidy, housing, a fast track, a service, a brand
programme — is *enterprise-facing*.

The phrases are data (``resources/internal.toml``, regular expressions):

* ``[[enterprise]]`` beneficiary phrases (``对…企业给予``, ``为企业提供``, ``支持…企业``,
  ``给予…补贴``); those marked ``strong`` name something concrete the enterprise gets;
* ``[[internal]]`` actor phrases: the government acting on itself (``建立…联席会议机制``,
  ``完善…考核``, ``开工建设…学校``, ``政务…数据中台``);
* ``[[headings]]`` the same, looked for in the measure's heading and its chapters'
  headings (``组织保障``, ``统计监测``).

The decision, in order:

1. a strong beneficiary phrase → enterprise-facing (whatever the chapter);
2. a 保障措施 chapter, or a heading phrase → internal;
3. internal score ≥ ``threshold`` and above the beneficiary score → internal;
4. otherwise enterprise-facing (a measure says nothing either way: it is offered).

Each phrase found is kept as evidence (``why`` → the words quoted), so a reason can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.common.quotes import quote
from matcher.models import RawMeasure
from matcher.rules.lexicon import Lexicons, Marker


@dataclass
class Decision:
    internal: bool
    internal_evidence: dict[str, str] = field(default_factory=dict)
    enterprise_evidence: dict[str, str] = field(default_factory=dict)
    rule: str = ""  # which step decided: strong / safeguard / heading / score / default


def _compiled(lex: Lexicons) -> dict[str, list[tuple[re.Pattern[str], Marker]]]:
    c = lex.cache()
    if "internal_markers" not in c:
        cfg = lex.internal
        c["internal_markers"] = {
            k: [(re.compile(m.pattern), m) for m in getattr(cfg, k)] for k in ("headings", "internal", "enterprise")
        }
    return c["internal_markers"]


def _score(text: str, markers: list[tuple[re.Pattern[str], Marker]], cap: int) -> tuple[float, dict[str, str], bool]:
    """(score, evidence why → quote, any strong marker found)."""
    total = 0.0
    ev: dict[str, str] = {}
    strong = False
    for rx, m in markers:
        found = list(rx.finditer(text))[:cap]
        if found:
            total += m.weight * len(found)
            f = found[0]
            ev.setdefault(m.why or m.pattern, quote(text, f.start(), f.end()))
            strong = strong or m.strong
    return total, ev, strong


def classify(raw: RawMeasure, lex: Lexicons) -> Decision:
    """Decide internal vs enterprise-facing for one parsed measure, with the evidence."""
    cfg = lex.internal
    markers = _compiled(lex)
    text = f"{raw.heading}。{raw.text}" if raw.heading and raw.heading not in raw.text else raw.text
    si, evi, _ = _score(text, markers["internal"], cfg.count_cap)
    se, eve, strong = _score(text, markers["enterprise"], cfg.count_cap)
    if strong:
        return Decision(False, {}, eve, "strong")
    if raw.section == "safeguard":
        where = raw.parents[0] if raw.parents else "保障措施"
        return Decision(True, {cfg.safeguard_why: where, **evi}, {}, "safeguard")
    titles = "。".join([*raw.parents, raw.heading])
    sh, evh, _ = _score(titles, markers["headings"], 1)
    if sh >= cfg.threshold:
        return Decision(True, {**evh, **evi}, {}, "heading")
    if si >= cfg.threshold and si > se:
        return Decision(True, evi, {}, "score")
    return Decision(False, {}, eve, "default")
