"""The outbox: one row per changed synced record per flush, written in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, utcnow


class ChangeLog(Base):
    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(64))        # table name
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    op: Mapped[str] = mapped_column(String(8))             # upsert | delete
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    bundle_seq: Mapped[int | None] = mapped_column(Integer, index=True)  # the bundle that carried it
    acked: Mapped[bool] = mapped_column(default=False, index=True)
