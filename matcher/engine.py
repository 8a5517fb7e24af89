"""The engine: the one entry point the command line and the window both call.

An :class:`Engine` opens the knowledge base (:mod:`matcher.store.kb`), resolves what a person
typed (:mod:`matcher.profile.resolver`, driven by ``resources/``), matches and searches
(:mod:`matcher.matching.match`), ingests and removes documents (:mod:`matcher.store.imports`), exports
(:mod:`matcher.export`) and lists the profile form's options (:mod:`matcher.rules.form`). The
CLI (``matcher/cli*.py``) and ``desktop/backend.py`` hold no rules of their own: every
value they accept goes through the same resolver here, so whatever the window accepts
the CLI accepts, and the other way round.

The knowledge base is opened on first use (resolving a profile or listing the options
needs no database). Use it as a context manager, or call :meth:`close`. One engine is
used from one thread at a time; the window opens one per worker task.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matcher.rules.form import FormOptions

Progress = Callable[[int, int, str], None]


class Engine:
    """The knowledge base, the resolver and the matcher behind one door.

    ``kb`` — an open :class:`~matcher.store.kb.KnowledgeBase` to use (tests, a synthetic KB);
    by default the app's own, opened when first needed with ``progress`` told of a build.
    """

    def __init__(self, kb: Any = None, *, progress: Progress | None = None) -> None:
        self._kb = kb
        self._progress = progress
        self._matcher: Any = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, progress: Progress | None = None) -> Engine:
        """An engine on the app's knowledge base, opened now (built or repaired as needed)."""
        engine = cls(progress=progress)
        engine.kb  # noqa: B018 - open it now, so that a KB problem is raised here
        return engine

    @property
    def kb(self) -> Any:
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
            read_only = self.read_only_reason()
            if read_only:
                kb.notices.append(f"{read_only}:可以匹配、查看和打印,但不能导入文件、保存画像或记录。")
        return self._kb

    @staticmethod
    def read_only_reason() -> str | None:
        """Why the data folder cannot be written, or None (the window says it at start)."""
        from matcher.store.userdata import read_only_reason

        return read_only_reason()

    @property
    def notices(self) -> list[str]:
        """What happened at open (a rebuild, a damaged file set aside), in Chinese."""
        return list(getattr(self._kb, "notices", []) or []) if self._kb is not None else []

    def close(self) -> None:
        if self._kb is not None:
            close = getattr(self._kb, "close", None)
            if callable(close):
                close()
        self._kb = None
        self._matcher = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ resolving (no KB needed)

    @staticmethod
    def district(value: str | None, *, option: str = "--district", city: bool = False) -> str | None:
        """A district as typed → its canonical name (None stays None); ``city=True`` where a
        document's district is asked, so that 上海市 / 全市 / 市级 name the city level."""
        if value is None:
            return None
        from matcher.profile.resolver import resolve_district

        return resolve_district(value, field=option, city=city)

    @staticmethod
    def profile(data: Any) -> Any:
        """A canonical :class:`~matcher.profile.company.Profile` from a dict (or a Profile); raises
        BadInput naming the field, the value, the accepted values and the nearest one."""
        from matcher.profile.company import Profile

        return data if isinstance(data, Profile) else Profile.from_dict(data)

    @staticmethod
    def read_profile(path: str | Path) -> Any:
        """A profile file (JSON) as a canonical Profile; BadInput naming what is wrong."""
        from matcher.profile.company import Profile

        return Profile.from_json(Path(path))

    @staticmethod
    def options() -> FormOptions:
        """The profile form's lists (districts, industries, sizes, 专精特新, flags, needs,
        areas per district, the fields' labels), all from ``resources/``."""
        from matcher.rules.form import form_options

        return form_options()

    @staticmethod
    def classify_size(
        industry: str, employees: float | None = None, revenue: float | None = None, assets: float | None = None
    ) -> Any:
        """Size by the 2011 SME standard for an industry as typed (``SizeDecision``)."""
        from matcher.profile.resolver import classify_size

        return classify_size(industry, employees=employees, revenue=revenue, assets=assets)

    @staticmethod
    def suggest(text: str, choices: Any, limit: int = 12) -> list[str]:
        """Choices nearest to what was typed (Traditional accepted), best first."""
        from matcher.common import fuzzy

        return list(fuzzy.suggest(text, choices, limit=limit))

    # ------------------------------------------------------------ matching and reading

    @property
    def matcher(self) -> Any:
        """The matcher over the open KB: it maps the KB's stored index (built, with the
        engine's progress told, when the KB changed) and fetches a whole measure from the
        KB for each result shown."""
        if self._matcher is None:
            from matcher.matching.match import matcher_for

            self._matcher = matcher_for(self.kb, self._progress)
        return self._matcher

    def reindex(self, progress: Progress | None = None) -> None:
        """After a change of the KB made outside the engine (a policy pack applied to
        ``engine.kb``): the stored index rebuilt now, while the caller shows progress,
        rather than at the next match."""
        self._reindex(progress)

    def _reindex(self, progress: Progress | None = None) -> None:
        """After a change of the KB: the index rebuilt now (the caller shows progress)."""
        self._matcher = None
        from matcher.matching.match import matcher_for

        self._matcher = matcher_for(self.kb, progress or self._progress)

    def _indexed(self, ask: Callable[[], Any]) -> Any:
        """``ask()`` answered from the stored index; when a section of the index fails its
        check at first use (:class:`~matcher.matching.stored_index.IndexDamaged`), the file
        is set aside, rebuilt with the engine's progress as a missing one is, and asked again."""
        from matcher.matching import stored_index

        try:
            return ask()
        except stored_index.IndexDamaged as e:
            stored_index.discard(e)
            self._reindex()
            return ask()

    def detached_matcher(self, measures: Sequence[Any] | None = None) -> Any:
        """A matcher holding every measure in memory, usable after the KB is closed. Nothing
        in the product uses it any more (the window asks its worker's engine for pages); it
        loads every measure, so do not use it on a large KB."""
        from matcher.matching.match import Matcher

        ms = list(measures) if measures is not None else self.kb.measures(include_internal=True)
        ix = self.matcher.ix  # the stored index (a map: usable once the KB is closed)
        if ix.n == len(ms) and ix.mids_in_order() == [m.measure_id for m in ms]:
            return Matcher(ms, self.kb_info(len(ms)), index=ix)
        return Matcher(ms, self.kb_info(len(ms)))

    def kb_info(self, measures: int | None = None) -> dict[str, Any]:
        kb = self.kb
        n = measures if measures is not None else kb.counts()["measures"]
        return {"documents": len(kb.documents()), "measures": n, "version": str(getattr(kb, "version", ""))}

    def match(
        self,
        profile: Any,
        *,
        top: int | None = 30,
        as_of: _dt.date | str | None = None,
        include_expired: bool = False,
        sort: str = "relevance",
    ) -> Any:
        """The :class:`~matcher.models.MatchResponse` for a profile (a dict is resolved first)."""
        from matcher.matching.tiers import parse_as_of, sort_results

        when = as_of if isinstance(as_of, _dt.date) else parse_as_of(as_of)
        resp = self._indexed(
            lambda: self.matcher.match(self.profile(profile), top=top, as_of=when, include_expired=include_expired)
        )
        if sort != "relevance":
            resp.results = sort_results(resp.results, sort)
        return resp

    def tier_counts(
        self, profile: Any, *, as_of: _dt.date | str | None = None, include_expired: bool = False
    ) -> dict[str, int]:
        """How many measures of each tier the profile gets, counted whole (not only a page):
        ``targeted``, ``general``, ``near``, ``unknown``, ``expired`` (listed only with
        ``include_expired``) and ``fails`` (a stated condition not met; never listed).
        Worked out for every candidate at once (:mod:`matcher.matching.tierclass`)."""
        from matcher.matching.tiers import TIERS

        when = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        if self._indexed(lambda: self.matcher.tier_features()) is not None:
            return self._indexed(lambda: self.matcher.cut(self.profile(profile), when).counts())
        resp = self.match(profile, top=None, as_of=when, include_expired=include_expired)
        out = dict.fromkeys(TIERS, 0)
        for r in resp.results:
            out[r.tier or "general"] += 1
        out["expired"] = int(resp.tiers.get("expired", 0))
        out["fails"] = int(resp.tiers.get("fails", 0))
        return out

    def tier_page(
        self,
        profile: Any,
        tier: str,
        start: int = 0,
        count: int = 30,
        *,
        as_of: _dt.date | str | None = None,
        include_expired: bool = False,
    ) -> list[Any]:
        """Results ``start`` … ``start + count`` of one tier, in rank order (ranks counted
        within the tier, from 1): what one list of the window shows, a page at a time.
        Only the page's rows are fetched, explained and decided in full."""
        from matcher.matching.tiers import TIERS

        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
        when = as_of if isinstance(as_of, _dt.date) else self._as_of(as_of)
        if self._indexed(lambda: self.matcher.tier_features()) is not None:
            return self._indexed(lambda: self.matcher.cut(self.profile(profile), when).page(tier, start, count))
        resp = self.match(profile, top=None, as_of=when, include_expired=True)
        mine = [r for r in resp.results if r.tier == tier][max(0, start) : max(0, start) + max(0, count)]
        return [r.model_copy(update={"rank": start + k}) for k, r in enumerate(mine, 1)]

    @staticmethod
    def _as_of(value: str | None) -> _dt.date:
        from matcher.matching.tiers import parse_as_of

        return parse_as_of(value)

    def overview(self, profile: Any, *, as_of: _dt.date | str | None = None) -> list[dict]:
        """Every measure of the profile's district with its status for the profile, each row
        with the measure's clause, title, document and offices."""
        from matcher.matching.tiers import parse_as_of

        when = as_of if isinstance(as_of, _dt.date) else parse_as_of(as_of)
        rows = self._indexed(lambda: self.matcher.overview(self.profile(profile), as_of=when))
        for row in rows:
            ms = self.matcher.measure(row["measure_id"])
            row.update(
                clause=ms.clause,
                title=ms.title,
                document=ms.document,
                issued=ms.issued,
                offices=list(ms.offices),
                office_source=ms.office_source,
            )
        return rows

    def search(self, text: str, *, district: str | None = None, top: int = 20) -> list[Any]:
        """Measures whose title or text matches ``text`` (synonyms, near spellings and
        Traditional input found); ``district`` as typed, resolved like everywhere else: a
        district's search covers its own and the city-level measures, 上海市 (全市, 市级) the
        city-level ones only."""
        d = self.district(district, city=True)
        return self._indexed(lambda: self.matcher.search(text, district=d, top=top))

    def measure(self, measure_id: str) -> Any:
        return self.kb.get_measure(measure_id)

    def measures(
        self, *, district: str | None = None, include_internal: bool = True, include_hidden: bool = False
    ) -> list[Any]:
        """The KB's measures; ``district`` as typed (上海市 lists the city-level ones)."""
        d = self.district(district, city=True)
        ms = self.kb.measures(include_internal=include_internal, include_hidden=include_hidden)
        return [m for m in ms if m.district == d] if d else ms

    def is_hidden(self, measure_id: str) -> bool:
        return bool(self.kb.is_hidden(measure_id))

    def documents(self) -> list[Any]:
        return self.kb.documents()

    def stats(self) -> dict[str, Any]:
        return self.kb.stats()

    def counts(self) -> dict[str, Any]:
        return self.kb.counts()

    @property
    def version(self) -> str:
        return str(getattr(self.kb, "version", ""))

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
    ) -> list[Any]:
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
            self._reindex(progress)
        else:
            self._matcher = None
        return docs

    def remove(self, doc_ids: Sequence[str]) -> list[Any]:
        """Remove imported documents (their measures, stored copies and corrections)."""
        docs = self.kb.remove_documents(list(dict.fromkeys(doc_ids)))
        self._reindex()
        return docs

    def clear_imports(self) -> int:
        n = self.kb.clear_imports()
        self._reindex()
        return n

    # ------------------------------------------------------------ output

    @staticmethod
    def export(response: Any, path: str | Path, fmt: str | None = None) -> Path:
        """Write a match answer to .json, .csv or .xlsx: by the file's suffix, or as ``fmt``
        (``"xlsx"`` …) whatever the file is called."""
        from matcher import export as ex

        if fmt is None:
            return ex.export(response, Path(path))
        writers = {"json": ex.export_json, "csv": ex.export_csv, "xlsx": ex.export_xlsx}
        return writers[fmt](response, Path(path))

    @staticmethod
    def response_dict(response: Any) -> dict[str, Any]:
        """A match answer as ``match --format json`` prints it."""
        from matcher.export import response_dict

        return response_dict(response)

    # ------------------------------------------------------------ the window's lists

    def document_counts(self) -> dict[str, tuple[int, int]]:
        """``{doc_id: (measures, internal ones)}`` counted in SQL, hidden measures included
        (as ``kb stats`` counts them), without reading a single measure: what the window's
        document list and status bar show."""
        return self.kb.document_counts()
