"""The engine: the one door the command line and the window both come in by.

An :class:`Engine` opens the knowledge base (:mod:`matcher.store.kb`), resolves what a person
typed (:mod:`matcher.profile.resolver`, driven by ``resources/``), matches and searches
(:mod:`matcher.matching.match`), ingests and removes documents (:mod:`matcher.store.imports`),
exports (:mod:`matcher.export`), lists the profile form's options (:mod:`matcher.rules.form`),
exports and imports policy packs (:mod:`matcher.store.packs`), says what changed for a
client (:mod:`matcher.clients.changes`), keeps the officer's corrections, the hall's office
directory (:mod:`matcher.store.office_directory`) and the saved profiles and recent sessions
(:mod:`matcher.store.sessions`). The CLI (``matcher/cli/``) and the window (``desktop/``)
import this module, :mod:`matcher.models`, :mod:`matcher.errors` and
:mod:`matcher.presentation` (the words both show) and nothing else of ``matcher``: every
value they accept goes through the same resolver here, so whatever the window accepts the
CLI accepts, and the other way round.

The knowledge base is opened on first use (resolving a profile or listing the options
needs no database). Use it as a context manager, or call :meth:`close`. One engine is
used from one thread at a time; the window opens one per worker task. The static methods
need no knowledge base at all.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from matcher.engine.statics import EngineStatics
from matcher.engine.statics import ExportFormat as ExportFormat
from matcher.engine.statics import ProfileInput as ProfileInput
from matcher.models import (
    ChangeDiff,
    ClientChanges,
    Correction,
    Document,
    Handout,
    JSONValue,
    KBInfo,
    KBStats,
    MatchResponse,
    Measure,
    OverviewRow,
    PackExport,
    Result,
)
from matcher.rules.form import FormOptions as FormOptions
from matcher.store import packfile, signing, userdata
from matcher.store.office_directory import Contact as Contact
from matcher.store.office_directory import OfficeDirectory as OfficeDirectory
from matcher.store.office_directory import OfficeInfo as OfficeInfo
from matcher.store.sessions import ClientRecords as ClientRecords
from matcher.store.sessions import Entry as Entry

if TYPE_CHECKING:  # the types of the engine's answers, for a front end's annotations
    from matcher.matching.match import Matcher
    from matcher.profile.company import Profile as Profile
    from matcher.rules.sme import SizeDecision as SizeDecision
    from matcher.store.kb import KnowledgeBase
    from matcher.store.packs import Plan as Plan

Progress = Callable[[int, int, str], None]
_T = TypeVar("_T")
SortOrder = Literal["relevance", "amount", "deadline"]


class Engine(EngineStatics):
    """The knowledge base, the resolver and the matcher behind one door.

    ``kb`` — an open :class:`~matcher.store.kb.KnowledgeBase` to use (tests, a synthetic KB);
    by default the app's own, opened when first needed with ``progress`` told of a build.
    """

    def __init__(self, kb: KnowledgeBase | None = None, *, progress: Progress | None = None) -> None:
        self._kb = kb
        self._progress = progress
        self._matcher: Matcher | None = None
        self._stamp: tuple[object] | None = None  # the KB's stamp as this engine last knew it

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, progress: Progress | None = None) -> Engine:
        """An engine on the app's knowledge base, opened now (built or repaired as needed)."""
        engine = cls(progress=progress)
        engine.kb  # noqa: B018 - open it now, so that a KB problem is raised here
        return engine

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from matcher.store.kb import KnowledgeBase
            from matcher.store.packs import sync_library

            kb = KnowledgeBase.open_default(progress=self._progress)
            try:
                note = sync_library(kb, progress=self._progress)  # a shared library, if one is set
            except BaseException:
                kb.close()
                raise
            if note:
                kb.notices.append(note)
            self._kb = kb
            userdata.at_open(kb.notices)  # a read-only folder said; old recent sessions gone
            self._stamp = (kb.stamp(),)
        return self._kb

    def changed_elsewhere(self) -> str | None:
        """What another process changed since this engine opened the KB (an import from the
        CLI, a new shared-library pack), or None; the window asks before each match."""
        from matcher.store.packs import outside_change

        return None if self._kb is None or self._stamp is None else outside_change(self._kb, self._stamp[0])

    @property
    def notices(self) -> list[str]:
        """What happened at open (a rebuild, a damaged file set aside), in Chinese."""
        return list(getattr(self._kb, "notices", []) or []) if self._kb is not None else []

    def close(self) -> None:
        if self._kb is not None:
            self._kb.close()
        self._kb = None
        self._matcher = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ matching and reading

    @property
    def matcher(self) -> Matcher:
        """The matcher over the open KB: it maps the KB's stored index (built, with the
        engine's progress told, when the KB changed) and fetches a whole measure from the
        KB for each result shown."""
        if self._matcher is None:
            from matcher.matching.match import matcher_for

            self._matcher = matcher_for(self.kb, self._progress)
        return self._matcher

    def reindex(self, progress: Progress | None = None) -> None:
        """After a change of the KB: the stored index rebuilt now, while the caller shows
        progress, rather than at the next match."""
        self._matcher = None
        from matcher.matching.match import matcher_for

        self._matcher = matcher_for(self.kb, progress or self._progress)
        self._stamp = (self.kb.stamp(),)  # this engine's own change is no news

    def _indexed(self, ask: Callable[[], _T]) -> _T:
        """``ask()``, asked again once the stored index is rebuilt if a section fails its check."""
        from matcher.matching.stored_index import answered

        return answered(ask, self.reindex)

    def kb_info(self) -> KBInfo:
        """The ``kb`` of every answer: the documents and measures the stored index holds."""
        return cast(KBInfo, dict(self.matcher.kb_info))

    def match(
        self,
        profile: ProfileInput,
        *,
        top: int | None = 30,
        as_of: _dt.date | str | None = None,
        include_expired: bool = False,
        sort: SortOrder = "relevance",
    ) -> MatchResponse:
        """The :class:`~matcher.models.MatchResponse` for a profile (a dict is resolved first)."""
        from matcher.matching.tiers import parse_as_of, sort_answer

        when = as_of if isinstance(as_of, _dt.date) else parse_as_of(as_of)
        whole = sort != "relevance"  # a sort orders each whole tier, then the top is cut
        resp = self._indexed(
            lambda: self.matcher.match(
                self.profile(profile), top=None if whole else top, as_of=when, include_expired=include_expired
            )
        )
        if whole:
            resp.results = sort_answer(resp.results, sort, top)
        return resp

    def tier_counts(
        self, profile: ProfileInput, *, as_of: _dt.date | str | None = None, include_expired: bool = False
    ) -> dict[str, int]:
        """How many measures of each tier the profile gets, counted whole (not only a page):
        ``targeted``, ``general``, ``near``, ``unknown``, ``expired`` (listed only with
        ``include_expired``) and ``fails`` (a stated condition not met; never listed).
        Worked out for every candidate at once (:mod:`matcher.matching.tierclass`)."""
        when = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        return self._indexed(lambda: self.matcher.cut(self.profile(profile), when).counts())

    def tier_page(
        self,
        profile: ProfileInput,
        tier: str,
        start: int = 0,
        count: int = 30,
        *,
        as_of: _dt.date | str | None = None,
        include_expired: bool = False,
    ) -> list[Result]:
        """Results ``start`` … ``start + count`` of one tier, in rank order (ranks counted
        within the tier, from 1): what one list of the window shows, a page at a time.
        Only the page's rows are fetched, explained and decided in full."""
        from matcher.matching.tiers import TIERS

        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
        when = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        return self._indexed(lambda: self.matcher.cut(self.profile(profile), when).page(tier, start, count))

    def overview(self, profile: ProfileInput, *, as_of: _dt.date | str | None = None) -> list[OverviewRow]:
        """Every measure of the profile's district with its status for the profile, each row
        with the measure's clause, title, document and offices."""
        from matcher.matching.tiers import parse_as_of

        when = as_of if isinstance(as_of, _dt.date) else parse_as_of(as_of)
        rows = cast(list[OverviewRow], self._indexed(lambda: self.matcher.overview(self.profile(profile), as_of=when)))
        got = self.matcher.measures.get_many(row["measure_id"] for row in rows)
        for row in rows:
            ms = got[row["measure_id"]]
            row.update(
                {
                    "clause": ms.clause,
                    "title": ms.title,
                    "document": ms.document,
                    "issued": ms.issued,
                    "offices": list(ms.offices),
                    "office_source": ms.office_source,
                }
            )
        return rows

    def search(
        self,
        text: str,
        *,
        district: str | None = None,
        top: int = 20,
        first: str | None = None,
        profile: ProfileInput | None = None,
        as_of: _dt.date | str | None = None,
    ) -> list[Result]:
        """Measures whose title or text matches ``text`` (synonyms, near spellings and
        Traditional input found); ``district`` as typed, resolved like everywhere else: a
        district's search covers its own and the city-level measures, 上海市 (全市, 市级) the
        city-level ones only. ``first`` (as typed too): a district whose measures are listed
        first, then the city-level ones, then the others' — the window's search, one call
        per keystroke. Judged on ``as_of`` (the 判断日期; today when None): expired ones are
        tier ``expired``; with a ``profile``, each has the tier the profile's answer gives it
        (``other``: not for this company)."""
        d = self.district(district, city=True)
        f = self.district(first, city=True) if first else None
        when = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        p = self.profile(profile) if profile is not None else None
        return self._indexed(lambda: self.matcher.search(text, district=d, top=top, first=f, profile=p, as_of=when))

    def measure(self, measure_id: str) -> Measure | None:
        """One measure by id, with the officer's corrections (None when the KB has none such)."""
        return self.kb.get_measure(measure_id)

    def measures(
        self, *, district: str | None = None, include_internal: bool = True, include_hidden: bool = False
    ) -> list[Measure]:
        """The KB's measures; ``district`` as typed (上海市 lists the city-level ones)."""
        d = self.district(district, city=True)
        ms = self.kb.measures(include_internal=include_internal, include_hidden=include_hidden)
        return [m for m in ms if m.district == d] if d else ms

    def is_hidden(self, measure_id: str) -> bool:
        return bool(self.kb.is_hidden(measure_id))

    def documents(self) -> list[Document]:
        return self.kb.documents()

    def stats(self) -> KBStats:
        """``kb stats --format json``: each document's measures, repairs and what it says of itself."""
        return cast(KBStats, self.kb.stats())

    def counts(self) -> KBInfo:
        """How many documents and measures the KB holds now, and its version."""
        return cast(KBInfo, self.kb.counts())

    @property
    def version(self) -> str:
        return self.kb.version

    # ------------------------------------------------------------ writing

    def ingest(
        self,
        files: Sequence[str | Path],
        *,
        district: str | None = None,
        title: str | None = None,
        issued: str | None = None,
        replace: bool = False,
        progress: Progress | None = None,
        front: str = "cli",
        reindex: bool = True,
    ) -> list[Document]:
        """Import documents (all or none); ``district`` as typed, or the city level.
        ``front`` (``cli`` or ``window``): whose ways the duplicate hints name. The match
        index is rebuilt at once (``reindex=False``: at the next match, e.g. between the
        batches of one long import)."""
        d = self.district(district, city=True)
        docs = self.kb.ingest(
            [Path(f) for f in files],
            district=d,
            title=title or None,
            issued=issued or None,
            progress=progress,
            replace=replace,
            front=front,
        )
        if reindex:
            self.reindex(progress)
        else:
            self._matcher, self._stamp = None, (self.kb.stamp(),)
        return docs

    def remove(self, doc_ids: Sequence[str]) -> list[Document]:
        """Remove imported documents (their measures, stored copies and corrections)."""
        docs = self.kb.remove_documents(list(dict.fromkeys(doc_ids)))
        self.reindex()
        return docs

    def clear_imports(self) -> int:
        """Remove every imported document (the seed documents stay); returns how many."""
        n = self.kb.clear_imports()
        self.reindex()
        return n

    # ------------------------------------------------------------ the window's lists

    def document_counts(self) -> dict[str, tuple[int, int]]:
        """``{doc_id: (measures, internal ones)}`` counted in SQL, hidden measures included
        (as ``kb stats`` counts them), without reading a single measure: what the window's
        document list and status bar show."""
        return self.kb.document_counts()

    # ------------------------------------------------------------ corrections

    def corrections(self, measure_id: str | None = None) -> list[Correction]:
        """The officer's corrections (of one measure, or all), oldest first."""
        return cast(list[Correction], self.kb.corrections(measure_id))

    def correct(
        self, measure_id: str, kind: str, value: JSONValue = None, *, field: str | None = None, note: str = ""
    ) -> int:
        """Record a correction of a measure (``offices``, ``add_tag``/``remove_tag`` of a
        ``field``, ``hide``/``unhide``, ``internal``); returns its id. The index follows."""
        cid = self.kb.add_correction(measure_id, kind, value, field=field, note=note)
        self.reindex()
        return cid

    def remove_correction(self, correction_id: int) -> None:
        self.kb.remove_correction(correction_id)
        self.reindex()

    # ------------------------------------------------------------ policy packs

    def export_pack(
        self, out: str | Path, districts: Sequence[str] = (), *, key: str | Path | None = None
    ) -> PackExport:
        """Write the counter's own knowledge (imported documents, corrections, the office
        directory) to a pack signed with the private key in the file ``key``; ``districts``
        as typed limit it (city-level documents always go)."""
        from matcher.store.packs import export_pack

        packfile.check_export(out, key)
        private = signing.load_private(key or "")
        wanted = [d for d in (self.district(x) for x in districts) if d]
        path, manifest = export_pack(self.kb, out, wanted, key=private)
        return {
            "path": str(path),
            "districts": list(manifest["districts"]),
            "documents": [
                {"doc_id": d["doc_id"], "title": d["title"], "district": d["district"], "measures": d["measures"]}
                for d in manifest["documents"]
            ],
            "corrections": len(manifest["corrections"]),
            "office_directory": len(manifest["office_directory"]),
            "signed_by": signing.public_of(private).key_id,
        }

    def import_pack(
        self, path: str | Path, *, replace_own: bool = False, dry_run: bool = False, progress: Progress | None = None
    ) -> Plan:
        """Read and verify a pack and plan what it changes; unless ``dry_run``, apply it in
        one go (all or nothing) and rebuild the index now, with ``progress`` told."""
        from matcher.store.packs import import_pack

        plan = import_pack(self.kb, path, replace_own=replace_own, dry_run=dry_run, progress=progress)
        if not dry_run and plan.changes_anything:
            self.reindex(progress)
        return plan

    # ------------------------------------------------------------ the handout

    def handout(
        self, profile: ProfileInput, *, as_of: _dt.date | str | None = None, exclude: Sequence[str] = ()
    ) -> Handout:
        """The handout for a profile as of ``as_of`` (the 判断日期; today when None): the whole
        answer matched, then :meth:`handout_of` with this KB's documents and the hall's office
        directory. What ``policydesk handout`` prints, and the window prints the same."""
        from matcher.matching.tiers import parse_as_of

        when = as_of if isinstance(as_of, _dt.date) else parse_as_of(as_of)
        response = self.match(profile, top=None, as_of=when)
        return self.handout_of(response, exclude=exclude, documents=self.documents())

    # ------------------------------------------------------------ what changed for a client

    def changes_since(self, profile: ProfileInput, since: str, *, as_of: _dt.date | str | None = None) -> ChangeDiff:
        """What changed for a profile since ``since`` (:meth:`parse_since`) until ``as_of``
        (the 判断日期; today when None): newly targeted, changed (offices, amounts,
        deadline), expired, no longer targeted — judged on the same day as the results."""
        from matcher.clients.changes import what_changed

        day = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        return cast(ChangeDiff, what_changed(self.kb, self.profile(profile), since, today=day.isoformat()))

    def saved_clients_changes(
        self, since: str | None = None, *, as_of: _dt.date | str | None = None
    ) -> list[ClientChanges]:
        """For every saved profile, what changed since ``since`` or since it was last reviewed,
        judged on ``as_of`` (the 判断日期; today when None) like the results."""
        from matcher.clients.changes import saved_clients_changes

        day = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        return cast(list[ClientChanges], saved_clients_changes(self.kb, since=since, today=day.isoformat()))

    def clients_changed_by(self, doc_ids: Sequence[str], *, as_of: _dt.date | str | None = None) -> list[ClientChanges]:
        """The saved clients for whom the documents just imported changed something (since
        the moment they were imported), judged on ``as_of`` (the 判断日期; today when None)."""
        from matcher.clients.changes import has_changes

        wanted = set(doc_ids)
        times = [t for i, t in self.kb.imported_at().items() if i in wanted and t]
        if not times:
            return []
        return [c for c in self.saved_clients_changes(since=min(times), as_of=as_of) if has_changes(c["diff"])]
