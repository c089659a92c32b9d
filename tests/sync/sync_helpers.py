"""Shared pieces of the sync tests: a commune enrolled with a hub (SQLite, and PostgreSQL
when COMMUNE_DESK_TEST_PG is set), realistic dossiers, and a fingerprint of a database's
whole content to prove that a refused bundle changed nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from commune_desk.domain.roles import Role
from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.services.office import SetupRequest, setup_office
from commune_desk.store.base import utcnow
from commune_desk.store.models import Base, Dossier, DossierEvent, Procedure

PG_URL = os.environ.get("COMMUNE_DESK_TEST_PG")
HUB_BACKENDS = ["sqlite", pytest.param("postgresql", marks=[
    pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="COMMUNE_DESK_TEST_PG not set")])]


def admin(db: Database) -> Ctx:
    return Ctx(db, Actor(None, "admin", "Quản Trị Viên", Role.ADMIN))


def fresh_pg() -> str:
    """An empty PostgreSQL schema for one test."""
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return PG_URL


def open_hub(backend: str, folder: Path, template: Path) -> Database:
    """The hub "08": a copy of the session template on SQLite, a fresh schema on PostgreSQL."""
    folder.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        from commune_desk.paths import DB_FILENAME

        shutil.copy(template, folder / DB_FILENAME)
        return Database.open(folder)
    db = Database.open(folder, fresh_pg())
    setup_office(db, SetupRequest(role="hub", office_code="08", office_name="UBND tỉnh Tuyên Quang",
                                  admin_username="admin", admin_full_name="Quản Trị Viên",
                                  admin_password="matkhau-123"))
    return db


@dataclass
class Pair:
    commune: Ctx
    hub: Ctx
    folder: Path        # where files travel (the "USB stick")

    def export(self, **kw) -> commune_sync.ExportResult:
        return commune_sync.export(self.commune, self.folder / "usb", **kw)

    def import_(self, *paths: Path, dry_run: bool = False) -> sync_hub.ImportRun:
        return sync_hub.import_paths(self.hub, paths or [self.folder / "usb"], dry_run=dry_run)


def enroll(commune: Ctx, hub: Ctx, folder: Path) -> None:
    invite = sync_hub.invite(hub, folder / "hub-invite.json")
    result = commune_sync.enroll(commune, invite.path, folder / f"request-{commune.db.require_office().office_code}.json")
    sync_hub.enroll(hub, result.request_path.read_bytes(), fingerprint=result.my_fingerprint)


def new_commune(folder: Path, code: str, name: str, unit_id: str) -> Ctx:
    db = Database.open(folder)
    setup_office(db, SetupRequest(role="commune", office_code=code, office_name=name, unit_id=unit_id,
                                  hub_name="UBND tỉnh Tuyên Quang", admin_username="admin",
                                  admin_full_name="Quản Trị Viên", admin_password="matkhau-123"))
    return admin(db)


NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Đặng Thị Giang",
         "Vũ Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Hồ Thị Lan"]


def add_dossiers(ctx: Ctx, n: int, *, start: int = 0, events: int = 1, prefix: str | None = None) -> list[str]:
    """``n`` received dossiers with ``events`` history entries each; returns their codes."""
    unit = prefix or ctx.db.require_office().unit_id
    codes = []
    with ctx.db.write() as s:
        procs = s.scalars(select(Procedure).order_by(Procedure.code)).all()
        for i in range(start, start + n):
            proc = procs[i % len(procs)]
            now = utcnow()
            name = NAMES[i % len(NAMES)]
            code = f"{unit}-261127-{i:04d}"
            d = Dossier(code=code, book_year=2026, book_number=i + 1, procedure_id=proc.id, procedure_code=proc.code,
                        procedure_name=proc.name, field=proc.field, applicant_name=name,
                        applicant_folded=name.lower(), applicant_id_number=f"0010900{i:05d}",
                        applicant_dob=dt.date(1980 + i % 30, 1 + i % 12, 1 + i % 28),
                        applicant_phone=f"09{i:08d}", applicant_address=f"Thôn {i % 9 + 1}, xã Minh Tân",
                        documents=[{"name": "Tờ khai", "form": "bản chính", "count": 1}], fee_vnd=20000 * (i % 3),
                        received_at=now, due_at=now + dt.timedelta(days=3), status="received")
            s.add(d)
            s.flush()
            for k in range(events):
                s.add(DossierEvent(dossier_id=d.id, kind="received" if k == 0 else "assigned", at=now,
                                   to_status="received", data={"step": k}))
            codes.append(code)
    return codes


def set_status(ctx: Ctx, code: str, status: str) -> None:
    with ctx.db.write() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        d.status = status


def db_fingerprint(db: Database) -> str:
    """SHA-256 over every row of every table (ordered): equal means nothing changed."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = list(table.columns)
            key = [c for c in table.primary_key.columns] or cols
            raw = sa.table(table.name, *[sa.column(c.name) for c in cols])
            for row in conn.execute(select(*raw.columns).order_by(*[raw.c[c.name] for c in key])):
                h.update(repr(tuple(row)).encode())
            h.update(table.name.encode())
    return h.hexdigest()


def dossier_rows(db: Database) -> dict[str, dict]:
    from commune_desk.sync import exporter, schema

    ts = schema.spec("dossier")
    with db.engine.connect() as conn:
        rows = conn.execute(select(*ts.raw(conn.dialect.name).columns)).all()
    out = {}
    for r in rows:
        payload = schema.row_to_payload(ts, r)
        out[payload["code"]] = payload
    assert exporter  # keep the import: fetch_rows is what sync uses
    return out


@pytest.fixture(name="pair", params=HUB_BACKENDS)
def pair_fixture(request, db, tmp_path, hub_template):
    """The commune "00919 Xã Minh Tân" enrolled with the hub "08" (SQLite or PostgreSQL)."""
    hub = open_hub(request.param, tmp_path / "hub", hub_template)
    commune = admin(db)
    try:
        enroll(commune, admin(hub), tmp_path)
        yield Pair(commune, admin(hub), tmp_path)
    finally:
        hub.close()


@pytest.fixture(name="sqlite_pair")
def sqlite_pair_fixture(db, tmp_path, hub_template):
    hub = open_hub("sqlite", tmp_path / "hub", hub_template)
    commune = admin(db)
    try:
        enroll(commune, admin(hub), tmp_path)
        yield Pair(commune, admin(hub), tmp_path)
    finally:
        hub.close()
