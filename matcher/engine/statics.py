"""What the engine answers without a knowledge base: resolving what a person typed, the
form's lists, dates, the output writers, the signing keys, the shared library's status, the
office directory and the user's data folder. :class:`matcher.engine.Engine` inherits these, so
a front end still calls them as ``Engine.x`` (the one door); they are kept here so that the
engine's own module holds what needs an open knowledge base.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias, cast

from matcher.common import paths
from matcher.models import JSONObject, LibraryStatus, MatchResponse
from matcher.store import packfile, sessions, signing, userdata
from matcher.store.office_directory import OfficeDirectory, OfficeInfo
from matcher.store.sessions import ClientRecords

if TYPE_CHECKING:
    from matcher.models import Document, DocumentFields
    from matcher.profile.company import Profile
    from matcher.rules.form import FormOptions
    from matcher.rules.sme import SizeDecision

#: a profile as the engine takes it: a canonical Profile, or the fields as typed (a dict)
ProfileInput: TypeAlias = "Profile | Mapping[str, object]"
ExportFormat = Literal["json", "csv", "xlsx"]


class EngineStatics:
    """The engine's answers that need no knowledge base (all static)."""

    #: why the data folder cannot be written, or None (said at open: the window's status bar)
    read_only_reason = staticmethod(userdata.read_only_reason)

    os_reason = staticmethod(paths.os_reason)  # an OSError in Chinese, never the system's English

    @staticmethod
    def district(value: str | None, *, option: str = "--district", city: bool = False) -> str | None:
        """A district as typed → its canonical name (None stays None); ``city=True`` where a
        document's district is asked, so that 上海市 / 全市 / 市级 name the city level."""
        if value is None:
            return None
        from matcher.profile.resolver import resolve_district

        return resolve_district(value, field=option, city=city)

    @staticmethod
    def profile(data: ProfileInput) -> Profile:
        """A canonical :class:`~matcher.profile.company.Profile` from a dict (or a Profile); raises
        BadInput naming the field, the value, the accepted values and the nearest one."""
        from matcher.profile.company import Profile

        return data if isinstance(data, Profile) else Profile.from_dict(dict(data))

    @staticmethod
    def read_profile(path: str | Path) -> Profile:
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
    ) -> SizeDecision:
        """Size by the 2011 SME standard for an industry as typed (``SizeDecision``)."""
        from matcher.profile.resolver import classify_size

        return classify_size(industry, employees=employees, revenue=revenue, assets=assets)

    @staticmethod
    def suggest(text: str, choices: Sequence[str] | Mapping[str, str], limit: int = 12) -> list[str]:
        """Choices nearest to what was typed (Traditional accepted), best first."""
        from matcher.common import fuzzy

        return list(fuzzy.suggest(text, choices, limit=limit))

    @staticmethod
    def _as_of(value: str | None) -> _dt.date:
        from matcher.matching.tiers import parse_as_of

        return parse_as_of(value)

    @staticmethod
    def document_fields(doc: Document) -> DocumentFields:
        """What a document says about itself (level, issuer, 文号, validity, what was not
        taken as a measure and why), as ``kb stats`` and the import report show it."""
        from matcher.reading.meta import document_fields

        return cast("DocumentFields", document_fields(doc))

    @staticmethod
    def parse_as_of(value: str | None) -> _dt.date:
        """``--as-of YYYY-MM-DD`` (today when None or empty); BadInput naming what is accepted."""
        from matcher.matching.tiers import parse_as_of

        return parse_as_of(value)

    @staticmethod
    def export(response: MatchResponse, path: str | Path, fmt: ExportFormat | None = None) -> Path:
        """Write a match answer to .json, .csv or .xlsx: by the file's suffix, or as ``fmt``
        (``"xlsx"`` …) whatever the file is called."""
        from matcher import export as ex

        if fmt is None:
            return ex.export(response, Path(path))
        writers = {"json": ex.export_json, "csv": ex.export_csv, "xlsx": ex.export_xlsx}
        return writers[fmt](response, Path(path))

    @staticmethod
    def response_dict(response: MatchResponse) -> JSONObject:
        """A match answer as ``match --format json`` prints it."""
        from matcher.export import response_dict

        return response_dict(response)

    # pack signing keys (matcher.store.signing): check, make, trust, list, stop trusting
    check_pack_export = staticmethod(packfile.check_export)

    make_signing_key = staticmethod(signing.make_key)

    trust_key = staticmethod(signing.trust_key)

    untrust_key = staticmethod(signing.untrust_key)

    trusted_keys = staticmethod(signing.trusted_rows)

    @staticmethod
    def library_path() -> Path | None:
        """The shared policy library this counter follows (``POLICYDESK_LIBRARY`` or settings), if any."""
        from matcher.store.packs import library_path

        return library_path()

    @staticmethod
    def library_status() -> LibraryStatus | None:
        """Which pack of the shared library was applied last, of which date (None: none yet)."""
        from matcher.store.packs import library_status

        return cast("LibraryStatus | None", library_status())

    @staticmethod
    def parse_since(value: str) -> str:
        """``--since YYYY-MM-DD`` (or a moment) as an ISO moment; BadInput naming what is accepted."""
        from matcher.clients.changes import parse_since

        return parse_since(value)

    @staticmethod
    def mark_reviewed(name: str) -> None:
        """The officer has seen what changed for the saved client ``name`` (now)."""
        from matcher.clients.changes import mark_reviewed

        mark_reviewed(name)

    @staticmethod
    def office_directory() -> OfficeDirectory:
        """The hall's 部门通讯录 (empty when not written yet); BadInput when the file is damaged."""
        return OfficeDirectory.load()

    @staticmethod
    def read_office_directory(path: str | Path) -> OfficeDirectory:
        """An office directory file (an export of another counter); BadInput naming what is wrong."""
        from matcher.store.office_directory import read_file

        return read_file(Path(path))

    @staticmethod
    def known_offices() -> list[OfficeInfo]:
        """The offices a company may visit, as ``resources/offices.toml`` names them."""
        from matcher.store.office_directory import known_offices

        return known_offices()

    @staticmethod
    def data_dir() -> Path:
        """The user's data folder (``POLICYDESK_HOME``, else the platform's), created if needed."""
        return paths.data_dir()

    @staticmethod
    def resources_dir() -> Path:
        """The program's ``resources/`` (rules, style sheet, icons, fonts)."""
        return paths.resources_dir()

    @staticmethod
    def client_records() -> ClientRecords:
        """The saved profiles and recent sessions, newest first, and the damaged files skipped."""
        return sessions.client_records()

    @staticmethod
    def save_profile(name: str, profile: Mapping[str, object]) -> Path:
        """Save a profile (as the form holds it) under ``name``; returns its file."""
        return sessions.save_profile(name, dict(profile))

    @staticmethod
    def add_recent(profile: Mapping[str, object], applies: int, near: int) -> Path | None:
        """Keep a client's profile among the recent sessions (None: not kept, by the settings)."""
        return sessions.add_recent(dict(profile), applies, near)

    @staticmethod
    def clear_profiles() -> int:
        return userdata.clear_profiles()

    @staticmethod
    def clear_sessions() -> int:
        return userdata.clear_sessions()
