"""Sync bookkeeping (DESIGN.md section 3). None of these tables travel: they describe the
travelling, not the data (the ``Synced`` tables do that).

- ``sync_identity``: this installation's key pairs (Ed25519 to sign, X25519 to receive).
- ``sync_peer``: the other side: a commune's trusted hub, or a hub's enrolled communes.
- ``sync_outgoing`` / ``sync_upload``: bundles made here and which of their parts reached a
  WebDAV server (so an interrupted upload resumes without re-sending finished parts).
- ``sync_incoming`` / ``sync_held``: bundles imported here, with their summaries; a bundle
  that arrived after a gap waits in ``sync_held`` until the gap is filled.
- ``sync_conflict``: both versions of a record that could not be applied silently.
- ``sync_alias``: a record of another office that is "the same thing" as a local one
  (a procedure with the same national code): references to it are rewritten.
- ``sync_relay``: the hub's list of other offices' records to pass down to a commune.
- ``sync_transport``: where this installation sends and fetches (folder or WebDAV).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, utcnow

__all__ = ["SyncAlias", "SyncConflict", "SyncHeld", "SyncIdentity", "SyncIncoming", "SyncOutgoing",
           "SyncPeer", "SyncRelay", "SyncTransport", "SyncUpload"]


class SyncIdentity(Base):
    """One row: this installation's keys, made at setup. The private halves live in the
    database on purpose: they must travel with a backup together with the bundle sequence
    numbers (a restored office continues its own chain), and the database file already holds
    the citizens' data, so it is protected like the most sensitive thing it contains."""

    __tablename__ = "sync_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sign_private: Mapped[bytes] = mapped_column(LargeBinary)
    sign_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_private: Mapped[bytes] = mapped_column(LargeBinary)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncPeer(Base):
    """The other end. ``role`` is ``hub`` (on a commune: the upper level it trusts) or
    ``commune`` (on a hub: an enrolled commune installation)."""

    __tablename__ = "sync_peer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(16))
    office_code: Mapped[str] = mapped_column(String(16), index=True)
    office_name: Mapped[str] = mapped_column(String(200))
    installation_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    sign_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(40))
    webdav_url: Mapped[str | None] = mapped_column(String(500))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # incoming chain: the last bundle applied from this peer
    last_seq_in: Mapped[int] = mapped_column(Integer, default=0)
    last_hash_in: Mapped[str | None] = mapped_column(String(64))
    last_bundle_at: Mapped[datetime | None] = mapped_column()
    alarm: Mapped[str | None] = mapped_column(Text)  # clone alarm, shown until someone clears it
    # hub only: what has already been passed down to this commune
    down_change_seq: Mapped[int] = mapped_column(Integer, default=0)
    down_relay_id: Mapped[int] = mapped_column(Integer, default=0)


class SyncOutgoing(Base):
    """A bundle made here. ``status``: pending (made, not yet sent), sent, held (the hub
    has it but waits for an earlier one), acked, failed (``error`` says why)."""

    __tablename__ = "sync_outgoing"
    __table_args__ = (UniqueConstraint("peer_id", "seq", name="uq_sync_outgoing_peer_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("sync_peer.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    bundle_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int] = mapped_column(Integer)
    change_count: Mapped[int] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    first_change_seq: Mapped[int | None] = mapped_column(Integer)
    last_change_seq: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    sent_via: Mapped[str | None] = mapped_column(String(16))
    sent_to: Mapped[str | None] = mapped_column(String(500))
    acked_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class SyncUpload(Base):
    """A part of an outgoing bundle that a server has confirmed (part 0 is the signed head,
    uploaded last: its presence tells the hub the bundle is complete)."""

    __tablename__ = "sync_upload"
    __table_args__ = (UniqueConstraint("outgoing_id", "target", "part", name="uq_sync_upload_part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outgoing_id: Mapped[int] = mapped_column(ForeignKey("sync_outgoing.id"), index=True)
    target: Mapped[str] = mapped_column(String(500))
    part: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncIncoming(Base):
    """A bundle received here. ``status``: applied, held (waits for a missing earlier
    bundle), clone (a different bundle with a sequence number already used: an alarm)."""

    __tablename__ = "sync_incoming"
    __table_args__ = (Index("ix_sync_incoming_peer_seq", "peer_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("sync_peer.id"))
    seq: Mapped[int] = mapped_column(Integer)
    bundle_hash: Mapped[str] = mapped_column(String(64), index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime | None] = mapped_column()   # when the sender made it
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column()
    counts: Mapped[dict] = mapped_column(default=dict)
    summary: Mapped[dict] = mapped_column(default=dict)


class SyncHeld(Base):
    """The bytes of a held bundle (already verified), applied when the gap is filled."""

    __tablename__ = "sync_held"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incoming_id: Mapped[int] = mapped_column(ForeignKey("sync_incoming.id"), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SyncConflict(Base):
    """Two versions of one record, or a record that could not be applied; shown to a person.

    ``kind``: both_changed, same_version, code_collision, owner, reference, rejected,
    delete_blocked. ``local_row``/``incoming_row`` are the serialised versions."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[int | None] = mapped_column(ForeignKey("sync_peer.id"), index=True)
    incoming_id: Mapped[int | None] = mapped_column(ForeignKey("sync_incoming.id"))
    entity: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    local_row: Mapped[dict | None] = mapped_column(JSON)
    incoming_row: Mapped[dict | None] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolution: Mapped[str | None] = mapped_column(String(24))
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class SyncAlias(Base):
    """``foreign_id`` (another office's id for a record of ``entity``) means ``local_id`` here."""

    __tablename__ = "sync_alias"

    entity: Mapped[str] = mapped_column(String(64), primary_key=True)
    foreign_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(36))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRelay(Base):
    """Hub: a record of one office to pass down to another (a dossier received elsewhere)."""

    __tablename__ = "sync_relay"
    __table_args__ = (Index("ix_sync_relay_target", "target_office", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_office: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncTransport(Base):
    """One row: how this installation reaches the other side. ``kind`` is ``folder`` (the
    default: USB stick, shared drive) or ``webdav``. The WebDAV password is never here: it
    is in the operating system's keyring (or asked, or read from an environment variable)."""

    __tablename__ = "sync_transport"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="folder")
    url: Mapped[str | None] = mapped_column(String(500))
    username: Mapped[str | None] = mapped_column(String(200))
    folder: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_ok_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
