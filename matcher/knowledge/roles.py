"""The role of every stored item: what it is for a firm (issue 19).

``benefit`` (money, subsidy, reward, interest, fee or tax relief), ``service`` (facilitation,
fast lane, consultation, platform), ``obligation``, ``penalty``, ``condition``, ``material``,
``procedure``, ``governance``, ``internal``, ``scope``, ``heading`` and ``other`` (purpose,
validity, interpretation, contacts). Only benefits and services are offered (:data:`OFFERED`);
the rest is context for them.

Two readers, both driven by ``resources/roles.toml``:

* :func:`measure_role` — an item the outline reader kept as a measure: the words of its heading
  and sentences (:class:`Marker` patterns, scored; the heading counts double), its section
  (a 保障措施 chapter is internal) and the internal/enterprise decision of
  :mod:`matcher.knowledge.internal` when no words decide;
* :func:`skipped_role` — a node the reader skipped (a heading, a scope, conditions, materials,
  procedure, closing matter): the nearest section word (``申报条件`` → condition, ``资金来源``
  → governance), else its skip kind, refined by the same markers for closing and scope items
  (a 附则 item that claws money back is a penalty; one that forbids double funding, a condition).
* :func:`heading_role` — a node over numbered items: ``heading``, unless it also states a rule
  of its own (十六、决定公开 + its sentence), then the role its short heading's section word names;
* :func:`instruction_role` — a notice's own numbered item that is not an offer.

A measure with no offer words that addresses no firm either (升级分类投放环境…; 大力拓展科创载体…)
is the government's own work (``internal``), not a service by default.

Each decision keeps the words that made it (``why``), so a reason can quote them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matcher.common.quotes import quote
from matcher.rules.loader import load_toml

ROLES = (
    "benefit",
    "service",
    "obligation",
    "penalty",
    "condition",
    "material",
    "procedure",
    "governance",
    "internal",
    "scope",
    "heading",
    "other",
)
OFFERED = frozenset({"benefit", "service"})
ROLE_LABELS = {
    "benefit": "资金/减免",
    "service": "服务/便利",
    "obligation": "义务",
    "penalty": "罚则",
    "condition": "申报条件",
    "material": "申报材料",
    "procedure": "办理程序",
    "governance": "资金/机构管理",
    "internal": "政府内部工作",
    "scope": "适用范围/定义",
    "heading": "标题",
    "other": "其他(目的、施行、解释、联系)",
}


def _known_role(v: str) -> str:
    if v not in ROLES:
        raise ValueError(f"“{v}”不是可用的角色({'、'.join(ROLES)})")
    return v


class Marker(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    pattern: str
    weight: float = Field(default=1.0, gt=0)

    _role = field_validator("role")(classmethod(lambda cls, v: _known_role(v)))

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"正则表达式无效:{e}") from None
        return v


class RoleRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    precedence: list[str] = Field(min_length=1)
    min_benefit: float = 2.0
    rules_title: str = ""
    sections: dict[str, str] = Field(default_factory=dict)
    kinds: dict[str, str] = Field(default_factory=dict)
    marker: list[Marker] = Field(min_length=1)

    @model_validator(mode="after")
    def _roles_known(self) -> RoleRules:
        for where, values in (
            ("precedence", self.precedence),
            ("sections", self.sections.values()),
            ("kinds", self.kinds.values()),
        ):
            for v in values:
                if v not in ROLES:
                    raise ValueError(f"{where} 中的“{v}”不是可用的角色({'、'.join(ROLES)})")
        return self


@lru_cache(maxsize=1)
def load_role_rules() -> RoleRules:
    return load_toml("roles.toml", RoleRules)


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[tuple[re.Pattern[str], Marker]], list[tuple[str, str]]]:
    rules = load_role_rules()
    markers = [(re.compile(m.pattern), m) for m in rules.marker]
    sections = sorted(rules.sections.items(), key=lambda kv: len(kv[0]), reverse=True)
    return markers, sections


def scores(heading: str, sentences: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Role → score of the markers found (heading hits count double), and role → the words."""
    markers, _ = _compiled()
    total: dict[str, float] = {}
    why: dict[str, str] = {}
    parts = [(heading, 2.0)] if heading else []
    parts += [(s, 1.0) for s in sentences if s and s != heading]
    for text, mult in parts:
        for rx, m in markers:
            f = rx.search(text)
            if f:
                total[m.role] = total.get(m.role, 0.0) + m.weight * mult
                why.setdefault(m.role, quote(text, f.start(), f.end()))
    return total, why


def _best(total: dict[str, float]) -> str | None:
    rules = load_role_rules()
    if not total:
        return None
    order = {r: k for k, r in enumerate(rules.precedence)}
    # a benefit item often says 应/须 and names how it is reviewed: money given wins
    strongest_context = max(total.get("penalty", 0.0), total.get("condition", 0.0), total.get("other", 0.0))
    if total.get("benefit", 0.0) >= rules.min_benefit and strongest_context < total["benefit"]:
        return "benefit"
    return max(total, key=lambda r: (total[r], -order.get(r, len(order))))


_CONTEXT = ("penalty", "material", "condition", "procedure", "governance", "obligation")


def _mainly(total: dict[str, float], heading: str, sentences: Sequence[str]) -> dict[str, float]:
    """Context roles (penalty, condition, procedure …) only where the item is mainly that: named
    in its heading, or found in at least half of its sentences. One procedure word in a long
    action-plan item (…办理时限压缩至2.5小时) does not make it a procedure."""
    markers, _ = _compiled()
    body = [s for s in sentences if s and s != heading] or list(sentences)
    out = dict(total)
    for role in _CONTEXT:
        if role not in out:
            continue
        rxs = [rx for rx, m in markers if m.role == role]
        in_head = bool(heading) and any(rx.search(heading) for rx in rxs)
        share = sum(1 for s in body if any(rx.search(s) for rx in rxs)) / max(1, len(body))
        # a sanction anywhere in a short clause is one; other context roles mark short clauses
        # of rules and notices, not the long paragraphs of a plan (which describe reforms)
        enough = share >= 1 / 3 if role == "penalty" else (share >= 0.5 and len(body) <= 3)
        if not (in_head or enough):
            out.pop(role)
    return out


def is_rules(title: str) -> bool:
    """Is a document with this title rules (管理办法, 实施细则, 办事指南 …) rather than a plan?"""
    pattern = load_role_rules().rules_title
    return bool(title and pattern and re.search(pattern, title))


def section_role(words: Sequence[str]) -> tuple[str, str] | None:
    """The role a section word gives (nearest heading first): (role, the word)."""
    _, sections = _compiled()
    for w in words:
        if not w:
            continue
        head = re.sub(r"《[^》]*》", "", w)[:24]  # a title it quotes (《…资金使用和管理办法》) is not its section
        for word, role in sections:
            if word in head:
                return role, word
    return None


# a heading naming the money its list items are the cases of
_MONEY_HEADING = re.compile(r"补贴|奖励|资助|补助|贴息|激励资金|扶持资金")


def measure_role(
    heading: str,
    sentences: Sequence[str],
    *,
    parents: Sequence[str] = (),
    internal: bool = False,
    safeguard: bool = False,
    programme: bool = False,
    document: str = "",
    facing_firms: bool = True,
) -> tuple[str, str]:
    """(role, why) of an item kept as a measure. ``programme``: the one measure a notice with no
    support items of its own stands for (the fund or the round it organises) — an offer, a
    benefit when it names money, else a service; its conditions, materials and procedure are
    its context. ``facing_firms``: some words address firms (企业可办理的…, 鼓励、支持企业…); an
    item with no offer words that addresses no firm either is the government's own work."""
    total, why = scores(heading, sentences)
    if not is_rules(document):
        total = _mainly(total, heading, sentences)
    if not programme and len(re.sub(r"\W", "", "".join(sentences) or heading)) <= 6:
        return "other", heading  # a bare heading whose words went to the closing (六、解释)
    if programme:
        fund = re.search(r"资金|补贴|奖励|资助|扶持|贴息", heading + "".join(sentences[:3]))
        return ("benefit", fund.group(0)) if fund else ("service", heading[:20])
    strong_offer = total.get("benefit", 0.0) >= load_role_rules().min_benefit
    own = section_role([heading]) if heading and len(heading) <= 12 else None
    if own and own[0] in ("governance", "procedure", "material", "penalty", "condition"):
        return own  # its own short heading says what it is (资金预算. …约为0.3元/m²·月: a budget)
    if safeguard and internal and not strong_offer:
        return "internal", (parents[0] if parents else "保障措施")
    # a section word names a section in a heading, not inside a sentence (对区级考评等级为I级的…)
    sec = section_role([heading if len(heading) <= 12 else "", *reversed(list(parents))])
    if sec and sec[0] not in ("scope",) and not strong_offer and total.get("service", 0.0) < 2:
        return sec[0], sec[1]
    best = _best(total)
    if best in OFFERED and internal and not strong_offer:
        return "internal", why.get("internal", "政府内部工作")
    body_text = "".join(sentences)
    if (
        best is None
        and parents
        and _MONEY_HEADING.search(parents[-1])
        and (len(body_text) <= 80 or re.search(r"\d", body_text))
    ):
        # a list item under a heading that names the money (区级激励资金: 1. 对考评I级的…): its
        # case — a short line, or one with its figures (a table's rows); a paragraph of its own
        # with no figure (应急保障机制。建立…机制,…) must say what it gives itself
        return "benefit", parents[-1]
    if best == "scope" and not internal:
        # it says what a thing is or whom the text covers (“外摆位”的设置位置为…, 本办法所称…是指…):
        # the scope of what the document governs, offered to nobody
        return "scope", why.get("scope", "")
    if best is None or best == "scope":
        # no money, no service and no firm addressed (升级分类投放环境…由街镇确定维护管养主体): its own work
        return ("internal", "政府内部工作") if internal or not facing_firms else ("service", "")
    if internal and best not in OFFERED and best in ("obligation", "procedure"):
        return "internal", why.get(best, "")
    return best, why.get(best, "")


def heading_role(heading: str, body: Sequence[str] = ()) -> str:
    """The role of a node over numbered items. A bare heading (申报条件, then its list) is a
    ``heading``; one that also says something of its own (十六、决定公开 + 结果在20个工作日内公开…;
    第十四条 项目撤销 + its rule; not a mere list intro ending in a colon) is what its own short heading's section word names (监督管理 →
    governance, 项目撤销 → penalty)."""
    said = [b for b in body if not b.rstrip().endswith((":", "："))]  # 申报单位须符合以下条件: introduces
    if not said or not heading or len(heading) > 16:
        return "heading"
    own = section_role([heading])
    return own[0] if own else "heading"


def _headings_only(words: Sequence[str]) -> list[str]:
    """The section words of a node: its own first words count only when they are a heading
    (申报材料, 项目变更), not a sentence that mentions one (…应于每年一季度前将申报材料提交至各街镇)."""
    out = list(words)
    if out and len(out[0]) > 12:
        out[0] = ""
    return out


def skipped_role(kind: str, text: str, section_words: Sequence[str] = ()) -> tuple[str, str]:
    """(role, why) of a node the outline reader skipped. ``section_words``: its own heading,
    then the headings of the sections around it, nearest first."""
    rules = load_role_rules()
    if kind == "heading":
        return "heading", ""
    section_words = _headings_only(section_words)
    if kind == "attachment":  # an attachment named in a list: a form to fill in is a material
        total, why = scores("", [text])
        return ("material", why["material"]) if total.get("material", 0.0) >= 1.5 else ("other", "")
    sec = section_role(section_words)
    if kind in ("closing", "scope", "other", "preamble", "notice") or sec is None:
        sents = [s for s in re.split(r"(?<=[。;])", text) if s.strip()]
        total, why = scores("", sents)
        best = _best({r: v for r, v in total.items() if r != "service"})
        if kind in ("closing", "other") and best in ("penalty", "condition", "governance", "obligation"):
            return best, why.get(best, "")
        # a principle that binds someone (…不得违反法律法规 / 区城管执法局负责统筹协调) is what it says
        if kind == "preamble" and best in ("penalty", "obligation", "governance", "internal") and sec is None:
            return best, why.get(best, "")
        if sec is None and kind == "scope" and best == "condition":
            return "condition", why.get("condition", "")
    if sec is not None:
        # a generic section (申请审核流程) holding a list of documents or a rule: what its words say
        sents = [s for s in re.split(r"(?<=[。;])", text) if s.strip()]
        total, why = scores("", sents)
        strong = {r: v for r, v in total.items() if r in ("material", "penalty", "condition") and v >= 3}
        if sec[0] in ("procedure", "scope") and strong:
            best = max(strong, key=lambda r: strong[r])
            return best, why.get(best, "")
        return sec
    return rules.kinds.get(kind, "other"), ""


# a list introduced as documents to hand in: 申请单位准备下列相关材料: / 需提交以下材料
_MATERIAL_INTRO = re.compile(
    r"(?:提交|准备|提供|报送|上传|附)[^。;]{0,12}(?:下列|以下|如下|相关|有关)[^。;]{0,8}(?:材料|资料|文件)|材料(?:清单|目录)"
)


def instruction_role(text: str, section_words: Sequence[str] = (), intro: str = "") -> str:
    """The role of a notice's own numbered item that is not an offer (a work instruction, a
    material, a step): a material when the words introducing the list ask for documents or
    its section is one; else what its section or its words say, never an offer; else a step
    of the procedure."""
    sec = section_role(_headings_only(section_words))
    if _MATERIAL_INTRO.search(intro) or (sec and sec[0] == "material"):
        return "material"
    sents = [s for s in re.split(r"(?<=[。;])", text) if s.strip()]
    total, _ = scores("", sents)
    best = _best({r: v for r, v in total.items() if r not in OFFERED})
    if sec and sec[0] != "scope":
        return sec[0]
    if best in ("penalty", "material", "condition", "governance", "obligation"):
        return best
    if sec:  # under 申报业务范围 / 适用对象, saying nothing else: what is covered
        return sec[0]
    return "procedure"
