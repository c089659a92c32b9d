"""The open database and the person acting: what every service function receives."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from commune_desk import settings as settings_registry
from commune_desk.domain.roles import Perm, Role, allowed
from commune_desk.errors import KnownError, PermissionDenied
from commune_desk.i18n import N_, _
from commune_desk.paths import default_data_dir
from commune_desk.store import migrate
from commune_desk.store.engine import make_engine, make_sessionmaker, sqlite_url
from commune_desk.store.faults import disk_full_message, is_disk_full
from commune_desk.store.lock import DataFolderLock
from commune_desk.store.models import Office, Setting


@dataclass(frozen=True)
class OfficeInfo:
    role: str            # commune | hub
    office_code: str
    office_name: str
    unit_id: str
    reception_point: int
    hub_name: str | None
    installation_id: uuid.UUID
    province_code: str | None
    province_name: str | None

    @property
    def is_hub(self) -> bool:
        return self.role == "hub"


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID | None
    username: str
    full_name: str
    role: Role

    @classmethod
    def system(cls) -> Actor:
        """The command line: whoever can run it already holds the data folder."""
        return cls(None, "system", _("Dòng lệnh commune-desk"), Role.ADMIN)


class Database:
    """An open database: engine, sessions, the data-folder lock and the office identity."""

    def __init__(self, engine: Engine, data_dir: Path, lock: DataFolderLock | None = None) -> None:
        self.engine = engine
        self.data_dir = Path(data_dir)
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        from commune_desk.services.audit import install_audit_hook

        install_audit_hook(self.sessions)  # every change to a synced record is audited
        self._lock = lock
        self._office: OfficeInfo | None = None

    @classmethod
    def open(cls, data_dir: Path | None = None, url: str | None = None, *,
             lock: bool = True, upgrade: bool = True) -> Database:
        """Open (and create or upgrade) the database of ``data_dir``.

        With no ``url`` this is the embedded SQLite file in the data folder, guarded by a
        lock so a second copy of the app gets a clear message instead of a corrupt file.
        """
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        data_dir.mkdir(parents=True, exist_ok=True)
        folder_lock = DataFolderLock(data_dir) if lock else None
        if folder_lock:
            folder_lock.acquire()
        try:
            engine = make_engine(url or sqlite_url(data_dir))
            if upgrade:
                migrate.upgrade(engine, backup_dir=data_dir / "backups")
        except OperationalError as exc:
            if folder_lock:
                folder_lock.release()
            raise KnownError(_("Không mở được cơ sở dữ liệu: {error}").format(error=exc.orig)) from exc
        except BaseException:
            if folder_lock:
                folder_lock.release()
            raise
        return cls(engine, data_dir, folder_lock)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock:
            self._lock.release()

    # -- sessions ---------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self, *, capture_changes: bool = True) -> Iterator[Session]:
        """One user action = one transaction (with its change-log rows)."""
        with self.sessions() as session:
            office = self.office
            session.info["office_code"] = office.office_code if office else None
            session.info["capture_changes"] = capture_changes
            try:
                with session.begin():
                    yield session
            except OperationalError as exc:
                if is_disk_full(exc):  # rolled back whole: say so plainly, no crash report
                    raise KnownError(disk_full_message()) from exc
                raise

    # -- office -----------------------------------------------------------------------
    @property
    def office(self) -> OfficeInfo | None:
        if self._office is None:
            with self.sessions() as s:
                row = s.scalars(select(Office)).first()
                if row is not None:
                    self._office = office_info(row)
        return self._office

    def forget_office(self) -> None:
        self._office = None

    def require_office(self) -> OfficeInfo:
        office = self.office
        if office is None:
            raise KnownError(_("Văn phòng chưa được thiết lập. Hãy chạy 'commune-desk init' "
                               "hoặc mở phần mềm để thiết lập lần đầu."))
        return office

    # -- settings ---------------------------------------------------------------------
    def setting(self, key: str, session: Session | None = None) -> Any:
        definition = settings_registry.SETTINGS[key]
        if session is not None:
            row = session.get(Setting, key)
        else:
            with self.sessions() as s:
                row = s.get(Setting, key)
        return definition.default if row is None else row.value

    def set_setting(self, session: Session, key: str, value: Any) -> None:
        settings_registry.SETTINGS[key]  # noqa: B018  (KeyError for undeclared keys)
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value


def office_info(row: Office) -> OfficeInfo:
    return OfficeInfo(role=row.role, office_code=row.office_code, office_name=row.office_name,
                      unit_id=row.unit_id, reception_point=row.reception_point or 0,
                      hub_name=row.hub_name, installation_id=row.installation_id,
                      province_code=row.province_code, province_name=row.province_name)


# Who is acting in this thread (set by Ctx.require, read by services.audit's flush hook).
acting_user: ContextVar[str | None] = ContextVar("acting_user", default=None)


@dataclass
class Ctx:
    """What a service function receives: the database and who is acting."""

    db: Database
    actor: Actor

    def require(self, perm: Perm) -> None:
        acting_user.set(self.actor.username)  # the audit hook names who made the changes
        if not allowed(self.actor.role, perm):
            raise PermissionDenied(_("Tài khoản {user} ({role}) không có quyền thực hiện việc này.")
                                   .format(user=self.actor.username, role=role_label(self.actor.role)))


ROLE_LABELS = {
    Role.CLERK: N_("Cán bộ tiếp nhận"),
    Role.LEADER: N_("Lãnh đạo"),
    Role.TRAINER: N_("Giảng viên, phụ trách bồi dưỡng"),
    Role.ADMIN: N_("Quản trị"),
    Role.HUB: N_("Cán bộ cấp trên"),
}


def role_label(role: Role | str) -> str:
    return _(ROLE_LABELS[Role(role)])
