"""A company profile: what the officer or owner enters, normalised and checked.

Every value is resolved by :mod:`matcher.profile.resolver` (the one resolver the CLI and the
window share), driven by ``resources/profile.toml`` (:mod:`matcher.rules.profile_rules`).

Size is either given (``size_decided_by == "直接填写"``) or computed from employees,
revenue and assets by the 2011 SME standard (:mod:`matcher.rules.sme`), in which case
``size_decided_by`` quotes the rule that decided.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from matcher.common import fuzzy
from matcher.common.cleantext import clean_field, strip_controls
from matcher.common.paths import os_reason
from matcher.errors import BadInput
from matcher.profile.checks import cap_keywords, size_conflict
from matcher.profile.resolver import (
    _as_list,
    _decide_size,
    _figure,
    _founded,
    _resolve,
    _resolve_industry,
    resolve_district,
)
from matcher.rules.profile_rules import (
    SIZE_GIVEN,
    SIZE_UNKNOWN,
    load_profile_rules,
    lookup_tables,
    normalise_text,
    strip_ye,
)

# ── the profile ──────────────────────────────────────────────────────────────

_FIELDS = (
    "district",
    "industry",
    "specialisation",
    "sme_group",
    "size",
    "employees",
    "revenue",
    "assets",
    "zjtx",
    "flags",
    "needs",
    "area",
    "keywords",
    "company",
    "founded",
    "tax",
    "rnd",
    "investment",
)
_JSON_KINDS = {
    list: "一个数组([...])",
    str: "一段文字",
    int: "一个数字",
    float: "一个数字",
    bool: "true/false",
    type(None): "null",
}
_IGNORED = ("size_decided_by", "size_needs_data", "corrections", "warnings", "industry_label", "zjtx_level")


class Profile(BaseModel):
    """A normalised company profile. Build it with :meth:`from_dict` / :meth:`from_json`
    (or ``Profile(**raw)``, the same); every value is checked and made canonical."""

    district: str
    industry: str | None = None  # a GB/T 4754-2017 section name
    specialisation: str | None = None  # a key industry (集成电路 …) or free text
    sme_group: str | None = None  # row of the 2011 SME standard, when known
    size: str | None = None  # 大型/中型/小型/微型, None when unknown
    size_decided_by: str = SIZE_UNKNOWN  # "直接填写", the SME rule that decided, or why not
    size_needs_data: list[str] = Field(default_factory=list)  # figures missing for a size
    employees: int | None = None
    revenue: float | None = None  # 万元
    assets: float | None = None  # 万元
    founded: int | None = None  # 成立年份
    tax: float | None = None  # 上年度纳税额(税收贡献),万元
    rnd: float | None = None  # 上年度研发投入,万元
    investment: float | None = None  # 计划申报项目的投资额,万元
    zjtx: str = "无"
    flags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    area: str = ""
    keywords: str = ""
    corrections: list[str] = Field(default_factory=list)  # near misses accepted, e.g. 新能原 → 新能源
    warnings: list[str] = Field(default_factory=list)  # values kept but worth checking (caps, size)
    company: str = ""  # optional: the company's name, printed on the handout

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> dict[str, Any]:
        if isinstance(data, Profile):
            data = data.model_dump()
        if not isinstance(data, dict):
            kind = _JSON_KINDS.get(type(data), "其他内容")
            raise BadInput(f"企业档案应是一个 JSON 对象({{...}}),实际是{kind}")
        return _normalise_profile(data)

    # ── constructors and output ──

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls.model_validate(data)

    @classmethod
    def from_json(cls, path: str | Path) -> Profile:
        """Read a profile file: a JSON object with the profile fields (or ``{"profile": {…}}``)."""
        from matcher.common.jsonfile import read_json

        p = Path(path)
        data = read_json(p, "企业档案文件")  # any encoding the text import accepts; nesting limited
        if isinstance(data, dict) and isinstance(data.get("profile"), dict) and "district" not in data:
            data = data["profile"]
        try:
            return cls.from_dict(data)
        except BadInput as e:
            raise BadInput(f"企业档案文件 {p}:{e}") from None

    def to_json(self, path: str | Path) -> None:
        """Write the profile so that :meth:`from_json` reads back the same profile
        (a computed size is left out: it is recomputed from the figures)."""
        data = self.model_dump(exclude={"size_decided_by", "size_needs_data", "corrections", "warnings"})
        if self.size_decided_by != SIZE_GIVEN:
            data.pop("size")
        try:
            Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as e:
            raise BadInput(f"企业档案文件 {path} 无法写入:{os_reason(e)}") from None

    def to_public_dict(self) -> dict[str, Any]:
        """The profile as shown in a match answer (``"profile"`` in ``match --format json``)."""
        d = self.model_dump()
        d["industry_label"] = self.industry_label
        d["zjtx_level"] = self.zjtx_level
        return d

    @property
    def industry_label(self) -> str:
        """The industry as a person writes it: "交通运输、仓储和邮政业 (航运)"."""
        if not self.industry:
            return ""
        extra = self.specialisation
        sec = load_profile_rules().section(self.industry)
        if not extra and self.sme_group and sec is not None and len(sec.sme_groups) > 1:
            extra = strip_ye(self.sme_group) or self.sme_group
        return f"{self.industry} ({extra})" if extra else self.industry

    @property
    def zjtx_level(self) -> int:
        """0 for 无, then 1, 2, 3 up the 专精特新 tiers."""
        return load_profile_rules().zjtx_level(self.zjtx)

    @property
    def keyword_terms(self) -> list[str]:
        """The keywords split into terms ("航运 船舶代理" → ["航运", "船舶代理"])."""
        return [t for t in re.split(r"[\s,,、;;/|。]+", self.keywords) if t]


#: Longest value of a field chosen from a list (a district, an industry, a need …) or a
#: figure: longer is refused at once, and never echoed whole (keywords and the company
#: name have their own caps).
MAX_CHOICE_CHARS = 200


def _too_long(data: dict[str, Any]) -> None:
    for k, v in data.items():
        if k in ("keywords", "company"):
            continue
        for x in v if isinstance(v, (list, tuple)) else [v]:
            if isinstance(x, str) and len(x) > MAX_CHOICE_CHARS:
                raise BadInput(
                    f"字段 {k} 的值太长({len(x):,} 个字符,开头是“{clean_field(x[:20])}…”),"
                    f"超过 {MAX_CHOICE_CHARS} 个字符:这里应填一个选项或一个数,请检查是否填错了位置。"
                )


def _normalise_profile(data: dict[str, Any]) -> dict[str, Any]:
    unknown = [k for k in data if k not in _FIELDS and k not in _IGNORED]
    if unknown:
        near = fuzzy.best_choice(clean_field(str(unknown[0]))[:60], list(_FIELDS), cutoff=50.0)
        hint = f";是否想写“{near[0]}”?" if near else ""
        shown = clean_field(str(unknown[0]), 60)
        raise BadInput(f"企业档案中有无法识别的字段“{shown}”。可用字段:{'、'.join(_FIELDS)}{hint}")
    _too_long(data)
    rules = load_profile_rules()
    tables = lookup_tables()
    fixes: list[str] = []
    out: dict[str, Any] = {}

    out["district"] = resolve_district(data.get("district"))
    warnings: list[str] = []

    out["industry"], out["specialisation"], out["sme_group"] = _resolve_industry(
        data.get("industry"), data.get("specialisation"), data.get("sme_group"), fixes
    )

    for f in ("employees", "revenue", "assets", "tax", "rnd", "investment"):
        v = _figure(f, data.get(f))
        out[f] = int(v) if f == "employees" and v is not None else v
    out["founded"] = _founded(data.get("founded"))

    size = data.get("size")
    figures_given = any(out[f] is not None for f in ("employees", "revenue", "assets"))
    if data.get("size_decided_by") not in (None, "", SIZE_GIVEN, SIZE_UNKNOWN) and figures_given:
        size = None  # a size computed earlier (to_public_dict): compute it again
    if size not in (None, "") and str(size).strip():
        out["size"] = _resolve("size", size, tables["sizes"], rules.size_names(), fixes)
        out["size_decided_by"] = SIZE_GIVEN
        clash = size_conflict(out["size"], out["sme_group"], {f: out[f] for f in ("employees", "revenue", "assets")})
        if clash:
            warnings.append(clash)
    elif figures_given:
        dec = _decide_size(out)
        out["size"], out["size_decided_by"], out["size_needs_data"] = dec.size, dec.rule, dec.needs_data
    else:
        out["size"], out["size_decided_by"] = None, SIZE_UNKNOWN

    z = data.get("zjtx")
    out["zjtx"] = (
        "无"
        if z in (None, "") or not str(z).strip()
        else _resolve("zjtx", z, tables["zjtx"], rules.zjtx_names(), fixes)
    )

    for f, names in (("flags", rules.flag_names()), ("needs", rules.need_names())):
        got = {_resolve(f, v, tables[f], names, fixes) for v in _as_list(f, data.get(f))}
        out[f] = [n for n in names if n in got]  # canonical order, no duplicates
    for grp in rules.exclusive_flags:
        both = [f for f in grp if f in out["flags"]]
        if len(both) > 1:
            raise BadInput(f"字段 flags 中的“{'”与“'.join(both)}”不能同时成立,请只保留一个")

    area = data.get("area")
    out["area"] = normalise_text(clean_field(str(area))) if area else ""
    kw = data.get("keywords")
    if isinstance(kw, (list, tuple)):
        kw = " ".join(str(x) for x in kw)
    if kw:
        kw = strip_controls(str(kw))  # escapes and bidi controls: never printed or matched
    capped: list[str] = []
    if kw:
        raw, capped = cap_keywords(str(kw))  # before normalising: a 1 MB text costs nothing
        kw, more = cap_keywords(normalise_text(raw))
        capped += [w for w in more if w not in capped]
    out["keywords"] = kw or ""
    out["corrections"] = fixes
    out["warnings"] = warnings + capped
    company = data.get("company")
    if company is not None and not isinstance(company, str):
        raise BadInput(f"字段 company(企业名称)应是文字,实际是“{company}”")
    out["company"] = clean_field(str(company or ""))[:100]  # printed on the handout: no bidi, no escapes
    return out
