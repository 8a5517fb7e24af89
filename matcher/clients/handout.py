"""The handout a business owner acts on, built from a match answer (Qt-free; the window and
``policydesk handout`` only draw it).

* **下一步** — for each office to visit: what to bring (the materials the documents state),
  by when (the soonest coming deadline), for which measures; soonest deadline first;
* **为本企业** — the targeted measures' 申兑指南 cards (:mod:`matcher.clients.guide`);
* **待确认** — the measures that need an answer from the company, with the questions;
* **差一个条件** — what one more condition would open;
* the services every firm of the district gets, as one short paragraph;
* **政策月历** — the coming dates (:mod:`matcher.clients.calendar`).

The answer's 判断日期 (``as_of``) governs everything: a measure expired on it is never in
the handout (whatever the answer listed), and a date before it is no deadline.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from matcher.clients.calendar import entries
from matcher.clients.guide import build_card, readable_date
from matcher.knowledge.dates import is_expired
from matcher.models import Document, GuideCard, Handout, MatchResponse, Phone, Result, VisitStep

ASK_LIMIT = 12  # 待确认 measures printed (with their question); the rest counted
NEAR_LIMIT = 6  # 差一个条件 measures printed
GENERAL_NAMED = 5  # services named in the paragraph
BRING_LIMIT = 10  # materials listed per office


def _as_of(response: MatchResponse) -> _dt.date:
    try:
        return _dt.date.fromisoformat(response.as_of[:10])
    except (TypeError, ValueError):
        return _dt.date.today()


def available(r: Result, as_of: _dt.date) -> bool:
    """Whether ``r`` may be offered on ``as_of``: not expired by the answer's decision nor
    by the measure's dates (a result decided on another day is checked again)."""
    m = r.measure
    return r.tier != "expired" and not r.expired and not is_expired(m.valid_until, m.window, as_of)


def _steps(cards: list[GuideCard], results: dict[str, Result]) -> list[VisitStep]:
    steps: dict[tuple[str, str], VisitStep] = {}
    for c in cards:
        m = results[c.measure_id].measure
        key = (c.district, c.office or "(文件未写明部门)")
        s = steps.get(key)
        if s is None:
            s = steps[key] = VisitStep(office=key[1], district=c.district)
        if c.title not in s.measures:
            s.measures.append(c.title)
        s.measure_ids.append(c.measure_id)
        s.bring.extend(x for x in c.materials if x not in s.bring)
        s.online.extend(x for x in (m.how_to_apply or {}).get("online") or [] if x not in s.online)
        s.address.extend(x for x in c.address if x not in s.address)
        for p in c.phones:
            if all(p.number != q.number for q in s.phones):
                s.phones.append(Phone(whose=p.whose, number=p.number))
        if c.deadline and (s.by is None or c.deadline < s.by):
            s.by, s.by_kind = c.deadline, c.deadline_kind
    for s in steps.values():
        s.due = list(
            dict.fromkeys(c.title for c in cards if c.measure_id in s.measure_ids and s.by and c.deadline == s.by)
        )
        if len(s.bring) > BRING_LIMIT:
            s.bring = s.bring[:BRING_LIMIT] + [f"……等共 {len(s.bring)} 项(见各项文件)"]
    return sorted(steps.values(), key=lambda s: (s.by is None, s.by or "", -len(s.measures)))


def _general(results: list[Result]) -> str:
    if not results:
        return ""
    names = list(dict.fromkeys((r.measure.title or r.measure.text[:20]).strip("。;; ") for r in results))
    shown = "、".join(f"“{n}”" for n in names[:GENERAL_NAMED])
    more = f"等 {len(results)} 项" if len(results) > GENERAL_NAMED else f"共 {len(results)} 项"
    offices = list(dict.fromkeys(c for r in results for c in r.measure.offices_canonical[:1]))
    where = f",由{'、'.join(offices[:3])}{'等部门' if len(offices) > 3 else ''}提供" if offices else ""
    return (
        f"贵企业还可享受面向本区各类企业的普惠服务,如{shown}{more}{where}。"
        "这些服务不限定企业条件,需要时可向相关部门或区企业服务中心咨询。"
    )


def _documents(results: Iterable[Result], documents: list[Document] | None) -> list[str]:
    cited = list(dict.fromkeys(r.measure.doc_id for r in results))
    by_id = {d.doc_id: d for d in documents or []}
    out = []
    for doc_id in cited:
        d = by_id.get(doc_id)
        if d is not None:
            out.append(f"《{d.title}》({d.district},{readable_date(d.issued) or '日期不详'})")
    return out


def knowledge(documents: list[Document] | None) -> str:
    """The knowledge base as a person reads it: how many documents, the newest one's date."""
    docs = list(documents or [])
    if not docs:
        return ""
    dates = sorted(d.issued for d in docs if d.issued)
    newest = f",最新一份发布于{readable_date(dates[-1])}" if dates else ""
    return f"政策知识库共 {len(docs)} 份政策文件{newest}"


def build_handout(
    response: MatchResponse,
    *,
    directory: Any = None,
    documents: list[Document] | None = None,
    exclude: Iterable[str] = (),
    today: _dt.date | None = None,
    counts: dict[str, int] | None = None,
) -> Handout:
    """The handout of ``response`` (a whole answer: every targeted and general result, and
    the near and unknown ones to print), without the measures in ``exclude`` (ids the
    officer unticked). ``directory``: the hall's office directory; ``documents``: the
    knowledge base's documents (those cited are named); ``counts``: every tier counted
    whole, when the answer holds only the first of some."""
    as_of = _as_of(response)
    skip = set(exclude)
    rs = [r for r in response.results if r.measure.measure_id not in skip and available(r, as_of)]
    by_id = {r.measure.measure_id: r for r in rs}
    targeted = [r for r in rs if r.tier == "targeted"]
    if not targeted and not any(r.tier == "general" for r in response.results):
        targeted = [r for r in rs if r.status == "applies"]  # an answer without tiers
    chosen = {id(r) for r in targeted}
    general = [r for r in rs if r.tier == "general" and id(r) not in chosen]
    ask = [r for r in rs if r.tier == "unknown"]
    near = [r for r in rs if r.tier == "near"]
    cards = [build_card(r, as_of, directory) for r in targeted]
    ask_cards = [build_card(r, as_of, directory) for r in ask[:ASK_LIMIT]]
    near_cards = [build_card(r, as_of, directory) for r in near[:NEAR_LIMIT]]
    whole = dict(response.tiers or {})
    whole.update(counts or {})
    shown = {
        "targeted": len(targeted),
        "general": len(general),
        "unknown": max(len(ask), int(whole.get("unknown", 0) or 0)) if not skip else len(ask),
        "near": max(len(near), int(whole.get("near", 0) or 0)) if not skip else len(near),
    }
    profile = dict(response.profile or {})
    company = str(profile.get("company") or "").strip()
    return Handout(
        as_of=as_of.isoformat(),
        printed=(today or _dt.date.today()).isoformat(),
        company=company,
        profile=profile,
        steps=_steps(cards, by_id),
        cards=cards,
        ask=ask_cards,
        near=near_cards,
        general=_general(general),
        general_count=len(general),
        calendar=entries([*targeted, *ask], as_of),
        counts=shown,
        documents=_documents([*targeted, *ask, *near[:NEAR_LIMIT], *general], documents),
        knowledge=knowledge(documents),
        notes=list(response.notes or []),
    )
