"""Fingerprints: what the seed KB and the user KB were derived from, so that a change of
seeds, rules (``resources/*.toml``), version, schema or (in a source checkout) the code
that decides what is STORED rebuilds them.

The code part hashes every ``matcher/*.py`` except :data:`NOT_STORED`: modules that read,
match, search, show or export what is stored, or manage the files, and never decide a
stored row. A change to them (the matcher, the CLI, the engine) does not re-derive a big
user KB (minutes at 100,000 measures). A new module is hashed until it is listed there;
``tests/matcher/test_fingerprints.py`` walks the imports of the derivation path
(:data:`DERIVATION_ROOTS`) and fails if it reaches a listed module.

A cache derived by the MATCHER from the stored rows (the stored match index) must follow
the matcher's code too: it uses :func:`engine_fingerprint` (all code, all rules)."""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from matcher import __version__
from matcher.common import paths
from matcher.store.kbstore import M_COLS, SCHEMA_VERSION

#: modules that never decide what is stored (see the module docstring); a new module is
#: hashed (it may decide rows) until it is added here
NOT_STORED = frozenset(
    {
        "__main__",
        "cli",
        "engine",
        "export",
        "clients",  # front end, services
        "rules.form",
        "rules.match_rules",
        "store.userdata",
        "store.packs",
        "store.packfile",
        "store.office_directory",
        "store.history",
        "matching",  # reading, the index
        "store.kb",
        "store.reader",
        "store.rows",
        "store.fingerprints",
    }
)  #: where stored rows come from: a document's text to its Document (pipeline, readers), the
#: row codec and schema (kbstore), ids, and the re-derivation of the user's imports (rederive)
DERIVATION_ROOTS = ("reading.pipeline", "reading.readers", "store.kbstore", "store.rederive", "common.ids", "models")


def _pkg() -> Path:
    return Path(__file__).resolve().parents[1]


def module_name(p: Path) -> str:
    """``matcher/store/kb.py`` → ``store.kb`` (a package's ``__init__`` → the package)."""
    rel = p.resolve().relative_to(_pkg()).with_suffix("")
    parts = [x for x in rel.parts if x != "__init__"]
    return ".".join(parts)


def _not_stored(p: Path) -> bool:
    name = module_name(p)
    return any(name == n or name.startswith(n + ".") for n in NOT_STORED)


def _all_files() -> list[Path]:
    return sorted(p for p in _pkg().rglob("*.py") if "__pycache__" not in p.parts)


#: rules files read only by modules of :data:`NOT_STORED` (how to match, not what is stored)
RESOURCES_NOT_STORED = frozenset({"match_rules.toml"})


def resource_files() -> list[Path]:
    """The ``resources/*.toml`` files part of the derivation fingerprints."""
    return sorted(p for p in paths.resources_dir().glob("*.toml") if p.name not in RESOURCES_NOT_STORED)


def code_files() -> list[Path]:
    """The matcher modules whose code is part of the derivation fingerprint."""
    return [p for p in _all_files() if not _not_stored(p)]


def _hash_files(h: hashlib._Hash, label: str, files: Iterable[Path]) -> None:
    for f in sorted(files, key=lambda p: p.as_posix()):
        name = module_name(f) if label == "matcher" else f.name
        h.update(f"{label}/{name}\0".encode())
        h.update(f.read_bytes())
        h.update(b"\0")


def rules_fingerprint() -> str:
    """What decides how a text becomes stored measures: rules, version, schema and the
    code of the derivation path (not the matcher, search or front ends)."""
    h = hashlib.sha256()
    h.update(f"policydesk {__version__} schema {SCHEMA_VERSION}\0".encode())
    h.update(",".join(sorted(M_COLS)).encode())
    try:
        _hash_files(h, "resources", resource_files())
    except FileNotFoundError:
        h.update(b"no-resources")
    h.update(code_hash().encode())
    return h.hexdigest()


@functools.cache
def code_hash() -> str:
    """In a source checkout the code changes without a version bump, so the code that
    decides what is stored (:func:`code_files`) is part of the fingerprint. Hashed once per
    process: the code running is the code loaded at start."""
    if getattr(sys, "frozen", False):
        return paths.bundled_code_hash()  # the code the packaged app was built from
    h = hashlib.sha256()
    _hash_files(h, "matcher", code_files())
    return h.hexdigest()


@functools.cache
def all_code_hash() -> str:
    """The hash of every matcher module (for :func:`engine_fingerprint`), once per process."""
    if getattr(sys, "frozen", False):
        return paths.bundled_code_hash()
    h = hashlib.sha256()
    _hash_files(h, "matcher", _all_files())
    return h.hexdigest()


def engine_fingerprint() -> str:
    """Everything: rules (all of ``resources/*.toml``, match_rules too), version, schema and
    ALL the matcher code. For caches the matcher derives from the stored rows (the stored
    match index): they must follow a change to the matcher, which :func:`rules_fingerprint`
    deliberately ignores."""
    h = hashlib.sha256()
    h.update(f"engine {__version__} schema {SCHEMA_VERSION}\0".encode())
    try:
        _hash_files(h, "resources", paths.resources_dir().glob("*.toml"))
    except FileNotFoundError:
        h.update(b"no-resources")
    h.update(all_code_hash().encode())
    return h.hexdigest()


def data_fingerprint() -> str:
    """Seeds + rules + version + schema, without code (what a prebuilt KB is checked by)."""
    h = hashlib.sha256()
    h.update(f"policydesk {__version__} schema {SCHEMA_VERSION}\0".encode())
    h.update(",".join(sorted(M_COLS)).encode())
    _hash_files(h, "seeds", paths.seeds_dir().glob("*.txt"))
    try:
        _hash_files(h, "resources", resource_files())
    except FileNotFoundError:
        h.update(b"no-resources")
    return h.hexdigest()


def seed_fingerprint() -> str:
    """Everything the seed KB is derived from."""
    h = hashlib.sha256()
    h.update(data_fingerprint().encode())
    h.update(rules_fingerprint().encode())
    return h.hexdigest()
