"""Who an item is for, as data, with the words it came from (issue 19).

:func:`read_audience` gives a measure its ``audience``::

    {"who": "新购置新能源城市冷链配送货车的…", "source": "sentence", "quote": "…",
     "activity": "购置或报废更新车辆"?, "activity_source": "sentence|section|title"?}

* ``who`` — the recipient phrase of its sentence (对 / 支持 / 鼓励 / 给予 / 面向 X), read by the
  ``who`` patterns of ``resources/activities.toml``; else the section heading it sits under; else
  the document title (``source`` says which);
* ``activity`` — an audience defined by an activity (installing PV, buying trucks, running a
  market, managing a fund, offshore wind …): an activity word in the recipient phrase, the
  item's heading, its section heading or the document title. :func:`activity_condition` turns it
  into a condition the tier decision judges: met when the profile states the activity (its words
  or its industry), otherwise the question "贵企业是否有…项目或业务?" — never a match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


class ActivityRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    who: list[str] = Field(min_length=1)
    activity: list[Activity] = Field(min_length=1)

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

    known = {i.name for i in load_lexicons().industries.industry}
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


def recipient(texts: Sequence[str]) -> tuple[str, str]:
    """(who, the sentence it was read from): the first recipient phrase found."""
    for t in texts:
        for rx in _who_rx():
            m = rx.search(t)
            if m and m.group("who").strip():
                return m.group("who").strip(), t
    return "", ""


def activity_in(text: str) -> tuple[Activity, str] | None:
    """The first activity whose word is in ``text`` (and the word)."""
    if not text:
        return None
    for a in load_activity_rules().activity:
        for term in a.terms:
            if term in text:
                return a, term
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
    elif title:
        out = {"who": title, "source": "title", "quote": title}
    # the subject of the item: the recipient's clause, else the opening of its first sentence
    # (深远海海上风电项目…奖励标准为500元/千瓦 names no recipient, only the project)
    subject = re.split(r"给予|予以|[,。;:]", sent or (sentences[0] if sentences else ""), maxsplit=1)[0][:40]
    for where, text in (
        ("sentence", who),
        ("sentence", subject),
        ("heading", heading),
        ("section", (parents or [""])[-1]),
        ("title", title),
    ):
        found = activity_in(text)
        if found:
            out["activity"] = found[0].name
            out["activity_source"] = where
            out["activity_quote"] = found[1]
            break
    return out


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
    """True when the profile states the activity (a word of it, or an industry that is it);
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
    if set(c.get("industries", [])) & set(tags):
        return True
    return None


def activity_question(c: dict[str, Any]) -> str:
    return load_activity_rules().question.format(name=c.get("name", ""))
