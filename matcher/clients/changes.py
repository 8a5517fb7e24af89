"""What changed for a client since a date: newly targeted, changed (amount, deadline,
office), expired, no longer targeted.

Design: the knowledge base **as it was at a moment** is rebuilt, and the same profile is
matched against it and against the KB as it is now; the two answers are compared. This
needs no snapshot per profile, so it answers for any profile and any date (a saved
client, or ``policydesk match --profile P --since YYYY-MM-DD``). The KB at moment T is:

* every document now in the KB whose ``imported_at`` is before T (seed documents always);
* plus every document removed or replaced at or after T, read back from the KB history
  ``kb_history.jsonl`` in the data folder (one JSON line per removed document, with its
  measures as they were, written by an import, a removal or a pack import before it
  removes anything: :mod:`matcher.store.history`), if it had been imported before T;
* with only the corrections made before T (each correction has its ``created_at``).

The answer at T is judged as of T's day, the answer now as of the 判断日期 (today unless one is
given: the window passes its own, ``match --since`` its ``--as-of``) with expired measures
kept (:mod:`matcher.matching.tiers`): a measure targeted at T that is now expired (its document's
有效期 or its application window ended) is listed as **expired**. Which answers
count as *targeted* is decided by :func:`targeted` in one place.

A saved client's "last reviewed" moment is kept in ``profile_reviews.json`` in the data
folder (:func:`reviewed_at`, :func:`mark_reviewed`), so the window can list, per saved
client, what changed since the officer last looked.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from matcher.errors import BadInput
from matcher.models import Document, Measure

if TYPE_CHECKING:
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

REVIEWS_FILE = "profile_reviews.json"


def targeted(result: Any) -> bool:
    """Whether a match result counts as targeted for this client (tiers, when the matcher
    gives them; else the status ``applies``)."""
    tier = getattr(result, "tier", None)
    if tier is not None:
        return tier == "targeted"
    return result.status == "applies"


def parse_since(value: str) -> str:
    """``YYYY-MM-DD`` (start of that day) or an ISO moment → ``YYYY-MM-DDTHH:MM:SS``."""
    v = (value or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return _dt.date.fromisoformat(v).isoformat() + "T00:00:00"
        return _dt.datetime.fromisoformat(v).replace(tzinfo=None).isoformat(timespec="seconds")
    except ValueError:
        raise BadInput(f"--since 的值“{value}”不是有效日期:请写成 YYYY-MM-DD,例如 2026-11-01。") from None


# ---------------------------------------------------------------- comparing answers


def _amounts(m: Measure) -> list[str]:
    """The sums the measure states (matcher.knowledge.entitlements), as written."""
    return [str(a.get("text", "")) for a in m.amounts]


def _deadline(m: Measure, doc: Document | None) -> str:
    """The application window's end (or its words) and the document's validity."""
    w = m.window or {}
    until = m.valid_until or (doc.valid_until if doc else None)
    parts = [str(x) for x in (w.get("end") or w.get("text"), f"有效期至{until}" if until else "") if x]
    return ";".join(parts)


def _facts(m: Measure, doc: Document | None) -> dict[str, Any]:
    return {"offices": list(m.offices), "amounts": _amounts(m), "deadline": _deadline(m, doc)}


def _row(m: Measure, **more: Any) -> dict[str, Any]:
    return {
        "measure_id": m.measure_id,
        "district": m.district,
        "document": m.document,
        "clause": m.clause,
        "title": m.title,
        "offices": list(m.offices),
        **more,
    }


def what_changed(
    kb: KnowledgeBase,
    profile: Profile,
    since: str,
    today: str | None = None,
    cache: dict[Any, Any] | None = None,
    *,
    strict: bool = True,
) -> dict[str, Any]:
    """The client's answer now (as of ``today``, the 判断日期) compared with the answer the KB
    gave at ``since`` (an ISO moment, see :func:`parse_since`; judged as of that day). A
    ``since`` after ``today`` is refused, or with ``strict`` False (a saved client reviewed
    after a 判断日期 the officer set in the past) the KB at ``since`` is judged on ``today``
    too, so both answers are on the 判断日期. ``cache`` (any dict, reused across clients)
    keeps the matchers built for each moment."""
    from matcher.matching.match import matcher_for, matcher_of

    real_today = _dt.date.today().isoformat()
    today = today or real_today
    day_now, day_then = _dt.date.fromisoformat(today), _dt.date.fromisoformat(since[:10])
    if day_then > day_now:
        if strict:
            which = "今天" if today == real_today else "判断日期"
            raise BadInput(
                f"--since 的日期 {since[:10]} 晚于{which}({today}):请给出更早的一天,例如上次接待这位客户的日期。"
            )
        day_then = day_now
    cache = {} if cache is None else cache
    if "now" not in cache:
        cache["now"] = matcher_for(kb)
    now_answer = cache["now"].match(profile, top=None, as_of=day_now, include_expired=True).results
    now = {r.measure.measure_id: r.measure for r in now_answer if targeted(r)}
    gone_stale = {r.measure.measure_id: r for r in now_answer if getattr(r, "tier", "") == "expired"}
    if ("past", since) not in cache:
        past_measures, past_docs = kb.as_of(since)
        cache[("past", since)] = (matcher_of(past_measures), past_docs)
    past_matcher, past_docs = cache[("past", since)]
    past = {
        r.measure.measure_id: r.measure
        for r in past_matcher.match(profile, top=None, as_of=day_then).results
        if targeted(r)
    }
    docs = {d.doc_id: d for d in kb.documents()}

    def doc_of(m: Measure, then: bool = False) -> Document | None:
        return (past_docs if then else docs).get(m.doc_id) or docs.get(m.doc_id) or past_docs.get(m.doc_id)

    def until_of(m: Measure) -> str:
        w = m.window or {}
        d = doc_of(m)
        return str(w.get("end") or m.valid_until or (d.valid_until if d else "") or "")

    newly, changed, expired, lost = [], [], [], []
    for mid, m in now.items():
        if mid not in past:
            newly.append(_row(m))
            continue
        before, after = _facts(past[mid], doc_of(past[mid], True)), _facts(m, doc_of(m))
        what = {k: {"before": before[k], "after": after[k]} for k in after if after[k] != before[k]}
        if what:
            changed.append(_row(m, changes=what))
    for mid, m in past.items():
        if mid in now:
            continue
        if mid in gone_stale:
            expired.append(_row(gone_stale[mid].measure, valid_until=until_of(gone_stale[mid].measure)))
        else:
            lost.append(_row(m, why="已从政策库中删除" if kb.get_measure(mid) is None else "条件或措施内容有变化"))
    return {
        "since": since,
        "today": today,
        "newly_targeted": newly,
        "changed": changed,
        "expired": expired,
        "no_longer_targeted": lost,
    }


def summary(diff: Mapping[str, Any]) -> str:
    """One line for a person: 新增适用 2 条,有变化 1 条 …"""
    parts = [f"{label} {len(diff[k])} 条" for k, label in LABELS.items() if diff[k]]
    return ",".join(parts) or "没有变化"


LABELS = {"newly_targeted": "新增适用", "changed": "有变化", "expired": "已过期", "no_longer_targeted": "不再适用"}


def has_changes(diff: Mapping[str, object]) -> bool:
    """Whether a diff (:func:`what_changed`) lists anything at all."""
    return any(diff.get(k) for k in LABELS)


FACT_LABELS = {"offices": "负责部门", "amounts": "金额", "deadline": "期限"}


def describe(row: Mapping[str, Any]) -> str:
    """A changed row's changes in words: 负责部门:区商务委 → 区发展改革委."""
    out = []
    for k, v in row.get("changes", {}).items():

        def show(x: Any) -> str:
            return "、".join(x) if isinstance(x, list) else str(x)

        out.append(f"{FACT_LABELS.get(k, k)}:{show(v['before']) or '无'} → {show(v['after']) or '无'}")
    return ";".join(out)


# ---------------------------------------------------------------- saved clients


def reviewed_at(name: str) -> str | None:
    from matcher.common.paths import data_dir

    try:
        data = json.loads((data_dir() / REVIEWS_FILE).read_text(encoding="utf-8"))
        v = data.get(name) if isinstance(data, dict) else None
        return v if isinstance(v, str) else None
    except (OSError, ValueError):
        return None


def mark_reviewed(name: str, at: str | None = None) -> None:
    from matcher.common.paths import data_dir
    from matcher.store.userdata import write_private

    p = data_dir() / REVIEWS_FILE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[name] = at or _dt.datetime.now().isoformat(timespec="seconds")
    write_private(p, json.dumps(data, ensure_ascii=False, indent=1))


def saved_clients_changes(
    kb: KnowledgeBase, since: str | None = None, today: str | None = None
) -> list[dict[str, Any]]:
    """For every saved profile: ``{"name", "since", "diff"}``, since ``since`` or since the
    client was last reviewed (or saved), judged on ``today`` (the 判断日期; today when None).
    Unreadable profiles are skipped."""
    from matcher.profile.company import Profile
    from matcher.store.userdata import profiles_dir

    out: list[dict[str, Any]] = []
    cache: dict[Any, Any] = {}
    for p in sorted(profiles_dir().glob("*.json")):
        try:
            prof = Profile.from_json(p)
        except Exception:
            continue
        when = (
            since or reviewed_at(p.stem) or _dt.datetime.fromtimestamp(p.stat().st_mtime).isoformat(timespec="seconds")
        )
        out.append(
            {"name": p.stem, "since": when, "diff": what_changed(kb, prof, when, today, cache=cache, strict=False)}
        )
    return out
