"""Dates between Python and Qt widgets, and "today" as the office's clock in Vietnam shows it
(a PC left on UTC would otherwise date the evening's work on the day before)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from commune_desk.domain.calendar import local_today


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def qtoday() -> QDate:
    return to_qdate(local_today())
