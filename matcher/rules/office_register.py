"""The register of real offices: ``resources/office_register.toml``.

For the city and for each district (and 临港新片区): the government bodies that exist there,
their full and short names and former names, which *field* of work each handles where
districts differ (finance: 区金融工作局, 区投资办, or 区财政局 with its second nameplate 区金融办;
science: 区科委, 区科经委, 区科技经济委 …), and the sources that name each body. A body is listed
only where a source names it; a district whose body for a field is not known has no body for
it here, and inference then names none.

* ``[[field]]`` — a field of work and the lexicon office (``offices.toml``) that stands for
  it in inference (``金融`` → ``区金融工作局``).
* ``[[common]]`` — bodies every district has (the standard district government), each with
  sources from documents of several districts.
* ``[[district]]`` with ``[[district.body]]`` — a district's own bodies; ``[city]`` with
  ``[[city.body]]`` — city bodies (市…) and those serving every district (customs).

Validated by pydantic at load (:func:`matcher.rules.loader.load_toml`): a broken file is
refused naming the file, the entry and the field. :func:`load_register` is cached for the
default ``resources/`` folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from matcher.models import CITY
from matcher.rules.loader import load_toml

FILE = "office_register.toml"
ZONES = ("临港新片区",)  # zones with their own bodies, listed beside the districts


def district_names() -> tuple[str, ...]:
    """The 16 districts (resources/profile.toml) and the zones the register lists too."""
    from matcher.rules.profile_rules import load_profile_rules

    return (*(d.name for d in load_profile_rules().districts), *ZONES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldOfWork(_Strict):
    name: str = Field(min_length=2)
    office: str = Field(min_length=2)  # the lexicon office standing for this field in inference
    why: str = ""


class Body(_Strict):
    name: str = Field(min_length=2)  # the short name documents write (区科技经济委)
    full: str = ""  # the full name (上海市静安区科技和经济委员会)
    aliases: list[str] = Field(default_factory=list)  # other current spellings (区科经委)
    former: list[str] = Field(default_factory=list)  # names it bore before a reform (区科委)
    fields: list[str] = Field(default_factory=list)  # the fields of work it handles
    sources: list[str] = Field(min_length=1)  # documents (repo paths) or public pages (URLs)
    note: str = ""

    @model_validator(mode="after")
    def _names(self) -> Body:
        for n in [*self.aliases, *self.former]:
            if not n.strip():
                raise ValueError(f"机构“{self.name}”的 aliases/former 含空名称")
        if any(not s.strip() for s in self.sources):
            raise ValueError(f"机构“{self.name}”的 sources 含空条目")
        return self

    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.former, *([self.full] if self.full else [])]


class DistrictRegister(_Strict):
    name: str = Field(min_length=2)
    common: bool = True  # the common bodies are this district's too (not 临港新片区)
    body: list[Body] = Field(default_factory=list)
    # fields whose body in this district no source names (inference names none for them)
    unknown: list[str] = Field(default_factory=list)
    note: str = ""


class CityRegister(_Strict):
    body: list[Body] = Field(min_length=1)


class NotVisited(_Strict):
    """Names a document may state that are not offices a firm visits: groups (各街镇, 各区政府),
    companies (城投公司), mass organisations (团区委). Kept verbatim, never canonical."""

    names: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_empty(self) -> NotVisited:
        for k in ("names", "prefixes", "suffixes"):
            if any(not x.strip() for x in getattr(self, k)):
                raise ValueError(f"[not_visited] {k} 含空字符串(空条目会让所有名称都不算部门)")
        return self

    def covers(self, name: str) -> bool:
        return name in self.names or name.startswith(tuple(self.prefixes)) or name.endswith(tuple(self.suffixes))


class RegisterFile(_Strict):
    field: list[FieldOfWork] = Field(min_length=1)
    not_visited: NotVisited = Field(default_factory=NotVisited)
    common: list[Body] = Field(min_length=1)
    city: CityRegister
    district: list[DistrictRegister] = Field(min_length=1)

    _index: dict = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> RegisterFile:
        fields = {f.name for f in self.field}
        seen_fields: set[str] = set()
        for f in self.field:
            if f.name in seen_fields:
                raise ValueError(f"[[field]] “{f.name}”重复出现")
            seen_fields.add(f.name)
        names = [d.name for d in self.district]
        districts = district_names()
        bad = [n for n in names if n not in districts]
        if bad:
            raise ValueError(f"[[district]] 不是上海的区:{'、'.join(bad)}(可选:{'、'.join(districts)})")
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"[[district]] 重复:{'、'.join(sorted(dup))}")
        missing = [d for d in districts if d not in names]
        if missing:
            raise ValueError(f"[[district]] 缺少:{'、'.join(missing)}(每个区和临港新片区都要列出,不确定的写在 unknown)")
        groups = [("common", self.common), ("city", self.city.body)] + [(d.name, d.body) for d in self.district]
        for where, bodies in groups:
            for b in bodies:
                wrong = [f for f in b.fields if f not in fields]
                if wrong:
                    raise ValueError(
                        f"{where} 的机构“{b.name}”的 fields 含未列出的领域:{'、'.join(wrong)}(可选:{'、'.join(sorted(fields))})"
                    )
            own: dict[str, str] = {}
            for b in bodies:
                for n in b.names():
                    if n in own and own[n] != b.name:
                        raise ValueError(f"{where} 中名称“{n}”同时属于 {own[n]} 和 {b.name}")
                    own[n] = b.name
        for d in self.district:
            wrong = [f for f in d.unknown if f not in fields]
            if wrong:
                raise ValueError(f"[[district]] {d.name} 的 unknown 含未列出的领域:{'、'.join(wrong)}")
            both = [f for b in d.body for f in b.fields if f in d.unknown]
            if both:
                raise ValueError(f"[[district]] {d.name} 的领域“{both[0]}”既有机构又写在 unknown")
        return self

    # ------------------------------------------------------------------ lookups

    def field_office(self) -> dict[str, str]:
        """field → the lexicon office standing for it."""
        return {f.name: f.office for f in self.field}

    def _district(self, district: str | None) -> list[Body]:
        if district == CITY:
            return self.city.body
        for d in self.district:
            if d.name == district:
                return d.body
        return []

    def _with_common(self, district: str | None) -> bool:
        if district == CITY:
            return False
        return next((d.common for d in self.district if d.name == district), True)

    def _replaced(self, own: list[Body]) -> set[str]:
        """Common bodies a district's own body replaces: the lexicon office of a field the
        district's body handles (静安's 区科技经济委 handles 科技: no 区科委 there). A common
        body that only also handles a field (区委组织部 and 人才) is not replaced."""
        fo = self.field_office()
        return {fo[f] for b in own for f in b.fields if fo[f] != b.name}

    def _lookup(self, district: str | None) -> dict[str, str]:
        """Every name (short, alias, former, full) → the body's name, in ``district``:
        the district's own bodies first, then the common bodies (not for the city)."""
        key = ("names", district)
        if key not in self._index:
            m: dict[str, str] = {}
            own = self._district(district)
            for b in own:
                for n in b.names():
                    m.setdefault(n, b.name)
            if self._with_common(district):
                replaced = self._replaced(own)
                for b in self.common:
                    if b.name in replaced and b.name not in m:
                        continue  # 静安 has 区科技经济委 for 科技: it has no 区科委
                    for n in b.names():
                        m.setdefault(n, b.name)
            self._index[key] = m
        return self._index[key]

    def body_named(self, name: str, district: str | None) -> str | None:
        """The body ``name`` (as written, district prefix already folded) is in ``district``."""
        return self._lookup(district).get(name)

    def body_for_office(self, office: str, district: str | None) -> str | None:
        """The district's body doing the work of lexicon office ``office`` (区科委 → 区科技经济委
        in 静安区); ``None`` when the district has no known body for that work."""
        key = ("field", district)
        if key not in self._index:
            by_field: dict[str, str] = {}
            fo = self.field_office()
            bodies = self._district(district)
            for b in bodies:
                for f in b.fields:
                    by_field.setdefault(fo[f], b.name)
            if self._with_common(district):
                replaced = self._replaced(bodies)
                for b in self.common:
                    if b.name in replaced:
                        continue
                    for f in b.fields:
                        by_field.setdefault(fo[f], b.name)
            self._index[key] = by_field
        # a field the district gives one of its bodies, before a body of the office's own name
        # (customs' 口岸 work is 区商务委's in a district without its own customs office)
        return self._index[key].get(office) or self.body_named(office, district)

    def has(self, name: str, district: str | None) -> bool:
        """Is ``name`` one of the bodies of ``district`` (its own, or a common one)?"""
        return self.body_named(name, district) == name

    def bodies(self, district: str | None) -> list[str]:
        return sorted(set(self._lookup(district).values()))

    def unknown_fields(self, district: str | None) -> list[str]:
        for d in self.district:
            if d.name == district:
                return list(d.unknown)
        return []


@lru_cache(maxsize=1)
def _load_default() -> RegisterFile:
    return load_toml(FILE, RegisterFile)


def load_register(base: Path | None = None) -> RegisterFile:
    """Load and validate ``office_register.toml`` under ``base`` (default: ``resources/``)."""
    return _load_default() if base is None else load_toml(FILE, RegisterFile, Path(base))
