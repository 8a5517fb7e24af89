"""The desktop's one doorway into the engine (``matcher``).

Nothing here matches, ranks, parses or normalises: every answer comes from ``matcher``.
This module only gathers what the window needs into plain objects (a :class:`Snapshot`
of the knowledge base, the :class:`ProfileOptions` for the profile form) so that the
controller can be tested against a fake backend with the same shape (see
``tests/desktop/fake_backend.py``), as Dangerzone does with its dummy isolation provider.

Threading: :meth:`Backend.load` and :meth:`Backend.ingest` run on a worker thread and
open their own knowledge-base connection there; the :class:`Snapshot` they return holds
only plain records and the in-memory matcher, never a database connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

Report = Callable[[int, int, str], None]

SIZES = ["大型", "中型", "小型", "微型"]


@dataclass
class ProfileOptions:
    """The values the profile form offers, all from the engine's rule files."""

    districts: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)       # GB/T 4754 sections
    key_industries: list[str] = field(default_factory=list)   # Shanghai key industries
    industry_choices: list[str] = field(default_factory=list)  # what completion offers
    sizes: list[str] = field(default_factory=lambda: list(SIZES))
    zjtx: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    areas: dict[str, list[str]] = field(default_factory=dict)  # district → streets/towns/zones
    industry_aliases: dict[str, str] = field(default_factory=dict)  # typed word → choice


class Engine(Protocol):
    """What the controller needs from a loaded knowledge base."""

    def match(self, profile: Any) -> Any: ...
    def search(self, text: str, district: str | None = None, top: int = 30) -> list: ...


@dataclass
class Snapshot:
    """Everything read from one opening of the knowledge base. Immutable once built."""

    engine: Any                      # matcher.match.Matcher (or a test fake)
    measures: list                   # list[Measure], internal ones included
    documents: list                  # list[Document]
    version: str
    notices: list[str]
    stats: dict
    options: ProfileOptions

    def measure(self, measure_id: str):
        for m in self.measures:
            if m.measure_id == measure_id:
                return m
        return None


def _real_matcher(measures: list, info: dict):
    from matcher.match import Matcher

    return Matcher(measures, info)


class Backend:
    """The real engine: ``matcher.kb``, ``matcher.match``, ``matcher.profile`` …

    ``matcher_factory(measures, kb_info)`` builds the matcher (tests may swap it).
    """

    def __init__(self, matcher_factory=None) -> None:
        self.matcher_factory = matcher_factory or _real_matcher

    # -- on a worker thread -------------------------------------------------------
    def load(self, report: Report | None = None) -> Snapshot:
        from matcher.kb import KnowledgeBase

        kb = KnowledgeBase.open_default(progress=report)
        try:
            from matcher.packs import sync_library

            note = sync_library(kb, progress=report)      # a shared library, if one is set
            if note:
                kb.notices.append(note)
            return self._snapshot(kb)
        finally:
            close = getattr(kb, "close", None)
            if callable(close):
                close()

    def ingest(self, paths: list[Path], district: str | None = None, title: str | None = None,
               issued: str | None = None, report: Report | None = None):
        """Import documents; returns ``(documents, snapshot)``. Raises BadInput on refusal."""
        from matcher.kb import KnowledgeBase

        kb = KnowledgeBase.open_default()
        try:
            docs = kb.ingest([Path(p) for p in paths], district=district or None,
                             title=title or None, issued=issued or None, progress=report)
            return docs, self._snapshot(kb)
        finally:
            close = getattr(kb, "close", None)
            if callable(close):
                close()

    def remove_document(self, doc_id: str) -> Snapshot:
        """Remove an imported document (its measures, stored copy and corrections)."""
        from matcher.kb import KnowledgeBase

        kb = KnowledgeBase.open_default()
        try:
            kb.remove_document(doc_id)
            return self._snapshot(kb)
        finally:
            kb.close()

    def _snapshot(self, kb) -> Snapshot:
        measures = kb.measures(include_internal=True)
        documents = kb.documents()
        stats = kb.stats()
        version = str(getattr(kb, "version", ""))
        info = {"documents": len(documents), "measures": len(measures), "version": version}
        return Snapshot(
            engine=self.matcher_factory(measures, info),
            measures=measures,
            documents=documents,
            version=version,
            notices=list(getattr(kb, "notices", []) or []),
            stats=stats,
            options=self.options(),
        )

    # -- anywhere (pure, quick) ------------------------------------------------------
    def options(self) -> ProfileOptions:
        from matcher.lexicon import load_lexicons
        from matcher.profile import load_profile_rules

        rules = load_profile_rules()
        lex = load_lexicons()
        opts = ProfileOptions(
            districts=rules.district_names(), industries=rules.section_names(),
            key_industries=rules.key_industry_names(), sizes=rules.size_names(),
            zjtx=rules.zjtx_names(), flags=rules.flag_names(), needs=rules.need_names())
        # completion: every name a person may type (aliases included) → the value shown
        choices: dict[str, str] = {}
        for sec in rules.sections:
            for word in [sec.name, *sec.aliases]:
                choices.setdefault(word, sec.name)
            if len(sec.sme_groups) > 1:
                for g in sec.sme_groups:
                    short = g[:-1] if g.endswith("业") and len(g) > 2 else g
                    choices.setdefault(f"{sec.name} ({short})", f"{sec.name} ({short})")
            for word in sec.sub_industries:
                choices.setdefault(word, f"{sec.name} ({word})")
        for k in rules.key_industries:
            sec = rules.section(k.section)
            label = f"{sec.name} ({k.name})" if sec else k.name
            for word in [k.name, *k.aliases]:
                choices.setdefault(word, label)
        opts.industry_choices = list(dict.fromkeys(choices.values()))
        opts.industry_aliases = choices
        opts.areas = {d: [a.name for a in lex.areas_for(d)] for d in opts.districts}
        return opts

    def make_profile(self, data: dict):
        """A validated ``matcher.profile.Profile``; raises BadInput naming the field."""
        from matcher.profile import Profile

        return Profile.from_dict(data)

    def read_profile(self, path: Path) -> dict:
        """A profile file as the form shows it (raises BadInput naming what is wrong)."""
        from matcher.profile import Profile

        return form_dict(Profile.from_json(Path(path)))

    def write_profile(self, data: dict, path: Path) -> None:
        self.make_profile(data).to_json(Path(path))

    def classify(self, industry: str, employees=None, revenue=None, assets=None):
        """``matcher.sme.classify`` → SizeDecision(size, needs_data, rule)."""
        from matcher.sme import classify

        return classify(industry, employees=employees, revenue=revenue, assets=assets)

    def suggest(self, text: str, choices, limit: int = 12) -> list[str]:
        """Choices nearest to what was typed (Traditional accepted), best first.
        ``choices`` may map typed words (aliases) to the values offered."""
        from matcher import fuzzy

        return list(fuzzy.suggest(text, choices, limit=limit))

    def export_xlsx(self, response, path: Path) -> None:
        from matcher.export import export_xlsx

        export_xlsx(response, Path(path))


def form_dict(profile) -> dict:
    """A ``matcher.profile.Profile`` as the profile form holds it."""
    from matcher.profile import SIZE_GIVEN

    d = {"district": profile.district, "industry": profile.industry_label or None,
         "size": profile.size if profile.size_decided_by == SIZE_GIVEN else None,
         "employees": profile.employees, "revenue": profile.revenue, "assets": profile.assets,
         "zjtx": profile.zjtx, "flags": list(profile.flags), "needs": list(profile.needs),
         "area": profile.area, "keywords": profile.keywords,
         "company": getattr(profile, "company", ""),
         # 更多情况: the figures some measures ask (issue 10)
         "founded": getattr(profile, "founded", None), "tax": getattr(profile, "tax", None),
         "rnd": getattr(profile, "rnd", None), "investment": getattr(profile, "investment", None)}
    return {k: v for k, v in d.items() if v not in (None, "", [])}
