"""Deciding, not only ranking: what each measure is for one company.

A measure the matcher would offer becomes, for a profile (the design brief, "Deciding"; docs/ARCHITECTURE.md):

* ``targeted`` — it names conditions or beneficiaries and the company meets them (its
  size, ownership, 专精特新 level, flags, a figure, its age, its area; its industry or
  area is what the measure is about; a stated need is what it is mainly about — named in
  its heading or opening). A stated sum alone never targets (issue 19): a measure about
  other industries than the company's is not shown, and one whose audience is an activity
  the profile does not state (installing PV, buying trucks …) is a question (``unknown``);
* ``general`` — a service or improvement every enterprise of the district benefits from:
  naming no industry or theme (its own, its section's or its document's: an 营商环境 plan's
  reform, not a 绿电 plan's), its words say it serves any firm (企业可…, 为企业提供…) or it
  is about a need or word the firm stated; or, naming only themes, it names firms like this
  one among those it helps and serves what the firm asked; a measure neither for this firm
  nor for every firm it asked about is not offered (``match --all`` says why);
* ``near`` — one condition the company can still meet (as :mod:`matcher.matching.match` decides);
* ``unknown`` — a condition the profile does not answer yet (营收, 纳税额, 成立年限 …):
  the question to ask is named;
* not shown — it fails a stated condition, or it is expired (document past its 有效期, or
  the application window closed) as of the date used. ``match --all`` shows it with why.

Status stays for compatibility: targeted and general are ``applies``; near and unknown
are ``near`` (``missing`` names the condition or the question).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from matcher.errors import BadInput
from matcher.knowledge.amounts import top_amount
from matcher.knowledge.conditions import audience_condition, judge, question_for
from matcher.knowledge.dates import is_expired
from matcher.models import Reason, Result

TIERS = ("targeted", "general", "near", "unknown", "expired")
TIER_LABELS = {
    "targeted": "为本企业",
    "general": "普惠服务",
    "near": "差一个条件",
    "unknown": "待确认",
    "expired": "已过期",
}
AUDIENCE_KINDS = ("audience", "size", "ownership", "stage")
#: why a measure with no evidence for this firm and no sign it serves every firm is not offered
NOT_FOR_EVERY_FIRM = "未写明面向本企业(行业、规模、区域或所需)的内容,也不是面向各类企业的普惠服务"


def parse_as_of(value: str | None) -> _dt.date:
    """``--as-of YYYY-MM-DD`` (today when None)."""
    if value is None or not str(value).strip():
        return _dt.date.today()
    v = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", v)
    try:
        if not m:
            raise ValueError
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise BadInput(f"--as-of 的值“{value}”不是有效日期:请写成 YYYY-MM-DD,例如 2026-05-01") from None


class Decision:
    __slots__ = ("tier", "conditions", "questions", "why", "expired", "missing", "pending")

    def __init__(
        self,
        tier: str | None,
        conditions: list[dict[str, Any]],
        questions: list[str],
        why: str = "",
        expired: str = "",
        missing: list[str] | None = None,
        pending: str = "",
    ):
        self.missing = missing or []
        self.pending = pending  # the day it comes into force, when after the day judged
        self.tier = tier  # None: not shown
        self.conditions = conditions
        self.questions = questions
        self.why = why
        self.expired = expired


def measure_conditions(m: Any) -> list[dict[str, Any]]:
    """The conditions :func:`decide` judges for a measure: its audiences as they are now (an
    officer's correction may have changed them) as one condition, then its own conditions
    (document-wide audiences kept). Shared with :mod:`matcher.matching.tierclass`."""
    own = [c for c in m.conditions if not (c.get("kind") in AUDIENCE_KINDS and c.get("source") != "document")]
    return audience_condition(list(m.audiences), m.evidence) + _place_aliases(own)


def _place_aliases(conds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Area conditions with the names the document itself gives the place: "在海归小镇核心区
    (数字江海)范围内" — a firm that says it is in 数字江海 is in 海归小镇核心区, and so in 海归小镇."""
    found: dict[str, list[str]] = {}
    for c in conds:
        if c.get("kind") == "area":
            al = re.findall(r"[((]([\u4e00-\u9fff]{2,12})[))]", c.get("quote", ""))
            if al:
                found.setdefault(c.get("name", ""), []).extend(al)
    if not found:
        return conds
    out = []
    for c in conds:
        name = c.get("name", "")
        if c.get("kind") == "area" and name:
            al = [a for n, x in found.items() if n.startswith(name) or name.startswith(n) for a in x]
            if al:
                c = {**c, "name": "、".join(dict.fromkeys([name, *al]))}
        out.append(c)
    return out


def measure_head(m: Any) -> str:
    """A measure's own heading and opening, where a need it is mainly about is named. A title
    that is only the heading of its section (纳税, 解决商业纠纷 over every item of a 营商环境
    plan's chapter) is not the item's own: what the section is about is not what each of its
    items gives (全面实施全流程网上办案 is the courts' work, not a service for a firm that asked
    for 法律服务)."""
    parents = list(getattr(m, "parents", []) or [])
    own = "" if m.title and m.title in parents else m.title
    return own + "。" + m.text[:40]


def named_in_head(category: str, quote: str | None, head: str) -> bool:
    """The category is named in a measure's own heading or opening (:func:`measure_head`):
    the words quoted as its evidence, or any other of its words (the quote may come from the
    section heading: 获取金融服务 over "…持续深化“信易贷”等大数据普惠金融应用")."""
    if quote and quote in head:
        return True
    return any(t in head for t in _category_terms().get(category, ()))


@lru_cache(maxsize=1)
def _category_terms() -> dict[str, tuple[str, ...]]:
    from matcher.rules.lexicon import load_lexicons

    return {c.name: tuple(c.terms) for c in load_lexicons().categories.category}


def decide(
    r: Result,
    profile: Any,
    as_of: _dt.date,
    in_audience: Callable[[str], bool | None],
    changeable: Callable[[str], str] | None = None,
) -> Decision:
    """The tier of one matched result (``r.status`` as the matcher decided it).
    ``changeable(audience)`` is what the company would have to do to join an audience it
    can still join ("" when it cannot): a document-wide audience it is not in yet makes
    the measure ``near`` rather than hidden."""
    m = r.measure
    conds = judge(measure_conditions(m), profile, as_of=as_of, in_audience=in_audience)
    expired = is_expired(m.valid_until, m.window, as_of)
    near = r.status == "near"
    failed = [c for c in conds if c["met"] is False and not (near and c["kind"] in AUDIENCE_KINDS)]
    reach: list[str] = []
    if failed and changeable is not None and all(c["kind"] in AUDIENCE_KINDS for c in failed):
        reach = [next((changeable(n) for n in c.get("names", []) if changeable(n)), "") for c in failed]
        if len(failed) == 1 and all(reach):
            near, failed = True, []
        else:
            reach = []
    if failed:
        return Decision(None, conds, [], why="不符合条件:" + ";".join(c["text"] for c in failed), expired=expired)
    start = _full_date(m.issued)
    if start and start > as_of.isoformat():  # not in force yet on the day judged: not offered
        why = f"尚未生效:文件{start}印发,晚于判断日期{as_of.isoformat()}"
        return Decision(None, conds, [], why=why, pending=start)
    if near:
        return Decision("expired" if expired else "near", conds, [], expired=expired, missing=reach)
    open_q = [c for c in conds if c["met"] is None]
    serves = offered_to_someone(m) or bool((m.audience or {}).get("everyone"))
    if open_q and all(c["kind"] == "activity" for c in open_q) and not serves:
        # an activity of an item that offers nobody anything (绿电交易机制): no question to ask
        return Decision(None, conds, [], why=NOT_FOR_EVERY_FIRM, expired=expired)
    unstated = industry_unstated(profile)
    if open_q:
        # no industry stated: one question for every industry a measure names, not one each
        qs = list(
            dict.fromkeys(
                industry_question() if unstated and c["kind"] == "industry" else question_for(c) for c in open_q
            )
        )
        return Decision("expired" if expired else "unknown", conds, qs, expired=expired)
    met = any(c["met"] and c["kind"] != "activity" for c in conds)
    # an activity the firm states targets an item that offers something or serves firms as such
    if any(c["met"] and c["kind"] == "activity" for c in conds) and serves:
        met = True
    if met or for_this_firm(r, profile):
        return Decision("expired" if expired else "targeted", conds, [], expired=expired)
    # what the firm asked for is what it is about: a stated need named in its heading or
    # opening (not one clause deep in a long paragraph), or a word the firm itself stated
    head = measure_head(m)
    about = any(
        x.kind == "keyword" or (x.kind == "need" and named_in_head(x.category, x.quote, head)) for x in r.reasons
    )
    asked = any(x.kind in ("need", "keyword") for x in r.reasons)
    # naming no industry, or only themes while naming (mentioning) firms like this one as
    # those it helps (绿色低碳…解决中小企业和个体商户不会转 for a 个体户 that asked about it)
    mine = any(in_audience(a) is True for a in (m.evidence or {}).get("audience_mentions", {}))
    who = m.audience or {}
    # every firm, or what the firm asked about — where the item names no industry or theme
    # (a 绿电 plan's 支持各类企业使用绿电 is for firms that buy green power, not every firm)
    if not industry_state(m, profile)[1] and (
        ((who.get("everyone") or about) and not audience_industries(who)) or (asked and mine)
    ):
        return Decision("expired" if expired else "general", conds, [], expired=expired)
    if unstated and serves and industry_state(m, profile)[1]:
        # written for named industries and the profile states none: ask, never hide silently
        return Decision("expired" if expired else "unknown", conds, [industry_question()], expired=expired)
    return Decision(None, conds, [], why=NOT_FOR_EVERY_FIRM, expired=expired)


def industry_unstated(profile: Any) -> bool:
    """The profile states no industry at all (no key industry, section or industry word)."""
    return not industry_evidence_tags(profile)[0]


def industry_question() -> str:
    """The one question asked when the profile states no industry (resources/conditions.toml)."""
    from matcher.knowledge.conditions import load_condition_rules

    return load_condition_rules().industry.unstated


SECTION = "§"  # an industry column that is a GB/T section the item names (§制造业)


def audience_industries(audience: dict[str, Any]) -> list[str]:
    """The industries an item is for (:func:`matcher.knowledge.audience.read_audience`): its
    industry tags, and the GB/T sections it names as ``§section``."""
    return [*audience.get("industries", []), *(SECTION + s for s in audience.get("sections", []))]


def offered_to_someone(m: Any) -> bool:
    """The item gives something to someone it names: its sentence names who receives it
    (对 / 支持 / 给予 X) or its section lists who receives it (补贴对象 …), or it is a benefit
    (money, relief)."""
    who = m.audience or {}
    return who.get("source") == "sentence" or bool(who.get("recipients")) or getattr(m, "role", "") == "benefit"


def _full_date(value: str | None) -> str:
    """``value`` when it is a whole YYYY-MM-DD date, else "" (a year alone starts nothing)."""
    try:
        return _dt.date.fromisoformat(value).isoformat() if value else ""
    except ValueError:
        return ""


def industry_evidence_tags(profile: Any) -> tuple[list[str], set[str], list[str]]:
    """(the firm's industry tags and its section (``§…``) that are evidence when the item's
    audience names them, the theme tags that never are, the firm's own tags: those of its key
    industry, else those only its GB/T section has — evidence wherever the measure's words
    name them as beneficiaries; 制造业 alone does not make a firm an 汽车 or 生物医药 one)."""
    from matcher.rules.lexicon import load_lexicons
    from matcher.rules.match_rules import load_match_rules

    lex, rules = load_lexicons(), load_match_rules()
    key = (getattr(profile, "specialisation", None) or "", getattr(profile, "industry", None) or "")
    got = _EVIDENCE_MEMO.get(key)
    if got is None or got[0] is not lex or got[1] is not rules:
        if len(_EVIDENCE_MEMO) > 256:
            _EVIDENCE_MEMO.clear()
        got = _EVIDENCE_MEMO[key] = (lex, rules, _evidence_tags(profile, lex, rules))
    own, themes, strict = got[2]
    return list(own), set(themes), list(strict)


# (key industry, section) → industry_evidence_tags, with the lexicons and rules it was worked
# out from (asked for every row a match or a keystroke decides; the same for one profile)
_EVIDENCE_MEMO: dict[tuple[str, str], tuple[Any, Any, tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]]] = {}


def _evidence_tags(profile: Any, lex: Any, rules: Any) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    from matcher.knowledge.conditions import industry_tags

    themes = frozenset(rules.evidence.themes)
    tags = [t for t in industry_tags(profile) if t not in themes]
    own = list(tags)
    strict = list(tags)
    section = getattr(profile, "industry", None)
    if section:
        own.append(SECTION + section)
        if not (getattr(profile, "specialisation", None) and lex.industries_for(profile.specialisation)):
            alone = {i.name for i in lex.industries.industry if i.sections == [section]}
            strict = [t for t in tags if t in alone]
    return tuple(own), themes, tuple(strict)


def industry_state(m: Any, profile: Any) -> tuple[bool, bool]:
    """(the industries the measure is for include the firm's, they name only others)."""
    own, themes, strict = industry_evidence_tags(profile)
    named = [t for t in audience_industries(m.audience or {}) if t not in themes]
    # the measure's own industry tags, where its audience names no industry or theme at all
    # (in a 绿色低碳 document, 区块链 as a tool of the government's work is no evidence)
    tagged = not audience_industries(m.audience or {}) and bool(set(m.industries) & set(strict))
    ev = bool(set(named) & set(own)) or tagged
    return ev, bool(named) and not (set(named) & set(own))


def for_this_firm(r: Result, profile: Any) -> bool:
    """Evidence that the measure is for this firm, beyond a met condition (issue 19): the
    industries it is for (its own words, else its section's or its document's title) include
    the firm's; the firm's area is named as the place its firms are served; or, when its
    sentence names who receives it, a stated need is named in its heading or a word the firm
    stated is in its title. A stated sum, a mention or a word elsewhere never is."""
    m = r.measure
    if industry_state(m, profile)[0] or any(x.kind == "area" for x in r.reasons):
        return True
    return offered_to_someone(m) and (_serves_need_mainly(r) or _named_by_firm(r))


def _serves_need_mainly(r: Result) -> bool:
    """A stated need is what the measure is mainly about: the words that tie it to the need
    are in its heading or its opening (not one clause deep in a long paragraph)."""
    from matcher.knowledge.conditions import load_condition_rules

    concrete = set(load_condition_rules().tiers.need_categories)
    head = measure_head(r.measure)
    return any(
        x.kind == "need" and x.category in concrete and named_in_head(x.category, x.quote, head) for x in r.reasons
    )


def _named_by_firm(r: Result) -> bool:
    """A word the firm stated (its keywords) is in the measure's title: it names what the
    measure is about (``出海`` in 支持出海企业总部集聚发展)."""
    from matcher.common.text import normalize

    title = normalize(r.measure.title)
    return any(x.kind == "keyword" and x.word and x.word in title for x in r.reasons)


def apply(r: Result, d: Decision) -> Result:
    """``r`` with its tier, judged conditions, questions and expiry filled in."""
    upd: dict[str, Any] = {
        "tier": d.tier or "general",
        "conditions": d.conditions,
        "questions": d.questions,
        "expired": bool(d.expired),
    }
    extra: list[Reason] = []
    for c in d.conditions:
        if c["kind"] in ("threshold", "age", "area") and c["met"] is not None:
            extra.append(
                Reason(
                    kind="condition",
                    quote=c.get("quote", ""),
                    text=f"{'符合' if c['met'] else '不符合'}条件“{c['text']}”:原文“{c.get('quote', '')}”",
                )
            )
    for q in d.questions:
        extra.append(Reason(kind="condition", text=f"待确认:{q}", quote=""))
    amounts = r.measure.amounts
    if amounts:
        best = max(amounts, key=lambda a: a.get("wan") or -1)
        names = "、".join(dict.fromkeys(a["text"] for a in amounts[:4]))
        extra.append(Reason(kind="amount", quote=best["quote"], text=f"可获支持:{names}:原文“{best['quote'][:60]}”"))
    if d.expired:
        extra.append(Reason(kind="general", text=f"已过期:{d.expired}", quote=""))
    if extra:
        upd["reasons"] = [*r.reasons, *extra]
    if d.tier in ("unknown",):
        upd["status"] = "near"
        upd["missing"] = list(r.missing) + [q for q in d.questions if q not in r.missing]
    if d.tier == "expired":  # listed last (--include-expired), after every applies
        upd["status"] = "near"
        upd["missing"] = [d.expired]
    if d.tier == "near" and d.missing:
        upd["status"] = "near"
        upd["missing"] = list(dict.fromkeys([*r.missing, *d.missing]))
    return r.model_copy(update=upd)


def deadline(r: Result) -> str | None:
    """The last day it can be had: the application window's end, else the document's 有效期."""
    return (r.measure.window or {}).get("end") or r.measure.valid_until or None


def sort_results(results: list[Result], key: str) -> list[Result]:
    """Results re-ordered by ``amount`` (largest sum first) or ``deadline`` (soonest first:
    the window's end, else the 有效期); those without one keep their relevance order after
    the others."""
    if key == "amount":
        return sorted(
            results, key=lambda r: (top_amount(r.measure.amounts) is None, -(top_amount(r.measure.amounts) or 0))
        )
    if key == "deadline":
        return sorted(results, key=lambda r: (deadline(r) is None, deadline(r) or ""))
    return list(results)


def near_cap(top: int) -> int:
    """How many near, unknown (and expired) rows an answer of the best ``top`` lists."""
    return max(5, top // 3)


def general_cap(top: int, targeted: int) -> int:
    """How many general (普惠服务) rows an answer of the best ``top`` lists after ``targeted``
    targeted ones: what is left of ``top`` (every firm's services come after what is for
    this firm, never in its place)."""
    return max(0, top - targeted)


def answer_rows(tiers: Sequence[str | None], top: int | None, include_expired: bool) -> list[int]:
    """The positions of the rows an answer lists, given every candidate's tier in rank order:
    the targeted ones, then the general, the near, the unknown and (when asked) the expired
    ones, each in the order given. With ``top``: the first ``top`` targeted, the first
    :func:`general_cap` general and the first :func:`near_cap` of each other tier; without,
    all of them."""
    parts: dict[str, list[int]] = {n: [] for n in answer_tiers(include_expired)}
    for k, t in enumerate(tiers):
        if t in parts:
            parts[t].append(k)
    return [k for part in cut_tiers(parts, top).values() for k in part]


def answer_tiers(include_expired: bool) -> list[str]:
    """The tiers an answer lists, in the order it lists them."""
    return ["targeted", "general", "near", "unknown", *(["expired"] if include_expired else [])]


def cut_tiers(parts: dict[str, Any], top: int | None) -> dict[str, Any]:
    """Each tier's rows (a list or an array of positions, keyed in :func:`answer_tiers` order,
    rank order within) cut as an answer of
    the best ``top`` cuts them: the first ``top`` targeted, the first :func:`general_cap`
    general and the first :func:`near_cap` of each other tier; all of them without ``top``."""
    if not top:
        return parts
    out = dict(parts)
    out["targeted"] = parts["targeted"][:top]
    out["general"] = parts["general"][: general_cap(top, len(out["targeted"]))]
    for n in list(parts)[2:]:
        out[n] = parts[n][: near_cap(top)]
    return out


def sort_answer(results: list[Result], key: str, top: int | None) -> list[Result]:
    """A whole answer (every tier, in rank order) ordered by ``key`` within each tier and cut
    as ``match(top=top)`` cuts it (:func:`answer_rows`), numbered from 1: ``--sort`` orders
    the whole tier, not the relevance top."""
    by_tier: dict[str | None, list[Result]] = {}
    for r in results:
        by_tier.setdefault(r.tier, []).append(r)
    ordered = [r for rs in by_tier.values() for r in sort_results(rs, key)]
    ordered.sort(key=lambda r: TIERS.index(r.tier) if r.tier in TIERS else len(TIERS))  # stable
    out = [ordered[k] for k in answer_rows([r.tier for r in ordered], top, True)]
    for k, r in enumerate(out, 1):
        r.rank = k
    return out
