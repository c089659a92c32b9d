"""Sync benchmarks (a plain script, not a test): prints a table of figures with ratios
against raw baselines measured in the same run.

    python tests/bench/bench_sync.py                      # 100,000 dossier changes (development)
    python tests/bench/bench_sync.py --rows 1000000       # the figure for the issue (50 communes)
    python tests/bench/bench_sync.py --pg postgresql+psycopg://postgres@127.0.0.1:54329/testdb

1. Hub import on SQLite: ``hub import`` of the communes' bundles (verify, decrypt, apply with
   SQLAlchemy Core bulk statements, one transaction per bundle) against a raw sqlite3
   ``executemany`` of the same rows into the same schema and indexes, same pragmas.
2. The same on PostgreSQL (with --pg), beside a raw psycopg COPY of the same rows.
3. Bundle size of a day at a commune (100 dossiers, about 500 changes) against zstd-19 over
   the plain JSON lines of the same changes.
4. Export of 100,000 changes (a bundle made from a commune's change log) and its
   verification at the hub (container, signature, part hashes, decryption, decompression).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import zstandard  # noqa: E402
from sqlalchemy import select  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.services import sync as commune_sync  # noqa: E402
from commune_desk.services.context import Actor, Ctx, Database  # noqa: E402
from commune_desk.services.office import SetupRequest, setup_office  # noqa: E402
from commune_desk.services.sync_receive import identity_of, receive  # noqa: E402
from commune_desk.store.base import utcnow, uuid7  # noqa: E402
from commune_desk.store.engine import make_engine  # noqa: E402
from commune_desk.store.models import Dossier, DossierEvent, Procedure  # noqa: E402
from commune_desk.store.models.sync import SyncPeer  # noqa: E402
from commune_desk.sync import bundle, keys, records, schema  # noqa: E402
from commune_desk.sync.keys import Identity  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Hoa", "Khánh", "Lan", "Long", "Mai", "Nam", "Phương",
         "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Yến"]
HAMLETS = ["Thôn Đồng Tâm", "Thôn Tân Lập", "Thôn Khuôn Phường", "Thôn Nà Hang", "Bản Nặm Đíp", "Tổ dân phố 3"]


def admin(db: Database) -> Ctx:
    return Ctx(db, Actor(None, "admin", "Quản Trị Viên", Role.ADMIN))


def setup(folder: Path, role: str, code: str, name: str, url: str | None = None) -> Ctx:
    db = Database.open(folder, url)
    setup_office(db, SetupRequest(role=role, office_code=code, office_name=name, admin_username="admin",
                                  admin_full_name="Quản Trị Viên", admin_password="matkhau-123",
                                  unit_id="000.00.19.H56" if role == "commune" else None))
    return admin(db)


def fake_dossier(rng: random.Random, office: str, unit: str, i: int, procs: list) -> dict:
    """A dossier row as a bundle carries it (payload form), realistic in size and variety."""
    proc = procs[i % len(procs)]
    received = dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * i + rng.randint(0, 6))
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def iso(d: dt.datetime | None) -> str | None:
        return None if d is None else d.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    day = received.strftime("%y%m%d")
    rid = str(uuid7())
    done = rng.random() < 0.7
    return {
        "code": f"{unit}-{day}-{i % 10000:04d}-{office}", "book_year": 2026, "book_number": i + 1,
        "rules_set": "2025", "procedure_id": proc[0], "procedure_code": proc[1], "procedure_name": proc[2],
        "field": proc[3], "applicant_name": name, "applicant_folded": name.lower(),
        "applicant_id_number": f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(60, 99)}{rng.randint(0, 999999):06d}",
        "applicant_dob": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "applicant_phone": f"09{rng.randint(0, 99999999):08d}",
        "applicant_address": f"{rng.choice(HAMLETS)}, xã {office}, tỉnh Tuyên Quang",
        "applicant_email": None, "documents": [{"name": "Tờ khai", "form": "bản chính", "count": 1},
                                               {"name": "Giấy tờ tùy thân", "form": "xuất trình", "count": 1}],
        "sets_count": 1, "channel": rng.choice(["counter", "counter", "online"]), "fee_vnd": rng.choice([0, 8000, 20000]),
        "result_delivery": "counter", "received_at": iso(received), "due_at": iso(received + dt.timedelta(days=3)),
        "original_due_at": None, "status": "returned" if done else "in_progress",
        "receiver_id": rid, "receiver_name": "Lò Thị Mai", "handler_id": rid, "handler_name": "Hà Văn Tùng",
        "supplement_count": 0, "supplement_requested_at": None, "supplement_paused_seconds": 0, "extension_count": 0,
        "result_ready_at": iso(received + dt.timedelta(days=2)) if done else None,
        "returned_at": iso(received + dt.timedelta(days=2, hours=2)) if done else None,
        "finished_at": iso(received + dt.timedelta(days=2)) if done else None,
        "outcome": "early" if done else None, "slip_issued_at": iso(received), "anonymised_at": None, "note": None,
        "id": str(uuid7()), "office_code": office, "created_at": iso(received), "updated_at": iso(received),
        "version": 3 if done else 1,
    }


def complete(row: dict, columns: list[str]) -> dict:
    """Columns other areas may have added to the dossier since this script was written."""
    ts = schema.spec("dossier")
    for c in columns:
        if c not in row:
            row[c] = None if ts.nullable.get(c, True) else 0
    return row


# -- 1 and 2: import at the hub ------------------------------------------------------------------

def make_commune_identities(hub: Ctx, n: int) -> list[tuple[str, Identity]]:
    """``n`` commune installations, enrolled at the hub (their keys only: the hub side is measured)."""
    out = []
    with hub.db.write(capture_changes=False) as s:
        for k in range(n):
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

            sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
            ident = Identity(uuid7(), keys._raw_private(sign), keys._raw_public(sign.public_key()),
                             keys._raw_private(box), keys._raw_public(box.public_key()))
            code = f"{1000 + k:05d}"
            s.add(SyncPeer(role="commune", office_code=code, office_name=f"Xã Thử {k}", installation_id=ident.installation_id,
                           sign_public=ident.sign_public, box_public=ident.box_public, fingerprint=ident.fingerprint,
                           active=True, last_seq_in=0, down_change_seq=0, down_relay_id=0))
            out.append((code, ident))
    return out


def plan(communes: list[tuple[str, Identity]], rows: int, per_bundle: int) -> list[tuple[str, Identity, int, int, int]]:
    """(office, identity, seq, first row, row count) of every bundle, in import order."""
    per_commune = rows // len(communes)
    out = []
    for code, ident in communes:
        made, seq = 0, 0
        while made < per_commune:
            n = min(per_bundle, per_commune - made)
            seq += 1
            out.append((code, ident, seq, made, n))
            made += n
    return out


def gen_rows(code: str, first: int, n: int, procs: list) -> list[list]:
    """The same rows every time for the same bundle (the baselines regenerate them)."""
    rng = random.Random(f"{code}-{first}")
    columns = schema.spec("dossier").columns
    return [[row[c] for c in columns]
            for row in (complete(fake_dossier(rng, code, "000.00.19.H56", first + j, procs), columns) for j in range(n))]


def hub_procs(hub: Ctx) -> list[tuple]:
    with hub.db.read() as s:
        return [(str(p.id), p.code, p.name, p.field) for p in s.scalars(select(Procedure).order_by(Procedure.code))]


def build_bundles(hub: Ctx, bundles: list, folder: Path) -> list[Path]:
    from commune_desk.store import migrate

    hub_id = identity_of(hub.db)
    procs = hub_procs(hub)
    columns = schema.spec("dossier").columns
    head = migrate.head_revision()
    files, prev = [], {}
    for code, ident, seq, first, n in bundles:
        body = records.encode(records.Body({"dossier": records.TableRows(columns, gen_rows(code, first, n, procs))}))
        built = bundle.build(ident, body=body, recipient_installation=hub_id.installation_id,
                             recipient_box_public=hub_id.box_public,
                             header={"kind": "up", "schema": head, "office_code": code, "office_name": code,
                                     "seq": seq, "prev_hash": prev.get(code), "counts": {"dossier": n}, "changes": n},
                             part_size=4_000_000)
        prev[code] = built.bundle_hash
        path = folder / f"{code}-{seq:06d}.cdb"
        path.write_bytes(built.data)
        files.append(path)
    return files


def _fresh_raw_sqlite(folder: Path, search_triggers: bool) -> sqlite3.Connection:
    from commune_desk.store import migrate

    engine = make_engine(f"sqlite:///{folder / 'raw.sqlite3'}")
    migrate.upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-65536",
                   "temp_store=MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    if not search_triggers:
        for name in ("dossier_fts_ai", "dossier_fts_au", "dossier_fts_ad"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn


def raw_sqlite(bundles: list, procs: list, hub_proc_rows: list[tuple], *, search_triggers: bool) -> float:
    """Raw sqlite3 executemany of the same rows into a fresh file with the same schema (the
    hub's migrations: every index, and the dossier search-index triggers unless told not to),
    one transaction per bundle. Only executemany and commit are timed."""
    folder = Path(tempfile.mkdtemp(prefix="bench-raw-"))
    try:
        conn = _fresh_raw_sqlite(folder, search_triggers)
        ts = schema.spec("dossier")
        pcols = schema.spec("procedure").columns
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO procedure ({', '.join(pcols)}) VALUES ({', '.join('?' for _ in pcols)})",
                         hub_proc_rows)
        conn.execute("COMMIT")
        convert = schema.row_converter(ts, "sqlite", tuple(ts.columns), {})
        sql = f"INSERT INTO dossier ({', '.join(ts.columns)}) VALUES ({', '.join('?' for _ in ts.columns)})"
        elapsed = 0.0
        for code, _ident, _seq, first, n in bundles:
            tuples = [convert(r) for r in gen_rows(code, first, n, procs)]  # prepared before the clock starts
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(sql, tuples)
            conn.execute("COMMIT")
            elapsed += time.perf_counter() - start
        conn.close()
        return elapsed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def raw_copy(url: str, bundles: list, procs: list, hub_proc_rows: list[tuple]) -> float:
    """Raw psycopg COPY of the same rows into a fresh schema made by the same migrations."""
    import psycopg

    from commune_desk.store import migrate

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    migrate.upgrade(engine)
    engine.dispose()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    ts = schema.spec("dossier")
    pcols = schema.spec("procedure").columns
    with psycopg.connect(dsn) as conn:
        with conn.cursor().copy(f"COPY procedure ({', '.join(pcols)}) FROM STDIN") as cp:
            for row in hub_proc_rows:
                cp.write_row(row)
        conn.commit()
        convert = schema.row_converter(ts, "postgresql", tuple(ts.columns), {})
        elapsed = 0.0
        for code, _ident, _seq, first, n in bundles:
            tuples = [convert(r) for r in gen_rows(code, first, n, procs)]
            start = time.perf_counter()
            with conn.cursor().copy(f"COPY dossier ({', '.join(ts.columns)}) FROM STDIN") as cp:
                for t in tuples:
                    cp.write_row(t)
            conn.commit()
            elapsed += time.perf_counter() - start
        return elapsed


def bench_import(rows: int, communes: int, per_bundle: int, pg_url: str | None) -> list[tuple]:
    out = []
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        for backend in ["sqlite"] + (["postgresql"] if pg_url else []):
            url = None
            if backend == "postgresql":
                engine = sa.create_engine(pg_url)
                with engine.begin() as conn:
                    conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                    conn.exec_driver_sql("CREATE SCHEMA public")
                engine.dispose()
                url = pg_url
            hub = setup(work / f"hub-{backend}", "hub", "08", "UBND tỉnh Tuyên Quang", url)
            ids = make_commune_identities(hub, communes)
            bundles_dir = work / f"bundles-{backend}"
            bundles_dir.mkdir()
            todo = plan(ids, rows, per_bundle)
            total = sum(b[4] for b in todo)
            t0 = time.perf_counter()
            files = build_bundles(hub, todo, bundles_dir)
            print(f"  [{backend}] built {len(files)} bundles of {total:,} dossiers in "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
            procs = hub_procs(hub)
            ts = schema.spec("procedure")
            with hub.db.engine.connect() as conn:
                proc_rows = [schema.payload_to_native(ts.to_native(backend), schema.row_to_payload(ts, r), {})
                             for r in conn.execute(select(*ts.raw(backend).columns))]
            start = time.perf_counter()
            applied = 0
            for path in files:
                report = receive(hub.db, path.read_bytes(), file_name=path.name)
                assert report.status == "applied", report.message
                applied += report.totals["created"]
            ours = time.perf_counter() - start
            assert applied == total, (applied, total)
            hub.db.close()
            if backend == "sqlite":
                raw = raw_sqlite(todo, procs, proc_rows, search_triggers=True)
                bare = raw_sqlite(todo, procs, proc_rows, search_triggers=False)
                out.append(("Hub import, SQLite (rows/s)", f"{total / ours:,.0f}",
                            f"raw sqlite3 executemany, same schema: {total / raw:,.0f}", f"{raw / ours:.2f}x"))
                out.append(("  against the raw load without search triggers", f"{total / ours:,.0f}",
                            f"raw, dossier search triggers dropped: {total / bare:,.0f}", f"{bare / ours:.2f}x"))
                out.append(("  time for all bundles", f"{ours:.1f} s", f"raw: {raw:.1f} s / {bare:.1f} s", ""))
            else:
                raw = raw_copy(pg_url, todo, procs, proc_rows)
                out.append(("Hub import, PostgreSQL (rows/s)", f"{total / ours:,.0f}",
                            f"raw psycopg COPY: {total / raw:,.0f}", f"{raw / ours:.2f}x"))
                out.append(("  time for all bundles", f"{ours:.1f} s", f"raw: {raw:.1f} s", ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# -- 3 and 4: a commune's bundles ---------------------------------------------------------------

def add_real_dossiers(ctx: Ctx, n: int, events: int, seed: int, updates: int = 0) -> None:
    rng = random.Random(seed)
    with ctx.db.read() as s:
        procs = s.scalars(select(Procedure).order_by(Procedure.code)).all()
    start = 0
    while start < n:
        chunk = min(5000, n - start)
        with ctx.db.write() as s:
            made = []
            for i in range(start, start + chunk):
                p = procs[i % len(procs)]
                name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                now = utcnow()
                d = Dossier(code=f"000.00.19.H56-{now:%y%m%d}-{i:05d}", book_year=2026, book_number=i + 1,
                            procedure_id=p.id, procedure_code=p.code, procedure_name=p.name, field=p.field,
                            applicant_name=name, applicant_folded=name.lower(),
                            applicant_id_number=f"0080{rng.randint(0, 3)}{rng.randint(60, 99)}{rng.randint(0, 999999):06d}",
                            applicant_dob=dt.date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                            applicant_phone=f"09{rng.randint(0, 99999999):08d}",
                            applicant_address=f"{rng.choice(HAMLETS)}, xã Minh Tân",
                            documents=[{"name": d["name"], "form": d.get("form"), "count": 1} for d in p.documents[:3]],
                            fee_vnd=rng.choice([0, 8000, 20000]), received_at=now,
                            due_at=now + dt.timedelta(days=3), status="received",
                            receiver_name="Lò Thị Mai", slip_issued_at=now)
                s.add(d)
                made.append(d)
            s.flush()
            for d in made:
                for k in range(events):
                    s.add(DossierEvent(dossier_id=d.id, kind=("received", "assigned", "resolved", "returned")[k % 4],
                                       at=utcnow(), actor_name="Lò Thị Mai", to_status="received", data={}))
        start += chunk
    if updates:
        with ctx.db.write() as s:
            rows = s.scalars(select(Dossier).order_by(Dossier.book_number.desc()).limit(updates)).all()
            for d in rows:
                d.status, d.handler_name = "in_progress", "Hà Văn Tùng"
        with ctx.db.write() as s:
            for d in s.scalars(select(Dossier).order_by(Dossier.book_number.desc()).limit(updates)):
                d.status, d.result_ready_at = "resolved", utcnow()


def enrolled_pair(work: Path) -> tuple[Ctx, Ctx]:
    commune = setup(work / "commune", "commune", "00919", "Xã Minh Tân")
    hub = setup(work / "hub", "hub", "08", "UBND tỉnh Tuyên Quang")
    from commune_desk.services import sync_hub

    inv = sync_hub.invite(hub, work / "hub.json")
    req = commune_sync.enroll(commune, inv.path, work / "req.json")
    sync_hub.enroll(hub, req.request_path.read_bytes(), fingerprint=req.my_fingerprint)
    return commune, hub


def plain_lines(ctx: Ctx, seq: int) -> tuple[bytes, int, bytes]:
    """The plain JSON lines of bundle ``seq`` (the body before compression), the number of
    change-log entries, and the naive form: one JSON object per change-log entry with its row."""
    from commune_desk.store.models import ChangeLog
    from commune_desk.sync import exporter

    with ctx.db.read() as s:
        changes = s.execute(select(ChangeLog.entity, ChangeLog.record_id, ChangeLog.op, ChangeLog.version)
                            .where(ChangeLog.bundle_seq == seq).order_by(ChangeLog.seq)).all()
        collected = exporter.collect(s.connection(), [tuple(c) for c in changes])
        rows = {}
        for name, t in collected.tables.items():
            for r in t.rows:
                row = dict(zip(t.columns, r, strict=True))
                rows[(name, row["id"])] = row
    naive = b"".join(json.dumps({"entity": e, "op": op, "version": v, "row": rows.get((e, str(rid)))},
                                ensure_ascii=False).encode() + b"\n" for e, rid, op, v in changes)
    return records.encode(collected), len(changes), naive


def bench_day_bundle() -> list[tuple]:
    work = Path(tempfile.mkdtemp(prefix="bench-day-"))
    try:
        commune, hub = enrolled_pair(work)
        commune_sync.make_bundle(commune)  # the setup's catalog goes first, in its own bundle
        add_real_dossiers(commune, 100, events=3, seed=3, updates=50)
        info = commune_sync.make_bundle(commune)
        lines, changes, naive = plain_lines(commune, info.seq)
        z19 = len(zstandard.ZstdCompressor(level=19).compress(lines))
        z19_naive = len(zstandard.ZstdCompressor(level=19).compress(naive))
        out = [("Bundle of a day: 100 dossiers", f"{info.size_bytes:,} B", f"{changes} changes, {info.record_count} records", ""),
               ("  bytes per change", f"{info.size_bytes / changes:.1f} B", f"plain JSON lines: {len(lines) / changes:.0f} B", ""),
               ("  against zstd-19 of the JSON lines", f"{info.size_bytes:,} B", f"zstd-19: {z19:,} B",
                f"{info.size_bytes / z19:.2f}x"),
               ("  against zstd-19 of one JSON object per change", f"{info.size_bytes:,} B",
                f"zstd-19: {z19_naive:,} B ({len(naive) / changes:.0f} B/change plain)", f"{info.size_bytes / z19_naive:.2f}x"),
               ("  upload at 50 kbit/s", f"{info.size_bytes * 8 / 50_000:.1f} s", "limit 25 KB, 1.3x", "")]
        commune.db.close()
        hub.db.close()
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_export(changes: int) -> list[tuple]:
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        commune, hub = enrolled_pair(work)
        first = commune_sync.make_bundle(commune)  # the setup's catalog, imported at the hub first
        receive(hub.db, first.path.read_bytes())
        per = 4  # a dossier and three history entries
        t0 = time.perf_counter()
        add_real_dossiers(commune, changes // per, events=per - 1, seed=5)
        made = time.perf_counter() - t0
        start = time.perf_counter()
        info = commune_sync.make_bundle(commune)
        export_s = time.perf_counter() - start
        data = info.path.read_bytes()
        ident = identity_of(hub.db)
        with hub.db.read() as s:
            peer = s.scalars(select(SyncPeer)).one()
        start = time.perf_counter()
        parsed = bundle.parse(data)
        bundle.check_signature(parsed, bytes(peer.sign_public))
        bundle.check_parts(parsed)
        body = bundle.open_body(parsed, ident)
        n = sum(collected.counts().values()) if (collected := records.decode(body)) else 0
        verify_s = time.perf_counter() - start
        out = [(f"Export of {info.change_count:,} changes", f"{export_s:.2f} s",
                f"{info.record_count:,} records, {info.size_bytes / 1e6:.1f} MB, {info.part_count} parts", ""),
               ("  its verification at the hub", f"{verify_s:.2f} s",
                f"signature, {info.part_count} part hashes, decrypt, unzstd, {n:,} lines", ""),
               ("  (making the data through the ORM)", f"{made:.1f} s", "", "")]
        start = time.perf_counter()
        report = receive(hub.db, data, file_name=info.file_name)
        out.append(("  and its import at the hub", f"{time.perf_counter() - start:.2f} s", report.message[:60], ""))
        commune.db.close()
        hub.db.close()
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000, help="dossier changes imported at the hub")
    ap.add_argument("--communes", type=int, default=50)
    ap.add_argument("--per-bundle", type=int, default=10_000)
    ap.add_argument("--export-changes", type=int, default=100_000)
    ap.add_argument("--pg", default=os.environ.get("COMMUNE_DESK_TEST_PG"), help="PostgreSQL URL (a scratch database)")
    ap.add_argument("--only", choices=("import", "day", "export"), default=None)
    args = ap.parse_args()
    rows: list[tuple] = []
    if args.only in (None, "day"):
        rows += bench_day_bundle()
    if args.only in (None, "export"):
        rows += bench_export(args.export_changes)
    if args.only in (None, "import"):
        rows += bench_import(args.rows, args.communes, args.per_bundle, args.pg)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':>14}  {'baseline / detail':<50} ratio")
    for name, value, base, ratio in rows:
        print(f"{name:<{width}}  {value:>14}  {base:<50} {ratio}")
    return 0


if __name__ == "__main__":
    assert uuid  # the module is used by the generated data through uuid7
    sys.exit(main())
