"""A line edit whose completion list is ranked by the engine's fuzzy matcher, so near
spellings and Traditional input find the right entry (製造業 → 制造业)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QCompleter, QLineEdit, QStyle, QStyleOptionFrame

Suggest = Callable[[str, list[str]], list[str]]


class FuzzyLineEdit(QLineEdit):
    """Signals:
    value_changed(str): the text was edited or a completion was chosen.
    """

    value_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._choices: list[str] = []
        self._aliases: dict[str, str] = {}
        self._suggest: Suggest | None = None
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(12)
        self._completer.setWidget(self)
        self._completer.activated[str].connect(self._on_completer_activated)
        self.setClearButtonEnabled(True)
        self.textEdited.connect(self._on_self_text_edited)
        self.returnPressed.connect(self._on_self_editing_finished)
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)

    def elided_text(self) -> str:
        """What the field shows while it does not have focus: the whole text, or, when it
        does not fit, the text with its middle elided ("交通运输…邮政业 (航运)")."""
        rect = self._text_rect()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, max(rect.width() - 4, 10))

    def _text_rect(self):
        opt = QStyleOptionFrame()
        self.initStyleOption(opt)
        rect = self.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, self)
        if self.isClearButtonEnabled() and self.text():
            rect.setRight(rect.right() - rect.height() - 2)  # the clear button's place
        return rect

    def paintEvent(self, event) -> None:
        shown = self.elided_text() if self.text() and not self.hasFocus() else self.text()
        if shown == self.text():
            super().paintEvent(event)
            return
        # the frame as QLineEdit draws it, then the elided text in the contents rectangle
        painter = QPainter(self)
        opt = QStyleOptionFrame()
        self.initStyleOption(opt)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelLineEdit, opt, painter, self)
        rect = self._text_rect().adjusted(2, 0, 0, 0)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text or "")

    def completer_popup(self):
        return self._completer.popup()

    def set_choices(
        self, choices: list[str], suggest: Suggest | None = None, aliases: dict[str, str] | None = None
    ) -> None:
        """``aliases`` maps words a person may type to the choice they mean."""
        self._choices = list(choices)
        self._aliases = dict(aliases or {})
        self._suggest = suggest
        self._model.setStringList(self._choices)

    def suggestions(self, text: str) -> list[str]:
        text = text.strip()
        if not text:
            return list(self._choices)
        if self._suggest is not None:
            try:
                return list(self._suggest(text, self._aliases or self._choices))
            except Exception:
                pass
        return [c for c in self._choices if text in c]

    def keyPressEvent(self, event) -> None:
        popup = self._completer.popup()
        if event.key() == Qt.Key.Key_Down and not popup.isVisible():
            self._show(self.text())
            return
        super().keyPressEvent(event)

    def _on_app_focus_changed(self, old, new) -> None:
        # focus left for another field (not for the completion popup): tidy the text.
        # (QApplication.focusChanged, not focusOutEvent: while the popup is up the window
        # is inactive and no FocusOut event arrives.)
        if old is self and new is not self._completer.popup() and new is not self:
            self._on_self_editing_finished()

    def inputMethodEvent(self, event) -> None:
        # Chinese arrives through the input method; treat a commit like typing
        before = self.text()
        super().inputMethodEvent(event)
        if self.text() != before and event.commitString():
            self._on_self_text_edited(self.text())

    def _show(self, text: str) -> None:
        items = self.suggestions(text)
        self._model.setStringList(items)
        if items:
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _on_self_text_edited(self, text: str) -> None:
        self.setToolTip(text)
        self._show(text)
        self.value_changed.emit(text)

    def _on_completer_activated(self, text: str) -> None:
        self.setText(text)
        self.value_changed.emit(text)

    def _on_self_editing_finished(self) -> None:
        # accept the one obvious completion: typed text that is not a choice but has one
        # clear nearest entry (e.g. Traditional 製造業 → 制造业)
        t = self.text().strip()
        if t and t not in self._choices:
            # an alias or a Traditional spelling of exactly one choice: show the choice
            target = self._aliases.get(t)
            if target is None and self._suggest is not None:
                items = self.suggestions(t)
                if len(items) == 1 or (items and len(items[0]) == len(t)):
                    target = items[0]
            if target and target != t:
                self.setText(target)
                self.value_changed.emit(target)
