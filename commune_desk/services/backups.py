"""Backups as the office uses them: back up now, the daily automatic backup, the second
place (encrypted), restore, and the start-up check of the database file.

The file work is in :mod:`commune_desk.store.backup`; this module adds permissions
(``Perm.BACKUP``), settings, the audit trail and the rule that the app holds no connection
while its file is replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.paths import DB_FILENAME
from commune_desk.services import audit
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store import backup as store
from commune_desk.store import backup_crypto as crypto
from commune_desk.store import migrate
from commune_desk.store.engine import sqlite_path
from commune_desk.store.lock import DataFolderLock

KIND_LABELS = {
    "daily": N_("Hằng ngày (tự động)"),
    "manual": N_("Sao lưu ngay"),
    "upgrade": N_("Trước khi nâng cấp"),
    "restore": N_("Trước khi khôi phục"),
    "damaged": N_("Bản hỏng được giữ lại"),
}


@dataclass(frozen=True)
class BackupRow:
    path: str
    name: str
    kind: str
    kind_label: str
    taken_at: dt.datetime
    size: int
    encrypted: bool
    rotated: bool


@dataclass(frozen=True)
class BackupStatus:
    folder: str
    backups: list[BackupRow]
    second_place: str
    second_present: bool
    has_key: bool
    clear_ok: bool
    last_copy: dict[str, Any]


@dataclass(frozen=True)
class BackupResult:
    backup: BackupRow
    copied_to: str | None = None
    copy_problem: str | None = None
    removed: int = 0


def _row(info: store.BackupInfo) -> BackupRow:
    return BackupRow(str(info.path), info.path.name, info.kind, _(KIND_LABELS[info.kind]), info.taken_at,
                     info.size, info.encrypted, info.rotated)


def backup_dir(db: Database) -> Path:
    return db.data_dir / "backups"


def db_file(db: Database) -> Path:
    path = sqlite_path(db.engine)
    if path is None:
        raise KnownError(_("Cơ sở dữ liệu PostgreSQL được sao lưu bằng công cụ của PostgreSQL (pg_dump), "
                           "không bằng commune_desk."))
    return path


def _tag(db: Database) -> str | None:
    office = db.office
    return office.office_code if office else None


# -- status and backing up ----------------------------------------------------------------

def status(ctx: Ctx) -> BackupStatus:
    ctx.require(Perm.BACKUP)
    db = ctx.db
    second = str(db.setting("backup.second_place") or "")
    return BackupStatus(str(backup_dir(db)), [_row(i) for i in store.list_backups(backup_dir(db))], second,
                        bool(second) and Path(second).is_dir(), bool((db.setting("backup.key") or {}).get("key")),
                        bool(db.setting("backup.clear_copy_ok")), dict(db.setting("backup.last_copy") or {}))


def _make(db: Database, actor: Actor | str, kind: str, when: dt.datetime | None = None) -> BackupResult:
    info = store.make_backup(db_file(db), backup_dir(db), kind, tag=_tag(db), when=when)
    removed = store.rotate(backup_dir(db), int(db.setting("backup.keep_daily")),
                           int(db.setting("backup.keep_weekly")), int(db.setting("backup.keep_monthly")))
    copied, problem = _copy_to_second_place(db, info)
    with db.write() as s:
        audit.record(s, actor, "backup", info.path.name,
                     {"kind": kind, "size": info.size, "removed": len(removed),
                      "second_place": "ok" if copied else (problem or "")})
        if copied or problem:
            db.set_setting(s, "backup.last_copy", {"at": store.local_now().isoformat(timespec="seconds"),
                                                   "ok": bool(copied), "path": str(copied or ""),
                                                   "message": problem or ""})
    return BackupResult(_row(info), str(copied) if copied else None, problem, len(removed))


def _copy_to_second_place(db: Database, info: store.BackupInfo) -> tuple[Path | None, str | None]:
    """Copy when a second place is set and present; a missing USB stick is not an error."""
    folder = str(db.setting("backup.second_place") or "").strip()
    if not folder:
        return None, None
    try:
        path = store.copy_out(info, Path(folder), key_record=db.setting("backup.key") or None,
                              clear_ok=bool(db.setting("backup.clear_copy_ok")), tag=_tag(db))
        store.rotate(Path(folder), int(db.setting("backup.keep_daily")), int(db.setting("backup.keep_weekly")),
                     int(db.setting("backup.keep_monthly")), tag=_tag(db))
    except KnownError as exc:
        return None, str(exc)
    return path, None


def backup_now(ctx: Ctx) -> BackupResult:
    """"Back up now": a verified backup in the data folder, then rotation and the second place."""
    ctx.require(Perm.BACKUP)
    return _make(ctx.db, ctx.actor, "manual")


def ensure_daily_backup(db: Database, now: dt.datetime | None = None) -> BackupResult | None:
    """The automatic backup: once per local day, at start or when the app runs past midnight.
    When today's backup exists but the USB stick was plugged in only later, it is copied now."""
    if sqlite_path(db.engine) is None or db.office is None:
        return None
    now = now or store.local_now()
    if store.has_backup_on(backup_dir(db), now.date()):
        copy_pending(db)
        return None
    return _make(db, "system", "daily", when=now)


def copy_pending(db: Database) -> Path | None:
    """Copy the newest rotated backup to the second place if it is there now and lacks it."""
    folder = str(db.setting("backup.second_place") or "").strip()
    newest = next((i for i in store.list_backups(backup_dir(db)) if i.rotated), None)
    if not folder or newest is None or not Path(folder).is_dir():
        return None
    if any(i.taken_at == newest.taken_at and i.kind == newest.kind for i in store.list_backups(Path(folder),
                                                                                                tag=_tag(db))):
        return None
    copied, problem = _copy_to_second_place(db, newest)
    with db.write() as s:
        audit.record(s, "system", "backup.copy", newest.path.name, {"ok": bool(copied), "problem": problem or ""})
        db.set_setting(s, "backup.last_copy", {"at": store.local_now().isoformat(timespec="seconds"),
                                               "ok": bool(copied), "path": str(copied or ""),
                                               "message": problem or ""})
    return copied


def export_backup(ctx: Ctx, out: Path, *, encrypt: bool | None = None, passphrase: str | None = None,
                  clear_ok: bool = False) -> tuple[Path, bool]:
    """A backup written to a file the user names (``backup --out``). It may leave the machine,
    so it is encrypted when the name ends in .cdbk or a key is set; in clear only with
    ``clear_ok`` (the caller has warned). Returns (path, encrypted)."""
    ctx.require(Perm.BACKUP)
    out = Path(out)
    key = ctx.db.setting("backup.key") or None
    if passphrase:
        key = crypto.new_key_record(passphrase)
    if encrypt is None:
        encrypt = out.suffix == store.ENCRYPTED or (bool(key) and out.suffix != store.PLAIN)
    if encrypt and not key:
        raise KnownError(_("Chưa có mật khẩu mã hóa bản sao lưu: hãy đặt trong Cài đặt › Sao lưu, "
                           "hoặc đưa mật khẩu vào lệnh."))
    if not encrypt and not clear_ok:
        raise KnownError(_("Bản sao lưu chứa số định danh của công dân: hãy ghi tệp .cdbk (mã hóa), "
                           "hoặc xác nhận ghi không mã hóa."))
    if out.exists():
        raise KnownError(_("Tệp {path} đã có; hãy chọn tên khác.").format(path=out))
    if not out.parent.is_dir():
        raise KnownError(_("Không có thư mục {folder}.").format(folder=out.parent))
    if encrypt:
        info = store.make_backup(db_file(ctx.db), backup_dir(ctx.db), "manual", tag=_tag(ctx.db))
        partial = out.with_name(out.name + ".partial")
        try:
            expected = crypto.file_sha256(info.path)
            crypto.encrypt_file(info.path, partial, key or {})
            if crypto.plaintext_sha256(partial, key_record=key) != expected:
                raise KnownError(_("Bản sao lưu mã hóa không khớp với bản gốc."))
            partial.replace(out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    else:
        store.make_backup(db_file(ctx.db), backup_dir(ctx.db), "manual", dest=out)
    with ctx.db.write() as s:
        audit.record(s, ctx.actor, "export", out.name, {"what": "backup", "encrypted": bool(encrypt)})
    return out, bool(encrypt)


# -- settings of the second place -----------------------------------------------------------

def set_second_place(ctx: Ctx, folder: str, *, passphrase: str | None = None,
                     clear_ok: bool | None = None) -> BackupStatus:
    """Set (or clear, with "") the second place; a passphrase sets a new encryption key.
    Writing in clear needs ``clear_ok=True`` and the window shows a warning first."""
    ctx.require(Perm.BACKUP)
    folder = (folder or "").strip()
    if folder and not Path(folder).is_absolute():
        raise ValidationError(_("Hãy chọn đường dẫn đầy đủ của thư mục."), field="second_place")
    key = crypto.new_key_record(passphrase) if passphrase else None
    with ctx.db.write() as s:
        ctx.db.set_setting(s, "backup.second_place", folder)
        if key is not None:
            ctx.db.set_setting(s, "backup.key", key)
        if clear_ok is not None:
            ctx.db.set_setting(s, "backup.clear_copy_ok", bool(clear_ok))
        audit.record(s, ctx.actor, "backup.settings", None,
                     {"second_place": folder, "new_key": key is not None,
                      "clear_ok": bool(clear_ok) if clear_ok is not None else None})
    return status(ctx)


# -- restore ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RestoreResult:
    restored_from: str
    before_restore: str        # the backup of the state that was replaced
    revision: str | None


def restore(ctx: Ctx, source: Path, *, passphrase: str | None = None) -> RestoreResult:
    """Replace the database with a backup: check the file first, back up the current state,
    close every connection, swap the file atomically, upgrade it if it is older, and write
    the restore into the restored database's own audit trail."""
    ctx.require(Perm.BACKUP)
    db = ctx.db
    target = db_file(db)
    folder = backup_dir(db)
    candidate, _checked, temporary = store.prepare_candidate(
        Path(source), folder, passphrase=passphrase, key_record=db.setting("backup.key") or None)
    try:
        try:
            before = store.make_backup(target, folder, "restore", tag=_tag(db)).path
        except KnownError:
            kept = store.keep_damaged(target, folder)  # the current file is damaged: keep it raw
            if kept is None:
                raise
            before = kept
        db.engine.dispose()
        if db.engine.pool.checkedout():  # type: ignore[attr-defined]
            raise KnownError(_("Phần mềm đang dùng cơ sở dữ liệu; hãy thử lại sau khi các việc đang chạy xong."))
        store.replace_database(target, candidate)
    finally:
        if temporary:
            candidate.unlink(missing_ok=True)
    db.forget_office()
    migrate.upgrade(db.engine, backup_dir=folder)
    with db.write() as s:
        audit.record(s, ctx.actor, "restore", Path(source).name, {"before_restore": before.name})
    return RestoreResult(str(source), str(before), migrate.current_revision(db.engine))


# -- start-up check --------------------------------------------------------------------------

@dataclass(frozen=True)
class StartupCheck:
    ok: bool
    problem: str = ""
    newest_good: BackupRow | None = None

    def message(self) -> str:
        text = _("Cơ sở dữ liệu của phần mềm bị hỏng ({problem}). Có thể do mất điện hoặc lỗi ổ đĩa.").format(
            problem=self.problem)
        if self.newest_good:
            text += "\n\n" + _("Bản sao lưu tốt gần nhất: {when} ({kind}). Khôi phục bản này sẽ lấy lại toàn bộ "
                               "dữ liệu có trong nó; những gì nhập sau thời điểm đó cần nhập lại. Tệp hỏng được "
                               "giữ lại trong thư mục sao lưu.").format(
                when=f"{self.newest_good.taken_at:%H:%M %d/%m/%Y}", kind=self.newest_good.kind_label)
        else:
            text += "\n\n" + _("Không có bản sao lưu tốt trong thư mục dữ liệu. Hãy khôi phục từ nơi sao lưu "
                               "thứ hai (USB, ổ mạng) hoặc liên hệ bộ phận kỹ thuật.")
        return text


def startup_check(data_dir: Path) -> StartupCheck:
    """Quick check of the database file before the app opens it (headless, testable)."""
    data_dir = Path(data_dir)
    ok, problem = store.check_file(data_dir / DB_FILENAME)
    if ok:
        return StartupCheck(True)
    good = store.newest_good(data_dir / "backups")
    return StartupCheck(False, problem, _row(good[0]) if good else None)


def recover_from_backup(data_dir: Path, backup_path: Path, *, passphrase: str | None = None) -> Path | None:
    """Replace a damaged database with a good backup. The damaged file is kept beside the
    backups; the restored database records the recovery in its audit trail. Returns where
    the damaged copy was kept."""
    data_dir = Path(data_dir)
    target = data_dir / DB_FILENAME
    folder = data_dir / "backups"
    with DataFolderLock(data_dir):
        candidate, _checked, temporary = store.prepare_candidate(Path(backup_path), folder, passphrase=passphrase)
        try:
            kept = store.keep_damaged(target, folder)
            store.replace_database(target, candidate)
        finally:
            if temporary:
                candidate.unlink(missing_ok=True)
        db = Database.open(data_dir, lock=False)
        try:
            with db.write() as s:
                audit.record(s, "system", "restore", Path(backup_path).name,
                             {"reason": "damaged", "damaged_copy": kept.name if kept else ""})
        finally:
            db.close()
    return kept
