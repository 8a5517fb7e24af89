"""The one resolver: what a person typed → the canonical value, for every front end.

The CLI's options (``match``, ``search``, ``kb list``, ``ingest``), a profile file and the
window's form all go through these functions, driven by ``resources/profile.toml``
(:mod:`matcher.rules.profile_rules`). Every value: NFKC, Traditional→Simplified, spaces and
quotes dropped, case folded; then looked up among the canonical names and aliases (虹口 →
虹口区, 虹口區 → 虹口区, and the former districts: 闸北区 → 静安区 …). A near
miss is accepted for the other fields when it is close and unambiguous (noted in
``corrections``), never for a district: the district decides everything, so ``虹口曲`` is
refused with the suggestion. Anything else raises :class:`~matcher.errors.BadInput`
naming the field, the value, the accepted values and the nearest one.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.common import fuzzy
from matcher.common.cleantext import clean_field
from matcher.errors import BadInput
from matcher.rules.profile_rules import (
    industry_map,
    load_profile_rules,
    lookup_key,
    lookup_tables,
    normalise_text,
    strip_ye,
)
from matcher.rules.sme import SizeDecision, classify, load_size_table

# ── the district ─────────────────────────────────────────────────────────────

#: Lowest score (0–100) for a district to be suggested as what was meant.
SUGGEST_CUTOFF = 60.0
_REGION = re.compile(r"^(.{2,8}?(?:省|自治区|特别行政区|市))")
_SHANGHAI = re.compile(r"^上海市?")


def _shown(value: object) -> str:
    """A value as echoed in a message: one line, no escapes, at most 60 characters."""
    return clean_field(str(value), 60)


def city_name() -> str:
    """The district value of a city-level (市级) document: ``上海市``."""
    return load_profile_rules().city.name


def resolve_district(value: Any, *, field: str = "district", city: bool = False) -> str:
    """The canonical district for what was typed (``虹口``, ``虹口區``, ``上海市虹口区``,
    ``闸北区`` …), or BadInput naming ``field``.

    ``city=True`` where a document's district is asked (ingest, kb list): the city level
    (``上海市``, ``全市``, ``市级``, ``本市``) is accepted and returned as :func:`city_name`.
    A profile's district is never the city: a company is in one of the 16 districts.
    ``field`` is how the message names the input: ``district`` (a profile field) or an
    option such as ``--district``.
    """
    rules = load_profile_rules()
    tables = lookup_tables()
    names = rules.district_names()
    label = field if field.startswith("-") else f"字段 {field}"
    if value is None or not str(value).strip():
        raise BadInput(f"缺少{label}(所在区)。可选值:{'、'.join(names)}")
    raw = str(value)
    key = lookup_key(raw)
    if city and key in tables["city"]:
        return rules.city.name
    if key not in tables["districts"]:
        rest = _SHANGHAI.sub("", key)  # 上海市虹口区, 上海 虹口, 上海 市 虹口区
        if rest in tables["districts"]:
            key = rest
    if key in tables["districts"]:
        return tables["districts"][key]
    shown = "、".join(names)
    if key in tables["city"]:  # the city level where a company's district is asked
        raise BadInput(f"{label} 的值“{_shown(raw)}”是市级,不是一个区:企业所在区请写上海的 16 个区之一。可选值:{shown}")
    also = f";市级文件写 {rules.city.name}(也可写 {'、'.join(rules.city.aliases)})" if city else ""
    region = _REGION.match(normalise_text(raw).strip())
    if region and not region.group(1).startswith("上海"):
        raise BadInput(
            f"{label} 的值“{_shown(raw)}”不在上海市({region.group(1)}),PolicyDesk 只收录上海市各区的政策。可选值:{shown}{also}"
        )
    near = fuzzy.ranked(key, tables["districts"], limit=3)
    top = [v for v, sc in near if sc >= SUGGEST_CUTOFF and sc == near[0][1]]
    nearest = (";最接近的是" + "或".join(f"“{v}”" for v in top)) if top else ""
    what = "不是上海的区" if field.startswith("-") else "无法识别"
    raise BadInput(f"{label} 的值“{_shown(raw)}”{what}。可选值:{shown}{also}{nearest}")


def district_slug(district: str) -> str:
    """The pinyin used in document ids (``虹口区`` → ``hongkou``, ``上海市`` → ``shanghai``)."""
    return load_profile_rules().district_slug(district)


# ── resolving one value ──────────────────────────────────────────────────────

_MARGIN = 5.0


def _unknown(field: str, value: Any, accepted: list[str], table: dict[str, str], extra: str = "") -> BadInput:
    near = fuzzy.ranked(lookup_key(str(value)), table, limit=3)
    top = [v for v, s in near if s > 0 and s == near[0][1]] if near else []
    nearest = ";最接近的是" + "或".join(f"“{v}”" for v in top) if top else ""
    sep = "," if any("、" in a for a in accepted) else "、"  # section names contain 、
    return BadInput(f"字段 {field} 的值“{_shown(value)}”无法识别{extra}。可选值:{sep.join(accepted)}{nearest}")


def _resolve(field: str, value: Any, table: dict[str, str], accepted: list[str], corrections: list[str]) -> str:
    """Canonical name for ``value`` in ``table`` (key → name), or BadInput."""
    k = lookup_key(str(value))
    if k in table:
        return table[k]
    hit = fuzzy.best_choice(k, table, cutoff=fuzzy.CHOICE_CUTOFF, margin=_MARGIN)
    if hit is not None:
        corrections.append(f"{field}:“{_shown(value)}”按“{hit[0]}”处理")
        return hit[0]
    raise _unknown(field, value, accepted, table)


def _as_list(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in re.split(r"[,,、;;\s]+", normalise_text(value)) if p]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    raise BadInput(f"字段 {field} 应为列表或以逗号分隔的文字,实际是“{_shown(value)}”")


_UNITS = {"人": 1.0, "名": 1.0, "万元": 1.0, "万": 1.0, "亿元": 10000.0, "亿": 10000.0, "元": 0.0001}


def _figure(field: str, value: Any) -> float | None:
    """A number ≥ 0 from a number or text such as "300人", "2000万元", "1.5亿"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(f"字段 {field} 的值“{_shown(value)}”不是数字")
    if isinstance(value, (int, float)):
        v = float(value)
    else:
        s = normalise_text(str(value)).replace(",", "").replace(" ", "")
        m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(人|名|万元|万|亿元|亿|元)?", s)
        if not m:
            raise BadInput(f"字段 {field} 的值“{_shown(value)}”不是数字(人数写人,金额以万元计,如 2000 或 2000万元)")
        unit = m.group(2) or ""
        if field == "employees" and unit not in ("", "人", "名"):
            raise BadInput(f"字段 employees 的值“{_shown(value)}”应是人数")
        if field != "employees" and unit in ("人", "名"):
            raise BadInput(f"字段 {field} 的值“{_shown(value)}”应是金额(万元)")
        v = float(m.group(1)) * _UNITS.get(unit, 1.0)
    if v != v or v < 0 or v == float("inf"):
        raise BadInput(f"字段 {field} 的值“{_shown(value)}”必须是不小于 0 的数")
    if field == "employees" and not v.is_integer():
        raise BadInput(f"字段 employees 的值“{_shown(value)}”应是整数")
    return v


def _founded(value: Any) -> int | None:
    """成立年份: 2019, "2019", "2019年", "2019-05-01" → 2019; not before 1900 nor in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(f"字段 founded(成立年份)的值“{_shown(value)}”不是年份")
    s = normalise_text(str(value)).replace(" ", "")
    m = re.fullmatch(r"((?:19|20)\d{2})(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\.0)?", s)
    import datetime as _dt

    this_year = _dt.date.today().year
    if not m or not 1900 <= int(m.group(1)) <= this_year:
        raise BadInput(
            f"字段 founded(成立年份)的值“{_shown(value)}”不是有效年份:请写四位年份,1900 至 {this_year} 之间,如 2019"
        )
    return int(m.group(1))


_BRACKET = re.compile(r"^(?P<head>.*?)\s*[(\[【](?P<spec>[^()\[\]【】]+)[)\]】]\s*$")


def _resolve_industry(
    raw: Any, spec_in: Any, group_in: Any, corrections: list[str]
) -> tuple[str | None, str | None, str | None]:
    """(section name, specialisation, SME group) for what was typed."""
    rules = load_profile_rules()
    table = industry_map()
    accepted = rules.section_names() + rules.key_industry_names()
    spec = normalise_text(spec_in) if spec_in not in (None, "") else None
    head = normalise_text(raw) if raw not in (None, "") else ""
    if not head:
        if spec or group_in:
            raise BadInput("字段 industry 为空,但填写了 specialisation 或 sme_group;请先填写行业门类")
        return None, None, None
    m = _BRACKET.match(head)
    if m and m.group("head").strip():
        head, bracket = m.group("head").strip(), m.group("spec").strip()
        if spec and lookup_key(spec) != lookup_key(bracket):
            raise BadInput(f"字段 industry 括号中的“{bracket}”与 specialisation“{spec}”不一致")
        spec = bracket
    k = lookup_key(head)
    if k in table:
        code, key_ind, group = table[k]
    else:
        enc = {kk: "|".join(x or "" for x in v) for kk, v in table.items()}
        hit = fuzzy.best_choice(k, enc, cutoff=fuzzy.CHOICE_CUTOFF, margin=_MARGIN)
        if hit is None:
            names = {kk: (v[1] or (sec.name if (sec := rules.section(v[0])) else v[0])) for kk, v in table.items()}
            raise _unknown("industry", raw, accepted, names)
        code, found_key, found_group = hit[0].split("|")
        key_ind, group = found_key or None, found_group or None
        sec = rules.section(code)
        corrections.append(f"industry:“{head}”按“{key_ind or (sec.name if sec else code)}”处理")
    section = rules.section(code)
    assert section is not None
    if group is None and len(section.sme_groups) == 1:
        group = section.sme_groups[0]
    if spec:
        sk = lookup_key(spec)
        subs = {lookup_key(w): g for w, g in section.sub_industries.items()}
        for g in section.sme_groups:
            subs.setdefault(lookup_key(g), g)
            if short := strip_ye(g):
                subs.setdefault(lookup_key(short), g)
        keys = {kk: v[1] for kk, v in table.items() if v[1] is not None}
        if sk in subs:
            group = subs[sk]
        elif sk in keys:
            if key_ind and key_ind != keys[sk]:
                raise BadInput(f"字段 industry 的值“{_shown(raw)}”同时指向重点产业“{key_ind}”和“{keys[sk]}”")
            key_ind = keys[sk]
            ki = rules.key_industry(key_ind)
            if ki and ki.sme_group and ki.sme_group in section.sme_groups and group is None:
                group = ki.sme_group
        else:
            near = fuzzy.best_choice(sk, keys, cutoff=80.0, margin=_MARGIN)
            if near is not None:
                corrections.append(f"industry:“{spec}”按“{near[0]}”处理")
                key_ind = near[0]
            elif key_ind is None:
                key_ind = spec  # a free specialisation, kept as written (normalised)
    if group_in not in (None, ""):
        g_key = lookup_key(str(group_in))
        choices = {lookup_key(g): g for g in section.sme_groups}
        choices.update({lookup_key(short): g for g in section.sme_groups if (short := strip_ye(g))})
        if g_key not in choices:
            raise _unknown(
                "sme_group", group_in, section.sme_groups, choices, extra=f"(门类“{section.name}”对应的划型行业)"
            )
        group = choices[g_key]
    return section.name, key_ind, group


def sme_group_for(industry: str, sme_group: str | None = None) -> str:
    """The SME standard row for an industry as a profile may write it ("制造业",
    "批发和零售业 (零售)", "集成电路" …); BadInput when unknown or when the section has
    several rows and nothing chooses one."""
    section, _spec, group = _resolve_industry(industry, None, sme_group, [])
    if group is None:
        return _decide_size({"industry": section, "sme_group": None}).group  # raises BadInput
    return group


def _decide_size(out: dict[str, Any]) -> SizeDecision:
    if out["industry"] is None:
        raise BadInput("要按从业人员、营业收入、资产总额计算企业规模,需要先填写字段 industry(行业)")
    group = out["sme_group"]
    if group is None:
        sec = load_profile_rules().section(out["industry"])
        options = "、".join(sec.sme_groups) if sec else ""
        raise BadInput(
            f"字段 industry 的值“{out['industry']}”对应多个划型行业({options}),无法计算企业规模;"
            f"请写成“{out['industry']} ({strip_ye(sec.sme_groups[0]) if sec else ''})”这样的形式,"
            f"或填写 sme_group,或直接填写 size"
        )
    return classify(group, out["employees"], out["revenue"], out["assets"])


def classify_size(
    industry: str, employees: float | None = None, revenue: float | None = None, assets: float | None = None
) -> SizeDecision:
    """Size by the 2011 SME standard for an industry as anyone may write it: a row of the
    standard ("工业", "零售业"), an industry the row covers ("制造业"), or any industry a
    profile accepts that settles the row ("金融业", "批发和零售业 (零售)", "集成电路")."""
    table = load_size_table()
    group = industry if table.group(industry) is not None else None
    if group is None:
        try:
            group = sme_group_for(industry)
        except BadInput as e:
            if "多个划型行业" in str(e):
                raise  # a known industry whose row must be chosen; the message says how
            names = "、".join(g.name for g in table.groups)
            raise BadInput(f"“{industry}”不是划型标准中的行业,也不是可识别的行业。可选值:{names}") from None
    return classify(group, employees, revenue, assets)
