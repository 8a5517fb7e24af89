"""Fingerprints: what the seed KB and the user KB were derived from, so that a change of
seeds, rules (``resources/*.toml``), version, schema or (in a source checkout) code
rebuilds them."""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from . import __version__, paths
from .kbstore import _M_COLS, SCHEMA_VERSION

def _hash_files(h: "hashlib._Hash", label: str, files: Iterable[Path]) -> None:
    for f in sorted(files, key=lambda p: p.name):
        h.update(f"{label}/{f.name}\0".encode())
        h.update(f.read_bytes())
        h.update(b"\0")


def rules_fingerprint() -> str:
    """What decides how a text becomes measures: rules, version, schema and code."""
    h = hashlib.sha256()
    h.update(f"policydesk {__version__} schema {SCHEMA_VERSION}\0".encode())
    h.update(",".join(sorted(_M_COLS)).encode())
    try:
        _hash_files(h, "resources", paths.resources_dir().glob("*.toml"))
    except FileNotFoundError:
        h.update(b"no-resources")
    h.update(_code_hash().encode())
    return h.hexdigest()


@functools.cache
def _code_hash() -> str:
    """In a source checkout the code changes without a version bump, so it is part of the
    fingerprint. Hashed once per process: the code running is the code loaded at start."""
    if getattr(sys, "frozen", False):
        return paths.bundled_code_hash()  # the code the packaged app was built from
    h = hashlib.sha256()
    _hash_files(h, "matcher", Path(__file__).resolve().parent.glob("*.py"))
    return h.hexdigest()


def data_fingerprint() -> str:
    """Seeds + rules + version + schema, without code (what a prebuilt KB is checked by)."""
    h = hashlib.sha256()
    h.update(f"policydesk {__version__} schema {SCHEMA_VERSION}\0".encode())
    h.update(",".join(sorted(_M_COLS)).encode())
    _hash_files(h, "seeds", paths.seeds_dir().glob("*.txt"))
    try:
        _hash_files(h, "resources", paths.resources_dir().glob("*.toml"))
    except FileNotFoundError:
        h.update(b"no-resources")
    return h.hexdigest()


def seed_fingerprint() -> str:
    """Everything the seed KB is derived from."""
    h = hashlib.sha256()
    h.update(data_fingerprint().encode())
    h.update(rules_fingerprint().encode())
    return h.hexdigest()
