"""Asking before something that cannot be undone (:func:`ask_destructive`)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_destructive(parent: QWidget | None, title: str, text: str, yes: str = "删除") -> bool:
    """True when the person chose ``yes``. 否 is the default button and Esc's: Enter pressed
    out of habit, or Esc, keeps everything."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    do = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("否,保留", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is do
