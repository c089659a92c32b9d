"""What the safety net costs, each figure beside a raw baseline measured in the same run.

    python tests/bench/bench_safety.py [--saves 300] [--rows 50000]

- a dossier save through the desk service with the audit hook, against the same save with
  the hook switched off;
- a verified backup (online backup + quick_check + row counts) against the bare online
  backup API;
- an encrypted copy to the second place (scrypt already done, AES-GCM + read-back check)
  against a plain file copy;
- the audit chain check, in entries per second;
- the start-up quick_check of the database file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event, insert, select  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.paths import DB_FILENAME  # noqa: E402
from commune_desk.services import audit, intake  # noqa: E402
from commune_desk.services.context import Actor, Ctx, Database  # noqa: E402
from commune_desk.services.office import SetupRequest, setup_office  # noqa: E402
from commune_desk.store import backup as store  # noqa: E402
from commune_desk.store import backup_crypto as crypto  # noqa: E402
from commune_desk.store.base import utcnow, uuid7  # noqa: E402
from commune_desk.store.models import Dossier, Procedure  # noqa: E402


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def setup(folder: Path) -> Database:
    db = Database.open(folder)
    setup_office(db, SetupRequest(role="commune", office_code="00919", office_name="Xã Minh Tân",
                                  hub_name="UBND tỉnh Tuyên Quang", unit_id="000.00.19.H56", admin_username="admin",
                                  admin_full_name="Quản Trị", admin_password="matkhau-123"))
    return db


def saves(ctx: Ctx, n: int, offset: int) -> float:
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    lines = [dataclasses.replace(line, received=True) for line in intake.form_lines(proc)]
    base = utcnow() - dt.timedelta(days=offset)
    start = time.perf_counter()
    for k in range(n):
        intake.receive_dossier(ctx, intake.IntakeForm(
            procedure_code=proc.code, name="Nguyễn Văn An", id_number=f"0010920{k:05d}", dob=dt.date(1992, 5, 1),
            phone="0912345678", address="Thôn Đồng Xe, xã Minh Tân", documents=lines,
            received_at=base - dt.timedelta(days=k // 500, seconds=k)))
    return (time.perf_counter() - start) / n


def bulk_rows(db: Database, rows: int) -> None:
    """Old dossiers straight into the table, to give the file a realistic size."""
    with db.write(capture_changes=False) as s:
        proc = s.scalars(select(Procedure)).first()
        now = utcnow()
        batch = [dict(id=uuid7(), office_code="00919", created_at=now, updated_at=now, version=1,
                      code=f"000.00.19.H56-200101-{i:06d}", book_year=2020, book_number=i + 1, rules_set="2018",
                      procedure_id=proc.id, procedure_code=proc.code, procedure_name=proc.name, field=proc.field,
                      applicant_name="Trần Thị Bình", applicant_folded="tran thi binh",
                      applicant_id_number=f"0011900{i % 100000:05d}", applicant_phone="0987654321",
                      applicant_address="Thôn 3, xã Minh Tân", documents=[{"name": "Tờ khai"}], sets_count=1,
                      channel="counter", fee_vnd=0, result_delivery="counter", received_at=now, status="returned",
                      supplement_count=0, supplement_paused_seconds=0, extension_count=0) for i in range(rows)]
        s.execute(insert(Dossier), batch)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-safety-"))
    db = setup(folder / "data")
    ctx = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    rows: list[tuple[str, str, str, str]] = []

    # 1. a save with and without the audit hook (alternating halves, so drift hits both)
    with_hook = saves(ctx, args.saves // 2, 0)
    event.remove(db.sessions, "after_flush", audit._after_flush)
    event.remove(db.sessions, "before_commit", audit._before_commit)
    without = saves(ctx, args.saves // 2, 400)
    audit.install_audit_hook(db.sessions)
    with_hook = (with_hook + saves(ctx, args.saves // 2, 800)) / 2
    rows.append(("dossier save (service, synchronous=FULL)", f"{with_hook * 1000:.2f} ms",
                 f"{without * 1000:.2f} ms without audit hook", f"{with_hook / without:.2f}x"))

    bulk_rows(db, args.rows)
    db_file = folder / "data" / DB_FILENAME
    size_mb = db_file.stat().st_size / 2**20

    # 2. verified backup against the bare backup API
    out = folder / "out"
    out.mkdir()

    def bare() -> None:
        target = out / "bare.sqlite3"
        target.unlink(missing_ok=True)
        with sqlite3.connect(db_file) as src, sqlite3.connect(target) as dst:
            src.backup(dst)

    def verified() -> None:
        for p in out.glob("commune_desk-*"):
            p.unlink()
        store.make_backup(db_file, out, "manual")

    t_bare, t_verified = timed(bare), timed(verified)
    rows.append((f"backup of a {size_mb:.0f} MiB file (+ quick_check, counts)", f"{t_verified * 1000:.0f} ms",
                 f"{t_bare * 1000:.0f} ms bare backup API", f"{t_verified / t_bare:.2f}x"))

    # 3. encrypted copy to the second place against a plain copy
    backup = store.list_backups(out)[0]
    key = crypto.new_key_record("mat-khau-sao-luu-2026")
    usb = folder / "usb"
    usb.mkdir()

    def plain_copy() -> None:
        shutil.copyfile(backup.path, usb / "plain.sqlite3")

    def encrypted_copy() -> None:
        for p in usb.glob("*.cdbk"):
            p.unlink()
        store.copy_out(backup, usb, key_record=key, tag="00919")

    t_plain, t_enc = timed(plain_copy), timed(encrypted_copy)
    rows.append(("copy to the second place (AES-GCM + read-back)", f"{t_enc * 1000:.0f} ms",
                 f"{t_plain * 1000:.0f} ms plain copy", f"{t_enc / t_plain:.2f}x"))
    t_kdf = timed(lambda: crypto.derive("mat-khau-sao-luu-2026", b"0" * 16, **crypto.SCRYPT))
    rows.append(("scrypt key derivation (once per passphrase)", f"{t_kdf * 1000:.0f} ms", "", ""))

    # 4. the chain check
    with db.read() as s:
        start = time.perf_counter()
        report = audit.verify_chain(s)
        t_chain = time.perf_counter() - start
    rows.append((f"audit chain check ({report.entries} entries)", f"{t_chain * 1000:.0f} ms",
                 f"{report.entries / t_chain:,.0f} entries/s", "ok" if report.ok else "BROKEN"))

    # 5. the start-up check
    db.close()
    t_quick = timed(lambda: store.check_file(db_file))
    rows.append((f"start-up quick_check ({size_mb:.0f} MiB)", f"{t_quick * 1000:.0f} ms", "", ""))

    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"{'measure':<{widths[0]}}  {'value':>{widths[1]}}  {'baseline':<{widths[2]}}  ratio")
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
