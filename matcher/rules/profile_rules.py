"""The rules of a company profile: ``resources/profile.toml``, validated, and the lookup
tables built from it (every name and alias a person may type → the canonical value).

Read by :mod:`matcher.profile.resolver` (which resolves what was typed) and by whatever lists the
form's options (:meth:`matcher.engine.Engine.options`). Nothing here resolves a value.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.common.text import normalize
from matcher.errors import RuleFileError
from matcher.rules.loader import load_toml
from matcher.rules.sme import group_names

SIZE_GIVEN = "直接填写"
SIZE_UNKNOWN = "未填写"

# ── normalisation ────────────────────────────────────────────────────────────


def normalise_text(s: str) -> str:
    """NFKC, Traditional→Simplified, whitespace collapsed — :func:`matcher.common.text.normalize`,
    the same normaliser the documents go through."""
    return normalize(str(s))


_QUOTES = re.compile(r"[\s\"'“”‘’「」『』·・]")


def lookup_key(s: str) -> str:
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
    def _subs_in_groups(self) -> Section:
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
    # the city level (市级): where a document's district is asked, 上海市, 全市, 市级 … name it
    city: Choice = Field(default_factory=lambda: Choice(name="上海市"))
    # the profile's fields as the form, the handout and the exports label them
    field_labels: dict[str, str] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)
    key_industries: list[KeyIndustry] = Field(default_factory=list)
    sizes: list[Choice] = Field(min_length=1)
    zjtx: list[Choice] = Field(min_length=1)  # tier order, lowest first
    flags: list[Choice] = Field(default_factory=list)
    exclusive_flags: list[list[str]] = Field(default_factory=list)
    needs: list[Choice] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> ProfileRules:
        for kind in ("districts", "sizes", "zjtx", "flags", "needs"):
            _lookup_table(kind, getattr(self, kind))  # raises on an alias used twice
        _lookup_table("districts", [*self.districts, self.city])  # the city is no district's alias
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

    def district_slug(self, name: str) -> str:
        """The pinyin of a district for document ids (``虹口区`` → ``hongkou``): its first
        Latin alias, lower case; ``shanghai`` for the city level; ``doc`` when unknown."""
        if name == self.city.name:
            return "shanghai"
        for d in self.districts:
            if d.name == name:
                for a in d.aliases:
                    if re.fullmatch(r"[A-Za-z' ]+", a):
                        return re.sub(r"[^a-z]", "", a.lower())
        return "doc"

    def label(self, field: str) -> str:
        """A profile field's Chinese label (``district`` → ``所在区``)."""
        return self.field_labels.get(field, field)

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
            k = lookup_key(word)
            if k in table and table[k] != e.name:
                raise ValueError(f"{kind}:“{word}”同时是“{table[k]}”和“{e.name}”的别名")
            table[k] = e.name
    return table


def strip_ye(name: str) -> str | None:
    return name[:-1] if name.endswith("业") and len(name) > 2 else None


def _industry_table(rules: ProfileRules) -> dict[str, tuple[str, str | None, str | None]]:
    """Lookup key → (section code, key industry or None, SME group or None)."""
    table: dict[str, tuple[str, str | None, str | None]] = {}

    def put(word: str, target: tuple[str, str | None, str | None]) -> None:
        k = lookup_key(word)
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
                if short := strip_ye(g):
                    put(short, (s.code, None, g))
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
                raise RuleFileError(
                    f"规则文件 profile.toml 有误:门类 {s.code} {s.name} 的 sme_groups 中“{g}”"
                    f"不是 sme_size.toml 中的行业(可选:{'、'.join(sorted(known))})"
                )
    return rules


@lru_cache(maxsize=1)
def lookup_tables() -> dict[str, dict[str, str]]:
    r = load_profile_rules()
    out = {kind: _lookup_table(kind, getattr(r, kind)) for kind in ("districts", "sizes", "zjtx", "flags", "needs")}
    out["city"] = _lookup_table("city", [r.city])
    return out


@lru_cache(maxsize=1)
def industry_map() -> dict[str, tuple[str, str | None, str | None]]:
    return _industry_table(load_profile_rules())


@lru_cache(maxsize=1)
def district_stems() -> str:
    """The districts as a regex alternation of their stems, longest first (``浦东新|浦东|黄浦
    …``): each name without 区, and each short alias the name starts with. For finding a
    district written before an office's name (``虹口区市场监管局``)."""
    stems: set[str] = set()
    for d in load_profile_rules().districts:
        stems.add(d.name.removesuffix("区"))
        stems.update(a for a in d.aliases if d.name.startswith(a) and a != d.name and not a.isascii())
    return "|".join(sorted(stems, key=lambda x: (-len(x), x)))
