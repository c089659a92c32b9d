"""Before the window opens: a quick check of the database file. When it is damaged the user
is told plainly and offered the newest good backup (the damaged file is kept aside), or
another backup file (a USB copy), or to stop there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.paths import default_data_dir
from commune_desk.services import backups
from commune_desk.store.backup_crypto import is_encrypted


def check_before_open(data_dir: Path | None, db_url: str | None, parent: QWidget | None = None) -> bool:
    """True when the app may go on opening the database (it is sound, or was just restored).

    This is the one wait before the window exists, like the migration: a quick check takes
    about half a second on a 400 MB file."""
    if db_url is not None:
        return True  # a hub's PostgreSQL server checks itself
    folder = Path(data_dir) if data_dir else default_data_dir()
    state = backups.startup_check(folder)
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


def ask_what_to_do(state: backups.StartupCheck, parent: QWidget | None) -> str:
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
