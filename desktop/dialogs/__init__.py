"""Dialogs: import report, about box."""
