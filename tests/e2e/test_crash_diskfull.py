"""A full disk: the save that hits it is refused with a plain message, nothing of it is
written, everything saved before stays, and the file is not damaged.

Three ways of filling the disk: a real 3 MB tmpfs (when this machine lets the tests mount
one), SQLite's own page limit (the same SQLITE_FULL error, anywhere), and a patched file
write raising ENOSPC for the backup copies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError
from commune_desk.paths import DB_FILENAME
from commune_desk.services import audit, backups, intake
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store import backup as store
from commune_desk.store.models import ChangeLog, Dossier

FULL = "Ổ đĩa đã đầy"


def clerk(db: Database) -> Ctx:
    return Ctx(db, Actor(None, "canbo", "Lê Thị Cán", Role.CLERK))


def save(ctx: Ctx, k: int):
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    form = intake.IntakeForm(procedure_code=proc.code, name="Nguyễn Văn An " + "X" * 150,
                             id_number=f"0010920{k:05d}", dob=dt.date(1992, 5, 1), phone="0912345678",
                             address="Thôn Đồng Xe, xã Minh Tân " * 15,
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    return intake.receive_dossier(ctx, form)


def save_until_full(ctx: Ctx, limit: int = 5000) -> tuple[list[str], KnownError]:
    codes = []
    for k in range(limit):
        try:
            codes.append(save(ctx, k).code)
        except KnownError as exc:
            return codes, exc
    raise AssertionError("the disk never filled")


def assert_sound(data_dir: Path, codes: list[str]) -> None:
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db = Database.open(data_dir)
    try:
        with db.read() as s:
            stored = set(s.scalars(select(Dossier.code)))
            assert stored == set(codes)  # every returned save, and nothing of the refused one
            outbox = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "dossier"))
            assert outbox == len(codes)
            assert audit.verify_chain(s).ok
    finally:
        db.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs, or skip where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.name != "posix" or shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + made.stderr.decode(errors="replace").strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk(small_disk, commune_template):
    data = small_disk / "data"
    data.mkdir()
    shutil.copy(commune_template, data / DB_FILENAME)
    db = Database.open(data)
    filler = small_disk / "filler"  # leave about 400 KB for the saves
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(small_disk).free - 400_000))
    ctx = clerk(db)
    codes, exc = save_until_full(ctx)
    assert FULL in str(exc) and "chưa được lưu" in str(exc)
    assert len(codes) > 0
    # the app keeps answering plainly while the disk stays full
    with pytest.raises(KnownError, match=FULL):
        save(ctx, 99_999)
    db.close()
    # free some space: everything saved is there, nothing of the refused saves, no damage
    filler.unlink()
    assert_sound(data, codes)


def test_a_full_disk_by_sqlite_page_limit(commune_dir):
    db = Database.open(commune_dir)
    ctx = clerk(db)
    codes = [save(ctx, k).code for k in range(3)]
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(db.engine, "connect")
    def _limit(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    db.engine.dispose()
    more, exc = save_until_full(ctx)
    assert FULL in str(exc)
    event.remove(db.engine, "connect", _limit)
    db.engine.dispose()
    codes += more
    codes.append(save(ctx, 4000).code)  # space again: work goes on
    db.close()
    assert_sound(commune_dir, codes)


def test_a_full_backup_place_leaves_no_half_written_copy(admin_ctx, tmp_path, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_place(admin_ctx, str(usb), clear_ok=True)

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.shutil, "copyfile", full)
    result = backups.backup_now(admin_ctx)
    assert Path(result.backup.path).exists()  # the local backup is fine
    assert result.copied_to is None and "Nơi sao lưu thứ hai đã đầy" in result.copy_problem
    assert list(usb.iterdir()) == []


def test_a_full_data_disk_refuses_the_backup_cleanly(admin_ctx, monkeypatch):
    def full(_src, dest):
        Path(dest).write_bytes(b"partial")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "snapshot", full)
    with pytest.raises(KnownError, match=FULL):
        backups.backup_now(admin_ctx)
    folder = backups.backup_dir(admin_ctx.db)
    assert not folder.exists() or list(folder.iterdir()) == []
