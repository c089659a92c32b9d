"""Change capture: every flush of a synced record writes its outbox row in the same
transaction, so a change and its change-log entry commit or vanish together.

The rows of one flush go in with one Core ``executemany`` at the start of that flush (on
the flush's own connection and transaction, savepoint included), rather than as ORM objects
flushed one INSERT ... RETURNING at a time: the outbox never needs its rows back.

``session.info`` switches:
- ``office_code``: stamped on new synced records that have none;
- ``capture_changes`` (default True): the hub turns it off while applying another office's
  bundle, because it is not the writer of those records.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from commune_desk.store.base import Synced, utcnow, uuid7
from commune_desk.store.models.changelog import ChangeLog


def _is_synced(obj: object) -> bool:
    return isinstance(obj, Synced)


def outbox_row(obj: Synced, op: str, version: int, now: datetime) -> dict[str, Any]:
    """The change-log row of ``obj`` (a synced record), as :func:`write_outbox` takes it."""
    return {"entity": obj.__tablename__, "record_id": obj.id, "op": op, "version": version, "changed_at": now,
            "bundle_seq": None, "acked": False}


def write_outbox(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert change-log rows with one statement, in the caller's transaction."""
    if rows:
        conn.execute(_outbox_insert(), rows)


@cache
def _outbox_insert() -> Insert:
    return insert(ChangeLog)


@cache
def _insert_of(cls: type) -> Insert:
    return insert(cls)


def stamp_new(obj: Synced, office_code: str | None, now: datetime) -> None:
    """What a flush fills in on a new synced record: id, office, times, version."""
    if obj.id is None:
        obj.id = uuid7()
    if obj.office_code is None and office_code:
        obj.office_code = office_code
    if obj.created_at is None:
        obj.created_at = now
    obj.updated_at = obj.updated_at or now
    if obj.version is None:
        obj.version = 1


def _column_values(obj: Synced) -> dict[str, Any]:
    """The columns set on ``obj``; the others take their column defaults, as in a flush."""
    state = inspect(obj)
    given = state.dict
    return {attr.columns[0].key: given[attr.key] for attr in state.mapper.column_attrs if attr.key in given}


def insert_directly(session: Session, objs: list[Synced]) -> None:
    """Insert new synced records with Core statements, stamped and logged in the outbox
    exactly as :func:`_before_flush` would, in the session's transaction, without a flush of
    the unit of work (the objects stay out of the session). Consecutive rows of one class go
    in with one statement; the outbox rows with one more."""
    office_code = session.info.get("office_code")
    now = utcnow()
    for obj in objs:
        stamp_new(obj, office_code, now)
    conn = session.connection()
    rows = [(type(obj), _column_values(obj)) for obj in objs]
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end][0] is not rows[start][0] or rows[end][1].keys() != rows[start][1].keys():
            conn.execute(_insert_of(rows[start][0]), [values for _cls, values in rows[start:end]])
            start = end
    if session.info.get("capture_changes", True):
        write_outbox(conn, [outbox_row(obj, "upsert", obj.version, now) for obj in objs])


def _before_flush(session: Session, _ctx, _instances) -> None:
    capture = session.info.get("capture_changes", True)
    office_code = session.info.get("office_code")
    now = utcnow()
    rows: list[dict] = []

    def outbox(obj, op: str, version: int) -> None:
        rows.append(outbox_row(obj, op, version, now))

    for obj in list(session.new):
        if not _is_synced(obj):
            continue
        stamp_new(obj, office_code, now)
        if capture:
            outbox(obj, "upsert", obj.version)
    for obj in list(session.dirty):
        if not _is_synced(obj) or not session.is_modified(obj, include_collections=False):
            continue
        if not capture:
            continue
        state = inspect(obj)
        # version/updated_at set by hand (the hub copying a commune's row) are kept as given
        if not state.attrs.version.history.has_changes():
            obj.version = (obj.version or 0) + 1
            obj.updated_at = now
        outbox(obj, "upsert", obj.version)
    if capture:
        for obj in list(session.deleted):
            if _is_synced(obj):
                outbox(obj, "delete", (obj.version or 0) + 1)
    write_outbox(session.connection(), rows)


def install_change_capture(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)
