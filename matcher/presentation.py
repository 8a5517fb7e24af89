"""The words and layouts both front ends (``policydesk`` and the window) show: labels of the
tiers, of the profile's fields, of repairs and of what changed for a client; a measure's
headline sum, its way to apply and its contacts as lines; the office a measure is grouped
under; the JSON shape of a result. Nothing here decides, reads a file or opens the
knowledge base: it words what the engine (:class:`matcher.engine.Engine`) answered.

Each name is defined once, next to the rules it words, and re-exported here so that a front
end imports ``matcher.engine``, ``matcher.models``, ``matcher.errors`` and this module only
(the one door; ``tests/matcher/test_architecture.py`` and import-linter check it).
"""

from __future__ import annotations

from matcher.clients.changes import LABELS as CHANGE_LABELS
from matcher.clients.changes import describe as describe_change
from matcher.clients.changes import has_changes
from matcher.clients.changes import summary as change_summary
from matcher.clients.guide import plain_condition
from matcher.common.text import repair_label
from matcher.export import contact_lines, how_to_apply_lines, measure_dict, result_dict
from matcher.knowledge.amounts import top_amount
from matcher.knowledge.conditions import question_for
from matcher.knowledge.offices import canonical_office, group_office
from matcher.matching.general import general_groups
from matcher.matching.questions import question_groups
from matcher.matching.tiers import TIER_LABELS, TIERS
from matcher.rules.form import field_label
from matcher.rules.profile_rules import SIZE_GIVEN, SIZE_UNKNOWN
from matcher.store.office_directory import FIELD_LABELS as DIRECTORY_LABELS
from matcher.store.office_directory import FIELDS as DIRECTORY_FIELDS

__all__ = [
    "CHANGE_LABELS",
    "DIRECTORY_FIELDS",
    "DIRECTORY_LABELS",
    "SIZE_GIVEN",
    "SIZE_UNKNOWN",
    "TIERS",
    "TIER_LABELS",
    "canonical_office",
    "change_summary",
    "contact_lines",
    "describe_change",
    "field_label",
    "general_groups",
    "group_office",
    "has_changes",
    "how_to_apply_lines",
    "measure_dict",
    "plain_condition",
    "question_for",
    "question_groups",
    "repair_label",
    "result_dict",
    "size_computed",
    "top_amount",
]


def size_computed(size_decided_by: str | None) -> bool:
    """Whether a profile's size was worked out from its figures (not typed, not unknown):
    the size is then shown with how it was decided."""
    return size_decided_by not in (None, "", SIZE_GIVEN, SIZE_UNKNOWN)
