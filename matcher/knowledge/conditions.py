"""Conditions a measure states, and whether a profile meets them.

Extraction (:func:`extract`, at ingest) turns a measure's text and tags into plain dicts
stored on the measure (``Measure.conditions``):

* ``audience`` / ``size`` / ``ownership`` / ``stage`` — the audiences the measure is
  limited to (enrichment's restricting audiences: 中小微企业, 外资企业, 专精特新企业 …);
* ``threshold`` — a figure asked of the company or its project (年营业收入不低于…万元,
  设备投资1000万元以上, 研发投入占营业收入比例不低于3%), with ``field``, ``op`` (ge/le),
  ``value`` normalised to 万元 (or 人, %) and ``unit``;
* ``age`` — the age of the firm (成立不满3年, 2020年以后注册);
* ``area`` — where the firm must be registered (注册在…, 在…范围内新注册).

Judging (:func:`judge`, per profile) gives each condition ``met``: True, False, or None
when the profile does not say (the question to ask is named). The words lists live in
``resources/conditions.toml``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.knowledge.amounts import normalize  # remembered: each sentence is read by every extractor
from matcher.rules.loader import load_toml

KINDS = ("audience", "size", "ownership", "stage", "industry", "area", "age", "threshold", "activity", "requirement")
# a ``requirement`` is an eligibility rule of a programme stated in words (具有独立法人资格…, 信用状况
# 良好…): stored with each of its measures and shown to the officer, never judged against a
# profile (:func:`judge` leaves it out) — a profile cannot say whether it meets it
PROFILE_FIELDS = ("revenue", "tax", "rnd", "rnd_ratio", "investment", "employees", "")


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str
    label: str
    terms: list[str] = Field(min_length=1)
    units: list[str] = Field(min_length=1)
    question: str

    @field_validator("field")
    @classmethod
    def _known_field(cls, v: str) -> str:
        if v not in PROFILE_FIELDS:
            raise ValueError(f"field 必须是 {'、'.join(f or '(空)' for f in PROFILE_FIELDS)} 之一")
        return v

    @field_validator("units")
    @classmethod
    def _known_units(cls, v: list[str]) -> list[str]:
        bad = [u for u in v if u not in _UNIT_FACTOR]
        if bad:
            raise ValueError(f"units 中的“{bad[0]}”不是可识别的单位(可用:{'、'.join(_UNIT_FACTOR)})")
        return v


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str


class IndustryQuestion(Question):
    unstated: str  # the one question when the profile states no industry at all


class TierRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    need_categories: list[str] = Field(default_factory=list)


class ConditionRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience_kinds: dict[str, str] = Field(default_factory=dict)
    threshold: list[Threshold] = Field(min_length=1)
    tiers: TierRules = Field(default_factory=TierRules)
    age: Question
    area: Question
    industry: IndustryQuestion
    size: Question

    @field_validator("audience_kinds")
    @classmethod
    def _kinds(cls, v: dict[str, str]) -> dict[str, str]:
        for name, kind in v.items():
            if kind not in ("size", "ownership", "stage", "audience"):
                raise ValueError(f"“{name}”的类型“{kind}”不是 size、ownership、stage、audience 之一")
        return v


_UNIT_FACTOR = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001, "人": 1.0, "名": 1.0, "%": 1.0}


@lru_cache(maxsize=1)
def load_condition_rules() -> ConditionRules:
    rules = load_toml("conditions.toml", ConditionRules)
    from matcher.errors import RuleFileError
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    known = {a.name for a in lex.audiences.audience}
    for name in rules.audience_kinds:
        if name not in known:
            raise RuleFileError(f"规则文件 conditions.toml:audience_kinds 中的“{name}”不在 audiences.toml 中")
    cats = {c.name for c in lex.categories.category}
    for name in rules.tiers.need_categories:
        if name not in cats:
            raise RuleFileError(
                f"规则文件 conditions.toml:tiers.need_categories 中的“{name}”不在 categories.toml 中"
                f"(可选:{'、'.join(sorted(cats))})"
            )
    return rules


@lru_cache(maxsize=1)
def _threshold_rx() -> re.Pattern[str]:
    rules = load_condition_rules()
    terms = sorted({t for th in rules.threshold for t in th.terms}, key=len, reverse=True)
    units = sorted({u for th in rules.threshold for u in th.units} | {"亿", "万"}, key=len, reverse=True)
    return re.compile(
        r"(?P<term>" + "|".join(map(re.escape, terms)) + r")"
        r"(?P<mid>[^,;。:]{0,14}?)"
        r"(?P<op1>不低于|不少于|不超过|不高于|低于|少于|超过|高于|大于|达到|≥|≤|在)?\s*"
        r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>" + "|".join(map(re.escape, units)) + r")"
        r"\s*(?P<inc>\(含[^)]{0,12}\))?\s*(?P<op2>及以上|以上|以下|以内|及以下)?"
    )


_GE = ("不低于", "不少于", "超过", "高于", "大于", "达到", "≥")
_LE = ("不超过", "不高于", "低于", "少于", "≤")
# a figure that is the measure's own sum (a cap on the grant), not a condition
_GRANT_NEAR = re.compile(r"给予|补贴|奖励|资助|扶持|支持金额|最高|按")


def _threshold_for(term: str) -> Threshold | None:
    for th in load_condition_rules().threshold:
        if term in th.terms:
            return th
    return None


def thresholds(sentences: list[str]) -> list[dict[str, Any]]:
    """Figures the sentences ask of the company or its project."""
    out: list[dict[str, Any]] = []
    for sent in sentences:
        s = normalize(sent)
        for m in _threshold_rx().finditer(s):
            op1, op2 = m.group("op1") or "", m.group("op2") or ""
            mid = m.group("mid")
            if op1 in _GE or op2 in ("以上", "及以上"):
                op = "ge"
            elif op1 in _LE or op2 in ("以下", "以内", "及以下"):
                op = "le"
            else:
                continue
            if _GRANT_NEAR.search(mid) or re.search(r"的$", mid):
                continue  # 按投资额的10%给予 …: how the grant is computed
            th = _threshold_for(m.group("term"))
            if th is None:
                continue
            unit = m.group("unit")
            unit = {"亿": "亿元", "万": "万元"}.get(unit, unit)
            if unit not in th.units:
                # 研发投入占营业收入比例不低于3% is a ratio
                if unit == "%" and "占" in m.group("term") + mid:
                    th = next((t for t in load_condition_rules().threshold if t.field == "rnd_ratio"), th)
                else:
                    continue
            value = float(m.group("num")) * _UNIT_FACTOR.get(unit, 1.0)
            norm_unit = "万元" if unit in ("万元", "亿元", "元") else unit
            text = m.group(0).strip()
            cond = {
                "kind": "threshold",
                "field": th.field,
                "op": op,
                "value": round(value, 4),
                "unit": norm_unit,
                "text": f"{th.label}{'不低于' if op == 'ge' else '不超过'}{_fmt(value)}{norm_unit}",
                "quote": text,
            }
            if cond not in out:
                out.append(cond)
    return out


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


_AGE_MAX = re.compile(
    r"(?:成立|注册|设立)(?:时间|年限)?(?:不满|未满|不足|不超过|少于|在)\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:个)?年(?:以内|内)?"
)
_AGE_MAX2 = re.compile(r"(?P<n>\d+|[一二两三四五六七八九十]+)\s*年(?:以内|内)(?:新)?(?:注册|成立|设立)")
_AGE_MIN = re.compile(
    r"(?:成立|注册|设立)(?:时间|年限)?(?:满|超过|已满)\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:个)?年"
)
_FOUNDED_AFTER = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?\s*)?(?:\(含\))?\s*(?:以后|之后|后|起)(?:新)?(?:注册|成立|设立)"
)


def ages(sentences: list[str]) -> list[dict[str, Any]]:
    from matcher.knowledge.amounts import cn_number

    out: list[dict[str, Any]] = []
    for sent in sentences:
        s = normalize(sent)
        if "成立" not in s and "注册" not in s and "设立" not in s:
            continue
        for rx, op in ((_AGE_MAX, "le"), (_AGE_MAX2, "le"), (_AGE_MIN, "ge")):
            for m in rx.finditer(s):
                n = cn_number(m.group("n"))
                if not n or n > 50:
                    continue
                text = f"成立{'不满' if op == 'le' else '满'}{n}年"
                c = {
                    "kind": "age",
                    "field": "founded",
                    "op": op,
                    "value": n,
                    "unit": "年",
                    "text": text,
                    "quote": m.group(0),
                }
                if c not in out:
                    out.append(c)
        for m in _FOUNDED_AFTER.finditer(s):
            y = int(m.group("y"))
            c = {
                "kind": "age",
                "field": "founded",
                "op": "since",
                "value": y,
                "unit": "年",
                "text": f"{y}年以后成立",
                "quote": m.group(0),
            }
            if c not in out:
                out.append(c)
    return out


_AREA = re.compile(
    r"(?:注册|落户|入驻|位于|坐落)(?:在|于)?(?P<a>[\u4e00-\u9fff]{2,14}?(?:核心区|园区|开发区|街道|镇|片区|小镇|功能区|集聚区|产业园))"
    r"|在(?P<b>[\u4e00-\u9fff]{2,14}?(?:核心区|园区|开发区|街道|镇|片区|小镇|功能区|集聚区|产业园))(?:\([^)]{1,12}\))?"
    r"(?:范围内|内?(?:新)?(?:注册|落户|设立|入驻|成立))"
)


def areas(sentences: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sent in sentences:
        s = normalize(sent)
        for m in _AREA.finditer(s):
            a = m.group("a") or m.group("b")
            if re.match(r"^(本区|全区|本市|全市|区内|市内)", a) or "等" in a:
                continue
            c = {"kind": "area", "name": a, "text": f"注册(落户)在{a}", "quote": m.group(0)}
            if all(x.get("name") != a for x in out):
                out.append(c)
    return out


def audience_condition(audiences: list[str], evidence: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """The measure's restricting audiences as one condition (any of them), or none."""
    if not audiences:
        return []
    rules = load_condition_rules()
    ev = (evidence or {}).get("audiences", {})
    kinds = {rules.audience_kinds.get(a, "audience") for a in audiences}
    kind = kinds.pop() if len(kinds) == 1 else "audience"
    quote = next((ev[a] for a in audiences if ev.get(a)), "")
    return [{"kind": kind, "names": list(audiences), "text": "面向" + "或".join(audiences), "quote": quote}]


def extract(
    sentences: list[str], audiences: list[str], evidence: dict[str, dict[str, str]] | None = None, heading: str = ""
) -> list[dict[str, Any]]:
    """The conditions a measure states (see the module docstring)."""
    out = audience_condition(audiences, evidence)
    sents = ([heading] if heading else []) + list(sentences)
    out += thresholds(sents)
    out += ages(sents)
    out += areas(sents)
    return out


_SCOPE_HEAD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\(\s*[一二三四五六七八九十]+\s*\)|第[一二三四五六七八九十]+条)"
    r"\s*(?:\()?(?:适用范围|适用对象|申报对象|支持对象|扶持对象|实施对象|申报条件|申请条件|基本条件)"
)
_ANY_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|第[一二三四五六七八九十]+条)")


def document_conditions(text: str) -> list[dict[str, Any]]:
    """Conditions a document states once for all its measures: the figures, ages and places
    of its 适用范围 / 申报对象 / 申报条件 section(s)."""
    lines = [normalize(x).strip() for x in text.splitlines()]
    scope: list[str] = []
    i = 0
    while i < len(lines):
        if _SCOPE_HEAD.match(lines[i]):
            j = i + 1
            while j < len(lines) and not (_ANY_HEAD.match(lines[j]) and not _SCOPE_HEAD.match(lines[j])):
                if lines[j]:
                    scope.append(lines[j])
                j += 1
            i = j
            continue
        if re.search(
            r"(?:符合|满足|具备)(?:以下|下列|如下)(?:基本)?(?:条件|要求)|申报(?:主体|单位|企业)(?:应|须|需)", lines[i]
        ):
            scope.append(lines[i])
        i += 1
    sents = [x for ln in scope for x in re.split(r"(?<=[。;;])", ln) if x.strip()]
    out = _scope_audiences(sents) + _scope_industries(sents) + thresholds(sents) + ages(sents) + areas(sents)
    for c in out:
        c["source"] = "document"
    return out


# the sections of a programme that say who may apply and on what terms
_REQ_HEAD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\(\s*[一二三四五六七八九十]+\s*\)|第[一二三四五六七八九十]+条)"
    r"\s*(?:\()?\s*(?:适用范围|适用对象|申报对象|申请对象|支持对象|扶持对象|实施对象|申报主体|申请主体|"
    r"申报条件|申请条件|基本条件|支持条件|资格条件|认定条件|申报要求)"
)
_REQ_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+\s*[.、)])\s*")
_SUB_REQ = re.compile(r"^\s*\(\s*[一二三四五六七八九十]+\s*\)")
_SUPPORT_WORDS = re.compile(r"标准|方式|内容|重点|范围和")
MAX_REQUIREMENTS = 12


def programme_requirements(text: str) -> list[dict[str, Any]]:
    """The eligibility rules a programme (a fund's rules, an application notice) states once for
    all its support items, in its own words: each numbered line or sentence of its 申报主体 /
    申报条件 / 支持对象 / 适用范围 section(s), as a ``requirement`` condition (shown, not judged).
    Section and sub-section headings (申请单位条件) are not rules; a rule is quoted as written."""
    lines = [normalize(x).strip() for x in text.splitlines()]
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(lines) and len(out) < MAX_REQUIREMENTS:
        m = _REQ_HEAD.match(lines[i])
        if not m or _SUPPORT_WORDS.search(lines[i][:24]):
            i += 1  # 支持对象和补贴标准: the support items themselves, not who may apply
            continue
        body = [lines[i][m.end() :].lstrip(")").strip()]
        sub = lines[i].lstrip().startswith("(")  # a (二) section ends at the next (三)
        j = i + 1
        while j < len(lines):
            nxt = lines[j]
            ends = _ANY_HEAD.match(nxt) or (sub and _SUB_REQ.match(nxt))
            if ends and not (_REQ_HEAD.match(nxt) and not _SUPPORT_WORDS.search(nxt[:24])):
                break
            body.append(nxt)
            j += 1
        for line in body:
            rule = _REQ_ITEM.sub("", line).strip()
            # a heading (申请单位条件 / 申请项目必须符合以下条件:) introduces rules, it is not one
            if len(rule) < 8 or re.search(r"(?:以下|下列|如下)[^。;]{0,6}(?:条件|要求)[::]?$", rule):
                continue
            if not re.search(r"[。;]$", rule) and len(rule) <= 16:
                continue
            for sent in [x for x in re.split(r"(?<=[。;])", rule) if len(x.strip("。; ")) >= 6][:3]:
                sent = sent.strip()
                if len(out) >= MAX_REQUIREMENTS or any(c["text"] == sent for c in out):
                    continue
                out.append({"kind": "requirement", "text": sent[:160], "quote": sent[:160], "source": "document"})
        i = j
    return out


def _scope_audiences(sents: list[str]) -> list[dict[str, Any]]:
    """Audiences a scope section limits the document to (中小微型企业 …), one condition per
    sentence naming them (several audiences in one sentence: any of them)."""
    from matcher.rules.lexicon import load_lexicons

    rules = load_condition_rules()
    out: list[dict[str, Any]] = []
    for s in sents:
        names: list[str] = []
        quote = ""
        for a in load_lexicons().audiences.audience:
            for t in sorted(a.terms, key=len, reverse=True):
                i = s.find(t)
                if i < 0 or any(t in n and n in s for n in a.not_in):
                    continue
                if a.name not in names:
                    names.append(a.name)
                    quote = quote or s[max(0, i - 10) : i + len(t) + 10]
                break
        # the longer audience wins where terms overlap (中小微企业 ⊃ 小微企业 …)
        if names:
            kinds = {rules.audience_kinds.get(n, "audience") for n in names}
            out.append(
                {
                    "kind": kinds.pop() if len(kinds) == 1 else "audience",
                    "names": names,
                    "text": "面向" + "或".join(names),
                    "quote": quote,
                }
            )
    return out


def _scope_industries(sents: list[str]) -> list[dict[str, Any]]:
    """Industries a scope section names as eligible (企业行业类型符合…: 科创服务业 …)."""
    from matcher.rules.lexicon import load_lexicons

    text = "".join(sents)
    if not re.search(r"行业|产业", text):
        return []
    names: list[str] = []
    quote = ""
    for ind in load_lexicons().industries.industry:
        for t in ind.terms:
            i = text.find(t)
            if i >= 0:
                names.append(ind.name)
                quote = quote or text[max(0, i - 10) : i + len(t) + 10]
                break
    if not names:
        return []
    return [{"kind": "industry", "names": names, "text": "所属行业为" + "、".join(names) + "等", "quote": quote}]


# ── judging against a profile ────────────────────────────────────────────────


def _profile_value(profile: Any, field: str) -> float | None:
    if field == "rnd_ratio":
        rnd, rev = getattr(profile, "rnd", None), getattr(profile, "revenue", None)
        if rnd is None or not rev:
            return None
        return rnd / rev * 100
    if not field:
        return None
    v = getattr(profile, field, None)
    return float(v) if v is not None else None


def industry_tags(profile: Any) -> list[str]:
    """The lexicon's industry tags for a profile (its key industry, else its section)."""
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    spec = getattr(profile, "specialisation", None) or ""
    ind = getattr(profile, "industry", None) or ""
    key = (id(lex), spec, ind)
    got = _TAGS_MEMO.get(key)
    if got is None or got[0] is not lex:
        if len(_TAGS_MEMO) > 256:
            _TAGS_MEMO.clear()
        got = _TAGS_MEMO[key] = (lex, _industry_tags(lex, spec, ind))
    return list(got[1])


# (lexicons, key industry, section) → tags: asked for each industry condition of every
# candidate a match judges, worked out once (the lexicons object kept: an id is reused)
_TAGS_MEMO: dict[tuple[int, str, str], tuple[Any, tuple[str, ...]]] = {}


def _industry_tags(lex: Any, spec: str, ind: str) -> tuple[str, ...]:
    spec = normalize(spec)
    if spec:
        tags = lex.industries_for(spec)
        if tags:
            return tuple(tags)
    return tuple(lex.industries_for_section(ind)) if ind else ()


def question_for(c: dict[str, Any]) -> str:
    rules = load_condition_rules()
    if c["kind"] == "threshold":
        th = next((t for t in rules.threshold if t.field == c.get("field") and c.get("field")), None)
        if th is None:
            th = next((t for t in rules.threshold if c["quote"].startswith(tuple(t.terms))), None)
        return th.question if th else f"企业是否满足“{c['text']}”?"
    if c["kind"] == "age":
        return rules.age.question
    if c["kind"] == "area":
        return rules.area.question.format(area=c.get("name", ""))
    if c["kind"] == "industry":
        return rules.industry.question.format(industries="、".join(c.get("names", [])))
    if c["kind"] == "size":
        return rules.size.question.format(audiences="或".join(c.get("names", [])))
    if c["kind"] == "activity":
        from matcher.knowledge.audience import activity_question

        return activity_question(c)
    return f"企业是否满足“{c['text']}”?"


def judge(
    conditions: list[dict[str, Any]], profile: Any, *, as_of: _dt.date, in_audience: Callable[[str], bool | None]
) -> list[dict[str, Any]]:
    """Each condition with ``met`` (True / False / None) for this profile."""
    out = []
    for c in conditions:
        met: bool | None = None
        kind = c.get("kind")
        if kind == "requirement":
            continue  # stated in words: shown with the measure, never judged
        if kind in ("audience", "size", "ownership", "stage"):
            got = [in_audience(n) for n in c.get("names", [])]
            met = True if any(g is True for g in got) else (None if any(g is None for g in got) else False)
            if met is False and kind == "size" and not getattr(profile, "size", None):
                met = None  # the size is not known yet: ask it
        elif kind == "threshold":
            v = _profile_value(profile, c.get("field", ""))
            if v is not None:
                met = v >= c["value"] if c["op"] == "ge" else v <= c["value"]
        elif kind == "age":
            founded = getattr(profile, "founded", None)
            if founded:
                if c["op"] == "since":
                    met = founded >= c["value"]
                else:
                    age = as_of.year - founded
                    met = age < c["value"] if c["op"] == "le" else age >= c["value"]
        elif kind == "industry":
            tags = industry_tags(profile)
            if tags and set(tags) & set(c.get("names", [])):
                met = True
        elif kind == "activity":
            from matcher.knowledge.audience import activity_met

            met = activity_met(c, profile, industry_tags(profile))
        elif kind == "area":
            area = normalize(getattr(profile, "area", "") or "")
            if area:
                name = c.get("name", "")
                core = re.sub(r"(街道|镇|核心区|园区|开发区|片区|小镇)$", "", area)
                met = True if (area in name or name in area or (len(core) >= 2 and core in name)) else False
        out.append({**c, "met": met})
    return out
