"""Saved profiles and recent sessions (the window's 已存/最近 list, 保存画像, and what
``policydesk data clear`` and 清除客户记录 delete), as JSON files in the PolicyDesk data
folder (where and for how long: :mod:`matcher.store.userdata`). Qt-free; the window reaches
it through :class:`matcher.engine.Engine`.

- ``profiles/<name>.json``: a profile the user saved, in the same form as
  ``policydesk match --profile FILE.json`` reads.
- ``sessions/<timestamp>.json``: ``{"at", "profile", "applies", "near"}`` written when the
  officer prints, exports or saves (not after every match), the same profile not
  repeated, kept :func:`matcher.store.userdata.retention_days` days.

Files are mode 0600. A damaged file (bad JSON, wrong types, any encoding problem) is
skipped and named (``文件名:原因``) in the listing's ``skipped``, never stops the window.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from matcher.common.jsonfile import read_json
from matcher.errors import BadInput
from matcher.store import userdata

MAX_RECENT = 20

_TEXT = ("district", "industry", "specialisation", "sme_group", "size", "zjtx", "area", "keywords", "company")
_LISTS = ("flags", "needs")
_FIGURES = ("employees", "revenue", "assets")


@dataclass
class Entry:
    """A saved profile or a recent session."""

    kind: str  # "saved" or "recent"
    name: str  # what the list shows
    path: Path
    profile: dict[str, Any]
    at: str = ""

    @property
    def summary(self) -> str:
        """The profile in one line: 虹口区 · 制造业 · 小型 · 需融资."""
        return profile_summary(self.profile)


@dataclass
class ClientRecords:
    """The saved profiles and recent sessions, newest first, and the files skipped (damaged:
    ``文件名:原因``, for a person)."""

    saved: list[Entry] = field(default_factory=list)
    recent: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _profiles_dir() -> Path:
    return userdata.profiles_dir()


def _sessions_dir() -> Path:
    return userdata.sessions_dir()


def check_profile(profile: Any) -> dict:
    """``profile`` if it has the shape of a profile (fields of the right types), else ValueError."""
    if not isinstance(profile, dict):
        raise ValueError("画像不是一个 JSON 对象")
    for k, v in profile.items():
        if v is None:
            continue
        if k in _TEXT and not isinstance(v, str):
            raise ValueError(f"字段 {k} 应是文字")
        if k in _LISTS and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            raise ValueError(f"字段 {k} 应是文字列表")
        if k in _FIGURES and (isinstance(v, bool) or not isinstance(v, (int, float, str))):
            raise ValueError(f"字段 {k} 应是数字")
    return profile


def profile_summary(profile: dict) -> str:
    bits = [str(profile.get("district") or ""), str(profile.get("industry") or ""), str(profile.get("size") or "")]
    zj = profile.get("zjtx")
    if zj and zj != "无":
        bits.append(str(zj))
    needs = profile.get("needs")
    if isinstance(needs, list) and needs:
        bits.append("需" + "、".join(str(n) for n in needs))
    return " · ".join(b for b in bits if b) or "(空画像)"


def safe_name(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\r\n\t\x00-\x1f]+', "_", name).strip(" ._")
    return name[:60] or "画像"


def clean_profile(profile: dict) -> dict:
    """Drop empty fields, so files stay short and readable."""
    return {k: v for k, v in profile.items() if v not in (None, "", [], {})}


def save_profile(name: str, profile: dict) -> Path:
    path = _profiles_dir() / f"{safe_name(name)}.json"
    return userdata.write_private(path, json.dumps(clean_profile(profile), ensure_ascii=False, indent=1))


def _read(p: Path) -> Any:
    return read_json(p, "记录文件")


def saved_profiles(skipped: list[str] | None = None) -> list[Entry]:
    """The saved profiles, newest first; a damaged file is named in ``skipped``."""
    out = []
    for p in sorted(_profiles_dir().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            prof = check_profile(_read(p))
        except (BadInput, ValueError, OSError) as e:
            if skipped is not None:
                skipped.append(f"{p.name}:{e}")
            continue
        out.append(Entry("saved", p.stem, p, prof))
    return out


def add_recent(profile: dict, applies: int, near: int) -> Path | None:
    profile = clean_profile(profile)
    if not profile.get("district"):
        return None
    d = _sessions_dir()
    if userdata.retention_days() <= 0:
        return None
    for old in d.glob("*.json"):  # the same profile moves to the top instead of repeating
        try:
            data = _read(old)
            if isinstance(data, dict) and data.get("profile") == profile:
                old.unlink()
        except (BadInput, OSError):
            continue
    userdata.prune_sessions()  # whenever one is kept, those past their retention go
    now = datetime.now()
    path = d / f"{now:%Y%m%d-%H%M%S-%f}.json"
    userdata.write_private(
        path,
        json.dumps(
            {"at": now.isoformat(timespec="seconds"), "profile": profile, "applies": applies, "near": near},
            ensure_ascii=False,
        ),
    )
    for old in sorted(d.glob("*.json"), reverse=True)[MAX_RECENT:]:
        old.unlink(missing_ok=True)
    return path


def recent_sessions(skipped: list[str] | None = None) -> list[Entry]:
    """The recent sessions still kept, newest first; a damaged file is named in ``skipped``."""
    out = []
    try:
        userdata.prune_sessions()
    except OSError:
        pass
    for p in sorted(_sessions_dir().glob("*.json"), reverse=True):
        try:
            data = _read(p)
            if not isinstance(data, dict):
                raise ValueError("记录不是一个 JSON 对象")
            prof = check_profile(data.get("profile"))
            applies = data.get("applies", 0)
            if isinstance(applies, bool) or not isinstance(applies, int):
                raise ValueError("适用条数应是整数")
        except (BadInput, ValueError, OSError) as e:
            if skipped is not None:
                skipped.append(f"{p.name}:{e}")
            continue
        at = str(data.get("at", ""))[:16].replace("T", " ")
        name = f"{at}  {profile_summary(prof)}(适用 {applies} 项)"
        out.append(Entry("recent", name, p, prof, at))
    return out


def client_records() -> ClientRecords:
    """Every saved profile and recent session (old sessions pruned first), and the files
    skipped as damaged."""
    records = ClientRecords()
    records.saved = saved_profiles(records.skipped)
    records.recent = recent_sessions(records.skipped)
    return records


def clear_client_records() -> tuple[int, int]:
    """Delete every saved profile and recent session: (profiles, sessions) deleted."""
    return userdata.clear_profiles(), userdata.clear_sessions()
