"""Who an item is for, as data, with the words it came from (issue 19).

:func:`read_audience` gives a measure its ``audience``::

    {"who": "新购置新能源城市冷链配送货车的…", "source": "sentence", "quote": "…",
     "activity": "购置或报废更新车辆"?, "activity_source": "sentence|heading|section|title|gives"?}

* ``who`` — the recipient phrase of its sentence (对 / 支持 / 鼓励 / 给予 / 面向 X), read by the
  ``who`` patterns of ``resources/activities.toml``; else the section heading it sits under; else
  the document title (``source`` says which);
* ``activity`` — an audience defined by an activity (installing PV, buying trucks, running a
  market, managing a fund, offshore wind …): an activity word in the recipient phrase, the
  item's heading, its section heading or the document title; or, in the item's heading or
  opening sentence, something it gives that only a firm with that activity can use (``gives``:
  a loan on the firm's own patents, 知识产权质押融资). :func:`activity_condition` turns it
  into a condition the tier decision judges: met when the profile states the activity (its words
  or its industry), otherwise the question "贵企业是否有…项目或业务?" — never a match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.rules.loader import load_toml


class Activity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    terms: list[str] = Field(min_length=1)
    states: list[str] = Field(min_length=1)
    industries: list[str] = Field(default_factory=list)
    gives: list[str] = Field(default_factory=list)


class ActivityRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    who: list[str] = Field(min_length=1)
    everyone: list[str] = Field(min_length=1)
    recipient_section: str
    acts: str
    activity: list[Activity] = Field(min_length=1)
    # GB/T 4754 section → words that name its firms in an item's own words (绿色制造 → 制造业)
    sections: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("everyone", "recipient_section", "acts")
    @classmethod
    def _everyone(cls, v: list[str] | str) -> list[str] | str:
        for p in [v] if isinstance(v, str) else v:
            try:
                re.compile(p)
            except re.error as e:
                raise ValueError(f"正则表达式“{p}”无效:{e}") from None
        return v

    @field_validator("who")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                rx = re.compile(p)
            except re.error as e:
                raise ValueError(f"正则表达式“{p}”无效:{e}") from None
            if "who" not in rx.groupindex:
                raise ValueError(f"正则表达式“{p}”缺少命名组 who")
        return v

    @field_validator("question")
    @classmethod
    def _question(cls, v: str) -> str:
        if "{name}" not in v:
            raise ValueError("question 必须含有 {name}")
        return v


@lru_cache(maxsize=1)
def load_activity_rules() -> ActivityRules:
    rules = load_toml("activities.toml", ActivityRules)
    from matcher.errors import RuleFileError
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    known = {i.name for i in lex.industries.industry}
    for sec in rules.sections:
        if sec not in lex.industries.sections:
            raise RuleFileError(f"规则文件 activities.toml:sections 中的“{sec}”不是国民经济行业门类")
    for a in rules.activity:
        for i in a.industries:
            if i not in known:
                raise RuleFileError(
                    f"规则文件 activities.toml:活动“{a.name}”的 industries 中的“{i}”不在 industries.toml 中"
                )
    return rules


@lru_cache(maxsize=1)
def _who_rx() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in load_activity_rules().who]


@lru_cache(maxsize=1)
def _everyone_rx() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in load_activity_rules().everyone))


def for_every_firm(who: str, heading: str, sentences: Sequence[str]) -> str:
    """The words that say an item serves any firm (its recipient is 企业 / 市场主体 …, or it
    offers something to firms as such: 为企业提供…, 企业可…), or "" when none do."""
    rx = _everyone_rx()
    for t in (who, heading, *sentences):
        m = rx.search(t or "")
        if m:
            return m.group(0)
    return ""


def recipient(texts: Sequence[str]) -> tuple[str, str]:
    """(who, the sentence it was read from): the first recipient phrase found."""
    for t in texts:
        for rx in _who_rx():
            m = rx.search(t)
            if m and m.group("who").strip():
                return m.group("who").strip(), t
    return "", ""


def activity_given(text: str) -> tuple[Activity, str] | None:
    """The first activity whose ``gives`` word is in ``text`` (and the word): the item gives
    something only a firm carrying on that activity can use."""
    return _first_activity(text, lambda a: a.gives)


def activity_in(text: str) -> tuple[Activity, str] | None:
    """The first activity whose word is in ``text`` (and the word)."""
    return _first_activity(text, lambda a: a.terms)


def _first_activity(text: str, words: Callable[[Activity], list[str]]) -> tuple[Activity, str] | None:
    """The first activity one of whose ``words`` is in ``text``, with the word."""
    if not text:
        return None
    for a in load_activity_rules().activity:
        for w in words(a):
            if w in text:
                return a, w
    return None


def read_audience(
    heading: str, sentences: Sequence[str], parents: Sequence[str] = (), title: str = ""
) -> dict[str, Any]:
    """The audience of one item (see the module docstring)."""
    who, sent = recipient([heading, *sentences] if heading else list(sentences))
    out: dict[str, Any] = {}
    if who:
        out = {"who": who, "source": "sentence", "quote": sent[:80]}
    elif parents:
        out = {"who": parents[-1], "source": "section", "quote": parents[-1]}
        if re.search(load_activity_rules().recipient_section, parents[-1]):
            out["recipients"] = True  # the section lists who receives it (补贴对象, 支持范围 …)
    elif title:
        out = {"who": title, "source": "title", "quote": title}
    # the subject of the item: the recipient's clause, else the opening of its first sentence
    # (深远海海上风电项目…奖励标准为500元/千瓦 names no recipient, only the project)
    opening = [x for x in sentences if x.rstrip("。.;;:: ") != heading.rstrip("。.;;:: ")]
    first = sent or (opening[0] if opening else "")
    subject = re.split(r"给予|予以|[,。;:]", first, maxsplit=1)[0][:40]
    # an opening that is the government's own action (加强…, 推进…) names no one who does it
    doer = "" if not sent and re.match(load_activity_rules().acts, subject) else subject
    # what the recipient is supported to do: the rest of its clause (支持企业、园区实施分布式光伏…)
    doing = ""
    if who and who in sent:
        doing = re.split(r"[。;]", sent[sent.index(who) + len(who) :], maxsplit=1)[0][:40]
    section = (parents or [""])[-1]
    everyone = for_every_firm(who, heading, sentences)
    if everyone:
        out["everyone"] = everyone
    for where, text in (
        ("sentence", who),
        ("sentence", doer),
        ("sentence", doing),
        ("heading", heading),
        ("section", section),
        ("title", title),
    ):
        found = activity_in(text)
        if found:
            out["activity"] = found[0].name
            out["activity_source"] = where
            out["activity_quote"] = found[1]
            break
    else:
        # what the item gives only a firm with the activity can use (知识产权质押融资), when
        # its heading or opening is about it (an item whose opening offers every small firm
        # loans, and IP-pledge loans among its later lines, is not)
        found = activity_given(" ".join([heading, opening[0] if opening else ""]))
        if found:
            out["activity"] = found[0].name
            out["activity_source"] = "gives"
            out["activity_quote"] = found[1]
    # the industries it is for: named by the item itself (its recipient, heading, subject),
    # else inherited from its section heading, else from the document title
    # the industries it is for: named by the item itself (its recipient, heading, subject),
    # else inherited from its section heading, else from the document title; in a sentence or
    # a section heading an industry's word names firms only with 企业 / 产业 / 服务 … after it
    for where, texts, strict in (
        ("item", (who, subject), True),
        ("item", (heading,), False),
        ("section", (section,), True),
        ("title", (title,), None),
    ):
        inds = industries_named(" ".join(t for t in texts if t), strict)
        if inds:
            out["industries"] = inds
            out["industries_source"] = where
            break
    # the GB/T sections whose firms the item itself names (绿色制造 → 制造业)
    item_text = " ".join(t for t in (who, heading, subject) if t)
    secs = [sec for sec, words in _section_words().items() if any(w in item_text for w in words)]
    if secs:
        out["sections"] = secs
    return out


_HEAD = re.compile(r"^.{0,2}?(?:企业|产业|行业|机构|公司|业态|领域|服务|集群|赛道|经济|主体|项目|平台|人才)")


def industries_named(text: str, strict: bool | None = False) -> list[str]:
    """The industry tags (resources/industries.toml) one of whose words names firms in
    ``text``: a word followed by 企业 / 产业 / 服务 … (航运服务, not 商业纠纷 or 物业减免, nor
    依托区块链技术); not ``strict`` (a heading) any word of three characters or more; ``None``
    (a document title, which names what the whole document is about) any word."""
    if not text:
        return []
    from matcher.rules.lexicon import load_lexicons

    out = []
    for i in load_lexicons().industries.industry:
        for t in i.terms:
            at = text.find(t) if len(t) >= 2 else -1
            while at >= 0:
                if strict is None or (len(t) >= 3 and not strict) or _HEAD.match(text[at + len(t) :]):
                    out.append(i.name)
                    break
                at = text.find(t, at + 1)
            if out and out[-1] == i.name:
                break
    return out


def _section_words() -> dict[str, list[str]]:
    return load_activity_rules().sections


def activity_condition(audience: dict[str, Any]) -> list[dict[str, Any]]:
    """The condition an activity audience sets (none when the audience is not an activity)."""
    name = (audience or {}).get("activity")
    if not name:
        return []
    a = next((x for x in load_activity_rules().activity if x.name == name), None)
    if a is None:
        return []
    return [
        {
            "kind": "activity",
            "name": a.name,
            "names": list(a.states),
            "industries": list(a.industries),
            "text": f"从事{a.name}",
            "quote": audience.get("activity_quote", ""),
            "source": audience.get("activity_source", ""),
        }
    ]


def activity_met(c: dict[str, Any], profile: Any, tags: Sequence[str]) -> bool | None:
    """True when the profile states the activity (a word of it, or its own key industry is it);
    None otherwise (the question is asked — never False: the profile may simply not say)."""
    said = " ".join(
        str(x)
        for x in (
            getattr(profile, "company", ""),
            getattr(profile, "industry", ""),
            getattr(profile, "keywords", ""),
            " ".join(getattr(profile, "needs", []) or []),
            " ".join(getattr(profile, "flags", []) or []),
        )
        if x
    )
    if any(w in said for w in c.get("names", [])):
        return True
    # an industry that is the activity, when the profile names its own industry (航运 for
    # 港口或航运); a GB/T section alone (制造业) spans too many industries to state an activity
    if getattr(profile, "specialisation", None) and set(c.get("industries", [])) & set(tags):
        return True
    return None


def activity_question(c: dict[str, Any]) -> str:
    return load_activity_rules().question.format(name=c.get("name", ""))
