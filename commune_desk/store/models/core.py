"""This installation, its accounts and its local settings. None of these travel."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, utcnow, uuid7


class Office(Base):
    """One row: who this installation is. ``role`` is ``commune`` or ``hub``."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    office_code: Mapped[str] = mapped_column(String(16))
    office_name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(4))
    province_name: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(String(40))          # identifier that starts dossier codes
    reception_point: Mapped[int] = mapped_column(Integer, default=0)  # 0-9, splits the daily sequence
    hub_name: Mapped[str | None] = mapped_column(String(200))
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid7)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # Ed25519 signing key (public half)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """Office settings (declared once in ``commune_desk.settings``), stored as JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
