"""Backups: verified after writing, rotated 7/4/12, copied encrypted to a second place,
restored atomically after backing up the current state, and offered at start when the
database file is damaged."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import actor
from sqlalchemy import func, select

from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError, PermissionDenied
from commune_desk.paths import DB_FILENAME
from commune_desk.services import backups
from commune_desk.services.context import Ctx, Database
from commune_desk.store import backup as store
from commune_desk.store import backup_crypto as crypto
from commune_desk.store import migrate
from commune_desk.store.engine import make_engine, sqlite_url
from commune_desk.store.models import AuditEntry, Procedure

PASSPHRASE = "mat-khau-sao-luu-2026"


def procedure_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Procedure))


def drop_one_procedure(ctx: Ctx) -> None:
    with ctx.db.write() as s:
        s.delete(s.scalars(select(Procedure).order_by(Procedure.code)).first())


def corrupt(path: Path, offset: int = 8192, length: int = 4096) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xde\xad\xbe\xef" * (length // 4))


# -- making and verifying ---------------------------------------------------------------

def test_backup_now_is_verified_and_named_for_what_it_is(admin_ctx):
    result = backups.backup_now(admin_ctx)
    path = Path(result.backup.path)
    assert path.parent == admin_ctx.db.data_dir / "backups"
    assert result.backup.kind == "manual" and path.name.endswith("-manual-00919.sqlite3")
    assert not list(path.parent.glob("*.partial"))
    check = store.verify(path, full=True)
    assert check.ok and check.revision == migrate.head_revision()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
        assert conn.execute("SELECT count(*) FROM procedure").fetchone()[0] == procedure_count(admin_ctx.db)
    rows = backups.status(admin_ctx).backups
    assert [r.name for r in rows] == [path.name] and rows[0].kind_label == "Sao lưu ngay"
    with admin_ctx.db.read() as s:
        assert s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first().action == "backup"


def test_verify_refuses_a_damaged_file_and_different_row_counts(admin_ctx, tmp_path):
    path = Path(backups.backup_now(admin_ctx).backup.path)
    counts = store.verify(path).counts
    assert not store.verify(path, {**counts, "procedure": counts["procedure"] + 1}).ok
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copy(path, damaged)
    corrupt(damaged)
    result = store.verify(damaged, full=True)
    assert not result.ok and result.message
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t(x)")
    assert "không phải là cơ sở dữ liệu của commune_desk" in store.verify(other).message


def test_a_failed_verification_leaves_no_backup_behind(db, monkeypatch):
    monkeypatch.setattr(store, "verify", lambda *a, **k: store.Verified(False, "giả lập lỗi", {}, None))
    with pytest.raises(KnownError, match="không đạt kiểm tra"):
        store.make_backup(backups.db_file(db), backups.backup_dir(db), "manual")
    assert list(backups.backup_dir(db).iterdir()) == []


def test_only_the_roles_that_may_back_up_can(db):
    for role in (Role.CLERK, Role.TRAINER):
        with pytest.raises(PermissionDenied):
            backups.backup_now(Ctx(db, actor(role)))
    assert backups.backup_now(Ctx(db, actor(Role.LEADER))).backup.kind == "manual"


# -- rotation -----------------------------------------------------------------------------

def test_rotation_keeps_7_daily_4_weekly_12_monthly_and_never_upgrade_backups(tmp_path):
    start = dt.datetime(2026, 1, 1, 8, 0)
    for day in range(400):  # one daily backup a day for 400 days, two on some days
        when = start + dt.timedelta(days=day)
        (tmp_path / store.backup_name("daily", when, "00919")).write_bytes(b"x")
        if day % 10 == 0:
            (tmp_path / store.backup_name("manual", when + dt.timedelta(hours=3), "00919")).write_bytes(b"x")
    (tmp_path / store.backup_name("upgrade", start, "rev0003")).write_bytes(b"x")
    (tmp_path / store.backup_name("restore", start, "00919")).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = store.rotate(tmp_path, 7, 4, 12)
    left = store.list_backups(tmp_path)
    rotated = [i for i in left if i.rotated]
    newest = start + dt.timedelta(days=399)
    days = {i.taken_at.date() for i in rotated}
    # the last 7 days, one per day (the newest of a day with two)
    assert {newest.date() - dt.timedelta(days=n) for n in range(7)} <= days
    assert all(i.kind == "manual" for i in rotated if i.taken_at.date() == dt.date(2027, 1, 26))
    weeks = {tuple(i.taken_at.isocalendar())[:2] for i in rotated}
    months = {(i.taken_at.year, i.taken_at.month) for i in rotated}
    assert len(weeks) >= 4 and len(months) == 12
    assert len(rotated) <= 7 + 4 + 12
    assert {i.kind for i in left if not i.rotated} == {"upgrade", "restore"}
    assert (tmp_path / "notes.txt").exists()
    assert len(removed) == 400 + 40 - len(rotated)
    assert store.rotate(tmp_path, 7, 4, 12) == []  # stable


def test_the_daily_backup_is_made_once_a_day(db):
    monday = dt.datetime(2027, 3, 1, 7, 55)
    first = backups.ensure_daily_backup(db, monday)
    assert first is not None and first.backup.kind == "daily"
    assert backups.ensure_daily_backup(db, monday + dt.timedelta(hours=10)) is None
    after_midnight = backups.ensure_daily_backup(db, dt.datetime(2027, 3, 2, 0, 1))
    assert after_midnight is not None
    assert len(store.list_backups(backups.backup_dir(db))) == 2


def test_a_migration_backup_goes_through_the_verified_path_and_is_never_rotated(data_dir):
    engine = make_engine(sqlite_url(data_dir))
    migrate.upgrade(engine, revision="0003")
    path = migrate.upgrade(engine, backup_dir=data_dir / "backups")
    info = store.parse_name(path)
    assert info.kind == "upgrade" and info.tag == "rev0003" and not info.rotated
    assert store.verify(path).revision == "0003"
    assert store.rotate(data_dir / "backups", 1, 0, 0) == []


# -- the second place ---------------------------------------------------------------------

def test_copies_to_the_second_place_are_encrypted_and_verified(admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_place(admin_ctx, str(usb), passphrase=PASSPHRASE)
    result = backups.backup_now(admin_ctx)
    assert result.copied_to and result.copy_problem is None
    copy = Path(result.copied_to)
    assert copy.suffix == ".cdbk" and crypto.is_encrypted(copy)
    plain = Path(result.backup.path).read_bytes()
    blob = copy.read_bytes()
    assert b"SQLite format 3" not in blob and "Minh Tân".encode() not in blob
    out = tmp_path / "decrypted.sqlite3"
    crypto.decrypt_file(copy, out, passphrase=PASSPHRASE)  # the passphrase alone opens it elsewhere
    assert out.read_bytes() == plain
    with pytest.raises(KnownError, match="không đúng"):
        crypto.decrypt_file(copy, tmp_path / "x.sqlite3", passphrase="mot-mat-khau-khac")
    assert not (tmp_path / "x.sqlite3").exists()
    assert backups.status(admin_ctx).last_copy["ok"] is True


def test_a_tampered_or_cut_encrypted_copy_is_refused(admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_place(admin_ctx, str(usb), passphrase=PASSPHRASE)
    copy = Path(backups.backup_now(admin_ctx).copied_to)
    data = copy.read_bytes()
    flipped = tmp_path / "flipped.cdbk"
    flipped.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    cut = tmp_path / "cut.cdbk"
    cut.write_bytes(data[: len(data) // 2])
    for bad in (flipped, cut):
        with pytest.raises(KnownError, match="hỏng"):
            crypto.decrypt_file(bad, tmp_path / "out.sqlite3", passphrase=PASSPHRASE)


def test_no_clear_copy_leaves_the_machine_without_consent(admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_place(admin_ctx, str(usb))
    result = backups.backup_now(admin_ctx)
    assert result.copied_to is None and "mật khẩu mã hóa" in result.copy_problem
    assert list(usb.iterdir()) == []
    backups.set_second_place(admin_ctx, str(usb), clear_ok=True)  # the window warned first
    result = backups.backup_now(admin_ctx)
    assert Path(result.copied_to).read_bytes() == Path(result.backup.path).read_bytes()


def test_an_absent_usb_stick_does_not_fail_the_backup(admin_ctx, tmp_path):
    backups.set_second_place(admin_ctx, str(tmp_path / "unplugged"), passphrase=PASSPHRASE)
    result = backups.backup_now(admin_ctx)
    assert Path(result.backup.path).exists()
    assert result.copied_to is None and "Không thấy nơi sao lưu thứ hai" in result.copy_problem
    assert backups.status(admin_ctx).second_present is False


def test_the_second_place_is_rotated_only_for_this_office(admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    old = dt.datetime(2020, 1, 1, 8)
    for n in range(30):
        (usb / store.backup_name("daily", old + dt.timedelta(days=n), "00919", ".cdbk")).write_bytes(b"x")
        (usb / store.backup_name("daily", old + dt.timedelta(days=n), "00920", ".cdbk")).write_bytes(b"x")
    backups.set_second_place(admin_ctx, str(usb), passphrase=PASSPHRASE)
    backups.backup_now(admin_ctx)
    assert len(store.list_backups(usb, tag="00920")) == 30
    assert len(store.list_backups(usb, tag="00919")) < 31


# -- restore --------------------------------------------------------------------------------

def test_restore_backs_up_first_then_puts_the_backup_in_place(admin_ctx):
    db = admin_ctx.db
    before = procedure_count(db)
    saved = Path(backups.backup_now(admin_ctx).backup.path)
    drop_one_procedure(admin_ctx)
    assert procedure_count(db) == before - 1
    result = backups.restore(admin_ctx, saved)
    assert procedure_count(db) == before
    replaced = Path(result.before_restore)
    assert store.parse_name(replaced).kind == "restore"
    with sqlite3.connect(replaced) as conn:  # the state that was replaced is kept, whole
        assert conn.execute("SELECT count(*) FROM procedure").fetchone()[0] == before - 1
    assert store.check_file(backups.db_file(db), full=True) == (True, "")
    with db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert (last.action, last.target) == ("restore", saved.name)
    assert not list(db.data_dir.glob("*.restoring"))


def test_restore_refuses_what_is_not_a_commune_desk_database_and_changes_nothing(admin_ctx, tmp_path):
    db = admin_ctx.db
    before = procedure_count(db)
    listing = sorted(p.name for p in backups.backup_dir(db).glob("*")) if backups.backup_dir(db).exists() else []
    samples = {"text.sqlite3": b"hello", "empty.sqlite3": b""}
    for name, content in samples.items():
        (tmp_path / name).write_bytes(content)
    sqlite3.connect(tmp_path / "other.sqlite3").execute("CREATE TABLE t(x)")
    for name in (*samples, "other.sqlite3"):
        with pytest.raises(KnownError, match="không phải là bản sao lưu hợp lệ của commune_desk"):
            backups.restore(admin_ctx, tmp_path / name)
    with pytest.raises(KnownError, match="Không tìm thấy tệp"):
        backups.restore(admin_ctx, tmp_path / "missing.sqlite3")
    assert procedure_count(db) == before
    after = sorted(p.name for p in backups.backup_dir(db).glob("*")) if backups.backup_dir(db).exists() else []
    assert after == listing  # not even a "before restore" backup was made for a refused file


def test_restore_refuses_a_database_from_a_newer_release(admin_ctx, tmp_path):
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(Path(backups.backup_now(admin_ctx).backup.path), newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(KnownError, match="phiên bản phần mềm khác"):
        backups.restore(admin_ctx, newer)


def test_restore_an_encrypted_copy_with_the_passphrase(admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_place(admin_ctx, str(usb), passphrase=PASSPHRASE)
    copy = Path(backups.backup_now(admin_ctx).copied_to)
    before = procedure_count(admin_ctx.db)
    drop_one_procedure(admin_ctx)
    backups.restore(admin_ctx, copy)  # the office's stored key opens its own copies
    assert procedure_count(admin_ctx.db) == before
    with admin_ctx.db.write() as s:
        admin_ctx.db.set_setting(s, "backup.key", {})
    with pytest.raises(KnownError, match="nhập mật khẩu"):
        backups.restore(admin_ctx, copy)
    backups.restore(admin_ctx, copy, passphrase=PASSPHRASE)
    assert not list(backups.backup_dir(admin_ctx.db).glob(".restore-*"))


def test_restore_upgrades_an_older_backup(admin_ctx, tmp_path):
    old_dir = tmp_path / "old"
    engine = make_engine(sqlite_url(old_dir.mkdir() or old_dir))
    migrate.upgrade(engine, revision="0003")
    engine.dispose()
    backups.restore(admin_ctx, old_dir / DB_FILENAME)
    assert migrate.current_revision(admin_ctx.db.engine) == migrate.head_revision()


# -- the start-up check -------------------------------------------------------------------------

def test_a_damaged_database_is_found_at_start_and_the_newest_good_backup_offered(commune_dir):
    db = Database.open(commune_dir)
    ctx = Ctx(db, actor(Role.ADMIN, "admin"))
    older = backups.ensure_daily_backup(db, dt.datetime(2027, 3, 1, 8, 0))
    newest = backups.backup_now(ctx)
    before = procedure_count(db)
    db.close()
    assert backups.startup_check(commune_dir).ok
    corrupt(Path(newest.backup.path), offset=4096)  # the newest backup is damaged as well
    corrupt(commune_dir / DB_FILENAME)
    state = backups.startup_check(commune_dir)
    assert not state.ok and state.problem
    assert state.newest_good is not None and state.newest_good.path == older.backup.path
    assert "bị hỏng" in state.message() and "01/03/2027" in state.message()
    kept = backups.recover_from_backup(commune_dir, Path(state.newest_good.path))
    assert kept is not None and store.parse_name(kept).kind == "damaged"
    assert backups.startup_check(commune_dir).ok
    db = Database.open(commune_dir)
    try:
        assert procedure_count(db) == before
        with db.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last.action == "restore" and last.details["reason"] == "damaged"
    finally:
        db.close()


def test_without_a_good_backup_the_message_says_where_to_look(commune_dir):
    corrupt(commune_dir / DB_FILENAME)
    state = backups.startup_check(commune_dir)
    assert not state.ok and state.newest_good is None
    assert "nơi sao lưu thứ hai" in state.message()


def test_a_usb_stick_plugged_in_later_gets_the_days_backup(db, admin_ctx, tmp_path):
    usb = tmp_path / "usb"
    backups.set_second_place(admin_ctx, str(usb), passphrase=PASSPHRASE)
    morning = dt.datetime(2027, 3, 1, 7, 30)
    made = backups.ensure_daily_backup(db, morning)
    assert made.copied_to is None  # not plugged in yet
    usb.mkdir()
    assert backups.ensure_daily_backup(db, morning + dt.timedelta(hours=3)) is None
    copies = store.list_backups(usb, tag="00919")
    assert len(copies) == 1 and copies[0].encrypted and copies[0].taken_at == morning
    assert backups.copy_pending(db) is None  # already there
