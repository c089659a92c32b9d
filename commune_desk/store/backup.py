"""Backups of the office database: made with SQLite's online backup API, verified after
writing, rotated, copied (encrypted) to a second place, and restored atomically.

File names say what a backup is: ``commune_desk-<YYYYmmdd-HHMMSS>-<kind>[-<tag>].sqlite3``
(local time). Kinds: ``daily`` (automatic) and ``manual`` are rotated; ``upgrade`` (before a
migration), ``restore`` (the state before a restore) and ``damaged`` (a raw copy of a
damaged file) are never deleted automatically.

The functions here work on files; the caller makes sure the application holds no
connection while a restore replaces the file (``services.backups`` does).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commune_desk.domain import calendar
from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.store import backup_crypto as crypto
from commune_desk.store.faults import disk_full_message, is_disk_full

PREFIX = "commune_desk"
PLAIN = ".sqlite3"
ENCRYPTED = ".cdbk"
ROTATED_KINDS = frozenset({"daily", "manual"})
KINDS = ("daily", "manual", "upgrade", "restore", "damaged")
_NAME = re.compile(rf"^{PREFIX}-(?P<stamp>\d{{8}}-\d{{6}})-(?P<kind>{'|'.join(KINDS)})"
                   r"(?:-(?P<tag>[0-9A-Za-z_.]+?))?(?:~(?P<n>\d+))?(?P<ext>\.sqlite3|\.cdbk)$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str
    taken_at: dt.datetime     # local time, naive
    size: int
    tag: str | None

    @property
    def encrypted(self) -> bool:
        return self.path.suffix == ENCRYPTED

    @property
    def rotated(self) -> bool:
        return self.kind in ROTATED_KINDS


@dataclass(frozen=True)
class Verified:
    ok: bool
    message: str
    counts: dict[str, int]
    revision: str | None


def local_now() -> dt.datetime:
    return calendar.local_now()


def parse_name(path: Path) -> BackupInfo | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    try:
        taken = dt.datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path, m["kind"], taken, size, m["tag"])


def list_backups(folder: Path, *, tag: str | None = None) -> list[BackupInfo]:
    """Backups in ``folder``, newest first (``tag``: only those of that office)."""
    if not Path(folder).is_dir():
        return []
    infos = [i for p in Path(folder).iterdir() if (i := parse_name(p)) is not None]
    if tag is not None:
        infos = [i for i in infos if i.tag == tag]
    return sorted(infos, key=lambda i: (i.taken_at, i.path.name), reverse=True)


def backup_name(kind: str, when: dt.datetime, tag: str | None = None, ext: str = PLAIN) -> str:
    safe_tag = re.sub(r"[^0-9A-Za-z_.]", "", tag or "")
    return f"{PREFIX}-{when:%Y%m%d-%H%M%S}-{kind}" + (f"-{safe_tag}" if safe_tag else "") + ext


def _free_name(folder: Path, name: str) -> Path:
    path = folder / name
    n = 1
    while path.exists():
        n += 1
        stem, ext = name.rsplit(".", 1)
        path = folder / f"{stem}~{n}.{ext}"
    return path


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":  # a rename is durable once its directory is synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def snapshot(src: Path, dest: Path) -> dict[str, int]:
    """Copy ``src`` to ``dest`` with the online backup API inside one read transaction, so
    the row counts returned describe exactly the copy (safe while the app writes)."""
    source = sqlite3.connect(f"file:{src}?mode=rw", uri=True, isolation_level=None, timeout=30)
    try:
        source.execute("BEGIN")
        counts = table_counts(source)
        target = sqlite3.connect(dest, isolation_level=None)
        try:
            source.backup(target, pages=-1)
            # one self-contained file: no -wal/-shm next to a backup
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        source.execute("COMMIT")
    finally:
        source.close()
    return counts


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from commune_desk.store.migrate import alembic_config

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def verify(path: Path, expected: dict[str, int] | None = None, *, full: bool = False) -> Verified:
    """Open a backup read-only and check it: SQLite's own check, a commune_desk schema of a
    known revision, and (given ``expected``) the same row count in every table."""
    check = "integrity_check" if full else "quick_check"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return Verified(False, _("Không mở được tệp: {error}").format(error=exc), {}, None)
    try:
        result = [r[0] for r in conn.execute(f"PRAGMA {check}")]
        if result != ["ok"]:
            return Verified(False, _("Tệp bị hỏng: {detail}").format(detail="; ".join(result[:3])), {}, None)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "office", "setting"} <= tables:
            return Verified(False, _("Tệp không phải là cơ sở dữ liệu của commune_desk."), {}, None)
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
        if revision not in _known_revisions():
            return Verified(False, _("Tệp được tạo bởi phiên bản phần mềm khác (lược đồ {rev}).")
                            .format(rev=revision), {}, revision)
        counts = table_counts(conn)
    except sqlite3.DatabaseError as exc:
        return Verified(False, _("Tệp bị hỏng hoặc không phải cơ sở dữ liệu: {error}").format(error=exc), {}, None)
    finally:
        conn.close()
    if expected is not None and counts != expected:
        diff = sorted(k for k in set(counts) | set(expected) if counts.get(k) != expected.get(k))
        return Verified(False, _("Số bản ghi trong bản sao lưu khác với cơ sở dữ liệu (bảng {tables}).")
                        .format(tables=", ".join(diff[:5])), counts, revision)
    return Verified(True, "", counts, revision)


def make_backup(db_file: Path, folder: Path, kind: str = "manual", *, tag: str | None = None,
                when: dt.datetime | None = None, dest: Path | None = None) -> BackupInfo:
    """A verified copy of ``db_file``: written beside its final name, checked, then renamed,
    so a file with a backup's name is always a complete, verified backup."""
    if kind not in KINDS:
        raise ValueError(kind)
    when = when or local_now()
    folder = Path(folder)
    final = Path(dest) if dest else _free_name(folder, backup_name(kind, when, tag))
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        counts = snapshot(db_file, partial)
        _fsync_file(partial)
        result = verify(partial, counts)
        if not result.ok:
            raise KnownError(_("Bản sao lưu vừa tạo không đạt kiểm tra: {reason}").format(reason=result.message))
        os.replace(partial, final)
        _fsync_dir(final.parent)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise KnownError(disk_full_message()) from exc
        raise KnownError(_("Không sao lưu được vào {path}: {error}").format(path=final, error=exc)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    info = parse_name(final)
    return info or BackupInfo(final, kind, when, final.stat().st_size, tag)


# -- rotation ---------------------------------------------------------------------------

def kept_by_rotation(infos: list[BackupInfo], keep_daily: int, keep_weekly: int,
                     keep_monthly: int) -> set[Path]:
    """The newest backup of each of the last N days, M ISO weeks and K months (a union, as
    restic does). Kinds that are not rotated are always kept."""
    rotated = sorted((i for i in infos if i.rotated), key=lambda i: i.taken_at, reverse=True)
    keep = {i.path for i in infos if not i.rotated}
    rules = ((max(1, keep_daily), lambda t: t.date()),
             (keep_weekly, lambda t: tuple(t.isocalendar())[:2]),
             (keep_monthly, lambda t: (t.year, t.month)))
    for count, period in rules:
        seen: set[Any] = set()
        for info in rotated:
            key = period(info.taken_at)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(info.path)
    return keep


def rotate(folder: Path, keep_daily: int, keep_weekly: int, keep_monthly: int, *,
           tag: str | None = None) -> list[Path]:
    """Delete the rotated backups that no rule keeps. Returns what was deleted."""
    infos = list_backups(folder, tag=tag)
    keep = kept_by_rotation(infos, keep_daily, keep_weekly, keep_monthly)
    removed = []
    for info in infos:
        if info.path not in keep:
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    return removed


def has_backup_on(folder: Path, day: dt.date) -> bool:
    return any(i.taken_at.date() == day and i.kind in ROTATED_KINDS and not i.encrypted
               for i in list_backups(folder))


# -- the second place -------------------------------------------------------------------

class SecondPlaceMissing(KnownError):
    """The USB stick or network folder is not there right now."""


def copy_out(backup: BackupInfo, folder: Path, *, key_record: dict[str, Any] | None,
             clear_ok: bool = False, tag: str | None = None) -> Path:
    """Copy a verified local backup to the second place: encrypted with the office's key,
    or in clear only when the administrator accepted that after a warning. The copy is
    verified by comparing its (decrypted) content with the local backup, byte for byte."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SecondPlaceMissing(_("Không thấy nơi sao lưu thứ hai {folder} (USB chưa cắm hoặc mất kết nối "
                                   "ổ mạng).").format(folder=folder))
    encrypt = bool(key_record and key_record.get("key"))
    if not encrypt and not clear_ok:
        raise KnownError(_("Chưa đặt mật khẩu mã hóa cho bản sao lưu mang ra khỏi máy: bản sao chưa được chép "
                           "sang nơi thứ hai. Hãy đặt mật khẩu trong Cài đặt › Sao lưu."))
    ext = ENCRYPTED if encrypt else PLAIN
    final = _free_name(folder, backup_name(backup.kind, backup.taken_at, tag or backup.tag, ext))
    partial = final.with_name(final.name + ".partial")
    try:
        expected = crypto.file_sha256(backup.path)
        if encrypt:
            crypto.encrypt_file(backup.path, partial, key_record or {})
            written = crypto.plaintext_sha256(partial, key_record=key_record)
        else:
            shutil.copyfile(backup.path, partial)
            _fsync_file(partial)
            written = crypto.file_sha256(partial)
        if written != expected:
            raise KnownError(_("Bản sao ở nơi thứ hai không khớp với bản sao lưu gốc."))
        os.replace(partial, final)
        _fsync_dir(folder)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise KnownError(_("Nơi sao lưu thứ hai đã đầy: {folder}").format(folder=folder)) from exc
        raise KnownError(_("Không chép được sang nơi sao lưu thứ hai: {error}").format(error=exc)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


# -- checking and restoring ---------------------------------------------------------------

def check_file(db_file: Path, *, full: bool = False) -> tuple[bool, str]:
    """SQLite's own check of the live database file (quick by default). A missing file is fine."""
    if not Path(db_file).exists():
        return True, ""
    check = "integrity_check" if full else "quick_check"
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=rw", uri=True, timeout=30)
        try:
            result = [r[0] for r in conn.execute(f"PRAGMA {check}")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return False, str(exc)
    if result != ["ok"]:
        return False, "; ".join(result[:5])
    return True, ""


def newest_good(folder: Path) -> tuple[BackupInfo, Verified] | None:
    """The newest local backup that passes verification (damaged ones are skipped)."""
    for info in list_backups(folder):
        if info.encrypted or info.kind == "damaged":
            continue
        result = verify(info.path)
        if result.ok:
            return info, result
    return None


def keep_damaged(db_file: Path, folder: Path, when: dt.datetime | None = None) -> Path | None:
    """Set a raw copy of a damaged database (with its -wal/-shm) aside, for an expert."""
    if not Path(db_file).exists():
        return None
    target = _free_name(Path(folder), backup_name("damaged", when or local_now()))
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{db_file}{suffix}")
        if src.exists():
            shutil.copyfile(src, Path(f"{target}{suffix}"))
    return target


def prepare_candidate(source: Path, work_dir: Path, *, passphrase: str | None = None,
                      key_record: dict[str, Any] | None = None) -> tuple[Path, Verified, bool]:
    """A plain, verified copy of the file to restore in ``work_dir`` (decrypted if needed).
    Refuses anything that is not a sound commune_desk database. Returns (path, check, temporary)."""
    source = Path(source)
    try:
        found = source.is_file()
    except OSError:  # a name too long for the file system, a path it cannot read
        found = False
    if not found:
        raise KnownError(_("Không tìm thấy tệp {path}.").format(path=str(source)[:200]))
    temporary = False
    candidate = source
    if crypto.is_encrypted(source):
        work_dir.mkdir(parents=True, exist_ok=True)
        candidate = work_dir / f".restore-{os.getpid()}.sqlite3"
        crypto.decrypt_file(source, candidate, passphrase=passphrase, key_record=key_record)
        temporary = True
    result = verify(candidate, full=True)
    if not result.ok:
        if temporary:
            candidate.unlink(missing_ok=True)
        raise KnownError(_("Không khôi phục: {name} không phải là bản sao lưu hợp lệ của commune_desk ({reason}).")
                         .format(name=source.name, reason=result.message))
    return candidate, result, temporary


def replace_database(db_file: Path, candidate: Path) -> None:
    """Put ``candidate`` in place of the database, atomically. No connection may be open.

    The old -wal/-shm go first (their content is already in the "restore" backup): a stale
    WAL left beside the new file would be replayed onto it."""
    db_file = Path(db_file)
    staged = db_file.with_name(db_file.name + ".restoring")
    try:
        shutil.copyfile(candidate, staged)
        _fsync_file(staged)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        os.replace(staged, db_file)
        _fsync_dir(db_file.parent)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise KnownError(disk_full_message()) from exc
        raise KnownError(_("Không thay được cơ sở dữ liệu: {error}").format(error=exc)) from exc
