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
from commune_desk.store.base import utcnow, uuid7
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


def synthetic_bundle(commune: Ctx, hub: Ctx, n: int, *, seq: int, prev_hash: str | None) -> bytes:
    """A commune bundle of ``n`` new dossiers built straight from payload rows (fast), signed
    with the commune's real key; references the commune's own procedures."""
    from commune_desk.store import migrate
    from commune_desk.sync import bundle, records, schema

    ident = commune_sync.identity_of(commune.db)
    hub_id = commune_sync.identity_of(hub.db)
    office = commune.db.require_office()
    with commune.db.read() as s:
        procs = s.scalars(select(Procedure).order_by(Procedure.code)).all()
        proc = [(str(p.id), p.code, p.name, p.field) for p in procs]
    columns = schema.spec("dossier").columns
    now = utcnow().replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    rows = []
    for i in range(n):
        pid, pcode, pname, pfield = proc[i % len(proc)]
        name = NAMES[i % len(NAMES)]
        row = {c: None for c in columns} | {
            "id": str(uuid7()), "office_code": office.office_code, "created_at": now, "updated_at": now, "version": 1,
            "code": f"{office.unit_id}-270101-{i:05d}", "book_year": 2027, "book_number": i + 1, "rules_set": "2025",
            "procedure_id": pid, "procedure_code": pcode, "procedure_name": pname, "field": pfield,
            "applicant_name": name, "applicant_folded": name.lower(), "documents": [], "sets_count": 1,
            "channel": "counter", "fee_vnd": 0, "result_delivery": "counter", "received_at": now,
            "status": "received", "supplement_count": 0, "supplement_paused_seconds": 0, "extension_count": 0}
        rows.append([row[c] for c in columns])
    body = records.encode(records.Body({"dossier": records.TableRows(columns, rows)}))
    header = {"kind": "up", "schema": migrate.head_revision(), "office_code": office.office_code,
              "office_name": office.office_name, "seq": seq, "prev_hash": prev_hash, "counts": {"dossier": n},
              "changes": n}
    return bundle.build(ident, body=body, recipient_installation=hub_id.installation_id,
                        recipient_box_public=hub_id.box_public, header=header, part_size=4_000_000).data


# -- a real WebDAV server (wsgidav + cheroot) on 127.0.0.1 -----------------------------------------

@dataclass
class DavServer:
    url: str                      # the folder the hub announces
    root: Path                    # what is on the server's disk
    log: list[tuple[str, str, int]]  # (method, path, status) of every request
    proxy: DroppingProxy | None = None

    def puts(self, fragment: str) -> int:
        return sum(1 for m, p, st in self.log if m == "PUT" and fragment in p and st < 300)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DroppingProxy:
    """A TCP proxy that cuts the connection in the middle of the next ``drops`` PUT requests
    whose request line contains ``match`` (after ``after`` bytes): a network that drops."""

    def __init__(self, upstream: int, *, match: bytes = b"", drops: int = 0, after: int = 1200) -> None:
        import socket
        import threading

        self.upstream, self.match, self.drops, self.after = upstream, match, drops, after
        self.dropped = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self._stop:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe_up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe_down, args=(server, client), daemon=True).start()

    def _pipe_up(self, client, server) -> None:
        armed, count = False, 0
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if not armed and b"PUT " in data and self.match in data:
                    with self._lock:
                        if self.drops > 0:
                            self.drops -= 1
                            armed, count = True, 0
                if armed:
                    count += len(data)
                    if count > self.after:
                        server.sendall(data[: max(0, len(data) - (count - self.after))])
                        self.dropped += 1
                        break
                server.sendall(data)
        except OSError:
            pass
        for s in (client, server):
            try:
                s.shutdown(2)
            except OSError:
                pass
            s.close()

    def _pipe_down(self, server, client) -> None:
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                client.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self._stop = True
        self.sock.close()


USERS = {"00919": "mk-xa-minh-tan", "00922": "mk-xa-binh-an", "tinh08": "mk-tinh"}


@pytest.fixture(name="dav")
def dav_fixture(tmp_path):
    """wsgidav on a random free port of 127.0.0.1, basic authentication, behind a proxy that
    can drop connections."""
    import threading

    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    root = tmp_path / "dav-root"
    root.mkdir()
    port = free_port()
    config = {"host": "127.0.0.1", "port": port, "provider_mapping": {"/commune-desk": str(root)},
              "simple_dc": {"user_mapping": {"*": {u: {"password": p} for u, p in USERS.items()}}},
              "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False},
              "verbose": 0, "logging": {"enable": False}, "dir_browser": {"enable": False}}
    dav_app = WsgiDAVApp(config)
    log: list[tuple[str, str, int]] = []

    def app(environ, start_response):
        def recording(status, headers, exc_info=None):
            log.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), int(status.split()[0])))
            return start_response(status, headers, exc_info)
        return dav_app(environ, recording)

    server = wsgi.Server(("127.0.0.1", port), app, numthreads=8)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    proxy = DroppingProxy(port)
    try:
        yield DavServer(f"http://127.0.0.1:{proxy.port}/commune-desk/", root, log, proxy)
    finally:
        proxy.close()
        server.stop()
        thread.join(timeout=10)
