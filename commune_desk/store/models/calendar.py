"""The office's yearly table of days off and make-up working days (on top of the legal
holidays that the ``holidays`` library computes)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, Synced


class CalendarDay(Synced, Base):
    """``kind`` is ``off`` (a day off: holiday, swapped day) or ``work`` (a make-up working
    day, usually a Saturday). A row overrides what the legal calendar says for that date."""

    __tablename__ = "calendar_day"

    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(String(300))
