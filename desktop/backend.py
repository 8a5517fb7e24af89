"""The desktop's one doorway into the engine (:class:`matcher.engine.Engine`, the same
engine the command line calls).

Nothing here matches, ranks, parses, resolves or lists values: every answer comes from
the engine (profiles and districts through its one resolver, the form's lists from
``Engine.options()``).
This module only gathers what the window needs into plain objects (a :class:`Snapshot`
of the knowledge base, the :class:`ProfileOptions` for the profile form) so that the
controller can be tested against a fake backend with the same shape (see
``tests/desktop/fake_backend.py``), as Dangerzone does with its dummy isolation provider.

Threading: :meth:`Backend.load` and :meth:`Backend.ingest` run on a worker thread and
open their own knowledge-base connection there; the :class:`Snapshot` they return holds
only plain records and the in-memory matcher, never a database connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

# The form's lists are the engine's (matcher.form): one definition for the CLI and the window.
from matcher.form import FormOptions as ProfileOptions

Report = Callable[[int, int, str], None]


class SnapshotMatcher(Protocol):
    """What the controller needs from a snapshot's matcher (``Snapshot.engine``): a
    :class:`matcher.match.Matcher` detached from the database, or a test fake."""

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


def _engine(progress: Report | None = None):
    from matcher.engine import Engine

    return Engine(progress=progress)


class Backend:
    """The real engine (:class:`matcher.engine.Engine`), one per task.

    ``matcher_factory(measures, kb_info)`` builds the matcher (tests may swap it); by
    default the engine's :meth:`~matcher.engine.Engine.detached_matcher`, which holds
    every measure in memory so the window can match after the KB is closed.
    """

    def __init__(self, matcher_factory=None) -> None:
        self.matcher_factory = matcher_factory

    # -- on a worker thread -------------------------------------------------------
    def load(self, report: Report | None = None) -> Snapshot:
        with _engine(report) as engine:
            return self._snapshot(engine)

    def ingest(self, paths: list[Path], district: str | None = None, title: str | None = None,
               issued: str | None = None, report: Report | None = None):
        """Import documents; returns ``(documents, snapshot)``. Raises BadInput on refusal
        (a district as typed is resolved by the engine, as the CLI's ``ingest`` does)."""
        with _engine() as engine:
            docs = engine.ingest([Path(p) for p in paths], district=district or None,
                                 title=title or None, issued=issued or None, progress=report,
                                 front="window")
            return docs, self._snapshot(engine)

    def remove_document(self, doc_id: str) -> Snapshot:
        """Remove an imported document (its measures, stored copy and corrections)."""
        with _engine() as engine:
            engine.remove([doc_id])
            return self._snapshot(engine)

    def _snapshot(self, engine) -> Snapshot:
        measures = engine.measures(include_internal=True)
        documents = engine.documents()
        version = engine.version
        info = {"documents": len(documents), "measures": len(measures), "version": version}
        matcher = (self.matcher_factory(measures, info) if self.matcher_factory
                   else engine.detached_matcher(measures))
        return Snapshot(
            engine=matcher,
            measures=measures,
            documents=documents,
            version=version,
            notices=engine.notices,
            stats=engine.stats(),
            options=self.options(),
        )

    # -- anywhere (pure, quick) ------------------------------------------------------
    def options(self) -> ProfileOptions:
        from matcher.engine import Engine

        return Engine.options()

    def make_profile(self, data: dict):
        """A validated ``matcher.profile.Profile``; raises BadInput naming the field."""
        from matcher.engine import Engine

        return Engine.profile(data)

    def read_profile(self, path: Path) -> dict:
        """A profile file as the form shows it (raises BadInput naming what is wrong)."""
        from matcher.engine import Engine

        return form_dict(Engine.read_profile(Path(path)))

    def write_profile(self, data: dict, path: Path) -> None:
        self.make_profile(data).to_json(Path(path))

    def classify(self, industry: str, employees=None, revenue=None, assets=None):
        """The engine's size by the SME standard → SizeDecision(size, needs_data, rule)."""
        from matcher.engine import Engine

        return Engine.classify_size(industry, employees=employees, revenue=revenue, assets=assets)

    def suggest(self, text: str, choices, limit: int = 12) -> list[str]:
        """Choices nearest to what was typed (Traditional accepted), best first.
        ``choices`` may map typed words (aliases) to the values offered."""
        from matcher.engine import Engine

        return Engine.suggest(text, choices, limit=limit)

    def export_xlsx(self, response, path: Path) -> None:
        from matcher.engine import Engine

        Engine.export(response, Path(path), fmt="xlsx")


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
