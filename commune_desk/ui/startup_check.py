"""Start-up checks around opening the database.

A quick check of the database file (:func:`quick_check`, run off the UI thread while the
window shell is already shown). When the file is damaged the user is told plainly and
offered the newest good backup (the damaged file is kept aside), or another backup file
(a USB copy), or to stop there (:func:`resolve_damaged`, on the UI thread).

Housekeeping once the database is open: receipts and forms written under
``<data dir>/print/`` are only needed while they are printed, so files older than a week
are removed (:func:`remove_old_printouts`, off the UI thread).

The services are imported inside the functions: this module is imported before the window
shows, and SQLAlchemy must not be loaded then (start-up time).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.paths import default_data_dir

if TYPE_CHECKING:
    from commune_desk.services.backups import StartupCheck

PRINTOUT_MAX_AGE_DAYS = 7


def check_before_open(data_dir: Path | None, db_url: str | None, parent: QWidget | None = None) -> bool:
    """True when the app may go on opening the database (it is sound, or was just restored).

    Both steps in one call (the check waits on the file: the window uses :func:`quick_check`
    off the UI thread, then :func:`resolve_damaged`)."""
    state = quick_check(data_dir, db_url)
    return state is None or resolve_damaged(data_dir, state, parent)


def quick_check(data_dir: Path | None, db_url: str | None) -> StartupCheck | None:
    """The state of the database file (about half a second on a 400 MB file); ``None`` for a
    hub's PostgreSQL server, which checks itself. Safe to call off the UI thread."""
    if db_url is not None:
        return None
    from commune_desk.services import backups

    return backups.startup_check(Path(data_dir) if data_dir else default_data_dir())


def resolve_damaged(data_dir: Path | None, state: StartupCheck, parent: QWidget | None = None) -> bool:
    """Ask what to do about a damaged file until it is sound again (True) or the user stops."""
    from commune_desk.services import backups
    from commune_desk.store.backup_crypto import is_encrypted

    folder = Path(data_dir) if data_dir else default_data_dir()
    while not state.ok:
        choice = ask_what_to_do(state, parent)
        try:
            if choice == "newest" and state.newest_good is not None:
                backups.recover_from_backup(folder, Path(state.newest_good.path))
            elif choice == "other":
                name = ask_backup_file(folder, parent)
                if not name:
                    continue
                passphrase = None
                if is_encrypted(Path(name)):
                    passphrase, ok = QInputDialog.getText(parent, _("Bản sao lưu được mã hóa"),
                                                          _("Mật khẩu mã hóa bản sao lưu:"), QLineEdit.EchoMode.Password)
                    if not ok:
                        continue
                backups.recover_from_backup(folder, Path(name), passphrase=passphrase)
            else:
                return False
        except KnownError as exc:
            QMessageBox.warning(parent, "commune_desk", str(exc))
            continue
        QMessageBox.information(parent, "commune_desk", _(
            "Đã khôi phục dữ liệu từ bản sao lưu. Tệp hỏng được giữ lại trong thư mục sao lưu. Những gì nhập sau "
            "thời điểm của bản sao lưu cần được nhập lại."))
        state = backups.startup_check(folder)
    return True


def ask_what_to_do(state: StartupCheck, parent: QWidget | None) -> str:
    """"newest" (restore the newest good backup), "other" (pick a file) or "stop"."""
    box = QMessageBox(QMessageBox.Icon.Critical, _("Cơ sở dữ liệu bị hỏng"), state.message(),
                      QMessageBox.StandardButton.NoButton, parent)
    newest = (box.addButton(_("Khôi phục bản sao lưu này"), QMessageBox.ButtonRole.AcceptRole)
              if state.newest_good else None)
    other = box.addButton(_("Chọn tệp sao lưu khác…"), QMessageBox.ButtonRole.ActionRole)
    stop = box.addButton(_("Thoát"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(newest or stop)
    box.exec()
    clicked = box.clickedButton()
    if newest is not None and clicked is newest:
        return "newest"
    return "other" if clicked is other else "stop"


def ask_backup_file(folder: Path, parent: QWidget | None) -> str:
    name, _filter = QFileDialog.getOpenFileName(parent, _("Chọn bản sao lưu"), str(folder / "backups"),
                                                _("Bản sao lưu commune_desk (*.sqlite3 *.cdbk);;Mọi tệp (*)"))
    return name


def remove_old_printouts(data_dir: Path, *, max_age_days: int = PRINTOUT_MAX_AGE_DAYS,
                         now: float | None = None) -> int:
    """Delete the files directly under ``<data_dir>/print/`` last written more than
    ``max_age_days`` ago; returns how many went. A file that cannot be removed (open in a
    PDF viewer on Windows) is left for the next start."""
    folder = Path(data_dir) / "print"
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_days * 86400
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
