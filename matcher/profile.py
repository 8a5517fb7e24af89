"""A company profile: what the officer or owner enters, normalised and checked.

Every value goes through the same steps: NFKC, Traditional→Simplified (OpenCC ``t2s``),
spaces collapsed; then it is looked up among the canonical names and aliases of
``resources/profile.toml`` (虹口 → 虹口区, 虹口區 → 虹口区); failing that, a near miss is
accepted when it is close and unambiguous (虹口去 → 虹口区, noted in ``corrections``).
Anything else raises :class:`~matcher.errors.BadInput` naming the field, the value, the
accepted values and the nearest one.

Size is either given (``size_decided_by == "直接填写"``) or computed from employees,
revenue and assets by the 2011 SME standard (:mod:`matcher.sme`), in which case
``size_decided_by`` quotes the rule that decided.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import fuzzy
from .profile_checks import cap_keywords, resolve_district, size_conflict
from .errors import BadInput, RuleFileError
from .rules import load_toml
from .sme import SizeDecision, classify, group_names
from .text import normalize

SIZE_GIVEN = "直接填写"
SIZE_UNKNOWN = "未填写"

# ── normalisation ────────────────────────────────────────────────────────────


def normalise_text(s: str) -> str:
    """NFKC, Traditional→Simplified, whitespace collapsed — :func:`matcher.text.normalize`,
    the same normaliser the documents go through."""
    return normalize(str(s))


_QUOTES = re.compile(r"[\s\"'“”‘’「」『』·・]")


def _key(s: str) -> str:
    """Lookup key: normalised, case-folded, without spaces and quotes."""
    return _QUOTES.sub("", normalise_text(s)).casefold()


# ── the rule file ────────────────────────────────────────────────────────────


class Choice(BaseModel):

    model_config = ConfigDict(extra="forbid")
    name: str
    aliases: list[str] = Field(default_factory=list)


class Section(BaseModel):
    """A section (门类) of GB/T 4754-2017."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-T]$")
    name: str
    aliases: list[str] = Field(default_factory=list)
    sme_groups: list[str] = Field(min_length=1)
    sub_industries: dict[str, str] = Field(default_factory=dict)  # word → SME group
    note: str = ""

    @model_validator(mode="after")
    def _subs_in_groups(self) -> "Section":
        for word, g in self.sub_industries.items():
            if g not in self.sme_groups:
                raise ValueError(f"{self.name}:sub_industries 中“{word}”指向的“{g}”不在 sme_groups 中")
        return self


class KeyIndustry(BaseModel):
    """A Shanghai key industry and the section it usually belongs to."""

    model_config = ConfigDict(extra="forbid")

    name: str
    section: str = Field(pattern=r"^[A-T]$")
    also: list[str] = Field(default_factory=list)
    sme_group: str | None = None
    aliases: list[str] = Field(default_factory=list)


class ProfileRules(BaseModel):
    """The validated ``resources/profile.toml``."""

    model_config = ConfigDict(extra="forbid")

    districts: list[Choice] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    key_industries: list[KeyIndustry] = Field(default_factory=list)
    sizes: list[Choice] = Field(min_length=1)
    zjtx: list[Choice] = Field(min_length=1)        # tier order, lowest first
    flags: list[Choice] = Field(default_factory=list)
    exclusive_flags: list[list[str]] = Field(default_factory=list)
    needs: list[Choice] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> "ProfileRules":
        for kind in ("districts", "sizes", "zjtx", "flags", "needs"):
            _lookup_table(kind, getattr(self, kind))  # raises on an alias used twice
        codes = {s.code for s in self.sections}
        if len(codes) != len(self.sections):
            raise ValueError("sections:门类代码重复")
        by_code = {s.code: s for s in self.sections}
        for k in self.key_industries:
            for c in [k.section, *k.also]:
                if c not in codes:
                    raise ValueError(f"key_industries.{k.name}:门类代码“{c}”不存在")
            if k.sme_group and k.sme_group not in by_code[k.section].sme_groups:
                raise ValueError(f"key_industries.{k.name}:sme_group“{k.sme_group}”不属于门类 {k.section}")
        flag_names = {f.name for f in self.flags}
        for grp in self.exclusive_flags:
            for f in grp:
                if f not in flag_names:
                    raise ValueError(f"exclusive_flags:“{f}”不是 flags 中的名称")
        _industry_table(self)  # raises on a name with two meanings
        return self

    # lists for the GUI, in file order
    @property
    def industries(self) -> list[str]:
        """The 20 section names (what the GUI lists as industries)."""
        return self.section_names()

    def district_names(self) -> list[str]:
        return [d.name for d in self.districts]

    def section_names(self) -> list[str]:
        return [s.name for s in self.sections]

    def key_industry_names(self) -> list[str]:
        return [k.name for k in self.key_industries]

    def size_names(self) -> list[str]:
        return [s.name for s in self.sizes]

    def zjtx_names(self) -> list[str]:
        return [z.name for z in self.zjtx]

    def flag_names(self) -> list[str]:
        return [f.name for f in self.flags]

    def need_names(self) -> list[str]:
        return [n.name for n in self.needs]

    def need_synonyms(self, need: str) -> list[str]:
        """The need and its aliases (贷款, 信贷 … for 融资)."""
        for n in self.needs:
            if n.name == need:
                return [n.name, *n.aliases]
        return []

    def zjtx_level(self, tier: str) -> int:
        """0 for 无, rising with the tier."""
        return self.zjtx_names().index(tier)

    def section(self, name_or_code: str) -> Section | None:
        for s in self.sections:
            if name_or_code in (s.name, s.code):
                return s
        return None

    def key_industry(self, name: str) -> KeyIndustry | None:
        for k in self.key_industries:
            if k.name == name:
                return k
        return None


def _lookup_table(kind: str, entries: list[Choice]) -> dict[str, str]:
    table: dict[str, str] = {}
    for e in entries:
        for word in [e.name, *e.aliases]:
            k = _key(word)
            if k in table and table[k] != e.name:
                raise ValueError(f"{kind}:“{word}”同时是“{table[k]}”和“{e.name}”的别名")
            table[k] = e.name
    return table


def _strip_ye(name: str) -> str | None:
    return name[:-1] if name.endswith("业") and len(name) > 2 else None


def _industry_table(rules: ProfileRules) -> dict[str, tuple[str, str | None, str | None]]:
    """Lookup key → (section code, key industry or None, SME group or None)."""
    table: dict[str, tuple[str, str | None, str | None]] = {}

    def put(word: str, target: tuple[str, str | None, str | None]) -> None:
        k = _key(word)
        if k in table and table[k] != target:
            raise ValueError(f"行业名称“{word}”有两种含义:{table[k]} 与 {target}")
        table[k] = target

    group_home: dict[str, set[str]] = {}
    for s in rules.sections:
        for g in s.sme_groups:
            group_home.setdefault(g, set()).add(s.code)
    for s in rules.sections:
        put(s.code, (s.code, None, None))
        for w in [s.name, *s.aliases]:
            put(w, (s.code, None, s.sme_groups[0] if len(s.sme_groups) == 1 else None))
        for w, g in s.sub_industries.items():
            put(w, (s.code, None, g))
        for g in s.sme_groups:
            if len(group_home[g]) == 1 and len(s.sme_groups) > 1:
                put(g, (s.code, None, g))
                if _strip_ye(g):
                    put(_strip_ye(g), (s.code, None, g))  # type: ignore[arg-type]
    for k in rules.key_industries:
        for w in [k.name, *k.aliases]:
            put(w, (k.section, k.name, k.sme_group))
    return table


@lru_cache(maxsize=1)
def load_profile_rules() -> ProfileRules:
    """The validated ``resources/profile.toml`` (cached). Also checks that every SME
    group it names exists in ``resources/sme_size.toml``."""
    rules = load_toml("profile.toml", ProfileRules)
    known = set(group_names())
    for s in rules.sections:
        for g in s.sme_groups:
            if g not in known:
                raise RuleFileError(f"规则文件 profile.toml 有误:门类 {s.code} {s.name} 的 sme_groups 中“{g}”"
                                    f"不是 sme_size.toml 中的行业(可选:{'、'.join(sorted(known))})")
    return rules


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    r = load_profile_rules()
    return {kind: _lookup_table(kind, getattr(r, kind)) for kind in ("districts", "sizes", "zjtx", "flags", "needs")}


@lru_cache(maxsize=1)
def _industry_map() -> dict[str, tuple[str, str | None, str | None]]:
    return _industry_table(load_profile_rules())


# ── resolving one value ──────────────────────────────────────────────────────

_MARGIN = 5.0


def _unknown(field: str, value: Any, accepted: list[str], table: dict[str, str], extra: str = "") -> BadInput:
    near = fuzzy.ranked(_key(str(value)), table, limit=3)
    top = [v for v, s in near if s > 0 and s == near[0][1]] if near else []
    nearest = ";最接近的是" + "或".join(f"“{v}”" for v in top) if top else ""
    sep = "," if any("、" in a for a in accepted) else "、"   # section names contain 、
    return BadInput(f"字段 {field} 的值“{value}”无法识别{extra}。可选值:{sep.join(accepted)}{nearest}")


def _resolve(field: str, value: Any, table: dict[str, str], accepted: list[str],
             corrections: list[str]) -> str:
    """Canonical name for ``value`` in ``table`` (key → name), or BadInput."""
    k = _key(str(value))
    if k in table:
        return table[k]
    hit = fuzzy.best_choice(k, table, cutoff=fuzzy.CHOICE_CUTOFF, margin=_MARGIN)
    if hit is not None:
        corrections.append(f"{field}:“{value}”按“{hit[0]}”处理")
        return hit[0]
    raise _unknown(field, value, accepted, table)


def _as_list(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in re.split(r"[,,、;;\s]+", normalise_text(value)) if p]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    raise BadInput(f"字段 {field} 应为列表或以逗号分隔的文字,实际是“{value}”")


_UNITS = {"人": 1.0, "名": 1.0, "万元": 1.0, "万": 1.0, "亿元": 10000.0, "亿": 10000.0, "元": 0.0001}


def _figure(field: str, value: Any) -> float | None:
    """A number ≥ 0 from a number or text such as "300人", "2000万元", "1.5亿"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(f"字段 {field} 的值“{value}”不是数字")
    if isinstance(value, (int, float)):
        v = float(value)
    else:
        s = normalise_text(str(value)).replace(",", "").replace(" ", "")
        m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(人|名|万元|万|亿元|亿|元)?", s)
        if not m:
            raise BadInput(f"字段 {field} 的值“{value}”不是数字(人数写人,金额以万元计,如 2000 或 2000万元)")
        unit = m.group(2) or ""
        if field == "employees" and unit not in ("", "人", "名"):
            raise BadInput(f"字段 employees 的值“{value}”应是人数")
        if field != "employees" and unit in ("人", "名"):
            raise BadInput(f"字段 {field} 的值“{value}”应是金额(万元)")
        v = float(m.group(1)) * _UNITS.get(unit, 1.0)
    if v != v or v < 0 or v == float("inf"):
        raise BadInput(f"字段 {field} 的值“{value}”必须是不小于 0 的数")
    if field == "employees" and not v.is_integer():
        raise BadInput(f"字段 employees 的值“{value}”应是整数")
    return v


def _founded(value: Any) -> int | None:
    """成立年份: 2019, "2019", "2019年", "2019-05-01" → 2019; not before 1900 nor in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(f"字段 founded(成立年份)的值“{value}”不是年份")
    s = normalise_text(str(value)).replace(" ", "")
    m = re.fullmatch(r"((?:19|20)\d{2})(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\.0)?", s)
    import datetime as _dt

    this_year = _dt.date.today().year
    if not m or not 1900 <= int(m.group(1)) <= this_year:
        raise BadInput(f"字段 founded(成立年份)的值“{value}”不是有效年份:请写四位年份,"
                       f"1900 至 {this_year} 之间,如 2019")
    return int(m.group(1))


_BRACKET = re.compile(r"^(?P<head>.*?)\s*[(\[【](?P<spec>[^()\[\]【】]+)[)\]】]\s*$")


def _resolve_industry(raw: Any, spec_in: Any, group_in: Any, corrections: list[str]) -> tuple[str | None, str | None, str | None]:
    """(section name, specialisation, SME group) for what was typed."""
    rules = load_profile_rules()
    table = _industry_map()
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
        if spec and _key(spec) != _key(bracket):
            raise BadInput(f"字段 industry 括号中的“{bracket}”与 specialisation“{spec}”不一致")
        spec = bracket
    k = _key(head)
    if k in table:
        code, key_ind, group = table[k]
    else:
        enc = {kk: "|".join(x or "" for x in v) for kk, v in table.items()}
        hit = fuzzy.best_choice(k, enc, cutoff=fuzzy.CHOICE_CUTOFF, margin=_MARGIN)
        if hit is None:
            names = {kk: (v[1] or rules.section(v[0]).name) for kk, v in table.items()}  # type: ignore[union-attr]
            raise _unknown("industry", raw, accepted, names)
        code, key_ind, group = (x or None for x in hit[0].split("|"))
        assert code is not None
        sec = rules.section(code)
        corrections.append(f"industry:“{head}”按“{key_ind or (sec.name if sec else code)}”处理")
    section = rules.section(code)
    assert section is not None
    if group is None and len(section.sme_groups) == 1:
        group = section.sme_groups[0]
    if spec:
        sk = _key(spec)
        subs = {_key(w): g for w, g in section.sub_industries.items()}
        for g in section.sme_groups:
            subs.setdefault(_key(g), g)
            if _strip_ye(g):
                subs.setdefault(_key(_strip_ye(g)), g)  # type: ignore[arg-type]
        keys = {kk: v[1] for kk, v in table.items() if v[1] is not None}
        if sk in subs:
            group = subs[sk]
        elif sk in keys:
            if key_ind and key_ind != keys[sk]:
                raise BadInput(f"字段 industry 的值“{raw}”同时指向重点产业“{key_ind}”和“{keys[sk]}”")
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
        g_key = _key(str(group_in))
        choices = {_key(g): g for g in section.sme_groups}
        choices.update({_key(_strip_ye(g)): g for g in section.sme_groups if _strip_ye(g)})  # type: ignore[arg-type]
        if g_key not in choices:
            raise _unknown("sme_group", group_in, section.sme_groups, choices,
                           extra=f"(门类“{section.name}”对应的划型行业)")
        group = choices[g_key]
    return section.name, key_ind, group


# ── the profile ──────────────────────────────────────────────────────────────

_FIELDS = ("district", "industry", "specialisation", "sme_group", "size", "employees", "revenue",
           "assets", "zjtx", "flags", "needs", "area", "keywords", "company", "founded", "tax", "rnd",
           "investment")
_IGNORED = ("size_decided_by", "size_needs_data", "corrections", "warnings", "industry_label", "zjtx_level")


class Profile(BaseModel):
    """A normalised company profile. Build it with :meth:`from_dict` / :meth:`from_json`
    (or ``Profile(**raw)``, the same); every value is checked and made canonical."""

    district: str
    industry: str | None = None            # a GB/T 4754-2017 section name
    specialisation: str | None = None      # a key industry (集成电路 …) or free text
    sme_group: str | None = None           # row of the 2011 SME standard, when known
    size: str | None = None                # 大型/中型/小型/微型, None when unknown
    size_decided_by: str = SIZE_UNKNOWN    # "直接填写", the SME rule that decided, or why not
    size_needs_data: list[str] = Field(default_factory=list)  # figures missing for a size
    employees: int | None = None
    revenue: float | None = None           # 万元
    assets: float | None = None            # 万元
    founded: int | None = None             # 成立年份
    tax: float | None = None               # 上年度纳税额(税收贡献),万元
    rnd: float | None = None               # 上年度研发投入,万元
    investment: float | None = None        # 计划申报项目的投资额,万元
    zjtx: str = "无"
    flags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    area: str = ""
    keywords: str = ""
    corrections: list[str] = Field(default_factory=list)  # near misses accepted, e.g. 新能原 → 新能源
    warnings: list[str] = Field(default_factory=list)     # values kept but worth checking (caps, size)
    company: str = ""                      # optional: the company's name, printed on the handout

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> dict[str, Any]:
        if isinstance(data, Profile):
            data = data.model_dump()
        if not isinstance(data, dict):
            raise BadInput(f"企业档案应是一个 JSON 对象,实际是 {type(data).__name__}")
        return _normalise_profile(data)

    # ── constructors and output ──

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Profile":
        return cls.model_validate(data)

    @classmethod
    def from_json(cls, path: str | Path) -> "Profile":
        """Read a profile file: a JSON object with the profile fields (or ``{"profile": {…}}``)."""
        from .jsonfile import read_json

        p = Path(path)
        data = read_json(p, "企业档案文件")   # any encoding the text import accepts; nesting limited
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
            raise BadInput(f"企业档案文件 {path} 无法写入:{e.strerror or e}") from None

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
            extra = _strip_ye(self.sme_group) or self.sme_group
        return f"{self.industry} ({extra})" if extra else self.industry

    @property
    def zjtx_level(self) -> int:
        """0 for 无, then 1, 2, 3 up the 专精特新 tiers."""
        return load_profile_rules().zjtx_level(self.zjtx)

    @property
    def keyword_terms(self) -> list[str]:
        """The keywords split into terms ("航运 船舶代理" → ["航运", "船舶代理"])."""
        return [t for t in re.split(r"[\s,,、;;/|。]+", self.keywords) if t]


def _normalise_profile(data: dict[str, Any]) -> dict[str, Any]:
    unknown = [k for k in data if k not in _FIELDS and k not in _IGNORED]
    if unknown:
        near = fuzzy.best_choice(str(unknown[0]), list(_FIELDS), cutoff=50.0)
        hint = f";是否想写“{near[0]}”?" if near else ""
        raise BadInput(f"企业档案中有无法识别的字段“{unknown[0]}”。可用字段:{'、'.join(_FIELDS)}{hint}")
    rules = load_profile_rules()
    tables = _tables()
    fixes: list[str] = []
    out: dict[str, Any] = {}

    district = data.get("district")
    if district in (None, "") or not str(district).strip():
        raise BadInput(f"缺少字段 district(所在区)。可选值:{'、'.join(rules.district_names())}")
    d = str(district)
    dk = re.sub(r"^上海市?", "", normalise_text(d)) or d
    out["district"] = resolve_district(d, _key(dk) if _key(dk) in tables["districts"] else _key(d),
                                       tables["districts"], rules.district_names())
    warnings: list[str] = []

    out["industry"], out["specialisation"], out["sme_group"] = _resolve_industry(
        data.get("industry"), data.get("specialisation"), data.get("sme_group"), fixes)

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
    out["zjtx"] = "无" if z in (None, "") or not str(z).strip() else \
        _resolve("zjtx", z, tables["zjtx"], rules.zjtx_names(), fixes)

    for f, names in (("flags", rules.flag_names()), ("needs", rules.need_names())):
        got = {_resolve(f, v, tables[f], names, fixes) for v in _as_list(f, data.get(f))}
        out[f] = [n for n in names if n in got]     # canonical order, no duplicates
    for grp in rules.exclusive_flags:
        both = [f for f in grp if f in out["flags"]]
        if len(both) > 1:
            raise BadInput(f"字段 flags 中的“{'”与“'.join(both)}”不能同时成立,请只保留一个")

    area = data.get("area")
    out["area"] = normalise_text(area) if area else ""
    kw = data.get("keywords")
    if isinstance(kw, (list, tuple)):
        kw = " ".join(str(x) for x in kw)
    capped: list[str] = []
    if kw:
        raw, capped = cap_keywords(str(kw))            # before normalising: a 1 MB text costs nothing
        kw, more = cap_keywords(normalise_text(raw))
        capped += [w for w in more if w not in capped]
    out["keywords"] = kw or ""
    out["corrections"] = fixes
    out["warnings"] = warnings + capped
    company = data.get("company")
    if company is not None and not isinstance(company, str):
        raise BadInput(f"字段 company(企业名称)应是文字,实际是“{company}”")
    out["company"] = " ".join(str(company or "").split())[:100]
    return out


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
        raise BadInput(f"字段 industry 的值“{out['industry']}”对应多个划型行业({options}),无法计算企业规模;"
                       f"请写成“{out['industry']} ({_strip_ye(sec.sme_groups[0]) if sec else ''})”这样的形式,"
                       f"或填写 sme_group,或直接填写 size")
    return classify(group, out["employees"], out["revenue"], out["assets"])
