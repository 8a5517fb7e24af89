"""A date typed whole (:class:`DateField`): 判断日期.

Qt's QDateEdit edits one section at a time: typing "2023-05-01" into it gave 2023-12-05 or
left 2026-05-01, depending on where the cursor was. Here the date is a line of text that
is read when it is a whole date — 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日 or 20230501 —
with a calendar beside it, and ↑/↓ a day later or earlier. It keeps QDateEdit's small API
(``date``, ``setDate``, ``dateChanged``), so callers need not know which it is."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

from PySide6.QtCore import QDate, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QMenu, QStyle, QToolTip, QWidgetAction

_WHOLE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})")
# what may be on the way to a date (anything else is not accepted as typed)
_TYPING = QRegularExpression(r"[0-9０-９\-/.年月日 ]{0,12}")


def parse_date(text: str) -> _dt.date | None:
    """The date ``text`` writes whole, or None (incomplete, or no such day)."""
    v = unicodedata.normalize("NFKC", text).replace(" ", "")
    m = _WHOLE.fullmatch(v)
    if not m:
        return None
    y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        return None


class DateField(QLineEdit):
    """Signals: dateChanged(QDate): a new whole date (typed, picked or stepped)."""

    dateChanged = Signal(QDate)

    FORMAT = "yyyy-MM-dd"

    def __init__(self, day: QDate | None = None, parent=None) -> None:
        super().__init__(parent)
        self._date = day if day is not None and day.isValid() else QDate.currentDate()
        self.setValidator(QRegularExpressionValidator(_TYPING, self))
        self.setText(self._date.toString(self.FORMAT))
        self.setPlaceholderText("如 2026-05-01")
        self.setMaxLength(12)
        # wide enough for the date and the calendar button, at any text size
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-05-01") + 48)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.activated.connect(self._on_calendar_clicked)
        self._menu = QMenu(self)
        holder = QWidgetAction(self._menu)
        holder.setDefaultWidget(self.calendar)
        self._menu.addAction(holder)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
        self.calendar_action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("从日历中选择(Alt+↓)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    # -- QDateEdit's API -------------------------------------------------------------------
    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, day) -> None:
        if isinstance(day, _dt.date):
            day = QDate(day.year, day.month, day.day)
        if not day.isValid():
            return
        text = day.toString(self.FORMAT)
        if self.text() != text:
            self.setText(text)
        if day != self._date:
            self._date = QDate(day)
            self.dateChanged.emit(QDate(day))

    # -- the calendar ------------------------------------------------------------------------
    def show_calendar(self) -> None:
        self.calendar.setSelectedDate(self._date)
        self._menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
        self.calendar.setFocus()

    def _on_calendar_clicked(self, day: QDate) -> None:
        self._menu.hide()
        self.setDate(day)
        self.setFocus()
        self.selectAll()

    # -- typing ------------------------------------------------------------------------------
    def _on_text_edited(self, text: str) -> None:
        # a whole date in the usual forms counts at once; 2023-5-1 only when typing stops
        # (it may be the start of 2023-5-10)
        day = parse_date(text)
        if day is not None and re.fullmatch(r"\d{4}\D\d{2}\D\d{2}\D?|\d{8}", text.strip()):
            self._take(day)

    def _on_editing_finished(self) -> None:
        day = parse_date(self.text())
        if day is None:
            # not a date: the last one stands, and the field says so
            typed = self.text()
            self.setText(self._date.toString(self.FORMAT))
            if typed.strip():
                QToolTip.showText(
                    self.mapToGlobal(self.rect().bottomLeft()),
                    f"“{typed}”不是日期,仍按 {self.text()} 判断。请写成 年-月-日,如 2026-05-01 或 20260501。",
                    self,
                )
            return
        self._take(day)
        self.setText(self._date.toString(self.FORMAT))

    def _take(self, day: _dt.date) -> None:
        q = QDate(day.year, day.month, day.day)
        if q != self._date:
            self._date = q
            self.dateChanged.emit(QDate(q))

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        # typing replaces the whole date (after a click too: the press places the cursor first)
        QTimer.singleShot(0, self.selectAll)

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not mods & Qt.KeyboardModifier.AltModifier:
            self.setDate(self._date.addDays(1 if key == Qt.Key.Key_Up else -1))
            self.selectAll()
            return
        if key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier or key == Qt.Key.Key_F4:
            self.show_calendar()
            return
        super().keyPressEvent(event)
