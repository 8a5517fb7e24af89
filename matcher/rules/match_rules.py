"""The matcher's rules (``resources/match_rules.toml``: which profiles each audience
covers, the ranking weights, the synonym groups), validated against the lexicons and the
profile rules at load."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator

from matcher.rules.lexicon import load_lexicons
from matcher.rules.loader import load_toml
from matcher.rules.profile_rules import load_profile_rules

# --------------------------------------------------------------------------- rules


class AudienceRule(BaseModel):
    model_config = {"extra": "forbid"}
    name: str
    sizes: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    zjtx_min: int | None = None
    changeable: bool = False
    missing: str = ""


class Weights(BaseModel):
    model_config = {"extra": "forbid"}
    base: float
    need_first: float
    need_more: float
    audience: float
    mention: float
    need_density: float
    industry: float
    area: float
    keyword_first: float
    keyword_more: float
    keyword_in_title: float
    star: float


class SynonymGroup(BaseModel):
    model_config = {"extra": "forbid"}
    terms: list[str]


class Evidence(BaseModel):
    """What counts as evidence that a measure is for this firm (``targeted``; issue 19)."""

    model_config = {"extra": "forbid"}
    # industry tags that name a policy theme every sector has (绿色低碳), not an industry
    themes: list[str] = Field(default_factory=list)
    # regular expressions; {area} stands for the firm's area as the text writes it: the area
    # is then the place the government develops or builds, not where its firms are served
    area_built: list[str] = Field(default_factory=list)

    @field_validator("area_built")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            if "{area}" not in p:
                raise ValueError(f"area_built 的正则表达式“{p}”缺少 {{area}}")
            try:
                re.compile(p.replace("{area}", "X"))
            except re.error as e:
                raise ValueError(f"正则表达式“{p}”无效:{e}") from None
        return v


class MatchRules(BaseModel):
    model_config = {"extra": "forbid"}
    audience: list[AudienceRule]
    weights: Weights
    synonyms: list[SynonymGroup] = Field(default_factory=list)
    evidence: Evidence = Field(default_factory=Evidence)


@lru_cache(maxsize=1)
def load_match_rules() -> MatchRules:
    rules = load_toml("match_rules.toml", MatchRules)
    from matcher.errors import RuleFileError

    lex = load_lexicons()
    known_aud = {a.name for a in lex.audiences.audience}
    prules = load_profile_rules()
    sizes, flags, needs = set(prules.size_names()), set(prules.flag_names()), set(prules.need_names())
    for a in rules.audience:
        if a.name not in known_aud:
            raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 不在 audiences.toml 中")
        for s in a.sizes:
            if s not in sizes:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 sizes 含未知规模“{s}”")
        for f in a.flags:
            if f not in flags:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 flags 含未知标签“{f}”")
        for n in a.needs:
            if n not in needs:
                raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 的 needs 含未知需求“{n}”")
        if a.changeable and not a.missing:
            raise RuleFileError(f"规则文件 match_rules.toml:audience “{a.name}” 可争取(changeable)但缺少 missing 说明")
    known_ind = {i.name for i in lex.industries.industry}
    for t in rules.evidence.themes:
        if t not in known_ind:
            raise RuleFileError(f"规则文件 match_rules.toml:evidence.themes 中的“{t}”不在 industries.toml 中")
    return rules
