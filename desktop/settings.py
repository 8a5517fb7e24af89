"""User settings (window layout, large-text mode), kept in an INI file in the PolicyDesk
data folder so that ``POLICYDESK_HOME`` isolates them like every other user file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from matcher.engine import Engine


class Settings:
    """Typed access to the few settings PolicyDesk keeps."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings(str(Engine.data_dir() / "settings.ini"), QSettings.Format.IniFormat)

    def _bool(self, key: str, default: bool = False) -> bool:
        v = self._s.value(key, default)
        if isinstance(v, str):
            return v.lower() in ("1", "true", "yes")
        return bool(v)

    @property
    def large_text(self) -> bool:
        return self._bool("view/large_text")

    @large_text.setter
    def large_text(self, on: bool) -> None:
        self._s.setValue("view/large_text", bool(on))

    def geometry(self):
        return self._s.value("window/geometry")

    def set_geometry(self, data) -> None:
        self._s.setValue("window/geometry", data)

    def state(self, key: str):
        return self._s.value(f"window/{key}")

    def set_state(self, key: str, data) -> None:
        self._s.setValue(f"window/{key}", data)

    def sync(self) -> None:
        self._s.sync()


def documents_dir() -> str:
    """Where file dialogs open: the user's documents folder (else the home folder)."""
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
