"""PolicyDesk engine: repair, parse, enrich, store and match policy measures. Never imports Qt."""

__version__ = "0.1.0"
