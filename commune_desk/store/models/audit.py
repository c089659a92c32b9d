"""The audit trail: append-only, hash-chained entries (who, when, what, from which
installation). Entries are synced records, so each installation's chain travels to the hub
with the bundles and the hub can verify it too."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, Synced

__all__ = ["AuditEntry"]


class AuditEntry(Synced, Base):
    """One audited event. ``seq`` counts up per installation without gaps; ``hash`` is
    SHA-256 over the canonical serialisation of the entry including ``prev_hash`` (the hash
    of the entry with ``seq - 1``), so deleting, editing or reordering an entry breaks the
    chain. ``details`` never holds personal data in clear (masked ID numbers, record ids)."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("installation", "seq", name="uq_audit_entry_installation_seq"),)

    installation: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)   # username (or "system")
    action: Mapped[str] = mapped_column(String(48), index=True)  # e.g. login.failed, id.reveal
    target: Mapped[str | None] = mapped_column(String(200))      # what it concerned (a code, an id)
    details: Mapped[dict] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
