"""The procedure catalog (danh mục thủ tục hành chính)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, Synced


class Procedure(Synced, Base):
    """A procedure the office receives. ``time_kind`` is ``working_days``, ``same_day`` or
    ``calendar_days``; ``time_value`` is N (None for same-day or not yet set).

    ``documents`` is a list of ``{"name", "form" ("bản chính"|"bản sao"|"xuất trình"),
    "count", "required", "note"}``; ``fees`` a list of ``{"name", "amount_vnd" (None = set by
    the province), "note"}``.
    """

    __tablename__ = "procedure"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    name_folded: Mapped[str] = mapped_column(String(500), index=True)
    field: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(100), default="Cấp xã")  # some levels name two bodies (58 chars)
    time_kind: Mapped[str] = mapped_column(String(16), default="working_days")
    time_value: Mapped[int | None] = mapped_column(Integer)
    cutoff_next_day: Mapped[bool] = mapped_column(Boolean, default=False)  # received after 15:00 -> next working day
    returns_on_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    fees: Mapped[list] = mapped_column(default=list)
    documents: Mapped[list] = mapped_column(default=list)
    result: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    online: Mapped[str | None] = mapped_column(String(50))
    retention_months: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
