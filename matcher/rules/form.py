"""What a profile form offers: every list read from ``resources/``, in one place.

:func:`form_options` is what :meth:`matcher.engine.Engine.options` returns and what the
window's profile form shows (the CLI's help and messages name the same values). Nothing
here is written twice: districts, industries, sizes, 专精特新 tiers, flags and needs come
from ``resources/profile.toml``, areas from ``resources/areas.toml``, the fields' labels
from ``field_labels`` in ``profile.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FormOptions:
    """The values the profile form offers."""

    districts: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)  # GB/T 4754 sections
    key_industries: list[str] = field(default_factory=list)  # Shanghai key industries
    industry_choices: list[str] = field(default_factory=list)  # what completion offers
    sizes: list[str] = field(default_factory=lambda: ["大型", "中型", "小型", "微型"])
    zjtx: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    areas: dict[str, list[str]] = field(default_factory=dict)  # district → streets/towns/zones
    industry_aliases: dict[str, str] = field(default_factory=dict)  # typed word → choice
    labels: dict[str, str] = field(default_factory=dict)  # profile field → Chinese label
    city: str = "上海市"  # a city-level document's district


def industry_choices() -> dict[str, str]:
    """Every industry name a person may type (aliases included) → the value the form shows
    (``集成电路`` → ``制造业 (集成电路)``); the resolver reads each shown value back."""
    from matcher.rules.profile_rules import load_profile_rules, strip_ye

    rules = load_profile_rules()
    choices: dict[str, str] = {}
    for sec in rules.sections:
        for word in [sec.name, *sec.aliases]:
            choices.setdefault(word, sec.name)
        if len(sec.sme_groups) > 1:
            for g in sec.sme_groups:
                short = strip_ye(g) or g
                choices.setdefault(f"{sec.name} ({short})", f"{sec.name} ({short})")
        for word in sec.sub_industries:
            choices.setdefault(word, f"{sec.name} ({word})")
    for k in rules.key_industries:
        own = rules.section(k.section)
        label = f"{own.name} ({k.name})" if own else k.name
        for word in [k.name, *k.aliases]:
            choices.setdefault(word, label)
    return choices


def form_options() -> FormOptions:
    """The form's lists, all from the rule files."""
    from matcher.rules.lexicon import load_lexicons
    from matcher.rules.profile_rules import load_profile_rules

    rules = load_profile_rules()
    lex = load_lexicons()
    choices = industry_choices()
    districts = rules.district_names()
    return FormOptions(
        districts=districts,
        industries=rules.section_names(),
        key_industries=rules.key_industry_names(),
        industry_choices=list(dict.fromkeys(choices.values())),
        sizes=rules.size_names(),
        zjtx=rules.zjtx_names(),
        flags=rules.flag_names(),
        needs=rules.need_names(),
        areas={d: [a.name for a in lex.areas_for(d)] for d in districts},
        industry_aliases=choices,
        labels=dict(rules.field_labels),
        city=rules.city.name,
    )


def field_label(name: str) -> str:
    """A profile field's Chinese label (``district`` → ``所在区``)."""
    from matcher.rules.profile_rules import load_profile_rules

    return load_profile_rules().label(name)
