"""Errors a user can act on. The CLI maps them to exit codes; the GUI shows the message."""


class PolicyDeskError(Exception):
    """Base class; ``str(err)`` is a complete message for a person."""

    exit_code = 1


class BadInput(PolicyDeskError):
    """Input the user gave is wrong (file, profile value, option). Exit code 2."""

    exit_code = 2


class KBError(PolicyDeskError):
    """The knowledge base cannot be built, opened or written. Exit code 3."""

    exit_code = 3


class RuleFileError(KBError):
    """A resources/ data file is invalid; names file, entry and field."""
