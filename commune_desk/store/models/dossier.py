"""Dossiers (hồ sơ), their append-only history, citizens' ratings, drafts and counters."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, Synced, utcnow, uuid7


class Dossier(Synced, Base):
    """One citizen's dossier. ``status`` holds the lifecycle state (domain.lifecycle);
    "overdue" is derived from ``due_at`` and never stored.

    Columns the statistics need (FACTS.md 4.3) are kept up to date by the lifecycle
    service, so reports aggregate in SQL: ``finished_at`` (first terminal time, "result
    ready" first), ``supplement_count`` and ``supplement_paused_seconds``.
    """

    __tablename__ = "dossier"
    __sync_route__ = "competent_office_code"  # the hub relays it to the competent commune
    __table_args__ = (
        UniqueConstraint("office_code", "book_year", "book_number", name="uq_dossier_book_entry"),
        Index("ix_dossier_status_due", "status", "due_at"),
        Index("ix_dossier_received", "received_at", "id"),
        Index("ix_dossier_due", "due_at", "id"),  # the list sorted by appointment (keyset paging)
        Index("ix_dossier_finished_received", "finished_at", "received_at"),  # a period's statistics
    )

    code: Mapped[str] = mapped_column(String(64), unique=True)
    book_year: Mapped[int] = mapped_column(Integer)
    book_number: Mapped[int] = mapped_column(Integer)
    rules_set: Mapped[str] = mapped_column(String(8), default="2025")  # 2025 forms or the 2018 set

    procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedure.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200), index=True)

    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_folded: Mapped[str] = mapped_column(String(200), index=True)
    applicant_id_number: Mapped[str | None] = mapped_column(String(12), index=True)
    applicant_dob: Mapped[dt.date | None] = mapped_column(Date)
    applicant_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    applicant_email: Mapped[str | None] = mapped_column(String(200))

    documents: Mapped[list] = mapped_column(default=list)
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(8), default="counter")  # counter | online | post
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    result_delivery: Mapped[str] = mapped_column(String(8), default="counter")

    received_at: Mapped[dt.datetime] = mapped_column()
    due_at: Mapped[dt.datetime | None] = mapped_column()
    original_due_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(24))
    receiver_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    receiver_name: Mapped[str | None] = mapped_column(String(200))
    handler_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    handler_name: Mapped[str | None] = mapped_column(String(200))

    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    supplement_requested_at: Mapped[dt.datetime | None] = mapped_column()
    supplement_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    result_ready_at: Mapped[dt.datetime | None] = mapped_column()
    returned_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(String(8))  # early | on_time | late, set when finished
    slip_issued_at: Mapped[dt.datetime | None] = mapped_column()
    anonymised_at: Mapped[dt.datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    # Since 2025 a citizen may file at any office of the province: the office competent to
    # settle a dossier received here for another one (NULL: this office). The hub relays it.
    competent_office_code: Mapped[str | None] = mapped_column(String(8), index=True)


class DossierEvent(Synced, Base):
    """One step of a dossier's life. Append-only: never updated, never deleted."""

    __tablename__ = "dossier_event"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    data: Mapped[dict] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class Rating(Synced, Base):
    """A citizen's evaluation (FACTS.md 4.1). The rater's identity is not stored here."""

    __tablename__ = "rating"

    dossier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    rated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(16), default="paper")
    scores: Mapped[dict] = mapped_column(default=dict)   # criterion key -> 0..2 (or 1..5)
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    dislike: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)


class IntakeDraft(Base):
    """An intake in progress, saved as the clerk types (recovered after a crash). Local only."""

    __tablename__ = "intake_draft"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict] = mapped_column(default=dict)


class SequenceCounter(Base):
    """Local counters: ``dossier:YYMMDD`` for the daily code sequence, ``book:YYYY`` for the
    tracking book. Incremented inside the saving transaction."""

    __tablename__ = "sequence_counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
