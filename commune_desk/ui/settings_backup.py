"""Settings › Sao lưu: the backups in the data folder (back up now, restore one after a
confirmation) and the second place (a USB stick or a network folder) with the passphrase
that encrypts what is copied there. Every action runs off the UI thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import KnownError
from commune_desk.i18n import N_, _
from commune_desk.services import backups
from commune_desk.services.backups import BackupRow, BackupStatus
from commune_desk.services.context import Ctx
from commune_desk.store.backup_crypto import MIN_PASSPHRASE, is_encrypted
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.tasks import run_task, show_error

ENCRYPTION_NOTE = N_(
    "Bản sao ở nơi thứ hai rời khỏi máy này và chứa số định danh, địa chỉ của công dân, nên được mã hóa "
    "(AES-256-GCM; khóa sinh từ mật khẩu bằng scrypt). Hãy ghi mật khẩu ở nơi an toàn: mất mật khẩu thì "
    "không mở được bản sao, kể cả người quản trị.")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return iso


class PassphraseDialog(QDialog):
    """Two entries of the passphrase that encrypts copies leaving the machine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Mật khẩu mã hóa bản sao lưu"))
        self.setMinimumWidth(520)
        self.errors = FieldErrors()
        note = QLabel(_(ENCRYPTION_NOTE))
        note.setWordWrap(True)
        form = QFormLayout()
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors.add_row(form, _("Mật khẩu:"), self.first, "passphrase")
        self.errors.add_row(form, _("Nhập lại:"), self.second, "passphrase2")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Đặt mật khẩu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def submit(self) -> None:
        if len(self.first.text()) < MIN_PASSPHRASE:
            self.errors.show([("passphrase", _("Mật khẩu mã hóa bản sao lưu phải có ít nhất {n} ký tự.")
                               .format(n=MIN_PASSPHRASE))])
        elif self.first.text() != self.second.text():
            self.errors.show([("passphrase2", _("Hai lần nhập mật khẩu không giống nhau."))])
        else:
            self.accept()

    def passphrase(self) -> str:
        return self.first.text()


class BackupTab(QWidget):
    COLUMNS = (N_("Thời điểm"), N_("Loại"), N_("Dung lượng"), N_("Tệp"))

    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.rows: list[BackupRow] = []
        self.state: BackupStatus | None = None
        self.pending_passphrase: str | None = None
        # after a restore the window closes, so nobody works on with stale screens
        self.after_restore: Callable[[], None] = lambda: QApplication.instance().quit()

        local = QGroupBox(_("Bản sao lưu trong máy"))
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("backups")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.backup_button = QPushButton(_("Sao lưu ngay"))
        self.restore_button = QPushButton(_("Khôi phục bản đã chọn…"))
        self.restore_file_button = QPushButton(_("Khôi phục từ tệp khác…"))
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_other_file)
        row = QHBoxLayout()
        for b in (self.backup_button, self.restore_button, self.restore_file_button):
            row.addWidget(b)
        row.addStretch(1)
        box = QVBoxLayout(local)
        box.addWidget(self.folder_label)
        box.addLayout(row)
        box.addWidget(self.table, 1)
        rule = QLabel(_("Phần mềm tự sao lưu mỗi ngày và trước mỗi lần nâng cấp, khôi phục; giữ 7 bản hằng ngày, "
                        "4 bản hằng tuần, 12 bản hằng tháng. Mỗi bản sao lưu được kiểm tra ngay sau khi ghi."))
        rule.setWordWrap(True)
        rule.setStyleSheet("color: #555;")
        box.addWidget(rule)

        second = QGroupBox(_("Nơi sao lưu thứ hai (USB, ổ mạng)"))
        self.second_edit = QLineEdit()
        self.second_edit.setObjectName("second_place")
        self.second_edit.setPlaceholderText(_("Ví dụ: E:\\SaoLuu hoặc \\\\may-chu\\chia-se\\SaoLuu"))
        browse = QPushButton(_("Chọn thư mục…"))
        browse.clicked.connect(self._browse_second)
        self.key_button = QPushButton(_("Đặt mật khẩu mã hóa…"))
        self.key_button.clicked.connect(self._ask_passphrase)
        self.clear_box = QCheckBox(_("Cho phép chép KHÔNG mã hóa (không khuyến nghị)"))
        self.clear_box.clicked.connect(self._clear_clicked)
        self.save_button = QPushButton(_("Lưu nơi sao lưu thứ hai"))
        self.save_button.clicked.connect(self.save_second_place)
        self.second_status = QLabel()
        self.second_status.setObjectName("second_status")
        self.second_status.setWordWrap(True)
        note = QLabel(_(ENCRYPTION_NOTE))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        path_row = QHBoxLayout()
        path_row.addWidget(self.second_edit, 1)
        path_row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.key_button)
        buttons.addWidget(self.clear_box)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form = QVBoxLayout(second)
        form.addLayout(path_row)
        form.addLayout(buttons)
        form.addWidget(self.second_status)
        form.addWidget(note)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(local, 1)
        layout.addWidget(second)
        layout.addWidget(self.message)
        self._selection_changed()
        self.refresh()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        run_task(lambda _ctl: backups.status(self.ctx), on_success=self._fill, parent=self)

    def _fill(self, state: BackupStatus) -> None:
        self.state = state
        self.rows = state.backups
        self.folder_label.setText(_("Thư mục: {folder}").format(folder=state.folder))
        self.table.setRowCount(len(self.rows))
        for r, b in enumerate(self.rows):
            cells = (b.taken_at.strftime("%d/%m/%Y %H:%M:%S"), b.kind_label, human_size(b.size), b.name)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if not self.second_edit.hasFocus():
            self.second_edit.setText(state.second_place)
        self.clear_box.setChecked(state.clear_ok)
        self.second_status.setText(self._second_text(state))
        self._selection_changed()

    def _second_text(self, state: BackupStatus) -> str:
        if not state.second_place:
            return _("Chưa đặt nơi sao lưu thứ hai: bản sao lưu chỉ nằm trên máy này (mất máy là mất dữ liệu).")
        parts = [_("Đang có mặt.") if state.second_present else _("Hiện không thấy (USB chưa cắm?). "
                                                                  "Bản sao sẽ được chép khi có mặt.")]
        if state.has_key:
            parts.append(_("Bản sao được mã hóa."))
        elif state.clear_ok:
            parts.append(_("Cảnh báo: bản sao được chép KHÔNG mã hóa."))
        else:
            parts.append(_("Chưa đặt mật khẩu mã hóa: chưa chép được."))
        last = state.last_copy
        if last:
            parts.append((_("Lần chép gần nhất {at}: thành công.") if last.get("ok") else
                          _("Lần chép gần nhất {at}: không thành công — {message}")).format(
                at=_when(str(last.get("at", ""))), message=last.get("message", "")))
        return " ".join(parts)

    def selected(self) -> BackupRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _selection_changed(self) -> None:
        row = self.selected()
        self.restore_button.setEnabled(row is not None and row.kind != "damaged")

    # -- back up ----------------------------------------------------------------------------------
    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)

        def done(result: backups.BackupResult) -> None:
            text = _("Đã sao lưu và kiểm tra: {name}.").format(name=result.backup.name)
            if result.copied_to:
                text += " " + _("Đã chép sang nơi thứ hai.")
            elif result.copy_problem:
                text += " " + result.copy_problem
            self.message.setText(text)
            self.refresh()

        run_task(lambda _ctl: backups.backup_now(self.ctx), on_success=done,
                 on_finished=lambda: self.backup_button.setEnabled(True), parent=self,
                 progress=_("Đang sao lưu và kiểm tra bản sao lưu…"), cancellable=False)

    # -- the second place -------------------------------------------------------------------------
    def _browse_second(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Chọn nơi sao lưu thứ hai"), self.second_edit.text())
        if folder:
            self.second_edit.setText(folder)

    def _ask_passphrase(self) -> None:
        dialog = PassphraseDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.pending_passphrase = dialog.passphrase()
            self.message.setText(_("Mật khẩu mới sẽ được dùng sau khi bấm “Lưu nơi sao lưu thứ hai”."))

    def confirm_clear(self) -> bool:
        answer = QMessageBox.warning(
            self, _("Chép không mã hóa?"),
            _("Bản sao lưu chứa số định danh, ngày sinh, địa chỉ, số điện thoại của mọi công dân đã nộp hồ sơ. "
              "Nếu chép không mã hóa, ai cầm USB hoặc vào được ổ mạng đều đọc được. Theo Luật Bảo vệ dữ liệu "
              "cá nhân, để lộ dữ liệu có thể bị phạt nặng. Vẫn chép không mã hóa?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _clear_clicked(self, checked: bool) -> None:
        if checked and not self.confirm_clear():
            self.clear_box.setChecked(False)

    def save_second_place(self) -> None:
        folder, passphrase, clear_ok = self.second_edit.text().strip(), self.pending_passphrase, \
            self.clear_box.isChecked()
        if folder and not passphrase and not clear_ok and not (self.state and self.state.has_key):
            self.message.setText(_("Hãy đặt mật khẩu mã hóa trước (hoặc cho phép chép không mã hóa)."))
            return

        def done(state: BackupStatus) -> None:
            self.pending_passphrase = None
            self.message.setText(_("Đã lưu nơi sao lưu thứ hai."))
            self._fill(state)

        run_task(lambda _ctl: backups.set_second_place(self.ctx, folder, passphrase=passphrase, clear_ok=clear_ok),
                 on_success=done, on_failure=self._failed, parent=self)

    # -- restore ----------------------------------------------------------------------------------
    def confirm_restore(self, label: str) -> bool:
        answer = QMessageBox.question(
            self, _("Khôi phục dữ liệu?"),
            _("Khôi phục dữ liệu từ {label}?\n\nMọi thay đổi sau thời điểm của bản sao lưu sẽ không còn trong "
              "cơ sở dữ liệu. Trạng thái hiện tại được sao lưu trước, nên vẫn lấy lại được. "
              "Phần mềm sẽ đóng sau khi khôi phục; hãy mở lại.").format(label=label),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def restore_selected(self) -> None:
        row = self.selected()
        if row is not None and self.confirm_restore(f"{row.taken_at:%H:%M %d/%m/%Y} ({row.kind_label})"):
            self.start_restore(Path(row.path))

    def restore_other_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Chọn bản sao lưu"), self.second_edit.text(),
            _("Bản sao lưu commune_desk (*.sqlite3 *.cdbk);;Mọi tệp (*)"))
        if name and self.confirm_restore(Path(name).name):
            passphrase = None
            if is_encrypted(Path(name)) and not (self.state and self.state.has_key):
                passphrase, ok = QInputDialog.getText(self, _("Bản sao lưu được mã hóa"),
                                                      _("Mật khẩu mã hóa bản sao lưu:"), QLineEdit.EchoMode.Password)
                if not ok:
                    return
            self.start_restore(Path(name), passphrase)

    def start_restore(self, path: Path, passphrase: str | None = None) -> None:
        def done(result: backups.RestoreResult) -> None:
            QMessageBox.information(self, _("Đã khôi phục"), _(
                "Đã khôi phục dữ liệu từ {file}. Trạng thái trước đó được giữ ở {before}. Phần mềm sẽ đóng; "
                "hãy mở lại để làm việc tiếp.").format(file=Path(result.restored_from).name,
                                                       before=Path(result.before_restore).name))
            self.after_restore()

        run_task(lambda _ctl: backups.restore(self.ctx, path, passphrase=passphrase), on_success=done,
                 on_failure=self._failed, parent=self, progress=_("Đang kiểm tra và khôi phục…"), cancellable=False)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
        else:
            show_error(self, exc)


def create_tab(ctx: Ctx, window) -> QWidget:
    return BackupTab(ctx, window)
