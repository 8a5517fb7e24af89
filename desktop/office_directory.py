"""The office directory (Qt-free, in :mod:`matcher.store.office_directory` so that policy packs
carry it); re-exported here for the window."""

from matcher.store.office_directory import (
    FIELD_LABELS,
    FIELDS,
    FILE_NAME,
    FORMAT,
    MAX_LEN,
    Contact,
    OfficeDirectory,
    OfficeInfo,
    canonical,
    default_path,
    known_offices,
    read_file,
)

__all__ = [
    "FIELD_LABELS",
    "FIELDS",
    "FILE_NAME",
    "FORMAT",
    "MAX_LEN",
    "Contact",
    "OfficeDirectory",
    "OfficeInfo",
    "canonical",
    "default_path",
    "known_offices",
    "read_file",
]
