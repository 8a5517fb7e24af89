"""The enrichment lexicons: ``resources/{offices,audiences,categories,industries,areas,internal}.toml``.

Every file is validated by pydantic at load (through :func:`matcher.rules.loader.load_toml`);
a bad file is refused with a :class:`~matcher.errors.RuleFileError` naming the file, the
entry and the field. :func:`load_lexicons` returns one :class:`Lexicons` aggregate, cached
for the default ``resources/`` folder.

Term lists are plain substrings of Simplified, NFKC-normalised text. Regular expressions
are used only in ``internal.toml`` (``pattern``) and ``audiences.toml`` (``non_limiting``),
and are compiled at load so a broken one is refused there, not at match time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from matcher.rules.loader import load_toml

FILES = {
    "offices": "offices.toml",
    "audiences": "audiences.toml",
    "categories": "categories.toml",
    "industries": "industries.toml",
    "areas": "areas.toml",
    "internal": "internal.toml",
}

#: The profile's needs (resources/profile.toml); categories.toml must map each of them.
NEEDS = (
    "融资",
    "人才",
    "场地",
    "证照审批",
    "税务",
    "知识产权",
    "法律服务",
    "用工就业",
    "跨境贸易",
    "科技创新",
    "政策咨询",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_regex(v: str) -> str:
    try:
        re.compile(v.replace("{term}", "X"))
    except re.error as e:
        raise ValueError(f"不是有效的正则表达式:{e}") from None
    return v


# --------------------------------------------------------------------------- offices


class Office(_Strict):
    name: str = Field(min_length=2)
    # district: a district government body (区…) | municipal: a city government body (市…),
    # inferred only for city-level documents | city: a city body that serves districts
    # (customs) | other: not a government body (group companies, exchanges) | generic (各相关部门)
    kind: Literal["district", "municipal", "generic", "city", "other"] = "district"
    aliases: list[str] = Field(default_factory=list)
    # the city body doing this office's work, for city-level (市级) documents
    city: str = ""
    # responsibility lexicon: term → weight; used to infer this office from a measure's words
    terms: dict[str, float] = Field(default_factory=dict)
    # district → the local name of this office there (e.g. 虹口区 → 虹口海关)
    local: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _weights(self) -> Office:
        for term, w in self.terms.items():
            if not term.strip():
                raise ValueError(f"部门“{self.name}”的 terms 含空词条")
            if w <= 0:
                raise ValueError(f"部门“{self.name}”的 terms 中词条“{term}”的权重必须大于 0(实际 {w:g})")
        return self


class OfficeLabels(_Strict):
    lead: list[str] = Field(min_length=1)  # 牵头单位, 牵头部门, 牵头责任部门 …
    # 责任单位, 执行单位, 主管部门, 受理部门 …: lead, unless the note also has a lead label
    # (牵头单位:A,责任单位:B — then B supports)
    responsible: list[str] = Field(default_factory=list)
    support: list[str] = Field(default_factory=list)  # 配合单位, 协办单位 …
    # verbs after an office named at the head of a paragraph (区发改委负责…, 市交通委:…)
    head_verbs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _labels(self) -> OfficeLabels:
        seen: set[str] = set()
        for kind in ("lead", "responsible", "support"):
            for label in getattr(self, kind):
                if not label.strip():
                    raise ValueError(f"[labels] {kind} 含空标签")
                if label in seen:
                    raise ValueError(f"[labels] 标签“{label}”重复出现")
                seen.add(label)
        return self


class DistrictOffices(_Strict):
    """One district's own names: canonical office → the name that district's body bears
    (静安区: 区科委 → 区科技经济委, 区投促办 → 区投资办)."""

    name: str = Field(min_length=2)
    local: dict[str, str] = Field(default_factory=dict)


class InferSettings(_Strict):
    max_offices: int = Field(default=3, ge=1)
    min_score: float = Field(default=2.0, gt=0)
    ratio: float = Field(default=0.5, gt=0, le=1)  # keep offices scoring ≥ ratio × the best
    count_cap: int = Field(default=2, ge=1)  # occurrences of one term counted at most
    heading_weight: float = Field(default=1.0, ge=0)
    # a term that names an audience (民营企业, 中小企业 …: who benefits) says little about
    # who administers: it counts once, at this share of its weight
    audience_factor: float = Field(default=0.5, ge=0, le=1)
    # phrases whose words point at no office (依法合规给予支持: how any office grants what it
    # grants): a term inside one of them does not count
    neutral: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _neutral(self) -> InferSettings:
        if any(not t.strip() for t in self.neutral):
            raise ValueError("[infer] neutral 含空字符串(空词条处处都会命中)")
        return self


class OfficesFile(_Strict):
    labels: OfficeLabels
    infer: InferSettings = Field(default_factory=InferSettings)
    office: list[Office] = Field(min_length=1)
    district: list[DistrictOffices] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> OfficesFile:
        seen: dict[str, str] = {}
        for o in self.office:
            for n in [o.name, *o.aliases]:
                if n in seen and seen[n] != o.name:
                    raise ValueError(f"名称/别名“{n}”同时属于 {seen[n]} 和 {o.name}")
                seen[n] = o.name
        names = {o.name for o in self.office}
        for o in self.office:
            if o.city and o.city not in names:
                raise ValueError(f"部门“{o.name}”的 city “{o.city}”不是已列出的部门")
        for d in self.district:
            for k in d.local:
                if k not in names:
                    raise ValueError(f"[[district]] {d.name} 的 local 中“{k}”不是已列出的部门")
        return self


# --------------------------------------------------------------------------- tag lexicons


class TagEntry(_Strict):
    name: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)
    not_in: list[str] = Field(default_factory=list)  # a term inside one of these does not count
    # term → context words: the term counts only when one of them is in the same clause
    requires_any: dict[str, list[str]] = Field(default_factory=dict)
    # term → context words: the term does not count when one of them is in the same clause
    unless: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _terms_ok(self) -> TagEntry:
        for field in ("terms", "not_in"):
            if any(not t.strip() for t in getattr(self, field)):
                raise ValueError(f"“{self.name}”的 {field} 含空字符串(空词条处处都会命中)")
        for field in ("requires_any", "unless"):
            for term, words in getattr(self, field).items():
                if term not in self.terms:
                    raise ValueError(
                        f"“{self.name}”的 {field} 中的词条“{term}”不在 terms 里(可选:{'、'.join(self.terms)})"
                    )
                if not words or any(not w.strip() for w in words):
                    raise ValueError(f"“{self.name}”的 {field}.{term} 必须列出至少一个非空的上下文词")
        return self


class Audience(TagEntry):
    pass


class AudiencesFile(_Strict):
    # a tag restricts the measure when its sentences mentioning it are at least this share
    # of all sentences, or when it is in the heading; otherwise it is only a mention
    min_share: float = Field(default=0.5, gt=0, le=1)
    # regexes ({term} = the matched words) for mentions that do not limit who may use it
    non_limiting: list[str] = Field(default_factory=list)
    audience: list[Audience] = Field(min_length=1)

    @field_validator("non_limiting")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        return [_check_regex(x) for x in v]


class Category(TagEntry):
    pass


class CategoriesFile(_Strict):
    needs: dict[str, list[str]]
    category: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _needs_map(self) -> CategoriesFile:
        names = {c.name for c in self.category}
        missing = [n for n in NEEDS if n not in self.needs]
        if missing:
            raise ValueError(f"needs 缺少需求:{'、'.join(missing)}")
        for need, cats in self.needs.items():
            if need not in names:
                raise ValueError(f"需求“{need}”必须同时是一个类别([[category]] name)")
            bad = [c for c in cats if c not in names]
            if bad:
                raise ValueError(f"需求“{need}”映射到不存在的类别:{'、'.join(bad)}")
        return self


class Industry(TagEntry):
    sections: list[str] = Field(default_factory=list)  # GB/T 4754-2017 sections it belongs to
    # the profile's key industries (resources/profile.toml) this tag serves besides its own name
    related: list[str] = Field(default_factory=list)


class IndustryRole(_Strict):
    """When an industry term names the measure's beneficiaries (companies of that industry)
    rather than something the government builds or runs (see matcher.knowledge.context)."""

    # the term is followed, in its clause and within head_gap characters, by one of these
    heads: list[str] = Field(min_length=1)
    head_gap: int = Field(default=4, ge=0)
    # a term ending with one of these names companies by itself (制造业, 金融企业)
    term_suffixes: list[str] = Field(default_factory=list)
    # or a verb of support precedes it in its clause, within verb_gap characters
    support: list[str] = Field(min_length=1)
    verb_gap: int = Field(default=12, ge=1)
    # never when one of these (the government building / running it) is within build_gap
    # characters of the term in its clause and no head follows the term
    build: list[str] = Field(default_factory=list)
    build_gap: int = Field(default=8, ge=1)

    @model_validator(mode="after")
    def _no_empty(self) -> IndustryRole:
        for field in ("heads", "term_suffixes", "support", "build"):
            if any(not w.strip() for w in getattr(self, field)):
                raise ValueError(f"role.{field} 含空字符串")
        return self


class IndustriesFile(_Strict):
    sections: list[str] = Field(min_length=20, max_length=20)
    role: IndustryRole
    industry: list[Industry] = Field(min_length=1)

    @model_validator(mode="after")
    def _sections_known(self) -> IndustriesFile:
        known = set(self.sections)
        for ind in self.industry:
            bad = [s for s in ind.sections if s not in known]
            if bad:
                raise ValueError(f"行业“{ind.name}”的 sections 含未知门类:{'、'.join(bad)}")
        return self


# --------------------------------------------------------------------------- areas


class Zone(_Strict):
    name: str = Field(min_length=2)
    aliases: list[str] = Field(default_factory=list)


class District(_Strict):
    name: str = Field(pattern=r"^.+(区|新区)$")
    short: list[str] = Field(default_factory=list)
    streets: list[str] = Field(default_factory=list)  # 街道, 镇, 乡 (official names)
    no_short: list[str] = Field(default_factory=list)  # streets whose short form is too ambiguous
    zone: list[Zone] = Field(default_factory=list)


class AreaInfo(BaseModel):
    name: str
    kind: Literal["street", "town", "zone"]
    aliases: list[str]


_STREET_SUFFIXES = ("新村街道", "路街道", "城街道", "镇街道", "街道", "镇", "乡")


def short_forms(street: str) -> list[str]:
    """``殷行街道`` → ``殷行``; ``长白新村街道`` → ``长白新村``, ``长白``; ``江湾镇街道`` → ``江湾镇``, ``江湾``."""
    out: list[str] = []
    for suf in _STREET_SUFFIXES:
        if street.endswith(suf) and len(street) - len(suf) >= 2:
            base = street[: -len(suf)]
            if suf == "新村街道":
                out.append(base + "新村")
            elif suf == "镇街道":
                out.append(base + "镇")
            elif suf == "路街道":
                out.append(base + "路")
            elif suf == "城街道":
                out.append(base + "城")
            out.append(base)
            break
    return out


class AreasFile(_Strict):
    district: list[District] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AreasFile:
        names = [d.name for d in self.district]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"区重复:{'、'.join(sorted(dup))}")
        return self


# --------------------------------------------------------------------------- internal


class Marker(_Strict):
    pattern: str = Field(min_length=1)  # regular expression
    weight: float = Field(gt=0)
    why: str = ""  # a short explanation shown in evidence
    # beneficiary phrases only: something concrete given to enterprises (money, a loan
    # product, housing, a fast track …). It keeps the measure enterprise-facing even in a
    # 保障措施 chapter or against internal phrases.
    strong: bool = False

    @field_validator("pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        return _check_regex(v)


class InternalFile(_Strict):
    # internal when internal score ≥ threshold and > enterprise score, and no strong
    # beneficiary phrase is found
    threshold: float = Field(default=2.0, gt=0)
    count_cap: int = Field(default=3, ge=1)
    safeguard_why: str = "保障措施章节:政府自身的组织、督查、宣传工作"
    # patterns looked for in the measure's own heading and its chapters' headings
    # (组织保障, 统计监测 …): government work by its title
    headings: list[Marker] = Field(default_factory=list)
    internal: list[Marker] = Field(min_length=1)  # actor phrases: government acting for itself
    enterprise: list[Marker] = Field(min_length=1)  # beneficiary phrases: enterprises receive

    @model_validator(mode="after")
    def _strong_only_for_beneficiaries(self) -> InternalFile:
        for field in ("headings", "internal"):
            for m in getattr(self, field):
                if m.strong:
                    raise ValueError(f"{field} 中的“{m.pattern}”不能设 strong(只用于 enterprise)")
        return self


# --------------------------------------------------------------------------- aggregate


class Lexicons(BaseModel):
    """All enrichment data, validated. Lookups are built lazily and kept on the object."""

    offices: OfficesFile
    audiences: AudiencesFile
    categories: CategoriesFile
    industries: IndustriesFile
    areas: AreasFile
    internal: InternalFile

    _alias: dict[str, str] | None = PrivateAttr(default=None)
    _areas: dict[str, list[AreaInfo]] | None = PrivateAttr(default=None)
    # compiled lookups built by matcher.reading.enrich on first use (regexes, term tables)
    _cache: dict = PrivateAttr(default_factory=dict)

    def cache(self) -> dict:
        return self._cache

    # offices ---------------------------------------------------------------
    def office_alias_map(self) -> dict[str, str]:
        if self._alias is None:
            m: dict[str, str] = {}
            for o in self.offices.office:
                m[o.name] = o.name
                for a in o.aliases:
                    m[a] = o.name
            self._alias = m
        return self._alias

    def office_names(self) -> list[str]:
        return [o.name for o in self.offices.office]

    # areas -----------------------------------------------------------------
    def district_names(self) -> list[str]:
        return [d.name for d in self.areas.district]

    def district(self, name: str) -> District | None:
        for d in self.areas.district:
            if d.name == name or name in d.short:
                return d
        return None

    def areas_for(self, district: str) -> list[AreaInfo]:
        """The streets, towns and zones of a district (official names + recognised aliases)."""
        if self._areas is None:
            self._areas = {}
            for d in self.areas.district:
                infos: list[AreaInfo] = []
                for s in d.streets:
                    aliases = [] if s in d.no_short else short_forms(s)
                    infos.append(AreaInfo(name=s, kind="street" if s.endswith("街道") else "town", aliases=aliases))
                for z in d.zone:
                    infos.append(AreaInfo(name=z.name, kind="zone", aliases=list(z.aliases)))
                self._areas[d.name] = infos
        found = self.district(district)
        return list(self._areas.get(found.name, [])) if found else []

    # categories ------------------------------------------------------------
    def categories_for_need(self, need: str) -> list[str]:
        return list(self.categories.needs.get(need, []))

    # industries ------------------------------------------------------------
    def industries_for(self, key_industry: str) -> list[str]:
        """Industry tags that serve a profile's key industry (its own name or ``related``)."""
        return [i.name for i in self.industries.industry if i.name == key_industry or key_industry in i.related]

    def industries_for_section(self, section: str) -> list[str]:
        """Industry tags that belong to a GB/T 4754 section."""
        return [i.name for i in self.industries.industry if section in i.sections]


def _load(base: Path | None) -> Lexicons:
    return Lexicons(
        offices=load_toml(FILES["offices"], OfficesFile, base),
        audiences=load_toml(FILES["audiences"], AudiencesFile, base),
        categories=load_toml(FILES["categories"], CategoriesFile, base),
        industries=load_toml(FILES["industries"], IndustriesFile, base),
        areas=load_toml(FILES["areas"], AreasFile, base),
        internal=load_toml(FILES["internal"], InternalFile, base),
    )


@lru_cache(maxsize=1)
def _load_default() -> Lexicons:
    return _load(None)


def load_lexicons(base: Path | None = None) -> Lexicons:
    """Load and validate every lexicon file under ``base`` (default: ``resources/``).

    The default is cached; pass ``base`` to read another folder (tests, user rule sets).
    """
    return _load_default() if base is None else _load(Path(base))


# --------------------------------------------------------------------------- offices API


@lru_cache(maxsize=1)
def _district_prefix() -> re.Pattern[str]:
    from matcher.rules.profile_rules import district_stems  # the districts of resources/profile.toml

    return re.compile(rf"^(?:上海市)?({district_stems()})区?(?=.)")


_CITY_PREFIX = re.compile(r"^上海市(?=[^区县])")


def normalise_office(name: str, lex: Lexicons | None = None) -> str:
    """One office as written → its canonical name (``区发改委`` → ``区发展改革委``).

    A district prefix is folded to ``区`` (``虹口区市场监管局`` → ``区市场监管局``) unless the
    full form is itself a known name (``虹口海关``). Unknown names come back trimmed.
    """
    lex = lex or load_lexicons()
    amap = lex.office_alias_map()
    n = re.sub(r"\s+", "", name).strip("::;;,,。、()()")
    if n in amap:
        return amap[n]
    if _CITY_PREFIX.match(n) and not _district_prefix().match(n):
        rest = n[3:]
        return amap.get("市" + rest, amap.get(rest, n))
    m = _district_prefix().match(n)
    if m:
        rest = n[m.end() :]
        for cand in ("区" + rest.removeprefix("区"), rest):
            if cand in amap:
                return amap[cand]
        if not rest.startswith("区") and (rest.endswith(("局", "委", "办", "院", "中心"))):
            return "区" + rest
        return rest if rest.startswith("区") else n
    return n
