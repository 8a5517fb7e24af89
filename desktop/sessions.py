"""Saved profiles and recent sessions, as JSON files in the PolicyDesk data folder.

- ``profiles/<name>.json``: a profile the user saved, in the same form as
  ``policydesk match --profile FILE.json`` reads.
- ``sessions/<timestamp>.json``: ``{"at", "profile", "applies", "near"}`` written after a
  match, newest kept, the same profile not repeated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from matcher.paths import data_dir

MAX_RECENT = 20


@dataclass
class Entry:
    kind: str          # "saved" or "recent"
    name: str          # what the list shows
    path: Path
    profile: dict
    at: str = ""


def _profiles_dir() -> Path:
    p = data_dir() / "profiles"
    p.mkdir(parents=True, exist_ok=True)
    return p


def _sessions_dir() -> Path:
    p = data_dir() / "sessions"
    p.mkdir(parents=True, exist_ok=True)
    return p


def profile_summary(profile: dict) -> str:
    bits = [profile.get("district") or "", profile.get("industry") or "",
            profile.get("size") or ""]
    zj = profile.get("zjtx")
    if zj and zj != "无":
        bits.append(zj)
    if profile.get("needs"):
        bits.append("需" + "、".join(profile["needs"]))
    return " · ".join(b for b in bits if b) or "(空画像)"


def safe_name(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", name).strip(" ._")
    return name[:60] or "画像"


def clean_profile(profile: dict) -> dict:
    """Drop empty fields, so files stay short and readable."""
    return {k: v for k, v in profile.items() if v not in (None, "", [], {})}


def save_profile(name: str, profile: dict) -> Path:
    path = _profiles_dir() / f"{safe_name(name)}.json"
    path.write_text(json.dumps(clean_profile(profile), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


def saved_profiles() -> list[Entry]:
    out = []
    for p in sorted(_profiles_dir().glob("*.json"), key=lambda p: p.stat().st_mtime,
                    reverse=True):
        try:
            prof = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(prof, dict):
            out.append(Entry("saved", p.stem, p, prof))
    return out


def add_recent(profile: dict, applies: int, near: int) -> Path | None:
    profile = clean_profile(profile)
    if not profile.get("district"):
        return None
    d = _sessions_dir()
    for old in d.glob("*.json"):   # the same profile moves to the top instead of repeating
        try:
            if json.loads(old.read_text(encoding="utf-8")).get("profile") == profile:
                old.unlink()
        except (OSError, ValueError):
            continue
    now = datetime.now()
    path = d / f"{now:%Y%m%d-%H%M%S-%f}.json"
    path.write_text(json.dumps({"at": now.isoformat(timespec="seconds"), "profile": profile,
                                "applies": applies, "near": near}, ensure_ascii=False),
                    encoding="utf-8")
    for old in sorted(d.glob("*.json"), reverse=True)[MAX_RECENT:]:
        old.unlink(missing_ok=True)
    return path


def recent_sessions() -> list[Entry]:
    out = []
    for p in sorted(_sessions_dir().glob("*.json"), reverse=True):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            prof = data["profile"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        at = str(data.get("at", ""))[:16].replace("T", " ")
        name = f"{at}  {profile_summary(prof)}(适用 {data.get('applies', 0)} 项)"
        out.append(Entry("recent", name, p, prof, at))
    return out
