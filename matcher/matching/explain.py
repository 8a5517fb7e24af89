"""One result shown, with its reasons (:func:`explain`).

The ranker (:meth:`matcher.matching.scoring.Scoring.judge`) says why a record scores what it
does as (kind, label, word) triples; here they become :class:`~matcher.models.Reason`
lines quoting the measure's own text (its evidence quotes, or the sentence around a word),
with the words to highlight and the sentences holding them.
"""

from __future__ import annotations

from matcher.common.text import normalize
from matcher.matching.records import _quote, _sentences_with
from matcher.models import Measure, Reason, Result


def explain(
    m: Measure,
    need_categories: dict[str, list[str]],
    score: float,
    status: str,
    raw_reasons: list[tuple[str, str, str]],
    missing: list[str],
) -> Result:
    """``m`` as a result of ``status`` (``applies`` or ``near``, ``missing`` naming what it
    lacks) with ``score`` and the judged reasons written out; rank 0 (the answer numbers
    its rows)."""
    reasons: list[Reason] = []
    highlight: list[str] = []
    reasons.append(
        Reason(
            kind="district",
            text=f"适用{m.district}:出自《{m.document}》" + (f"({m.issued})" if m.issued else ""),
            quote="",
        )
    )
    ev = m.evidence or {}
    norm_text: str | None = None  # the text as keyword forms are found in it, once
    for kind, label, word in raw_reasons:
        if kind == "audience":
            q = ev.get("audiences", {}).get(label, label)
            reasons.append(Reason(kind="audience", text=f"面向{label}:原文“{q}”", quote=q))
            highlight.append(_core(q, label))
        elif kind == "need":
            cats = [c for c in need_categories.get(label, [label]) if c in m.categories]
            cat = cats[0] if cats else label
            q = ev.get("categories", {}).get(cat, "")
            reasons.append(
                Reason(
                    kind="need",
                    text=f"满足需求“{label}”(类别:{cat}):原文“{q}”" if q else f"满足需求“{label}”(类别:{cat})",
                    quote=q,
                    category=cat,
                )
            )
            if q:
                highlight.append(q)
        elif kind == "industry":
            if word == "tag":
                tag = next((t for t in m.industries), "")
                q = ev.get("industries", {}).get(tag, tag)
            else:
                q = _quote(m.text, word)
            reasons.append(Reason(kind="industry", text=f"与行业“{label}”相关:原文“{q}”", quote=q))
            highlight.append(word if word != "tag" else q)
        elif kind == "area":
            q = _quote(m.text, word) if word else "、".join(m.areas)
            reasons.append(Reason(kind="area", text=f"涉及所在区域“{label}”:原文“{q}”", quote=q))
            highlight.append(word or (m.areas[0] if m.areas else ""))
        elif kind == "mention":
            q = ev.get("audience_mentions", {}).get(label, label)
            reasons.append(Reason(kind="audience", text=f"提到{label}:原文“{q}”", quote=q))
            highlight.append(_core(q, label))
        elif kind == "keyword":
            if norm_text is None:
                norm_text = normalize(m.text)
            q = _quote(norm_text, word)
            same = normalize(label) == word
            text = f"关键词“{label}”:原文“{q}”" if same else f"关键词“{label}”(匹配到“{word}”):原文“{q}”"
            reasons.append(Reason(kind="keyword", text=text, quote=q, word=word))
            highlight.append(word)
    if not m.audiences:
        opening = (m.sentences[0] if m.sentences else m.text)[:40]
        reasons.append(Reason(kind="general", text=f"未限定对象,面向本区各类企业:原文“{opening}”", quote=opening))
    if missing:
        auds = [a for a in m.audiences if a not in {x[1] for x in raw_reasons if x[0] == "audience"}]
        q = next((ev.get("audiences", {}).get(a, "") for a in auds if ev.get("audiences", {}).get(a)), "")
        reasons.append(
            Reason(kind="audience", text="还差一个条件:" + ";".join(missing) + (f"。原文“{q}”" if q else ""), quote=q)
        )
        if q:
            highlight.append(q)
    highlight = [h for h in dict.fromkeys(highlight) if h]
    sent = _sentences_with(m.sentences, [h for h in highlight if len(h) >= 2])
    return Result(
        rank=0,
        measure=m,
        score=round(score, 3),
        status=status,
        missing=missing,
        reasons=reasons,
        matched_sentences=sent,
        matched_terms=highlight,
    )


def _core(quote: str, label: str) -> str:
    return label if label in quote else quote
