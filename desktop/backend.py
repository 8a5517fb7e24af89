"""The desktop's one doorway into the engine (:class:`matcher.engine.Engine`, the same
engine the command line calls).

Nothing here matches, ranks, parses, resolves or lists values: every answer comes from
the engine (profiles and districts through its one resolver, the form's lists from
``Engine.options()``).
This module only gathers what the window needs into plain objects (a :class:`Snapshot`
of the knowledge base, the :class:`ProfileOptions` for the profile form) so that the
controller can be tested against a fake backend with the same shape (see
``tests/desktop/fake_backend.py``), as Dangerzone does with its dummy isolation provider.

The window asks for what it shows (issue 13): the :class:`Snapshot` holds the documents
and their counts, never a list of every measure nor a matcher. Results come a page at a
time from the engine (:meth:`Engine.tier_counts`, :meth:`Engine.tier_page`,
:meth:`Engine.search`, :meth:`Engine.measure`), asked by the controller's tasks on its one
serial worker thread through :meth:`Backend.engine`.

Threading: one :class:`Engine` is kept for the serial worker (match, pages, search,
measures by id: one task at a time, so the engine is never used by two threads at once,
and its matcher is built once, not once per page). Imports, removals and policy packs run
on other workers with an engine of their own; afterwards the controller calls
:meth:`Backend.kb_changed` and the serial engine is reopened by its next task.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The form's lists are the engine's (Engine.options()): one definition for the CLI and the window.
from matcher.engine import Engine
from matcher.engine import FormOptions as ProfileOptions
from matcher.presentation import SIZE_GIVEN

if TYPE_CHECKING:
    from matcher.engine import Profile
    from matcher.models import Document

Report = Callable[[int, int, str], None]


@dataclass
class Snapshot:
    """What the window shows of one opening of the knowledge base: the documents and how
    many measures each holds. Immutable once built; no measures, no connection."""

    documents: list[Document]
    version: str
    notices: list[str]
    options: ProfileOptions
    doc_counts: dict = field(default_factory=dict)  # doc_id → (measures, internal ones)

    @property
    def measure_count(self) -> int:
        return sum(n for n, _i in self.doc_counts.values())

    @property
    def enterprise_count(self) -> int:
        """Measures for firms (internal ones, for the administration, left out)."""
        return sum(n - i for n, i in self.doc_counts.values())

    def count_of(self, doc_id: str) -> int:
        return self.doc_counts.get(doc_id, (0, 0))[0]


def _engine(progress: Report | None = None) -> Engine:
    return Engine(progress=progress)


class Backend:
    """The real engine (:class:`matcher.engine.Engine`)."""

    def __init__(self) -> None:
        self._serial: Any = None  # the serial worker's engine
        self._stale = False
        self._lock = threading.Lock()

    # -- on the serial worker thread --------------------------------------------------
    def engine(self, report: Report | None = None) -> Engine:
        """The serial worker's engine, opened on first use and again after the knowledge
        base changed (an import, a removal, a policy pack)."""
        with self._lock:
            old, stale = self._serial, self._stale
            self._stale = False
        if old is not None and not stale:
            return old
        if old is not None:
            old.close()
        eng = Engine.open(progress=report)
        eng.matcher  # noqa: B018 - built now, on the worker, not in the middle of a match
        # the matcher's many long-lived objects are left out of the cyclic garbage
        # collector's full passes: each would otherwise hold the interpreter (and so the
        # GUI thread) for half a second at 100,000 measures, again and again while pages
        # are asked for. (Objects are still freed when no longer referenced.)
        gc.freeze()
        with self._lock:
            self._serial = eng
        return eng

    def engine_for_match(self) -> tuple[Engine, tuple[str, Snapshot] | None]:
        """The serial engine for a match: reopened first when another process changed the
        knowledge base since it was opened (the CLI's import, another counter, a new pack in
        the shared library) — then with what changed and the new snapshot, to say and show."""
        eng = self.engine()
        note = eng.changed_elsewhere()
        if note is None:
            return eng, None
        self.kb_changed()
        eng = self.engine()
        return eng, (note, self.snapshot(eng))

    def kb_changed(self) -> None:
        """The knowledge base was changed by another worker: the serial engine is reopened
        by its next task (never closed here: it may be in use on its thread)."""
        with self._lock:
            self._stale = True

    def close(self) -> None:
        """Shutdown (the serial worker has finished)."""
        with self._lock:
            eng, self._serial = self._serial, None
        if eng is not None:
            eng.close()

    def load(self, report: Report | None = None) -> Snapshot:
        """Open the knowledge base (building it when needed) and describe it; the matcher
        is made ready here, so that the first match does not wait for it."""
        return self.snapshot(self.engine(report))

    # -- on any worker thread (an engine of their own) --------------------------------
    def ingest(
        self,
        paths: list[Path],
        district: str | None = None,
        title: str | None = None,
        issued: str | None = None,
        report: Report | None = None,
    ):
        """Import documents; returns ``(documents, snapshot)``. Raises BadInput on refusal
        (a district as typed is resolved by the engine, as the CLI's ``ingest`` does)."""
        with _engine() as engine:
            docs = engine.ingest(
                [Path(p) for p in paths],
                district=district or None,
                title=title or None,
                issued=issued or None,
                progress=report,
                front="window",
            )
            self.kb_changed()
            return docs, self.snapshot(engine)

    def remove_document(self, doc_id: str) -> Snapshot:
        """Remove an imported document (its measures, stored copy and corrections)."""
        with _engine() as engine:
            engine.remove([doc_id])
            self.kb_changed()
            return self.snapshot(engine)

    def snapshot(self, engine: Engine) -> Snapshot:
        """What the window shows of the knowledge base ``engine`` has open."""
        return Snapshot(
            documents=engine.documents(),
            version=engine.version,
            notices=engine.notices,
            options=self.options(),
            doc_counts=engine.document_counts(),
        )

    # -- anywhere (pure, quick) ------------------------------------------------------
    def options(self) -> ProfileOptions:
        return Engine.options()

    def make_profile(self, data: dict) -> Profile:
        """The engine's canonical profile (``Engine.profile``); raises BadInput naming the field."""
        return Engine.profile(data)

    def read_profile(self, path: Path) -> dict:
        """A profile file as the form shows it (raises BadInput naming what is wrong)."""
        return form_dict(Engine.read_profile(Path(path)))

    def write_profile(self, data: dict, path: Path) -> None:
        self.make_profile(data).to_json(Path(path))

    def classify(self, industry: str, employees=None, revenue=None, assets=None):
        """The engine's size by the SME standard → SizeDecision(size, needs_data, rule)."""
        return Engine.classify_size(industry, employees=employees, revenue=revenue, assets=assets)

    def suggest(self, text: str, choices, limit: int = 12) -> list[str]:
        """Choices nearest to what was typed (Traditional accepted), best first.
        ``choices`` may map typed words (aliases) to the values offered."""
        return Engine.suggest(text, choices, limit=limit)

    def export_xlsx(self, response, path: Path) -> None:
        Engine.export(response, Path(path), fmt="xlsx")


def form_dict(profile: Profile) -> dict:
    """The engine's profile as the profile form holds it (a computed size left out: the
    form computes it again from the figures)."""
    d = {
        "district": profile.district,
        "industry": profile.industry_label or None,
        "size": profile.size if profile.size_decided_by == SIZE_GIVEN else None,
        "employees": profile.employees,
        "revenue": profile.revenue,
        "assets": profile.assets,
        "zjtx": profile.zjtx,
        "flags": list(profile.flags),
        "needs": list(profile.needs),
        "area": profile.area,
        "keywords": profile.keywords,
        "company": getattr(profile, "company", ""),
        # 更多情况: the figures some measures ask (issue 10)
        "founded": getattr(profile, "founded", None),
        "tax": getattr(profile, "tax", None),
        "rnd": getattr(profile, "rnd", None),
        "investment": getattr(profile, "investment", None),
    }
    return {k: v for k, v in d.items() if v not in (None, "", [])}
