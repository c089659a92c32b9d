"""Change capture: every flush of a synced record writes its outbox row in the same
transaction, so a change and its change-log entry commit or vanish together.

``session.info`` switches:
- ``office_code``: stamped on new synced records that have none;
- ``capture_changes`` (default True): the hub turns it off while applying another office's
  bundle, because it is not the writer of those records.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from commune_desk.store.base import Synced, utcnow, uuid7
from commune_desk.store.models.changelog import ChangeLog


def _is_synced(obj: object) -> bool:
    return isinstance(obj, Synced)


def _before_flush(session: Session, _ctx, _instances) -> None:
    capture = session.info.get("capture_changes", True)
    office_code = session.info.get("office_code")
    now = utcnow()
    for obj in list(session.new):
        if not _is_synced(obj):
            continue
        if obj.id is None:
            obj.id = uuid7()
        if obj.office_code is None and office_code:
            obj.office_code = office_code
        if obj.created_at is None:
            obj.created_at = now
        obj.updated_at = obj.updated_at or now
        if obj.version is None:
            obj.version = 1
        if capture:
            session.add(ChangeLog(entity=obj.__tablename__, record_id=obj.id, op="upsert",
                                  version=obj.version, changed_at=now))
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
        session.add(ChangeLog(entity=obj.__tablename__, record_id=obj.id, op="upsert",
                              version=obj.version, changed_at=now))
    if capture:
        for obj in list(session.deleted):
            if _is_synced(obj):
                session.add(ChangeLog(entity=obj.__tablename__, record_id=obj.id, op="delete",
                                      version=(obj.version or 0) + 1, changed_at=now))


def install_change_capture(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)
