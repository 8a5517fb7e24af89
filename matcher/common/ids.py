"""A measure's id, built in one place: ``<document id>/<clause path>`` (``hongkou-2023/12.4``).

The document id is the district's pinyin and the year (:func:`matcher.profile.resolver.district_slug`,
``hongkou-2023``; ``-2``, ``-3`` … when taken); the clause path is the numbers of the clause
label (:func:`matcher.reading.parse.clause_id`: ``12.(4★)`` → ``12.4``). An id moves with its document
when the document is renamed (:func:`rebase`), and nowhere else is one put together.
"""

from __future__ import annotations

SEP = "/"


def measure_id(doc_id: str, fragment: str) -> str:
    """``doc_id`` + ``/`` + the clause path."""
    return f"{doc_id}{SEP}{fragment}"


def doc_of(mid: str) -> str:
    """The document id of a measure id."""
    return mid.split(SEP, 1)[0]


def rebase(mid: str, old_doc: str, new_doc: str) -> str:
    """The id of the same measure once its document is called ``new_doc``."""
    prefix = old_doc + SEP
    return measure_id(new_doc, mid[len(prefix) :]) if mid.startswith(prefix) else mid
